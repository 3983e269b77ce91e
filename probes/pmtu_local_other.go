//go:build !linux

package probes

import "net/netip"

// localMTU is the MTU of the interface traffic to addr leaves by, 0 when
// unknown.
func localMTU(addr netip.Addr) int { return localMTUByRoute(addr) }
