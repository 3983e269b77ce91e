package probes

import "net/netip"

// On macOS and the BSDs the live reader takes the route table from a
// routing socket (sysctl NET_RT_DUMP, parsed by golang.org/x/net/route):
// no subprocess, no text, every family. system_bsd.go copies each route
// message into a ribRoute; which of them are default routes is decided
// here, built and tested on every OS. `netstat -rn` stays as the fallback.

// ribRoute mirrors one RTM_GET message of a routing socket dump.
type ribRoute struct {
	Dst netip.Addr
	// Mask is the netmask's bytes; nil when the message had none.
	Mask []byte
	// Gateway is the next hop's address; invalid when the gateway was a
	// link-layer address (a route through an interface).
	Gateway netip.Addr
	IfIndex int
	// The flags that matter, decoded per OS by the caller: RTF_UP,
	// RTF_GATEWAY, RTF_HOST, RTF_REJECT or RTF_BLACKHOLE, and macOS's
	// RTF_IFSCOPE.
	Up, HasGateway, Host, Reject, IfScope bool
}

// routesFromRIB picks the default routes from a routing socket dump: a
// destination of 0.0.0.0 or :: with a zero (or no) netmask, not a host
// route, up, not rejecting, and not scoped to one interface (macOS keeps a
// scoped default per interface besides the one in use; `netstat -rn` marks
// them I). ifName names an interface index; a link-local gateway without
// a zone gets its interface as zone.
func routesFromRIB(rs []ribRoute, ifName func(int) string) []Route {
	var out []Route
	for _, r := range rs {
		if !r.Dst.IsValid() || !r.Dst.IsUnspecified() || r.Host || !r.Up || r.Reject || r.IfScope || !zeroMask(r.Mask) {
			continue
		}
		if len(out) >= maxParsedRoutes {
			break
		}
		fam := routeFamily(r.Dst.Unmap())
		rt := Route{Family: fam, Interface: ifName(r.IfIndex)}
		if gw := r.Gateway.Unmap(); r.HasGateway && gw.IsValid() && routeFamily(gw) == fam && !noNextHop(gw) {
			if gw.Is6() && gw.IsLinkLocalUnicast() && gw.Zone() == "" && rt.Interface != "" {
				gw = gw.WithZone(rt.Interface)
			}
			rt.Gateway = gw
		}
		out = append(out, rt)
	}
	return out
}

func zeroMask(m []byte) bool {
	for _, b := range m {
		if b != 0 {
			return false
		}
	}
	return true
}
