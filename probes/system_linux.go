//go:build linux

package probes

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"time"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// On Linux the route table, link kinds and the neighbour table come from
// netlink (vishvananda/netlink): it sees IPv4 and IPv6 default routes with
// their metrics and interfaces, which /proc/net/route and
// jackpal/gateway (IPv4 only, first route only) do not.

func readInterfaces() ([]Interface, error) {
	links, err := netlink.LinkList()
	if err != nil {
		return fallbackInterfaces()
	}
	var out []Interface
	for _, l := range links {
		a := l.Attrs()
		it := Interface{
			Name:      a.Name,
			Index:     a.Index,
			MTU:       a.MTU,
			Kind:      l.Type(),
			AdminUp:   a.Flags&net.FlagUp != 0,
			Running:   a.RawFlags&unix.IFF_RUNNING != 0,
			OperState: a.OperState.String(),
			Loopback:  a.Flags&net.FlagLoopback != 0,
		}
		if it.Kind == "device" {
			it.Kind = "ether"
			if a.EncapType == "loopback" {
				it.Kind = "loopback"
			}
		}
		if len(a.HardwareAddr) > 0 {
			it.MAC = a.HardwareAddr.String()
		}
		addrs, err := netlink.AddrList(l, netlink.FAMILY_ALL)
		if err == nil {
			for _, ad := range addrs {
				if p, ok := prefixOf(ad.IPNet); ok {
					it.Addrs = append(it.Addrs, p)
				}
			}
		}
		out = append(out, it)
	}
	return out, nil
}

func readDefaultRoutes(ctx context.Context) ([]Route, error) {
	var out []Route
	names := map[int]string{}
	for _, fam := range []int{netlink.FAMILY_V4, netlink.FAMILY_V6} {
		routes, err := netlink.RouteListFiltered(fam, &netlink.Route{Table: unix.RT_TABLE_MAIN}, netlink.RT_FILTER_TABLE)
		if err != nil {
			return out, err
		}
		for _, r := range routes {
			if r.Dst != nil {
				if ones, _ := r.Dst.Mask.Size(); ones != 0 {
					continue
				}
			}
			if r.Type == unix.RTN_UNREACHABLE || r.Type == unix.RTN_BLACKHOLE || r.Type == unix.RTN_PROHIBIT {
				continue
			}
			family := 4
			if fam == netlink.FAMILY_V6 {
				family = 6
			}
			add := func(gw net.IP, idx int) {
				rt := Route{Family: family, Metric: r.Priority, Interface: ifName(names, idx)}
				if a, ok := netip.AddrFromSlice(gw); ok {
					rt.Gateway = a.Unmap()
				}
				out = append(out, rt)
			}
			if len(r.MultiPath) > 0 {
				for _, nh := range r.MultiPath {
					add(nh.Gw, nh.LinkIndex)
				}
				continue
			}
			add(r.Gw, r.LinkIndex)
		}
	}
	return out, nil
}

func ifName(cache map[int]string, idx int) string {
	if n, ok := cache[idx]; ok {
		return n
	}
	n := ""
	if l, err := netlink.LinkByIndex(idx); err == nil {
		n = l.Attrs().Name
	}
	cache[idx] = n
	return n
}

func prefixOf(n *net.IPNet) (netip.Prefix, bool) {
	if n == nil {
		return netip.Prefix{}, false
	}
	a, ok := netip.AddrFromSlice(n.IP)
	if !ok {
		return netip.Prefix{}, false
	}
	ones, _ := n.Mask.Size()
	return netip.PrefixFrom(a.Unmap(), ones), true
}

// userHZ is the unit of the neighbour cache's times (sysconf(_SC_CLK_TCK)),
// 100 on every Linux architecture Go supports.
const userHZ = 100

// neighbourState returns the kernel's neighbour (ARP/NDP) state for addr
// ("reachable", "stale", "delay", "probe", "failed", "incomplete",
// "permanent", or "" when there is no entry), its MAC address, and how long
// ago the entry was last confirmed (-1 when unknown).
func neighbourState(addr netip.Addr) (state, mac string, confirmed time.Duration) {
	confirmed = -1
	fam := netlink.FAMILY_V4
	if addr.Is6() {
		fam = netlink.FAMILY_V6
	}
	neighs, err := netlink.NeighList(0, fam)
	if err != nil {
		return "", "", -1
	}
	ip := net.IP(addr.AsSlice())
	for _, n := range neighs {
		if !n.IP.Equal(ip) {
			continue
		}
		if len(n.HardwareAddr) > 0 {
			mac = n.HardwareAddr.String()
		}
		confirmed = time.Duration(n.Confirmed) * time.Second / userHZ
		switch {
		case n.State&netlink.NUD_REACHABLE != 0:
			return "reachable", mac, confirmed
		case n.State&netlink.NUD_STALE != 0:
			return "stale", mac, confirmed
		case n.State&netlink.NUD_DELAY != 0:
			return "delay", mac, confirmed
		case n.State&netlink.NUD_PROBE != 0:
			return "probe", mac, confirmed
		case n.State&netlink.NUD_FAILED != 0:
			return "failed", mac, confirmed
		case n.State&netlink.NUD_INCOMPLETE != 0:
			return "incomplete", mac, confirmed
		case n.State&netlink.NUD_PERMANENT != 0 || n.State&netlink.NUD_NOARP != 0:
			return "permanent", mac, confirmed
		}
		return fmt.Sprintf("state-%#x", n.State), mac, confirmed
	}
	return "", "", -1
}
