package result

// Reason codes of the printer layer. A printer check's reason is the code
// of its most severe problem; every problem is also listed, typed, in
// evidence.faults ([]Problem).
const (
	ReasonPrinterUnreachable      Reason = "printer.unreachable"
	ReasonPrinterNotAPrinter      Reason = "printer.not_a_printer"
	ReasonPrinterNameUnresolved   Reason = "printer.name_unresolved"
	ReasonPrinterSNMPSilent       Reason = "printer.snmp_silent"
	ReasonPrinterSNMPAuthRejected Reason = "printer.snmp_auth_rejected"
	ReasonPrinterBadOptions       Reason = "printer.bad_options"
	ReasonPrinterDown             Reason = "printer.down"
	ReasonPrinterTesting          Reason = "printer.testing"
	ReasonPrinterJammed           Reason = "printer.jammed"
	ReasonPrinterNoPaper          Reason = "printer.no_paper"
	ReasonPrinterLowPaper         Reason = "printer.low_paper"
	ReasonPrinterTrayEmpty        Reason = "printer.tray_empty"
	ReasonPrinterTrayMissing      Reason = "printer.tray_missing"
	ReasonPrinterDoorOpen         Reason = "printer.door_open"
	ReasonPrinterOffline          Reason = "printer.offline"
	ReasonPrinterOutputFull       Reason = "printer.output_full"
	ReasonPrinterOutputNearFull   Reason = "printer.output_near_full"
	ReasonPrinterOutputTrayGone   Reason = "printer.output_tray_missing"
	ReasonPrinterNoToner          Reason = "printer.no_toner"
	ReasonPrinterLowToner         Reason = "printer.low_toner"
	ReasonPrinterMarkerMissing    Reason = "printer.marker_missing"
	ReasonPrinterWasteFull        Reason = "printer.waste_full"
	ReasonPrinterWasteNearlyFull  Reason = "printer.waste_nearly_full"
	ReasonPrinterSupplyEmpty      Reason = "printer.supply_empty"
	ReasonPrinterSupplyLow        Reason = "printer.supply_low"
	ReasonPrinterServiceRequested Reason = "printer.service_requested"
	ReasonPrinterMaintenanceDue   Reason = "printer.maintenance_due"
	ReasonPrinterWarning          Reason = "printer.warning"
	ReasonPrinterAlert            Reason = "printer.alert"
	ReasonPrinterNoPrintPort      Reason = "printer.no_print_port"
)

var _ = register(
	ReasonInfo{ReasonPrinterUnreachable, "Nothing answers at the printer's address: no SNMP reply, print ports silent."},
	ReasonInfo{ReasonPrinterNotAPrinter, "A device answers at the address (print ports reset) but it is not a working printer: probably the wrong address."},
	ReasonInfo{ReasonPrinterNameUnresolved, "The printer's host name does not resolve."},
	ReasonInfo{ReasonPrinterSNMPSilent, "The printer is on the network (a print port open) but does not answer SNMP: its state is unknown."},
	ReasonInfo{ReasonPrinterSNMPAuthRejected, "The SNMPv3 agent answered but rejected the credentials."},
	ReasonInfo{ReasonPrinterBadOptions, "The printer check was not run: a setting is invalid (skip)."},
	ReasonInfo{ReasonPrinterDown, "The printer reports itself down (hrDeviceStatus)."},
	ReasonInfo{ReasonPrinterTesting, "The printer is in test mode (warn)."},
	ReasonInfo{ReasonPrinterJammed, "Paper jam."},
	ReasonInfo{ReasonPrinterNoPaper, "Out of paper (the error bit, or every tray empty)."},
	ReasonInfo{ReasonPrinterLowPaper, "Paper low (warn)."},
	ReasonInfo{ReasonPrinterTrayEmpty, "A paper tray is empty while others still have paper (warn)."},
	ReasonInfo{ReasonPrinterTrayMissing, "A paper tray is missing (warn)."},
	ReasonInfo{ReasonPrinterDoorOpen, "A door or cover is open."},
	ReasonInfo{ReasonPrinterOffline, "The printer is offline."},
	ReasonInfo{ReasonPrinterOutputFull, "The output tray is full."},
	ReasonInfo{ReasonPrinterOutputNearFull, "The output tray is almost full (warn)."},
	ReasonInfo{ReasonPrinterOutputTrayGone, "The output tray is missing (warn)."},
	ReasonInfo{ReasonPrinterNoToner, "Toner or ink is empty."},
	ReasonInfo{ReasonPrinterLowToner, "Toner or ink is low (warn)."},
	ReasonInfo{ReasonPrinterMarkerMissing, "A toner or ink cartridge is missing."},
	ReasonInfo{ReasonPrinterWasteFull, "The waste toner box is full."},
	ReasonInfo{ReasonPrinterWasteNearlyFull, "The waste toner box is nearly full (warn)."},
	ReasonInfo{ReasonPrinterSupplyEmpty, "Another supply (drum, fuser, kit) is used up; it usually still prints (warn)."},
	ReasonInfo{ReasonPrinterSupplyLow, "Another supply (drum, fuser, kit) is low (warn)."},
	ReasonInfo{ReasonPrinterServiceRequested, "The printer asks for service (warn)."},
	ReasonInfo{ReasonPrinterMaintenanceDue, "Preventive maintenance is overdue (warn)."},
	ReasonInfo{ReasonPrinterWarning, "The printer reports a warning without saying which (warn)."},
	ReasonInfo{ReasonPrinterAlert, "An alert in the printer's alert table that no other code describes (`text` has the printer's words)."},
	ReasonInfo{ReasonPrinterNoPrintPort, "SNMP answers but no print port (9100, 631, 515) accepts connections (warn)."},
)

// Problem is one thing wrong with a device, typed: the printer check lists
// them in evidence.faults, most severe first. Code is what programs switch
// on; Text is the words for people and may change.
type Problem struct {
	Code   Reason `json:"code"`
	Status Status `json:"status"`
	Text   string `json:"text"`
}

// String is the problem's code: what a one-line listing of evidence (the
// verbose text report, JUnit) shows for each fault next to the problems in
// words.
func (p Problem) String() string { return string(p.Code) }
