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

func TestReadmeExample(t *testing.T) {
	got := block(t, readme(t), "<!-- example:dns-failure")
	want, err := os.ReadFile("../reports/testdata/golden/dns-failure.text.txt")
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Fatalf("README example differs from reports/testdata/golden/dns-failure.text.txt; copy the golden file into the README")
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
