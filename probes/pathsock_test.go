package probes

import (
	"encoding/binary"
	"net"
	"net/netip"
	"testing"

	"golang.org/x/net/icmp"
	"golang.org/x/net/ipv4"
	"golang.org/x/net/ipv6"
)

// quoted builds the start of an original datagram as an ICMP error quotes
// it: the IP header of our echo request and its first 8 bytes.
func quoted(v6 bool, id, seq uint16) []byte {
	echo := make([]byte, 8)
	echo[0] = 8
	if v6 {
		echo[0] = 128
	}
	binary.BigEndian.PutUint16(echo[4:], id)
	binary.BigEndian.PutUint16(echo[6:], seq)
	if v6 {
		h := make([]byte, 40)
		h[0], h[6], h[7] = 0x60, 58, 1
		return append(h, echo...)
	}
	h := make([]byte, 20)
	h[0], h[8], h[9] = 0x45, 1, 1
	return append(h, echo...)
}

func marshal(t *testing.T, m icmp.Message) []byte {
	t.Helper()
	b, err := m.Marshal(nil)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestRawParse: the raw socket sees every ICMP message of the host; only
// answers to its own probes become events, with the kind, the probe and
// the MTU a too-big message names.
func TestRawParse(t *testing.T) {
	const id, other = 0x1234, 0x4321
	router := netip.MustParseAddr("198.18.0.1")
	fragNeeded := func(id uint16, mtu int) []byte {
		b := marshal(t, icmp.Message{Type: ipv4.ICMPTypeDestinationUnreachable, Code: 4, Body: &icmp.DstUnreach{Data: quoted(false, id, 7)}})
		binary.BigEndian.PutUint16(b[6:8], uint16(mtu))
		return b
	}
	tests := []struct {
		name string
		v6   bool
		msg  []byte
		want pathEvent
		ok   bool
	}{
		{"echo reply", false, marshal(t, icmp.Message{Type: ipv4.ICMPTypeEchoReply, Body: &icmp.Echo{ID: id, Seq: 5}}), pathEvent{kind: evReply, seq: 5, from: router}, true},
		{"someone else's echo reply", false, marshal(t, icmp.Message{Type: ipv4.ICMPTypeEchoReply, Body: &icmp.Echo{ID: other, Seq: 5}}), pathEvent{}, false},
		{"our own request (loopback)", false, marshal(t, icmp.Message{Type: ipv4.ICMPTypeEcho, Body: &icmp.Echo{ID: id, Seq: 5}}), pathEvent{}, false},
		{"time exceeded", false, marshal(t, icmp.Message{Type: ipv4.ICMPTypeTimeExceeded, Body: &icmp.TimeExceeded{Data: quoted(false, id, 9)}}), pathEvent{kind: evTimeExceeded, seq: 9, from: router}, true},
		{"time exceeded for someone else", false, marshal(t, icmp.Message{Type: ipv4.ICMPTypeTimeExceeded, Body: &icmp.TimeExceeded{Data: quoted(false, other, 9)}}), pathEvent{}, false},
		{"reassembly time exceeded is not a hop", false, marshal(t, icmp.Message{Type: ipv4.ICMPTypeTimeExceeded, Code: 1, Body: &icmp.TimeExceeded{Data: quoted(false, id, 9)}}), pathEvent{}, false},
		{"fragmentation needed", false, fragNeeded(id, 1280), pathEvent{kind: evTooBig, seq: 7, from: router, mtu: 1280}, true},
		{"host unreachable", false, marshal(t, icmp.Message{Type: ipv4.ICMPTypeDestinationUnreachable, Code: 1, Body: &icmp.DstUnreach{Data: quoted(false, id, 3)}}), pathEvent{kind: evUnreachable, seq: 3, from: router}, true},
		{"truncated quote", false, marshal(t, icmp.Message{Type: ipv4.ICMPTypeTimeExceeded, Body: &icmp.TimeExceeded{Data: quoted(false, id, 9)[:24]}}), pathEvent{}, false},
		{"v6 echo reply", true, marshal(t, icmp.Message{Type: ipv6.ICMPTypeEchoReply, Body: &icmp.Echo{ID: id, Seq: 2}}), pathEvent{kind: evReply, seq: 2, from: router}, true},
		{"v6 packet too big", true, marshal(t, icmp.Message{Type: ipv6.ICMPTypePacketTooBig, Body: &icmp.PacketTooBig{MTU: 1280, Data: quoted(true, id, 4)}}), pathEvent{kind: evTooBig, seq: 4, from: router, mtu: 1280}, true},
		{"v6 time exceeded", true, marshal(t, icmp.Message{Type: ipv6.ICMPTypeTimeExceeded, Body: &icmp.TimeExceeded{Data: quoted(true, id, 6)}}), pathEvent{kind: evTimeExceeded, seq: 6, from: router}, true},
		{"v6 unreachable", true, marshal(t, icmp.Message{Type: ipv6.ICMPTypeDestinationUnreachable, Code: 3, Body: &icmp.DstUnreach{Data: quoted(true, id, 8)}}), pathEvent{kind: evUnreachable, seq: 8, from: router}, true},
		{"garbage", false, []byte{1, 2, 3}, pathEvent{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &rawPathConn{v6: tt.v6, id: id}
			got, ok := r.parse(tt.msg, router)
			if ok != tt.ok || got != tt.want {
				t.Errorf("parse = %+v, %v; want %+v, %v", got, ok, tt.want, tt.ok)
			}
		})
	}
}

// loopbacks lists the loopback addresses this machine has.
func loopbacks(t *testing.T) []netip.Addr {
	out := []netip.Addr{netip.MustParseAddr("127.0.0.1")}
	if c, err := net.ListenPacket("udp6", "[::1]:0"); err == nil {
		c.Close()
		out = append(out, netip.MustParseAddr("::1"))
	} else {
		t.Logf("no ::1 here (%v): IPv4 only", err)
	}
	return out
}

func TestProbePayload(t *testing.T) {
	for _, tt := range []struct {
		v6         bool
		size, want int
	}{{false, 0, 32}, {false, 1500, 1472}, {true, 1500, 1452}, {true, 1280, 1232}, {false, 10, 0}} {
		if got := len(probePayload(tt.v6, tt.size)); got != tt.want {
			t.Errorf("probePayload(v6=%v, %d) has %d bytes, want %d", tt.v6, tt.size, got, tt.want)
		}
	}
}
