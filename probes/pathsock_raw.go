package probes

import (
	"crypto/rand"
	"encoding/binary"
	"errors"
	"net"
	"net/netip"
	"time"

	"golang.org/x/net/icmp"
	"golang.org/x/net/ipv4"
	"golang.org/x/net/ipv6"
)

// rawPathConn probes with a raw ICMP socket. It receives every ICMP
// message that reaches this host, so it keeps only echo replies carrying
// its own identifier and errors quoting one of its own echo requests.
type rawPathConn struct {
	c   *net.IPConn
	p4  *ipv4.PacketConn
	p6  *ipv6.PacketConn
	v6  bool
	id  uint16
	ttl int // TTL last set on the socket; -1 before the first send
	buf []byte
}

func openRawPathConn(v6 bool) (*rawPathConn, error) {
	network, laddr := "ip4:icmp", "0.0.0.0"
	if v6 {
		network, laddr = "ip6:ipv6-icmp", "::"
	}
	pc, err := net.ListenPacket(network, laddr)
	if err != nil {
		return nil, err
	}
	var idb [2]byte
	_, _ = rand.Read(idb[:])
	r := &rawPathConn{c: pc.(*net.IPConn), v6: v6, id: binary.BigEndian.Uint16(idb[:]), ttl: -1, buf: make([]byte, 1<<16)}
	if v6 {
		r.p6 = ipv6.NewPacketConn(r.c)
	} else {
		r.p4 = ipv4.NewPacketConn(r.c)
	}
	return r, nil
}

func (r *rawPathConn) method() string { return "icmp" }

func (r *rawPathConn) Close() error { return r.c.Close() }

func (r *rawPathConn) dontFragment() error {
	rc, err := r.c.SyscallConn()
	if err != nil {
		return err
	}
	return setDontFragment(rc, r.v6)
}

func (r *rawPathConn) send(dst netip.Addr, seq uint16, ttl, size int) error {
	if ttl <= 0 {
		ttl = 64
	}
	if ttl != r.ttl {
		var err error
		if r.v6 {
			err = r.p6.SetHopLimit(ttl)
		} else {
			err = r.p4.SetTTL(ttl)
		}
		if err != nil {
			return err
		}
		r.ttl = ttl
	}
	var typ icmp.Type = ipv4.ICMPTypeEcho
	if r.v6 {
		typ = ipv6.ICMPTypeEchoRequest
	}
	m := icmp.Message{Type: typ, Body: &icmp.Echo{ID: int(r.id), Seq: int(seq), Data: probePayload(r.v6, size)}}
	// IPv4: Marshal computes the checksum. IPv6: the kernel does (it
	// needs the source address), as RFC 3542 requires for raw ICMPv6.
	b, err := m.Marshal(nil)
	if err != nil {
		return err
	}
	_, err = r.c.WriteTo(b, &net.IPAddr{IP: net.IP(dst.AsSlice()), Zone: dst.Zone()})
	return err
}

func (r *rawPathConn) recv(deadline time.Time) (pathEvent, bool, error) {
	for {
		if err := r.c.SetReadDeadline(deadline); err != nil {
			return pathEvent{}, false, err
		}
		n, from, err := r.c.ReadFrom(r.buf)
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				return pathEvent{}, false, nil
			}
			return pathEvent{}, false, err
		}
		ip, _ := from.(*net.IPAddr)
		if ip == nil {
			continue
		}
		src, _ := netip.AddrFromSlice(ip.IP)
		if ev, ok := r.parse(r.buf[:n], src.Unmap()); ok {
			ev.at = time.Now()
			return ev, true, nil
		}
	}
}

// parse turns one received ICMP message into an event, if it is about one
// of this socket's probes.
func (r *rawPathConn) parse(b []byte, from netip.Addr) (pathEvent, bool) {
	proto := 1
	if r.v6 {
		proto = 58
	}
	m, err := icmp.ParseMessage(proto, b)
	if err != nil {
		return pathEvent{}, false
	}
	ev := pathEvent{from: from}
	var quoted []byte
	switch m.Type {
	case ipv4.ICMPTypeEchoReply, ipv6.ICMPTypeEchoReply:
		e, ok := m.Body.(*icmp.Echo)
		if !ok || uint16(e.ID) != r.id {
			return pathEvent{}, false
		}
		ev.kind, ev.seq = evReply, uint16(e.Seq)
		return ev, true
	case ipv4.ICMPTypeTimeExceeded, ipv6.ICMPTypeTimeExceeded:
		body, ok := m.Body.(*icmp.TimeExceeded)
		if !ok || m.Code != 0 { // code 1: fragment reassembly, not a hop
			return pathEvent{}, false
		}
		ev.kind, quoted = evTimeExceeded, body.Data
	case ipv4.ICMPTypeDestinationUnreachable:
		body, ok := m.Body.(*icmp.DstUnreach)
		if !ok {
			return pathEvent{}, false
		}
		ev.kind, quoted = evUnreachable, body.Data
		if m.Code == 4 { // fragmentation needed; next-hop MTU in bytes 6-7 (RFC 1191)
			ev.kind = evTooBig
			if len(b) >= 8 {
				ev.mtu = int(binary.BigEndian.Uint16(b[6:8]))
			}
		}
	case ipv6.ICMPTypeDestinationUnreachable:
		body, ok := m.Body.(*icmp.DstUnreach)
		if !ok {
			return pathEvent{}, false
		}
		ev.kind, quoted = evUnreachable, body.Data
	case ipv6.ICMPTypePacketTooBig:
		body, ok := m.Body.(*icmp.PacketTooBig)
		if !ok {
			return pathEvent{}, false
		}
		ev.kind, ev.mtu, quoted = evTooBig, body.MTU, body.Data
	default:
		return pathEvent{}, false
	}
	id, seq, ok := quotedEchoSeq(r.v6, quoted)
	if !ok || id != r.id {
		return pathEvent{}, false
	}
	ev.seq = seq
	return ev, true
}
