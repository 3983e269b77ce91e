package probes

import (
	"context"
	"errors"
	"net"
	"os"
	"strconv"
	"syscall"
	"time"

	"github.com/netprobe/netprobe/internal/fdlimit"
	"github.com/netprobe/netprobe/result"
)

// PortNotMeasured is the state of a port that could not be tried for a
// reason of this computer (no file descriptor left, no buffer space, no
// permission to open a socket). It says nothing about the host.
const PortNotMeasured PortState = "not_measured"

// LocalFailure reports whether err is this computer's failure rather than
// the network's: out of file descriptors (EMFILE, ENFILE), buffers
// (ENOBUFS), memory (ENOMEM), or not allowed to open the socket at all
// (EACCES/EPERM from socket(2)). Such a probe is "not measured", with the
// reason code and the reason in words; it must never become "closed",
// "filtered", "unreachable" or any other verdict on the network.
func LocalFailure(err error) (reason result.Reason, why string, ok bool) {
	if err == nil {
		return "", "", false
	}
	switch {
	case errors.Is(err, fdlimit.ErrNoSlot):
		return result.ReasonLocalResources, "too many open files on this computer: " + fdlimit.ErrNoSlot.Error() +
			" (limit " + strconv.FormatUint(fdlimit.Soft(), 10) + ")", true
	case errors.Is(err, syscall.EMFILE):
		return result.ReasonLocalResources, "too many open files on this computer (limit " + strconv.FormatUint(fdlimit.Soft(), 10) + ")", true
	case errors.Is(err, syscall.ENFILE):
		return result.ReasonLocalResources, "too many open files on this computer (the system-wide table is full)", true
	case errors.Is(err, syscall.ENOBUFS):
		return result.ReasonLocalResources, "no buffer space left on this computer", true
	case errors.Is(err, syscall.ENOMEM):
		return result.ReasonLocalResources, "out of memory on this computer", true
	}
	var se *os.SyscallError
	if errors.As(err, &se) && se.Syscall == "socket" && (errors.Is(err, syscall.EACCES) || errors.Is(err, syscall.EPERM)) {
		return result.ReasonLocalPermission, "this computer does not permit opening the socket (" + se.Err.Error() + ")", true
	}
	return "", "", false
}

// notMeasured turns c into the "not measured" check of a local failure.
func notMeasured(c result.Check, reason result.Reason, why string, err error) result.Check {
	c.Status, c.Reason = result.Skip, reason
	c.Detail = "not measured: " + why
	c.Error = errText(err)
	delete(c.Evidence, "port_state")
	return c
}

// dialCounted dials with d holding one slot of the descriptor pool for as
// long as the connection is open (Close gives it back). Waiting for a
// slot counts against ctx; when the slot came late and the dial then ran
// out of time, the port was not given a fair chance: that is reported as
// fdlimit.ErrNoSlot (not measured), not as a silent port.
func dialCounted(ctx context.Context, d *net.Dialer, network, addr string) (net.Conn, error) {
	release, free := fdlimit.TryAcquire(1)
	if !free {
		var err error
		if release, err = fdlimit.Acquire(ctx, 1); err != nil {
			return nil, &net.OpError{Op: "dial", Net: network, Err: err}
		}
	}
	dialStart := time.Now()
	c, err := d.DialContext(ctx, network, addr)
	if err != nil {
		release()
		if !free && isTimeout(err) && time.Since(dialStart) < minFairDial {
			return nil, &net.OpError{Op: "dial", Net: network, Err: fdlimit.ErrNoSlot}
		}
		return nil, err
	}
	if uc, ok := c.(*net.UDPConn); ok {
		// Keep the packet-ness visible: miekg/dns frames by it.
		return &countedUDPConn{UDPConn: uc, release: release}, nil
	}
	return &countedConn{Conn: c, release: release}, nil
}

// countedUDPConn is countedConn for UDP: still a net.PacketConn.
type countedUDPConn struct {
	*net.UDPConn
	release func()
}

func (c *countedUDPConn) Close() error {
	err := c.UDPConn.Close()
	c.release()
	return err
}

// minFairDial is the least time a connection attempt must have had for
// its silence to mean "filtered": the sweep's own per-port timeout.
const minFairDial = DefaultSweepTimeout

// countedConn gives its descriptor slot back when it is closed.
type countedConn struct {
	net.Conn
	release func()
}

func (c *countedConn) Close() error {
	err := c.Conn.Close()
	c.release()
	return err
}
