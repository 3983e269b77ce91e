package probes

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"syscall"
	"time"

	"github.com/miekg/dns"

	"github.com/netprobe/netprobe/result"
)

// udpPayloads are requests that make common UDP services answer, so that
// "open" can be proven instead of guessed. Other ports get an empty
// datagram: only a closed port (ICMP port unreachable) answers that.
var udpPayloads = map[int][]byte{
	// NTP v4 client request.
	123: append([]byte{0x23}, make([]byte, 47)...),
}

// NewUDP prepares the check of UDP port host:port (see UDP).
func NewUDP(host string, port int) Probe {
	return One(func(ctx context.Context) result.Check { return UDP(ctx, host, port) })
}

// UDP checks one UDP port. Port 53 gets a real DNS query (any DNS answer,
// even REFUSED, means open). Elsewhere: a reply means open, ICMP port
// unreachable means closed, silence means "open|filtered" — UDP cannot
// tell those apart, so that is a warning, not a failure.
func UDP(ctx context.Context, host string, port int) result.Check {
	addr := net.JoinHostPort(host, strconv.Itoa(port))
	c := begin("udp", result.Service, "udp://"+addr)
	c.With("port", port).With("protocol", "udp")
	ap, err := resolveAddrPort(ctx, host, port)
	if reason, why, local := LocalFailure(err); local {
		return end(notMeasured(c, reason, why, err))
	}
	if err != nil {
		c.With("port_state", string(PortError))
		c.Status, c.Error, c.Reason = result.Fail, errText(err), result.ReasonUDPUnresolved
		c.Detail = fmt.Sprintf("could not resolve %s: %s", host, errText(err))
		return end(c)
	}
	if port == 53 {
		a := QueryDNS(ctx, ap, ".", dns.TypeNS, remaining(ctx, DefaultDNSTimeout))
		switch {
		case a.Answered():
			c.With("port_state", string(PortOpen)).With("rcode", a.Rcode).With("rtt_ms", ms(a.RTT))
			c.Status = result.OK
			c.Detail = fmt.Sprintf("port 53/udp is open: a DNS server answered (%s) in %s", a.Rcode, fmtDur(a.RTT))
		case errors.Is(a.Err, syscall.ECONNREFUSED):
			c.With("port_state", string(PortClosed))
			c.Status, c.Reason = result.Fail, result.ReasonUDPClosed
			c.Detail = "port 53/udp is closed: the host answered that nothing listens there"
		default:
			c.With("port_state", string(PortFiltered))
			c.Status, c.Reason = result.Fail, result.ReasonUDPNoDNSAnswer
			c.Detail = "port 53/udp: no DNS answer (filtered, or no DNS server there)"
		}
		if a.Err != nil {
			c.Error = errText(a.Err)
		}
		return end(c)
	}

	conn, err := dialOwnUDP(ctx, ap)
	if reason, why, local := LocalFailure(err); local {
		return end(notMeasured(c, reason, why, err))
	}
	if err != nil {
		state := classifyDialError(err)
		c.With("port_state", string(state))
		c.Status, c.Error, c.Reason = result.Fail, errText(err), udpReason(state)
		c.Detail = fmt.Sprintf("could not reach %s: %s", addr, errText(err))
		return end(c)
	}
	defer func() { conn.Close() }()
	wait := remaining(ctx, 2*time.Second)
	if wait > 2*time.Second {
		wait = 2 * time.Second
	}
	conn.SetDeadline(time.Now().Add(wait))
	payload := udpPayloads[port]
	buf := make([]byte, 1500)
	var rerr error
	redials := 0
	// Three sends: a lost datagram or the first ICMP error being rate
	// limited must not decide the state.
	for i := 0; i < 3; i++ {
		var n int
		// Linux hands a pending ICMP error (the previous datagram's "port
		// unreachable") to the next send, not to a later read: a failed
		// send decides the state as much as a failed read.
		if _, rerr = conn.Write(payload); rerr == nil {
			conn.SetReadDeadline(time.Now().Add(wait / 3))
			n, rerr = conn.Read(buf)
		}
		if rerr == nil && conn.fromSelf() && redials < 3 {
			// The "reply" may be netprobe's own datagram (see udpown.go):
			// start again from a fresh socket, on another local port.
			redials++
			conn.Close()
			if conn, err = dialOwnUDP(ctx, ap); err != nil {
				rerr = err
				break
			}
			wait = min(wait, remaining(ctx, wait))
			conn.SetDeadline(time.Now().Add(wait))
			i = -1
			continue
		}
		if rerr == nil && conn.fromSelf() {
			rerr = errOwnReplies
			break
		}
		if rerr == nil {
			c.With("port_state", string(PortOpen)).With("reply_bytes", n)
			c.Status = result.OK
			c.Detail = fmt.Sprintf("port %d/udp is open: the service replied", port)
			return end(c)
		}
		if errors.Is(rerr, syscall.ECONNREFUSED) {
			c.With("port_state", string(PortClosed))
			c.Status, c.Reason = result.Fail, result.ReasonUDPClosed
			c.Detail = fmt.Sprintf("port %d/udp is closed: the host answered that nothing listens there", port)
			return end(c)
		}
		if !isTimeout(rerr) {
			break
		}
	}
	if reason, why, local := LocalFailure(rerr); local {
		return end(notMeasured(c, reason, why, rerr))
	}
	if rerr == errOwnReplies {
		c.With("port_state", string(PortOpenFiltered))
		c.Status, c.Reason = result.Warn, result.ReasonUDPOpenFiltered
		c.Detail = fmt.Sprintf("port %d/udp: every reply came from netprobe's own sockets; open or filtered", port)
		return end(c)
	}
	if rerr != nil && !isTimeout(rerr) {
		state := classifyDialError(rerr)
		c.With("port_state", string(state))
		c.Status, c.Error, c.Reason = result.Fail, errText(rerr), udpReason(state)
		c.Detail = fmt.Sprintf("port %d/udp: %s", port, errText(rerr))
		return end(c)
	}
	c.With("port_state", string(PortOpenFiltered))
	c.Status, c.Reason = result.Warn, result.ReasonUDPOpenFiltered
	c.Detail = fmt.Sprintf("port %d/udp gave no reply: open or filtered (UDP cannot tell which without a service-specific request)", port)
	return end(c)
}

// errOwnReplies: three fresh sockets in a row heard only netprobe itself.
var errOwnReplies = errors.New("only netprobe's own datagrams answered")

// resolveAddrPort turns host (an IP or a name) into one address.
func resolveAddrPort(ctx context.Context, host string, port int) (netip.AddrPort, error) {
	if a, err := netip.ParseAddr(host); err == nil {
		return netip.AddrPortFrom(a, uint16(port)), nil
	}
	addrs, err := LookupHost(ctx, host)
	if err != nil {
		return netip.AddrPort{}, err
	}
	if len(addrs) == 0 {
		return netip.AddrPort{}, fmt.Errorf("no address for %s", host)
	}
	return netip.AddrPortFrom(addrs[0], uint16(port)), nil
}

// udpReason is the code of a UDP check that ended in a local or network
// error.
func udpReason(state PortState) result.Reason {
	switch state {
	case PortUnreachable:
		return result.ReasonUDPUnreachable
	case PortClosed:
		return result.ReasonUDPClosed
	case PortError:
		return result.ReasonUDPUnresolved
	}
	return result.ReasonUDPError
}
