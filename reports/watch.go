package reports

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/netprobe/netprobe/result"
	"github.com/netprobe/netprobe/watch"
)

// Renderers of `netprobe watch`: the live lines, one per change of a
// layer's state, and the summary at the end in text, JSON, Markdown or
// HTML. Like the report renderers they only format: the aggregation
// (windows, percentiles, the timeline) was done by the watch package.

// WatchFormats are the formats of a watch summary, in help order.
var WatchFormats = []string{FormatText, FormatJSON, FormatMarkdown, FormatHTML}

// ParseWatchFormat is ParseFormat for the watch summary, which has no
// JUnit or Prometheus form: a watch is not one pass/fail result, nor a
// scrape of the current state.
func ParseWatchFormat(s string) (string, error) {
	f, err := ParseFormat(s)
	if err != nil {
		return "", fmt.Errorf("unknown output format %q for watch (want %s)", s, strings.Join(WatchFormats, ", "))
	}
	for _, w := range WatchFormats {
		if f == w {
			return f, nil
		}
	}
	return "", fmt.Errorf("output format %q is not available for watch (want %s)", s, strings.Join(WatchFormats, ", "))
}

// RenderWatch writes a watch summary in the named format.
func RenderWatch(w io.Writer, format string, s *watch.Summary, o TextOptions) error {
	f, err := ParseWatchFormat(format)
	if err != nil {
		return err
	}
	switch f {
	case FormatJSON:
		return WatchJSON(w, s)
	case FormatMarkdown:
		return WatchMarkdown(w, s)
	case FormatHTML:
		return WatchHTML(w, s)
	}
	return WatchText(w, s, o)
}

// WatchJSON writes the summary in the netprobe.watch/v1 schema
// (docs/watch.md): indented, lists never null, keys in a fixed order.
func WatchJSON(w io.Writer, s *watch.Summary) error {
	c := *s
	if c.Schema == "" {
		c.Schema = watch.Schema
	}
	c.Last.Advice = nonNil(c.Last.Advice)
	c.Last.Evidence = nonNil(c.Last.Evidence)
	c.Last.Consequences = nonNil(c.Last.Consequences)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(c)
}

// clock is a time of day in UTC, the unit of the live lines.
func clock(t time.Time) string { return t.UTC().Format("15:04:05") }

// stamp is a full UTC time.
func stamp(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05") }

// span is "03:04:05 - 03:04:09" (the end's date only when it differs).
func span(a, b time.Time, arrow string) string {
	if a.UTC().Format(time.DateOnly) == b.UTC().Format(time.DateOnly) {
		return stamp(a) + arrow + clock(b)
	}
	return stamp(a) + arrow + stamp(b)
}

// watchPainter colours status words when the terminal can show colour.
type watchPainter struct{ o TextOptions }

func (p watchPainter) status(s result.Status) string {
	w := statusWord(s)
	if s == result.OK {
		w = "ok"
	}
	if !p.o.Color {
		return w
	}
	switch s {
	case result.OK:
		return ansiGreen + w + ansiReset
	case result.Warn:
		return ansiYellow + w + ansiReset
	case result.Fail:
		return ansiBold + ansiRed + w + ansiReset
	}
	return ansiDim + w + ansiReset
}

func (p watchPainter) arrow() string {
	if p.o.Unicode {
		return " → "
	}
	return " -> "
}

func (p watchPainter) dash() string {
	if p.o.Unicode {
		return " – "
	}
	return " - "
}

// WatchLines writes the live lines of one round: the first measurement of
// the layers as one "start" line, then one line per change. Strings from
// the network are sanitised; nothing is written for a round without change.
func WatchLines(w io.Writer, changes []watch.Change, o TextOptions) error {
	p := watchPainter{o}
	var b bytes.Buffer
	var first []string
	var at time.Time
	for _, c := range changes {
		if c.From == "" {
			first = append(first, c.Layer.String()+" "+p.status(c.To))
			at = c.At
		}
	}
	if len(first) > 0 {
		fmt.Fprintf(&b, "%s  %-9s %s\n", clock(at), "start", strings.Join(first, ", "))
	}
	for _, c := range changes {
		if c.From == "" {
			continue
		}
		line := fmt.Sprintf("%s  %-9s %s%s%s", clock(c.At), c.Layer, p.status(c.From), p.arrow(), p.status(c.To))
		if c.Reason != "" {
			line += "  " + clean(string(c.Reason))
		}
		if c.To == result.Fail && !c.Cause {
			line += " (consequence of a lower layer)"
		}
		if ev := changeEvidence(c); ev != "" {
			line += "  " + ev
		}
		b.WriteString(line + "\n")
	}
	_, err := w.Write(b.Bytes())
	return err
}

// changeEvidence is "target: detail", without repeating a target the
// detail already starts with.
func changeEvidence(c watch.Change) string {
	t, d := clean(c.Target), clean(c.Detail)
	switch {
	case t == "" || strings.HasPrefix(d, t):
		return d
	case d == "":
		return t
	}
	return t + ": " + d
}

// watchHeadline is the summary's first line, e.g. "FAIL: Gateway down
// twice, 13s in all; Internet failed with it".
func watchHeadline(s *watch.Summary) string {
	if s.Status == result.Unknown {
		return "NOT MEASURED: " + watchOutcome(s)
	}
	return overallWord(s.Status) + ": " + watchOutcome(s)
}

// watchOutcome is the headline without its status word. Outages are
// counted at the layer that caused them; layers that only failed as a
// consequence are named, not counted again.
func watchOutcome(s *watch.Summary) string {
	switch s.Status {
	case result.Unknown:
		return "no round finished"
	case result.Healthy:
		return "no outage in " + duration(s.Duration)
	case result.Degraded:
		return "no outage in " + duration(s.Duration) + ", but warnings"
	}
	var causes, follow []string
	for _, l := range s.Layers {
		n, d := 0, time.Duration(0)
		for _, w := range l.Windows {
			if w.Cause {
				n++
				d += w.Duration
			}
		}
		switch {
		case n > 0 && l.WindowsDropped == 0:
			causes = append(causes, fmt.Sprintf("%s down %s, %s in all", layerTitle(l.Name), times(n), duration(d)))
		case n > 0:
			causes = append(causes, fmt.Sprintf("%s down %s and earlier", layerTitle(l.Name), times(n)))
		case l.Outages > 0:
			follow = append(follow, layerTitle(l.Name))
		}
	}
	h := strings.Join(causes, "; ")
	if len(causes) == 0 {
		h = plural(s.Outages, "outage", "outages") + " in " + duration(s.Duration)
	}
	if len(follow) > 0 {
		h += "; " + strings.Join(follow, ", ") + " failed with it"
	}
	return h
}

// times is "once", "twice" or "3 times".
func times(n int) string {
	switch n {
	case 1:
		return "once"
	case 2:
		return "twice"
	}
	return strconv.Itoa(n) + " times"
}

// roundsLine says how many rounds ran and how.
func roundsLine(s *watch.Summary) string {
	l := plural(s.Rounds, "round", "rounds")
	if s.Interval > 0 {
		l += " every " + duration(s.Interval)
	}
	l += " (" + strconv.Itoa(s.FullRounds) + " full, " + strconv.Itoa(s.LightRounds) + " light)"
	if s.Discarded > 0 {
		l += ", " + plural(s.Discarded, "round", "rounds") + " cut short and not counted"
	}
	return l
}

// WatchText writes the summary for a terminal or a ticket.
func WatchText(w io.Writer, s *watch.Summary, o TextOptions) error {
	p := watchPainter{o}
	var b bytes.Buffer
	line := func(parts ...string) {
		b.WriteString(strings.TrimRight(strings.Join(parts, ""), " ") + "\n")
	}
	head := "Watch: " + watchHeadline(s)
	if o.Color {
		head = ansiBold + head + ansiReset
	}
	line(head)
	line("Watched ", span(s.StartedAt, s.EndedAt, p.dash()), " UTC (", duration(s.Duration), "), ", roundsLine(s))
	if s.Interrupted {
		line("Stopped by Ctrl-C (or SIGTERM) before the end of --duration.")
	}
	if s.Rounds > 0 {
		now := "Now: " + headline(s.Last)
		if sum := clean(s.Last.Summary); sum != "" && s.Last.Status != result.Healthy {
			now += ". " + sum
		}
		line(now)
	}

	line()
	if s.Outages == 0 {
		line("Outages: none")
	} else {
		line("Outages (from the first failing round to the first good one):")
		for _, l := range s.Layers {
			if l.WindowsDropped > 0 {
				line(fmt.Sprintf("  %-9s %d earlier outages not listed; longest %s", l.Name, l.WindowsDropped, longestText(l)))
			}
			for _, win := range l.Windows {
				end := clock(win.End)
				if win.Open {
					end = "still down"
				}
				role := "cause"
				if !win.Cause {
					role = "consequence"
				}
				line(fmt.Sprintf("  %-9s %s%s%-10s  %8s  %-11s %s  %s", l.Name, stamp(win.Start), p.dash(), end,
					duration(win.Duration), role, clean(string(win.Reason)), clean(win.Target)))
			}
		}
	}

	line()
	if len(s.Layers) == 0 {
		line("Layers: none measured")
	} else {
		line("Layers:     now      rounds   ok    warn  fail  skip  outages  down")
	}
	for _, l := range s.Layers {
		line(fmt.Sprintf("  %-9s %-8s %6d %6d %5d %5d %5d %8d  %s", l.Name, statusWord(l.Status), l.Rounds, l.OK, l.Warn, l.Fail, l.Skip, l.Outages, duration(l.OutageTotal)))
	}

	if len(s.Paths) > 0 {
		line()
		line("Paths (latency in ms: p50 / p90 / p99 / max; loss over all echo requests, and per round p95 / max):")
		for _, ps := range s.Paths {
			line("  ", pathTitle(ps))
			line("      ", pathFigures(ps))
		}
		if s.DroppedPaths > 0 {
			line(fmt.Sprintf("  (%d more paths not followed)", s.DroppedPaths))
		}
	}

	if o.Verbose && len(s.Changes) > 0 {
		line()
		title := "Changes:"
		if s.ChangesTotal > len(s.Changes) {
			title = fmt.Sprintf("Changes (the last %d of %d):", len(s.Changes), s.ChangesTotal)
		}
		line(title)
		var cl bytes.Buffer
		if err := WatchLines(&cl, s.Changes, o); err != nil {
			return err
		}
		for _, l := range strings.Split(strings.TrimRight(cl.String(), "\n"), "\n") {
			line("  ", l)
		}
	}

	line()
	items := runItems(&result.Report{Tool: s.Tool, StartedAt: s.StartedAt, Duration: s.Duration}, clean)
	items = append(items[:1], "watch")
	if h := clean(s.Host.Hostname); h != "" {
		items = append(items, "host "+h)
	}
	line(strings.Join(items, " | "))
	if s.Redacted {
		line("Addresses and names in this summary are masked for sharing.")
	}
	_, err := w.Write(b.Bytes())
	return err
}

// longestText is a layer's longest outage: "4.2s from 03:04:05".
func longestText(l watch.LayerSummary) string {
	if l.Longest == nil {
		return "-"
	}
	return duration(l.Longest.Duration) + " from " + stamp(l.Longest.Start)
}

// pathTitle names a path: "gateway ping 10.77.1.1", or "dns example.com
// @192.168.1.1" where the check is named like its layer.
func pathTitle(ps watch.PathSummary) string {
	if ps.Check == ps.Layer.String() {
		return ps.Layer.String() + " " + clean(ps.Target)
	}
	return ps.Layer.String() + " " + clean(ps.Check) + " " + clean(ps.Target)
}

// pathFigures is a path's rounds, latency and loss on one line.
func pathFigures(ps watch.PathSummary) string {
	parts := []string{fmt.Sprintf("%d rounds, %s ok", ps.Rounds, pctOf(ps.OK+ps.Warn, ps.Rounds-ps.Skip))}
	if q := ps.Latency; q != nil {
		parts = append(parts, fmt.Sprintf("%s %s / %s / %s / %s ms", metricWord(ps.Metric), num(q.P50), num(q.P90), num(q.P99), num(q.Max)))
	}
	if l := ps.Loss; l != nil {
		parts = append(parts, fmt.Sprintf("loss %s%% of %d (per round p95 %s%%, max %s%%)", num(l.Pct), l.Sent, num(l.P95), num(l.Max)))
	}
	return strings.Join(parts, "; ")
}

// pctOf is n of total as a percentage, "-" when total is 0.
func pctOf(n, total int) string {
	if total <= 0 {
		return "-"
	}
	return num(100*float64(n)/float64(total)) + "%"
}

// metricWord names the latency figure in words.
func metricWord(k string) string {
	switch k {
	case "connect_ms":
		return "connect"
	case "handshake_ms":
		return "TLS handshake"
	case "ttfb_ms":
		return "first byte"
	}
	return "rtt"
}
