package probes

import (
	"context"
	"errors"
	"fmt"
	"github.com/netprobe/netprobe/internal/bound"
	"net"
	"net/netip"
	"strconv"
	"syscall"
	"time"

	"github.com/netprobe/netprobe/result"
)

// PortState classifies what a connection attempt found.
type PortState string

// Port states. Open: the handshake completed. Closed: the host answered
// with a reset. Filtered: no answer before the deadline (a firewall drops
// it). Unreachable: the network said there is no way there (ICMP
// unreachable, no route). OpenFiltered is UDP's "no answer" state.
const (
	PortOpen         PortState = "open"
	PortClosed       PortState = "closed"
	PortFiltered     PortState = "filtered"
	PortUnreachable  PortState = "unreachable"
	PortOpenFiltered PortState = "open|filtered"
	PortError        PortState = "error"
)

// DialTCP tries one TCP handshake to addr (host:port, host an IP or a name
// resolved with the system resolver) within ctx and classifies the outcome.
// The connection, if any, is closed before it returns. rtt is the
// handshake time.
func DialTCP(ctx context.Context, addr string) (state PortState, rtt time.Duration, err error) {
	conn, state, rtt, err := dialConn(ctx, addr)
	if conn != nil {
		conn.Close()
	}
	return state, rtt, err
}

// dialConn is DialTCP that keeps the connection open for a TLS or HTTP
// phase.
func dialConn(ctx context.Context, addr string) (net.Conn, PortState, time.Duration, error) {
	start := time.Now()
	conn, err := dialTCP(ctx, addr)
	rtt := time.Since(start)
	if err == nil {
		return conn, PortOpen, rtt, nil
	}
	return nil, classifyDialError(err), rtt, err
}

// classifyDialError maps a dial error to a port state.
func classifyDialError(err error) PortState {
	// This computer's own failure (no descriptor, no buffer, no socket
	// permission) says nothing about the port.
	if _, _, local := LocalFailure(err); local {
		return PortNotMeasured
	}
	// A name that did not resolve says nothing about the port. This comes
	// first: a DNS server that does not answer gives a DNSError that is
	// also a timeout (and wraps the context's error), and that is not a
	// filtered port.
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return PortError
	}
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return PortClosed
	case errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH),
		errors.Is(err, syscall.EADDRNOTAVAIL), errors.Is(err, syscall.EACCES), errors.Is(err, syscall.EPERM):
		return PortUnreachable
	case isTimeout(err), errors.Is(err, context.Canceled):
		return PortFiltered
	}
	return PortUnreachable
}

// tcpReasons is the code of each port state a connection can end in.
// PortError is the name that did not resolve: nothing was tried.
var tcpReasons = map[PortState]result.Reason{
	PortClosed:      result.ReasonTCPClosed,
	PortFiltered:    result.ReasonTCPFiltered,
	PortUnreachable: result.ReasonTCPUnreachable,
	PortError:       result.ReasonTCPUnresolved,
}

// TCPOptions configures the TCP probe.
type TCPOptions struct {
	// Layer the check is filed under (service for targets, printer for
	// print ports).
	Layer result.Layer
	// Address, when valid, is connected to instead of resolving host (a
	// confirmation at another resolver's answer).
	Address netip.Addr
}

// NewTCP prepares the check of host:port (see TCP).
func NewTCP(host string, port int, opt TCPOptions) Probe {
	return One(func(ctx context.Context) result.Check { return TCP(ctx, host, port, opt) })
}

// TCP checks one host:port and files the outcome as a check: open is ok,
// everything else fails with the state and reason in Evidence.
func TCP(ctx context.Context, host string, port int, opt TCPOptions) result.Check {
	layer := opt.Layer
	if layer == result.None {
		layer = result.Service
	}
	addr := net.JoinHostPort(host, strconv.Itoa(port))
	c := begin("tcp", layer, "tcp://"+addr)
	dial := addr
	if opt.Address.IsValid() {
		dial = netip.AddrPortFrom(opt.Address, uint16(port)).String()
	}
	conn, state, rtt, err := dialConn(ctx, dial)
	if conn != nil {
		withRemote(&c, conn)
		conn.Close()
	}
	return end(judgeTCP(c, host, port, state, rtt, err))
}

// judgeTCP fills a tcp check from a connection attempt's outcome.
func judgeTCP(c result.Check, host string, port int, state PortState, rtt time.Duration, err error) result.Check {
	if reason, why, local := LocalFailure(err); local {
		return notMeasured(c, reason, why, err)
	}
	addr := net.JoinHostPort(host, strconv.Itoa(port))
	c.With("port_state", string(state)).With("port", port).With("protocol", "tcp")
	if state == PortOpen || state == PortClosed {
		c.With("connect_ms", ms(rtt))
	}
	c.Status = result.Fail
	c.Reason = tcpReasons[state]
	switch state {
	case PortOpen:
		c.Status = result.OK
		c.Detail = fmt.Sprintf("port %d/tcp is open (connected in %s)", port, fmtDur(rtt))
	case PortClosed:
		c.Detail = fmt.Sprintf("port %d/tcp is closed: the host answered but nothing listens there", port)
	case PortError:
		c.Detail = fmt.Sprintf("could not resolve %s: %s", host, errText(err))
	case PortFiltered:
		c.Detail = fmt.Sprintf("port %d/tcp is filtered: no answer within %s (a firewall drops it)", port, fmtDur(rtt))
	case PortUnreachable:
		c.Detail = fmt.Sprintf("%s is unreachable: %s", host, errText(err))
	default:
		c.Reason = result.ReasonTCPError
		c.Detail = fmt.Sprintf("could not connect to %s: %s", addr, errText(err))
	}
	if err != nil {
		c.Error = errText(err)
	}
	return c
}

// errText shortens Go's nested network errors to their useful tail.
// It is also where error texts are bounded and cleaned: an error can
// quote what the network sent (an HTTP status line, a name), so no error
// text reaches a check unbounded.
func errText(err error) string {
	if err == nil {
		return ""
	}
	var op *net.OpError
	if errors.As(err, &op) && op.Err != nil {
		var sys *net.DNSError
		if errors.As(op.Err, &sys) {
			return bound.Text(sys.Error())
		}
		return bound.Text(op.Err.Error())
	}
	return bound.Text(err.Error())
}
