package redact

import (
	"net/netip"
	"regexp"
	"strings"
	"unicode/utf8"
)

// The spellings of MAC and IPv4 addresses that devices print. A printer's
// sysDescr or a router's banner writes addresses the way its firmware
// likes: 00:11:22:33:44:55, 0:11:22:33:44:55, 00-11-22-33-44-55,
// 0011.2233.4455, 00.11.22.33.44.55, 001122334455, 10.001.002.003. Each
// spelling of one address gets the same placeholder.

var (
	// macSep is six groups of one or two hex digits separated by colons
	// or dashes; the zero-dropping form 0:11:22:33:44:55 is what many
	// Unix tools print.
	macSep = regexp.MustCompile(`(?i)[0-9a-f]{1,2}[:-][0-9a-f]{1,2}(?:[:-][0-9a-f]{1,2}){4}`)
	// macDotPairs is 00.11.22.33.44.55.
	macDotPairs = regexp.MustCompile(`(?i)[0-9a-f]{2}(?:\.[0-9a-f]{2}){5}`)
	// macCisco is Cisco's 0011.2233.4455.
	macCisco = regexp.MustCompile(`(?i)[0-9a-f]{4}\.[0-9a-f]{4}\.[0-9a-f]{4}`)
	// macBare is 001122334455: twelve hex digits standing alone.
	macBare = regexp.MustCompile(`(?i)[0-9a-f]{12}`)
)

// macs masks every spelling of a MAC address in s.
func (rd *redactor) macs(s string) string {
	for _, re := range []*regexp.Regexp{macSep, macDotPairs, macCisco, macBare} {
		s = replaceMAC(s, re, rd.mac)
	}
	return s
}

// replaceMAC replaces the matches of re that stand alone: not glued to a
// letter, a digit or a colon (which would make them part of an IPv6
// address, a longer hex string or a version number).
func replaceMAC(s string, re *regexp.Regexp, fn func(string) string) string {
	idx := re.FindAllStringIndex(s, -1)
	if idx == nil {
		return s
	}
	var b strings.Builder
	last := 0
	for _, m := range idx {
		start, end := m[0], m[1]
		if start > 0 {
			r, _ := utf8.DecodeLastRuneInString(s[:start])
			if isWordRune(r) || r == ':' {
				continue
			}
		}
		if end < len(s) {
			r, size := utf8.DecodeRuneInString(s[end:])
			if isWordRune(r) || r == ':' {
				continue
			}
			// "…:55.66" or "…55-66": one more group, so not a MAC.
			if (r == '.' || r == '-') && end+size < len(s) {
				if r2, _ := utf8.DecodeRuneInString(s[end+size:]); isWordRune(r2) {
					continue
				}
			}
		}
		b.WriteString(s[last:start])
		b.WriteString(fn(s[start:end]))
		last = end
	}
	b.WriteString(s[last:])
	return b.String()
}

// mac masks a MAC address; the same address in another notation gets the
// same placeholder.
func (rd *redactor) mac(m string) string {
	key := macKey(m)
	if p, ok := rd.macsSeen[key]; ok {
		return p
	}
	p := rd.next("mac")
	rd.macsSeen[key] = p
	return p
}

// macKey is a MAC address as twelve lower-case hex digits, whatever its
// notation: groups are zero-padded to their width (2 digits in six groups,
// 4 in three).
func macKey(m string) string {
	parts := strings.FieldsFunc(strings.ToLower(m), func(r rune) bool { return r == ':' || r == '-' || r == '.' })
	width := 12 / max(len(parts), 1)
	var b strings.Builder
	for _, p := range parts {
		for range width - len(p) {
			b.WriteByte('0')
		}
		b.WriteString(p)
	}
	return b.String()
}

// parseV4 confirms a dotted-quad candidate. Octets may carry leading zeros
// (10.001.002.003, as printers write them), read as decimal: that is what
// the device meant, and the same address gets the same placeholder.
func parseV4(s string) (netip.Addr, bool) {
	var b [4]byte
	parts := strings.Split(s, ".")
	if len(parts) != 4 {
		return netip.Addr{}, false
	}
	for i, p := range parts {
		if len(p) == 0 || len(p) > 3 {
			return netip.Addr{}, false
		}
		n := 0
		for _, c := range []byte(p) {
			if c < '0' || c > '9' {
				return netip.Addr{}, false
			}
			n = n*10 + int(c-'0')
		}
		if n > 255 {
			return netip.Addr{}, false
		}
		b[i] = byte(n)
	}
	return netip.AddrFrom4(b), true
}
