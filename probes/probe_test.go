package probes

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/netprobe/netprobe/internal/testnet"

	"github.com/netprobe/netprobe/result"
)

func TestIsTimeout(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"nil", nil, false},
		{"context deadline", context.DeadlineExceeded, true},
		{"wrapped context deadline", fmt.Errorf("query: %w", context.DeadlineExceeded), true},
		{"socket deadline", &net.OpError{Op: "read", Err: os.ErrDeadlineExceeded}, true},
		{"DNS timeout", &net.DNSError{Err: "i/o timeout", IsTimeout: true}, true},
		{"canceled is not a timeout", context.Canceled, false},
		{"refused", &net.OpError{Op: "read", Err: os.NewSyscallError("read", syscall.ECONNREFUSED)}, false},
		{"plain", errors.New("boom"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := isTimeout(tt.err); got != tt.want {
				t.Errorf("isTimeout(%v) = %v, want %v", tt.err, got, tt.want)
			}
		})
	}
}

func TestRemaining(t *testing.T) {
	if got := remaining(context.Background(), 3*time.Second); got != 3*time.Second {
		t.Errorf("no deadline: %s, want the default", got)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if got := remaining(ctx, time.Second); got <= 30*time.Second || got > time.Minute {
		t.Errorf("with a minute left: %s", got)
	}
	done, cancel2 := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel2()
	if got := remaining(done, time.Second); got > 0 {
		t.Errorf("past deadline: %s, want <= 0", got)
	}
}

func TestBeginEnd(t *testing.T) {
	c := begin("tcp", result.Service, "tcp://127.0.0.1:1")
	if c.Name != "tcp" || c.Layer != result.Service || c.Target != "tcp://127.0.0.1:1" || c.Evidence == nil || c.Started.IsZero() {
		t.Fatalf("begin = %+v", c)
	}
	time.Sleep(time.Millisecond)
	if c = end(c); c.Duration <= 0 {
		t.Errorf("duration = %s", c.Duration)
	}
}

// TestLookupHostFallsThrough: with servers set by WithResolvers a server
// that refuses the connection or stays silent is passed over for the next
// one, while an NXDOMAIN ends the search (the name does not exist).
func TestLookupHostFallsThrough(t *testing.T) {
	t.Parallel()
	srv := testnet.StartDNS(t, resolverZone())
	closed := netip.AddrPortFrom(lo4, uint16(testnet.ClosedUDP(t)))
	silentPort, _ := testnet.SilentUDP(t)
	silent := netip.AddrPortFrom(lo4, uint16(silentPort))

	ctx := WithResolvers(longCtx(t), []netip.AddrPort{closed, srv})
	addrs, err := LookupHost(ctx, "loop.test.")
	if err != nil || len(addrs) != 1 || addrs[0] != lo4 {
		t.Fatalf("closed then good: LookupHost = %v, %v", addrs, err)
	}
	ctx = WithResolvers(longCtx(t), []netip.AddrPort{silent, srv})
	if addrs, err = LookupHost(ctx, "loop.test."); err != nil || len(addrs) != 1 {
		t.Fatalf("silent then good: LookupHost = %v, %v", addrs, err)
	}
	// The error names the server that was asked, not the system's.
	ctx = WithResolvers(shortCtx(t, 3*time.Second), []netip.AddrPort{closed})
	_, err = LookupHost(ctx, "loop.test.")
	var de *net.DNSError
	if !errors.As(err, &de) || de.Server != closed.String() {
		t.Fatalf("closed only: err = %v, want a DNSError naming %s", err, closed)
	}
	if got := resolversFrom(context.Background()); got != nil {
		t.Errorf("without WithResolvers no servers are set, got %v", got)
	}
}
