//go:build linux

package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

// labOnlyEnv, when set, runs every scenario's fault and the lab's own proof
// of it, but not netprobe: for working on the lab itself.
const labOnlyEnv = "NETPROBE_E2E_LAB_ONLY"

// holdEnv (a duration) keeps the freshly built lab up that long before the
// scenarios run, to look around in it by hand.
const holdEnv = "NETPROBE_E2E_HOLD"

// defaultRunTimeout is the --timeout of an ordinary scenario run. Short
// enough to keep the suite fast, long enough that a correct netprobe never
// needs all of it in a healthy lab.
const defaultRunTimeout = 10 * time.Second

// requireLab skips where the lab cannot exist: it needs root for
// namespaces and the tools that build them. Under CI (CI=true), which runs
// as root and installs the tools, a missing tool is a failure instead: a
// skipped lab there would hide a broken install step behind a green run.
func requireLab(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("fault lab skipped in -short mode: it builds network namespaces and takes about a minute")
	}
	if os.Geteuid() != 0 {
		t.Skip("fault lab needs root (network namespaces, veth, nftables); run `sudo make e2e` or `sudo go test ./e2e -v`")
	}
	skip := t.Skipf
	if os.Getenv("CI") == "true" {
		skip = t.Fatalf
	}
	for _, tool := range []string{"ip", "nft", "setpriv", "snmpsimd"} {
		if _, err := exec.LookPath(tool); err != nil {
			skip("fault lab needs %q on PATH (apt-get install iproute2 nftables util-linux snmpsim): %v", tool, err)
		}
	}
	if _, err := os.Stat("/dev/net/tun"); err != nil {
		skip("fault lab needs /dev/net/tun for its latency relay: %v", err)
	}
}

// argSet is a netprobe command line under construction. Every scenario
// starts from the healthy-lab flags and changes what its fault needs.
type argSet struct {
	upstreams []string
	dnsName   string
	targets   []string
	printers  []string
	community string
	// portalURLs are lab URLs for the captive-portal check; without any,
	// the check is skipped (its defaults are public names).
	portalURLs []string
	// proxy is the web proxy to use (a lab http:// URL); without one the
	// run ignores every proxy setting (--no-proxy), so this machine's own
	// settings never steer it.
	proxy string
	extra []string
}

func defaultArgs() *argSet {
	return &argSet{
		upstreams: []string{anycastV4, anycastV6},
		dnsName:   "www.lab.test",
		targets:   []string{"https://svc.lab.test/", "tcp://mail.lab.test:587"},
		printers:  []string{printerV4},
		community: communityHealthy,
	}
}

func (a *argSet) argv(l *lab) []string {
	var out []string
	for _, u := range a.upstreams {
		out = append(out, "--upstream", u)
	}
	out = append(out, "--dns-name", a.dnsName)
	for _, tg := range a.targets {
		out = append(out, "--target", tg)
	}
	if len(a.printers) > 0 {
		for _, p := range a.printers {
			out = append(out, "--printer", p)
		}
		out = append(out, "--community", a.community)
	}
	out = append(out, "--ca-file", l.caFile)
	for _, u := range a.portalURLs {
		out = append(out, "--portal-url", u)
	}
	if len(a.portalURLs) == 0 {
		out = append(out, "--no-portal-check")
	}
	if a.proxy != "" {
		out = append(out, "--proxy", a.proxy)
	} else {
		out = append(out, "--no-proxy")
	}
	return append(out, a.extra...)
}

// pendingEnv, set to "run", runs netprobe in scenarios whose feature is
// still pending (scenario.needs) instead of skipping that part.
const pendingEnv = "NETPROBE_E2E_PENDING"

// scenario is one fault and the verdict netprobe must reach.
type scenario struct {
	name string
	// fault breaks the healthy lab (nil: the lab stays healthy).
	fault func(t *testing.T, l *lab)
	// labSays proves, with the lab's own probes from inside the client
	// namespace, that the fault is in place before netprobe is asked.
	labSays func(l *lab) error
	// args changes the default command line.
	args         func(a *argSet)
	timeout      time.Duration
	unprivileged bool
	// signal, when set, is sent to netprobe's process group signalAfter
	// its start, as Ctrl-C in a terminal would.
	signal      syscall.Signal
	signalAfter time.Duration
	// needs names the netprobe feature the assertions wait for. While it
	// is set, the fault is built and proven but the netprobe run is
	// skipped, unless NETPROBE_E2E_PENDING=run: the lab side stays proven
	// in CI, and the lead deletes the mark when the feature lands.
	needs string

	status []string // accepted verdict.status values
	layer  []string // accepted verdict.layer values (nil: any)
	reason []string // accepted verdict.reason values (nil: not checked)
	// exit is the expected exit code when it is not the one verdict.status
	// implies (130 after SIGINT); 0: implied by the status.
	exit int
	// evidence asserts the key piece of evidence in the report.
	evidence func(t asserter, r *report)
}

// asserter is the part of *testing.T the assertions use, so their own
// tests can feed them reports and see what they reject.
type asserter interface {
	Helper()
	Errorf(format string, args ...any)
	Logf(format string, args ...any)
	Failed() bool
}

// signalExitBound is how soon after SIGINT netprobe must have exited,
// report printed: the probes are cancelled, not waited for.
const signalExitBound = time.Second

// TestFaultLab builds the lab once and runs every scenario against it in
// sequence: scenarios share the namespaces and servers and toggle one fault
// each, which keeps the suite within minutes on two cores.
func TestFaultLab(t *testing.T) {
	requireLab(t)
	release, err := labLock()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(release)

	start := time.Now()
	l := newLab(t)
	t.Logf("lab up in %s", time.Since(start).Round(time.Millisecond))

	if d, err := time.ParseDuration(os.Getenv(holdEnv)); err == nil && d > 0 {
		// For debugging by hand: `ip netns exec np-client bash` meanwhile.
		t.Logf("%s: holding the healthy lab for %s", holdEnv, d)
		time.Sleep(d)
	}

	t.Run("lab_selfcheck", func(t *testing.T) {
		if err := l.selfCheck(); err != nil {
			t.Fatalf("the healthy lab is not healthy: %v", err)
		}
	})
	if t.Failed() {
		t.FailNow()
	}

	// Built once, before any fault, so a compile error reads as one
	// failure (not twenty) and no scenario's time includes the build.
	labOnly := os.Getenv(labOnlyEnv) != ""
	var bin string
	if !labOnly {
		bs := time.Now()
		if bin, err = buildNetprobe(l.dir); err != nil {
			t.Fatal(err)
		}
		t.Logf("built netprobe in %s", time.Since(bs).Round(time.Millisecond))
	}

	for _, sc := range scenarios() {
		t.Run(sc.name, func(t *testing.T) {
			t0 := time.Now()
			if err := l.reset(); err != nil {
				t.Fatalf("resetting the lab: %v", err)
			}
			t1 := time.Now()
			if sc.fault != nil {
				sc.fault(t, l)
			}
			if sc.labSays != nil {
				if err := sc.labSays(l); err != nil {
					t.Fatalf("LAB BUG: the fault is not in place as the scenario claims: %v", err)
				}
			}
			t.Logf("lab: reset %s, fault and proof %s", t1.Sub(t0).Round(time.Millisecond), time.Since(t1).Round(time.Millisecond))
			if labOnly {
				t.Skipf("%s set: lab state verified, netprobe not run", labOnlyEnv)
			}
			if sc.needs != "" && os.Getenv(pendingEnv) != "run" {
				t.Skipf("pending: %s (lab state verified; %s=run runs netprobe anyway)", sc.needs, pendingEnv)
			}
			a := defaultArgs()
			if sc.args != nil {
				sc.args(a)
			}
			timeout := sc.timeout
			if timeout == 0 {
				timeout = defaultRunTimeout
			}
			inv := invocation{args: a.argv(l), timeout: timeout, unprivileged: sc.unprivileged,
				signal: sc.signal, signalAfter: sc.signalAfter}
			o, err := runNetprobe(bin, inv)
			if err != nil {
				t.Fatal(err)
			}
			assertOutcome(t, sc, inv, o)
		})
	}
	t.Run("readme_example", func(t *testing.T) {
		if err := l.reset(); err != nil {
			t.Fatalf("resetting the lab: %v", err)
		}
		if labOnly {
			t.Skipf("%s set: netprobe not run", labOnlyEnv)
		}
		readmeExample(t, l, bin)
	})
	if err := l.reset(); err != nil {
		t.Errorf("final reset: %v", err)
	}
	t.Logf("fault lab total %s", time.Since(start).Round(time.Millisecond))
}

// assertOutcome checks the verdict, the exit code, the time bound and the
// scenario's key evidence, and on failure prints the whole report.
func assertOutcome(t asserter, sc scenario, inv invocation, o outcome) {
	t.Helper()
	v := o.report.Verdict
	t.Logf("verdict %s/%s (reason %q) in %s (exit %d): %s", v.Status, v.Layer, v.Reason, o.elapsed.Round(time.Millisecond), o.exit, v.Summary)
	defer func() {
		if t.Failed() {
			var pretty bytes.Buffer
			if err := json.Indent(&pretty, o.stdout, "", "  "); err != nil {
				pretty.Reset()
				pretty.Write(o.stdout)
			}
			t.Logf("netprobe %s\nreport:\n%s\nstderr:\n%s", strings.Join(inv.args, " "), pretty.String(), tail([]byte(o.stderr), 2000))
		}
	}()
	if o.report.Schema != "netprobe.report/v1" {
		t.Errorf("schema = %q, want netprobe.report/v1", o.report.Schema)
	}
	if !slices.Contains(sc.status, v.Status) {
		t.Errorf("verdict.status = %q, want one of %v", v.Status, sc.status)
	}
	if sc.layer != nil && !slices.Contains(sc.layer, v.Layer) {
		t.Errorf("verdict.layer = %q, want one of %v", v.Layer, sc.layer)
	}
	if sc.reason != nil && !slices.Contains(sc.reason, v.Reason) {
		t.Errorf("verdict.reason = %q, want one of %v", v.Reason, sc.reason)
	}
	wantExit := map[string]int{"ok": 0, "fail": 1, "degraded": 3, "unknown": 4}
	if sc.exit != 0 {
		if o.exit != sc.exit {
			t.Errorf("exit code %d, want %d", o.exit, sc.exit)
		}
	} else if want, ok := wantExit[v.Status]; ok && o.exit != want {
		t.Errorf("exit code %d for status %q, want %d", o.exit, v.Status, want)
	}
	if bound := inv.timeout + exitMargin; o.elapsed > bound {
		t.Errorf("run took %s, over its --timeout %s + %s margin", o.elapsed.Round(time.Millisecond), inv.timeout, exitMargin)
	}
	if inv.signal != 0 {
		switch {
		case o.signalledAt == 0:
			t.Errorf("netprobe exited after %s, before the %s it was to get at %s: the scenario proves nothing",
				o.elapsed.Round(time.Millisecond), inv.signal, inv.signalAfter)
		case o.elapsed-o.signalledAt > signalExitBound:
			t.Errorf("netprobe exited %s after %s, want within %s",
				(o.elapsed - o.signalledAt).Round(time.Millisecond), inv.signal, signalExitBound)
		default:
			t.Logf("exited %s after %s", (o.elapsed - o.signalledAt).Round(time.Millisecond), inv.signal)
		}
	}
	if sc.evidence != nil {
		sc.evidence(t, &o.report)
	}
}

// selfCheck proves the healthy lab works end to end from the client's
// point of view, with the lab's own probes.
func (l *lab) selfCheck() error {
	c := l.ns(nsClient)
	var errs []string
	for _, dst := range []string{gwV4, gwV6, anycastV4, anycastV6, printerV4, printerV6} {
		p, err := ping(c, dst, 2, 20*time.Millisecond, 500*time.Millisecond)
		if err != nil || p.received == 0 {
			errs = append(errs, fmt.Sprintf("ping %s: %v %v", dst, p, err))
		}
	}
	for _, addr := range []string{
		"[" + anycastV4 + "]:443", "[" + anycastV6 + "]:443", "[" + svcV4 + "]:443", "[" + svcV6 + "]:443",
		"[" + svcV4 + "]:25", "[" + svcV6 + "]:587", "[" + printerV4 + "]:9100", "[" + printerV6 + "]:631",
	} {
		if st := tcpState(c, addr, time.Second); st != "open" {
			errs = append(errs, fmt.Sprintf("tcp %s: %s", addr, st))
		}
	}
	for _, srv := range []string{resolverAV4, resolverBV6, anycastV4, anycastV6} {
		if rc := dnsRcode(c, srv, "www.lab.test", 1, time.Second); rc != "NOERROR" {
			errs = append(errs, fmt.Sprintf("dns %s: %s", srv, rc))
		}
	}
	if rc := dnsRcode(c, resolverAV4, "missing.lab.test", 1, time.Second); rc != "NXDOMAIN" {
		errs = append(errs, "dns missing.lab.test: "+rc)
	}
	for _, host := range []string{printerV4, printerV6} {
		for _, comm := range []string{communityHealthy, communityLowToner, communityJammed} {
			if _, err := snmpGet(c, host, comm, "1.3.6.1.2.1.25.3.5.1.2.1"); err != nil {
				errs = append(errs, fmt.Sprintf("snmp %s %s: %v", host, comm, err))
			}
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("%s", strings.Join(errs, "; "))
	}
	return nil
}
