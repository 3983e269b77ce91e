// Package sanitize makes strings that came from the network (sysDescr,
// banners, certificate subjects, console text) safe to print on a terminal
// and to paste into a ticket: no escape sequences, no control characters,
// no invisible format characters (bidi controls, zero-width characters),
// valid UTF-8, bounded length.
package sanitize

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxLen is the default bound, in runes, for one network string.
const MaxLen = 256

// Ellipsis marks where a string was cut, here and in package bound; the
// redactor looks for it to mask what a cut left of a secret.
const Ellipsis = "…"

// String returns s with escape sequences removed; other control
// characters, bidi embeddings, overrides and isolates, invalid UTF-8 and
// noncharacters replaced by U+FFFD; every other format character (Unicode
// category Cf: bidi marks such as U+061C and U+200E, zero-width spaces and
// joiners, the byte order mark, soft hyphens, tag characters) removed;
// runs of white space folded to one space, NULs at the end dropped, and at
// most max runes kept (an ellipsis marks a cut). max <= 0 means MaxLen.
//
// No format character survives: kept, they let a device reorder what a
// terminal shows (Trojan Source) or hide a difference between two names
// that look the same. Embeddings, overrides and isolates have no business
// in a one-line device string, so they leave a visible U+FFFD: the reader
// sees the text was tampered with. Marks and zero-width characters also
// occur in honest text (right-to-left names, emoji sequences, a byte order
// mark), where a replacement character would only garble it.
func String(s string, max int) string {
	if max <= 0 {
		max = MaxLen
	}
	s = strings.TrimRight(s, "\x00")
	var b strings.Builder
	n := 0
	space := false
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == 0x1b: // ESC: skip the whole sequence
			i += escapeLen(s[i:])
			continue
		case r == 0x9b: // C1 CSI (as a rune)
			i += size
			i += csiBodyLen(s[i:])
			continue
		case r == utf8.RuneError && size == 1:
			r = '\uFFFD'
		case unicode.IsSpace(r):
			r = ' '
		case unicode.IsControl(r) || isBidiOverride(r) || unicode.Is(unicode.Noncharacter_Code_Point, r):
			r = '\uFFFD'
		case unicode.Is(unicode.Cf, r):
			i += size
			continue
		}
		i += size
		if r == ' ' {
			if space || n == 0 {
				continue
			}
			space = true
		} else {
			space = false
		}
		if n == max {
			return strings.TrimRight(b.String(), " ") + Ellipsis
		}
		b.WriteRune(r)
		n++
	}
	return strings.TrimRight(b.String(), " ")
}

// Lines sanitises each line of a multi-line text separately and drops
// empty ones.
func Lines(s string, max int) []string {
	var out []string
	for _, l := range strings.FieldsFunc(s, func(r rune) bool { return r == '\n' || r == '\r' }) {
		if l = String(l, max); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// isBidiOverride reports the bidi embeddings, overrides and isolates
// (U+202A–U+202E, U+2066–U+2069): the characters that make a terminal show
// text in another order than it is.
func isBidiOverride(r rune) bool {
	return (r >= 0x202A && r <= 0x202E) || (r >= 0x2066 && r <= 0x2069)
}

// Invisible reports a rune that String removes or replaces although it is
// valid UTF-8: a control character, a format character (bidi controls,
// zero-width characters) or a noncharacter. Renderers and tests use it to
// check that no such rune reaches their output.
func Invisible(r rune) bool {
	return unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || unicode.Is(unicode.Noncharacter_Code_Point, r)
}

// escapeLen returns the length of the escape sequence at the start of s
// (which begins with ESC): CSI, OSC/DCS/APC/PM/SOS strings, or a two-byte
// sequence.
func escapeLen(s string) int {
	if len(s) < 2 {
		return len(s)
	}
	switch s[1] {
	case '[':
		return 2 + csiBodyLen(s[2:])
	case ']', 'P', '_', '^', 'X':
		// String sequences end at BEL or ST (ESC \).
		for j := 2; j < len(s); j++ {
			if s[j] == 0x07 {
				return j + 1
			}
			if s[j] == 0x1b && j+1 < len(s) && s[j+1] == '\\' {
				return j + 2
			}
		}
		return len(s)
	}
	return 2
}

// csiBodyLen returns the length of a CSI body: parameter and intermediate
// bytes up to and including the final byte (0x40–0x7E).
func csiBodyLen(s string) int {
	for j := 0; j < len(s); j++ {
		if s[j] >= 0x40 && s[j] <= 0x7e {
			return j + 1
		}
		if s[j] < 0x20 || s[j] > 0x3f {
			return j
		}
	}
	return len(s)
}
