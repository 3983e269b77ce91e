package printer

import (
	"bytes"
	"context"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gosnmp/gosnmp"

	"github.com/netprobe/netprobe/internal/printermib"
	"github.com/netprobe/netprobe/internal/snmpagent"
	"github.com/netprobe/netprobe/internal/testnet"
	"github.com/netprobe/netprobe/probes"
	"github.com/netprobe/netprobe/reports"
	"github.com/netprobe/netprobe/result"
)

// assertFaultsMatch holds a check to the contract of "faults": the same
// problems as "problems", in the same order, typed with registered
// printer codes, most severe first, and the check's reason is the first
// one's code.
func assertFaultsMatch(t *testing.T, c result.Check) {
	t.Helper()
	words, ok1 := c.Evidence["problems"].([]string)
	faults, ok2 := c.Evidence["faults"].([]result.Problem)
	if !ok1 || !ok2 {
		t.Fatalf("problems %T, faults %T", c.Evidence["problems"], c.Evidence["faults"])
	}
	if len(words) != len(faults) {
		t.Fatalf("%d problems, %d faults: %q vs %+v", len(words), len(faults), words, faults)
	}
	for i, f := range faults {
		if f.Text != words[i] {
			t.Errorf("fault %d text %q, problem %q", i, f.Text, words[i])
		}
		if !f.Code.Known() || f.Code.Area() != "printer" {
			t.Errorf("fault %d code %q is not a registered printer code", i, f.Code)
		}
		if f.Status != result.Warn && f.Status != result.Fail {
			t.Errorf("fault %d status %q", i, f.Status)
		}
		if i > 0 && f.Status.Severity() > faults[i-1].Status.Severity() {
			t.Errorf("fault %d (%s) is more severe than the one before", i, f.Status)
		}
	}
	switch {
	case c.Status == result.OK && (c.Reason != "" || len(faults) > 0):
		t.Errorf("ok check with reason %q and faults %+v", c.Reason, faults)
	case c.Status == result.Warn || c.Status == result.Fail:
		if len(faults) == 0 || c.Reason != faults[0].Code {
			t.Errorf("reason %q, faults %+v", c.Reason, faults)
		}
		if worst := faults[0].Status; worst != c.Status {
			t.Errorf("check %s, worst fault %s", c.Status, worst)
		}
	}
}

// TestFaultsMatchProblems runs every recording, real and synthetic, and
// the ways SNMP can fail, and holds each check to the faults contract.
func TestFaultsMatchProblems(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(printerTestdata, "*.snmprec"))
	if err != nil || len(files) < 15 {
		t.Fatalf("recordings: %v %v", files, err)
	}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".snmprec")
		t.Run(name, func(t *testing.T) {
			a := startPrinterAgent(t, name, snmpagent.Options{Community: "c-" + name})
			c := Check(context.Background(), a.Host(), Options{Port: a.Port(), Community: "c-" + name, PrintPorts: []int{testnet.OpenTCP(t)}})
			if c.Evidence["condition"] == "snmp_silent" {
				t.Fatalf("not read: %s", c.Detail)
			}
			assertFaultsMatch(t, c)
		})
	}
	silent := []struct {
		name   string
		agent  snmpagent.Options
		opt    Options
		ports  func(t *testing.T) []int
		reason result.Reason
	}{
		{"silent, port open", snmpagent.Options{Silent: true}, Options{}, func(t *testing.T) []int { return []int{testnet.OpenTCP(t)} }, result.ReasonPrinterSNMPSilent},
		{"silent, ports reset", snmpagent.Options{Silent: true}, Options{}, func(t *testing.T) []int { return []int{testnet.ClosedTCP(t)} }, result.ReasonPrinterNotAPrinter},
		{"silent, no ports", snmpagent.Options{Silent: true}, Options{}, func(t *testing.T) []int { return []int{} }, result.ReasonPrinterUnreachable},
		{"v3 credentials rejected", snmpagent.Options{V3: &snmpagent.V3User{Name: "ops", AuthProto: gosnmp.SHA, AuthPass: "auth-pass-1"}},
			Options{Version: "3", User: "ops", AuthProto: "SHA", AuthPass: "not-the-pass"}, func(t *testing.T) []int { return []int{} }, result.ReasonPrinterSNMPAuthRejected},
	}
	for _, tt := range silent {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel() // each waits out its timeout
			a := startPrinterAgent(t, "hp_color_laserjet_pro_m252dw", tt.agent)
			opt := tt.opt
			opt.Port, opt.Timeout, opt.PrintPorts = a.Port(), 500*time.Millisecond, tt.ports(t)
			c := Check(context.Background(), a.Host(), opt)
			if c.Reason != tt.reason {
				t.Errorf("reason = %q, want %q (%s)", c.Reason, tt.reason, c.Detail)
			}
			assertFaultsMatch(t, c)
		})
	}
	t.Run("bad options", func(t *testing.T) {
		c := Check(context.Background(), "127.0.0.1", Options{Version: "9"})
		if c.Status != result.Skip || c.Reason != result.ReasonPrinterBadOptions {
			t.Errorf("%s %q", c.Status, c.Reason)
		}
	})
}

// Builders for hand-made printer data.
func tonerAt(idx, color string, level int) result.Supply {
	s := result.Supply{Index: idx, Description: color + " Toner", Type: "toner", Class: "consumed", Color: strings.ToLower(color), Level: level, Max: 100}
	s.Percent, s.State = printermib.SupplyState(false, level, 100, 10)
	return s
}

func supplyAt(idx, desc, typ string, receptacle bool, level int) result.Supply {
	class := "consumed"
	if receptacle {
		class = "receptacle"
	}
	s := result.Supply{Index: idx, Description: desc, Type: typ, Class: class, Level: level, Max: 100}
	s.Percent, s.State = printermib.SupplyState(receptacle, level, 100, 10)
	return s
}

func trayAt(idx string, level int) result.Tray {
	t := result.Tray{Index: idx, Level: level, Max: 100}
	t.Percent, t.State = printermib.TrayState(level, 100, 10)
	return t
}

// goodPrinter is a healthy four-colour laser with two trays and a waste box.
func goodPrinter() *data {
	running := printermib.DeviceRunning
	d := newData(nil)
	d.answered, d.deviceStatus, d.hasErrState, d.errState = true, &running, true, []byte{0, 0}
	d.hrDescr = "Office Laser"
	d.supplies = []result.Supply{tonerAt("1.1", "Cyan", 55), tonerAt("1.2", "Magenta", 19), tonerAt("1.3", "Yellow", 40),
		tonerAt("1.4", "Black", 34), supplyAt("1.5", "Waste Toner Box", "wasteToner", true, 50), supplyAt("1.6", "Imaging Drum", "opc", false, 80)}
	for _, s := range d.supplies[:4] {
		d.colorant[s.Index] = "toner"
	}
	d.trays = []result.Tray{trayAt("1.1", 50), trayAt("1.2", 80)}
	return d
}

// TestReasonCodes drives the status rules to every printer code: each
// case's check reason is the code of its most severe problem, and between
// them the cases emit every registered printer code.
func TestReasonCodes(t *testing.T) {
	ip := func(v int) *int { return &v }
	openPorts := map[int]probes.PortState{9100: probes.PortOpen}
	closedPorts := map[int]probes.PortState{9100: probes.PortClosed}
	silentPorts := map[int]probes.PortState{9100: probes.PortFiltered}
	silent := func(d *data) { *d = *newData(nil) }
	tests := []struct {
		name  string
		mod   func(d *data)
		ports map[int]probes.PortState
		want  result.Reason
	}{
		{"down", func(d *data) { d.deviceStatus = ip(printermib.DeviceDown) }, nil, result.ReasonPrinterDown},
		{"testing", func(d *data) { d.deviceStatus = ip(printermib.DeviceTesting) }, nil, result.ReasonPrinterTesting},
		{"jam beats low toner", func(d *data) { d.errState = []byte{0x04}; d.supplies[3] = tonerAt("1.4", "Black", 4) }, nil, result.ReasonPrinterJammed},
		{"no paper", func(d *data) { d.errState = []byte{0x40} }, nil, result.ReasonPrinterNoPaper},
		{"every tray empty", func(d *data) { d.trays = []result.Tray{trayAt("1.1", 0), trayAt("1.2", 0)} }, nil, result.ReasonPrinterNoPaper},
		{"low paper", func(d *data) { d.errState = []byte{0x80} }, nil, result.ReasonPrinterLowPaper},
		{"no toner", func(d *data) { d.errState = []byte{0x10} }, nil, result.ReasonPrinterNoToner},
		{"a toner at 0", func(d *data) { d.supplies[0] = tonerAt("1.1", "Cyan", 0) }, nil, result.ReasonPrinterNoToner},
		{"low toner bit", func(d *data) { d.errState = []byte{0x20} }, nil, result.ReasonPrinterLowToner},
		{"door open", func(d *data) { d.errState = []byte{0x08} }, nil, result.ReasonPrinterDoorOpen},
		{"offline", func(d *data) { d.errState = []byte{0x02} }, nil, result.ReasonPrinterOffline},
		{"service requested", func(d *data) { d.errState = []byte{0x01} }, nil, result.ReasonPrinterServiceRequested},
		{"tray missing", func(d *data) { d.errState = []byte{0, 0x80} }, nil, result.ReasonPrinterTrayMissing},
		{"output tray missing", func(d *data) { d.errState = []byte{0, 0x40} }, nil, result.ReasonPrinterOutputTrayGone},
		{"marker missing", func(d *data) { d.errState = []byte{0, 0x20} }, nil, result.ReasonPrinterMarkerMissing},
		{"output near full", func(d *data) { d.errState = []byte{0, 0x10} }, nil, result.ReasonPrinterOutputNearFull},
		{"output full", func(d *data) { d.errState = []byte{0, 0x08} }, nil, result.ReasonPrinterOutputFull},
		{"one tray empty", func(d *data) { d.errState = []byte{0, 0x04}; d.trays[0] = trayAt("1.1", 0) }, nil, result.ReasonPrinterTrayEmpty},
		{"maintenance due", func(d *data) { d.errState = []byte{0, 0x02} }, nil, result.ReasonPrinterMaintenanceDue},
		{"waste full", func(d *data) { d.supplies[4] = supplyAt("1.5", "Waste Toner Box", "wasteToner", true, 0) }, nil, result.ReasonPrinterWasteFull},
		{"waste nearly full", func(d *data) { d.supplies[4] = supplyAt("1.5", "Waste Toner Box", "wasteToner", true, 5) }, nil, result.ReasonPrinterWasteNearlyFull},
		{"drum used up", func(d *data) { d.supplies[5] = supplyAt("1.6", "Imaging Drum", "opc", false, 0) }, nil, result.ReasonPrinterSupplyEmpty},
		{"drum low", func(d *data) { d.supplies[5] = supplyAt("1.6", "Imaging Drum", "opc", false, 5) }, nil, result.ReasonPrinterSupplyLow},
		{"a bare warning", func(d *data) { d.deviceStatus = ip(printermib.DeviceWarning) }, nil, result.ReasonPrinterWarning},
		{"an alert no code describes", func(d *data) {
			d.alerts = []result.Alert{{Index: "1.1", Severity: "warning", Code: 1, Description: "Toner not genuine"}}
		}, nil, result.ReasonPrinterAlert},
		{"a critical empty-tray alert", func(d *data) {
			d.alerts = []result.Alert{{Index: "1.1", Severity: "critical", Code: 808}}
		}, nil, result.ReasonPrinterNoPaper},
		{"a warning empty-tray alert", func(d *data) {
			d.alerts = []result.Alert{{Index: "1.1", Severity: "warning", Code: 808}}
		}, nil, result.ReasonPrinterTrayEmpty},
		{"a waste-box alert", func(d *data) {
			d.alerts = []result.Alert{{Index: "1.1", Severity: "critical", Code: 1109}}
		}, nil, result.ReasonPrinterWasteFull},
		{"no print port", func(d *data) {}, closedPorts, result.ReasonPrinterNoPrintPort},
		{"SNMP silent, port open", silent, openPorts, result.ReasonPrinterSNMPSilent},
		{"SNMP silent, ports reset", silent, closedPorts, result.ReasonPrinterNotAPrinter},
		{"SNMP silent, nothing answers", silent, silentPorts, result.ReasonPrinterUnreachable},
		{"v3 refused", func(d *data) { silent(d); d.refused = true }, openPorts, result.ReasonPrinterSNMPAuthRejected},
	}
	seen := map[result.Reason]bool{}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := goodPrinter()
			tt.mod(d)
			ports := tt.ports
			if ports == nil {
				ports = openPorts
			}
			a := assess(d, []int{9100}, ports, Options{Version: "2c"})
			if got := a.reason(); got != tt.want {
				t.Errorf("reason = %q, want %q (%s)", got, tt.want, a.detail)
			}
			for _, p := range a.problems {
				if !p.code.Known() {
					t.Errorf("problem %q has unregistered code %q", p.text, p.code)
				}
				seen[p.code] = true
			}
		})
	}
	if a := assess(goodPrinter(), []int{9100}, openPorts, Options{Version: "2c"}); a.status != result.OK || a.reason() != "" {
		t.Errorf("healthy printer: %s %q", a.status, a.reason())
	}
	seen[assessUnresolved("x.test", "no such host").reason()] = true
	seen[result.ReasonPrinterBadOptions] = true // TestFaultsMatchProblems
	for _, r := range result.Reasons() {
		if r.Code.Area() == "printer" && !seen[r.Code] {
			t.Errorf("no case emits %s (%s)", r.Code, r.Meaning)
		}
	}
}

// TestFlagColorants: a supply the printer itself calls low is shown low.
func TestFlagColorants(t *testing.T) {
	type flagged map[string]string // supply index -> state, for flagged supplies
	tests := []struct {
		name     string
		mod      func(d *data)
		flagged  flagged
		problems []string
		reason   result.Reason
	}{
		{"lowToner bit, every level above 10 %: the lowest (Sharp)", func(d *data) { d.errState = []byte{0x20} },
			flagged{"1.2": "low"}, []string{"Toner low (lowest: Magenta toner 19%)"}, result.ReasonPrinterLowToner},
		{"lowToner bit, two lowest tied: both", func(d *data) {
			d.errState = []byte{0x20}
			d.supplies[2] = tonerAt("1.3", "Yellow", 19)
		}, flagged{"1.2": "low", "1.3": "low"}, []string{"Toner low (lowest: Magenta toner 19%)"}, result.ReasonPrinterLowToner},
		{"lowToner bit explained by a toner below the threshold: nothing flagged", func(d *data) {
			d.errState = []byte{0x20}
			d.supplies[3] = tonerAt("1.4", "Black", 4)
		}, flagged{}, []string{"Black toner low (4%)"}, result.ReasonPrinterLowToner},
		{"noToner bit: the lowest is empty", func(d *data) { d.errState = []byte{0x10} },
			flagged{"1.2": "empty"}, []string{"Toner empty"}, result.ReasonPrinterNoToner},
		{"an alert naming a colour flags that colour, whatever the others", func(d *data) {
			d.supplies[3] = tonerAt("1.4", "Black", 4)
			d.alerts = []result.Alert{{Index: "1.1", Severity: "warning", Code: 1104, Description: "Yellow toner low"}}
		}, flagged{"1.3": "low"}, []string{"Yellow toner low (40%)", "Black toner low (4%)"}, result.ReasonPrinterLowToner},
		{"an alert without a colour: the lowest", func(d *data) {
			d.alerts = []result.Alert{{Index: "1.1", Severity: "warning", Code: 1104, Description: "Toner low"}}
		}, flagged{"1.2": "low"}, []string{"Toner low"}, result.ReasonPrinterLowToner},
		{"a history entry flags nothing", func(d *data) {
			d.alerts = []result.Alert{{Index: "1.1", Severity: "warningBinaryChangeEvent", Code: 1104, Description: "Magenta toner low"}}
		}, flagged{}, nil, ""},
		{"mono printer whose level is not a number", func(d *data) {
			d.supplies = []result.Supply{tonerAt("1.1", "Black", printermib.LevelSomeRemaining)}
			d.colorant = map[string]string{"1.1": "toner"}
			d.errState = []byte{0x20}
		}, flagged{"1.1": "low"}, []string{"Toner low"}, result.ReasonPrinterLowToner},
		{"the drum is never a colorant", func(d *data) {
			d.supplies = []result.Supply{supplyAt("1.6", "Imaging Drum", "opc", false, 30)}
			d.colorant = map[string]string{}
			d.errState = []byte{0x20}
		}, flagged{}, []string{"Toner low"}, result.ReasonPrinterLowToner},
		{"no flag, no change", func(d *data) {}, flagged{}, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := goodPrinter()
			tt.mod(d)
			before := slices.Clone(d.supplies)
			d.flagColorants()
			got := flagged{}
			for i, s := range d.supplies {
				if s.FlaggedByPrinter {
					got[s.Index] = s.State
				} else if s.State != before[i].State {
					t.Errorf("supply %s changed state to %s without the flag", s.Index, s.State)
				}
				if !samePercent(s.Percent, before[i].Percent) {
					t.Errorf("supply %s percent changed", s.Index)
				}
			}
			if !reflect.DeepEqual(got, tt.flagged) {
				t.Errorf("flagged = %v, want %v", got, tt.flagged)
			}
			a := assess(d, nil, nil, Options{Version: "2c"})
			var texts []string
			for _, p := range a.problems {
				texts = append(texts, p.text)
			}
			if !reflect.DeepEqual(texts, tt.problems) || a.reason() != tt.reason {
				t.Errorf("problems = %q (%q), want %q (%q)", texts, a.reason(), tt.problems, tt.reason)
			}
		})
	}
}

// TestFlaggedSupplyRenders: the Sharp recording read over SNMP shows
// "19% low" for magenta in every report that draws supplies, not "19% ok"
// next to "Toner low".
func TestFlaggedSupplyRenders(t *testing.T) {
	a := startPrinterAgent(t, "sharp_mx-3570n", snmpagent.Options{})
	c := Check(context.Background(), a.Host(), Options{Port: a.Port(), PrintPorts: []int{}})
	r := &result.Report{
		Schema: result.Schema, Tool: result.Tool{Name: "netprobe", Version: "test"},
		Verdict: result.Verdict{Status: result.Degraded, Layer: result.Printer, Advice: []string{}, Evidence: []string{}, Consequences: []result.Layer{}},
		Layers:  []result.LayerResult{{Name: result.Printer, Status: c.Status, Checks: []result.Check{c}}},
	}
	formats := map[string]func(*bytes.Buffer) error{
		"text":     func(b *bytes.Buffer) error { return reports.Text(b, r, reports.TextOptions{}) },
		"markdown": func(b *bytes.Buffer) error { return reports.Markdown(b, r) },
		"junit":    func(b *bytes.Buffer) error { return reports.JUnit(b, r) },
	}
	for name, render := range formats {
		var b bytes.Buffer
		if err := render(&b); err != nil {
			t.Fatal(err)
		}
		found := false
		for _, line := range strings.Split(b.String(), "\n") {
			// The supply's row (not its JSON in a details block).
			if strings.Contains(line, "Magenta Toner") && strings.Contains(line, "%") && !strings.Contains(line, "Drum") {
				found = true
				if !strings.Contains(line, "19%") || !strings.Contains(line, "low") || strings.Contains(line, "ok") {
					t.Errorf("%s shows magenta as %q", name, line)
				}
			}
		}
		if !found {
			t.Errorf("%s has no magenta toner row:\n%s", name, b.String())
		}
	}
}
