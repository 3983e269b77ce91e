package reports_test

import (
	"bytes"
	"regexp"
	"strings"
	"testing"

	"github.com/netprobe/netprobe/reports"
	"github.com/netprobe/netprobe/reports/reporttest"
	"github.com/netprobe/netprobe/result"
)

// A report that pastes well: these tests hold the text to the promises of
// issue 11 item 2 on every fixture.

var ansiSeq = regexp.MustCompile("\x1b\\[[0-9;]*m")

// TestTextWrapsAtWidth: no line is wider than the width asked for, in
// either mode, except where one word alone is longer than the room left
// (a URL or an address list is never cut); the hostile fixture's strings
// are such words by design.
func TestTextWrapsAtWidth(t *testing.T) {
	for _, f := range reporttest.All() {
		if f.Name == "hostile" {
			continue
		}
		for _, width := range []int{reports.DefaultWidth, 64} {
			for _, o := range []reports.TextOptions{{Width: width}, {Width: width, Unicode: true, Color: true}, {Width: width, Verbose: true}} {
				out := text(t, f.Report, o)
				for i, l := range strings.Split(out, "\n") {
					plain := ansiSeq.ReplaceAllString(l, "")
					if n := len([]rune(plain)); n > width && !oneLongWord(plain, width) {
						t.Errorf("%s width %d %+v: line %d is %d columns:\n%s", f.Name, width, o, i+1, n, plain)
					}
				}
			}
		}
	}
	// Without a width the default is 100, and a negative one does not wrap.
	r := reporttest.DNSFailure()
	if text(t, r, reports.TextOptions{}) != text(t, r, reports.TextOptions{Width: reports.DefaultWidth}) {
		t.Error("Width 0 must mean DefaultWidth")
	}
	if !strings.Contains(text(t, r, reports.TextOptions{Width: -1}), r.Verdict.Summary+"\n") {
		t.Error("Width -1 must not wrap the summary")
	}
}

// oneLongWord: the part of the line past width belongs to a word that
// starts at or before the continuation indent could hold it.
func oneLongWord(l string, width int) bool {
	cut := strings.LastIndex(strings.TrimRight(l[:width], " "), " ")
	if cut < 0 {
		return true
	}
	rest := l[cut+1:]
	return !strings.Contains(strings.TrimSpace(rest), " ") || len(strings.Fields(l[:width])) <= 4
}

// TestTextContinuationIndented: a wrapped line's continuation starts
// further right than the line it continues, so a reader sees it is one
// item.
func TestTextContinuationIndented(t *testing.T) {
	out := text(t, reporttest.DNSFailure(), reports.TextOptions{Width: 64})
	lines := strings.Split(out, "\n")
	found := 0
	for i := 1; i < len(lines); i++ {
		if lines[i] == "" || lines[i-1] == "" {
			continue
		}
		if strings.HasPrefix(lines[i-1], "  1. ") {
			found++
			if !strings.HasPrefix(lines[i], "     ") {
				t.Errorf("advice continuation not under its text: %q", lines[i])
			}
		}
	}
	if found == 0 {
		t.Fatalf("the first step did not wrap at 64 columns:\n%s", out)
	}
	if !strings.Contains(out, "\n  fail although the internet connection works.\n") && !strings.Contains(out, "\n  ") {
		t.Errorf("summary continuation not indented:\n%s", out)
	}
}

// figure is a measured value with its unit.
var figure = regexp.MustCompile(`\d+(\.\d+)? ?(ms|s|%)\b`)

// TestTextOneFigureOnce: no line states the same figure twice ("avg 1.2
// ms (rtt 1.2 ms)", "HTTP 200 OK (HTTP 200)"), and every time has its
// unit after a space.
func TestTextOneFigureOnce(t *testing.T) {
	glued := regexp.MustCompile(`\d(ms|s)\b`)
	for _, f := range reporttest.All() {
		if f.Name == "hostile" {
			continue
		}
		for _, o := range []reports.TextOptions{{Width: -1}, {Width: -1, Unicode: true}} {
			out := text(t, f.Report, o)
			for _, l := range strings.Split(out, "\n") {
				seen := map[string]bool{}
				for _, m := range figure.FindAllString(l, -1) {
					k := strings.ReplaceAll(m, " ", "")
					if seen[k] && !strings.HasSuffix(k, "%") {
						t.Errorf("%s: %q twice in %q", f.Name, m, l)
					}
					seen[k] = true
				}
				if n := strings.Count(l, "HTTP 200"); n > 1 {
					t.Errorf("%s: HTTP status twice in %q", f.Name, l)
				}
				if glued.MatchString(l) {
					t.Errorf("%s: a unit without its space in %q", f.Name, l)
				}
			}
		}
	}
	// The rule drops only what the detail says: a figure the detail does
	// not state stays.
	c := result.Check{Name: "dns", Layer: result.DNS, Target: "a @b", Status: result.OK, Detail: "resolver b resolves a to 10.0.0.1",
		Evidence: map[string]any{"rtt_ms": 14.1, "rcode": "NOERROR"}}
	out := text(t, oneCheck(c), reports.TextOptions{Width: -1})
	if !strings.Contains(out, "(rtt 14.1 ms)") || strings.Contains(out, "NOERROR") {
		t.Errorf("want the rtt and no NOERROR next to an answer:\n%s", out)
	}
	c.Detail += " in 14 ms"
	if out := text(t, oneCheck(c), reports.TextOptions{Width: -1}); strings.Contains(out, "rtt 14.1") {
		t.Errorf("the detail gives the time; the fact repeats it:\n%s", out)
	}
	// A ping that could not send: no "loss 0%", no "via none".
	u := result.Check{Name: "ping", Layer: result.Internet, Target: "1.1.1.1", Status: result.Fail, Detail: "1.1.1.1 is unreachable: sendmsg: network is unreachable",
		Evidence: map[string]any{"sent": 0, "received": 0, "loss_pct": 0.0, "method": "none"}}
	if out := text(t, oneCheck(u), reports.TextOptions{Width: -1}); strings.Contains(out, "loss 0%") || strings.Contains(out, "via none") {
		t.Errorf("facts of a ping that sent nothing:\n%s", out)
	}
}

func oneCheck(c result.Check) *result.Report {
	return &result.Report{Schema: result.Schema, Verdict: result.Verdict{Status: result.Healthy},
		Layers: []result.LayerResult{{Name: c.Layer, Status: c.Status, Checks: []result.Check{c}}}}
}

// TestTextCollapsesIdleInterfaces: interfaces down and not in use are one
// line in the default text, each its own line with -v; the decision is
// the reason code's, not the detail's words.
func TestTextCollapsesIdleInterfaces(t *testing.T) {
	idle := func(name string, reason result.Reason) result.Check {
		return result.Check{Name: "link", Layer: result.Link, Target: name, Status: result.Skip, Reason: reason, Detail: "whatever words " + name}
	}
	r := &result.Report{Schema: result.Schema, Verdict: result.Verdict{Status: result.Healthy}, Layers: []result.LayerResult{{
		Name: result.Link, Status: result.OK, Checks: []result.Check{
			{Name: "link", Layer: result.Link, Target: "eth0", Status: result.OK, Detail: "eth0 is up"},
			idle("wlan0", result.ReasonLinkNoCarrier), idle("docker0", result.ReasonLinkAdminDown), idle("virbr0", result.ReasonLinkAdminDown),
			{Name: "link", Layer: result.Link, Target: "eth9", Status: result.Skip, Reason: result.ReasonTimedOut, Detail: "not measured"},
		}}}}
	out := text(t, r, reports.TextOptions{Width: -1})
	if !strings.Contains(out, "3 other interfaces down, not in use (wlan0, docker0, virbr0)") {
		t.Errorf("no collapsed line:\n%s", out)
	}
	if strings.Contains(out, "whatever words") {
		t.Errorf("idle interfaces listed one by one:\n%s", out)
	}
	if !strings.Contains(out, "eth9") || !strings.Contains(out, "eth0  is up") {
		t.Errorf("a check that is not an idle interface was folded:\n%s", out)
	}
	verbose := text(t, r, reports.TextOptions{Width: -1, Verbose: true})
	if strings.Count(verbose, "whatever words") != 3 {
		t.Errorf("-v must list every interface:\n%s", verbose)
	}
}

// TestTextPlainWords: the default text has no reason codes and no
// protocol words (printer error flags, alert code names, the printer
// condition, the ICMP socket mode); -v has them.
func TestTextPlainWords(t *testing.T) {
	jargon := []string{"lowToner", "markerTonerAlmostEmpty", "Error flags", "Reason:", "icmp ", "(error)", "dns.timeout", "NOERROR"}
	for _, f := range reporttest.All() {
		if f.Name == "hostile" {
			continue
		}
		out := text(t, f.Report, reports.TextOptions{})
		for _, j := range jargon {
			if strings.Contains(out, j) {
				t.Errorf("%s: default text says %q", f.Name, j)
			}
		}
	}
	v := text(t, reporttest.PrinterJam(), reports.TextOptions{Verbose: true})
	for _, want := range []string{"lowToner", "markerTonerAlmostEmpty", "Error flags", "Reason: printer.", "icmp privileged"} {
		if !strings.Contains(v, want) {
			t.Errorf("-v lacks %q", want)
		}
	}
}

// TestTextASCIIMode: the characters that leaked into piped text (a
// printer's "36–88%", the "… N more" marker, quotes, a CJK name) come out
// as ASCII in ASCII mode, stay as they are in Unicode mode, and the JSON
// keeps the original.
func TestTextASCIIMode(t *testing.T) {
	c := result.Check{Name: "printer", Layer: result.Printer, Target: "打印机", Status: result.Warn,
		Detail: "toner 36–88% left; trays: 1, 2, … 3 more; “Café” – ready", Evidence: map[string]any{}}
	r := oneCheck(c)
	ascii := text(t, r, reports.TextOptions{Width: -1})
	for _, want := range []string{"36-88%", "... 3 more", `"Cafe" - ready`, "??? "} {
		if !strings.Contains(ascii, want) {
			t.Errorf("ASCII text lacks %q:\n%s", want, ascii)
		}
	}
	for i, ch := range ascii {
		if ch > 127 {
			t.Fatalf("non-ASCII %q at %d:\n%s", ch, i, ascii)
		}
	}
	if uni := text(t, r, reports.TextOptions{Width: -1, Unicode: true}); !strings.Contains(uni, "36–88%") || !strings.Contains(uni, "打印机") {
		t.Errorf("Unicode text must keep the original:\n%s", uni)
	}
	var js bytes.Buffer
	if err := reports.JSON(&js, r); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(js.String(), "36–88%") {
		t.Errorf("JSON must keep the original:\n%s", js.String())
	}
}
