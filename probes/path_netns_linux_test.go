//go:build linux

package probes

// The path probes in their namespace lab (path_netns_lab_linux_test.go):
// traces through two routers with loss, rate limiting and a cut, and the
// path MTU over a 1280-byte link with and without "too big" messages.

import (
	"net/netip"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/netprobe/netprobe/result"
)

func TestPathNSTrace(t *testing.T) {
	nptLab(t, nptTopology{})
	fast := func(o TraceOptions) TraceOptions {
		if o.Probes == 0 {
			o.Probes = 5
		}
		o.Interval = 10 * time.Millisecond
		return o
	}
	privileged := ICMPPermission{Mode: ICMPPrivileged}
	unprivileged := ICMPPermission{Mode: ICMPUnprivileged}
	for _, tt := range []struct {
		name   string
		dst    netip.Addr
		opt    TraceOptions
		method string
		hops   []netip.Addr
	}{
		{"raw icmp v4", nptServerV4, fast(TraceOptions{Permission: privileged}), "icmp", []netip.Addr{nptR1v4, nptR2v4, nptServerV4}},
		{"datagram icmp v4", nptServerV4, fast(TraceOptions{Permission: unprivileged}), "icmp", []netip.Addr{nptR1v4, nptR2v4, nptServerV4}},
		{"udp v4", nptServerV4, fast(TraceOptions{UDP: true}), "udp", []netip.Addr{nptR1v4, nptR2v4, nptServerV4}},
		{"raw icmp v6", nptServerV6, fast(TraceOptions{Permission: privileged}), "icmp", []netip.Addr{nptR1v6, nptR2v6, nptServerV6}},
		{"datagram icmp v6", nptServerV6, fast(TraceOptions{Permission: unprivileged}), "icmp", []netip.Addr{nptR1v6, nptR2v6, nptServerV6}},
		{"udp v6", nptServerV6, fast(TraceOptions{UDP: true}), "udp", []netip.Addr{nptR1v6, nptR2v6, nptServerV6}},
		{"defaults v4", nptServerV4, TraceOptions{Permission: privileged}, "icmp", []netip.Addr{nptR1v4, nptR2v4, nptServerV4}},
		{"a router on the way", nptR2v4, fast(TraceOptions{Permission: privileged}), "icmp", []netip.Addr{nptR1v4, nptR2v4}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := nptCheck(t, nptSpec{Probe: "trace", Addr: tt.dst, Trace: tt.opt})
			if c.Status != result.OK || c.Reason != "" {
				t.Fatalf("status %s %q, want ok: %s", c.Status, c.Reason, c.Detail)
			}
			if got := evString(c, "method"); got != tt.method {
				t.Errorf("method %q, want %q", got, tt.method)
			}
			if c.Evidence["reached"] != true || evInt(t, c, "last_hop") != len(tt.hops) || evString(c, "last_hop_addr") != tt.dst.String() {
				t.Errorf("reached=%v last_hop=%v last_hop_addr=%v, want true %d %s", c.Evidence["reached"], c.Evidence["last_hop"], c.Evidence["last_hop_addr"], len(tt.hops), tt.dst)
			}
			hops := wantHops(t, c, tt.hops...)
			probes := tt.opt.Probes
			if probes == 0 {
				probes = DefaultTraceProbes
			}
			for _, h := range hops {
				if h.Sent != probes || h.Received != probes || h.LossPct != 0 || h.AvgMS == nil {
					t.Errorf("hop %d: %+v, want %d/%d answered with a round trip", h.TTL, h, probes, probes)
				}
			}
			if _, ok := c.Evidence["loss_from_hop"]; ok {
				t.Errorf("loss_from_hop set on a path without loss")
			}
		})
	}

	t.Run("path longer than the trace", func(t *testing.T) {
		c := nptCheck(t, nptSpec{Probe: "trace", Addr: nptServerV4, Trace: fast(TraceOptions{Permission: privileged, MaxHops: 2})})
		if c.Status != result.Skip || c.Reason != result.ReasonPathNotMeasured {
			t.Fatalf("status %s %q (%s), want skip %s: the routers answered to the last TTL tried", c.Status, c.Reason, c.Detail, result.ReasonPathNotMeasured)
		}
		wantHops(t, c, nptR1v4, nptR2v4)
	})

	// 40% of what the client sends is dropped on its way into router 2:
	// the TTL-expiring probes, those forwarded to the server, and pings
	// to router 2 itself. 40 probes a hop make "no loss seen" as unlikely
	// as 0.6^40.
	lossIntoR2 := nftChain("prerouting", "ip saddr 10.77.200.2 numgen random mod 10 < 4 drop", "ip6 saddr fd00:77:0:c800::2 numgen random mod 10 < 4 drop")
	// Router 1 drops 40% of its "time exceeded" answers: what an ICMP rate
	// limit looks like from the client.
	r1Limits := nftChain("output", "icmp type time-exceeded numgen random mod 10 < 4 drop", "icmpv6 type time-exceeded numgen random mod 10 < 4 drop")
	many := func(p ICMPPermission) TraceOptions {
		return TraceOptions{Permission: p, Probes: 40, Interval: 10 * time.Millisecond}
	}
	t.Run("loss into router 2", func(t *testing.T) {
		nptNFT(t, nptRouter2, lossIntoR2)
		t.Cleanup(func() { nptNFT(t, nptRouter2, "") })
		for _, dst := range []netip.Addr{nptServerV4, nptServerV6} {
			for _, p := range []ICMPPermission{privileged, unprivileged} {
				t.Run(dst.String()+" "+p.Mode, func(t *testing.T) {
					t.Parallel()
					c := nptCheck(t, nptSpec{Probe: "trace", Addr: dst, Trace: many(p)})
					r2 := nptR2v4
					if dst.Is6() {
						r2 = nptR2v6
					}
					if c.Status != result.Warn || c.Reason != result.ReasonPathLossFromHop {
						t.Fatalf("status %s %q, want warn %s", c.Status, c.Reason, result.ReasonPathLossFromHop)
					}
					if evInt(t, c, "loss_from_hop") != 2 || evString(c, "loss_from_addr") != r2.String() {
						t.Errorf("loss from hop %v (%v), want 2 (%s)", c.Evidence["loss_from_hop"], c.Evidence["loss_from_addr"], r2)
					}
					if !strings.Contains(c.Detail, "hop 2") || !strings.Contains(c.Detail, r2.String()) {
						t.Errorf("detail %q does not name hop 2 and %s", c.Detail, r2)
					}
				})
			}
		}
	})
	t.Run("loss into router 2, UDP", func(t *testing.T) {
		nptNFT(t, nptRouter2, lossIntoR2)
		t.Cleanup(func() { nptNFT(t, nptRouter2, "") })
		c := nptCheck(t, nptSpec{Probe: "trace", Addr: nptServerV4, Trace: TraceOptions{UDP: true, Probes: 40, Interval: 10 * time.Millisecond}})
		if c.Status != result.OK || c.Reason != "" || !strings.Contains(c.Detail, "not judged") {
			t.Fatalf("status %s %q (%s): a UDP trace shows loss but does not judge it", c.Status, c.Reason, c.Detail)
		}
		if _, ok := c.Evidence["loss_from_hop"]; ok {
			t.Errorf("loss_from_hop = %v on a UDP trace", c.Evidence["loss_from_hop"])
		}
		if h := evHops(t, c); len(h) != 3 || h[2].LossPct < 10 {
			t.Errorf("hops %+v: want the destination's loss shown", h)
		}
	})
	t.Run("router 1 limits its answers", func(t *testing.T) {
		nptNFT(t, nptRouter1, r1Limits)
		t.Cleanup(func() { nptNFT(t, nptRouter1, "") })
		c := nptCheck(t, nptSpec{Probe: "trace", Addr: nptServerV4, Trace: many(privileged)})
		if c.Status != result.OK || c.Reason != "" {
			t.Fatalf("status %s %q, want ok: loss at a router that does not persist is not loss", c.Status, c.Reason)
		}
		if _, ok := c.Evidence["loss_from_hop"]; ok {
			t.Errorf("loss_from_hop = %v, want none", c.Evidence["loss_from_hop"])
		}
		hops := wantHops(t, c, nptR1v4, nptR2v4, nptServerV4)
		if hops[0].LossPct < 10 {
			t.Errorf("router 1 lost %.0f%% of its answers, want the 40%% nftables drops", hops[0].LossPct)
		}
	})
	t.Run("router 1 limits, loss into router 2", func(t *testing.T) {
		// Every hop from router 1 on loses: the plain mtr rule would
		// blame hop 1. Router 1's direct pings do not lose, so it is
		// limiting, not losing.
		nptNFT(t, nptRouter1, r1Limits)
		nptNFT(t, nptRouter2, lossIntoR2)
		t.Cleanup(func() { nptNFT(t, nptRouter1, ""); nptNFT(t, nptRouter2, "") })
		c := nptCheck(t, nptSpec{Probe: "trace", Addr: nptServerV4, Trace: many(privileged)})
		if c.Status != result.Warn || evInt(t, c, "loss_from_hop") != 2 {
			t.Fatalf("status %s, loss from hop %v, want warn from hop 2", c.Status, c.Evidence["loss_from_hop"])
		}
		hops := evHops(t, c)
		if hops[0].LossPct < 10 || hops[0].PingLossPct == nil || *hops[0].PingLossPct != 0 {
			t.Errorf("hop 1 = %+v, want trace loss and no ping loss", hops[0])
		}
	})
	t.Run("path stops at router 2", func(t *testing.T) {
		nptNFT(t, nptRouter2, nftChain("forward", `iifname "r2r1" drop`))
		t.Cleanup(func() { nptNFT(t, nptRouter2, "") })
		for _, opt := range []TraceOptions{fast(TraceOptions{Permission: privileged}), fast(TraceOptions{UDP: true})} {
			c := nptCheck(t, nptSpec{Probe: "trace", Addr: nptServerV4, Trace: opt, Budget: 3 * time.Second})
			if c.Status != result.Fail || c.Reason != result.ReasonPathStopsAtHop {
				t.Fatalf("status %s %q, want fail %s", c.Status, c.Reason, result.ReasonPathStopsAtHop)
			}
			if c.Evidence["reached"] != false || evInt(t, c, "last_hop") != 2 || evString(c, "last_hop_addr") != nptR2v4.String() {
				t.Errorf("reached=%v last_hop=%v (%v), want false 2 (%s)", c.Evidence["reached"], c.Evidence["last_hop"], c.Evidence["last_hop_addr"], nptR2v4)
			}
			if !strings.Contains(c.Detail, "hop 2") {
				t.Errorf("detail %q does not name hop 2", c.Detail)
			}
		}
	})
}

// TestPathNSTraceKernelRateLimit keeps Linux's own ICMP rate limit on the
// routers (6 answers at once, then one a second): in a quick trace every
// router then looks lossy. Real loss into router 2 must still be placed at
// hop 2, not at hop 1.
func TestPathNSTraceKernelRateLimit(t *testing.T) {
	nptLab(t, nptTopology{kernelRateLimit: true})
	nptNFT(t, nptRouter2, nftChain("prerouting", "ip saddr 10.77.200.2 numgen random mod 10 < 4 drop"))
	c := nptCheck(t, nptSpec{Probe: "trace", Addr: nptServerV4, Trace: TraceOptions{Permission: ICMPPermission{Mode: ICMPPrivileged}, Probes: 30, Interval: 20 * time.Millisecond}})
	if c.Status != result.Warn || evInt(t, c, "loss_from_hop") != 2 || evString(c, "loss_from_addr") != nptR2v4.String() {
		t.Fatalf("status %s, loss from hop %v (%v), want warn from hop 2 (%s)", c.Status, c.Evidence["loss_from_hop"], c.Evidence["loss_from_addr"], nptR2v4)
	}
	if h := evHops(t, c)[0]; h.LossPct < 10 {
		t.Errorf("hop 1 = %+v: the kernel's rate limit should show as trace loss", h)
	}
}

// pmtuWant is what a path MTU check must say.
type pmtuWant struct {
	status  result.Status
	reason  result.Reason
	pathMTU int
	method  string
}

func checkPMTU(t *testing.T, c result.Check, w pmtuWant) {
	t.Helper()
	if c.Status != w.status || c.Reason != w.reason {
		t.Fatalf("status %s %q, want %s %q: %s", c.Status, c.Reason, w.status, w.reason, c.Detail)
	}
	if got := evInt(t, c, "path_mtu"); got != w.pathMTU {
		t.Errorf("path_mtu %d, want %d", got, w.pathMTU)
	}
	if got := evString(c, "method"); got != w.method {
		t.Errorf("method %q, want %q", got, w.method)
	}
	if got := evInt(t, c, "local_mtu"); got != 1500 {
		t.Errorf("local_mtu %d, want 1500", got)
	}
}

// TestPathNSPMTUBlackhole: the link between the routers carries 1280
// bytes, and both routers drop "fragmentation needed" / "packet too big":
// an MTU black hole. A TLS handshake with a normal MSS stalls there (the
// fault), and both methods find 1280 and call it a black hole.
func TestPathNSPMTUBlackhole(t *testing.T) {
	nptLab(t, nptTopology{linkMTU: 1280})
	dropTooBig := nftChain("output", "icmp type destination-unreachable icmp code frag-needed drop", "icmpv6 type packet-too-big drop") +
		nftChain("forward", "icmp type destination-unreachable icmp code frag-needed drop", "icmpv6 type packet-too-big drop")
	nptNFT(t, nptRouter1, dropTooBig)
	nptNFT(t, nptRouter2, dropTooBig)
	nptTLSServer(t)
	privileged := ICMPPermission{Mode: ICMPPrivileged}
	for _, dst := range []netip.Addr{nptServerV4, nptServerV6} {
		t.Run(dst.String(), func(t *testing.T) {
			t.Parallel()
			t.Run("plain TLS stalls", func(t *testing.T) {
				t.Parallel()
				out := nptRun(t, nptSpec{Probe: "tls", Addr: dst, Budget: 1500 * time.Millisecond})
				if out.TLSErr == "" || !strings.Contains(out.TLSErr, "deadline") && !strings.Contains(out.TLSErr, "timeout") {
					t.Fatalf("TLS handshake over the black hole: err %q after %.0f ms, want it to stall", out.TLSErr, out.TLSMS)
				}
			})
			for _, tt := range []struct {
				name string
				opt  PathMTUOptions
				want pmtuWant
			}{
				{"raw icmp", PathMTUOptions{Permission: privileged}, pmtuWant{result.Fail, result.ReasonPathMTUBlackhole, 1280, "icmp"}},
				{"datagram icmp", PathMTUOptions{Permission: ICMPPermission{Mode: ICMPUnprivileged}}, pmtuWant{result.Fail, result.ReasonPathMTUBlackhole, 1280, "icmp"}},
				{"tcp mss", PathMTUOptions{Permission: ICMPPermission{Mode: ICMPDenied}, Port: 443, TLS: true, ServerName: "svc.path.lab.test"}, pmtuWant{result.Fail, result.ReasonPathMTUBlackhole, 1280, "tcp_mss"}},
				{"both", PathMTUOptions{Permission: privileged, Port: 443, TLS: true, ServerName: "svc.path.lab.test"}, pmtuWant{result.Fail, result.ReasonPathMTUBlackhole, 1280, "icmp+tcp_mss"}},
			} {
				t.Run(tt.name, func(t *testing.T) {
					t.Parallel()
					c := nptCheck(t, nptSpec{Probe: "pmtu", Addr: dst, PMTU: tt.opt})
					checkPMTU(t, c, tt.want)
					if sl := evInt(t, c, "smallest_lost"); sl <= 1280 || sl > 1400 {
						t.Errorf("smallest_lost %d, want just above 1280", sl)
					}
					if want := "larger than 1280 bytes vanish"; !strings.Contains(c.Detail, want) {
						t.Errorf("detail %q does not say %q", c.Detail, want)
					}
					sizes := evMap(c, "sizes")
					if sizes["1500"] != sizeLost || sizes["1280"] != sizeOK {
						t.Errorf("sizes %v, want 1500 lost and 1280 ok", sizes)
					}
					if tt.opt.Port > 0 {
						mss := evMap(c, "mss_results")
						big, small := "1460", "1240"
						if dst.Is6() {
							big, small = "1440", "1220"
						}
						if mss[big] != mssStalled || mss[small] != mssOK {
							t.Errorf("mss_results %v, want %s stalled and %s ok", mss, big, small)
						}
					}
				})
			}
		})
	}
}

// TestPathNSPMTUSignalled: the same 1280-byte link, but the routers say
// so. That is a smaller path MTU, not a black hole, and TLS works.
func TestPathNSPMTUSignalled(t *testing.T) {
	nptLab(t, nptTopology{linkMTU: 1280})
	nptTLSServer(t)
	for _, dst := range []netip.Addr{nptServerV4, nptServerV6} {
		t.Run(dst.String(), func(t *testing.T) {
			c := nptCheck(t, nptSpec{Probe: "pmtu", Addr: dst, PMTU: PathMTUOptions{Permission: ICMPPermission{Mode: ICMPPrivileged}, Port: 443, TLS: true}})
			checkPMTU(t, c, pmtuWant{result.OK, "", 1280, "icmp+tcp_mss"})
			if _, ok := c.Evidence["smallest_lost"]; ok {
				t.Errorf("smallest_lost = %v on a path that signals its MTU", c.Evidence["smallest_lost"])
			}
			if got := evInt(t, c, "reported_mtu"); got != 1280 {
				t.Errorf("reported_mtu %d, want 1280", got)
			}
			sizes := evMap(c, "sizes")
			var bad []string
			for s, st := range sizes {
				n, _ := strconv.Atoi(s)
				if (n > 1280 && st != sizeTooBig) || (n <= 1280 && st != sizeOK) {
					bad = append(bad, s+"="+st)
				}
			}
			sort.Strings(bad)
			if len(bad) > 0 {
				t.Errorf("sizes %v: want too_big above 1280 and ok up to it, got %v", sizes, bad)
			}
			out := nptRun(t, nptSpec{Probe: "tls", Addr: dst, Budget: 3 * time.Second})
			if out.TLSErr != "" {
				t.Errorf("plain TLS handshake: %s, want it to work when the path signals its MTU", out.TLSErr)
			}
		})
	}

	// The client has now learned the path MTU (1280) from the routers.
	// Linux caps the MSS a SYN announces at it, whatever TCP_MAXSEG asks,
	// so the TCP method cannot test larger sizes: it must say so, not
	// report them as passing. (It stays so after the path turns into a
	// black hole, until the kernel forgets.)
	t.Run("path MTU already known", func(t *testing.T) {
		for _, r := range []string{nptRouter1, nptRouter2} {
			nptNFT(t, r, nftChain("output", "icmp type destination-unreachable icmp code frag-needed drop", "icmpv6 type packet-too-big drop"))
		}
		for _, dst := range []netip.Addr{nptServerV4, nptServerV6} {
			c := nptCheck(t, nptSpec{Probe: "pmtu", Addr: dst, PMTU: PathMTUOptions{Permission: ICMPPermission{Mode: ICMPDenied}, Port: 443, TLS: true}})
			checkPMTU(t, c, pmtuWant{result.OK, "", 1280, "tcp_mss"})
			if got := evInt(t, c, "system_mtu"); got != 1280 {
				t.Errorf("system_mtu %d, want 1280", got)
			}
			big, small := "1460", "1240"
			if dst.Is6() {
				big, small = "1440", "1220"
			}
			if mss := evMap(c, "mss_results"); mss[big] != mssClamped || mss[small] != mssOK {
				t.Errorf("mss_results %v, want %s clamped and %s ok", mss, big, small)
			}
			if !strings.Contains(c.Detail, "not tested") {
				t.Errorf("detail %q does not say the larger sizes were not tested", c.Detail)
			}
		}
	})
}
