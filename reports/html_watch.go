package reports

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/netprobe/netprobe/result"
	"github.com/netprobe/netprobe/watch"
)

// Geometry of the watch page's SVG drawings, in user units (the drawings
// scale to the page width).
const (
	svgW      = 960 // whole drawing
	svgLeft   = 90  // label column
	svgRight  = 10  // right margin
	svgPlot   = svgW - svgLeft - svgRight
	rowH      = 16 // one layer row of the timeline
	rowGap    = 6
	chartTop  = 8
	chartH    = 80 // latency area
	lossH     = 24 // loss strip under it
	maxCharts = 8  // paths drawn; the table lists them all
)

type htmlWatch struct {
	htmlPage
	Class, Word, Headline  string
	Meta                   []string
	Now, NowClass, NowWord string
	Timeline               htmlTimeline
	Charts                 []htmlChart
	Outages                []htmlOutage
	OutageNotes            []string
	Resolution             string
	Layers                 []htmlWatchLayer
	Paths                  []htmlPath
	Changes                []htmlChange
	ChangesNote            string
}

type htmlTimeline struct {
	W, H, Left, Plot, RowH int
	Width                  string
	Ticks                  []htmlTick
	Rows                   []htmlRow
}

type htmlTick struct{ X, Label, Anchor string }

type htmlRow struct {
	Label    string
	Y, TextY int
	Cells    []htmlRect
}

type htmlRect struct{ X, Y, W, H, Class, Title string }

type htmlChart struct {
	Title, Stats, YMax                      string
	W, H, Left, Right, TopY, Base, LossBase int
	Shade, Band, Loss                       []htmlRect
	Lines                                   []string
}

type htmlOutage struct{ Layer, Start, End, Duration, Role, Reason, Target string }

type htmlWatchLayer struct {
	Title, Class, Word, Reason, Down, Longest string
	Rounds, OK, Warn, Fail, Skip, Outages     int
}

type htmlPath struct {
	Title, OK, Metric, P50, P90, P99, Max, Loss, LossRounds string
	Rounds                                                  int
}

type htmlChange struct {
	At, Layer, From, FromClass, To, ToClass, Role, Reason, Evidence string
}

// WatchHTML writes a watch summary as one self-contained HTML page: the
// timeline of every layer and the latency and loss of every path as
// inline SVG, then the outage, layer, path and change tables.
func WatchHTML(w io.Writer, s *watch.Summary) error {
	return execHTML(w, "watch.tmpl", htmlWatchOf(s))
}

// fx formats an SVG coordinate.
func fx(v float64) string { return strconv.FormatFloat(math.Round(v*10)/10, 'f', -1, 64) }

// timeScale maps times of the watch onto the plot's x axis.
type timeScale struct {
	start time.Time
	span  time.Duration
}

func (t timeScale) x(at time.Time) float64 {
	if t.span <= 0 {
		return svgLeft
	}
	f := float64(at.Sub(t.start)) / float64(t.span)
	return svgLeft + math.Min(math.Max(f, 0), 1)*svgPlot
}

// w is the drawn width of a duration, at least one unit so a short
// outage stays visible.
func (t timeScale) w(d time.Duration) float64 {
	if t.span <= 0 {
		return svgPlot
	}
	return math.Max(1, float64(d)/float64(t.span)*svgPlot)
}

func htmlWatchOf(s *watch.Summary) htmlWatch {
	footer := []string{"netprobe " + clean(s.Tool.Version), "watch"}
	if !s.StartedAt.IsZero() {
		footer = append(footer, "started "+stamp(s.StartedAt)+" UTC")
	}
	if h := clean(s.Host.Hostname); h != "" {
		footer = append(footer, "host "+h)
	}
	if s.Host.OS != "" || s.Host.Arch != "" {
		footer = append(footer, clean(strings.Trim(s.Host.OS+"/"+s.Host.Arch, "/")))
	}
	r := &result.Report{Command: s.Command, Redacted: s.Redacted, Host: s.Host}
	h := htmlWatch{
		htmlPage: htmlPageOf("netprobe watch: "+watchHeadline(s), "netprobe "+clean(s.Tool.Version), r, footer),
		Class:    overallClass(s.Status), Word: overallWord(s.Status), Headline: watchOutcome(s),
		Resolution: "a round every " + duration(s.Interval),
	}
	h.Meta = append(h.Meta, "Watched "+span(s.StartedAt, s.EndedAt, " – ")+" UTC ("+duration(s.Duration)+"), "+roundsLine(s)+".")
	if s.Interrupted {
		h.Meta = append(h.Meta, "Stopped by Ctrl-C (or SIGTERM) before the end of --duration.")
	}
	if s.Rounds > 0 {
		h.Now, h.NowClass, h.NowWord = headline(s.Last), overallClass(s.Last.Status), overallWord(s.Last.Status)
		if sum := clean(s.Last.Summary); sum != "" {
			h.Now += ". " + sum
		}
	}
	scale := timeScale{start: s.StartedAt, span: s.EndedAt.Sub(s.StartedAt)}
	h.Timeline = htmlTimelineOf(s, scale)
	h.Charts = htmlChartsOf(s, scale)

	for _, l := range s.Layers {
		for _, win := range l.Windows {
			o := htmlOutage{Layer: layerTitle(l.Name), Start: stamp(win.Start), End: clock(win.End), Duration: duration(win.Duration),
				Role: "consequence", Reason: clean(string(win.Reason)), Target: clean(win.Target)}
			if win.Cause {
				o.Role = "cause"
			}
			if win.Open {
				o.End = "still down"
			}
			h.Outages = append(h.Outages, o)
		}
		if l.WindowsDropped > 0 {
			h.OutageNotes = append(h.OutageNotes, fmt.Sprintf("%s: %d earlier outages are not listed (longest %s).", layerTitle(l.Name), l.WindowsDropped, longestText(l)))
		}
		wl := htmlWatchLayer{Title: layerTitle(l.Name), Class: statusClass(l.Status), Word: statusWord(l.Status), Reason: clean(string(l.Reason)),
			Rounds: l.Rounds, OK: l.OK, Warn: l.Warn, Fail: l.Fail, Skip: l.Skip, Outages: l.Outages, Down: duration(l.OutageTotal), Longest: "-"}
		if l.Longest != nil {
			wl.Longest = longestText(l)
		}
		h.Layers = append(h.Layers, wl)
	}
	for _, p := range s.Paths {
		hp := htmlPath{Title: pathTitle(p), Rounds: p.Rounds, OK: pctOf(p.OK+p.Warn, p.Rounds-p.Skip), Metric: "-",
			P50: "-", P90: "-", P99: "-", Max: "-", Loss: "-", LossRounds: "-"}
		if q := p.Latency; q != nil {
			hp.Metric, hp.P50, hp.P90, hp.P99, hp.Max = metricWord(p.Metric), num(q.P50), num(q.P90), num(q.P99), num(q.Max)
		}
		if l := p.Loss; l != nil {
			hp.Loss = num(l.Pct) + "% of " + strconv.Itoa(l.Sent)
			hp.LossRounds = num(l.P95) + "% / " + num(l.Max) + "%"
		}
		h.Paths = append(h.Paths, hp)
	}
	for _, c := range s.Changes {
		hc := htmlChange{At: stamp(c.At), Layer: layerTitle(c.Layer), To: statusWord(c.To), ToClass: statusClass(c.To),
			Reason: clean(string(c.Reason)), Evidence: changeEvidence(c)}
		if c.From != "" {
			hc.From, hc.FromClass = statusWord(c.From), statusClass(c.From)
		} else {
			hc.Role = "first round"
		}
		if c.To == result.Fail && !c.Cause {
			hc.Role = "consequence of a lower layer"
		}
		h.Changes = append(h.Changes, hc)
	}
	if s.ChangesTotal > len(s.Changes) {
		h.ChangesNote = fmt.Sprintf("The last %d of %d changes.", len(s.Changes), s.ChangesTotal)
	}
	return h
}

// ticks are five time labels across the plot.
func ticks(scale timeScale) []htmlTick {
	var out []htmlTick
	for i := 0; i <= 4; i++ {
		at := scale.start.Add(time.Duration(float64(scale.span) * float64(i) / 4))
		t := htmlTick{X: fx(scale.x(at)), Label: clock(at), Anchor: "middle"}
		switch i {
		case 0:
			t.Anchor = "start"
		case 4:
			t.Anchor = "end"
		}
		out = append(out, t)
	}
	return out
}

func htmlTimelineOf(s *watch.Summary, scale timeScale) htmlTimeline {
	tl := htmlTimeline{W: svgW, Left: svgLeft, Plot: svgPlot, RowH: rowH, Width: duration(s.Timeline.Width), Ticks: ticks(scale)}
	y := 20
	for _, l := range s.Layers {
		row := htmlRow{Label: layerTitle(l.Name), Y: y, TextY: y + rowH - 4}
		for _, b := range s.Timeline.Buckets {
			st, ok := b.Layers[l.Name.String()]
			if !ok || b.Rounds == 0 {
				continue
			}
			row.Cells = append(row.Cells, htmlRect{X: fx(scale.x(b.Start)), Y: strconv.Itoa(y), W: fx(scale.w(s.Timeline.Width)), H: strconv.Itoa(rowH),
				Class: "fill-" + statusClass(st), Title: clock(b.Start) + " " + l.Name.String() + " " + statusWord(st)})
		}
		tl.Rows = append(tl.Rows, row)
		y += rowH + rowGap
	}
	tl.H = y
	return tl
}

// niceMax rounds a chart's top up to 1, 2 or 5 times a power of ten.
func niceMax(v float64) float64 {
	if v <= 0 || math.IsNaN(v) || math.IsInf(v, 0) {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 5, 10} {
		if v <= m*p {
			return m * p
		}
	}
	return 10 * p
}

func htmlChartsOf(s *watch.Summary, scale timeScale) []htmlChart {
	base := chartTop + chartH
	lossBase := base + 6 + lossH
	var shade []htmlRect
	for _, l := range s.Layers {
		for _, w := range l.Windows {
			if !w.Cause {
				continue
			}
			shade = append(shade, htmlRect{X: fx(scale.x(w.Start)), Y: "0", W: fx(scale.w(w.Duration)), H: strconv.Itoa(lossBase),
				Title: l.Name.String() + " down " + clock(w.Start) + ", " + duration(w.Duration)})
		}
	}
	var out []htmlChart
	bw := scale.w(s.Timeline.Width)
	for i, p := range s.Paths {
		if len(out) == maxCharts {
			break
		}
		c := htmlChart{Title: pathTitle(p), W: svgW, H: lossBase + 4, Left: svgLeft, Right: svgLeft + svgPlot,
			TopY: chartTop + 10, Base: base, LossBase: lossBase, Shade: shade, Stats: pathFigures(p)}
		top := 0.0
		for _, b := range s.Timeline.Buckets {
			if i < len(b.Paths) && b.Paths[i].MaxMS != nil {
				top = math.Max(top, *b.Paths[i].MaxMS)
			}
		}
		top = niceMax(top)
		c.YMax = num(top) + " ms"
		y := func(v float64) float64 { return float64(base) - math.Min(v/top, 1)*chartH }
		var line []string
		for _, b := range s.Timeline.Buckets {
			if i >= len(b.Paths) {
				line = flushLine(&c, line)
				continue
			}
			pt := b.Paths[i]
			x := scale.x(b.Start)
			if pt.AvgMS == nil {
				line = flushLine(&c, line)
			} else {
				c.Band = append(c.Band, htmlRect{X: fx(x), Y: fx(y(*pt.MaxMS)), W: fx(bw), H: fx(math.Max(1, y(*pt.MinMS)-y(*pt.MaxMS))),
					Title: clock(b.Start) + ": " + num(*pt.MinMS) + " to " + num(*pt.MaxMS) + " ms, avg " + num(*pt.AvgMS)})
				line = append(line, fx(x+bw/2)+","+fx(y(*pt.AvgMS)))
			}
			loss, what := -1.0, "loss"
			switch {
			case pt.LossPct != nil:
				loss = *pt.LossPct
			case pt.Rounds > 0:
				loss, what = 100*float64(pt.Fail)/float64(pt.Rounds), "failed rounds"
			}
			if loss > 0 {
				hgt := math.Max(1, loss/100*lossH)
				c.Loss = append(c.Loss, htmlRect{X: fx(x), Y: fx(float64(lossBase) - hgt), W: fx(bw), H: fx(hgt),
					Title: clock(b.Start) + ": " + what + " " + num(loss) + "%"})
			}
		}
		flushLine(&c, line)
		out = append(out, c)
	}
	return out
}

// flushLine ends one stretch of the average line; a stretch of one point
// is drawn as a tiny horizontal stroke so it still shows.
func flushLine(c *htmlChart, pts []string) []string {
	switch len(pts) {
	case 0:
		return nil
	case 1:
		x, y, _ := strings.Cut(pts[0], ",")
		xv, _ := strconv.ParseFloat(x, 64)
		pts = []string{fx(xv-1) + "," + y, fx(xv+1) + "," + y}
	}
	c.Lines = append(c.Lines, strings.Join(pts, " "))
	return nil
}
