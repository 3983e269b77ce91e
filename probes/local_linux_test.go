//go:build linux

package probes

import (
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/netprobe/netprobe/internal/fdlimit"
	"github.com/netprobe/netprobe/internal/testnet"
	"github.com/netprobe/netprobe/result"
)

const emfileChildEnv = "NETPROBE_TEST_EMFILE_CHILD"

// TestRealEMFILE runs TestEMFILEChild in a child process, where the
// descriptor limit is lowered for real: the kernel answers EMFILE, past
// anything the descriptor pool could prevent.
func TestRealEMFILE(t *testing.T) {
	if os.Getenv(emfileChildEnv) != "" {
		t.Skip("this is the child")
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestEMFILEChild$", "-test.count=1", "-test.v")
	cmd.Env = append(os.Environ(), emfileChildEnv+"=1")
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "--- PASS: TestEMFILEChild") {
		t.Fatalf("child: %v\n%s", err, out)
	}
}

// limitLeaving is the descriptor limit that leaves exactly free
// descriptors: the kernel refuses a new descriptor whose number would
// reach the limit, and hands out the lowest free number first.
func limitLeaving(t *testing.T, free int) uint64 {
	var l unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_NOFILE, &l); err != nil {
		t.Fatal(err)
	}
	setSoftLimit(t, l.Max) // room to look
	f, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	lowest := int(f.Fd())
	f.Close()
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skip("no /proc/self/fd:", err)
	}
	used := map[int]bool{}
	for _, e := range entries {
		if n, err := strconv.Atoi(e.Name()); err == nil {
			used[n] = true
		}
	}
	delete(used, lowest) // the directory ReadDir read, closed again
	// The limit is the (free+1)-th free number: below it, free numbers.
	n := 0
	for l := 0; ; l++ {
		if used[l] {
			continue
		}
		if n == free {
			return uint64(l)
		}
		n++
	}
}

func setSoftLimit(t *testing.T, n uint64) {
	var l unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_NOFILE, &l); err != nil {
		t.Fatal(err)
	}
	l.Cur = n
	if err := unix.Setrlimit(unix.RLIMIT_NOFILE, &l); err != nil {
		t.Fatal(err)
	}
}

func TestEMFILEChild(t *testing.T) {
	if os.Getenv(emfileChildEnv) == "" {
		t.Skip("run by TestRealEMFILE")
	}
	open, closed := testnet.OpenTCP(t), testnet.ClosedTCP(t)
	udp := testnet.ClosedUDP(t)
	ctx := longCtx(t)
	time.Sleep(50 * time.Millisecond) // let the listeners' goroutines settle

	// No descriptor left at all.
	setSoftLimit(t, limitLeaving(t, 0))
	c := TCP(ctx, "127.0.0.1", open, TCPOptions{})
	if c.Status != result.Skip || c.Reason != result.ReasonLocalResources || !strings.Contains(c.Detail, "too many open files on this computer") {
		t.Errorf("tcp with no descriptor = %s %s %q", c.Status, c.Reason, c.Detail)
	}
	u := UDP(ctx, "127.0.0.1", udp)
	if u.Status != result.Skip || u.Reason != result.ReasonLocalResources {
		t.Errorf("udp with no descriptor = %s %s %q", u.Status, u.Reason, u.Detail)
	}
	var ports []PortSpec
	for i := 0; i < 200; i++ {
		ports = append(ports, PortSpec{"tcp", 20000 + i})
	}
	ports = append(ports, PortSpec{"tcp", open})
	got := Ports(shortCtx(t, 2*time.Second), "127.0.0.1", ports, PortsOptions{})
	sum := got[len(got)-1]
	if sum.Status == result.OK || sum.Reason != result.ReasonPortsNotMeasured || sum.Evidence["count_not_measured"] != len(ports) ||
		!strings.Contains(sum.Detail, "20000-20199/tcp") || !strings.Contains(sum.Detail, "too many open files on this computer") {
		t.Errorf("sweep with no descriptor = %s %s %v %q", sum.Status, sum.Reason, sum.Evidence, sum.Detail)
	}

	// Two descriptors left, and a pool that believes in eight: some
	// sockets fail, and the sweep says which ports it could not measure.
	setSoftLimit(t, limitLeaving(t, 2))
	restore := fdlimit.SetCapacityForTest(8)
	defer restore()
	ports = ports[:0]
	for i := 0; i < 300; i++ {
		ports = append(ports, PortSpec{"tcp", closed})
	}
	ports = append(ports, PortSpec{"tcp", open})
	got = Ports(shortCtx(t, 3*time.Second), "127.0.0.1", ports, PortsOptions{})
	sum = got[len(got)-1]
	notMeasured, _ := sum.Evidence["count_not_measured"].(int)
	measured, _ := sum.Evidence["count_closed"].(int)
	openN, _ := sum.Evidence["count_open"].(int)
	if measured+notMeasured+openN != len(ports) {
		t.Errorf("counts do not add up to %d: %v", len(ports), sum.Evidence)
	}
	for k := range sum.Evidence {
		if k == "count_error" || k == "count_unreachable" || k == "count_filtered" {
			t.Errorf("a local failure became a port state: %v", sum.Evidence)
		}
	}
	if notMeasured > 0 && (sum.Status == result.OK || sum.Reason != result.ReasonPortsNotMeasured) {
		t.Errorf("a sweep with %d unmeasured ports is %s %s: %q", notMeasured, sum.Status, sum.Reason, sum.Detail)
	}
	t.Logf("partial sweep: %q", sum.Detail)
}
