package diagnose

import (
	"context"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"time"

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
	findRouter,
	tracePath,
	confirmWrongAnswer,
	measurePathMTU,
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

// findRouter: the default gateway does not answer (no ARP, or silence).
// Is the router down, or is the gateway setting wrong? Ask the addresses
// where routers usually live on each local IPv4 network (the first and
// the last host address), and judge: another router answering, or a
// gateway on none of this computer's networks, is a static
// misconfiguration (gateway.misconfigured); nobody answering leaves the
// verdict with the silent gateway.
func findRouter(checks []result.Check, layers []result.LayerResult, env FollowEnv) []Task {
	gw := find(layers, result.Gateway)
	if gw == nil || gw.Status != result.Fail || len(env.System.Interfaces) == 0 {
		return nil // nothing failed, or no snapshot to say what is "local"
	}
	var bad []netip.Addr
	for _, c := range gw.Checks {
		if c.Name != "ping" || (c.Reason != result.ReasonGatewayNoARP && c.Reason != result.ReasonGatewayNoReply) {
			continue
		}
		if a, err := netip.ParseAddr(c.Target); err == nil && a.Is4() {
			bad = append(bad, a)
		}
	}
	if len(bad) == 0 {
		return nil
	}
	cands := routerCandidates(env.System, bad)
	configured := bad[0]
	onLink := onLink(env.System, configured)
	if len(cands) == 0 && onLink {
		return nil
	}
	po := pingOptions(env.Options, env.Permission)
	po.Layer, po.FallbackPorts, po.Neighbour, po.Count, po.Timeout = result.Gateway, gatewayFallbackPorts, true, 3, time.Second
	return []Task{{Layer: result.Gateway, Name: "gateway-search", Target: configured.String(), Timeout: 2 * time.Second,
		Probe: func(ctx context.Context) []result.Check {
			return []result.Check{searchRouter(ctx, configured, onLink, cands, po, env.Options.Now)}
		}}}
}

// routerCandidates lists, per usable interface's IPv4 network, its first
// and last host address, except this computer's and the silent gateways.
func routerCandidates(sys probes.System, exclude []netip.Addr) []netip.Addr {
	var out []netip.Addr
	for _, it := range sys.Interfaces {
		if !it.Usable() || it.Loopback {
			continue
		}
		for _, p := range it.Addrs {
			if !p.Addr().Is4() || p.Bits() > 30 || p.Addr().IsLinkLocalUnicast() {
				continue
			}
			first := p.Masked().Addr().Next()
			last := lastHost(p)
			for _, a := range []netip.Addr{first, last} {
				if a == p.Addr() || slices.Contains(exclude, a) || slices.Contains(out, a) {
					continue
				}
				out = append(out, a)
			}
		}
	}
	return out
}

// lastHost is the last usable address of an IPv4 network (broadcast - 1).
func lastHost(p netip.Prefix) netip.Addr {
	b := p.Masked().Addr().As4()
	host := uint32(1)<<(32-p.Bits()) - 1
	v := (uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])) | host
	v--
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)})
}

// searchRouter pings the candidates together and builds the
// gateway-search check.
func searchRouter(ctx context.Context, configured netip.Addr, onLink bool, cands []netip.Addr, po probes.PingOptions, now func() time.Time) result.Check {
	start := now()
	c := result.Check{Name: "gateway-search", Layer: result.Gateway, Target: configured.String(), Started: start, Evidence: map[string]any{}}
	c.With("configured_gateway", configured.String()).With("on_link", onLink)
	tried := make([]string, len(cands))
	found := make([]string, 0, 1)
	results := make([]result.Check, len(cands))
	var wg sync.WaitGroup
	for i, a := range cands {
		tried[i] = a.String()
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = probes.Ping(ctx, a, po)
		}()
	}
	wg.Wait()
	for i, r := range results {
		if r.Status == result.OK || r.Status == result.Warn {
			found = append(found, cands[i].String())
		}
	}
	c.With("candidates", tried).With("routers_found", found)
	switch {
	case len(found) > 0:
		c.Status, c.Reason = result.Fail, result.ReasonGatewayMisconfigured
		c.With("router_found", found[0])
		c.Detail = fmt.Sprintf("the configured gateway %s does not answer, but %s answers on this network and is probably the router: the gateway setting is wrong", configured, found[0])
	case !onLink:
		c.Status, c.Reason = result.Fail, result.ReasonGatewayMisconfigured
		c.Detail = fmt.Sprintf("the configured gateway %s is on none of this computer's networks and does not answer: the gateway setting is wrong", configured)
	default:
		c.Status = result.OK
		c.Detail = fmt.Sprintf("no other router answers at %s: the gateway setting looks right, the router itself does not answer", strings.Join(tried, ", "))
	}
	c.Duration = now().Sub(start)
	return c
}

// maxTraces bounds the traces of one run: one per IP family is the
// picture a consultant needs, and each costs seconds.
const maxTraces = 2

// tracePath: the internet layer fails or degrades (silent, lossy or slow
// upstreams) while the router answers. Trace the path to the first such
// upstream of each family, mtr-style, to name the last hop that answers
// and the hop where loss starts (path.stops_at_hop, path.loss_from_hop).
// It uses the run's --count and --loss-warn, so a run that asked for many
// pings to see loss gets a trace that can see it too.
func tracePath(checks []result.Check, layers []result.LayerResult, env FollowEnv) []Task {
	inet := find(layers, result.Internet)
	if inet == nil || (inet.Status != result.Fail && inet.Status != result.Warn) {
		return nil
	}
	if gw := find(layers, result.Gateway); gw != nil && gw.Status == result.Fail {
		return nil // the router is the fault; nothing beyond it to trace
	}
	opt := probes.TraceOptions{Permission: env.Permission, LossWarn: env.Options.LossWarn,
		Probes: max(probes.DefaultTraceProbes, min(env.Options.PingCount, 100))}
	var out []Task
	seen := map[int]bool{}
	for _, c := range inet.Checks {
		if c.Name != "ping" || !traceWorthy[c.Reason] {
			continue
		}
		a, err := netip.ParseAddr(c.Target)
		if err != nil {
			continue // a named host of the ping command: its address is in the target's words only
		}
		if f := probes.Family(a); !seen[f] && len(out) < maxTraces {
			seen[f] = true
			out = append(out, Task{Layer: result.Internet, Name: "trace", Target: a.String(), Timeout: probes.DefaultTraceTimeout,
				Probe: probes.NewTrace(a, opt)})
		}
	}
	return out
}

// traceWorthy are the upstream findings a trace can explain.
var traceWorthy = map[result.Reason]bool{
	result.ReasonInternetNoReply: true, result.ReasonInternetLoss: true, result.ReasonInternetSlow: true,
}

// measurePathMTU: a target's TCP connection opened but its TLS handshake
// (or its HTTP answer) then stalled, on a path through the router. That
// is the mark of an MTU black hole: small packets pass, the server's
// full-size ones die. Measure the path MTU to that address (ICMP with
// Don't-Fragment where permitted, and the same handshake again with a
// small TCP MSS) to confirm (path.mtu_blackhole) or clear it.
func measurePathMTU(checks []result.Check, _ []result.LayerResult, env FollowEnv) []Task {
	var out []Task
	seen := map[netip.Addr]bool{}
	for _, t := range env.Options.Targets {
		if t.Scheme != "http" && t.Scheme != "https" {
			continue
		}
		var connected *result.Check
		stalled := false
		for i, c := range checks {
			if c.Layer != result.Service || c.Target != t.String() || c.Round != 0 {
				continue
			}
			switch {
			case c.Name == "tcp" && c.Status == result.OK:
				connected = &checks[i]
			case c.Reason == result.ReasonTLSHandshakeStalled || c.Reason == result.ReasonHTTPStalled:
				stalled = true
			}
		}
		if connected == nil || !stalled {
			continue
		}
		if on, ok := connected.Evidence["on_link"].(bool); ok && on {
			continue // on the local network: no router in between to lose packets
		}
		a, err := netip.ParseAddr(evStr(*connected, "address"))
		if err != nil || seen[a] {
			continue
		}
		seen[a] = true
		opt := probes.PathMTUOptions{Permission: env.Permission, Port: t.Port, TLS: t.Scheme == "https", ServerName: t.Host}
		if t.Scheme == "http" {
			opt.Payload = []byte("GET " + t.URL.RequestURI() + " HTTP/1.1\r\nHost: " + t.URL.Host + "\r\nUser-Agent: netprobe\r\nConnection: close\r\n\r\n")
		}
		out = append(out, Task{Layer: result.Internet, Name: "pmtu", Target: netip.AddrPortFrom(a, uint16(t.Port)).String(),
			Timeout: probes.DefaultPMTUTimeout, Probe: probes.NewPathMTU(a, opt)})
	}
	return out
}
