package probes

import (
	"net/netip"
	"reflect"
	"strings"
	"testing"

	"github.com/netprobe/netprobe/result"
)

func route4(gw, dev string) Route {
	r := Route{Family: 4, Interface: dev}
	if gw != "" {
		r.Gateway = netip.MustParseAddr(gw)
	}
	return r
}

func route6(gw, dev string) Route {
	r := route4(gw, dev)
	r.Family = 6
	return r
}

func TestAddress(t *testing.T) {
	type want struct {
		name, target string
		status       result.Status
		detail       string
	}
	v4r, v6r := route4("192.0.2.1", "eth0"), route6("fe80::1", "eth0")
	tests := []struct {
		name  string
		sys   System
		needs AddressNeeds
		want  []want
	}{
		{name: "all up, dual stack", needs: AddressNeeds{V4: true, V6: true},
			sys: System{Interfaces: []Interface{loIf(), upIf("eth0", "192.0.2.2/24", "2001:db8::2/64", "fe80::2/64")}, DefaultRoutes: []Route{v4r, v6r}},
			want: []want{
				{"address", "eth0", result.OK, "eth0 has 192.0.2.2/24, 2001:db8::2/64"},
				{"route", "IPv4 default route", result.OK, "IPv4 default route via 192.0.2.1 dev eth0"},
				{"route", "IPv6 default route", result.OK, "IPv6 default route via fe80::1 dev eth0"}}},
		{name: "APIPA only: DHCP failed", sys: System{Interfaces: []Interface{upIf("eth0", "169.254.7.8/16", "fe80::2/64")}},
			want: []want{
				{"address", "eth0", result.Fail, "eth0 has only a self-assigned 169.254.x.x address: DHCP did not answer"},
				{"route", "IPv4 default route", result.Fail, "no IPv4 address and no IPv4 default route"},
				{"route", "IPv6 default route", result.Skip, "IPv6 is not needed by this run"}}},
		{name: "APIPA with global IPv6", sys: System{Interfaces: []Interface{upIf("eth0", "169.254.7.8/16", "2001:db8::5/64")}, DefaultRoutes: []Route{v6r}},
			needs: AddressNeeds{V6: true},
			want: []want{
				{"address", "eth0", result.Warn, "no IPv4 address from DHCP (only 169.254.x.x), but has 2001:db8::5/64"},
				{"route", "IPv4 default route", result.Skip, "not needed"},
				{"route", "IPv6 default route", result.OK, "via fe80::1 dev eth0"}}},
		{name: "IPv4 address without default route", sys: System{Interfaces: []Interface{upIf("eth0", "192.0.2.2/24")}},
			want: []want{
				{"address", "eth0", result.OK, "eth0 has 192.0.2.2/24"},
				{"route", "IPv4 default route", result.Fail, "no IPv4 default route: this computer does not know where to send traffic beyond its own network"},
				{"route", "IPv6 default route", result.Skip, "no IPv6 default route (IPv6 is not needed by this run)"}}},
		{name: "IPv6 needed but no IPv6 route", needs: AddressNeeds{V4: true, V6: true},
			sys: System{Interfaces: []Interface{upIf("eth0", "192.0.2.2/24", "2001:db8::2/64")}, DefaultRoutes: []Route{v4r}},
			want: []want{
				{"address", "eth0", result.OK, ""},
				{"route", "IPv4 default route", result.OK, ""},
				{"route", "IPv6 default route", result.Fail, "no IPv6 default route: this computer does not know"}}},
		{name: "IPv6 needed, no IPv6 at all", needs: AddressNeeds{V6: true},
			sys: System{Interfaces: []Interface{upIf("eth0", "192.0.2.2/24")}, DefaultRoutes: []Route{v4r}},
			want: []want{
				{"address", "eth0", result.OK, ""},
				{"route", "IPv4 default route", result.OK, ""},
				{"route", "IPv6 default route", result.Fail, "no IPv6 address and no IPv6 default route: this computer has no IPv6 configuration"}}},
		{name: "route without a usable address", needs: AddressNeeds{V6: true},
			sys: System{Interfaces: []Interface{upIf("eth0", "2001:db8::2/64")}, DefaultRoutes: []Route{v4r, v6r}},
			want: []want{
				{"address", "eth0", result.OK, ""},
				{"route", "IPv4 default route", result.Warn, "IPv4 default route via 192.0.2.1 dev eth0, but no usable IPv4 address"},
				{"route", "IPv6 default route", result.OK, ""}}},
		{name: "route without a usable address when that family is needed", needs: AddressNeeds{V4: true},
			sys: System{Interfaces: []Interface{upIf("eth0", "2001:db8::2/64")}, DefaultRoutes: []Route{v4r}},
			want: []want{
				{"address", "eth0", result.OK, ""},
				{"route", "IPv4 default route", result.Fail, "but no usable IPv4 address"},
				{"route", "IPv6 default route", result.Skip, ""}}},
		{name: "device route (no gateway)", sys: System{Interfaces: []Interface{upIf("wg0", "10.9.0.2/32")}, DefaultRoutes: []Route{route4("", "wg0")}},
			want: []want{
				{"address", "wg0", result.OK, ""},
				{"route", "IPv4 default route", result.OK, "IPv4 default route via wg0"},
				{"route", "IPv6 default route", result.Skip, ""}}},
		{name: "link-local only: no usable address", sys: System{Interfaces: []Interface{loIf(), upIf("eth0", "fe80::2/64")}},
			want: []want{
				{"address", "eth0", result.Fail, "eth0 has no routable address (link-local only)"},
				{"route", "IPv4 default route", result.Fail, "no IPv4 address"},
				{"route", "IPv6 default route", result.Skip, ""}}},
		{name: "link-local second interface is not in use", sys: System{Interfaces: []Interface{upIf("eth0", "192.0.2.2/24"), upIf("eth1", "fe80::3/64")}, DefaultRoutes: []Route{v4r}},
			want: []want{
				{"address", "eth0", result.OK, ""},
				{"address", "eth1", result.Skip, "eth1 has no routable address (link-local only); not in use"},
				{"route", "IPv4 default route", result.OK, ""},
				{"route", "IPv6 default route", result.Skip, ""}}},
		{name: "down interfaces are not judged here", sys: System{Interfaces: []Interface{loIf(), adminDown(upIf("eth0", "192.0.2.2/24"))}},
			want: []want{
				{"address", "interfaces", result.Fail, "no interface has a usable IP address"},
				{"route", "IPv4 default route", result.Fail, ""},
				{"route", "IPv6 default route", result.Skip, ""}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Address(tt.sys, tt.needs, snapTime)
			if len(got) != len(tt.want) {
				for _, c := range got {
					t.Logf("got %s %s %s %q", c.Name, c.Target, c.Status, c.Detail)
				}
				t.Fatalf("got %d checks, want %d", len(got), len(tt.want))
			}
			for i, w := range tt.want {
				c := got[i]
				if c.Name != w.name || c.Target != w.target || c.Status != w.status || !strings.Contains(c.Detail, w.detail) {
					t.Errorf("check %d = %s %s %s %q, want %s %s %s %q", i, c.Name, c.Target, c.Status, c.Detail, w.name, w.target, w.status, w.detail)
				}
				if c.Status == result.Fail && strings.Contains(c.Detail, "not in use") {
					t.Errorf("check %d fails but says %q", i, c.Detail)
				}
				if c.Layer != result.Address || !c.Started.Equal(snapTime) {
					t.Errorf("check %d layer/started = %s/%s", i, c.Layer, c.Started)
				}
			}
		})
	}
}

func TestAddressEvidence(t *testing.T) {
	sys := System{Interfaces: []Interface{upIf("eth0", "169.254.7.8/16", "fe80::2/64")}, DefaultRoutes: []Route{route6("fe80::1", "eth0")}}
	got := Address(sys, AddressNeeds{V4: true}, snapTime)
	if want := map[string]any{"addresses": []string{"169.254.7.8/16", "fe80::2/64"}, "apipa": true}; !reflect.DeepEqual(got[0].Evidence, want) {
		t.Errorf("address evidence = %v, want %v", got[0].Evidence, want)
	}
	if want := map[string]any{"default_route_v4": false, "routes": []string{}}; !reflect.DeepEqual(got[1].Evidence, want) {
		t.Errorf("v4 route evidence = %v, want %v", got[1].Evidence, want)
	}
	if want := map[string]any{"default_route_v6": true, "routes": []string{"fe80::1 dev eth0"}}; !reflect.DeepEqual(got[2].Evidence, want) {
		t.Errorf("v6 route evidence = %v, want %v", got[2].Evidence, want)
	}
}
