package progress

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/netprobe/netprobe/diagnose"
	"github.com/netprobe/netprobe/result"
)

// syncBuffer is a bytes.Buffer safe for the ticker and the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// clock is a fake clock the test moves.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func TestLinesFollowTheRun(t *testing.T) {
	c := &clock{t: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	var w syncBuffer
	d := New(&w, Options{Unicode: true, Budget: 10 * time.Second, Now: c.now, Width: 80})
	d.Start()
	defer d.Stop()
	if got := d.Lines(); len(got) != 1 || !strings.HasSuffix(got[0], "Diagnosing the network… 0 s of 10 s") {
		t.Fatalf("first frame = %q", got)
	}
	gw := result.Check{Name: "ping", Target: "10.77.1.1", Status: result.OK, Evidence: map[string]any{"rtt_ms": 1.23, "loss_pct": 0.0}}
	d.Update(diagnose.Progress{Layer: result.Gateway, Round: 1, Done: 1, Total: 1, Status: result.OK, Checks: []result.Check{gw}})
	dnsBad := result.Check{Name: "dns", Target: "www.lab.test @198.18.1.53", Status: result.Fail, Reason: "dns.timeout"}
	d.Update(diagnose.Progress{Layer: result.DNS, Round: 1, Done: 1, Total: 2, Checks: []result.Check{dnsBad}})
	c.t = c.t.Add(2300 * time.Millisecond)
	got := d.Lines()
	want := []string{"Diagnosing the network… 2.3 s of 10 s", "  gateway  ✓ 1.2 ms", "1 of 2 checks"}
	for i, w := range want {
		if !strings.Contains(got[i], w) {
			t.Errorf("line %d = %q, want it to contain %q", i, got[i], w)
		}
	}
	if !strings.HasPrefix(got[2], "  dns      ") {
		t.Errorf("dns line %q: layers are aligned, lowest first", got[2])
	}
	d.Update(diagnose.Progress{Layer: result.DNS, Round: 1, Done: 2, Total: 2, Status: result.Fail, Checks: []result.Check{dnsBad, dnsBad}})
	if got := d.Lines(); got[2] != "  dns      ✗ 198.18.1.53 timeout" {
		t.Errorf("finished dns line = %q", got[2])
	}
	// The confirmation round keeps the mark and says it is confirming.
	d.Update(diagnose.Progress{Layer: result.DNS, Round: 2, Done: 0, Total: 1})
	d.Update(diagnose.Progress{Layer: result.DNS, Round: 2, Done: 0, Total: 1})
	if got := d.Lines(); !strings.HasPrefix(got[2], "  dns      ✗ 198.18.1.53 timeout (confirming ") {
		t.Errorf("confirming dns line = %q", got[2])
	}
}

func TestStopErasesWhatWasDrawn(t *testing.T) {
	var w syncBuffer
	d := New(&w, Options{Unicode: false, Color: true})
	d.Start()
	d.Update(diagnose.Progress{Layer: result.Link, Round: 1, Done: 1, Total: 1, Status: result.OK})
	d.Update(diagnose.Progress{Layer: result.Gateway, Round: 1, Done: 1, Total: 1, Status: result.Warn,
		Checks: []result.Check{{Status: result.Warn, Target: "10.77.1.1", Evidence: map[string]any{"loss_pct": 30.0}}}})
	d.Stop()
	d.Stop() // twice is fine
	out := w.String()
	if !strings.Contains(out, "\x1b[33mWARN\x1b[0m 10.77.1.1 30% loss") {
		t.Errorf("no coloured ASCII warn line:\n%q", out)
	}
	if !strings.HasSuffix(out, "\x1b[3A\r\x1b[J") {
		t.Errorf("Stop must move up over the 3 lines drawn and erase:\n%q", out)
	}
	for _, r := range out {
		if r > 127 {
			t.Fatalf("ASCII mode drew %q:\n%q", r, out)
		}
	}
	n := len(out)
	d.Update(diagnose.Progress{Layer: result.DNS, Round: 1, Done: 1, Total: 1, Status: result.OK})
	if len(w.String()) != n {
		t.Error("an update after Stop drew again")
	}
}

func TestLinesNeverWrap(t *testing.T) {
	d := New(&bytes.Buffer{}, Options{Unicode: true, Width: 30})
	d.Update(diagnose.Progress{Layer: result.Service, Round: 1, Done: 1, Total: 1, Status: result.Fail,
		Checks: []result.Check{{Status: result.Fail, Target: "https://a-very-long-host-name.example.com/path", Reason: "tcp.filtered"}}})
	for _, l := range d.Lines() {
		if n := len([]rune(l)); n >= 30 {
			t.Errorf("%d-column line on a 30-column terminal: %q", n, l)
		}
	}
}

func TestFigure(t *testing.T) {
	ok := result.Check{Status: result.OK, Evidence: map[string]any{"avg_ms": 14.2}}
	lossy := result.Check{Status: result.Warn, Target: "1.1.1.1", Evidence: map[string]any{"loss_pct": 30.0, "rtt_ms": 48.3}}
	slow := result.Check{Status: result.Warn, Target: "1.1.1.1", Evidence: map[string]any{"loss_pct": 0.0, "rtt_ms": 480.0}}
	fail := result.Check{Status: result.Fail, Target: "tcp://mail.lab.test:587", Reason: "tcp.conn_refused"}
	hostile := result.Check{Status: result.Fail, Target: "x\x1b[2Jy", Reason: "dns.timeout"}
	tests := []struct {
		name   string
		status result.Status
		checks []result.Check
		want   string
	}{
		{"ok: the round-trip time", result.OK, []result.Check{ok}, "14.2 ms"},
		{"warn by loss", result.Warn, []result.Check{ok, lossy}, "1.1.1.1 30% loss"},
		{"warn by latency", result.Warn, []result.Check{slow}, "1.1.1.1 480 ms"},
		{"fail: target and reason", result.Fail, []result.Check{ok, fail}, "tcp://mail.lab.test:587 conn refused"},
		{"skip: nothing", result.Skip, []result.Check{{Status: result.Skip}}, ""},
		{"ok without a time", result.OK, []result.Check{{Status: result.OK, Evidence: map[string]any{}}}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Figure(tt.status, tt.checks); got != tt.want {
				t.Errorf("Figure = %q, want %q", got, tt.want)
			}
		})
	}
	if got := Figure(result.Fail, []result.Check{hostile}); strings.ContainsRune(got, 0x1b) {
		t.Errorf("an escape from a target reached the terminal: %q", got)
	}
}
