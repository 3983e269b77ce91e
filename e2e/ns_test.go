//go:build linux

package e2e

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/vishvananda/netns"
)

// nsPrefix marks every namespace the lab owns, so a crashed run's leftovers
// can be found and removed without touching anything else on the host.
const nsPrefix = "np-"

// labDirPattern names the lab's temp directory (os.MkdirTemp pattern).
const labDirPattern = "np-e2e-"

// The lab's namespaces. The LAN is its own namespace holding a bridge (the
// "switch"), so taking the router's LAN port down leaves the client's link
// up: with a plain veth pair the client would see NO-CARRIER and the fault
// would look like a link failure instead of a dead gateway. The ISP router
// sits between the client's router and the upstream hosts, so the path to
// the internet has two router hops and a fault can start at the second.
const (
	nsClient = nsPrefix + "client"
	nsLAN    = nsPrefix + "lan"
	nsRouter = nsPrefix + "router"
	nsISP    = nsPrefix + "isp"
	// nsDup is a second device on the LAN that, in one scenario, takes the
	// client's own address (an address conflict). Its port on the switch
	// is down otherwise.
	nsDup      = nsPrefix + "dup"
	nsUpstream = nsPrefix + "upstream"
	nsPrinter  = nsPrefix + "printer"
)

var labNamespaces = []string{nsClient, nsLAN, nsRouter, nsISP, nsUpstream, nsPrinter, nsDup}

// cmdTimeout bounds every helper command (ip, nft, sysctl): they take
// milliseconds, and a hung one must not eat the suite's budget.
const cmdTimeout = 20 * time.Second

// sh runs a command with the given stdin and returns its combined output.
// The error carries the command line and output, because a bare "exit
// status 2" from ip is useless when a lab step fails in CI.
func sh(stdin string, name string, args ...string) (string, error) {
	cmd := exec.Command(name, args...)
	if stdin != "" {
		cmd.Stdin = strings.NewReader(stdin)
	}
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	if err := cmd.Start(); err != nil {
		return "", fmt.Errorf("%s %s: %w", name, strings.Join(args, " "), err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			return out.String(), fmt.Errorf("%s %s: %w\n%s", name, strings.Join(args, " "), err, out.String())
		}
		return out.String(), nil
	case <-time.After(cmdTimeout):
		_ = cmd.Process.Kill()
		<-done
		return out.String(), fmt.Errorf("%s %s: timed out after %s", name, strings.Join(args, " "), cmdTimeout)
	}
}

// inNS runs a command inside a namespace through `ip netns exec`, which
// also bind-mounts /etc/netns/<ns>/* over /etc (the client's resolv.conf).
func inNS(ns string, name string, args ...string) (string, error) {
	return sh("", "ip", append([]string{"netns", "exec", ns, name}, args...)...)
}

// ipBatch feeds iproute2 commands to one `ip -batch` process per namespace:
// one fork instead of dozens keeps resets in the millisecond range. With
// force, ip keeps going past errors, which is what an idempotent reset wants
// ("address already there", "rule not found").
func ipBatch(ns string, force bool, family string, lines ...string) error {
	args := []string{"-n", ns}
	if family != "" {
		args = append(args, family)
	}
	if force {
		args = append(args, "-force")
	}
	args = append(args, "-batch", "-")
	out, err := sh(strings.Join(lines, "\n")+"\n", "ip", args...)
	if err != nil && !force {
		return err
	}
	_ = out
	return nil
}

// nftApply loads a ruleset into a namespace, replacing whatever the lab put
// there before. Faults own the whole ruleset of a lab host: the lab hosts
// have no other rules, so "flush ruleset" is a complete undo.
func nftApply(ns, ruleset string) error {
	_, err := sh("flush ruleset\n"+ruleset, "ip", "netns", "exec", ns, "nft", "-f", "-")
	return err
}

// withNS runs fn on an OS thread switched into the namespace ns. Sockets
// created inside fn stay in that namespace after the thread switches back,
// which is how the test process serves DNS, HTTPS, SMTP and printer ports
// inside the lab without helper processes. If switching back fails, the
// thread stays locked and Go discards it when the goroutine ends, so no
// other goroutine ever runs in the wrong namespace.
func withNS(ns netns.NsHandle, fn func() error) error {
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		orig, err := netns.Get()
		if err != nil {
			errc <- err
			return
		}
		defer orig.Close()
		if err := netns.Set(ns); err != nil {
			errc <- fmt.Errorf("setns: %w", err)
			return
		}
		ferr := fn()
		if err := netns.Set(orig); err != nil {
			errc <- fmt.Errorf("setns back: %w (thread discarded)", err)
			return
		}
		runtime.UnlockOSThread()
		errc <- ferr
	}()
	return <-errc
}

// removeLeftovers deletes every np-* namespace (and its /etc/netns
// directory) a previous, crashed run may have left, first killing the
// processes still living in it (snmpsimd): they are found by namespace, not
// by name, so nothing outside the lab is touched.
func removeLeftovers() error {
	out, err := sh("", "ip", "netns", "list")
	if err != nil {
		return err
	}
	for _, line := range strings.Split(out, "\n") {
		fields := strings.Fields(line)
		if len(fields) == 0 || !strings.HasPrefix(fields[0], nsPrefix) {
			continue
		}
		name := fields[0]
		killNSProcesses(name)
		if _, err := sh("", "ip", "netns", "del", name); err != nil {
			return err
		}
		_ = os.RemoveAll(filepath.Join("/etc/netns", name))
	}
	// A crash between "mkdir /etc/netns/np-client" and "ip netns add"
	// leaves a directory with no namespace.
	dirs, _ := filepath.Glob("/etc/netns/" + nsPrefix + "*")
	// And the temp directories (binary, CA, recordings) of crashed runs;
	// the lab lock guarantees none of them belongs to a live run.
	tmps, _ := filepath.Glob(filepath.Join(os.TempDir(), labDirPattern+"*"))
	for _, d := range append(dirs, tmps...) {
		_ = os.RemoveAll(d)
	}
	return nil
}

// killNSProcesses kills, by pid, the processes whose network namespace is
// the named lab namespace.
func killNSProcesses(name string) {
	out, err := sh("", "ip", "netns", "pids", name)
	if err != nil {
		return
	}
	for _, f := range strings.Fields(out) {
		pid, err := strconv.Atoi(f)
		if err != nil || pid <= 1 || pid == os.Getpid() {
			continue
		}
		_ = syscall.Kill(pid, syscall.SIGKILL)
	}
}

// labLock serialises lab runs on one machine: two `go test ./...` (two
// engineers, or an editor and a terminal) would otherwise delete each
// other's namespaces, since both use the same fixed names.
func labLock() (release func(), err error) {
	dir := "/run/lock"
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		dir = os.TempDir()
	}
	f, err := os.OpenFile(filepath.Join(dir, "netprobe-e2e.lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, err
	}
	deadline := time.Now().Add(6 * time.Minute)
	for {
		err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			return func() { _ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN); f.Close() }, nil
		}
		if time.Now().After(deadline) {
			f.Close()
			return nil, fmt.Errorf("another fault-lab run holds %s: %w", f.Name(), err)
		}
		time.Sleep(500 * time.Millisecond)
	}
}
