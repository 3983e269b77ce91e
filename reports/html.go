package reports

import (
	"bytes"
	"embed"
	"encoding/json"
	"html/template"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/netprobe/netprobe/result"
)

// FormatHTML is one self-contained HTML page.
const FormatHTML = "html"

// The HTML renderer writes one file that needs nothing else: the style
// sheet is inline, bars and charts are inline SVG, and there is no
// script at all (a Content-Security-Policy forbids any). It reads in
// light and dark mode and prints on paper.
//
// Every string of the report is untrusted: a printer's sysDescr or a
// certificate subject comes from the network and a saved report can be
// edited. html/template escapes each by the context it lands in (text,
// attribute, URL), and the renderer never marks report text as safe HTML;
// only the embedded style sheet is trusted.

//go:embed html/*.tmpl html/style.css
var htmlFiles embed.FS

var htmlTemplates = template.Must(template.New("").ParseFS(htmlFiles, "html/*.tmpl"))

// htmlCSS is the embedded style sheet, trusted because it is ours.
var htmlCSS = func() template.CSS {
	b, err := htmlFiles.ReadFile("html/style.css")
	if err != nil {
		panic(err)
	}
	return template.CSS(b) // #nosec G203 -- our own embedded file, no report data
}()

// htmlPage holds what every page's head and footer show.
type htmlPage struct {
	Title, Generator string
	CSS              template.CSS
	Footer           []string
	ICMPReason       string
	Command          string
	Redacted         bool
}

// htmlReport is a report ready for the template: every string cleaned,
// every number formatted. The template only places it.
type htmlReport struct {
	htmlPage
	Class, Word, Headline, Summary, Reason string
	Advice, Evidence                       []string
	Consequences, Independent              string
	Ladder                                 []htmlRung
	Layers                                 []htmlLayer
	Details                                []htmlDetail
}

type htmlRung struct{ ID, Title, Class, Word string }

type htmlLayer struct {
	ID, Title, Class, Word, Note, Reason string
	Checks                               []htmlCheck
}

type htmlCheck struct {
	Class, Word, Reason, Name, Target, Detail, Error string
	Round2                                           bool
	Facts                                            []string
	Supplies, Trays                                  []htmlLevel
	Problems, Errors, Display                        []string
	Alerts                                           []htmlAlert
	Hops                                             []htmlHop
	// HopPing is set when some hop was also pinged directly.
	HopPing bool
}

type htmlLevel struct {
	Name, State, Text, Fill string
	Known                   bool
	Width                   string
}

type htmlAlert struct{ Severity, Code, Description string }

type htmlHop struct {
	TTL                       int
	Addr, Mark, Replies, Loss string
	LossWidth, Avg, PingLoss  string
}

type htmlDetail struct{ Title, Status, Took, Error, JSON string }

// HTML writes the report as one self-contained HTML page.
func HTML(w io.Writer, r *result.Report) error {
	return execHTML(w, "report.tmpl", htmlReportOf(r))
}

// execHTML renders into memory first, so a failing template never leaves
// half a page behind.
func execHTML(w io.Writer, name string, data any) error {
	var b bytes.Buffer
	if err := htmlTemplates.ExecuteTemplate(&b, name, data); err != nil {
		return err
	}
	_, err := w.Write(b.Bytes())
	return err
}

// statusClass is the CSS class of a check or layer status.
func statusClass(s result.Status) string {
	switch s {
	case result.OK, result.Warn, result.Fail, result.Skip:
		return string(s)
	}
	return "unknown"
}

// overallClass is the CSS class of a verdict status.
func overallClass(o result.Overall) string {
	switch o {
	case result.Healthy:
		return "ok"
	case result.Degraded:
		return "warn"
	case result.Failed:
		return "fail"
	}
	return "unknown"
}

func cleanAll(ss []string) []string {
	out := make([]string, 0, len(ss))
	for _, s := range ss {
		if c := clean(s); c != "" {
			out = append(out, c)
		}
	}
	return out
}

func htmlPageOf(title, generator string, r *result.Report, footer []string) htmlPage {
	return htmlPage{Title: title, Generator: generator, CSS: htmlCSS, Footer: footer,
		ICMPReason: clean(r.Host.ICMPReason), Command: clean(r.Command), Redacted: r.Redacted}
}

func htmlReportOf(r *result.Report) htmlReport {
	v := r.Verdict
	footer := runItems(r, clean)
	if h := clean(r.Host.Hostname); h != "" {
		footer = append(footer, "host "+h)
	}
	if r.Host.OS != "" || r.Host.Arch != "" {
		footer = append(footer, clean(strings.Trim(r.Host.OS+"/"+r.Host.Arch, "/")))
	}
	if r.Host.ICMP != "" {
		footer = append(footer, "icmp "+clean(r.Host.ICMP))
	}
	h := htmlReport{
		htmlPage: htmlPageOf("netprobe: "+headline(v), "netprobe "+clean(r.Tool.Version), r, footer),
		Class:    overallClass(v.Status), Word: overallWord(v.Status), Headline: headline(v),
		Summary: clean(v.Summary), Reason: clean(string(v.Reason)),
		Advice: cleanAll(v.Advice), Evidence: cleanAll(v.Evidence),
		Consequences: layerTitles(v.Consequences), Independent: layerTitles(v.Independent),
	}
	tested := map[result.Layer]result.LayerResult{}
	for _, l := range r.Layers {
		tested[l.Name] = l
	}
	for _, l := range result.Layers {
		lr, ok := tested[l]
		if !ok {
			h.Ladder = append(h.Ladder, htmlRung{Title: layerTitle(l), Class: "absent", Word: "not tested"})
			continue
		}
		h.Ladder = append(h.Ladder, htmlRung{ID: "layer-" + l.String(), Title: layerTitle(l), Class: statusClass(lr.Status), Word: statusWord(lr.Status)})
	}
	for _, l := range r.Layers {
		hl := htmlLayer{ID: "layer-" + l.Name.String(), Title: layerTitle(l.Name), Class: statusClass(l.Status),
			Word: statusWord(l.Status), Note: clean(l.Note), Reason: clean(string(l.Reason))}
		for _, c := range l.Checks {
			hl.Checks = append(hl.Checks, htmlCheckOf(c))
			if len(c.Evidence) > 0 || c.Error != "" {
				h.Details = append(h.Details, htmlDetail{
					Title:  layerTitle(l.Name) + " · " + clean(c.Name) + " · " + clean(c.Target),
					Status: clean(string(c.Status)), Took: duration(c.Duration), Error: clean(c.Error),
					JSON: evidenceJSON(c.Evidence),
				})
			}
		}
		h.Layers = append(h.Layers, hl)
	}
	return h
}

func htmlCheckOf(c result.Check) htmlCheck {
	hc := htmlCheck{Class: statusClass(c.Status), Word: statusWord(c.Status), Reason: clean(string(c.Reason)),
		Name: clean(c.Name), Target: clean(c.Target), Detail: clean(c.Detail), Error: clean(c.Error),
		Round2: c.Round == 2, Facts: keyFacts(c.Evidence)}
	if s, ok := supplies(c.Evidence["supplies"]); ok {
		for _, x := range s {
			name := firstNonEmpty(clean(x.Description), clean(x.Type), "supply "+clean(x.Index))
			hc.Supplies = append(hc.Supplies, htmlLevelOf(name, x.Percent, x.Level, x.State, x.Class == "receptacle", x.Color))
		}
	}
	if s, ok := trays(c.Evidence["trays"]); ok {
		for _, x := range s {
			name := firstNonEmpty(clean(x.Name), "tray "+clean(x.Index))
			hc.Trays = append(hc.Trays, htmlLevelOf(name, x.Percent, x.Level, x.State, false, ""))
		}
	}
	hc.Problems, _ = strs(c.Evidence["problems"])
	hc.Problems = cleanAll(hc.Problems)
	hc.Errors, _ = strs(c.Evidence["errors"])
	hc.Errors = cleanAll(hc.Errors)
	hc.Display, _ = strs(c.Evidence["display"])
	hc.Display = cleanAll(hc.Display)
	if a, ok := alerts(c.Evidence["alerts"]); ok {
		for _, x := range a {
			code := clean(x.CodeName)
			if code == "" {
				code = "code " + strconv.Itoa(x.Code)
			}
			hc.Alerts = append(hc.Alerts, htmlAlert{Severity: clean(x.Severity), Code: code, Description: clean(x.Description)})
		}
	}
	hc.Hops = htmlHops(c.Evidence)
	for _, h := range hc.Hops {
		hc.HopPing = hc.HopPing || h.PingLoss != ""
	}
	return hc
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if strings.TrimSpace(s) != "" {
			return s
		}
	}
	return ""
}

// levelWidth is the bar's drawn width in pixels (of 160) for a level in
// percent. A level above 0 shows at least a sliver and one below 100
// never looks full, like the text bars.
func levelWidth(p float64) string {
	const full = 160
	w := math.Round(p / 100 * full)
	switch {
	case p > 0 && w < 2:
		w = 2
	case p < 100 && w > full-2:
		w = full - 2
	case w < 0:
		w = 0
	case w > full:
		w = full
	}
	return strconv.FormatFloat(w, 'f', -1, 64)
}

// supplyColors are the printer colours drawn in their own colour; any
// other fills by state. The colour name is only looked up, never put into
// the page.
var supplyColors = map[string]string{"black": "c-black", "cyan": "c-cyan", "magenta": "c-magenta", "yellow": "c-yellow"}

func htmlLevelOf(name string, pct *float64, raw int, state string, free bool, color string) htmlLevel {
	st := stateWords(state)
	l := htmlLevel{Name: name, State: st}
	if pct == nil || math.IsNaN(*pct) || math.IsInf(*pct, 0) {
		l.Text = "unknown"
		if raw == -3 {
			l.Text = "some remaining"
		}
		if l.State == l.Text {
			l.State = ""
		}
		return l
	}
	l.Known, l.Width = true, levelWidth(*pct)
	l.Text = pctText(*pct)
	if free {
		l.Text += " free"
	}
	l.Fill = "fill-ok"
	switch state {
	case "low", "nearly_full", "some_remaining":
		l.Fill = "fill-warn"
	case "empty", "full":
		l.Fill = "fill-fail"
	case "ok":
		if c, ok := supplyColors[strings.ToLower(strings.TrimSpace(color))]; ok {
			l.Fill = c
		}
	default:
		l.Fill = "fill-skip"
	}
	return l
}

// stateWords turns "nearly_full" into "nearly full".
func stateWords(s string) string { return strings.ReplaceAll(clean(s), "_", " ") }

// hopRow is one hop of a trace as the JSON schema has it. Decoding
// through JSON accepts the typed hops a trace probe stores and the
// generic maps of a report read back from a file alike.
type hopRow struct {
	TTL      int      `json:"ttl"`
	Addr     string   `json:"addr"`
	Sent     int      `json:"sent"`
	Received int      `json:"received"`
	LossPct  *float64 `json:"loss_pct"`
	AvgMS    *float64 `json:"avg_ms"`
	// PingLossPct is the loss of echo requests sent straight to the hop:
	// a router that looks lossy in the trace but answers these is only
	// rate-limiting its ICMP errors.
	PingLossPct *float64 `json:"ping_loss_pct"`
}

// htmlHops draws the evidence "hops" of a trace check, if it has any.
func htmlHops(ev map[string]any) []htmlHop {
	v, ok := ev["hops"]
	if !ok || v == nil {
		return nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil
	}
	var rows []hopRow
	if json.Unmarshal(b, &rows) != nil {
		return nil
	}
	var out []htmlHop
	for _, h := range rows {
		hh := htmlHop{TTL: h.TTL, Addr: clean(h.Addr), Replies: strconv.Itoa(h.Received) + "/" + strconv.Itoa(h.Sent), Loss: "-", LossWidth: "0", Avg: "-"}
		if hh.Addr == "" {
			hh.Addr = "*"
		}
		if h.LossPct != nil && !math.IsNaN(*h.LossPct) {
			p := math.Min(math.Max(*h.LossPct, 0), 100)
			hh.Loss, hh.LossWidth = num(p)+"%", strconv.FormatFloat(math.Round(p), 'f', -1, 64)
		}
		if h.AvgMS != nil && !math.IsNaN(*h.AvgMS) {
			hh.Avg = num(*h.AvgMS) + " ms"
		}
		if h.PingLossPct != nil && !math.IsNaN(*h.PingLossPct) {
			hh.PingLoss = num(math.Min(math.Max(*h.PingLossPct, 0), 100)) + "%"
		}
		switch {
		case isHop(ev["loss_from_hop"], h):
			hh.Mark = "loss starts here"
		case isHop(ev["last_hop"], h):
			hh.Mark = "last answer"
		}
		out = append(out, hh)
	}
	return out
}

// isHop reports whether an evidence value names hop h, by its distance
// (a number) or its address (a string).
func isHop(v any, h hopRow) bool {
	if n, ok := number(v); ok {
		return n > 0 && int(n) == h.TTL
	}
	if s, ok := v.(string); ok {
		return s != "" && s == h.Addr
	}
	return false
}
