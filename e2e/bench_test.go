//go:build linux

package e2e

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"
)

// benchEnv gates TestBench: the benchmarks (bench/run) need the lab up for
// minutes while a shell script drives hyperfine, which is no test for
// `go test ./...`.
const benchEnv = "NETPROBE_BENCH"

// benchCtlEnv names the directory through which bench/run talks to the
// running lab: two FIFOs, cmd (one command per line) and reply (one line
// per command), and lab.env, which says where the lab's CA file is.
const benchCtlEnv = "NETPROBE_BENCH_CTL"

// benchIdle ends a lab whose script went away without saying quit, so a
// killed benchmark cannot leave namespaces up for ever.
const benchIdle = 15 * time.Minute

// TestBench keeps the fault lab up and applies faults on request, for the
// benchmarks in bench/. It serves every real printer recording (not only
// the three the scenarios use), because the printer benchmark reads each
// one. The faults are the scenarios' own (by subtest name), so a benchmark
// of "dns_server_stopped" breaks the lab exactly as TestFaultLab does and
// proves the fault with the same lab probes first.
//
// Commands on the cmd FIFO, each answered "ok ..." or "err ..." on reply:
//
//	fault NAME          reset, apply scenario NAME's fault, prove it
//	reset               back to healthy
//	guard ARGS...       would the lab harness run `netprobe diagnose ARGS`? (checkLabOnly)
//	guard-host HOST     is HOST a lab address or lab.test name?
//	icmp-ratelimit off  the upstream sends every ICMP error (see below)
//	quit                tear the lab down
func TestBench(t *testing.T) {
	if os.Getenv(benchEnv) != "1" {
		t.Skipf("benchmark lab: runs only with %s=1 (bench/run sets it)", benchEnv)
	}
	requireLab(t)
	ctl := os.Getenv(benchCtlEnv)
	if ctl == "" {
		t.Fatalf("%s must name the control directory (made by bench/run)", benchCtlEnv)
	}
	cmds, err := os.OpenFile(filepath.Join(ctl, "cmd"), os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer cmds.Close()
	// O_RDWR on both FIFOs: neither open blocks, and a reply waits in the
	// pipe until the script reads it.
	replies, err := os.OpenFile(filepath.Join(ctl, "reply"), os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer replies.Close()
	reply := func(format string, a ...any) {
		line := strings.ReplaceAll(fmt.Sprintf(format, a...), "\n", " | ")
		if _, err := fmt.Fprintln(replies, line); err != nil {
			t.Errorf("reply: %v", err)
		}
	}

	release, err := labLock()
	if err != nil {
		reply("err %v", err)
		t.Fatal(err)
	}
	t.Cleanup(release)

	all, err := realRecordings()
	if err != nil {
		reply("err %v", err)
		t.Fatal(err)
	}
	saved := recordings
	recordings = all
	t.Cleanup(func() { recordings = saved })

	start := time.Now()
	l := newLab(t)
	if err := l.selfCheck(); err != nil {
		reply("err the healthy lab is not healthy: %v", err)
		t.Fatal(err)
	}
	t.Logf("lab up in %s, serving %d recordings", time.Since(start).Round(time.Millisecond), len(all))
	var communities []string
	for _, r := range all {
		communities = append(communities, strings.TrimSuffix(r, ".snmprec"))
	}
	env := fmt.Sprintf("NP_CA_FILE=%s\nNP_COMMUNITIES=%q\n", l.caFile, strings.Join(communities, " "))
	if err := os.WriteFile(filepath.Join(ctl, "lab.env"), []byte(env), 0o644); err != nil {
		t.Fatal(err)
	}

	// The upstream's kernel sends at most 6 ICMP errors to one host in a
	// burst, then one a second (net.ipv4.icmp_ratelimit, ipv6
	// icmp.ratelimit). A stopped DNS server's "port unreachable" is such an
	// error, so back-to-back runs see a different fault than one run does.
	// "icmp-ratelimit off" lifts the limit for a measurement; reset and
	// fault put the kernel's values back.
	limits := []string{"net.ipv4.icmp_ratelimit", "net.ipv6.icmp.ratelimit"}
	var defaultLimits, noLimits []string
	for _, k := range limits {
		v, err := l.readSysctl(nsUpstream, k)
		if err != nil {
			t.Fatal(err)
		}
		defaultLimits = append(defaultLimits, k+"="+v)
		noLimits = append(noLimits, k+"=0")
	}
	restoreLimits := func() error { return l.sysctl(nsUpstream, defaultLimits...) }

	byName := map[string]scenario{}
	for _, sc := range scenarios() {
		byName[sc.name] = sc
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	lines := make(chan string)
	go func() {
		s := bufio.NewScanner(cmds)
		for s.Scan() {
			lines <- s.Text()
		}
		close(lines)
	}()
	reply("ok ready")
	for {
		var line string
		select {
		case <-ctx.Done():
			t.Log("signal: tearing the lab down")
			return
		case <-time.After(benchIdle):
			t.Errorf("no command for %s: tearing the lab down", benchIdle)
			return
		case s, ok := <-lines:
			if !ok {
				return
			}
			line = s
		}
		verb, rest, _ := strings.Cut(strings.TrimSpace(line), " ")
		switch verb {
		case "quit":
			reply("ok bye")
			return
		case "reset":
			if err := errors.Join(l.reset(), restoreLimits()); err != nil {
				reply("err %v", err)
				continue
			}
			reply("ok healthy")
		case "fault":
			sc, ok := byName[rest]
			if !ok {
				reply("err no scenario %q", rest)
				continue
			}
			t0 := time.Now()
			if err := restoreLimits(); err != nil {
				reply("err %v", err)
				continue
			}
			if msg := benchFault(t, l, sc); msg != "" {
				reply("err %s", msg)
				continue
			}
			reply("ok %s in place (%s)", sc.name, time.Since(t0).Round(time.Millisecond))
		case "icmp-ratelimit":
			if rest != "off" {
				reply("err icmp-ratelimit: only \"off\" (reset restores the kernel's limits)")
				continue
			}
			if err := l.sysctl(nsUpstream, noLimits...); err != nil {
				reply("err %v", err)
				continue
			}
			reply("ok upstream sends every ICMP error")
		case "guard":
			if err := checkLabOnly(strings.Fields(rest)); err != nil {
				reply("err %v", err)
				continue
			}
			reply("ok")
		case "guard-host":
			if !labIP(rest) && !labName(rest) {
				reply("err %q is not a lab address or lab.test name", rest)
				continue
			}
			reply("ok")
		default:
			reply("err unknown command %q", line)
		}
	}
}

// benchFault resets the lab, applies one scenario's fault and proves it,
// in a subtest: a fault that cannot be applied fails that subtest, is
// reported to the script, and leaves the lab serving. It returns "" when
// the fault is in place.
func benchFault(t *testing.T, l *lab, sc scenario) (msg string) {
	msg = "fault could not be applied (see the lab log)"
	t.Run("fault/"+sc.name, func(t *testing.T) {
		if err := l.reset(); err != nil {
			t.Fatalf("reset: %v", err)
		}
		if sc.fault != nil {
			sc.fault(t, l)
		}
		if sc.labSays != nil {
			if err := sc.labSays(l); err != nil {
				t.Fatalf("LAB BUG: the fault is not in place: %v", err)
			}
		}
		msg = ""
	})
	return msg
}

// realRecordings lists the repository's real printer recordings (every
// testdata/printers/*.snmprec but the synthetic ones, which the lab has no
// use for), sorted.
func realRecordings() ([]string, error) {
	paths, err := filepath.Glob(filepath.Join(recordingsDir(), "*.snmprec"))
	if err != nil {
		return nil, err
	}
	var out []string
	for _, p := range paths {
		if b := filepath.Base(p); !strings.HasPrefix(b, "synthetic_") {
			out = append(out, b)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no recordings in %s", recordingsDir())
	}
	sort.Strings(out)
	return out, nil
}
