package watch

import (
	"context"
	"math"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/netprobe/netprobe/result"
)

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// sec is the time n seconds into the watch.
func sec(n float64) time.Time { return t0.Add(time.Duration(n * float64(time.Second))) }

// lay builds a layer whose one check has the layer's status.
func lay(l result.Layer, st result.Status, reason result.Reason) result.LayerResult {
	c := result.Check{Name: "ping", Layer: l, Target: "10.77.1.1", Status: st, Reason: reason, Detail: "detail of " + l.String(),
		Evidence: map[string]any{}}
	return result.LayerResult{Name: l, Status: st, Checks: []result.Check{c}}
}

// rep builds a report at time at whose verdict is the lowest failing
// layer.
func rep(at time.Time, layers ...result.LayerResult) *result.Report {
	r := &result.Report{Schema: result.Schema, StartedAt: at, Duration: 100 * time.Millisecond, Layers: layers,
		Tool: result.Tool{Name: "netprobe", Version: "test"}, Command: "watch"}
	r.Verdict = result.Verdict{Status: result.Healthy, Layer: result.None}
	for _, l := range layers {
		if l.Status == result.Fail {
			r.Verdict = result.Verdict{Status: result.Failed, Layer: l.Name, Reason: l.Checks[0].Reason}
			break
		}
	}
	return r
}

// gw is a report with one gateway layer of status st.
func gw(at time.Time, st result.Status) *result.Report {
	var reason result.Reason
	switch st {
	case result.Fail:
		reason = result.ReasonGatewayNoReply
	case result.Skip:
		reason = result.ReasonNotNeeded
	case result.Warn:
		reason = result.ReasonGatewayLoss
	}
	return rep(at, lay(result.Gateway, st, reason))
}

func TestWindowsAndChanges(t *testing.T) {
	type win struct {
		start, end float64 // seconds; end < 0 = still open
	}
	tests := []struct {
		name    string
		seq     []result.Status // one round per second from t0
		windows []win
		changes int // changes with a From (the first measurement is not one)
		status  result.Overall
	}{
		{"always ok", []result.Status{result.OK, result.OK, result.OK}, nil, 0, result.Healthy},
		{"one outage", []result.Status{result.OK, result.Fail, result.Fail, result.OK, result.OK}, []win{{1, 3}}, 2, result.Failed},
		{"two outages", []result.Status{result.OK, result.Fail, result.OK, result.Fail, result.Fail, result.OK}, []win{{1, 2}, {3, 5}}, 4, result.Failed},
		{"skip keeps an outage open", []result.Status{result.Fail, result.Skip, result.Skip, result.OK}, []win{{0, 3}}, 2, result.Failed},
		{"skip alone is no outage", []result.Status{result.OK, result.Skip, result.OK}, nil, 2, result.Healthy},
		{"warn ends an outage and is not one", []result.Status{result.OK, result.Fail, result.Warn, result.OK}, []win{{1, 2}}, 3, result.Failed},
		{"warn only", []result.Status{result.OK, result.Warn, result.OK}, nil, 2, result.Degraded},
		{"open at the end", []result.Status{result.OK, result.OK, result.Fail, result.Fail}, []win{{2, -1}}, 1, result.Failed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := New(Config{})
			changes := 0
			for i, st := range tt.seq {
				for _, c := range a.Add(gw(sec(float64(i)), st), true) {
					if c.From != "" {
						changes++
					}
				}
			}
			end := sec(float64(len(tt.seq)))
			s := a.Summary(Meta{End: end})
			if changes != tt.changes {
				t.Errorf("changes = %d, want %d", changes, tt.changes)
			}
			if s.Status != tt.status {
				t.Errorf("status = %s, want %s", s.Status, tt.status)
			}
			if len(s.Layers) != 1 {
				t.Fatalf("layers = %+v", s.Layers)
			}
			got := s.Layers[0].Windows
			if len(got) != len(tt.windows) || s.Outages != len(tt.windows) {
				t.Fatalf("windows = %+v (outages %d), want %v", got, s.Outages, tt.windows)
			}
			for i, w := range tt.windows {
				g := got[i]
				if !g.Start.Equal(sec(w.start)) {
					t.Errorf("window %d start = %s, want %s", i, g.Start, sec(w.start))
				}
				wantEnd := end
				if w.end >= 0 {
					wantEnd = sec(w.end)
				}
				if g.Open != (w.end < 0) || (!g.Open && !g.End.Equal(wantEnd)) || g.Duration != wantEnd.Sub(g.Start) {
					t.Errorf("window %d = %+v, want end %s (open %v)", i, g, wantEnd, w.end < 0)
				}
				if g.Reason != result.ReasonGatewayNoReply || g.Target != "10.77.1.1" || !g.Cause {
					t.Errorf("window %d evidence = %+v", i, g)
				}
			}
		})
	}
}

func TestCauseAndConsequence(t *testing.T) {
	a := New(Config{})
	a.Add(rep(sec(0), lay(result.Gateway, result.OK, ""), lay(result.Internet, result.OK, "")), true)
	ch := a.Add(rep(sec(1), lay(result.Gateway, result.Fail, result.ReasonGatewayNoReply), lay(result.Internet, result.Fail, result.ReasonInternetNoReply)), true)
	if len(ch) != 2 || ch[0].Layer != result.Gateway || !ch[0].Cause || ch[1].Layer != result.Internet || ch[1].Cause {
		t.Fatalf("changes = %+v, want gateway as cause, internet as consequence", ch)
	}
	if ch[0].Reason != result.ReasonGatewayNoReply || ch[0].FromReason != "" || ch[0].From != result.OK || ch[0].To != result.Fail {
		t.Errorf("gateway change = %+v", ch[0])
	}
	a.Add(rep(sec(2), lay(result.Gateway, result.OK, ""), lay(result.Internet, result.OK, "")), true)
	s := a.Summary(Meta{End: sec(3)})
	for _, l := range s.Layers {
		if len(l.Windows) != 1 {
			t.Fatalf("%s windows = %+v", l.Name, l.Windows)
		}
		if want := l.Name == result.Gateway; l.Windows[0].Cause != want {
			t.Errorf("%s window cause = %v, want %v", l.Name, l.Windows[0].Cause, want)
		}
	}
	if s.Outages != 2 || s.Status != result.Failed || s.Verdicts[result.Failed] != 1 || s.Verdicts[result.Healthy] != 2 {
		t.Errorf("summary outages %d status %s verdicts %v", s.Outages, s.Status, s.Verdicts)
	}
}

func TestReasonChangeIsAChange(t *testing.T) {
	a := New(Config{})
	a.Add(rep(sec(0), lay(result.DNS, result.Fail, result.ReasonDNSTimeout)), true)
	ch := a.Add(rep(sec(1), lay(result.DNS, result.Fail, result.ReasonDNSServfail)), true)
	if len(ch) != 1 || ch[0].FromReason != result.ReasonDNSTimeout || ch[0].Reason != result.ReasonDNSServfail {
		t.Fatalf("changes = %+v", ch)
	}
	if s := a.Summary(Meta{}); s.Outages != 1 || s.Layers[0].Windows[0].Rounds != 2 {
		t.Errorf("one outage of two rounds expected: %+v", s.Layers[0])
	}
}

func TestInterruptedRoundIsNotCounted(t *testing.T) {
	a := New(Config{})
	a.Add(gw(sec(0), result.OK), true)
	r := gw(sec(1), result.Skip)
	r.Interrupted = true
	if ch := a.Add(r, true); ch != nil {
		t.Errorf("an interrupted round produced changes: %+v", ch)
	}
	a.Add(nil, true)
	s := a.Summary(Meta{End: sec(2)})
	if s.Rounds != 1 || s.Discarded != 2 || s.Layers[0].Skip != 0 {
		t.Errorf("rounds %d discarded %d skip %d", s.Rounds, s.Discarded, s.Layers[0].Skip)
	}
}

func TestNothingMeasured(t *testing.T) {
	s := New(Config{}).Summary(Meta{End: sec(5)})
	if s.Status != result.Unknown || s.Rounds != 0 || len(s.Layers) != 0 || s.Duration != 0 {
		t.Errorf("empty summary = %+v", s)
	}
}

// pathRep is a report with one ping path whose figures are given.
func pathRep(at time.Time, st result.Status, rtt float64, sent, recv int) *result.Report {
	ev := map[string]any{"sent": sent, "received": recv, "loss_pct": 100 * float64(sent-recv) / float64(sent)}
	if recv > 0 {
		ev["rtt_ms"] = rtt
	}
	c := result.Check{Name: "ping", Layer: result.Gateway, Target: "10.77.1.1", Status: st, Evidence: ev}
	return rep(at, result.LayerResult{Name: result.Gateway, Status: st, Checks: []result.Check{c}})
}

func TestPathPercentiles(t *testing.T) {
	a := New(Config{})
	// 1..1000 ms in a scrambled order, 10 echo requests each, one lost
	// in every tenth round; then one round with everything lost.
	for i := 0; i < 1000; i++ {
		v := float64((i*389)%1000 + 1)
		recv := 10
		if i%10 == 0 {
			recv = 9
		}
		a.Add(pathRep(sec(float64(i)), result.OK, v, 10, recv), true)
	}
	a.Add(pathRep(sec(1000), result.Fail, 0, 10, 0), true)
	s := a.Summary(Meta{End: sec(1001)})
	if len(s.Paths) != 1 {
		t.Fatalf("paths = %+v", s.Paths)
	}
	p := s.Paths[0]
	if p.Rounds != 1001 || p.OK != 1000 || p.Fail != 1 || p.Metric != "rtt_ms" {
		t.Errorf("path counts = %+v", p)
	}
	q := p.Latency
	if q == nil || q.N != 1000 || q.Min != 1 || q.Max != 1000 || q.Mean != 500.5 {
		t.Fatalf("latency = %+v", q)
	}
	for _, c := range []struct {
		name      string
		got, want float64
	}{{"p50", q.P50, 500}, {"p90", q.P90, 900}, {"p99", q.P99, 990}} {
		if math.Abs(c.got-c.want) > c.want*0.02 {
			t.Errorf("%s = %g, want %g ± 2%%", c.name, c.got, c.want)
		}
	}
	l := p.Loss
	// 10010 sent; 100 lost in the good rounds plus 10 in the last.
	if l == nil || l.Sent != 10010 || l.Received != 9900 || l.Pct != 1.1 || l.Max != 100 || l.P50 != 0 || l.Rounds != 1001 {
		t.Fatalf("loss = %+v", l)
	}
}

func TestPathsAreBounded(t *testing.T) {
	a := New(Config{MaxPaths: 3})
	for i := 0; i < 10; i++ {
		r := pathRep(sec(float64(i)), result.OK, 1, 1, 1)
		r.Layers[0].Checks[0].Target = "10.77.1." + string(rune('0'+i))
		a.Add(r, true)
	}
	s := a.Summary(Meta{})
	if len(s.Paths) != 3 || s.DroppedPaths != 7 {
		t.Errorf("paths %d dropped %d, want 3 and 7", len(s.Paths), s.DroppedPaths)
	}
}

// TestMemoryIsBounded feeds a day of a link flapping every round at
// 200 ms and checks that nothing kept grows with the rounds.
func TestMemoryIsBounded(t *testing.T) {
	cfg := Config{MaxWindows: 10, MaxChanges: 20, Buckets: 16, BucketWidth: 200 * time.Millisecond}
	a := New(cfg)
	const rounds = 20000
	for i := 0; i < rounds; i++ {
		st := result.OK
		if i%2 == 1 {
			st = result.Fail
		}
		r := pathRep(t0.Add(time.Duration(i)*200*time.Millisecond), st, float64(i%50), 10, 10)
		a.Add(r, i%12 == 0)
	}
	st := a.layers[result.Gateway]
	if len(st.windows) != cfg.MaxWindows || len(a.changes) != cfg.MaxChanges || len(a.timeline.buckets) > cfg.Buckets {
		t.Fatalf("kept %d windows, %d changes, %d buckets", len(st.windows), len(a.changes), len(a.timeline.buckets))
	}
	for _, p := range a.paths {
		if n := len(p.lat.Centroids()); n > 10*digestCompression {
			t.Errorf("latency digest holds %d centroids", n)
		}
	}
	s := a.Summary(Meta{End: t0.Add(rounds * 200 * time.Millisecond)})
	g := s.Layers[0]
	// The last round failed: 9,999 closed outages and one still open,
	// listed after the 10 most recent closed ones.
	if g.Outages != rounds/2 || g.WindowsDropped != rounds/2-1-cfg.MaxWindows || len(g.Windows) != cfg.MaxWindows+1 {
		t.Errorf("outages %d dropped %d listed %d", g.Outages, g.WindowsDropped, len(g.Windows))
	}
	// The windows listed are the most recent, oldest first.
	last := g.Windows[len(g.Windows)-1]
	if !last.Open || g.Windows[len(g.Windows)-2].Open {
		t.Errorf("only the last window should be open: %+v", g.Windows[len(g.Windows)-2:])
	}
	if want := t0.Add((rounds - 1) * 200 * time.Millisecond); !last.Start.Equal(want) {
		t.Errorf("last window starts %s, want %s", last.Start, want)
	}
	if !slices.IsSortedFunc(g.Windows, func(x, y WindowJSON) int { return x.Start.Compare(y.Start) }) {
		t.Error("windows are not oldest first")
	}
	if s.ChangesTotal != rounds-1+1 || len(s.Changes) != cfg.MaxChanges || !s.Changes[len(s.Changes)-1].At.Equal(last.Start.Add(0)) {
		t.Errorf("changes total %d listed %d last %v", s.ChangesTotal, len(s.Changes), s.Changes[len(s.Changes)-1].At)
	}
	if s.FullRounds+s.LightRounds != rounds || s.FullRounds != (rounds+11)/12 {
		t.Errorf("full %d light %d", s.FullRounds, s.LightRounds)
	}
}

func TestTimelineMergesAndConserves(t *testing.T) {
	a := New(Config{Buckets: 4, BucketWidth: time.Second})
	// 10 rounds, one a second; a failure in round 5.
	for i := 0; i < 10; i++ {
		st := result.OK
		if i == 5 {
			st = result.Fail
		}
		a.Add(pathRep(sec(float64(i)), st, float64(i+1), 10, 10), true)
	}
	tl := a.Summary(Meta{}).Timeline
	// 10 s in at most 4 buckets: 1 s → 2 s → 4 s wide, 3 buckets used.
	if tl.Width != 4*time.Second || len(tl.Buckets) != 3 || !tl.Start.Equal(t0) {
		t.Fatalf("timeline width %s, %d buckets, start %s", tl.Width, len(tl.Buckets), tl.Start)
	}
	total := 0
	for _, b := range tl.Buckets {
		total += b.Rounds
	}
	if total != 10 {
		t.Errorf("rounds in buckets = %d, want 10", total)
	}
	b1 := tl.Buckets[1] // 4 s – 8 s holds the failure
	if b1.Layers["gateway"] != result.Fail || b1.Verdict != result.Failed || tl.Buckets[0].Layers["gateway"] != result.OK {
		t.Errorf("bucket states: %+v / %+v", tl.Buckets[0], b1)
	}
	// Bucket 1 has rounds 4..7 with rtt 5, (6 failed), 7, 8.
	p := b1.Paths[0]
	if p.Rounds != 4 || p.Fail != 1 || *p.MinMS != 5 || *p.MaxMS != 8 || *p.AvgMS != 6.7 || *p.LossPct != 0 {
		t.Errorf("bucket 1 path point = %+v (min %v max %v avg %v)", p, *p.MinMS, *p.MaxMS, *p.AvgMS)
	}
}

func TestNextPlan(t *testing.T) {
	all := []result.Layer{result.Link, result.Address, result.Gateway, result.Internet, result.DNS, result.Service, result.Printer}
	full := func(at time.Time, failing result.Layer) *result.Report {
		var ls []result.LayerResult
		for _, l := range all {
			st := result.OK
			if failing != result.None && l >= failing {
				st = result.Fail
			}
			ls = append(ls, lay(l, st, result.ReasonGatewayNoReply))
		}
		return rep(at, ls...)
	}
	tests := []struct {
		name      string
		feed      func(a *Aggregator)
		fullEvery int
		want      Plan
	}{
		{"first round is full", func(a *Aggregator) {}, 12, Plan{Full: true}},
		{"healthy: light without the printer", func(a *Aggregator) {
			a.Add(full(sec(0), result.None), true)
		}, 12, Plan{Layers: all[:6]}},
		{"gateway failing: up to the gateway", func(a *Aggregator) {
			a.Add(full(sec(0), result.Gateway), true)
		}, 12, Plan{Layers: all[:3]}},
		{"printer failing: everything", func(a *Aggregator) {
			a.Add(full(sec(0), result.Printer), true)
		}, 12, Plan{Full: true}},
		{"after a change: full", func(a *Aggregator) {
			a.Add(full(sec(0), result.None), true)
			a.Add(full(sec(1), result.Gateway), false)
		}, 12, Plan{Full: true}},
		{"no change after the change: light again", func(a *Aggregator) {
			a.Add(full(sec(0), result.None), true)
			a.Add(full(sec(1), result.Gateway), false)
			a.Add(full(sec(2), result.Gateway), true)
		}, 12, Plan{Layers: all[:3]}},
		{"every Nth round: full", func(a *Aggregator) {
			a.Add(full(sec(0), result.None), true)
			a.Add(full(sec(1), result.None), false)
			a.Add(full(sec(2), result.None), false)
			a.Add(full(sec(3), result.None), false)
		}, 4, Plan{Full: true}},
		{"before the Nth: light", func(a *Aggregator) {
			a.Add(full(sec(0), result.None), true)
			a.Add(full(sec(1), result.None), false)
		}, 4, Plan{Layers: all[:6]}},
		{"full-every 1: always full", func(a *Aggregator) {
			a.Add(full(sec(0), result.None), true)
		}, 1, Plan{Full: true}},
		{"nothing to leave out: full", func(a *Aggregator) {
			a.Add(rep(sec(0), lay(result.DNS, result.OK, ""), lay(result.Service, result.OK, "")), true)
		}, 12, Plan{Full: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := New(Config{})
			tt.feed(a)
			got := a.Next(tt.fullEvery)
			if got.Full != tt.want.Full || !slices.Equal(got.Layers, tt.want.Layers) {
				t.Errorf("Next = %+v, want %+v", got, tt.want)
			}
		})
	}
}

// fakeClock moves only when the loop sleeps or a round "takes" time.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	timers []fakeTimer
}

type fakeTimer struct {
	at      time.Time
	f       func()
	stopped *bool
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	var due []func()
	keep := c.timers[:0]
	for _, t := range c.timers {
		if *t.stopped {
			continue
		}
		if !t.at.After(c.now) {
			due = append(due, t.f)
			continue
		}
		keep = append(keep, t)
	}
	c.timers = keep
	c.mu.Unlock()
	for _, f := range due {
		f()
	}
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) { c.advance(d) }

func (c *fakeClock) AfterFunc(d time.Duration, f func()) func() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	stopped := false
	c.timers = append(c.timers, fakeTimer{c.now.Add(d), f, &stopped})
	return func() bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		was := !stopped
		stopped = true
		return was
	}
}

func TestLoopRunsForDuration(t *testing.T) {
	clk := &fakeClock{now: t0}
	a := New(Config{})
	var plans []Plan
	loop := &Loop{Interval: time.Second, Duration: 10 * time.Second, FullEvery: 3, Clock: clk, Agg: a,
		Run: func(ctx context.Context, p Plan) *result.Report {
			plans = append(plans, p)
			at := clk.Now()
			clk.advance(300 * time.Millisecond) // a round takes 0.3 s
			// The gateway is down from 4 s to 7 s.
			st := result.OK
			if s := at.Sub(t0); s >= 4*time.Second && s < 7*time.Second {
				st = result.Fail
			}
			return rep(at, lay(result.Link, result.OK, ""), lay(result.Gateway, st, result.ReasonGatewayNoReply), lay(result.Printer, result.OK, ""))
		}}
	var lines []Change
	loop.OnRound = func(p Plan, r *result.Report, ch []Change) { lines = append(lines, ch...) }
	end, interrupted := loop.Watch(context.Background())
	if interrupted || !end.Equal(sec(10)) {
		t.Fatalf("end %s interrupted %v, want %s and false", end, interrupted, sec(10))
	}
	s := a.Summary(Meta{End: end, Interval: time.Second, FullEvery: 3})
	// Rounds start at 0..9 s; the one at 10 s never starts.
	if s.Rounds != 10 || s.Discarded != 0 {
		t.Errorf("rounds %d discarded %d, want 10 and 0", s.Rounds, s.Discarded)
	}
	g := s.Layers[1]
	if g.Name != result.Gateway || len(g.Windows) != 1 || !g.Windows[0].Start.Equal(sec(4)) || !g.Windows[0].End.Equal(sec(7)) {
		t.Fatalf("gateway windows = %+v", g.Windows)
	}
	// Round 0 full; 1, 2 light; 3 full (every 3rd); 4 light, where the
	// gateway fails (a change); 5 full (after the change); 6 and 7 light
	// (7 sees the recovery); 8 full (after the change); 9 light.
	wantFull := []bool{true, false, false, true, false, true, false, false, true, false}
	for i, p := range plans {
		if p.Full != wantFull[i] {
			t.Errorf("round %d full = %v, want %v (plans %+v)", i, p.Full, wantFull[i], plans)
		}
	}
	// While the gateway failed (rounds 5-6), light rounds stopped below
	// the printer and above the gateway.
	if !slices.Equal(plans[6].Layers, []result.Layer{result.Link, result.Gateway}) {
		t.Errorf("round 6 layers = %v", plans[6].Layers)
	}
	if len(lines) != 3+2 { // start of three layers, then down and up
		t.Errorf("lines = %+v", lines)
	}
}

func TestLoopInterruptedMidRound(t *testing.T) {
	clk := &fakeClock{now: t0}
	a := New(Config{})
	ctx, cancel := context.WithCancel(context.Background())
	n := 0
	loop := &Loop{Interval: time.Second, Clock: clk, Agg: a,
		Run: func(ctx context.Context, p Plan) *result.Report {
			n++
			at := clk.Now()
			clk.advance(100 * time.Millisecond)
			if n == 3 {
				cancel() // Ctrl-C while the third round runs
			}
			return gw(at, result.OK)
		}}
	end, interrupted := loop.Watch(ctx)
	if !interrupted || !end.Equal(t0.Add(2100*time.Millisecond)) {
		t.Fatalf("end %s interrupted %v", end, interrupted)
	}
	s := a.Summary(Meta{End: end, Interrupted: true})
	if s.Rounds != 2 || s.Discarded != 1 || !s.Interrupted {
		t.Errorf("rounds %d discarded %d interrupted %v", s.Rounds, s.Discarded, s.Interrupted)
	}
}

func TestLoopDurationCutsTheLastRound(t *testing.T) {
	clk := &fakeClock{now: t0}
	a := New(Config{})
	loop := &Loop{Interval: time.Second, Duration: 2500 * time.Millisecond, Clock: clk, Agg: a,
		Run: func(ctx context.Context, p Plan) *result.Report {
			at := clk.Now()
			clk.advance(800 * time.Millisecond) // the round at 2 s ends at 2.8 s, after the end
			return gw(at, result.OK)
		}}
	end, interrupted := loop.Watch(context.Background())
	if interrupted || !end.Equal(t0.Add(2500*time.Millisecond)) {
		t.Fatalf("end %s interrupted %v", end, interrupted)
	}
	if a.Rounds() != 2 || a.discarded != 1 {
		t.Errorf("rounds %d discarded %d, want 2 and 1", a.Rounds(), a.discarded)
	}
}
