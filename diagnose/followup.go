package diagnose

import (
	"context"
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/netprobe/netprobe/probes"
	"github.com/netprobe/netprobe/result"
)

// The confirmation round. A consultant narrows the cause down, then runs
// the one test that confirms it; netprobe does the same. After the first
// round is judged, FollowUps plans targeted probes from the suspects'
// reason codes. It is a pure function of the first round's checks and
// layers and of the run's environment, so what it plans is table-tested
// without running anything. The runner runs the follow-ups in what is
// left of the same budget and judges again; Decide then switches on the
// codes the follow-ups give (dns.wrong_answer, path.mtu_blackhole,
// path.loss_from_hop, ...).

// FollowEnv is what the planner may know besides the results: the run's
// options, the system snapshot and the ICMP permission.
type FollowEnv struct {
	Options    Options
	System     probes.System
	Permission probes.ICMPPermission
}

// followRule plans the follow-ups of one kind of suspicion.
type followRule func(checks []result.Check, layers []result.LayerResult, env FollowEnv) []Task

// followRules are the confirmations netprobe knows, in the order their
// tasks are listed.
var followRules = []followRule{
	confirmWrongAnswer,
}

// FollowUps plans the confirmation round.
func FollowUps(checks []result.Check, layers []result.LayerResult, env FollowEnv) []Task {
	var out []Task
	for _, rule := range followRules {
		out = append(out, rule(checks, layers, env)...)
	}
	return out
}

// confirmWrongAnswer: a named service failed at the address this
// computer's resolvers gave, and the reference resolvers gave other
// addresses (dns.mismatch). Try the same service (same port, SNI and Host
// header) at a reference address: if it works there, the DNS answer is
// wrong (dns.wrong_answer), and the service failure follows from it.
func confirmWrongAnswer(checks []result.Check, _ []result.LayerResult, env FollowEnv) []Task {
	var out []Task
	for _, cmp := range checks {
		if cmp.Name != "dns-compare" || cmp.Reason != result.ReasonDNSMismatch {
			continue
		}
		name := cmp.Target
		sysAddrs, refAddrs := evStrs(cmp, "system_answers"), evStrs(cmp, "reference_answers")
		for _, t := range env.Options.Targets {
			if !strings.EqualFold(t.Host, name) {
				continue
			}
			failed, ok := serviceFailure(checks, t)
			if !ok {
				continue
			}
			sysAddr := firstOf(evStr(failed, "address"), pickAddr(sysAddrs, nil, ""))
			refAddr := pickAddr(refAddrs, sysAddrs, sysAddr)
			if refAddr == "" {
				continue
			}
			out = append(out, wrongAnswerTask(env.Options, t, failed, name, sysAddr, refAddr, resolverFor(checks, name, sysAddr)))
		}
	}
	return out
}

// serviceFailure returns the first-round check that failed target t, if
// its failure is one a wrong address can cause (not an unresolved name,
// nor a phase that was not tried).
func serviceFailure(checks []result.Check, t Target) (result.Check, bool) {
	for _, c := range checks {
		if c.Layer != result.Service || c.Target != t.String() || c.Status != result.Fail || c.Round != 0 {
			continue
		}
		// Through a proxy, this computer's DNS answer is not what the
		// browser connects to: nothing for a wrong answer to explain.
		if unresolvedReasons[c.Reason] || c.Reason.Area() == "local" || evStr(c, "path") == "proxy" {
			return result.Check{}, false
		}
		return c, true
	}
	return result.Check{}, false
}

// pickAddr picks an address from candidates that is not in exclude,
// preferring the family of like (an IPv4 answer is compared with IPv4).
func pickAddr(candidates, exclude []string, like string) string {
	want4 := true
	if a, err := netip.ParseAddr(like); err == nil {
		want4 = a.Is4()
	}
	var other string
	for _, c := range candidates {
		a, err := netip.ParseAddr(c)
		if err != nil || slices.Contains(exclude, c) {
			continue
		}
		if a.Is4() == want4 {
			return c
		}
		if other == "" {
			other = c
		}
	}
	return other
}

// resolverFor names the system resolver that gave addr for name.
func resolverFor(checks []result.Check, name, addr string) string {
	for _, c := range checks {
		if c.Name == "dns" && evStr(c, "role") != "reference" && strings.EqualFold(evStr(c, "name"), name) && slices.Contains(evStrs(c, "answers"), addr) {
			return evStr(c, "resolver")
		}
	}
	return ""
}

// wrongAnswerTask retries target t at refAddr and turns the outcome into
// one dns-confirm check.
func wrongAnswerTask(o Options, t Target, failed result.Check, name, sysAddr, refAddr, resolver string) Task {
	ref := netip.MustParseAddr(refAddr)
	retry := serviceProbe(o, t, ref)
	return Task{Layer: result.DNS, Name: "dns-confirm", Target: name, Timeout: ServiceTimeout,
		Probe: func(ctx context.Context) []result.Check {
			start := o.Now()
			cs := retry(ctx)
			c := result.Check{Name: "dns-confirm", Layer: result.DNS, Target: name, Started: start, Evidence: map[string]any{}}
			c.With("name", name).With("service", t.String()).With("system_address", sysAddr).With("reference_address", refAddr).
				With("system_outcome", string(failed.Reason))
			if resolver != "" {
				c.With("resolver", resolver)
			}
			bad := firstFailure(cs)
			if bad == nil {
				c.With("reference_outcome", "ok")
				c.Status, c.Reason = result.Fail, result.ReasonDNSWrongAnswer
				c.Detail = fmt.Sprintf("%s works at %s (the reference resolvers' address for %s) but failed at %s (this computer's resolvers' address): the DNS answer is wrong",
					t.String(), refAddr, name, sysAddr)
			} else {
				c.With("reference_outcome", string(bad.Reason))
				c.Status = result.OK
				c.Detail = fmt.Sprintf("%s fails at %s (the reference resolvers' address) too: the different DNS answer is not the cause", t.String(), refAddr)
			}
			c.Duration = o.Now().Sub(start)
			return []result.Check{c}
		}}
}

// firstFailure is the first check that did not pass (a skipped phase
// counts: it means an earlier one failed).
func firstFailure(cs []result.Check) *result.Check {
	for i := range cs {
		if cs[i].Status == result.Fail || cs[i].Status == result.Skip {
			return &cs[i]
		}
	}
	if len(cs) == 0 {
		return &result.Check{Reason: result.ReasonTimedOut}
	}
	return nil
}
