package probes

import (
	"context"
	"net"
	"net/netip"
	"sync"
	"time"
)

// A UDP probe sends a datagram from a socket connected to the target; a
// reply means "open". On loopback (or an address of this computer) the
// reply can come from netprobe itself: a connected socket whose ephemeral
// local port happens to be the target port talks to itself, and two
// probes whose local ports are each other's targets talk to each other.
// A sweep of the ephemeral range hits that once or more per run, at a
// different port each time. A service cannot hold a port while one of
// netprobe's sockets does, so a reply from a port netprobe held during the
// probe is never proof: the probe starts again on a fresh socket.

// ownUDP records the local addresses of netprobe's UDP probe sockets.
var ownUDP = &udpOwners{m: map[netip.AddrPort]*udpOwner{}}

type udpOwners struct {
	mu     sync.Mutex
	m      map[netip.AddrPort]*udpOwner
	pruned time.Time
}

type udpOwner struct {
	open   int       // sockets bound to the address now
	closed time.Time // when the last one closed
}

// pruneAfter is how long a closed socket's address is remembered: longer
// than any UDP probe waits for a reply.
const pruneAfter = time.Minute

func (o *udpOwners) add(a netip.AddrPort) {
	o.mu.Lock()
	defer o.mu.Unlock()
	e := o.m[a]
	if e == nil {
		e = &udpOwner{}
		o.m[a] = e
	}
	e.open++
}

func (o *udpOwners) remove(a netip.AddrPort) {
	o.mu.Lock()
	defer o.mu.Unlock()
	now := time.Now()
	if e := o.m[a]; e != nil {
		e.open--
		e.closed = now
	}
	// The map holds at most one entry per local address (65535 per IP);
	// entries younger than pruneAfter are needed, so a prune more often
	// than that would only cost time.
	if len(o.m) > 4096 && now.Sub(o.pruned) > pruneAfter {
		o.pruned = now
		for k, e := range o.m {
			if e.open <= 0 && now.Sub(e.closed) > pruneAfter {
				delete(o.m, k)
			}
		}
	}
}

// heldSince reports whether one of netprobe's probe sockets was bound to a
// at any time since t.
func (o *udpOwners) heldSince(a netip.AddrPort, t time.Time) bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	e := o.m[a]
	return e != nil && (e.open > 0 || !e.closed.Before(t))
}

// udpDial opens a UDP socket connected to ap, holding a descriptor slot.
// Tests replace it to choose the local port.
var udpDial = func(ctx context.Context, ap netip.AddrPort) (net.Conn, error) {
	return dialCounted(ctx, &net.Dialer{}, "udp", ap.String())
}

// ownConn is a probe socket registered in ownUDP until it is closed.
type ownConn struct {
	net.Conn
	local  netip.AddrPort
	opened time.Time
	once   sync.Once
}

// dialOwnUDP dials ap and registers the socket's local address.
func dialOwnUDP(ctx context.Context, ap netip.AddrPort) (*ownConn, error) {
	opened := time.Now()
	c, err := udpDial(ctx, ap)
	if err != nil {
		return nil, err
	}
	oc := &ownConn{Conn: c, opened: opened}
	if ua, ok := c.LocalAddr().(*net.UDPAddr); ok {
		oc.local = unmapPort(ua.AddrPort())
		ownUDP.add(oc.local)
	}
	return oc, nil
}

// fromSelf reports whether a reply from the socket's peer may have come
// from netprobe's own sockets.
func (c *ownConn) fromSelf() bool {
	peer, ok := c.RemoteAddr().(*net.UDPAddr)
	if !ok {
		return false
	}
	return ownUDP.heldSince(unmapPort(peer.AddrPort()), c.opened)
}

func (c *ownConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(func() {
		if c.local.IsValid() {
			ownUDP.remove(c.local)
		}
	})
	return err
}

func unmapPort(a netip.AddrPort) netip.AddrPort {
	return netip.AddrPortFrom(a.Addr().Unmap(), a.Port())
}
