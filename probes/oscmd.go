package probes

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"time"
)

// Where an OS offers no API for its network configuration (or the API
// failed), netprobe runs the system's own tool (netstat, route, ipconfig,
// netsh, scutil) and parses its text. The tool is a foreign program: it may
// hang, print without end, or be replaced by something hostile in PATH.
// runCommand bounds all three: time, output size, and what it returns.

const (
	// maxCommandOutput bounds what one system command may print. The
	// largest real outputs parsed here (a route table of a VPN-laden
	// laptop, ipconfig /all with dozens of virtual adapters) are tens of
	// kilobytes; past a megabyte something is wrong and the command is
	// stopped.
	maxCommandOutput = 1 << 20
	// maxCommandStderr keeps enough of stderr to explain a failure.
	maxCommandStderr = 512
	// commandTimeout bounds one system command when the caller's context
	// allows longer: reading the configuration is local and fast, and the
	// probes need the rest of the budget.
	commandTimeout = 3 * time.Second
	// commandWaitDelay is how long a stopped command may keep its pipes
	// open (a grandchild holding them) before they are closed on it.
	commandWaitDelay = 200 * time.Millisecond
)

// errOutputTooLong means a command printed more than it may: its output
// was cut and it was stopped.
var errOutputTooLong = errors.New("output too long")

// runCommand runs name with args and returns its standard output, at most
// limit bytes. It stops the command when ctx ends, after commandTimeout,
// or as soon as the output passes limit (then the error wraps
// errOutputTooLong and the first limit bytes are returned). A command that
// exits non-zero returns its error with the start of its stderr.
func runCommand(ctx context.Context, limit int, name string, args ...string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, commandTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	if runtime.GOOS != "windows" {
		// The tools parsed here are not localised on Unix, but keep it
		// that way whatever the user's locale.
		cmd.Env = append(os.Environ(), "LC_ALL=C", "LANG=C")
	}
	cmd.WaitDelay = commandWaitDelay
	out := &capWriter{limit: limit, full: cancel}
	errw := &capWriter{limit: maxCommandStderr}
	cmd.Stdout, cmd.Stderr = out, errw
	err := cmd.Run()
	label := strings.Join(append([]string{name}, args...), " ")
	switch {
	case out.over:
		return out.buf.Bytes(), fmt.Errorf("%s: %w (more than %d bytes)", label, errOutputTooLong, limit)
	case err != nil:
		if msg := strings.TrimSpace(errw.buf.String()); msg != "" {
			return out.buf.Bytes(), fmt.Errorf("%s: %w: %s", label, err, firstLine(msg))
		}
		return out.buf.Bytes(), fmt.Errorf("%s: %w", label, err)
	}
	return out.buf.Bytes(), nil
}

// capWriter keeps the first limit bytes written to it and calls full once
// when more arrive.
type capWriter struct {
	buf   bytes.Buffer
	limit int
	over  bool
	full  func()
}

func (w *capWriter) Write(p []byte) (int, error) {
	room := w.limit - w.buf.Len()
	if len(p) <= room {
		w.buf.Write(p)
		return len(p), nil
	}
	w.buf.Write(p[:max(room, 0)])
	if !w.over {
		w.over = true
		if w.full != nil {
			w.full()
		}
	}
	// Claim everything was written: an error here would only make the
	// command block or die on a broken pipe before it is stopped.
	return len(p), nil
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return strings.TrimSpace(s)
}
