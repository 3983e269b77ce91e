//go:build !linux

package probes

import (
	"context"
	"net/netip"
	"time"
)

const haveSweepTCP = false

func sweepBatchSize() int { return sweepBatch }

// sweepTCP is Linux-only (non-blocking socket flags): elsewhere Ports
// dials port by port.
func sweepTCP(ctx context.Context, addr netip.Addr, ports []int, timeout time.Duration, workers int) []PortState {
	return make([]PortState, len(ports))
}
