package probes

import (
	"bytes"
	"iter"
	"net/netip"
	"strings"
)

// The osparse_*.go files parse the text the network tools of macOS,
// Windows and the BSDs print. They are built on every OS, so Linux CI runs
// their tests on the captured samples in testdata/os/; the per-OS files
// only run the tool (runCommand) and call them.
//
// Every parser takes bytes that may be anything: truncated, localised,
// CRLF, in a legacy code page, or hostile. None may panic, loop, or return
// more than its cap.

const (
	// maxParsedRoutes caps the default routes a parser returns. A real
	// machine has a handful; a hostile table could list millions.
	maxParsedRoutes = 64
	// maxParsedResolvers caps the DNS servers a parser returns. Resolver
	// libraries use 3; VPN clients add a few.
	maxParsedResolvers = 32
	// maxParsedAdapters caps the adapters or interfaces a parser returns.
	maxParsedAdapters = 256
	// maxParsedAddrs caps the addresses kept per adapter.
	maxParsedAddrs = 64
)

// textLines yields the lines of b without their line ending (LF or CRLF)
// and without trailing blanks. Unlike bufio.Scanner it has no line length
// limit that silently ends the input early; callers bound b itself.
func textLines(b []byte) iter.Seq[string] {
	return func(yield func(string) bool) {
		for ln := range bytes.Lines(b) {
			if !yield(strings.TrimRight(string(ln), " \t\r\n\x00")) {
				return
			}
		}
	}
}

// parseAddrValue reads an address as the tools print it: possibly with a
// zone ("fe80::1%12", "fe80::1%en0") and a parenthesised remark after it
// ("192.0.2.7(Preferred)", "2001:db8::7(Bevorzugt)"). IPv4-mapped
// addresses are unmapped.
func parseAddrValue(s string) (netip.Addr, bool) {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '('); i >= 0 {
		s = strings.TrimSpace(s[:i])
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Addr{}, false
	}
	if a.Is4In6() {
		a = a.Unmap()
	}
	return a, true
}

// windowsPlaceholderDNS reports the fec0:0:0:ffff::1-3 site-local
// addresses Windows lists as DNS servers on adapters that have none
// configured for IPv6: nothing answers there.
func windowsPlaceholderDNS(a netip.Addr) bool {
	b := a.As16()
	return a.Is6() && b[0] == 0xfe && b[1]&0xc0 == 0xc0
}

// labelKey reduces a label as printed by a localised tool to lower-case
// ASCII letters and digits: "Default Gateway . . ." -> "defaultgateway",
// "DNS-Server" -> "dnsserver". Bytes outside ASCII are dropped, so a label
// reads the same whether the console printed it in UTF-8 or in an OEM code
// page ("Passerelle par défaut" -> "passerellepardfaut" either way).
func labelKey(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
			b.WriteByte(c)
		case c >= 'A' && c <= 'Z':
			b.WriteByte(c + 'a' - 'A')
		}
	}
	return b.String()
}

// containsAny reports whether s contains any of subs.
func containsAny(s string, subs ...string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

// addUnique appends a to list unless it is there or the list is full.
func addUnique(list []netip.Addr, a netip.Addr, limit int) []netip.Addr {
	if len(list) >= limit {
		return list
	}
	for _, x := range list {
		if x == a {
			return list
		}
	}
	return append(list, a)
}

// routeFamily is 4 or 6 for a gateway address.
func routeFamily(a netip.Addr) int {
	if a.Is4() {
		return 4
	}
	return 6
}

// maxNameLen bounds an interface or domain name read from a tool's output
// (Windows allows 256 characters; real names are short, a tunnel's with a
// GUID about 70), and the text may come from a VPN or DHCP server.
const maxNameLen = 128
