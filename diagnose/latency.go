package diagnose

import (
	"fmt"
	"slices"
	"time"

	"github.com/netprobe/netprobe/result"
)

// DefaultDNSSlow is the median answer time from which a resolver that
// answers correctly is slow: ChromeOS's network diagnostics call a
// resolver slow from about here, and a user notices every page load.
const DefaultDNSSlow = 300 * time.Millisecond

// dnsLatency adds, per system resolver that answered, one dns-latency
// check: the median of its answer times over this run's questions,
// compared with the reference resolvers' median. A median above slow
// warns (dns.slow). Like the comparison of answers, it only compares
// results, so it is computed here from the dns checks.
func dnsLatency(checks []result.Check, slow time.Duration, at time.Time) []result.Check {
	if slow <= 0 {
		slow = DefaultDNSSlow
	}
	per := map[string][]float64{}
	var order []string
	var ref []float64
	for _, c := range checks {
		if c.Name != "dns" || c.Status == result.Skip {
			continue
		}
		rtt, ok := c.Evidence["rtt_ms"].(float64)
		if !ok {
			continue // no answer: no time to count
		}
		if evStr(c, "role") == "reference" {
			ref = append(ref, rtt)
			continue
		}
		r := evStr(c, "resolver")
		if _, seen := per[r]; !seen {
			order = append(order, r)
		}
		per[r] = append(per[r], rtt)
	}
	var out []result.Check
	refMedian, hasRef := median(ref)
	for _, r := range order {
		m, _ := median(per[r])
		c := result.Check{Name: "dns-latency", Layer: result.DNS, Target: r, Status: result.OK, Started: at, Evidence: map[string]any{}}
		c.With("resolver", r).With("median_ms", m).With("queries", len(per[r])).With("slow_ms", result.Millis(slow))
		if hasRef {
			c.With("reference_median_ms", refMedian)
		}
		c.Detail = fmt.Sprintf("resolver %s answers in %s (median of %d)", r, fmtMS(m), len(per[r]))
		if m > result.Millis(slow) {
			c.Status, c.Reason = result.Warn, result.ReasonDNSSlow
			c.Detail = fmt.Sprintf("resolver %s is slow: it answers in %s (median of %d), over %s", r, fmtMS(m), len(per[r]), fmtMS(result.Millis(slow)))
			if hasRef {
				c.Detail += fmt.Sprintf("; the reference resolvers answer in %s", fmtMS(refMedian))
			}
		}
		out = append(out, c)
	}
	return out
}

// median of the values (false when there are none).
func median(v []float64) (float64, bool) {
	if len(v) == 0 {
		return 0, false
	}
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2], true
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2, true
}

// fmtMS prints milliseconds the way the report does elsewhere.
func fmtMS(ms float64) string {
	if ms >= 1000 {
		return fmt.Sprintf("%.1f s", ms/1000)
	}
	if ms >= 10 {
		return fmt.Sprintf("%.0f ms", ms)
	}
	return fmt.Sprintf("%.1f ms", ms)
}
