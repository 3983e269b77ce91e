package sanitize

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestString(t *testing.T) {
	tests := []struct {
		name, in, want string
		max            int
	}{
		{"plain", "HP LaserJet 400", "HP LaserJet 400", 0},
		{"trailing NULs", "Black Toner\x00\x00", "Black Toner", 0},
		{"CSI colour", "\x1b[31mRED\x1b[0m alert", "RED alert", 0},
		{"clear screen", "a\x1b[2Jb", "ab", 0},
		{"OSC title with BEL", "x\x1b]0;pwned\x07y", "xy", 0},
		{"OSC hyperlink with ST", "\x1b]8;;http://evil\x1b\\click\x1b]8;;\x1b\\", "click", 0},
		{"C1 CSI rune", "a\u009b31mb", "ab", 0},
		{"newlines and tabs fold", "line1\r\n\tline2", "line1 line2", 0},
		{"bell and backspace", "a\x07b\x08c", "a\uFFFDb\uFFFDc", 0},
		{"invalid utf8", "caf\xe9", "caf\uFFFD", 0},
		{"bidi override", "abc\u202Edef", "abc\uFFFDdef", 0},
		{"arabic letter mark", "abc\u061Cdef", "abcdef", 0},
		{"bidi isolates", "\u2066a\u2067b\u2068c\u2069", "\uFFFDa\uFFFDb\uFFFDc\uFFFD", 0},
		{"embeddings and overrides", "c\u202Ad\u202Be\u202Cf\u202Dg", "c\uFFFDd\uFFFDe\uFFFDf\uFFFDg", 0},
		{"LRM and RLM marks", "a\u200Eb\u200Fc", "abc", 0},
		{"right-to-left name keeps its letters", "\u200F\u05D3\u05E4\u05E1\u05EA", "\u05D3\u05E4\u05E1\u05EA", 0},
		{"emoji sequence keeps its emoji", "\U0001F468\u200D\U0001F469", "\U0001F468\U0001F469", 0},
		{"zero-width space and joiners", "ad\u200Bmin\u200C\u200D", "admin", 0},
		{"byte order mark", "\uFEFFHP LaserJet", "HP LaserJet", 0},
		{"soft hyphen", "pass\u00ADword", "password", 0},
		{"word joiner and invisible operators", "a\u2060b\u2062c\u2064d", "abcd", 0},
		{"tag characters", "flag\U000E0041\U000E007F", "flag", 0},
		{"mongolian vowel separator", "x\u180Ey", "xy", 0},
		{"format char between spaces folds", "a \u200B b", "a b", 0},
		{"format chars do not count towards max", "\u200B\u200B\u200Babcdef", "abcd…", 4},
		{"noncharacters", "a\uFFFEb\uFFFFc\U0001FFFE", "a\uFFFDb\uFFFDc\uFFFD", 0},
		{"C1 controls", "a\u0085b\u009dc", "a b\uFFFDc", 0},
		{"truncate", "abcdefgh", "abcd…", 4},
		{"lone ESC at end", "abc\x1b", "abc", 0},
		{"leading spaces", "   x  ", "x", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := String(tt.in, tt.max); got != tt.want {
				t.Errorf("String(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestStringLongInputBounded(t *testing.T) {
	got := String(strings.Repeat("A", 10_000), 0)
	if n := utf8.RuneCountInString(got); n != MaxLen+1 {
		t.Fatalf("got %d runes, want %d", n, MaxLen+1)
	}
}

func TestLines(t *testing.T) {
	got := Lines("READY\r\n\x1b[5mPaper jam\x1b[0m\n\n  \n", 0)
	want := []string{"READY", "Paper jam"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("Lines = %q, want %q", got, want)
	}
}

func FuzzString(f *testing.F) {
	for _, s := range []string{"", "\x1b[", "\x1b]", "a\x00", "\u009b", strings.Repeat("é", 300), "a\u202eb\u061c\u200b\ufeff", "\U000E0041"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := String(s, 64)
		if !utf8.ValidString(out) {
			t.Fatalf("invalid utf8 out of %q", s)
		}
		for _, r := range out {
			if Invisible(r) {
				t.Fatalf("control or format rune %U survived in %q", r, out)
			}
		}
		if again := String(out, 0); again != out {
			t.Fatalf("not idempotent: %q -> %q -> %q", s, out, again)
		}
		if utf8.RuneCountInString(out) > 65 {
			t.Fatalf("too long: %d", utf8.RuneCountInString(out))
		}
	})
}
