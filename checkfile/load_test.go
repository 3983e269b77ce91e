package checkfile

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the .want files of testdata/config and docs/netprobe.schema.json")

// TestInvalidFixtures loads every testdata/config/invalid-*.yaml and
// compares the whole error output with the .want file next to it, as
// blackbox_exporter keeps its invalid configs. Each line must be
// file:line:col: message, and no secret written in a fixture may appear.
func TestInvalidFixtures(t *testing.T) {
	files, err := filepath.Glob("testdata/config/invalid-*.yaml")
	if err != nil || len(files) < 10 {
		t.Fatalf("found %d fixtures (%v)", len(files), err)
	}
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			f, err := Load(path)
			if err == nil {
				t.Fatalf("Load accepted it: %+v", f)
			}
			got := err.Error() + "\n"
			for _, line := range strings.Split(strings.TrimSpace(got), "\n") {
				if !strings.HasPrefix(line, filepath.Base(path)+":") {
					t.Errorf("line does not start with the file name: %q", line)
				}
			}
			for _, secret := range []string{"do-not-print-me", "my secret"} {
				if strings.Contains(got, secret) {
					t.Errorf("the error quotes a secret: %s", got)
				}
			}
			want := path + ".want"
			if *update {
				if err := os.WriteFile(want, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			b, err := os.ReadFile(want)
			if err != nil {
				t.Fatalf("%v (run go test ./checkfile -update to write it)", err)
			}
			if got != string(b) {
				t.Errorf("errors differ from %s\ngot:\n%s\nwant:\n%s", want, got, b)
			}
		})
	}
}

// TestExamplesLoad: every shipped example is a valid check file.
func TestExamplesLoad(t *testing.T) {
	files, _ := filepath.Glob("../examples/*.yaml")
	if len(files) == 0 {
		t.Fatal("no examples")
	}
	for _, p := range files {
		f, err := Load(p)
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		if len(f.DNS)+len(f.Targets)+len(f.Printers) == 0 {
			t.Errorf("%s has no checks", p)
		}
	}
}

func TestParseValid(t *testing.T) {
	src := `
timeout: 4s
layers: []
resolvers: [127.0.0.1:5353]
budgets:
  gateway: {loss_warn: 5, rtt_warn: 20ms}
dns:
  - name: a
    resolve: a.lab.test
    resolver: "[::1]:53"
    expect: {any_of: ["::1"], rcode: noerror}
targets:
  - name: t
    target: 127.0.0.1:80
    expect: {port: [closed, filtered]}
  - name: p
    target: "[::1]"
  - name: w
    target: https://127.0.0.1:8443/x
    expect: {http: {status: 204, body_contains: ok}, tls: {min_days_left: 0}}
printers:
  - name: pr
    host: 127.0.0.1
    snmp: {version: 1, port: 1161}
modules:
  m:
    checks: [a, t]
`
	f, err := Parse("ok.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if f.Timeout.D().String() != "4s" || f.Layers == nil || len(*f.Layers) != 0 {
		t.Errorf("timeout/layers = %s %v", f.Timeout.D(), f.Layers)
	}
	if got := f.DNS[0].Expect.Rcode; got != "NOERROR" {
		t.Errorf("rcode = %q", got)
	}
	if k := f.Targets[0].Target.Kind(); k != "tcp" {
		t.Errorf("HOST:PORT kind = %q", k)
	}
	if k, h := f.Targets[1].Target.Kind(), f.Targets[1].Target.Ping; k != "ping" || h != "::1" {
		t.Errorf("[::1] = %q %q", k, h)
	}
	if s := f.Targets[2].Expect.HTTP.Status; len(s) != 1 || s[0] != 204 {
		t.Errorf("status = %v", s)
	}
	if v := f.Printers[0].SNMP.Version; v != "1" {
		t.Errorf("snmp version = %q", v)
	}
	if p := f.Targets[2].At.Key("target"); p.Line != 19 || p.Col != 5 {
		t.Errorf("position of targets[2].target = %d:%d", p.Line, p.Col)
	}
}

func TestSuggest(t *testing.T) {
	keys := []string{"name", "resolve", "resolver", "timeout", "expect"}
	tests := []struct{ in, want string }{
		{"resolv", ` (did you mean "resolve"?)`},
		{"expcet", ` (did you mean "expect"?)`}, // a swapped pair is one typo
		{"Timeout", ` (did you mean "timeout"?)`},
		{"community", ""},
		{"nme", ` (did you mean "name"?)`},
		{"xyz", ""},
	}
	for _, tt := range tests {
		if got := suggest(tt.in, keys); got != tt.want {
			t.Errorf("suggest(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
