package printer

import (
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/netprobe/netprobe/internal/printermib"
	"github.com/netprobe/netprobe/probes"
	"github.com/netprobe/netprobe/result"
)

// TestAssessPrinter drives the status rules directly, one rule per case,
// including combinations the recordings do not contain.
func TestAssessPrinter(t *testing.T) {
	ip := func(v int) *int { return &v }
	toner := func(idx, color string, level, max int) result.Supply {
		s := result.Supply{Index: idx, Description: color + " Toner", Type: "toner", Class: "consumed", Color: strings.ToLower(color), Level: level, Max: max}
		s.Percent, s.State = printermib.SupplyState(false, level, max, 10)
		return s
	}
	waste := func(level, max int) result.Supply {
		s := result.Supply{Index: "1.9", Description: "Waste Toner Box", Type: "wasteToner", Class: "receptacle", Level: level, Max: max}
		s.Percent, s.State = printermib.SupplyState(true, level, max, 10)
		return s
	}
	drum := func(level int) result.Supply {
		s := result.Supply{Index: "1.5", Description: "Imaging Drum", Type: "opc", Class: "consumed", Level: level, Max: 100}
		s.Percent, s.State = printermib.SupplyState(false, level, 100, 10)
		return s
	}
	tray := func(idx, name string, level, max int) result.Tray {
		tr := result.Tray{Index: idx, Name: name, Level: level, Max: max}
		tr.Percent, tr.State = printermib.TrayState(level, max, 10)
		return tr
	}
	healthy := func() *data {
		return &data{
			answered: true, deviceStatus: ip(printermib.DeviceRunning), hasErrState: true, errState: []byte{0, 0},
			hrDescr:  "Office Laser",
			supplies: []result.Supply{toner("1.1", "Black", 80, 100), toner("1.2", "Cyan", 60, 100), waste(50, 100)},
			trays:    []result.Tray{tray("1.1", "Tray 1", 0, 100), tray("1.2", "Tray 2", 300, 500)},
			colorant: map[string]string{"1.1": "toner", "1.2": "toner"},
		}
	}
	open := map[int]probes.PortState{9100: probes.PortOpen, 631: probes.PortClosed, 515: probes.PortFiltered}
	closed := map[int]probes.PortState{9100: probes.PortClosed, 631: probes.PortClosed, 515: probes.PortFiltered}
	silent := map[int]probes.PortState{9100: probes.PortFiltered, 631: probes.PortFiltered, 515: probes.PortUnreachable}
	ports := []int{9100, 631, 515}

	tests := []struct {
		name      string
		mod       func(d *data)
		ports     map[int]probes.PortState
		opt       Options
		status    result.Status
		condition string
		problems  []string
		detail    string
	}{
		{name: "healthy; an empty bypass tray alone is no problem", mod: func(d *data) {},
			status: result.OK, condition: "ok", problems: []string{},
			detail: "Printer Office Laser is ready; toner 60–80%."},
		{name: "device down", mod: func(d *data) { d.deviceStatus = ip(printermib.DeviceDown) },
			status: result.Fail, condition: "error", problems: []string{"Printer is down"}},
		{name: "device testing", mod: func(d *data) { d.deviceStatus = ip(printermib.DeviceTesting) },
			status: result.Warn, condition: "warning", problems: []string{"Printer is in test mode"}},
		{name: "jam, door and offline fail", mod: func(d *data) { d.errState = []byte{0x0e, 0x00} },
			status: result.Fail, condition: "error", problems: []string{"Door open", "Paper jam", "Printer offline"}},
		{name: "output full fails, near full warns", mod: func(d *data) { d.errState = []byte{0x00, 0x18} },
			status: result.Fail, condition: "error", problems: []string{"Output tray full", "Output tray almost full"}},
		{name: "noToner bit names the empty cartridge instead", mod: func(d *data) {
			d.errState = []byte{0x10}
			d.supplies[0] = toner("1.1", "Black", 0, 100)
		}, status: result.Fail, condition: "error", problems: []string{"Black toner empty"}},
		{name: "noToner bit with no empty supply stays generic", mod: func(d *data) { d.errState = []byte{0x10} },
			status: result.Fail, condition: "error", problems: []string{"Toner empty"}},
		{name: "lowToner bit names the low cartridge instead", mod: func(d *data) {
			d.errState = []byte{0x20}
			d.supplies[1] = toner("1.2", "Cyan", 4, 100)
		}, status: result.Warn, condition: "warning", problems: []string{"Cyan toner low (4%)"},
			detail: "Printer Office Laser needs attention: Cyan toner low (4%)."},
		{name: "lowToner bit above the threshold names the lowest", mod: func(d *data) { d.errState = []byte{0x20} },
			status: result.Warn, condition: "warning", problems: []string{"Toner low (lowest: Cyan toner 60%)"}},
		{name: "low toner without any bit", mod: func(d *data) { d.supplies[0] = toner("1.1", "Black", 10, 100) },
			status: result.Warn, condition: "warning", problems: []string{"Black toner low (10%)"}},
		{name: "SupplyWarn raises the threshold", mod: func(d *data) {}, opt: Options{SupplyWarn: 70},
			status: result.Warn, condition: "warning", problems: []string{"Cyan toner low (60%)", "Waste Toner Box nearly full (50% space left)"}},
		{name: "ink printer says ink", mod: func(d *data) {
			d.errState = []byte{0x20}
			d.colorant = map[string]string{"1.1": "ink", "1.2": "ink"}
			d.ink = true
		}, status: result.Warn, condition: "warning", problems: []string{"Ink low (lowest: Cyan ink 60%)"}},
		{name: "waste box full fails", mod: func(d *data) { d.supplies[2] = waste(0, 100) },
			status: result.Fail, condition: "error", problems: []string{"Waste Toner Box full"}},
		{name: "waste box nearly full warns", mod: func(d *data) { d.supplies[2] = waste(8, 100) },
			status: result.Warn, condition: "warning", problems: []string{"Waste Toner Box nearly full (8% space left)"}},
		{name: "waste box with much space is fine", mod: func(d *data) { d.supplies[2] = waste(95, 100) },
			status: result.OK, condition: "ok", problems: []string{}},
		{name: "used-up drum only warns", mod: func(d *data) { d.supplies = append(d.supplies, drum(0)) },
			status: result.Warn, condition: "warning", problems: []string{"Imaging Drum used up"}},
		{name: "inputTrayEmpty names the empty tray", mod: func(d *data) { d.errState = []byte{0x00, 0x04} },
			status: result.Warn, condition: "warning", problems: []string{"Tray 1 empty"}},
		{name: "inputTrayEmpty with every tray empty fails", mod: func(d *data) {
			d.errState = []byte{0x00, 0x04}
			d.trays[1] = tray("1.2", "", 0, 500)
		}, status: result.Fail, condition: "error", problems: []string{"All paper trays empty"}},
		{name: "every tray empty fails even without a bit", mod: func(d *data) { d.trays[1] = tray("1.2", "", 0, 500) },
			status: result.Fail, condition: "error", problems: []string{"All paper trays empty"}},
		{name: "unknown tray levels are not empty", mod: func(d *data) {
			d.trays = []result.Tray{tray("1.1", "A", -2, 80), tray("1.2", "B", -2, 250)}
		}, status: result.OK, condition: "ok", problems: []string{}},
		{name: "lowPaper, service, maintenance warn", mod: func(d *data) { d.errState = []byte{0x81, 0x02} },
			status: result.Warn, condition: "warning", problems: []string{"Paper low", "Service requested", "Preventive maintenance overdue"}},
		{name: "warning with no bit and no reason", mod: func(d *data) { d.deviceStatus = ip(printermib.DeviceWarning) },
			status: result.Warn, condition: "warning", problems: []string{"Printer reports a warning"}},
		{name: "warning with an unknown supply level", mod: func(d *data) {
			d.deviceStatus = ip(printermib.DeviceWarning)
			d.supplies[0] = toner("1.1", "Black", -2, -2)
		}, status: result.Warn, condition: "warning", problems: []string{"Printer reports a warning (the level of Black Toner is unknown)"}},
		{name: "warning explained by a bit gets no generic line", mod: func(d *data) {
			d.deviceStatus = ip(printermib.DeviceWarning)
			d.errState = []byte{0x01}
		}, status: result.Warn, condition: "warning", problems: []string{"Service requested"}},
		{name: "critical alert fails, named by code", mod: func(d *data) {
			d.alerts = []result.Alert{{Index: "1.1", Severity: "critical", Code: 1109, Description: "Replace waste box"}}
		}, status: result.Fail, condition: "error", problems: []string{"Waste toner box full"}},
		{name: "warning alert warns", mod: func(d *data) {
			d.alerts = []result.Alert{{Index: "1.1", Severity: "warning", Code: 807}}
		}, status: result.Warn, condition: "warning", problems: []string{"Paper low"}},
		{name: "alert of code other uses its description", mod: func(d *data) {
			d.alerts = []result.Alert{{Index: "1.1", Severity: "warning", Code: 1, Description: "Toner cartridge not genuine"}}
		}, status: result.Warn, condition: "warning", problems: []string{"Printer alert: Toner cartridge not genuine"}},
		{name: "binary change event is history", mod: func(d *data) {
			d.alerts = []result.Alert{{Index: "1.1", Severity: "warningBinaryChangeEvent", Code: 3}}
		}, status: result.OK, condition: "ok", problems: []string{}},
		{name: "bit and alert for the same jam merge", mod: func(d *data) {
			d.errState = []byte{0x04}
			d.alerts = []result.Alert{{Index: "1.1", Severity: "critical", Code: 8, Description: "13.A2"}}
		}, status: result.Fail, condition: "error", problems: []string{"Paper jam"}},
		{name: "most severe first", mod: func(d *data) {
			d.errState = []byte{0x01}
			d.supplies[2] = waste(0, 100)
		}, status: result.Fail, condition: "error", problems: []string{"Waste Toner Box full", "Service requested"}},
		{name: "SNMP fine but no print port open", mod: func(d *data) {}, ports: closed,
			status: result.Warn, condition: "warning", problems: []string{"No print port open (9100, 631, 515)"}},
		{name: "no status objects at all", mod: func(d *data) {
			d.deviceStatus, d.hasErrState, d.errState = nil, false, nil
		}, status: result.OK, condition: "ok", problems: []string{},
			detail: "Printer Office Laser answers and reports no problem; toner 60–80%."},
		{name: "silent with a print port open", mod: func(d *data) { *d = data{err: errors.New("timeout")} },
			status: result.Fail, condition: "snmp_silent", problems: []string{"SNMP does not answer"},
			detail: "Printer is on the network (port 9100 open) but does not answer SNMP; check the SNMP community or that SNMP is enabled."},
		{name: "silent v3 says which settings to check", mod: func(d *data) { *d = data{err: errors.New("timeout")} },
			opt: Options{Version: "3"}, status: result.Fail, condition: "snmp_silent", problems: []string{"SNMP does not answer"},
			detail: "Printer is on the network (port 9100 open) but does not answer SNMP; check the SNMPv3 user and passwords or that SNMP is enabled."},
		{name: "silent and no port answers", mod: func(d *data) { *d = data{err: errors.New("timeout")} }, ports: silent,
			status: result.Fail, condition: "unreachable", problems: []string{"No answer from the printer"},
			detail: "Printer does not answer at all: no SNMP reply and print ports 9100, 631, 515 closed or silent."},
		{name: "silent SNMP but ports reset: a device, not a printer", mod: func(d *data) { *d = data{err: errors.New("timeout")} }, ports: closed,
			status: result.Fail, condition: "unreachable", problems: []string{"No printer service at this address"},
			detail: "A device answers at this address, but it is not a working printer: print ports 9100, 631, 515 are closed and SNMP does not answer; check the printer's address."},
		{name: "v3 credentials refused", mod: func(d *data) { *d = data{refused: true} }, ports: closed,
			status: result.Fail, condition: "snmp_silent", problems: []string{"SNMPv3 credentials rejected"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := healthy()
			tt.mod(d)
			p := open
			if tt.ports != nil {
				p = tt.ports
			}
			opt := tt.opt
			if opt.Version == "" {
				opt.Version = "2c"
			}
			if opt.SupplyWarn != 0 {
				for i, s := range d.supplies {
					d.supplies[i].Percent, d.supplies[i].State = printermib.SupplyState(s.Class == "receptacle", s.Level, s.Max, opt.SupplyWarn)
				}
			}
			a := assess(d, ports, p, opt)
			texts := []string{}
			for _, pr := range a.problems {
				texts = append(texts, pr.text)
			}
			if a.status != tt.status || a.condition != tt.condition {
				t.Errorf("status = %s/%s, want %s/%s (%s)", a.status, a.condition, tt.status, tt.condition, a.detail)
			}
			if !reflect.DeepEqual(texts, tt.problems) {
				t.Errorf("problems = %#v, want %#v", texts, tt.problems)
			}
			if tt.detail != "" && a.detail != tt.detail {
				t.Errorf("detail = %q\nwant     %q", a.detail, tt.detail)
			}
		})
	}
}

// TestPrinterDetailLists checks the sentence stays short with many problems.
func TestPrinterDetailLists(t *testing.T) {
	ps := []problem{{result.Warn, "a", result.ReasonPrinterAlert, "A"}, {result.Warn, "b", result.ReasonPrinterAlert, "B"}, {result.Warn, "c", result.ReasonPrinterAlert, "C"}, {result.Warn, "d", result.ReasonPrinterAlert, "D"}, {result.Warn, "e", result.ReasonPrinterAlert, "E"}}
	if got := listProblems(ps); got != "A, B, C and 2 more" {
		t.Errorf("got %q", got)
	}
	if got := shortModel("Xerox AltaLink C8045; SS 100.002.057.09608, NC 100.002.09608"); got != "Xerox AltaLink C8045" {
		t.Errorf("short model = %q", got)
	}
	if got := shortModel(""); got != "(unnamed)" {
		t.Errorf("empty model = %q", got)
	}
}

// A printer that says it is down because of a jam is "jammed": among
// equally severe problems the specific fault comes first (so it is the
// check's code and the first words), the generic status after.
func TestSpecificFaultsBeforeGenericOnes(t *testing.T) {
	got := mergeProblems([]problem{
		{status: result.Fail, key: "down", code: result.ReasonPrinterDown},
		{status: result.Warn, key: "lowToner", code: result.ReasonPrinterLowToner},
		{status: result.Fail, key: "jammed", code: result.ReasonPrinterJammed},
	})
	var codes []result.Reason
	for _, p := range got {
		codes = append(codes, p.code)
	}
	want := []result.Reason{result.ReasonPrinterJammed, result.ReasonPrinterDown, result.ReasonPrinterLowToner}
	if !slices.Equal(codes, want) {
		t.Errorf("order %q, want %q", codes, want)
	}
}
