package probes

import (
	"context"
	"net/netip"
	"reflect"
	"testing"
	"time"
)

func TestGateways(t *testing.T) {
	addrs := func(s ...string) []netip.Addr {
		var out []netip.Addr
		for _, a := range s {
			out = append(out, netip.MustParseAddr(a))
		}
		return out
	}
	tests := []struct {
		name   string
		routes []Route
		want   []netip.Addr
	}{
		{name: "none", want: nil},
		{name: "link-local IPv6 gets its interface as zone",
			routes: []Route{route6("fe80::1", "eth0")}, want: addrs("fe80::1%eth0")},
		{name: "same link-local gateway on two interfaces is two gateways",
			routes: []Route{route6("fe80::1", "eth0"), route6("fe80::1", "wlan0")}, want: addrs("fe80::1%eth0", "fe80::1%wlan0")},
		{name: "an existing zone is kept",
			routes: []Route{route6("fe80::1%br0", "eth0")}, want: addrs("fe80::1%br0")},
		{name: "global IPv6 gets no zone",
			routes: []Route{route6("2001:db8::1", "eth0")}, want: addrs("2001:db8::1")},
		{name: "duplicates collapse",
			routes: []Route{route4("192.0.2.1", "eth0"), route4("192.0.2.1", "eth0"), route6("fe80::1", "eth0"), route6("fe80::1", "eth0")},
			want:   addrs("192.0.2.1", "fe80::1%eth0")},
		{name: "device routes and unspecified gateways are no gateways",
			routes: []Route{route4("", "wg0"), route4("0.0.0.0", "eth0"), route6("::", "eth0")}, want: nil},
		{name: "IPv4 first even when the snapshot lists IPv6 first",
			routes: []Route{route6("fe80::1", "eth0"), route4("192.0.2.1", "eth0"), route4("198.51.100.1", "eth1")},
			want:   addrs("192.0.2.1", "198.51.100.1", "fe80::1%eth0")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := (System{DefaultRoutes: tt.routes}).Gateways(); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Gateways() = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestInterfaceUsable(t *testing.T) {
	for _, tt := range []struct {
		it   Interface
		want bool
	}{
		{upIf("eth0"), true},
		{noCarrier(upIf("eth0")), false},
		{adminDown(upIf("eth0")), false},
		{loIf(), false},
	} {
		if got := tt.it.Usable(); got != tt.want {
			t.Errorf("%+v Usable() = %v, want %v", tt.it, got, tt.want)
		}
	}
}

// TestReadSystem reads this machine's configuration (local reads only,
// nothing is sent): loopback must be there, and routes come sorted by
// family then metric.
func TestReadSystem(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	sys := ReadSystem(ctx)
	var lo *Interface
	for i := range sys.Interfaces {
		if sys.Interfaces[i].Loopback {
			lo = &sys.Interfaces[i]
		}
	}
	if lo == nil {
		t.Fatalf("no loopback interface in %+v (errors %v)", sys.Interfaces, sys.Errors)
	}
	if lo.Usable() || !lo.AdminUp {
		t.Errorf("loopback %+v: up but never usable", lo)
	}
	found := false
	for _, p := range lo.Addrs {
		found = found || p == netip.MustParsePrefix("127.0.0.1/8")
	}
	if !found {
		t.Errorf("loopback addresses %v lack 127.0.0.1/8", lo.Addrs)
	}
	for i := 1; i < len(sys.DefaultRoutes); i++ {
		a, b := sys.DefaultRoutes[i-1], sys.DefaultRoutes[i]
		if a.Family > b.Family || a.Family == b.Family && a.Metric > b.Metric {
			t.Errorf("routes not sorted: %+v before %+v", a, b)
		}
	}
}
