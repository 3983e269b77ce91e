package probes

import (
	"net/netip"
	"strconv"
)

// The Windows text fallback: when the IP Helper API fails, `route print`
// gives the default routes of both families with their metrics, and
// `ipconfig /all` the adapter names, gateways and DNS servers; `netsh
// interface ip show config` (IPv4 only) is the last resort.

// routesFromRoutePrint names the interfaces of route print's default
// routes with ipconfig's adapters: an IPv4 route names its interface by
// local address, an IPv6 route by index, which the interface list turns
// into a description that ipconfig lists under the adapter's name. An
// interface that cannot be named keeps its index, which Windows accepts
// as a zone.
func routesFromRoutePrint(rp routePrint, ads []ipconfigAdapter) []Route {
	var out []Route
	for _, r := range rp.Routes {
		rt := Route{Family: r.Family, Gateway: r.Gateway, Metric: r.Metric}
		if r.Family == 4 {
			rt.Interface = r.IfAddr.String()
			for _, a := range ads {
				if containsAddr(a.Addrs, r.IfAddr) {
					rt.Interface = a.Name
					break
				}
			}
		} else {
			rt.Interface = strconv.Itoa(r.IfIndex)
			if desc := ifaceDesc(rp.Interfaces, r.IfIndex); desc != "" {
				for _, a := range ads {
					if a.Desc == desc {
						rt.Interface = a.Name
						break
					}
				}
			}
		}
		out = append(out, rt)
	}
	return out
}

func ifaceDesc(ifs []routePrintIface, idx int) string {
	for _, it := range ifs {
		if it.Index == idx {
			return it.Desc
		}
	}
	return ""
}

func containsAddr(list []netip.Addr, a netip.Addr) bool {
	for _, x := range list {
		if x.WithZone("") == a.WithZone("") {
			return true
		}
	}
	return false
}

// routesFromIpconfig builds default routes from the gateways of the
// connected adapters in `ipconfig /all` (no metrics: ipconfig shows none).
func routesFromIpconfig(ads []ipconfigAdapter) []Route {
	var out []Route
	for _, a := range ads {
		if a.Disconnected {
			continue
		}
		for _, gw := range a.Gateways {
			if len(out) < maxParsedRoutes {
				out = append(out, Route{Family: routeFamily(gw), Gateway: gw, Interface: a.Name})
			}
		}
	}
	return out
}

// resolversFromIpconfig lists the DNS servers of the connected adapters.
func resolversFromIpconfig(ads []ipconfigAdapter) []Resolver {
	var rs []Resolver
	seen := map[netip.Addr]bool{}
	for _, a := range ads {
		if a.Disconnected {
			continue
		}
		for _, d := range a.DNS {
			if seen[d] || len(rs) >= maxParsedResolvers {
				continue
			}
			seen[d] = true
			rs = append(rs, Resolver{Addr: netip.AddrPortFrom(d, 53), Source: "ipconfig /all (" + a.Name + ")"})
		}
	}
	return rs
}

// routesFromNetsh builds IPv4 default routes from `netsh interface ip
// show config`, with the gateway metric plus the interface metric.
func routesFromNetsh(ifs []netshInterface) []Route {
	var out []Route
	for _, it := range ifs {
		m := max(it.GatewayMetric, 0) + max(it.InterfaceMetric, 0)
		for _, gw := range it.Gateways {
			if len(out) < maxParsedRoutes {
				out = append(out, Route{Family: routeFamily(gw), Gateway: gw, Interface: it.Name, Metric: m})
			}
		}
	}
	return out
}

// resolversFromNetsh lists the DNS servers of `netsh interface ip show
// config`.
func resolversFromNetsh(ifs []netshInterface) []Resolver {
	var rs []Resolver
	seen := map[netip.Addr]bool{}
	for _, it := range ifs {
		for _, d := range it.DNS {
			if seen[d] || len(rs) >= maxParsedResolvers {
				continue
			}
			seen[d] = true
			rs = append(rs, Resolver{Addr: netip.AddrPortFrom(d, 53), Source: "netsh (" + it.Name + ")"})
		}
	}
	return rs
}
