package probes

import (
	"net/netip"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/netprobe/netprobe/result"
)

var snapTime = time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)

// Interfaces for hand-built snapshots.
func loIf() Interface {
	return Interface{Name: "lo", Index: 1, MTU: 65536, Kind: "loopback", AdminUp: true, Running: true, Loopback: true,
		Addrs: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/8"), netip.MustParsePrefix("::1/128")}}
}

func upIf(name string, addrs ...string) Interface {
	it := Interface{Name: name, Index: 2, MTU: 1500, MAC: "02:00:00:00:00:01", Kind: "ether", AdminUp: true, Running: true, OperState: "up"}
	for _, a := range addrs {
		it.Addrs = append(it.Addrs, netip.MustParsePrefix(a))
	}
	return it
}

func adminDown(it Interface) Interface {
	it.AdminUp, it.Running, it.OperState = false, false, "down"
	return it
}
func noCarrier(it Interface) Interface { it.Running, it.OperState = false, "lowerlayerdown"; return it }

func TestLink(t *testing.T) {
	type want struct {
		target string
		status result.Status
		detail string
	}
	tests := []struct {
		name string
		sys  System
		want []want
	}{
		{name: "all up", sys: System{Interfaces: []Interface{loIf(), upIf("eth0"), upIf("eth1")}},
			want: []want{{"eth0", result.OK, "eth0 is up (MTU 1500)"}, {"eth1", result.OK, "eth1 is up"}}},
		{name: "only interface switched off", sys: System{Interfaces: []Interface{loIf(), adminDown(upIf("eth0"))}},
			want: []want{{"eth0", result.Fail, "eth0 is switched off (administratively down)"}}},
		{name: "second interface without carrier is not in use", sys: System{Interfaces: []Interface{loIf(), upIf("eth0"), noCarrier(upIf("wlan0"))}},
			want: []want{{"eth0", result.OK, "eth0 is up"},
				{"wlan0", result.Skip, "wlan0 is on but has no link (cable unplugged, Wi-Fi not connected?); not in use"}}},
		{name: "second interface switched off is not in use", sys: System{Interfaces: []Interface{upIf("eth0"), adminDown(upIf("eth1"))}},
			want: []want{{"eth0", result.OK, ""}, {"eth1", result.Skip, "switched off (administratively down); not in use"}}},
		{name: "nothing has a link", sys: System{Interfaces: []Interface{loIf(), adminDown(upIf("eth0")), noCarrier(upIf("wlan0"))}},
			want: []want{{"eth0", result.Fail, "switched off"}, {"wlan0", result.Fail, "has no link"}}},
		{name: "loopback only", sys: System{Interfaces: []Interface{loIf()}, Errors: []string{"interfaces: netlink: boom"}},
			want: []want{{"interfaces", result.Fail, "no network interface other than loopback was found"}}},
		{name: "no interfaces at all", sys: System{},
			want: []want{{"interfaces", result.Fail, "no network interface"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Link(tt.sys, snapTime)
			if len(got) != len(tt.want) {
				t.Fatalf("got %d checks, want %d: %+v", len(got), len(tt.want), got)
			}
			for i, w := range tt.want {
				c := got[i]
				if c.Target != w.target || c.Status != w.status || !strings.Contains(c.Detail, w.detail) {
					t.Errorf("check %d = %s %s %q, want %s %s %q", i, c.Target, c.Status, c.Detail, w.target, w.status, w.detail)
				}
				if w.status == result.Fail && strings.Contains(c.Detail, "not in use") {
					t.Errorf("failing check says %q", c.Detail)
				}
				if c.Name != "link" || c.Layer != result.Link || !c.Started.Equal(snapTime) {
					t.Errorf("name/layer/started = %s/%s/%s", c.Name, c.Layer, c.Started)
				}
			}
		})
	}
	t.Run("evidence", func(t *testing.T) {
		c := Link(System{Interfaces: []Interface{noCarrier(upIf("eth0")), upIf("eth1")}}, snapTime)[0]
		want := map[string]any{"admin_up": true, "running": false, "mtu": 1500, "mac": "02:00:00:00:00:01", "kind": "ether", "oper_state": "lowerlayerdown"}
		if !reflect.DeepEqual(c.Evidence, want) {
			t.Errorf("evidence = %v, want %v", c.Evidence, want)
		}
		if got := Link(System{Errors: []string{"interfaces: netlink: boom"}}, snapTime)[0].Error; got != "interfaces: netlink: boom" {
			t.Errorf("error = %q: the reason interfaces could not be read must reach the check", got)
		}
	})
}
