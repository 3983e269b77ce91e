package cmd_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/netprobe/netprobe/internal/testnet"

	"github.com/miekg/dns"
)

// The integration tests build the real binary once and run it against
// real servers on loopback. Only commands that stay on loopback are run
// here: never the gateway or internet layers, never the defaults.

var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "netprobe-bin")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "netprobe")
	build := exec.Command("go", "build", "-ldflags", stampFlags, "-o", binary, "./netprobe")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		panic("building netprobe: " + err.Error())
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

type run struct {
	code           int
	stdout, stderr string
}

func netprobe(t *testing.T, args ...string) run {
	t.Helper()
	return netprobeEnv(t, nil, args...)
}

// netprobeEnv runs the binary with extra environment variables. A run
// that hangs (a regression that waits on a FIFO, say) is killed after a
// minute and fails the test instead of the whole suite's timeout.
func netprobeEnv(t *testing.T, env []string, args ...string) run {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, args...)
	cmd.Env = append(append(os.Environ(), "NO_COLOR=1"), env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("netprobe %.200q did not end within a minute", args)
	}
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return run{code, out.String(), errb.String()}
}

// dnsServer answers ok.test with an address and anything else with
// NXDOMAIN.
func dnsServer(t *testing.T) string {
	return testnet.StartDNS(t, dns.HandlerFunc(func(w dns.ResponseWriter, r *dns.Msg) {
		m := new(dns.Msg)
		m.SetReply(r)
		switch strings.ToLower(r.Question[0].Name) {
		case "ok.test.":
			if r.Question[0].Qtype == dns.TypeA {
				rr, _ := dns.NewRR("ok.test. 60 IN A 127.0.0.1")
				m.Answer = append(m.Answer, rr)
			}
		default:
			m.Rcode = dns.RcodeNameError
		}
		w.WriteMsg(m)
	})).String()
}

func silentUDP(t *testing.T) string {
	port, _ := testnet.SilentUDP(t)
	return "127.0.0.1:" + strconv.Itoa(port)
}

type verdictJSON struct {
	Schema  string `json:"schema"`
	Verdict struct {
		Status, Layer, Summary string
		Advice                 []string
	} `json:"verdict"`
	Layers []struct {
		Name, Status string
		Checks       []struct {
			Name, Target, Status, Detail string
			Evidence                     map[string]any
		}
	} `json:"layers"`
}

func parse(t *testing.T, s string) verdictJSON {
	t.Helper()
	var v verdictJSON
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatalf("stdout is not JSON: %v\n%s", err, s)
	}
	if v.Schema != "netprobe.report/v1" {
		t.Fatalf("schema = %q", v.Schema)
	}
	return v
}

func TestExitCodes(t *testing.T) {
	good, silent := dnsServer(t), silentUDP(t)
	open, closed := testnet.OpenTCP(t), testnet.ClosedTCP(t)
	tests := []struct {
		name          string
		args          []string
		code          int
		status, layer string
	}{
		{"dns ok", []string{"dns", "ok.test", "--server", good}, 0, "ok", "none"},
		{"dns NXDOMAIN", []string{"dns", "nx.test", "--server", good}, 1, "fail", "dns"},
		{"one resolver of two silent", []string{"dns", "ok.test", "--server", good, "--server", silent, "--timeout", "3s"}, 3, "degraded", "dns"},
		{"only resolver silent", []string{"dns", "ok.test", "--server", silent, "--timeout", "2s"}, 1, "fail", "dns"},
		{"port open", []string{"port", "127.0.0.1", strconv.Itoa(open)}, 0, "ok", "none"},
		{"port closed", []string{"port", "127.0.0.1", strconv.Itoa(closed)}, 1, "fail", "service"},
		{"diagnose dns+service", []string{"diagnose", "--layers", "dns,service", "--resolver", good, "--dns-name", "ok.test",
			"--target", "tcp://ok.test:" + strconv.Itoa(open), "--no-reference"}, 0, "ok", "none"},
		{"diagnose names the closed service", []string{"diagnose", "--layers", "dns,service", "--resolver", good, "--dns-name", "ok.test",
			"--target", "tcp://127.0.0.1:" + strconv.Itoa(closed), "--no-reference"}, 1, "fail", "service"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := netprobe(t, append(tt.args, "-o", "json")...)
			if r.code != tt.code {
				t.Fatalf("exit %d, want %d\nstderr: %s\nstdout: %s", r.code, tt.code, r.stderr, r.stdout)
			}
			v := parse(t, r.stdout)
			if v.Verdict.Status != tt.status || v.Verdict.Layer != tt.layer {
				t.Fatalf("verdict %s/%s, want %s/%s: %s", v.Verdict.Status, v.Verdict.Layer, tt.status, tt.layer, v.Verdict.Summary)
			}
			if r.stderr != "" {
				t.Fatalf("a finished run writes nothing to stderr, got %q", r.stderr)
			}
		})
	}
}

// Ctrl-C during a run: the probes stop, the report of what was measured
// so far is printed and says it was interrupted, and the exit code is
// 130. The run waits on a resolver that never answers, on loopback.
func TestInterruptPrintsAPartialReport(t *testing.T) {
	for _, sig := range []os.Signal{os.Interrupt, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			silent := silentUDP(t)
			cmd := exec.Command(binary, "dns", "ok.test", "--server", silent, "--timeout", "8s", "-o", "json")
			var out, errb bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &errb
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			time.Sleep(500 * time.Millisecond)
			sent := time.Now()
			cmd.Process.Signal(sig)
			err := cmd.Wait()
			took := time.Since(sent)
			code := cmd.ProcessState.ExitCode()
			if code != 130 {
				t.Fatalf("exit %d (%v), want 130; stderr %q", code, err, errb.String())
			}
			if took > 2*time.Second {
				t.Errorf("exited %s after the signal", took)
			}
			var rep struct {
				Interrupted bool `json:"interrupted"`
				Verdict     struct {
					Status, Reason string
				} `json:"verdict"`
			}
			if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
				t.Fatalf("no JSON report after the interrupt: %v\n%s", err, out.String())
			}
			if !rep.Interrupted || rep.Verdict.Status != "unknown" || rep.Verdict.Reason != "run.interrupted" {
				t.Fatalf("report: %+v", rep)
			}
		})
	}
}

func TestBadInputExitsTwoBeforeProbing(t *testing.T) {
	for _, args := range [][]string{
		{"port", "127.0.0.1", "0"},
		{"port", "127.0.0.1", "70000"},
		{"port", "127.0.0.1", "abc"},
		{"--target", "https://exa mple.com/"},
		{"--timeout", "ten"},
		{"-o", "xml"},
		{"dns", "ok.test", "--server", "127.0.0.1:1", "--server", "not-an-ip"},
	} {
		// Should validation ever let one of these through, the run must
		// stay on this machine: local reads only, or loopback.
		if args[0] != "port" && args[0] != "dns" {
			args = append(args, "--layers", "link,address")
		}
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			r := netprobe(t, args...)
			if r.code != 2 {
				t.Fatalf("exit %d, want 2; stderr %q", r.code, r.stderr)
			}
			if r.stdout != "" {
				t.Fatalf("bad input must print no report, got %q", r.stdout)
			}
			if lines := strings.Count(r.stderr, "\n"); lines != 1 || !strings.HasPrefix(r.stderr, "netprobe: ") {
				t.Fatalf("want one 'netprobe: ...' line on stderr, got %q", r.stderr)
			}
		})
	}
}

func TestPipedTextIsPlain(t *testing.T) {
	good := dnsServer(t)
	r := netprobe(t, "dns", "ok.test", "nx.test", "--server", good)
	if r.code != 1 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if strings.ContainsRune(r.stdout, 0x1b) {
		t.Fatalf("piped text output holds escape sequences:\n%q", r.stdout)
	}
	for _, want := range []string{"nx.test", "NXDOMAIN"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("text report lacks %q:\n%s", want, r.stdout)
		}
	}
	if i := strings.Index(r.stdout, "nx.test"); i > strings.Index(r.stdout, "ok.test @") && strings.Index(r.stdout, "ok.test @") >= 0 {
		t.Errorf("the verdict must come before the layer tables:\n%s", r.stdout)
	}
}

// stampFlags are the -ldflags a release build passes (scripts/release),
// with values the tests recognise.
const stampFlags = "-X github.com/netprobe/netprobe/cmd.Version=v0.0.0-test" +
	" -X github.com/netprobe/netprobe/cmd.Commit=0123456789abcdef0123456789abcdef01234567" +
	" -X github.com/netprobe/netprobe/cmd.Date=2026-01-02T03:04:05Z"

// TestVersion runs the binary TestMain built with a release build's
// -ldflags: the stamped version, commit and date come out.
func TestVersion(t *testing.T) {
	r := netprobe(t, "version")
	lines := strings.Split(r.stdout, "\n")
	if r.code != 0 || len(lines) < 4 {
		t.Fatalf("version: exit %d, %q", r.code, r.stdout)
	}
	want := []string{"netprobe 0.0.0-test", "commit: 0123456789abcdef0123456789abcdef01234567", "built:  2026-01-02T03:04:05Z"}
	for i, w := range want {
		if lines[i] != w {
			t.Errorf("line %d = %q, want %q", i+1, lines[i], w)
		}
	}
	if !strings.HasPrefix(lines[3], "go:     go1.") {
		t.Errorf("line 4 = %q", lines[3])
	}
}

// TestVersionFromBuildInfo builds without -ldflags, as `go build` in a
// checkout does: the commit comes from the toolchain's VCS stamp.
func TestVersionFromBuildInfo(t *testing.T) {
	head, err := exec.Command("git", "rev-parse", "HEAD").Output()
	if err != nil {
		t.Skipf("not a git checkout (%v): no VCS stamp to read", err)
	}
	if st, err := os.Stat(filepath.Join("..", ".git")); err != nil || !st.IsDir() {
		// The go command finds a repository only by a .git directory;
		// in a git worktree .git is a file and nothing is stamped.
		t.Skip("the module root has no .git directory (a git worktree?): the toolchain stamps no VCS data")
	}
	bin := filepath.Join(t.TempDir(), "netprobe")
	build := exec.Command("go", "build", "-buildvcs=true", "-o", bin, "./netprobe")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	out, err := exec.Command(bin, "version").Output()
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(out), "\n")
	if len(lines) < 3 || !strings.HasPrefix(lines[1], "commit: "+strings.TrimSpace(string(head))) || !strings.HasPrefix(lines[0], "netprobe ") || strings.HasPrefix(lines[2], "built:  unknown") {
		t.Errorf("version output\n%s\nwant the commit %s and its date", out, head)
	}
}

func TestCompletion(t *testing.T) {
	for _, sh := range []string{"bash", "zsh", "fish", "powershell"} {
		r := netprobe(t, "completion", sh)
		if r.code != 0 || !strings.Contains(r.stdout, "netprobe") {
			t.Errorf("completion %s: exit %d, %d bytes", sh, r.code, len(r.stdout))
		}
	}
}
