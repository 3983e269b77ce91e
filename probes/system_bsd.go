//go:build darwin || dragonfly || freebsd || netbsd || openbsd

package probes

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"runtime"
	"syscall"

	"golang.org/x/net/route"
)

// macOS and the BSDs: interfaces from the standard library (itself a
// routing socket dump), default routes of both families from a routing
// socket, `netstat -rn` when that fails.

func readInterfaces() ([]Interface, error) { return fallbackInterfaces() }

func readDefaultRoutes(ctx context.Context) ([]Route, error) {
	rs, err := ribDefaultRoutes()
	if err == nil {
		return rs, nil
	}
	out, nerr := runCommand(ctx, maxCommandOutput, "netstat", "-rn")
	if nerr != nil {
		return nil, fmt.Errorf("routing socket: %v; %w", err, nerr)
	}
	return parseNetstatRoutes(out), nil
}

// rtfIfScope is macOS's RTF_IFSCOPE; the other BSDs use the bit for
// something else.
const rtfIfScope = 0x1000000

func ribDefaultRoutes() ([]Route, error) {
	b, err := route.FetchRIB(syscall.AF_UNSPEC, route.RIBTypeRoute, 0)
	if err != nil {
		return nil, err
	}
	msgs, err := route.ParseRIB(route.RIBTypeRoute, b)
	if err != nil {
		return nil, err
	}
	var rs []ribRoute
	for _, m := range msgs {
		rm, ok := m.(*route.RouteMessage)
		if !ok || rm.Err != nil {
			continue
		}
		r := ribRoute{
			IfIndex:    rm.Index,
			Up:         rm.Flags&syscall.RTF_UP != 0,
			HasGateway: rm.Flags&syscall.RTF_GATEWAY != 0,
			Host:       rm.Flags&syscall.RTF_HOST != 0,
			Reject:     rm.Flags&(syscall.RTF_REJECT|syscall.RTF_BLACKHOLE) != 0,
			IfScope:    (runtime.GOOS == "darwin" || runtime.GOOS == "ios") && rm.Flags&rtfIfScope != 0,
		}
		r.Dst, _ = ribAddr(rm.Addrs, syscall.RTAX_DST)
		r.Gateway, _ = ribAddr(rm.Addrs, syscall.RTAX_GATEWAY)
		if mask, ok := ribAddr(rm.Addrs, syscall.RTAX_NETMASK); ok {
			r.Mask = mask.AsSlice()
		}
		rs = append(rs, r)
	}
	return routesFromRIB(rs, ifNameByIndex), nil
}

// ribAddr returns the address at index i of a route message, with its
// zone when the kernel embedded one.
func ribAddr(addrs []route.Addr, i int) (netip.Addr, bool) {
	if i >= len(addrs) {
		return netip.Addr{}, false
	}
	switch a := addrs[i].(type) {
	case *route.Inet4Addr:
		return netip.AddrFrom4(a.IP), true
	case *route.Inet6Addr:
		ip := netip.AddrFrom16(a.IP)
		if a.ZoneID != 0 {
			if n := ifNameByIndex(a.ZoneID); n != "" {
				ip = ip.WithZone(n)
			}
		}
		return ip, true
	}
	return netip.Addr{}, false
}

func ifNameByIndex(i int) string {
	if i <= 0 {
		return ""
	}
	if it, err := net.InterfaceByIndex(i); err == nil {
		return it.Name
	}
	return ""
}
