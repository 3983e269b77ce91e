package probes

import (
	"bytes"
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// These tests run the per-OS parsers on the samples in testdata/os/ (see
// its README for where each came from) on every OS, Linux CI included.

func osSample(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "os", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func ip(s string) netip.Addr {
	if s == "" {
		return netip.Addr{}
	}
	return netip.MustParseAddr(s)
}

func ips(s ...string) []netip.Addr {
	var out []netip.Addr
	for _, a := range s {
		out = append(out, ip(a))
	}
	return out
}

func rt(fam int, gw, dev string, metric int) Route {
	return Route{Family: fam, Gateway: ip(gw), Interface: dev, Metric: metric}
}

func TestParseRoutePrint(t *testing.T) {
	tests := []struct {
		file   string
		ifaces []routePrintIface
		routes []routePrintRoute
	}{
		{file: "windows/route-print-jackpal-en.txt",
			ifaces: []routePrintIface{{8, "00:12:3f:a7:17:ba", "Intel(R) PRO/100 VE Network Connection"}, {1, "", "Software Loopback Interface 1"}},
			routes: []routePrintRoute{{Family: 4, Gateway: ip("10.88.88.2"), IfAddr: ip("10.88.88.149"), Metric: 10}}},
		{file: "windows/route-print-jackpal-fr.txt",
			ifaces: []routePrintIface{{17, "00:28:f8:39:61:6b", "Microsoft Wi-Fi Direct Virtual Adapter"}, {1, "", "Software Loopback Interface 1"}},
			routes: []routePrintRoute{{Family: 4, Gateway: ip("10.88.88.2"), IfAddr: ip("10.88.88.149"), Metric: 10}}},
		{file: "windows/route-print-win10-gosockaddr.txt",
			ifaces: []routePrintIface{
				{10, "08:00:27:a2:e9:51", "Intel(R) PRO/1000 MT Desktop Adapter"},
				{13, "08:00:27:35:02:ed", "Intel(R) PRO/1000 MT Desktop Adapter #2"},
				{1, "", "Software Loopback Interface 1"},
				{5, "00:00:00:00:00:00:00:e0", "Microsoft ISATAP Adapter"},
				{8, "00:00:00:00:00:00:00:e0", "Microsoft ISATAP Adapter #3"}},
			// Its IPv6 table has no default route, and the wrapped
			// host routes must not be mistaken for one.
			routes: []routePrintRoute{{Family: 4, Gateway: ip("10.0.2.2"), IfAddr: ip("10.0.2.15"), Metric: 25}}},
		{file: "windows/route-print-dualstack-en.txt",
			ifaces: []routePrintIface{
				{12, "3c:52:82:6a:1f:0e", "Intel(R) Ethernet Connection (4) I219-LM"},
				{18, "f8:59:71:0d:4a:21", "Intel(R) Wi-Fi 6 AX201 160MHz"},
				{25, "00:ff:3a:51:9c:02", "TAP-Windows Adapter V9"},
				{1, "", "Software Loopback Interface 1"}},
			// The persistent routes (0.0.0.0 via 192.168.9.1, ::/0 via
			// 2001:db8:ffff::1) are configured, not in effect.
			routes: []routePrintRoute{
				{Family: 4, Gateway: ip("192.168.1.1"), IfAddr: ip("192.168.1.23"), Metric: 25},
				{Family: 4, Gateway: ip("10.20.0.1"), IfAddr: ip("10.20.0.57"), Metric: 50},
				{Family: 6, Gateway: ip("fe80::1"), IfIndex: 12, Metric: 281},
				{Family: 6, IfIndex: 25, Metric: 306}}},
		{file: "windows/route-print-de-cp850-crlf.txt",
			ifaces: []routePrintIface{
				{7, "00:d8:61:12:34:56", "Realtek PCIe GbE Family Controller"},
				{19, "00:ff:7e:11:22:33", "WireGuard Tunnel"},
				{1, "", "Software Loopback Interface 1"}},
			routes: []routePrintRoute{
				{Family: 4, Gateway: ip("192.168.178.1"), IfAddr: ip("192.168.178.20"), Metric: 25},
				{Family: 4, IfAddr: ip("10.8.0.6"), Metric: 5}, // "Auf Verbindung": on-link
				{Family: 6, Gateway: ip("fe80::3a10:d5ff:fe01:2345"), IfIndex: 7, Metric: 281}}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			got := parseRoutePrint(osSample(t, tt.file))
			if !reflect.DeepEqual(got.Interfaces, tt.ifaces) {
				t.Errorf("interfaces\n got %+v\nwant %+v", got.Interfaces, tt.ifaces)
			}
			if !reflect.DeepEqual(got.Routes, tt.routes) {
				t.Errorf("routes\n got %+v\nwant %+v", got.Routes, tt.routes)
			}
		})
	}
}

func TestParseRoutePrintWrappedDefault(t *testing.T) {
	// A default route whose gateway wrapped onto the next line, the way
	// route print wraps long destinations, and one cut off at the end.
	in := "IPv6 Route Table\n====\nActive Routes:\n If Metric Network Destination      Gateway\n  9    25 ::/0\n                                    fe80::9\n 11    35 ::/0\n"
	want := []routePrintRoute{{Family: 6, Gateway: ip("fe80::9"), IfIndex: 9, Metric: 25}, {Family: 6, IfIndex: 11, Metric: 35}}
	if got := parseRoutePrint([]byte(in)).Routes; !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v, want %+v", got, want)
	}
}

func TestParseIpconfig(t *testing.T) {
	type brief struct {
		Name, Desc, MAC string
		Disconnected    bool
		Gateways, DNS   []netip.Addr
	}
	tests := []struct {
		file string
		want []brief
	}{
		{"windows/ipconfig-win10-gosockaddr.txt", []brief{
			{Name: "Ethernet", Gateways: ips("10.0.2.2")},
			{Name: "Ethernet 2"},
			{Name: "isatap.host.example.org", Disconnected: true},
			{Name: "Reusable ISATAP Interface {F3F2E4A5-8823-40E5-87EA-1F6881BACC95}", Disconnected: true}}},
		{"windows/ipconfig-all-dualstack-en.txt", []brief{
			{Name: "Ethernet", Desc: "Intel(R) Ethernet Connection (4) I219-LM", MAC: "3c:52:82:6a:1f:0e",
				Gateways: ips("fe80::1%12", "192.168.1.1"), DNS: ips("192.168.1.1", "2001:db8:1234:5600::1")},
			{Name: "Wi-Fi", Desc: "Intel(R) Wi-Fi 6 AX201 160MHz", MAC: "f8:59:71:0d:4a:21", Disconnected: true},
			// The fec0:0:0:ffff::1-3 placeholders are no servers.
			{Name: "VPN", Desc: "TAP-Windows Adapter V9", MAC: "00:ff:3a:51:9c:02", Gateways: ips("10.20.0.1"), DNS: ips("10.20.0.2")}}},
		{"windows/ipconfig-all-de-cp850-crlf.txt", []brief{
			{Name: "Ethernet", Desc: "Realtek PCIe GbE Family Controller", MAC: "00:d8:61:12:34:56",
				Gateways: ips("fe80::3a10:d5ff:fe01:2345%7", "192.168.178.1"), DNS: ips("fd00::3a10:d5ff:fe01:2345", "192.168.178.1")},
			{Name: "WLAN", Desc: "Intel(R) Wireless-AC 9560 160MHz", MAC: "14:f6:d8:aa:bb:cc", Disconnected: true}}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			var got []brief
			for _, a := range parseIpconfig(osSample(t, tt.file)) {
				got = append(got, brief{a.Name, a.Desc, a.MAC, a.Disconnected, a.Gateways, a.DNS})
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("\n got %+v\nwant %+v", got, tt.want)
			}
		})
	}
	t.Run("addresses", func(t *testing.T) {
		ads := parseIpconfig(osSample(t, "windows/ipconfig-all-dualstack-en.txt"))
		want := ips("2001:db8:1234:5600:1c2d:3e4f:5a6b:7c8d", "2001:db8:1234:5600:d1e2:f3a4:b5c6:d7e8", "fe80::1c2d:3e4f:5a6b:7c8d%12", "192.168.1.23")
		if !reflect.DeepEqual(ads[0].Addrs, want) {
			t.Errorf("addrs %v, want %v", ads[0].Addrs, want)
		}
	})
}

func TestCutLabel(t *testing.T) {
	for _, tt := range []struct{ line, label, value string }{
		{"   Default Gateway . . . . . . . . . : fe80::1%12", "Default Gateway", "fe80::1%12"},
		{"   Lease Obtained. . . . . . . . . . : Friday, 2 January 2026 08:14:03", "Lease Obtained", "Friday, 2 January 2026 08:14:03"},
		{"   Verbindungsspezifisches DNS-Suffix: fritz.box", "Verbindungsspezifisches DNS-Suffix", "fritz.box"},
		{"   Vínculo: dirección IPv6 local. . . : fe80::1%4", "Vínculo: dirección IPv6 local", "fe80::1%4"},
		{"   Passerelle par défaut. . . . . . . . . :", "Passerelle par défaut", ""},
		{"                                       2001:db8::1", "", ""},
		{"                                       ::1", "", ""},
	} {
		label, value, ok := cutLabel(tt.line)
		if label != tt.label || value != tt.value || ok != (tt.label != "") {
			t.Errorf("cutLabel(%q) = %q, %q, %v; want %q, %q", tt.line, label, value, ok, tt.label, tt.value)
		}
	}
}

func TestIpconfigFieldLanguages(t *testing.T) {
	for label, want := range map[string]string{
		"Default Gateway": "gateway", "Standardgateway": "gateway", "Passerelle par d\x82faut": "gateway",
		"Passerelle par défaut": "gateway", "Puerta de enlace predeterminada": "gateway",
		"DNS Servers": "dns", "DNS-Server": "dns", "Serveurs DNS": "dns", "Servidores DNS": "dns",
		"Connection-specific DNS Suffix": "", "DHCP Server": "", "DHCPv6 IAID": "", "Primary Dns Suffix": "",
		"Description": "desc", "Beschreibung": "desc", "Physical Address": "mac", "Physische Adresse": "mac",
		"Media State": "media", "Medienstatus": "media", "IPv4 Address": "addr", "Verbindungslokale IPv6-Adresse": "addr",
		"NetBIOS over Tcpip": "",
	} {
		if got := ipconfigField(label); got != want {
			t.Errorf("ipconfigField(%q) = %q, want %q", label, got, want)
		}
	}
}

func TestParseNetshConfig(t *testing.T) {
	tests := []struct {
		file string
		want []netshInterface
	}{
		{"windows/netsh-ip-show-config-en.txt", []netshInterface{
			{Name: "Ethernet", Addrs: ips("192.168.1.23"), Gateways: ips("192.168.1.1"), GatewayMetric: 0, InterfaceMetric: 25, DNS: ips("192.168.1.1", "192.168.1.2")},
			{Name: "Wi-Fi", GatewayMetric: -1, InterfaceMetric: 35},
			{Name: "Loopback Pseudo-Interface 1", Addrs: ips("127.0.0.1"), GatewayMetric: -1, InterfaceMetric: 75}}},
		{"windows/netsh-ip-show-config-de-cp850-crlf.txt", []netshInterface{
			{Name: "Ethernet", Addrs: ips("192.168.178.20"), Gateways: ips("192.168.178.1"), GatewayMetric: 0, InterfaceMetric: 25, DNS: ips("192.168.178.1")}}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			if got := parseNetshConfig(osSample(t, tt.file)); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("\n got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

// TestWindowsTextFallback joins route print with ipconfig /all, as the
// Windows reader does when the IP Helper API fails: IPv4 routes are named
// by their interface address, IPv6 routes by index through the interface
// list's description.
func TestWindowsTextFallback(t *testing.T) {
	tests := []struct {
		name, routes, ipconfig string
		want                   []Route
	}{
		{"english dual stack", "windows/route-print-dualstack-en.txt", "windows/ipconfig-all-dualstack-en.txt", []Route{
			rt(4, "192.168.1.1", "Ethernet", 25), rt(4, "10.20.0.1", "VPN", 50),
			rt(6, "fe80::1", "Ethernet", 281), rt(6, "", "VPN", 306)}},
		{"german, on-link VPN default without an ipconfig entry", "windows/route-print-de-cp850-crlf.txt", "windows/ipconfig-all-de-cp850-crlf.txt", []Route{
			rt(4, "192.168.178.1", "Ethernet", 25), rt(4, "", "10.8.0.6", 5), rt(6, "fe80::3a10:d5ff:fe01:2345", "Ethernet", 281)}},
		{"real Windows 10 sample", "windows/route-print-win10-gosockaddr.txt", "windows/ipconfig-win10-gosockaddr.txt", []Route{
			rt(4, "10.0.2.2", "Ethernet", 25)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := routesFromRoutePrint(parseRoutePrint(osSample(t, tt.routes)), parseIpconfig(osSample(t, tt.ipconfig)))
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("\n got %+v\nwant %+v", got, tt.want)
			}
			// The IPv6 gateway is reachable once named: Gateways() zones
			// it with its interface.
			for _, g := range (System{DefaultRoutes: got}).Gateways() {
				if g.Is6() && g.IsLinkLocalUnicast() && g.Zone() == "" {
					t.Errorf("link-local gateway %s without zone", g)
				}
			}
		})
	}
	t.Run("ipconfig only", func(t *testing.T) {
		got := routesFromIpconfig(parseIpconfig(osSample(t, "windows/ipconfig-all-dualstack-en.txt")))
		want := []Route{rt(6, "fe80::1%12", "Ethernet", 0), rt(4, "192.168.1.1", "Ethernet", 0), rt(4, "10.20.0.1", "VPN", 0)}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("\n got %+v\nwant %+v", got, want)
		}
		rs := resolversFromIpconfig(parseIpconfig(osSample(t, "windows/ipconfig-all-dualstack-en.txt")))
		wantRS := []Resolver{
			{Addr: netip.MustParseAddrPort("192.168.1.1:53"), Source: "ipconfig /all (Ethernet)"},
			{Addr: netip.MustParseAddrPort("[2001:db8:1234:5600::1]:53"), Source: "ipconfig /all (Ethernet)"},
			{Addr: netip.MustParseAddrPort("10.20.0.2:53"), Source: "ipconfig /all (VPN)"}}
		if !reflect.DeepEqual(rs, wantRS) {
			t.Errorf("resolvers\n got %+v\nwant %+v", rs, wantRS)
		}
	})
	t.Run("netsh only", func(t *testing.T) {
		ns := parseNetshConfig(osSample(t, "windows/netsh-ip-show-config-en.txt"))
		if got, want := routesFromNetsh(ns), []Route{rt(4, "192.168.1.1", "Ethernet", 25)}; !reflect.DeepEqual(got, want) {
			t.Errorf("routes %+v, want %+v", got, want)
		}
		want := []Resolver{{Addr: netip.MustParseAddrPort("192.168.1.1:53"), Source: "netsh (Ethernet)"}, {Addr: netip.MustParseAddrPort("192.168.1.2:53"), Source: "netsh (Ethernet)"}}
		if got := resolversFromNetsh(ns); !reflect.DeepEqual(got, want) {
			t.Errorf("resolvers %+v, want %+v", got, want)
		}
	})
}

func TestParseNetstatRoutes(t *testing.T) {
	tests := []struct {
		file string
		want []Route
	}{
		// The VPN's interface-scoped default (UCSI, link#14) is not the
		// machine's default route.
		{"darwin/netstat-rn-inet-tailscale.txt", []Route{rt(4, "10.0.0.1", "en0", 0)}},
		// Scoped defaults of a second interface (en7) and of the utun
		// helpers are left out; the IPv6 gateway keeps its zone.
		{"darwin/netstat-rn-dualstack.txt", []Route{rt(4, "192.168.1.1", "en0", 0), rt(6, "fe80::a6b1:c1ff:fe22:3344%en0", "en0", 0)}},
		// A full-tunnel VPN: the defaults go through utun4 without a
		// next hop (link#21; the bare fe80::%utun4).
		{"darwin/netstat-rn-vpn-full-tunnel.txt", []Route{rt(4, "", "utun4", 0), rt(6, "", "utun4", 0)}},
		{"freebsd/netstat-rn-jackpal.txt", []Route{rt(4, "10.88.88.2", "em0", 0)}},
		{"freebsd/netstat-rn-dualstack.txt", []Route{rt(4, "192.168.1.1", "em0", 0), rt(6, "fe80::a6b1:c1ff:fe22:3344%em0", "em0", 0)}},
		{"openbsd/netstat-rn-dualstack.txt", []Route{rt(4, "192.168.1.1", "em0", 0), rt(6, "fe80::a6b1:c1ff:fe22:3344%em0", "em0", 0)}},
		{"netbsd/netstat-rn-dualstack.txt", []Route{rt(4, "10.0.2.2", "wm0", 0), rt(6, "fe80::2%wm0", "wm0", 0)}},
		{"solaris/netstat-rn-jackpal.txt", []Route{rt(4, "172.16.32.1", "net0", 0)}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			if got := parseNetstatRoutes(osSample(t, tt.file)); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("\n got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestScutilDNSResolvers(t *testing.T) {
	res := func(ap, src string) Resolver { return Resolver{Addr: netip.MustParseAddrPort(ap), Source: src} }
	tests := []struct {
		file string
		want []Resolver
		note string
	}{
		// mDNS resolvers ("local", the reverse zones) have no servers to
		// test; the scoped copy of resolver #1 adds nothing new.
		{"darwin/scutil-dns-home.txt", []Resolver{
			res("192.168.1.1:53", "scutil --dns (resolver #1, en0)"),
			res("[fd00::3a10:d5ff:fe01:2345]:53", "scutil --dns (resolver #1, en0)")}, ""},
		// Split DNS: the VPN's supplemental resolvers and the local
		// resolver for .test (port 5353) answer only their domains.
		{"darwin/scutil-dns-vpn-split.txt", []Resolver{res("192.168.1.1:53", "scutil --dns (resolver #2, en0)")},
			"2 more resolvers serve only their own domains (corp.example, test) and are not tested with other names"},
		{"darwin/scutil-dns-scoped-only.txt", []Resolver{
			{Addr: netip.AddrPortFrom(ip("fe80::3a10:d5ff:fe01:2345%en0"), 53), Source: "scutil --dns (scoped resolver #1, en0)"},
			res("192.168.1.1:53", "scutil --dns (scoped resolver #1, en0)")}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			got, note := scutilDNSResolvers(osSample(t, tt.file))
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("\n got %+v\nwant %+v", got, tt.want)
			}
			if note != tt.note {
				t.Errorf("note %q, want %q", note, tt.note)
			}
		})
	}
	t.Run("port of a general resolver", func(t *testing.T) {
		in := "DNS configuration\n\nresolver #1\n  nameserver[0] : 127.0.0.1\n  port     : 5300\n"
		got, _ := scutilDNSResolvers([]byte(in))
		if len(got) != 1 || got[0].Addr != netip.MustParseAddrPort("127.0.0.1:5300") {
			t.Errorf("got %+v", got)
		}
	})
}

func TestParseResolvConfSamples(t *testing.T) {
	tests := []struct {
		file string
		want []string
	}{
		{"unix/resolv.conf-go-stdlib.txt", []string{"8.8.8.8:53", "[2001:4860:4860::8888]:53", "[fe80::1%lo0]:53"}},
		{"openbsd/resolv.conf-go-stdlib.txt", []string{"169.254.169.254:53", "10.240.0.1:53"}},
		{"darwin/resolv.conf-macos.txt", []string{"192.168.1.1:53", "[fe80::3a10:d5ff:fe01:2345%en0]:53"}},
		{"unix/resolv.conf-networkmanager.txt", []string{"192.168.1.1:53", "10.20.0.2:53", "[2001:db8:1234:5600::1]:53", "10.20.0.3:53"}},
		// ';' and '#' comments, tabs, CRLF; only the first address of a
		// line counts.
		{"unix/resolv.conf-crlf-comments.txt", []string{"192.0.2.1:53", "192.0.2.2:53", "[2001:db8::53%eth0]:53"}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			var got []string
			for _, r := range ParseResolvConf(bytes.NewReader(osSample(t, tt.file)), "t") {
				got = append(got, r.Addr.String())
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
	t.Run("libc uses three", func(t *testing.T) {
		rs, note, err := resolvConfResolvers(filepath.Join("testdata", "os", "unix", "resolv.conf-networkmanager.txt"), "")
		if err != nil || len(rs) != 3 || rs[2].Addr.String() != "[2001:db8:1234:5600::1]:53" {
			t.Fatalf("resolvers %v, err %v", rs, err)
		}
		if !strings.Contains(note, "lists 4 nameservers") || !strings.Contains(note, "only the first 3") {
			t.Errorf("note %q", note)
		}
	})
	t.Run("a long line does not end the file", func(t *testing.T) {
		in := "# " + strings.Repeat("x", 200_000) + "\nnameserver 192.0.2.9\n"
		if got := ParseResolvConf(strings.NewReader(in), "t"); len(got) != 1 {
			t.Errorf("got %v", got)
		}
	})
}
