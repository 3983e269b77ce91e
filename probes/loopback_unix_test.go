//go:build !windows

package probes

import (
	"context"
	"net"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// filteredTCP returns a port where SYNs get no answer at all, the way a
// firewall that drops packets looks from outside.
//
// Loopback has no firewall to hide behind, so this uses the listen queue:
// a socket made with syscall (Go's net.Listen always asks for the
// system's maximum backlog) listens with backlog 0 and never accepts. Linux
// then queues one completed connection; once the accept queue is full,
// tcp_conn_request drops every further SYN silently (no RST, no SYN-ACK,
// counted as ListenOverflows), whatever tcp_syncookies says. The client
// retransmits its SYN and its dial runs into the deadline: "filtered".
// The helper fills the queue and proves the effect itself: it dials until
// one dial times out, so a kernel that behaves differently fails here,
// with a clear message, rather than in the test that uses the port.
func filteredTCP(t *testing.T) int {
	t.Helper()
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	syscall.CloseOnExec(fd)
	t.Cleanup(func() { syscall.Close(fd) })
	if err := syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Listen(fd, 0); err != nil {
		t.Fatal(err)
	}
	sa, err := syscall.Getsockname(fd)
	if err != nil {
		t.Fatal(err)
	}
	port := sa.(*syscall.SockaddrInet4).Port
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	for i := 0; i < 4; i++ {
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		c, err := (&net.Dialer{}).DialContext(ctx, "tcp", addr)
		cancel()
		if err == nil {
			t.Cleanup(func() { c.Close() })
			continue
		}
		if isTimeout(err) {
			return port // the queue is full: SYNs are dropped now
		}
		t.Fatalf("filling the accept queue of %s: %v", addr, err)
	}
	t.Fatalf("this kernel keeps completing handshakes on a full backlog-0 listener (%s); the filtered tests need another silent port", addr)
	return 0
}
