package reports

import "strings"

// DefaultWidth is the column the text report wraps at when the terminal is
// wider or there is none: ticket systems, chat and e-mail show about that
// much without a scroll bar.
const DefaultWidth = 100

// minWrapText is the least room a wrapped line keeps for text after its
// indent; with less, continuation lines fall back to a smaller indent.
const minWrapText = 30

// wrapLine breaks one output line at spaces so that no piece is wider
// than width columns; every piece after the first starts with cont. ANSI
// colour sequences take no column; a colour open at a break simply goes on
// over the newline, as a terminal keeps it (no sequence is added, so the
// output has exactly the sequences the renderer wrote). A word longer than
// the room is kept whole
// (a URL cut in two no longer works), so such a line is wider.
//
// keep is a byte offset in s before which the first piece never breaks
// (a check row breaks only inside its detail, not between its columns).
func wrapLine(s, cont string, width, keep int) []string {
	if width <= 0 || visibleWidth(s) <= width {
		return []string{s}
	}
	if visibleWidth(cont)+minWrapText > width {
		cont = cont[:min(len(cont), 4)]
	}
	var out []string
	first := true
	for {
		from := len(cont)
		if first {
			from = keep
		}
		head, rest, ok := breakAt(s, width, first, from)
		if !ok {
			out = append(out, s)
			return out
		}
		out = append(out, head)
		s = cont + rest
		first = false
		if visibleWidth(s) <= width {
			return append(out, s)
		}
	}
}

// breakAt finds the last space at or before column width after the
// line's leading text and after byte skip (the first piece's own
// indentation and kept columns, or a continuation's indent, are never a
// break) and splits there.
// It returns the piece without trailing spaces and the rest without
// leading spaces.
func breakAt(s string, width int, first bool, skip int) (head, rest string, ok bool) {
	col, lastBreak := 0, -1
	seenText := false
	start := 0
	if !first {
		start = skip
		col = visibleWidth(s[:skip])
	}
	for i := start; i < len(s); {
		breakable := first && i >= skip || !first
		if s[i] == '\x1b' {
			j := strings.IndexByte(s[i:], 'm')
			if j < 0 {
				break
			}
			i += j + 1
			continue
		}
		r, size := rune(s[i]), 1
		if s[i] >= 0x80 {
			for _, rr := range s[i:] {
				r = rr
				break
			}
			size = len(string(r))
		}
		if r == ' ' {
			if seenText && breakable && !figureSpace(s, i) && (col <= width || lastBreak < 0) {
				lastBreak = i
			}
		} else {
			seenText = true
		}
		col += runeWidth(r)
		if col > width && lastBreak >= 0 {
			break
		}
		i += size
	}
	if lastBreak < 0 {
		return "", "", false
	}
	head = strings.TrimRight(s[:lastBreak], " ")
	rest = strings.TrimLeft(s[lastBreak:], " ")
	if rest == "" || rest == ansiReset {
		return "", "", false
	}
	return head, rest, true
}

// visibleWidth is s's width in terminal columns without its ANSI
// sequences.
func visibleWidth(s string) int {
	if !strings.Contains(s, "\x1b") {
		return cellWidth(s)
	}
	w := 0
	for i := 0; i < len(s); {
		if s[i] == '\x1b' {
			j := strings.IndexByte(s[i:], 'm')
			if j < 0 {
				return w + cellWidth(s[i:])
			}
			i += j + 1
			continue
		}
		k := strings.IndexByte(s[i:], '\x1b')
		if k < 0 {
			return w + cellWidth(s[i:])
		}
		w += cellWidth(s[i : i+k])
		i += k
	}
	return w
}

// figureSpace reports whether the space at s[i] joins a number and its
// unit ("1.2 ms", "4 s"): a figure is never split over two lines.
func figureSpace(s string, i int) bool {
	if i == 0 || s[i-1] < '0' || s[i-1] > '9' {
		return false
	}
	rest := s[i+1:]
	for _, u := range []string{"ms", "s", "µs"} {
		if strings.HasPrefix(rest, u) {
			after := rest[len(u):]
			if after == "" || !(after[0] >= 'a' && after[0] <= 'z' || after[0] >= 'A' && after[0] <= 'Z') {
				return true
			}
		}
	}
	return false
}
