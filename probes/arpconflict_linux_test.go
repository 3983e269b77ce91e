//go:build linux

package probes

import (
	"errors"
	"net/netip"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"testing"

	"github.com/vishvananda/netns"

	"github.com/netprobe/netprobe/result"
)

// The conflict probe against a real second device: two network
// namespaces joined by a veth pair, the other one given this one's
// address (a conflict) or another one (none). Root only; the namespaces
// (npa-*) and addresses (10.77.250.0/24) are this test's own and nothing
// is connected to the host.
func TestAddressConflictInNamespaces(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to build network namespaces")
	}
	if _, err := exec.LookPath("ip"); err != nil {
		t.Skip("needs ip (iproute2)")
	}
	const me, other = "npa-me", "npa-other"
	run := func(args ...string) {
		t.Helper()
		if out, err := exec.Command("ip", args...).CombinedOutput(); err != nil {
			t.Fatalf("ip %s: %v: %s", strings.Join(args, " "), err, out)
		}
	}
	for _, ns := range []string{me, other} {
		exec.Command("ip", "netns", "del", ns).Run() // leftovers of a killed run
		run("netns", "add", ns)
		t.Cleanup(func() { exec.Command("ip", "netns", "del", ns).Run() })
	}
	run("-n", me, "link", "add", "a0", "type", "veth", "peer", "name", "b0", "netns", other)
	run("-n", me, "addr", "add", "10.77.250.10/24", "dev", "a0")
	run("-n", me, "link", "set", "a0", "up")
	run("-n", other, "link", "set", "b0", "up")

	probe := func() result.Check {
		t.Helper()
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		orig, err := netns.Get()
		if err != nil {
			t.Fatal(err)
		}
		defer orig.Close()
		h, err := netns.GetFromName(me)
		if err != nil {
			t.Fatal(err)
		}
		defer h.Close()
		if err := netns.Set(h); err != nil {
			t.Fatal(err)
		}
		defer netns.Set(orig)
		return AddressConflict(longCtx(t), "a0", netip.MustParseAddr("10.77.250.10"))
	}

	run("-n", other, "addr", "add", "10.77.250.11/24", "dev", "b0")
	if c := probe(); c.Status != result.OK || c.Reason != "" {
		t.Fatalf("no conflict: %s %q %s", c.Status, c.Reason, c.Detail)
	}
	run("-n", other, "addr", "add", "10.77.250.10/24", "dev", "b0")
	c := probe()
	if c.Status != result.Fail || c.Reason != result.ReasonAddressConflict || c.Evidence["other_mac"] == nil || c.Evidence["other_mac"] == c.Evidence["mac"] {
		t.Fatalf("conflict: %s %q %v: %s", c.Status, c.Reason, c.Evidence, c.Detail)
	}
}

// Without raw-socket rights the check is "not measured", never a verdict.
func TestAddressConflictPermission(t *testing.T) {
	if got := conflictSkipReason(os.ErrPermission); got != result.ReasonLocalPermission {
		t.Errorf("EPERM: %q", got)
	}
}

// Off Linux the raw-socket library cannot send ARP at all: not measured,
// for that reason.
func TestAddressConflictUnsupportedReason(t *testing.T) {
	if got := conflictSkipReason(errors.ErrUnsupported); got != result.ReasonLocalUnsupported {
		t.Errorf("unsupported: %q", got)
	}
}
