package probes

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/netprobe/netprobe/internal/testnet"

	"github.com/gosnmp/gosnmp"

	"github.com/netprobe/netprobe/internal/printermib"
	"github.com/netprobe/netprobe/internal/sanitize"
	"github.com/netprobe/netprobe/internal/snmpagent"
	"github.com/netprobe/netprobe/result"
)

const printerTestdata = "../testdata/printers"

// timingSlack is what a timing assertion allows over the probe's budget.
// The machines these tests run on are shared and sometimes loaded; the
// failure guarded against is gosnmp's default ~30 s, which any slack of a
// few seconds still catches.
const timingSlack = 2 * time.Second

// startPrinterAgent serves one recording on loopback UDP.
func startPrinterAgent(t testing.TB, name string, opt snmpagent.Options) *snmpagent.Agent {
	t.Helper()
	recs, err := snmpagent.LoadFile(filepath.Join(printerTestdata, name+".snmprec"))
	if err != nil {
		t.Fatal(err)
	}
	a, err := snmpagent.Start(recs, opt)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	return a
}

// expectedSupply is one supply of EXPECTED.json.
type expectedSupply struct {
	Index               string   `json:"index"`
	Description         string   `json:"description"`
	DescriptionRepaired string   `json:"descriptionRepaired"`
	Level               int      `json:"level"`
	Max                 int      `json:"max"`
	Percent             *float64 `json:"percent"`
	PercentNote         string   `json:"percentNote"`
	Type                *string  `json:"type"`
	Class               *string  `json:"class"`
	Unit                *string  `json:"unit"`
	Color               *string  `json:"color"`
}

// expected is the part of EXPECTED.json the probe must reproduce.
type expected struct {
	SysDescr string `json:"sysDescr"`
	Status   struct {
		HrDeviceStatusName  *string `json:"hrDeviceStatusName"`
		HrPrinterStatusName *string `json:"hrPrinterStatusName"`
	} `json:"status"`
	Errors   []string         `json:"errors"`
	Supplies []expectedSupply `json:"supplies"`
	Inputs   []struct {
		Index   string   `json:"index"`
		Name    *string  `json:"name"`
		Level   int      `json:"level"`
		Max     int      `json:"max"`
		Percent *float64 `json:"percent"`
	} `json:"inputs"`
	SysObjectID   string  `json:"sysObjectID"`
	SysUpTime     *int64  `json:"sysUpTime"`
	SysName       *string `json:"sysName"`
	HrDeviceDescr *string `json:"hrDeviceDescr"`
	ErrorStateHex *string `json:"errorStateHex"`
	PrtName       *string `json:"prtGeneralPrinterName"`
	Serial        *string `json:"prtGeneralSerialNumber"`
}

func loadExpected(t testing.TB) map[string]expected {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(printerTestdata, "EXPECTED.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]expected
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// expectedState derives a supply's state from EXPECTED.json's own notes,
// independently of printermib: percentNote for the special codes, else the
// percent against the 10 % default, inverted for waste containers.
func expectedState(s expectedSupply,
) string {
	switch {
	case strings.HasPrefix(s.PercentNote, "some remaining"), strings.HasPrefix(s.PercentNote, "max unknown"):
		return "some_remaining"
	case strings.HasPrefix(s.PercentNote, "unknown"):
		return "unknown"
	}
	waste := strings.Contains(strings.ToLower(s.Description), "waste")
	p := *s.Percent
	switch {
	case waste && p == 0:
		return "full"
	case waste && p <= 10:
		return "nearly_full"
	case !waste && p == 0:
		return "empty"
	case !waste && p <= 10:
		return "low"
	}
	return "ok"
}

func classWord(mib *string) string {
	if mib == nil {
		return ""
	}
	return map[string]string{"supplyThatIsConsumed": "consumed", "receptacleThatIsFilled": "receptacle", "other": "other"}[*mib]
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func samePercent(a, b *float64) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return math.Abs(*a-*b) < 1e-9
}

func fmtPercent(p *float64) string {
	if p == nil {
		return "null"
	}
	return strconv.FormatFloat(*p, 'f', -1, 64)
}

// recordingCases are the verdicts expected for the real recordings. They
// are judgements from the data: Epson inks at 1 % -> warn; Sharp lowToner
// bit -> warn; Konica serviceRequested -> warn; Xerox's waste toner
// container has 5 % space left -> warn; everything else is healthy.
var recordingCases = []struct {
	file      string
	status    result.Status
	condition string
	problems  []string
	detail    string
}{
	{"hp_color_laserjet_pro_m252dw", result.OK, "ok", []string{},
		"Printer HP Color LaserJet Pro M252dw is ready; toner 36–88%."},
	{"hp_color_laserjet_flow_mfp_m880", result.OK, "ok", []string{},
		"Printer HP Color LaserJet flow MFP M880 is ready; toner 16–100%."},
	{"brother_mfc-l2710dw", result.OK, "ok", []string{},
		"Printer Brother MFC-L2710DW series is ready."},
	{"canon_tm-5300", result.OK, "ok", []string{},
		"Printer Canon TM-5300 is ready; ink 60–100%."},
	{"dell_s5830dn", result.OK, "ok", []string{},
		"Printer Dell S5830dn 7XQ1R92 LW62.DN4.P636 is ready; toner 49%."},
	{"epson_wf-c5790", result.Warn, "warning",
		[]string{"Black ink low (1%)", "Cyan ink low (1%)", "Magenta ink low (1%)", "Yellow ink low (1%)"},
		"Printer EPSON WF-C5790BA needs attention: Black ink low (1%), Cyan ink low (1%), Magenta ink low (1%) and 1 more."},
	{"fujifilm_apeos_c7580", result.OK, "ok", []string{},
		"Printer FUJIFILM Apeos C7580 answers and reports no problem; toner 90–100%."},
	{"konica_minolta_bizhub_c250i", result.Warn, "warning", []string{"Service requested"},
		"Printer KONICA MINOLTA bizhub C250i needs attention: Service requested."},
	{"sharp_mx-3570n", result.Warn, "warning", []string{"Toner low (lowest: Magenta toner 19%)"},
		"Printer SHARP MX-3570N needs attention: Toner low (lowest: Magenta toner 19%)."},
	{"xerox_altalink_c8045", result.Warn, "warning", []string{"Waste Toner Container nearly full (5% space left)"},
		"Printer Xerox AltaLink C8045 needs attention: Waste Toner Container nearly full (5% space left)."},
	{"zebra_zebranet_wired_ps", result.OK, "ok", []string{},
		"Printer ZebraNet Wired PS is ready."},
}

// TestPrinterRecordings runs the probe against every real recording over
// real UDP and compares each fact with EXPECTED.json.
func TestPrinterRecordings(t *testing.T) {
	exp := loadExpected(t)
	tests := recordingCases
	if len(tests) != 11 {
		t.Fatalf("want all 11 recordings, have %d", len(tests))
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			e, ok := exp[tt.file+".snmprec"]
			if !ok {
				t.Fatalf("%s not in EXPECTED.json", tt.file)
			}
			a := startPrinterAgent(t, tt.file, snmpagent.Options{Community: tt.file})
			port := testnet.OpenTCP(t)
			c := Printer(context.Background(), a.Host(), PrinterOptions{
				Port: a.Port(), Community: tt.file, PrintPorts: []int{port},
			})
			ev := c.Evidence

			if c.Name != "printer" || c.Layer != result.Printer || c.Target != a.Host() {
				t.Errorf("check identity = %s/%s/%s", c.Name, c.Layer, c.Target)
			}
			if c.Status != tt.status || ev["condition"] != tt.condition {
				t.Errorf("status = %s/%v, want %s/%s (%s)", c.Status, ev["condition"], tt.status, tt.condition, c.Detail)
			}
			if c.Detail != tt.detail {
				t.Errorf("detail = %q\nwant     %q", c.Detail, tt.detail)
			}
			if got := ev["problems"]; !reflect.DeepEqual(got, tt.problems) {
				t.Errorf("problems = %#v, want %#v", got, tt.problems)
			}
			if got := ev["ports"]; !reflect.DeepEqual(got, map[string]string{strconv.Itoa(port): "open"}) {
				t.Errorf("ports = %v", got)
			}

			// Scalars.
			// The probe sanitises network text (Brother's double space folds).
			if want := sanitize.String(e.SysDescr, 0); ev["sys_descr"] != want {
				t.Errorf("sys_descr = %q, want %q", ev["sys_descr"], want)
			}
			if ev["sys_object_id"] != e.SysObjectID {
				t.Errorf("sys_object_id = %q, want %q", ev["sys_object_id"], e.SysObjectID)
			}
			if e.SysName != nil && ev["sys_name"] != *e.SysName {
				t.Errorf("sys_name = %q, want %q", ev["sys_name"], *e.SysName)
			}
			if e.SysUpTime != nil {
				if got, want := ev["uptime_s"], *e.SysUpTime/100; got != want {
					t.Errorf("uptime_s = %v, want %d", got, want)
				}
			} else if _, has := ev["uptime_s"]; has {
				t.Errorf("uptime_s = %v for a recording without sysUpTime", ev["uptime_s"])
			}
			wantModel := sanitize.String(e.SysDescr, 0)
			if e.HrDeviceDescr != nil {
				wantModel = *e.HrDeviceDescr
			}
			if e.PrtName != nil {
				wantModel = *e.PrtName
			}
			if ev["model"] != wantModel {
				t.Errorf("model = %q, want %q", ev["model"], wantModel)
			}
			if got, _ := ev["serial"].(string); got != deref(e.Serial) {
				t.Errorf("serial = %q, want %q", got, deref(e.Serial))
			}
			if got, _ := ev["device_status"].(string); got != deref(e.Status.HrDeviceStatusName) {
				t.Errorf("device_status = %q, want %q", got, deref(e.Status.HrDeviceStatusName))
			}
			if got, _ := ev["printer_status"].(string); got != deref(e.Status.HrPrinterStatusName) {
				t.Errorf("printer_status = %q, want %q", got, deref(e.Status.HrPrinterStatusName))
			}

			// Error bits: absent in the recording means absent here.
			if e.Errors == nil {
				if _, has := ev["errors"]; has {
					t.Errorf("errors = %v for a recording without hrPrinterDetectedErrorState", ev["errors"])
				}
			} else {
				if got := ev["errors"]; !reflect.DeepEqual(got, e.Errors) {
					t.Errorf("errors = %#v, want %#v", got, e.Errors)
				}
				if got := ev["error_state_hex"]; got != deref(e.ErrorStateHex) {
					t.Errorf("error_state_hex = %v, want %q", got, deref(e.ErrorStateHex))
				}
			}

			// Every supply.
			sup, _ := ev["supplies"].([]result.Supply)
			if len(sup) != len(e.Supplies) {
				t.Fatalf("got %d supplies, want %d", len(sup), len(e.Supplies))
			}
			for i, w := range e.Supplies {
				g := sup[i]
				desc := w.Description
				if w.DescriptionRepaired != "" {
					desc = w.DescriptionRepaired
				}
				if g.Index != w.Index || g.Level != w.Level || g.Max != w.Max || !samePercent(g.Percent, w.Percent) {
					t.Errorf("supply %s: got %s %d/%d %s, want %s %d/%d %s", w.Index,
						g.Index, g.Level, g.Max, fmtPercent(g.Percent), w.Index, w.Level, w.Max, fmtPercent(w.Percent))
				}
				if g.Description != desc {
					t.Errorf("supply %s description = %q, want %q", w.Index, g.Description, desc)
				}
				if g.Type != deref(w.Type) {
					t.Errorf("supply %s type = %q, want %q", w.Index, g.Type, deref(w.Type))
				}
				if g.Unit != deref(w.Unit) {
					t.Errorf("supply %s unit = %q, want %q", w.Index, g.Unit, deref(w.Unit))
				}
				if wc := classWord(w.Class); wc != "" && g.Class != wc {
					t.Errorf("supply %s class = %q, want %q", w.Index, g.Class, wc)
				}
				if g.Color != deref(w.Color) {
					t.Errorf("supply %s color = %q, want %q", w.Index, g.Color, deref(w.Color))
				}
				if ws := expectedState(w); g.State != ws {
					t.Errorf("supply %s (%s) state = %q, want %q", w.Index, desc, g.State, ws)
				}
			}

			// Every tray.
			trays, _ := ev["trays"].([]result.Tray)
			if len(trays) != len(e.Inputs) {
				t.Fatalf("got %d trays, want %d", len(trays), len(e.Inputs))
			}
			for i, w := range e.Inputs {
				g := trays[i]
				if g.Index != w.Index || g.Name != deref(w.Name) || g.Level != w.Level || g.Max != w.Max || !samePercent(g.Percent, w.Percent) {
					t.Errorf("tray %s: got %s %q %d/%d %s, want %s %q %d/%d %s", w.Index,
						g.Index, g.Name, g.Level, g.Max, fmtPercent(g.Percent),
						w.Index, deref(w.Name), w.Level, w.Max, fmtPercent(w.Percent))
				}
			}
			if al, _ := ev["alerts"].([]result.Alert); len(al) != 0 {
				t.Errorf("alerts = %v, the recordings have no alert table", al)
			}
			if d, _ := ev["display"].([]string); len(d) != 0 {
				t.Errorf("display = %v, the recordings have no console text", d)
			}

			// Round trips: the agent's count is the truth; the evidence must
			// agree with it and stay within the budget.
			n := a.Requests()
			if n > 5 {
				t.Errorf("%d SNMP round trips, budget is 5", n)
			}
			if ev["snmp_round_trips"] != n {
				t.Errorf("snmp_round_trips = %v, agent saw %d", ev["snmp_round_trips"], n)
			}
			if _, has := ev["snmp_unread"]; has {
				t.Errorf("snmp_unread = %v", ev["snmp_unread"])
			}
		})
	}
}

// TestPrinterRoundTrips pins how the probe talks on v2c: one GET, then
// GETBULK with several columns per request, never GETNEXT, at most five
// requests for every real recording.
func TestPrinterRoundTrips(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(printerTestdata, "*.snmprec"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".snmprec")
		if strings.HasPrefix(name, "synthetic_") {
			continue
		}
		t.Run(name, func(t *testing.T) {
			a := startPrinterAgent(t, name, snmpagent.Options{})
			c := Printer(context.Background(), a.Host(), PrinterOptions{Port: a.Port(), PrintPorts: []int{}})
			log := a.Log()
			if len(log) > 5 {
				t.Errorf("%d round trips, budget is 5", len(log))
			}
			if log[0].PDUType != gosnmp.GetRequest {
				t.Errorf("first request is %v, want one GET for the scalars", log[0].PDUType)
			}
			bulk := 0
			for _, r := range log {
				switch r.PDUType {
				case gosnmp.GetNextRequest:
					t.Errorf("GETNEXT on v2c: %+v", r)
				case gosnmp.GetBulkRequest:
					bulk++
					if r.Varbinds < 7 {
						t.Errorf("GETBULK with %d varbinds: columns should share a request", r.Varbinds)
					}
				}
				if !r.Answered {
					t.Errorf("request not answered: %+v", r)
				}
			}
			if bulk == 0 {
				t.Error("no GETBULK")
			}
			t.Logf("%s: %d round trips, status %s", name, len(log), c.Status)
		})
	}
}

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
			problems:  []string{"Printer is down", "Out of paper", "Waste Toner Box full"},
			detailHas: []string{"Printer Synthetic Office Printer is not ready: Printer is down, Out of paper, Waste Toner Box full."},
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
			c := Printer(context.Background(), a.Host(), PrinterOptions{Port: a.Port(), PrintPorts: []int{testnet.OpenTCP(t)}})
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
		opt       PrinterOptions
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
			agent: snmpagent.Options{V1Only: true}, opt: PrinterOptions{Version: "1"}, supplies: len(exp.Supplies), status: result.Warn,
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
			c := Printer(context.Background(), a.Host(), opt)
			if el := time.Since(start); el > DefaultPrinterTimeout+timingSlack {
				t.Errorf("took %s, budget %s", el, DefaultPrinterTimeout)
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

// TestPrinterSilent covers printers whose SNMP says nothing. The probe must
// return within its own timeout (not gosnmp's ~30 s) and say whether the
// printer is on the network at all.
func TestPrinterSilent(t *testing.T) {
	const timeout = time.Second
	tests := []struct {
		name      string
		agent     *snmpagent.Options // nil: nothing listens on the SNMP port
		opt       PrinterOptions
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
		{name: "wrong community", agent: &snmpagent.Options{Community: "right-one"}, opt: PrinterOptions{Community: "wrong-one"},
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
			opt:       PrinterOptions{Version: "3", User: "ops", AuthProto: "SHA", AuthPass: "not-the-pass"},
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
			c := Printer(context.Background(), "127.0.0.1", opt)
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
	c := Printer(ctx, a.Host(), PrinterOptions{Port: a.Port(), Timeout: 10 * time.Second, PrintPorts: []int{}})
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
		opt       PrinterOptions
		wantTrips int
	}{
		{"noAuthNoPriv", snmpagent.V3User{Name: "reader"},
			PrinterOptions{User: "reader"}, 3},
		{"authNoPriv MD5", snmpagent.V3User{Name: "reader", AuthProto: gosnmp.MD5, AuthPass: "auth-secret-1"},
			PrinterOptions{User: "reader", AuthProto: "MD5", AuthPass: "auth-secret-1"}, 3},
		{"authPriv SHA AES", snmpagent.V3User{Name: "reader", AuthProto: gosnmp.SHA, AuthPass: "auth-secret-1", PrivProto: gosnmp.AES, PrivPass: "priv-secret-1"},
			PrinterOptions{User: "reader", AuthProto: "SHA", AuthPass: "auth-secret-1", PrivProto: "AES", PrivPass: "priv-secret-1"}, 3},
		{"authPriv SHA256 AES256", snmpagent.V3User{Name: "reader", AuthProto: gosnmp.SHA256, AuthPass: "auth-secret-1", PrivProto: gosnmp.AES256, PrivPass: "priv-secret-1"},
			PrinterOptions{User: "reader", AuthProto: "sha256", AuthPass: "auth-secret-1", PrivProto: "aes256", PrivPass: "priv-secret-1"}, 3},
		{"authPriv SHA512 DES", snmpagent.V3User{Name: "reader", AuthProto: gosnmp.SHA512, AuthPass: "auth-secret-1", PrivProto: gosnmp.DES, PrivPass: "priv-secret-1"},
			PrinterOptions{User: "reader", AuthProto: "SHA512", AuthPass: "auth-secret-1", PrivProto: "DES", PrivPass: "priv-secret-1"}, 3},
	}
	exp := loadExpected(t)["konica_minolta_bizhub_c250i.snmprec"]
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u := tt.user
			a := startPrinterAgent(t, "konica_minolta_bizhub_c250i", snmpagent.Options{V3: &u})
			opt := tt.opt
			opt.Version, opt.Port, opt.PrintPorts = "3", a.Port(), []int{}
			c := Printer(context.Background(), a.Host(), opt)
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
		opt   PrinterOptions
	}{
		{"v2c success", "sharp_mx-3570n", snmpagent.Options{Community: community}, PrinterOptions{Community: community}},
		{"v2c wrong community", "sharp_mx-3570n", snmpagent.Options{Community: "other"}, PrinterOptions{Community: community}},
		{"agent echoes the community", "synthetic_secret_echo", snmpagent.Options{Community: community}, PrinterOptions{Community: community}},
		{"v1 success", "sharp_mx-3570n", snmpagent.Options{Community: community}, PrinterOptions{Version: "1", Community: community}},
		{"v3 success", "sharp_mx-3570n", snmpagent.Options{V3: user},
			PrinterOptions{Version: "3", User: "ops", AuthProto: "SHA", AuthPass: authPass, PrivProto: "AES", PrivPass: privPass}},
		{"v3 wrong auth password", "sharp_mx-3570n", snmpagent.Options{V3: &snmpagent.V3User{Name: "ops", AuthProto: gosnmp.SHA, AuthPass: "another-pass", PrivProto: gosnmp.AES, PrivPass: privPass}},
			PrinterOptions{Version: "3", User: "ops", AuthProto: "SHA", AuthPass: authPass, PrivProto: "AES", PrivPass: privPass}},
		{"v3 wrong priv password", "sharp_mx-3570n", snmpagent.Options{V3: &snmpagent.V3User{Name: "ops", AuthProto: gosnmp.SHA, AuthPass: authPass, PrivProto: gosnmp.AES, PrivPass: "another-pass"}},
			PrinterOptions{Version: "3", User: "ops", AuthProto: "SHA", AuthPass: authPass, PrivProto: "AES", PrivPass: privPass}},
		{"v3 silent agent", "sharp_mx-3570n", snmpagent.Options{Silent: true},
			PrinterOptions{Version: "3", User: "ops", AuthProto: "SHA", AuthPass: authPass, PrivProto: "AES", PrivPass: privPass}},
		{"invalid options", "sharp_mx-3570n", snmpagent.Options{},
			PrinterOptions{Version: "3", User: "ops", AuthProto: "SHA", AuthPass: authPass, PrivProto: "ROT13", PrivPass: privPass}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := startPrinterAgent(t, tt.file, tt.agent)
			opt := tt.opt
			opt.Port, opt.Timeout, opt.PrintPorts = a.Port(), time.Second, []int{testnet.OpenTCP(t)}
			c := Printer(context.Background(), a.Host(), opt)
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

// TestPrinterJSONShape pins the public evidence keys and their JSON types.
func TestPrinterJSONShape(t *testing.T) {
	a := startPrinterAgent(t, "synthetic_alerts_jam", snmpagent.Options{})
	c := Printer(context.Background(), a.Host(), PrinterOptions{Port: a.Port(), PrintPorts: []int{testnet.ClosedTCP(t)}})
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
		"condition": '"', "problems": '[', "snmp_version": '"', "snmp_round_trips": '1', "sys_descr": '"',
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
	c := Printer(context.Background(), "::1", PrinterOptions{Port: a.Port(), PrintPorts: []int{}})
	if c.Status != result.OK || c.Evidence["model"] != "Dell S5830dn 7XQ1R92 LW62.DN4.P636" {
		t.Errorf("over ::1: %s %s", c.Status, c.Detail)
	}
}

func TestPrinterOptionsValidate(t *testing.T) {
	tests := []struct {
		name    string
		opt     PrinterOptions
		wantErr string // "" = valid
	}{
		{"zero value is valid", PrinterOptions{}, ""},
		{"v1", PrinterOptions{Version: "1", Community: "x"}, ""},
		{"v3 noAuthNoPriv", PrinterOptions{Version: "3", User: "u"}, ""},
		{"v3 authPriv", PrinterOptions{Version: "3", User: "u", AuthProto: "sha512", AuthPass: "12345678", PrivProto: "AES256", PrivPass: "12345678"}, ""},
		{"bad version", PrinterOptions{Version: "2"}, `SNMP version "2" is not supported`},
		{"port too high", PrinterOptions{Port: 70000}, "SNMP port 70000 is out of range"},
		{"negative port", PrinterOptions{Port: -1}, "SNMP port -1 is out of range"},
		{"negative timeout", PrinterOptions{Timeout: -time.Second}, "timeout -1s is negative"},
		{"negative retries", PrinterOptions{Retries: -2}, "retries -2 is negative"},
		{"supply warn over 100", PrinterOptions{SupplyWarn: 150}, "supply warning level 150%"},
		{"bad print port", PrinterOptions{PrintPorts: []int{9100, 0}}, "print port 0 is out of range"},
		{"v3 without user", PrinterOptions{Version: "3"}, "SNMPv3 needs a user name"},
		{"unknown auth", PrinterOptions{Version: "3", User: "u", AuthProto: "SHA3", AuthPass: "12345678"}, `auth protocol "SHA3" is unknown`},
		{"unknown priv", PrinterOptions{Version: "3", User: "u", AuthProto: "SHA", AuthPass: "12345678", PrivProto: "3DES", PrivPass: "12345678"}, `privacy protocol "3DES" is unknown`},
		{"priv without auth", PrinterOptions{Version: "3", User: "u", PrivProto: "AES", PrivPass: "12345678"}, "privacy needs authentication"},
		{"auth without pass", PrinterOptions{Version: "3", User: "u", AuthProto: "SHA"}, "auth password is empty"},
		{"auth pass without proto", PrinterOptions{Version: "3", User: "u", AuthPass: "12345678"}, "no auth protocol"},
		{"short auth pass", PrinterOptions{Version: "3", User: "u", AuthProto: "SHA", AuthPass: "short"}, "shorter than the 8 characters"},
		{"priv pass without proto", PrinterOptions{Version: "3", User: "u", AuthProto: "SHA", AuthPass: "12345678", PrivPass: "12345678"}, "no privacy protocol"},
		{"v3 settings on v2c", PrinterOptions{User: "u"}, "need SNMP version 3"},
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
	c := Printer(context.Background(), "127.0.0.1", PrinterOptions{Version: "9"})
	if c.Status != result.Skip || !strings.Contains(c.Detail, `SNMP version "9"`) {
		t.Errorf("got %s %q", c.Status, c.Detail)
	}
}

// TestPrinterBudget checks that the named timeouts add up: the first GET
// with its retries plus the "are you there" GET fit in the printer budget,
// and a print-port handshake never outlasts it.
func TestPrinterBudget(t *testing.T) {
	opt := PrinterOptions{}.withDefaults()
	first := opt.Timeout / time.Duration(opt.Retries+2)
	if total := first*time.Duration(opt.Retries+1) + first; total > DefaultPrinterTimeout {
		t.Errorf("SNMP attempts add up to %s, over %s", total, DefaultPrinterTimeout)
	}
	if printPortTimeout >= DefaultPrinterTimeout {
		t.Errorf("print port timeout %s >= printer timeout %s", printPortTimeout, DefaultPrinterTimeout)
	}
	if printerSNMPMinAttempt > first {
		t.Errorf("later attempts (%s) may wait longer than the first (%s)", printerSNMPMinAttempt, first)
	}
	if !slices.Equal(opt.PrintPorts, []int{9100, 631, 515}) || opt.Community != "public" || opt.Version != "2c" ||
		opt.Port != 161 || opt.Retries != 1 || opt.SupplyWarn != 10 {
		t.Errorf("defaults = %+v", opt)
	}
	if none := (PrinterOptions{PrintPorts: []int{}}).withDefaults(); len(none.PrintPorts) != 0 {
		t.Errorf("an empty non-nil PrintPorts must mean none, got %v", none.PrintPorts)
	}
}
