package probes

import (
	"context"
	"net"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/netprobe/netprobe/internal/testnet"
	"github.com/netprobe/netprobe/result"
)

// withUDPDial makes the first dial to each port in first come from the
// given local port; every other dial is the real one.
func withUDPDial(t *testing.T, first map[int]int) {
	t.Helper()
	var mu sync.Mutex
	used := map[int]bool{}
	real := udpDial
	udpDial = func(ctx context.Context, ap netip.AddrPort) (net.Conn, error) {
		mu.Lock()
		local, ok := first[int(ap.Port())]
		ok = ok && !used[int(ap.Port())]
		used[int(ap.Port())] = true
		mu.Unlock()
		if !ok {
			return real(ctx, ap)
		}
		return net.DialUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: local}, net.UDPAddrFromAddrPort(ap))
	}
	t.Cleanup(func() { udpDial = real })
}

// A probe socket whose ephemeral port is the target port talks to itself
// (the kernel picks that port about once per sweep of the ephemeral
// range): its own datagram must not read as "open".
func TestUDPSelfConnectIsNotOpen(t *testing.T) {
	p := testnet.ClosedUDP(t)
	withUDPDial(t, map[int]int{p: p})
	c := UDP(longCtx(t), "127.0.0.1", p)
	if c.Evidence["port_state"] != string(PortClosed) {
		t.Fatalf("self-connected probe: %s %v %q, want closed", c.Status, c.Evidence, c.Detail)
	}
}

// Two probes whose local ports are each other's targets hear each other:
// neither is a reply from a service.
func TestUDPProbesDoNotHearEachOther(t *testing.T) {
	a, b := testnet.ClosedUDP(t), testnet.ClosedUDP(t)
	withUDPDial(t, map[int]int{b: a, a: b})
	var wg sync.WaitGroup
	got := make([]result.Check, 2)
	for i, port := range []int{a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got[i] = UDP(longCtx(t), "127.0.0.1", port)
		}()
	}
	wg.Wait()
	for i, c := range got {
		if c.Evidence["port_state"] == string(PortOpen) {
			t.Errorf("probe %d: %s %v %q: a reply from netprobe's own socket counted as open", i, c.Status, c.Evidence, c.Detail)
		}
	}
}

// A real service still reads open, and its socket is not netprobe's.
func TestUDPRealReplyIsOpen(t *testing.T) {
	c := UDP(longCtx(t), "127.0.0.1", echoUDP(t))
	if c.Status != result.OK || c.Evidence["port_state"] != string(PortOpen) {
		t.Fatalf("echo service: %s %v %q", c.Status, c.Evidence, c.Detail)
	}
}

func TestUDPOwnersRemembersClosedSockets(t *testing.T) {
	o := &udpOwners{m: map[netip.AddrPort]*udpOwner{}}
	a := netip.MustParseAddrPort("127.0.0.1:40000")
	before := time.Now()
	o.add(a)
	if !o.heldSince(a, before) {
		t.Fatal("an open socket's address is not held")
	}
	o.remove(a)
	if !o.heldSince(a, before) {
		t.Fatal("a socket closed after the probe began must still count: its datagram may be queued")
	}
	if o.heldSince(a, time.Now().Add(time.Second)) {
		t.Fatal("a socket closed before the probe began counts")
	}
	if o.heldSince(netip.MustParseAddrPort("127.0.0.1:40001"), before) {
		t.Fatal("an address never held counts")
	}
}
