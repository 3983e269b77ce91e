package printer

import (
	"context"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/netprobe/netprobe/internal/testnet"

	"github.com/gosnmp/gosnmp"

	"github.com/netprobe/netprobe/internal/printermib"
	"github.com/netprobe/netprobe/internal/snmpagent"
	"github.com/netprobe/netprobe/result"
)

// TestPrinterSynthetic covers what the real recordings lack: alerts,
// console text, colorant tables, a printer at another hrDeviceIndex, full
// waste boxes and hostile values.
func TestPrinterSynthetic(t *testing.T) {
	tests := []struct {
		file       string
		status     result.Status
		condition  string
		problems   []string
		detailHas  []string
		check      func(t *testing.T, ev map[string]any)
		maxTrips   int
		wantUnread bool
	}{
		{
			file: "synthetic_alerts_jam", status: result.Fail, condition: "error",
			problems:  []string{"Paper jam", "Black toner low (4%)"},
			detailHas: []string{"Printer Front Office Laser is not ready: Paper jam, Black toner low (4%).", `Panel shows "13.B2 Jam in tray 2 / Open door C".`},
			maxTrips:  5,
			check: func(t *testing.T, ev map[string]any) {
				want := []result.Alert{
					{Index: "1.1", Severity: "critical", Code: 8, CodeName: "jam", Group: "mediaPath", Description: "Paper jam in tray 2 area"},
					{Index: "1.2", Severity: "warning", Code: 1104, CodeName: "markerTonerAlmostEmpty", Group: "markerSupplies", Description: "Black toner low"},
					{Index: "1.3", Severity: "warningBinaryChangeEvent", Code: 7, CodeName: "configurationChange", Group: "generalPrinter", Description: "Configuration changed"},
				}
				if got := ev["alerts"]; !reflect.DeepEqual(got, want) {
					t.Errorf("alerts = %+v\nwant %+v", got, want)
				}
				if got := ev["display"]; !reflect.DeepEqual(got, []string{"13.B2 Jam in tray 2", "Open door C"}) {
					t.Errorf("display = %#v", got)
				}
				sup := ev["supplies"].([]result.Supply)
				colors := []string{sup[0].Color, sup[1].Color, sup[2].Color}
				if !reflect.DeepEqual(colors, []string{"black", "cyan", ""}) {
					t.Errorf("colours from the colorant table = %q", colors)
				}
				if ev["errors"] == nil || !reflect.DeepEqual(ev["errors"], []string{"jammed"}) {
					t.Errorf("errors = %v", ev["errors"])
				}
				if ev["serial"] != "SYN-0001" || ev["printer_status"] != "other" || ev["device_status"] != "warning" {
					t.Errorf("serial/status = %v %v %v", ev["serial"], ev["printer_status"], ev["device_status"])
				}
			},
		},
		{
			file: "synthetic_device_index3", status: result.Warn, condition: "warning",
			problems:  []string{"Paper low", "Tray 1 empty", "Drum near end of life"},
			detailHas: []string{"Printer Synthetic MFP 3 (prtGeneral) needs attention: Paper low, Tray 1 empty, Drum near end of life."},
			maxTrips:  5,
			check: func(t *testing.T, ev map[string]any) {
				if ev["hr_device_index"] != 3 || ev["device_status"] != "warning" || ev["printer_status"] != "printing" {
					t.Errorf("index/status = %v %v %v", ev["hr_device_index"], ev["device_status"], ev["printer_status"])
				}
				if !reflect.DeepEqual(ev["errors"], []string{"lowPaper", "inputTrayEmpty"}) || ev["error_state_hex"] != "8004" {
					t.Errorf("errors = %v %v", ev["errors"], ev["error_state_hex"])
				}
				var idx []string
				for _, s := range ev["supplies"].([]result.Supply) {
					idx = append(idx, s.Index+"="+s.State)
				}
				if want := []string{"3.1=ok", "3.7=ok", "3.12=ok"}; !reflect.DeepEqual(idx, want) {
					t.Errorf("sparse supplies = %v, want %v", idx, want)
				}
				if ev["serial"] != "SYN-0003" {
					t.Errorf("serial = %v", ev["serial"])
				}
			},
		},
		{
			file: "synthetic_waste_full_nopaper", status: result.Fail, condition: "error",
			problems:  []string{"Out of paper", "Waste Toner Box full", "Printer is down"},
			detailHas: []string{"Printer Synthetic Office Printer is not ready: Out of paper, Waste Toner Box full, Printer is down."},
			maxTrips:  5,
			check: func(t *testing.T, ev map[string]any) {
				sup := ev["supplies"].([]result.Supply)
				if sup[1].Class != "receptacle" || sup[1].State != "full" || *sup[1].Percent != 0 {
					t.Errorf("waste box = %+v", sup[1])
				}
				for _, tr := range ev["trays"].([]result.Tray) {
					if tr.State != "empty" {
						t.Errorf("tray %s state %s", tr.Index, tr.State)
					}
				}
			},
		},
		{
			file: "synthetic_hostile", status: result.OK, condition: "ok",
			problems:  []string{},
			detailHas: []string{"Printer Imprimante café answers and reports no problem."},
			maxTrips:  5,
			check: func(t *testing.T, ev map[string]any) {
				if ev["sys_descr"] != "Evil Printer Line2" {
					t.Errorf("sys_descr = %q", ev["sys_descr"])
				}
				if n := len([]rune(ev["sys_name"].(string))); n > 257 {
					t.Errorf("10 kB sysName kept %d runes", n)
				}
				if _, has := ev["device_status"]; has {
					t.Errorf("a string hrDeviceStatus became %v", ev["device_status"])
				}
				if _, has := ev["errors"]; has {
					t.Errorf("an integer error state became %v", ev["errors"])
				}
				sup := ev["supplies"].([]result.Supply)
				if sup[0].Description != "Toner noir" || sup[0].Level != -2 || sup[0].State != "unknown" || sup[0].Percent != nil {
					t.Errorf("supply with a string level = %+v", sup[0])
				}
				if sup[1].Level != 80 || sup[1].State != "ok" {
					t.Errorf("drum = %+v", sup[1])
				}
				if got := ev["trays"].([]result.Tray)[0].Name; got != "Tray\uFFFD1" {
					t.Errorf("bidi override in tray name = %q", got)
				}
				if got := ev["display"]; !reflect.DeepEqual(got, []string{"READY"}) {
					t.Errorf("display = %q", got)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			a := startPrinterAgent(t, tt.file, snmpagent.Options{})
			c := Check(context.Background(), a.Host(), Options{Port: a.Port(), PrintPorts: []int{testnet.OpenTCP(t)}})
			ev := c.Evidence
			if c.Status != tt.status || ev["condition"] != tt.condition {
				t.Errorf("status = %s/%v, want %s/%s (%s)", c.Status, ev["condition"], tt.status, tt.condition, c.Detail)
			}
			if got := ev["problems"]; !reflect.DeepEqual(got, tt.problems) {
				t.Errorf("problems = %#v, want %#v", got, tt.problems)
			}
			for _, s := range tt.detailHas {
				if !strings.Contains(c.Detail, s) {
					t.Errorf("detail %q lacks %q", c.Detail, s)
				}
			}
			if n := a.Requests(); n > tt.maxTrips {
				t.Errorf("%d round trips, want at most %d", n, tt.maxTrips)
			}
			b, err := json.Marshal(c)
			if err != nil {
				t.Fatal(err)
			}
			for _, bad := range []string{`\u001b`, `\u0007`, `\u009b`, "\u202e", `\u202e`, "\x1b"} {
				if strings.Contains(string(b), bad) {
					t.Errorf("JSON contains %q", bad)
				}
			}
			if tt.check != nil {
				tt.check(t, ev)
			}
		})
	}
}

// TestPrinterHostileAgents runs the probe against agents that misbehave the
// way real printers do and checks it still reads what can be read, within
// its budget.
func TestPrinterHostileAgents(t *testing.T) {
	exp := loadExpected(t)["sharp_mx-3570n.snmprec"]
	tests := []struct {
		name      string
		file      string
		agent     snmpagent.Options
		opt       Options
		supplies  int // supplies that must still be read
		status    result.Status
		unread    []string
		maxTrips  int
		wantTypes []gosnmp.PDUType // PDU types that must appear
	}{
		{name: "GETBULK answered with garbage bytes", file: "sharp_mx-3570n",
			agent: snmpagent.Options{BulkGarbage: snmpagent.GarbageBytes}, supplies: len(exp.Supplies), status: result.Warn,
			wantTypes: []gosnmp.PDUType{gosnmp.GetBulkRequest, gosnmp.GetNextRequest}},
		{name: "GETBULK answered with backwards OIDs", file: "sharp_mx-3570n",
			agent: snmpagent.Options{BulkGarbage: snmpagent.GarbageVarbinds}, supplies: len(exp.Supplies), status: result.Warn,
			wantTypes: []gosnmp.PDUType{gosnmp.GetBulkRequest, gosnmp.GetNextRequest}},
		{name: "agent with a small message size", file: "sharp_mx-3570n",
			agent: snmpagent.Options{MaxBulkVarbinds: 20}, supplies: len(exp.Supplies), status: result.Warn,
			wantTypes: []gosnmp.PDUType{gosnmp.GetBulkRequest}},
		{name: "v1-only agent read with v1", file: "sharp_mx-3570n",
			agent: snmpagent.Options{V1Only: true}, opt: Options{Version: "1"}, supplies: len(exp.Supplies), status: result.Warn,
			wantTypes: []gosnmp.PDUType{gosnmp.GetRequest, gosnmp.GetNextRequest}},
		{name: "agent choking on supply descriptions", file: "sharp_mx-3570n",
			agent:    snmpagent.Options{DropOIDs: []string{printermib.PrtMarkerSuppliesDescription}},
			supplies: len(exp.Supplies), status: result.Warn, unread: []string{"supplies"}},
		{name: "agent choking on a status scalar", file: "sharp_mx-3570n",
			agent:    snmpagent.Options{DropOIDs: []string{printermib.PrtGeneralPrinterName}},
			supplies: len(exp.Supplies), status: result.Warn, unread: []string{"status"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := startPrinterAgent(t, tt.file, tt.agent)
			opt := tt.opt
			opt.Port, opt.PrintPorts = a.Port(), []int{testnet.OpenTCP(t)}
			start := time.Now()
			c := Check(context.Background(), a.Host(), opt)
			if el := time.Since(start); el > DefaultTimeout+timingSlack {
				t.Errorf("took %s, budget %s", el, DefaultTimeout)
			}
			if c.Status != tt.status {
				t.Errorf("status = %s, want %s (%s)", c.Status, tt.status, c.Detail)
			}
			sup, _ := c.Evidence["supplies"].([]result.Supply)
			if len(sup) != tt.supplies {
				t.Fatalf("read %d supplies, want %d (%s)", len(sup), tt.supplies, c.Detail)
			}
			for i, w := range exp.Supplies {
				if sup[i].Index != w.Index || sup[i].Level != w.Level || sup[i].Max != w.Max || !samePercent(sup[i].Percent, w.Percent) {
					t.Errorf("supply %s = %d/%d %s, want %d/%d %s", w.Index, sup[i].Level, sup[i].Max,
						fmtPercent(sup[i].Percent), w.Level, w.Max, fmtPercent(w.Percent))
				}
			}
			unread, _ := c.Evidence["snmp_unread"].([]string)
			if !reflect.DeepEqual(unread, tt.unread) && (len(unread) > 0 || len(tt.unread) > 0) {
				t.Errorf("snmp_unread = %v, want %v", unread, tt.unread)
			}
			seen := map[gosnmp.PDUType]bool{}
			for _, r := range a.Log() {
				seen[r.PDUType] = true
			}
			for _, w := range tt.wantTypes {
				if !seen[w] {
					t.Errorf("no %v request; log %+v", w, a.Log())
				}
			}
			if tt.opt.Version == "1" && seen[gosnmp.GetBulkRequest] {
				t.Error("GETBULK sent on v1")
			}
			if c.Evidence["snmp_round_trips"] != a.Requests() {
				t.Errorf("snmp_round_trips = %v, agent saw %d", c.Evidence["snmp_round_trips"], a.Requests())
			}
			t.Logf("%d round trips: %s", a.Requests(), c.Detail)
		})
	}
}
