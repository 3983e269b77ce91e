//go:build darwin || freebsd

package probes

import (
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// setDontFragment sets the Don't-Fragment bit on a socket's packets
// (IP_DONTFRAG / IPV6_DONTFRAG). Not exercised by netprobe's tests, which
// run on Linux.
func setDontFragment(rc syscall.RawConn, v6 bool) error {
	var serr error
	err := rc.Control(func(fd uintptr) {
		if v6 {
			serr = os.NewSyscallError("setsockopt IPV6_DONTFRAG", unix.SetsockoptInt(int(fd), unix.IPPROTO_IPV6, unix.IPV6_DONTFRAG, 1))
			return
		}
		serr = os.NewSyscallError("setsockopt IP_DONTFRAG", unix.SetsockoptInt(int(fd), unix.IPPROTO_IP, unix.IP_DONTFRAG, 1))
	})
	if err != nil {
		return err
	}
	return serr
}
