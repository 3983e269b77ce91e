package printer

import (
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/gosnmp/gosnmp"

	"github.com/netprobe/netprobe/internal/printermib"
	"github.com/netprobe/netprobe/result"
)

// The table columns the probe walks, by table.
var (
	supplyColumns = []string{
		printermib.PrtMarkerSuppliesColorantIndex, printermib.PrtMarkerSuppliesClass,
		printermib.PrtMarkerSuppliesType, printermib.PrtMarkerSuppliesDescription,
		printermib.PrtMarkerSuppliesSupplyUnit, printermib.PrtMarkerSuppliesMaxCapacity,
		printermib.PrtMarkerSuppliesLevel,
	}
	trayColumns  = []string{printermib.PrtInputMaxCapacity, printermib.PrtInputCurrentLevel, printermib.PrtInputName}
	alertColumns = []string{printermib.PrtAlertSeverityLevel, printermib.PrtAlertGroup, printermib.PrtAlertCode,
		printermib.PrtAlertDescription}
)

// table is some walked columns joined into rows by index.
type table struct {
	idx   []string // row indexes, in OID order
	byCol map[string]map[string]gosnmp.SnmpPDU
	d     *data
}

// rows joins columns into rows. Rows are keyed by their index as the agent
// gives it: indexes are sparse on real printers (Fujifilm 1.2–1.9, 1.30),
// never 1..n.
func (d *data) rows(cols map[string]*column, oids ...string) table {
	t := table{byCol: map[string]map[string]gosnmp.SnmpPDU{}, d: d}
	seen := map[string]bool{}
	for _, oid := range oids {
		t.byCol[oid] = map[string]gosnmp.SnmpPDU{}
		for _, c := range cols[oid].cells {
			t.byCol[oid][c.index] = c.pdu
			if !seen[c.index] {
				seen[c.index] = true
				t.idx = append(t.idx, c.index)
			}
		}
	}
	sort.Slice(t.idx, func(i, j int) bool { return compareOID(t.idx[i], t.idx[j]) < 0 })
	return t
}

func (t table) str(oid, i string) string {
	if p, ok := t.byCol[oid][i]; ok {
		return t.d.text(p)
	}
	return ""
}

func (t table) num(oid, i string, def int) (int, bool) {
	if p, ok := t.byCol[oid][i]; ok && p.Type == gosnmp.Integer {
		if n, ok := intOf(p); ok {
			return n, true
		}
	}
	return def, false
}

// fillTables turns walked columns into supplies, trays, alerts and panel
// lines, each bounded (see limits.go).
func (d *data) fillTables(cols map[string]*column, opt Options) {
	ct := d.rows(cols, printermib.PrtMarkerColorantValue)
	colorants := map[string]string{}
	for _, i := range ct.idx {
		colorants[i] = strings.ToLower(ct.str(printermib.PrtMarkerColorantValue, i))
	}

	st := d.rows(cols, supplyColumns...)
	d.supplies = []result.Supply{}
	kinds := map[string]string{}
	for _, i := range st.idx {
		sup, kind := st.supply(i, colorants, opt.SupplyWarn)
		d.supplies = append(d.supplies, sup)
		if kind != "" {
			kinds[i] = kind
		}
	}
	d.supplies = boundList(d, "supplies", d.supplies, maxSupplies, func(s result.Supply) int {
		return len(s.Index) + len(s.Description) + len(s.Color) + 64
	})
	inks, toners := 0, 0
	for _, s := range d.supplies {
		switch kinds[s.Index] {
		case "ink":
			inks++
		case "toner":
			toners++
		default:
			continue
		}
		d.colorant[s.Index] = kinds[s.Index]
	}
	d.ink = inks > toners

	tt := d.rows(cols, trayColumns...)
	d.trays = []result.Tray{}
	for _, i := range tt.idx {
		t := result.Tray{Index: i, Name: tt.str(printermib.PrtInputName, i)}
		t.Max, _ = tt.num(printermib.PrtInputMaxCapacity, i, printermib.LevelUnknown)
		t.Level, _ = tt.num(printermib.PrtInputCurrentLevel, i, printermib.LevelUnknown)
		t.Percent, t.State = printermib.TrayState(t.Level, t.Max, opt.SupplyWarn)
		d.trays = append(d.trays, t)
	}
	d.trays = boundList(d, "trays", d.trays, maxTrays, func(t result.Tray) int { return len(t.Index) + len(t.Name) + 48 })

	at := d.rows(cols, alertColumns...)
	d.alerts = []result.Alert{}
	for _, i := range at.idx {
		sev, _ := at.num(printermib.PrtAlertSeverityLevel, i, 0)
		grp, _ := at.num(printermib.PrtAlertGroup, i, 0)
		code, _ := at.num(printermib.PrtAlertCode, i, 0)
		d.alerts = append(d.alerts, result.Alert{
			Index:       i,
			Severity:    printermib.AlertSeverityName(sev),
			Code:        code,
			CodeName:    printermib.AlertCodeName(code),
			Group:       printermib.AlertGroupName(grp),
			Description: at.str(printermib.PrtAlertDescription, i),
		})
	}
	d.alerts = d.boundAlerts(d.alerts)

	dt := d.rows(cols, printermib.PrtConsoleDisplayBufferText)
	var raw []string
	for _, i := range dt.idx {
		if b, ok := bytesOf(dt.byCol[printermib.PrtConsoleDisplayBufferText][i]); ok {
			raw = append(raw, printermib.Text(b))
		}
	}
	d.display = []string{}
	// The panel's lines are one text to a reader: scrubbed together.
	for _, line := range d.clean(raw) {
		if line != "" {
			d.display = append(d.display, line)
		}
	}
	d.display = boundList(d, "display", d.display, maxDisplay, func(s string) int { return len(s) })
}

// supply decodes one row of prtMarkerSuppliesTable; kind is "toner" or
// "ink" for a colorant, "" otherwise.
func (t table) supply(i string, colorants map[string]string, warn float64) (sup result.Supply, kind string) {
	sup = result.Supply{Index: i}
	sup.Description = t.str(printermib.PrtMarkerSuppliesDescription, i)
	typ, hasType := t.num(printermib.PrtMarkerSuppliesType, i, 0)
	sup.Type = printermib.SupplyTypeName(typ)
	class, hasClass := t.num(printermib.PrtMarkerSuppliesClass, i, 0)
	unit, _ := t.num(printermib.PrtMarkerSuppliesSupplyUnit, i, 0)
	sup.Unit = printermib.SupplyUnitName(unit)
	sup.Level, _ = t.num(printermib.PrtMarkerSuppliesLevel, i, printermib.LevelUnknown)
	sup.Max, _ = t.num(printermib.PrtMarkerSuppliesMaxCapacity, i, printermib.LevelUnknown)

	// The class says whether the level counts down (toner) or up (waste
	// box). Agents that leave it out still name the type; the description
	// is the last resort (Xerox sends neither).
	receptacle := false
	switch {
	case hasClass:
		receptacle = class == printermib.ClassReceptacle
		sup.Class = printermib.SupplyClassName(class)
	case hasType && typ > 2:
		receptacle = printermib.IsWasteType(typ)
	default:
		receptacle = printermib.LooksLikeWaste(sup.Description)
	}
	if !hasClass {
		sup.Class = "consumed"
		if receptacle {
			sup.Class = "receptacle"
		}
	}
	sup.Percent, sup.State = printermib.SupplyState(receptacle, sup.Level, sup.Max, warn)

	if k, ok := t.num(printermib.PrtMarkerSuppliesColorantIndex, i, 0); ok && k > 0 {
		dev, _, _ := strings.Cut(i, ".")
		sup.Color = colorants[dev+"."+strconv.Itoa(k)]
	}
	if sup.Color == "" {
		sup.Color = printermib.ColorFromDescription(sup.Description)
	}
	if !receptacle && (printermib.IsColorant(typ) || (!hasType || typ <= 2) && hasWord(sup.Description, "toner", "ink")) {
		kind = "toner"
		if typ == printermib.TypeInk || typ == printermib.TypeInkCartridge || typ == printermib.TypeMatteInk ||
			(!hasType && hasWord(sup.Description, "ink")) {
			kind = "ink"
		}
	}
	return sup, kind
}

// boundList applies the list bounds (see limits.go) and counts what they
// left out under name.
func boundList[T any](d *data, name string, list []T, n int, size func(T) int) []T {
	kept, left := bound(list, n, size)
	if left > 0 {
		d.omitted[name] += left
	}
	return kept
}

// alertRank orders alerts for keeping: what is wrong now before what
// happened once.
var alertRank = map[string]int{"critical": 0, "warning": 1, "other": 2}

// boundAlerts keeps the most severe alerts when there are too many (a
// flood of "other" rows must not hide the one critical jam), listed in
// table order like the rest.
func (d *data) boundAlerts(alerts []result.Alert) []result.Alert {
	size := func(a result.Alert) int {
		return len(a.Index) + len(a.Description) + len(a.CodeName) + len(a.Group) + 48
	}
	if _, left := bound(alerts, maxAlerts, size); left == 0 {
		return alerts
	}
	rank := func(a result.Alert) int {
		if r, ok := alertRank[a.Severity]; ok {
			return r
		}
		return 3
	}
	byRank := slices.Clone(alerts)
	sort.SliceStable(byRank, func(i, j int) bool { return rank(byRank[i]) < rank(byRank[j]) })
	kept := boundList(d, "alerts", byRank, maxAlerts, size)
	sort.SliceStable(kept, func(i, j int) bool { return compareOID(kept[i].Index, kept[j].Index) < 0 })
	return kept
}
