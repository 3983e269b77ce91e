package printer

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/netprobe/netprobe/internal/printermib"
	"github.com/netprobe/netprobe/probes"
	"github.com/netprobe/netprobe/result"
)

// Printer conditions, the "condition" evidence value.
const (
	condOK          = "ok"
	condWarning     = "warning"
	condError       = "error"
	condSilent      = "snmp_silent"
	condUnreachable = "unreachable"
	// condUnresolved: the name did not resolve, so the printer was never
	// asked anything. Not "unreachable", which claims it did not answer.
	condUnresolved = "name_unresolved"
)

// problem is one thing wrong with the printer. key merges the same fault
// seen through different objects (the jammed bit and a jam alert); code is
// what programs decide on; text is for people and may be reworded.
type problem struct {
	status result.Status
	key    string
	code   result.Reason
	text   string
}

// assessment is the verdict on one printer.
type assessment struct {
	status    result.Status
	condition string
	detail    string
	problems  []problem // most severe first
}

// reason is the code of the most severe problem, "" when there is none.
func (a assessment) reason() result.Reason {
	if a.status == result.OK || len(a.problems) == 0 {
		return ""
	}
	return a.problems[0].code
}

// genericCodes say only that something is wrong, not what: among equally
// severe problems they come after the specific ones (a printer that is
// "down" because of a jam is, first of all, jammed).
var genericCodes = map[result.Reason]bool{
	result.ReasonPrinterDown: true, result.ReasonPrinterWarning: true, result.ReasonPrinterAlert: true,
}

// bitRule is what one hrPrinterDetectedErrorState bit means. In text, %s
// is "Toner" or "Ink", whichever the printer uses.
type bitRule struct {
	status result.Status
	key    string
	code   result.Reason
	text   string
}

// bitRules maps error bits to problems. lowToner, noToner and
// inputTrayEmpty have extra rules in assess: a specific supply or tray
// names them better when there is one.
var bitRules = map[string]bitRule{
	"noPaper":             {result.Fail, "noPaper", result.ReasonPrinterNoPaper, "Out of paper"},
	"noToner":             {result.Fail, "noToner", result.ReasonPrinterNoToner, "%s empty"},
	"doorOpen":            {result.Fail, "doorOpen", result.ReasonPrinterDoorOpen, "Door open"},
	"jammed":              {result.Fail, "jammed", result.ReasonPrinterJammed, "Paper jam"},
	"offline":             {result.Fail, "offline", result.ReasonPrinterOffline, "Printer offline"},
	"outputFull":          {result.Fail, "outputFull", result.ReasonPrinterOutputFull, "Output tray full"},
	"markerSupplyMissing": {result.Fail, "markerMissing", result.ReasonPrinterMarkerMissing, "%s cartridge missing"},
	"lowPaper":            {result.Warn, "lowPaper", result.ReasonPrinterLowPaper, "Paper low"},
	"lowToner":            {result.Warn, "lowToner", result.ReasonPrinterLowToner, "%s low"},
	"serviceRequested":    {result.Warn, "serviceRequested", result.ReasonPrinterServiceRequested, "Service requested"},
	"overduePreventMaint": {result.Warn, "overduePreventMaint", result.ReasonPrinterMaintenanceDue, "Preventive maintenance overdue"},
	"inputTrayMissing":    {result.Warn, "inputTrayMissing", result.ReasonPrinterTrayMissing, "Paper tray missing"},
	"outputTrayMissing":   {result.Warn, "outputTrayMissing", result.ReasonPrinterOutputTrayGone, "Output tray missing"},
	"outputNearFull":      {result.Warn, "outputNearFull", result.ReasonPrinterOutputNearFull, "Output tray almost full"},
	"inputTrayEmpty":      {result.Warn, "inputTrayEmpty", result.ReasonPrinterTrayEmpty, "A paper tray is empty"},
}

// alertRule is what one PrtAlertCodeTC value means. key, when set, merges
// the alert with the error bit of the same fault; otherwise the alert is
// keyed by its code. warnCode, when set, is the code at warning severity
// (an empty input tray stops the printer only when it is critical).
type alertRule struct {
	key      string
	code     result.Reason
	warnCode result.Reason
}

// alertRules maps alert codes to reason codes; an alert not listed here is
// printer.alert, with the printer's own words.
var alertRules = map[int]alertRule{
	3:    {"doorOpen", result.ReasonPrinterDoorOpen, ""},
	501:  {"doorOpen", result.ReasonPrinterDoorOpen, ""},
	8:    {"jammed", result.ReasonPrinterJammed, ""},
	801:  {"inputTrayMissing", result.ReasonPrinterTrayMissing, ""},
	807:  {"lowPaper", result.ReasonPrinterLowPaper, ""},
	808:  {"trayEmpty", result.ReasonPrinterNoPaper, result.ReasonPrinterTrayEmpty},
	901:  {"outputTrayMissing", result.ReasonPrinterOutputTrayGone, ""},
	902:  {"outputNearFull", result.ReasonPrinterOutputNearFull, ""},
	903:  {"outputFull", result.ReasonPrinterOutputFull, ""},
	1101: {"noToner", result.ReasonPrinterNoToner, ""},
	1102: {"noToner", result.ReasonPrinterNoToner, ""},
	1104: {"lowToner", result.ReasonPrinterLowToner, ""},
	1105: {"lowToner", result.ReasonPrinterLowToner, ""},
	1107: {"", result.ReasonPrinterWasteNearlyFull, ""},
	1108: {"", result.ReasonPrinterWasteNearlyFull, ""},
	1109: {"", result.ReasonPrinterWasteFull, ""},
	1110: {"", result.ReasonPrinterWasteFull, ""},
	1111: {"", result.ReasonPrinterSupplyLow, ""},
	1112: {"", result.ReasonPrinterSupplyEmpty, ""},
	1113: {"", result.ReasonPrinterSupplyLow, ""},
	1114: {"", result.ReasonPrinterSupplyEmpty, ""},
	1115: {"markerMissing", result.ReasonPrinterMarkerMissing, ""},
}

// alertStatus is what an alert's severity means now; ok false for
// binaryChangeEvent entries, which record that something happened (cover
// opened and closed): history, not state.
func alertStatus(a result.Alert) (result.Status, bool) {
	switch a.Severity {
	case "critical":
		return result.Fail, true
	case "warning":
		return result.Warn, true
	}
	return "", false
}

// alertProblem names an alert by its code; the printer's own description
// is used only when the code says nothing (other, unknown, vendor codes).
func alertProblem(a result.Alert, st result.Status) problem {
	p := problem{status: st, code: result.ReasonPrinterAlert, key: "alert:" + strconv.Itoa(a.Code)}
	if r, ok := alertRules[a.Code]; ok {
		p.code = r.code
		if r.warnCode != "" && st == result.Warn {
			p.code = r.warnCode
		}
		if r.key != "" {
			p.key = r.key
		}
	}
	p.text = printermib.AlertCodeWords(a.Code)
	if a.Code <= 2 || p.text == "" {
		switch {
		case a.Description != "":
			p.text = "Printer alert: " + a.Description
			p.key = "alert:" + a.Description
		case p.text == "":
			p.text = fmt.Sprintf("Printer alert %d", a.Code)
		}
	}
	return p
}

// assess applies the status rules to what was read. It is pure: the tests
// drive it directly as well as through a real agent.
func assess(d *data, portList []int, ports map[int]probes.PortState, opt Options) assessment {
	var open []int
	for _, p := range portList {
		if ports[p] == probes.PortOpen {
			open = append(open, p)
		}
	}
	if !d.answered {
		return assessSilent(d, portList, open, ports, opt)
	}

	var ps []problem
	add := func(st result.Status, key string, code result.Reason, text string) {
		ps = append(ps, problem{st, key, code, text})
	}

	if d.deviceStatus != nil {
		switch *d.deviceStatus {
		case printermib.DeviceDown:
			add(result.Fail, "down", result.ReasonPrinterDown, "Printer is down")
		case printermib.DeviceTesting:
			add(result.Warn, "testing", result.ReasonPrinterTesting, "Printer is in test mode")
		}
	}

	// Judge supplies before the error bits so a generic "toner low" bit
	// can defer to the specific supply ("Black toner low (4%)"), but list
	// them after the bits: the printer's own statement comes first.
	supplyPs, specific := d.supplyProblems()

	for _, b := range printermib.ErrorBits(d.errState) {
		r, ok := bitRules[b]
		if !ok {
			continue
		}
		text := r.text
		if strings.Contains(text, "%s") {
			text = fmt.Sprintf(text, d.marker())
		}
		switch b {
		case "noToner":
			if specific == result.Fail {
				continue
			}
		case "lowToner":
			if specific != "" {
				continue
			}
			text += d.lowestColorant()
		case "inputTrayEmpty":
			empty, all := d.emptyTrays()
			switch {
			case all:
				add(result.Fail, "noPaper", result.ReasonPrinterNoPaper, "All paper trays empty")
				continue
			case len(empty) > 0:
				for _, t := range empty {
					add(result.Warn, "tray:"+t, result.ReasonPrinterTrayEmpty, t+" empty")
				}
				continue
			}
		}
		add(r.status, r.key, r.code, text)
	}
	ps = append(ps, supplyPs...)
	// A printer whose every tray reads 0 has no paper, whatever its bits say.
	if _, all := d.emptyTrays(); all {
		add(result.Fail, "noPaper", result.ReasonPrinterNoPaper, "All paper trays empty")
	}

	for _, a := range d.alerts {
		st, ok := alertStatus(a)
		if !ok {
			continue
		}
		p := alertProblem(a, st)
		if (p.key == "lowToner" || p.key == "noToner") && specific != "" && st.Severity() <= specific.Severity() {
			continue
		}
		ps = append(ps, p)
	}

	if d.deviceStatus != nil && *d.deviceStatus == printermib.DeviceWarning && !hasProblem(ps) {
		text := "Printer reports a warning"
		for _, s := range d.supplies {
			if s.State == printermib.StateUnknown {
				text += " (the level of " + printermib.ShortName(s.Description) + " is unknown)"
				break
			}
		}
		add(result.Warn, "warning", result.ReasonPrinterWarning, text)
	}
	if len(portList) > 0 && len(open) == 0 {
		add(result.Warn, "ports", result.ReasonPrinterNoPrintPort, "No print port open ("+probes.JoinInts(portList)+")")
	}

	ps = mergeProblems(ps)
	a := assessment{status: result.OK, condition: condOK, problems: ps}
	for _, p := range ps {
		a.status = result.Worst(a.status, p.status)
	}
	model := shortModel(d.model())
	switch a.status {
	case result.Fail:
		a.condition = condError
		a.detail = fmt.Sprintf("Printer %s is not ready: %s.", model, listProblems(ps))
	case result.Warn:
		a.condition = condWarning
		a.detail = fmt.Sprintf("Printer %s needs attention: %s.", model, listProblems(ps))
	default:
		// "Ready" only when the printer says it runs (or, lacking
		// hrDeviceStatus, at least reports its error bits); an agent with
		// no status objects (Fujifilm, Xerox) or "unknown" just has no
		// complaint.
		ready := "answers and reports no problem"
		if (d.deviceStatus != nil && *d.deviceStatus == printermib.DeviceRunning) || (d.deviceStatus == nil && d.hasErrState) {
			ready = "is ready"
		}
		a.detail = fmt.Sprintf("Printer %s %s", model, ready)
		if r := d.colorantRange(); r != "" {
			a.detail += "; " + r
		}
		a.detail += "."
	}
	if a.status != result.OK && len(d.display) > 0 {
		a.detail += fmt.Sprintf(" Panel shows %q.", d.panel())
	}
	if len(d.unread) > 0 {
		a.detail += " Could not read: " + strings.Join(d.unread, ", ") + "."
	}
	if s := d.omittedSentence(); s != "" {
		a.detail += " " + s
	}
	return a
}

// supplyProblems judges each supply on its own level. specific is the worst
// status of a toner or ink problem found this way, "" when none: the
// generic toner bits and alerts defer to it. A supply the printer flagged
// without naming it (flagColorants: the lowest, for a bare lowToner bit) is
// left to the bit that flagged it, whose words say it is a guess.
func (d *data) supplyProblems() (ps []problem, specific result.Status) {
	add := func(st result.Status, key string, code result.Reason, text string) {
		ps = append(ps, problem{st, key, code, text})
	}
	for _, s := range d.supplies {
		if s.FlaggedByPrinter && !d.named[s.Index] {
			continue
		}
		name := d.supplyName(s)
		key := "supply:" + s.Index
		switch {
		case s.Class == "receptacle" && s.State == printermib.StateFull:
			add(result.Fail, key, result.ReasonPrinterWasteFull, name+" full")
		case s.Class == "receptacle" && s.State == printermib.StateNearlyFull:
			add(result.Warn, key, result.ReasonPrinterWasteNearlyFull, fmt.Sprintf("%s nearly full (%s space left)", name, pct(s.Percent)))
		case d.colorant[s.Index] != "" && s.State == printermib.StateEmpty:
			add(result.Fail, key, result.ReasonPrinterNoToner, name+" empty")
			specific = result.Fail
		case d.colorant[s.Index] != "" && s.State == printermib.StateLow:
			add(result.Warn, key, result.ReasonPrinterLowToner, fmt.Sprintf("%s low (%s)", name, pct(s.Percent)))
			specific = result.Worst(specific, result.Warn)
		case s.State == printermib.StateEmpty:
			// A drum or kit at 0 % usually still prints, with a warning.
			add(result.Warn, key, result.ReasonPrinterSupplyEmpty, name+" used up")
		case s.State == printermib.StateLow:
			add(result.Warn, key, result.ReasonPrinterSupplyLow, fmt.Sprintf("%s low (%s)", name, pct(s.Percent)))
		}
	}
	return ps, specific
}

// assessSilent judges a printer whose SNMP agent gave nothing. Silent SNMP
// fails the printer layer even with a print port open: the check exists to
// tell whether the printer can print, and with no status we cannot say
// (it may be jammed or out of toner); the port state still tells the user
// where to look. This is what the fault lab expects for "SNMP agent
// stopped".
func assessSilent(d *data, portList, open []int, ports map[int]probes.PortState, opt Options) assessment {
	a := assessment{status: result.Fail}
	check := "check the SNMP community or that SNMP is enabled"
	if opt.Version == "3" {
		check = "check the SNMPv3 user and passwords or that SNMP is enabled"
	}
	one := func(key string, code result.Reason, text string) []problem {
		return []problem{{result.Fail, key, code, text}}
	}
	switch {
	case d.refused:
		a.condition = condSilent
		a.detail = "Printer answers SNMP but rejects the SNMPv3 credentials; check the user, passwords and protocols."
		a.problems = one("snmp", result.ReasonPrinterSNMPAuthRejected, "SNMPv3 credentials rejected")
	case len(open) > 0:
		a.condition = condSilent
		word := "port"
		if len(open) > 1 {
			word = "ports"
		}
		a.detail = fmt.Sprintf("Printer is on the network (%s %s open) but does not answer SNMP; %s.", word, probes.JoinInts(open), check)
		a.problems = one("snmp", result.ReasonPrinterSNMPSilent, "SNMP does not answer")
	case len(portList) == 0:
		a.condition = condUnreachable
		a.detail = "Printer does not answer SNMP (no print ports were checked)."
		a.problems = one("unreachable", result.ReasonPrinterUnreachable, "No answer from the printer")
	case anyClosed(portList, ports):
		// A reset proves a device at the address: it is just not a
		// printer, or not the printer the user means.
		a.condition = condUnreachable
		a.detail = fmt.Sprintf("A device answers at this address, but it is not a working printer: print ports %s are closed and SNMP does not answer; check the printer's address.", probes.JoinInts(portList))
		a.problems = one("unreachable", result.ReasonPrinterNotAPrinter, "No printer service at this address")
	default:
		a.condition = condUnreachable
		a.detail = fmt.Sprintf("Printer does not answer at all: no SNMP reply and print ports %s closed or silent.", probes.JoinInts(portList))
		a.problems = one("unreachable", result.ReasonPrinterUnreachable, "No answer from the printer")
	}
	return a
}

// assessUnresolved judges a printer whose name did not resolve: nothing
// was sent to it, so nothing may be said about whether it answers.
func assessUnresolved(host, why string) assessment {
	return assessment{
		status:    result.Fail,
		condition: condUnresolved,
		detail:    fmt.Sprintf("Printer %s cannot be found: its name does not resolve (%s), so it was not asked anything.", host, why),
		problems:  []problem{{result.Fail, "name", result.ReasonPrinterNameUnresolved, "Name does not resolve"}},
	}
}

// anyClosed reports whether a print port answered with a reset.
func anyClosed(portList []int, ports map[int]probes.PortState) bool {
	for _, p := range portList {
		if ports[p] == probes.PortClosed {
			return true
		}
	}
	return false
}

// mergeProblems keeps one problem per key (the most severe, first text)
// and orders them most severe first, otherwise as found.
func mergeProblems(ps []problem) []problem {
	var out []problem
	at := map[string]int{}
	for _, p := range ps {
		if i, ok := at[p.key]; ok {
			if p.status.Severity() > out[i].status.Severity() {
				out[i] = p
			}
			continue
		}
		at[p.key] = len(out)
		out = append(out, p)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if a, b := out[i].status.Severity(), out[j].status.Severity(); a != b {
			return a > b
		}
		return !genericCodes[out[i].code] && genericCodes[out[j].code]
	})
	return out
}

func hasProblem(ps []problem) bool {
	for _, p := range ps {
		if p.status == result.Warn || p.status == result.Fail {
			return true
		}
	}
	return false
}

// listProblems joins up to three problems for the detail sentence.
func listProblems(ps []problem) string {
	var texts []string
	for _, p := range ps {
		texts = append(texts, p.text)
	}
	if len(texts) > 3 {
		return strings.Join(texts[:3], ", ") + fmt.Sprintf(" and %d more", len(texts)-3)
	}
	return strings.Join(texts, ", ")
}
