package printer

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/netprobe/netprobe/internal/testnet"

	"github.com/gosnmp/gosnmp"

	"github.com/netprobe/netprobe/internal/snmpagent"
	"github.com/netprobe/netprobe/result"
)

// TestPrinterSilent covers printers whose SNMP says nothing. The probe must
// return within its own timeout (not gosnmp's ~30 s) and say whether the
// printer is on the network at all.
func TestPrinterSilent(t *testing.T) {
	const timeout = time.Second
	tests := []struct {
		name      string
		agent     *snmpagent.Options // nil: nothing listens on the SNMP port
		opt       Options
		ports     func(t *testing.T) []int
		condition string
		detail    string
		snmpErr   string
	}{
		{name: "agent never answers, print port open", agent: &snmpagent.Options{Silent: true},
			ports:     func(t *testing.T) []int { return []int{testnet.OpenTCP(t), testnet.ClosedTCP(t)} },
			condition: "snmp_silent", detail: "Printer is on the network (port %d open) but does not answer SNMP; check the SNMP community or that SNMP is enabled.",
			snmpErr: "no SNMP answer within 1s"},
		{name: "agent never answers, print ports closed", agent: &snmpagent.Options{Silent: true},
			ports:     func(t *testing.T) []int { return []int{testnet.ClosedTCP(t), testnet.ClosedTCP(t)} },
			condition: "unreachable", detail: "A device answers at this address, but it is not a working printer: print ports %d, %d are closed and SNMP does not answer",
			snmpErr: "no SNMP answer within 1s"},
		{name: "wrong community", agent: &snmpagent.Options{Community: "right-one"}, opt: Options{Community: "wrong-one"},
			ports:     func(t *testing.T) []int { return []int{testnet.OpenTCP(t)} },
			condition: "snmp_silent", detail: "Printer is on the network (port %d open) but does not answer SNMP",
			snmpErr: "no SNMP answer within 1s"},
		{name: "v1-only agent asked with v2c", agent: &snmpagent.Options{V1Only: true},
			ports:     func(t *testing.T) []int { return []int{testnet.OpenTCP(t)} },
			condition: "snmp_silent", detail: "Printer is on the network (port %d open) but does not answer SNMP",
			snmpErr: "no SNMP answer within 1s"},
		{name: "nothing listens on the SNMP port", agent: nil,
			ports:     func(t *testing.T) []int { return []int{testnet.OpenTCP(t)} },
			condition: "snmp_silent", detail: "Printer is on the network (port %d open) but does not answer SNMP",
			snmpErr: "refused the request|no SNMP answer"},
		{name: "no print ports checked", agent: &snmpagent.Options{Silent: true},
			ports:     func(t *testing.T) []int { return []int{} },
			condition: "unreachable", detail: "Printer does not answer SNMP (no print ports were checked).",
			snmpErr: "no SNMP answer within 1s"},
		{name: "v3 user not allowed", agent: &snmpagent.Options{V3: &snmpagent.V3User{Name: "ops", AuthProto: gosnmp.SHA, AuthPass: "auth-pass-1"}},
			opt:       Options{Version: "3", User: "ops", AuthProto: "SHA", AuthPass: "not-the-pass"},
			ports:     func(t *testing.T) []int { return []int{testnet.ClosedTCP(t)} },
			condition: "snmp_silent", detail: "Printer answers SNMP but rejects the SNMPv3 credentials",
			snmpErr: "rejected the credentials"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opt := tt.opt
			if tt.agent != nil {
				a := startPrinterAgent(t, "hp_color_laserjet_pro_m252dw", *tt.agent)
				opt.Port = a.Port()
			} else {
				opt.Port = testnet.ClosedUDP(t)
			}
			opt.Timeout = timeout
			opt.PrintPorts = tt.ports(t)
			start := time.Now()
			c := Check(context.Background(), "127.0.0.1", opt)
			if el := time.Since(start); el > timeout+timingSlack {
				t.Errorf("took %s with a %s timeout", el, timeout)
			}
			if c.Status != result.Fail || c.Evidence["condition"] != tt.condition {
				t.Errorf("status = %s/%v, want fail/%s (%s)", c.Status, c.Evidence["condition"], tt.condition, c.Detail)
			}
			args := make([]any, len(opt.PrintPorts))
			for i, p := range opt.PrintPorts {
				args[i] = p
			}
			want := tt.detail
			if strings.Contains(want, "%d") {
				want = fmt.Sprintf(tt.detail, args[:strings.Count(tt.detail, "%d")]...)
			}
			if !strings.HasPrefix(c.Detail, want) {
				t.Errorf("detail = %q\nwant prefix %q", c.Detail, want)
			}
			// Alternatives are separated by "|": the kernel may rate-limit
			// the ICMP port-unreachable that makes a closed UDP port
			// "refused", and then it is plain silence.
			got, _ := c.Evidence["snmp_error"].(string)
			if !slices.ContainsFunc(strings.Split(tt.snmpErr, "|"), func(w string) bool { return strings.Contains(got, w) }) {
				t.Errorf("snmp_error = %q, want it to contain %q", got, tt.snmpErr)
			}
			if _, has := c.Evidence["supplies"]; has {
				t.Error("supplies reported without an SNMP answer")
			}
		})
	}
}

// TestPrinterContextDeadline: the caller's deadline wins over the
// per-printer timeout.
func TestPrinterContextDeadline(t *testing.T) {
	a := startPrinterAgent(t, "sharp_mx-3570n", snmpagent.Options{Silent: true})
	ctx, cancel := context.WithTimeout(context.Background(), 400*time.Millisecond)
	defer cancel()
	start := time.Now()
	c := Check(ctx, a.Host(), Options{Port: a.Port(), Timeout: 10 * time.Second, PrintPorts: []int{}})
	if el := time.Since(start); el > 400*time.Millisecond+timingSlack {
		t.Errorf("took %s with a 400ms context", el)
	}
	if c.Evidence["condition"] != "unreachable" {
		t.Errorf("condition = %v", c.Evidence["condition"])
	}
	if got := c.Evidence["snmp_error"]; got != "no SNMP answer within 400ms" {
		t.Errorf("snmp_error = %q, want the real wait, not the 10 s option", got)
	}
}

// TestPrinterV3 reads a recording over SNMPv3 with each security level and
// the common protocol pairs, through the agent's USM.
func TestPrinterV3(t *testing.T) {
	tests := []struct {
		name      string
		user      snmpagent.V3User
		opt       Options
		wantTrips int
	}{
		{"noAuthNoPriv", snmpagent.V3User{Name: "reader"},
			Options{User: "reader"}, 3},
		{"authNoPriv MD5", snmpagent.V3User{Name: "reader", AuthProto: gosnmp.MD5, AuthPass: "auth-secret-1"},
			Options{User: "reader", AuthProto: "MD5", AuthPass: "auth-secret-1"}, 3},
		{"authPriv SHA AES", snmpagent.V3User{Name: "reader", AuthProto: gosnmp.SHA, AuthPass: "auth-secret-1", PrivProto: gosnmp.AES, PrivPass: "priv-secret-1"},
			Options{User: "reader", AuthProto: "SHA", AuthPass: "auth-secret-1", PrivProto: "AES", PrivPass: "priv-secret-1"}, 3},
		{"authPriv SHA256 AES256", snmpagent.V3User{Name: "reader", AuthProto: gosnmp.SHA256, AuthPass: "auth-secret-1", PrivProto: gosnmp.AES256, PrivPass: "priv-secret-1"},
			Options{User: "reader", AuthProto: "sha256", AuthPass: "auth-secret-1", PrivProto: "aes256", PrivPass: "priv-secret-1"}, 3},
		{"authPriv SHA512 DES", snmpagent.V3User{Name: "reader", AuthProto: gosnmp.SHA512, AuthPass: "auth-secret-1", PrivProto: gosnmp.DES, PrivPass: "priv-secret-1"},
			Options{User: "reader", AuthProto: "SHA512", AuthPass: "auth-secret-1", PrivProto: "DES", PrivPass: "priv-secret-1"}, 3},
	}
	exp := loadExpected(t)["konica_minolta_bizhub_c250i.snmprec"]
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u := tt.user
			a := startPrinterAgent(t, "konica_minolta_bizhub_c250i", snmpagent.Options{V3: &u})
			opt := tt.opt
			opt.Version, opt.Port, opt.PrintPorts = "3", a.Port(), []int{}
			c := Check(context.Background(), a.Host(), opt)
			if c.Status != result.Warn || c.Evidence["snmp_version"] != "3" {
				t.Fatalf("status = %s, version %v (%s)", c.Status, c.Evidence["snmp_version"], c.Detail)
			}
			if !reflect.DeepEqual(c.Evidence["errors"], exp.Errors) {
				t.Errorf("errors = %v, want %v", c.Evidence["errors"], exp.Errors)
			}
			if sup, _ := c.Evidence["supplies"].([]result.Supply); len(sup) != len(exp.Supplies) {
				t.Errorf("read %d supplies, want %d", len(sup), len(exp.Supplies))
			}
			// Engine discovery, the GET and one GETBULK.
			if n := a.Requests(); n != tt.wantTrips || c.Evidence["snmp_round_trips"] != n {
				t.Errorf("round trips = %d (evidence %v), want %d", n, c.Evidence["snmp_round_trips"], tt.wantTrips)
			}
		})
	}
}

// TestPrinterSecrets renders the check as JSON and looks for the community
// and the v3 passwords, on success and on every failure path.
func TestPrinterSecrets(t *testing.T) {
	const (
		community = "s3cret-Comm-42"
		authPass  = "Auth-Pa55-word"
		privPass  = "Priv-Pa55-word"
	)
	secrets := []string{community, authPass, privPass}
	user := &snmpagent.V3User{Name: "ops", AuthProto: gosnmp.SHA, AuthPass: authPass, PrivProto: gosnmp.AES, PrivPass: privPass}
	tests := []struct {
		name  string
		file  string
		agent snmpagent.Options
		opt   Options
	}{
		{"v2c success", "sharp_mx-3570n", snmpagent.Options{Community: community}, Options{Community: community}},
		{"v2c wrong community", "sharp_mx-3570n", snmpagent.Options{Community: "other"}, Options{Community: community}},
		{"agent echoes the community", "synthetic_secret_echo", snmpagent.Options{Community: community}, Options{Community: community}},
		{"v1 success", "sharp_mx-3570n", snmpagent.Options{Community: community}, Options{Version: "1", Community: community}},
		{"v3 success", "sharp_mx-3570n", snmpagent.Options{V3: user},
			Options{Version: "3", User: "ops", AuthProto: "SHA", AuthPass: authPass, PrivProto: "AES", PrivPass: privPass}},
		{"v3 wrong auth password", "sharp_mx-3570n", snmpagent.Options{V3: &snmpagent.V3User{Name: "ops", AuthProto: gosnmp.SHA, AuthPass: "another-pass", PrivProto: gosnmp.AES, PrivPass: privPass}},
			Options{Version: "3", User: "ops", AuthProto: "SHA", AuthPass: authPass, PrivProto: "AES", PrivPass: privPass}},
		{"v3 wrong priv password", "sharp_mx-3570n", snmpagent.Options{V3: &snmpagent.V3User{Name: "ops", AuthProto: gosnmp.SHA, AuthPass: authPass, PrivProto: gosnmp.AES, PrivPass: "another-pass"}},
			Options{Version: "3", User: "ops", AuthProto: "SHA", AuthPass: authPass, PrivProto: "AES", PrivPass: privPass}},
		{"v3 silent agent", "sharp_mx-3570n", snmpagent.Options{Silent: true},
			Options{Version: "3", User: "ops", AuthProto: "SHA", AuthPass: authPass, PrivProto: "AES", PrivPass: privPass}},
		{"invalid options", "sharp_mx-3570n", snmpagent.Options{},
			Options{Version: "3", User: "ops", AuthProto: "SHA", AuthPass: authPass, PrivProto: "ROT13", PrivPass: privPass}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := startPrinterAgent(t, tt.file, tt.agent)
			opt := tt.opt
			opt.Port, opt.Timeout, opt.PrintPorts = a.Port(), time.Second, []int{testnet.OpenTCP(t)}
			c := Check(context.Background(), a.Host(), opt)
			b, err := json.Marshal(c)
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range secrets {
				if strings.Contains(string(b), s) {
					t.Errorf("%q appears in the JSON: %s", s, b)
				}
			}
			if err := opt.Validate(); err != nil {
				for _, s := range secrets {
					if strings.Contains(err.Error(), s) {
						t.Errorf("Validate error quotes a secret: %v", err)
					}
				}
			}
			t.Logf("%s: %s", c.Status, c.Detail)
		})
	}
}
