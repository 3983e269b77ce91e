//go:build !windows

package probes

import (
	"testing"

	"github.com/netprobe/netprobe/internal/testnet"
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
func filteredTCP(t *testing.T) int { return testnet.FilteredTCP(t) }
