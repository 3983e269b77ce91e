package cmd

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/netprobe/netprobe/diagnose"
	"github.com/netprobe/netprobe/internal/iostreams"
	"github.com/netprobe/netprobe/reports/reporttest"
	"github.com/netprobe/netprobe/result"
)

// A CLI that fits people's habits (issue 11 item 3).

// TestFlagsOnlyWhereUsed: a command takes only the flags it uses; a flag
// it would ignore is refused with exit 2 before anything runs.
func TestFlagsOnlyWhereUsed(t *testing.T) {
	refused := [][]string{
		{"ping", "--target", "198.18.1.80:80", "--layers", "dns", "198.18.1.1"},
		{"ping", "--layers", "dns", "198.18.1.1"},
		{"ping", "--resolver", "198.18.1.53", "198.18.1.1"},
		{"dns", "www.lab.test", "--printer", "10.77.1.20"},
		{"dns", "www.lab.test", "--count", "5"},
		{"dns", "www.lab.test", "--dns-name", "x.lab.test"},
		{"gateway", "--target", "198.18.1.80:80"},
		{"gateway", "--upstream", "198.18.1.1"},
		{"port", "127.0.0.1", "80", "--upstream", "198.18.1.1"},
		{"port", "127.0.0.1", "80", "--config", "x.yaml"},
		{"printer", "10.77.1.20", "--target", "198.18.1.80:80"},
		{"printer", "10.77.1.20", "--layers", "printer"},
		{"check", "-f", "x.yaml", "--upstream", "198.18.1.1"},
	}
	for _, args := range refused {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			_, code, stderr := capture(t, nil, args...)
			if code != ExitUsage || !strings.Contains(stderr, "unknown flag") {
				t.Fatalf("exit %d, stderr %q; want exit 2 and unknown flag", code, stderr)
			}
		})
	}
	// What each command does take.
	taken := [][]string{
		{"ping", "198.18.1.1", "--count", "5", "--loss-warn", "2", "--rtt-warn", "50ms", "--interval", "100ms", "-o", "json"},
		{"dns", "www.lab.test", "--resolver", "198.18.1.53", "--reference-dns", "198.18.1.1", "--dns-slow", "200ms"},
		{"gateway", "--count", "3", "--timeout", "5s", "-q"},
		{"printer", "10.77.1.20", "--community", "x", "--supply-warn", "15", "--printer-timeout", "2s"},
		{"port", "127.0.0.1", "80", "--timeout", "2s", "--color", "never"},
		{"diagnose", "--upstream", "198.18.1.1", "--layers", "internet", "--no-portal-check", "--no-proxy"},
	}
	for _, args := range taken {
		if _, code, stderr := capture(t, nil, args...); code != 0 {
			t.Errorf("%v: exit %d: %s", args, code, stderr)
		}
	}
}

// TestResolverIsTheOneName: --resolver everywhere; --server, the dns
// command's old name, still works and is not shown.
func TestResolverIsTheOneName(t *testing.T) {
	a, code, _ := capture(t, nil, "dns", "www.lab.test", "--server", "127.0.0.1:5353")
	b, code2, _ := capture(t, nil, "dns", "www.lab.test", "--resolver", "127.0.0.1:5353")
	if code != 0 || code2 != 0 || len(a.Resolvers) != 1 || a.Resolvers[0] != b.Resolvers[0] {
		t.Fatalf("--server %v (exit %d) and --resolver %v (exit %d) differ", a.Resolvers, code, b.Resolvers, code2)
	}
	if _, code, stderr := capture(t, nil, "dns", "www.lab.test", "--server", "not-an-ip"); code != ExitUsage || !strings.Contains(stderr, `"not-an-ip"`) {
		t.Fatalf("a bad --server: exit %d, %q", code, stderr)
	}
	for _, args := range [][]string{{"dns", "--help"}, {"diagnose", "--help"}} {
		out := helpOf(t, args...)
		if strings.Contains(out, "--server") || !strings.Contains(out, "--resolver") {
			t.Errorf("%v help must show --resolver only:\n%s", args, out)
		}
	}
}

func helpOf(t *testing.T, args ...string) string {
	t.Helper()
	io, out, _ := iostreams.Test()
	root := NewRootCmd(&Factory{IO: io, Getenv: func(string) string { return "" }})
	root.SetArgs(args)
	if err := root.Execute(); err != nil {
		t.Fatal(err)
	}
	return out.String()
}

// TestVersionFlag: --version and -V print the version and run nothing.
func TestVersionFlag(t *testing.T) {
	for _, flag := range []string{"--version", "-V"} {
		io, out, errOut := iostreams.Test()
		f := &Factory{IO: io, Getenv: func(string) string { return "" },
			Run: func(context.Context, diagnose.Options) *result.Report {
				t.Fatal("--version ran a diagnosis")
				return nil
			}}
		root := NewRootCmd(f)
		root.SetArgs([]string{flag})
		if code := exitCode(root.ExecuteContext(context.Background()), io); code != 0 {
			t.Fatalf("%s: exit %d: %s", flag, code, errOut)
		}
		if out.String() != versionText() || !strings.HasPrefix(out.String(), "netprobe "+Version) {
			t.Errorf("%s printed %q", flag, out.String())
		}
	}
}

// runReport runs a command line whose diagnosis returns r and gives its
// stdout, stderr and exit code.
func runReport(t *testing.T, r *result.Report, tty bool, env map[string]string, args ...string) (string, string, int) {
	t.Helper()
	io, out, errOut := iostreams.Test()
	io.SetTTY(tty)
	f := &Factory{IO: io, Getenv: func(k string) string { return env[k] },
		Run: func(context.Context, diagnose.Options) *result.Report { return r }}
	root := NewRootCmd(f)
	root.SetArgs(args)
	code := exitCode(root.ExecuteContext(context.Background()), io)
	return out.String(), errOut.String(), code
}

// TestQuiet: -q prints the verdict line only, keeps the exit code, and
// cannot be combined with -v.
func TestQuiet(t *testing.T) {
	out, _, code := runReport(t, reporttest.DNSFailure(), false, nil, "-q", "--upstream", "198.18.1.1")
	if out != "Verdict: FAIL at the DNS layer\n" || code != ExitFail {
		t.Fatalf("-q: exit %d, %q", code, out)
	}
	if out, _, _ := runReport(t, reporttest.DNSFailure(), false, nil, "-q", "-o", "json", "--upstream", "198.18.1.1"); !strings.HasPrefix(out, "{") {
		t.Errorf("-q -o json must still write the JSON report: %q", out)
	}
	if _, stderr, code := runReport(t, reporttest.DNSFailure(), false, nil, "-q", "-v"); code != ExitUsage {
		t.Errorf("-q -v: exit %d (%s), want 2", code, stderr)
	}
}

// TestColorFlag: --color always|auto|never, --no-color as a hidden alias,
// NO_COLOR honoured by auto only; a bad value is exit 2.
func TestColorFlag(t *testing.T) {
	r := reporttest.DNSFailure()
	cases := []struct {
		tty   bool
		args  []string
		color bool
	}{
		{false, nil, false},
		{true, nil, true},
		{false, []string{"--color", "always"}, true},
		{true, []string{"--color", "never"}, false},
		{true, []string{"--no-color"}, false},
		{true, []string{"--color", "auto"}, true},
	}
	for _, c := range cases {
		out, _, _ := runReport(t, r, c.tty, nil, append(c.args, "--upstream", "198.18.1.1")...)
		if got := strings.Contains(out, "\x1b["); got != c.color {
			t.Errorf("tty %v %v: colour %v, want %v", c.tty, c.args, got, c.color)
		}
	}
	if _, stderr, code := runReport(t, r, false, nil, "--color", "sometimes"); code != ExitUsage || !strings.Contains(stderr, `"sometimes"`) {
		t.Errorf("--color sometimes: exit %d, %q", code, stderr)
	}
	if strings.Contains(helpOf(t, "--help"), "--no-color") {
		t.Error("--no-color is shown in help; --color never is the one name")
	}
}

// TestASCIIFlag: --ascii makes a terminal's report plain ASCII; piped
// output is ASCII without it.
func TestASCIIFlag(t *testing.T) {
	t.Setenv("TERM", "xterm-256color")
	r := reporttest.Hostile()
	for _, c := range []struct {
		tty  bool
		args []string
	}{{true, []string{"--ascii", "--color", "never"}}, {false, nil}} {
		out, _, _ := runReport(t, r, c.tty, nil, append(c.args, "--upstream", "198.18.1.1")...)
		for i, ch := range out {
			if ch > 127 {
				t.Fatalf("tty %v %v: non-ASCII %q at %d", c.tty, c.args, ch, i)
			}
		}
	}
	if out, _, _ := runReport(t, reporttest.Healthy(), true, nil, "--upstream", "198.18.1.1"); !strings.Contains(out, "✓") {
		t.Error("a terminal without --ascii gets the Unicode marks")
	}
}

// TestEveryCommandHasExamples: every command a person runs has examples,
// and every example command line parses (none probes: capture).
func TestEveryCommandHasExamples(t *testing.T) {
	io, _, _ := iostreams.Test()
	root := NewRootCmd(&Factory{IO: io})
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if c.Hidden || c.Name() == "help" {
			return
		}
		if strings.Count(c.Example, "netprobe ") < 1 {
			t.Errorf("%s has no example", c.CommandPath())
		}
		for _, line := range exampleLines(c.Example) {
			args := strings.Fields(line)[1:]
			switch {
			case len(args) > 0 && (args[0] == "docs" || args[0] == "check" || args[0] == "serve"):
				continue // they write or read files; TestReadmeCommands runs check and serve
			}
			if len(args) > 0 && args[0] == "watch" && !strings.Contains(line, "--duration") {
				// A watch without --duration ends only at Ctrl-C; on the
				// test's stepping clock a duration ends it at once.
				args = append(args, "--duration", "10s")
			}
			t.Run(line, func(t *testing.T) {
				env := map[string]string{EnvAuthPass: "example-auth", EnvPrivPass: "example-priv"}
				if _, code, stderr := capture(t, env, args...); code != 0 {
					t.Fatalf("exit %d: %s", code, stderr)
				}
			})
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
	// The three readers of the main examples.
	if n := strings.Count(root.Example, "  # "); n < 3 {
		t.Errorf("netprobe's examples speak to %d readers, want the end user, the consultant and CI", n)
	}
}

// exampleLines returns an Example's netprobe command lines, backslash
// continuations joined, leading VAR=value assignments and comments
// dropped.
func exampleLines(ex string) []string {
	var out []string
	cur := ""
	for _, l := range strings.Split(ex, "\n") {
		l = strings.TrimSpace(l)
		if strings.HasPrefix(l, "#") || l == "" {
			continue
		}
		cur += " " + strings.TrimSuffix(l, "\\")
		if strings.HasSuffix(l, "\\") {
			continue
		}
		fields := strings.Fields(cur)
		cur = ""
		// A redirection or a pipe belongs to the shell, not to netprobe.
		for i, f := range fields {
			if f == ">" || f == ">>" || f == "|" || f == "2>" {
				fields = fields[:i]
				break
			}
		}
		for len(fields) > 0 && strings.Contains(fields[0], "=") {
			fields = fields[1:]
		}
		if len(fields) > 0 && fields[0] == "netprobe" {
			out = append(out, strings.Join(fields, " "))
		}
	}
	return out
}

// complete runs cobra's completion entry point, as the shell does.
func complete(t *testing.T, args ...string) []string {
	t.Helper()
	io, out, _ := iostreams.Test()
	root := NewRootCmd(&Factory{IO: io, Getenv: func(string) string { return "" }})
	root.SetArgs(append([]string{cobra.ShellCompRequestCmd}, args...))
	if err := root.Execute(); err != nil {
		t.Fatal(err)
	}
	var vals []string
	for _, l := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		if strings.HasPrefix(l, ":") || strings.HasPrefix(l, "Completion ended") {
			continue
		}
		vals = append(vals, strings.SplitN(l, "\t", 2)[0])
	}
	return vals
}

// TestCompletionOfFlagValues asks __complete what the shell would.
func TestCompletionOfFlagValues(t *testing.T) {
	tests := []struct {
		args []string
		want []string
	}{
		{[]string{"--output", ""}, []string{"text", "json", "markdown", "html", "junit", "prometheus"}},
		{[]string{"diagnose", "-o", ""}, []string{"text", "json", "markdown", "html", "junit", "prometheus"}},
		{[]string{"--color", ""}, []string{"auto", "always", "never"}},
		{[]string{"--layers", ""}, []string{"link", "address", "gateway", "internet", "dns", "service", "printer"}},
		{[]string{"--layers", "dns,ser"}, []string{"dns,link", "dns,address", "dns,gateway", "dns,internet", "dns,service", "dns,printer"}},
		{[]string{"printer", "10.77.1.20", "--snmp-version", ""}, []string{"1", "2c", "3"}},
		{[]string{"printer", "10.77.1.20", "--auth-proto", ""}, snmpAuthProtos},
		{[]string{"--priv-proto", ""}, snmpPrivProtos},
		{[]string{"check", "--fail-on", ""}, []string{"fail", "warn"}},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			got := complete(t, tt.args...)
			if strings.Join(got, " ") != strings.Join(tt.want, " ") {
				t.Fatalf("got %q, want %q", got, tt.want)
			}
		})
	}
	// A value no flag completes to: hosts and URLs are never file names.
	out := completeRaw(t, "ping", "")
	if !strings.Contains(out, ":4") { // ShellCompDirectiveNoFileComp
		t.Errorf("ping's hosts complete to file names:\n%s", out)
	}
}

func completeRaw(t *testing.T, args ...string) string {
	io, out, _ := iostreams.Test()
	root := NewRootCmd(&Factory{IO: io, Getenv: func(string) string { return "" }})
	root.SetArgs(append([]string{cobra.ShellCompRequestCmd}, args...))
	if err := root.Execute(); err != nil {
		t.Fatal(err)
	}
	return out.String()
}

// TestCompletionValuesAreAccepted: every value completion offers is one
// the command accepts (the lists cannot drift from validation).
func TestCompletionValuesAreAccepted(t *testing.T) {
	printer := []string{"printer", "10.77.1.20"}
	v3 := []string{"printer", "10.77.1.20", "--snmp-version", "3", "--snmp-user", "u"}
	cases := []struct {
		flag  string
		base  []string
		after []string
		env   map[string]string
	}{
		{"--output", printer, nil, nil},
		{"--color", printer, nil, nil},
		{"--snmp-version", printer, []string{"--snmp-user", "u"}, nil},
		{"--auth-proto", v3, nil, map[string]string{EnvAuthPass: "example-auth"}},
		{"--priv-proto", v3, []string{"--auth-proto", "SHA"}, map[string]string{EnvAuthPass: "example-auth", EnvPrivPass: "example-priv"}},
		{"--layers", []string{"diagnose", "--upstream", "198.18.1.1", "--no-portal-check", "--target", "198.18.1.80:80", "--printer", "10.77.1.20"}, nil, nil},
	}
	for _, c := range cases {
		vals := complete(t, append(append([]string{}, c.base...), c.flag, "")...)
		if len(vals) == 0 {
			t.Errorf("%s completes to nothing", c.flag)
		}
		for _, v := range vals {
			args := append(append(append([]string{}, c.base...), c.flag, v), c.after...)
			if c.flag == "--snmp-version" && v != "3" {
				args = append(append([]string{}, c.base...), c.flag, v)
			}
			if _, code, stderr := capture(t, c.env, args...); code != 0 {
				t.Errorf("%s %s offered but refused: exit %d, %s", c.flag, v, code, stderr)
			}
		}
	}
}

// TestDocsReferenceUpToDate: docs/cli is what `netprobe docs markdown`
// writes today; a flag or command changed without regenerating it fails.
func TestDocsReferenceUpToDate(t *testing.T) {
	dir := t.TempDir()
	io, _, errOut := iostreams.Test()
	root := NewRootCmd(&Factory{IO: io})
	root.SetArgs([]string{"docs", "markdown", dir})
	if err := root.Execute(); err != nil {
		t.Fatalf("%v: %s", err, errOut)
	}
	fresh, _ := filepath.Glob(filepath.Join(dir, "*.md"))
	committed, _ := filepath.Glob(filepath.Join("..", "docs", "cli", "*.md"))
	if len(fresh) < 10 || len(fresh) != len(committed) {
		t.Fatalf("%d files generated, %d in docs/cli; run: go run ./cmd/netprobe docs markdown docs/cli", len(fresh), len(committed))
	}
	for _, p := range fresh {
		want, err := os.ReadFile(filepath.Join("..", "docs", "cli", filepath.Base(p)))
		got, _ := os.ReadFile(p)
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("docs/cli/%s is out of date; run: go run ./cmd/netprobe docs markdown docs/cli", filepath.Base(p))
		}
	}
}

// TestDocsMan writes the man pages: one per command, each a man page.
func TestDocsMan(t *testing.T) {
	dir := t.TempDir()
	io, _, errOut := iostreams.Test()
	root := NewRootCmd(&Factory{IO: io})
	root.SetArgs([]string{"docs", "man", dir})
	if err := root.Execute(); err != nil {
		t.Fatalf("%v: %s", err, errOut)
	}
	for _, name := range []string{"netprobe.1", "netprobe-diagnose.1", "netprobe-dns.1", "netprobe-printer.1", "netprobe-completion-bash.1"} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains(b, []byte(`.TH "NETPROBE" "1"`)) || !bytes.Contains(b, []byte(".SH EXAMPLE")) && name != "netprobe-completion-bash.1" {
			t.Errorf("%s is not a man page with examples:\n%.300s", name, b)
		}
	}
}

// TestProgressLeavesTheReport: with stderr a terminal the display draws
// there, from the runner's progress hook, and stdout is byte for byte the
// report of the same run without it.
func TestProgressLeavesTheReport(t *testing.T) {
	t.Setenv("TERM", "xterm-256color")
	r := reporttest.DNSFailure()
	run := func(errTTY bool, env map[string]string) (string, string) {
		io, out, errOut := iostreams.Test()
		io.SetStderrTTY(errTTY)
		io.SetTerminalWidth(80)
		f := &Factory{IO: io, Getenv: func(k string) string { return env[k] },
			Run: func(_ context.Context, o diagnose.Options) *result.Report {
				if o.Progress != nil {
					for _, l := range r.Layers {
						o.Progress(diagnose.Progress{Layer: l.Name, Round: 1, Done: 1, Total: 1, Status: l.Status, Checks: l.Checks})
					}
				}
				return r
			}}
		root := NewRootCmd(f)
		root.SetArgs([]string{"--upstream", "198.18.1.1"})
		exitCode(root.ExecuteContext(context.Background()), io)
		return out.String(), errOut.String()
	}
	plain, none := run(false, nil)
	drawn, progress := run(true, nil)
	if none != "" {
		t.Errorf("stderr not a terminal, yet it got %q", none)
	}
	if drawn != plain {
		t.Errorf("the report changed with the display on:\n%s\n---\n%s", drawn, plain)
	}
	for _, want := range []string{"Diagnosing the network", "dns  ", "\x1b[31m✗\x1b[0m 192.168.1.1 timeout", "gateway", "1.2 ms", "\r\x1b[J"} {
		if !strings.Contains(progress, want) {
			t.Errorf("the display lacks %q:\n%q", want, progress)
		}
	}
	if !strings.HasSuffix(progress, "\r\x1b[J") {
		t.Errorf("the display is not erased last:\n%q", progress)
	}
	if _, ci := run(true, map[string]string{"CI": "1"}); ci != "" {
		t.Errorf("CI set, yet stderr got %q", ci)
	}
}
