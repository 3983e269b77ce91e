package watch

import (
	"time"

	"github.com/netprobe/netprobe/result"
)

// timeline is a fixed number of time slices covering the whole watch.
// It starts with slices one interval wide; when it runs out, neighbouring
// slices merge in pairs and the width doubles. So an hour and a week take
// the same memory, and the picture always spans the whole watch.
type timeline struct {
	max     int
	width   time.Duration
	origin  time.Time
	buckets []bucket
}

// rank orders layer statuses for "worst in the slice"; 0 = not measured.
func rank(s result.Status) int8 {
	switch s {
	case result.Skip:
		return 1
	case result.OK:
		return 2
	case result.Warn:
		return 3
	case result.Fail:
		return 4
	}
	return 0
}

var ranked = [...]result.Status{"", result.Skip, result.OK, result.Warn, result.Fail}

// overallRank orders verdicts the same way.
func overallRank(o result.Overall) int8 {
	switch o {
	case result.Unknown:
		return 1
	case result.Healthy:
		return 2
	case result.Degraded:
		return 3
	case result.Failed:
		return 4
	}
	return 0
}

var rankedOverall = [...]result.Overall{"", result.Unknown, result.Healthy, result.Degraded, result.Failed}

type bucket struct {
	rounds  int
	layers  [len(layerIndex)]int8
	verdict int8
	paths   []point
}

// layerIndex maps a layer to its slot in bucket.layers.
var layerIndex = [...]result.Layer{result.Link, result.Address, result.Gateway, result.Internet, result.DNS, result.Service, result.Printer}

func layerSlot(l result.Layer) int {
	for i, x := range layerIndex {
		if x == l {
			return i
		}
	}
	return -1
}

// point is one path in one slice.
type point struct {
	rounds, fails  int
	n              int
	min, max, sum  float64
	lossN          int
	lossSum        float64
	sent, received int
}

func (p *point) merge(q point) {
	if q.n > 0 {
		if p.n == 0 || q.min < p.min {
			p.min = q.min
		}
		if p.n == 0 || q.max > p.max {
			p.max = q.max
		}
	}
	p.rounds += q.rounds
	p.fails += q.fails
	p.n += q.n
	p.sum += q.sum
	p.lossN += q.lossN
	p.lossSum += q.lossSum
	p.sent += q.sent
	p.received += q.received
}

func newTimeline(max int, width time.Duration) timeline {
	return timeline{max: max, width: width}
}

// slot returns the bucket index for time at, merging until it fits.
func (t *timeline) slot(at time.Time) int {
	if t.origin.IsZero() {
		t.origin = at
	}
	d := at.Sub(t.origin)
	if d < 0 {
		d = 0 // a clock that stepped back: count it in the first slice
	}
	for {
		i := int(d / t.width)
		if i < t.max {
			for len(t.buckets) <= i {
				t.buckets = append(t.buckets, bucket{})
			}
			return i
		}
		t.halve()
	}
}

// halve merges neighbouring buckets in pairs and doubles the width.
func (t *timeline) halve() {
	n := (len(t.buckets) + 1) / 2
	for i := 0; i < n; i++ {
		b := t.buckets[2*i]
		if 2*i+1 < len(t.buckets) {
			b = mergeBuckets(b, t.buckets[2*i+1])
		}
		t.buckets[i] = b
	}
	clear(t.buckets[n:])
	t.buckets = t.buckets[:n]
	t.width *= 2
}

func mergeBuckets(a, b bucket) bucket {
	a.rounds += b.rounds
	for i := range a.layers {
		a.layers[i] = max(a.layers[i], b.layers[i])
	}
	a.verdict = max(a.verdict, b.verdict)
	for len(a.paths) < len(b.paths) {
		a.paths = append(a.paths, point{})
	}
	for i, p := range b.paths {
		a.paths[i].merge(p)
	}
	return a
}

// add files one round into its slice.
func (t *timeline) add(at time.Time, r *result.Report, a *Aggregator) {
	b := &t.buckets[t.slot(at)]
	b.rounds++
	b.verdict = max(b.verdict, overallRank(r.Verdict.Status))
	for _, l := range r.Layers {
		if i := layerSlot(l.Name); i >= 0 {
			b.layers[i] = max(b.layers[i], rank(l.Status))
		}
	}
	for _, l := range r.Layers {
		for _, c := range l.Checks {
			i, ok := a.pathIdx[pathKey{l.Name, c.Name, c.Target}]
			if !ok || i < 0 {
				continue
			}
			for len(b.paths) <= i {
				b.paths = append(b.paths, point{})
			}
			p := &b.paths[i]
			p.rounds++
			if c.Status == result.Skip {
				continue
			}
			if c.Status == result.Fail {
				p.fails++
			}
			if v, _, ok := measure(c); ok && c.Status != result.Fail {
				p.merge(point{n: 1, min: v, max: v, sum: v})
			}
			if v, ok := number(c.Evidence["loss_pct"]); ok && v >= 0 && v <= 100 {
				p.lossN++
				p.lossSum += v
				if s, ok := number(c.Evidence["sent"]); ok && s > 0 {
					rcv, _ := number(c.Evidence["received"])
					p.sent += int(s)
					p.received += int(min(rcv, s))
				}
			}
		}
	}
}
