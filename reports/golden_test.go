package reports_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/netprobe/netprobe/reports"
	"github.com/netprobe/netprobe/reports/reporttest"
	"github.com/netprobe/netprobe/result"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// variant is one way to render a report: a format plus, for text, the
// terminal options.
type variant struct {
	name   string // file suffix
	render func(*bytes.Buffer, *result.Report) error
}

var variants = []variant{
	{"text.txt", func(b *bytes.Buffer, r *result.Report) error { return reports.Text(b, r, reports.TextOptions{}) }},
	{"tty.txt", func(b *bytes.Buffer, r *result.Report) error {
		return reports.Text(b, r, reports.TextOptions{Color: true, Unicode: true})
	}},
	// Wrapped for a narrow terminal (the two above wrap at the default
	// 100 columns): piped and on the terminal.
	{"narrow.txt", func(b *bytes.Buffer, r *result.Report) error {
		return reports.Text(b, r, reports.TextOptions{Width: 64})
	}},
	{"narrow.tty.txt", func(b *bytes.Buffer, r *result.Report) error {
		return reports.Text(b, r, reports.TextOptions{Color: true, Unicode: true, Width: 64})
	}},
	{"verbose.txt", func(b *bytes.Buffer, r *result.Report) error {
		return reports.Text(b, r, reports.TextOptions{Verbose: true})
	}},
	{"md", func(b *bytes.Buffer, r *result.Report) error { return reports.Markdown(b, r) }},
	{"json", func(b *bytes.Buffer, r *result.Report) error { return reports.JSON(b, r) }},
	{"junit.xml", func(b *bytes.Buffer, r *result.Report) error { return reports.JUnit(b, r) }},
	{"prom", func(b *bytes.Buffer, r *result.Report) error { return reports.Prometheus(b, r) }},
}

// TestGolden renders every fixture in every variant and compares with
// testdata/golden/<fixture>.<variant>. Run `go test ./reports -update` to
// rewrite them after an intended change, then review the diff.
func TestGolden(t *testing.T) {
	for _, f := range reporttest.All() {
		for _, v := range variants {
			t.Run(f.Name+"/"+v.name, func(t *testing.T) {
				var b bytes.Buffer
				if err := v.render(&b, f.Report); err != nil {
					t.Fatalf("render: %v", err)
				}
				path := filepath.Join("testdata", "golden", f.Name+"."+v.name)
				if *update {
					if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
						t.Fatal(err)
					}
					if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
						t.Fatal(err)
					}
					return
				}
				want, err := os.ReadFile(path)
				if err != nil {
					t.Fatalf("%v (run go test ./reports -update to create it)", err)
				}
				if !bytes.Equal(b.Bytes(), want) {
					t.Errorf("%s differs from golden file; run go test ./reports -update and review the diff.\n--- got ---\n%s", path, b.String())
				}
			})
		}
	}
}
