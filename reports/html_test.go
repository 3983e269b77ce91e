package reports_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/netprobe/netprobe/reports"
	"github.com/netprobe/netprobe/reports/reporttest"
	"github.com/netprobe/netprobe/result"
)

// golden compares got with testdata/golden/name, or rewrites it with
// -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./reports -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from golden file; run go test ./reports -update and review the diff.\n--- got ---\n%s", path, got)
	}
}

// TestGoldenHTML renders every report fixture as HTML.
func TestGoldenHTML(t *testing.T) {
	for _, f := range reporttest.All() {
		t.Run(f.Name, func(t *testing.T) {
			var b bytes.Buffer
			if err := reports.HTML(&b, f.Report); err != nil {
				t.Fatal(err)
			}
			golden(t, f.Name+".html", b.Bytes())
		})
	}
}

// TestRenderHTMLFormat: -o html goes through Render like every format.
func TestRenderHTMLFormat(t *testing.T) {
	for _, name := range []string{"html", "HTML", "htm"} {
		f, err := reports.ParseFormat(name)
		if err != nil || f != reports.FormatHTML {
			t.Errorf("ParseFormat(%q) = %q, %v", name, f, err)
		}
	}
	var via, direct bytes.Buffer
	if err := reports.Render(&via, "html", reporttest.DNSFailure(), reports.TextOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := reports.HTML(&direct, reporttest.DNSFailure()); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(via.Bytes(), direct.Bytes()) || !strings.Contains(via.String(), "FAIL at the DNS layer") {
		t.Errorf("Render(html) differs from HTML or lacks the verdict")
	}
}

// page is a parsed HTML page: its elements and its text.
type page struct {
	elements []*html.Node
	text     string
}

func parse(t *testing.T, b []byte) page {
	t.Helper()
	doc, err := html.Parse(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	var p page
	var text strings.Builder
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		switch n.Type {
		case html.ElementNode:
			p.elements = append(p.elements, n)
		case html.TextNode:
			text.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	p.text = text.String()
	return p
}

// assertInert checks that a page can run nothing and load nothing: no
// script or embedding element, no event handler, no link out of the
// page, and the policy that forbids scripts in any case.
func assertInert(t *testing.T, b []byte) page {
	t.Helper()
	p := parse(t, b)
	csp := false
	for _, n := range p.elements {
		switch n.Data {
		case "script", "img", "iframe", "object", "embed", "image", "foreignObject", "form", "base", "audio", "video", "source", "use":
			t.Errorf("page has a <%s> element", n.Data)
		}
		for _, a := range n.Attr {
			k, v := strings.ToLower(a.Key), strings.TrimSpace(strings.ToLower(a.Val))
			if strings.HasPrefix(k, "on") {
				t.Errorf("<%s> has an event handler %s=%q", n.Data, a.Key, a.Val)
			}
			switch k {
			case "href", "src", "xlink:href", "action", "formaction":
				if !strings.HasPrefix(v, "#") && v != "data:," {
					t.Errorf("<%s %s=%q> points out of the page", n.Data, a.Key, a.Val)
				}
			case "style":
				t.Errorf("<%s> has an inline style attribute %q: report data must never reach CSS", n.Data, a.Val)
			}
			if n.Data == "meta" && strings.EqualFold(a.Val, "Content-Security-Policy") {
				csp = true
			}
		}
	}
	if !csp {
		t.Error("page has no Content-Security-Policy")
	}
	if bytes.ContainsAny(b, "\x1b\x07") {
		t.Error("page contains a control character from the network")
	}
	return p
}

// TestHTMLHostileStringsStayText renders the hostile fixture: every
// attempt at markup must come out as text a reader sees, never as
// elements or attributes.
func TestHTMLHostileStringsStayText(t *testing.T) {
	var b bytes.Buffer
	if err := reports.HTML(&b, reporttest.Hostile()); err != nil {
		t.Fatal(err)
	}
	p := assertInert(t, b.Bytes())
	for _, want := range []string{
		"<img src=x onerror=alert(1)>", // verdict summary
		"<script>alert(1)</script>",    // a check target and detail
		"[click](javascript:alert(1))", // advice
		"Toner | \"Black\" \\ <b>",     // a supply's description
		"<!-- comment -->",             // a display line
		"ana|laptop`<b>",               // the host name
	} {
		if !strings.Contains(p.text, want) {
			t.Errorf("the page's text lacks %q: it was dropped or turned into markup", want)
		}
	}
}

// TestHTMLEveryFixtureIsInert runs the same checks on every fixture,
// report and watch summary alike.
func TestHTMLEveryFixtureIsInert(t *testing.T) {
	for _, f := range reporttest.All() {
		t.Run(f.Name, func(t *testing.T) {
			var b bytes.Buffer
			if err := reports.HTML(&b, f.Report); err != nil {
				t.Fatal(err)
			}
			p := assertInert(t, b.Bytes())
			if h := f.Report.Verdict; !strings.Contains(p.text, strings.TrimSpace(h.Summary)) && h.Summary != "" && f.Name != "hostile" {
				t.Errorf("the page lacks the verdict summary %q", h.Summary)
			}
		})
	}
	for _, f := range reporttest.AllWatch() {
		t.Run(f.Name, func(t *testing.T) {
			var b bytes.Buffer
			if err := reports.WatchHTML(&b, f.Summary); err != nil {
				t.Fatal(err)
			}
			assertInert(t, b.Bytes())
		})
	}
}

// TestHTMLTraceHops draws a trace's hops whether they are typed values
// or maps read back from JSON, and marks the hop the trace blames.
func TestHTMLTraceHops(t *testing.T) {
	type hop struct {
		TTL      int      `json:"ttl"`
		Addr     string   `json:"addr"`
		Sent     int      `json:"sent"`
		Received int      `json:"received"`
		LossPct  float64  `json:"loss_pct"`
		AvgMS    *float64 `json:"avg_ms"`
		PingLoss *float64 `json:"ping_loss_pct,omitempty"`
	}
	avg := 3.5
	zero := 0.0
	typed := []hop{{1, "192.168.1.1", 10, 10, 0, &avg, nil}, {2, "203.0.113.9", 10, 4, 60, &avg, &zero}, {3, "", 10, 0, 100, nil, nil}}
	generic := []any{
		map[string]any{"ttl": 1.0, "addr": "192.168.1.1", "sent": 10.0, "received": 10.0, "loss_pct": 0.0, "avg_ms": 3.5},
		map[string]any{"ttl": 2.0, "addr": "203.0.113.9", "sent": 10.0, "received": 4.0, "loss_pct": 60.0, "avg_ms": 3.5, "ping_loss_pct": 0.0},
		map[string]any{"ttl": 3.0, "addr": "", "sent": 10.0, "received": 0.0, "loss_pct": 100.0, "avg_ms": nil},
	}
	for name, hops := range map[string]any{"typed": typed, "generic": generic} {
		t.Run(name, func(t *testing.T) {
			r := reporttest.Healthy()
			c := result.Check{Name: "trace", Layer: result.Internet, Target: "1.1.1.1", Status: result.Fail,
				Reason: result.ReasonPathLossFromHop, Round: 2, Detail: "loss starts at hop 2",
				Evidence: map[string]any{"hops": hops, "loss_from_hop": 2}}
			inet := r.Layer(result.Internet)
			inet.Checks = append(inet.Checks, c)
			var b bytes.Buffer
			if err := reports.HTML(&b, r); err != nil {
				t.Fatal(err)
			}
			p := assertInert(t, b.Bytes())
			for _, want := range []string{"Path to 1.1.1.1", "203.0.113.9", "4/10", "60%", "3.5 ms", "loss starts here", "(confirmation)", "Ping loss", "0%"} {
				if !strings.Contains(p.text, want) {
					t.Errorf("trace table lacks %q", want)
				}
			}
			if strings.Count(p.text, "loss starts here") != 1 {
				t.Errorf("the blamed hop should be marked once")
			}
		})
	}
}

// TestHTMLUnknownLevels: supplies whose level is not a number draw an
// empty dashed bar and say so, never a made-up percentage.
func TestHTMLUnknownLevels(t *testing.T) {
	var b bytes.Buffer
	if err := reports.HTML(&b, reporttest.PrinterJam()); err != nil {
		t.Fatal(err)
	}
	p := parse(t, b.Bytes())
	for _, want := range []string{"Yellow Toner", "unknown", "Magenta Toner", "some remaining", "8%", "15% free", ">99%"} {
		if !strings.Contains(p.text, want) {
			t.Errorf("supply table lacks %q", want)
		}
	}
	if strings.Contains(b.String(), "NaN") {
		t.Error("a level printed as NaN")
	}
}
