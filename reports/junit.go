package reports

import (
	"encoding/xml"
	"fmt"
	"io"
	"maps"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/netprobe/netprobe/result"
)

// JUnit writes the report as JUnit XML so CI systems show netprobe's checks
// like tests: one <testsuite> per layer, one <testcase> per check (class
// name netprobe.<layer>, name "<check> <target>"). A failed check is a
// <failure> whose message is the check's detail; a warning passes but says
// so in <system-out>, since CI has no "warning" result; a skipped check is
// <skipped> with its reason.
//
// The checks of a check file (netprobe check -f) are one <testcase> each,
// named after the file's check (its probes' results, e.g. tcp, tls and
// http of one https target, are that case's evidence). The output is
// valid against the JUnit schema Jenkins and GitLab read
// (testdata/junit/README.md).
func JUnit(w io.Writer, r *result.Report) error { return JUnitWith(w, r, JUnitOptions{}) }

// JUnitOptions changes how statuses map to JUnit results.
type JUnitOptions struct {
	// FailOn is the lowest status that is a <failure>: Fail (the default)
	// or Warn (netprobe check --fail-on warn).
	FailOn result.Status
}

// JUnitWith is JUnit with options.
func JUnitWith(w io.Writer, r *result.Report, o JUnitOptions) error {
	doc := junitReport(r, o)
	out, err := xml.MarshalIndent(doc, "", "  ")
	if err != nil {
		return err
	}
	b := make([]byte, 0, len(xml.Header)+len(out)+1)
	b = append(b, xml.Header...)
	b = append(b, out...)
	b = append(b, '\n')
	_, err = w.Write(b)
	return err
}

// junitSuites is the root. It has only the attributes the schema allows
// there (skipped and timestamp are per suite).
type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name       string          `xml:"name,attr"`
	Tests      int             `xml:"tests,attr"`
	Failures   int             `xml:"failures,attr"`
	Errors     int             `xml:"errors,attr"`
	Skipped    int             `xml:"skipped,attr"`
	Time       string          `xml:"time,attr"`
	Timestamp  string          `xml:"timestamp,attr,omitempty"`
	Hostname   string          `xml:"hostname,attr,omitempty"`
	Properties []junitProperty `xml:"properties>property,omitempty"`
	Cases      []junitCase     `xml:"testcase"`
	SystemOut  *junitText      `xml:"system-out,omitempty"`
}

// junitText is element text written as CDATA, so multi-line output keeps
// its line breaks instead of turning them into &#xA; (strings are cleaned
// of control characters first, and encoding/xml splits any "]]>").
type junitText struct {
	Text string `xml:",cdata"`
}

// text wraps s for an optional element; empty s means no element.
func text(s string) *junitText {
	if s == "" {
		return nil
	}
	return &junitText{xmlSafe(s)}
}

// xmlSafe replaces the runes XML 1.0 forbids (clean already removed the
// control characters; this catches U+FFFE and U+FFFF), which CDATA would
// otherwise carry into a file CI parsers reject.
func xmlSafe(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '\n' || r == '\t' || r == '\r' || (r >= 0x20 && r <= 0xD7FF) || (r >= 0xE000 && r <= 0xFFFD) || (r >= 0x10000 && r <= 0x10FFFF) {
			return r
		}
		return '\uFFFD'
	}, s)
}

type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitCase struct {
	Classname string        `xml:"classname,attr"`
	Name      string        `xml:"name,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitMessage `xml:"failure,omitempty"`
	Skipped   *junitMessage `xml:"skipped,omitempty"`
	SystemOut *junitText    `xml:"system-out,omitempty"`
}

// junitMessage is a <failure> or <skipped> element.
type junitMessage struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr,omitempty"`
	Body    string `xml:",cdata"`
}

// seconds is JUnit's time unit, to the millisecond.
func seconds(d time.Duration) string {
	return fmt.Sprintf("%.3f", math.Max(0, d.Seconds()))
}

// junitTimestamp is the ISO 8601 form JUnit's schema expects: no zone,
// which is why it is always UTC.
const junitTimestamp = "2006-01-02T15:04:05"

func junitReport(r *result.Report, o JUnitOptions) junitSuites {
	if o.FailOn == "" {
		o.FailOn = result.Fail
	}
	doc := junitSuites{Name: "netprobe", Time: seconds(r.Duration)}
	ts := ""
	if !r.StartedAt.IsZero() {
		ts = r.StartedAt.UTC().Format(junitTimestamp)
	}
	v := r.Verdict
	consequence := map[result.Layer]bool{}
	for _, l := range v.Consequences {
		consequence[l] = true
	}
	for _, l := range r.Layers {
		s := junitSuite{
			Name:      l.Name.String(),
			Timestamp: ts,
			Hostname:  clean(r.Host.Hostname),
			Properties: []junitProperty{
				{Name: "netprobe.layer.status", Value: clean(string(l.Status))},
			},
		}
		if n := clean(l.Note); n != "" {
			s.Properties = append(s.Properties, junitProperty{Name: "netprobe.layer.note", Value: n})
		}
		var total time.Duration
		for _, g := range groupChecks(l.Checks) {
			tc, st := junitGroup(l.Name, g, o)
			s.Cases = append(s.Cases, tc)
			s.Tests++
			switch {
			case tc.Failure != nil:
				s.Failures++
			case st == result.Skip:
				s.Skipped++
			}
		}
		for _, c := range l.Checks {
			total += c.Duration
		}
		s.Time = seconds(total)
		// Put the verdict where a CI reader lands: on the layer at fault,
		// and a pointer to it on the layers that only fail because of it.
		switch {
		case v.Layer != result.None && l.Name == v.Layer:
			s.SystemOut = text(verdictText(v))
		case consequence[l.Name]:
			s.SystemOut = text(fmt.Sprintf("These failures follow from the problem at the %s layer: %s", layerTitle(v.Layer), clean(v.Summary)))
		}
		doc.Tests += s.Tests
		doc.Failures += s.Failures
		doc.Suites = append(doc.Suites, s)
	}
	return doc
}

// checkGroup is one test case: a check of a check file (every probe
// result it produced), or one check of netprobe's own.
type checkGroup struct {
	name   string // the check file's name; "" for netprobe's own checks
	checks []result.Check
}

// groupChecks gathers a layer's checks into test cases, in order of first
// appearance: the results carrying the same check-file name (evidence
// "check") are one case.
func groupChecks(cs []result.Check) []checkGroup {
	var out []checkGroup
	idx := map[string]int{}
	for _, c := range cs {
		name, _ := c.Evidence["check"].(string)
		if name == "" {
			out = append(out, checkGroup{checks: []result.Check{c}})
			continue
		}
		if i, ok := idx[name]; ok {
			out[i].checks = append(out[i].checks, c)
			continue
		}
		idx[name] = len(out)
		out = append(out, checkGroup{name: name, checks: []result.Check{c}})
	}
	return out
}

// junitGroup is one test case and its worst status.
func junitGroup(layer result.Layer, g checkGroup, o JUnitOptions) (junitCase, result.Status) {
	if g.name == "" {
		c := g.checks[0]
		return junitCheck(layer, c, o), c.Status
	}
	var total time.Duration
	st := result.Skip
	var body, warns []string
	var first, firstWarn *result.Check
	for i, c := range g.checks {
		total += c.Duration
		st = result.Worst(st, c.Status)
		if first == nil && c.Status == result.Fail {
			first = &g.checks[i]
		}
		if firstWarn == nil && c.Status == result.Warn && o.FailOn == result.Warn {
			firstWarn = &g.checks[i]
		}
		if c.Status == result.Warn {
			warns = append(warns, "WARNING: "+clean(c.Name)+": "+clean(c.Detail))
		}
		head := fmt.Sprintf("%s %s: %s", clean(c.Name), clean(c.Target), strings.ToUpper(string(c.Status)))
		if c.Reason != "" {
			head += " (" + string(c.Reason) + ")"
		}
		body = append(body, head, "  "+clean(c.Detail))
		for _, l := range checkLines(c) {
			body = append(body, "  "+l)
		}
	}
	if first == nil {
		first = firstWarn
	}
	tc := junitCase{Classname: "netprobe." + layer.String(), Name: clean(g.name), Time: seconds(total)}
	switch {
	case first != nil:
		tc.Failure = &junitMessage{Message: clean(first.Name) + ": " + clean(first.Detail), Type: string(first.Status), Body: xmlSafe(strings.Join(body, "\n"))}
	case st == result.Skip:
		tc.Skipped = &junitMessage{Message: clean(g.checks[0].Detail)}
	case st == result.Warn:
		tc.SystemOut = text(strings.Join(append(warns, body...), "\n"))
	default:
		tc.SystemOut = text(strings.Join(body, "\n"))
	}
	return tc, st
}

// verdictText is the verdict as plain lines.
func verdictText(v result.Verdict) string {
	lines := []string{"Verdict: " + headline(v)}
	if s := clean(v.Summary); s != "" {
		lines = append(lines, s)
	}
	for i, a := range v.Advice {
		lines = append(lines, fmt.Sprintf("%d. %s", i+1, clean(a)))
	}
	for _, e := range v.Evidence {
		lines = append(lines, "- "+clean(e))
	}
	return strings.Join(lines, "\n")
}

func junitCheck(layer result.Layer, c result.Check, o JUnitOptions) junitCase {
	name := strings.TrimSpace(clean(c.Name) + " " + clean(c.Target))
	tc := junitCase{Classname: "netprobe." + layer.String(), Name: name, Time: seconds(c.Duration)}
	body := checkLines(c)
	switch {
	case c.Status == result.Fail, c.Status == result.Warn && o.FailOn == result.Warn:
		tc.Failure = &junitMessage{Message: clean(c.Detail), Type: string(c.Status), Body: xmlSafe(strings.Join(body, "\n"))}
	case c.Status == result.Skip:
		tc.Skipped = &junitMessage{Message: clean(c.Detail)}
	case c.Status == result.Warn:
		tc.SystemOut = text(strings.Join(append([]string{"WARNING: " + clean(c.Detail)}, body...), "\n"))
	}
	return tc
}

// checkLines is a check's error and evidence as plain "key: value" lines,
// printer tables included one item a line.
func checkLines(c result.Check) []string {
	var out []string
	if e := clean(c.Error); e != "" {
		out = append(out, "error: "+e)
	}
	for _, k := range slices.Sorted(maps.Keys(c.Evidence)) {
		v := c.Evidence[k]
		switch k {
		case "supplies":
			if s, ok := supplies(v); ok {
				for _, x := range s {
					out = append(out, "supply: "+plainLevel(supplyRow(x)))
				}
				continue
			}
		case "trays":
			if s, ok := trays(v); ok {
				for _, x := range s {
					out = append(out, "tray: "+plainLevel(trayRow(x)))
				}
				continue
			}
		case "alerts":
			if s, ok := alerts(v); ok {
				for _, x := range s {
					out = append(out, fmt.Sprintf("alert: %s %s: %s", clean(x.Severity), alertCode(x), clean(x.Description)))
				}
				continue
			}
		}
		out = append(out, clean(k)+": "+value(v))
	}
	return out
}

// plainLevel is a supply or tray on one line without a bar.
func plainLevel(r levelRow) string {
	lvl := "unknown"
	switch {
	case r.percent != nil:
		lvl = pctText(*r.percent)
		if r.free {
			lvl += " free"
		}
	case r.raw == -3:
		lvl = "some remaining"
	}
	s := r.name + ": " + lvl
	if st := stateText(r.state); st != "" && st != lvl {
		s += " (" + st + ")"
	}
	return s
}
