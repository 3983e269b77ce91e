//go:build linux

package probes

import (
	"testing"
	"time"
)

// TestErrqUDPPendingError: an ICMP error leaves a pending error on the
// socket that the next send reports instead of sending. The probe must
// still go out, or a trace silently loses the probes sent right after an
// answer.
func TestErrqUDPPendingError(t *testing.T) {
	for _, a := range loopbacks(t) {
		t.Run(a.String(), func(t *testing.T) {
			c, err := openErrqPathConn(a.Is6(), true)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			if err := c.send(a, 0, 0, 0); err != nil {
				t.Fatal(err)
			}
			time.Sleep(20 * time.Millisecond) // the port unreachable arrives
			if err := c.send(a, 1, 0, 0); err != nil {
				t.Fatalf("send after an ICMP error: %v", err)
			}
			got := map[uint16]bool{}
			deadline := time.Now().Add(2 * time.Second)
			for len(got) < 2 {
				ev, ok, err := c.recv(deadline)
				if err != nil || !ok {
					t.Fatalf("answers %v, then ok=%v err=%v", got, ok, err)
				}
				if ev.kind != evReply || ev.from != a {
					t.Errorf("event %+v, want a reply (port unreachable) from %s", ev, a)
				}
				got[ev.seq] = true
			}
			if !got[0] || !got[1] {
				t.Errorf("answers for %v, want 0 and 1", got)
			}
		})
	}
}

// TestErrqICMPDatagram: the unprivileged ICMP socket with Don't-Fragment
// and TTL 1 gets its echo replies from this host, at every size up to
// loopback's MTU.
func TestErrqICMPDatagram(t *testing.T) {
	for _, a := range loopbacks(t) {
		t.Run(a.String(), func(t *testing.T) {
			c, err := openErrqPathConn(a.Is6(), false)
			if err != nil {
				t.Skipf("no unprivileged ICMP socket here (ping_group_range): %v", err)
			}
			defer c.Close()
			if err := c.dontFragment(); err != nil {
				t.Fatal(err)
			}
			for seq, size := range []int{0, 1500, 9000} {
				if err := c.send(a, uint16(seq), 1, size); err != nil {
					t.Fatalf("size %d: %v", size, err)
				}
			}
			got := map[uint16]bool{}
			deadline := time.Now().Add(2 * time.Second)
			for len(got) < 3 {
				ev, ok, err := c.recv(deadline)
				if err != nil || !ok {
					t.Fatalf("answers %v, then ok=%v err=%v", got, ok, err)
				}
				if ev.kind != evReply || ev.from != a {
					t.Errorf("event %+v, want an echo reply from %s", ev, a)
				}
				got[ev.seq] = true
			}
		})
	}
}
