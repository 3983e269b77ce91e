package probes

import (
	"crypto/x509"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/netprobe/netprobe/internal/testnet"

	"github.com/netprobe/netprobe/result"
)

func itoa(n int) string { return strconv.Itoa(n) }

func quietLog() *log.Logger { return log.New(io.Discard, "", 0) }

// lastUA remembers the User-Agent of the last request any webHandler saw.
var lastUA struct {
	sync.Mutex
	v map[string]string // path -> User-Agent
}

// webHandler: / 200, /missing 404, /broken 503, /moved 302 to /.
func webHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		lastUA.Lock()
		if lastUA.v == nil {
			lastUA.v = map[string]string{}
		}
		lastUA.v[r.URL.Path] = r.UserAgent()
		lastUA.Unlock()
		w.Header().Set("Server", "netprobe-test\u202e")
		switch r.URL.Path {
		case "/", "/ua-default", "/ua-custom":
			fmt.Fprintln(w, "hello")
		case "/missing":
			http.NotFound(w, r)
		case "/broken":
			http.Error(w, "down for maintenance", http.StatusServiceUnavailable)
		case "/moved":
			http.Redirect(w, r, "/", http.StatusFound)
		default:
			http.NotFound(w, r)
		}
	})
	return mux
}

type wantCheck struct {
	name   string
	status result.Status
	detail string
}

func checkPhases(t *testing.T, got []result.Check, want []wantCheck) {
	t.Helper()
	if len(got) != len(want) {
		for _, c := range got {
			t.Logf("got %s %s %q", c.Name, c.Status, c.Detail)
		}
		t.Fatalf("got %d checks, want %d", len(got), len(want))
	}
	for i, w := range want {
		c := got[i]
		if c.Name != w.name || c.Status != w.status || !strings.Contains(c.Detail, w.detail) {
			t.Errorf("check %d = %s %s %q, want %s %s containing %q", i, c.Name, c.Status, c.Detail, w.name, w.status, w.detail)
		}
		if c.Layer != result.Service {
			t.Errorf("check %d layer = %s", i, c.Layer)
		}
		// Every check that is not ok says why in a registered code; an
		// ok check carries none.
		if (c.Status != result.OK) != (c.Reason != "") || (c.Reason != "" && !c.Reason.Known()) {
			t.Errorf("check %d (%s %s) reason = %q", i, c.Name, c.Status, c.Reason)
		}
	}
}

// reasonsOf lists the checks' reason codes, in order.
func reasonsOf(cs []result.Check) []result.Reason {
	out := make([]result.Reason, len(cs))
	for i, c := range cs {
		out[i] = c.Reason
	}
	return out
}

func TestWebHTTP(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(webHandler())
	t.Cleanup(srv.Close)
	closed := testnet.ClosedTCP(t)
	tests := []struct {
		name     string
		url      string
		want     []wantCheck
		status   int
		location string
	}{
		{name: "200", url: srv.URL + "/", status: 200,
			want: []wantCheck{{"tcp", result.OK, "is open"}, {"http", result.OK, "HTTP 200 OK"}}},
		{name: "302 is ok", url: srv.URL + "/moved", status: 302, location: "/",
			want: []wantCheck{{"tcp", result.OK, "is open"}, {"http", result.OK, "HTTP 302 Found"}}},
		{name: "404 warns", url: srv.URL + "/missing", status: 404,
			want: []wantCheck{{"tcp", result.OK, ""}, {"http", result.Warn, "HTTP 404 Not Found: the server works but refuses this URL"}}},
		{name: "503 fails", url: srv.URL + "/broken", status: 503,
			want: []wantCheck{{"tcp", result.OK, ""}, {"http", result.Fail, "HTTP 503 Service Unavailable: the server has a problem"}}},
		{name: "closed port", url: "http://127.0.0.1:" + itoa(closed) + "/",
			want: []wantCheck{{"tcp", result.Fail, "is closed"}, {"http", result.Skip, "not tried: no TCP connection"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, _ := url.Parse(tt.url)
			got := Web(longCtx(t), u, WebOptions{})
			checkPhases(t, got, tt.want)
			for _, c := range got {
				if c.Target != tt.url {
					t.Errorf("%s target = %q, want %q", c.Name, c.Target, tt.url)
				}
			}
			if tt.status == 0 {
				return
			}
			h := got[len(got)-1]
			if h.Evidence["http_status"] != tt.status {
				t.Errorf("http_status = %v, want %d", h.Evidence["http_status"], tt.status)
			}
			if _, ok := h.Evidence["ttfb_ms"].(float64); !ok {
				t.Errorf("ttfb_ms = %#v", h.Evidence["ttfb_ms"])
			}
			// The Server header carries a bidi override (net/http itself
			// rejects raw control bytes): it must arrive sanitised.
			if h.Evidence["server"] != "netprobe-test\ufffd" {
				t.Errorf("server = %q, want the bidi override replaced", h.Evidence["server"])
			}
			if loc, _ := h.Evidence["location"].(string); loc != tt.location {
				t.Errorf("location = %q, want %q", loc, tt.location)
			}
		})
	}
}

func TestWebUserAgent(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(webHandler())
	t.Cleanup(srv.Close)
	for path, opt := range map[string]WebOptions{"/ua-default": {}, "/ua-custom": {UserAgent: "probe/9"}} {
		u, _ := url.Parse(srv.URL + path)
		if got := Web(longCtx(t), u, opt); got[len(got)-1].Status != result.OK {
			t.Fatalf("%s: %+v", path, got)
		}
	}
	lastUA.Lock()
	defer lastUA.Unlock()
	if lastUA.v["/ua-default"] != "netprobe" || lastUA.v["/ua-custom"] != "probe/9" {
		t.Errorf("user agents seen: %v", lastUA.v)
	}
}

func TestWebHTTPS(t *testing.T) {
	t.Parallel()
	p := newPKI(t)
	good := makeCert(t, certSpec{cn: "svc.test", dnsNames: []string{"svc.test"}, ips: loopbackIPs}, p.root)
	soon := makeCert(t, certSpec{cn: "svc.test", ips: loopbackIPs, notAfter: time.Now().Add(3 * 24 * time.Hour)}, p.root)
	selfSigned := makeCert(t, certSpec{cn: "svc.test", ips: loopbackIPs}, nil)
	trusted := TLSOptions{ExtraCAs: []*x509.Certificate{p.root.cert}}
	goodSrv, soonSrv, selfSrv := serveTLS(t, good), serveTLS(t, soon), serveTLS(t, selfSigned)
	closed, silent := testnet.ClosedTCP(t), testnet.SilentTCP(t)

	tests := []struct {
		name  string
		url   string
		opt   WebOptions
		short bool
		want  []wantCheck
	}{
		{name: "200 over trusted TLS", url: goodSrv.URL + "/", opt: WebOptions{TLS: trusted},
			want: []wantCheck{{"tcp", result.OK, "is open"}, {"tls", result.OK, "TLS 1.3, certificate valid until"}, {"http", result.OK, "HTTP 200 OK"}}},
		{name: "name given explicitly", url: goodSrv.URL + "/", opt: WebOptions{TLS: TLSOptions{ServerName: "svc.test", ExtraCAs: trusted.ExtraCAs}},
			want: []wantCheck{{"tcp", result.OK, ""}, {"tls", result.OK, ""}, {"http", result.OK, "HTTP 200 OK"}}},
		{name: "503 over TLS", url: goodSrv.URL + "/broken", opt: WebOptions{TLS: trusted},
			want: []wantCheck{{"tcp", result.OK, ""}, {"tls", result.OK, ""}, {"http", result.Fail, "HTTP 503"}}},
		{name: "expiring soon still fetches", url: soonSrv.URL + "/", opt: WebOptions{TLS: trusted},
			want: []wantCheck{{"tcp", result.OK, ""}, {"tls", result.Warn, "certificate expires soon"}, {"http", result.OK, "HTTP 200 OK"}}},
		{name: "untrusted certificate skips HTTP", url: selfSrv.URL + "/", opt: WebOptions{TLS: trusted},
			want: []wantCheck{{"tcp", result.OK, ""}, {"tls", result.Fail, "unknown authority"},
				{"http", result.Skip, "not tried: the certificate is not trusted (certificate signed by an unknown authority"}}},
		{name: "wrong name skips HTTP", url: goodSrv.URL + "/", opt: WebOptions{TLS: TLSOptions{ServerName: "other.test", ExtraCAs: trusted.ExtraCAs}},
			want: []wantCheck{{"tcp", result.OK, ""}, {"tls", result.Fail, "not other.test"}, {"http", result.Skip, "not trusted"}}},
		{name: "closed port skips TLS and HTTP", url: "https://127.0.0.1:" + itoa(closed) + "/",
			want: []wantCheck{{"tcp", result.Fail, "is closed"}, {"tls", result.Skip, "not tried: no TCP connection"}, {"http", result.Skip, "not tried: no TCP connection"}}},
		{name: "server that never speaks TLS", url: "https://127.0.0.1:" + itoa(silent) + "/", short: true,
			want: []wantCheck{{"tcp", result.OK, "is open"}, {"tls", result.Fail, "the TLS handshake got no answer within"}, {"http", result.Skip, "not tried: the TLS handshake failed"}}},
		{name: "server that never speaks HTTP", url: "http://127.0.0.1:" + itoa(silent) + "/", short: true,
			want: []wantCheck{{"tcp", result.OK, "is open"}, {"http", result.Fail, "accepted the connection but sent no HTTP answer in time"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, _ := url.Parse(tt.url)
			ctx := longCtx(t)
			if tt.short {
				ctx = shortCtx(t, 500*time.Millisecond)
			}
			got := Web(ctx, u, tt.opt)
			checkPhases(t, got, tt.want)
			if want, ok := httpsReasons[tt.name]; ok && !slices.Equal(reasonsOf(got), want) {
				t.Errorf("reasons = %q, want %q", reasonsOf(got), want)
			}
		})
	}
}

// httpsReasons are the codes TestWebHTTPS expects, phase by phase.
var httpsReasons = map[string][]result.Reason{
	"503 over TLS":                     {"", "", result.ReasonHTTPStatus5xx},
	"expiring soon still fetches":      {"", result.ReasonTLSExpiring, ""},
	"untrusted certificate skips HTTP": {"", result.ReasonTLSUnknownAuthority, result.ReasonHTTPNotTried},
	"wrong name skips HTTP":            {"", result.ReasonTLSWrongName, result.ReasonHTTPNotTried},
	"closed port skips TLS and HTTP":   {result.ReasonTCPClosed, result.ReasonTLSNotTried, result.ReasonHTTPNotTried},
	"server that never speaks TLS":     {"", result.ReasonTLSHandshakeStalled, result.ReasonHTTPNotTried},
	"server that never speaks HTTP":    {"", result.ReasonHTTPStalled},
}

// TestWebConnectTimeout: a silent port uses up only the connect budget and
// is named filtered.
func TestWebConnectTimeout(t *testing.T) {
	t.Parallel()
	filtered := filteredTCP(t)
	u, _ := url.Parse("https://127.0.0.1:" + itoa(filtered) + "/")
	got := Web(longCtx(t), u, WebOptions{ConnectTimeout: 300 * time.Millisecond})
	checkPhases(t, got, []wantCheck{{"tcp", result.Fail, "is filtered"}, {"tls", result.Skip, "no TCP connection"}, {"http", result.Skip, "no TCP connection"}})
	if got[0].Evidence["port_state"] != "filtered" || got[0].Evidence["port"] != filtered {
		t.Errorf("evidence = %v", got[0].Evidence)
	}
}

func TestWebDefaultPorts(t *testing.T) {
	// Whatever listens on loopback's 80 and 443 (usually nothing), the tcp
	// check's evidence shows which port Web chose for a URL without one.
	for _, tt := range []struct {
		url  string
		port int
	}{{"http://127.0.0.1/", 80}, {"https://127.0.0.1/", 443}, {"http://[::1]:8/", 8}} {
		u, _ := url.Parse(tt.url)
		got := Web(shortCtx(t, 500*time.Millisecond), u, WebOptions{})
		if got[0].Evidence["port"] != tt.port {
			t.Errorf("%s: port %v, want %d", tt.url, got[0].Evidence["port"], tt.port)
		}
	}
}
