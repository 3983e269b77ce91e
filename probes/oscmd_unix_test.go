//go:build !windows

package probes

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

// TestRunCommand runs real programs through the bounded runner: the
// per-OS readers rely on it to stop a tool that hangs, prints without end
// or leaves a child holding its output open.
func TestRunCommand(t *testing.T) {
	ctx := context.Background()
	t.Run("output", func(t *testing.T) {
		out, err := runCommand(ctx, 1024, "sh", "-c", "printf 'a\\nb\\n'; echo \"$LC_ALL\"")
		if err != nil || string(out) != "a\nb\nC\n" {
			t.Fatalf("out %q, err %v", out, err)
		}
	})
	t.Run("output past the limit stops the command", func(t *testing.T) {
		start := time.Now()
		out, err := runCommand(ctx, 4096, "yes", "default 192.0.2.1 UGS em0")
		if !errors.Is(err, errOutputTooLong) || len(out) != 4096 {
			t.Fatalf("err %v, %d bytes", err, len(out))
		}
		if d := time.Since(start); d >= commandTimeout {
			t.Errorf("stopped only by the timeout (%s)", d)
		}
	})
	t.Run("exactly the limit is fine", func(t *testing.T) {
		out, err := runCommand(ctx, 4, "printf", "abcd")
		if err != nil || string(out) != "abcd" {
			t.Fatalf("out %q, err %v", out, err)
		}
	})
	t.Run("the context ends a hanging command", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
		defer cancel()
		start := time.Now()
		_, err := runCommand(ctx, 1024, "sleep", "30")
		if err == nil || time.Since(start) > commandTimeout {
			t.Fatalf("err %v after %s", err, time.Since(start))
		}
	})
	t.Run("a grandchild holding the pipe does not hold the reader", func(t *testing.T) {
		start := time.Now()
		out, _ := runCommand(ctx, 1024, "sh", "-c", "sleep 30 & echo started")
		if !strings.HasPrefix(string(out), "started") || time.Since(start) > commandTimeout {
			t.Fatalf("out %q after %s", out, time.Since(start))
		}
	})
	t.Run("a failure says why, in one line", func(t *testing.T) {
		_, err := runCommand(ctx, 1024, "sh", "-c", "echo 'no such table' >&2; echo more >&2; exit 3")
		if err == nil || !strings.Contains(err.Error(), "exit status 3: no such table") || strings.Contains(err.Error(), "\n") || strings.HasSuffix(err.Error(), "more") {
			t.Fatalf("err %v", err)
		}
	})
	t.Run("a missing tool", func(t *testing.T) {
		if _, err := runCommand(ctx, 1024, "netprobe-no-such-tool"); err == nil {
			t.Fatal("no error")
		}
	})
}
