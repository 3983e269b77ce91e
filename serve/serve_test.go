package serve

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/netprobe/netprobe/checkfile"
	"github.com/netprobe/netprobe/internal/snmpagent"
	"github.com/netprobe/netprobe/internal/testnet"
)

func newServer(t *testing.T, cfg Config) (*Server, *httptest.Server) {
	t.Helper()
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(s.Handler())
	t.Cleanup(hs.Close)
	return s, hs
}

// scrape GETs path and parses the answer with Prometheus' own text
// parser (a malformed exposition fails the test).
func scrape(t *testing.T, ctx context.Context, base, path string, header map[string]string) (int, map[string]*dto.MetricFamily, string) {
	t.Helper()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+path, nil)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return resp.StatusCode, nil, string(b)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(strings.NewReader(string(b)))
	if err != nil {
		t.Fatalf("exposition does not parse: %v\n%s", err, b)
	}
	return resp.StatusCode, fams, string(b)
}

func gauge(t *testing.T, fams map[string]*dto.MetricFamily, name string, labels map[string]string) (float64, bool) {
	t.Helper()
	f := fams[name]
	if f == nil {
		return 0, false
	}
next:
	for _, m := range f.Metric {
		for k, v := range labels {
			found := false
			for _, lp := range m.Label {
				if lp.GetName() == k && lp.GetValue() == v {
					found = true
				}
			}
			if !found {
				continue next
			}
		}
		if m.Gauge != nil {
			return m.Gauge.GetValue(), true
		}
		if m.Counter != nil {
			return m.Counter.GetValue(), true
		}
	}
	return 0, false
}

func probePath(module, target string) string {
	v := url.Values{"target": {target}}
	if module != "" {
		v.Set("module", module)
	}
	return "/probe?" + v.Encode()
}

// TestDefaultModule: without a file, a TCP target is probed by its form:
// success for a listening port, failure for a closed one.
func TestDefaultModule(t *testing.T) {
	_, hs := newServer(t, Config{Version: "test"})
	open, closed := testnet.OpenTCP(t), testnet.ClosedTCP(t)
	for _, tt := range []struct {
		target string
		want   float64
	}{
		{fmt.Sprintf("tcp://127.0.0.1:%d", open), 1},
		{fmt.Sprintf("127.0.0.1:%d", closed), 0},
	} {
		code, fams, body := scrape(t, context.Background(), hs.URL, probePath("", tt.target), nil)
		if code != 200 {
			t.Fatalf("%s: %d %s", tt.target, code, body)
		}
		if v, ok := gauge(t, fams, "probe_success", nil); !ok || v != tt.want {
			t.Errorf("%s: probe_success = %v (%v), want %v\n%s", tt.target, v, ok, tt.want, body)
		}
		if _, ok := gauge(t, fams, "netprobe_layer_status", map[string]string{"layer": "service"}); !ok {
			t.Errorf("%s: no netprobe_layer_status{layer=service}", tt.target)
		}
		for _, lower := range []string{"link", "address", "gateway", "internet", "dns"} {
			if _, ok := gauge(t, fams, "netprobe_layer_status", map[string]string{"layer": lower}); ok {
				t.Errorf("%s: the default module ran the %s layer", tt.target, lower)
			}
		}
	}
	for _, bad := range []string{probePath("", "ftp://x/"), probePath("", ""), probePath("nope", "127.0.0.1:1"), "/probe?target=" + url.QueryEscape("tcp://127.0.0.1:1") + "&module=" + strings.Repeat("x", 300)} {
		if code, _, body := scrape(t, context.Background(), hs.URL, bad, nil); code != http.StatusBadRequest || strings.Count(strings.TrimSpace(body), "\n") != 0 {
			t.Errorf("%s: %d %q, want 400 and one line", bad, code, body)
		}
	}
	// /metrics: netprobe's own, with the probes counted by result, and an
	// unknown module name kept out of the labels.
	_, fams, body := scrape(t, context.Background(), hs.URL, "/metrics", nil)
	if v, ok := gauge(t, fams, "netprobe_build_info", map[string]string{"version": "test"}); !ok || v != 1 {
		t.Errorf("netprobe_build_info missing")
	}
	if v, _ := gauge(t, fams, "netprobe_probes_total", map[string]string{"module": "default", "result": "success"}); v != 1 {
		t.Errorf("successes = %v", v)
	}
	if strings.Contains(body, "xxxxxxxx") {
		t.Error("an unknown module name became a label value")
	}
}

// TestScrapeTimeoutAndIsolation: the scrape timeout header bounds a probe
// of a target that never answers, and while it waits, another target is
// answered at once.
func TestScrapeTimeoutAndIsolation(t *testing.T) {
	_, hs := newServer(t, Config{})
	slow, open := testnet.SilentTCP(t), testnet.OpenTCP(t)
	var wg sync.WaitGroup
	var slowTook time.Duration
	var slowSuccess float64 = -1
	wg.Add(1)
	go func() {
		defer wg.Done()
		start := time.Now()
		_, fams, _ := scrape(t, context.Background(), hs.URL, probePath("", fmt.Sprintf("http://127.0.0.1:%d/", slow)),
			map[string]string{ScrapeTimeoutHeader: "1.5"})
		slowTook = time.Since(start)
		slowSuccess, _ = gauge(t, fams, "probe_success", nil)
	}()
	time.Sleep(100 * time.Millisecond)
	start := time.Now()
	_, fams, _ := scrape(t, context.Background(), hs.URL, probePath("", fmt.Sprintf("tcp://127.0.0.1:%d", open)), nil)
	fast := time.Since(start)
	if v, _ := gauge(t, fams, "probe_success", nil); v != 1 {
		t.Errorf("fast target probe_success = %v", v)
	}
	wg.Wait()
	if fast > 500*time.Millisecond {
		t.Errorf("a fast target waited %s behind a slow one", fast)
	}
	// 1.5s less the 0.5s offset: the probe gets 1s (and ends a little
	// before it, to answer in time).
	if slowTook < 600*time.Millisecond || slowTook > 2*time.Second {
		t.Errorf("slow probe took %s, want about 1s (scrape timeout 1.5s - 0.5s)", slowTook)
	}
	if slowSuccess != 0 {
		t.Errorf("slow probe_success = %v, want 0", slowSuccess)
	}
	if code, _, body := scrape(t, context.Background(), hs.URL, probePath("", "127.0.0.1:1"), map[string]string{ScrapeTimeoutHeader: "soon"}); code != 400 {
		t.Errorf("bad header: %d %s", code, body)
	}
}

// TestClientGoneCancelsProbe: a scrape that gives up ends its probe; the
// probe does not run on to its own deadline.
func TestClientGoneCancelsProbe(t *testing.T) {
	s, hs := newServer(t, Config{})
	slow := testnet.SilentTCP(t)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, hs.URL+probePath("", fmt.Sprintf("http://127.0.0.1:%d/", slow)), nil)
	req.Header.Set(ScrapeTimeoutHeader, "30")
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
		t.Fatal("the request finished although the probe cannot")
	}
	deadline := time.Now().Add(2 * time.Second)
	for {
		_, fams, _ := scrape(t, context.Background(), hs.URL, "/metrics", nil)
		inFlight, _ := gauge(t, fams, "netprobe_probes_in_flight", nil)
		canceled, _ := gauge(t, fams, "netprobe_probes_total", map[string]string{"result": "canceled"})
		if inFlight == 0 && canceled == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("probe still running 2s after the client left (in flight %v, canceled %v)", inFlight, canceled)
		}
		time.Sleep(20 * time.Millisecond)
	}
	_ = s
}

// TestMaxConcurrent: with every slot taken until its deadline, a probe
// gets 503 instead of waiting past its scrape.
func TestMaxConcurrent(t *testing.T) {
	_, hs := newServer(t, Config{MaxConcurrent: 1})
	slow, open := testnet.SilentTCP(t), testnet.OpenTCP(t)
	done := make(chan struct{})
	go func() {
		defer close(done)
		scrape(t, context.Background(), hs.URL, probePath("", fmt.Sprintf("http://127.0.0.1:%d/", slow)), map[string]string{ScrapeTimeoutHeader: "2.5"})
	}()
	time.Sleep(150 * time.Millisecond)
	code, _, body := scrape(t, context.Background(), hs.URL, probePath("", fmt.Sprintf("tcp://127.0.0.1:%d", open)), map[string]string{ScrapeTimeoutHeader: "1"})
	if code != http.StatusServiceUnavailable || !strings.Contains(body, "max-concurrent 1") {
		t.Errorf("second probe: %d %q, want 503", code, body)
	}
	<-done
	_, fams, _ := scrape(t, context.Background(), hs.URL, "/metrics", nil)
	if v, _ := gauge(t, fams, "netprobe_probes_rejected_total", nil); v != 1 {
		t.Errorf("rejected = %v", v)
	}
}

// TestReload: a bad file is refused with its errors and the old modules
// keep working; a good one replaces them.
func TestReload(t *testing.T) {
	p := filepath.Join(t.TempDir(), "office.yaml")
	write := func(s string) {
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	open := testnet.OpenTCP(t)
	write("modules:\n  smb:\n    target: {expect: {port: open}}\n")
	s, hs := newServer(t, Config{Load: func() (*checkfile.File, error) { return checkfile.Load(p) }})
	try := func(module string) int {
		code, _, _ := scrape(t, context.Background(), hs.URL, probePath(module, fmt.Sprintf("tcp://127.0.0.1:%d", open)), nil)
		return code
	}
	if try("smb") != 200 {
		t.Fatal("module smb not served")
	}
	write("modules:\n  smb:\n    target: {expect: {port: opne}}\n")
	resp, err := http.Post(hs.URL+"/-/reload", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 500 || !strings.Contains(string(b), `office.yaml:3:29: port state "opne"`) {
		t.Errorf("bad reload: %d %q", resp.StatusCode, b)
	}
	if try("smb") != 200 {
		t.Error("the old file was dropped after a refused reload")
	}
	_, fams, _ := scrape(t, context.Background(), hs.URL, "/metrics", nil)
	if v, _ := gauge(t, fams, "netprobe_config_last_reload_successful", nil); v != 0 {
		t.Errorf("last reload successful = %v after a refused one", v)
	}
	write("modules:\n  web:\n    target: {expect: {port: [open, closed]}}\n")
	if err := s.Reload(); err != nil {
		t.Fatal(err)
	}
	if try("web") != 200 || try("smb") != 400 {
		t.Error("the reload did not replace the modules")
	}
	if resp, _ := http.Get(hs.URL + "/-/reload"); resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET /-/reload = %d", resp.StatusCode)
	}
	if resp, err := http.Get(hs.URL + "/-/healthy"); err != nil || resp.StatusCode != 200 {
		t.Errorf("healthy = %v %v", resp, err)
	}
}

// TestPrinterModuleHostileStrings: a printer whose recording is full of
// escape sequences, control characters and quotes gives an exposition
// Prometheus' parser reads, with the supply gauges present and no escape
// character in any label.
func TestPrinterModuleHostileStrings(t *testing.T) {
	recs, err := snmpagent.LoadFile("../testdata/printers/synthetic_hostile.snmprec")
	if err != nil {
		t.Fatal(err)
	}
	ag, err := snmpagent.Start(recs, snmpagent.Options{Community: "office-community"})
	if err != nil {
		t.Fatal(err)
	}
	defer ag.Close()
	p := filepath.Join(t.TempDir(), "office.yaml")
	os.WriteFile(p, []byte(fmt.Sprintf("modules:\n  printer:\n    printer:\n      snmp: {community_env: OFFICE_SNMP, port: %d}\n", ag.Port())), 0o644)
	env := checkfile.Env{Getenv: func(k string) string { return map[string]string{"OFFICE_SNMP": "office-community"}[k] }}
	_, hs := newServer(t, Config{Load: func() (*checkfile.File, error) { return checkfile.Load(p) }, Env: env})
	code, fams, body := scrape(t, context.Background(), hs.URL, probePath("printer", "127.0.0.1"), map[string]string{ScrapeTimeoutHeader: "5"})
	if code != 200 {
		t.Fatalf("%d %s", code, body)
	}
	if fams["netprobe_printer_supply_percent"] == nil || len(fams["netprobe_printer_supply_percent"].Metric) == 0 {
		t.Fatalf("no supply gauge:\n%s", body)
	}
	for _, f := range fams {
		for _, m := range f.Metric {
			for _, lp := range m.Label {
				if strings.ContainsAny(lp.GetValue(), "\x1b\x00\r\n\x07") {
					t.Errorf("%s{%s=%q}: a control character reached a label", f.GetName(), lp.GetName(), lp.GetValue())
				}
			}
		}
	}
	if strings.Contains(body, "office-community") {
		t.Error("the community reached the exposition")
	}
}
