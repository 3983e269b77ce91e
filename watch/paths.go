package watch

import (
	"math"

	"github.com/influxdata/tdigest"

	"github.com/netprobe/netprobe/result"
)

// latencyKeys are the evidence keys that measure a path's delay, in the
// order a check's own figure is preferred: the round trip a ping or DNS
// query measured, then a TCP handshake, a TLS handshake, an HTTP answer.
var latencyKeys = []string{"rtt_ms", "avg_ms", "connect_ms", "handshake_ms", "ttfb_ms"}

// pathKey names a path: one check of one target, as the report names it.
type pathKey struct {
	layer  result.Layer
	check  string
	target string
}

// pathAgg is what the aggregator keeps about one path: counts, two
// t-digests and a few exact figures. Its size does not depend on how
// many rounds there were.
type pathAgg struct {
	key    pathKey
	metric string

	rounds int
	counts map[result.Status]int

	lat                    *tdigest.TDigest
	latN                   int
	latMin, latMax, latSum float64

	loss           *tdigest.TDigest
	lossN          int
	lossMax        float64
	sent, received int
}

// measure returns the latency figure of a check and the key it came
// from, if the check measured one.
func measure(c result.Check) (float64, string, bool) {
	for _, k := range latencyKeys {
		if v, ok := number(c.Evidence[k]); ok && v >= 0 && !math.IsInf(v, 0) && !math.IsNaN(v) {
			return v, k, true
		}
	}
	return 0, "", false
}

// pathChecks are the probes that measure a path, even in a round where
// they failed before measuring anything (a filtered port has no
// connect_ms), so an outage from the first round on still counts.
var pathChecks = map[string]bool{"ping": true, "dns": true, "tcp": true, "udp": true, "tls": true, "http": true}

// isPath reports whether a check measures a path: a ping, a DNS query, a
// connection, or anything with a latency or loss figure, as opposed to a
// reading of local state (link, address) or a comparison.
func isPath(c result.Check) bool {
	if pathChecks[c.Name] {
		return true
	}
	if _, _, ok := measure(c); ok {
		return true
	}
	_, ok := number(c.Evidence["loss_pct"])
	return ok
}

// addPaths adds a round's measurements to the per-path statistics. A
// skipped check measured nothing and only counts as skipped; a failed
// one counts as failed and adds its loss (a silent host is 100 % loss)
// but no latency.
func (a *Aggregator) addPaths(r *result.Report) {
	for _, l := range r.Layers {
		for _, c := range l.Checks {
			k := pathKey{l.Name, c.Name, c.Target}
			i, known := a.pathIdx[k]
			if !known {
				if !isPath(c) {
					continue
				}
				if len(a.paths) >= a.cfg.MaxPaths {
					a.dropped++
					a.pathIdx[k] = -1
					continue
				}
				i = len(a.paths)
				a.pathIdx[k] = i
				a.paths = append(a.paths, &pathAgg{key: k, counts: map[result.Status]int{},
					lat: tdigest.NewWithCompression(digestCompression), loss: tdigest.NewWithCompression(digestCompression)})
			}
			if i < 0 {
				continue
			}
			a.paths[i].add(c)
		}
	}
}

func (p *pathAgg) add(c result.Check) {
	p.rounds++
	p.counts[c.Status]++
	if c.Status == result.Skip {
		return
	}
	if v, key, ok := measure(c); ok && c.Status != result.Fail {
		if p.metric == "" {
			p.metric = key
		}
		p.lat.Add(v, 1)
		if p.latN == 0 || v < p.latMin {
			p.latMin = v
		}
		if p.latN == 0 || v > p.latMax {
			p.latMax = v
		}
		p.latN++
		p.latSum += v
	}
	if v, ok := number(c.Evidence["loss_pct"]); ok && v >= 0 && v <= 100 {
		p.loss.Add(v, 1)
		p.lossN++
		p.lossMax = math.Max(p.lossMax, v)
		if s, ok := number(c.Evidence["sent"]); ok && s > 0 {
			rcv, _ := number(c.Evidence["received"])
			p.sent += int(s)
			p.received += int(math.Min(rcv, s))
		}
	}
}

// number reads an evidence figure (see result.Number).
func number(v any) (float64, bool) { return result.Number(v) }
