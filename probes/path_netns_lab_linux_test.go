//go:build linux

package probes

// A small lab of its own for the path probes: four network namespaces,
//
//	npt-pc (client) — npt-pr1 (router 1) — npt-pr2 (router 2) — npt-ps (server)
//	   10.77.200.0/24      10.77.201.0/24       198.19.200.0/24
//	   fd00:77:0:c800::/64 fd00:77:0:c801::/64  fd00:77:0:c802::/64
//
// with faults made by nftables on the routers. Subnets and names are
// distinct from the fault lab's (e2e/, np-*), which may run at the same
// time. Servers run in this test process on a thread switched into the
// server namespace; each probe runs in a child process started inside
// the client namespace by `ip netns exec npt-pc` (this test binary again,
// TestPathNSHelper), which first proves it is in npt-pc: a probe's inner
// goroutines run on other threads, and a thread outside the lab must never
// send these packets.

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/vishvananda/netns"

	"github.com/netprobe/netprobe/result"
)

// The lab's namespaces: only these exact names are ever created or deleted.
const (
	nptClient  = "npt-pc"
	nptRouter1 = "npt-pr1"
	nptRouter2 = "npt-pr2"
	nptServer  = "npt-ps"
)

var nptNamespaces = []string{nptClient, nptRouter1, nptRouter2, nptServer}

// Addresses: the client's side of each router is the address its "time
// exceeded" comes from.
var (
	nptR1v4     = netip.MustParseAddr("10.77.200.1")
	nptR2v4     = netip.MustParseAddr("10.77.201.2")
	nptServerV4 = netip.MustParseAddr("198.19.200.2")
	nptR1v6     = netip.MustParseAddr("fd00:77:0:c800::1")
	nptR2v6     = netip.MustParseAddr("fd00:77:0:c801::2")
	nptServerV6 = netip.MustParseAddr("fd00:77:0:c802::2")
)

const nptHelperEnv = "NETPROBE_PATH_NS_HELPER"

// nptTopology says how to build the lab.
type nptTopology struct {
	// linkMTU, when set, is the MTU of the link between the routers.
	linkMTU int
	// kernelRateLimit keeps the kernel's ICMP rate limit on the routers
	// (6 at once, then 1 a second per destination); otherwise it is off,
	// so the only "rate limiting" is the one a test makes with nftables.
	kernelRateLimit bool
}

// nptSh runs a command, bounded in time, and returns its output.
func nptSh(stdin string, name string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	if stdin != "" {
		cmd.Stdin = strings.NewReader(stdin)
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("%s %s: %w\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out), nil
}

// nptLab builds the topology, or skips the test when this is not root or
// the tools are missing. Everything is removed when the test ends.
func nptLab(t *testing.T, topo nptTopology) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("the path namespace lab needs root (ip netns, nftables)")
	}
	for _, tool := range []string{"ip", "nft"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("the path namespace lab needs %s: %v", tool, err)
		}
	}
	if os.Getenv(nptHelperEnv) != "" {
		t.Skip("inside a helper process")
	}
	nptLock(t)
	nptRemove()
	t.Cleanup(nptRemove)
	sysctl := func(ns string, kv ...string) {
		if _, err := nptSh("", "ip", append([]string{"netns", "exec", ns, "sysctl", "-q", "-w"}, kv...)...); err != nil {
			t.Fatal(err)
		}
	}
	for _, ns := range nptNamespaces {
		if _, err := nptSh("", "ip", "netns", "add", ns); err != nil {
			t.Fatal(err)
		}
		// Before any link exists: duplicate address detection would keep
		// the link-local addresses tentative, and neighbour discovery with
		// them, for the first seconds.
		sysctl(ns, "net.ipv6.conf.default.accept_dad=0", "net.ipv6.conf.all.accept_dad=0")
	}
	// Routers forward; set before the links exist, as a change of
	// forwarding makes every interface rejoin its multicast groups.
	for _, ns := range []string{nptRouter1, nptRouter2} {
		sysctl(ns, "net.ipv4.ip_forward=1", "net.ipv6.conf.all.forwarding=1", "net.ipv6.conf.default.forwarding=1")
	}
	// The client may open unprivileged ICMP sockets, so the datagram
	// socket can be tested as root too.
	sysctl(nptClient, "net.ipv4.ping_group_range=0 2147483647")
	if !topo.kernelRateLimit {
		for _, ns := range []string{nptRouter1, nptRouter2, nptServer} {
			sysctl(ns, "net.ipv4.icmp_ratelimit=0", "net.ipv6.icmp.ratelimit=0")
		}
	}
	var cmds [][]string
	ip := func(args ...string) { cmds = append(cmds, args) }
	ip("link", "add", "c0", "netns", nptClient, "type", "veth", "peer", "name", "r1c", "netns", nptRouter1)
	ip("link", "add", "r1r2", "netns", nptRouter1, "type", "veth", "peer", "name", "r2r1", "netns", nptRouter2)
	ip("link", "add", "r2s", "netns", nptRouter2, "type", "veth", "peer", "name", "s0", "netns", nptServer)
	addr := func(ns, dev, v4, v6 string) {
		ip("-n", ns, "addr", "add", v4, "dev", dev)
		ip("-n", ns, "addr", "add", v6, "dev", dev, "nodad")
		ip("-n", ns, "link", "set", dev, "up")
	}
	addr(nptClient, "c0", "10.77.200.2/24", "fd00:77:0:c800::2/64")
	addr(nptRouter1, "r1c", "10.77.200.1/24", "fd00:77:0:c800::1/64")
	addr(nptRouter1, "r1r2", "10.77.201.1/24", "fd00:77:0:c801::1/64")
	addr(nptRouter2, "r2r1", "10.77.201.2/24", "fd00:77:0:c801::2/64")
	addr(nptRouter2, "r2s", "198.19.200.1/24", "fd00:77:0:c802::1/64")
	addr(nptServer, "s0", "198.19.200.2/24", "fd00:77:0:c802::2/64")
	for _, ns := range nptNamespaces {
		ip("-n", ns, "link", "set", "lo", "up")
	}
	ip("-n", nptClient, "route", "add", "default", "via", "10.77.200.1")
	ip("-n", nptClient, "-6", "route", "add", "default", "via", "fd00:77:0:c800::1")
	ip("-n", nptRouter1, "route", "add", "198.19.200.0/24", "via", "10.77.201.2")
	ip("-n", nptRouter1, "-6", "route", "add", "fd00:77:0:c802::/64", "via", "fd00:77:0:c801::2")
	ip("-n", nptRouter2, "route", "add", "10.77.200.0/24", "via", "10.77.201.1")
	ip("-n", nptRouter2, "-6", "route", "add", "fd00:77:0:c800::/64", "via", "fd00:77:0:c801::1")
	ip("-n", nptServer, "route", "add", "default", "via", "198.19.200.1")
	ip("-n", nptServer, "-6", "route", "add", "default", "via", "fd00:77:0:c802::1")
	if topo.linkMTU > 0 {
		mtu := fmt.Sprint(topo.linkMTU)
		ip("-n", nptRouter1, "link", "set", "r1r2", "mtu", mtu)
		ip("-n", nptRouter2, "link", "set", "r2r1", "mtu", mtu)
	}
	for _, c := range cmds {
		if _, err := nptSh("", "ip", c...); err != nil {
			t.Fatal(err)
		}
	}
	nptWarm(t)
}

// nptWarm traces the path once each way before a test measures it, and
// fails when the lab does not work. The first packets on fresh links can
// wait a second for neighbour discovery: that is the lab starting, not a
// fault under test.
func nptWarm(t *testing.T) {
	t.Helper()
	start := time.Now()
	errs := make(chan string, 2)
	for _, dst := range []netip.Addr{nptServerV4, nptServerV6} {
		go func() {
			spec := nptSpec{Probe: "trace", Addr: dst, Trace: TraceOptions{UDP: true, Probes: 1, MaxHops: 4}, Budget: 4 * time.Second}
			out, err := nptExec(spec)
			switch {
			case err != nil:
				errs <- err.Error()
			case len(out.Checks) != 1 || out.Checks[0].Evidence["reached"] != true:
				errs <- fmt.Sprintf("the lab does not reach %s: %+v", dst, out.Checks)
			default:
				errs <- ""
			}
		}()
	}
	for range 2 {
		if e := <-errs; e != "" {
			t.Fatal(e)
		}
	}
	t.Logf("lab warm in %s", time.Since(start).Round(time.Millisecond))
}

// nptRemove deletes the lab's namespaces, whatever a crashed run left.
func nptRemove() {
	out, err := nptSh("", "ip", "netns", "list")
	if err != nil {
		return
	}
	have := map[string]bool{}
	for _, line := range strings.Split(out, "\n") {
		if f := strings.Fields(line); len(f) > 0 {
			have[f[0]] = true
		}
	}
	for _, ns := range nptNamespaces {
		if have[ns] {
			_, _ = nptSh("", "ip", "netns", "del", ns)
		}
	}
}

// nptLock serialises runs of this lab on one machine (two `go test` at
// once would delete each other's namespaces).
func nptLock(t *testing.T) {
	dir := "/run/lock"
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		dir = os.TempDir()
	}
	f, err := os.OpenFile(filepath.Join(dir, "netprobe-path-ns.lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
}

// nptNFT replaces the ruleset of a router namespace ("" clears it).
func nptNFT(t *testing.T, ns, ruleset string) {
	t.Helper()
	if ns != nptRouter1 && ns != nptRouter2 {
		t.Fatalf("nftables rules belong on the lab's routers, not %s", ns)
	}
	if _, err := nptSh("flush ruleset\n"+ruleset, "ip", "netns", "exec", ns, "nft", "-f", "-"); err != nil {
		t.Fatal(err)
	}
}

// nftChain is a ruleset of one filter chain on hook with these rules.
func nftChain(hook string, rules ...string) string {
	return fmt.Sprintf("table inet npt_%s {\n  chain c {\n    type filter hook %s priority 0;\n    %s\n  }\n}\n", hook, hook, strings.Join(rules, "\n    "))
}

// nptWithNS runs fn on an OS thread switched into the namespace; sockets
// fn opens stay there. A thread that cannot switch back is discarded.
func nptWithNS(t *testing.T, name string, fn func() error) {
	t.Helper()
	h, err := netns.GetFromName(name)
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		orig, err := netns.Get()
		if err != nil {
			errc <- err
			return
		}
		defer orig.Close()
		if err := netns.Set(h); err != nil {
			errc <- err
			return
		}
		ferr := fn()
		if err := netns.Set(orig); err != nil {
			errc <- fmt.Errorf("setns back: %w", err)
			return
		}
		runtime.UnlockOSThread()
		errc <- ferr
	}()
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
}

// nptTLSServer serves TLS handshakes with the big chain on port 443 of the
// server namespace, IPv4 and IPv6.
func nptTLSServer(t *testing.T) {
	t.Helper()
	cfg := &tls.Config{Certificates: []tls.Certificate{bigChain(t)}}
	for _, a := range []netip.Addr{nptServerV4, nptServerV6} {
		var ln net.Listener
		nptWithNS(t, nptServer, func() error {
			var err error
			ln, err = net.Listen("tcp", netip.AddrPortFrom(a, 443).String())
			return err
		})
		t.Cleanup(func() { ln.Close() })
		go func() {
			for {
				c, err := ln.Accept()
				if err != nil {
					return
				}
				go func() {
					defer c.Close()
					_ = c.SetDeadline(time.Now().Add(10 * time.Second))
					tc := tls.Server(c, cfg)
					if tc.Handshake() == nil {
						_, _ = c.Read(make([]byte, 1)) // until the client closes
					}
				}()
			}
		}()
	}
}

// nptSpec is what a helper process runs.
type nptSpec struct {
	Probe  string // "trace", "pmtu" or "tls"
	Addr   netip.Addr
	Trace  TraceOptions
	PMTU   PathMTUOptions
	Budget time.Duration
}

// nptOutput is what a helper prints: the probe's checks, or for "tls" the
// outcome of one plain handshake.
type nptOutput struct {
	Checks []result.Check
	TLSErr string
	TLSMS  float64
}

const nptResultPrefix = "NPT-RESULT "

// TestPathNSHelper is the child process of the namespace tests; it does
// nothing in a normal run.
func TestPathNSHelper(t *testing.T) {
	raw := os.Getenv(nptHelperEnv)
	if raw == "" {
		t.Skip("only runs as the namespace tests' child process")
	}
	// Refuse to send anything unless this process lives in the lab's
	// client namespace.
	want, err := netns.GetFromName(nptClient)
	if err != nil {
		t.Fatalf("no namespace %s: %v", nptClient, err)
	}
	cur, err := netns.Get()
	if err != nil || !cur.Equal(want) {
		t.Fatalf("helper is not inside %s: refusing to probe", nptClient)
	}
	var spec nptSpec
	if err := json.Unmarshal([]byte(raw), &spec); err != nil {
		t.Fatal(err)
	}
	if !spec.Addr.IsValid() || !(netip.MustParsePrefix("198.18.0.0/15").Contains(spec.Addr) ||
		netip.MustParsePrefix("10.77.0.0/16").Contains(spec.Addr) || netip.MustParsePrefix("fd00:77::/48").Contains(spec.Addr)) {
		t.Fatalf("target %s is outside the lab ranges", spec.Addr)
	}
	ctx, cancel := context.WithTimeout(context.Background(), spec.Budget)
	defer cancel()
	var out nptOutput
	switch spec.Probe {
	case "trace":
		out.Checks = NewTrace(spec.Addr, spec.Trace)(ctx)
	case "pmtu":
		out.Checks = NewPathMTU(spec.Addr, spec.PMTU)(ctx)
	case "tls":
		start := time.Now()
		c, err := (&net.Dialer{}).DialContext(ctx, "tcp", netip.AddrPortFrom(spec.Addr, 443).String())
		if err == nil {
			err = tls.Client(c, &tls.Config{InsecureSkipVerify: true}).HandshakeContext(ctx) //nolint:gosec
			c.Close()
		}
		out.TLSMS = ms(time.Since(start))
		if err != nil {
			out.TLSErr = err.Error()
		}
	default:
		t.Fatalf("unknown probe %q", spec.Probe)
	}
	b, err := json.Marshal(out)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Println(nptResultPrefix + string(b))
}

// nptRun runs spec in a child process inside the client namespace.
func nptRun(t *testing.T, spec nptSpec) nptOutput {
	t.Helper()
	out, err := nptExec(spec)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// nptExec starts the child process through the lab's wrapper, `ip netns
// exec npt-pc`, with the namespace's name written out.
func nptExec(spec nptSpec) (nptOutput, error) {
	exe, err := os.Executable()
	if err != nil {
		return nptOutput{}, err
	}
	js, err := json.Marshal(spec)
	if err != nil {
		return nptOutput{}, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), spec.Budget+10*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "ip", "netns", "exec", "npt-pc", exe, "-test.run=^TestPathNSHelper$", "-test.count=1")
	// A race-detector build otherwise sleeps a second at exit, waiting for
	// reports from other threads: a second per probe run.
	cmd.Env = append(os.Environ(), nptHelperEnv+"="+string(js), "GORACE="+strings.TrimSpace(os.Getenv("GORACE")+" atexit_sleep_ms=0"))
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nptOutput{}, fmt.Errorf("helper: %v\n%s%s", err, stdout.String(), stderr.String())
	}
	sc := bufio.NewScanner(&stdout)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		if js, ok := strings.CutPrefix(sc.Text(), nptResultPrefix); ok {
			var out nptOutput
			if err := json.Unmarshal([]byte(js), &out); err != nil {
				return nptOutput{}, err
			}
			return out, nil
		}
	}
	return nptOutput{}, fmt.Errorf("helper printed no result:\n%s%s", stdout.String(), stderr.String())
}

// nptCheck runs a probe in the client namespace and returns its one check.
func nptCheck(t *testing.T, spec nptSpec) result.Check {
	t.Helper()
	if spec.Budget == 0 {
		spec.Budget = 6 * time.Second
	}
	out := nptRun(t, spec)
	if len(out.Checks) != 1 {
		t.Fatalf("%s returned %d checks, want 1", spec.Probe, len(out.Checks))
	}
	c := out.Checks[0]
	js, _ := json.Marshal(c.Evidence)
	t.Logf("%s %s: %s %s (%s) in %s\n  evidence %s", c.Name, c.Target, c.Status, c.Reason, c.Detail, c.Duration.Round(time.Millisecond), js)
	if c.Status != result.OK && !c.Reason.Known() {
		t.Errorf("status %s with unregistered reason %q", c.Status, c.Reason)
	}
	if c.Duration > spec.Budget {
		t.Errorf("took %s, over its budget of %s", c.Duration, spec.Budget)
	}
	return c
}

// Evidence readers for checks that went through JSON.
func evInt(t *testing.T, c result.Check, key string) int {
	t.Helper()
	v, ok := c.Evidence[key].(float64)
	if !ok {
		t.Fatalf("evidence %q = %#v, want a number", key, c.Evidence[key])
	}
	return int(v)
}

func evString(c result.Check, key string) string {
	s, _ := c.Evidence[key].(string)
	return s
}

func evHops(t *testing.T, c result.Check) []result.Hop {
	t.Helper()
	b, err := json.Marshal(c.Evidence["hops"])
	if err != nil {
		t.Fatal(err)
	}
	var hops []result.Hop
	if err := json.Unmarshal(b, &hops); err != nil {
		t.Fatalf("hops: %v", err)
	}
	return hops
}

func evMap(c result.Check, key string) map[string]string {
	out := map[string]string{}
	m, _ := c.Evidence[key].(map[string]any)
	for k, v := range m {
		out[k], _ = v.(string)
	}
	return out
}

// wantHops checks the trace's rows name these addresses, in order.
func wantHops(t *testing.T, c result.Check, addrs ...netip.Addr) []result.Hop {
	t.Helper()
	hops := evHops(t, c)
	var got []string
	for _, h := range hops {
		got = append(got, h.Addr)
	}
	var want []string
	for _, a := range addrs {
		want = append(want, a.String())
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("hops %v, want %v", got, want)
	}
	return hops
}
