//go:build !windows

package probes

import (
	"context"
	"testing"
)

// The OS tool runner keeps a bounded amount of output and reports a tool
// that says too much, or is missing, as an error (the reader then falls
// back to no OS setting).
func TestRunBounded(t *testing.T) {
	out, err := runBounded(context.Background(), "head", "-c", "200000", "/dev/zero")
	if err == nil || len(out) != osToolMaxOut {
		t.Fatalf("200 kB of output: kept %d bytes, err %v; want %d bytes and an error", len(out), err, osToolMaxOut)
	}
	if out, err := runBounded(context.Background(), "echo", "mode 'none'"); err != nil || out != "mode 'none'\n" {
		t.Fatalf("echo: %q %v", out, err)
	}
	if _, err := runBounded(context.Background(), "netprobe-no-such-tool"); err == nil {
		t.Fatal("a missing tool must be an error")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := runBounded(ctx, "sleep", "5"); err == nil {
		t.Fatal("a run whose context is over must fail")
	}
}
