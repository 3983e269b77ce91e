package diagnose

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/netprobe/netprobe/internal/testnet"
	"github.com/netprobe/netprobe/internal/testproxy"
	"github.com/netprobe/netprobe/probes"
	"github.com/netprobe/netprobe/result"
)

// proxied builds the checks of an https target reached through a proxy,
// as probes.Web writes them: the proxy (CONNECT), tls, http and the
// direct comparison.
func proxied(target, proxy string, st result.Status, reason result.Reason, direct string, ev ...any) []result.Check {
	tag := func(c result.Check, path string) result.Check {
		c.With("path", path).With("proxy_source", "env")
		if path == "proxy" {
			c.With("proxy", proxy)
		}
		return c
	}
	p := chk(result.Service, "proxy", target, st, reason, "via the proxy", append([]any{"proxy_status", 200}, ev...)...)
	cs := []result.Check{tag(p, "proxy")}
	if st == result.OK {
		cs = append(cs, tag(chk(result.Service, "tls", target, result.OK, "", "TLS 1.3"), "proxy"), tag(chk(result.Service, "http", target, result.OK, "", "HTTP 200", "http_status", 200), "proxy"))
	} else {
		cs = append(cs, tag(chk(result.Service, "tls", target, result.Skip, result.ReasonTLSNotTried, "not tried"), "proxy"),
			tag(chk(result.Service, "http", target, result.Skip, result.ReasonHTTPNotTried, "not tried"), "proxy"))
	}
	return append(cs, tag(chk(result.Service, "direct", target, result.OK, "", "direct", "outcome", direct), "direct"))
}

func proxyCases() []verdictCase {
	lower := []result.Check{linkOK, addrOK, routeOK, gwOK}
	remoteDNS := chk(result.DNS, "dns", "www.lab.test @198.18.1.53:53", result.OK, "", "resolves", "name", "www.lab.test", "resolver", "198.18.1.53:53", "role", "system", "off_link", true)
	localDNS := chk(result.DNS, "dns", "www.lab.test @10.77.1.53:53", result.OK, "", "resolves", "name", "www.lab.test", "resolver", "10.77.1.53:53", "role", "system", "off_link", false)
	with := func(extra ...[]result.Check) []result.Check {
		out := append([]result.Check{}, lower...)
		for _, e := range extra {
			out = append(out, e...)
		}
		return out
	}
	const p = "http://198.18.1.3:3128"
	noPing := []result.Check{upFail, upFail2}
	return []verdictCase{
		{name: "only the proxy reaches the web: ok, and the summary says so",
			checks: with(noPing, []result.Check{localDNS}, proxied("https://svc.lab.test/", p, result.OK, "", string(result.ReasonTCPFiltered))),
			status: result.Healthy, layer: result.None, summary: "reached only through the web proxy " + p},
		{name: "only the proxy reaches the web, with a DNS server beyond the router: still ok, not degraded",
			checks: with(noPing, []result.Check{remoteDNS}, proxied("https://svc.lab.test/", p, result.OK, "", string(result.ReasonTCPFiltered))),
			status: result.Healthy, layer: result.None, summary: "reached only through the web proxy"},
		{name: "the proxy is down in a proxy-only network: fail at the service, naming the proxy",
			checks: with(noPing, []result.Check{remoteDNS}, proxied("https://svc.lab.test/", p, result.Fail, result.ReasonProxyUnreachable, string(result.ReasonTCPFiltered))),
			status: result.Failed, layer: result.Service, reason: result.ReasonProxyUnreachable,
			summary: "The web proxy " + p + " (set in HTTPS_PROXY, HTTP_PROXY or ALL_PROXY) does not answer", advice: "is " + p + " still the right proxy"},
		{name: "the proxy is down but the site answers directly: say the way around",
			checks: with([]result.Check{upOK}, proxied("https://svc.lab.test/", p, result.Fail, result.ReasonProxyUnreachable, "ok")),
			status: result.Failed, layer: result.Service, reason: result.ReasonProxyUnreachable,
			summary: "Without the proxy, the site answers directly", advice: "remove the proxy setting"},
		{name: "a proxy that wants a Windows login",
			checks: with([]result.Check{upOK}, proxied("https://svc.lab.test/", p, result.Fail, result.ReasonProxyAuthRequired, string(result.ReasonTCPFiltered),
				"proxy_auth_schemes", []string{"NTLM", "Negotiate"})),
			status: result.Failed, layer: result.Service, reason: result.ReasonProxyAuthRequired, summary: "demands a login (HTTP 407)", advice: "Windows authentication"},
		{name: "a proxy that rejects the login given",
			checks: with([]result.Check{upOK}, proxied("https://svc.lab.test/", p, result.Fail, result.ReasonProxyAuthRequired, "ok", "proxy_credentials", true)),
			status: result.Failed, layer: result.Service, reason: result.ReasonProxyAuthRequired, summary: "rejected the login", notAdvice: "Windows authentication"},
		{name: "a proxy that blocks the site",
			checks: with([]result.Check{upOK}, proxied("https://svc.lab.test/", p, result.Fail, result.ReasonProxyDenied, "ok")),
			status: result.Failed, layer: result.Service, reason: result.ReasonProxyDenied, summary: "its rules block this site"},
		{name: "a proxy that cannot reach the site",
			checks: with([]result.Check{upOK}, proxied("https://svc.lab.test/", p, result.Fail, result.ReasonProxyUpstreamFailed, string(result.ReasonTCPFiltered))),
			status: result.Failed, layer: result.Service, reason: result.ReasonProxyUpstreamFailed, summary: "could not reach"},
		{name: "a proxy name that does not resolve follows from DNS",
			checks: with([]result.Check{upOK, dnsChk("proxy.lab.test", "10.77.1.53", "system", result.Fail, "timeout")},
				proxied("https://svc.lab.test/", "http://proxy.lab.test:3128", result.Fail, result.ReasonProxyUnresolved, string(result.ReasonTCPUnresolved))),
			status: result.Failed, layer: result.DNS, consequences: []result.Layer{result.Service}},
		{name: "an intranet site through the proxy proves nothing about the internet",
			checks: with(noPing, proxied("https://10.77.2.10/", p, result.OK, "", "ok")),
			status: result.Failed, layer: result.Internet, reason: result.ReasonInternetNoReply},
		{name: "a captive portal is not cleared by a working proxy",
			checks: with(noPing, []result.Check{chk(result.Internet, "portal", "x", result.Fail, result.ReasonInternetCaptivePortal, "redirected", "location_host", "login.hotel.example")},
				proxied("https://svc.lab.test/", p, result.OK, "", string(result.ReasonTCPFiltered))),
			status: result.Failed, layer: result.Internet, reason: result.ReasonInternetCaptivePortal},
	}
}

func TestDecideProxies(t *testing.T) { runVerdictCases(t, proxyCases()) }

// The judge's proxy-only rule sets its layer code and note; the failing
// pings stay as they were measured.
func TestJudgeProxyOnly(t *testing.T) {
	cs := append([]result.Check{gwOK, upFail, upFail2}, proxied("https://svc.lab.test/", "http://198.18.1.3:3128", result.OK, "", string(result.ReasonTCPFiltered))...)
	ls := Judge(cs, result.Layers)
	inet := find(ls, result.Internet)
	if inet.Status != result.OK || inet.Reason != result.ReasonInternetProxyOnly || !strings.Contains(inet.Note, "http://198.18.1.3:3128") {
		t.Fatalf("internet layer %s/%s %q", inet.Status, inet.Reason, inet.Note)
	}
	for _, c := range inet.Checks {
		if c.Name == "ping" && c.Status != result.Fail {
			t.Errorf("the judge rewrote a measured check: %+v", c)
		}
	}
}

// lab.test names for the run tests: web.lab.test and portal.lab.test are
// 127.0.0.1, blocked.lab.test is 127.0.0.2 (nothing listens there: the
// direct path is blocked).
func labZone() dns.Handler {
	addrs := map[string]string{"web.lab.test.": "127.0.0.1", "portal.lab.test.": "127.0.0.1", "blocked.lab.test.": "127.0.0.2"}
	return dns.HandlerFunc(func(w dns.ResponseWriter, r *dns.Msg) {
		m := new(dns.Msg)
		m.SetReply(r)
		q := r.Question[0]
		a, ok := addrs[strings.ToLower(q.Name)]
		switch {
		case !ok:
			m.Rcode = dns.RcodeNameError
		case q.Qtype == dns.TypeA:
			m.Answer = append(m.Answer, &dns.A{Hdr: dns.RR_Header{Name: q.Name, Rrtype: dns.TypeA, Class: dns.ClassINET, Ttl: 60}, A: net.ParseIP(a)})
		}
		w.WriteMsg(m)
	})
}

// A whole run through a real proxy on loopback: the target works through
// the proxy while the direct path is blocked; --no-proxy tests it directly
// only. The OS's settings are read only when nothing else gave any.
func TestRunThroughAProxy(t *testing.T) {
	web := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("hello\n")) }))
	defer web.Close()
	port := mustURLPort(t, web.URL)
	proxy := testproxy.Start(t, testproxy.Options{Hosts: map[string]string{"blocked.lab.test": "127.0.0.1"}})
	srv := testnet.StartDNS(t, labZone())
	target := "http://blocked.lab.test:" + port + "/"
	base := Options{Layers: []result.Layer{result.DNS, result.Service}, NoReference: true, Budget: 6 * time.Second,
		Resolvers: []netip.AddrPort{srv}, DNSNames: []string{}, Targets: []Target{mustTarget(target)},
		ReadSystem: func() probes.System { return probes.System{} }}
	osRead := 0
	readOS := func(context.Context) probes.ProxySettings {
		osRead++
		return probes.ProxySettings{Source: "gnome", HTTP: proxy.URL.String()}
	}

	t.Run("through the proxy from the environment", func(t *testing.T) {
		o := base
		o.Proxy = probes.ProxyFromEnv(func(k string) string { return map[string]string{"http_proxy": proxy.URL.String()}[k] })
		o.ReadProxy = readOS
		r := Run(context.Background(), o)
		if r.Verdict.Status != result.Healthy {
			t.Fatalf("verdict %s/%s/%s: %s", r.Verdict.Status, r.Verdict.Layer, r.Verdict.Reason, r.Verdict.Summary)
		}
		var got []string
		for _, c := range r.Layer(result.Service).Checks {
			got = append(got, c.Name+"/"+evStr(c, "path"))
		}
		if !slices.Equal(got, []string{"proxy/proxy", "http/proxy", "direct/direct"}) {
			t.Fatalf("service checks %q", got)
		}
		if d := r.Layer(result.Service).Checks[2]; d.Evidence["outcome"] != string(result.ReasonTCPClosed) {
			t.Errorf("direct check %v", d.Evidence)
		}
		if osRead != 0 {
			t.Error("the OS's proxy settings were read although the environment gave one")
		}
		if !slices.Contains(proxy.Requests(), "GET "+target) {
			t.Errorf("the proxy saw %q", proxy.Requests())
		}
	})
	t.Run("through the proxy from the OS's settings", func(t *testing.T) {
		o := base
		o.ReadProxy = readOS
		r := Run(context.Background(), o)
		if r.Verdict.Status != result.Healthy || osRead != 1 {
			t.Fatalf("verdict %s (%s), OS read %d times", r.Verdict.Status, r.Verdict.Summary, osRead)
		}
		if c := r.Layer(result.Service).Checks[0]; c.Name != "proxy" || c.Evidence["proxy_source"] != "gnome" {
			t.Fatalf("first service check %s %v", c.Name, c.Evidence)
		}
	})
	t.Run("--no-proxy tests directly only", func(t *testing.T) {
		o := base
		o.Proxy = probes.ProxySettings{Source: "env", HTTP: proxy.URL.String()}
		o.NoProxy = true
		o.ReadProxy = readOS
		before := osRead
		r := Run(context.Background(), o)
		if r.Verdict.Status != result.Failed || r.Verdict.Reason != result.ReasonTCPClosed || osRead != before {
			t.Fatalf("verdict %s/%s (%s), OS read %d times", r.Verdict.Status, r.Verdict.Reason, r.Verdict.Summary, osRead-before)
		}
		for _, c := range r.Layer(result.Service).Checks {
			if _, ok := c.Evidence["path"]; ok {
				t.Errorf("%s has proxy evidence under --no-proxy: %v", c.Name, c.Evidence)
			}
		}
	})
}

// A proxy that answers every request with a page of its own must not make
// the portal check see a portal: the check goes directly, as a captive
// portal intercepts this computer's own traffic.
func TestPortalCheckIgnoresTheProxy(t *testing.T) {
	ok := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) }))
	defer ok.Close()
	everything := testproxy.Start(t, testproxy.Options{Mode: testproxy.Everything})
	srv := testnet.StartDNS(t, labZone())
	o := Options{Layers: []result.Layer{result.Internet}, Upstreams: []netip.Addr{netip.MustParseAddr("127.0.0.1")}, Budget: 6 * time.Second,
		NoReference: true, Resolvers: []netip.AddrPort{srv}, PortalURLs: []probes.PortalURL{mustPortal("http://portal.lab.test:" + mustURLPort(t, ok.URL) + "/generate_204")},
		Proxy:      probes.ProxySettings{Source: "env", HTTP: everything.URL.String(), HTTPS: everything.URL.String()},
		ReadSystem: func() probes.System { return probes.System{} },
		DetectICMP: func() probes.ICMPPermission { return probes.ICMPPermission{Mode: probes.ICMPDenied, Reason: "test"} }}
	r := Run(context.Background(), o)
	if r.Verdict.Status != result.Healthy {
		t.Fatalf("verdict %s/%s/%s: %s", r.Verdict.Status, r.Verdict.Layer, r.Verdict.Reason, r.Verdict.Summary)
	}
	if reqs := everything.Requests(); len(reqs) != 0 {
		t.Fatalf("the portal check went through the proxy: %q", reqs)
	}
}

func mustURLPort(t *testing.T, s string) string {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u.Port()
}
