//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package probes

import (
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// haveTCPMaxSeg: this OS lets a connection clamp its MSS before it
// connects, which is what the TCP path MTU method needs.
const haveTCPMaxSeg = true

// setMSS clamps the MSS the connection announces in its SYN (and uses
// itself), so the server sends segments that make packets of the size
// under test. Verified on Linux; the BSDs and macOS have the option, but
// netprobe's tests do not run there.
func setMSS(rc syscall.RawConn, mss int) error {
	var serr error
	if err := rc.Control(func(fd uintptr) {
		serr = os.NewSyscallError("setsockopt TCP_MAXSEG", unix.SetsockoptInt(int(fd), unix.IPPROTO_TCP, unix.TCP_MAXSEG, mss))
	}); err != nil {
		return err
	}
	return serr
}
