package cmd

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/netprobe/netprobe/diagnose"
	"github.com/netprobe/netprobe/internal/iostreams"
	"github.com/netprobe/netprobe/result"
)

// fakeRounds answers each round with the next status of the gateway (the
// last one repeats) and records the options of every round.
type fakeRounds struct {
	mu       sync.Mutex
	statuses []result.Status
	opts     []diagnose.Options
	// onRound, if set, runs after round n (from 1) is recorded.
	onRound func(n int)
}

func (f *fakeRounds) run(ctx context.Context, o diagnose.Options) *result.Report {
	f.mu.Lock()
	f.opts = append(f.opts, o)
	n := len(f.opts)
	st := f.statuses[min(n, len(f.statuses))-1]
	f.mu.Unlock()
	if f.onRound != nil {
		f.onRound(n)
	}
	v := result.Verdict{Status: result.Healthy, Layer: result.None}
	reason := result.Reason("")
	if st == result.Fail {
		v = result.Verdict{Status: result.Failed, Layer: result.Gateway, Reason: result.ReasonGatewayNoReply}
		reason = result.ReasonGatewayNoReply
	}
	c := result.Check{Name: "ping", Layer: result.Gateway, Target: "10.77.1.1", Status: st, Reason: reason,
		Detail: "the gateway secret-router-7 10.77.1.1", Evidence: map[string]any{"rtt_ms": 1.5, "sent": 3, "received": 3, "loss_pct": 0.0}}
	return &result.Report{Schema: result.Schema, Tool: result.Tool{Name: "netprobe", Version: "test"}, Command: "watch",
		StartedAt: time.Now().UTC(), Interrupted: ctx.Err() != nil, Verdict: v,
		Host:   result.Host{Hostname: "secret-router-7"},
		Layers: []result.LayerResult{{Name: result.Gateway, Status: st, Checks: []result.Check{c}}}}
}

// stepClock is a clock that moves only when the watch sleeps: rounds
// take no time, so a watch of --duration D at --interval I runs exactly
// D/I rounds however slow the machine is.
type stepClock struct {
	mu     sync.Mutex
	now    time.Time
	timers []stepTimer
}

type stepTimer struct {
	at time.Time
	f  func()
}

func (c *stepClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *stepClock) Sleep(ctx context.Context, d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	var due []func()
	keep := c.timers[:0]
	for _, t := range c.timers {
		if t.at.After(c.now) {
			keep = append(keep, t)
		} else {
			due = append(due, t.f)
		}
	}
	c.timers = keep
	c.mu.Unlock()
	for _, f := range due {
		f()
	}
}

func (c *stepClock) AfterFunc(d time.Duration, f func()) func() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.timers = append(c.timers, stepTimer{c.now.Add(d), f})
	return func() bool { return true }
}

// runWatchCmd runs `netprobe watch args...` with fake rounds on a step
// clock.
func runWatchCmd(t *testing.T, ctx context.Context, fr *fakeRounds, args ...string) (int, string, string) {
	t.Helper()
	io, out, errOut := iostreams.Test()
	f := &Factory{IO: io, Getenv: func(string) string { return "" }, Run: fr.run, Clock: &stepClock{now: time.Now()}}
	root := NewRootCmd(f)
	root.SetArgs(append([]string{"watch"}, args...))
	code := exitCode(root.ExecuteContext(ctx), io)
	return code, out.String(), errOut.String()
}

var loopbackArgs = []string{"--layers", "gateway", "--upstream", "198.18.1.1", "--dns-name", "a.lab.test"}

func TestWatchFlags(t *testing.T) {
	fr := &fakeRounds{statuses: []result.Status{result.OK}}
	code, _, stderr := runWatchCmd(t, context.Background(), fr, append(loopbackArgs,
		"--interval", "100ms", "--duration", "350ms", "--ping-interval", "50ms", "--count", "3", "--timeout", "2s", "--full-every", "1")...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if len(fr.opts) != 4 {
		t.Fatalf("%d rounds in 350ms at 100ms, want 4 (at 0, 100, 200, 300 ms)", len(fr.opts))
	}
	o := fr.opts[0]
	if o.PingInterval != 50*time.Millisecond || o.PingCount != 3 || o.Budget != 2*time.Second || o.Command != "watch" {
		t.Errorf("round options = interval %s count %d budget %s command %q", o.PingInterval, o.PingCount, o.Budget, o.Command)
	}
	if len(o.Layers) != 1 || o.Layers[0] != result.Gateway {
		t.Errorf("layers = %v", o.Layers)
	}
}

func TestWatchBadInput(t *testing.T) {
	for _, tt := range []struct {
		name string
		args []string
		bad  string
	}{
		{"interval too short", []string{"--interval", "10ms"}, "10ms"},
		{"negative duration", []string{"--duration", "-1s"}, "-1s"},
		{"full-every zero", []string{"--full-every", "0"}, "full-every 0"},
		{"junit is no summary", []string{"-o", "junit"}, `"junit"`},
		{"unknown format", []string{"-o", "yaml"}, `"yaml"`},
		{"bad ping interval", []string{"--ping-interval", "0s"}, "ping-interval 0s"},
		{"bad target", []string{"--target", "example.com:0"}, "port 0"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			fr := &fakeRounds{statuses: []result.Status{result.OK}}
			code, _, stderr := runWatchCmd(t, context.Background(), fr, append(append([]string{}, loopbackArgs...), tt.args...)...)
			if code != ExitUsage || len(fr.opts) != 0 {
				t.Fatalf("exit %d after %d rounds, want 2 before any (stderr %q)", code, len(fr.opts), stderr)
			}
			if strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, tt.bad) {
				t.Errorf("stderr %q is not one line naming %q", stderr, tt.bad)
			}
		})
	}
}

// TestWatchOutageExitAndLines: a gateway that fails for two rounds gives
// two change lines on stdout, an outage in the summary and exit 1.
func TestWatchOutageExitAndLines(t *testing.T) {
	fr := &fakeRounds{statuses: []result.Status{result.OK, result.Fail, result.Fail, result.OK}}
	code, out, stderr := runWatchCmd(t, context.Background(), fr, append(loopbackArgs, "--interval", "100ms", "--duration", "550ms")...)
	if code != ExitFail {
		t.Fatalf("exit %d, want 1: %s\n%s", code, stderr, out)
	}
	for _, want := range []string{"start     gateway ok", "gateway   ok -> FAIL  gateway.no_reply", "gateway   FAIL -> ok",
		"Watch: FAIL: Gateway down once", "Outages (from the first failing round"} {
		if !strings.Contains(out, want) {
			t.Errorf("stdout lacks %q:\n%s", want, out)
		}
	}
	if !strings.Contains(stderr, "a round every 100ms") {
		t.Errorf("stderr lacks the start line: %q", stderr)
	}
}

// TestWatchJSONKeepsStdoutClean: with -o json the lines go to stderr and
// stdout is one JSON document; --redact masks the summary and the lines.
func TestWatchJSONKeepsStdoutClean(t *testing.T) {
	fr := &fakeRounds{statuses: []result.Status{result.OK, result.Fail, result.OK}}
	code, out, stderr := runWatchCmd(t, context.Background(), fr, append(loopbackArgs, "--interval", "100ms", "--duration", "450ms", "-o", "json", "--redact")...)
	if code != ExitFail {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var s map[string]any
	if err := json.Unmarshal([]byte(out), &s); err != nil {
		t.Fatalf("stdout is not one JSON document: %v\n%s", err, out)
	}
	if s["schema"] != "netprobe.watch/v1" || s["redacted"] != true || s["status"] != "fail" {
		t.Errorf("summary = schema %v redacted %v status %v", s["schema"], s["redacted"], s["status"])
	}
	if !strings.Contains(stderr, "gateway   ok -> FAIL") {
		t.Errorf("stderr lacks the change line: %q", stderr)
	}
	for _, secret := range []string{"secret-router-7", "10.77.1.1"} {
		if strings.Contains(out, secret) || strings.Contains(stderr, secret) {
			t.Errorf("%q leaked through --redact:\n%s\n%s", secret, out, stderr)
		}
	}
	if !strings.Contains(out, "<private-ip-1>") || !strings.Contains(stderr, "<private-ip-1>") {
		t.Errorf("the gateway is not the same placeholder in summary and lines:\n%s\n%s", out, stderr)
	}
}

// TestWatchInterrupted: Ctrl-C during the third round ends the watch at
// once with the summary of the two finished rounds and exit 130.
func TestWatchInterrupted(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	fr := &fakeRounds{statuses: []result.Status{result.OK, result.Fail, result.OK}}
	fr.onRound = func(n int) {
		if n == 3 {
			cancel()
		}
	}
	code, out, stderr := runWatchCmd(t, ctx, fr, append(loopbackArgs, "--interval", "100ms", "-o", "json")...)
	if code != ExitInterrupted {
		t.Fatalf("exit %d, want 130: %s", code, stderr)
	}
	var s struct {
		Rounds      int    `json:"rounds"`
		Discarded   int    `json:"discarded_rounds"`
		Interrupted bool   `json:"interrupted"`
		Status      string `json:"status"`
	}
	if err := json.Unmarshal([]byte(out), &s); err != nil {
		t.Fatal(err)
	}
	if s.Rounds != 2 || s.Discarded != 1 || !s.Interrupted || s.Status != "fail" {
		t.Errorf("summary = %+v", s)
	}
}

// TestWatchLightRounds: between full rounds the printer is left out, so
// the options of a light round name the layers explicitly.
func TestWatchLightRounds(t *testing.T) {
	fr := &fakeRounds{statuses: []result.Status{result.OK}}
	run := fr.run
	withPrinter := func(ctx context.Context, o diagnose.Options) *result.Report {
		r := run(ctx, o)
		if len(o.Layers) == 0 || len(o.Layers) == 2 {
			r.Layers = append(r.Layers, result.LayerResult{Name: result.Printer, Status: result.OK})
		}
		return r
	}
	io, _, errOut := iostreams.Test()
	f := &Factory{IO: io, Getenv: func(string) string { return "" }, Run: withPrinter, Clock: &stepClock{now: time.Now()}}
	root := NewRootCmd(f)
	root.SetArgs([]string{"watch", "--layers", "gateway,printer", "--printer", "10.77.1.20", "--upstream", "198.18.1.1",
		"--dns-name", "a.lab.test", "--interval", "100ms", "--duration", "450ms", "--full-every", "3"})
	if code := exitCode(root.ExecuteContext(context.Background()), io); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	if len(fr.opts) != 5 {
		t.Fatalf("%d rounds, want 5", len(fr.opts))
	}
	for i, o := range fr.opts[:4] {
		light := i%3 != 0
		if light != (len(o.Layers) == 1) || (light && o.Layers[0] != result.Gateway) {
			t.Errorf("round %d layers %v, want light=%v (gateway only)", i, o.Layers, light)
		}
	}
}
