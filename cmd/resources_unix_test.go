//go:build unix

package cmd_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/netprobe/netprobe/internal/testnet"
)

// These tests run the real binary with a lowered descriptor limit: the
// shell's ulimit sets soft and hard limits alike, so netprobe cannot raise
// it back. Whatever the limit, a result is either right or says it was
// not measured, and why.

type checkJSON struct {
	Name, Target, Status, Detail, Reason string
	Evidence                             map[string]any
}

type reportJSON struct {
	Verdict struct{ Status string }
	Layers  []struct{ Checks []checkJSON }
}

func parseReport(t *testing.T, out string) reportJSON {
	t.Helper()
	var r reportJSON
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("stdout is not a JSON report: %v\n%.2000s", err, out)
	}
	return r
}

func (r reportJSON) checks() []checkJSON {
	var out []checkJSON
	for _, l := range r.Layers {
		out = append(out, l.Checks...)
	}
	return out
}

// runShell runs a sh script with the binary as $0 and args as $@.
func runShell(t *testing.T, timeout time.Duration, env []string, script string, args ...string) run {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "sh", append([]string{"-c", script, binary}, args...)...)
	cmd.Env = append(append(os.Environ(), "NO_COLOR=1"), env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("did not end within %s; stderr %s", timeout, errb.String())
	}
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return run{code, out.String(), errb.String()}
}

// 300 targets under a limit of 64 descriptors: open, closed and silent
// services. Each is measured right or is "not measured: too many open
// files on this computer" — never a server fault the computer made up.
func TestManyTargetsUnderLowFDLimit(t *testing.T) {
	kind := map[string]string{}
	var args []string
	opens := []int{testnet.OpenTCP(t), testnet.OpenTCP(t), testnet.OpenTCP(t)}
	silents := []int{testnet.FilteredTCP(t), testnet.FilteredTCP(t)}
	for i := 0; i < 300; i++ {
		var port int
		k := []string{"open", "closed", "silent"}[i%3]
		switch k {
		case "open":
			port = opens[i%len(opens)]
		case "closed":
			port = testnet.ClosedTCP(t)
		default:
			port = silents[i%len(silents)]
		}
		target := "tcp://127.0.0.1:" + strconv.Itoa(port)
		kind[target] = k
		args = append(args, "--target", target)
	}
	args = append(args, "--layers", "service", "-o", "json", "--timeout", "4s")
	r := runShell(t, time.Minute, nil, `ulimit -n 64 && exec "$0" "$@"`, args...)
	if r.code == 2 {
		t.Fatalf("refused: %s", r.stderr)
	}
	rep := parseReport(t, r.stdout)
	measured, skipped := 0, 0
	for _, c := range rep.checks() {
		k := kind[c.Target]
		state, _ := c.Evidence["port_state"].(string)
		switch {
		case c.Status == "skip":
			skipped++
			if c.Reason != "local.resources" || !strings.HasPrefix(c.Detail, "not measured: too many open files on this computer") {
				t.Errorf("%s (%s) skipped with %q %q", c.Target, k, c.Reason, c.Detail)
			}
		case k == "open" && c.Status == "ok",
			k == "closed" && state == "closed",
			k == "silent" && state == "filtered":
			measured++
		default:
			t.Errorf("%s (%s): %s %s %q — a wrong answer", c.Target, k, c.Status, state, c.Detail)
		}
	}
	if measured+skipped != 300 {
		t.Fatalf("%d checks measured and %d not, want 300 in all", measured, skipped)
	}
	if measured == 0 {
		t.Fatal("nothing measured at all under 64 descriptors")
	}
	t.Logf("%d measured, %d not measured", measured, skipped)
}

// inNewNetns runs script in a new network namespace with only loopback
// (root only). The script first checks that it is in one.
func inNewNetns(t *testing.T, timeout time.Duration, env []string, script string) run {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root for a network namespace")
	}
	if _, err := exec.LookPath("unshare"); err != nil {
		t.Skip("no unshare")
	}
	if _, err := exec.LookPath("ip"); err != nil {
		t.Skip("no ip (iproute2)")
	}
	guard := `[ "$(ip -o link show | wc -l)" -eq 1 ] || { echo "not in a fresh network namespace" >&2; exit 99; }
ip link set lo up || exit 98
`
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "unshare", "-n", "sh", "-c", guard+script, binary)
	cmd.Env = append(append(os.Environ(), "NO_COLOR=1"), env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("did not end within %s; stderr %s", timeout, errb.String())
	}
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Skip("unshare failed:", err)
	}
	if code == 98 || code == 99 {
		t.Skipf("no usable network namespace: %s", errb.String())
	}
	return run{code, out.String(), errb.String()}
}

// listenEnv names the ports TestHelperListen listens on, in the namespace
// where the test binary is started as a helper.
const listenEnv, readyEnv = "NETPROBE_TEST_LISTEN", "NETPROBE_TEST_READY"

// TestHelperListen is not a test: started by a script in a network
// namespace, it listens on the ports of $NETPROBE_TEST_LISTEN, says so
// in the file $NETPROBE_TEST_READY, and waits to be killed.
func TestHelperListen(t *testing.T) {
	spec := os.Getenv(listenEnv)
	if spec == "" {
		t.Skip("helper for the namespace tests")
	}
	for _, p := range strings.Split(spec, ",") {
		l, err := net.Listen("tcp", "127.0.0.1:"+p)
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		go func() {
			for {
				c, err := l.Accept()
				if err != nil {
					return
				}
				c.Close()
			}
		}()
	}
	os.WriteFile(os.Getenv(readyEnv), []byte("ready"), 0o600)
	time.Sleep(2 * time.Minute)
}

// A sweep of every TCP port under `ulimit -n 256` (in its own network
// namespace, so it touches no other program's listeners): every listener
// found and every other port closed, or the summary says which ports it
// could not measure and the run is not ok.
func TestFullSweepUnderLowFDLimit(t *testing.T) {
	listeners := []int{22, 80, 443, 8080, 20000, 33333, 45678, 60000, 65535}
	var ps []string
	for _, p := range listeners {
		ps = append(ps, strconv.Itoa(p))
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	ready := filepath.Join(t.TempDir(), "ready")
	env := []string{listenEnv + "=" + strings.Join(ps, ","), readyEnv + "=" + ready, "NETPROBE_TEST_SELF=" + self}
	r := inNewNetns(t, 2*time.Minute, env, `"$NETPROBE_TEST_SELF" -test.run='^TestHelperListen$' &
L=$!
i=0
while [ ! -e "$NETPROBE_TEST_READY" ]; do sleep 0.05; i=$((i+1)); [ $i -lt 400 ] || { kill $L; exit 97; }; done
(ulimit -n 256 && exec "$0" port 127.0.0.1 1-65535 -o json --timeout 60s)
rc=$?
kill $L
exit $rc`)
	if r.code == 97 {
		t.Fatalf("the listener helper did not start: %s", r.stderr)
	}
	rep := parseReport(t, r.stdout)
	var sum checkJSON
	open := map[string]bool{}
	for _, c := range rep.checks() {
		if c.Name == "ports" {
			sum = c
		}
		if c.Name == "tcp" && c.Status == "ok" {
			open[strings.TrimPrefix(c.Target, "tcp://127.0.0.1:")] = true
		}
	}
	if sum.Name == "" {
		t.Fatalf("no summary check: %s", r.stdout)
	}
	for k := range sum.Evidence {
		if k == "count_error" || k == "count_unreachable" || k == "count_filtered" {
			t.Errorf("a loopback port read %s under the descriptor limit: %q", k, sum.Detail)
		}
	}
	count := func(k string) int { f, _ := sum.Evidence[k].(float64); return int(f) }
	if count("count_not_measured")+count("count_not_tried") == 0 {
		// Everything measured: it must be right, and the run ok.
		if r.code != 0 || count("count_open") != len(listeners) || count("count_closed") != 65535-len(listeners) {
			t.Fatalf("exit %d, summary %q", r.code, sum.Detail)
		}
		for _, p := range ps {
			if !open[p] {
				t.Errorf("listener %s not found open", p)
			}
		}
		return
	}
	// Something not measured: the run is not ok, and says which ports.
	if r.code == 0 || sum.Reason != "ports.not_measured" || !strings.Contains(sum.Detail, "not measured (") {
		t.Fatalf("exit %d with unmeasured ports; summary %s %q", r.code, sum.Reason, sum.Detail)
	}
	ranges, _ := sum.Evidence["unmeasured_ports"].([]any)
	for _, p := range listeners {
		if !open[strconv.Itoa(p)] && !inRanges(p, ranges) {
			t.Errorf("listener %d neither open nor among the unmeasured ports %v", p, ranges)
		}
	}
}

// inRanges reports whether port p/tcp is in ranges like "1-1023/tcp".
func inRanges(p int, ranges []any) bool {
	for _, r := range ranges {
		s, _ := r.(string)
		spec, ok := strings.CutSuffix(s, "/tcp")
		if !ok {
			continue
		}
		lo, hi, isRange := strings.Cut(spec, "-")
		if !isRange {
			hi = lo
		}
		l, _ := strconv.Atoi(lo)
		h, _ := strconv.Atoi(hi)
		if l <= p && p <= h {
			return true
		}
	}
	return false
}

// A UDP sweep of the ephemeral range, in a namespace whose ephemeral range
// is the sweep's: the probe sockets' own ports are the targets, and their
// own datagrams must never count as a service's reply.
func TestUDPSweepNeverHearsItself(t *testing.T) {
	for i := 0; i < 4; i++ {
		r := inNewNetns(t, time.Minute, nil, `echo "40000 40999" > /proc/sys/net/ipv4/ip_local_port_range || exit 98
exec "$0" port 127.0.0.1 udp/40000-40999 -o json --timeout 10s`)
		rep := parseReport(t, r.stdout)
		for _, c := range rep.checks() {
			if c.Name == "udp" && c.Status == "ok" || c.Name == "ports" && c.Evidence["count_open"] != nil {
				t.Fatalf("run %d: nothing listens, yet %s %s: %q", i, c.Name, c.Target, c.Detail)
			}
		}
	}
}
