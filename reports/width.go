package reports

import (
	"strings"
	"unicode"
)

// cellWidth is how many terminal columns s takes. Combining marks and
// format characters take none, East Asian wide characters and emoji take
// two. It is an approximation of wcwidth kept in this package so the text
// table stays aligned for printer names such as "打印机" without another
// dependency.
func cellWidth(s string) int {
	w := 0
	for _, r := range s {
		w += runeWidth(r)
	}
	return w
}

// runeWidth is one rune's column count for cellWidth.
func runeWidth(r rune) int {
	switch {
	case r == 0:
		return 0
	case r < 0x300:
		return 1
	case unicode.In(r, unicode.Mn, unicode.Me, unicode.Cf),
		r >= 0xFE00 && r <= 0xFE0F, // variation selectors
		r == 0x200B:
		return 0
	case isWide(r):
		return 2
	}
	return 1
}

// wideRanges are the East Asian Wide and Fullwidth blocks and the emoji
// planes, which terminals draw two columns wide.
var wideRanges = [][2]rune{
	{0x1100, 0x115F}, {0x231A, 0x231B}, {0x2329, 0x232A}, {0x23E9, 0x23EC},
	{0x2E80, 0x303E}, {0x3041, 0x33FF}, {0x3400, 0x4DBF}, {0x4E00, 0x9FFF},
	{0xA000, 0xA4CF}, {0xA960, 0xA97F}, {0xAC00, 0xD7A3}, {0xF900, 0xFAFF},
	{0xFE10, 0xFE19}, {0xFE30, 0xFE6F}, {0xFF00, 0xFF60}, {0xFFE0, 0xFFE6},
	{0x1F300, 0x1F64F}, {0x1F900, 0x1F9FF}, {0x1FA70, 0x1FAFF},
	{0x20000, 0x3FFFD},
}

func isWide(r rune) bool {
	for _, rg := range wideRanges {
		if r >= rg[0] && r <= rg[1] {
			return true
		}
	}
	return false
}

// pad right-pads s with spaces to w columns. Longer strings are kept whole:
// losing part of a target would lose information, so that row is simply
// wider.
func pad(s string, w int) string {
	if n := cellWidth(s); n < w {
		return s + strings.Repeat(" ", w-n)
	}
	return s
}

// padLeft left-pads s to w columns (for numbers).
func padLeft(s string, w int) string {
	if n := cellWidth(s); n < w {
		return strings.Repeat(" ", w-n) + s
	}
	return s
}
