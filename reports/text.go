package reports

import (
	"bytes"
	"fmt"
	"io"
	"maps"
	"math"
	"slices"
	"strings"

	"github.com/netprobe/netprobe/result"
)

// TextOptions says what the terminal at the other end can show. The caller
// decides (it knows whether stdout is a terminal and whether NO_COLOR is
// set); the renderer only obeys.
type TextOptions struct {
	// Color wraps marks, status words and bars in ANSI colour codes.
	Color bool
	// Unicode draws ✓ ! ✗ – marks and block bars; without it every
	// character the renderer adds itself is ASCII, for logs and old consoles.
	Unicode bool
	// Verbose lists every evidence key under each check, the reason codes
	// and the protocol words (printer error flags, alert codes, the ICMP
	// mode) the default text leaves out for the end user.
	Verbose bool
	// Width is the column lines wrap at: 0 means DefaultWidth (the caller
	// passes a narrower terminal's width), negative means no wrapping.
	Width int
}

// ANSI SGR sequences. Only these few are used so output stays readable on
// light and dark terminals alike.
const (
	ansiReset  = "\x1b[0m"
	ansiBold   = "\x1b[1m"
	ansiDim    = "\x1b[2m"
	ansiRed    = "\x1b[31m"
	ansiGreen  = "\x1b[32m"
	ansiYellow = "\x1b[33m"
)

// minDetailRoom is the least width a wrapped detail keeps in its own
// column; on a narrower terminal it continues under the check name.
const minDetailRoom = 45

// maxTargetCol caps the target column so one long URL does not push every
// other row's detail far to the right; longer targets overflow their column.
const maxTargetCol = 36

// Text writes the report for a person at a terminal: the verdict and what
// to do first, then one compact table per layer, then a footer saying
// which tool ran, when and how long. The whole report is built in memory
// and written once, so a failing writer never leaves half a verdict.
func Text(w io.Writer, r *result.Report, o TextOptions) error {
	t := &textWriter{o: o}
	t.render(r)
	_, err := w.Write(t.finish())
	return err
}

// textWriter accumulates the report's lines.
type textWriter struct {
	o     TextOptions
	lines []outLine
	// column widths, shared by all layers so every table lines up.
	nameW, targetW int
}

// outLine is one logical line and how it wraps: cont starts every
// continuation piece, and the first piece does not break before byte keep.
type outLine struct {
	text, cont string
	keep       int
}

// line writes one line from parts; if it wraps, its continuation lines
// are indented two columns past the line's own indentation.
func (t *textWriter) line(parts ...string) {
	s := strings.Join(parts, "")
	lead := len(s) - len(strings.TrimLeft(s, " "))
	t.lines = append(t.lines, outLine{text: s, cont: strings.Repeat(" ", lead+2)})
}

// lineCont writes one line whose continuation lines start with cont.
func (t *textWriter) lineCont(cont string, keep int, parts ...string) {
	t.lines = append(t.lines, outLine{text: strings.Join(parts, ""), cont: cont, keep: keep})
}

// width is the column the report wraps at; 0 for none.
func (t *textWriter) width() int {
	switch {
	case t.o.Width < 0:
		return 0
	case t.o.Width == 0:
		return DefaultWidth
	}
	return t.o.Width
}

// finish wraps the lines and removes trailing spaces from every line:
// padding is added before text that may turn out empty, and a stray space
// at the end of a line shows up as noise in diffs and tickets. In ASCII
// mode every line goes through ascii once more, so no character from any
// source can slip through.
func (t *textWriter) finish() []byte {
	var b bytes.Buffer
	for _, l := range t.lines {
		text := l.text
		if !t.o.Unicode {
			text = ascii(text)
		}
		for _, piece := range wrapLine(text, l.cont, t.width(), l.keep) {
			b.WriteString(strings.TrimRight(piece, " "))
			b.WriteByte('\n')
		}
	}
	return b.Bytes()
}

// asc is s (already clean) in ASCII in the ASCII mode.
func (t *textWriter) asc(s string) string {
	if !t.o.Unicode {
		return ascii(s)
	}
	return s
}

// txt is clean for this terminal: in ASCII mode, also ASCII, before any
// width is measured, so columns stay aligned.
func (t *textWriter) txt(s string) string {
	s = clean(s)
	if !t.o.Unicode {
		s = ascii(s)
	}
	return s
}

// paint wraps s in an ANSI style when colour is on.
func (t *textWriter) paint(style, s string) string {
	if !t.o.Color || style == "" || s == "" {
		return s
	}
	return style + s + ansiReset
}

// statusStyle is the colour of a check or layer status.
func statusStyle(s result.Status) string {
	switch s {
	case result.OK:
		return ansiGreen
	case result.Warn:
		return ansiYellow
	case result.Fail:
		return ansiRed
	}
	return ansiDim
}

// overallStyle is the colour of the verdict status.
func overallStyle(o result.Overall) string {
	switch o {
	case result.Healthy:
		return ansiGreen
	case result.Degraded:
		return ansiYellow
	}
	return ansiRed
}

// markW is the width of the mark column.
func (t *textWriter) markW() int {
	if t.o.Unicode {
		return 1
	}
	return 4
}

// mark is a check's status as a symbol (Unicode) or a word (ASCII), padded
// to markW and coloured.
func (t *textWriter) mark(s result.Status) string {
	var m string
	if t.o.Unicode {
		switch s {
		case result.OK:
			m = "✓"
		case result.Warn:
			m = "!"
		case result.Fail:
			m = "✗"
		case result.Skip:
			m = "–"
		default:
			m = "?"
		}
	} else {
		m = statusWord(s)
	}
	return t.paint(statusStyle(s), pad(m, t.markW()))
}

// sep separates footer items.
func (t *textWriter) sep() string {
	if t.o.Unicode {
		return " · "
	}
	return " | "
}

func (t *textWriter) render(r *result.Report) {
	t.verdict(r.Verdict)
	t.measure(r)
	for _, l := range r.Layers {
		t.line()
		t.layer(l)
	}
	t.line()
	t.footer(r)
}

// VerdictLine writes only the report's first line, "Verdict: FAIL at the
// DNS layer" (--quiet): for a person who wants the answer, or a script
// that wants a log line next to the exit code.
func VerdictLine(w io.Writer, r *result.Report, o TextOptions) error {
	t := &textWriter{o: o}
	t.verdictHead(r.Verdict)
	_, err := w.Write(t.finish())
	return err
}

// verdict writes the verdict block: the answer first, then what to do.
func (t *textWriter) verdict(v result.Verdict) {
	t.verdictHead(v)
	t.verdictBody(v)
}

// verdictHead writes the verdict line.
func (t *textWriter) verdictHead(v result.Verdict) {
	head := headline(v)
	if t.o.Unicode {
		switch v.Status {
		case result.Healthy:
			head = "✓ " + head
		case result.Degraded:
			head = "! " + head
		case result.Failed:
			head = "✗ " + head
		default:
			head = "? " + head
		}
	}
	t.line(t.paint(ansiBold, "Verdict:"), " ", t.paint(ansiBold+overallStyle(v.Status), head))
}

// verdictBody writes what follows the verdict line: the summary, the next
// steps, consequences and evidence.
func (t *textWriter) verdictBody(v result.Verdict) {
	if s := t.txt(v.Summary); s != "" {
		t.line(s)
	}
	if len(v.Advice) > 0 {
		t.line()
		t.line(t.paint(ansiBold, "Next steps:"))
		for i, a := range v.Advice {
			t.lineCont("     ", 0, fmt.Sprintf("  %d. ", i+1), t.txt(a))
		}
	}
	if len(v.Consequences) > 0 || len(v.Independent) > 0 || len(v.Evidence) > 0 {
		t.line()
	}
	if len(v.Consequences) > 0 {
		t.line("Also failing because of this: ", layerTitles(v.Consequences))
	}
	if len(v.Independent) > 0 {
		t.line("Separate problems (not caused by this): ", layerTitles(v.Independent))
	}
	if len(v.Evidence) > 0 {
		t.line("Evidence:")
		for _, e := range v.Evidence {
			t.lineCont("    ", 0, "  - ", t.txt(e))
		}
	}
}

// measure sets the column widths from every check in the report.
func (t *textWriter) measure(r *result.Report) {
	for _, l := range r.Layers {
		for _, c := range t.shown(l) {
			t.nameW = max(t.nameW, cellWidth(t.txt(c.Name)))
			t.targetW = max(t.targetW, min(maxTargetCol, cellWidth(t.txt(c.Target))))
		}
	}
}

// detailCol is the column where a check's detail starts.
func (t *textWriter) detailCol() int { return 2 + t.markW() + 2 + t.nameW + 2 + t.targetW + 2 }

// shown is a layer's checks as the text shows them: in the default text,
// interfaces that are down and not in use (link.admin_down,
// link.no_carrier, address.link_local_only, status skip) are one line, as
// an unplugged second port or a virtual bridge is nothing to look at;
// verbose text lists each.
func (t *textWriter) shown(l result.LayerResult) []result.Check {
	if t.o.Verbose {
		return l.Checks
	}
	var idle []result.Check
	for _, c := range l.Checks {
		if idleInterface(c) {
			idle = append(idle, c)
		}
	}
	if len(idle) < 2 {
		return l.Checks
	}
	out := make([]result.Check, 0, len(l.Checks)-len(idle)+1)
	for _, c := range l.Checks {
		if !idleInterface(c) {
			out = append(out, c)
		}
	}
	names := make([]string, len(idle))
	for i, c := range idle {
		names[i] = c.Target
	}
	what := "down, not in use"
	if l.Name == result.Address {
		what = "without a routable address, not in use"
	}
	other := "other "
	if len(out) == 0 {
		other = ""
	}
	return append(out, result.Check{Name: idle[0].Name, Layer: l.Name, Status: result.Skip,
		Detail: fmt.Sprintf("%d %sinterfaces %s (%s)", len(idle), other, what, strings.Join(names, ", "))})
}

// idleInterface: an interface the probes found down or without a
// routable address and not in use, by its reason code.
func idleInterface(c result.Check) bool {
	if c.Status != result.Skip {
		return false
	}
	switch c.Reason {
	case result.ReasonLinkAdminDown, result.ReasonLinkNoCarrier, result.ReasonAddressLinkLocalOnly:
		return true
	}
	return false
}

// indent is where sub-lines of a check start: under the check name.
func (t *textWriter) indent() string { return strings.Repeat(" ", 2+t.markW()+2) }

// layer writes one layer's heading and its checks.
func (t *textWriter) layer(l result.LayerResult) {
	t.line(t.paint(ansiBold, layerTitle(l.Name)+":"), " ", t.paint(statusStyle(l.Status), statusWord(l.Status)))
	if n := t.txt(l.Note); n != "" {
		t.lineCont("        ", 0, "  Note: ", n)
	}
	if len(l.Checks) == 0 {
		t.line("  (no checks)")
	}
	for _, c := range t.shown(l) {
		t.check(c)
	}
}

// check writes one check row and whatever sub-lines its evidence needs.
func (t *textWriter) check(c result.Check) {
	head := "  " + t.mark(c.Status) + "  " + pad(t.txt(c.Name), t.nameW) + "  " + pad(t.txt(c.Target), t.targetW) + "  "
	detail := t.txt(c.Detail)
	// "10.77.1.1 answers ping" under the target 10.77.1.1 says the target
	// twice: the table already names it.
	if target := t.txt(c.Target); target != "" && strings.HasPrefix(detail, target+" ") {
		detail = detail[len(target)+1:]
	}
	row := head + detail
	if facts := factsFor(c); len(facts) > 0 {
		sp := " "
		if detail == "" {
			sp = ""
		}
		row += sp + t.paint(ansiDim, "("+strings.Join(facts, ", ")+")")
	}
	// A wrapped detail goes on under itself while that leaves room, else
	// under the check name; the row never breaks between its columns.
	cont := strings.Repeat(" ", t.detailCol())
	if w := t.width(); w > 0 && w-t.detailCol() < minDetailRoom {
		cont = t.indent() + "  "
	}
	t.lineCont(cont, len(head), row)
	in := t.indent()
	// The error text, unless the detail already quotes it whole.
	if e := t.txt(c.Error); e != "" && (t.o.Verbose || (c.Status == result.Fail || c.Status == result.Warn) && !strings.Contains(detail, e)) {
		t.line(in, "Error: ", e)
	}
	t.printer(c.Evidence, in)
	if t.o.Verbose {
		if c.Reason != "" {
			t.line(in, "Reason: ", t.txt(string(c.Reason)))
		}
		t.evidence(c.Evidence, in)
	}
}

// evidence lists every evidence key except those drawn as printer blocks.
func (t *textWriter) evidence(ev map[string]any, in string) {
	keys := slices.Sorted(maps.Keys(ev))
	w := 0
	for _, k := range keys {
		if !drawnAsBlock(k, ev[k]) {
			w = max(w, cellWidth(t.txt(k)))
		}
	}
	for _, k := range keys {
		if drawnAsBlock(k, ev[k]) {
			continue
		}
		t.line(in, t.paint(ansiDim, pad(t.txt(k), w)), "  ", t.asc(value(ev[k])))
	}
}

// drawnAsBlock reports whether printer draws this evidence value as its own
// block; empty lists are not drawn and are listed like any other key.
func drawnAsBlock(k string, v any) bool {
	switch k {
	case "supplies":
		s, ok := supplies(v)
		return ok && len(s) > 0
	case "trays":
		s, ok := trays(v)
		return ok && len(s) > 0
	case "alerts":
		s, ok := alerts(v)
		return ok && len(s) > 0
	case "display", "problems", "errors":
		s, ok := strs(v)
		return ok && len(s) > 0
	}
	return false
}

// printer draws the printer evidence blocks that are present. The default
// text leaves out what repeats the detail in protocol words (the problem
// list, the MIB's error flags such as lowToner, alert code names): the
// detail and the alerts' descriptions say it in words; -v shows them.
func (t *textWriter) printer(ev map[string]any, in string) {
	if s, ok := supplies(ev["supplies"]); ok && len(s) > 0 {
		rows := make([]levelRow, len(s))
		for i, x := range s {
			rows[i] = supplyRow(x)
		}
		t.line(in, "Supplies:")
		t.levels(rows, in+"  ")
	}
	if s, ok := trays(ev["trays"]); ok && len(s) > 0 {
		rows := make([]levelRow, len(s))
		for i, x := range s {
			rows[i] = trayRow(x)
		}
		t.line(in, "Trays:")
		t.levels(rows, in+"  ")
	}
	if p, ok := strs(ev["problems"]); ok && len(p) > 0 && t.o.Verbose {
		t.line(in, "Problems: ", t.asc(joinClean(p)))
	}
	if p, ok := strs(ev["errors"]); ok && len(p) > 0 && t.o.Verbose {
		t.line(in, "Error flags: ", t.asc(joinClean(p)))
	}
	if a, ok := alerts(ev["alerts"]); ok && len(a) > 0 {
		t.line(in, "Alerts:")
		sevW, codeW := 0, 0
		for _, x := range a {
			sevW = max(sevW, cellWidth(t.txt(x.Severity)))
			codeW = max(codeW, cellWidth(t.asc(alertCode(x))))
		}
		for _, x := range a {
			sev := t.txt(x.Severity)
			gap := strings.Repeat(" ", sevW-cellWidth(sev))
			switch x.Severity {
			case "critical":
				sev = t.paint(ansiRed, sev)
			case "warning":
				sev = t.paint(ansiYellow, sev)
			}
			code := pad(t.asc(alertCode(x)), codeW) + "  "
			desc := t.txt(x.Description)
			if !t.o.Verbose && desc != "" {
				code = "" // the description says it in words
			}
			t.line(in, "  ", sev, gap, "  ", code, desc)
		}
	}
	if d, ok := strs(ev["display"]); ok && len(d) > 0 {
		bar := "| "
		if t.o.Unicode {
			bar = "│ "
		}
		t.line(in, "Display:")
		for _, l := range d {
			t.line(in, "  ", bar, t.txt(l))
		}
	}
}

// joinClean cleans and comma-joins a list.
func joinClean(ss []string) string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = clean(s)
	}
	return strings.Join(out, ", ")
}

// alertCode is an alert's code name, or its number when the agent sent no
// name.
func alertCode(a result.Alert) string {
	if c := clean(a.CodeName); c != "" {
		return c
	}
	return fmt.Sprintf("code %d", a.Code)
}

// levelRow is one supply or tray, ready to draw.
type levelRow struct {
	name    string
	percent *float64
	// raw is the MIB level; -3 means "some remaining".
	raw int
	// free marks a receptacle (waste toner), whose percent is the space left.
	free  bool
	state string
}

func supplyRow(s result.Supply) levelRow {
	name := clean(s.Description)
	if name == "" {
		name = clean(s.Type)
	}
	if name == "" {
		name = "supply " + clean(s.Index)
	}
	return levelRow{name: name, percent: s.Percent, raw: s.Level, free: s.Class == "receptacle", state: s.State}
}

func trayRow(s result.Tray) levelRow {
	name := clean(s.Name)
	if name == "" {
		name = "tray " + clean(s.Index)
	}
	return levelRow{name: name, percent: s.Percent, raw: s.Level, state: s.State}
}

// stateText turns a supply state such as "nearly_full" into words.
func stateText(s string) string { return strings.ReplaceAll(clean(s), "_", " ") }

// levelStyle colours a level by the state the probe assigned.
func levelStyle(state string) string {
	switch state {
	case "ok":
		return ansiGreen
	case "low", "nearly_full":
		return ansiYellow
	case "empty", "full":
		return ansiRed
	}
	return ansiDim
}

// barCells is the bar length: 10 cells, one per 10 %.
const barCells = 10

// bar draws a level as a bar. A level above 0 always shows at least one
// cell and one below 100 at most nine, so "almost empty" never looks empty
// and "almost full" never looks full.
func (t *textWriter) bar(p float64) string {
	n := int(math.Round(p / 100 * barCells))
	if p > 0 && n == 0 {
		n = 1
	}
	if p < 100 && n == barCells {
		n = barCells - 1
	}
	n = max(0, min(barCells, n))
	if t.o.Unicode {
		return strings.Repeat("█", n) + strings.Repeat("░", barCells-n)
	}
	return "[" + strings.Repeat("#", n) + strings.Repeat("-", barCells-n) + "]"
}

// levelText is the level cell without colour: a bar and a percentage, or a
// word when the printer does not report a number.
func (t *textWriter) levelText(r levelRow) (bar, rest string) {
	if r.percent == nil {
		if r.raw == -3 {
			return "", "some remaining"
		}
		return "", "unknown"
	}
	p := *r.percent
	rest = padLeft(pctText(p), 4)
	if r.free {
		rest += " free"
	}
	return t.bar(p), rest
}

// levels draws supplies or trays as an aligned table.
func (t *textWriter) levels(rows []levelRow, in string) {
	nameW, levelW := 0, 0
	for i := range rows {
		rows[i].name = t.asc(rows[i].name)
	}
	for _, r := range rows {
		nameW = max(nameW, cellWidth(r.name))
		b, rest := t.levelText(r)
		levelW = max(levelW, cellWidth(joinSpace(b, rest)))
	}
	for _, r := range rows {
		b, rest := t.levelText(r)
		plain := joinSpace(b, rest)
		cell := plain
		if b != "" {
			cell = t.paint(levelStyle(r.state), b) + " " + rest
		}
		cell += strings.Repeat(" ", levelW-cellWidth(plain))
		state := t.asc(stateText(r.state))
		if state == rest {
			state = ""
		}
		t.line(in, pad(r.name, nameW), "  ", cell, "  ", t.paint(levelStyle(r.state), state))
	}
}

// joinSpace joins the non-empty strings with one space.
func joinSpace(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + " " + b
}

// footer says which tool ran, when, how long and where.
func (t *textWriter) footer(r *result.Report) {
	items := runItems(r, t.txt)
	var host []string
	if h := t.txt(r.Host.Hostname); h != "" {
		host = append(host, "host "+h)
	}
	var sys []string
	if r.Host.OS != "" || r.Host.Arch != "" {
		sys = append(sys, strings.Trim(t.txt(r.Host.OS)+"/"+t.txt(r.Host.Arch), "/"))
	}
	// The ICMP socket mode is for the consultant (-v); when ping was
	// denied, the "Ping:" line below says why in words.
	if i := t.txt(r.Host.ICMP); i != "" && t.o.Verbose {
		sys = append(sys, "icmp "+i)
	}
	if len(sys) > 0 {
		host = append(host, "("+strings.Join(sys, ", ")+")")
	}
	if len(host) > 0 {
		items = append(items, strings.Join(host, " "))
	}
	t.line(t.paint(ansiDim, strings.Join(items, t.sep())))
	if c := t.txt(r.Command); c != "" {
		t.line(t.paint(ansiDim, "Command: "+c))
	}
	if why := t.txt(r.Host.ICMPReason); why != "" {
		t.line(t.paint(ansiDim, "Ping: "+why))
	}
	if r.Redacted {
		t.line(t.paint(ansiDim, "Addresses and names in this report are masked for sharing."))
	}
}
