package checkfile

import (
	"math"
	"time"

	"github.com/netprobe/netprobe/probes"
	"github.com/netprobe/netprobe/result"
)

// rawThresholds are the probes' own loss and RTT warning levels: the
// loosest of the budgets (and netprobe's defaults), so a probe never warns
// before a budget allows; the budgets then warn per layer.
func (b *Budgets) rawThresholds() (float64, time.Duration) {
	loss, rtt := probes.DefaultLossWarn, probes.DefaultRTTWarn
	if b == nil {
		return loss, rtt
	}
	for _, p := range []*PathBudget{b.Gateway, b.Internet} {
		if p == nil {
			continue
		}
		if p.LossWarn != nil {
			loss = math.Max(loss, float64(*p.LossWarn))
		}
		if p.RTTWarn.D() > rtt {
			rtt = p.RTTWarn.D()
		}
	}
	return loss, rtt
}

// evaluate judges one check against its layer's budget, if the file set
// one. Exceeding a budget warns.
func (b *Budgets) evaluate(c result.Check) (string, []outcome) {
	if b == nil {
		return "", nil
	}
	var out []outcome
	warnOver := func(key, phase string, limit time.Duration, reason result.Reason) {
		if limit <= 0 {
			return
		}
		v, ok := number(c.Evidence[key])
		if !ok {
			return
		}
		want := phase + " below " + limit.String()
		found := phase + " " + msText(v)
		if time.Duration(v*float64(time.Millisecond)) < limit {
			out = append(out, met(false, want, found))
			return
		}
		o := unmet(reason, want, found)
		o.severity = result.Warn
		out = append(out, o)
	}
	var pb *PathBudget
	switch {
	case c.Layer == result.Gateway && c.Name == "ping":
		pb = b.Gateway
	case c.Layer == result.Internet && c.Name == "ping":
		pb = b.Internet
	case c.Layer == result.DNS && c.Name == "dns" && b.DNS != nil:
		warnOver("rtt_ms", "answer", b.DNS.RTTWarn.D(), result.ReasonExpectLatency)
		return "dns", out
	case c.Layer == result.Service && b.Service != nil:
		for _, k := range []struct{ key, phase string }{{"connect_ms", "connect"}, {"handshake_ms", "TLS handshake"}, {"ttfb_ms", "HTTP answer"}} {
			warnOver(k.key, k.phase, b.Service.RTTWarn.D(), result.ReasonExpectLatency)
		}
		if c.Name == "udp" || c.Name == "ping" {
			warnOver("rtt_ms", "reply", b.Service.RTTWarn.D(), result.ReasonExpectLatency)
		}
		return "service", out
	}
	if pb == nil {
		return "", nil
	}
	if pb.LossWarn != nil {
		if loss, ok := number(c.Evidence["loss_pct"]); ok {
			want := "loss below " + pctText(float64(*pb.LossWarn))
			if loss < float64(*pb.LossWarn) {
				out = append(out, met(false, want, "loss "+pctText(loss)))
			} else {
				o := unmet(result.ReasonExpectLoss, want, "loss "+pctText(loss))
				o.severity = result.Warn
				out = append(out, o)
			}
		}
	}
	warnOver("rtt_ms", "round trip", pb.RTTWarn.D(), result.ReasonExpectLatency)
	return c.Layer.String(), out
}
