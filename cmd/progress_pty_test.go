//go:build linux || darwin

package cmd_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/creack/pty"
)

// ptyRun runs the real binary with stderr on a pseudo-terminal (80
// columns) and stdout on a pipe, as `netprobe > report.txt` on a terminal
// does, and returns what each received. CI is removed from the
// environment unless env sets it: the display stays off under CI.
func ptyRun(t *testing.T, env []string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Skipf("no pseudo-terminal here: %v", err)
	}
	defer ptmx.Close()
	if err := pty.Setsize(ptmx, &pty.Winsize{Rows: 40, Cols: 80}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, args...)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "CI=") && !strings.HasPrefix(kv, "TERM=") && !strings.HasPrefix(kv, "NO_COLOR=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(append(cmd.Env, "TERM=xterm-256color"), env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, tty
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	tty.Close() // the child holds it; EOF (EIO) on ptmx once it exits
	read := make(chan []byte)
	go func() {
		b, _ := io.ReadAll(ptmx)
		read <- b
	}()
	err = cmd.Wait()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	var b []byte
	select {
	case b = <-read:
	case <-time.After(5 * time.Second):
		t.Fatal("the pseudo-terminal did not close")
	}
	return out.String(), string(b), code
}

// TestProgressOnATerminal: on a terminal, stderr shows one line per layer
// updating in place (a spinner, then ✓ ! ✗ with a figure) and is erased
// before the report, which goes to stdout unchanged.
func TestProgressOnATerminal(t *testing.T) {
	good, silent := dnsServer(t), silentUDP(t)
	// One resolver answers, one stays silent: the run takes its 2 s, so
	// the spinner turns, and the dns layer ends degraded.
	args := []string{"dns", "ok.test", "--resolver", good, "--resolver", silent, "--timeout", "2s"}
	stdout, stderr, code := ptyRun(t, nil, args...)
	if code != 3 {
		t.Fatalf("exit %d, want 3 (degraded)\nstdout:\n%s\nstderr:\n%q", code, stdout, stderr)
	}
	for _, want := range []string{"Diagnosing the network", "dns", "\x1b[J", "of 2 s"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("the terminal never showed %q:\n%q", want, stderr)
		}
	}
	if !strings.ContainsAny(stderr, "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏") {
		t.Errorf("no spinner on the terminal:\n%q", stderr)
	}
	if !strings.Contains(stderr, "dns  ⠙ 1 of 2 checks") {
		t.Errorf("the dns line never showed the layer running:\n%q", stderr)
	}
	// The last thing written is the erase: nothing of the display is left
	// above the report.
	last := strings.LastIndex(stderr, "\x1b[J")
	if rest := stderr[last+len("\x1b[J"):]; last < 0 || strings.TrimSpace(rest) != "" {
		t.Errorf("the display is not erased at the end; after the last erase: %q", rest)
	}
	if !strings.Contains(stderr[:last], "\x1b[") || !strings.Contains(stderr[max(0, last-8):last], "A\r") {
		t.Errorf("the final erase does not move back over the lines drawn:\n%q", stderr[max(0, last-40):])
	}
	// Lines never wrap on the 80-column terminal.
	for _, l := range strings.Split(stderr, "\n") {
		l = strings.TrimPrefix(l, "\r")
		if i := strings.LastIndex(l, "\x1b[J"); i >= 0 {
			l = l[i+3:]
		}
		if n := len([]rune(stripANSI(l))); n >= 80 {
			t.Errorf("a %d-column progress line on an 80-column terminal: %q", n, l)
		}
	}
	// Nothing of the display reaches the report (TestProgressLeavesTheReport
	// compares the bytes in-process, where the run is deterministic).
	if strings.Contains(stdout, "\x1b") || strings.ContainsAny(stdout, "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏") || !strings.HasPrefix(stdout, "Verdict: DEGRADED") {
		t.Errorf("the report carries the display:\n%q", stdout)
	}
	piped := netprobeEnv(t, []string{"CI="}, args...)
	if piped.stderr != "" || !strings.HasPrefix(piped.stdout, "Verdict: DEGRADED") {
		t.Errorf("piped: stderr %q, stdout %q", piped.stderr, piped.stdout)
	}
}

// TestNoProgress: nothing is drawn in CI, with --quiet, or on TERM=dumb,
// even on a terminal.
func TestNoProgress(t *testing.T) {
	good := dnsServer(t)
	for _, c := range []struct {
		name string
		env  []string
		args []string
	}{
		{"CI set", []string{"CI=true"}, nil},
		{"quiet", nil, []string{"-q"}},
		{"TERM=dumb", []string{"TERM=dumb"}, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			args := append([]string{"dns", "ok.test", "--resolver", good, "--timeout", "2s"}, c.args...)
			stdout, stderr, code := ptyRun(t, c.env, args...)
			if code != 0 || !strings.HasPrefix(stdout, "Verdict: OK") {
				t.Fatalf("exit %d, stdout %q", code, stdout)
			}
			if stderr != "" {
				t.Errorf("the terminal got %q", stderr)
			}
		})
	}
}

func stripANSI(s string) string { return ansiRE.ReplaceAllString(s, "") }

var (
	ansiRE = regexp.MustCompile("\x1b\\[[0-9;]*[A-Za-z]")
)

// TestProgressShowsTheLayerMark: a finished layer's line shows its mark
// and key figure (the failing resolver and what went wrong), in colour,
// even when the run ends before the spinner turns once.
func TestProgressShowsTheLayerMark(t *testing.T) {
	good := dnsServer(t)
	stdout, stderr, code := ptyRun(t, nil, "dns", "nx.test", "--resolver", good, "--timeout", "2s")
	if code != 1 || !strings.HasPrefix(stdout, "Verdict: FAIL at the DNS layer") {
		t.Fatalf("exit %d, stdout %q", code, stdout)
	}
	if want := "dns  \x1b[31m✗\x1b[0m " + good + " nxdomain"; !strings.Contains(stderr, want) {
		t.Errorf("the dns line never showed %q:\n%q", want, stderr)
	}
	if !strings.HasSuffix(stderr, "\r\x1b[J") {
		t.Errorf("the display is not erased at the end:\n%q", stderr)
	}
	// NO_COLOR: the same marks without colour.
	_, stderr, _ = ptyRun(t, []string{"NO_COLOR=1"}, "dns", "nx.test", "--resolver", good, "--timeout", "2s")
	if !strings.Contains(stderr, "dns  ✗ "+good+" nxdomain") {
		t.Errorf("NO_COLOR: %q", stderr)
	}
}
