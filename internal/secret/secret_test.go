package secret

import (
	"errors"
	"fmt"
	"io/fs"
	"reflect"
	"strings"
	"testing"
)

func TestString(t *testing.T) {
	tests := []struct {
		name    string
		secrets []string
		in      string
		want    string
	}{
		{"plain", []string{"s3cret-Comm-42"}, "Printer for s3cret-Comm-42 only", "Printer for <masked> only"},
		{"twice", []string{"s3cret"}, "s3cret/s3cret", "<masked>/<masked>"},
		{"no secret in text", []string{"s3cret"}, "HP LaserJet", "HP LaserJet"},
		{"two spaces echoed as one", []string{"ab  cd"}, "x ab cd y", "x <masked> y"},
		{"two spaces echoed as a tab", []string{"ab  cd"}, "x ab\tcd y", "x <masked> y"},
		{"split over a line fold", []string{"ab  cd"}, "x ab\r\n cd y", "x <masked> y"},
		{"white space dropped", []string{"ab  cd"}, "xabcdy", "x<masked>y"},
		{"a fold inside a word", []string{"s3cret-Comm"}, "s3cret-\r\n\tComm", "<masked>"},
		{"zero-width and bidi marks inside", []string{"s3cret"}, "s3\u200bcr\u202eet\ufeff", "<masked>\ufeff"},
		{"escape byte inside", []string{"s3cret"}, "s3c\x1bret", "<masked>"},
		{"NUL inside", []string{"s3cret"}, "s3c\x00ret", "<masked>"},
		{"cut at the end by the device", []string{"s3cret-Comm-42"}, "Printer for s3cret-Co", "Printer for <masked>"},
		{"rest at the start of a value", []string{"s3cret-Comm-42"}, "mm-42 only", "<masked> only"},
		{"edge piece shorter than MinFragment stays", []string{"s3cret-Comm-42"}, "Printer for s3c", "Printer for s3c"},
		{"a piece in the middle is not a secret", []string{"s3cret-Comm-42"}, "a s3cret-Co b", "a s3cret-Co b"},
		{"secret containing another", []string{"Comm", "s3cret-Comm-42"}, "x s3cret-Comm-42 Comm", "x <masked> <masked>"},
		{"overlapping occurrences", []string{"aaaa"}, "baaaaab", "b<masked>b"},
		{"non-UTF-8 bytes", []string{"caf\xe9!"}, "le caf\xe9! ici", "le <masked> ici"},
		{"empty secret ignored", []string{"", "  ", "\t"}, "a  b", "a  b"},
		{"unicode secret", []string{"pässwörd"}, "x pässwörd", "x <masked>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := New(tt.secrets...)
			if got := s.String(tt.in); got != tt.want {
				t.Errorf("String(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if got := string(s.Bytes([]byte(tt.in))); got != tt.want {
				t.Errorf("Bytes(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestStringsAcrossElements(t *testing.T) {
	s := New("s3cret-Comm-42")
	in := []string{"READY", "hello s3cret-", "Comm-42 world", "end"}
	want := []string{"READY", "hello <masked>", " world", "end"}
	if got := s.Strings(in); !reflect.DeepEqual(got, want) {
		t.Errorf("Strings = %q, want %q", got, want)
	}
	if in[1] != "hello s3cret-" {
		t.Error("Strings modified its input")
	}
	// Nothing to mask: the same slice back.
	clean := []string{"a", "b"}
	if got := s.Strings(clean); &got[0] != &clean[0] {
		t.Error("a clean list was copied")
	}
}

func TestNilAndEmpty(t *testing.T) {
	var s *Scrubber
	if s.Active() || s.String("x") != "x" || string(s.Bytes([]byte("x"))) != "x" || s.Text(nil) != "" {
		t.Error("a nil Scrubber must pass text through")
	}
	if New().Active() || New("", " ").Active() {
		t.Error("no real secret, yet Active")
	}
	if !New("public2").Active() {
		t.Error("a secret, yet not Active")
	}
}

func TestError(t *testing.T) {
	s := New("Auth-Pa55-word")
	base := fmt.Errorf("request %q failed: %w", "Auth-Pa55-word", fs.ErrPermission)
	err := s.Error(base)
	if strings.Contains(err.Error(), "Pa55") || !strings.Contains(err.Error(), Mask) {
		t.Errorf("Error() = %q", err)
	}
	if !errors.Is(err, fs.ErrPermission) {
		t.Error("errors.Is lost the wrapped error")
	}
	if s.Text(base) != err.Error() {
		t.Error("Text differs from Error().Error()")
	}
	clean := errors.New("timeout")
	if s.Error(clean) != clean {
		t.Error("an error without a secret was wrapped")
	}
	if s.Error(nil) != nil {
		t.Error("nil error became non-nil")
	}
}

// TestNoFragmentAfterTruncation is the bug this package exists for: a
// value is scrubbed whole, then cut at every possible length; no piece of
// the secret of MinFragment bytes or more survives at any cut.
func TestNoFragmentAfterTruncation(t *testing.T) {
	const sec = "s3cret-Comm-42"
	s := New(sec)
	raw := strings.Repeat("Printer ", 30) + sec + " tail"
	clean := s.String(raw)
	for cut := 0; cut <= len(clean); cut++ {
		out := clean[:cut]
		for n := MinFragment; n <= len(sec); n++ {
			for i := 0; i+n <= len(sec); i++ {
				if strings.Contains(out, sec[i:i+n]) {
					t.Fatalf("cut %d keeps %q", cut, sec[i:i+n])
				}
			}
		}
	}
}

// FuzzScrub: whatever the text and the secret, no part of the output
// between two masks still spells the secret (ignoring white space and
// control characters).
func FuzzScrub(f *testing.F) {
	f.Add("Printer for s3cret only", "s3cret")
	f.Add("ab \r\n cd", "ab  cd")
	f.Add("x\u200bs3c\x1bret", "s3cret")
	f.Fuzz(func(t *testing.T, text, sec string) {
		s := New(sec)
		out := s.String(text)
		pat := skeleton([]string{sec}).b
		if len(pat) == 0 {
			if out != text {
				t.Fatalf("no secret, yet %q became %q", text, out)
			}
			return
		}
		for _, piece := range strings.Split(out, Mask) {
			if strings.Contains(string(skeleton([]string{piece}).b), string(pat)) {
				t.Fatalf("secret %q survives in %q (from %q)", sec, out, text)
			}
		}
	})
}

func TestWhole(t *testing.T) {
	s := New("s3cret-Comm-42")
	if got := string(s.Whole([]byte("a s3cret-\r\nComm-42 b"))); got != "a <masked> b" {
		t.Errorf("Whole = %q", got)
	}
	// A piece at the edge is left for the pass that sees the neighbours.
	if got := string(s.Whole([]byte("Call s3cret-Co"))); got != "Call s3cret-Co" {
		t.Errorf("Whole masked an edge piece: %q", got)
	}
	in := []byte("clean")
	if got := s.Whole(in); &got[0] != &in[0] {
		t.Error("a clean value was copied")
	}
}
