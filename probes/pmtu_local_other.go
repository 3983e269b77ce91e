//go:build !linux

package probes

import (
	"net"
	"net/netip"
)

// localMTU is the MTU of the interface traffic to addr leaves by, 0 when
// unknown.
func localMTU(addr netip.Addr) int { return localMTUByRoute(addr) }

// connPathMTU is not known here: the TCP method cannot tell when the
// system announced a smaller MSS than the one asked.
func connPathMTU(net.Conn) int { return 0 }
