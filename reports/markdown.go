package reports

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/netprobe/netprobe/result"
)

// Markdown writes the report for pasting into a ticket or chat: the verdict
// as a heading, the next steps as a list, one table per layer, printer
// tables, and every check's full evidence in a collapsed <details> block so
// the ticket stays short but nothing is lost. Text from the report is
// escaped so a printer name or banner cannot turn into markup, a link or
// broken table.
func Markdown(w io.Writer, r *result.Report) error {
	var b bytes.Buffer
	m := &mdWriter{b: &b}
	m.render(r)
	_, err := w.Write(b.Bytes())
	return err
}

type mdWriter struct{ b *bytes.Buffer }

func (m *mdWriter) p(parts ...string) {
	for _, s := range parts {
		m.b.WriteString(s)
	}
	m.b.WriteByte('\n')
}

// mdMark is a status as an emoji plus the word, so the meaning survives
// renderers (and readers) that show no emoji.
func mdMark(s result.Status) string {
	switch s {
	case result.OK:
		return "✅ ok"
	case result.Warn:
		return "⚠️ warn"
	case result.Fail:
		return "❌ fail"
	case result.Skip:
		return "➖ skip"
	}
	return "❔ " + md(string(s))
}

func mdOverall(o result.Overall) string {
	switch o {
	case result.Healthy:
		return "✅"
	case result.Degraded:
		return "⚠️"
	case result.Failed:
		return "❌"
	}
	return "❔"
}

// mdSpecial are the characters that mean something to CommonMark or GFM
// inline: emphasis, code, links, HTML, tables, strike-through, entities
// and headings. All are ASCII punctuation, which CommonMark lets a
// backslash escape.
const mdSpecial = "\\`*_[]<>|~&#"

// md escapes text from the report for use inside a paragraph, list item or
// table cell.
func md(s string) string {
	s = clean(s)
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if strings.IndexByte(mdSpecial, c) >= 0 {
			b.WriteByte('\\')
		}
		b.WriteByte(c)
	}
	return b.String()
}

// mdBlock is md for text that starts a line, where "-", "+" or "1." would
// start a list and ">" a quote.
func mdBlock(s string) string {
	e := md(s)
	if e == "" {
		return e
	}
	switch e[0] {
	case '-', '+', '=':
		return "\\" + e
	}
	// "1. " or "1) " starts an ordered list.
	i := 0
	for i < len(e) && e[i] >= '0' && e[i] <= '9' {
		i++
	}
	if i > 0 && i < len(e) && (e[i] == '.' || e[i] == ')') {
		return e[:i] + "\\" + e[i:]
	}
	return e
}

func (m *mdWriter) render(r *result.Report) {
	v := r.Verdict
	m.p("## ", mdOverall(v.Status), " netprobe: ", md(headline(v)))
	if s := mdBlock(v.Summary); s != "" {
		m.p()
		m.p(s)
	}
	if len(v.Advice) > 0 {
		m.p()
		m.p("**Next steps**")
		m.p()
		for i, a := range v.Advice {
			m.p(fmt.Sprintf("%d. ", i+1), mdBlock(a))
		}
	}
	if len(v.Consequences) > 0 {
		m.p()
		m.p("**Also failing because of this:** ", layerTitles(v.Consequences))
	}
	if len(v.Independent) > 0 {
		m.p()
		m.p("**Separate problems (not caused by this):** ", layerTitles(v.Independent))
	}
	if len(v.Evidence) > 0 {
		m.p()
		m.p("**Evidence**")
		m.p()
		for _, e := range v.Evidence {
			m.p("- ", mdBlock(e))
		}
	}
	for _, l := range r.Layers {
		m.layer(l)
	}
	m.details(r)
	m.p()
	m.footer(r)
}

func (m *mdWriter) layer(l result.LayerResult) {
	m.p()
	m.p("### ", layerTitle(l.Name), ": ", mdMark(l.Status))
	if n := mdBlock(l.Note); n != "" {
		m.p()
		m.p("> ", n)
	}
	m.p()
	if len(l.Checks) == 0 {
		m.p("_No checks._")
		return
	}
	m.p("| | Check | Target | Result |")
	m.p("|---|---|---|---|")
	for _, c := range l.Checks {
		res := md(c.Detail)
		if facts := factsFor(c); len(facts) > 0 {
			res = strings.TrimSpace(res + " (" + md(strings.Join(facts, ", ")) + ")")
		}
		m.p("| ", mdMark(c.Status), " | ", md(c.Name), " | ", md(c.Target), " | ", res, " |")
	}
	for _, c := range l.Checks {
		m.printer(c)
	}
}

// printer writes the printer tables of one check, if it has any.
func (m *mdWriter) printer(c result.Check) {
	title := md(strings.TrimSpace(c.Name + " " + c.Target))
	if s, ok := supplies(c.Evidence["supplies"]); ok && len(s) > 0 {
		rows := make([]levelRow, len(s))
		for i, x := range s {
			rows[i] = supplyRow(x)
		}
		m.levelTable("Supplies", "Supply", title, rows)
	}
	if s, ok := trays(c.Evidence["trays"]); ok && len(s) > 0 {
		rows := make([]levelRow, len(s))
		for i, x := range s {
			rows[i] = trayRow(x)
		}
		m.levelTable("Trays", "Tray", title, rows)
	}
	if p, ok := strs(c.Evidence["problems"]); ok && len(p) > 0 {
		m.p()
		m.p("**Problems:** ", md(strings.Join(p, ", ")))
	}
	if p, ok := strs(c.Evidence["errors"]); ok && len(p) > 0 {
		m.p()
		m.p("**Error flags:** ", md(strings.Join(p, ", ")))
	}
	if a, ok := alerts(c.Evidence["alerts"]); ok && len(a) > 0 {
		m.p()
		m.p("**Alerts: ", title, "**")
		m.p()
		m.p("| Severity | Alert | Description |")
		m.p("|---|---|---|")
		for _, x := range a {
			m.p("| ", md(x.Severity), " | ", md(alertCode(x)), " | ", md(x.Description), " |")
		}
	}
	if d, ok := strs(c.Evidence["display"]); ok && len(d) > 0 {
		lines := make([]string, len(d))
		for i, l := range d {
			lines[i] = clean(l)
		}
		m.p()
		m.p("**Display: ", title, "**")
		m.p()
		m.fence("text", strings.Join(lines, "\n"))
	}
}

// mdLevel is a level as a monospace bar and a percentage, or a word.
// levelTable writes a table of supply or tray levels under a bold title.
func (m *mdWriter) levelTable(heading, column, title string, rows []levelRow) {
	m.p()
	m.p("**", heading, ": ", title, "**")
	m.p()
	m.p("| ", column, " | Level | State |")
	m.p("|---|---|---|")
	for _, r := range rows {
		m.p("| ", md(r.name), " | ", mdLevel(r), " | ", mdState(r), " |")
	}
}

func mdLevel(r levelRow) string {
	if r.percent == nil {
		if r.raw == -3 {
			return "some remaining"
		}
		return "unknown"
	}
	t := &textWriter{o: TextOptions{Unicode: true}}
	s := "`" + t.bar(*r.percent) + "` " + pctText(*r.percent)
	if r.free {
		s += " free"
	}
	return s
}

// mdState is the state column, empty when the level column already says
// the same words ("some remaining").
func mdState(r levelRow) string {
	if st := stateText(r.state); st != mdLevel(r) {
		return md(st)
	}
	return ""
}

// fence writes body as a fenced code block whose fence is longer than any
// run of backticks inside it, so data cannot close the block early.
func (m *mdWriter) fence(lang, body string) {
	n, run := 3, 0
	for _, c := range body {
		if c == '`' {
			run++
			n = max(n, run+1)
		} else {
			run = 0
		}
	}
	f := strings.Repeat("`", n)
	m.p(f, lang)
	m.p(body)
	m.p(f)
}

// details writes every check's full evidence as JSON inside one collapsed
// block: complete and unambiguous for whoever picks up the ticket, without
// making the report long for everyone else.
func (m *mdWriter) details(r *result.Report) {
	has := false
	for _, l := range r.Layers {
		for _, c := range l.Checks {
			if len(c.Evidence) > 0 || c.Error != "" {
				has = true
			}
		}
	}
	if !has {
		return
	}
	m.p()
	m.p("<details>")
	m.p("<summary>Full evidence</summary>")
	for _, l := range r.Layers {
		for _, c := range l.Checks {
			if len(c.Evidence) == 0 && c.Error == "" {
				continue
			}
			m.p()
			m.p("**", layerTitle(l.Name), " · ", md(c.Name), " · ", md(c.Target), "** (", md(string(c.Status)), ", ", duration(c.Duration), ")")
			if e := md(c.Error); e != "" {
				m.p()
				m.p("Error: ", e)
			}
			if len(c.Evidence) > 0 {
				m.p()
				m.fence("json", evidenceJSON(c.Evidence))
			}
		}
	}
	m.p()
	m.p("</details>")
}

// evidenceJSON is the evidence as indented JSON with sorted keys. It is
// inside a code fence, where HTML is not interpreted, so it is left
// unescaped for reading; runes that would drive or reorder a terminal are
// \u escapes, as in the JSON format.
func evidenceJSON(ev map[string]any) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	c, err := canonical(finiteEvidence(ev))
	if err == nil {
		err = enc.Encode(c)
	}
	if err != nil {
		// A probe stored something JSON cannot hold (a channel, a func):
		// show what can be shown rather than fail the whole report.
		return value(ev)
	}
	return strings.TrimRight(string(escapeInvisible(b.Bytes())), "\n")
}

func (m *mdWriter) footer(r *result.Report) {
	items := runItems(r, md)
	if h := md(r.Host.Hostname); h != "" {
		items = append(items, "host "+h)
	}
	if r.Host.OS != "" || r.Host.Arch != "" {
		items = append(items, md(strings.Trim(r.Host.OS+"/"+r.Host.Arch, "/")))
	}
	if r.Host.ICMP != "" {
		items = append(items, "icmp "+md(r.Host.ICMP))
	}
	// Plain text rather than <sub>: ticket systems that show Markdown but
	// not HTML would print the tags.
	m.p(strings.Join(items, " · "))
	if why := md(r.Host.ICMPReason); why != "" {
		m.p()
		m.p("Ping: ", why)
	}
	if c := r.Command; c != "" {
		m.p()
		m.p("Command:")
		m.p()
		m.fence("", clean(c))
	}
	if r.Redacted {
		m.p()
		m.p("_Addresses and names in this report are masked for sharing._")
	}
}
