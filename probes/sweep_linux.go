//go:build linux

package probes

import (
	"context"
	"errors"
	"net/netip"
	"os"
	"time"

	"golang.org/x/sys/unix"

	"github.com/netprobe/netprobe/internal/fdlimit"
)

// sweepTCP tries a TCP handshake to each port of addr and returns each
// port's state, the way a connect scanner does: non-blocking sockets
// started in batches and watched with one poll(2) per batch, so a full
// 65535-port sweep does not pay for a goroutine, a timer and a runtime
// poller registration per port. A port still silent when timeout ends is
// filtered. Ports not started before ctx ended are left "" (not tried).
//
// Each batch holds one slot of the descriptor pool per socket while it
// runs, so a sweep never opens more sockets than this process may; a port
// whose socket could not be made (EMFILE and the like) is left "" too, for
// the caller to try again or report as not measured.
func sweepTCP(ctx context.Context, addr netip.Addr, ports []int, timeout time.Duration, workers int) []PortState {
	states := make([]PortState, len(ports))
	size := sweepBatchSize()
	workers = max(1, min(workers, fdlimit.Capacity()/size))
	batches := make(chan []int, (len(ports)+size-1)/size)
	for i := 0; i < len(ports); i += size {
		idx := make([]int, 0, size)
		for j := i; j < len(ports) && j < i+size; j++ {
			idx = append(idx, j)
		}
		batches <- idx
	}
	close(batches)
	done := make(chan struct{})
	for w := 0; w < workers; w++ {
		go func() {
			defer func() { done <- struct{}{} }()
			for idx := range batches {
				if ctx.Err() != nil || remaining(ctx, timeout) <= 0 {
					continue
				}
				release, err := fdlimit.Acquire(ctx, len(idx))
				if err != nil {
					continue // no descriptors before the deadline: not tried
				}
				sweepOne(ctx, addr, ports, idx, states, timeout)
				release()
			}
		}()
	}
	for w := 0; w < workers; w++ {
		<-done
	}
	return states
}

func sweepOne(ctx context.Context, addr netip.Addr, ports []int, idx []int, states []PortState, timeout time.Duration) {
	type attempt struct {
		fd int
		i  int
	}
	family := unix.AF_INET
	if addr.Is6() {
		family = unix.AF_INET6
	}
	var pending []attempt
	defer func() {
		for _, a := range pending {
			if a.fd >= 0 {
				unix.Close(a.fd)
			}
		}
	}()
	for _, i := range idx {
		fd, err := unix.Socket(family, unix.SOCK_STREAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
		if err != nil {
			if _, _, local := LocalFailure(os.NewSyscallError("socket", err)); !local {
				states[i] = PortError
			} // else left "": this computer's limit, not the port's state
			continue
		}
		var sa unix.Sockaddr
		if addr.Is4() {
			sa = &unix.SockaddrInet4{Port: ports[i], Addr: addr.As4()}
		} else {
			sa = &unix.SockaddrInet6{Port: ports[i], Addr: addr.As16()}
		}
		err = unix.Connect(fd, sa)
		switch {
		case err == nil:
			states[i] = connectedState(fd, ports[i])
			unix.Close(fd)
		case errors.Is(err, unix.EINPROGRESS):
			pending = append(pending, attempt{fd, i})
		default:
			if _, _, local := LocalFailure(err); !local {
				states[i] = sweepState(err)
			}
			unix.Close(fd)
		}
	}
	deadline := time.Now().Add(timeout)
	if dl, ok := ctx.Deadline(); ok && dl.Before(deadline) {
		deadline = dl
	}
	open := len(pending)
	pfds := make([]unix.PollFd, len(pending))
	for open > 0 {
		wait := time.Until(deadline)
		if wait <= 0 {
			break
		}
		for k, a := range pending {
			pfds[k] = unix.PollFd{Fd: int32(a.fd), Events: unix.POLLOUT}
			if a.fd < 0 {
				pfds[k].Fd = -1 // settled: poll ignores negative fds
			}
		}
		n, err := unix.Poll(pfds, int(wait/time.Millisecond)+1)
		if err != nil && !errors.Is(err, unix.EINTR) {
			break
		}
		if n <= 0 {
			continue
		}
		for k := range pending {
			a := &pending[k]
			if a.fd < 0 || pfds[k].Revents == 0 {
				continue
			}
			soerr, gerr := unix.GetsockoptInt(a.fd, unix.SOL_SOCKET, unix.SO_ERROR)
			switch {
			case gerr != nil:
				states[a.i] = PortError
			case soerr == 0:
				states[a.i] = connectedState(a.fd, ports[a.i])
			default:
				states[a.i] = sweepState(unix.Errno(soerr))
			}
			unix.Close(a.fd)
			a.fd = -1
			open--
		}
	}
	for k := range pending {
		if pending[k].fd >= 0 {
			states[pending[k].i] = PortFiltered
		}
	}
}

// connectedState is PortOpen, unless the socket connected to itself: on
// loopback a connect from an ephemeral port to the same port number can
// complete with no listener at all (TCP simultaneous open). Go's dialer
// retries such connections; for a scan it means nothing listens there.
func connectedState(fd, port int) PortState {
	sa, err := unix.Getsockname(fd)
	if err != nil {
		return PortOpen
	}
	local := 0
	switch a := sa.(type) {
	case *unix.SockaddrInet4:
		local = a.Port
	case *unix.SockaddrInet6:
		local = a.Port
	}
	if local == port {
		if peer, err := unix.Getpeername(fd); err == nil && sameAddr(sa, peer) {
			return PortClosed
		}
	}
	return PortOpen
}

func sameAddr(a, b unix.Sockaddr) bool {
	switch x := a.(type) {
	case *unix.SockaddrInet4:
		y, ok := b.(*unix.SockaddrInet4)
		return ok && x.Port == y.Port && x.Addr == y.Addr
	case *unix.SockaddrInet6:
		y, ok := b.(*unix.SockaddrInet6)
		return ok && x.Port == y.Port && x.Addr == y.Addr
	}
	return false
}

// sweepState classifies a connect error like classifyDialError does for
// the standard dialer.
func sweepState(err error) PortState {
	switch {
	case errors.Is(err, unix.ECONNREFUSED):
		return PortClosed
	case errors.Is(err, unix.ETIMEDOUT):
		return PortFiltered
	}
	return classifyDialError(err)
}

const haveSweepTCP = true

// sweepBatchSize is how many sockets one sweep worker opens at once: a
// full batch, or all the descriptor pool holds when that is less.
func sweepBatchSize() int { return max(1, min(sweepBatch, fdlimit.Capacity())) }
