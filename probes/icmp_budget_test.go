package probes

import (
	"strings"
	"testing"
	"time"

	"github.com/netprobe/netprobe/internal/testnet"
	"github.com/netprobe/netprobe/result"
)

// A host proven only over TCP, but slowly, is degraded like a slow ping.
func TestPingTCPFallbackHonoursRTTWarn(t *testing.T) {
	open := testnet.OpenTCP(t)
	c := Ping(longCtx(t), lo4, PingOptions{Layer: result.Internet, Permission: ICMPPermission{Mode: ICMPDenied},
		FallbackPorts: []int{open}, RTTWarn: time.Nanosecond})
	if c.Status != result.Warn || c.Evidence["method"] != "tcp" || !strings.Contains(c.Detail, "slow") {
		t.Fatalf("status %s method %v: %q", c.Status, c.Evidence["method"], c.Detail)
	}
}

func TestICMPTimeoutLeavesTheFallbackItsShare(t *testing.T) {
	tests := []struct {
		name string
		left time.Duration
		opt  PingOptions
		want time.Duration
	}{
		{"plenty of time: the phase's own timeout", 10 * time.Second, PingOptions{Timeout: 2 * time.Second, FallbackPorts: []int{443}}, 2 * time.Second},
		{"short budget: half for ping, half for TCP", time.Second, PingOptions{Timeout: 2 * time.Second, FallbackPorts: []int{443}}, 500 * time.Millisecond},
		{"a long ping phase keeps the fallback's reserve", 10 * time.Second, PingOptions{Timeout: 9 * time.Second, FallbackPorts: []int{443}}, 7 * time.Second},
		{"a long ping phase without fallback may use it all", 10 * time.Second, PingOptions{Timeout: 9 * time.Second}, 9 * time.Second},
		{"no fallback: ping may use it all", time.Second, PingOptions{Timeout: 2 * time.Second}, time.Second},
		{"nothing left", 0, PingOptions{Timeout: 2 * time.Second, FallbackPorts: []int{443}}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := icmpTimeout(tt.left, tt.opt); got != tt.want {
				t.Fatalf("icmpTimeout = %s, want %s", got, tt.want)
			}
		})
	}
}
