package cmd

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The README's examples are part of the interface: these tests keep them
// true.

func readme(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// block returns the fenced block that follows the marker comment.
func block(t *testing.T, doc, marker string) string {
	t.Helper()
	i := strings.Index(doc, marker)
	if i < 0 {
		t.Fatalf("README has no %q", marker)
	}
	rest := doc[i:]
	start := strings.Index(rest, "```")
	nl := strings.Index(rest[start:], "\n")
	body := rest[start+nl+1:]
	end := strings.Index(body, "```")
	return body[:end]
}

// TestReadmeExample: the README's example is e2e/testdata/readme-example.txt,
// a real run in the fault lab (TestFaultLab/readme_example checks it
// there), and its command line is one netprobe takes.
func TestReadmeExample(t *testing.T) {
	got := block(t, readme(t), "<!-- example:lab")
	want, err := os.ReadFile("../e2e/testdata/readme-example.txt")
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Fatalf("README example differs from e2e/testdata/readme-example.txt; copy the file into the README's example block")
	}
	line := ""
	for _, l := range strings.Split(got, "\n") {
		line += " " + strings.TrimSuffix(strings.TrimSpace(l), "\\")
		if !strings.HasSuffix(l, "\\") {
			break
		}
	}
	fields := strings.Fields(line)
	if len(fields) < 3 || fields[0] != "$" || fields[1] != "netprobe" {
		t.Fatalf("the example does not start with its command line: %q", line)
	}
	if _, code, stderr := capture(t, nil, fields[2:]...); code != 0 {
		t.Fatalf("the example's command line is refused: exit %d: %s", code, stderr)
	}
	for i, l := range strings.Split(got, "\n") {
		if n := len([]rune(l)); n > 100 {
			t.Errorf("example line %d is %d columns wide, want at most 100", i+1, n)
		}
		for _, r := range l {
			if r > 127 {
				t.Errorf("example line %d is not ASCII: %q", i+1, l)
				break
			}
		}
	}
}

func TestReadmeCommands(t *testing.T) {
	n := 0
	cmds := block(t, readme(t), "<!-- commands:")
	t.Chdir("..") // the commands name files from the repository's root
	env := map[string]string{EnvAuthPass: "example-auth", EnvPrivPass: "example-priv",
		// examples/office.yaml names its secrets by environment variable.
		"OFFICE_SNMP": "example-community", "OFFICE_SNMP_AUTH": "example-auth", "OFFICE_SNMP_PRIV": "example-priv"}
	for _, line := range strings.Split(cmds, "\n") {
		line = strings.TrimSpace(line)
		if i := strings.Index(line, "#"); i >= 0 {
			line = strings.TrimSpace(line[:i])
		}
		if !strings.HasPrefix(line, "netprobe") {
			continue
		}
		n++
		args := strings.Fields(line)[1:]
		t.Run(line, func(t *testing.T) {
			// capture never probes: Run and RunPorts are replaced.
			_, code, stderr := capture(t, env, args...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
		})
	}
	if n < 10 {
		t.Fatalf("found only %d example commands", n)
	}
}

func TestReadmeConfig(t *testing.T) {
	p := filepath.Join(t.TempDir(), "netprobe.yml")
	if err := os.WriteFile(p, []byte(block(t, readme(t), "<!-- config:")), 0o600); err != nil {
		t.Fatal(err)
	}
	o, code, stderr := capture(t, nil, "--config", p)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if len(o.Upstreams) != 2 || len(o.Targets) != 2 || len(o.Printers) != 1 || o.LossWarn != 5 {
		t.Fatalf("README config not applied: %+v", o)
	}
}
