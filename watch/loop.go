package watch

import (
	"context"
	"slices"
	"sync/atomic"
	"time"

	"github.com/netprobe/netprobe/result"
)

// DefaultFullEvery is how often, in rounds, a light watch runs the whole
// diagnosis: at the default 5 s interval, once a minute.
const DefaultFullEvery = 12

// Plan is what one round measures.
type Plan struct {
	// Full is true when the round runs everything the user asked for.
	Full bool
	// Layers, for a light round, are the layers to run; nil for a full
	// round (the user's selection).
	Layers []result.Layer
}

// Next plans the next round from what the watch has seen so far. It is
// a pure function of the aggregator's state.
//
// A full round runs the whole diagnosis: the first round, every
// fullEvery-th round, and the round right after any change, so every
// change is confirmed with all the evidence (reference DNS comparison,
// follow-ups, every layer) a few seconds after it shows.
//
// A light round runs whole layers only, never part of one, so a layer's
// status is always judged on the same checks and cannot flap because a
// round measured less:
//   - layers above the lowest failing one are left out. During a gateway
//     outage the DNS and service checks only wait out their timeouts,
//     which makes every round as long as its budget; without them the
//     rounds stay short and the outage's end is seen within an interval.
//     Their state is carried until the next full round, which comes
//     straight after the failing layer recovers;
//   - the printer is left out unless it is the failing layer: an SNMP walk
//     is the heaviest probe of a run and a printer's state changes slowly,
//     so the full rounds watch it.
//
// Everything else (link, address, gateway, internet, DNS, services) is
// what an intermittent drop hits, and runs every round.
func (a *Aggregator) Next(fullEvery int) Plan {
	if fullEvery <= 1 || a.rounds == 0 || a.changedLast || a.sinceFull+1 >= fullEvery || len(a.lastFullLayers) == 0 {
		return Plan{Full: true}
	}
	lowest := result.None
	for _, l := range layerIndex {
		if st := a.layers[l]; st != nil && st.measured && st.status == result.Fail {
			lowest = l
			break
		}
	}
	var layers []result.Layer
	for _, l := range a.lastFullLayers {
		if lowest != result.None && l > lowest {
			continue
		}
		if l == result.Printer && lowest != result.Printer {
			continue
		}
		layers = append(layers, l)
	}
	if len(layers) == 0 || slices.Equal(layers, a.lastFullLayers) {
		return Plan{Full: true}
	}
	return Plan{Layers: layers}
}

// Clock is the loop's time source; tests use a fake one that moves only
// when told, so a watch of an hour runs in microseconds.
type Clock interface {
	Now() time.Time
	// Sleep waits d or until ctx ends.
	Sleep(ctx context.Context, d time.Duration)
	// AfterFunc calls f once d has passed; stop cancels it.
	AfterFunc(d time.Duration, f func()) (stop func() bool)
}

type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }

func (realClock) Sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}

func (realClock) AfterFunc(d time.Duration, f func()) func() bool { return time.AfterFunc(d, f).Stop }

// RealClock is the wall clock.
var RealClock Clock = realClock{}

// Loop runs rounds until its context ends or Duration has passed.
type Loop struct {
	// Run measures one round. It must return promptly when ctx ends (the
	// report is then marked interrupted, as diagnose.Run does).
	Run func(ctx context.Context, p Plan) *result.Report
	// Interval is the time from one round's start to the next. A round
	// that takes longer delays the next one: rounds never overlap.
	Interval time.Duration
	// Duration ends the watch after this long; 0 runs until ctx ends.
	// A round still running then is cut short and not counted.
	Duration  time.Duration
	FullEvery int
	Clock     Clock
	Agg       *Aggregator
	// OnRound, if set, gets each measured round's changes as soon as it
	// is in (possibly none).
	OnRound func(p Plan, r *result.Report, changes []Change)
}

// Watch runs the loop. It returns the time the watch ended and whether
// it was interrupted (ctx ended before Duration did).
func (l *Loop) Watch(ctx context.Context) (time.Time, bool) {
	clock := l.Clock
	if clock == nil {
		clock = RealClock
	}
	start := clock.Now()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var timeUp atomic.Bool
	if l.Duration > 0 {
		stop := clock.AfterFunc(l.Duration, func() {
			timeUp.Store(true)
			cancel()
		})
		defer stop()
	}
	for ctx.Err() == nil {
		roundStart := clock.Now()
		p := l.Agg.Next(l.FullEvery)
		r := l.Run(ctx, p)
		if r != nil && r.StartedAt.IsZero() {
			r.StartedAt = roundStart // the aggregator's clock is the reports'
		}
		if ctx.Err() != nil && r != nil {
			// Cut short, by the end of the watch or by an interrupt: its
			// results are partial either way.
			r.Interrupted = true
		}
		changes := l.Agg.Add(r, p.Full)
		if l.OnRound != nil && r != nil && !r.Interrupted {
			l.OnRound(p, r, changes)
		}
		if wait := l.Interval - clock.Now().Sub(roundStart); wait > 0 && ctx.Err() == nil {
			clock.Sleep(ctx, wait)
		}
	}
	end := clock.Now()
	if timeUp.Load() {
		if limit := start.Add(l.Duration); end.After(limit) {
			end = limit
		}
		return end, false
	}
	return end, true
}
