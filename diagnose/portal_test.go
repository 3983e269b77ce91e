package diagnose

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/netprobe/netprobe/probes"
	"github.com/netprobe/netprobe/result"
)

func mustPortal(s string) probes.PortalURL {
	p, err := ParsePortalURL(s)
	if err != nil {
		panic(err)
	}
	return p
}

// The public connectivity-check URLs are what the operating systems ask,
// with their expected answers. (Read, never asked.)
func TestDefaultPortalURLs(t *testing.T) {
	want := []struct {
		url    string
		status int
		body   string
	}{
		{"http://connectivitycheck.gstatic.com/generate_204", 204, ""},
		{"http://captive.apple.com/hotspot-detect.html", 0, "Success"},
		{"http://www.msftconnecttest.com/connecttest.txt", 0, "Microsoft Connect Test"},
		{"http://detectportal.firefox.com/success.txt", 0, "success"},
	}
	got := DefaultPortalURLs()
	if len(got) != len(want) {
		t.Fatalf("%d default URLs, want %d", len(got), len(want))
	}
	for i, w := range want {
		if got[i].URL.String() != w.url || got[i].Status != w.status || got[i].Body != w.body {
			t.Errorf("default %d = %s status %d body %q, want %s %d %q", i, got[i].URL, got[i].Status, got[i].Body, w.url, w.status, w.body)
		}
	}
	got[0].URL.Host = "changed.example"
	if DefaultPortalURLs()[0].URL.Host != "connectivitycheck.gstatic.com" {
		t.Error("a caller changed the defaults for everyone")
	}
}

// publicPortalHosts are the defaults' hosts, which no test may contact.
func publicPortalHosts() []string {
	var hs []string
	for _, p := range DefaultPortalURLs() {
		hs = append(hs, p.URL.Hostname())
	}
	return hs
}

// recordPortal replaces the portal probe's constructor for the test: it
// records the URLs Plan asks for and returns a probe that fails the test
// if anything ever runs it.
func recordPortal(t *testing.T) *[][]probes.PortalURL {
	t.Helper()
	var asked [][]probes.PortalURL
	saved := newPortalProbe
	newPortalProbe = func(opt probes.PortalOptions) probes.Probe {
		asked = append(asked, opt.URLs)
		return func(context.Context) []result.Check {
			t.Errorf("a planned portal probe was run (%v)", opt.URLs)
			return nil
		}
	}
	t.Cleanup(func() { newPortalProbe = saved })
	return &asked
}

// Plan never schedules the public connectivity-check URLs when the
// options say --portal-url or --no-portal-check, nor a portal check at
// all where the internet layer does not run. With neither, it schedules
// exactly the defaults (not run here).
func TestPlanNeverAsksThePublicPortalURLs(t *testing.T) {
	lab := []probes.PortalURL{mustPortal("http://portal.lab.test/generate_204"), mustPortal("http://10.77.1.80:8080/hotspot.html#body=Success")}
	up := []netip.Addr{netip.MustParseAddr("198.18.1.1")}
	tests := []struct {
		name string
		o    Options
		want []probes.PortalURL // nil: no portal task at all
	}{
		{"--portal-url replaces the defaults", Options{Upstreams: up, PortalURLs: lab}, lab},
		{"--portal-url with only the internet layer", Options{Layers: []result.Layer{result.Internet}, PortalURLs: lab[:1]}, lab[:1]},
		{"--no-portal-check", Options{Upstreams: up, NoPortalCheck: true}, nil},
		{"--no-portal-check wins over --portal-url", Options{Upstreams: up, PortalURLs: lab, NoPortalCheck: true}, nil},
		{"the ping command never checks portals", Options{PingHosts: []string{"198.18.1.1"}, Layers: []result.Layer{result.Internet}}, nil},
		{"no internet layer, no portal check", Options{Layers: []result.Layer{result.Link, result.Address, result.Gateway, result.DNS}}, nil},
		{"the defaults, planned but not run", Options{Upstreams: up}, DefaultPortalURLs()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			asked := recordPortal(t)
			tasks := Plan(tt.o, labSystem, probes.ICMPPermission{Mode: probes.ICMPPrivileged})
			var portal []Task
			for _, task := range tasks {
				if task.Name == "portal" {
					portal = append(portal, task)
				}
			}
			switch {
			case tt.want == nil && (len(portal) > 0 || len(*asked) > 0):
				t.Fatalf("a portal check was planned: %s %v", planString(portal), *asked)
			case tt.want == nil:
				return
			case len(portal) != 1 || len(*asked) != 1:
				t.Fatalf("want one portal task, got %d (%v)", len(portal), *asked)
			}
			got := (*asked)[0]
			if len(got) != len(tt.want) {
				t.Fatalf("asked %d URLs, want %d", len(got), len(tt.want))
			}
			for i := range got {
				if got[i].URL.String() != tt.want[i].URL.String() || got[i].Status != tt.want[i].Status || got[i].Body != tt.want[i].Body {
					t.Errorf("URL %d = %+v, want %+v", i, got[i], tt.want[i])
				}
			}
			if portal[0].Layer != result.Internet || portal[0].Timeout != PortalTimeout {
				t.Errorf("portal task %+v", portal[0])
			}
			if tt.o.PortalURLs == nil {
				return
			}
			for _, h := range publicPortalHosts() {
				if strings.Contains(portal[0].Target, h) {
					t.Fatalf("the plan names the public URL %s although --portal-url was given: %s", h, portal[0].Target)
				}
				for _, u := range got {
					if u.URL.Hostname() == h {
						t.Fatalf("the plan would ask the public %s although --portal-url was given", h)
					}
				}
			}
		})
	}
}

func TestParsePortalURL(t *testing.T) {
	tests := []struct {
		in     string
		url    string
		status int
		body   string
		err    string
	}{
		{in: "http://portal.lab.test/generate_204", url: "http://portal.lab.test/generate_204"},
		{in: "http://10.77.1.80:8080/x#status=200", url: "http://10.77.1.80:8080/x", status: 200},
		{in: "http://[fd00:77::80]/hotspot.html#body=Success", url: "http://[fd00:77::80]/hotspot.html", body: "Success"},
		{in: "http://127.0.0.1:8080/c.txt#body=Microsoft Connect Test", url: "http://127.0.0.1:8080/c.txt", body: "Microsoft Connect Test"},
		{in: "http://127.0.0.1/c.txt#body=Microsoft%20Connect%20Test", url: "http://127.0.0.1/c.txt", body: "Microsoft Connect Test"},
		{in: "http://127.0.0.1/c?a=b&x=204", url: "http://127.0.0.1/c?a=b&x=204"},
		{in: "https://portal.lab.test/", err: "plain http://"},
		{in: "ftp://portal.lab.test/", err: "plain http://"},
		{in: "portal.lab.test/generate_204", err: "not a URL"},
		{in: "http://user:pw@portal.lab.test/", err: "credentials"},
		{in: "http://bad host/", err: "not a URL"},
		{in: "http://-bad-.lab.test/", err: "invalid host"},
		{in: "http://portal.lab.test:0/", err: "port 0"},
		{in: "http://portal.lab.test/#status=99", err: "status \"99\""},
		{in: "http://portal.lab.test/#status=abc", err: "status \"abc\""},
		{in: "http://portal.lab.test/#body=", err: "body="},
		{in: "http://portal.lab.test/#colour=blue", err: "status=CODE or body=TEXT"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			p, err := ParsePortalURL(tt.in)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) || !strings.Contains(err.Error(), "portal-url") {
					t.Fatalf("error %v, want one naming portal-url and %q", err, tt.err)
				}
				if strings.Contains(err.Error(), "pw@") {
					t.Fatalf("the error repeats what looks like a password... %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if p.URL.String() != tt.url || p.Status != tt.status || p.Body != tt.body {
				t.Fatalf("parsed %s %d %q, want %s %d %q", p.URL, p.Status, p.Body, tt.url, tt.status, tt.body)
			}
			o := Options{PortalURLs: []probes.PortalURL{p}}
			if err := o.Validate(); err != nil {
				t.Fatalf("Validate refuses what ParsePortalURL accepted: %v", err)
			}
		})
	}
}

// The verdict of a captive portal: fail at the internet layer with its
// own code and words, HTTPS failures beyond the router as consequences,
// and not hidden by a DNS server beyond the router that answers.
func portalCases() []verdictCase {
	lower := []result.Check{linkOK, addrOK, routeOK, gwOK}
	with := func(extra ...result.Check) []result.Check {
		return append(append([]result.Check{}, lower...), extra...)
	}
	portal := chk(result.Internet, "portal", "4 connectivity-check URLs", result.Fail, result.ReasonInternetCaptivePortal, "redirected",
		"location", "http://login.hotel.example/guest", "location_host", "login.hotel.example", "address", "10.77.1.1", "http_status", 302)
	portalNoLocation := chk(result.Internet, "portal", "http://portal.lab.test/", result.Fail, result.ReasonInternetCaptivePortal, "another page",
		"address", "10.77.1.1", "http_status", 200)
	remoteDNS := chk(result.DNS, "dns", "www.lab.test @198.18.1.53:53", result.OK, "", "resolves", "name", "www.lab.test", "resolver", "198.18.1.53:53", "role", "system", "off_link", true)
	httpsFails := chk(result.Service, "tls", "https://svc.lab.test/", result.Fail, result.ReasonTLSHandshakeFailed, "reset", "on_link", false)
	return []verdictCase{
		{name: "a captive portal is the internet layer's failure; HTTPS failures follow from it",
			checks: with(upFail, portal, remoteDNS, httpsFails),
			status: result.Failed, layer: result.Internet, reason: result.ReasonInternetCaptivePortal, consequences: []result.Layer{result.Service},
			summary: "This network is waiting for you to sign in (captive portal): open a browser and log in at login.hotel.example.", advice: "http://login.hotel.example/guest"},
		{name: "a portal where ping answers is still a portal",
			checks: with(upOK, portal),
			status: result.Failed, layer: result.Internet, reason: result.ReasonInternetCaptivePortal, summary: "log in at login.hotel.example"},
		{name: "a portal that serves its page in place names its address",
			checks: with(upFail, portalNoLocation, remoteDNS),
			status: result.Failed, layer: result.Internet, reason: result.ReasonInternetCaptivePortal, summary: "(served from 10.77.1.1)", advice: "starts with http://"},
		{name: "a portal check that could not measure changes nothing",
			checks: with(upOK, chk(result.Internet, "portal", "x", result.Skip, result.ReasonPortalUnresolved, "not measured")),
			status: result.Healthy, layer: result.None, summary: "Everything"},
		{name: "a portal check that got no answer leaves a dead uplink to the pings",
			checks: with(upFail, chk(result.Internet, "portal", "x", result.Skip, result.ReasonPortalUnanswered, "not measured")),
			status: result.Failed, layer: result.Internet, reason: result.ReasonInternetNoReply, summary: "router does not reach the internet"},
		{name: "errors from the check URLs are no portal",
			checks: with(upOK, chk(result.Internet, "portal", "x", result.Skip, result.ReasonPortalInconclusive, "407")),
			status: result.Healthy, layer: result.None},
	}
}

// runVerdictCases holds cases to what TestDecide and
// TestDecideIgnoresWording promise for the lead's cases.
func runVerdictCases(t *testing.T, cases []verdictCase) {
	t.Helper()
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			v := Decide(Judge(tt.checks, result.Layers))
			if v.Status != tt.status || v.Layer != tt.layer {
				t.Fatalf("verdict = %s/%s/%s, want %s/%s (summary %q)", v.Status, v.Layer, v.Reason, tt.status, tt.layer, v.Summary)
			}
			if tt.reason != "" && v.Reason != tt.reason {
				t.Errorf("reason = %q, want %q", v.Reason, tt.reason)
			}
			if tt.consequences != nil && !reflect.DeepEqual(v.Consequences, tt.consequences) {
				t.Errorf("consequences = %v, want %v", v.Consequences, tt.consequences)
			}
			if tt.independent != nil && !reflect.DeepEqual(v.Independent, tt.independent) {
				t.Errorf("independent = %v, want %v", v.Independent, tt.independent)
			}
			if !strings.Contains(v.Summary, tt.summary) {
				t.Errorf("summary %q does not contain %q", v.Summary, tt.summary)
			}
			all := strings.Join(v.Advice, " | ")
			if tt.advice != "" && !strings.Contains(all, tt.advice) {
				t.Errorf("advice %q does not mention %q", all, tt.advice)
			}
			if tt.notAdvice != "" && strings.Contains(strings.ToLower(all), strings.ToLower(tt.notAdvice)) {
				t.Errorf("advice %q must not mention %q", all, tt.notAdvice)
			}
			if own := len(v.Advice) - len(v.Independent); v.Status != result.Healthy && (own < 1 || own > 3) {
				t.Errorf("advice has %d steps of its own, want 1-3: %q", own, v.Advice)
			}
			reworded := make([]result.Check, len(tt.checks))
			for i, c := range tt.checks {
				c.Detail, c.Error = "zzz qq "+strings.Repeat("x", i), "yyy"
				reworded[i] = c
			}
			after := Decide(Judge(reworded, result.Layers))
			if v.Status != after.Status || v.Layer != after.Layer || v.Reason != after.Reason ||
				!reflect.DeepEqual(v.Consequences, after.Consequences) || !reflect.DeepEqual(v.Independent, after.Independent) {
				t.Fatalf("rewording changed the diagnosis: %s/%s/%s -> %s/%s/%s", v.Status, v.Layer, v.Reason, after.Status, after.Layer, after.Reason)
			}
		})
	}
}

func TestDecideCaptivePortal(t *testing.T) { runVerdictCases(t, portalCases()) }

// A whole run on loopback: the upstream is 127.0.0.1 (ping not
// permitted, so its TCP fallback answers), the check URL is a loopback
// server that redirects like a portal. Nothing leaves 127.0.0.1.
func TestRunFindsACaptivePortal(t *testing.T) {
	redirect := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://login.portal.test/welcome?session=abc123", http.StatusFound)
	}))
	defer redirect.Close()
	ok := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) }))
	defer ok.Close()
	for _, tt := range []struct {
		name   string
		url    string
		status result.Overall
	}{
		{"a portal", redirect.URL + "/generate_204", result.Failed},
		{"no portal", ok.URL + "/generate_204", result.Healthy},
	} {
		t.Run(tt.name, func(t *testing.T) {
			o := Options{Layers: []result.Layer{result.Internet}, Upstreams: []netip.Addr{netip.MustParseAddr("127.0.0.1")}, Budget: 6 * time.Second,
				NoReference: true, PortalURLs: []probes.PortalURL{mustPortal(tt.url)},
				ReadSystem: func() probes.System { return probes.System{} },
				DetectICMP: func() probes.ICMPPermission { return probes.ICMPPermission{Mode: probes.ICMPDenied, Reason: "test"} }}
			r := Run(context.Background(), o)
			if r.Verdict.Status != tt.status {
				t.Fatalf("verdict %s/%s/%s: %s", r.Verdict.Status, r.Verdict.Layer, r.Verdict.Reason, r.Verdict.Summary)
			}
			var portal *result.Check
			for i, c := range r.Layer(result.Internet).Checks {
				if c.Name == "portal" {
					portal = &r.Layer(result.Internet).Checks[i]
				}
			}
			if portal == nil {
				t.Fatal("no portal check in the report")
			}
			if tt.status == result.Failed {
				if r.Verdict.Layer != result.Internet || r.Verdict.Reason != result.ReasonInternetCaptivePortal ||
					!strings.Contains(r.Verdict.Summary, "log in at login.portal.test") || strings.Contains(r.Verdict.Summary+strings.Join(r.Verdict.Advice, " "), "abc123") {
					t.Fatalf("verdict %s/%s/%s %q %q", r.Verdict.Status, r.Verdict.Layer, r.Verdict.Reason, r.Verdict.Summary, r.Verdict.Advice)
				}
			} else if portal.Status != result.OK {
				t.Fatalf("portal check %s %q", portal.Status, portal.Detail)
			}
		})
	}
}

// The portal check fits the default budget with room for its connection
// and a name lookup, and runs alongside the pings.
func TestPortalTimeoutFitsBudget(t *testing.T) {
	usable := DefaultBudget - exitMargin - straggler
	if PortalTimeout >= usable {
		t.Errorf("the portal check takes up to %s, more than the %s the default budget leaves", PortalTimeout, usable)
	}
	if ConnectTimeout >= PortalTimeout {
		t.Errorf("connect timeout %s leaves the portal check (%s) no time for its request", ConnectTimeout, PortalTimeout)
	}
	if PortalTimeout > PingPhase+FallbackPhase {
		t.Errorf("the portal check (%s) outlasts the internet layer's pings (%s)", PortalTimeout, PingPhase+FallbackPhase)
	}
}
