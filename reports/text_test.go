package reports_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/netprobe/netprobe/reports"
	"github.com/netprobe/netprobe/reports/reporttest"
	"github.com/netprobe/netprobe/result"
)

// allOptions is every combination of the text options.
func allOptions() []reports.TextOptions {
	var out []reports.TextOptions
	for i := 0; i < 8; i++ {
		out = append(out, reports.TextOptions{Color: i&1 != 0, Unicode: i&2 != 0, Verbose: i&4 != 0})
	}
	return out
}

func text(t *testing.T, r *result.Report, o reports.TextOptions) string {
	t.Helper()
	var b bytes.Buffer
	if err := reports.Text(&b, r, o); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestTextPipedIsPlain: without Color there is no escape sequence at all,
// and without Unicode the output is pure ASCII, whatever the report's
// strings hold (the hostile fixture's CJK, bidi and ellipsis included).
func TestTextPipedIsPlain(t *testing.T) {
	for _, f := range reporttest.All() {
		for _, o := range allOptions() {
			if o.Color {
				continue
			}
			t.Run(fmt.Sprintf("%s/%+v", f.Name, o), func(t *testing.T) {
				out := text(t, f.Report, o)
				if strings.Contains(out, "\x1b") {
					t.Errorf("escape sequence in piped output:\n%s", out)
				}
				if o.Unicode {
					return
				}
				for i, r := range out {
					if r > utf8.RuneSelf-1 {
						t.Fatalf("non-ASCII %q at byte %d in ASCII mode", r, i)
					}
				}
			})
		}
	}
}

// TestTextTTYHasMarksAndColour checks the terminal mode's marks and colours.
func TestTextTTYHasMarksAndColour(t *testing.T) {
	out := text(t, reporttest.DNSFailure(), reports.TextOptions{Color: true, Unicode: true})
	for _, want := range []string{
		"\x1b[32m✓\x1b[0m", // ok, green
		"\x1b[31m✗\x1b[0m", // fail, red
		"\x1b[2m–\x1b[0m",  // skip, dim
		"\x1b[1m\x1b[31m✗ FAIL at the DNS layer\x1b[0m",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in:\n%s", want, out)
		}
	}
	out = text(t, reporttest.Degraded(), reports.TextOptions{Color: true, Unicode: true})
	if !strings.Contains(out, "\x1b[33m!\x1b[0m") {
		t.Errorf("warn mark not yellow:\n%s", out)
	}
}

// TestTextVerdictFirst: the verdict, its summary and the next steps come
// before any layer table.
func TestTextVerdictFirst(t *testing.T) {
	r := reporttest.DNSFailure()
	out := text(t, r, reports.TextOptions{Width: -1})
	lines := strings.Split(out, "\n")
	if lines[0] != "Verdict: FAIL at the DNS layer" {
		t.Errorf("first line = %q", lines[0])
	}
	if lines[1] != r.Verdict.Summary {
		t.Errorf("second line = %q, want the summary", lines[1])
	}
	steps := strings.Index(out, "  1. "+r.Verdict.Advice[0])
	cons := strings.Index(out, "Also failing because of this: Service")
	link := strings.Index(out, "\nLink: OK")
	if steps < 0 || cons < 0 || link < 0 || !(steps < cons && cons < link) {
		t.Errorf("order wrong (steps %d, consequences %d, first layer %d):\n%s", steps, cons, link, out)
	}
}

// TestTextNoTrailingSpace holds every line of every text variant (and the
// Markdown) to no trailing white space.
func TestTextNoTrailingSpace(t *testing.T) {
	for _, f := range reporttest.All() {
		outs := map[string]string{}
		for _, o := range allOptions() {
			outs[fmt.Sprintf("%+v", o)] = text(t, f.Report, o)
		}
		var md bytes.Buffer
		if err := reports.Markdown(&md, f.Report); err != nil {
			t.Fatal(err)
		}
		outs["markdown"] = md.String()
		for name, out := range outs {
			for i, l := range strings.Split(out, "\n") {
				if strings.TrimRight(l, " \t") != l {
					t.Errorf("%s %s line %d has trailing space: %q", f.Name, name, i+1, l)
				}
			}
			if !strings.HasSuffix(out, "\n") {
				t.Errorf("%s %s does not end with a newline", f.Name, name)
			}
		}
	}
}

// TestTextColumnsAlign checks that every check's detail starts in the same
// terminal column, wide characters (the hostile fixture's CJK printer
// name) included, unless a target is longer than the column allows.
func TestTextColumnsAlign(t *testing.T) {
	for _, f := range reporttest.All() {
		for _, o := range []reports.TextOptions{{Width: -1}, {Unicode: true, Width: -1}} {
			t.Run(fmt.Sprintf("%s/unicode=%v", f.Name, o.Unicode), func(t *testing.T) {
				lines := strings.Split(text(t, f.Report, o), "\n")
				col := -1
				for _, l := range f.Report.Layers {
					for _, c := range l.Checks {
						if c.Detail == "" || width(c.Target) > 36 || strings.ContainsAny(c.Detail, "\uFFFD") {
							continue
						}
						row := findRow(lines, c)
						if row == "" {
							t.Fatalf("no row for %s %s", c.Name, c.Target)
						}
						at := width(row[:strings.Index(row, shownDetail(c))])
						if col < 0 {
							col = at
						} else if at != col {
							t.Errorf("detail of %s %s starts at column %d, others at %d:\n%s", c.Name, c.Target, at, col, row)
						}
					}
				}
			})
		}
	}
}

// findRow returns the line showing a check: it contains its name, target
// and detail in that order.
func findRow(lines []string, c result.Check) string {
	for _, l := range lines {
		i := strings.Index(l, c.Name)
		j := strings.Index(l, shownDetail(c))
		if i >= 0 && j > i && strings.Contains(l[i:j], c.Target) {
			return l
		}
	}
	return ""
}

// width is a test-side column count: two for the CJK ideographs the
// fixtures use, one for anything else.
func width(s string) int {
	w := 0
	for _, r := range s {
		if r >= 0x4E00 && r <= 0x9FFF {
			w += 2
		} else {
			w++
		}
	}
	return w
}

// TestTextVerboseShowsAllEvidence: verbose output names every evidence key
// (printer lists appear as their own blocks instead).
func TestTextVerboseShowsAllEvidence(t *testing.T) {
	printerBlocks := map[string]string{
		"supplies": "Supplies:", "trays": "Trays:", "alerts": "Alerts:",
		"display": "Display:", "problems": "Problems:", "errors": "Error flags:",
	}
	for _, f := range reporttest.All() {
		out := text(t, f.Report, reports.TextOptions{Verbose: true})
		short := text(t, f.Report, reports.TextOptions{})
		for _, l := range f.Report.Layers {
			for _, c := range l.Checks {
				for k, v := range c.Evidence {
					want := "  " + k + " "
					if b, ok := printerBlocks[k]; ok && !isEmptyList(v) {
						want = b
					}
					if !strings.Contains(out, want) {
						t.Errorf("%s: verbose output lacks evidence key %q of %s %s", f.Name, k, c.Name, c.Target)
					}
				}
			}
		}
		if len(out) <= len(short) {
			t.Errorf("%s: verbose output is not longer than the default", f.Name)
		}
	}
}

// isEmptyList reports an empty slice of any type.
func isEmptyList(v any) bool {
	rv := reflect.ValueOf(v)
	return rv.Kind() == reflect.Slice && rv.Len() == 0
}

// TestTextPrinterLevels table-tests how supply and tray levels are drawn.
func TestTextPrinterLevels(t *testing.T) {
	p := func(v float64) *float64 { return &v }
	tests := []struct {
		name         string
		supply       result.Supply
		ascii, utf8s string
	}{
		{"63 percent", result.Supply{Description: "Black", Class: "consumed", Level: 63, Max: 100, Percent: p(63), State: "ok"},
			"Black  [######----]  63%  ok", "Black  ██████░░░░  63%  ok"},
		{"almost empty still shows a cell", result.Supply{Description: "Cyan", Level: 2, Max: 100, Percent: p(2), State: "low"},
			"Cyan  [#---------]   2%  low", "Cyan  █░░░░░░░░░   2%  low"},
		{"empty", result.Supply{Description: "Cyan", Level: 0, Max: 100, Percent: p(0), State: "empty"},
			"Cyan  [----------]   0%  empty", "Cyan  ░░░░░░░░░░   0%  empty"},
		{"almost full is not full", result.Supply{Description: "Drum", Level: 996, Max: 1000, Percent: p(99.6), State: "ok"},
			"Drum  [#########-] >99%  ok", "Drum  █████████░ >99%  ok"},
		{"a trace left is not empty", result.Supply{Description: "Cyan", Level: 3, Max: 1000, Percent: p(0.3), State: "low"},
			"Cyan  [#---------]  <1%  low", "Cyan  █░░░░░░░░░  <1%  low"},
		{"full", result.Supply{Description: "Drum", Level: 100, Max: 100, Percent: p(100), State: "ok"},
			"Drum  [##########] 100%  ok", "Drum  ██████████ 100%  ok"},
		{"receptacle shows space left", result.Supply{Description: "Waste", Class: "receptacle", Level: 15, Max: 100, Percent: p(15), State: "nearly_full"},
			"Waste  [##--------]  15% free  nearly full", "Waste  ██░░░░░░░░  15% free  nearly full"},
		{"some remaining", result.Supply{Description: "Magenta", Level: -3, Max: 100, State: "some_remaining"},
			"Magenta  some remaining", "Magenta  some remaining"},
		{"unknown", result.Supply{Description: "Yellow", Level: -2, Max: -2, State: "unknown"},
			"Yellow  unknown", "Yellow  unknown"},
		{"unknown level but low", result.Supply{Description: "Ink", Level: -3, Max: -2, State: "low"},
			"Ink  some remaining  low", "Ink  some remaining  low"},
		{"no description", result.Supply{Index: "1.7", Type: "staples", Level: -3, State: "some_remaining"},
			"staples  some remaining", "staples  some remaining"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &result.Report{Layers: []result.LayerResult{{Name: result.Printer, Status: result.OK, Checks: []result.Check{{
				Name: "snmp", Target: "p", Status: result.OK, Evidence: map[string]any{"supplies": []result.Supply{tt.supply}},
			}}}}}
			for _, c := range []struct {
				unicode bool
				want    string
			}{{false, tt.ascii}, {true, tt.utf8s}} {
				out := text(t, r, reports.TextOptions{Unicode: c.unicode})
				if !strings.Contains(out, "\n"+strings.Repeat(" ", 2+markWidth(c.unicode)+2+2)+c.want+"\n") {
					t.Errorf("unicode=%v: want row %q in:\n%s", c.unicode, c.want, out)
				}
			}
		})
	}
}

func markWidth(unicode bool) int {
	if unicode {
		return 1
	}
	return 4
}

// TestTextEvidenceValues table-tests how verbose mode prints the value
// shapes probes store.
func TestTextEvidenceValues(t *testing.T) {
	tests := []struct {
		name string
		v    any
		want string
	}{
		{"string", "udp", "udp"},
		{"empty string", "", `""`},
		{"int", 1500, "1500"},
		{"float one decimal", 12.345, "12.3"},
		{"sub-millisecond", 0.042, "0.04"},
		{"whole float", 100.0, "100"},
		{"bool", true, "yes"},
		{"strings", []string{"a", "b"}, "a, b"},
		{"empty list", []string{}, "(none)"},
		{"map sorted", map[string]string{"9100": "open", "515": "closed"}, "515=closed, 9100=open"},
		{"decoded JSON list", []any{"x", 1.5}, "x, 1.5"},
		{"decoded JSON object", map[string]any{"b": true, "a": "x"}, "a=x, b=yes"},
		{"json number", json.Number("42"), "42"},
		{"nil", nil, "-"},
		{"escape removed", "a\x1b[31mb", "ab"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &result.Report{Layers: []result.LayerResult{{Name: result.Service, Status: result.OK, Checks: []result.Check{{
				Name: "x", Target: "t", Status: result.OK, Detail: "d", Evidence: map[string]any{"key": tt.v},
			}}}}}
			out := text(t, r, reports.TextOptions{Verbose: true})
			if !strings.Contains(out, "\n        key  "+tt.want+"\n") {
				t.Errorf("want %q in:\n%s", tt.want, out)
			}
		})
	}
}

// shownDetail is the detail as the table shows it: without the target it
// starts with, which the target column already shows.
func shownDetail(c result.Check) string {
	if c.Target != "" && strings.HasPrefix(c.Detail, c.Target+" ") {
		return c.Detail[len(c.Target)+1:]
	}
	return c.Detail
}
