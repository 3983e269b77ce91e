package probes

import (
	"net/netip"
	"strings"

	"github.com/netprobe/netprobe/internal/sanitize"
)

// parseNetstatRoutes reads the default routes of `netstat -rn` as macOS,
// FreeBSD, NetBSD, OpenBSD, DragonFly and Solaris/illumos print it.
//
// The tables come in sections ("Internet:" / "Internet6:" on the BSDs and
// macOS, "Routing Table: IPv4" / "Routing Table: IPv6" on Solaris), each
// with a header row naming its columns. The columns differ per system
// (macOS "Destination Gateway Flags Netif Expire", OpenBSD "... Refs Use
// Mtu Prio Iface", NetBSD "... Mtu Interface", Solaris "... Ref Use
// Interface"), so the interface and flag columns are found by their header
// names; a trailing column that is empty (Expire) shifts nothing before it.
//
// A row counts when its destination is "default" (or 0.0.0.0/0, ::/0). It
// is skipped when it is rejecting (R, B) or interface-scoped (macOS's I: a
// default route only for traffic bound to that interface, as every utun
// helper and every second network interface has). Its gateway is the
// next hop when the G flag is set and the column holds an address; a row
// without G, or with "link#14" or a MAC there, is a route through an
// interface without a next hop (a VPN's full tunnel): kept, without a
// gateway.
func parseNetstatRoutes(b []byte) []Route {
	var out []Route
	family := 0
	ifCol, flagCol := -1, -1
	for line := range textLines(b) {
		t := strings.TrimSpace(line)
		switch {
		case t == "Internet:" || strings.HasPrefix(t, "Routing Table: IPv4"):
			family, ifCol, flagCol = 4, -1, -1
			continue
		case t == "Internet6:" || strings.HasPrefix(t, "Routing Table: IPv6"):
			family, ifCol, flagCol = 6, -1, -1
			continue
		case family == 0:
			continue
		}
		f := strings.Fields(t)
		if len(f) == 0 {
			continue
		}
		if f[0] == "Destination" || strings.HasPrefix(f[0], "Destination/") {
			ifCol, flagCol = -1, -1
			for i, h := range f {
				switch h {
				case "Netif", "Iface", "Interface", "If":
					ifCol = i
				case "Flags":
					flagCol = i
				}
			}
			continue
		}
		if ifCol < 0 || flagCol < 0 || len(f) <= ifCol || len(f) <= flagCol || len(f) < 2 {
			continue
		}
		if !isDefaultDest(f[0], family) {
			continue
		}
		flags := f[flagCol]
		if strings.ContainsAny(flags, "RBI") {
			continue
		}
		r := Route{Family: family, Interface: sanitize.String(f[ifCol], maxNameLen)}
		if gw, ok := parseAddrValue(f[1]); ok && strings.Contains(flags, "G") && routeFamily(gw) == family && !noNextHop(gw) {
			r.Gateway = gw
		}
		if len(out) < maxParsedRoutes {
			out = append(out, r)
		}
	}
	return out
}

// isDefaultDest reports a default route's destination column.
func isDefaultDest(d string, family int) bool {
	switch d {
	case "default":
		return true
	case "0.0.0.0/0", "0.0.0.0", "0/0":
		return family == 4
	case "::/0", "::":
		return family == 6
	}
	return false
}

// noNextHop reports gateways that name no router: an unspecified address,
// or the bare link-local prefix ("fe80::%utun3") macOS shows for routes
// through point-to-point tunnels.
func noNextHop(a netip.Addr) bool {
	return a.IsUnspecified() || a.WithZone("") == linkLocalPrefixAddr
}

var linkLocalPrefixAddr = netip.MustParseAddr("fe80::")
