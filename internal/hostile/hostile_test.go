package hostile

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// TestCorpus: the corpus loads and holds every class issue 8 names, so a
// replay that passes has seen them all.
func TestCorpus(t *testing.T) {
	entries, err := Strings()
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, e := range entries {
		if seen[e.Name] {
			t.Errorf("entry %s twice", e.Name)
		}
		seen[e.Name] = true
	}
	classes := map[string]func(string) bool{
		"ESC/CSI":         func(s string) bool { return strings.Contains(s, "\x1b[") },
		"OSC":             func(s string) bool { return strings.Contains(s, "\x1b]") },
		"C1 CSI":          func(s string) bool { return strings.Contains(s, "\u009b") },
		"NUL":             func(s string) bool { return strings.Contains(s, "\x00") },
		"bidi U+202E":     func(s string) bool { return strings.Contains(s, "\u202e") },
		"bidi U+061C":     func(s string) bool { return strings.Contains(s, "\u061c") },
		"zero-width":      func(s string) bool { return strings.Contains(s, "\u200b") },
		"BOM":             func(s string) bool { return strings.Contains(s, "\ufeff") },
		"invalid UTF-8":   func(s string) bool { return !utf8.ValidString(s) },
		"1 MB":            func(s string) bool { return len(s) >= 1<<20 },
		"markdown pipe":   func(s string) bool { return strings.Contains(s, "|") },
		"markdown fence":  func(s string) bool { return strings.Contains(s, "```") },
		"HTML tag":        func(s string) bool { return strings.Contains(s, "<script>") },
		"markdown link":   func(s string) bool { return strings.Contains(s, "](") },
		"XML CDATA end":   func(s string) bool { return strings.Contains(s, "]]>") },
		"CR":              func(s string) bool { return strings.Contains(s, "\r") },
		"LF":              func(s string) bool { return strings.Contains(s, "\n") },
		"JSON quote":      func(s string) bool { return strings.Contains(s, `"}`) },
		"backslash":       func(s string) bool { return strings.Contains(s, `\`) },
		"empty":           func(s string) bool { return s == "" },
		"label injection": func(s string) bool { return strings.Contains(s, "\"} 1\n") },
	}
	for class, has := range classes {
		found := false
		for _, e := range entries {
			found = found || has(e.Value)
		}
		if !found {
			t.Errorf("no entry of class %s", class)
		}
	}

	answers, err := Answers()
	if err != nil {
		t.Fatal(err)
	}
	if len(answers) < 4 {
		t.Errorf("%d DNS answers", len(answers))
	}
	for _, a := range answers {
		if addrs, cnames, _ := ProbeStrings(a.Msg); len(addrs) == 0 || len(cnames) == 0 {
			t.Errorf("%s: %d addresses, %d CNAMEs; each answer should give the probe both", a.Name, len(addrs), len(cnames))
		}
	}
	many, err := ManyRecords(4000)
	if err != nil {
		t.Fatal(err)
	}
	if addrs, _, _ := ProbeStrings(many); len(addrs) != 4000 {
		t.Errorf("ManyRecords(4000) gave %d addresses", len(addrs))
	}
	certs, err := Certificates()
	if err != nil {
		t.Fatal(err)
	}
	if n := len(certs["300-names"].DNSNames); n != 300 {
		t.Errorf("300-names has %d names", n)
	}
	if s := certs["subject-controls"].Subject.String(); !strings.Contains(s, "\x1b") || !strings.Contains(s, "\u202e") {
		t.Errorf("subject %q lost its hostile parts", s)
	}
}
