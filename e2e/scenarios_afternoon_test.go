//go:build linux

package e2e

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// The faults that waste an afternoon (issue 9): IPv6 that is set up but
// broken, a resolver that answers in more than a second, a gateway
// setting that points at nobody, and two devices with one address.
const (
	reasonIPv6Broken     = "internet.ipv6_broken"
	reasonDNSSlow        = "dns.slow"
	reasonGwMisconfig    = "gateway.misconfigured"
	reasonAddrConflict   = "address.conflict"
	reasonDHCPFailed     = "address.dhcp_failed"
	nobodyV4             = "10.77.1.99"      // an address on the LAN that no device holds
	nobodyV6             = "fd00:77:0:1::99" // likewise for IPv6
	dnsSlowArg           = "500ms"           // --dns-slow of the slow-resolver run
	dnsSlowEnoughToCount = time.Second       // what the lab's proof must see
)

func afternoonScenarios() []scenario {
	return []scenario{
		{
			// IPv6 is configured on the client (address, default route)
			// and its gateway answers over IPv6, but the router forwards
			// no IPv6 at all; IPv4 works. Programs that try IPv6 first
			// wait on every connection: degraded, not failed.
			name: "ipv6_broken",
			fault: func(t *testing.T, l *lab) {
				l.nft(t, nsRouter, "table ip6 np_fault {",
					"  chain forward { type filter hook forward priority 0; policy drop; }",
					"}")
			},
			labSays: func(l *lab) error {
				for _, ok := range []string{anycastV4, gwV6} {
					if err := expectPing(l, ok); err != nil {
						return err
					}
				}
				return expectNoPing(l, anycastV6)
			},
			status: degradedOnly, layer: []string{"internet"}, reason: []string{reasonIPv6Broken},
			evidence: func(t asserter, r *report) {
				wantCheck(t, r, "internet", "a failed check of the IPv6 upstream "+anycastV6,
					func(c check) bool { return c.Target == anycastV6 && c.Status == "fail" })
				wantCheck(t, r, "internet", "an ok check of the IPv4 upstream "+anycastV4,
					func(c check) bool { return c.Target == anycastV4 && c.Status == "ok" })
			},
		},
		{
			// Both of the client's resolvers answer correctly, but after
			// 1.2 s: every page load waits that long first.
			name: "dns_slow",
			fault: func(t *testing.T, l *lab) {
				l.dns[resolverAV4].setMode(dnsSlow)
				l.dns[resolverBV6].setMode(dnsSlow)
			},
			labSays: func(l *lab) error {
				start := time.Now()
				rc, addrs := dnsAnswer(l.ns(nsClient), resolverAV4, "www.lab.test", dns.TypeA, 3*time.Second)
				took := time.Since(start)
				if rc != "NOERROR" || !slices.Equal(addrs, []string{svcV4}) || took < dnsSlowEnoughToCount {
					return fmt.Errorf("dns www.lab.test @%s: %s %v after %s, want the right answer after at least %s", resolverAV4, rc, addrs, took, dnsSlowEnoughToCount)
				}
				return nil
			},
			args: func(a *argSet) {
				a.extra = append(a.extra, "--dns-slow", dnsSlowArg)
			},
			status: degradedOnly, layer: []string{"dns"}, reason: []string{reasonDNSSlow},
			evidence: func(t asserter, r *report) {
				wantCheck(t, r, "dns", "a dns-latency check of "+resolverAV4+" with reason "+reasonDNSSlow+" and a median of 1 s or more",
					func(c check) bool {
						m, ok := c.num("median_ms")
						return c.Name == "dns-latency" && c.Target == resolverAV4 && c.Reason == reasonDNSSlow && ok && m >= 1000
					})
			},
		},
		{
			// The default routes point at addresses nobody holds (a typo
			// in a static setting), while the real router is right there
			// on the LAN. Not a dead router: a wrong setting, found by
			// the confirmation round asking where routers usually live.
			name: "gateway_misconfigured",
			fault: func(t *testing.T, l *lab) {
				l.ip(t, nsClient, "-4", "route", "replace", "default", "via", nobodyV4, "dev", "c0")
				l.ip(t, nsClient, "-6", "route", "replace", "default", "via", nobodyV6, "dev", "c0")
			},
			labSays: func(l *lab) error {
				if err := expectPing(l, gwV4); err != nil {
					return err
				}
				if err := expectNoPing(l, nobodyV4); err != nil {
					return err
				}
				return expectNoPing(l, anycastV4)
			},
			status: failOnly, layer: []string{"gateway"}, reason: []string{reasonGwMisconfig},
			evidence: func(t asserter, r *report) {
				wantCheck(t, r, "gateway", "a gateway-search check that found the real router "+gwV4,
					func(c check) bool {
						return c.Name == "gateway-search" && c.Reason == reasonGwMisconfig && c.str("router_found") == gwV4
					})
			},
		},
		{
			// A second device on the LAN takes the client's own address.
			name: "address_conflict",
			fault: func(t *testing.T, l *lab) {
				l.ip(t, nsDup, "addr", "add", clientV4+"/24", "dev", "d0")
				l.ip(t, nsDup, "link", "set", "d0", "up")
				l.ip(t, nsLAN, "link", "set", "sw-d", "up")
			},
			labSays: func(l *lab) error {
				// The duplicate answers on the LAN: from the printer's
				// namespace, the client's address now answers from two
				// places at once, so prove the duplicate is alive there.
				p, err := ping(l.ns(nsDup), gwV4, 2, 20*time.Millisecond, 500*time.Millisecond)
				if err != nil || p.received == 0 {
					return fmt.Errorf("the duplicate does not reach the LAN: %v %v", p, err)
				}
				return nil
			},
			status: failOnly, layer: []string{"address"}, reason: []string{reasonAddrConflict},
			evidence: func(t asserter, r *report) {
				wantCheck(t, r, "address", "an arp-conflict check of "+clientV4+" naming another device's hardware address",
					func(c check) bool {
						return c.Name == "arp-conflict" && c.Reason == reasonAddrConflict && c.str("other_mac") != "" && c.str("other_mac") != c.str("mac")
					})
			},
		},
	}
}
