// Package bound is the one place that limits what the network may put into
// a report. A DNS server can answer with 4,000 records, a certificate can
// carry 300 names, a device can send a megabyte of banner or a supply level
// of 500 %: none of that may turn into a 50 kB detail line, an endless
// evidence list or a number outside its domain.
//
// Probes call it where a value from the network enters a check:
//
//	c.With("answers", bound.List(addrs))   // bound.Kept gives them back without the marker
//	c.Detail = "resolves " + name + " to " + bound.Join(addrs, ", ")
//	c.With("server", bound.Text(resp.Header.Get("Server")))
//	if p, ok := bound.Percent(level); ok { c.With("level_pct", p) }
//
// Text, List and Join also sanitise (see package sanitize), so one call
// makes a network string both safe and small. Bytes and Strings only cut;
// renderers use them as a last line of defence for reports that did not
// come from netprobe's own probes (a JSON file written by something else).
package bound

import (
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/netprobe/netprobe/internal/sanitize"
)

// Limits for one value from the network. They are far above what a
// healthy answer needs (a resolver returns a handful of addresses, a
// certificate a few names) and far below what would make a report
// unreadable or a terminal slow.
const (
	// MaxText is the most bytes one string from the network keeps.
	MaxText = 512
	// MaxItems is the most entries of one list, the "… N more" marker
	// included.
	MaxItems = 20
	// MaxListBytes is the most bytes of one list, all entries and the
	// marker together (separators not counted).
	MaxListBytes = 1024
)

// ellipsis marks a cut string, as in sanitize.String.
const ellipsis = sanitize.Ellipsis

// Text sanitises one string from the network and keeps at most MaxText
// bytes of it.
func Text(s string) string {
	// sanitize.String stops after MaxText runes, so a megabyte of input
	// is not walked in full; Bytes then bounds the UTF-8 length.
	return Bytes(sanitize.String(s, MaxText), MaxText)
}

// List sanitises every entry (as Text) and keeps at most MaxItems entries
// and MaxListBytes bytes; what is left out is counted in a last entry
// "… N more". The result is a new slice; nil stays nil.
func List(ss []string) []string {
	if ss == nil {
		return nil
	}
	out := make([]string, 0, min(len(ss), MaxItems))
	total := 0
	for i, s := range ss {
		// Sanitise only what can still be kept: 4,000 records cost
		// MaxItems sanitisations, not 4,000.
		if len(out) == MaxItems || total > MaxListBytes {
			return Strings(append(out, ss[i:]...), MaxItems, MaxListBytes)
		}
		t := Text(s)
		out = append(out, t)
		total += len(t)
	}
	return Strings(out, MaxItems, MaxListBytes)
}

// Join is List joined with sep, for a detail sentence: "1.2.3.4, 1.2.3.5,
// … 3998 more".
func Join(ss []string, sep string) string {
	out := List(ss)
	n := 0
	for _, s := range out {
		n += len(s) + len(sep)
	}
	b := make([]byte, 0, n)
	for i, s := range out {
		if i > 0 {
			b = append(b, sep...)
		}
		b = append(b, s...)
	}
	return string(b)
}

// More is the marker that stands for n entries left out of a list.
func More(n int) string { return ellipsis + " " + strconv.Itoa(n) + " more" }

// Kept returns the entries of a list made by List or Strings without its
// "… N more" marker, and N (0 when nothing was left out). Code that
// decides on a bounded list (do two resolvers' answers overlap?) must use
// it, so the marker is never taken for an answer.
func Kept(ss []string) ([]string, int) {
	if len(ss) == 0 {
		return ss, 0
	}
	last := ss[len(ss)-1]
	num, ok := strings.CutPrefix(last, ellipsis+" ")
	if num, ok = strings.CutSuffix(num, " more"); ok {
		if n, err := strconv.Atoi(num); err == nil && n > 0 && strconv.Itoa(n) == num {
			return ss[:len(ss)-1], n
		}
	}
	return ss, 0
}

// Bytes returns s cut to at most max bytes, at a rune boundary, with an
// ellipsis (counted in max) marking the cut. It does not sanitise. A string
// that fits is returned as it is, so Bytes is idempotent.
func Bytes(s string, max int) string {
	if len(s) <= max {
		return s
	}
	if max < len(ellipsis) {
		return cutRunes(s, max)
	}
	return cutRunes(s, max-len(ellipsis)) + ellipsis
}

// cutRunes returns the longest prefix of s of at most n bytes that does not
// end inside a UTF-8 sequence.
func cutRunes(s string, n int) string {
	if n <= 0 {
		return ""
	}
	if n >= len(s) {
		return s
	}
	// Step back while the first byte left out continues a sequence; at
	// most UTFMax-1 steps, so stray continuation bytes cannot eat it all.
	for i := 0; i < utf8.UTFMax-1 && n > 0 && !utf8.RuneStart(s[n]); i++ {
		n--
	}
	return s[:n]
}

// Strings keeps at most items entries of ss and at most max bytes of them
// (the marker included); when it cuts, the last entry is More(left out).
// It neither sanitises nor shortens entries: an entry that does not fit is
// left out whole. A list that fits is returned as a copy of itself, so
// Strings is idempotent.
func Strings(ss []string, items, max int) []string {
	if ss == nil {
		return nil
	}
	total := 0
	for _, s := range ss {
		total += len(s)
	}
	if len(ss) <= items && total <= max {
		return append(make([]string, 0, len(ss)), ss...) // an empty list stays a list ([] in JSON)
	}
	kept, used := 0, 0
	for kept < len(ss) && kept+1 < items {
		next := used + len(ss[kept])
		if next+len(More(len(ss)-kept-1)) > max {
			break
		}
		used = next
		kept++
	}
	out := make([]string, 0, kept+1)
	out = append(out, ss[:kept]...)
	if items > 0 {
		out = append(out, More(len(ss)-kept))
	}
	return out
}

// Clamp returns v limited to [lo, hi], and false when v is NaN or
// infinite: such a number was not measured, so it is absent from the
// report rather than shown as an end of the range.
func Clamp(v, lo, hi float64) (float64, bool) {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, false
	}
	return math.Min(math.Max(v, lo), hi), true
}

// Percent clamps a percentage (a supply level, a loss rate) to 0–100.
func Percent(v float64) (float64, bool) { return Clamp(v, 0, 100) }

// PercentPtr is Percent for the *float64 fields of result.Supply and
// result.Tray: nil when v is not a number.
func PercentPtr(v float64) *float64 {
	p, ok := Percent(v)
	if !ok {
		return nil
	}
	return &p
}

// Millis clamps a duration in milliseconds to ≥ 0: a clock that stepped
// back must not make a negative round-trip time.
func Millis(v float64) (float64, bool) { return Clamp(v, 0, math.MaxFloat64) }
