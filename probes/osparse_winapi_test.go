package probes

import (
	"net/netip"
	"reflect"
	"testing"
)

// The Windows reader copies the IP Helper API's records into winAdapter
// and winRoute; these tests give the conversions records shaped like the
// ones the API returns for the dual-stack laptop of
// testdata/os/windows/*-dualstack-en.txt (Ethernet up, Wi-Fi without a
// link, a VPN adapter, loopback).
var testAdapters = []winAdapter{
	{Index: 12, Index6: 12, Name: "Ethernet", Desc: "Intel(R) Ethernet Connection (4) I219-LM", MAC: "3c:52:82:6a:1f:0e", MTU: 1500,
		IfType: winIfEthernet, OperStatus: winOperUp, Metric4: 25, Metric6: 25,
		Addrs:    []netip.Prefix{netip.MustParsePrefix("192.168.1.23/24"), netip.MustParsePrefix("fe80::1c2d:3e4f:5a6b:7c8d/64")},
		Gateways: ips("fe80::1", "192.168.1.1"), DNS: ips("192.168.1.1", "fe80::53")},
	{Index: 18, Index6: 18, Name: "Wi-Fi", MAC: "f8:59:71:0d:4a:21", MTU: 1500, IfType: winIfIEEE80211, OperStatus: winOperDown,
		Metric4: 35, Metric6: 35, Gateways: ips("192.168.9.1"), DNS: ips("192.168.9.1")},
	{Index: 25, Index6: 25, Name: "VPN", MTU: 1400, IfType: winIfPropVirtual, OperStatus: winOperUp, Metric4: 5, Metric6: 5,
		Gateways: ips("10.20.0.1"), DNS: ips("10.20.0.2", "fec0:0:0:ffff::1", "192.168.1.1")},
	{Index: 1, Index6: 1, Name: "Loopback Pseudo-Interface 1", MTU: -1, IfType: winIfLoopback, OperStatus: winOperUp, Metric4: 75, Metric6: 75,
		Addrs: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/8")}},
}

func TestInterfacesFromAdapters(t *testing.T) {
	got := interfacesFromAdapters(testAdapters)
	want := []Interface{
		{Name: "Ethernet", Index: 12, MAC: "3c:52:82:6a:1f:0e", MTU: 1500, Kind: "ether", AdminUp: true, Running: true, OperState: "up", Addrs: testAdapters[0].Addrs},
		// No link is "no carrier", not "switched off": the adapter is
		// enabled, or the API would not list it.
		{Name: "Wi-Fi", Index: 18, MAC: "f8:59:71:0d:4a:21", MTU: 1500, Kind: "wireless", AdminUp: true, OperState: "down"},
		{Name: "VPN", Index: 25, MTU: 1400, Kind: "virtual", AdminUp: true, Running: true, OperState: "up"},
		{Name: "Loopback Pseudo-Interface 1", Index: 1, MTU: -1, Kind: "loopback", AdminUp: true, Running: true, OperState: "up", Loopback: true, Addrs: testAdapters[3].Addrs},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("\n got %+v\nwant %+v", got, want)
	}
	if checks := Link(System{Interfaces: got}, now()); checks[1].Reason != "link.no_carrier" {
		t.Errorf("Wi-Fi without a link: reason %q, want link.no_carrier", checks[1].Reason)
	}
}

func TestRoutesFromWinTable(t *testing.T) {
	p := netip.MustParsePrefix
	table := []winRoute{
		{Dst: p("0.0.0.0/0"), NextHop: ip("192.168.1.1"), IfIndex: 12, Metric: 0},
		{Dst: p("0.0.0.0/0"), NextHop: ip("192.168.9.1"), IfIndex: 18, Metric: 0}, // adapter down: not in effect
		{Dst: p("0.0.0.0/0"), NextHop: ip("10.20.0.1"), IfIndex: 25, Metric: 45},
		{Dst: p("::/0"), NextHop: ip("fe80::1"), IfIndex: 12, Metric: 256},
		{Dst: p("::/0"), NextHop: ip("::"), IfIndex: 25, Metric: 0},                // on-link
		{Dst: p("0.0.0.0/0"), NextHop: ip("198.51.100.1"), IfIndex: 99, Metric: 7}, // unknown adapter: kept, by index
		{Dst: p("192.168.1.0/24"), NextHop: ip("0.0.0.0"), IfIndex: 12, Metric: 256},
		{Dst: p("::1/128"), NextHop: ip("::"), IfIndex: 1, Metric: 256},
		{Dst: p("0.0.0.0/0"), NextHop: ip("::1"), IfIndex: 12}, // next hop of the wrong family: no gateway
	}
	got := routesFromWinTable(table, testAdapters)
	want := []Route{
		rt(4, "192.168.1.1", "Ethernet", 25), rt(4, "10.20.0.1", "VPN", 50), rt(6, "fe80::1", "Ethernet", 281),
		rt(6, "", "VPN", 5), rt(4, "198.51.100.1", "99", 7), rt(4, "", "Ethernet", 25),
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("\n got %+v\nwant %+v", got, want)
	}
	if gws := (System{DefaultRoutes: got}).Gateways(); !reflect.DeepEqual(gws, ips("192.168.1.1", "10.20.0.1", "198.51.100.1", "fe80::1%Ethernet")) {
		t.Errorf("gateways %v", gws)
	}
}

func TestRoutesFromAdapters(t *testing.T) {
	want := []Route{rt(6, "fe80::1", "Ethernet", 25), rt(4, "192.168.1.1", "Ethernet", 25), rt(4, "10.20.0.1", "VPN", 5)}
	if got := routesFromAdapters(testAdapters); !reflect.DeepEqual(got, want) {
		t.Errorf("\n got %+v\nwant %+v", got, want)
	}
}

func TestResolversFromAdapters(t *testing.T) {
	want := []Resolver{
		{Addr: netip.MustParseAddrPort("192.168.1.1:53"), Source: "adapter Ethernet"},
		{Addr: netip.AddrPortFrom(ip("fe80::53%12"), 53), Source: "adapter Ethernet"},
		{Addr: netip.MustParseAddrPort("10.20.0.2:53"), Source: "adapter VPN"},
	}
	if got := resolversFromAdapters(testAdapters); !reflect.DeepEqual(got, want) {
		t.Errorf("\n got %+v\nwant %+v", got, want)
	}
}

func TestRoutesFromRIB(t *testing.T) {
	names := map[int]string{1: "lo0", 6: "en0", 7: "en7", 21: "utun4"}
	name := func(i int) string { return names[i] }
	zero4, zero6 := []byte{0, 0, 0, 0}, make([]byte, 16)
	rs := []ribRoute{
		{Dst: ip("0.0.0.0"), Mask: zero4, Gateway: ip("192.168.1.1"), IfIndex: 6, Up: true, HasGateway: true},
		{Dst: ip("0.0.0.0"), Mask: zero4, Gateway: ip("192.168.1.1"), IfIndex: 7, Up: true, HasGateway: true, IfScope: true},
		{Dst: ip("0.0.0.0"), Mask: nil, IfIndex: 21, Up: true},                                    // through an interface
		{Dst: ip("0.0.0.0"), Mask: zero4, Gateway: ip("192.0.2.1"), IfIndex: 6, HasGateway: true}, // not up
		{Dst: ip("0.0.0.0"), Mask: zero4, Gateway: ip("192.0.2.2"), IfIndex: 6, Up: true, HasGateway: true, Reject: true},
		{Dst: ip("0.0.0.0"), Gateway: ip("192.0.2.3"), IfIndex: 6, Up: true, HasGateway: true, Host: true}, // host route to 0.0.0.0
		{Dst: ip("10.0.0.0"), Mask: []byte{255, 0, 0, 0}, Gateway: ip("192.0.2.4"), IfIndex: 6, Up: true, HasGateway: true},
		{Dst: ip("0.0.0.0"), Mask: []byte{128, 0, 0, 0}, Gateway: ip("192.0.2.5"), IfIndex: 21, Up: true, HasGateway: true}, // 0/1
		{Dst: ip("::"), Mask: zero6, Gateway: ip("fe80::a6b1:c1ff:fe22:3344"), IfIndex: 6, Up: true, HasGateway: true},
		{Dst: ip("::"), Mask: zero6, Gateway: ip("fe80::"), IfIndex: 21, Up: true, HasGateway: true}, // bare fe80:: of a tunnel
		{Dst: ip("::1"), Gateway: ip("::1"), IfIndex: 1, Up: true, Host: true},
	}
	want := []Route{rt(4, "192.168.1.1", "en0", 0), rt(4, "", "utun4", 0), rt(6, "fe80::a6b1:c1ff:fe22:3344%en0", "en0", 0), rt(6, "", "utun4", 0)}
	if got := routesFromRIB(rs, name); !reflect.DeepEqual(got, want) {
		t.Errorf("\n got %+v\nwant %+v", got, want)
	}
}
