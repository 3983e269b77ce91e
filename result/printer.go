package result

// Printer evidence types. The printer probe stores them in a Check's
// Evidence under the keys "supplies" ([]Supply), "trays" ([]Tray),
// "alerts" ([]Alert), "errors" ([]string, hrPrinterDetectedErrorState bit
// names) and "display" ([]string, console lines), so renderers can draw
// tables without knowing SNMP.

// Supply is one marker supply (toner, ink, drum, waste box, ...).
type Supply struct {
	// Index is "hrDeviceIndex.supplyIndex" as in the MIB, e.g. "1.2".
	Index       string `json:"index"`
	Description string `json:"description"`
	// Type is the PrtMarkerSuppliesTypeTC name ("toner", "wasteToner", ...),
	// "" when the agent does not say.
	Type string `json:"type"`
	// Class is "consumed", "receptacle" or "other".
	Class string `json:"class"`
	// Unit is the PrtMarkerSuppliesSupplyUnitTC name ("percent", "impressions", ...).
	Unit  string `json:"unit"`
	Color string `json:"color,omitempty"`
	// Level and Max are the raw MIB values; negative values are the MIB's
	// special codes (-1 other, -2 unknown, -3 some remaining).
	Level int `json:"level"`
	Max   int `json:"max"`
	// Percent is Level/Max*100 (one decimal) when both are real numbers,
	// nil otherwise. For a receptacle it is still the remaining space.
	Percent *float64 `json:"percent"`
	// State is "ok", "low", "empty", "full" (receptacle), "nearly_full",
	// "some_remaining" or "unknown".
	State string `json:"state"`
	// FlaggedByPrinter is true when State is "low" or "empty" because the
	// printer itself says so (an error bit or an alert) although the
	// level is above the warning threshold: the printer's own threshold
	// is higher. A table then shows "19% low", agreeing with the printer.
	FlaggedByPrinter bool `json:"flagged_by_printer,omitempty"`
}

// Tray is one input tray.
type Tray struct {
	Index   string   `json:"index"`
	Name    string   `json:"name"`
	Level   int      `json:"level"`
	Max     int      `json:"max"`
	Percent *float64 `json:"percent"`
	// State is "ok", "low", "empty", "some_remaining" or "unknown".
	State string `json:"state"`
}

// Alert is one row of prtAlertTable.
type Alert struct {
	Index string `json:"index"`
	// Severity is "critical", "warning", "warningBinaryChangeEvent" or "other".
	Severity string `json:"severity"`
	Code     int    `json:"code"`
	// CodeName is the PrtAlertCodeTC name ("jam", "coverOpen", ...).
	CodeName    string `json:"code_name"`
	Group       string `json:"group"`
	Description string `json:"description"`
}
