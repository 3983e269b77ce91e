package probes

import (
	"context"
	"net/netip"
	"testing"
	"time"

	"github.com/netprobe/netprobe/internal/testnet"
	"golang.org/x/sys/unix"
)

func TestSweepTCP(t *testing.T) {
	open, closed, filtered := testnet.OpenTCP(t), testnet.ClosedTCP(t), filteredTCP(t)
	ports := []int{open, closed, filtered}
	// More than one batch, so the batching and the worker hand-off are used.
	for len(ports) < 2*sweepBatch+7 {
		ports = append(ports, testnet.ClosedTCP(t))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	states := sweepTCP(ctx, netip.MustParseAddr("127.0.0.1"), ports, 400*time.Millisecond, 2)
	want := map[int]PortState{0: PortOpen, 1: PortClosed, 2: PortFiltered}
	for i, st := range states {
		w, ok := want[i]
		if !ok {
			w = PortClosed
		}
		if st != w {
			t.Errorf("port %d (#%d) = %q, want %q", ports[i], i, st, w)
		}
	}
	// A spent budget leaves ports not tried ("").
	done, cancel2 := context.WithCancel(context.Background())
	cancel2()
	for i, st := range sweepTCP(done, netip.MustParseAddr("127.0.0.1"), ports[:3], time.Second, 1) {
		if st != "" {
			t.Errorf("port #%d tried with a spent budget: %q", i, st)
		}
	}
}

// A socket bound to port P and connected to 127.0.0.1:P connects to
// itself (TCP simultaneous open) with no listener anywhere: the scanner
// must call that port closed, not open.
func TestSweepSelfConnectIsClosed(t *testing.T) {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fd)
	if err := unix.Bind(fd, &unix.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Fatal(err)
	}
	sa, err := unix.Getsockname(fd)
	if err != nil {
		t.Fatal(err)
	}
	port := sa.(*unix.SockaddrInet4).Port
	if err := unix.Connect(fd, &unix.SockaddrInet4{Port: port, Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Skipf("this kernel does not self-connect (%v)", err)
	}
	if st := connectedState(fd, port); st != PortClosed {
		t.Fatalf("self-connected socket judged %q, want closed", st)
	}
	open := testnet.OpenTCP(t)
	c, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(c)
	if err := unix.Connect(c, &unix.SockaddrInet4{Port: open, Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Fatal(err)
	}
	if st := connectedState(c, open); st != PortOpen {
		t.Fatalf("a real connection judged %q, want open", st)
	}
}
