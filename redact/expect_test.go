package redact

import (
	"strings"
	"testing"

	"github.com/netprobe/netprobe/result"
)

// TestReportRedactsExpectations: a check file's expectation records name
// addresses and hosts like the checks do, and are masked the same way.
func TestReportRedactsExpectations(t *testing.T) {
	r := result.Report{
		Layers: []result.LayerResult{{Name: result.DNS, Checks: []result.Check{{Name: "dns", Target: "fs.office.lan @10.1.0.53"}}}},
		Expectations: []result.Expectation{{Name: "fileserver-name", Check: "dns", Target: "fs.office.lan @10.1.0.53",
			Status: result.ExpectUnmet, Expected: "all of 10.1.0.5", Found: "10.1.0.9 (missing 10.1.0.5)"}},
	}
	out := Report(r)
	e := out.Expectations[0]
	for _, s := range []string{e.Target, e.Expected, e.Found} {
		for _, leak := range []string{"10.1.0.", "fs.office.lan"} {
			if strings.Contains(s, leak) {
				t.Errorf("%q leaks %q", s, leak)
			}
		}
	}
	if e.Name != "fileserver-name" || e.Status != result.ExpectUnmet {
		t.Errorf("redaction changed what is not personal: %+v", e)
	}
	if out.Layers[0].Checks[0].Target != e.Target {
		t.Errorf("the same target got different placeholders: %q and %q", out.Layers[0].Checks[0].Target, e.Target)
	}
	if r.Expectations[0].Found != "10.1.0.9 (missing 10.1.0.5)" {
		t.Error("Report changed its input")
	}
}
