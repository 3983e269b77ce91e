// Package redact masks what identifies a person or a site in a netprobe
// report, so it can be pasted into a public issue or forum: IP addresses,
// MAC addresses, this computer's name, names under local-only domains,
// printer names and serial numbers, e-mail addresses and anything that
// looks like a secret.
//
// Masking is consistent within one report: the same address becomes the
// same placeholder in the verdict, the table and the evidence, so a reader
// can still follow "the gateway <private-ip-1> answers, but DNS server
// <private-ip-1> does not". Placeholders keep what matters for diagnosis
// and identifies nobody: the class of an address (private, link-local,
// CGNAT, public), prefix lengths, ports, loopback, multicast, netmasks and
// the well-known public resolvers.
package redact

import (
	"maps"
	"math"
	"net/netip"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/netprobe/netprobe/internal/bound"
	"github.com/netprobe/netprobe/internal/sanitize"
	"github.com/netprobe/netprobe/result"
)

// Report returns a deep copy of r with identifying data masked and
// Redacted set. r itself is not modified: evidence maps, slices and
// printer values are all copied.
func Report(r result.Report) result.Report {
	rd := newRedactor()
	rd.collect(&r)

	out := r
	// Every free-text string is masked, also those netprobe itself
	// writes (tool, OS, probe names): a value must not get past redaction
	// because it sits in a field nobody expected it in. Enumerations
	// (statuses, reason codes, layers) are kept: they carry no text.
	out.Tool = result.Tool{Name: rd.str(r.Tool.Name), Version: rd.str(r.Tool.Version)}
	out.Host.Hostname = ""
	if normalize(r.Host.Hostname) != "" {
		out.Host.Hostname = hostnamePlaceholder
	}
	out.Host.OS, out.Host.Arch, out.Host.ICMP = rd.str(r.Host.OS), rd.str(r.Host.Arch), rd.str(r.Host.ICMP)
	out.Host.ICMPReason = rd.str(r.Host.ICMPReason)
	out.Command = rd.command(r.Command)
	out.Verdict.Summary = rd.str(r.Verdict.Summary)
	out.Verdict.Advice = rd.strs(r.Verdict.Advice)
	out.Verdict.Evidence = rd.strs(r.Verdict.Evidence)
	out.Verdict.Consequences = cloneLayers(r.Verdict.Consequences)
	out.Verdict.Independent = cloneLayers(r.Verdict.Independent)
	if r.Layers != nil {
		out.Layers = make([]result.LayerResult, len(r.Layers))
	}
	for i, l := range r.Layers {
		nl := l
		nl.Note = rd.str(l.Note)
		if l.Checks != nil {
			nl.Checks = make([]result.Check, len(l.Checks))
		}
		for j, c := range l.Checks {
			nc := c
			nc.Name = rd.str(c.Name)
			nc.Target = rd.str(c.Target)
			nc.Detail = rd.str(c.Detail)
			nc.Error = rd.str(c.Error)
			nc.Evidence = rd.evidence(c.Evidence)
			nl.Checks[j] = nc
		}
		out.Layers[i] = nl
	}
	if r.Expectations != nil {
		// A check file's expectations name addresses too ("all of
		// 10.1.0.5", "found 10.1.0.9").
		out.Expectations = make([]result.Expectation, len(r.Expectations))
		for i, e := range r.Expectations {
			e.Target, e.Expected, e.Found = rd.str(e.Target), rd.str(e.Expected), rd.str(e.Found)
			out.Expectations[i] = e
		}
	}
	out.Redacted = true
	return out
}

// String masks addresses, MAC addresses, e-mail addresses, user
// information and query values in URLs, secret key=value pairs and names
// under local-only domains in s. Numbering starts afresh with each call;
// use Report to mask a whole report consistently.
func String(s string) string {
	return newRedactor().str(s)
}

// hostnamePlaceholder replaces this computer's name.
const hostnamePlaceholder = "<hostname>"

// identityKeys are evidence keys whose value names a device, a place or a
// person, with the placeholder stem they get. Their values are also masked
// wherever else they appear (a printer's sysName in a detail sentence).
var identityKeys = map[string]string{
	"sys_name":      "sys-name",
	"serial":        "serial",
	"serial_number": "serial",
	"sys_contact":   "contact",
	"sys_location":  "location",
	"ssid":          "ssid",
	"bssid":         "mac",
}

// publicResolvers are anycast resolvers used by millions: naming one
// identifies nobody, and "8.8.8.8 answers" is half of many diagnoses.
var publicResolvers = func() map[netip.Addr]bool {
	m := map[netip.Addr]bool{}
	for _, s := range []string{
		"1.1.1.1", "1.0.0.1", "2606:4700:4700::1111", "2606:4700:4700::1001", // Cloudflare
		"8.8.8.8", "8.8.4.4", "2001:4860:4860::8888", "2001:4860:4860::8844", // Google
		"9.9.9.9", "149.112.112.112", "2620:fe::fe", "2620:fe::9", // Quad9
		"208.67.222.222", "208.67.220.220", "2620:119:35::35", "2620:119:53::53", // OpenDNS
	} {
		m[netip.MustParseAddr(s)] = true
	}
	return m
}()

var cgnat = netip.MustParsePrefix("100.64.0.0/10")

// localSuffixes are domains that only exist inside a site, so a name under
// them (printer.acme.local) names the site. Public names are kept: they are
// what was tested, and they are public.
var localSuffixes = []string{"home.arpa", "localdomain", "local", "lan", "home", "internal", "intranet", "corp", "private"}

var (
	// userinfo is the user[:password]@ part of a URL.
	userinfo = regexp.MustCompile(`(?i)\b([a-z][a-z0-9+.-]*://)[^/@\s]+@`)
	email    = regexp.MustCompile(`[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}`)
	// v6Run is a run of characters an IPv6 address (with zone) is made of;
	// candidates are confirmed by netip.ParseAddr.
	v6Run = regexp.MustCompile(`[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*(?:%[0-9A-Za-z_.\-]+)?`)
	v4Run = regexp.MustCompile(`\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}`)
	// localName is one or more DNS labels followed by a local suffix.
	localName = regexp.MustCompile(`(?i)(?:[\p{L}\p{N}](?:[\p{L}\p{N}-]*[\p{L}\p{N}])?\.)+(?:` +
		strings.ReplaceAll(strings.Join(localSuffixes, "|"), ".", `\.`) + `)`)
	// secretFlag is a command-line flag that carries a secret.
	secretFlag = regexp.MustCompile(`(?i)(--?(?:community|password|passphrase|auth-pass\w*|priv-pass\w*|secret|token)(?:=|\s+))(?:'[^']*'|"[^"]*"|\S+)`)
)

// redactor holds one report's placeholder assignments.
type redactor struct {
	ips      map[netip.Addr]string
	macsSeen map[string]string // macKey → placeholder
	names    map[string]string
	literals map[string]string // lower-cased identifying value → placeholder
	counts   map[string]int    // placeholder stem → last number used
	ordered  []string          // literals, longest first
	secrets  []string          // lower-cased secrets, also in literals
}

func newRedactor() *redactor {
	return &redactor{
		ips: map[netip.Addr]string{}, macsSeen: map[string]string{}, names: map[string]string{},
		literals: map[string]string{}, counts: map[string]int{},
	}
}

// noLimit keeps sanitize.String from shortening what it cleans.
const noLimit = math.MaxInt32

// normalize is a string as the redactor compares and masks it: its first
// maxInput bytes, with every format character removed (sanitize.String
// would leave a bidi override as a visible U+FFFD, which would still split
// "192.168\u202e.1.1" into two non-addresses), then sanitised as every
// renderer will show it.
func normalize(s string) string {
	s = bound.Bytes(s, maxInput)
	if strings.IndexFunc(s, isFormat) >= 0 {
		s = strings.Map(func(r rune) rune {
			if isFormat(r) {
				return -1
			}
			return r
		}, s)
	}
	return sanitize.String(s, noLimit)
}

func isFormat(r rune) bool { return unicode.Is(unicode.Cf, r) }

// maxInput is how much of one string is masked. Renderers show at most
// 8 KiB of a string (reports' backstop), taken from the start of the
// masked text; placeholders are mostly longer than what they replace, so
// what lies past maxInput is not shown unless masking halved the text, and
// masking a megabyte of banner would only cost time. (Probes keep far
// less: internal/bound.)
const maxInput = 16 << 10

// next returns the next numbered placeholder for a stem: <stem-N>.
func (rd *redactor) next(stem string) string {
	rd.counts[stem]++
	return "<" + stem + "-" + strconv.Itoa(rd.counts[stem]) + ">"
}

// minLiteral is the shortest identifying value masked where it appears
// inside other text; shorter ones ("HP") would mask ordinary words. The
// value itself is still masked in its own field.
const minLiteral = 3

// collect finds the identifying values (hostname, sysName, serial, ...)
// before anything is masked, so they are masked in every string, also in
// those that come before the evidence that names them.
func (rd *redactor) collect(r *result.Report) {
	// Secrets first: a value that is both a secret and a name is masked
	// as a secret.
	rd.collectSecrets(r)
	if h := strings.TrimSpace(r.Host.Hostname); h != "" {
		rd.literal(h, hostnamePlaceholder)
		if short, _, ok := strings.Cut(h, "."); ok {
			rd.literal(short, hostnamePlaceholder)
		}
	}
	for _, l := range r.Layers {
		for _, c := range l.Checks {
			rd.collectMap(c.Evidence)
		}
	}
	for k := range rd.literals {
		rd.ordered = append(rd.ordered, k)
	}
	// Longest first, so "prn-2og.acme" is replaced before "prn-2og".
	sort.Slice(rd.ordered, func(i, j int) bool {
		a, b := rd.ordered[i], rd.ordered[j]
		if len(a) != len(b) {
			return len(a) > len(b)
		}
		return a < b
	})
}

func (rd *redactor) collectMap(m map[string]any) {
	for _, k := range slices.Sorted(maps.Keys(m)) {
		switch v := m[k].(type) {
		case string:
			if stem, ok := identityKeys[k]; ok && strings.TrimSpace(v) != "" {
				if _, seen := rd.literals[strings.ToLower(strings.TrimSpace(v))]; !seen {
					rd.literal(strings.TrimSpace(v), rd.next(stem))
				}
			}
		case map[string]any:
			rd.collectMap(v)
		case map[string]string:
			m := make(map[string]any, len(v))
			for k, e := range v {
				m[k] = e
			}
			rd.collectMap(m)
		}
	}
}

// literal records an identifying value and its placeholder, in the form
// str compares it in (sanitised: white space folded, invisible characters
// gone).
func (rd *redactor) literal(v, placeholder string) {
	key := strings.ToLower(normalize(v))
	if key == "" {
		return
	}
	if _, ok := rd.literals[key]; !ok {
		rd.literals[key] = placeholder
	}
}

// str masks one string. It is normalised first: masking must see the text
// as every renderer will show it, or a zero-width space inside an address
// ("192.168\u200b.1.1") or a doubled space inside a secret would keep it
// from matching here and be removed, joining it up again, on output.
func (rd *redactor) str(s string) string {
	if s == "" {
		return s
	}
	s = normalize(s)
	// Masking one thing can leave another standing alone that was glued
	// to it before ("1::.10.0.0.1"): repeat until nothing changes, so what
	// looks like an address after redaction was never one. Real text
	// settles in one or two rounds.
	for range maxRounds {
		next := rd.round(s)
		if next == s {
			break
		}
		s = next
	}
	return s
}

// maxRounds bounds str's repetition; each round only shortens what can
// still match, so this is a guard, not a limit real text reaches.
const maxRounds = 8

// round is one pass of every masking step.
func (rd *redactor) round(s string) string {
	// Query values before anything else: a masked host would end the URL
	// for urlRE's purposes only if placeholders were not allowed in it,
	// and literals may sit inside a URL.
	s = maskQuery(s)
	s = rd.replaceLiterals(s)
	s = rd.maskFragments(s)
	if strings.Contains(s, "@") {
		s = userinfo.ReplaceAllString(s, "${1}<user>@")
		s = email.ReplaceAllString(s, "<email>")
	}
	s = maskSecretPairs(s)
	s = rd.macs(s)
	rd.numberInOrder(s)
	s = replaceBounded(s, v6Run, rd.ipv6)
	s = replaceBounded(s, v4Run, rd.ipv4)
	s = replaceBounded(s, localName, rd.localName)
	return s
}

func (rd *redactor) strs(ss []string) []string {
	if ss == nil {
		return nil
	}
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = rd.str(s)
	}
	return out
}

// command masks a command line: secret flag values first, then as any
// string.
func (rd *redactor) command(s string) string {
	return rd.str(secretFlag.ReplaceAllString(s, "${1}<secret>"))
}

// placeholder matches the placeholders this package writes, so a second
// redaction does not mask inside them (a printer named "name" must not
// turn "<name-1>" into "<<sys-name-1>-1>").
var placeholder = regexp.MustCompile(`<[a-z][a-z-]*(?:-\d+)?>`)

// replaceLiterals masks the collected identifying values, ignoring case,
// outside existing placeholders. A value that itself holds text shaped
// like a placeholder ("<script>x</script>" as a secret) is replaced across
// the whole string first, since no split around placeholders could match
// it.
func (rd *redactor) replaceLiterals(s string) string {
	if len(rd.ordered) == 0 {
		return s
	}
	for _, lit := range rd.ordered {
		if len(lit) >= minLiteral && placeholder.MatchString(lit) {
			s = replaceFold(s, lit, rd.literals[lit])
		}
	}
	var b strings.Builder
	last := 0
	for _, m := range placeholder.FindAllStringIndex(s, -1) {
		b.WriteString(rd.replaceLiteralsIn(s[last:m[0]]))
		b.WriteString(s[m[0]:m[1]])
		last = m[1]
	}
	b.WriteString(rd.replaceLiteralsIn(s[last:]))
	return b.String()
}

// replaceLiteralsIn is replaceLiterals for text without placeholders.
func (rd *redactor) replaceLiteralsIn(s string) string {
	for _, lit := range rd.ordered {
		if len(lit) >= minLiteral && !placeholder.MatchString(lit) {
			s = replaceFold(s, lit, rd.literals[lit])
		}
	}
	return s
}

// replaceFold replaces every occurrence of lit (lower case) in s, ignoring
// case, with ph.
func replaceFold(s, lit, ph string) string {
	lower := strings.ToLower(s)
	// ToLower can change byte lengths for some scripts; fall back to an
	// exact-case replacement then, rather than cut in the wrong place.
	if len(lower) != len(s) {
		return strings.ReplaceAll(s, lit, ph)
	}
	var b strings.Builder
	i := 0
	for {
		j := strings.Index(lower[i:], lit)
		if j < 0 {
			break
		}
		b.WriteString(s[i : i+j])
		b.WriteString(ph)
		i += j + len(lit)
	}
	b.WriteString(s[i:])
	return b.String()
}

// numberInOrder assigns placeholders to the new addresses in s in the
// order they appear, IPv4 and IPv6 alike, so a reader meets <private-ip-1>
// before <private-ip-2>. (Replacing is done per family, which alone would
// number every IPv6 address of a sentence before its IPv4 ones.)
func (rd *redactor) numberInOrder(s string) {
	type found struct {
		at int
		a  netip.Addr
	}
	var all []found
	collect := func(re *regexp.Regexp, parse func(string) (netip.Addr, bool)) {
		replaceBounded(s, re, func(m string, at int) (string, bool) {
			a, ok := parse(m)
			if ok {
				all = append(all, found{at, a})
			}
			return "", false
		})
	}
	collect(v6Run, parseV6)
	collect(v4Run, parseV4)
	sort.SliceStable(all, func(i, j int) bool { return all[i].at < all[j].at })
	for _, f := range all {
		rd.addr(f.a, "")
	}
}

// replaceBounded replaces matches of re that stand alone (not glued to
// letters or digits around them) with fn's result; fn returns ok=false to
// keep a match.
func replaceBounded(s string, re *regexp.Regexp, fn func(match string, at int) (string, bool)) string {
	idx := re.FindAllStringIndex(s, -1)
	if idx == nil {
		return s
	}
	var b strings.Builder
	last := 0
	for _, m := range idx {
		start, end := m[0], m[1]
		if start > 0 {
			// After a letter or digit it is part of a word; after "%" it
			// is an IPv6 zone (an interface name), never an address.
			r, size := utf8.DecodeLastRuneInString(s[:start])
			if isWordRune(r) || r == '%' {
				continue
			}
			// "1.0.0.0.1" is a version number: its tail is no address
			// either.
			if r == '.' && start > size {
				if r2, _ := utf8.DecodeLastRuneInString(s[:start-size]); isWordRune(r2) {
					continue
				}
			}
		}
		match := s[start:end]
		// Sentence punctuation glued to the end: "... via 10.0.0.1."
		for len(match) > 0 && (match[len(match)-1] == '.' || match[len(match)-1] == ':') {
			if _, ok := fn(match, start); ok {
				break
			}
			match = match[:len(match)-1]
		}
		end = start + len(match)
		if end < len(s) {
			r, size := utf8.DecodeRuneInString(s[end:])
			if isWordRune(r) {
				continue
			}
			// "1.2.3.4.5" is a version number, not an address followed by
			// a full stop.
			if r == '.' && end+size < len(s) {
				if r2, _ := utf8.DecodeRuneInString(s[end+size:]); isWordRune(r2) {
					continue
				}
			}
		}
		rep, ok := fn(match, start)
		if !ok {
			continue
		}
		b.WriteString(s[last:start])
		b.WriteString(rep)
		last = end
	}
	b.WriteString(s[last:])
	return b.String()
}

func isWordRune(r rune) bool {
	return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r)
}

// parseV6 confirms an IPv6 candidate; the zone is not part of the address.
// An embedded IPv4 address may be zero-padded, as parseV4 allows.
func parseV6(s string) (netip.Addr, bool) {
	addr, _, _ := strings.Cut(s, "%")
	if i := strings.LastIndexByte(addr, ':'); i >= 0 && strings.Contains(addr[i:], ".") {
		if v4, ok := parseV4(addr[i+1:]); ok {
			addr = addr[:i+1] + v4.String()
		}
	}
	a, err := netip.ParseAddr(addr)
	return a, err == nil && a.Is6()
}

// ipv4 masks a dotted-quad candidate.
func (rd *redactor) ipv4(s string, _ int) (string, bool) {
	a, ok := parseV4(s)
	if !ok {
		return "", false
	}
	return rd.addr(a, "")
}

// ipv6 masks an IPv6 candidate and keeps its zone (an interface name).
func (rd *redactor) ipv6(s string, _ int) (string, bool) {
	a, ok := parseV6(s)
	if !ok {
		return "", false
	}
	_, zone, _ := strings.Cut(s, "%")
	return rd.addr(a, zone)
}

// addr returns the placeholder for an address, or ok=false to keep it.
func (rd *redactor) addr(a netip.Addr, zone string) (string, bool) {
	key := a.Unmap()
	if keep(key) {
		return "", false
	}
	p, ok := rd.ips[key]
	if !ok {
		p = rd.next(addrClass(key) + "-ip")
		rd.ips[key] = p
	}
	if zone != "" {
		p += "%" + zone
	}
	return p, true
}

// keep reports addresses that identify nobody.
func keep(a netip.Addr) bool {
	switch {
	case a.IsLoopback(), a.IsUnspecified(), a.IsMulticast(), publicResolvers[a]:
		return true
	case a.Is4() && a == netip.AddrFrom4([4]byte{255, 255, 255, 255}):
		return true
	case a.Is4() && isNetmask(a):
		return true
	}
	return false
}

// isNetmask reports a dotted-quad netmask such as 255.255.255.0: the
// same digits on every network, and masking it would hide the prefix.
func isNetmask(a netip.Addr) bool {
	b := a.As4()
	if b[0] != 255 {
		return false
	}
	v := uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
	inv := ^v
	return inv&(inv+1) == 0 // ones followed only by zeros
}

// addrClass names the kind of address a placeholder keeps.
func addrClass(a netip.Addr) string {
	switch {
	case a.IsLinkLocalUnicast():
		return "link-local"
	case a.IsPrivate():
		return "private"
	case a.Is4() && cgnat.Contains(a):
		return "cgnat"
	}
	return "public"
}

// localName masks the labels of a name under a local-only domain and keeps
// the suffix: "printer.acme.local" becomes "<name-1>.local".
func (rd *redactor) localName(s string, _ int) (string, bool) {
	lower := strings.ToLower(s)
	for _, suf := range localSuffixes {
		if !strings.HasSuffix(lower, "."+suf) {
			continue
		}
		labels := lower[:len(lower)-len(suf)-1]
		if strings.HasPrefix(labels, "<") {
			return "", false
		}
		p, ok := rd.names[labels]
		if !ok {
			p = rd.next("name")
			rd.names[labels] = p
		}
		return p + s[len(s)-len(suf)-1:], true
	}
	return "", false
}

func cloneLayers(ls []result.Layer) []result.Layer {
	if ls == nil {
		return nil
	}
	return append([]result.Layer(nil), ls...)
}
