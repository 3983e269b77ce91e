package probes

import (
	"context"
	"net/netip"
	"testing"
	"time"

	"github.com/netprobe/netprobe/internal/testnet"
	"github.com/netprobe/netprobe/result"
)

// TestEchoOnce: one echo to loopback is answered, on whichever socket this
// process may open; a denied permission is an error, not a hang.
func TestEchoOnce(t *testing.T) {
	perm := DetectICMP()
	if perm.Mode == ICMPDenied {
		t.Skip("ICMP not permitted here: " + perm.Reason)
	}
	for _, a := range []string{"127.0.0.1", "::1"} {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		rtt, err := EchoOnce(ctx, netip.MustParseAddr(a), perm)
		cancel()
		if err != nil {
			if a == "::1" {
				t.Logf("::1: %v (no IPv6 loopback here)", err)
				continue
			}
			t.Fatalf("%s: %v", a, err)
		}
		if rtt <= 0 || rtt > time.Second {
			t.Errorf("%s: rtt %s", a, rtt)
		}
	}
	if _, err := EchoOnce(context.Background(), netip.MustParseAddr("127.0.0.1"), ICMPPermission{Mode: ICMPDenied}); err == nil {
		t.Error("denied permission: no error")
	}
}

// TestPingOnce: the single-echo check has Ping's shape, and falls back to
// Ping (and its TCP ports) when ICMP is not permitted.
func TestPingOnce(t *testing.T) {
	perm := DetectICMP()
	if perm.Mode != ICMPDenied {
		c := PingOnce(context.Background(), netip.MustParseAddr("127.0.0.1"), PingOptions{Layer: result.Service, Count: 1, Permission: perm})
		if c.Status != result.OK || c.Evidence["method"] != "icmp" || c.Evidence["received"] != 1 || c.Evidence["rtt_ms"] == nil {
			t.Fatalf("ping once = %s %v", c.Status, c.Evidence)
		}
	}
	port := testnet.OpenTCP(t)
	c := PingOnce(context.Background(), netip.MustParseAddr("127.0.0.1"), PingOptions{Layer: result.Service, Count: 1,
		Permission: ICMPPermission{Mode: ICMPDenied}, FallbackPorts: []int{port}})
	if c.Status != result.OK || c.Evidence["method"] != "tcp" {
		t.Fatalf("fallback = %s %v", c.Status, c.Evidence)
	}
}
