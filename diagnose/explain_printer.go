package diagnose

import (
	"fmt"
	"slices"
	"strings"

	"github.com/netprobe/netprobe/result"
)

// The words for the printer layer. The printer check lists its problems
// typed in evidence.faults ([]result.Problem); advice switches on their
// codes.

func explainPrinter(c result.Check) (string, []string) {
	switch c.Reason {
	case result.ReasonPrinterNameUnresolved:
		return fmt.Sprintf("The printer %s cannot be found: its name does not resolve, so it was never asked.", c.Target),
			[]string{"Check the printer's name, or use its address (print a configuration page on the printer to see it).",
				"Check this computer's DNS settings."}
	case result.ReasonPrinterNotAPrinter:
		return fmt.Sprintf("A device answers at %s, but it is not a working printer (print ports closed, no SNMP): the printer probably has another address.", c.Target),
			[]string{"Print a configuration page on the printer to see its current address.",
				"Update the printer's address on this computer (or give the printer a fixed address).",
				"If it is the right address, restart the printer: its print services are not running."}
	case result.ReasonPrinterUnreachable:
		return fmt.Sprintf("The printer %s does not answer at all: it is off, disconnected, or has another address.", c.Target),
			[]string{"Check that the printer is switched on and its network cable or Wi-Fi is connected.",
				"Print a configuration page on the printer to see its current address.",
				"If the address changed, update it on this computer (or give the printer a fixed address)."}
	case result.ReasonPrinterSNMPSilent:
		return fmt.Sprintf("The printer %s is on the network but does not answer status queries (SNMP), so its state is unknown.", c.Target),
			[]string{"Printing may still work: try a test page.",
				"Turn SNMP on in the printer's settings, or give netprobe the right community (--community).",
				"If printing fails too, restart the printer."}
	case result.ReasonPrinterSNMPAuthRejected:
		return fmt.Sprintf("The printer %s answers SNMP but rejects netprobe's SNMPv3 credentials, so its state is unknown.", c.Target),
			[]string{"Check the SNMPv3 user, passwords and protocols (--snmp-user, --auth-proto, --priv-proto).",
				"Printing may still work: try a test page."}
	}
	return fmt.Sprintf("The printer %s reports a problem: %s.", printerName(c), printerProblems(c)), printerAdvice(c)
}

func explainPrinterWarn(c result.Check) (string, []string) {
	return fmt.Sprintf("The printer %s works but needs attention: %s.", printerName(c), printerProblems(c)), printerAdvice(c)
}

// printerName names a printer the way its owner knows it: the model when
// SNMP told it, with the address.
func printerName(c result.Check) string {
	if m := ev(c, "model"); m != "" && m != c.Target {
		return m + " (" + c.Target + ")"
	}
	return c.Target
}

// faults returns the printer's typed problems, most severe first. A check
// without them (an older probe) yields its own reason as the one fault.
func faults(c result.Check) []result.Problem {
	if ps, ok := c.Evidence["faults"].([]result.Problem); ok && len(ps) > 0 {
		return ps
	}
	if c.Reason != "" {
		return []result.Problem{{Code: c.Reason, Status: c.Status}}
	}
	return nil
}

// printerProblems joins the problems' words (up to three) for the summary.
func printerProblems(c result.Check) string {
	var texts []string
	for _, p := range faults(c) {
		if p.Text != "" {
			texts = append(texts, strings.TrimSuffix(p.Text, "."))
		}
	}
	if len(texts) == 0 {
		return strings.TrimSuffix(c.Detail, ".")
	}
	if len(texts) > 3 {
		return strings.Join(texts[:3], ", ") + fmt.Sprintf(" and %d more", len(texts)-3)
	}
	return strings.Join(texts, ", ")
}

// printerFixes are the steps for each printer problem code.
var printerFixes = map[result.Reason]string{
	result.ReasonPrinterJammed:           "Open the printer as its display shows and remove the jammed paper.",
	result.ReasonPrinterDoorOpen:         "Close the printer's doors and covers.",
	result.ReasonPrinterNoPaper:          "Load paper into the empty tray and check the tray is pushed in.",
	result.ReasonPrinterLowPaper:         "Load paper soon: a tray is running low.",
	result.ReasonPrinterTrayEmpty:        "Load paper into the empty tray and check the tray is pushed in.",
	result.ReasonPrinterTrayMissing:      "Put the paper tray back in.",
	result.ReasonPrinterWasteFull:        "Replace the waste toner box.",
	result.ReasonPrinterWasteNearlyFull:  "Order a new waste toner box: the current one is nearly full.",
	result.ReasonPrinterNoToner:          "Replace the toner or ink that is empty.",
	result.ReasonPrinterLowToner:         "Order toner or ink: a cartridge is low.",
	result.ReasonPrinterMarkerMissing:    "Insert the missing toner or ink cartridge.",
	result.ReasonPrinterOffline:          "Put the printer online (press its Online or Ready button).",
	result.ReasonPrinterOutputFull:       "Empty the output tray.",
	result.ReasonPrinterOutputNearFull:   "Empty the output tray soon.",
	result.ReasonPrinterOutputTrayGone:   "Put the output tray back.",
	result.ReasonPrinterServiceRequested: "Call the printer's service: it asks for maintenance.",
	result.ReasonPrinterMaintenanceDue:   "Call the printer's service: preventive maintenance is overdue.",
	result.ReasonPrinterSupplyEmpty:      "Replace the used-up part (drum, fuser or kit) the printer names.",
	result.ReasonPrinterSupplyLow:        "Order the part (drum, fuser or kit) that is running low.",
	result.ReasonPrinterDown:             "Restart the printer; if it stays down, call its service.",
	result.ReasonPrinterNoPrintPort:      "Check the printer's network settings: its print services (9100, IPP, LPD) are off.",
}

// printerAdvice turns the problem codes into steps, most severe first.
func printerAdvice(c result.Check) []string {
	var out []string
	for _, p := range faults(c) {
		fix, ok := printerFixes[p.Code]
		if !ok || len(out) == 3 || slices.Contains(out, fix) {
			continue
		}
		out = append(out, fix)
	}
	if len(out) == 0 {
		out = append(out, "Look at the printer's display for the message, and follow it.", "Restart the printer if the message stays.")
	}
	return out
}
