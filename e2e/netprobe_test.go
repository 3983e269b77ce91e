//go:build linux

package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// exitMargin is how long after its --timeout a netprobe run may take to
// exit, measured from outside: process start-up inside `ip netns exec`,
// rendering the report and closing sockets. A run still alive at
// timeout+exitKill is killed, so a hung binary costs the suite a bounded
// amount of time and fails its scenario.
const (
	exitMargin = 1500 * time.Millisecond
	exitKill   = 5 * time.Second
)

// buildNetprobe compiles the binary once for the run into dir. dir is
// world-readable and the binary world-executable, because one scenario runs
// it as nobody.
func buildNetprobe(dir string) (string, error) {
	bin := filepath.Join(dir, "netprobe")
	goTool, err := exec.LookPath("go")
	if err != nil {
		goTool = filepath.Join(os.Getenv("GOROOT"), "bin", "go")
	}
	// Stamped like a release build, so the reports show a real version
	// (the README's example is one of them).
	cmd := exec.Command(goTool, "build", "-ldflags", "-X github.com/netprobe/netprobe/cmd.Version="+readmeVersion(), "-o", bin, "./cmd/netprobe")
	cmd.Dir = repoRoot()
	out, err := cmd.CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go build ./cmd/netprobe: %w\n%s", err, out)
	}
	if err := os.Chmod(bin, 0o755); err != nil {
		return "", err
	}
	return bin, nil
}

// invocation is one netprobe run: flags after "diagnose", and how.
type invocation struct {
	args         []string
	timeout      time.Duration // passed as --timeout and used as the exit bound
	unprivileged bool          // run as nobody:nogroup with no supplementary groups
	// signal, when set, goes to the run's process group signalAfter its
	// start, as a terminal's Ctrl-C (SIGINT) goes to the foreground group.
	signal      syscall.Signal
	signalAfter time.Duration
}

// outcome is what one run produced.
type outcome struct {
	report  report
	stdout  []byte
	stderr  string
	exit    int
	elapsed time.Duration
	// signalledAt is when, after the start, the invocation's signal was
	// sent; 0 when it was not (none asked for, or the run ended first).
	signalledAt time.Duration
}

// checkLabOnly refuses any invocation that could make netprobe talk to
// something outside the lab. netprobe's defaults point at public resolvers
// and public names; inside np-client they are unroutable anyway, but the
// harness does not rely on that: every run must name its upstreams, its DNS
// name and its targets, and each must be a lab address or a lab.test name.
// Wherever the internet layer can run, the captive-portal check's public
// URLs must be replaced by a lab URL (--portal-url) or the check skipped
// (--no-portal-check).
func checkLabOnly(args []string) error {
	seen := map[string]int{}
	flagValue := func(i int) (string, string, int) {
		a := args[i]
		if k, v, ok := strings.Cut(a, "="); ok {
			return k, v, i
		}
		if i+1 < len(args) {
			return a, args[i+1], i + 1
		}
		return a, "", i
	}
	internet := true // without --layers, every layer runs
	for i := 0; i < len(args); i++ {
		a := args[i]
		if !strings.HasPrefix(a, "-") {
			return fmt.Errorf("unexpected positional argument %q", a)
		}
		name, val, next := flagValue(i)
		if name == "--no-portal-check" || name == "--no-proxy" {
			// A boolean: it takes no value (unless written =true).
			if k, v, ok := strings.Cut(a, "="); ok && (k != name || v != "true") {
				return fmt.Errorf("%s takes no value but %q", name, a)
			}
			seen[name]++
			continue
		}
		switch name {
		case "--upstream":
			if !labIP(val) {
				return fmt.Errorf("%s %q is not a lab address", name, val)
			}
		case "--printer":
			if !labIP(val) && !labName(val) {
				return fmt.Errorf("%s %q is not a lab address or lab.test name", name, val)
			}
		case "--resolver":
			host := val
			if h, _, err := net.SplitHostPort(val); err == nil {
				host = h
			}
			if !labIP(host) {
				return fmt.Errorf("--resolver %q is not a lab address", val)
			}
		case "--dns-name":
			if !labName(val) {
				return fmt.Errorf("--dns-name %q is not a lab.test name", val)
			}
		case "--target":
			if err := labTarget(val); err != nil {
				return err
			}
		case "--portal-url":
			u, err := url.Parse(val)
			if err != nil || u.Scheme != "http" || !labIP(u.Hostname()) && !labName(u.Hostname()) {
				return fmt.Errorf("--portal-url %q is not an http:// URL in the lab", val)
			}
		case "--proxy":
			u, err := url.Parse(val)
			if err != nil || u.Scheme != "http" || !labIP(u.Hostname()) || u.User != nil {
				return fmt.Errorf("--proxy %q is not an http:// proxy address in the lab", val)
			}
		case "--layers":
			internet = false
			for _, l := range strings.Split(val, ",") {
				internet = internet || strings.TrimSpace(l) == "internet"
			}
		case "--no-proxy":
			if strings.Contains(a, "=") {
				return fmt.Errorf("%s takes no value but %q", name, a)
			}
			seen[name]++
			continue
		case "--community", "--snmp-port", "--ca-file", "--count", "--loss-warn", "--rtt-warn", "--dns-slow":
		case "--timeout", "-o", "--output":
			return fmt.Errorf("%s is set by the harness", name)
		default:
			return fmt.Errorf("flag %q is not known to the lab harness; add it to checkLabOnly deliberately", name)
		}
		seen[name]++
		i = next
	}
	for _, must := range []string{"--upstream", "--dns-name", "--target"} {
		if seen[must] == 0 {
			return fmt.Errorf("refusing to run netprobe without %s: its default points outside the lab", must)
		}
	}
	if internet && seen["--portal-url"] == 0 && seen["--no-portal-check"] == 0 {
		return fmt.Errorf("refusing to run netprobe without --portal-url or --no-portal-check: the captive-portal check's default URLs are outside the lab")
	}
	return nil
}

func labIP(s string) bool {
	a, err := netip.ParseAddr(strings.Trim(s, "[]"))
	return err == nil && inLab(a)
}

func labName(s string) bool {
	s = strings.TrimSuffix(strings.ToLower(s), ".")
	return s == labDomain || strings.HasSuffix(s, "."+labDomain)
}

// labTarget accepts tcp://, udp://, http://, https:// and bare host:port
// targets whose host is a lab address or a lab.test name.
func labTarget(t string) error {
	host := ""
	if strings.Contains(t, "://") {
		u, err := url.Parse(t)
		if err != nil {
			return fmt.Errorf("--target %q: %v", t, err)
		}
		host = u.Hostname()
	} else {
		h, _, err := net.SplitHostPort(t)
		if err != nil {
			return fmt.Errorf("--target %q: %v", t, err)
		}
		host = h
	}
	if labIP(host) || labName(host) {
		return nil
	}
	return fmt.Errorf("--target %q is outside the lab", t)
}

// runNetprobe runs the binary inside the client namespace and returns what
// it printed. It always adds -o json, --no-color and --timeout, and refuses
// invocations that could leave the lab (checkLabOnly).
func runNetprobe(bin string, inv invocation) (outcome, error) {
	if err := checkLabOnly(inv.args); err != nil {
		return outcome{}, fmt.Errorf("lab guard: %w", err)
	}
	argv := []string{"netns", "exec", nsClient}
	if inv.unprivileged {
		argv = append(argv, "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--")
	}
	argv = append(argv, bin, "diagnose", "-o", "json", "--no-color", "--timeout", inv.timeout.String())
	argv = append(argv, inv.args...)

	ctx, cancel := context.WithTimeout(context.Background(), inv.timeout+exitKill)
	defer cancel()
	cmd := exec.CommandContext(ctx, "ip", argv...)
	// A clean environment: no proxy variables (an HTTPS target must not be
	// sent to a proxy outside the lab), no colour, a fixed locale.
	cmd.Env = []string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "NO_COLOR=1", "LANG=C", "HOME=/nonexistent"}
	cmd.WaitDelay = time.Second
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if inv.signal != 0 {
		// Its own process group, so the signal reaches netprobe (which
		// `ip netns exec` and setpriv become by exec) and nothing else.
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return outcome{}, err
	}
	var mu sync.Mutex
	var signalledAt time.Duration
	exited := false
	if inv.signal != 0 {
		timer := time.AfterFunc(inv.signalAfter, func() {
			mu.Lock()
			defer mu.Unlock()
			if exited {
				return
			}
			// Negative pid: the whole group, whose id is the child's pid.
			if err := syscall.Kill(-cmd.Process.Pid, inv.signal); err == nil {
				signalledAt = time.Since(start)
			}
		})
		defer timer.Stop()
	}
	err := cmd.Wait()
	elapsed := time.Since(start)
	mu.Lock()
	exited = true
	o := outcome{stdout: stdout.Bytes(), stderr: stderr.String(), elapsed: elapsed, signalledAt: signalledAt}
	mu.Unlock()
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee) && ctx.Err() == nil:
		o.exit = ee.ExitCode()
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			// Killed by the signal instead of handling it: the shell's
			// convention, 128+n, so a scenario expecting 130 still reads
			// it, and the missing report fails it below.
			o.exit = 128 + int(ws.Signal())
		}
	default:
		return o, fmt.Errorf("netprobe did not finish (%s after start, --timeout %s): %v\nstderr:\n%s",
			o.elapsed.Round(time.Millisecond), inv.timeout, err, tail(stderr.Bytes(), 3000))
	}
	if err := json.Unmarshal(o.stdout, &o.report); err != nil {
		return o, fmt.Errorf("netprobe exit %d, stdout is not a JSON report: %v\nstdout:\n%s\nstderr:\n%s",
			o.exit, err, tail(o.stdout, 3000), tail(stderr.Bytes(), 3000))
	}
	return o, nil
}

// report mirrors the parts of netprobe.report/v1 the lab asserts on.
type report struct {
	Schema  string `json:"schema"`
	Verdict struct {
		Status       string   `json:"status"`
		Layer        string   `json:"layer"`
		Reason       string   `json:"reason"`
		Summary      string   `json:"summary"`
		Advice       []string `json:"advice"`
		Consequences []string `json:"consequences"`
		Independent  []string `json:"independent"`
	} `json:"verdict"`
	Host struct {
		ICMP string `json:"icmp"`
	} `json:"host"`
	Layers []struct {
		Name   string  `json:"name"`
		Status string  `json:"status"`
		Reason string  `json:"reason"`
		Note   string  `json:"note"`
		Checks []check `json:"checks"`
	} `json:"layers"`
	// Interrupted: the run was stopped (SIGINT, SIGTERM) before every
	// check finished.
	Interrupted bool `json:"interrupted"`
}

type check struct {
	Layer    string         `json:"-"` // filled in by checks()
	Name     string         `json:"name"`
	Target   string         `json:"target"`
	Status   string         `json:"status"`
	Reason   string         `json:"reason"`
	Round    int            `json:"round"` // 2: a follow-up of the confirmation round
	Detail   string         `json:"detail"`
	Evidence map[string]any `json:"evidence"`
}

// checks returns every check, tagged with its layer; with layer set, only
// that layer's.
func (r *report) checks(layer string) []check {
	var out []check
	for _, l := range r.Layers {
		if layer != "" && l.Name != layer {
			continue
		}
		for _, c := range l.Checks {
			c.Layer = l.Name
			out = append(out, c)
		}
	}
	return out
}

// str returns an evidence value as a string ("" if absent).
func (c check) str(key string) string {
	v, ok := c.Evidence[key]
	if !ok || v == nil {
		return ""
	}
	if s, ok := v.(string); ok {
		return s
	}
	return fmt.Sprint(v)
}

// num returns a numeric evidence value; numbers may arrive as JSON numbers
// or as strings.
func (c check) num(key string) (float64, bool) {
	switch v := c.Evidence[key].(type) {
	case float64:
		return v, true
	case string:
		f, err := strconv.ParseFloat(strings.TrimSuffix(v, "ms"), 64)
		return f, err == nil
	}
	return 0, false
}

// strs returns a list evidence value (e.g. problems).
func (c check) strs(key string) []string {
	switch v := c.Evidence[key].(type) {
	case []any:
		var out []string
		for _, x := range v {
			out = append(out, fmt.Sprint(x))
		}
		return out
	case string:
		return []string{v}
	}
	return nil
}

// describe is a compact one-line view of a check for failure messages.
func (c check) describe() string {
	ev, _ := json.Marshal(c.Evidence)
	reason := ""
	if c.Reason != "" {
		reason = " [" + c.Reason + "]"
	}
	return fmt.Sprintf("%s/%s %s -> %s%s (%s) %s", c.Layer, c.Name, c.Target, c.Status, reason, c.Detail, ev)
}

// mentions reports whether some evidence value, at any depth (lists,
// objects, "addr:port" strings), names one of the addresses.
func (c check) mentions(addrs ...string) bool {
	want := map[netip.Addr]bool{}
	for _, a := range addrs {
		want[netip.MustParseAddr(a)] = true
	}
	found := false
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			for _, e := range x {
				walk(e)
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		case string:
			for _, tok := range strings.FieldsFunc(x, func(r rune) bool {
				return !strings.ContainsRune("0123456789abcdefABCDEF.:[]", r)
			}) {
				tok = strings.TrimRight(tok, ".") // the end of a sentence
				if a, err := netip.ParseAddr(strings.Trim(tok, "[]")); err == nil && want[a] {
					found = true
				} else if ap, err := netip.ParseAddrPort(tok); err == nil && want[ap.Addr()] {
					found = true
				}
			}
		}
	}
	walk(c.Evidence)
	return found
}
