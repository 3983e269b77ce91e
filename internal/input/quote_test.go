package input

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestQuote(t *testing.T) {
	tests := []struct{ in, want string }{
		{"abc", `"abc"`},
		{"", `""`},
		{"a\x1b[31mb", `"a\x1b[31mb"`},
		{strings.Repeat("x", QuoteMax), `"` + strings.Repeat("x", QuoteMax) + `"`},
		{strings.Repeat("x", QuoteMax+1), `"` + strings.Repeat("x", QuoteMax) + `"… (61 bytes)`},
		{strings.Repeat("é", 100), `"` + strings.Repeat("é", QuoteMax) + `"… (200 bytes)`},
	}
	for _, tt := range tests {
		if got := Quote(tt.in); got != tt.want {
			t.Errorf("Quote(%.20q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	huge := strings.Repeat("A", 50<<20)
	got := Quote(huge)
	if utf8.RuneCountInString(got) > QuoteMax+30 || !strings.Contains(got, "52428800 bytes") {
		t.Fatalf("a 50 MB value quotes as %d characters: %.100q", len(got), got)
	}
}

func TestName(t *testing.T) {
	for in, want := range map[string]string{
		"/etc/netprobe.yml": "/etc/netprobe.yml",
		"my config.yml":     `"my config.yml"`,
		"a\x1bb":            `"a\x1bb"`,
		"a\u202eb":          `"a\u202eb"`,
		"":                  `""`,
	} {
		if got := Name(in); got != want {
			t.Errorf("Name(%q) = %s, want %s", in, got, want)
		}
	}
}
