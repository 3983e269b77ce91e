package probes

import (
	"net/netip"
	"testing"
)

func TestNextHop(t *testing.T) {
	gw4, gw6 := netip.MustParseAddr("10.77.1.1"), netip.MustParseAddr("fe80::1")
	up4, up6 := netip.MustParseAddr("198.18.1.1"), netip.MustParseAddr("fd00:77:3::1")
	tests := []struct {
		name string
		addr netip.Addr
		opt  PingOptions
		want netip.Addr
	}{
		{"a gateway is its own next hop", gw4, PingOptions{Neighbour: true}, gw4},
		{"an upstream goes through its family's gateway", up4, PingOptions{NextHop: gw4}, gw4},
		{"an IPv6 upstream does not use an IPv4 gateway", up6, PingOptions{NextHop: gw4}, netip.Addr{}},
		{"an IPv6 upstream through an IPv6 gateway", up6, PingOptions{NextHop: gw6}, gw6},
		{"no gateway known", up4, PingOptions{}, netip.Addr{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := nextHop(tt.addr, tt.opt); got != tt.want {
				t.Fatalf("nextHop = %v, want %v", got, tt.want)
			}
		})
	}
}
