package reports_test

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/netprobe/netprobe/reports"
	"github.com/netprobe/netprobe/reports/reporttest"
	"github.com/netprobe/netprobe/result"
)

// Reading-side types, written independently of the renderer's so the test
// checks the XML, not the Go structs.
type jSuites struct {
	XMLName  xml.Name `xml:"testsuites"`
	Tests    int      `xml:"tests,attr"`
	Failures int      `xml:"failures,attr"`
	Suites   []jSuite `xml:"testsuite"`
}

type jSuite struct {
	Name     string  `xml:"name,attr"`
	Tests    int     `xml:"tests,attr"`
	Failures int     `xml:"failures,attr"`
	Skipped  int     `xml:"skipped,attr"`
	Cases    []jCase `xml:"testcase"`
	Props    []struct {
		Name  string `xml:"name,attr"`
		Value string `xml:"value,attr"`
	} `xml:"properties>property"`
	SystemOut string `xml:"system-out"`
}

type jCase struct {
	Classname string `xml:"classname,attr"`
	Name      string `xml:"name,attr"`
	Failure   *struct {
		Message string `xml:"message,attr"`
		Body    string `xml:",chardata"`
	} `xml:"failure"`
	Skipped *struct {
		Message string `xml:"message,attr"`
	} `xml:"skipped"`
	SystemOut string `xml:"system-out"`
}

func junit(t *testing.T, r *result.Report) (string, jSuites) {
	t.Helper()
	var b bytes.Buffer
	if err := reports.JUnit(&b, r); err != nil {
		t.Fatal(err)
	}
	// Strict token pass: well-formed XML with no invalid characters.
	d := xml.NewDecoder(bytes.NewReader(b.Bytes()))
	for {
		_, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("not well-formed: %v\n%s", err, b.String())
		}
	}
	var s jSuites
	if err := xml.Unmarshal(b.Bytes(), &s); err != nil {
		t.Fatal(err)
	}
	return b.String(), s
}

// caseGroup is what one test case stands for: a check, or every result
// of one check of a check file (evidence "check").
type caseGroup struct {
	name   string
	status result.Status
	first  result.Check
}

func caseGroups(cs []result.Check) []caseGroup {
	var out []caseGroup
	idx := map[string]int{}
	for _, c := range cs {
		n, _ := c.Evidence["check"].(string)
		if i, ok := idx[n]; ok && n != "" {
			out[i].status = result.Worst(out[i].status, c.Status)
			continue
		}
		if n != "" {
			idx[n] = len(out)
		}
		out = append(out, caseGroup{name: n, status: c.Status, first: c})
	}
	return out
}

// TestJUnitMapsEveryCheck: one suite per layer, one case per check (per
// check of the file, for a check file's results), with the status mapped
// as documented and the counts adding up.
func TestJUnitMapsEveryCheck(t *testing.T) {
	for _, f := range reporttest.All() {
		t.Run(f.Name, func(t *testing.T) {
			_, doc := junit(t, f.Report)
			if len(doc.Suites) != len(f.Report.Layers) {
				t.Fatalf("%d suites for %d layers", len(doc.Suites), len(f.Report.Layers))
			}
			tests, fails := 0, 0
			for i, l := range f.Report.Layers {
				s := doc.Suites[i]
				groups := caseGroups(l.Checks)
				if s.Name != l.Name.String() || len(s.Cases) != len(groups) {
					t.Fatalf("suite %d = %s with %d cases, want %s with %d", i, s.Name, len(s.Cases), l.Name, len(groups))
				}
				sf, ss := 0, 0
				for j, g := range groups {
					tc := s.Cases[j]
					if tc.Classname != "netprobe."+l.Name.String() {
						t.Errorf("classname %q", tc.Classname)
					}
					if g.name != "" && tc.Name != g.name {
						t.Errorf("case name %q, want the check file's %q", tc.Name, g.name)
					}
					if g.name == "" && !strings.HasPrefix(tc.Name, strings.TrimSpace(g.first.Name)) {
						t.Errorf("case name %q does not start with the check name %q", tc.Name, g.first.Name)
					}
					switch g.status {
					case result.Fail:
						sf++
						if tc.Failure == nil || tc.Skipped != nil {
							t.Errorf("%s: failed check is not a <failure>", tc.Name)
						}
					case result.Skip:
						ss++
						if tc.Skipped == nil || tc.Failure != nil {
							t.Errorf("%s: skipped check is not <skipped>", tc.Name)
						}
					case result.Warn:
						if tc.Failure != nil || tc.Skipped != nil || !strings.HasPrefix(tc.SystemOut, "WARNING: ") {
							t.Errorf("%s: warning must pass with a WARNING in system-out, got %+v", tc.Name, tc)
						}
					case result.OK:
						if tc.Failure != nil || tc.Skipped != nil {
							t.Errorf("%s: ok check has a failure or skip", tc.Name)
						}
					}
				}
				if s.Failures != sf || s.Skipped != ss || s.Tests != len(groups) {
					t.Errorf("suite %s counts tests=%d failures=%d skipped=%d, want %d %d %d", s.Name, s.Tests, s.Failures, s.Skipped, len(groups), sf, ss)
				}
				tests, fails = tests+s.Tests, fails+sf
			}
			// The root has no skipped count: the JUnit schema allows it
			// per suite only.
			if doc.Tests != tests || doc.Failures != fails {
				t.Errorf("totals tests=%d failures=%d, want %d %d", doc.Tests, doc.Failures, tests, fails)
			}
		})
	}
}

// TestJUnitFailureCarriesDetailAndEvidence: CI shows the failure message
// first, so it is the check's detail; the body has the error and evidence.
func TestJUnitFailureCarriesDetailAndEvidence(t *testing.T) {
	_, doc := junit(t, reporttest.DNSFailure())
	var dns jSuite
	for _, s := range doc.Suites {
		if s.Name == "dns" {
			dns = s
		}
	}
	tc := dns.Cases[0]
	if tc.Name != "dns example.com @192.168.1.1" {
		t.Errorf("name = %q", tc.Name)
	}
	if tc.Failure == nil || tc.Failure.Message != "resolver 192.168.1.1 did not answer for example.com within 2 s" {
		t.Fatalf("failure = %+v", tc.Failure)
	}
	for _, want := range []string{"error: read udp", "resolver: 192.168.1.1", "transport: udp"} {
		if !strings.Contains(tc.Failure.Body, want) {
			t.Errorf("failure body lacks %q:\n%s", want, tc.Failure.Body)
		}
	}
	if !strings.HasPrefix(dns.SystemOut, "Verdict: FAIL at the DNS layer\n") {
		t.Errorf("verdict layer's system-out = %q", dns.SystemOut)
	}
	for _, s := range doc.Suites {
		if s.Name == "service" && !strings.Contains(s.SystemOut, "follow from the problem at the DNS layer") {
			t.Errorf("consequence layer's system-out = %q", s.SystemOut)
		}
	}
}

// TestJUnitHostileStrings: markup, CDATA terminators and characters XML
// forbids come out as well-formed XML carrying the same text.
func TestJUnitHostileStrings(t *testing.T) {
	r := &result.Report{Layers: []result.LayerResult{{Name: result.Service, Status: result.Fail, Checks: []result.Check{
		{Name: "http", Target: `<a href="x">&amp;</a>`, Status: result.Fail, Detail: "bad ]]> end \x00 nul \uFFFE", Error: "]]><!--"},
		{Name: "tls", Target: "t", Status: result.Warn, Detail: "w ]]> x", Evidence: map[string]any{"k": "]]>"}},
	}}}}
	_, doc := junit(t, r)
	c := doc.Suites[0].Cases
	if c[0].Name != `http <a href="x">&amp;</a>` {
		t.Errorf("name = %q", c[0].Name)
	}
	if !strings.Contains(c[0].Failure.Body, "error: ]]><!--") {
		t.Errorf("failure body = %q", c[0].Failure.Body)
	}
	if c[1].SystemOut != "WARNING: w ]]> x\nk: ]]>" {
		t.Errorf("system-out = %q", c[1].SystemOut)
	}
}
