package printer

import (
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/netprobe/netprobe/internal/testnet"

	"github.com/gosnmp/gosnmp"

	"github.com/netprobe/netprobe/internal/sanitize"
	"github.com/netprobe/netprobe/internal/snmpagent"
	"github.com/netprobe/netprobe/result"
)

const printerTestdata = "../../testdata/printers"

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
//
// flagged lists the supplies the printer itself flags (by an error bit)
// although their level is above the 10 % threshold, with the state they
// must show: Sharp sets lowToner with magenta, its lowest toner, at 19 %.
var recordingCases = []struct {
	file      string
	status    result.Status
	condition string
	problems  []string
	detail    string
	reason    result.Reason
	flagged   map[string]string
}{
	{"hp_color_laserjet_pro_m252dw", result.OK, "ok", []string{},
		"Printer HP Color LaserJet Pro M252dw is ready; toner 36–88%.", "", nil},
	{"hp_color_laserjet_flow_mfp_m880", result.OK, "ok", []string{},
		"Printer HP Color LaserJet flow MFP M880 is ready; toner 16–100%.", "", nil},
	{"brother_mfc-l2710dw", result.OK, "ok", []string{},
		"Printer Brother MFC-L2710DW series is ready.", "", nil},
	{"canon_tm-5300", result.OK, "ok", []string{},
		"Printer Canon TM-5300 is ready; ink 60–100%.", "", nil},
	{"dell_s5830dn", result.OK, "ok", []string{},
		"Printer Dell S5830dn 7XQ1R92 LW62.DN4.P636 is ready; toner 49%.", "", nil},
	{"epson_wf-c5790", result.Warn, "warning",
		[]string{"Black ink low (1%)", "Cyan ink low (1%)", "Magenta ink low (1%)", "Yellow ink low (1%)"},
		"Printer EPSON WF-C5790BA needs attention: Black ink low (1%), Cyan ink low (1%), Magenta ink low (1%) and 1 more.",
		result.ReasonPrinterLowToner, nil},
	{"fujifilm_apeos_c7580", result.OK, "ok", []string{},
		"Printer FUJIFILM Apeos C7580 answers and reports no problem; toner 90–100%.", "", nil},
	{"konica_minolta_bizhub_c250i", result.Warn, "warning", []string{"Service requested"},
		"Printer KONICA MINOLTA bizhub C250i needs attention: Service requested.",
		result.ReasonPrinterServiceRequested, nil},
	{"sharp_mx-3570n", result.Warn, "warning", []string{"Toner low (lowest: Magenta toner 19%)"},
		"Printer SHARP MX-3570N needs attention: Toner low (lowest: Magenta toner 19%).",
		result.ReasonPrinterLowToner, map[string]string{"1.2": "low"}},
	{"xerox_altalink_c8045", result.Warn, "warning", []string{"Waste Toner Container nearly full (5% space left)"},
		"Printer Xerox AltaLink C8045 needs attention: Waste Toner Container nearly full (5% space left).",
		result.ReasonPrinterWasteNearlyFull, nil},
	{"zebra_zebranet_wired_ps", result.OK, "ok", []string{},
		"Printer ZebraNet Wired PS is ready.", "", nil},
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
			c := Check(context.Background(), a.Host(), Options{
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
			if c.Reason != tt.reason {
				t.Errorf("reason = %q, want %q", c.Reason, tt.reason)
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
				ws, flagged := tt.flagged[w.Index]
				if !flagged {
					ws = expectedState(w)
				}
				if g.State != ws || g.FlaggedByPrinter != flagged {
					t.Errorf("supply %s (%s) state = %q flagged %v, want %q flagged %v", w.Index, desc, g.State, g.FlaggedByPrinter, ws, flagged)
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
			c := Check(context.Background(), a.Host(), Options{Port: a.Port(), PrintPorts: []int{}})
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
