//go:build linux

package e2e

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
)

// update rewrites readmeGolden from a fresh lab run:
//
//	sudo go test ./e2e -run 'TestFaultLab/readme_example' -update
//
// then copy the file into the README's example block (cmd/readme_test.go
// says so when they differ).
var update = flag.Bool("update", false, "rewrite e2e/testdata/readme-example.txt from the lab run")

// readmeGolden is the README's example report: a real run of the real
// binary in the lab, the command line first.
const readmeGolden = "testdata/readme-example.txt"

// readmeArgs is the README example's command line, after "netprobe": what
// a consultant would type on the laptop of the lab's client, every default
// overridden with a lab address or name (the harness' guard checks them).
var readmeArgs = []string{
	"--upstream", anycastV4, "--upstream", anycastV6, "--dns-name", "www.lab.test",
	"--target", "http://www.lab.test/", "--no-portal-check", "--no-proxy",
}

// readmeCommandLine is the command line as the README shows it: wrapped
// with a shell continuation so it fits the width the report keeps.
func readmeCommandLine() string {
	return "$ netprobe " + strings.Join(readmeArgs[:6], " ") + " \\\n    " + strings.Join(readmeArgs[6:], " ")
}

// readmeExample runs the README's command line in the lab with the
// system's resolvers stopped (the router "stopped relaying DNS") and three
// idle interfaces beside c0, piped as a user would paste it, and compares
// the text with readmeGolden after normalising what varies from run to
// run: times, the ephemeral ports in error texts, the architecture and
// the stamped version (which must be stamped).
func readmeExample(t *testing.T, l *lab, bin string) {
	if err := checkLabOnly(readmeArgs); err != nil {
		t.Fatalf("lab guard: %v", err)
	}
	l.dns[resolverAV4].stop()
	l.dns[resolverBV6].stop()
	// A laptop has more interfaces than its one cable: a second card not
	// in use (a veth whose peer sits, down, in another namespace) and two
	// virtual bridges, all down.
	for _, add := range [][]string{
		{"link", "add", "wlan0", "type", "veth", "peer", "name", "np-wlan0", "netns", nsPrinter},
		{"link", "add", "docker0", "type", "bridge"},
		{"link", "add", "virbr0", "type", "bridge"},
	} {
		l.ip(t, nsClient, add...)
		name := add[2]
		t.Cleanup(func() { _, _ = sh("", "ip", "-n", nsClient, "link", "del", name) })
	}
	if err := expectRcode(l, resolverAV4, "www.lab.test", "refused", "timeout"); err != nil {
		t.Fatalf("LAB BUG: %v", err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), defaultRunTimeout+exitKill)
	defer cancel()
	// In its own UTS namespace named after the lab's client, so the
	// footer names np-client, not this machine, and wraps as it will
	// on every machine.
	argv := append([]string{"netns", "exec", nsClient, "unshare", "--uts", "--", "/bin/sh", "-c",
		`hostname np-client && exec "$0" "$@"`, bin}, readmeArgs...)
	cmd := exec.CommandContext(ctx, "ip", argv...)
	// Piped, no NO_COLOR, no proxy variables: the plain text a user
	// pastes.
	cmd.Env = []string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LANG=C", "HOME=/nonexistent", "TERM=xterm"}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 1 {
		t.Fatalf("netprobe exit: %v, want exit 1 (a failing layer)\nstdout:\n%s\nstderr:\n%s", err, stdout.String(), stderr.String())
	}
	if stderr.Len() > 0 {
		t.Errorf("stderr is not empty when piped: %q", stderr.String())
	}
	got := readmeCommandLine() + "\n" + stdout.String()
	if m := footerVersion.FindStringSubmatch(got); m == nil || !stamped(m[1]) {
		t.Errorf("the footer does not show a stamped version: %q", footerVersion.FindString(got))
	}
	if *update {
		if err := os.WriteFile(readmeGolden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s; copy it into README.md's example block", readmeGolden)
		return
	}
	want, err := os.ReadFile(readmeGolden)
	if err != nil {
		t.Fatal(err)
	}
	if g, w := normalizeRun(got), normalizeRun(string(want)); g != w {
		t.Errorf("the README example no longer matches a real run; rerun with -update and copy %s into README.md.\n--- normalised run ---\n%s\n--- normalised golden ---\n%s\n--- run ---\n%s",
			readmeGolden, g, w, got)
	}
}

// footerVersion finds the version in the report's footer.
var footerVersion = regexp.MustCompile(`(?m)^netprobe (\S+) [|·]`)

// stamped reports whether v is a version a build stamped in, not the
// placeholder of an unstamped build.
func stamped(v string) bool {
	return v != "" && v != "dev" && v != "(devel)" && v != "unknown"
}

// normalizers replace what differs between two runs of the same lab
// scenario with a fixed token.
var normalizers = []struct {
	re   *regexp.Regexp
	with string
}{
	{regexp.MustCompile(`netprobe \S+ ([|·])`), "netprobe VERSION $1"},
	{regexp.MustCompile(`\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC`), "TIME"},
	{regexp.MustCompile(`[<>]?\d+(\.\d+)?\s?(ms|µs|us|s|m)\b`), "DURATION"},
	{regexp.MustCompile(`:\d+->`), ":PORT->"},
	// Go's resolver names the last of the system's servers it tried,
	// which depends on which answered "refused" first.
	{regexp.MustCompile(`lookup (\S+) on \S+?: `), "lookup $1 on RESOLVER: "},
	{regexp.MustCompile(`\blinux/\w+`), "linux/ARCH"},
}

// normalizeRun makes a report comparable with another run's: varying
// values become tokens, and the text becomes its words (a rtt of 9.8 ms
// and one of 10.2 ms pad and wrap a line differently).
func normalizeRun(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	for _, n := range normalizers {
		s = n.re.ReplaceAllString(s, n.with)
	}
	return s
}

func TestNormalizeRun(t *testing.T) {
	a := "$ netprobe --x\nnetprobe 0.4.0 | started 2026-01-02 03:04:05 UTC | took 4.21s of 10s budget\n  gw  0.12 ms, read udp 10.77.1.10:53122->198.18.1.53:53 (linux/amd64)"
	b := "$ netprobe --x\nnetprobe 19fabdd-dirty | started 2027-11-12 13:14:15 UTC | took 3.9s of 10s budget\n  gw\n 12.3\n   ms, read udp 10.77.1.10:4021->198.18.1.53:53 (linux/arm64)"
	if normalizeRun(a) != normalizeRun(b) {
		t.Fatalf("%q\n%q", normalizeRun(a), normalizeRun(b))
	}
	if x, y := "lookup www.lab.test on 198.18.1.53: the DNS", "lookup www.lab.test on fd00:77:0:3::53: the DNS"; normalizeRun(x) != normalizeRun(y) {
		t.Errorf("the resolver Go's lookup names must normalise: %q %q", normalizeRun(x), normalizeRun(y))
	}
	if normalizeRun(a) == normalizeRun(strings.Replace(a, "udp", "tcp", 1)) {
		t.Fatal("a changed word must not normalise away")
	}
	for _, v := range []string{"dev", "(devel)", ""} {
		if stamped(v) {
			t.Errorf("%q counts as stamped", v)
		}
	}
}

// readmeVersion is the version the lab's binary is stamped with, as the
// Makefile stamps a build: from git describe, without a leading v.
func readmeVersion() string {
	out, err := exec.Command("git", "-C", repoRoot(), "describe", "--tags", "--always", "--dirty").Output()
	v := strings.TrimPrefix(strings.TrimSpace(string(out)), "v")
	if err != nil || v == "" {
		return "unknown"
	}
	return v
}
