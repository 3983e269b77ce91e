package probes

// The socket layer of the path probes (trace and pmtu): one socket sends
// numbered probes — ICMP echo requests or UDP datagrams, with a chosen TTL
// and a chosen packet size — and reports what came back as events: an
// echo reply, a router's "time exceeded", a "fragmentation needed" /
// "packet too big" with the MTU it names, or another "unreachable".
//
// Two implementations:
//   - rawPathConn (pathsock_raw.go, every OS): a raw ICMP socket, which
//     sees every ICMP message the host receives; errors are matched to
//     probes through the original packet they quote. Needs root /
//     CAP_NET_RAW / Administrator.
//   - errqPathConn (pathsock_linux.go): Linux's unprivileged datagram ICMP
//     socket (ping_group_range) or a plain UDP socket (tracepath's way,
//     needs no permission at all), with IP_RECVERR: the kernel matches
//     ICMP errors to the socket and queues them on its error queue, with
//     the router's address and the MTU.
// Both are used by one goroutine at a time: the probe's own loop sends and
// receives in turn, so nothing outlives the probe and no lock is needed.

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"syscall"
	"time"

	"github.com/netprobe/netprobe/result"
)

// pathEventKind is what came back for a probe.
type pathEventKind uint8

const (
	// evReply: the probe reached its destination: an echo reply, or for a
	// UDP probe the destination's "port unreachable".
	evReply pathEventKind = iota + 1
	// evTimeExceeded: a router on the way discarded the probe (TTL 0).
	evTimeExceeded
	// evTooBig: the probe was larger than a link on the way ("fragmentation
	// needed" / "packet too big"), or than the local link (from is then
	// invalid).
	evTooBig
	// evUnreachable: a router or the destination said there is no way there
	// (network/host unreachable, administratively prohibited, ...).
	evUnreachable
)

// pathEvent is one answer to probe seq.
type pathEvent struct {
	kind pathEventKind
	seq  uint16
	from netip.Addr
	// mtu is the MTU an evTooBig names (0 when the message did not say).
	mtu int
	at  time.Time
}

// pathConn is one probe socket. The destination is given per probe, so the
// trace can also ping the routers it has found.
type pathConn interface {
	// method is "icmp" or "udp": what kind of packet the probes are.
	method() string
	// send sends probe seq to dst. ttl 0 leaves the system's default;
	// size is the whole IP packet in bytes (0: a small probe).
	send(dst netip.Addr, seq uint16, ttl, size int) error
	// recv returns the next answer, waiting at most until deadline (ok is
	// false when none came).
	recv(deadline time.Time) (ev pathEvent, ok bool, err error)
	// dontFragment makes the probes carry the Don't-Fragment bit (IPv6
	// never fragments on the way; here it also stops the sender from
	// fragmenting) and ignore a path MTU the system has cached, so every
	// size is really sent.
	dontFragment() error
	Close() error
}

// udpBasePort is the first destination port of UDP probes (traceroute's):
// probe seq goes to udpBasePort+seq, so the port the error quotes names
// the probe.
const udpBasePort = 33434

// maxUDPProbes bounds seq for UDP probes so ports stay below 65535.
const maxUDPProbes = 65535 - udpBasePort

// Socket kinds, in the order openPathConn tries them.
const (
	sockRaw   = "raw"   // raw ICMP: privileged
	sockDgram = "dgram" // datagram ICMP with the error queue: Linux, unprivileged
	sockUDP   = "udp"   // UDP with the error queue: Linux, no permission needed
)

// errPathUnsupported says this OS cannot run a probe with this socket kind.
var errPathUnsupported = errors.New("not available on this operating system")

// openPathConn opens the first socket kind of kinds that works for dst's
// family. The error is the first kind's, which is the one that matters
// (the later ones are fallbacks).
func openPathConn(dst netip.Addr, kinds []string) (pathConn, error) {
	var first error
	for _, k := range kinds {
		var c pathConn
		var err error
		switch k {
		case sockRaw:
			c, err = openRawPathConn(dst.Is6())
		case sockDgram:
			c, err = openErrqPathConn(dst.Is6(), false)
		case sockUDP:
			c, err = openErrqPathConn(dst.Is6(), true)
		default:
			err = fmt.Errorf("unknown socket kind %q", k)
		}
		if err == nil {
			return c, nil
		}
		if first == nil {
			first = fmt.Errorf("%s socket: %w", k, err)
		}
	}
	if first == nil {
		first = errPathUnsupported
	}
	return nil, first
}

// icmpKinds lists the ICMP sockets a permission allows, best first.
func icmpKinds(perm ICMPPermission) []string {
	switch perm.Mode {
	case ICMPPrivileged:
		return []string{sockRaw, sockDgram}
	case ICMPUnprivileged:
		return []string{sockDgram}
	}
	return nil
}

// probePayload is the data of a probe whose whole IP packet is size bytes
// (IPv4 header 20, IPv6 40, ICMP or UDP header 8); small probes carry a
// fixed 32 bytes. The bytes are a recognisable pattern, not zeros, so a
// link that compresses cannot make large probes look small.
func probePayload(v6 bool, size int) []byte {
	n := 32
	if size > 0 {
		n = size - 28
		if v6 {
			n = size - 48
		}
	}
	if n < 0 {
		n = 0
	}
	b := make([]byte, n)
	const pattern = "netprobe path probe "
	for i := range b {
		b[i] = pattern[i%len(pattern)]
	}
	return b
}

// quotedEchoSeq finds our echo request inside the original datagram an
// ICMP error quotes (IP header + at least 8 bytes of ours) and returns its
// identifier and sequence number.
func quotedEchoSeq(v6 bool, data []byte) (id, seq uint16, ok bool) {
	var icmp []byte
	if !v6 {
		if len(data) < 20 || data[0]>>4 != 4 {
			return 0, 0, false
		}
		ihl := int(data[0]&0x0f) * 4
		if ihl < 20 || data[9] != 1 || len(data) < ihl+8 {
			return 0, 0, false
		}
		icmp = data[ihl:]
		if icmp[0] != 8 { // echo request
			return 0, 0, false
		}
	} else {
		if len(data) < 48 || data[0]>>4 != 6 || data[6] != 58 {
			return 0, 0, false
		}
		icmp = data[40:]
		if icmp[0] != 128 { // echo request
			return 0, 0, false
		}
	}
	return binary.BigEndian.Uint16(icmp[4:6]), binary.BigEndian.Uint16(icmp[6:8]), true
}

// pathSocketReason maps the error of opening or using a probe socket to
// the reason the path was not measured: this computer's permission (or an
// OS without the needed socket), its resources, or else the path itself.
func pathSocketReason(err error) result.Reason {
	switch {
	case errors.Is(err, os.ErrPermission), errors.Is(err, syscall.EPERM), errors.Is(err, syscall.EACCES),
		errors.Is(err, errPathUnsupported), errors.Is(err, syscall.EPROTONOSUPPORT), errors.Is(err, syscall.EAFNOSUPPORT):
		return result.ReasonLocalPermission
	case errors.Is(err, syscall.EMFILE), errors.Is(err, syscall.ENFILE), errors.Is(err, syscall.ENOBUFS), errors.Is(err, syscall.ENOMEM):
		return result.ReasonLocalResources
	}
	return result.ReasonPathNotMeasured
}
