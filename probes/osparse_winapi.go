package probes

import (
	"net/netip"
	"strconv"
)

// On Windows the live reader asks the IP Helper API: GetAdaptersAddresses
// (adapters, their addresses, gateways and DNS servers, in one call) and
// GetIpForwardTable2 (every route of both families with its metric). The
// API has no localised words and no subprocess, so it is preferred over
// `route print` and `ipconfig /all`, whose parsers stay as the fallback.
// system_windows.go only copies the API's records into the plain structs
// below; everything that decides is here, built and tested on every OS.

// winAdapter mirrors the fields of one IP_ADAPTER_ADDRESSES record.
type winAdapter struct {
	Index, Index6 int    // IfIndex, Ipv6IfIndex
	Name, Desc    string // FriendlyName, Description
	MAC           string
	MTU           int
	IfType        int
	OperStatus    int // IF_OPER_STATUS: 1 up, 2 down, ... 7 lower layer down
	Addrs         []netip.Prefix
	Gateways      []netip.Addr
	DNS           []netip.Addr
	// Metric4 and Metric6 are the interface metrics, added to a route's
	// own metric for its effective metric.
	Metric4, Metric6 int
}

// winRoute mirrors one MIB_IPFORWARD_ROW2.
type winRoute struct {
	Dst     netip.Prefix
	NextHop netip.Addr
	IfIndex int
	Metric  int
}

// IF_OPER_STATUS values and interface types (ipifcons.h) that matter here.
const (
	winOperUp             = 1
	winOperDown           = 2
	winOperTesting        = 3
	winOperUnknown        = 4
	winOperDormant        = 5
	winOperNotPresent     = 6
	winOperLowerLayerDown = 7

	winIfEthernet     = 6
	winIfPPP          = 23
	winIfLoopback     = 24
	winIfPropVirtual  = 53
	winIfIEEE80211    = 71
	winIfTunnel       = 131
	winIfIEEE1394     = 144
	winIfWWANPP       = 243
	winIfWWANPP2      = 244
	winIfIEEE80216WMX = 237
)

// winOperStates names IF_OPER_STATUS values the way RFC 2863 and the Linux
// reader do.
var winOperStates = map[int]string{
	winOperUp: "up", winOperDown: "down", winOperTesting: "testing", winOperUnknown: "unknown",
	winOperDormant: "dormant", winOperNotPresent: "notpresent", winOperLowerLayerDown: "lowerlayerdown",
}

// winKinds names interface types the way the Linux reader names kinds.
var winKinds = map[int]string{
	winIfEthernet: "ether", winIfIEEE80211: "wireless", winIfLoopback: "loopback", winIfTunnel: "tunnel",
	winIfPPP: "ppp", winIfPropVirtual: "virtual", winIfWWANPP: "wwan", winIfWWANPP2: "wwan",
	winIfIEEE1394: "firewire", winIfIEEE80216WMX: "wimax",
}

// interfacesFromAdapters turns adapter records into Interfaces.
// GetAdaptersAddresses lists only adapters that are enabled, so every one
// is administratively up; its operational status says whether it has a
// link. (The standard library's net.Interfaces folds both into one flag,
// which reported an unplugged cable as "switched off".)
func interfacesFromAdapters(ads []winAdapter) []Interface {
	out := make([]Interface, 0, len(ads))
	for _, a := range ads {
		idx := a.Index
		if idx == 0 {
			idx = a.Index6
		}
		out = append(out, Interface{
			Name:      a.Name,
			Index:     idx,
			MAC:       a.MAC,
			MTU:       a.MTU,
			Kind:      winKinds[a.IfType],
			AdminUp:   true,
			Running:   a.OperStatus == winOperUp,
			OperState: winOperStates[a.OperStatus],
			Loopback:  a.IfType == winIfLoopback,
			Addrs:     a.Addrs,
		})
	}
	return out
}

// adapterByIndex finds the adapter with IPv4 or IPv6 interface index idx.
func adapterByIndex(ads []winAdapter, idx int) (winAdapter, bool) {
	for _, a := range ads {
		if idx != 0 && (a.Index == idx || a.Index6 == idx) {
			return a, true
		}
	}
	return winAdapter{}, false
}

// routesFromWinTable picks the default routes (0.0.0.0/0, ::/0) of the
// route table. The effective metric is the route's plus its interface's,
// as `route print` shows it and as Windows chooses. A route through an
// adapter that is not up is not in effect and is left out; a next hop of
// 0.0.0.0 or :: is an on-link route (a VPN), kept without a gateway.
func routesFromWinTable(routes []winRoute, ads []winAdapter) []Route {
	var out []Route
	for _, r := range routes {
		if !r.Dst.IsValid() || r.Dst.Bits() != 0 || len(out) >= maxParsedRoutes {
			continue
		}
		fam := routeFamily(r.Dst.Addr())
		rt := Route{Family: fam, Metric: r.Metric, Interface: strconv.Itoa(r.IfIndex)}
		if a, ok := adapterByIndex(ads, r.IfIndex); ok {
			if a.OperStatus != winOperUp || a.IfType == winIfLoopback {
				continue
			}
			rt.Interface = a.Name
			if fam == 4 {
				rt.Metric += a.Metric4
			} else {
				rt.Metric += a.Metric6
			}
		}
		if gw := r.NextHop; gw.IsValid() && !gw.IsUnspecified() && routeFamily(gw.Unmap()) == fam {
			rt.Gateway = gw.Unmap()
		}
		out = append(out, rt)
	}
	return out
}

// routesFromAdapters builds default routes from the adapters' gateway
// lists, for when the route table cannot be read: one route per gateway
// of an adapter that is up, with the interface metric.
func routesFromAdapters(ads []winAdapter) []Route {
	var out []Route
	for _, a := range ads {
		if a.OperStatus != winOperUp {
			continue
		}
		for _, gw := range a.Gateways {
			if !gw.IsValid() || gw.IsUnspecified() || len(out) >= maxParsedRoutes {
				continue
			}
			m := a.Metric4
			if gw.Is6() {
				m = a.Metric6
			}
			out = append(out, Route{Family: routeFamily(gw), Gateway: gw, Interface: a.Name, Metric: m})
		}
	}
	return out
}

// resolversFromAdapters lists the DNS servers of the adapters that are up,
// without duplicates and without Windows' fec0:0:0:ffff::1-3 placeholders;
// a link-local server gets its adapter's IPv6 index as zone.
func resolversFromAdapters(ads []winAdapter) []Resolver {
	var rs []Resolver
	seen := map[netip.Addr]bool{}
	for _, a := range ads {
		if a.OperStatus != winOperUp {
			continue
		}
		for _, d := range a.DNS {
			d = d.Unmap()
			if d.Is6() && d.IsLinkLocalUnicast() && d.Zone() == "" && a.Index6 != 0 {
				// The API gives a link-local server without its zone;
				// without one it cannot be reached.
				d = d.WithZone(strconv.Itoa(a.Index6))
			}
			if !d.IsValid() || d.IsUnspecified() || windowsPlaceholderDNS(d) || seen[d] || len(rs) >= maxParsedResolvers {
				continue
			}
			seen[d] = true
			rs = append(rs, Resolver{Addr: netip.AddrPortFrom(d, 53), Source: "adapter " + a.Name})
		}
	}
	return rs
}
