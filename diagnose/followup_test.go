package diagnose

import (
	"context"
	"net"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/netprobe/netprobe/internal/testnet"
	"github.com/netprobe/netprobe/probes"
	"github.com/netprobe/netprobe/result"
)

// zoneOf answers A queries for name with addr, NXDOMAIN for other names.
func zoneOf(name, addr string) dns.Handler {
	return dns.HandlerFunc(func(w dns.ResponseWriter, r *dns.Msg) {
		m := new(dns.Msg)
		m.SetReply(r)
		q := r.Question[0]
		switch {
		case !strings.EqualFold(q.Name, dns.Fqdn(name)):
			m.Rcode = dns.RcodeNameError
		case q.Qtype == dns.TypeA:
			m.Answer = append(m.Answer, &dns.A{Hdr: dns.RR_Header{Name: q.Name, Rrtype: dns.TypeA, Class: dns.ClassINET, Ttl: 60}, A: net.ParseIP(addr)})
		}
		w.WriteMsg(m)
	})
}

// The confirmation round end to end on loopback. This computer's resolver
// says www.lab.test is 127.0.0.2, where nothing listens on the service's
// port; the reference resolver says 127.0.0.1, where the service runs.
// The first round sees a closed port and different answers (a warning);
// the follow-up tries the service at the reference address, it works, and
// the verdict becomes dns.wrong_answer with the service as its
// consequence.
func TestRunConfirmsAWrongDNSAnswer(t *testing.T) {
	port := testnet.OpenTCP(t)
	liar := testnet.StartDNS(t, zoneOf("www.lab.test", "127.0.0.2"))
	truth := testnet.StartDNS(t, zoneOf("www.lab.test", "127.0.0.1"))

	o := Options{Layers: []result.Layer{result.DNS, result.Service}, Budget: 5 * time.Second,
		Resolvers: []netip.AddrPort{liar}, Reference: []netip.AddrPort{truth}, DNSNames: []string{"www.lab.test"},
		Targets: []Target{mustTarget("tcp://www.lab.test:" + itoa(port))}}
	r := Run(context.Background(), o)
	if r.Verdict.Status != result.Failed || r.Verdict.Layer != result.DNS || r.Verdict.Reason != result.ReasonDNSWrongAnswer {
		t.Fatalf("verdict %s/%s/%s, want fail/dns/dns.wrong_answer: %s", r.Verdict.Status, r.Verdict.Layer, r.Verdict.Reason, r.Verdict.Summary)
	}
	if len(r.Verdict.Consequences) != 1 || r.Verdict.Consequences[0] != result.Service {
		t.Errorf("consequences = %v, want [service]", r.Verdict.Consequences)
	}
	if !strings.Contains(r.Verdict.Summary, "127.0.0.2 instead of 127.0.0.1") {
		t.Errorf("summary %q does not name both addresses", r.Verdict.Summary)
	}
	var confirm *result.Check
	for i, c := range r.Layer(result.DNS).Checks {
		if c.Name == "dns-confirm" {
			confirm = &r.Layer(result.DNS).Checks[i]
		}
	}
	if confirm == nil || confirm.Round != 2 || confirm.Evidence["system_address"] != "127.0.0.2" || confirm.Evidence["reference_address"] != "127.0.0.1" ||
		confirm.Evidence["reference_outcome"] != "ok" || confirm.Evidence["system_outcome"] != string(result.ReasonTCPClosed) {
		t.Fatalf("dns-confirm check = %+v", confirm)
	}
	if r.Duration >= o.Budget {
		t.Errorf("the run took %s of its %s budget", r.Duration, o.Budget)
	}
}

// When the service fails at the reference address too, the different
// answer is not the cause: the verdict stays with the service, and the
// follow-up says so.
func TestRunDoesNotBlameDNSWhenTheServiceIsDownEverywhere(t *testing.T) {
	closed := testnet.ClosedTCP(t)
	liar := testnet.StartDNS(t, zoneOf("www.lab.test", "127.0.0.2"))
	truth := testnet.StartDNS(t, zoneOf("www.lab.test", "127.0.0.1"))
	o := Options{Layers: []result.Layer{result.DNS, result.Service}, Budget: 5 * time.Second,
		Resolvers: []netip.AddrPort{liar}, Reference: []netip.AddrPort{truth}, DNSNames: []string{"www.lab.test"},
		Targets: []Target{mustTarget("tcp://www.lab.test:" + itoa(closed))}}
	r := Run(context.Background(), o)
	if r.Verdict.Layer != result.Service || r.Verdict.Reason != result.ReasonTCPClosed {
		t.Fatalf("verdict %s/%s/%s, want the service's closed port: %s", r.Verdict.Status, r.Verdict.Layer, r.Verdict.Reason, r.Verdict.Summary)
	}
	found := false
	for _, c := range r.Layer(result.DNS).Checks {
		if c.Name == "dns-confirm" {
			found = true
			if c.Status != result.OK || c.Evidence["reference_outcome"] != string(result.ReasonTCPClosed) {
				t.Errorf("dns-confirm = %s %v", c.Status, c.Evidence)
			}
		}
	}
	if !found {
		t.Fatal("no dns-confirm check: the suspicion was not followed up")
	}
}

// FollowUps is pure: the same first round gives the same plan, and only
// the suspicions with their evidence lead to follow-ups.
func TestFollowUpsPlan(t *testing.T) {
	target := mustTarget("https://www.lab.test/")
	env := FollowEnv{Options: Options{Targets: []Target{target, mustTarget("tcp://198.18.1.9:22")}}}
	mismatch := chk(result.DNS, "dns-compare", "www.lab.test", result.Warn, result.ReasonDNSMismatch, "differ",
		"system_answers", []string{"198.18.1.66"}, "reference_answers", []string{"198.18.1.80", "fd00:77:0:3::80"})
	agree := chk(result.DNS, "dns-compare", "www.lab.test", result.OK, "", "agree",
		"system_answers", []string{"198.18.1.80"}, "reference_answers", []string{"198.18.1.80"})
	failed := chk(result.Service, "tcp", target.String(), result.Fail, result.ReasonTCPFiltered, "filtered", "port_state", "filtered")
	unresolved := chk(result.Service, "tcp", target.String(), result.Fail, result.ReasonTCPUnresolved, "no name")
	worked := chk(result.Service, "tcp", target.String(), result.OK, "", "open")
	tests := []struct {
		name   string
		checks []result.Check
		want   string
	}{
		{"different answers and a failing service: retry at the reference address", []result.Check{mismatch, failed},
			"dns dns-confirm www.lab.test\n"},
		{"answers agree: nothing to confirm", []result.Check{agree, failed}, ""},
		{"the service works: nothing to confirm", []result.Check{mismatch, worked}, ""},
		{"the name did not resolve: DNS already says so", []result.Check{mismatch, unresolved}, ""},
		{"no suspicion at all", []result.Check{linkOK, upOK}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := planString(FollowUps(tt.checks, Judge(tt.checks, result.Layers), env))
			if got != tt.want {
				t.Fatalf("follow-ups:\n%s\nwant:\n%s", got, tt.want)
			}
		})
	}
	if got := pickAddr([]string{"198.18.1.80", "fd00:77:0:3::80"}, []string{"198.18.1.66"}, "198.18.1.66"); got != "198.18.1.80" {
		t.Errorf("pickAddr prefers the failed address's family: got %s", got)
	}
	if got := pickAddr([]string{"198.18.1.66"}, []string{"198.18.1.66"}, "198.18.1.66"); got != "" {
		t.Errorf("pickAddr must not retry the address that failed: got %s", got)
	}
}

// A follow-up that the budget leaves no time for is reported as planned
// but not run: a missing confirmation is said, never silently dropped.
func TestFollowUpsWithoutTimeAreSaid(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	ran := false
	fu := []Task{{Layer: result.Internet, Name: "pmtu", Target: "198.18.1.80", Timeout: time.Second,
		Probe: func(context.Context) []result.Check { ran = true; return nil }}}
	cs := runFollowUps(ctx, fu, Options{Budget: time.Second, Now: time.Now})
	if ran || len(cs) != 1 || cs[0].Status != result.Skip || cs[0].Reason != result.ReasonNoTimeLeft || cs[0].Round != 2 {
		t.Fatalf("ran %v, checks %+v", ran, cs)
	}
}

// A resolver that answers correctly but slowly degrades the DNS layer
// (dns.slow), naming it and its time; a fast one does not.
func TestRunFindsASlowResolver(t *testing.T) {
	slow := testnet.StartDNS(t, dns.HandlerFunc(func(w dns.ResponseWriter, r *dns.Msg) {
		time.Sleep(350 * time.Millisecond)
		zoneOf("www.lab.test", "127.0.0.1").ServeDNS(w, r)
	}))
	fast := testnet.StartDNS(t, zoneOf("www.lab.test", "127.0.0.1"))
	for _, tt := range []struct {
		name   string
		srv    netip.AddrPort
		status result.Overall
		reason result.Reason
	}{
		{"slow", slow, result.Degraded, result.ReasonDNSSlow},
		{"fast", fast, result.Healthy, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			o := Options{Layers: []result.Layer{result.DNS}, Budget: 5 * time.Second, NoReference: true, DNSSlow: 300 * time.Millisecond,
				Resolvers: []netip.AddrPort{tt.srv}, DNSNames: []string{"www.lab.test"}}
			r := Run(context.Background(), o)
			if r.Verdict.Status != tt.status || r.Verdict.Reason != tt.reason {
				t.Fatalf("verdict %s/%s %q", r.Verdict.Status, r.Verdict.Reason, r.Verdict.Summary)
			}
			if tt.reason == result.ReasonDNSSlow && !strings.Contains(r.Verdict.Summary, tt.srv.String()) {
				t.Errorf("summary %q does not name the resolver", r.Verdict.Summary)
			}
		})
	}
}

func TestDNSLatencyMedian(t *testing.T) {
	at := time.Unix(0, 0)
	mk := func(resolver, role string, rtt float64) result.Check {
		return chk(result.DNS, "dns", "x @"+resolver, result.OK, "", "", "resolver", resolver, "role", role, "rtt_ms", rtt)
	}
	cs := dnsLatency([]result.Check{mk("10.0.0.1", "system", 900), mk("10.0.0.1", "system", 20), mk("10.0.0.1", "system", 700),
		mk("10.0.0.2", "system", 5), mk("1.1.1.1", "reference", 12),
		chk(result.DNS, "dns", "y @10.0.0.2", result.Fail, result.ReasonDNSTimeout, "", "resolver", "10.0.0.2", "role", "system")}, 0, at)
	if len(cs) != 2 {
		t.Fatalf("%d latency checks: %+v", len(cs), cs)
	}
	if cs[0].Reason != result.ReasonDNSSlow || cs[0].Evidence["median_ms"] != 700.0 || cs[0].Evidence["reference_median_ms"] != 12.0 {
		t.Errorf("slow resolver: %s %q %v", cs[0].Status, cs[0].Reason, cs[0].Evidence)
	}
	if cs[1].Status != result.OK || cs[1].Evidence["queries"] != 1 {
		t.Errorf("fast resolver: %+v", cs[1])
	}
}

// zone46 answers name with one IPv4 and one IPv6 address.
func zone46(name, v4, v6 string) dns.Handler {
	return dns.HandlerFunc(func(w dns.ResponseWriter, r *dns.Msg) {
		m := new(dns.Msg)
		m.SetReply(r)
		q := r.Question[0]
		switch {
		case !strings.EqualFold(q.Name, dns.Fqdn(name)):
			m.Rcode = dns.RcodeNameError
		case q.Qtype == dns.TypeA:
			m.Answer = append(m.Answer, &dns.A{Hdr: dns.RR_Header{Name: q.Name, Rrtype: dns.TypeA, Class: dns.ClassINET, Ttl: 60}, A: net.ParseIP(v4)})
		case q.Qtype == dns.TypeAAAA:
			m.Answer = append(m.Answer, &dns.AAAA{Hdr: dns.RR_Header{Name: q.Name, Rrtype: dns.TypeAAAA, Class: dns.ClassINET, Ttl: 60}, AAAA: net.ParseIP(v6)})
		}
		w.WriteMsg(m)
	})
}

// A name with both an IPv4 and an IPv6 address is tried over each: a
// service that listens on IPv4 only is reported working over IPv4 and
// failing over IPv6 (tcp.family_fails), so the report shows each family
// on its own; listening on both is ok on both.
func TestServiceTriedOverEachFamily(t *testing.T) {
	ln4, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln4.Close() })
	port := ln4.Addr().(*net.TCPAddr).Port
	srv := testnet.StartDNS(t, zone46("dual.lab.test", "127.0.0.1", "::1"))
	o := Options{Layers: []result.Layer{result.DNS, result.Service}, Budget: 5 * time.Second, NoReference: true,
		Resolvers: []netip.AddrPort{srv}, DNSNames: []string{"dual.lab.test"},
		Targets: []Target{mustTarget("tcp://dual.lab.test:" + itoa(port))}}
	r := Run(context.Background(), o)
	if r.Verdict.Status != result.Degraded || r.Verdict.Reason != result.ReasonTCPFamilyFails {
		t.Fatalf("IPv4-only service: verdict %s/%s %q", r.Verdict.Status, r.Verdict.Reason, r.Verdict.Summary)
	}
	var fam result.Check
	for _, c := range r.Layer(result.Service).Checks {
		if c.Name == "tcp-family" {
			fam = c
		}
	}
	if fam.Evidence["family"] != 6 || fam.Evidence["address"] != "::1" {
		t.Fatalf("family check %+v", fam)
	}

	ln6, err := net.Listen("tcp6", net.JoinHostPort("::1", itoa(port)))
	if err != nil {
		t.Skipf("no IPv6 loopback here: %v", err)
	}
	t.Cleanup(func() { ln6.Close() })
	r = Run(context.Background(), o)
	if r.Verdict.Status != result.Healthy {
		t.Fatalf("dual-stack service: verdict %s/%s %q", r.Verdict.Status, r.Verdict.Reason, r.Verdict.Summary)
	}
}

// A silent gateway is followed up by asking where routers usually live on
// the local network.
func TestFindRouterPlan(t *testing.T) {
	sys := labSystem
	sys.DefaultRoutes = []probes.Route{{Family: 4, Gateway: netip.MustParseAddr("10.77.1.99"), Interface: "eth0"}}
	env := FollowEnv{Options: Options{Budget: DefaultBudget}, System: sys}
	silent := chk(result.Gateway, "ping", "10.77.1.99", result.Fail, result.ReasonGatewayNoARP, "no ARP")
	ok := chk(result.Gateway, "ping", "10.77.1.99", result.OK, "", "answers")
	for _, tt := range []struct {
		name   string
		checks []result.Check
		want   string
	}{
		{"a silent gateway: search", []result.Check{linkOK, addrOK, silent}, "gateway gateway-search 10.77.1.99\n"},
		{"a gateway that answers: nothing to search", []result.Check{linkOK, addrOK, ok}, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := planString(FollowUps(tt.checks, Judge(tt.checks, result.Layers), env)); got != tt.want {
				t.Fatalf("follow-ups %q, want %q", got, tt.want)
			}
		})
	}
	got := routerCandidates(sys, []netip.Addr{netip.MustParseAddr("10.77.1.99")})
	if len(got) != 2 || got[0] != netip.MustParseAddr("10.77.1.1") || got[1] != netip.MustParseAddr("10.77.1.254") {
		t.Errorf("candidates = %v, want 10.77.1.1 and 10.77.1.254", got)
	}
	if got := routerCandidates(sys, []netip.Addr{netip.MustParseAddr("10.77.1.1")}); len(got) != 1 || got[0] != netip.MustParseAddr("10.77.1.254") {
		t.Errorf("the silent gateway itself is no candidate: %v", got)
	}
	if lh := lastHost(netip.MustParsePrefix("10.77.8.9/22")); lh != netip.MustParseAddr("10.77.11.254") {
		t.Errorf("lastHost(/22) = %s", lh)
	}
}

// The search itself, on loopback: a candidate that answers (over TCP: no
// ICMP permission needed) makes the gateway setting the fault; none
// answering leaves it with the router.
func TestSearchRouter(t *testing.T) {
	open := testnet.OpenTCP(t)
	po := probes.PingOptions{Layer: result.Gateway, Permission: probesDenied(), Count: 1, Timeout: time.Second}
	cands := []netip.Addr{netip.MustParseAddr("127.0.0.1")}
	po.FallbackPorts = []int{open}
	c := searchRouter(context.Background(), netip.MustParseAddr("10.77.1.99"), true, cands, po, time.Now)
	if c.Status != result.Fail || c.Reason != result.ReasonGatewayMisconfigured || c.Evidence["router_found"] != "127.0.0.1" {
		t.Fatalf("a router answers: %s %q %v", c.Status, c.Reason, c.Evidence)
	}
	po.FallbackPorts = nil
	c = searchRouter(context.Background(), netip.MustParseAddr("10.77.1.99"), true, nil, po, time.Now)
	if c.Status != result.OK || c.Reason != "" {
		t.Fatalf("nobody answers: %s %q", c.Status, c.Reason)
	}
	c = searchRouter(context.Background(), netip.MustParseAddr("10.78.0.1"), false, nil, po, time.Now)
	if c.Status != result.Fail || c.Reason != result.ReasonGatewayMisconfigured || c.Evidence["on_link"] != false {
		t.Fatalf("an off-network gateway: %s %q %v", c.Status, c.Reason, c.Evidence)
	}
}

// The path follow-ups: a trace for a failing or lossy internet layer
// (not when the router itself is down), and a path-MTU measurement for a
// handshake that stalled on a connection through the router.
func TestPathFollowUpsPlan(t *testing.T) {
	target := mustTarget("https://big.lab.test/")
	env := FollowEnv{Options: Options{Targets: []Target{target}, PingCount: 50, LossWarn: 5}}
	lossy := chk(result.Internet, "ping", "198.18.1.1", result.Warn, result.ReasonInternetLoss, "loss", "family", 4)
	silent6 := chk(result.Internet, "ping", "fd00:77:0:3::1", result.Fail, result.ReasonInternetNoReply, "silent", "family", 6)
	silent4b := chk(result.Internet, "ping", "198.18.1.2", result.Fail, result.ReasonInternetNoReply, "silent", "family", 4)
	open := chk(result.Service, "tcp", target.String(), result.OK, "", "open", "address", "198.18.1.80", "on_link", false)
	openLAN := chk(result.Service, "tcp", target.String(), result.OK, "", "open", "address", "10.77.1.5", "on_link", true)
	stall := chk(result.Service, "tls", target.String(), result.Fail, result.ReasonTLSHandshakeStalled, "stalled")
	expired := chk(result.Service, "tls", target.String(), result.Fail, result.ReasonTLSExpired, "expired")
	for _, tt := range []struct {
		name   string
		checks []result.Check
		want   string
	}{
		{"a lossy upstream is traced", []result.Check{gwOK, lossy}, "internet trace 198.18.1.1\n"},
		{"one trace per family", []result.Check{gwOK, lossy, silent4b, silent6}, "internet trace 198.18.1.1\ninternet trace fd00:77:0:3::1\n"},
		{"a dead router: nothing beyond it to trace", []result.Check{gwFail, silent4b}, ""},
		{"a healthy internet is not traced", []result.Check{gwOK, upOK}, ""},
		{"a stalled handshake through the router: measure the path MTU", []result.Check{gwOK, upOK, open, stall}, "internet pmtu 198.18.1.80:443\n"},
		{"on the local network: no router to lose packets", []result.Check{gwOK, upOK, openLAN, stall}, ""},
		{"a certificate fault is no MTU suspicion", []result.Check{gwOK, upOK, open, expired}, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := planString(FollowUps(tt.checks, Judge(tt.checks, result.Layers), env)); got != tt.want {
				t.Fatalf("follow-ups:\n%s\nwant:\n%s", got, tt.want)
			}
		})
	}
}
