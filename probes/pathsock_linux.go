//go:build linux

package probes

import (
	"encoding/binary"
	"errors"
	"net"
	"net/netip"
	"os"
	"syscall"
	"time"

	"golang.org/x/net/icmp"
	"golang.org/x/net/ipv4"
	"golang.org/x/net/ipv6"
	"golang.org/x/sys/unix"
)

// errqPathConn probes through a datagram socket with IP_RECVERR: an
// unprivileged ICMP socket (ping_group_range) or a UDP socket. The kernel
// matches each ICMP error to the socket whose packet it quotes and queues
// it on the socket's error queue with the router's address ("offender")
// and, for "fragmentation needed", the MTU — what tracepath reads.
//
// The socket is non-blocking and waited on with poll(2) rather than Go's
// poller: the runtime treats an EPOLLERR-only wake-up (an error queued, no
// data) as an error of the descriptor itself, which would end every read.
type errqPathConn struct {
	fd  int
	v6  bool
	udp bool
	ttl int
	buf []byte
	oob []byte
}

func openErrqPathConn(v6, udp bool) (pathConn, error) {
	family, proto := unix.AF_INET, unix.IPPROTO_ICMP
	if v6 {
		family, proto = unix.AF_INET6, unix.IPPROTO_ICMPV6
	}
	if udp {
		proto = unix.IPPROTO_UDP
	}
	fd, err := unix.Socket(family, unix.SOCK_DGRAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, proto)
	if err != nil {
		return nil, os.NewSyscallError("socket", err)
	}
	level, opt := unix.SOL_IP, unix.IP_RECVERR
	if v6 {
		level, opt = unix.SOL_IPV6, unix.IPV6_RECVERR
	}
	if err := unix.SetsockoptInt(fd, level, opt, 1); err != nil {
		unix.Close(fd)
		return nil, os.NewSyscallError("setsockopt IP_RECVERR", err)
	}
	return &errqPathConn{fd: fd, v6: v6, udp: udp, ttl: -1, buf: make([]byte, 1<<16), oob: make([]byte, 512)}, nil
}

func (c *errqPathConn) method() string {
	if c.udp {
		return "udp"
	}
	return "icmp"
}

func (c *errqPathConn) Close() error { return unix.Close(c.fd) }

func (c *errqPathConn) dontFragment() error { return setDontFragmentFD(c.fd, c.v6) }

func (c *errqPathConn) send(dst netip.Addr, seq uint16, ttl, size int) error {
	if ttl <= 0 {
		ttl = 64
	}
	if ttl != c.ttl {
		level, opt := unix.SOL_IP, unix.IP_TTL
		if c.v6 {
			level, opt = unix.SOL_IPV6, unix.IPV6_UNICAST_HOPS
		}
		if err := unix.SetsockoptInt(c.fd, level, opt, ttl); err != nil {
			return os.NewSyscallError("setsockopt TTL", err)
		}
		c.ttl = ttl
	}
	data := probePayload(c.v6, size)
	port := 0
	if c.udp {
		if int(seq) > maxUDPProbes {
			return errors.New("too many UDP probes")
		}
		port = udpBasePort + int(seq)
	} else {
		// The kernel sets the identifier (the socket's) and the checksum.
		var typ icmp.Type = ipv4.ICMPTypeEcho
		if c.v6 {
			typ = ipv6.ICMPTypeEchoRequest
		}
		b, err := (&icmp.Message{Type: typ, Body: &icmp.Echo{Seq: int(seq), Data: data}}).Marshal(nil)
		if err != nil {
			return err
		}
		data = b
	}
	var sa unix.Sockaddr
	if c.v6 {
		sa = &unix.SockaddrInet6{Port: port, Addr: dst.As16(), ZoneId: zoneID(dst)}
	} else {
		sa = &unix.SockaddrInet4{Port: port, Addr: dst.As4()}
	}
	for stale := 0; ; {
		err := unix.Sendto(c.fd, data, 0, sa)
		switch {
		case err == nil:
			return nil
		case errors.Is(err, unix.EINTR):
			continue
		case isICMPErrno(err) && !errors.Is(err, unix.EMSGSIZE) && stale < 2:
			// The socket's pending error, left by an earlier probe's ICMP
			// error (its details are on the error queue), is reported by
			// the next send instead of sending: send again.
			stale++
			continue
		}
		return os.NewSyscallError("sendto", err)
	}
}

func zoneID(a netip.Addr) uint32 {
	if a.Zone() == "" {
		return 0
	}
	if ifi, err := net.InterfaceByName(a.Zone()); err == nil {
		return uint32(ifi.Index)
	}
	return 0
}

func (c *errqPathConn) recv(deadline time.Time) (pathEvent, bool, error) {
	for {
		ev, ok, err := c.readQueued()
		if ok || err != nil {
			return ev, ok, err
		}
		wait := time.Until(deadline)
		if wait <= 0 {
			return pathEvent{}, false, nil
		}
		// Round up: poll's unit is the millisecond, and a 0 would spin.
		msec := int((wait + time.Millisecond - 1) / time.Millisecond)
		pfd := []unix.PollFd{{Fd: int32(c.fd), Events: unix.POLLIN}} // POLLERR is always reported
		if _, err := unix.Poll(pfd, msec); err != nil && !errors.Is(err, unix.EINTR) {
			return pathEvent{}, false, os.NewSyscallError("poll", err)
		}
	}
}

// readQueued returns the first event waiting on the error queue or the
// normal queue, without blocking.
func (c *errqPathConn) readQueued() (pathEvent, bool, error) {
	for {
		progress := false
		n, oobn, _, from, err := unix.Recvmsg(c.fd, c.buf, c.oob, unix.MSG_ERRQUEUE|unix.MSG_DONTWAIT)
		if err == nil {
			progress = true
			if ev, ok := c.parseErr(c.buf[:n], c.oob[:oobn], from); ok {
				return ev, true, nil
			}
		}
		n, _, _, from, err = unix.Recvmsg(c.fd, c.buf, nil, unix.MSG_DONTWAIT)
		switch {
		case err == nil:
			progress = true
			if ev, ok := c.parseData(c.buf[:n], from); ok {
				return ev, true, nil
			}
		case errors.Is(err, unix.EAGAIN), errors.Is(err, unix.EINTR):
		case isICMPErrno(err):
			// The socket's pending error (set with each queued ICMP
			// error) is reported once by a normal read; the error queue
			// holds the details.
			progress = true
		default:
			return pathEvent{}, false, os.NewSyscallError("recvmsg", err)
		}
		if !progress {
			return pathEvent{}, false, nil
		}
	}
}

func isICMPErrno(err error) bool {
	var en unix.Errno
	if !errors.As(err, &en) {
		return false
	}
	switch en {
	case unix.EHOSTUNREACH, unix.ENETUNREACH, unix.ECONNREFUSED, unix.EMSGSIZE, unix.EPROTO,
		unix.EHOSTDOWN, unix.ENOPROTOOPT, unix.EACCES, unix.EPERM, unix.ETIMEDOUT, unix.ENONET:
		return true
	}
	return false
}

// parseData reads an echo reply from a datagram ICMP socket (the kernel
// only delivers replies to this socket's own requests). Data arriving on
// a UDP probe socket is some service's answer, not an event.
func (c *errqPathConn) parseData(b []byte, from unix.Sockaddr) (pathEvent, bool) {
	if c.udp {
		return pathEvent{}, false
	}
	proto := 1
	if c.v6 {
		proto = 58
	}
	m, err := icmp.ParseMessage(proto, b)
	if err != nil {
		return pathEvent{}, false
	}
	e, ok := m.Body.(*icmp.Echo)
	if !ok || (m.Type != ipv4.ICMPTypeEchoReply && m.Type != ipv6.ICMPTypeEchoReply) {
		return pathEvent{}, false
	}
	return pathEvent{kind: evReply, seq: uint16(e.Seq), from: sockaddrAddr(from), at: time.Now()}, true
}

// parseErr decodes one message of the error queue: a struct
// sock_extended_err in the control message, followed by the offender's
// address; the data is what was sent (the echo header for ICMP, the
// payload for UDP) and the name is the probe's destination and port.
func (c *errqPathConn) parseErr(data, oob []byte, dst unix.Sockaddr) (pathEvent, bool) {
	cmsgs, err := unix.ParseSocketControlMessage(oob)
	if err != nil {
		return pathEvent{}, false
	}
	for _, m := range cmsgs {
		if !(m.Header.Level == unix.SOL_IP && m.Header.Type == unix.IP_RECVERR) &&
			!(m.Header.Level == unix.SOL_IPV6 && m.Header.Type == unix.IPV6_RECVERR) {
			continue
		}
		if len(m.Data) < 16 {
			continue
		}
		ee := unix.SockExtendedErr{
			Errno:  binary.NativeEndian.Uint32(m.Data[0:4]),
			Origin: m.Data[4],
			Type:   m.Data[5],
			Code:   m.Data[6],
			Info:   binary.NativeEndian.Uint32(m.Data[8:12]),
		}
		ev := pathEvent{at: time.Now(), from: offender(m.Data[16:])}
		switch {
		case ee.Origin == unix.SO_EE_ORIGIN_LOCAL && syscall.Errno(ee.Errno) == syscall.EMSGSIZE:
			ev.kind, ev.mtu, ev.from = evTooBig, int(ee.Info), netip.Addr{}
		case ee.Origin == unix.SO_EE_ORIGIN_ICMP:
			switch {
			case ee.Type == 11 && ee.Code == 0:
				ev.kind = evTimeExceeded
			case ee.Type == 3 && ee.Code == 4:
				ev.kind, ev.mtu = evTooBig, int(ee.Info)
			case ee.Type == 3 && ee.Code == 3 && c.udp:
				ev.kind = evReply
			case ee.Type == 3:
				ev.kind = evUnreachable
			default:
				return pathEvent{}, false
			}
		case ee.Origin == unix.SO_EE_ORIGIN_ICMP6:
			switch {
			case ee.Type == 3 && ee.Code == 0:
				ev.kind = evTimeExceeded
			case ee.Type == 2:
				ev.kind, ev.mtu = evTooBig, int(ee.Info)
			case ee.Type == 1 && ee.Code == 4 && c.udp:
				ev.kind = evReply
			case ee.Type == 1:
				ev.kind = evUnreachable
			default:
				return pathEvent{}, false
			}
		default:
			return pathEvent{}, false
		}
		seq, ok := c.errSeq(data, dst)
		if !ok {
			return pathEvent{}, false
		}
		ev.seq = seq
		return ev, true
	}
	return pathEvent{}, false
}

// errSeq names the probe an error is about: the echo sequence number for
// ICMP, the destination port for UDP.
func (c *errqPathConn) errSeq(data []byte, dst unix.Sockaddr) (uint16, bool) {
	if !c.udp {
		if len(data) < 8 || (data[0] != 8 && data[0] != 128) {
			return 0, false
		}
		return binary.BigEndian.Uint16(data[6:8]), true
	}
	port := 0
	switch sa := dst.(type) {
	case *unix.SockaddrInet4:
		port = sa.Port
	case *unix.SockaddrInet6:
		port = sa.Port
	}
	if port < udpBasePort || port > udpBasePort+maxUDPProbes {
		return 0, false
	}
	return uint16(port - udpBasePort), true
}

// offender decodes the sockaddr after sock_extended_err: the address of
// the router (or host) that sent the ICMP error.
func offender(b []byte) netip.Addr {
	if len(b) < 2 {
		return netip.Addr{}
	}
	switch binary.NativeEndian.Uint16(b[0:2]) {
	case unix.AF_INET:
		if len(b) >= 8 {
			return netip.AddrFrom4([4]byte(b[4:8]))
		}
	case unix.AF_INET6:
		if len(b) >= 24 {
			return netip.AddrFrom16([16]byte(b[8:24])).Unmap()
		}
	}
	return netip.Addr{}
}

func sockaddrAddr(sa unix.Sockaddr) netip.Addr {
	switch a := sa.(type) {
	case *unix.SockaddrInet4:
		return netip.AddrFrom4(a.Addr)
	case *unix.SockaddrInet6:
		return netip.AddrFrom16(a.Addr).Unmap()
	}
	return netip.Addr{}
}

// setDontFragment sets the Don't-Fragment bit on a socket's packets and
// makes the kernel ignore its cached path MTU for them
// (IP_PMTUDISC_PROBE): every size is sent as asked, and one that does not
// fit the local link fails with EMSGSIZE.
func setDontFragment(rc syscall.RawConn, v6 bool) error {
	var serr error
	if err := rc.Control(func(fd uintptr) { serr = setDontFragmentFD(int(fd), v6) }); err != nil {
		return err
	}
	return serr
}

func setDontFragmentFD(fd int, v6 bool) error {
	if !v6 {
		return os.NewSyscallError("setsockopt IP_MTU_DISCOVER",
			unix.SetsockoptInt(fd, unix.SOL_IP, unix.IP_MTU_DISCOVER, unix.IP_PMTUDISC_PROBE))
	}
	if err := unix.SetsockoptInt(fd, unix.SOL_IPV6, unix.IPV6_MTU_DISCOVER, unix.IPV6_PMTUDISC_PROBE); err != nil {
		return os.NewSyscallError("setsockopt IPV6_MTU_DISCOVER", err)
	}
	return os.NewSyscallError("setsockopt IPV6_DONTFRAG", unix.SetsockoptInt(fd, unix.SOL_IPV6, unix.IPV6_DONTFRAG, 1))
}
