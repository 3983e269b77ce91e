package reports

import (
	"bytes"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/netprobe/netprobe/result"
	"github.com/netprobe/netprobe/watch"
)

// WatchMarkdown writes a watch summary for a ticket: the outcome as a
// heading, then the outages, layers and paths as tables. Text from the
// network is escaped as in Markdown.
func WatchMarkdown(w io.Writer, s *watch.Summary) error {
	var b bytes.Buffer
	m := &mdWriter{b: &b}
	m.p("## ", mdOverall(s.Status), " netprobe watch: ", md(watchHeadline(s)))
	m.p()
	m.p("Watched ", md(span(s.StartedAt, s.EndedAt, " – ")), " UTC (", duration(s.Duration), "), ", md(roundsLine(s)), ".")
	if s.Interrupted {
		m.p()
		m.p("Stopped by Ctrl-C (or SIGTERM) before the end of `--duration`.")
	}
	if s.Rounds > 0 {
		m.p()
		now := "**Now:** " + md(headline(s.Last))
		if sum := md(s.Last.Summary); sum != "" && s.Last.Status != result.Healthy {
			now += ". " + sum
		}
		m.p(now)
	}

	m.p()
	m.p("### Outages")
	m.p()
	if s.Outages == 0 {
		m.p("None: no layer failed in any round.")
	} else {
		m.p("| Layer | Start (UTC) | End | Duration | Role | Reason | Target |")
		m.p("|---|---|---|---|---|---|---|")
		for _, l := range s.Layers {
			for _, win := range l.Windows {
				end, role := clock(win.End), "consequence"
				if win.Open {
					end = "still down"
				}
				if win.Cause {
					role = "cause"
				}
				m.p("| ", layerTitle(l.Name), " | ", stamp(win.Start), " | ", end, " | ", duration(win.Duration), " | ", role,
					" | ", mdCode(string(win.Reason)), " | ", md(win.Target), " |")
			}
		}
		for _, l := range s.Layers {
			if l.WindowsDropped > 0 {
				m.p()
				m.p(fmt.Sprintf("%s: %d earlier outages not listed (longest %s).", layerTitle(l.Name), l.WindowsDropped, md(longestText(l))))
			}
		}
	}

	m.p()
	m.p("### Layers")
	m.p()
	m.p("| Layer | Now | Rounds | OK | Warn | Fail | Skip | Outages | Down |")
	m.p("|---|---|---:|---:|---:|---:|---:|---:|---:|")
	for _, l := range s.Layers {
		m.p("| ", layerTitle(l.Name), " | ", mdMark(l.Status), " | ", strconv.Itoa(l.Rounds), " | ", strconv.Itoa(l.OK), " | ",
			strconv.Itoa(l.Warn), " | ", strconv.Itoa(l.Fail), " | ", strconv.Itoa(l.Skip), " | ", strconv.Itoa(l.Outages), " | ", duration(l.OutageTotal), " |")
	}

	if len(s.Paths) > 0 {
		m.p()
		m.p("### Paths")
		m.p()
		m.p("| Path | Rounds | OK | Latency p50 / p90 / p99 / max (ms) | Loss | Loss per round p95 / max |")
		m.p("|---|---:|---:|---|---:|---:|")
		for _, p := range s.Paths {
			lat, loss, lossR := "-", "-", "-"
			if q := p.Latency; q != nil {
				lat = metricWord(p.Metric) + " " + num(q.P50) + " / " + num(q.P90) + " / " + num(q.P99) + " / " + num(q.Max)
			}
			if l := p.Loss; l != nil {
				loss = num(l.Pct) + "% of " + strconv.Itoa(l.Sent)
				lossR = num(l.P95) + "% / " + num(l.Max) + "%"
			}
			m.p("| ", md(pathTitle(p)), " | ", strconv.Itoa(p.Rounds), " | ", pctOf(p.OK+p.Warn, p.Rounds-p.Skip), " | ", lat, " | ", loss, " | ", lossR, " |")
		}
	}

	if len(s.Changes) > 0 {
		m.p()
		m.p("<details>")
		title := "Changes"
		if s.ChangesTotal > len(s.Changes) {
			title = fmt.Sprintf("Changes (the last %d of %d)", len(s.Changes), s.ChangesTotal)
		}
		m.p("<summary>", title, "</summary>")
		m.p()
		m.p("| Time (UTC) | Layer | Change | Reason | Evidence |")
		m.p("|---|---|---|---|---|")
		for _, c := range s.Changes {
			change := mdMark(c.To)
			if c.From != "" {
				change = mdMark(c.From) + " → " + change
			}
			if c.To == result.Fail && !c.Cause {
				change += " (consequence)"
			}
			m.p("| ", stamp(c.At), " | ", layerTitle(c.Layer), " | ", change, " | ", mdCode(string(c.Reason)), " | ", md(changeEvidence(c)), " |")
		}
		m.p()
		m.p("</details>")
	}

	m.p()
	items := []string{"netprobe " + md(s.Tool.Version), "watch"}
	if h := md(s.Host.Hostname); h != "" {
		items = append(items, "host "+h)
	}
	m.p(strings.Join(items, " · "))
	if c := s.Command; c != "" {
		m.p()
		m.p("Command:")
		m.p()
		m.fence("", clean(c))
	}
	if s.Redacted {
		m.p()
		m.p("_Addresses and names in this summary are masked for sharing._")
	}
	_, err := w.Write(b.Bytes())
	return err
}

// mdCode is a reason code in code spans, or nothing. Codes are
// [a-z0-9._] by construction; one read back from a file is escaped
// instead of trusted.
func mdCode(s string) string {
	if s == "" {
		return ""
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '.' || r == '_') {
			return md(s)
		}
	}
	return "`" + s + "`"
}
