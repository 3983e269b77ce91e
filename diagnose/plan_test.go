package diagnose

import (
	"context"
	"fmt"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/netprobe/netprobe/probes"
	"github.com/netprobe/netprobe/result"
)

var labSystem = probes.System{
	Interfaces: []probes.Interface{
		{Name: "lo", Loopback: true, AdminUp: true, Running: true},
		{Name: "eth0", AdminUp: true, Running: true, Addrs: []netip.Prefix{netip.MustParsePrefix("10.77.1.10/24"), netip.MustParsePrefix("fd00:77:1::10/64")}},
	},
	DefaultRoutes: []probes.Route{
		{Family: 4, Gateway: netip.MustParseAddr("10.77.1.1"), Interface: "eth0"},
		{Family: 6, Gateway: netip.MustParseAddr("fe80::1"), Interface: "eth0"},
	},
	Resolvers: []probes.Resolver{{Addr: netip.MustParseAddrPort("198.18.1.53:53")}, {Addr: netip.MustParseAddrPort("[fd00:77:3::53]:53")}},
}

func mustTarget(s string) Target {
	t, err := ParseTarget(s)
	if err != nil {
		panic(err)
	}
	return t
}

// planString renders a plan as "layer name target" lines.
func planString(ts []Task) string {
	var b strings.Builder
	for _, t := range ts {
		fmt.Fprintf(&b, "%s %s %s\n", t.Layer, t.Name, t.Target)
	}
	return b.String()
}

func TestPlan(t *testing.T) {
	fixed := func() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) }
	perm := probes.ICMPPermission{Mode: probes.ICMPPrivileged}
	tests := []struct {
		name string
		opt  Options
		sys  probes.System
		want string
	}{
		{
			name: "full run",
			opt: Options{Upstreams: []netip.Addr{netip.MustParseAddr("198.18.1.1")}, DNSNames: []string{"www.lab.test"},
				Targets: []Target{mustTarget("https://svc.lab.test/"), mustTarget("udp://10.77.1.1:53")}, Printers: []string{"10.77.1.20"}, Now: fixed,
				PortalURLs: []probes.PortalURL{mustPortal("http://portal.lab.test/generate_204")}},
			sys: labSystem,
			want: `link link interfaces
address address interfaces
address arp-conflict eth0 10.77.1.10
gateway ping 10.77.1.1
gateway ping fe80::1%eth0
internet ping 198.18.1.1
internet portal http://portal.lab.test/generate_204
dns dns www.lab.test @198.18.1.53:53
dns dns www.lab.test @[fd00:77:3::53]:53
dns dns www.lab.test @198.18.1.1:53
dns dns svc.lab.test @198.18.1.53:53
dns dns svc.lab.test @[fd00:77:3::53]:53
dns dns svc.lab.test @198.18.1.1:53
service https https://svc.lab.test/
service udp udp://10.77.1.1:53
printer printer 10.77.1.20
`,
		},
		{
			name: "--resolver replaces the system's, --no-reference drops the yardstick",
			opt: Options{Upstreams: []netip.Addr{netip.MustParseAddr("198.18.1.1")}, DNSNames: []string{"a.lab.test"}, Layers: []result.Layer{result.DNS},
				Resolvers: []netip.AddrPort{netip.MustParseAddrPort("127.0.0.1:5353")}, NoReference: true, Now: fixed},
			sys:  labSystem,
			want: "dns dns a.lab.test @127.0.0.1:5353\n",
		},
		{
			name: "no gateway and no resolver are stated, not skipped silently",
			opt:  Options{Upstreams: []netip.Addr{netip.MustParseAddr("198.18.1.1")}, DNSNames: []string{"a.lab.test"}, Layers: []result.Layer{result.Gateway, result.DNS}, Now: fixed},
			sys:  probes.System{},
			want: "gateway gateway default gateway\ndns dns resolvers\n",
		},
		{
			name: "default IPv6 upstreams are skipped without an IPv6 route",
			opt:  Options{Layers: []result.Layer{result.Internet}, NoPortalCheck: true, Now: fixed},
			sys:  probes.System{DefaultRoutes: []probes.Route{{Family: 4, Gateway: netip.MustParseAddr("10.77.1.1")}}},
			want: "internet ping 1.1.1.1\ninternet ping 8.8.8.8\ninternet ping 9.9.9.9\ninternet ping 2606:4700:4700::1111\ninternet ping 2001:4860:4860::8888\n",
		},
		{
			name: "ping command hosts replace the upstreams",
			opt:  Options{PingHosts: []string{"198.18.1.1", "one.lab.test"}, Layers: []result.Layer{result.Internet}, Now: fixed},
			sys:  labSystem,
			want: "internet ping 198.18.1.1\ninternet ping one.lab.test\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := planString(Plan(tt.opt, tt.sys, perm))
			if got != tt.want {
				t.Fatalf("plan:\n%s\nwant:\n%s", got, tt.want)
			}
		})
	}
}

// The IPv6 default upstreams without an IPv6 route are notes (skip), not
// probes: nothing is sent to them.
func TestPlanSkipsUnroutableDefaultUpstreams(t *testing.T) {
	sys := probes.System{DefaultRoutes: []probes.Route{{Family: 4, Gateway: netip.MustParseAddr("10.77.1.1")}}}
	for _, task := range Plan(Options{Layers: []result.Layer{result.Internet}, NoPortalCheck: true}, sys, probes.ICMPPermission{}) {
		if strings.Contains(task.Target, ":") {
			cs := runNote(t, task)
			if len(cs) != 1 || cs[0].Status != result.Skip {
				t.Fatalf("%s: %+v", task.Target, cs)
			}
		}
	}
}

// runNote runs a task that must be a note (a fact, no I/O). Probe tasks
// carry a timeout, notes do not: a plan that regressed into probing a
// public or lab address fails here instead of sending the packet.
func runNote(t *testing.T, task Task) []result.Check {
	t.Helper()
	if task.Timeout != 0 {
		t.Fatalf("%s %s is a probe (timeout %s), not a note: not running it", task.Layer, task.Target, task.Timeout)
	}
	return task.Probe(context.Background())
}

func TestAddressNeeds(t *testing.T) {
	tests := []struct {
		name   string
		o      Options
		v4, v6 bool
	}{
		{"defaults need IPv4 only", Options{Upstreams: DefaultUpstreams}, true, false},
		{"an IPv6 upstream needs IPv6", Options{Upstreams: []netip.Addr{netip.MustParseAddr("fd00:77:3::1")}}, false, true},
		{"mixed", Options{Upstreams: []netip.Addr{netip.MustParseAddr("198.18.1.1"), netip.MustParseAddr("fd00:77:3::1")}}, true, true},
		{"a named target assumes IPv4", Options{Upstreams: []netip.Addr{netip.MustParseAddr("fd00:77:3::1")}, Targets: []Target{mustTarget("svc.lab.test:443")}}, true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := addressNeeds(tt.o)
			if n.V4 != tt.v4 || n.V6 != tt.v6 {
				t.Fatalf("needs = %+v, want v4=%v v6=%v", n, tt.v4, tt.v6)
			}
		})
	}
}

// The timeouts must fit the default budget: the slowest path of every
// layer ends before the run's deadline, so a default run never reports a
// probe as "did not finish" only because the budget was cut too fine.
func TestTimeoutsFitBudget(t *testing.T) {
	usable := DefaultBudget - exitMargin - straggler
	paths := map[string]time.Duration{
		"reachability (ICMP, then TCP fallback)": PingPhase + FallbackPhase,
		"service (connect, TLS, HTTP)":           ServiceTimeout,
		"DNS question":                           DNSTimeout,
		"printer":                                PrinterTimeout + time.Second,
	}
	for name, d := range paths {
		if d >= usable {
			t.Errorf("%s takes up to %s, more than the %s the default budget leaves", name, d, usable)
		}
	}
	if ConnectTimeout >= ServiceTimeout {
		t.Errorf("connect timeout %s must leave room for TLS and HTTP inside %s", ConnectTimeout, ServiceTimeout)
	}
	if probes.DefaultPingCount > 1 && time.Duration(probes.DefaultPingCount-1)*probes.DefaultPingInterval >= PingPhase/2 {
		t.Errorf("sending %d pings %s apart leaves too little of the %s ICMP phase for replies", probes.DefaultPingCount, probes.DefaultPingInterval, PingPhase)
	}
}

// A target the hosts file resolves is not asked of DNS: the DNS layer
// notes it (skip) and the service probe resolves it the system's way.
func TestPlanLeavesHostsFileNamesToTheSystem(t *testing.T) {
	sys := labSystem
	sys.Hosts = probes.ParseHosts(strings.NewReader("127.0.0.1 localhost\n10.77.1.99 intranet intranet.corp # the wiki\n"))
	o := Options{Layers: []result.Layer{result.DNS}, DNSNames: []string{"www.lab.test"}, NoReference: true,
		Targets: []Target{mustTarget("intranet:443")}, Now: func() time.Time { return time.Unix(0, 0) }}
	got := planString(Plan(o, sys, probes.ICMPPermission{}))
	want := "dns dns intranet\ndns dns www.lab.test @198.18.1.53:53\ndns dns www.lab.test @[fd00:77:3::53]:53\n"
	if got != want {
		t.Fatalf("plan:\n%s\nwant:\n%s", got, want)
	}
	for _, task := range Plan(o, sys, probes.ICMPPermission{}) {
		if task.Target == "intranet" {
			c := runNote(t, task)[0]
			if c.Status != result.Skip || !strings.Contains(c.Detail, "hosts file (10.77.1.99)") {
				t.Fatalf("hosts note: %s %q", c.Status, c.Detail)
			}
		}
	}
}

// onLink and gatewayFor decide which DNS answers prove the internet path
// (off_link) and which gateway's ARP entry can end an upstream check.
func TestOnLinkAndGatewayFor(t *testing.T) {
	tests := []struct {
		addr    string
		onLink  bool
		gateway string
	}{
		{"10.77.1.53", true, ""}, // on eth0's 10.77.1.0/24
		{"10.77.1.10", true, ""}, // this computer
		{"127.0.0.53", true, ""}, // a local stub resolver
		{"fe80::53", true, ""},   // link-local
		{"198.18.1.53", false, "10.77.1.1"},
		{"fd00:77:1::53", true, ""}, // on eth0's IPv6 prefix
		{"fd00:77:3::53", false, "fe80::1%eth0"},
	}
	for _, tt := range tests {
		t.Run(tt.addr, func(t *testing.T) {
			a := netip.MustParseAddr(tt.addr)
			if got := onLink(labSystem, a); got != tt.onLink {
				t.Errorf("onLink = %v, want %v", got, tt.onLink)
			}
			got := gatewayFor(labSystem, a)
			if (tt.gateway == "" && got.IsValid()) || (tt.gateway != "" && got.String() != tt.gateway) {
				t.Errorf("gatewayFor = %v, want %q", got, tt.gateway)
			}
		})
	}
}

// Notes state facts with their codes: no gateway, no resolver, a name the
// hosts file resolves, an IPv6 upstream without an IPv6 route.
func TestPlanNotesCarryReasons(t *testing.T) {
	fixed := func() time.Time { return time.Unix(0, 0) }
	want := map[string]result.Reason{
		"default gateway": result.ReasonGatewayNone, "resolvers": result.ReasonDNSNoResolvers,
		"2606:4700:4700::1111": result.ReasonInternetNoIPv6Route, "intranet": result.ReasonDNSHostsFile,
	}
	sys := probes.System{DefaultRoutes: []probes.Route{{Family: 4, Gateway: netip.MustParseAddr("10.77.1.1")}}}
	hosts := labSystem
	hosts.Hosts = probes.ParseHosts(strings.NewReader("10.77.1.99 intranet\n"))
	plans := [][]Task{
		Plan(Options{Layers: []result.Layer{result.Gateway, result.DNS}, DNSNames: []string{"a.lab.test"}, Now: fixed}, probes.System{}, probes.ICMPPermission{}),
		Plan(Options{Layers: []result.Layer{result.Internet}, Now: fixed}, sys, probes.ICMPPermission{}),
		Plan(Options{Layers: []result.Layer{result.DNS}, DNSNames: []string{"intranet"}, NoReference: true, Now: fixed}, hosts, probes.ICMPPermission{}),
	}
	seen := map[string]bool{}
	for _, plan := range plans {
		for _, task := range plan {
			r, ok := want[task.Target]
			if !ok {
				continue
			}
			seen[task.Target] = true
			if cs := runNote(t, task); len(cs) != 1 || cs[0].Reason != r {
				t.Errorf("%s: %+v, want reason %q", task.Target, cs, r)
			}
		}
	}
	if len(seen) != len(want) {
		t.Errorf("notes seen %v, want all of %v", seen, want)
	}
}

// --count and --interval are honoured: the ICMP phase lasts as long as
// sending them takes; when that cannot fit the budget the count is cut
// and the check will say so.
func TestPingOptionsHonourCountAndInterval(t *testing.T) {
	tests := []struct {
		name              string
		o                 Options
		count, requested  int
		timeoutAtLeast    time.Duration
		taskTimeoutAtMost time.Duration
	}{
		{"defaults", Options{Budget: DefaultBudget}, probes.DefaultPingCount, 0, PingPhase, DefaultBudget},
		{"5 pings a second apart fit 10 s", Options{Budget: DefaultBudget, PingCount: 5, PingInterval: time.Second}, 5, 0, 5 * time.Second, DefaultBudget},
		{"50 pings a second apart do not fit 10 s", Options{Budget: DefaultBudget, PingCount: 50, PingInterval: time.Second}, 6, 50, 6 * time.Second, DefaultBudget},
		{"a short budget keeps one ping at least", Options{Budget: time.Second, PingCount: 20, PingInterval: time.Second}, 1, 20, PingPhase, 10 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			po := pingOptions(tt.o, probes.ICMPPermission{Mode: probes.ICMPPrivileged})
			if po.Count != tt.count || po.RequestedCount != tt.requested {
				t.Fatalf("count %d (requested %d), want %d (%d)", po.Count, po.RequestedCount, tt.count, tt.requested)
			}
			if po.Timeout < tt.timeoutAtLeast {
				t.Errorf("ICMP phase %s, want at least %s", po.Timeout, tt.timeoutAtLeast)
			}
			if task := pingTask(netip.MustParseAddr("198.18.1.1"), po); task.Timeout > tt.taskTimeoutAtMost {
				t.Errorf("task timeout %s exceeds %s", task.Timeout, tt.taskTimeoutAtMost)
			}
		})
	}
}
