package cmd_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// The real binary finds a captive portal: the upstream and the check URL
// are on loopback (a server that redirects like a portal), so nothing
// leaves 127.0.0.1; the report names the portal's host without its query.
// --no-portal-check skips the check.
func TestBinaryFindsACaptivePortal(t *testing.T) {
	portal := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://login.portal.test/splash?session=s3cr3t", http.StatusFound)
	}))
	defer portal.Close()
	base := []string{"diagnose", "--layers", "internet", "--upstream", "127.0.0.1", "--count", "1", "--no-reference", "-o", "json"}

	r := netprobe(t, append(base, "--portal-url", portal.URL+"/generate_204")...)
	if r.code != 1 {
		t.Fatalf("exit %d, want 1\nstderr: %s\nstdout: %s", r.code, r.stderr, r.stdout)
	}
	v := parse(t, r.stdout)
	if v.Verdict.Status != "fail" || v.Verdict.Layer != "internet" || !strings.Contains(v.Verdict.Summary, "captive portal") ||
		!strings.Contains(v.Verdict.Summary, "login.portal.test") {
		t.Fatalf("verdict %s/%s: %s", v.Verdict.Status, v.Verdict.Layer, v.Verdict.Summary)
	}
	if strings.Contains(r.stdout, "s3cr3t") {
		t.Fatal("the portal's session token reached the report")
	}

	r = netprobe(t, append(base, "--portal-url", portal.URL+"/generate_204", "--no-portal-check")...)
	if r.code != 0 || strings.Contains(r.stdout, `"portal"`) {
		t.Fatalf("--no-portal-check: exit %d (%s)\n%s", r.code, r.stderr, r.stdout)
	}
}
