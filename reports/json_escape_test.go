package reports_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/netprobe/netprobe/internal/sanitize"
	"github.com/netprobe/netprobe/redact"
	"github.com/netprobe/netprobe/reports"
	"github.com/netprobe/netprobe/reports/reporttest"
	"github.com/netprobe/netprobe/result"
)

// TestJSONPrintsPlaceholdersAsWritten: a redacted report's placeholders
// and a URL's & must reach the JSON as written. The result types'
// MarshalJSON used to escape them, so "<hostname>" came out as
// "\u003chostname\u003e" although the renderer asked for no HTML escaping.
func TestJSONPrintsPlaceholdersAsWritten(t *testing.T) {
	r := redact.Report(*reporttest.PrinterJam())
	r.Layers[0].Checks[0].Detail = "a <b> & c"
	var b bytes.Buffer
	if err := reports.JSON(&b, &r); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{`"hostname": "<hostname>"`, `<private-ip-1>`, `"detail": "a <b> & c"`} {
		if !strings.Contains(out, want) {
			t.Errorf("JSON lacks %s", want)
		}
	}
	for _, bad := range []string{`\u003c`, `\u003e`, `\u0026`} {
		if strings.Contains(out, bad) {
			t.Errorf("JSON contains %s", bad)
		}
	}
	// A caller that wants HTML escaping (json.Marshal) still gets it.
	m, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(m), `\u003chostname\u003e`) {
		t.Error("json.Marshal lost its HTML escaping")
	}
}

// TestJSONEscapesInvisibleRunes: runes that would drive or reorder a
// terminal showing the file never appear raw, and the escapes decode to
// exactly the strings the report holds.
func TestJSONEscapesInvisibleRunes(t *testing.T) {
	hostile := "csi\u009b31m bidi\u202e\u2066\u061c zw\u200b\u200d bom\ufeff tag\U000E0041 nonchar\ufffe\U0010FFFF ok é 打 🖨"
	r := &result.Report{
		Command: hostile,
		Verdict: result.Verdict{Summary: hostile, Advice: []string{hostile}},
		Layers: []result.LayerResult{{Name: result.Service, Status: result.Warn, Checks: []result.Check{{
			Name: "http", Target: hostile, Status: result.Warn, Detail: hostile, Error: hostile,
			Evidence: map[string]any{"server": hostile, "list": []string{hostile}, hostile: 1},
		}}}},
	}
	var b bytes.Buffer
	if err := reports.JSON(&b, r); err != nil {
		t.Fatal(err)
	}
	for i, c := range b.String() {
		if sanitize.Invisible(c) && c != '\n' {
			t.Fatalf("raw %U at byte %d", c, i)
		}
	}
	if !utf8.Valid(b.Bytes()) {
		t.Fatal("invalid UTF-8")
	}
	var back result.Report
	if err := json.Unmarshal(b.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	c := back.Layers[0].Checks[0]
	for name, got := range map[string]any{
		"command": back.Command, "summary": back.Verdict.Summary, "advice": back.Verdict.Advice[0],
		"target": c.Target, "detail": c.Detail, "error": c.Error, "evidence": c.Evidence["server"],
		"list": c.Evidence["list"].([]any)[0], "key": c.Evidence[hostile],
	} {
		if name == "key" {
			if got != 1.0 {
				t.Errorf("evidence key did not survive: %v", c.Evidence)
			}
			continue
		}
		if got != hostile {
			t.Errorf("%s = %q, want %q", name, got, hostile)
		}
	}
	// The same evidence in Markdown's JSON block is escaped the same way.
	var md bytes.Buffer
	if err := reports.Markdown(&md, r); err != nil {
		t.Fatal(err)
	}
	for i, c := range md.String() {
		if sanitize.Invisible(c) && c != '\n' {
			t.Fatalf("raw %U at byte %d of Markdown", c, i)
		}
	}
}
