package diagnose

import (
	"net/netip"

	"github.com/netprobe/netprobe/result"
)

// Judge groups checks into layers (in the order given) and gives each
// layer its status. It is pure. Beyond "worst check wins" it applies what
// one layer's evidence says about another:
//   - redundancy: with several gateways or upstreams, one that answers
//     keeps the layer at warn;
//   - DNS is judged per name: all of this computer's resolvers failing a
//     name fails, some failing warns; reference resolvers count only
//     through the comparison check;
//   - a gateway that ignores ping and TCP while the internet answers
//     through it is not broken (warn, with a note);
//   - an internet layer whose upstreams are silent while a DNS server
//     beyond the router (off-link, or public) answers is not down (warn,
//     with a note).
func Judge(checks []result.Check, layers []result.Layer) []result.LayerResult {
	by := map[result.Layer][]result.Check{}
	for _, c := range checks {
		by[c.Layer] = append(by[c.Layer], c)
	}
	out := make([]result.LayerResult, 0, len(layers))
	idx := map[result.Layer]int{}
	for _, l := range layers {
		cs := by[l]
		if cs == nil {
			cs = []result.Check{}
		}
		lr := result.LayerResult{Name: l, Checks: cs}
		switch l {
		case result.Gateway, result.Internet:
			lr.Status, lr.Reason = reachability(l, cs)
		case result.DNS:
			lr.Status, lr.Reason = dnsStatus(cs)
		default:
			lr.Status = worst(cs)
		}
		idx[l] = len(out)
		out = append(out, lr)
	}
	get := func(l result.Layer) *result.LayerResult {
		if i, ok := idx[l]; ok {
			return &out[i]
		}
		return nil
	}
	inet, gw, dns := get(result.Internet), get(result.Gateway), get(result.DNS)
	if inet != nil && inet.Reason == result.ReasonInternetPartlyAnswered && onlyIPv6Fails(inet.Checks) && ipv6Configured(get(result.Address), gw) {
		// Not a flaky upstream: IPv6 as a whole is broken beyond this
		// computer while IPv4 works, and every program that tries IPv6
		// first waits for the fallback.
		inet.Reason = result.ReasonInternetIPv6Broken
	}
	if gw != nil && gw.Status == result.Fail && inet != nil && (inet.Status == result.OK || inet.Status == result.Warn) && !gatewayHasNoRoute(gw.Checks) {
		gw.Status, gw.Reason = result.Warn, result.ReasonGatewayIgnoresProbes
		gw.Note = "the router does not answer ping or TCP itself, but traffic to the internet passes through it"
	}
	judgeProxyOnly(inet, get(result.Service))
	if inet != nil && inet.Status == result.Fail && !internetConfirmedDown(inet.Checks) && dns != nil && remoteDNSAnswered(dns.Checks) {
		inet.Status, inet.Reason = result.Warn, result.ReasonInternetUpstreamsQuiet
		inet.Note = "the upstream hosts do not answer, but a DNS server beyond the router does: traffic does get out"
	}
	return out
}

// gatewayHasNoRoute: no gateway is configured at all (the plan's note):
// then nothing can "pass through it".
func gatewayHasNoRoute(cs []result.Check) bool {
	for _, c := range cs {
		if c.Reason == result.ReasonGatewayNone {
			return true
		}
	}
	return false
}

// internetConfirmedDown: a follow-up confirmed a fault of the path itself
// (an MTU black hole), or a captive portal intercepts it: a DNS answer
// from beyond the router does not clear that.
func internetConfirmedDown(cs []result.Check) bool {
	for _, c := range cs {
		if c.Status == result.Fail && (c.Reason == result.ReasonPathMTUBlackhole || c.Reason == result.ReasonInternetCaptivePortal) {
			return true
		}
	}
	return false
}

// reachability judges the gateway and internet layers: the ping checks
// are redundant targets (one that answers keeps the layer up, the rest
// only warn); a confirmed path fault (pmtu) counts in full; a trace only
// explains and never changes the status.
func reachability(l result.Layer, cs []result.Check) (result.Status, result.Reason) {
	var pings, others []result.Check
	for _, c := range cs {
		switch c.Name {
		case "trace":
			// Evidence for the explanation, not a verdict of its own: a
			// trace through a lossy path may miss the destination.
		case "ping":
			pings = append(pings, c)
		default:
			others = append(others, c)
		}
	}
	st := redundant(pings)
	var reason result.Reason
	if st == result.Warn && worst(pings) == result.Fail {
		reason = result.ReasonGatewayPartlyAnswered
		if l == result.Internet {
			reason = result.ReasonInternetPartlyAnswered
		}
	}
	return result.Worst(st, worst(others)), reason
}

// worst is the most severe status among checks that measured something.
func worst(cs []result.Check) result.Status {
	s := result.Skip
	for _, c := range cs {
		s = result.Worst(s, c.Status)
	}
	return s
}

// redundant: any answering target keeps the layer up; the rest only warn.
func redundant(cs []result.Check) result.Status {
	w := worst(cs)
	if w != result.Fail {
		return w
	}
	for _, c := range cs {
		if c.Status == result.OK || c.Status == result.Warn {
			return result.Warn
		}
	}
	return result.Fail
}

func dnsStatus(cs []result.Check) (result.Status, result.Reason) {
	type tally struct{ ok, bad int }
	perName := map[string]*tally{}
	var order []string
	st := result.Skip
	var reason result.Reason
	for _, c := range cs {
		switch {
		case c.Name == "dns" && evStr(c, "role") == "reference":
			// A yardstick: it counts through dns-compare only.
		case c.Name == "dns":
			name := evStr(c, "name")
			t := perName[name]
			if t == nil {
				t = &tally{}
				perName[name] = t
				order = append(order, name)
			}
			switch c.Status {
			case result.OK, result.Warn:
				t.ok++
			case result.Fail:
				t.bad++
			}
			if c.Status == result.Warn {
				st = result.Worst(st, result.Warn)
			}
		default:
			st = result.Worst(st, c.Status)
		}
	}
	for _, n := range order {
		t := perName[n]
		switch {
		case t.bad > 0 && t.ok == 0:
			st = result.Worst(st, result.Fail)
		case t.bad > 0:
			if st != result.Fail {
				reason = result.ReasonDNSPartlyFailing
			}
			st = result.Worst(st, result.Warn)
		case t.ok > 0:
			st = result.Worst(st, result.OK)
		}
	}
	if st == result.Fail {
		reason = ""
	}
	return st, reason
}

// remoteDNSAnswered reports whether a DNS server beyond the router (not on
// a directly connected network, or with a public address) answered: proof
// that packets cross the gateway and come back.
func remoteDNSAnswered(cs []result.Check) bool {
	for _, c := range cs {
		if c.Name != "dns" || c.Status != result.OK {
			continue
		}
		if off, _ := c.Evidence["off_link"].(bool); off {
			return true
		}
		s := evStr(c, "resolver")
		ap, err := netip.ParseAddrPort(s)
		a := ap.Addr()
		if err != nil {
			if a, err = netip.ParseAddr(s); err != nil {
				continue
			}
		}
		if isPublic(a) {
			return true
		}
	}
	return false
}

// isPublic: global unicast and not in a private, shared or documentation
// range (where a local resolver would live).
func isPublic(a netip.Addr) bool {
	if !a.IsGlobalUnicast() || a.IsPrivate() {
		return false
	}
	for _, p := range nonPublic {
		if p.Contains(a) {
			return false
		}
	}
	return true
}

var nonPublic = []netip.Prefix{
	netip.MustParsePrefix("100.64.0.0/10"),   // carrier-grade NAT
	netip.MustParsePrefix("192.0.2.0/24"),    // documentation
	netip.MustParsePrefix("198.18.0.0/15"),   // benchmarking
	netip.MustParsePrefix("198.51.100.0/24"), // documentation
	netip.MustParsePrefix("203.0.113.0/24"),  // documentation
	netip.MustParsePrefix("2001:db8::/32"),   // documentation
}

// familyOf reads a check's IP family: the evidence, else its target.
func familyOf(c result.Check) int {
	if f, ok := c.Evidence["family"].(int); ok {
		return f
	}
	if f, ok := c.Evidence["family"].(float64); ok {
		return int(f)
	}
	if a, err := netip.ParseAddr(hostOf(c.Target)); err == nil {
		if a.Unmap().Is4() {
			return 4
		}
		return 6
	}
	return 0
}

// onlyIPv6Fails: every failing ping is IPv6, and an IPv4 one answers.
func onlyIPv6Fails(cs []result.Check) bool {
	v4ok, v6bad := false, false
	for _, c := range cs {
		if c.Name != "ping" {
			continue
		}
		switch f := familyOf(c); {
		case c.Status == result.Fail && f != 6:
			return false
		case c.Status == result.Fail:
			v6bad = true
		case f == 4 && (c.Status == result.OK || c.Status == result.Warn):
			v4ok = true
		}
	}
	return v4ok && v6bad
}

// ipv6Configured: this computer has IPv6 set up (a global address and a
// default route), from the address layer, or, when that did not run, an
// IPv6 gateway that answers. No IPv6 at all is not a fault.
func ipv6Configured(addr, gw *result.LayerResult) bool {
	if addr != nil {
		for _, c := range addr.Checks {
			if c.Name == "route" && c.Status == result.OK {
				if v6, _ := c.Evidence["default_route_v6"].(bool); v6 {
					return true
				}
			}
		}
		return false
	}
	if gw != nil {
		for _, c := range gw.Checks {
			if familyOf(c) == 6 && (c.Status == result.OK || c.Status == result.Warn) {
				return true
			}
		}
	}
	return false
}
