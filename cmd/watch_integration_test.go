package cmd_test

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/netprobe/netprobe/internal/testnet"
)

// watchSummary is the part of a netprobe.watch/v1 summary these tests read.
type watchSummary struct {
	Schema      string `json:"schema"`
	Status      string `json:"status"`
	Rounds      int    `json:"rounds"`
	Interrupted bool   `json:"interrupted"`
	Paths       []struct {
		Check, Target string
		Latency       *struct{ N int } `json:"latency_ms"`
	} `json:"paths"`
}

// The real binary watches a DNS server and a TCP port on loopback: every
// round measures both, and the summary says so.
func TestWatchBinaryOnLoopback(t *testing.T) {
	good, open := dnsServer(t), testnet.OpenTCP(t)
	r := netprobe(t, "watch", "--layers", "dns,service", "--resolver", good, "--dns-name", "ok.test", "--no-reference",
		"--upstream", "127.0.0.1", "--target", "tcp://127.0.0.1:"+strconv.Itoa(open),
		"--interval", "200ms", "--duration", "1s", "--timeout", "1s", "-o", "json")
	if r.code != 0 {
		t.Fatalf("exit %d, want 0\nstderr: %s\nstdout: %s", r.code, r.stderr, r.stdout)
	}
	var s watchSummary
	if err := json.Unmarshal([]byte(r.stdout), &s); err != nil {
		t.Fatalf("stdout is not one JSON summary: %v\n%s", err, r.stdout)
	}
	if s.Schema != "netprobe.watch/v1" || s.Status != "ok" || s.Rounds < 2 || s.Interrupted {
		t.Fatalf("summary = %+v", s)
	}
	checks := map[string]bool{}
	for _, p := range s.Paths {
		if p.Latency != nil && p.Latency.N == s.Rounds {
			checks[p.Check] = true
		}
	}
	if !checks["dns"] || !checks["tcp"] {
		t.Errorf("paths with a latency every round: %v; want dns and tcp\n%s", checks, r.stdout)
	}
	if !strings.Contains(r.stderr, "start     dns ok, service ok") {
		t.Errorf("stderr lacks the start line: %q", r.stderr)
	}
}

// Ctrl-C ends a watch without --duration: the summary of the rounds so
// far, exit 130.
func TestWatchBinaryInterrupt(t *testing.T) {
	good := dnsServer(t)
	cmd := exec.Command(binary, "watch", "--layers", "dns", "--resolver", good, "--dns-name", "ok.test", "--no-reference",
		"--upstream", "127.0.0.1", "--interval", "100ms", "-o", "json")
	cmd.Env = append(os.Environ(), "NO_COLOR=1")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(700 * time.Millisecond)
	cmd.Process.Signal(os.Interrupt)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		cmd.Process.Kill()
		t.Fatal("the watch did not stop within 5s of Ctrl-C")
	}
	if code := cmd.ProcessState.ExitCode(); code != 130 {
		t.Fatalf("exit %d, want 130; stderr %q", code, errb.String())
	}
	var s watchSummary
	if err := json.Unmarshal(out.Bytes(), &s); err != nil {
		t.Fatalf("no JSON summary after Ctrl-C: %v\n%s", err, out.String())
	}
	if !s.Interrupted || s.Rounds < 1 || s.Status != "ok" {
		t.Errorf("summary = %+v", s)
	}
}
