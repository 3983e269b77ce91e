//go:build linux

package e2e

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"
	"github.com/vishvananda/netns"
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
	return append([]scenario{
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
	}, portalScenarios()...)
}

// Captive portals and proxies (issue 9, items 1 and 2).
const (
	reasonCaptivePortal  = "internet.captive_portal"
	reasonProxyOnly      = "internet.proxy_only"
	reasonProxyUnreached = "proxy.unreachable"
	portalCheckURL       = "http://check.lab.test" + portalCheckPath
	labProxyURL          = "http://" + proxyV4 + ":" + proxyPort
)

// portalScenarios: a guest network waiting for a sign-in, an office whose
// web works only through its proxy, and that office with its proxy down.
func portalScenarios() []scenario {
	return []scenario{
		{
			// A hotel network before sign-in: DNS works, every web
			// request is redirected to the login page (the router DNATs
			// tcp/80 to its portal server), HTTPS and ping go nowhere.
			name: "captive_portal",
			fault: func(t *testing.T, l *lab) {
				l.nft(t, nsRouter, "table inet np_fault {",
					"  chain prerouting { type nat hook prerouting priority dstnat; policy accept;",
					"    iifname \"r-lan\" meta nfproto ipv4 tcp dport 80 dnat ip to "+gwV4+":"+portalPort,
					"    iifname \"r-lan\" meta nfproto ipv6 tcp dport 80 dnat ip6 to ["+gwV6+"]:"+portalPort,
					"  }",
					"  chain forward { type filter hook forward priority 0; policy accept;",
					"    iifname \"r-lan\" tcp dport 443 drop",
					"    iifname \"r-lan\" icmp type echo-request drop",
					"    iifname \"r-lan\" icmpv6 type echo-request drop",
					"  }",
					"}")
			},
			labSays: func(l *lab) error {
				status, loc, err := labHTTPGet(l.ns(nsClient), svcV4, "check.lab.test", portalCheckPath)
				if err != nil || status != 302 || !strings.Contains(loc, "login.lab.test") {
					return fmt.Errorf("GET %s from the client: %d %q %v, want a redirect to login.lab.test", portalCheckURL, status, loc, err)
				}
				if err := expectTCP(l, svcV4, 443, "filtered"); err != nil {
					return err
				}
				return expectRcode(l, resolverAV4, "check.lab.test", "NOERROR")
			},
			args: func(a *argSet) {
				a.portalURLs = []string{portalCheckURL}
				a.targets = []string{"https://svc.lab.test/"}
			},
			status: failOnly, layer: []string{"internet"}, reason: []string{reasonCaptivePortal},
			evidence: func(t asserter, r *report) {
				wantCheck(t, r, "internet", "a portal check that names login.lab.test as where to sign in",
					func(c check) bool {
						return c.Name == "portal" && c.Reason == reasonCaptivePortal && c.str("location_host") == "login.lab.test"
					})
				if !slices.Contains(r.Verdict.Consequences, "service") {
					t.Errorf("the HTTPS target's failure should follow from the portal: consequences %v", r.Verdict.Consequences)
				}
			},
		},
		{
			// An office where the web works only through its proxy: the
			// router lets out DNS and connections to the proxy, nothing
			// else. Not an internet failure: the proxy works.
			name:  "proxy_only",
			fault: func(t *testing.T, l *lab) { l.nft(t, nsRouter, proxyOnlyRules(false)...) },
			labSays: func(l *lab) error {
				if err := expectTCP(l, proxyV4, mustAtoi(proxyPort), "open"); err != nil {
					return err
				}
				if err := expectTCP(l, svcV4, 443, "filtered"); err != nil {
					return err
				}
				return expectNoPing(l, anycastV4)
			},
			args: func(a *argSet) {
				a.proxy = labProxyURL
				a.targets = []string{"https://svc.lab.test/"}
			},
			status: okOnly, layer: []string{"none"},
			evidence: func(t asserter, r *report) {
				wantLayerReason(t, r, "internet", reasonProxyOnly)
				wantCheck(t, r, "service", "a proxy check that reached svc through "+labProxyURL,
					func(c check) bool { return c.Name == "proxy" && c.Status == "ok" })
			},
		},
		{
			// The same office with its proxy down (the proxy port refuses):
			// the proxy is the fault, named.
			name:  "proxy_down",
			fault: func(t *testing.T, l *lab) { l.nft(t, nsRouter, proxyOnlyRules(true)...) },
			labSays: func(l *lab) error {
				return expectTCP(l, proxyV4, mustAtoi(proxyPort), "closed")
			},
			args: func(a *argSet) {
				a.proxy = labProxyURL
				a.targets = []string{"https://svc.lab.test/"}
			},
			status: failOnly, layer: []string{"service"}, reason: []string{reasonProxyUnreached},
			evidence: func(t asserter, r *report) {
				wantCheck(t, r, "service", "a proxy check naming "+proxyV4+" with reason "+reasonProxyUnreached,
					func(c check) bool { return c.Reason == reasonProxyUnreached && c.mentions(proxyV4) })
			},
		},
	}
}

// proxyOnlyRules let the client out only to DNS and the proxy; with
// proxyDown the proxy's port answers with a reset, as a stopped proxy's.
func proxyOnlyRules(proxyDown bool) []string {
	toProxy := "    iifname \"r-lan\" ip daddr " + proxyV4 + " tcp dport " + proxyPort + " accept"
	if proxyDown {
		toProxy = "    iifname \"r-lan\" ip daddr " + proxyV4 + " tcp dport " + proxyPort + " reject with tcp reset"
	}
	return []string{"table inet np_fault {",
		"  chain forward { type filter hook forward priority 0; policy accept;",
		"    iifname \"r-lan\" udp dport 53 accept",
		toProxy,
		"    iifname \"r-lan\" drop",
		"  }",
		"}"}
}

// labHTTPGet sends one plain HTTP GET from inside ns to ip:80 with the
// given Host, without following redirects.
func labHTTPGet(ns netns.NsHandle, ip, host, path string) (status int, location string, err error) {
	var conn net.Conn
	if err := withNS(ns, func() (err error) {
		conn, err = net.DialTimeout("tcp", net.JoinHostPort(ip, "80"), time.Second)
		return err
	}); err != nil {
		return 0, "", err
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(2 * time.Second))
	fmt.Fprintf(conn, "GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n", path, host)
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		return 0, "", err
	}
	resp.Body.Close()
	return resp.StatusCode, resp.Header.Get("Location"), nil
}
