package printer

import (
	"context"
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/netprobe/netprobe/internal/testnet"

	"github.com/netprobe/netprobe/internal/snmpagent"
	"github.com/netprobe/netprobe/result"
)

// TestPrinterJSONShape pins the public evidence keys and their JSON types.
func TestPrinterJSONShape(t *testing.T) {
	a := startPrinterAgent(t, "synthetic_alerts_jam", snmpagent.Options{})
	c := Check(context.Background(), a.Host(), Options{Port: a.Port(), PrintPorts: []int{testnet.ClosedTCP(t)}})
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Name     string                     `json:"name"`
		Layer    string                     `json:"layer"`
		Status   string                     `json:"status"`
		Evidence map[string]json.RawMessage `json:"evidence"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Name != "printer" || doc.Layer != "printer" || doc.Status != "fail" {
		t.Errorf("header = %s %s %s", doc.Name, doc.Layer, doc.Status)
	}
	kinds := map[string]byte{
		"condition": '"', "problems": '[', "faults": '[', "snmp_version": '"', "snmp_round_trips": '1', "sys_descr": '"',
		"sys_name": '"', "sys_object_id": '"', "uptime_s": '1', "model": '"', "serial": '"',
		"hr_device_index": '1', "device_status": '"', "printer_status": '"', "errors": '[', "error_state_hex": '"',
		"supplies": '[', "trays": '[', "alerts": '[', "display": '[', "ports": '{',
	}
	for k, want := range kinds {
		raw, ok := doc.Evidence[k]
		if !ok {
			t.Errorf("evidence key %q missing", k)
			continue
		}
		got := raw[0]
		if got >= '0' && got <= '9' {
			got = '1'
		}
		if got != want {
			t.Errorf("evidence %q = %s, want JSON kind %c", k, raw, want)
		}
	}
	for k := range doc.Evidence {
		if _, ok := kinds[k]; !ok {
			t.Errorf("unexpected evidence key %q", k)
		}
	}
	var sup []map[string]any
	if err := json.Unmarshal(doc.Evidence["supplies"], &sup); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"index", "description", "type", "class", "unit", "level", "max", "percent", "state"} {
		if _, ok := sup[0][k]; !ok {
			t.Errorf("supply JSON lacks %q: %v", k, sup[0])
		}
	}
	if !strings.Contains(string(doc.Evidence["ports"]), `"closed"`) {
		t.Errorf("ports = %s", doc.Evidence["ports"])
	}
	// The round trip survives decoding.
	var back result.Check
	if err := json.Unmarshal(b, &back); err != nil || back.Status != result.Fail {
		t.Errorf("decode: %v %s", err, back.Status)
	}
}

func TestPrinterIPv6(t *testing.T) {
	recs, err := snmpagent.LoadFile(filepath.Join(printerTestdata, "dell_s5830dn.snmprec"))
	if err != nil {
		t.Fatal(err)
	}
	a, err := snmpagent.Start(recs, snmpagent.Options{Network: "udp6"})
	if err != nil {
		t.Skipf("no IPv6 loopback: %v", err)
	}
	defer a.Close()
	c := Check(context.Background(), "::1", Options{Port: a.Port(), PrintPorts: []int{}})
	if c.Status != result.OK || c.Evidence["model"] != "Dell S5830dn 7XQ1R92 LW62.DN4.P636" {
		t.Errorf("over ::1: %s %s", c.Status, c.Detail)
	}
}

func TestOptionsValidate(t *testing.T) {
	tests := []struct {
		name    string
		opt     Options
		wantErr string // "" = valid
	}{
		{"zero value is valid", Options{}, ""},
		{"v1", Options{Version: "1", Community: "x"}, ""},
		{"v3 noAuthNoPriv", Options{Version: "3", User: "u"}, ""},
		{"v3 authPriv", Options{Version: "3", User: "u", AuthProto: "sha512", AuthPass: "12345678", PrivProto: "AES256", PrivPass: "12345678"}, ""},
		{"bad version", Options{Version: "2"}, `SNMP version "2" is not supported`},
		{"port too high", Options{Port: 70000}, "SNMP port 70000 is out of range"},
		{"negative port", Options{Port: -1}, "SNMP port -1 is out of range"},
		{"negative timeout", Options{Timeout: -time.Second}, "timeout -1s is negative"},
		{"negative retries", Options{Retries: -2}, "retries -2 is negative"},
		{"supply warn over 100", Options{SupplyWarn: 150}, "supply warning level 150%"},
		{"bad print port", Options{PrintPorts: []int{9100, 0}}, "print port 0 is out of range"},
		{"v3 without user", Options{Version: "3"}, "SNMPv3 needs a user name"},
		{"unknown auth", Options{Version: "3", User: "u", AuthProto: "SHA3", AuthPass: "12345678"}, `auth protocol "SHA3" is unknown`},
		{"unknown priv", Options{Version: "3", User: "u", AuthProto: "SHA", AuthPass: "12345678", PrivProto: "3DES", PrivPass: "12345678"}, `privacy protocol "3DES" is unknown`},
		{"priv without auth", Options{Version: "3", User: "u", PrivProto: "AES", PrivPass: "12345678"}, "privacy needs authentication"},
		{"auth without pass", Options{Version: "3", User: "u", AuthProto: "SHA"}, "auth password is empty"},
		{"auth pass without proto", Options{Version: "3", User: "u", AuthPass: "12345678"}, "no auth protocol"},
		{"short auth pass", Options{Version: "3", User: "u", AuthProto: "SHA", AuthPass: "short"}, "shorter than the 8 characters"},
		{"priv pass without proto", Options{Version: "3", User: "u", AuthProto: "SHA", AuthPass: "12345678", PrivPass: "12345678"}, "no privacy protocol"},
		{"v3 settings on v2c", Options{User: "u"}, "need SNMP version 3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.opt.Validate()
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("unexpected error %v", err)
			case tt.wantErr != "" && err == nil:
				t.Errorf("no error, want %q", tt.wantErr)
			case err != nil && !strings.Contains(err.Error(), tt.wantErr):
				t.Errorf("error %q, want it to contain %q", err, tt.wantErr)
			}
		})
	}
}

func TestPrinterInvalidOptionsSkip(t *testing.T) {
	c := Check(context.Background(), "127.0.0.1", Options{Version: "9"})
	if c.Status != result.Skip || !strings.Contains(c.Detail, `SNMP version "9"`) {
		t.Errorf("got %s %q", c.Status, c.Detail)
	}
}

// TestPrinterBudget checks that the named timeouts add up: the first GET
// with its retries plus the "are you there" GET fit in the printer budget,
// and a print-port handshake never outlasts it.
func TestPrinterBudget(t *testing.T) {
	opt := Options{}.withDefaults()
	first := opt.Timeout / time.Duration(opt.Retries+2)
	if total := first*time.Duration(opt.Retries+1) + first; total > DefaultTimeout {
		t.Errorf("SNMP attempts add up to %s, over %s", total, DefaultTimeout)
	}
	if printPortTimeout >= DefaultTimeout {
		t.Errorf("print port timeout %s >= printer timeout %s", printPortTimeout, DefaultTimeout)
	}
	if snmpMinAttempt > first {
		t.Errorf("later attempts (%s) may wait longer than the first (%s)", snmpMinAttempt, first)
	}
	if !slices.Equal(opt.PrintPorts, []int{9100, 631, 515}) || opt.Community != "public" || opt.Version != "2c" ||
		opt.Port != 161 || opt.Retries != 1 || opt.SupplyWarn != 10 {
		t.Errorf("defaults = %+v", opt)
	}
	if none := (Options{PrintPorts: []int{}}).withDefaults(); len(none.PrintPorts) != 0 {
		t.Errorf("an empty non-nil PrintPorts must mean none, got %v", none.PrintPorts)
	}
}
