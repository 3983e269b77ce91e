package watch

import (
	"math"
	"time"

	"github.com/netprobe/netprobe/result"
)

// Schema names the JSON form of a watch summary. Like the report's, its
// fields may be added but never renamed or removed without a new version.
const Schema = "netprobe.watch/v1"

// Summary is the finished watch: what every renderer of `netprobe watch`
// takes. It holds only aggregates and bounded samples.
type Summary struct {
	Schema    string      `json:"schema"`
	Tool      result.Tool `json:"tool"`
	Command   string      `json:"command"`
	Host      result.Host `json:"host"`
	StartedAt time.Time   `json:"started_at"`
	EndedAt   time.Time   `json:"ended_at"`
	// Duration is the watch's wall time, EndedAt-StartedAt.
	Duration   time.Duration `json:"-"`
	DurationMS float64       `json:"duration_ms"`
	// Interval is the time between the starts of two rounds.
	Interval   time.Duration `json:"-"`
	IntervalMS float64       `json:"interval_ms"`
	// FullEvery: every this many rounds the whole diagnosis runs (see
	// Next); the rounds between are lighter.
	FullEvery int `json:"full_every"`
	// Rounds counts measured rounds; Discarded those cut short (Ctrl-C,
	// the end of --duration), whose results do not count.
	Rounds      int  `json:"rounds"`
	FullRounds  int  `json:"full_rounds"`
	LightRounds int  `json:"light_rounds"`
	Discarded   int  `json:"discarded_rounds"`
	Interrupted bool `json:"interrupted"`
	Redacted    bool `json:"redacted"`
	// Status is the worst the watch saw: fail when a layer failed in
	// some round, degraded when one only warned, unknown when no round
	// was measured, ok otherwise.
	Status result.Overall `json:"status"`
	// Outages counts the outage windows of every layer.
	Outages int `json:"outages"`
	// Verdicts counts rounds per verdict status.
	Verdicts map[result.Overall]int `json:"verdicts"`
	// Last is the verdict of the last measured round: the state now.
	Last         result.Verdict `json:"last_verdict"`
	Layers       []LayerSummary `json:"layers"`
	Paths        []PathSummary  `json:"paths"`
	DroppedPaths int            `json:"dropped_paths,omitempty"`
	// Changes are the most recent changes of state, oldest first;
	// ChangesTotal counts all of them.
	Changes      []Change `json:"changes"`
	ChangesTotal int      `json:"changes_total"`
	Timeline     Timeline `json:"timeline"`
}

// LayerSummary is one layer over the whole watch.
type LayerSummary struct {
	Name result.Layer `json:"name"`
	// Status and Reason are the layer's state in the last round that
	// measured it.
	Status result.Status `json:"status"`
	Reason result.Reason `json:"reason,omitempty"`
	Rounds int           `json:"rounds"`
	OK     int           `json:"ok"`
	Warn   int           `json:"warn"`
	Fail   int           `json:"fail"`
	Skip   int           `json:"skip"`
	// Outages counts every outage window (closed or still open);
	// OutageTotal is their added duration.
	Outages       int           `json:"outages"`
	OutageTotal   time.Duration `json:"-"`
	OutageTotalMS float64       `json:"outage_total_ms"`
	Longest       *WindowJSON   `json:"longest,omitempty"`
	// Windows are the most recent outages, oldest first (at most
	// Config.MaxWindows); WindowsDropped counts older ones left out.
	Windows        []WindowJSON `json:"windows"`
	WindowsDropped int          `json:"windows_dropped,omitempty"`
}

// WindowJSON is a Window with its duration in milliseconds.
type WindowJSON struct {
	Window
	DurationMS float64 `json:"duration_ms"`
}

// PathSummary is one path (one check of one target) over the watch.
type PathSummary struct {
	Layer  result.Layer `json:"layer"`
	Check  string       `json:"check"`
	Target string       `json:"target"`
	// Metric is the evidence key the latency figures come from
	// ("rtt_ms", "connect_ms", ...).
	Metric  string     `json:"metric,omitempty"`
	Rounds  int        `json:"rounds"`
	OK      int        `json:"ok"`
	Warn    int        `json:"warn"`
	Fail    int        `json:"fail"`
	Skip    int        `json:"skip"`
	Latency *Quantiles `json:"latency_ms"`
	Loss    *Loss      `json:"loss"`
}

// Quantiles summarise a distribution of milliseconds. P50, P90 and P99
// come from a t-digest; Min, Max and Mean are exact.
type Quantiles struct {
	N    int     `json:"n"`
	Min  float64 `json:"min"`
	P50  float64 `json:"p50"`
	P90  float64 `json:"p90"`
	P99  float64 `json:"p99"`
	Max  float64 `json:"max"`
	Mean float64 `json:"mean"`
}

// Loss summarises packet loss: the total over every echo request of the
// watch, and the distribution of the per-round loss (how bad the bad
// rounds were).
type Loss struct {
	Sent     int     `json:"sent"`
	Received int     `json:"received"`
	Pct      float64 `json:"pct"`
	Rounds   int     `json:"rounds"`
	P50      float64 `json:"p50"`
	P95      float64 `json:"p95"`
	Max      float64 `json:"max"`
}

// Timeline is the watch in at most Config.Buckets slices of equal width.
type Timeline struct {
	Start   time.Time     `json:"start"`
	Width   time.Duration `json:"-"`
	WidthMS float64       `json:"bucket_ms"`
	Buckets []Bucket      `json:"buckets"`
}

// Bucket is one slice: the worst state of each layer and verdict in it,
// and each path's figures (aligned with Summary.Paths).
type Bucket struct {
	Start  time.Time `json:"start"`
	Rounds int       `json:"rounds"`
	// Verdict is the worst verdict of the slice's rounds; empty when no
	// round started in it.
	Verdict result.Overall `json:"verdict,omitempty"`
	// Layers maps a layer to its worst status in the slice (only layers
	// measured in it).
	Layers map[string]result.Status `json:"layers"`
	Paths  []Point                  `json:"paths"`
}

// Point is one path in one slice; nil figures were not measured.
type Point struct {
	Rounds  int      `json:"rounds"`
	Fail    int      `json:"fail"`
	MinMS   *float64 `json:"min_ms"`
	AvgMS   *float64 `json:"avg_ms"`
	MaxMS   *float64 `json:"max_ms"`
	LossPct *float64 `json:"loss_pct"`
}

// Meta is what the watch loop knows and the reports do not.
type Meta struct {
	Interval    time.Duration
	FullEvery   int
	End         time.Time
	Interrupted bool
	Redacted    bool
}

// Summary builds the summary at the end of the watch (or at any time:
// it does not change the aggregator). Open outage windows run to m.End.
func (a *Aggregator) Summary(m Meta) *Summary {
	end := m.End
	if end.IsZero() || end.Before(a.lastEnd) {
		end = a.lastEnd
	}
	s := &Summary{
		Schema: Schema, Tool: a.tool, Command: a.command, Host: a.host,
		StartedAt: a.first, EndedAt: end, Interval: m.Interval, IntervalMS: result.Millis(m.Interval), FullEvery: m.FullEvery,
		Rounds: a.rounds, FullRounds: a.full, LightRounds: a.light, Discarded: a.discarded,
		Interrupted: m.Interrupted, Redacted: m.Redacted, Verdicts: map[result.Overall]int{},
		Last: a.lastVerdict, ChangesTotal: a.changesTotal, DroppedPaths: a.dropped,
		Layers: []LayerSummary{}, Paths: []PathSummary{},
	}
	if a.rounds == 0 {
		s.StartedAt = end
	}
	s.Duration = s.EndedAt.Sub(s.StartedAt)
	s.DurationMS = result.Millis(s.Duration)
	for k, v := range a.verdicts {
		s.Verdicts[k] = v
	}
	s.Changes = inOrder(a.changes, a.changeNext)
	if s.Changes == nil {
		s.Changes = []Change{}
	}
	s.Status = result.Healthy
	if a.rounds == 0 {
		s.Status = result.Unknown
	}
	for _, l := range layerIndex {
		st := a.layers[l]
		if st == nil {
			continue
		}
		ls := a.layerSummary(l, st, end)
		s.Outages += ls.Outages
		switch {
		case ls.Fail > 0:
			s.Status = result.Failed
		case ls.Warn > 0 && s.Status == result.Healthy:
			s.Status = result.Degraded
		}
		s.Layers = append(s.Layers, ls)
	}
	for _, p := range a.paths {
		s.Paths = append(s.Paths, p.summary())
	}
	s.Timeline = a.timeline.export(len(a.paths))
	return s
}

func (a *Aggregator) layerSummary(l result.Layer, st *layerState, end time.Time) LayerSummary {
	ls := LayerSummary{Name: l, Status: st.status, Reason: st.reason, Rounds: st.rounds,
		OK: st.counts[result.OK], Warn: st.counts[result.Warn], Fail: st.counts[result.Fail], Skip: st.counts[result.Skip],
		Outages: st.outages, OutageTotal: st.total, Windows: []WindowJSON{}}
	for _, w := range inOrder(st.windows, st.next) {
		ls.Windows = append(ls.Windows, windowJSON(w))
	}
	ls.WindowsDropped = st.outages - len(st.windows)
	longest := st.longest
	if st.open != nil {
		w := *st.open
		w.Duration = end.Sub(w.Start)
		ls.Windows = append(ls.Windows, windowJSON(w))
		ls.Outages++
		ls.OutageTotal += w.Duration
		if w.Duration > longest.Duration || longest.Start.IsZero() {
			longest = w
		}
	}
	if !longest.Start.IsZero() {
		lw := windowJSON(longest)
		ls.Longest = &lw
	}
	ls.OutageTotalMS = result.Millis(ls.OutageTotal)
	return ls
}

func windowJSON(w Window) WindowJSON { return WindowJSON{w, result.Millis(w.Duration)} }

// round1 keeps one decimal, the precision of every figure in a report.
func round1(v float64) float64 { return math.Round(v*10) / 10 }

func (p *pathAgg) summary() PathSummary {
	ps := PathSummary{Layer: p.key.layer, Check: p.key.check, Target: p.key.target, Metric: p.metric,
		Rounds: p.rounds, OK: p.counts[result.OK], Warn: p.counts[result.Warn], Fail: p.counts[result.Fail], Skip: p.counts[result.Skip]}
	if p.latN > 0 {
		q := &Quantiles{N: p.latN, Min: round1(p.latMin), Max: round1(p.latMax), Mean: round1(p.latSum / float64(p.latN)),
			P50: round1(p.lat.Quantile(0.5)), P90: round1(p.lat.Quantile(0.9)), P99: round1(p.lat.Quantile(0.99))}
		// The sketch interpolates; it must never claim beyond what was seen.
		for _, v := range []*float64{&q.P50, &q.P90, &q.P99} {
			*v = math.Min(math.Max(*v, q.Min), q.Max)
		}
		ps.Latency = q
	}
	if p.lossN > 0 {
		l := &Loss{Sent: p.sent, Received: p.received, Rounds: p.lossN, Max: round1(p.lossMax),
			P50: round1(p.loss.Quantile(0.5)), P95: round1(p.loss.Quantile(0.95))}
		for _, v := range []*float64{&l.P50, &l.P95} {
			*v = math.Min(math.Max(*v, 0), l.Max)
		}
		if p.sent > 0 {
			l.Pct = round1(100 * float64(p.sent-p.received) / float64(p.sent))
		}
		ps.Loss = l
	}
	return ps
}

func (t *timeline) export(paths int) Timeline {
	out := Timeline{Start: t.origin, Width: t.width, WidthMS: result.Millis(t.width), Buckets: make([]Bucket, 0, len(t.buckets))}
	for i, b := range t.buckets {
		eb := Bucket{Start: t.origin.Add(time.Duration(i) * t.width), Rounds: b.rounds,
			Verdict: rankedOverall[b.verdict], Layers: map[string]result.Status{}, Paths: make([]Point, paths)}
		for j, r := range b.layers {
			if r > 0 {
				eb.Layers[layerIndex[j].String()] = ranked[r]
			}
		}
		for j, p := range b.paths {
			eb.Paths[j] = p.export()
		}
		for j := len(b.paths); j < paths; j++ {
			eb.Paths[j] = Point{}
		}
		out.Buckets = append(out.Buckets, eb)
	}
	return out
}

func (p point) export() Point {
	out := Point{Rounds: p.rounds, Fail: p.fails}
	f := func(v float64) *float64 { v = round1(v); return &v }
	if p.n > 0 {
		out.MinMS, out.MaxMS, out.AvgMS = f(p.min), f(p.max), f(p.sum/float64(p.n))
	}
	switch {
	case p.sent > 0:
		out.LossPct = f(100 * float64(p.sent-p.received) / float64(p.sent))
	case p.lossN > 0:
		out.LossPct = f(p.lossSum / float64(p.lossN))
	}
	return out
}

// Masker hides identifying strings (redact.Masker satisfies it), so the
// watch package need not know how redaction works.
type Masker interface {
	String(string) string
	Command(string) string
}

// Mask returns a copy of s with every string from the network or the
// command line passed through m, and Redacted set.
func (s *Summary) Mask(m Masker) *Summary {
	out := *s
	out.Command = m.Command(s.Command)
	if out.Host.Hostname != "" {
		out.Host.Hostname = m.String(s.Host.Hostname)
	}
	out.Host.ICMPReason = m.String(s.Host.ICMPReason)
	out.Last.Summary = m.String(s.Last.Summary)
	out.Last.Advice = maskAll(m, s.Last.Advice)
	out.Last.Evidence = maskAll(m, s.Last.Evidence)
	out.Layers = make([]LayerSummary, len(s.Layers))
	for i, l := range s.Layers {
		l.Windows = append([]WindowJSON(nil), l.Windows...)
		for j := range l.Windows {
			l.Windows[j].Target = m.String(l.Windows[j].Target)
		}
		if l.Longest != nil {
			lw := *l.Longest
			lw.Target = m.String(lw.Target)
			l.Longest = &lw
		}
		out.Layers[i] = l
	}
	out.Paths = append([]PathSummary(nil), s.Paths...)
	for i := range out.Paths {
		out.Paths[i].Target = m.String(out.Paths[i].Target)
	}
	out.Changes = append([]Change(nil), s.Changes...)
	for i := range out.Changes {
		out.Changes[i] = out.Changes[i].Mask(m)
	}
	out.Redacted = true
	return &out
}

// Mask returns the change with its target and detail masked.
func (c Change) Mask(m Masker) Change {
	c.Target, c.Detail = m.String(c.Target), m.String(c.Detail)
	return c
}

func maskAll(m Masker, ss []string) []string {
	if ss == nil {
		return nil
	}
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = m.String(s)
	}
	return out
}
