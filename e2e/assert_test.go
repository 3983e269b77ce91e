//go:build linux

package e2e

import (
	"encoding/json"
	"fmt"
	"strings"
	"syscall"
	"testing"
	"time"
)

// recorder is an asserter that keeps the failures instead of failing.
type recorder struct{ errs []string }

func (r *recorder) Helper()                   {}
func (r *recorder) Logf(string, ...any)       {}
func (r *recorder) Failed() bool              { return len(r.errs) > 0 }
func (r *recorder) Errorf(f string, a ...any) { r.errs = append(r.errs, fmt.Sprintf(f, a...)) }

// TestVerdictScenarioAssertions feeds the assertions of issue 7's scenarios
// the report netprobe should write and the wrong answers it used to give,
// so they are known to pass the one and reject the others before netprobe
// can produce either in the lab. It needs no root.
func TestVerdictScenarioAssertions(t *testing.T) {
	byName := map[string]scenario{}
	for _, sc := range scenarios() {
		byName[sc.name] = sc
	}
	// A run that exited normally, 2 s into a 10 s budget.
	normal := func(exit int) outcome { return outcome{exit: exit, elapsed: 2 * time.Second} }

	tests := []struct {
		scenario string
		name     string
		json     string
		outcome  outcome
		want     string // "" = passes; else a fragment of some failure
	}{
		{"dns_wrong_answer", "right", `{"verdict":{"status":"fail","layer":"dns","reason":"dns.wrong_answer"},
			"layers":[{"name":"dns","status":"fail","checks":[{"name":"dns-compare","status":"fail","reason":"dns.wrong_answer",
			"evidence":{"system_answers":["198.18.1.99","fd00:77:0:3::99"],"reference_answers":["198.18.1.80"]}}]}]}`, normal(1), ""},
		{"dns_wrong_answer", "addresses only inside sentences and addr:port", `{"verdict":{"status":"fail","layer":"dns","reason":"dns.wrong_answer"},
			"layers":[{"name":"service","status":"ok","checks":[{"name":"tcp","status":"fail","reason":"dns.wrong_answer",
			"evidence":{"tried":{"system":"[fd00:77:0:3::99]:443 closed","reference":"198.18.1.80."}}}]}]}`, normal(1), ""},
		{"dns_wrong_answer", "service blamed (the old answer)", `{"verdict":{"status":"fail","layer":"service","reason":"tcp.closed"},
			"layers":[{"name":"dns","status":"warn","checks":[{"name":"dns-compare","status":"warn","reason":"dns.mismatch",
			"evidence":{"system_answers":["198.18.1.99"],"reference_answers":["198.18.1.80"]}}]}]}`, normal(1), "verdict.layer"},
		{"dns_wrong_answer", "evidence without the right address", `{"verdict":{"status":"fail","layer":"dns","reason":"dns.wrong_answer"},
			"layers":[{"name":"dns","status":"fail","checks":[{"name":"dns-compare","status":"fail","reason":"dns.wrong_answer",
			"evidence":{"system_answers":["198.18.1.99"],"reference_answers":["198.18.1.8"]}}]}]}`, normal(1), "key evidence missing"},

		{"mtu_blackhole", "right", `{"verdict":{"status":"fail","layer":"internet","reason":"path.mtu_blackhole",
			"advice":["Lower the MTU of your router's WAN or VPN interface to 1280."]},
			"layers":[{"name":"internet","status":"fail","checks":[{"name":"pmtu","status":"fail","reason":"path.mtu_blackhole",
			"evidence":{"path_mtu":1280,"local_mtu":1500}}]}]}`, normal(1), ""},
		{"mtu_blackhole", "certificate blamed (the old answer)", `{"verdict":{"status":"fail","layer":"service","reason":"tls.handshake_stalled",
			"advice":["The certificate must be renewed."]},"layers":[]}`, normal(1), "renew"},
		{"mtu_blackhole", "path MTU not found", `{"verdict":{"status":"fail","layer":"internet","reason":"path.mtu_blackhole",
			"advice":["Lower the MTU."]},
			"layers":[{"name":"internet","status":"fail","checks":[{"name":"pmtu","status":"fail","evidence":{"path_mtu":1500}}]}]}`, normal(1), "path_mtu"},

		{"loss_from_hop2", "right", `{"verdict":{"status":"degraded","layer":"internet","reason":"path.loss_from_hop"},
			"layers":[{"name":"gateway","status":"ok","checks":[]},{"name":"internet","status":"warn","checks":[{"name":"trace","status":"warn",
			"reason":"path.loss_from_hop","evidence":{"loss_from_hop":2,"loss_from_addr":"198.18.0.2"}}]}]}`, normal(3), ""},
		{"loss_from_hop2", "loss blamed on hop 1", `{"verdict":{"status":"degraded","layer":"internet"},
			"layers":[{"name":"gateway","status":"ok","checks":[]},{"name":"internet","status":"warn","checks":[{"name":"trace","status":"warn",
			"reason":"path.loss_from_hop","evidence":{"loss_from_hop":1,"loss_from_addr":"10.77.1.1"}}]}]}`, normal(3), "loss_from_hop 2"},
		{"loss_from_hop2", "gateway blamed", `{"verdict":{"status":"degraded","layer":"gateway"},
			"layers":[{"name":"gateway","status":"warn","checks":[]},{"name":"internet","status":"warn","checks":[]}]}`, normal(3), "layer gateway status"},

		{"https_503_and_printer_jammed", "right", `{"verdict":{"status":"fail","layer":"service","reason":"http.status_5xx",
			"advice":["Ask the site's operator.","Clear the paper jam, then restart the printer."],"consequences":[],"independent":["printer"]},
			"layers":[{"name":"service","status":"fail","checks":[{"name":"http","status":"fail","reason":"http.status_5xx","evidence":{"http_status":503}}]}]}`, normal(1), ""},
		{"https_503_and_printer_jammed", "printer as a consequence (the old answer)", `{"verdict":{"status":"fail","layer":"service",
			"advice":["Ask the site's operator."],"consequences":["printer"]},
			"layers":[{"name":"service","status":"fail","checks":[{"name":"http","status":"fail","reason":"http.status_5xx","evidence":{"http_status":503}}]}]}`, normal(1), "verdict.consequences"},
		{"https_503_and_printer_jammed", "jam advice dropped", `{"verdict":{"status":"fail","layer":"service",
			"advice":["Ask the site's operator."],"consequences":[],"independent":["printer"]},
			"layers":[{"name":"service","status":"fail","checks":[{"name":"http","status":"fail","reason":"http.status_5xx","evidence":{"http_status":503}}]}]}`, normal(1), "the jam"},

		{"sigint", "right", `{"verdict":{"status":"unknown","layer":"none","reason":"run.interrupted"},"interrupted":true,"layers":[]}`,
			outcome{exit: 130, elapsed: 1200 * time.Millisecond, signalledAt: time.Second}, ""},
		{"sigint", "confident report, exit 1 (the old answer)", `{"verdict":{"status":"fail","layer":"service"},"interrupted":false,"layers":[]}`,
			outcome{exit: 1, elapsed: 3 * time.Second, signalledAt: time.Second}, "exit code 1, want 130"},
		{"sigint", "not marked interrupted", `{"verdict":{"status":"unknown","layer":"none"},"interrupted":false,"layers":[]}`,
			outcome{exit: 130, elapsed: 1200 * time.Millisecond, signalledAt: time.Second}, `"interrupted": false`},
		{"sigint", "slow to stop", `{"verdict":{"status":"unknown","layer":"none"},"interrupted":true,"layers":[]}`,
			outcome{exit: 130, elapsed: 2500 * time.Millisecond, signalledAt: time.Second}, "after interrupt"},
		{"sigint", "ended before the signal", `{"verdict":{"status":"unknown","layer":"none"},"interrupted":true,"layers":[]}`,
			outcome{exit: 130, elapsed: 500 * time.Millisecond}, "proves nothing"},
	}
	for _, tt := range tests {
		t.Run(tt.scenario+"/"+tt.name, func(t *testing.T) {
			sc, ok := byName[tt.scenario]
			if !ok {
				t.Fatalf("no scenario %q", tt.scenario)
			}
			o := tt.outcome
			if err := json.Unmarshal([]byte(`{"schema":"netprobe.report/v1",`+strings.TrimPrefix(tt.json, "{")), &o.report); err != nil {
				t.Fatalf("test report: %v", err)
			}
			inv := invocation{timeout: defaultRunTimeout, signal: sc.signal, signalAfter: sc.signalAfter}
			rec := &recorder{}
			assertOutcome(rec, sc, inv, o)
			switch {
			case tt.want == "" && rec.Failed():
				t.Errorf("rejected the right report:\n%s", strings.Join(rec.errs, "\n"))
			case tt.want != "" && !rec.Failed():
				t.Errorf("accepted a wrong report, want a failure about %q", tt.want)
			case tt.want != "" && !strings.Contains(strings.Join(rec.errs, "\n"), tt.want):
				t.Errorf("failures do not mention %q:\n%s", tt.want, strings.Join(rec.errs, "\n"))
			}
		})
	}
}

// TestScenarioShapes checks what the harness cannot check while it runs:
// a signal scenario says when to send it, and a scenario whose netprobe
// run is pending still proves its fault, so CI keeps the lab side honest.
func TestScenarioShapes(t *testing.T) {
	for _, sc := range scenarios() {
		if sc.signal != 0 && sc.signalAfter <= 0 {
			t.Errorf("%s: sends %s but says not when", sc.name, sc.signal)
		}
		if sc.signal != 0 && sc.signal != syscall.SIGINT && sc.signal != syscall.SIGTERM {
			t.Errorf("%s: signal %s; the harness is for interrupts", sc.name, sc.signal)
		}
		if sc.labSays == nil && sc.needs != "" {
			t.Errorf("%s: pending without a lab proof: the lab side would prove nothing in CI", sc.name)
		}
	}
}
