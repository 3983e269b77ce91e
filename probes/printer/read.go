package printer

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gosnmp/gosnmp"

	"github.com/netprobe/netprobe/internal/printermib"
	"github.com/netprobe/netprobe/internal/sanitize"
	"github.com/netprobe/netprobe/internal/secret"
	"github.com/netprobe/netprobe/probes"
	"github.com/netprobe/netprobe/result"
)

// data is what the agent said, decoded but not yet judged. Every string in
// it has been scrubbed of secrets and sanitised; every list is bounded.
type data struct {
	answered   bool
	err        error  // why SNMP gave nothing (answered false) or stopped early
	errText    string // err in plain words, for the report (scrubbed)
	refused    bool   // the agent answered but rejected the v3 credentials
	roundTrips int
	unread     []string // tables or objects that could not be read

	sysDescr, sysName, sysObjectID string
	uptime                         *uint32
	devIndex                       int
	deviceStatus, printerStatus    *int
	errState                       []byte
	hasErrState                    bool
	hrDescr, prtName, serial       string

	supplies []result.Supply
	trays    []result.Tray
	alerts   []result.Alert
	display  []string

	// omitted counts, per list ("supplies", "trays", "alerts", "display",
	// "errors"), the items read but left out by the bounds; capped names
	// the lists whose table was longer than the walk reads, so the count
	// is a lower bound.
	omitted map[string]int
	capped  map[string]bool

	// colorant maps the supplies that put the image on paper to "toner"
	// or "ink", by supply index, for the status rules and the wording.
	colorant map[string]string
	// ink is true when the colorants are ink rather than toner.
	ink bool
	// named holds the supplies an alert flagged by colour (flagColorants).
	named map[string]bool

	scrub *secret.Scrubber
}

func newData(scrub *secret.Scrubber) *data {
	return &data{devIndex: 1, colorant: map[string]string{}, named: map[string]bool{}, omitted: map[string]int{}, capped: map[string]bool{}, scrub: scrub}
}

// read asks the agent everything the assessment needs, in as few round
// trips as it allows: one GET for the scalars, then one GETBULK for all
// table columns together (more only for long tables, truncating agents, or
// fallbacks).
func read(ctx context.Context, host string, opt Options, scrub *secret.Scrubber) *data {
	d := newData(scrub)
	budget := probes.Remaining(ctx, opt.Timeout)
	s, err := newSession(ctx, host, opt, scrub)
	defer func() {
		s.close()
		d.roundTrips = s.sent
	}()
	if err != nil {
		d.err = err
		d.errText = errorText(err, opt, budget, scrub)
		return d
	}

	scalars := []string{
		printermib.SysDescr, printermib.SysObjectID, printermib.SysUpTime, printermib.SysName,
		printermib.HrDeviceStatus + ".1", printermib.HrDeviceDescr + ".1",
		printermib.HrPrinterStatus + ".1", printermib.HrPrinterDetectedErrorState + ".1",
		printermib.PrtGeneralPrinterName + ".1", printermib.PrtGeneralSerialNumber + ".1",
	}
	vals, err := s.get(scalars)
	if err != nil && !s.answered && noAnswer(err) && ctx.Err() == nil {
		// Silence may mean the agent is down, or that it chokes on one of
		// the objects we asked for (as Zebra's does on hrDeviceID). One
		// small GET tells them apart.
		if v, err2 := s.get([]string{printermib.SysDescr}); err2 == nil {
			vals, err = v, nil
			d.unread = append(d.unread, "status")
		}
	}
	if err != nil && !s.answered {
		d.err = err
		d.errText = errorText(err, opt, budget, scrub)
		d.refused = refused(err)
		return d
	}
	d.answered = true
	d.fillScalars(vals, 1)

	// No printer row at hrDeviceIndex 1: find the printer's index in
	// hrPrinterTable, which only has printer rows.
	discover := d.printerStatus == nil && !d.hasErrState
	cols, order := tableColumns(discover)
	s.walk(order)

	if discover {
		if idx, ok := d.discoverIndex(cols); ok && idx != 1 {
			suffix := "." + strconv.Itoa(idx)
			v, err := s.get([]string{
				printermib.HrDeviceStatus + suffix, printermib.HrDeviceDescr + suffix,
				printermib.PrtGeneralPrinterName + suffix, printermib.PrtGeneralSerialNumber + suffix,
			})
			if err == nil {
				d.deviceStatus, d.hrDescr, d.prtName, d.serial = nil, "", "", ""
				d.fillScalars(v, idx)
			}
		}
	}
	for _, c := range order {
		if c.failed && !slices.Contains(d.unread, c.group) {
			d.unread = append(d.unread, c.group)
		}
		if c.capped {
			d.capped[c.group] = true
		}
	}
	if ctx.Err() != nil {
		for _, c := range order {
			if !c.done && !slices.Contains(d.unread, c.group) {
				d.unread = append(d.unread, c.group)
			}
		}
	}
	d.fillTables(cols, opt)
	d.flagColorants()
	return d
}

// tableColumns lists the columns read walks, in walking order, and by
// OID: the supply, colorant, tray, alert and panel tables, and, when the
// printer has no row at hrDeviceIndex 1 (discover), the hrPrinterTable
// columns that find its row. Never the whole hrDeviceTable: some agents
// die on hrDeviceID.
func tableColumns(discover bool) (map[string]*column, []*column) {
	cols := map[string]*column{}
	var order []*column
	add := func(oid, group string) {
		c := newColumn(oid, group)
		cols[oid] = c
		order = append(order, c)
	}
	for _, oid := range supplyColumns {
		add(oid, "supplies")
	}
	add(printermib.PrtMarkerColorantValue, "colorants")
	for _, oid := range trayColumns {
		add(oid, "trays")
	}
	for _, oid := range alertColumns {
		add(oid, "alerts")
	}
	add(printermib.PrtConsoleDisplayBufferText, "display")
	if discover {
		add(printermib.HrPrinterStatus, "status")
		add(printermib.HrPrinterDetectedErrorState, "status")
	}
	return cols, order
}

// fillScalars takes the GET answers for device index idx.
func (d *data) fillScalars(v map[string]gosnmp.SnmpPDU, idx int) {
	sfx := "." + strconv.Itoa(idx)
	if p, ok := v[printermib.SysDescr]; ok {
		d.sysDescr = d.text(p)
	}
	if p, ok := v[printermib.SysName]; ok {
		d.sysName = d.text(p)
	}
	if p, ok := v[printermib.SysObjectID]; ok && p.Type == gosnmp.ObjectIdentifier {
		if s, ok := p.Value.(string); ok {
			d.sysObjectID = d.clean([]string{strings.TrimPrefix(s, ".")})[0]
		}
	}
	if p, ok := v[printermib.SysUpTime]; ok && p.Type == gosnmp.TimeTicks {
		if n, ok := intOf(p); ok {
			u := uint32(n)
			d.uptime = &u
		}
	}
	if n, ok := intAt(v, printermib.HrDeviceStatus+sfx); ok {
		d.deviceStatus = &n
	}
	if n, ok := intAt(v, printermib.HrPrinterStatus+sfx); ok {
		d.printerStatus = &n
	}
	if p, ok := v[printermib.HrPrinterDetectedErrorState+sfx]; ok {
		if b, ok := bytesOf(p); ok {
			d.errState, d.hasErrState = b, true
		}
	}
	if p, ok := v[printermib.HrDeviceDescr+sfx]; ok {
		d.hrDescr = d.text(p)
	}
	if p, ok := v[printermib.PrtGeneralPrinterName+sfx]; ok {
		d.prtName = d.text(p)
	}
	if p, ok := v[printermib.PrtGeneralSerialNumber+sfx]; ok {
		d.serial = d.text(p)
	}
}

// discoverIndex finds the first printer row in the walked hrPrinterTable
// columns and takes its status and error state.
func (d *data) discoverIndex(cols map[string]*column) (int, bool) {
	idx := 0
	for _, oid := range []string{printermib.HrPrinterDetectedErrorState, printermib.HrPrinterStatus} {
		for _, c := range cols[oid].cells {
			if n, err := strconv.Atoi(c.index); err == nil && n > 0 && (idx == 0 || n < idx) {
				idx = n
			}
		}
	}
	if idx == 0 {
		return 0, false
	}
	d.devIndex = idx
	want := strconv.Itoa(idx)
	for _, c := range cols[printermib.HrPrinterStatus].cells {
		if n, ok := intOf(c.pdu); ok && c.index == want && c.pdu.Type == gosnmp.Integer {
			d.printerStatus = &n
		}
	}
	for _, c := range cols[printermib.HrPrinterDetectedErrorState].cells {
		if b, ok := bytesOf(c.pdu); ok && c.index == want {
			d.errState, d.hasErrState = b, true
		}
	}
	return idx, true
}

// text decodes one string value from the network into safe text; a value
// of another type (an agent sending an integer where text belongs) gives
// "".
func (d *data) text(p gosnmp.SnmpPDU) string {
	b, ok := bytesOf(p)
	if !ok {
		return ""
	}
	return d.clean([]string{printermib.Text(b)})[0]
}

// clean makes decoded values safe to show, secrets first. The session
// scrubbed the raw bytes already; this scrubs again after decoding (a hex
// dump repaired into bytes), and after sanitising removed escape sequences
// (which could have split a secret so the raw scrub missed it), and only
// then cuts to sanitize.MaxLen runes: no cut can leave a piece of a secret.
// A list is scrubbed as one text, so a secret split over two panel lines
// is found too.
func (d *data) clean(xs []string) []string {
	out := d.scrub.Strings(xs)
	full := make([]string, len(out))
	for i, x := range out {
		full[i] = sanitize.String(x, utf8.RuneCountInString(x)+1)
	}
	full = d.scrub.Strings(full)
	for i, x := range full {
		full[i] = sanitize.String(x, 0)
	}
	return full
}

func bytesOf(p gosnmp.SnmpPDU) ([]byte, bool) {
	if p.Type != gosnmp.OctetString {
		return nil, false
	}
	switch v := p.Value.(type) {
	case []byte:
		return v, true
	case string:
		return []byte(v), true
	}
	return nil, false
}

// intOf reads a numeric value; a string where a number belongs is not one.
func intOf(p gosnmp.SnmpPDU) (int, bool) {
	switch p.Type {
	case gosnmp.Integer, gosnmp.Counter32, gosnmp.Gauge32, gosnmp.TimeTicks, gosnmp.Uinteger32:
	default:
		return 0, false
	}
	switch v := p.Value.(type) {
	case int:
		return v, true
	case uint:
		return int(v), true
	case uint32:
		return int(v), true
	case int64:
		return int(v), true
	case uint64:
		return int(v), true
	}
	return 0, false
}

func intAt(v map[string]gosnmp.SnmpPDU, oid string) (int, bool) {
	p, ok := v[oid]
	if !ok || p.Type != gosnmp.Integer {
		return 0, false
	}
	return intOf(p)
}

// hasWord reports whether s contains one of the words as a whole word, so
// "Pink" is not ink.
func hasWord(s string, words ...string) bool {
	for _, f := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !(r >= 'a' && r <= 'z')
	}) {
		if slices.Contains(words, f) {
			return true
		}
	}
	return false
}
