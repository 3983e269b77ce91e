package probes

import (
	"crypto/x509"
	"encoding/json"
	"fmt"
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
	"github.com/netprobe/netprobe/result"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestProxyFromEnv(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want ProxySettings
	}{
		{"nothing set", nil, ProxySettings{}},
		{"upper case", map[string]string{"HTTPS_PROXY": "proxy.corp.example:3128", "NO_PROXY": "corp.example"},
			ProxySettings{Source: "env", HTTPS: "proxy.corp.example:3128", NoProxy: "corp.example"}},
		{"lower case", map[string]string{"http_proxy": "http://p:8080", "no_proxy": ".lan"},
			ProxySettings{Source: "env", HTTP: "http://p:8080", NoProxy: ".lan"}},
		{"upper case wins, as in Go's net/http", map[string]string{"HTTP_PROXY": "http://upper:1", "http_proxy": "http://lower:2"},
			ProxySettings{Source: "env", HTTP: "http://upper:1"}},
		{"ALL_PROXY fills what is not set", map[string]string{"all_proxy": "http://all:3128", "HTTPS_PROXY": "http://tls:3128"},
			ProxySettings{Source: "env", HTTP: "http://all:3128", HTTPS: "http://tls:3128"}},
		{"NO_PROXY alone is no proxy", map[string]string{"NO_PROXY": "*"}, ProxySettings{NoProxy: "*"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ProxyFromEnv(env(tt.env)); got != tt.want {
				t.Fatalf("ProxyFromEnv = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestProxyRoute(t *testing.T) {
	s := ProxySettings{Source: "env", HTTP: "http://web-proxy:8080", HTTPS: "http://user:pw@tls-proxy:3128",
		NoProxy: "corp.example, .only-subs.example, *.star.example, 10.0.0.0/8, 192.0.2.7:8443"}
	tests := []struct {
		url    string
		proxy  string // RedactProxy of the route's proxy, "" for direct
		bypass bool
	}{
		{"https://www.example.com/", "http://tls-proxy:3128", false},
		{"http://www.example.com/", "http://web-proxy:8080", false},
		{"https://corp.example/", "", true},
		{"https://wiki.corp.example/", "", true},
		{"https://only-subs.example/", "http://tls-proxy:3128", false},
		{"https://a.only-subs.example/", "", true},
		{"https://x.star.example/", "", true},
		{"https://10.1.2.3/", "", true},
		{"https://192.0.2.7:8443/", "", true},
		{"https://192.0.2.7/", "http://tls-proxy:3128", false},
		{"https://localhost/", "", true},
		{"https://127.0.0.1:8443/", "", true},
		{"https://[::1]/", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			r := s.Route(mustURL(t, tt.url))
			if got := RedactProxy(r.URL); got != tt.proxy || r.Bypassed != tt.bypass || r.Source != "env" {
				t.Fatalf("route = %q bypassed=%v source %q, want %q bypassed=%v", got, r.Bypassed, r.Source, tt.proxy, tt.bypass)
			}
		})
	}
	if r := (ProxySettings{HTTPS: "http://p:1"}).Route(mustURL(t, "http://www.example.com/")); r.URL != nil || r.Bypassed {
		t.Errorf("an https-only proxy must not take http URLs: %+v", r)
	}
	if r := (ProxySettings{HTTPS: "http://p:1", NoProxy: "*"}).Route(mustURL(t, "https://www.example.com/")); r.URL != nil || !r.Bypassed {
		t.Errorf("NO_PROXY=* bypasses everything: %+v", r)
	}
	simple := ProxySettings{HTTPS: "http://p:1", BypassSimple: true}
	if r := simple.Route(mustURL(t, "https://intranet/")); r.URL != nil || !r.Bypassed {
		t.Errorf("a simple host name bypasses: %+v", r)
	}
	if r := simple.Route(mustURL(t, "https://intranet.corp.example/")); r.URL == nil {
		t.Errorf("a dotted name goes through the proxy: %+v", r)
	}
	if r := (ProxySettings{HTTPS: "socks5://user:pw@s:1080"}).Route(mustURL(t, "https://www.example.com/")); r.URL != nil || r.Unsupported != "socks5://s:1080" {
		t.Errorf("a SOCKS proxy is named, not used: %+v", r)
	}
}

// A proxy's credentials never appear in an error, not even the user name.
func TestProxyURLValidation(t *testing.T) {
	for _, tt := range []struct {
		in, want string
	}{
		{"proxy.corp.example:3128", ""},
		{"http://alice:s3cret@proxy:3128", ""},
		{"socks5h://s:1080", ""},
		{"http://alice:s3cret@proxy:99999", `port "99999"`},
		{"ftp://alice:s3cret@proxy:21", `scheme "ftp"`},
		{"http://alice:s3cret@proxy:3128/path", "without a path"},
		{"http://alice:s3cret@:3128", "no host"},
		{"http://alice:s3cret@pro xy:3128", "not a proxy URL"},
		{"pro xy:3128", `"pro xy:3128"`},
	} {
		t.Run(tt.in, func(t *testing.T) {
			err := (ProxySettings{Source: "env", HTTPS: tt.in}).Validate()
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("error %v", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Fatalf("error %v, want %q", err, tt.want)
			case err != nil && (strings.Contains(err.Error(), "alice") || strings.Contains(err.Error(), "s3cret")):
				t.Fatalf("the error repeats the credentials: %v", err)
			case err != nil && !strings.Contains(err.Error(), "HTTPS_PROXY"):
				t.Fatalf("the error does not name the setting: %v", err)
			}
		})
	}
}

// proxyLab is a TLS site and a plain web site on loopback, a DNS server
// that gives blocked.proxy.test an address where nothing listens
// (127.0.0.2: the direct path is blocked) and open.proxy.test the
// server's, and the CA to trust.
type proxyLab struct {
	tlsPort, webPort string
	dns              netip.AddrPort
	ca               *x509.Certificate
}

func newProxyLab(t *testing.T) proxyLab {
	t.Helper()
	p := newPKI(t)
	leaf := makeCert(t, certSpec{cn: "proxy.test", dnsNames: []string{"blocked.proxy.test", "open.proxy.test"}}, p.inter)
	srv := serveTLS(t, leaf, p.inter)
	web := httptest.NewServer(webHandler())
	t.Cleanup(web.Close)
	dnsSrv := testnet.StartDNS(t, dns.HandlerFunc(func(w dns.ResponseWriter, r *dns.Msg) {
		m := new(dns.Msg)
		m.SetReply(r)
		q := r.Question[0]
		switch {
		case q.Qtype != dns.TypeA && (q.Name == "blocked.proxy.test." || q.Name == "open.proxy.test."):
		case q.Name == "blocked.proxy.test.":
			m.Answer = append(m.Answer, rr(q.Name+" 60 IN A 127.0.0.2"))
		case q.Name == "open.proxy.test.":
			m.Answer = append(m.Answer, rr(q.Name+" 60 IN A 127.0.0.1"))
		default:
			m.Rcode = dns.RcodeNameError
		}
		w.WriteMsg(m)
	}))
	return proxyLab{tlsPort: mustURL(t, srv.URL).Port(), webPort: mustURL(t, web.URL).Port(), dns: dnsSrv, ca: p.root.cert}
}

// web runs Web for u through the proxy at proxyURL (as HTTPS_PROXY and
// HTTP_PROXY would set it).
func (l proxyLab) web(t *testing.T, u, proxyURL string) []result.Check {
	t.Helper()
	s := ProxySettings{Source: "env", HTTP: proxyURL, HTTPS: proxyURL}
	target := mustURL(t, u)
	opt := WebOptions{TLS: TLSOptions{ExtraCAs: []*x509.Certificate{l.ca}}, ConnectTimeout: 700 * time.Millisecond, Proxy: s.Route(target)}
	return Web(WithResolvers(longCtx(t), []netip.AddrPort{l.dns}), target, opt)
}

// cn is how names shows one check: name, status and reason.
func cn(name string, st result.Status, r result.Reason) string {
	return name + ":" + string(st) + ":" + string(r)
}

func names(cs []result.Check) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.Name + ":" + string(c.Status) + ":" + string(c.Reason)
	}
	return out
}

func byName(cs []result.Check, name string) result.Check {
	for _, c := range cs {
		if c.Name == name {
			return c
		}
	}
	return result.Check{}
}

func proxyHosts() map[string]string {
	return map[string]string{"blocked.proxy.test": "127.0.0.1", "open.proxy.test": "127.0.0.1"}
}

func TestWebThroughAProxy(t *testing.T) {
	t.Parallel()
	l := newProxyLab(t)
	good := testproxy.Start(t, testproxy.Options{Hosts: proxyHosts()})

	t.Run("https: via proxy works, direct is blocked", func(t *testing.T) {
		u := "https://blocked.proxy.test:" + l.tlsPort + "/"
		cs := l.web(t, u, good.URL.String())
		want := []string{cn("proxy", result.OK, ""), cn("tls", result.OK, ""), cn("http", result.OK, ""), cn("direct", result.OK, "")}
		if got := names(cs); !slices.Equal(got, want) {
			t.Fatalf("checks %q, want %q", got, want)
		}
		for _, c := range cs[:3] {
			if c.Evidence["path"] != "proxy" || c.Evidence["proxy"] != good.URL.String() || c.Evidence["proxy_source"] != "env" {
				t.Errorf("%s evidence %v: want path proxy, proxy %s", c.Name, c.Evidence, good.URL)
			}
		}
		p := byName(cs, "proxy")
		if p.Evidence["proxy_status"] != 200 || p.Evidence["port_state"] != "open" || p.Evidence["address"] != "127.0.0.1" {
			t.Errorf("proxy check evidence %v", p.Evidence)
		}
		d := byName(cs, "direct")
		if d.Evidence["path"] != "direct" || d.Evidence["outcome"] != string(result.ReasonTCPClosed) || d.Evidence["port_state"] != "closed" ||
			d.Evidence["address"] != nil && d.Evidence["address"] != "127.0.0.2" || !strings.Contains(d.Detail, "blocked") {
			t.Errorf("direct check %q %v", d.Detail, d.Evidence)
		}
		if reqs := good.Requests(); !slices.Contains(reqs, "CONNECT blocked.proxy.test:"+l.tlsPort) {
			t.Errorf("the proxy saw %q, want a CONNECT", reqs)
		}
	})
	t.Run("https: via proxy works, direct works too", func(t *testing.T) {
		cs := l.web(t, "https://open.proxy.test:"+l.tlsPort+"/", good.URL.String())
		if d := byName(cs, "direct"); d.Evidence["outcome"] != "ok" || d.Evidence["port_state"] != "open" || !strings.Contains(d.Detail, "works") {
			t.Errorf("direct check %q %v", d.Detail, d.Evidence)
		}
	})
	t.Run("http: an absolute-form GET through the proxy", func(t *testing.T) {
		u := "http://blocked.proxy.test:" + l.webPort + "/"
		cs := l.web(t, u, good.URL.String())
		want := []string{cn("proxy", result.OK, ""), cn("http", result.OK, ""), cn("direct", result.OK, "")}
		if got := names(cs); !slices.Equal(got, want) {
			t.Fatalf("checks %q, want %q", got, want)
		}
		if reqs := good.Requests(); !slices.Contains(reqs, "GET "+u) {
			t.Errorf("the proxy saw %q, want GET %s", reqs, u)
		}
		if h := byName(cs, "http"); h.Evidence["http_status"] != 200 || h.Evidence["path"] != "proxy" {
			t.Errorf("http check %v", h.Evidence)
		}
	})
}

// Every way a proxy can fail is its own code, names the proxy, and stops
// the phases after it.
func TestWebProxyFailures(t *testing.T) {
	t.Parallel()
	l := newProxyLab(t)
	auth := testproxy.Start(t, testproxy.Options{Hosts: proxyHosts(), User: "alice", Password: "s3cret-pw"})
	deny := testproxy.Start(t, testproxy.Options{Hosts: proxyHosts(), Mode: testproxy.Deny})
	silent := testproxy.Start(t, testproxy.Options{Mode: testproxy.Silent})
	stall := testproxy.Start(t, testproxy.Options{Mode: testproxy.Stall})
	noRoute := testproxy.Start(t, testproxy.Options{Hosts: map[string]string{}})
	closed := fmt.Sprintf("http://127.0.0.1:%d", testnet.ClosedTCP(t))
	filtered := fmt.Sprintf("http://127.0.0.1:%d", filteredTCP(t))
	withCreds := func(p *testproxy.Proxy, user, pw string) string {
		u := *p.URL
		u.User = url.UserPassword(user, pw)
		return u.String()
	}
	https := "https://blocked.proxy.test:" + l.tlsPort + "/"
	tests := []struct {
		name, url, proxy string
		checks           []string
		detail           string
	}{
		{"a proxy that demands a login", https, auth.URL.String(),
			[]string{cn("proxy", result.Fail, result.ReasonProxyAuthRequired), cn("tls", result.Skip, result.ReasonTLSNotTried), cn("http", result.Skip, result.ReasonHTTPNotTried), cn("direct", result.OK, "")}, "demands a login"},
		{"a proxy that rejects the credentials", https, withCreds(auth, "alice", "wrong-pw"),
			[]string{cn("proxy", result.Fail, result.ReasonProxyAuthRequired), cn("tls", result.Skip, result.ReasonTLSNotTried), cn("http", result.Skip, result.ReasonHTTPNotTried), cn("direct", result.OK, "")}, "rejected the credentials"},
		{"a proxy that accepts the credentials", https, withCreds(auth, "alice", "s3cret-pw"),
			[]string{cn("proxy", result.OK, ""), cn("tls", result.OK, ""), cn("http", result.OK, ""), cn("direct", result.OK, "")}, "opened a tunnel"},
		{"http: a proxy that demands a login", "http://blocked.proxy.test:" + l.webPort + "/", auth.URL.String(),
			[]string{cn("proxy", result.OK, ""), cn("http", result.Fail, result.ReasonProxyAuthRequired), cn("direct", result.OK, "")}, "demands a login"},
		{"a proxy whose port is closed", https, closed,
			[]string{cn("proxy", result.Fail, result.ReasonProxyUnreachable), cn("tls", result.Skip, result.ReasonTLSNotTried), cn("http", result.Skip, result.ReasonHTTPNotTried), cn("direct", result.OK, "")}, "refuses connections"},
		{"a proxy that drops the connection attempt", https, filtered,
			[]string{cn("proxy", result.Fail, result.ReasonProxyUnreachable), cn("tls", result.Skip, result.ReasonTLSNotTried), cn("http", result.Skip, result.ReasonHTTPNotTried), cn("direct", result.OK, "")}, "does not answer"},
		{"a proxy that accepts and stays silent", https, silent.URL.String(),
			[]string{cn("proxy", result.Fail, result.ReasonProxyUnreachable), cn("tls", result.Skip, result.ReasonTLSNotTried), cn("http", result.Skip, result.ReasonHTTPNotTried), cn("direct", result.OK, "")}, "did not answer the CONNECT request"},
		{"a proxy still waiting for an unreachable target", https, stall.URL.String(),
			[]string{cn("proxy", result.Fail, result.ReasonProxyUpstreamFailed), cn("tls", result.Skip, result.ReasonTLSNotTried), cn("http", result.Skip, result.ReasonHTTPNotTried), cn("direct", result.OK, "")}, "answers, but did not open a tunnel"},
		{"http: a proxy that accepts and stays silent", "http://blocked.proxy.test:" + l.webPort + "/", silent.URL.String(),
			[]string{cn("proxy", result.OK, ""), cn("http", result.Fail, result.ReasonProxyUnreachable), cn("direct", result.OK, "")}, "sent no answer"},
		{"http: a proxy still waiting for the server", "http://blocked.proxy.test:" + l.webPort + "/", stall.URL.String(),
			[]string{cn("proxy", result.OK, ""), cn("http", result.Fail, result.ReasonHTTPStalled), cn("direct", result.OK, "")}, "relayed no answer"},
		{"a proxy that refuses the destination", https, deny.URL.String(),
			[]string{cn("proxy", result.Fail, result.ReasonProxyDenied), cn("tls", result.Skip, result.ReasonTLSNotTried), cn("http", result.Skip, result.ReasonHTTPNotTried), cn("direct", result.OK, "")}, "refuses to connect"},
		{"a proxy that cannot reach the target", https, noRoute.URL.String(),
			[]string{cn("proxy", result.Fail, result.ReasonProxyUpstreamFailed), cn("tls", result.Skip, result.ReasonTLSNotTried), cn("http", result.Skip, result.ReasonHTTPNotTried), cn("direct", result.OK, "")}, "could not reach"},
		{"a proxy whose name does not resolve", https, "http://nx.proxy.test:3128",
			[]string{cn("proxy", result.Fail, result.ReasonProxyUnresolved), cn("tls", result.Skip, result.ReasonTLSNotTried), cn("http", result.Skip, result.ReasonHTTPNotTried), cn("direct", result.OK, "")}, "does not resolve"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cs := l.web(t, tt.url, tt.proxy)
			if got := names(cs); !slices.Equal(got, tt.checks) {
				t.Fatalf("checks %q, want %q", got, tt.checks)
			}
			p := byName(cs, "proxy")
			if strings.HasPrefix(tt.checks[1], "http:fail:") {
				p = byName(cs, "http")
			}
			want := RedactProxy(mustURL(t, tt.proxy))
			if !strings.Contains(p.Detail, tt.detail) || (!strings.Contains(p.Detail, want) && !strings.Contains(p.Detail, "nx.proxy.test")) || p.Evidence["proxy"] != want {
				t.Errorf("%s detail %q evidence %v: want %q naming %s", p.Name, p.Detail, p.Evidence, tt.detail, want)
			}
			b, _ := json.Marshal(cs)
			if strings.Contains(string(b), "alice") || strings.Contains(string(b), "pw") {
				t.Errorf("the proxy's credentials reached the checks: %s", b)
			}
		})
	}
	if c := byName(l.web(t, https, auth.URL.String()), "proxy"); !slices.Equal(c.Evidence["proxy_auth_schemes"].([]string), []string{"Basic", "NTLM"}) {
		t.Errorf("proxy_auth_schemes = %v", c.Evidence["proxy_auth_schemes"])
	}
}

// A target the proxy's exceptions cover is tested directly, and the
// checks say a proxy is set but not used for it.
func TestWebBypassesTheProxy(t *testing.T) {
	t.Parallel()
	l := newProxyLab(t)
	p := testproxy.Start(t, testproxy.Options{Hosts: proxyHosts()})
	s := ProxySettings{Source: "gnome", HTTPS: p.URL.String(), NoProxy: "proxy.test"}
	target := mustURL(t, "https://open.proxy.test:"+l.tlsPort+"/")
	opt := WebOptions{TLS: TLSOptions{ExtraCAs: []*x509.Certificate{l.ca}}, Proxy: s.Route(target)}
	cs := Web(WithResolvers(longCtx(t), []netip.AddrPort{l.dns}), target, opt)
	if got := names(cs); !slices.Equal(got, []string{cn("tcp", result.OK, ""), cn("tls", result.OK, ""), cn("http", result.OK, "")}) {
		t.Fatalf("checks %q", got)
	}
	for _, c := range cs {
		if c.Evidence["path"] != "direct" || c.Evidence["proxy_bypass"] != true || c.Evidence["proxy_source"] != "gnome" || c.Evidence["proxy"] != nil {
			t.Errorf("%s evidence %v", c.Name, c.Evidence)
		}
	}
	if reqs := p.Requests(); len(reqs) != 0 {
		t.Errorf("the proxy was asked %q", reqs)
	}
	// Without any proxy setting, nothing about proxies is added.
	cs = Web(WithResolvers(longCtx(t), []netip.AddrPort{l.dns}), target, WebOptions{TLS: opt.TLS})
	for _, c := range cs {
		if _, ok := c.Evidence["path"]; ok {
			t.Errorf("%s has proxy evidence without a proxy setting: %v", c.Name, c.Evidence)
		}
	}
}
