package reports_test

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/netprobe/netprobe/reports"
	"github.com/netprobe/netprobe/reports/reporttest"
	"github.com/netprobe/netprobe/result"
)

func TestParseFormat(t *testing.T) {
	tests := []struct {
		in, want string
		wantErr  bool
	}{
		{"text", "text", false},
		{"json", "json", false},
		{"markdown", "markdown", false},
		{"md", "markdown", false},
		{"MD", "markdown", false},
		{" junit ", "junit", false},
		{"prometheus", "prometheus", false},
		{"prom", "prometheus", false},
		{"", "", true},
		{"yaml", "", true},
		{"jsonl", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := reports.ParseFormat(tt.in)
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Fatalf("ParseFormat(%q) = %q, %v; want %q, error %v", tt.in, got, err, tt.want, tt.wantErr)
			}
		})
	}
	_, err := reports.ParseFormat("yaml")
	want := `unknown output format "yaml" (want text, json, markdown, html, junit, prometheus)`
	if err == nil || err.Error() != want {
		t.Errorf("error = %v, want %s", err, want)
	}
}

// TestRenderDispatches checks that Render gives exactly what the format's
// own function gives, for every name in Formats.
func TestRenderDispatches(t *testing.T) {
	r := reporttest.DNSFailure()
	o := reports.TextOptions{Unicode: true}
	direct := map[string]func(*bytes.Buffer) error{
		"text":       func(b *bytes.Buffer) error { return reports.Text(b, r, o) },
		"json":       func(b *bytes.Buffer) error { return reports.JSON(b, r) },
		"markdown":   func(b *bytes.Buffer) error { return reports.Markdown(b, r) },
		"html":       func(b *bytes.Buffer) error { return reports.HTML(b, r) },
		"junit":      func(b *bytes.Buffer) error { return reports.JUnit(b, r) },
		"prometheus": func(b *bytes.Buffer) error { return reports.Prometheus(b, r) },
	}
	if len(direct) != len(reports.Formats) {
		t.Fatalf("Formats = %v; this test knows %d formats", reports.Formats, len(direct))
	}
	for _, f := range reports.Formats {
		t.Run(f, func(t *testing.T) {
			var got, want bytes.Buffer
			if err := reports.Render(&got, f, r, o); err != nil {
				t.Fatal(err)
			}
			fn, ok := direct[f]
			if !ok {
				t.Fatalf("format %q has no direct renderer in this test", f)
			}
			if err := fn(&want); err != nil {
				t.Fatal(err)
			}
			if got.String() != want.String() {
				t.Errorf("Render(%q) differs from the direct call", f)
			}
		})
	}
	if err := reports.Render(&bytes.Buffer{}, "yaml", r, o); err == nil {
		t.Error("Render with an unknown format succeeded")
	}
}

// errWriter fails every write, like a closed pipe.
type errWriter struct{}

var errClosed = errors.New("closed pipe")

func (errWriter) Write([]byte) (int, error) { return 0, errClosed }

func TestRenderReturnsWriteErrors(t *testing.T) {
	for _, f := range reports.Formats {
		t.Run(f, func(t *testing.T) {
			if err := reports.Render(errWriter{}, f, reporttest.Healthy(), reports.TextOptions{}); !errors.Is(err, errClosed) {
				t.Errorf("error = %v, want the writer's", err)
			}
		})
	}
}

// TestRenderersDoNotModifyTheReport renders every fixture in every format
// and compares it with a fresh copy: renderers format, they never change
// what they were given.
func TestRenderersDoNotModifyTheReport(t *testing.T) {
	fresh := reporttest.All()
	for i, f := range reporttest.All() {
		for _, v := range variants {
			var b bytes.Buffer
			if err := v.render(&b, f.Report); err != nil {
				t.Fatal(err)
			}
		}
		if !reflect.DeepEqual(f.Report, fresh[i].Report) {
			t.Errorf("%s: rendering modified the report", f.Name)
		}
	}
}

// TestEmptyReport renders the zero report and a report with empty layers
// in every format: nothing may panic or fail on missing data.
func TestEmptyReport(t *testing.T) {
	reportsToTry := map[string]*result.Report{
		"zero":         {},
		"empty layers": {Layers: []result.LayerResult{{Name: result.Link}, {Name: result.DNS, Checks: []result.Check{{}}}}},
	}
	for name, r := range reportsToTry {
		for _, v := range variants {
			t.Run(name+"/"+v.name, func(t *testing.T) {
				var b bytes.Buffer
				if err := v.render(&b, r); err != nil {
					t.Fatal(err)
				}
				if b.Len() == 0 {
					t.Error("no output")
				}
			})
		}
	}
}

// TestHumanFormatsStripEscapes feeds terminal escape sequences through
// every evidence path: none may reach text or Markdown output, where a
// terminal or a chat client would act on them.
func TestHumanFormatsStripEscapes(t *testing.T) {
	for _, v := range variants {
		if strings.HasSuffix(v.name, "tty.txt") || v.name == "json" {
			continue // tty adds its own colours; JSON escapes control characters as \u001b
		}
		t.Run(v.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := v.render(&b, reporttest.Hostile()); err != nil {
				t.Fatal(err)
			}
			for _, bad := range []string{"\x1b", "\x07", "pwned"} {
				// Markdown's evidence block is JSON, where the sequence
				// is inert text (\u001b]0;pwned) and kept as evidence.
				if bad == "pwned" && v.name == "md" {
					continue
				}
				if strings.Contains(b.String(), bad) {
					t.Errorf("output contains %q", bad)
				}
			}
		})
	}
}
