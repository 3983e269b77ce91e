package reports

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// asciiFor are the non-ASCII characters a report shows most (netprobe's
// own words, bound's "… N more" marker, printer ranges such as "36–88%",
// the Unicode marks and bars) and what they read as in ASCII.
var asciiFor = map[rune]string{
	'–': "-", '—': "-", '‒': "-", '−': "-", '‐': "-", '‑': "-",
	'…': "...", '·': ".", '•': "*", '→': "->", '←': "<-", '↔': "<->",
	'‘': "'", '’': "'", '‚': "'", '′': "'", '“': `"`, '”': `"`, '„': `"`, '″': `"`,
	'«': `"`, '»': `"`, '×': "x", '≤': "<=", '≥': ">=", '±': "+/-", '°': " deg",
	'µ': "u", 'μ': "u", '✓': "+", '✗': "x", '█': "#", '░': "-", '│': "|",
	'ß': "ss", 'æ': "ae", 'Æ': "AE", 'ø': "o", 'Ø': "O", 'đ': "d", 'Đ': "D", 'ł': "l", 'Ł': "L",
}

// ascii renders s in pure ASCII for a pipe, a log or an old console: the
// ASCII text mode promises nothing else. Punctuation gets its usual ASCII
// spelling, accented letters lose the accent (é → e), other spaces become
// a space, and anything else becomes "?", so the text keeps its length
// roughly and a reader sees that something was there. JSON keeps the
// original; only the human text is converted.
func ascii(s string) string {
	if isASCII(s) {
		return s
	}
	var b strings.Builder
	for _, r := range norm.NFD.String(s) {
		switch {
		case r < utf8.RuneSelf:
			b.WriteRune(r)
		case unicode.Is(unicode.Mn, r):
			// an accent NFD split off its letter
		case asciiFor[r] != "":
			b.WriteString(asciiFor[r])
		case unicode.IsSpace(r):
			b.WriteByte(' ')
		case unicode.In(r, unicode.Cf, unicode.Me):
			// invisible: format characters take no column
		default:
			b.WriteByte('?')
		}
	}
	return b.String()
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}
