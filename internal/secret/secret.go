// Package secret removes secrets (an SNMP community, SNMPv3 pass phrases,
// a password in a URL) from text before it reaches any output.
//
// A Scrubber is applied to RAW values — what a device sent, what a library
// put in an error — before they are sanitised, folded or truncated. Doing it
// later is what leaks: a sanitiser that folds "ab  cd" into "ab cd" or cuts a
// long sysDescr at 256 runes turns the whole secret, which a scrubber would
// have found, into a variant or a fragment it no longer recognises.
//
// Matching ignores every white-space, control and format character (line
// folds, tabs, NULs, escape bytes, zero-width and bidi marks), on both
// sides: a community "ab  cd" is found as "ab cd", "ab\tcd", "ab\r\n cd" or
// "a\u200bb cd". It also masks a piece of at least MinFragment bytes of a
// secret at the very start or end of a value, where a device that cut the
// secret off with its own short buffer (or split it over two console
// lines) would otherwise show part of it.
package secret

import (
	"bytes"
	"sort"
	"unicode"
	"unicode/utf8"
)

// Mask is what a secret is replaced with. It shares no letters with the
// words people choose for secrets ("secret", "s3cret", "password"), so a
// check that searches output for pieces of a secret does not find the mask
// itself.
const Mask = "<masked>"

// MinFragment is the shortest piece of a secret masked at the edge of a
// value. Shorter pieces are too common in ordinary text to mean anything
// ("ab" ends many words) and tell an attacker next to nothing.
const MinFragment = 4

// Scrubber finds secrets in text. The zero value and a nil *Scrubber
// scrub nothing, so callers need no special case for "no secrets".
type Scrubber struct {
	// pats are the secrets without their ignorable characters, longest
	// first, so a secret that contains another is masked whole.
	pats [][]byte
}

// New builds a Scrubber for the given secrets. Empty secrets, and secrets
// made only of white space or control characters, are ignored: they would
// match everywhere.
func New(secrets ...string) *Scrubber {
	s := &Scrubber{}
	seen := map[string]bool{}
	for _, sec := range secrets {
		k := skeleton([]string{sec})
		if len(k.b) == 0 || seen[string(k.b)] {
			continue
		}
		seen[string(k.b)] = true
		s.pats = append(s.pats, k.b)
	}
	sort.SliceStable(s.pats, func(i, j int) bool { return len(s.pats[i]) > len(s.pats[j]) })
	return s
}

// Active reports whether there is anything to scrub.
func (s *Scrubber) Active() bool { return s != nil && len(s.pats) > 0 }

// String returns x with every secret, in any white-space form, replaced by
// Mask.
func (s *Scrubber) String(x string) string {
	if !s.Active() || x == "" {
		return x
	}
	return s.Strings([]string{x})[0]
}

// Bytes is String for a raw value as it came off the wire. It returns b
// itself when nothing matched.
func (s *Scrubber) Bytes(b []byte) []byte {
	if !s.Active() || len(b) == 0 {
		return b
	}
	out := s.String(string(b))
	if out == string(b) {
		return b
	}
	return []byte(out)
}

// Whole scrubs whole secrets only, leaving the pieces at the edges to a
// later pass. It is for a raw value that is cut before it is scrubbed again
// as text next to its neighbours (the lines of a panel): the edge rule
// applied to one line alone could mask the first half of a secret split
// over two lines and leave the second half too short to be recognised.
func (s *Scrubber) Whole(b []byte) []byte {
	if !s.Active() || len(b) == 0 {
		return b
	}
	x := string(b)
	k := skeleton([]string{x})
	spans := s.whole(k)
	if len(spans) == 0 {
		return b
	}
	return []byte(apply([]string{x}, k.offs, merge(spans))[0])
}

// whole finds every whole secret in a skeleton, across element boundaries.
func (s *Scrubber) whole(k skel) []span {
	var spans []span
	for _, p := range s.pats {
		for from := 0; from+len(p) <= len(k.b); {
			i := bytes.Index(k.b[from:], p)
			if i < 0 {
				break
			}
			i += from
			spans = append(spans, span{k.start[i], k.end[i+len(p)-1]})
			from = i + 1
		}
	}
	return spans
}

// Strings scrubs a list of values that a reader sees as one text, such as
// the lines of a printer's panel: a secret split over two elements is
// found too. The list keeps its length; a secret that spans elements is
// masked in the first and removed from the others.
func (s *Scrubber) Strings(xs []string) []string {
	if !s.Active() || len(xs) == 0 {
		return xs
	}
	k := skeleton(xs)
	spans := s.whole(k)
	for _, p := range s.pats {
		// Pieces at the edges of each element.
		for e := range xs {
			lo, hi := k.first[e], k.first[e+1] // this element's skeleton bytes
			if hi-lo < MinFragment {
				continue
			}
			el := k.b[lo:hi]
			for n := min(len(p)-1, len(el)); n >= MinFragment; n-- {
				if bytes.HasSuffix(el, p[:n]) {
					spans = append(spans, span{k.start[hi-n], k.end[hi-1]})
					break
				}
			}
			for n := min(len(p)-1, len(el)); n >= MinFragment; n-- {
				if bytes.HasPrefix(el, p[len(p)-n:]) {
					spans = append(spans, span{k.start[lo], k.end[lo+n-1]})
					break
				}
			}
		}
	}
	if len(spans) == 0 {
		return xs
	}
	return apply(xs, k.offs, merge(spans))
}

// Error returns err with its text scrubbed, or err itself when its text
// holds no secret (or it is nil). errors.Is and errors.As still see the
// original error.
func (s *Scrubber) Error(err error) error {
	if err == nil || !s.Active() {
		return err
	}
	msg := err.Error()
	if clean := s.String(msg); clean != msg {
		return &scrubbed{msg: clean, err: err}
	}
	return err
}

// Text is the scrubbed text of err, "" for nil.
func (s *Scrubber) Text(err error) string {
	if err == nil {
		return ""
	}
	return s.Error(err).Error()
}

type scrubbed struct {
	msg string
	err error
}

func (e *scrubbed) Error() string { return e.msg }
func (e *scrubbed) Unwrap() error { return e.err }

// ignorable reports the characters matching skips: white space, control
// characters (C0, C1, DEL, ESC) and format characters (zero-width, BOM,
// bidi marks, soft hyphen). None of them is visible as itself in a report,
// and each can be inserted or folded away between a secret's bytes.
func ignorable(r rune) bool {
	return unicode.IsSpace(r) || unicode.IsControl(r) || unicode.Is(unicode.Cf, r)
}

// skel is the concatenated text of a list with the ignorable characters
// taken out. For skeleton byte j, start[j] and end[j] are the offsets in
// the concatenation of the character it belongs to (end exclusive);
// first[e] is the first skeleton byte of element e (first[len] = len(b));
// offs[e] is where element e starts in the concatenation.
type skel struct {
	b          []byte
	start, end []int
	first      []int
	offs       []int
}

func skeleton(xs []string) skel {
	var k skel
	off := 0
	for _, x := range xs {
		k.first = append(k.first, len(k.b))
		k.offs = append(k.offs, off)
		for i := 0; i < len(x); {
			r, size := utf8.DecodeRuneInString(x[i:])
			// An invalid byte is data, compared as itself.
			if !(r == utf8.RuneError && size == 1) && ignorable(r) {
				i += size
				continue
			}
			for j := 0; j < size; j++ {
				k.b = append(k.b, x[i+j])
				k.start = append(k.start, off+i)
				k.end = append(k.end, off+i+size)
			}
			i += size
		}
		off += len(x)
	}
	k.first = append(k.first, len(k.b))
	k.offs = append(k.offs, off)
	return k
}

// span is a half-open byte range of the concatenated text.
type span struct{ lo, hi int }

func merge(spans []span) []span {
	sort.Slice(spans, func(i, j int) bool { return spans[i].lo < spans[j].lo })
	out := spans[:1]
	for _, sp := range spans[1:] {
		last := &out[len(out)-1]
		if sp.lo <= last.hi {
			last.hi = max(last.hi, sp.hi)
			continue
		}
		out = append(out, sp)
	}
	return out
}

// apply rebuilds each element with the spans masked: the part of a span
// inside the element where it starts becomes Mask, its parts in later
// elements disappear.
func apply(xs []string, offs []int, spans []span) []string {
	out := make([]string, len(xs))
	for e, x := range xs {
		lo, hi := offs[e], offs[e+1]
		var b []byte
		pos := lo
		for _, sp := range spans {
			if sp.hi <= lo || sp.lo >= hi {
				continue
			}
			from, to := max(sp.lo, lo), min(sp.hi, hi)
			b = append(b, x[pos-lo:from-lo]...)
			if sp.lo >= lo {
				b = append(b, Mask...)
			}
			pos = to
		}
		if b == nil && pos == lo {
			out[e] = x
			continue
		}
		b = append(b, x[pos-lo:]...)
		out[e] = string(b)
	}
	return out
}
