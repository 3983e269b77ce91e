package cmd

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode"
)

// FuzzConfigFile runs the diagnose command on arbitrary config files
// (flag-style and check files, seeded with the examples and every invalid
// fixture) with a Run that probes nothing, and holds the loader to the
// rule for bad input: exit 2 before anything runs (capture fails the
// test if a probe ran), every error line naming the file, no control
// character, bounded; otherwise exit 0. Never a panic or a hang.
func FuzzConfigFile(f *testing.F) {
	seeds, _ := filepath.Glob("../checkfile/testdata/config/*.yaml")
	examples, _ := filepath.Glob("../examples/*.yaml")
	for _, p := range append(seeds, examples...) {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(b))
	}
	for _, s := range []string{
		"upstream: [198.18.1.1, 198.18.1.2]\ndns_name: www.lab.test\ntimeout: 3s\ntarget:\n  - tcp://10.77.2.10:25\n",
		"timeout: soon\n", "timeout: [1s, 2s]\n", "upstream: [\n", "target: example.com:0\n",
		"loss-warn: .nan\n", "layers: ''\n", "a: &x [*x]\n", "---\n---\n", "snmp-port: 0\n",
		"dns:\n  - name: intranet\n    query: fs.office.lan\n    expect: {addresses: [10.77.0.5]}\n",
	} {
		f.Add(s)
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, body string) {
		// The report of an accepted file goes to stdout: a fuzzed
		// output-file (in any YAML spelling of the key) could write
		// anywhere, so such inputs are left out.
		if entries, err := parseConfig("x", []byte(body)); err == nil {
			for _, e := range entries {
				if e.name == "output-file" {
					t.Skip("names an output file")
				}
			}
		}
		p := filepath.Join(dir, "netprobe.yml")
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		// Every default that would point off this machine is overridden.
		_, code, stderr := capture(t, nil, "--config", p, "--upstream", "198.18.1.1", "--resolver", "198.18.1.53",
			"--dns-name", "www.lab.test", "--no-portal-check", "-o", "json")
		switch code {
		case 0:
		case ExitUsage:
			if stderr == "" {
				t.Fatal("exit 2 with nothing on stderr")
			}
			for _, line := range strings.Split(strings.TrimSuffix(stderr, "\n"), "\n") {
				if !strings.Contains(line, "netprobe.yml") {
					t.Errorf("error line does not name the file: %q", line)
				}
				if len(line) > 1024 {
					t.Errorf("error line of %d bytes", len(line))
				}
				for _, r := range line {
					if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
						t.Fatalf("error line holds U+%04X: %q", r, line)
					}
				}
			}
		default:
			t.Fatalf("exit %d: %s", code, stderr)
		}
	})
}
