package checkfile

import (
	"fmt"
	"maps"
	"math"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/netprobe/netprobe/probes"
	"github.com/netprobe/netprobe/result"
)

// expect is everything a check of the file can ask of a probe's result,
// in one flat shape the pure evaluate function reads.
type expect struct {
	ports      []string
	reachable  *bool
	maxLatency time.Duration
	maxLoss    *float64
	minDays    *int
	status     []int
	body       string
	resolves   *bool
	anyOf      []netip.Addr
	allOf      []netip.Addr
	rcode      string
	minSupply  *float64
}

func dnsExpect(e *DNSExpect) expect {
	if e == nil {
		return expect{}
	}
	x := expect{resolves: e.Resolves, rcode: string(e.Rcode), maxLatency: e.MaxLatency.D()}
	for _, a := range e.AnyOf {
		x.anyOf = append(x.anyOf, netip.Addr(a))
	}
	for _, a := range e.AllOf {
		x.allOf = append(x.allOf, netip.Addr(a))
	}
	return x
}

func targetExpect(e *TargetExpect) expect {
	if e == nil {
		return expect{}
	}
	x := expect{ports: e.Port, reachable: e.Reachable, maxLatency: e.MaxLatency.D()}
	if e.MaxLoss != nil {
		v := float64(*e.MaxLoss)
		x.maxLoss = &v
	}
	if e.TLS != nil {
		x.minDays = e.TLS.MinDaysLeft
	}
	if e.HTTP != nil {
		x.status, x.body = e.HTTP.Status, e.HTTP.BodyContains
	}
	return x
}

func printerExpect(e *PrinterExpect) expect {
	if e == nil || e.MinSupplyPercent == nil {
		return expect{}
	}
	v := float64(*e.MinSupplyPercent)
	return expect{minSupply: &v}
}

// outcome is one expectation judged against one check.
type outcome struct {
	status   result.ExpectStatus
	expected string
	found    string
	reason   result.Reason
	// decides: a met outcome makes the check ok whatever the probe said
	// (the file defines success: a port that must be filtered). Otherwise
	// it can only make the check worse (a latency budget).
	decides bool
	// severity is the check's status when the outcome is unmet.
	severity result.Status
}

func met(decides bool, expected, found string) outcome {
	return outcome{status: result.ExpectMet, expected: expected, found: found, decides: decides, severity: result.Fail}
}

func unmet(reason result.Reason, expected, found string) outcome {
	return outcome{status: result.ExpectUnmet, expected: expected, found: found, reason: reason, severity: result.Fail}
}

func notMeasured(expected, found string) outcome {
	return outcome{status: result.ExpectNotMeasured, expected: expected, found: found, severity: result.Fail}
}

// evaluate judges one check against what the file expects of it. It is
// pure: evidence in, outcomes out. It reads typed evidence (port_state,
// answers, rcode, http_status, cert_days_left, supplies), never the
// check's sentence.
func evaluate(x expect, c result.Check) []outcome {
	var out []outcome
	ev := c.Evidence
	latency := func(key, phase string) {
		if x.maxLatency <= 0 {
			return
		}
		v, ok := number(ev[key])
		if !ok {
			return
		}
		want := "at most " + x.maxLatency.String()
		found := fmt.Sprintf("%s %s", phase, msText(v))
		if time.Duration(v*float64(time.Millisecond)) <= x.maxLatency {
			out = append(out, met(false, want, found))
		} else {
			out = append(out, unmet(result.ReasonExpectLatency, want, found))
		}
	}
	switch c.Name {
	case "tcp", "udp":
		if len(x.ports) > 0 {
			state, _ := ev["port_state"].(string)
			want := "port " + strings.Join(x.ports, " or ")
			switch {
			case state == "" || state == string(probes.PortError):
				// The name did not resolve: nothing is known of the port.
				out = append(out, unmet(result.ReasonExpectPortState, want, "not tried ("+firstNonEmpty(c.Error, "no address")+")"))
			case slices.Contains(x.ports, state):
				out = append(out, met(true, want, state))
			default:
				out = append(out, unmet(result.ReasonExpectPortState, want, state))
			}
		}
		if c.Name == "tcp" {
			latency("connect_ms", "connect")
		} else {
			latency("rtt_ms", "reply")
		}
	case "tls":
		if x.minDays != nil {
			want := fmt.Sprintf("certificate trusted and valid for %d more days", *x.minDays)
			days, ok := number(ev["cert_days_left"])
			verr, _ := ev["verify_error"].(string)
			switch {
			case ok && days >= float64(*x.minDays):
				out = append(out, met(true, want, fmt.Sprintf("%d days left", int(days))))
			case ok:
				out = append(out, unmet(result.ReasonExpectCertDays, want, fmt.Sprintf("%d days left", int(days))))
			case verr != "":
				out = append(out, unmet(result.ReasonExpectCertDays, want, "not trusted: "+verr))
			case c.Status == result.Skip:
				out = append(out, notMeasured(want, "no TLS handshake"))
			default:
				out = append(out, unmet(result.ReasonExpectCertDays, want, firstNonEmpty(c.Error, "no certificate")))
			}
		}
		latency("handshake_ms", "TLS handshake")
	case "http":
		if len(x.status) > 0 {
			want := "HTTP status " + joinInts(x.status)
			code, ok := number(ev["http_status"])
			switch {
			case ok && slices.Contains(x.status, int(code)):
				out = append(out, met(true, want, "HTTP "+strconv.Itoa(int(code))))
			case ok:
				out = append(out, unmet(result.ReasonExpectHTTPStatus, want, "HTTP "+strconv.Itoa(int(code))))
			case c.Status == result.Skip:
				out = append(out, notMeasured(want, "no HTTP request"))
			default:
				out = append(out, unmet(result.ReasonExpectHTTPStatus, want, "no HTTP answer"))
			}
		}
		if x.body != "" {
			want := fmt.Sprintf("body contains %q", x.body)
			m, ok := ev["body_match"].(bool)
			switch {
			case ok && m:
				out = append(out, met(true, want, "found"))
			case ok:
				out = append(out, unmet(result.ReasonExpectBody, want, "not in the first "+strconv.Itoa(intOf(ev["body_bytes"]))+" bytes"))
			case c.Status == result.Skip:
				out = append(out, notMeasured(want, "no HTTP request"))
			default:
				out = append(out, unmet(result.ReasonExpectBody, want, "no HTTP answer"))
			}
		}
		latency("ttfb_ms", "HTTP answer")
	case "dns":
		out = append(out, evaluateDNS(x, c)...)
		latency("rtt_ms", "answer")
	case "ping":
		method, _ := ev["method"].(string)
		reached := (c.Status == result.OK || c.Status == result.Warn) && method != "none" && method != ""
		if x.reachable != nil {
			found := "no answer"
			if reached {
				found = "answers (" + method + ")"
			}
			switch {
			case *x.reachable && reached:
				out = append(out, met(true, "reachable", found))
			case *x.reachable:
				out = append(out, unmet(result.ReasonExpectReachable, "reachable", found))
			case reached:
				out = append(out, unmet(result.ReasonExpectReachable, "not reachable", found))
			case c.Status == result.Skip:
				out = append(out, notMeasured("not reachable", "not measured"))
			default:
				out = append(out, met(true, "not reachable", found))
			}
		}
		if x.maxLoss != nil {
			want := "loss at most " + pctText(*x.maxLoss)
			if loss, ok := number(ev["loss_pct"]); ok {
				if loss <= *x.maxLoss {
					out = append(out, met(false, want, "loss "+pctText(loss)))
				} else {
					out = append(out, unmet(result.ReasonExpectLoss, want, "loss "+pctText(loss)))
				}
			}
		}
		latency("rtt_ms", "round trip")
	case "printer":
		if x.minSupply != nil {
			out = append(out, evaluateSupplies(*x.minSupply, c))
		}
	}
	return out
}

func evaluateDNS(x expect, c result.Check) []outcome {
	ev := c.Evidence
	rcode, _ := ev["rcode"].(string)
	answers := addrsOf(ev["answers"])
	answered := rcode != "" && rcode != "timeout" && rcode != "error" && rcode != "malformed"
	found := "no answer (" + firstNonEmpty(rcode, "not asked") + ")"
	if answered {
		found = rcode
		if len(answers) > 0 {
			found = joinAddrs(answers)
		}
	}
	var out []outcome
	if x.resolves != nil {
		switch {
		case *x.resolves && len(answers) > 0:
			out = append(out, met(true, "resolves", found))
		case *x.resolves:
			out = append(out, unmet(result.ReasonExpectNotResolve, "resolves", found))
		case len(answers) > 0:
			out = append(out, unmet(result.ReasonExpectResolves, "does not resolve", found))
		case answered:
			out = append(out, met(true, "does not resolve", found))
		default:
			// Silence is not proof that the name does not exist.
			out = append(out, unmet(result.ReasonExpectResolves, "does not resolve", found))
		}
	}
	if len(x.anyOf) > 0 {
		want := "any of " + joinAddrs(x.anyOf)
		if slices.ContainsFunc(x.anyOf, func(a netip.Addr) bool { return slices.Contains(answers, a) }) {
			out = append(out, met(true, want, found))
		} else {
			out = append(out, unmet(result.ReasonExpectAddresses, want, found))
		}
	}
	if len(x.allOf) > 0 {
		want := "all of " + joinAddrs(x.allOf)
		var missing []netip.Addr
		for _, a := range x.allOf {
			if !slices.Contains(answers, a) {
				missing = append(missing, a)
			}
		}
		if len(missing) == 0 {
			out = append(out, met(true, want, found))
		} else {
			out = append(out, unmet(result.ReasonExpectAddresses, want, found+" (missing "+joinAddrs(missing)+")"))
		}
	}
	if x.rcode != "" {
		want := "rcode " + x.rcode
		if rcode == x.rcode {
			out = append(out, met(true, want, rcode))
		} else {
			out = append(out, unmet(result.ReasonExpectRcode, want, firstNonEmpty(rcode, "no answer")))
		}
	}
	return out
}

// evaluateSupplies: every toner or ink whose level is known must be at
// least min. Waste boxes, drums and trays are the printer probe's own
// business.
func evaluateSupplies(min float64, c result.Check) outcome {
	want := "toner and ink at least " + pctText(min)
	supplies, _ := c.Evidence["supplies"].([]result.Supply)
	var low []string
	known := 0
	for _, s := range supplies {
		if !isColorant(s) || s.Percent == nil {
			continue
		}
		known++
		if *s.Percent < min {
			low = append(low, s.Description+" "+pctText(*s.Percent))
		}
	}
	switch {
	case known == 0:
		return notMeasured(want, "no supply level reported")
	case len(low) > 0:
		return unmet(result.ReasonExpectSupply, want, strings.Join(low, ", "))
	}
	return met(false, want, fmt.Sprintf("%d supplies at or above it", known))
}

// isColorant reports whether a supply is toner or ink: by its MIB type,
// or, when the printer does not say, by its name (many agents leave the
// type and class out).
func isColorant(s result.Supply) bool {
	t := strings.ToLower(s.Type)
	if strings.Contains(t, "waste") || s.Class == "receptacle" {
		return false
	}
	if t != "" && t != "other" && t != "unknown" {
		return strings.Contains(t, "toner") || strings.Contains(t, "ink") || strings.Contains(t, "wax")
	}
	d := strings.ToLower(s.Description)
	if strings.Contains(d, "waste") || strings.Contains(d, "drum") {
		return false
	}
	return strings.Contains(d, "toner") || strings.Contains(d, "ink") || strings.Contains(d, "cartridge")
}

// rewrite applies the outcomes to the check: it returns a copy whose
// status and reason follow the expectations, keeping the probe's own
// status and reason as evidence (raw_status, raw_reason) when they
// changed, so nothing is hidden. It is pure.
func rewrite(c result.Check, outs []outcome) result.Check {
	if len(outs) == 0 {
		return c
	}
	raw, rawReason := c.Status, c.Reason
	st := raw
	var failed, warned []outcome
	decided := false
	var wants []string
	for _, o := range outs {
		wants = append(wants, o.expected)
		switch {
		case o.status == result.ExpectUnmet && o.severity == result.Fail:
			failed = append(failed, o)
		case o.status == result.ExpectUnmet:
			warned = append(warned, o)
		case o.status == result.ExpectMet && o.decides:
			decided = true
		}
	}
	var cause *outcome
	switch {
	case len(failed) > 0:
		st, cause = result.Fail, &failed[0]
	case decided:
		st = result.OK
	}
	if len(failed) == 0 && len(warned) > 0 && result.Worst(st, result.Warn) != st {
		st, cause = result.Warn, &warned[0]
	}
	ev := maps.Clone(c.Evidence)
	if ev == nil {
		ev = map[string]any{}
	}
	c.Evidence = ev
	ev["expected"] = strings.Join(dedupe(wants), "; ")
	if st == raw {
		return c
	}
	ev["raw_status"] = string(raw)
	if rawReason != "" {
		ev["raw_reason"] = string(rawReason)
	}
	c.Status = st
	switch {
	case st == result.OK:
		c.Reason = ""
		c.Detail = "as expected (" + ev["expected"].(string) + "): " + c.Detail
	case raw == result.Fail && rawReason != "":
		// The probe's own code says more than "not as expected".
		c.Reason = rawReason
	default:
		c.Reason = cause.reason
	}
	if st != result.OK && cause != nil {
		c.Detail = "expected " + cause.expected + ", found " + cause.found + ": " + c.Detail
	}
	return c
}

// expecter holds a file's expectations by check name, and its layer
// budgets; it implements diagnose.Expecter.
type expecter struct {
	byName  map[string]expect
	order   []string
	budgets *Budgets
}

func newExpecter(b *Budgets) *expecter {
	return &expecter{byName: map[string]expect{}, budgets: b}
}

func (x *expecter) add(name string, e expect) {
	if _, ok := x.byName[name]; !ok {
		x.order = append(x.order, name)
	}
	x.byName[name] = e
}

// Apply rewrites every check that belongs to a check of the file, then
// applies the layer budgets to all checks, and lists every outcome.
func (x *expecter) Apply(checks []result.Check) ([]result.Check, []result.Expectation) {
	out := make([]result.Check, len(checks))
	var recs []result.Expectation
	for i, c := range checks {
		var outs []outcome
		var names []string
		if name, ok := c.Evidence[EvidenceCheck].(string); ok {
			if e, ok := x.byName[name]; ok {
				o := evaluate(e, c)
				outs = append(outs, o...)
				for range o {
					names = append(names, name)
				}
			}
		}
		if layer, o := x.budgets.evaluate(c); len(o) > 0 {
			outs = append(outs, o...)
			for range o {
				names = append(names, "budgets."+layer)
			}
		}
		out[i] = rewrite(c, outs)
		for j, o := range outs {
			recs = append(recs, result.Expectation{Name: names[j], Check: c.Name, Target: c.Target, Status: o.status,
				Expected: o.expected, Found: o.found, Reason: reasonIf(o)})
		}
	}
	return out, recs
}

func reasonIf(o outcome) result.Reason {
	if o.status == result.ExpectUnmet {
		return o.reason
	}
	return ""
}

// number reads a numeric evidence value of any Go numeric type.
func number(v any) (float64, bool) {
	switch n := v.(type) {
	case int:
		return float64(n), true
	case int64:
		return float64(n), true
	case float64:
		return n, !math.IsNaN(n)
	case float32:
		return float64(n), true
	case uint16:
		return float64(n), true
	}
	return 0, false
}

func intOf(v any) int {
	f, _ := number(v)
	return int(f)
}

func addrsOf(v any) []netip.Addr {
	var ss []string
	switch x := v.(type) {
	case []string:
		ss = x
	case []any:
		for _, e := range x {
			if s, ok := e.(string); ok {
				ss = append(ss, s)
			}
		}
	}
	var out []netip.Addr
	for _, s := range ss {
		if a, err := netip.ParseAddr(s); err == nil {
			out = append(out, a.Unmap())
		}
	}
	return out
}

func joinAddrs(as []netip.Addr) string {
	s := make([]string, len(as))
	for i, a := range as {
		s[i] = a.String()
	}
	return strings.Join(s, ", ")
}

func joinInts(v []int) string {
	s := make([]string, len(v))
	for i, n := range v {
		s[i] = strconv.Itoa(n)
	}
	return strings.Join(s, " or ")
}

func msText(ms float64) string {
	return (time.Duration(ms * float64(time.Millisecond))).Round(100 * time.Microsecond).String()
}

func pctText(p float64) string { return strconv.FormatFloat(p, 'f', -1, 64) + "%" }

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

func dedupe(ss []string) []string {
	var out []string
	for _, s := range ss {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}
