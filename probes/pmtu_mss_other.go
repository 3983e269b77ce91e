//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package probes

import "syscall"

// haveTCPMaxSeg: no TCP_MAXSEG here, so the TCP path MTU method reports
// itself as not available.
const haveTCPMaxSeg = false

func setMSS(rc syscall.RawConn, mss int) error { return errPathUnsupported }
