// Package printermib decodes what a printer says over SNMP: the
// HOST-RESOURCES-MIB printer objects (RFC 2790) and the Printer MIB
// (RFC 3805). It only turns numbers and octets into names, states and text;
// it never talks to the network, so every rule here is table-tested.
package printermib

import "strconv"

// Object identifiers the printer probe reads, without a leading dot.
// Columns end without an index; the probe appends ".d" (hrDeviceIndex) or
// walks them.
const (
	SysDescr    = "1.3.6.1.2.1.1.1.0"
	SysObjectID = "1.3.6.1.2.1.1.2.0"
	SysUpTime   = "1.3.6.1.2.1.1.3.0"
	SysName     = "1.3.6.1.2.1.1.5.0"

	HrDeviceDescr               = "1.3.6.1.2.1.25.3.2.1.3"
	HrDeviceStatus              = "1.3.6.1.2.1.25.3.2.1.5"
	HrPrinterStatus             = "1.3.6.1.2.1.25.3.5.1.1"
	HrPrinterDetectedErrorState = "1.3.6.1.2.1.25.3.5.1.2"

	PrtGeneralPrinterName  = "1.3.6.1.2.1.43.5.1.1.16"
	PrtGeneralSerialNumber = "1.3.6.1.2.1.43.5.1.1.17"

	PrtInputMaxCapacity  = "1.3.6.1.2.1.43.8.2.1.9"
	PrtInputCurrentLevel = "1.3.6.1.2.1.43.8.2.1.10"
	PrtInputName         = "1.3.6.1.2.1.43.8.2.1.13"

	PrtMarkerSuppliesColorantIndex = "1.3.6.1.2.1.43.11.1.1.3"
	PrtMarkerSuppliesClass         = "1.3.6.1.2.1.43.11.1.1.4"
	PrtMarkerSuppliesType          = "1.3.6.1.2.1.43.11.1.1.5"
	PrtMarkerSuppliesDescription   = "1.3.6.1.2.1.43.11.1.1.6"
	PrtMarkerSuppliesSupplyUnit    = "1.3.6.1.2.1.43.11.1.1.7"
	PrtMarkerSuppliesMaxCapacity   = "1.3.6.1.2.1.43.11.1.1.8"
	PrtMarkerSuppliesLevel         = "1.3.6.1.2.1.43.11.1.1.9"

	PrtMarkerColorantValue = "1.3.6.1.2.1.43.12.1.1.4"

	PrtConsoleDisplayBufferText = "1.3.6.1.2.1.43.16.5.1.2"

	PrtAlertSeverityLevel = "1.3.6.1.2.1.43.18.1.1.2"
	PrtAlertGroup         = "1.3.6.1.2.1.43.18.1.1.4"
	PrtAlertCode          = "1.3.6.1.2.1.43.18.1.1.7"
	PrtAlertDescription   = "1.3.6.1.2.1.43.18.1.1.8"
)

// Device status values (hrDeviceStatus).
const (
	DeviceUnknown = 1
	DeviceRunning = 2
	DeviceWarning = 3
	DeviceTesting = 4
	DeviceDown    = 5
)

// DeviceStatusName names an hrDeviceStatus value.
func DeviceStatusName(v int) string {
	return lookup(deviceStatus, v)
}

var deviceStatus = map[int]string{1: "unknown", 2: "running", 3: "warning", 4: "testing", 5: "down"}

// PrinterStatusName names an hrPrinterStatus value.
func PrinterStatusName(v int) string {
	return lookup(printerStatus, v)
}

var printerStatus = map[int]string{1: "other", 2: "unknown", 3: "idle", 4: "printing", 5: "warmup"}

// Supply classes (prtMarkerSuppliesClass).
const (
	ClassOther      = 1
	ClassConsumed   = 3
	ClassReceptacle = 4
)

// SupplyClassName maps prtMarkerSuppliesClass to the report's short words:
// "consumed", "receptacle" or "other" (anything else, including unknown
// values, is "other").
func SupplyClassName(v int) string {
	switch v {
	case ClassConsumed:
		return "consumed"
	case ClassReceptacle:
		return "receptacle"
	}
	return "other"
}

// PrtMarkerSuppliesTypeTC values the probe treats specially.
const (
	TypeToner          = 3
	TypeWasteToner     = 4
	TypeInk            = 5
	TypeInkCartridge   = 6
	TypeInkRibbon      = 7
	TypeWasteInk       = 8
	TypeSolidWax       = 12
	TypeRibbonWax      = 13
	TypeWasteWax       = 14
	TypeWasteWater     = 24
	TypeWastePaper     = 26
	TypeTonerCartridge = 21
	TypeMatteToner     = 35
	TypeMatteInk       = 36
)

var supplyTypes = map[int]string{
	1: "other", 2: "unknown", 3: "toner", 4: "wasteToner", 5: "ink", 6: "inkCartridge",
	7: "inkRibbon", 8: "wasteInk", 9: "opc", 10: "developer", 11: "fuserOil", 12: "solidWax",
	13: "ribbonWax", 14: "wasteWax", 15: "fuser", 16: "coronaWire", 17: "fuserOilWick",
	18: "cleanerUnit", 19: "fuserCleaningPad", 20: "transferUnit", 21: "tonerCartridge",
	22: "fuserOiler", 23: "water", 24: "wasteWater", 25: "glueWaterAdditive", 26: "wastePaper",
	27: "bindingSupply", 28: "bandingSupply", 29: "stitchingWire", 30: "shrinkWrap",
	31: "paperWrap", 32: "staples", 33: "inserts", 34: "covers", 35: "matteToner", 36: "matteInk",
}

// SupplyTypeName names a PrtMarkerSuppliesTypeTC value ("toner", "wasteToner", ...).
func SupplyTypeName(v int) string {
	return lookup(supplyTypes, v)
}

// IsWasteType reports whether a supply type is a container that fills up
// (waste toner, ink, wax, water, paper): a receptacle even when the agent
// leaves out prtMarkerSuppliesClass, as Sharp and Canon do.
func IsWasteType(v int) bool {
	switch v {
	case TypeWasteToner, TypeWasteInk, TypeWasteWax, TypeWasteWater, TypeWastePaper:
		return true
	}
	return false
}

// IsColorant reports whether a supply type is what puts the image on paper
// (toner, ink, wax, ribbon). Running out of these stops printing, unlike a
// drum or a stapler near its end of life.
func IsColorant(v int) bool {
	switch v {
	case TypeToner, TypeInk, TypeInkCartridge, TypeInkRibbon, TypeSolidWax, TypeRibbonWax,
		TypeTonerCartridge, TypeMatteToner, TypeMatteInk:
		return true
	}
	return false
}

var supplyUnits = map[int]string{
	1: "other", 2: "unknown", 3: "tenThousandthsOfInches", 4: "micrometers", 7: "impressions",
	8: "sheets", 11: "hours", 12: "thousandthsOfOunces", 13: "tenthsOfGrams",
	14: "hundrethsOfFluidOunces", 15: "tenthsOfMilliliters", 16: "feet", 17: "meters",
	18: "items", 19: "percent",
}

// SupplyUnitName names a PrtMarkerSuppliesSupplyUnitTC value ("percent", "impressions", ...).
func SupplyUnitName(v int) string {
	return lookup(supplyUnits, v)
}

// Alert severities (prtAlertSeverityLevel).
const (
	SeverityOther                    = 1
	SeverityCritical                 = 3
	SeverityWarning                  = 4
	SeverityWarningBinaryChangeEvent = 5
)

// AlertSeverityName maps prtAlertSeverityLevel to "critical", "warning",
// "warningBinaryChangeEvent" or "other".
func AlertSeverityName(v int) string {
	switch v {
	case SeverityCritical:
		return "critical"
	case SeverityWarning:
		return "warning"
	case SeverityWarningBinaryChangeEvent:
		return "warningBinaryChangeEvent"
	}
	return "other"
}

var alertGroups = map[int]string{
	1: "other", 3: "hostResourcesMIBStorageTable", 4: "hostResourcesMIBDeviceTable",
	5: "generalPrinter", 6: "cover", 7: "localization", 8: "input", 9: "output", 10: "marker",
	11: "markerSupplies", 12: "markerColorant", 13: "mediaPath", 14: "channel", 15: "interpreter",
	16: "consoleDisplayBuffer", 17: "consoleLights", 18: "alert", 30: "finDevice", 31: "finSupply",
	32: "finSupplyMediaInput", 33: "finAttribute",
}

// AlertGroupName names a PrtAlertGroupTC value ("input", "marker", ...).
func AlertGroupName(v int) string {
	return lookup(alertGroups, v)
}

// alertCode is one PrtAlertCodeTC value: its MIB name and the words a
// person reads in the report.
type alertCode struct{ name, words string }

var alertCodes = map[int]alertCode{
	1:    {"other", "Other alert"},
	2:    {"unknown", "Unknown alert"},
	3:    {"coverOpen", "Cover open"},
	4:    {"coverClosed", "Cover closed"},
	5:    {"interlockOpen", "Interlock open"},
	6:    {"interlockClosed", "Interlock closed"},
	7:    {"configurationChange", "Configuration changed"},
	8:    {"jam", "Paper jam"},
	9:    {"subunitMissing", "Part missing"},
	10:   {"subunitLifeAlmostOver", "Part near end of life"},
	11:   {"subunitLifeOver", "Part at end of life"},
	12:   {"subunitAlmostEmpty", "Part almost empty"},
	13:   {"subunitEmpty", "Part empty"},
	14:   {"subunitAlmostFull", "Part almost full"},
	15:   {"subunitFull", "Part full"},
	16:   {"subunitNearLimit", "Part near its limit"},
	17:   {"subunitAtLimit", "Part at its limit"},
	18:   {"subunitOpened", "Part opened"},
	19:   {"subunitClosed", "Part closed"},
	20:   {"subunitTurnedOn", "Part turned on"},
	21:   {"subunitTurnedOff", "Part turned off"},
	22:   {"subunitOffline", "Part offline"},
	23:   {"subunitPowerSaver", "Power saver on"},
	24:   {"subunitWarmingUp", "Warming up"},
	25:   {"subunitAdded", "Part added"},
	26:   {"subunitRemoved", "Part removed"},
	27:   {"subunitResourceAdded", "Resource added"},
	28:   {"subunitResourceRemoved", "Resource removed"},
	29:   {"subunitRecoverableFailure", "Recoverable failure"},
	30:   {"subunitUnrecoverableFailure", "Unrecoverable failure"},
	31:   {"subunitRecoverableStorageError", "Recoverable storage error"},
	32:   {"subunitUnrecoverableStorageError", "Unrecoverable storage error"},
	33:   {"subunitMotorFailure", "Motor failure"},
	34:   {"subunitMemoryExhausted", "Memory full"},
	35:   {"subunitUnderTemperature", "Too cold"},
	36:   {"subunitOverTemperature", "Too hot"},
	37:   {"subunitTimingFailure", "Timing failure"},
	38:   {"subunitThermistorFailure", "Thermistor failure"},
	501:  {"doorOpen", "Door open"},
	502:  {"doorClosed", "Door closed"},
	503:  {"powerUp", "Powered up"},
	504:  {"powerDown", "Powered down"},
	505:  {"printerNMSReset", "Reset over the network"},
	506:  {"printerManualReset", "Reset by hand"},
	507:  {"printerReadyToPrint", "Ready to print"},
	801:  {"inputMediaTrayMissing", "Paper tray missing"},
	802:  {"inputMediaSizeChange", "Paper size changed"},
	803:  {"inputMediaWeightChange", "Paper weight changed"},
	804:  {"inputMediaTypeChange", "Paper type changed"},
	805:  {"inputMediaColorChange", "Paper colour changed"},
	806:  {"inputMediaFormPartsChange", "Form parts changed"},
	807:  {"inputMediaSupplyLow", "Paper low"},
	808:  {"inputMediaSupplyEmpty", "Out of paper"},
	809:  {"inputMediaChangeRequest", "Paper change requested"},
	810:  {"inputManualInputRequest", "Manual feed requested"},
	811:  {"inputTrayPositionFailure", "Tray position failure"},
	812:  {"inputTrayElevationFailure", "Tray lift failure"},
	813:  {"inputCannotFeedSizeSelected", "Cannot feed the selected paper size"},
	901:  {"outputMediaTrayMissing", "Output tray missing"},
	902:  {"outputMediaTrayAlmostFull", "Output tray almost full"},
	903:  {"outputMediaTrayFull", "Output tray full"},
	904:  {"outputMailboxSelectFailure", "Mailbox selection failed"},
	1001: {"markerFuserUnderTemperature", "Fuser too cold"},
	1002: {"markerFuserOverTemperature", "Fuser too hot"},
	1003: {"markerFuserTimingFailure", "Fuser timing failure"},
	1004: {"markerFuserThermistorFailure", "Fuser thermistor failure"},
	1005: {"markerAdjustingPrintQuality", "Adjusting print quality"},
	1101: {"markerTonerEmpty", "Toner empty"},
	1102: {"markerInkEmpty", "Ink empty"},
	1103: {"markerPrintRibbonEmpty", "Ribbon empty"},
	1104: {"markerTonerAlmostEmpty", "Toner low"},
	1105: {"markerInkAlmostEmpty", "Ink low"},
	1106: {"markerPrintRibbonAlmostEmpty", "Ribbon low"},
	1107: {"markerWasteTonerReceptacleAlmostFull", "Waste toner box nearly full"},
	1108: {"markerWasteInkReceptacleAlmostFull", "Waste ink tank nearly full"},
	1109: {"markerWasteTonerReceptacleFull", "Waste toner box full"},
	1110: {"markerWasteInkReceptacleFull", "Waste ink tank full"},
	1111: {"markerOpcLifeAlmostOver", "Drum near end of life"},
	1112: {"markerOpcLifeOver", "Drum at end of life"},
	1113: {"markerDeveloperAlmostEmpty", "Developer low"},
	1114: {"markerDeveloperEmpty", "Developer empty"},
	1115: {"markerTonerCartridgeMissing", "Toner cartridge missing"},
	1301: {"mediaPathMediaTrayMissing", "Paper path tray missing"},
	1302: {"mediaPathMediaTrayAlmostFull", "Paper path tray almost full"},
	1303: {"mediaPathMediaTrayFull", "Paper path tray full"},
	1304: {"mediaPathCannotDuplexMediaSelected", "Cannot print two-sided on this paper"},
	1501: {"interpreterMemoryIncrease", "Interpreter memory increased"},
	1502: {"interpreterMemoryDecrease", "Interpreter memory decreased"},
	1503: {"interpreterCartridgeAdded", "Interpreter cartridge added"},
	1504: {"interpreterCartridgeDeleted", "Interpreter cartridge removed"},
	1505: {"interpreterResourceAdded", "Interpreter resource added"},
	1506: {"interpreterResourceDeleted", "Interpreter resource removed"},
	1507: {"interpreterResourceUnavailable", "Interpreter resource unavailable"},
	1509: {"interpreterComplexPageEncountered", "Page too complex"},
	1801: {"alertRemovalOfBinaryChangeEntry", "Alert entry removed"},
}

// AlertCodeName names a PrtAlertCodeTC value ("jam", "coverOpen", ...);
// an unlisted code is "code<N>".
func AlertCodeName(v int) string {
	if c, ok := alertCodes[v]; ok {
		return c.name
	}
	return "code" + strconv.Itoa(v)
}

// AlertCodeWords returns plain words for an alert code ("Paper jam"), or ""
// when the code is not one we know, so the caller can use the printer's own
// description instead.
func AlertCodeWords(v int) string {
	return alertCodes[v].words
}

// lookup names v, or returns "" for values the MIB does not define, so an
// odd agent shows as "not said" instead of a made-up name.
func lookup(m map[int]string, v int) string {
	return m[v]
}
