package probes

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/netprobe/netprobe/internal/testnet"
	"github.com/netprobe/netprobe/result"
)

// Every connectivity-check URL in these tests is on loopback: a real HTTP
// server on 127.0.0.1, by address or by a .test name that a loopback DNS
// server resolves.

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// portalServer answers every request with h.
func portalServer(t *testing.T, h http.HandlerFunc) string {
	t.Helper()
	srv := httptest.NewUnstartedServer(h)
	srv.Config.ErrorLog = quietLog()
	srv.Start()
	t.Cleanup(srv.Close)
	return srv.URL
}

// silentHTTP accepts connections and never answers.
func silentHTTP(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var conns []net.Conn
	done := make(chan struct{})
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				close(done)
				return
			}
			conns = append(conns, c)
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		<-done
		for _, c := range conns {
			c.Close()
		}
	})
	return "http://" + ln.Addr().String()
}

func TestClassifyPortal(t *testing.T) {
	plain := PortalURL{}
	apple := PortalURL{Body: "Success"}
	want204 := PortalURL{Status: 204}
	tests := []struct {
		name   string
		p      PortalURL
		status int
		body   string
		want   string
	}{
		{"204", plain, 204, "", portalOK},
		{"an empty 200 counts as 204 (Chrome)", plain, 200, " \n", portalOK},
		{"a login page in place of the 204", plain, 200, "<html>Please sign in</html>", portalIntercept},
		{"a redirect", plain, 302, "", portalIntercept},
		{"a permanent redirect", plain, 301, "", portalIntercept},
		{"511 Network Authentication Required", plain, 511, "", portalIntercept},
		{"a proxy wants a login", plain, 407, "", portalProxyAuth},
		{"a filter's block page", plain, 403, "blocked", portalError},
		{"a server error", plain, 503, "", portalError},
		{"the Success page", apple, 200, "<HTML><HEAD><TITLE>Success</TITLE></HEAD><BODY>Success</BODY></HTML>", portalOK},
		{"another page where Success was expected", apple, 200, "<html>Welcome to the Hotel Wi-Fi</html>", portalIntercept},
		{"Success, but redirected", apple, 302, "Success", portalIntercept},
		{"lower-case success is not Success", apple, 200, "success", portalIntercept},
		{"an explicit 204 expectation refuses an empty 200", want204, 200, "", portalIntercept},
		{"an explicit 204 expectation", want204, 204, "", portalOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := classifyPortal(tt.p, tt.status, []byte(tt.body)); got != tt.want {
				t.Fatalf("classifyPortal(%d, %q) = %q, want %q", tt.status, tt.body, got, tt.want)
			}
		})
	}
}

// portalURLs returns the outcome of each URL, by URL, from the evidence.
func portalOutcomes(t *testing.T, c result.Check) map[string]string {
	t.Helper()
	ev, ok := c.Evidence["portal_urls"].([]map[string]any)
	if !ok {
		t.Fatalf("portal_urls evidence missing: %v", c.Evidence)
	}
	out := map[string]string{}
	for _, e := range ev {
		out[e["url"].(string)] = e["outcome"].(string)
	}
	return out
}

func TestPortal(t *testing.T) {
	t.Parallel()
	ok204 := portalServer(t, func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })
	success := portalServer(t, func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "<HTML><HEAD><TITLE>Success</TITLE></HEAD><BODY>Success</BODY></HTML>")
	})
	redirect := portalServer(t, func(w http.ResponseWriter, r *http.Request) {
		// A portal puts the session, the client's MAC and the asked URL
		// in the query: none of it may reach the report.
		http.Redirect(w, r, "http://login.portal.test:8080/guest/login?token=s3cr3t-session&mac=02:00:00:aa:bb:cc&orig="+url.QueryEscape(r.URL.String()), http.StatusFound)
	})
	loginPage := portalServer(t, func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `<html><head><meta http-equiv="refresh" content="0; url=https://wifi.portal.test/splash?sid=abc"></head><body>Sign in</body></html>`)
	})
	slow204 := portalServer(t, func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(150 * time.Millisecond) // after the redirect, inside the grace
		w.WriteHeader(http.StatusNoContent)
	})
	status511 := portalServer(t, func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNetworkAuthenticationRequired) })
	proxyAuth := portalServer(t, func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusProxyAuthRequired) })
	broken := portalServer(t, func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusServiceUnavailable) })
	closed := fmt.Sprintf("http://127.0.0.1:%d", testnet.ClosedTCP(t))
	silent := silentHTTP(t)
	srv := testnet.StartDNS(t, dns.HandlerFunc(func(w dns.ResponseWriter, r *dns.Msg) {
		m := new(dns.Msg)
		m.SetReply(r)
		if r.Question[0].Name == "check.portal.test." && r.Question[0].Qtype == dns.TypeA {
			m.Answer = append(m.Answer, rr("check.portal.test. 60 IN A 127.0.0.1"))
		} else if r.Question[0].Name != "check.portal.test." {
			m.Rcode = dns.RcodeNameError
		}
		w.WriteMsg(m)
	}))
	port204 := mustURL(t, ok204).Port()

	tests := []struct {
		name     string
		urls     []PortalURL
		status   result.Status
		reason   result.Reason
		evidence map[string]any
		outcomes map[string]string
	}{
		{"204 means no portal", []PortalURL{{URL: mustURL(t, ok204+"/generate_204")}}, result.OK, "",
			map[string]any{"http_status": 204, "address": "127.0.0.1"}, nil},
		{"the expected page means no portal", []PortalURL{{URL: mustURL(t, success+"/hotspot-detect.html"), Body: "Success"}}, result.OK, "", nil, nil},
		{"a name resolved through the run's resolvers", []PortalURL{{URL: mustURL(t, "http://check.portal.test:"+port204+"/generate_204")}}, result.OK, "",
			map[string]any{"address": "127.0.0.1"}, nil},
		{"a redirect is a portal, named without its query", []PortalURL{{URL: mustURL(t, redirect+"/generate_204")}}, result.Fail, result.ReasonInternetCaptivePortal,
			map[string]any{"location": "http://login.portal.test:8080/guest/login", "location_host": "login.portal.test", "http_status": 302, "address": "127.0.0.1"}, nil},
		{"a login page in place is a portal (its meta refresh names it)", []PortalURL{{URL: mustURL(t, loginPage+"/hotspot-detect.html"), Body: "Success"}}, result.Fail, result.ReasonInternetCaptivePortal,
			map[string]any{"location": "https://wifi.portal.test/splash", "location_host": "wifi.portal.test", "http_status": 200}, nil},
		{"511 is a portal", []PortalURL{{URL: mustURL(t, status511+"/")}}, result.Fail, result.ReasonInternetCaptivePortal, map[string]any{"http_status": 511}, nil},
		{"a proxy's 407 is not a portal", []PortalURL{{URL: mustURL(t, proxyAuth+"/")}}, result.Skip, result.ReasonPortalInconclusive, nil, nil},
		{"a server error is not a portal", []PortalURL{{URL: mustURL(t, broken+"/")}}, result.Skip, result.ReasonPortalInconclusive, nil, nil},
		{"no connection is not a portal", []PortalURL{{URL: mustURL(t, closed+"/")}}, result.Skip, result.ReasonPortalUnanswered, nil, nil},
		{"a name that does not resolve is not measured", []PortalURL{{URL: mustURL(t, "http://nx.portal.test/")}}, result.Skip, result.ReasonPortalUnresolved, nil, nil},
		{"one expected answer wins over one redirect (a filter, not a portal)",
			[]PortalURL{{URL: mustURL(t, redirect+"/a")}, {URL: mustURL(t, slow204+"/b")}}, result.OK, "", nil,
			map[string]string{redirect + "/a": portalIntercept, slow204 + "/b": portalOK}},
		{"one clear answer decides: a silent URL is not waited for",
			[]PortalURL{{URL: mustURL(t, silent+"/slow")}, {URL: mustURL(t, ok204+"/fast")}}, result.OK, "", nil,
			map[string]string{silent + "/slow": portalNotNeeded, ok204 + "/fast": portalOK}},
		{"a portal answer decides when the others do not answer",
			[]PortalURL{{URL: mustURL(t, redirect+"/x")}, {URL: mustURL(t, closed+"/y")}, {URL: mustURL(t, "http://nx.portal.test/z")}}, result.Fail, result.ReasonInternetCaptivePortal, nil,
			map[string]string{redirect + "/x": portalIntercept, closed + "/y": portalNoAnswer, "http://nx.portal.test/z": portalUnresolved}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx := WithResolvers(longCtx(t), []netip.AddrPort{srv})
			c := Portal(ctx, PortalOptions{URLs: tt.urls, ConnectTimeout: time.Second})
			if c.Status != tt.status || c.Reason != tt.reason || c.Layer != result.Internet || c.Name != "portal" {
				t.Fatalf("%s %s/%s %q, want %s/%q", c.Name, c.Status, c.Reason, c.Detail, tt.status, tt.reason)
			}
			for k, v := range tt.evidence {
				if c.Evidence[k] != v {
					t.Errorf("evidence %s = %#v, want %#v (%v)", k, c.Evidence[k], v, c.Evidence)
				}
			}
			got := portalOutcomes(t, c)
			for u, want := range tt.outcomes {
				if got[u] != want {
					t.Errorf("outcome of %s = %q, want %q (%v)", u, got[u], want, got)
				}
			}
			if tt.reason == result.ReasonInternetCaptivePortal && !strings.Contains(c.Detail, "captive portal") {
				t.Errorf("detail %q", c.Detail)
			}
			for _, secret := range []string{"s3cr3t", "02:00:00:aa:bb:cc", "sid=abc", "token"} {
				if strings.Contains(fmt.Sprint(c.Evidence)+c.Detail, secret) {
					t.Errorf("the portal's query (%q) reached the report: %s %v", secret, c.Detail, c.Evidence)
				}
			}
		})
	}
}

// A portal's answer is untrusted: its Location is sanitised, bounded, and
// a body that never ends is read only up to PortalBodyLimit.
func TestPortalHostileAnswers(t *testing.T) {
	t.Parallel()
	hostile := serveBytes(t, []byte("HTTP/1.1 302 Found\r\nLocation: http://evil.portal.test/\u202e"+strings.Repeat("a", 5000)+"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"))
	c := Portal(longCtx(t), PortalOptions{URLs: []PortalURL{{URL: mustURL(t, "http://"+hostile+"/")}}})
	if c.Reason != result.ReasonInternetCaptivePortal {
		t.Fatalf("%s %q: %s", c.Status, c.Reason, c.Detail)
	}
	loc, _ := c.Evidence["location"].(string)
	if strings.ContainsRune(loc+c.Detail, '\u202e') || !strings.HasPrefix(loc, "http://evil.portal.test/") || len(loc) > 210 {
		t.Fatalf("location %q (%d bytes) is not sanitised and bounded", loc, len(loc))
	}

	// Control characters in a header make the answer unreadable; the error
	// that quotes the line must not carry them into the report.
	garbage := serveBytes(t, []byte("HTTP/1.1 302 Found\r\nLocation: http://evil.portal.test/\x1b[2J\x1b]0;owned\x07\r\n\r\n"))
	c = Portal(longCtx(t), PortalOptions{URLs: []PortalURL{{URL: mustURL(t, "http://"+garbage+"/")}}})
	if c.Reason != result.ReasonPortalUnanswered || c.Error == "" || strings.ContainsAny(c.Error+fmt.Sprint(c.Evidence), "\x1b\x07") {
		t.Fatalf("%s %q error %q evidence %v", c.Status, c.Reason, c.Error, c.Evidence)
	}

	wrote := make(chan error, 1)
	endless := portalServer(t, func(w http.ResponseWriter, r *http.Request) {
		chunk := []byte(strings.Repeat("x", 64<<10))
		for {
			if _, err := w.Write(chunk); err != nil {
				wrote <- err
				return
			}
			w.(http.Flusher).Flush()
		}
	})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	c = Portal(ctx, PortalOptions{URLs: []PortalURL{{URL: mustURL(t, endless+"/")}}})
	if c.Reason != result.ReasonInternetCaptivePortal {
		t.Fatalf("an endless page where a 204 was expected: %s %q", c.Status, c.Reason)
	}
	if ctx.Err() != nil {
		t.Fatal("the check read the endless body until its deadline: the read is not bounded")
	}
	select {
	case <-wrote: // the check hung up after its few kB
	case <-time.After(10 * time.Second):
		t.Fatal("the server is still writing: the check did not stop reading")
	}
}
