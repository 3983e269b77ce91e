package probes

import (
	"net"
	"net/netip"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/netprobe/netprobe/internal/testnet"

	"github.com/netprobe/netprobe/result"
)

var (
	lo4 = netip.MustParseAddr("127.0.0.1")
	lo6 = netip.MustParseAddr("::1")
)

// icmpAllowed returns DetectICMP's answer, or skips when this process may
// not ping at all.
func icmpAllowed(t *testing.T) ICMPPermission {
	t.Helper()
	perm := DetectICMP()
	if perm.Mode == ICMPDenied {
		t.Skipf("ICMP not permitted here (%s); the echo path is not tested", perm.Reason)
	}
	return perm
}

func TestDetectICMP(t *testing.T) {
	perm := DetectICMP()
	switch perm.Mode {
	case ICMPPrivileged, ICMPUnprivileged:
		if perm.Reason != "" {
			t.Errorf("mode %s with reason %q: a reason belongs to denied only", perm.Mode, perm.Reason)
		}
	case ICMPDenied:
		// The denial's wording can only be checked without root and
		// without ping_group_range; as root this branch is not reached.
		if perm.Reason == "" {
			t.Error("denied without a reason")
		}
	default:
		t.Errorf("mode = %q", perm.Mode)
	}
}

func TestPingICMP(t *testing.T) {
	t.Parallel()
	perm := icmpAllowed(t)
	for _, tt := range []struct {
		name string
		addr netip.Addr
	}{{"IPv4", lo4}, {"IPv6", lo6}} {
		t.Run(tt.name, func(t *testing.T) {
			if tt.addr.Is6() && !hasLoopback6() {
				t.Skip("no ::1 here")
			}
			c := Ping(longCtx(t), tt.addr, PingOptions{Layer: result.Gateway, Count: 3, Interval: 20 * time.Millisecond, Permission: perm})
			if c.Status != result.OK {
				t.Fatalf("status %s: %s (error %q)", c.Status, c.Detail, c.Error)
			}
			want := map[string]any{"method": "icmp", "sent": 3, "received": 3, "loss_pct": 0.0, "icmp_permission": perm.Mode}
			for k, v := range want {
				if got := c.Evidence[k]; !reflect.DeepEqual(got, v) {
					t.Errorf("evidence %s = %#v, want %#v", k, got, v)
				}
			}
			for _, k := range []string{"min_ms", "avg_ms", "max_ms", "rtt_ms"} {
				if _, ok := c.Evidence[k].(float64); !ok {
					t.Errorf("evidence %s = %#v, want a float64", k, c.Evidence[k])
				}
			}
			if !strings.HasPrefix(c.Detail, tt.addr.String()+" answers ping: 3/3 replies, avg ") {
				t.Errorf("detail = %q", c.Detail)
			}
			if c.Name != "ping" || c.Layer != result.Gateway || c.Target != tt.addr.String() {
				t.Errorf("name/layer/target = %s/%s/%s", c.Name, c.Layer, c.Target)
			}
			if _, ok := c.Evidence["tcp_ports"]; ok {
				t.Error("TCP fallback ran although ping answered")
			}
		})
	}
	t.Run("slower than the warn threshold", func(t *testing.T) {
		// Any real round trip takes longer than a nanosecond.
		c := Ping(longCtx(t), lo4, PingOptions{Count: 2, Permission: perm, RTTWarn: time.Nanosecond})
		if c.Status != result.Warn || !strings.Contains(c.Detail, "answers ping, but slow: average") {
			t.Errorf("status %s: %s", c.Status, c.Detail)
		}
	})
}

func hasLoopback6() bool {
	c, err := net.ListenPacket("udp", "[::1]:0")
	if err != nil {
		return false
	}
	c.Close()
	return true
}

func TestPingTCPFallback(t *testing.T) {
	t.Parallel()
	open, closed, filtered := testnet.OpenTCP(t), testnet.ClosedTCP(t), filteredTCP(t)
	denied := ICMPPermission{Mode: ICMPDenied, Reason: "ping not permitted (test)"}
	tests := []struct {
		name     string
		ports    []int
		short    bool
		status   result.Status
		reason   result.Reason
		method   string
		tcpPort  int
		detail   string
		tcpPorts map[string]string
	}{
		{name: "open port proves the host", ports: []int{open}, status: result.OK, method: "tcp", tcpPort: open,
			detail:   "127.0.0.1 could not be pinged (ICMP not permitted for this user), but answers TCP on port " + itoa(open) + " (open, ",
			tcpPorts: map[string]string{itoa(open): "open"}},
		{name: "a reset proves the host too", ports: []int{closed}, status: result.OK, method: "tcp", tcpPort: closed,
			detail: "answers TCP on port " + itoa(closed) + " (closed, ", tcpPorts: map[string]string{itoa(closed): "closed"}},
		{name: "silent port does not", ports: []int{filtered}, short: true, status: result.Fail, reason: result.ReasonInternetNoReply, method: "none",
			detail:   "127.0.0.1 does not answer on TCP ports " + itoa(filtered) + " (ICMP not permitted for this user)",
			tcpPorts: map[string]string{itoa(filtered): "filtered"}},
		{name: "no fallback ports: not measured, not a failure", status: result.Skip, reason: result.ReasonInternetNotMeasured, method: "none",
			detail: "127.0.0.1 could not be checked: ICMP is not permitted for this user and there are no TCP ports to try instead"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := longCtx(t)
			if tt.short {
				ctx = shortCtx(t, 500*time.Millisecond)
			}
			c := Ping(ctx, lo4, PingOptions{Layer: result.Internet, Permission: denied, FallbackPorts: tt.ports})
			if c.Status != tt.status {
				t.Errorf("status = %s, want %s (%s)", c.Status, tt.status, c.Detail)
			}
			if c.Reason != tt.reason {
				t.Errorf("reason = %q, want %q", c.Reason, tt.reason)
			}
			if !strings.Contains(c.Detail, tt.detail) {
				t.Errorf("detail = %q, want %q", c.Detail, tt.detail)
			}
			if c.Evidence["method"] != tt.method || c.Evidence["icmp_permission"] != ICMPDenied || c.Evidence["icmp_note"] != denied.Reason {
				t.Errorf("method/permission/note = %v/%v/%v", c.Evidence["method"], c.Evidence["icmp_permission"], c.Evidence["icmp_note"])
			}
			if tt.tcpPort != 0 {
				if c.Evidence["tcp_port"] != tt.tcpPort {
					t.Errorf("tcp_port = %v, want %d", c.Evidence["tcp_port"], tt.tcpPort)
				}
				if _, ok := c.Evidence["rtt_ms"].(float64); !ok {
					t.Errorf("rtt_ms = %#v", c.Evidence["rtt_ms"])
				}
			}
			if tt.tcpPorts != nil && !reflect.DeepEqual(c.Evidence["tcp_ports"], tt.tcpPorts) {
				t.Errorf("tcp_ports = %v, want %v", c.Evidence["tcp_ports"], tt.tcpPorts)
			}
			for _, k := range []string{"sent", "received"} {
				if _, ok := c.Evidence[k]; ok {
					t.Errorf("%s set although no echo was sent", k)
				}
			}
		})
	}
}

func TestTCPFallback(t *testing.T) {
	t.Parallel()
	open, closed, filtered := testnet.OpenTCP(t), testnet.ClosedTCP(t), filteredTCP(t)
	tests := []struct {
		name   string
		ports  []int
		short  bool
		port   int
		state  PortState
		states map[string]string
	}{
		// The open port's proof cancels the silent one without using up
		// the deadline; cut short, it was not measured: "not_needed".
		{name: "open beats filtered", ports: []int{filtered, open}, port: open, state: PortOpen,
			states: map[string]string{itoa(filtered): "not_needed", itoa(open): "open"}},
		{name: "closed proves presence", ports: []int{closed}, port: closed, state: PortClosed,
			states: map[string]string{itoa(closed): "closed"}},
		{name: "nothing answers", ports: []int{filtered}, short: true, port: 0, state: "",
			states: map[string]string{itoa(filtered): "filtered"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := longCtx(t)
			if tt.short {
				ctx = shortCtx(t, 400*time.Millisecond)
			}
			port, state, _, states := tcpFallback(ctx, lo4, tt.ports)
			if port != tt.port || state != tt.state {
				t.Errorf("got port %d (%q), want %d (%q)", port, state, tt.port, tt.state)
			}
			if !reflect.DeepEqual(states, tt.states) {
				t.Errorf("states = %v, want %v", states, tt.states)
			}
		})
	}
}

func TestFmtDur(t *testing.T) {
	for d, want := range map[time.Duration]string{
		400 * time.Microsecond:  "0.4 ms",
		9 * time.Millisecond:    "9.0 ms",
		12 * time.Millisecond:   "12 ms",
		999 * time.Millisecond:  "999 ms",
		1200 * time.Millisecond: "1.2 s",
	} {
		if got := fmtDur(d); got != want {
			t.Errorf("fmtDur(%s) = %q, want %q", d, got, want)
		}
	}
	if got := joinInts([]int{80, 443}); got != "80, 443" {
		t.Errorf("joinInts = %q", got)
	}
	if got := round1(33.333); got != 33.3 {
		t.Errorf("round1 = %v", got)
	}
}
