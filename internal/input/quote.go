package input

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// QuoteMax is how many characters of a bad value an error quotes: enough
// to recognise it, never a screenful.
const QuoteMax = 60

// Quote returns s as a Go-quoted string (control characters, escape
// sequences and invalid UTF-8 escaped, so a terminal shows them as text)
// of at most QuoteMax characters. A longer value is cut and says how long
// it was: "aaaa…" (50000000 bytes). Every error that echoes a value the
// user gave uses it, so no input can make netprobe print more than a line.
func Quote(s string) string {
	if utf8.RuneCountInString(s) <= QuoteMax {
		return strconv.Quote(s)
	}
	cut := 0
	for i := 0; i < QuoteMax; i++ {
		_, size := utf8.DecodeRuneInString(s[cut:])
		cut += size
	}
	return strconv.Quote(s[:cut]) + "… (" + strconv.Itoa(len(s)) + " bytes)"
}

// Name returns a file name (or another name-like value) for a message:
// bare when it is plain printable text without spaces or quotes, quoted
// and bounded like Quote otherwise.
func Name(s string) string {
	if s != "" && utf8.RuneCountInString(s) <= 2*QuoteMax && plain(s) {
		return s
	}
	return Quote(s)
}

func plain(s string) bool {
	return !strings.ContainsFunc(s, func(r rune) bool {
		return r == utf8.RuneError || r == '"' || r == '\'' || r == '\\' || unicode.IsSpace(r) ||
			!unicode.IsPrint(r) || unicode.Is(unicode.Cf, r)
	})
}
