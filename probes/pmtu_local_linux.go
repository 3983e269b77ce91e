//go:build linux

package probes

import (
	"net"
	"net/netip"
	"syscall"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// localMTU is the MTU of the interface the kernel routes addr through
// (`ip route get`), 0 when unknown. It is the link's MTU, not the route
// cache's: a path MTU learned earlier must not hide the sizes to test.
func localMTU(addr netip.Addr) int {
	routes, err := netlink.RouteGet(net.IP(addr.AsSlice()))
	if err == nil && len(routes) > 0 {
		if l, err := netlink.LinkByIndex(routes[0].LinkIndex); err == nil && l.Attrs().MTU > 0 {
			return l.Attrs().MTU
		}
	}
	return localMTUByRoute(addr)
}

// connPathMTU is the path MTU the kernel uses for a connected socket
// (IP_MTU / IPV6_MTU: the route's MTU, or a smaller one learned from a
// "too big"); 0 when unknown.
func connPathMTU(c net.Conn) int {
	sc, ok := c.(syscall.Conn)
	if !ok {
		return 0
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return 0
	}
	mtu := 0
	_ = rc.Control(func(fd uintptr) {
		v, err := unix.GetsockoptInt(int(fd), unix.IPPROTO_IP, unix.IP_MTU)
		if err != nil {
			v, err = unix.GetsockoptInt(int(fd), unix.IPPROTO_IPV6, unix.IPV6_MTU)
		}
		if err == nil {
			mtu = v
		}
	})
	return mtu
}
