package probes

import (
	"net/netip"
	"strconv"
	"strings"

	"github.com/netprobe/netprobe/internal/sanitize"
)

// routePrint is what Windows' `route print` shows that netprobe needs:
// the interface list and the active default routes of both families.
type routePrint struct {
	Interfaces []routePrintIface
	Routes     []routePrintRoute
}

// routePrintIface is one line of the interface list:
// " 10...08 00 27 a2 e9 51 ......Intel(R) PRO/1000 MT Desktop Adapter".
type routePrintIface struct {
	Index int
	MAC   string
	Desc  string
}

// routePrintRoute is one active default route.
type routePrintRoute struct {
	Family int
	// Gateway is invalid for an on-link default route (a VPN or a PPP
	// link routes without a next hop).
	Gateway netip.Addr
	// IfAddr is the local address of an IPv4 route's interface: the IPv4
	// table names interfaces by address.
	IfAddr netip.Addr
	// IfIndex is the interface index of an IPv6 route.
	IfIndex int
	// Metric is the effective metric (route plus interface metric).
	Metric int
}

// parseRoutePrint reads `route print` output. Its words are localised
// ("Active Routes:", "Itinéraires actifs :", "Aktive Routen:"; "On-link",
// "Auf Verbindung"), so it goes by structure instead: the tables start at
// a line beginning "IPv4"/"IPv6", their parts are separated by lines of
// "=", the active routes are the first part after the title and the
// persistent ones (configured, maybe not in effect) come later. A default
// route is the row for 0.0.0.0 mask 0.0.0.0 or ::/0; a gateway column that
// is not an address means on-link.
func parseRoutePrint(b []byte) routePrint {
	var rp routePrint
	table, part := 0, 0
	var pending *routePrintRoute // an IPv6 row whose gateway wrapped onto the next line
	add := func(r routePrintRoute) {
		if len(rp.Routes) < maxParsedRoutes {
			rp.Routes = append(rp.Routes, r)
		}
	}
	for line := range textLines(b) {
		t := strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(t, "==="):
			if table != 0 {
				part++
			}
			if pending != nil {
				add(*pending)
				pending = nil
			}
			continue
		case strings.HasPrefix(t, "IPv4"):
			table, part = 4, 0
			continue
		case strings.HasPrefix(t, "IPv6"):
			table, part = 6, 0
			continue
		}
		f := strings.Fields(t)
		switch {
		case table == 0:
			if it, ok := parseRoutePrintIface(t); ok && len(rp.Interfaces) < maxParsedAdapters {
				rp.Interfaces = append(rp.Interfaces, it)
			}
		case part != 1:
			// The title part or the persistent routes.
		case table == 4:
			if len(f) < 5 || f[0] != "0.0.0.0" || f[1] != "0.0.0.0" {
				continue
			}
			metric, err := strconv.Atoi(f[len(f)-1])
			ifAddr, ok := parseAddrValue(f[len(f)-2])
			if err != nil || !ok || !ifAddr.Is4() {
				continue
			}
			r := routePrintRoute{Family: 4, IfAddr: ifAddr, Metric: metric}
			if gw, ok := parseAddrValue(f[2]); ok && gw.Is4() && len(f) == 5 {
				r.Gateway = gw
			}
			add(r)
		case table == 6:
			if pending != nil {
				if gw, ok := parseAddrValue(t); ok && gw.Is6() {
					pending.Gateway = gw
				}
				add(*pending)
				pending = nil
				continue
			}
			if len(f) < 3 || f[2] != "::/0" {
				continue
			}
			idx, err1 := strconv.Atoi(f[0])
			metric, err2 := strconv.Atoi(f[1])
			if err1 != nil || err2 != nil || idx < 0 {
				continue
			}
			r := routePrintRoute{Family: 6, IfIndex: idx, Metric: metric}
			if len(f) == 3 {
				pending = &r
				continue
			}
			if gw, ok := parseAddrValue(f[3]); ok && gw.Is6() {
				r.Gateway = gw
			}
			add(r)
		}
	}
	if pending != nil {
		add(*pending)
	}
	return rp
}

// parseRoutePrintIface reads one interface list line. Old and new Windows
// space it differently ("8 ...00 12 3f a7 17 ba ...... Intel",
// "10...08 00 27 a2 e9 51 ......Intel", "1...........Software Loopback").
func parseRoutePrintIface(t string) (routePrintIface, bool) {
	i := 0
	for i < len(t) && i < 10 && t[i] >= '0' && t[i] <= '9' {
		i++
	}
	if i == 0 {
		return routePrintIface{}, false
	}
	idx, err := strconv.Atoi(t[:i])
	rest := strings.TrimLeft(t[i:], " ")
	if err != nil || !strings.HasPrefix(rest, "...") {
		return routePrintIface{}, false
	}
	rest = strings.TrimLeft(rest, ". ")
	it := routePrintIface{Index: idx, Desc: sanitize.String(rest, maxNameLen)}
	if j := strings.Index(rest, "..."); j >= 0 {
		if mac, ok := hexPairs(rest[:j]); ok {
			it.MAC = mac
			it.Desc = sanitize.String(strings.TrimLeft(rest[j:], ". "), maxNameLen)
		}
		return it, true
	}
	// Tunnel adapters have an 8-byte identifier and no dots before their
	// description: "5...00 00 00 00 00 00 00 e0 Microsoft ISATAP Adapter".
	f := strings.Fields(rest)
	n := 0
	for n < len(f) && len(f[n]) == 2 && isHex(f[n][0]) && isHex(f[n][1]) {
		n++
	}
	if n >= 6 && n < len(f) {
		it.MAC, _ = hexPairs(strings.Join(f[:n], " "))
		it.Desc = sanitize.String(strings.Join(f[n:], " "), maxNameLen)
	}
	return it, true
}

// hexPairs reads "08 00 27 a2 e9 51" (or with dashes) as a MAC address
// "08:00:27:a2:e9:51"; other lengths (the 8-byte tunnel identifiers) are
// kept in the same colon form.
func hexPairs(s string) (string, bool) {
	f := strings.FieldsFunc(strings.TrimSpace(s), func(r rune) bool { return r == ' ' || r == '-' || r == ':' })
	if len(f) < 6 || len(f) > 20 {
		return "", false
	}
	for _, p := range f {
		if len(p) != 2 || !isHex(p[0]) || !isHex(p[1]) {
			return "", false
		}
	}
	return strings.ToLower(strings.Join(f, ":")), true
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}
