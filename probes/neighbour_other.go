//go:build !linux

package probes

import (
	"net/netip"
	"time"
)

// neighbourState reads the ARP/NDP table on Linux only; elsewhere the
// gateway check goes without that fallback.
func neighbourState(addr netip.Addr) (state, mac string, confirmed time.Duration) { return "", "", -1 }
