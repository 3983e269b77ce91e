//go:build linux

package cmd_test

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// A gateway that comes and goes, in network namespaces of this test's
// own (npw-*, 10.77.231.0/24, a range the fault lab does not use; no
// link to the host's namespace, so nothing can leave the machine):
//
//	npw-client  c0 10.77.231.10/24, default via .1
//	     |
//	npw-switch  br0 (sw-c, sw-r)   a bridge keeps the client's link up
//	     |                          while the router's port is down
//	npw-router  r0 10.77.231.1/24
//
// The router's port goes down twice on a timer while `netprobe watch`
// runs in npw-client; the summary must show exactly those two outages,
// at the gateway, where they happened. It is a test of its own rather
// than a scenario of the fault lab (e2e/), which is being rewritten: it
// shares nothing with it but the kernel.

// The namespaces, written out wherever they are used.
const (
	nsClient = "npw-client"
	nsSwitch = "npw-switch"
	nsRouter = "npw-router"
)

// ipCmd runs one ip(8) command and fails the test on error.
func ipCmd(t *testing.T, args ...string) {
	t.Helper()
	out, err := exec.Command("ip", args...).CombinedOutput()
	if err != nil {
		t.Fatalf("ip %s: %v: %s", strings.Join(args, " "), err, out)
	}
}

func deleteFlapNamespaces() {
	for _, ns := range []string{nsClient, nsSwitch, nsRouter} {
		_ = exec.Command("ip", "netns", "del", ns).Run()
	}
}

func requireNamespaces(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("namespace test skipped in -short mode")
	}
	if os.Geteuid() != 0 {
		t.Skip("the flapping-gateway test needs root (network namespaces)")
	}
	if _, err := exec.LookPath("ip"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("ip (iproute2) is missing: %v", err)
		}
		t.Skipf("ip (iproute2) is missing: %v", err)
	}
}

func buildFlapLab(t *testing.T) {
	t.Helper()
	deleteFlapNamespaces() // leftovers of a run that was killed
	t.Cleanup(deleteFlapNamespaces)
	ipCmd(t, "netns", "add", nsClient)
	ipCmd(t, "netns", "add", nsSwitch)
	ipCmd(t, "netns", "add", nsRouter)
	ipCmd(t, "-n", nsSwitch, "link", "add", "br0", "type", "bridge")
	ipCmd(t, "-n", nsClient, "link", "add", "c0", "type", "veth", "peer", "name", "sw-c", "netns", nsSwitch)
	ipCmd(t, "-n", nsRouter, "link", "add", "r0", "type", "veth", "peer", "name", "sw-r", "netns", nsSwitch)
	ipCmd(t, "-n", nsSwitch, "link", "set", "sw-c", "master", "br0", "up")
	ipCmd(t, "-n", nsSwitch, "link", "set", "sw-r", "master", "br0", "up")
	ipCmd(t, "-n", nsSwitch, "link", "set", "br0", "up")
	ipCmd(t, "-n", nsClient, "link", "set", "lo", "up")
	ipCmd(t, "-n", nsClient, "addr", "add", "10.77.231.10/24", "dev", "c0")
	ipCmd(t, "-n", nsClient, "link", "set", "c0", "up")
	ipCmd(t, "-n", nsClient, "route", "add", "default", "via", "10.77.231.1")
	ipCmd(t, "-n", nsRouter, "link", "set", "lo", "up")
	ipCmd(t, "-n", nsRouter, "addr", "add", "10.77.231.1/24", "dev", "r0")
	ipCmd(t, "-n", nsRouter, "link", "set", "r0", "up")
}

func TestWatchFlappingGateway(t *testing.T) {
	requireNamespaces(t)
	buildFlapLab(t)

	const (
		interval = 250 * time.Millisecond
		budget   = 1500 * time.Millisecond // --timeout: the longest a round takes
	)
	// Only the gateway layer is watched; every default that points off
	// the machine is overridden all the same.
	cmd := exec.Command("ip", "netns", "exec", nsClient, binary, "watch", "--layers", "gateway",
		"--upstream", "198.18.231.1", "--dns-name", "flap.lab.test", "--resolver", "10.77.231.1",
		"--interval", interval.String(), "--timeout", budget.String(), "--count", "3", "--ping-interval", "20ms",
		"--full-every", "4", "--duration", "9s", "-o", "json")
	cmd.Env = []string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "NO_COLOR=1"}
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	start := time.Now()

	// The router's port: down at 2 s for 2.5 s, down again at 6 s for 1.5 s.
	type flap struct{ down, up time.Time }
	var flaps []flap
	for _, f := range []struct{ at, length time.Duration }{{2 * time.Second, 2500 * time.Millisecond}, {6 * time.Second, 1500 * time.Millisecond}} {
		time.Sleep(time.Until(start.Add(f.at)))
		ipCmd(t, "-n", nsRouter, "link", "set", "r0", "down")
		down := time.Now()
		time.Sleep(time.Until(down.Add(f.length)))
		ipCmd(t, "-n", nsRouter, "link", "set", "r0", "up")
		flaps = append(flaps, flap{down, time.Now()})
	}

	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("the watch did not end after its 9s --duration; stderr:\n%s", errb.String())
	}
	if code := cmd.ProcessState.ExitCode(); code != 1 {
		t.Fatalf("exit %d, want 1 (a layer failed); stderr:\n%s\nstdout:\n%s", code, errb.String(), out.String())
	}
	var s struct {
		Status string `json:"status"`
		Rounds int    `json:"rounds"`
		Layers []struct {
			Name    string `json:"name"`
			Outages int    `json:"outages"`
			Windows []struct {
				Start, End time.Time
				Open       bool
				Reason     string
				Cause      bool
			} `json:"windows"`
		} `json:"layers"`
	}
	if err := json.Unmarshal(out.Bytes(), &s); err != nil {
		t.Fatalf("no JSON summary: %v\n%s", err, out.String())
	}
	t.Logf("%d rounds; change lines:\n%s", s.Rounds, errb.String())
	if s.Status != "fail" || len(s.Layers) != 1 || s.Layers[0].Name != "gateway" {
		t.Fatalf("summary: status %s, layers %+v", s.Status, s.Layers)
	}
	g := s.Layers[0]
	if g.Outages != len(flaps) || len(g.Windows) != len(flaps) {
		t.Fatalf("gateway outages = %d (windows %+v), want %d", g.Outages, g.Windows, len(flaps))
	}
	// An edge is seen by the first round that starts after it, or by one
	// already running that probes after it: at most a round's budget
	// before it, and at most a round plus an interval after it.
	const slack = 500 * time.Millisecond // process start, scheduling
	early, late := budget+slack, budget+interval+slack
	for i, w := range g.Windows {
		f := flaps[i]
		if w.Open || !w.Cause {
			t.Errorf("window %d: open %v cause %v, want a closed outage caused at the gateway", i, w.Open, w.Cause)
		}
		switch w.Reason {
		case "gateway.no_reply", "gateway.no_arp", "gateway.unreachable":
		default:
			t.Errorf("window %d reason %q, want the gateway not answering", i, w.Reason)
		}
		if w.Start.Before(f.down.Add(-early)) || w.Start.After(f.down.Add(late)) {
			t.Errorf("window %d starts %s after the watch began, the port went down at %s", i, w.Start.Sub(start), f.down.Sub(start))
		}
		if w.End.Before(f.up.Add(-early)) || w.End.After(f.up.Add(late)) {
			t.Errorf("window %d ends %s after the watch began, the port came up at %s", i, w.End.Sub(start), f.up.Sub(start))
		}
	}
}
