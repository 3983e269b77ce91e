package reports_test

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	gmtext "github.com/yuin/goldmark/text"

	"github.com/netprobe/netprobe/internal/bound"
	"github.com/netprobe/netprobe/internal/hostile"
	"github.com/netprobe/netprobe/internal/sanitize"
	"github.com/netprobe/netprobe/redact"
	"github.com/netprobe/netprobe/reports"
	"github.com/netprobe/netprobe/reports/reporttest"
	"github.com/netprobe/netprobe/result"
)

// The hostile-input corpus (testdata/hostile/) replayed through every
// output format. Each hostile value is placed in every string a report
// holds; the output must have no control, bidi or zero-width character,
// the same document structure as the same report with a harmless word in
// its place (so nothing was injected: no Markdown or XML element, no JSON
// member, no Prometheus series), parse with a real parser, and stay
// bounded in size.

// benign is the harmless stand-in for s, so the structure of both reports
// can be compared: "x", or " " where renderers show nothing of s, or ""
// where s is empty (JSON leaves empty fields out).
func benign(s string) string {
	switch {
	case s == "":
		return ""
	case reports.Clean(s) == "":
		return " "
	}
	return "x"
}

func benignAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = benign(s)
	}
	return out
}

// everywhere is a report with h in every string field and in every
// evidence shape renderers treat specially; with enums, also in the
// status fields, which only a forged report (JSON from elsewhere) fills
// with free text.
func everywhere(h string, enums bool) *result.Report {
	st := func(s result.Status) result.Status {
		if enums {
			return result.Status(h)
		}
		return s
	}
	overall := result.Failed
	if enums {
		overall = result.Overall(h)
	}
	p := 42.0
	ev := func() map[string]any {
		return map[string]any{
			"rtt_ms": 1.5, "loss_pct": 0.0, "http_status": 200,
			"method": h, "rcode": h, "tls_version": h, "condition": h, "server": h,
			"answers": []string{h, h}, "cnames": []any{h}, "ports": map[string]string{h: h, "80": "open"},
			"nested": map[string]any{h: []any{h, 1.0}}, h: h,
			"display": []string{h, "READY"}, "problems": []string{h}, "errors": []string{h},
			"supplies": []result.Supply{{Index: h, Description: h, Type: h, Class: "consumed", Unit: h, Color: h, Level: 42, Max: 100, Percent: &p, State: h}},
			"trays":    []result.Tray{{Index: h, Name: h, Level: 1, Max: 2, Percent: &p, State: h}},
			"alerts":   []result.Alert{{Index: h, Severity: h, Code: 8, CodeName: h, Group: h, Description: h}},
		}
	}
	ck := func(l result.Layer, name string, st result.Status, ev map[string]any) result.Check {
		return result.Check{Name: name, Layer: l, Target: h, Status: st, Detail: h, Error: h,
			Started: reporttest.Start, Duration: 12 * time.Millisecond, Evidence: ev}
	}
	return &result.Report{
		Schema: result.Schema, Tool: result.Tool{Name: "netprobe", Version: h}, Command: h,
		StartedAt: reporttest.Start, Duration: time.Second, Budget: 10 * time.Second,
		Host: result.Host{Hostname: h, OS: h, Arch: h, ICMP: h, ICMPReason: h},
		Verdict: result.Verdict{Status: overall, Layer: result.DNS, Summary: h,
			Advice: []string{h, h}, Evidence: []string{h}, Consequences: []result.Layer{result.Service}},
		Layers: []result.LayerResult{
			{Name: result.DNS, Status: result.Fail, Note: h, Checks: []result.Check{
				ck(result.DNS, h, result.Fail, ev()),
				ck(result.DNS, "dns", result.Warn, map[string]any{"answers": []string{h}}),
				ck(result.DNS, "dns", st(result.Skip), nil),
			}},
			{Name: result.Service, Status: st(result.Skip), Checks: []result.Check{ck(result.Service, "tcp", result.Skip, nil)}},
			{Name: result.Printer, Status: result.Warn, Checks: []result.Check{ck(result.Printer, "printer", result.OK, ev())}},
		},
	}
}

// dnsReport is a DNS check built from a reply's strings the way the DNS
// probe builds it today: every address in the detail sentence and every
// answer in the evidence. limit applies the bounding API as the probes
// should.
func dnsReport(addrs, cnames, records []string, limit bool) *result.Report {
	detail := "resolver 198.18.0.53 resolves evil.lab.test to " + strings.Join(addrs, ", ")
	ev := map[string]any{"answers": addrs, "cnames": cnames, "records": records, "rcode": "NOERROR"}
	if limit {
		detail = "resolver 198.18.0.53 resolves evil.lab.test to " + bound.Join(addrs, ", ")
		ev = map[string]any{"answers": bound.List(addrs), "cnames": bound.List(cnames), "records": bound.List(records), "rcode": "NOERROR"}
	}
	return &result.Report{Verdict: result.Verdict{Status: result.Healthy}, Layers: []result.LayerResult{{Name: result.DNS, Status: result.OK,
		Checks: []result.Check{{Name: "dns", Layer: result.DNS, Target: "evil.lab.test @198.18.0.53", Status: result.OK, Detail: detail, Evidence: ev}}}}}
}

// certReport is a TLS check built from a certificate the way the TLS
// probe builds it, with the host-name mismatch sentence that lists every
// name.
func certReport(subject, issuer string, names []string, limit bool) *result.Report {
	detail := "the certificate is not trusted: certificate is for " + strings.Join(names, ", ") + ", not svc.lab.test"
	ev := map[string]any{"cert_subject": subject, "cert_issuer": issuer, "cert_dns_names": names}
	if limit {
		detail = "the certificate is not trusted: certificate is for " + bound.Join(names, ", ") + ", not svc.lab.test"
		ev = map[string]any{"cert_subject": bound.Text(subject), "cert_issuer": bound.Text(issuer), "cert_dns_names": bound.List(names)}
	}
	return &result.Report{Verdict: result.Verdict{Status: result.Failed, Layer: result.Service}, Layers: []result.LayerResult{{Name: result.Service, Status: result.Fail,
		Checks: []result.Check{{Name: "tls", Layer: result.Service, Target: "https://svc.lab.test/", Status: result.Fail, Detail: detail, Error: detail, Evidence: ev}}}}}
}

// hostileCase is one report to replay, with its harmless twin.
type hostileCase struct {
	name         string
	report, twin *result.Report
	limited      bool // built through the bounding API
	inputBytes   int  // size of the hostile value (for strings)
}

func hostileCases(t *testing.T) []hostileCase {
	t.Helper()
	var out []hostileCase
	entries, err := hostile.Strings()
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		out = append(out, hostileCase{name: "string/" + e.Name, report: everywhere(e.Value, true), twin: everywhere(benign(e.Value), true), inputBytes: len(e.Value)})
	}
	answers, err := hostile.Answers()
	if err != nil {
		t.Fatal(err)
	}
	many, err := hostile.ManyRecords(4000)
	if err != nil {
		t.Fatal(err)
	}
	answers = append(answers, hostile.Answer{Name: "4000-records", Msg: many})
	for _, a := range answers {
		ad, cn, rec := hostile.ProbeStrings(a.Msg)
		for _, limit := range []bool{false, true} {
			out = append(out, hostileCase{name: fmt.Sprintf("dns/%s/limited=%v", a.Name, limit),
				report: dnsReport(ad, cn, rec, limit), twin: dnsReport(benignAll(ad), benignAll(cn), benignAll(rec), limit), limited: limit})
		}
	}
	certs, err := hostile.Certificates()
	if err != nil {
		t.Fatal(err)
	}
	names := make([]string, 0, len(certs))
	for n := range certs {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		c := certs[n]
		for _, limit := range []bool{false, true} {
			out = append(out, hostileCase{name: fmt.Sprintf("cert/%s/limited=%v", n, limit),
				report: certReport(c.Subject.String(), c.Issuer.String(), c.DNSNames, limit),
				twin:   certReport(benign(c.Subject.String()), benign(c.Issuer.String()), benignAll(c.DNSNames), limit), limited: limit})
		}
	}
	return out
}

// skipHugeUnderRace skips the values of 64 KiB and more when the race
// detector is on: they test size bounds, which it does not change, and
// cost it ten times their normal time (this package is single-threaded
// there). The plain test run replays them all.
func skipHugeUnderRace(t *testing.T, n int) {
	t.Helper()
	if raceEnabled && n >= 64<<10 {
		t.Skipf("%d-byte value: replayed by go test without -race", n)
	}
}

// TestHostileCorpusEveryFormat is the replay.
func TestHostileCorpusEveryFormat(t *testing.T) {
	for _, hc := range hostileCases(t) {
		t.Run(hc.name, func(t *testing.T) {
			skipHugeUnderRace(t, hc.inputBytes)
			checkHostile(t, hc.report, hc.twin, hc.limited)
		})
	}
}

// TestHostileCorpusRedacted replays the corpus after redaction, which
// must not undo any of it, and with the value also stored as a secret:
// then it must not appear in any format.
func TestHostileCorpusRedacted(t *testing.T) {
	entries, err := hostile.Strings()
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		t.Run(e.Name, func(t *testing.T) {
			skipHugeUnderRace(t, len(e.Value))
			r, twin := redact.Report(*everywhere(e.Value, true)), redact.Report(*everywhere(benign(e.Value), true))
			checkHostile(t, &r, &twin, false)

			withSecret := func(h string) result.Report {
				r := everywhere(h, false)
				r.Layers[2].Checks[0].Evidence["password"] = h
				return redact.Report(*r)
			}
			sr, stwin := withSecret(e.Value), withSecret(benign(e.Value))
			secret := strings.ToLower(sanitize.String(e.Value, 1<<30))
			if len(secret) < 4 || secret == "public" || secret == "private" {
				return
			}
			// Its first 32 bytes: a cut long secret must not show its start.
			secret = bound.Bytes(secret, 32)
			secret = strings.TrimSuffix(secret, "…")
			for _, f := range reports.Formats {
				got, base := renderOne(t, f, &sr), renderOne(t, f, &stwin)
				if strings.Contains(strings.ToLower(base), secret) {
					continue // the renderer's own words contain it
				}
				if strings.Contains(strings.ToLower(got), secret) {
					t.Errorf("%s output shows the secret %q", f, e.Name)
				}
			}
		})
	}
}

func renderOne(t *testing.T, format string, r *result.Report) string {
	t.Helper()
	var b bytes.Buffer
	if err := reports.Render(&b, format, r, reports.TextOptions{Verbose: true}); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// Output bounds. A renderer shows at most MaxField bytes of one string;
// a line holds a few strings, each escaped for its format (at most six
// bytes for one, as a JSON \u escape), and a report a few dozen.
const (
	maxLine          = 128 << 10
	maxGrowth        = 4 << 20
	maxLimitedLine   = 3 << 10 // a line of a report built through internal/bound
	maxLimitedOutput = 64 << 10
)

// checkHostile renders r and its harmless twin in every variant and holds
// r's output to the invariants.
func checkHostile(t *testing.T, r, twin *result.Report, limited bool) {
	t.Helper()
	for _, v := range variants {
		checkVariant(t, v, r, twin, limited)
	}
}

// checkVariant is checkHostile for one output variant.
func checkVariant(t *testing.T, v variant, r, twin *result.Report, limited bool) {
	t.Helper()
	var got, base bytes.Buffer
	if err := v.render(&got, r); err != nil {
		t.Fatalf("%s: %v", v.name, err)
	}
	if err := v.render(&base, twin); err != nil {
		t.Fatalf("%s twin: %v", v.name, err)
	}
	out := got.Bytes()
	if !utf8.Valid(out) {
		t.Errorf("%s: invalid UTF-8", v.name)
	}
	tty := strings.HasSuffix(v.name, "tty.txt")
	for i, c := range string(out) {
		if c == '\n' || (tty && c == 0x1b) {
			continue
		}
		if sanitize.Invisible(c) {
			t.Errorf("%s: %U at byte %d", v.name, c, i)
			break
		}
	}
	if tty && bytes.Count(out, []byte{0x1b}) != bytes.Count(base.Bytes(), []byte{0x1b}) {
		t.Errorf("tty: %d escape sequences, its harmless twin has %d", bytes.Count(out, []byte{0x1b}), bytes.Count(base.Bytes(), []byte{0x1b}))
	}
	longest := 0
	for line := range bytes.SplitSeq(out, []byte("\n")) {
		longest = max(longest, len(line))
	}
	switch {
	case limited && longest > maxLimitedLine:
		t.Errorf("%s: a %d-byte line from a report built through internal/bound", v.name, longest)
	case limited && len(out) > maxLimitedOutput:
		t.Errorf("%s: %d bytes from a report built through internal/bound", v.name, len(out))
	case longest > maxLine:
		t.Errorf("%s: a %d-byte line", v.name, longest)
	case len(out)-base.Len() > maxGrowth:
		t.Errorf("%s: %d bytes, its harmless twin %d", v.name, len(out), base.Len())
	}
	switch v.name {
	case "md":
		if g, w := mdShape(t, out), mdShape(t, base.Bytes()); g != w {
			t.Errorf("markdown structure changed:\n got %s\nwant %s", g, w)
		}
	case "junit.xml":
		if g, w := xmlShape(t, out), xmlShape(t, base.Bytes()); g != w {
			t.Errorf("XML structure changed:\n got %s\nwant %s", g, w)
		}
	case "prom":
		if g, w := promShape(t, out), promShape(t, base.Bytes()); g != w {
			t.Errorf("exposition changed:\n got %s\nwant %s", g, w)
		}
	case "json":
		checkJSON(t, out, r)
	}
}

// mdShape parses Markdown with goldmark (CommonMark with GitHub's tables,
// strike-through and task lists) and lists every node that is not plain
// text: headings with their level, tables cell by cell, code spans and
// blocks with their language, HTML with its content, and any link or
// image. Injected markup changes the list.
func mdShape(t *testing.T, src []byte) string {
	t.Helper()
	md := goldmark.New(goldmark.WithExtensions(extension.Table, extension.Strikethrough, extension.TaskList))
	doc := md.Parser().Parse(gmtext.NewReader(src))
	var shape []string
	err := ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering || n.Kind() == ast.KindText || n.Kind() == ast.KindString {
			return ast.WalkContinue, nil
		}
		s := n.Kind().String()
		switch x := n.(type) {
		case *ast.Heading:
			s += strconv.Itoa(x.Level)
		case *ast.Emphasis:
			s += strconv.Itoa(x.Level)
		case *ast.FencedCodeBlock:
			// The language, not the line count: a list the backstop cut
			// is shorter than its harmless twin.
			s += "(" + string(x.Language(src)) + ")"
		case *ast.HTMLBlock:
			var b strings.Builder
			for i := 0; i < x.Lines().Len(); i++ {
				seg := x.Lines().At(i)
				b.Write(seg.Value(src))
			}
			s += "(" + strings.TrimSpace(b.String()) + ")"
		case *ast.RawHTML:
			s += "(" + string(x.Segments.Value(src)) + ")"
		}
		shape = append(shape, s)
		return ast.WalkContinue, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return strings.Join(shape, " ")
}

// xmlShape decodes XML with encoding/xml (which rejects characters XML
// forbids) and lists its elements and attribute names; text and attribute
// values are checked for invisible characters on the way.
func xmlShape(t *testing.T, src []byte) string {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(src))
	var shape []string
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Errorf("XML does not parse: %v", err)
			return "invalid"
		}
		switch x := tok.(type) {
		case xml.StartElement:
			s := "<" + x.Name.Local
			for _, a := range x.Attr {
				s += " " + a.Name.Local
				checkVisible(t, "XML attribute "+a.Name.Local, a.Value, "")
			}
			shape = append(shape, s+">")
		case xml.EndElement:
			shape = append(shape, "</"+x.Name.Local+">")
		case xml.CharData:
			checkVisible(t, "XML text", string(x), "\n\t")
		case xml.Comment:
			shape = append(shape, "<!--"+string(x)+"-->")
		case xml.ProcInst:
			shape = append(shape, "<?"+x.Target+"?>")
		case xml.Directive:
			shape = append(shape, "<!"+string(x)+">")
		}
	}
	return strings.Join(shape, "")
}

// promShape parses the exposition with Prometheus's own text parser and
// lists every family with its type, and every series' label names.
func promShape(t *testing.T, src []byte) string {
	t.Helper()
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(bytes.NewReader(src))
	if err != nil {
		t.Errorf("exposition does not parse: %v", err)
		return "invalid"
	}
	names := make([]string, 0, len(fams))
	for n := range fams {
		names = append(names, n)
	}
	sort.Strings(names)
	var shape []string
	for _, n := range names {
		f := fams[n]
		s := n + ":" + f.GetType().String() + "{"
		for _, m := range f.GetMetric() {
			var ls []string
			for _, l := range m.GetLabel() {
				checkVisible(t, "label "+l.GetName(), l.GetValue(), "")
				// "seq" numbers series whose label values came out the
				// same (a value that is all invisible characters cleans to
				// ""): that keeps series apart, it is not injected
				// structure.
				if l.GetName() != "seq" {
					ls = append(ls, l.GetName())
				}
			}
			s += "(" + strings.Join(ls, ",") + ")"
		}
		shape = append(shape, s+"}")
	}
	return strings.Join(shape, " ")
}

// checkJSON decodes the JSON: it must be one valid report whose strings
// are the report's own, cut to the backstop at most.
func checkJSON(t *testing.T, out []byte, r *result.Report) {
	t.Helper()
	var back result.Report
	if err := json.Unmarshal(out, &back); err != nil {
		t.Errorf("JSON does not decode: %v", err)
		return
	}
	pairs := [][2]string{{r.Command, back.Command}, {r.Verdict.Summary, back.Verdict.Summary}}
	for i, l := range r.Layers {
		for j, c := range l.Checks {
			bc := back.Layers[i].Checks[j]
			pairs = append(pairs, [2]string{c.Detail, bc.Detail}, [2]string{c.Target, bc.Target}, [2]string{c.Error, bc.Error})
		}
	}
	for _, p := range pairs {
		want, got := p[0], p[1]
		switch {
		case len(got) > reports.MaxField:
			t.Errorf("JSON string of %d bytes", len(got))
		case utf8.ValidString(want) && len(want) <= reports.MaxField && got != want:
			t.Errorf("JSON string %q, want %q", got, want)
		}
	}
}

// checkVisible fails when s holds a control, bidi or zero-width
// character other than those in allowed.
func checkVisible(t *testing.T, what, s, allowed string) {
	t.Helper()
	for _, c := range s {
		if sanitize.Invisible(c) && !strings.ContainsRune(allowed, c) {
			t.Errorf("%s holds %U", what, c)
			return
		}
	}
}
