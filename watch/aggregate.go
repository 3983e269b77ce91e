// Package watch turns a stream of diagnosis reports into what a person
// hunting an intermittent fault needs: one event per change of a layer's
// state, outage windows per layer, and loss and latency percentiles per
// path, over minutes or days, in memory that does not grow with the
// number of rounds.
//
// It keeps aggregates, never reports: per layer a current state, counts
// and the most recent outage windows; per path a t-digest of latencies
// and of per-round loss; a timeline of fixed size whose buckets double in
// width as the watch goes on. Everything here is a pure function of the
// reports fed in (their StartedAt is the clock), so tests drive it with
// synthetic reports and a fake clock.
package watch

import (
	"time"

	"github.com/netprobe/netprobe/result"
)

// Limits that keep a long watch's memory flat. A flapping link at a
// 200 ms interval changes state thousands of times an hour; the summary
// keeps totals of everything and the details of the most recent.
const (
	// DefaultMaxWindows is how many outage windows each layer keeps in
	// detail (the most recent); count, total and longest cover the rest.
	DefaultMaxWindows = 100
	// DefaultMaxChanges is how many state changes the summary lists (the
	// most recent); ChangesTotal counts all.
	DefaultMaxChanges = 200
	// DefaultMaxPaths bounds the paths with statistics. A run has a fixed
	// set of targets, so this only guards against a report whose targets
	// change every round.
	DefaultMaxPaths = 32
	// DefaultBuckets is the timeline's resolution: the whole watch is
	// drawn in at most this many time slices.
	DefaultBuckets = 240
	// digestCompression trades accuracy for size in the quantile
	// sketches: at 100 a t-digest holds at most ~1,000 centroids (16 KB)
	// and its p99 is within a fraction of a percent in rank.
	digestCompression = 100
)

// Config sets the aggregator's limits; zero values take the defaults.
type Config struct {
	MaxWindows int
	MaxChanges int
	MaxPaths   int
	Buckets    int
	// BucketWidth is the timeline's first bucket width, normally the
	// watch interval; buckets double in width when they run out.
	BucketWidth time.Duration
}

func (c Config) withDefaults() Config {
	if c.MaxWindows <= 0 {
		c.MaxWindows = DefaultMaxWindows
	}
	if c.MaxChanges <= 0 {
		c.MaxChanges = DefaultMaxChanges
	}
	if c.MaxPaths <= 0 {
		c.MaxPaths = DefaultMaxPaths
	}
	if c.Buckets < 2 {
		c.Buckets = DefaultBuckets
	}
	c.Buckets += c.Buckets % 2 // pairs merge, so the count is even
	if c.BucketWidth <= 0 {
		c.BucketWidth = time.Second
	}
	return c
}

// Change is one change of a layer's state between two measured rounds:
// what a person watching the terminal sees as one line.
type Change struct {
	At    time.Time    `json:"at"`
	Round int          `json:"round"`
	Layer result.Layer `json:"layer"`
	// From is the state before; empty for the first measurement of the
	// layer.
	From result.Status `json:"from"`
	To   result.Status `json:"to"`
	// Reason is the code of the new state (empty when it is ok).
	Reason result.Reason `json:"reason,omitempty"`
	// FromReason is the code of the old state, when it had one.
	FromReason result.Reason `json:"from_reason,omitempty"`
	// Target and Detail name the check that shows the new state.
	Target string `json:"target,omitempty"`
	Detail string `json:"detail,omitempty"`
	// Cause is true when the layer is the verdict's layer in this round:
	// the root cause, not a consequence of a lower layer.
	Cause bool `json:"cause"`
}

// Window is one outage of a layer: from the first round that found it
// failing to the first round that measured it working again. Its edges
// are as precise as the rounds: the fault began after the last good
// round and ended after the last failing one.
type Window struct {
	Start time.Time `json:"start"`
	// End is zero while the outage lasts (Open).
	End  time.Time `json:"end,omitzero"`
	Open bool      `json:"open"`
	// Duration is End-Start, or up to the last round for an open window.
	Duration time.Duration `json:"-"`
	// Reason and Target are the failing check's when the outage began.
	Reason result.Reason `json:"reason,omitempty"`
	Target string        `json:"target,omitempty"`
	// Cause is true when, in some round of the window, this layer was
	// the verdict's layer (the cause, not a consequence).
	Cause bool `json:"cause"`
	// Rounds counts the failing rounds inside the window.
	Rounds int `json:"rounds"`
}

// layerState is what the aggregator remembers about one layer.
type layerState struct {
	measured bool
	status   result.Status
	reason   result.Reason
	rounds   int
	counts   map[result.Status]int

	open    *Window
	windows []Window // ring of the most recent closed windows
	next    int      // ring write position once full
	outages int
	total   time.Duration
	longest Window
}

// Aggregator accumulates rounds. It is not safe for concurrent use: the
// watch loop feeds it from one goroutine.
type Aggregator struct {
	cfg    Config
	layers map[result.Layer]*layerState

	rounds, full, light, discarded int
	first, last                    time.Time
	lastEnd                        time.Time
	lastFullLayers                 []result.Layer
	lastVerdict                    result.Verdict
	changedLast                    bool
	sinceFull                      int
	verdicts                       map[result.Overall]int

	tool    result.Tool
	command string
	host    result.Host

	changes      []Change // ring of the most recent
	changeNext   int
	changesTotal int

	paths   []*pathAgg
	pathIdx map[pathKey]int
	dropped int

	timeline timeline
}

// New returns an empty aggregator.
func New(cfg Config) *Aggregator {
	cfg = cfg.withDefaults()
	return &Aggregator{
		cfg:      cfg,
		layers:   map[result.Layer]*layerState{},
		verdicts: map[result.Overall]int{},
		pathIdx:  map[pathKey]int{},
		timeline: newTimeline(cfg.Buckets, cfg.BucketWidth),
	}
}

// Add feeds one round's report and returns the changes it showed, lowest
// layer first. full says whether the round measured everything the user
// asked for (see Next). An interrupted report (Ctrl-C, or the watch's end
// cutting a round short) measured nothing for sure and is only counted.
func (a *Aggregator) Add(r *result.Report, full bool) []Change {
	if r == nil || r.Interrupted {
		a.discarded++
		return nil
	}
	at := r.StartedAt
	if a.rounds == 0 {
		a.first = at
		a.tool, a.command, a.host = r.Tool, r.Command, r.Host
	}
	a.rounds++
	a.last = at
	if end := at.Add(r.Duration); end.After(a.lastEnd) {
		a.lastEnd = end
	}
	if full {
		a.full++
		a.sinceFull = 0
		a.lastFullLayers = a.lastFullLayers[:0]
		for _, l := range r.Layers {
			a.lastFullLayers = append(a.lastFullLayers, l.Name)
		}
	} else {
		a.light++
		a.sinceFull++
	}
	a.lastVerdict = r.Verdict
	a.verdicts[r.Verdict.Status]++

	var out []Change
	for _, l := range r.Layers {
		if c, ok := a.addLayer(at, r, l); ok {
			out = append(out, c)
		}
	}
	a.changedLast = false
	for _, c := range out {
		a.record(c)
		// A layer's first measurement is no change to confirm.
		a.changedLast = a.changedLast || c.From != ""
	}
	a.addPaths(r)
	a.timeline.add(at, r, a)
	return out
}

// explain picks the check that shows a layer's status: the first whose
// status is the layer's. Its reason is the layer's own code when the
// judge set one (a cross-layer finding), else the check's.
func explain(l result.LayerResult) (result.Reason, string, string) {
	reason := l.Reason
	for _, c := range l.Checks {
		if c.Status == l.Status {
			if reason == "" {
				reason = c.Reason
			}
			return reason, c.Target, c.Detail
		}
	}
	if l.Note != "" {
		return reason, "", l.Note
	}
	return reason, "", ""
}

// addLayer updates one layer's state and reports whether it changed.
func (a *Aggregator) addLayer(at time.Time, r *result.Report, l result.LayerResult) (Change, bool) {
	st := a.layers[l.Name]
	if st == nil {
		st = &layerState{counts: map[result.Status]int{}}
		a.layers[l.Name] = st
	}
	reason, target, detail := explain(l)
	if l.Status == result.OK {
		reason = ""
	}
	st.rounds++
	st.counts[l.Status]++
	cause := r.Verdict.Layer == l.Name && r.Verdict.Status != result.Healthy

	switch {
	case l.Status == result.Fail && st.open == nil:
		st.open = &Window{Start: at, Open: true, Reason: reason, Target: target}
		fallthrough
	case l.Status == result.Fail:
		st.open.Rounds++
		st.open.Cause = st.open.Cause || cause
		st.open.Duration = at.Sub(st.open.Start)
	case (l.Status == result.OK || l.Status == result.Warn) && st.open != nil:
		// Measured working again: the outage ends here. A skipped layer
		// (not measured) leaves an open window open.
		w := *st.open
		w.End, w.Open, w.Duration = at, false, at.Sub(w.Start)
		st.open = nil
		a.closeWindow(st, w)
	}

	changed := !st.measured || st.status != l.Status || st.reason != reason
	c := Change{At: at, Round: a.rounds, Layer: l.Name, To: l.Status, Reason: reason, Target: target, Detail: detail, Cause: cause}
	if st.measured {
		c.From, c.FromReason = st.status, st.reason
	}
	st.measured, st.status, st.reason = true, l.Status, reason
	return c, changed
}

// closeWindow files a finished outage: into the totals, and into the ring
// of recent windows.
func (a *Aggregator) closeWindow(st *layerState, w Window) {
	st.outages++
	st.total += w.Duration
	if w.Duration > st.longest.Duration || st.longest.Start.IsZero() {
		st.longest = w
	}
	if len(st.windows) < a.cfg.MaxWindows {
		st.windows = append(st.windows, w)
		return
	}
	st.windows[st.next] = w
	st.next = (st.next + 1) % len(st.windows)
}

// record keeps a change in the ring of recent changes.
func (a *Aggregator) record(c Change) {
	a.changesTotal++
	if len(a.changes) < a.cfg.MaxChanges {
		a.changes = append(a.changes, c)
		return
	}
	a.changes[a.changeNext] = c
	a.changeNext = (a.changeNext + 1) % len(a.changes)
}

// inOrder returns a ring's elements oldest first.
func inOrder[T any](ring []T, next int) []T {
	out := make([]T, 0, len(ring))
	out = append(out, ring[next:]...)
	return append(out, ring[:next]...)
}

// Rounds returns how many rounds were measured (interrupted ones not
// counted).
func (a *Aggregator) Rounds() int { return a.rounds }

// Failed reports whether any layer failed in any measured round: the
// watch's exit code.
func (a *Aggregator) Failed() bool {
	for _, st := range a.layers {
		if st.counts[result.Fail] > 0 {
			return true
		}
	}
	return false
}
