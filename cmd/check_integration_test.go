package cmd_test

import (
	"bufio"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/netprobe/netprobe/internal/testnet"
)

// officeFile writes a check file for the loopback servers: no lower
// layers, so nothing leaves the machine.
func officeFile(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "office.yaml")
	if err := os.WriteFile(p, []byte("layers: []\ntimeout: 5s\n"+body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestCheckExitCodes(t *testing.T) {
	good := dnsServer(t)
	open, closed := testnet.OpenTCP(t), testnet.ClosedTCP(t)
	asExpected := fmt.Sprintf(`
dns:
  - {name: ok-name, resolve: ok.test, resolver: "%s", expect: {any_of: [127.0.0.1]}}
  - {name: nx-name, resolve: nx.test, resolver: "%s", expect: {resolves: false}}
targets:
  - {name: open-port, target: "tcp://127.0.0.1:%d", expect: {port: open}}
  - {name: must-be-closed, target: "tcp://127.0.0.1:%d", expect: {port: [closed, filtered]}}
`, good, good, open, closed)
	failing := asExpected + fmt.Sprintf("  - {name: wrongly-closed, target: \"tcp://127.0.0.1:%d\", expect: {port: open}}\n", closed)
	// A DNS budget no answer can meet: a warning only.
	warning := asExpected + "budgets:\n  dns: {rtt_warn: 1ns}\n"
	tests := []struct {
		name string
		body string
		args []string
		code int
	}{
		{"as expected", asExpected, nil, 0},
		{"a check fails", failing, nil, 1},
		{"warnings pass by default", warning, nil, 0},
		{"--fail-on warn", warning, []string{"--fail-on", "warn"}, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := netprobe(t, append([]string{"check", "-f", officeFile(t, tt.body), "-o", "json"}, tt.args...)...)
			if r.code != tt.code {
				t.Fatalf("exit %d, want %d\nstderr: %s\nstdout: %s", r.code, tt.code, r.stderr, r.stdout)
			}
			v := parse(t, r.stdout)
			if len(v.Layers) != 2 || v.Layers[0].Name != "dns" || v.Layers[1].Name != "service" {
				t.Errorf("layers = %+v, want dns and service only", v.Layers)
			}
			if !strings.Contains(r.stdout, `"expectations": [`) {
				t.Error("no expectations in the JSON report")
			}
		})
	}
}

func TestCheckJUnitAndPrometheusFiles(t *testing.T) {
	open, closed := testnet.OpenTCP(t), testnet.ClosedTCP(t)
	f := officeFile(t, fmt.Sprintf(`targets:
  - {name: smb, target: "tcp://127.0.0.1:%d", expect: {port: open}}
  - {name: guest-isolated, target: "tcp://127.0.0.1:%d", expect: {port: [filtered, closed]}}
  - {name: broken, target: "tcp://127.0.0.1:%d"}
`, open, closed, closed))
	dir := t.TempDir()
	xmlPath := filepath.Join(dir, "report.xml")
	r := netprobe(t, "check", "-f", f, "-o", "junit", "--output-file", xmlPath)
	if r.code != 1 || r.stdout != "" {
		t.Fatalf("exit %d, stdout %q, stderr %s", r.code, r.stdout, r.stderr)
	}
	b, err := os.ReadFile(xmlPath)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`name="smb"`, `name="guest-isolated"`, `name="broken"`, `<failure message="tcp: port`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("JUnit lacks %s:\n%s", want, b)
		}
	}
	if xmllint, err := exec.LookPath("xmllint"); err == nil {
		if out, err := exec.Command(xmllint, "--noout", "--schema", "../reports/testdata/junit/junit.xsd", xmlPath).CombinedOutput(); err != nil {
			t.Errorf("report.xml is not valid JUnit: %s", out)
		}
	} else if os.Getenv("CI") == "true" {
		t.Fatal("xmllint missing (libxml2-utils)")
	}
	// The textfile collector's file: atomic, and no temporary left.
	prom := filepath.Join(dir, "netprobe.prom")
	if r := netprobe(t, "check", "-f", f, "-o", "prometheus", "--output-file", prom); r.code != 1 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	p, _ := os.ReadFile(prom)
	for _, want := range []string{"probe_success 0", `netprobe_check_status{check="guest-isolated",layer="service",probe="tcp",reason="",target="tcp://127.0.0.1:`} {
		if !strings.Contains(string(p), want) {
			t.Errorf("prometheus file lacks %q:\n%s", want, p)
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Errorf("files left in the directory: %v", entries)
	}
}

func TestCheckValidate(t *testing.T) {
	good := officeFile(t, "targets:\n  - {name: a, target: \"tcp://127.0.0.1:9\"}\n")
	if r := netprobe(t, "check", "--validate", "-f", good); r.code != 0 || !strings.Contains(r.stdout, "valid (0 dns, 1 target") {
		t.Fatalf("validate good: exit %d, %q %q", r.code, r.stdout, r.stderr)
	}
	bad := filepath.Join(t.TempDir(), "office.yaml")
	os.WriteFile(bad, []byte("timeout: 5\ntargts: []\nprinters:\n  - name: p\n    host: 127.0.0.1\n    snmp: {community: hunter2-secret}\n"), 0o644)
	for _, args := range [][]string{{"check", "--validate", "-f", bad}, {"check", "-f", bad}, {"diagnose", "--config", bad}} {
		r := netprobe(t, args...)
		want := "office.yaml:1:10: 5 is a bare number: a duration needs a unit, write 5s (or 5ms)\n" +
			"office.yaml:2:1: unknown key \"targts\" (did you mean \"targets\"?)\n" +
			"office.yaml:6:12: an inline SNMP community is refused: a secret written in a file ends up in backups, repositories and tickets; put it in an environment variable and name that with community_env\n"
		if r.code != 2 || r.stdout != "" || r.stderr != want {
			t.Errorf("%v: exit %d\nstdout %q\nstderr:\n%s\nwant:\n%s", args, r.code, r.stdout, r.stderr, want)
		}
		if strings.Contains(r.stderr, "hunter2") {
			t.Error("the secret was printed")
		}
	}
	if r := netprobe(t, "check"); r.code != 2 || !strings.Contains(r.stderr, "check needs a file") {
		t.Errorf("no file: exit %d %q", r.code, r.stderr)
	}
	if r := netprobe(t, "check", "-f", good, "--fail-on", "maybe"); r.code != 2 {
		t.Errorf("bad --fail-on: exit %d", r.code)
	}
}

// TestDiagnoseTakesCheckFile: diagnose --config runs a check file's checks.
func TestDiagnoseTakesCheckFile(t *testing.T) {
	closed := testnet.ClosedTCP(t)
	f := officeFile(t, fmt.Sprintf("targets:\n  - {name: closed-ok, target: \"tcp://127.0.0.1:%d\", expect: {port: closed}}\n", closed))
	r := netprobe(t, "diagnose", "--config", f, "-o", "json")
	if r.code != 0 {
		t.Fatalf("exit %d: %s %s", r.code, r.stderr, r.stdout)
	}
	if v := parse(t, r.stdout); len(v.Layers) != 1 || v.Layers[0].Checks[0].Evidence["check"] != "closed-ok" {
		t.Fatalf("report = %+v", v)
	}
}

// TestServeSignals: the real binary serves /probe on loopback, reloads its
// file on SIGHUP (a bad one is refused, the old kept) and stops cleanly on
// SIGTERM.
func TestServeSignals(t *testing.T) {
	open := testnet.OpenTCP(t)
	p := filepath.Join(t.TempDir(), "office.yaml")
	os.WriteFile(p, []byte("modules:\n  smb:\n    target: {expect: {port: open}}\n"), 0o644)
	cmd := exec.Command(binary, "serve", "--listen", "127.0.0.1:0", "-f", p)
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	lines := make(chan string, 100)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	var base string
	re := regexp.MustCompile(`listen=(127\.0\.0\.1:\d+)`)
	wait := func(what string, match func(string) bool) string {
		timeout := time.After(5 * time.Second)
		for {
			select {
			case l, ok := <-lines:
				if !ok {
					t.Fatalf("netprobe serve ended while waiting for %s", what)
				}
				if match(l) {
					return l
				}
			case <-timeout:
				t.Fatalf("no %s in 5s", what)
			}
		}
	}
	base = "http://" + re.FindStringSubmatch(wait("listen line", re.MatchString))[1]
	probe := func(module string) int {
		resp, err := http.Get(base + "/probe?module=" + module + "&target=" + url.QueryEscape(fmt.Sprintf("tcp://127.0.0.1:%d", open)))
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode
	}
	if probe("smb") != 200 {
		t.Fatal("module smb not served")
	}
	os.WriteFile(p, []byte("modules:\n  smb: {target: {expect: {port: opne}}}\n"), 0o644)
	cmd.Process.Signal(syscall.SIGHUP)
	wait("refused reload", func(l string) bool { return strings.Contains(l, "reload refused") })
	if probe("smb") != 200 {
		t.Fatal("a refused reload dropped the old file")
	}
	os.WriteFile(p, []byte("modules:\n  web: {target: {expect: {port: open}}}\n"), 0o644)
	cmd.Process.Signal(syscall.SIGHUP)
	wait("reload", func(l string) bool { return strings.Contains(l, "check file reloaded") })
	if probe("web") != 200 || probe("smb") != 400 {
		t.Fatal("SIGHUP did not load the new file")
	}
	cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve ended with %v after SIGTERM", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("serve did not stop on SIGTERM")
	}
}
