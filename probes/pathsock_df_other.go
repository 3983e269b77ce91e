//go:build !linux && !darwin && !freebsd

package probes

import "syscall"

// setDontFragment is not implemented here: the ICMP path MTU method
// reports itself as not available on this operating system.
func setDontFragment(rc syscall.RawConn, v6 bool) error { return errPathUnsupported }
