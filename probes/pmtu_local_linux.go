//go:build linux

package probes

import (
	"net"
	"net/netip"

	"github.com/vishvananda/netlink"
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
