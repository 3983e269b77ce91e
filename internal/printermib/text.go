package printermib

import (
	"bytes"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Text turns an OCTET STRING from a printer into a Go string: a hex-dump
// artefact is decoded (see RepairHexDump), trailing NULs are dropped (C
// firmware pads fixed buffers with them) and bytes that are not UTF-8 are
// read as Latin-1, the usual charset of older printer firmware, so "caf\xe9"
// stays "café" instead of losing the letter. The result is not yet safe to
// print: callers still pass it through sanitize.String.
func Text(b []byte) string {
	if r, ok := RepairHexDump(b); ok {
		b = r
	}
	b = bytes.TrimRight(b, "\x00")
	if utf8.Valid(b) {
		return string(b)
	}
	r := make([]rune, len(b))
	for i, c := range b {
		r[i] = rune(c)
	}
	return string(r)
}

// RepairHexDump decodes a value that holds a line of text followed by lines
// of hex byte pairs, e.g. "Black Cartridge \n38 32 37 41 00 " ->
// "Black Cartridge 827A\x00". Such values come from captures that stored
// net-snmp's hex display instead of the bytes (the HP M880 recording). It
// only repairs when every line after the first is nothing but two-digit hex
// pairs and the decoded bytes are text (printable or NUL); anything else is
// returned unchanged with ok false, because a real description may contain a
// newline.
func RepairHexDump(b []byte) (repaired []byte, ok bool) {
	lines := bytes.Split(b, []byte("\n"))
	if len(lines) < 2 {
		return b, false
	}
	out := append([]byte{}, lines[0]...)
	decoded := 0
	for _, line := range lines[1:] {
		fields := bytes.Fields(line)
		if len(fields) == 0 {
			continue
		}
		for _, f := range fields {
			v, good := hexByte(f)
			if !good || (v != 0 && (v < 0x20 || v == 0x7f)) {
				return b, false
			}
			out = append(out, v)
			decoded++
		}
	}
	if decoded == 0 {
		return b, false
	}
	return out, true
}

// hexByte parses exactly two hex digits.
func hexByte(f []byte) (byte, bool) {
	if len(f) != 2 {
		return 0, false
	}
	hi, ok1 := hexDigit(f[0])
	lo, ok2 := hexDigit(f[1])
	return hi<<4 | lo, ok1 && ok2
}

func hexDigit(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// colorWords are colour names as they appear in supply descriptions,
// two-word names first so "Matte Black" is not read as "black".
var colorWords = [][]string{
	{"matte", "black"}, {"photo", "black"}, {"light", "black"}, {"light", "cyan"},
	{"light", "magenta"}, {"light", "gray"}, {"light", "grey"},
	{"black"}, {"cyan"}, {"magenta"}, {"yellow"}, {"red"}, {"green"}, {"blue"},
	{"gray"}, {"grey"}, {"orange"}, {"violet"},
}

// ColorFromDescription guesses a supply's colour from words in its
// description ("Toner (Cyan)" -> "cyan"). It is a hint for agents without a
// colorant table, never a substitute for one; "" when no colour word is
// found.
func ColorFromDescription(desc string) string {
	words := strings.FieldsFunc(strings.ToLower(desc), func(r rune) bool { return !unicode.IsLetter(r) })
	for _, cw := range colorWords {
		for i := 0; i+len(cw) <= len(words); i++ {
			match := true
			for j, w := range cw {
				if words[i+j] != w {
					match = false
					break
				}
			}
			if match {
				return strings.Join(cw, " ")
			}
		}
	}
	return ""
}

// ShortName trims the part and serial numbers some vendors append to a
// supply description (Xerox "Black Toner, PN 006R01509;SN4817...") so a
// problem reads "Black Toner low (4%)". The full description stays in the
// supply's evidence.
func ShortName(desc string) string {
	if i := strings.Index(desc, ", PN "); i > 0 {
		desc = desc[:i]
	}
	if i := strings.Index(desc, ";"); i > 0 {
		desc = desc[:i]
	}
	return strings.TrimSpace(desc)
}

// LooksLikeWaste reports whether a description names a waste container.
// Only used when an agent reports neither class nor type (Xerox), so the
// probe can still read the level as space left rather than toner left.
func LooksLikeWaste(desc string) bool {
	return strings.Contains(strings.ToLower(desc), "waste")
}
