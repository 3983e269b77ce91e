package probes

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"runtime"
	"strings"
	"syscall"

	"golang.org/x/net/icmp"
)

// DetectICMP finds out which ICMP socket this process may open. It opens
// and closes a socket; nothing is sent.
//
// What is allowed differs per OS, and so does what the user can do about
// it, which the denial's reason says (decideICMP):
//   - Linux: a datagram ICMP socket for the groups in
//     net.ipv4.ping_group_range, a raw one with CAP_NET_RAW.
//   - macOS: a datagram ICMP socket for every user; raw for root.
//   - FreeBSD, OpenBSD, NetBSD, DragonFly: no datagram ICMP sockets at
//     all; raw for root only (their ping is setuid root).
//   - Windows: pro-bing pings through a raw socket, which Windows may
//     refuse to a process that is not elevated ("Run as administrator").
func DetectICMP() ICMPPermission {
	s := icmpSockets{GOOS: runtime.GOOS, Root: os.Geteuid() == 0, GID: os.Getgid()}
	if s.GOOS != "windows" {
		// pro-bing cannot use datagram ICMP sockets on Windows.
		s.Dgram = tryICMP("udp4")
	} else {
		s.Dgram = errors.ErrUnsupported
	}
	if s.Dgram != nil {
		s.Raw = tryICMP("ip4:icmp")
	}
	if s.GOOS == "linux" {
		s.PingGroupRange = "unknown"
		if b, err := os.ReadFile("/proc/sys/net/ipv4/ping_group_range"); err == nil {
			s.PingGroupRange = strings.Join(strings.Fields(string(b)), " ")
		}
	}
	return decideICMP(s)
}

func tryICMP(network string) error {
	c, err := icmp.ListenPacket(network, "0.0.0.0")
	if err == nil {
		c.Close()
	}
	return err
}

// icmpSockets is what DetectICMP found: the errors of opening a datagram
// and a raw ICMP socket (nil when it opened), and what explains them.
type icmpSockets struct {
	GOOS       string
	Dgram, Raw error
	Root       bool
	GID        int
	// PingGroupRange is Linux's net.ipv4.ping_group_range ("1 0" when no
	// group may).
	PingGroupRange string
}

// wsaEACCES is Windows' WSAEACCES, the error of a raw socket refused to a
// process that is not elevated.
const wsaEACCES = syscall.Errno(10013)

// decideICMP turns what DetectICMP found into a mode, and when ICMP is
// denied, a reason that says what would allow it on this OS.
func decideICMP(s icmpSockets) ICMPPermission {
	switch {
	case s.Dgram == nil:
		return ICMPPermission{Mode: ICMPUnprivileged}
	case s.Raw == nil:
		return ICMPPermission{Mode: ICMPPrivileged}
	}
	var reason string
	switch s.GOOS {
	case "linux", "android":
		reason = fmt.Sprintf("ping not permitted: net.ipv4.ping_group_range is %q and does not include group %d, and the process lacks CAP_NET_RAW", s.PingGroupRange, s.GID)
		if s.Root {
			reason = fmt.Sprintf("ping not permitted although running as root: the raw ICMP socket was refused (%v), so CAP_NET_RAW is missing (a container or sandbox?), and net.ipv4.ping_group_range is %q", s.Raw, s.PingGroupRange)
		}
	case "darwin", "ios":
		reason = fmt.Sprintf("ping not permitted: macOS lets every user ping through a datagram ICMP socket, but opening one failed (%v); a sandbox or security profile may forbid it", s.Dgram)
	case "freebsd", "openbsd", "netbsd", "dragonfly":
		reason = fmt.Sprintf("ping not permitted: %s has no unprivileged ICMP sockets, only raw ones for root (its own ping is setuid root); run netprobe as root (sudo or doas) to ping", bsdName(s.GOOS))
		if s.Root {
			reason = fmt.Sprintf("ping not permitted although running as root: the raw ICMP socket was refused (%v); a jail without allow.raw_sockets?", s.Raw)
		}
	case "windows":
		var errno syscall.Errno
		if errors.As(s.Raw, &errno) && errno == wsaEACCES || errors.Is(s.Raw, fs.ErrPermission) {
			reason = "ping not permitted: Windows refused the raw ICMP socket netprobe pings with (access denied); run netprobe from a terminal opened with \"Run as administrator\""
		} else {
			reason = fmt.Sprintf("ping not possible: the raw ICMP socket could not be opened (%v); running netprobe as Administrator may help", s.Raw)
		}
	default:
		reason = fmt.Sprintf("ping not permitted: this user may not open ICMP sockets (datagram: %v; raw: %v)", s.Dgram, s.Raw)
	}
	return ICMPPermission{Mode: ICMPDenied, Reason: reason}
}

func bsdName(goos string) string {
	switch goos {
	case "freebsd":
		return "FreeBSD"
	case "openbsd":
		return "OpenBSD"
	case "netbsd":
		return "NetBSD"
	case "dragonfly":
		return "DragonFly BSD"
	}
	return goos
}
