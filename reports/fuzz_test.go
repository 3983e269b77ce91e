package reports_test

import (
	"bytes"
	"maps"
	"slices"
	"strconv"
	"testing"
	"unicode/utf8"

	"github.com/netprobe/netprobe/internal/bound"
	"github.com/netprobe/netprobe/internal/hostile"
	"github.com/netprobe/netprobe/internal/sanitize"
	"github.com/netprobe/netprobe/reports"
	"github.com/netprobe/netprobe/reports/reporttest"
	"github.com/netprobe/netprobe/result"
)

// Fuzz targets for every renderer: arbitrary strings placed in a report,
// rendered, and held to the hostile corpus's invariants (checkVariant): no
// control, bidi or zero-width character, the structure of the same report
// with harmless words (parsed by goldmark, encoding/xml, encoding/json or
// expfmt), bounded size. scripts/fuzz runs them; go test replays their
// seeds and testdata/fuzz/.

// mixed is a report like everywhere, with the three strings taking turns
// in its fields, so neighbouring fields hold different text (a cell
// border between two hostile strings, a key and its value).
func mixed(a, b, c string) *result.Report {
	vals := []string{a, b, c}
	i := 0
	next := func() string {
		s := vals[i%len(vals)]
		i++
		return s
	}
	r := everywhere("", true)
	replaceStrings(r, next)
	return r
}

// replaceStrings sets every string everywhere("") left empty, in a fixed
// order (map keys sorted), from next, so a report and its twin get their
// strings in the same places.
func replaceStrings(r *result.Report, next func() string) {
	r.Command, r.Tool.Version = next(), next()
	r.Host = result.Host{Hostname: next(), OS: next(), Arch: next(), ICMP: next(), ICMPReason: next()}
	r.Verdict.Status, r.Verdict.Summary = result.Overall(next()), next()
	r.Verdict.Advice, r.Verdict.Evidence = []string{next(), next()}, []string{next()}
	for li := range r.Layers {
		l := &r.Layers[li]
		l.Note = next()
		for ci := range l.Checks {
			c := &l.Checks[ci]
			c.Target, c.Detail, c.Error = next(), next(), next()
			if c.Name == "" {
				c.Name = next()
			}
			if c.Status == "" {
				c.Status = result.Status(next())
			}
			old := c.Evidence
			c.Evidence = map[string]any{}
			for _, k := range slices.Sorted(maps.Keys(old)) {
				v := old[k]
				if k == "" {
					k = next()
				}
				c.Evidence[k] = fill(v, next)
			}
		}
	}
}

// fill returns v with its empty strings set from next.
func fill(v any, next func() string) any {
	str := func(s string) string {
		if s == "" {
			return next()
		}
		return s
	}
	switch x := v.(type) {
	case string:
		return str(x)
	case []string:
		out := make([]string, len(x))
		for i, s := range x {
			out[i] = str(s)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = fill(e, next)
		}
		return out
	case map[string]string:
		out := map[string]string{}
		for _, k := range slices.Sorted(maps.Keys(x)) {
			out[str(k)] = str(x[k])
		}
		return out
	case map[string]any:
		out := map[string]any{}
		for _, k := range slices.Sorted(maps.Keys(x)) {
			out[str(k)] = fill(x[k], next)
		}
		return out
	case []result.Supply:
		out := append([]result.Supply(nil), x...)
		for i := range out {
			s := &out[i]
			s.Index, s.Description, s.Type, s.Unit, s.Color, s.State = str(s.Index), str(s.Description), str(s.Type), str(s.Unit), str(s.Color), str(s.State)
		}
		return out
	case []result.Tray:
		out := append([]result.Tray(nil), x...)
		for i := range out {
			out[i].Index, out[i].Name, out[i].State = str(out[i].Index), str(out[i].Name), str(out[i].State)
		}
		return out
	case []result.Alert:
		out := append([]result.Alert(nil), x...)
		for i := range out {
			a := &out[i]
			a.Index, a.Severity, a.CodeName, a.Group, a.Description = str(a.Index), str(a.Severity), str(a.CodeName), str(a.Group), str(a.Description)
		}
		return out
	}
	return v
}

// twinner maps strings to harmless stand-ins that keep what renderers
// decide on: emptiness (raw and cleaned), which strings are equal once
// cleaned (a Prometheus series gets a "seq" label when two label sets
// are equal), and the few words renderers switch on (statuses, alert
// severities, supply states), raw or only once cleaned.
type twinner map[string]string

// meaningful are the words some renderer compares a string with.
var meaningful = map[string]bool{
	"ok": true, "warn": true, "fail": true, "skip": true, "degraded": true, "unknown": true,
	"icmp": true, "critical": true, "warning": true, "receptacle": true, "consumed": true,
	"low": true, "nearly_full": true, "empty": true, "full": true,
	"open": true, "80": true, "READY": true, "dns": true, "tcp": true, "printer": true, "netprobe": true,
}

func (m twinner) of(s string) string {
	c := reports.Clean(s)
	switch {
	case s == "":
		return ""
	case c == "":
		return " "
	case meaningful[c] && s == c:
		return c
	case meaningful[c]:
		return c + "\x00" // cleans to the word, is not the word raw
	}
	if v, ok := m[c]; ok {
		return v
	}
	v := "x" + strconv.Itoa(len(m)+1)
	m[c] = v
	return v
}

// fuzzRenderer fuzzes the named output variants.
func fuzzRenderer(f *testing.F, names ...string) {
	seeds(f)
	f.Fuzz(func(t *testing.T, a, b, c string) {
		tw := twinner{}
		r, twin := mixed(a, b, c), mixed(tw.of(a), tw.of(b), tw.of(c))
		for _, v := range variants {
			for _, n := range names {
				if v.name == n {
					checkVariant(t, v, r, twin, false)
				}
			}
		}
	})
}

// seeds adds the hostile corpus (cut to a size the fuzzer mutates well)
// and the hostile fixture's strings.
func seeds(f *testing.F) {
	entries, err := hostile.Strings()
	if err != nil {
		f.Fatal(err)
	}
	for i, e := range entries {
		next := entries[(i+1)%len(entries)].Value
		f.Add(bound.Bytes(e.Value, 256), bound.Bytes(next, 64), "x")
	}
	h := reporttest.Hostile()
	f.Add(h.Verdict.Summary, h.Command, h.Host.Hostname)
	f.Add("", "", "")
}

func FuzzText(f *testing.F)       { fuzzRenderer(f, "text.txt", "tty.txt", "verbose.txt") }
func FuzzMarkdown(f *testing.F)   { fuzzRenderer(f, "md") }
func FuzzJSON(f *testing.F)       { fuzzRenderer(f, "json") }
func FuzzJUnit(f *testing.F)      { fuzzRenderer(f, "junit.xml") }
func FuzzPrometheus(f *testing.F) { fuzzRenderer(f, "prom") }

// FuzzHTML holds -o html to the same rules as the other formats' fuzz
// targets, with HTML's own meaning of "structure": the page stays inert
// (assertInert: no script, handler, link out, inline style, and its
// Content-Security-Policy), has as many elements as its harmless twin,
// and holds no invisible character outside its own line breaks.
func FuzzHTML(f *testing.F) {
	seeds(f)
	f.Fuzz(func(t *testing.T, a, b, c string) {
		tw := twinner{}
		r, twin := mixed(a, b, c), mixed(tw.of(a), tw.of(b), tw.of(c))
		var got, base bytes.Buffer
		if err := reports.HTML(&got, r); err != nil {
			t.Fatal(err)
		}
		if err := reports.HTML(&base, twin); err != nil {
			t.Fatal(err)
		}
		if !utf8.Valid(got.Bytes()) {
			t.Error("invalid UTF-8")
		}
		for i, ch := range got.String() {
			if ch != '\n' && sanitize.Invisible(ch) {
				t.Fatalf("%U at byte %d", ch, i)
			}
		}
		p, q := assertInert(t, got.Bytes()), parse(t, base.Bytes())
		if len(p.elements) != len(q.elements) {
			t.Errorf("%d elements, its harmless twin has %d", len(p.elements), len(q.elements))
		}
		if got.Len()-base.Len() > maxGrowth {
			t.Errorf("%d bytes, its harmless twin %d", got.Len(), base.Len())
		}
	})
}
