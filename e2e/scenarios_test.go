//go:build linux

package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

var (
	okOnly       = []string{"ok"}
	failOnly     = []string{"fail"}
	degradedOnly = []string{"degraded"}
)

// lossCount is the ping count of the loss scenario. With 30 % of echo
// requests dropped independently, the chance that 50 pings show no loss at
// all is 0.7^50 ≈ 1.8e-8, and that they show 2 or fewer lost (≤ 4 %, under
// the 5 % --loss-warn the scenario sets) is ≈ 4.5e-6: the scenario's false
// negative rate. The other way, 25 or more of 50 lost (≥ 50 %, which a
// tool might call a failure) has probability ≈ 2.4e-3 per pinged target.
const lossCount = 50

// scenarios is the fault catalogue: every verdict netprobe can reach, each
// from a real fault in the lab.
func scenarios() []scenario {
	return append([]scenario{
		{
			name: "healthy",
			// The captive-portal check runs against the lab's check URL
			// (204 when the network is open).
			args:   func(a *argSet) { a.portalURLs = []string{portalCheckURL} },
			status: okOnly, layer: []string{"none"},
			evidence: func(t asserter, r *report) {
				wantCheck(t, r, "service", "a tcp check with port_state open",
					func(c check) bool { return c.str("port_state") == "open" })
				wantCheck(t, r, "dns", "a dns check with rcode NOERROR",
					func(c check) bool { return c.str("rcode") == "NOERROR" })
				wantCheck(t, r, "printer", "a printer check with condition ok",
					func(c check) bool { return c.str("condition") == "ok" })
			},
		},
		{
			name: "link_down",
			fault: func(t *testing.T, l *lab) {
				l.ip(t, nsClient, "link", "set", "c0", "down")
			},
			labSays: func(l *lab) error { return expectNoPing(l, gwV4) },
			reason:  []string{"link.admin_down"},
			status:  failOnly, layer: []string{"link"},
			evidence: func(t asserter, r *report) {
				wantLayerStatus(t, r, "link", "fail")
				wantCheck(t, r, "link", "a failed link check of c0",
					func(c check) bool { return c.Status == "fail" && c.Target == "c0" })
			},
		},
		{
			name: "address_removed",
			fault: func(t *testing.T, l *lab) {
				// Global addresses only: the fe80:: link-local stays, as on a
				// real host whose DHCP and RA both failed.
				l.ip(t, nsClient, "addr", "flush", "dev", "c0", "scope", "global")
			},
			labSays: func(l *lab) error { return expectNoPing(l, gwV4) },
			reason:  []string{"address.link_local_only", "address.none", "address.no_config"},
			status:  failOnly, layer: []string{"address"},
			evidence: func(t asserter, r *report) {
				wantLayerStatus(t, r, "address", "fail")
				wantCheck(t, r, "address", "a failed address check of c0",
					func(c check) bool { return c.Status == "fail" && c.Target == "c0" })
			},
		},
		{
			name: "link_local_only",
			fault: func(t *testing.T, l *lab) {
				l.ip(t, nsClient, "addr", "flush", "dev", "c0", "scope", "global")
				l.ip(t, nsClient, "addr", "add", linkLocalV4+"/16", "dev", "c0")
			},
			labSays: func(l *lab) error { return expectNoPing(l, gwV4) },
			reason:  []string{reasonDHCPFailed},
			status:  failOnly, layer: []string{"address"},
			evidence: func(t asserter, r *report) {
				wantLayerStatus(t, r, "address", "fail")
				wantCheck(t, r, "address", "an address check that names the 169.254 address",
					func(c check) bool { return strings.Contains(c.describe(), "169.254.") })
			},
		},
		{
			name: "no_default_route",
			fault: func(t *testing.T, l *lab) {
				l.ip(t, nsClient, "-4", "route", "del", "default")
				l.ip(t, nsClient, "-6", "route", "del", "default")
			},
			labSays: func(l *lab) error {
				if err := expectPing(l, gwV4); err != nil {
					return err
				}
				return expectNoPing(l, anycastV4)
			},
			reason: []string{"address.no_default_route"},
			status: failOnly, layer: []string{"address"},
			evidence: func(t asserter, r *report) {
				wantLayerStatus(t, r, "address", "fail")
				wantCheck(t, r, "address", "a failed address-layer check about the default route",
					func(c check) bool {
						return c.Status == "fail" && strings.Contains(strings.ToLower(c.Name+" "+c.Target+" "+c.Detail), "route")
					})
			},
		},
		{
			name: "gateway_down",
			fault: func(t *testing.T, l *lab) {
				// The router's LAN port, not the client's: the client's link
				// (a bridge port) stays up, only the gateway goes silent.
				l.ip(t, nsRouter, "link", "set", "r-lan", "down")
				// As when the router has been dead for a while: the client's
				// neighbour entry for it has expired. (The reset's health
				// check has just confirmed it; the next scenario keeps that
				// fresh entry on purpose.)
				l.ip(t, nsClient, "neigh", "flush", "dev", "c0")
			},
			labSays: func(l *lab) error {
				if err := expectNoPing(l, gwV4); err != nil {
					return err
				}
				return expectTCP(l, printerV4, 9100, "open")
			},
			reason: []string{"gateway.no_arp", "gateway.no_reply"},
			status: failOnly, layer: []string{"gateway"},
			evidence: func(t asserter, r *report) {
				wantCheck(t, r, "gateway", "a failed check of the gateway "+gwV4,
					func(c check) bool { return c.Status == "fail" && strings.Contains(c.Target, gwV4) })
			},
		},
		{
			// The router died a second ago: the kernel still lists it as
			// REACHABLE (an entry stays so for 15–45 s after its last
			// confirmation), yet it answers nothing: no ARP, no ping, no
			// TCP. A cache entry that predates the run proves nothing
			// about the gateway now, so the verdict is still the gateway.
			name: "gateway_down_fresh_neighbour_entry",
			fault: func(t *testing.T, l *lab) {
				if err := expectPing(l, gwV4); err != nil { // confirm the entry
					t.Fatal(err)
				}
				if err := expectPing(l, gwV6); err != nil {
					t.Fatal(err)
				}
				l.ip(t, nsRouter, "link", "set", "r-lan", "down")
			},
			labSays: func(l *lab) error {
				if err := expectNoPing(l, gwV4); err != nil {
					return err
				}
				out, err := sh("", "ip", "-n", nsClient, "neigh", "show", gwV4, "dev", "c0")
				if err != nil {
					return err
				}
				if !strings.Contains(out, "REACHABLE") {
					return fmt.Errorf("neighbour entry of %s is %q, want a fresh REACHABLE one", gwV4, strings.TrimSpace(out))
				}
				return nil
			},
			reason: []string{"gateway.no_reply", "gateway.no_arp"},
			status: failOnly, layer: []string{"gateway"},
			evidence: func(t asserter, r *report) {
				wantCheck(t, r, "gateway", "a failed check of the gateway "+gwV4,
					func(c check) bool { return c.Status == "fail" && strings.Contains(c.Target, gwV4) })
			},
		},
		{
			name: "router_forwards_nothing",
			fault: func(t *testing.T, l *lab) {
				l.nft(t, nsRouter, "table inet np_fault {",
					"  chain forward { type filter hook forward priority 0; policy drop; }",
					"}")
			},
			labSays: func(l *lab) error {
				if err := expectPing(l, gwV4); err != nil {
					return err
				}
				return expectNoPing(l, anycastV4)
			},
			reason: []string{"internet.no_reply", "path.stops_at_hop"},
			status: failOnly, layer: []string{"internet"},
			evidence: func(t asserter, r *report) {
				wantCheck(t, r, "internet", "a failed internet check of "+anycastV4,
					func(c check) bool { return c.Status == "fail" && strings.Contains(c.Target, anycastV4) })
			},
		},
		{
			name: "icmp_blocked_tcp_works",
			fault: func(t *testing.T, l *lab) {
				// Echo requests only: ICMP errors and neighbour discovery
				// still pass, as in a network that filters "ping".
				drop := []string{"table inet np_fault {",
					"  chain input { type filter hook input priority 0; policy accept;",
					"    icmp type echo-request drop",
					"    icmpv6 type echo-request drop",
					"  }",
					"  chain forward { type filter hook forward priority 0; policy accept;",
					"    icmp type echo-request drop",
					"    icmpv6 type echo-request drop",
					"  }",
					"}"}
				for _, ns := range []string{nsRouter, nsUpstream, nsPrinter} {
					l.nft(t, ns, drop...)
				}
			},
			labSays: func(l *lab) error {
				if err := expectNoPing(l, anycastV4); err != nil {
					return err
				}
				if err := expectNoPing(l, gwV4); err != nil {
					return err
				}
				return expectTCP(l, anycastV4, 443, "open")
			},
			status: []string{"ok", "degraded"},
			evidence: func(t asserter, r *report) {
				wantCheck(t, r, "internet", `an internet check that fell back to TCP (method "tcp") and passed`,
					func(c check) bool { return c.str("method") == "tcp" && c.Status != "fail" })
			},
		},
		{
			name: "dns_server_stopped",
			fault: func(t *testing.T, l *lab) {
				// Both system resolvers; the upstream reference resolver
				// keeps answering, so the fault is "my DNS", not "the internet".
				l.dns[resolverAV4].stop()
				l.dns[resolverBV6].stop()
			},
			labSays: func(l *lab) error {
				return expectRcode(l, resolverAV4, "www.lab.test", "refused", "timeout")
			},
			reason: []string{"dns.conn_refused"},
			status: failOnly, layer: []string{"dns"},
			evidence: func(t asserter, r *report) {
				wantCheck(t, r, "dns", "a failed dns check against "+resolverAV4,
					func(c check) bool {
						return c.Status == "fail" && strings.Contains(c.str("resolver"), resolverAV4) && c.str("rcode") != "NOERROR"
					})
			},
		},
		{
			name: "dns_servfail",
			fault: func(t *testing.T, l *lab) {
				l.dns[resolverAV4].setMode(dnsServfail)
				l.dns[resolverBV6].setMode(dnsServfail)
			},
			labSays: func(l *lab) error { return expectRcode(l, resolverAV4, "www.lab.test", "SERVFAIL") },
			reason:  []string{"dns.servfail"},
			status:  failOnly, layer: []string{"dns"},
			evidence: func(t asserter, r *report) {
				wantCheck(t, r, "dns", "a dns check with rcode SERVFAIL",
					func(c check) bool { return c.str("rcode") == "SERVFAIL" })
			},
		},
		{
			name:    "target_nxdomain",
			labSays: func(l *lab) error { return expectRcode(l, resolverAV4, "missing.lab.test", "NXDOMAIN") },
			args: func(a *argSet) {
				a.targets = []string{"https://missing.lab.test/"}
			},
			reason: []string{"dns.nxdomain"},
			status: failOnly, layer: []string{"dns"},
			evidence: func(t asserter, r *report) {
				wantCheck(t, r, "", "a check with rcode NXDOMAIN",
					func(c check) bool { return c.str("rcode") == "NXDOMAIN" })
			},
		},
		{
			name: "one_of_two_resolvers_dead",
			fault: func(t *testing.T, l *lab) {
				l.dns[resolverBV6].stop()
			},
			labSays: func(l *lab) error {
				if err := expectRcode(l, resolverAV4, "www.lab.test", "NOERROR"); err != nil {
					return err
				}
				return expectRcode(l, resolverBV6, "www.lab.test", "refused", "timeout")
			},
			reason: []string{"dns.partly_failing"},
			status: degradedOnly, layer: []string{"dns"},
			evidence: func(t asserter, r *report) {
				wantCheck(t, r, "dns", "a non-ok dns check against the dead resolver "+resolverBV6,
					func(c check) bool { return c.Status != "ok" && strings.Contains(c.str("resolver"), resolverBV6) })
				wantCheck(t, r, "dns", "an ok dns check against the live resolver "+resolverAV4,
					func(c check) bool { return c.Status == "ok" && strings.Contains(c.str("resolver"), resolverAV4) })
			},
		},
		{
			name: "port_443_filtered",
			fault: func(t *testing.T, l *lab) {
				l.nft(t, nsUpstream, "table inet np_fault {",
					"  chain input { type filter hook input priority 0; policy accept;",
					"    ip daddr "+svcV4+" tcp dport 443 drop",
					"    ip6 daddr "+svcV6+" tcp dport 443 drop",
					"  }",
					"}")
			},
			labSays: func(l *lab) error { return expectTCP(l, svcV4, 443, "filtered") },
			reason:  []string{"tcp.filtered"},
			status:  failOnly, layer: []string{"service"},
			evidence: func(t asserter, r *report) {
				wantCheck(t, r, "service", `a check with port_state "filtered"`,
					func(c check) bool { return c.str("port_state") == "filtered" })
			},
		},
		{
			name: "port_443_closed",
			fault: func(t *testing.T, l *lab) {
				for _, s := range l.svc443 {
					s.close()
				}
			},
			labSays: func(l *lab) error { return expectTCP(l, svcV4, 443, "closed") },
			reason:  []string{"tcp.closed"},
			status:  failOnly, layer: []string{"service"},
			evidence: func(t asserter, r *report) {
				wantCheck(t, r, "service", `a check with port_state "closed"`,
					func(c check) bool { return c.str("port_state") == "closed" })
			},
		},
		{
			name:    "tls_certificate_expired",
			labSays: func(l *lab) error { return expectTCP(l, svcV4, 443, "open") },
			args: func(a *argSet) {
				a.targets = []string{"https://expired.lab.test/"}
			},
			reason: []string{"tls.expired"},
			status: failOnly, layer: []string{"service"},
			evidence: func(t asserter, r *report) {
				wantCheck(t, r, "service", "a failed tls check whose verify_error says the certificate expired",
					func(c check) bool {
						return c.Status == "fail" && strings.Contains(strings.ToLower(c.str("verify_error")), "expired")
					})
			},
		},
		{
			name: "loss_30pct_on_router",
			fault: func(t *testing.T, l *lab) {
				// Echo requests only, in both the router's input (pings of
				// the gateway) and forward (pings beyond it) paths: the
				// scenario is about measuring loss, and dropping 30 % of DNS
				// and TCP too would make the verdict a coin toss between
				// "degraded" and a DNS timeout, not a test of loss.
				rule := "numgen random mod 100 < 30 drop"
				l.nft(t, nsRouter, "table inet np_fault {",
					"  chain input { type filter hook input priority 0; policy accept;",
					"    icmp type echo-request "+rule,
					"    icmpv6 type echo-request "+rule,
					"  }",
					"  chain forward { type filter hook forward priority 0; policy accept;",
					"    icmp type echo-request "+rule,
					"    icmpv6 type echo-request "+rule,
					"  }",
					"}")
			},
			labSays: func(l *lab) error {
				p, err := ping(l.ns(nsClient), anycastV4, 40, 5*time.Millisecond, 300*time.Millisecond)
				if err != nil {
					return err
				}
				if p.received == 0 || p.received == p.sent {
					return fmt.Errorf("ping %s under 30%% loss: %v", anycastV4, p)
				}
				return nil
			},
			args: func(a *argSet) {
				a.extra = []string{"--count", fmt.Sprint(lossCount), "--loss-warn", "5"}
			},
			timeout: 20 * time.Second,
			status:  degradedOnly, layer: []string{"gateway", "internet"},
			evidence: func(t asserter, r *report) {
				wantCheck(t, r, "", "a gateway or internet check with loss_pct > 0",
					func(c check) bool {
						v, ok := c.num("loss_pct")
						return ok && v > 0 && (c.Layer == "gateway" || c.Layer == "internet")
					})
			},
		},
		{
			name:  "latency_600ms",
			fault: func(t *testing.T, l *lab) { l.enableDelay(t) },
			labSays: func(l *lab) error {
				for _, dst := range []string{anycastV4, anycastV6} {
					p, err := ping(l.ns(nsClient), dst, 1, 0, 2*time.Second)
					if err != nil {
						return err
					}
					if p.received != 1 || p.maxRTT < 600*time.Millisecond {
						return fmt.Errorf("ping %s through the delay relay: %v, want ≥ 600ms", dst, p)
					}
				}
				return expectPingUnder(l, gwV4, 100*time.Millisecond)
			},
			args: func(a *argSet) {
				a.extra = []string{"--rtt-warn", "300ms"}
			},
			timeout: 15 * time.Second,
			reason:  []string{"internet.slow"},
			status:  degradedOnly, layer: []string{"internet"},
			evidence: func(t asserter, r *report) {
				wantCheck(t, r, "internet", "an internet check with avg_ms ≥ 600",
					func(c check) bool {
						v, ok := c.num("avg_ms")
						return ok && v >= 600
					})
			},
		},
		{
			name: "printer_host_down",
			fault: func(t *testing.T, l *lab) {
				l.ip(t, nsPrinter, "link", "set", "p0", "down")
			},
			labSays: func(l *lab) error { return expectNoPing(l, printerV4) },
			reason:  []string{"printer.unreachable"},
			status:  failOnly, layer: []string{"printer"},
			evidence: func(t asserter, r *report) {
				wantCheck(t, r, "printer", `a printer check with condition "unreachable"`,
					func(c check) bool { return c.str("condition") == "unreachable" })
			},
		},
		{
			name: "printer_snmp_agent_stopped",
			fault: func(t *testing.T, l *lab) {
				l.snmp.stop()
			},
			labSays: func(l *lab) error {
				if _, err := snmpGet(l.ns(nsClient), printerV4, communityHealthy, "1.3.6.1.2.1.1.1.0"); err == nil {
					return fmt.Errorf("snmp agent still answers")
				}
				return expectTCP(l, printerV4, 9100, "open")
			},
			reason: []string{"printer.snmp_silent"},
			status: failOnly, layer: []string{"printer"},
			evidence: func(t asserter, r *report) {
				wantCheck(t, r, "printer", `a printer check with condition "snmp_silent" and ports 9100 "open"`,
					func(c check) bool {
						ports, _ := c.Evidence["ports"].(map[string]any)
						return c.str("condition") == "snmp_silent" && fmt.Sprint(ports["9100"]) == "open"
					})
			},
		},
		{
			name: "printer_low_toner",
			args: func(a *argSet) {
				a.community = communityLowToner
			},
			reason: []string{"printer.low_toner"},
			status: degradedOnly, layer: []string{"printer"},
			evidence: func(t asserter, r *report) {
				wantCheck(t, r, "printer", `a printer check with condition "warning" and a toner problem`,
					func(c check) bool {
						return c.str("condition") == "warning" && anyContains(c.strs("problems"), "toner")
					})
			},
		},
		{
			name: "printer_jammed",
			args: func(a *argSet) {
				a.community = communityJammed
			},
			reason: []string{"printer.jammed", "printer.no_paper"},
			status: failOnly, layer: []string{"printer"},
			evidence: func(t asserter, r *report) {
				wantCheck(t, r, "printer", `a printer check with condition "error" and "jam" in problems`,
					func(c check) bool {
						return c.str("condition") == "error" && anyContains(c.strs("problems"), "jam")
					})
			},
		},
		{
			name:         "unprivileged_user",
			unprivileged: true,
			labSays: func(l *lab) error {
				out, err := l.readSysctl(nsClient, "net.ipv4.ping_group_range")
				if err != nil {
					return err
				}
				if f := strings.Fields(out); len(f) != 2 || f[0] != "1" || f[1] != "0" {
					return fmt.Errorf("ping_group_range = %q, want \"1 0\" (nobody may open ICMP sockets)", out)
				}
				return nil
			},
			status: okOnly, layer: []string{"none"},
			evidence: func(t asserter, r *report) {
				if r.Host.ICMP == "denied" {
					return
				}
				wantCheck(t, r, "", `host.icmp "denied" or a check with icmp_permission "denied"`,
					func(c check) bool { return c.str("icmp_permission") == "denied" })
			},
		},
	}, append(verdictScenarios(), afternoonScenarios()...)...)
}

// wantCheck fails the test unless some check (in layer, or anywhere when
// layer is "") satisfies ok. The message lists the checks that were there.
func wantCheck(t asserter, r *report, layer, what string, ok func(check) bool) {
	t.Helper()
	cs := r.checks(layer)
	for _, c := range cs {
		if ok(c) {
			return
		}
	}
	var seen []string
	for _, c := range cs {
		seen = append(seen, "  "+c.describe())
	}
	where := "any layer"
	if layer != "" {
		where = "layer " + layer
	}
	t.Errorf("key evidence missing: want %s in %s; checks there:\n%s", what, where, strings.Join(seen, "\n"))
}

func wantLayerStatus(t asserter, r *report, layer, status string) {
	t.Helper()
	for _, l := range r.Layers {
		if l.Name == layer {
			if l.Status != status {
				t.Errorf("layer %s status = %q, want %q", layer, l.Status, status)
			}
			return
		}
	}
	t.Errorf("layer %s missing from the report", layer)
}

func anyContains(list []string, sub string) bool {
	for _, s := range list {
		if strings.Contains(strings.ToLower(s), sub) {
			return true
		}
	}
	return false
}

// Lab-side proofs.

func expectPing(l *lab, dst string) error {
	p, err := ping(l.ns(nsClient), dst, 2, 20*time.Millisecond, 500*time.Millisecond)
	if err != nil {
		return fmt.Errorf("ping %s: %w", dst, err)
	}
	if p.received == 0 {
		return fmt.Errorf("ping %s: %v, want replies", dst, p)
	}
	return nil
}

func expectPingUnder(l *lab, dst string, max time.Duration) error {
	p, err := ping(l.ns(nsClient), dst, 2, 20*time.Millisecond, 500*time.Millisecond)
	if err != nil {
		return fmt.Errorf("ping %s: %w", dst, err)
	}
	if p.received == 0 || p.maxRTT > max {
		return fmt.Errorf("ping %s: %v, want replies under %s", dst, p, max)
	}
	return nil
}

func expectNoPing(l *lab, dst string) error {
	p, err := ping(l.ns(nsClient), dst, 2, 20*time.Millisecond, 400*time.Millisecond)
	if err != nil {
		return nil // no route, no address: sending itself failed
	}
	if p.received > 0 {
		return fmt.Errorf("ping %s: %v, want no replies", dst, p)
	}
	return nil
}

func expectTCP(l *lab, host string, port int, want string) error {
	addr := fmt.Sprintf("[%s]:%d", host, port)
	if got := tcpState(l.ns(nsClient), addr, 500*time.Millisecond); got != want {
		return fmt.Errorf("tcp %s: %s, want %s", addr, got, want)
	}
	return nil
}

func expectRcode(l *lab, server, name string, want ...string) error {
	got := dnsRcode(l.ns(nsClient), server, name, 1, 500*time.Millisecond)
	for _, w := range want {
		if got == w {
			return nil
		}
	}
	return fmt.Errorf("dns %s @%s: %s, want %v", name, server, got, want)
}

func wantLayerReason(t asserter, r *report, layer, reason string) {
	t.Helper()
	for _, l := range r.Layers {
		if l.Name == layer {
			if l.Reason != reason {
				t.Errorf("layer %s reason = %q, want %q (status %s, note %q)", layer, l.Reason, reason, l.Status, l.Note)
			}
			return
		}
	}
	t.Errorf("layer %s missing from the report", layer)
}
