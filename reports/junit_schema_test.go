package reports_test

import (
	"bytes"
	"encoding/xml"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/netprobe/netprobe/reports"
	"github.com/netprobe/netprobe/reports/reporttest"
	"github.com/netprobe/netprobe/result"
)

// needTool returns the path of a binary the test needs, skipping without
// it, except under CI=true, where a missing tool is a failure
// (scripts/install-deps installs it).
func needTool(t *testing.T, name, pkg string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s not found; scripts/install-deps installs Debian's %s", name, pkg)
		}
		t.Skipf("%s not found (Debian package %s): skipping", name, pkg)
	}
	return p
}

// checkFileReport is a run of a check file: the results of one https
// target are one check ("intranet"), a filtered port that had to be
// filtered is green, and a DNS expectation failed.
func checkFileReport() *result.Report {
	r := reporttest.Healthy()
	tag := func(c result.Check, name string) result.Check {
		ev := map[string]any{"check": name}
		for k, v := range c.Evidence {
			ev[k] = v
		}
		c.Evidence = ev
		return c
	}
	svc := result.LayerResult{Name: result.Service, Status: result.Fail, Checks: []result.Check{
		tag(result.Check{Name: "tcp", Target: "https://intranet.lab.test/", Status: result.OK, Detail: "port 443/tcp is open"}, "intranet"),
		tag(result.Check{Name: "tls", Target: "https://intranet.lab.test/", Status: result.Warn, Reason: result.ReasonTLSExpiring, Detail: "certificate expires soon"}, "intranet"),
		tag(result.Check{Name: "http", Target: "https://intranet.lab.test/", Status: result.Fail, Reason: result.ReasonExpectHTTPStatus, Detail: "expected HTTP status 200, found HTTP 503: HTTP 503"}, "intranet"),
		tag(result.Check{Name: "tcp", Target: "tcp://10.77.1.5:445", Status: result.OK, Detail: "as expected (port filtered): filtered",
			Evidence: map[string]any{"raw_status": "fail", "expected": "port filtered"}}, "guest-isolated"),
	}}
	dns := result.LayerResult{Name: result.DNS, Status: result.Warn, Checks: []result.Check{
		tag(result.Check{Name: "dns", Target: "fs.lab.test @10.77.1.53", Status: result.Warn, Reason: result.ReasonExpectLatency, Detail: "slow"}, "fileserver-name"),
	}}
	r.Layers = append(r.Layers, dns, svc)
	r.Verdict = result.Verdict{Status: result.Failed, Layer: result.Service, Summary: "A service fails."}
	return r
}

// TestJUnitValidAgainstSchema renders every fixture, and a check file's
// run with both --fail-on levels, and validates each with xmllint against
// the JUnit schema Jenkins and GitLab read (testdata/junit/junit.xsd).
func TestJUnitValidAgainstSchema(t *testing.T) {
	xmllint := needTool(t, "xmllint", "libxml2-utils")
	dir := t.TempDir()
	type doc struct {
		name string
		r    *result.Report
		o    reports.JUnitOptions
	}
	docs := []doc{{"check-file-fail", checkFileReport(), reports.JUnitOptions{}},
		{"check-file-warn", checkFileReport(), reports.JUnitOptions{FailOn: result.Warn}}}
	for _, f := range reporttest.All() {
		docs = append(docs, doc{f.Name, f.Report, reports.JUnitOptions{}})
	}
	var files []string
	for _, d := range docs {
		var b bytes.Buffer
		if err := reports.JUnitWith(&b, d.r, d.o); err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, d.name+".xml")
		if err := os.WriteFile(p, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, p)
	}
	// The schema must be able to say no: a root with a skipped count is
	// what netprobe used to write, and what junit-10.xsd refuses.
	bad := filepath.Join(dir, "bad.xml")
	os.WriteFile(bad, []byte(`<testsuites skipped="1"><testsuite name="x" tests="1" failures="0" errors="0"/></testsuites>`), 0o644)
	if out, err := exec.Command(xmllint, "--noout", "--schema", "testdata/junit/junit.xsd", bad).CombinedOutput(); err == nil {
		t.Fatalf("the schema accepted an invalid document: %s", out)
	}
	args := append([]string{"--noout", "--schema", "testdata/junit/junit.xsd"}, files...)
	out, err := exec.Command(xmllint, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("xmllint: %v\n%s", err, out)
	}
	if n := strings.Count(string(out), " validates"); n != len(files) {
		t.Fatalf("%d of %d validate:\n%s", n, len(files), out)
	}
}

// TestJUnitCheckFileCases: one test case per check of the file, named
// after it, failing when any of its results fails, with every result as
// evidence; --fail-on warn turns a warning into a failure.
func TestJUnitCheckFileCases(t *testing.T) {
	for _, tt := range []struct {
		failOn       result.Status
		wantFailures map[string]bool
	}{
		{result.Fail, map[string]bool{"intranet": true}},
		{result.Warn, map[string]bool{"intranet": true, "fileserver-name": true}},
	} {
		var b bytes.Buffer
		if err := reports.JUnitWith(&b, checkFileReport(), reports.JUnitOptions{FailOn: tt.failOn}); err != nil {
			t.Fatal(err)
		}
		var s jSuites
		if err := xml.Unmarshal(b.Bytes(), &s); err != nil {
			t.Fatal(err)
		}
		cases := map[string]jCase{}
		for _, su := range s.Suites {
			for _, c := range su.Cases {
				cases[c.Name] = c
			}
		}
		for _, name := range []string{"intranet", "guest-isolated", "fileserver-name"} {
			c, ok := cases[name]
			if !ok {
				t.Fatalf("fail-on %s: no test case %q in %v", tt.failOn, name, cases)
			}
			if (c.Failure != nil) != tt.wantFailures[name] {
				t.Errorf("fail-on %s: %s failure = %v", tt.failOn, name, c.Failure)
			}
		}
		in := cases["intranet"]
		for _, want := range []string{"tcp https://intranet.lab.test/: OK", "tls https://intranet.lab.test/: WARN (tls.expiring)", "http https://intranet.lab.test/: FAIL (expect.http_status)"} {
			if !strings.Contains(in.Failure.Body, want) {
				t.Errorf("intranet's failure lacks %q:\n%s", want, in.Failure.Body)
			}
		}
		if !strings.HasPrefix(in.Failure.Message, "http: expected HTTP status 200") {
			t.Errorf("message = %q", in.Failure.Message)
		}
		if g := cases["guest-isolated"]; !strings.Contains(g.SystemOut, "raw_status: fail") {
			t.Errorf("the green check hides its raw outcome: %q", g.SystemOut)
		}
	}
}
