package probes

import (
	"context"
	"net/netip"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/netprobe/netprobe/internal/testnet"

	"github.com/netprobe/netprobe/result"
)

func tcpSpecs(ports ...int) []PortSpec {
	var out []PortSpec
	for _, p := range ports {
		out = append(out, PortSpec{Proto: "tcp", Port: p})
	}
	return out
}

func TestPortsDetailed(t *testing.T) {
	t.Parallel()
	open, closed := testnet.OpenTCP(t), testnet.ClosedTCP(t)
	echo, closedU := echoUDP(t), testnet.ClosedUDP(t)
	ports := append(tcpSpecs(open, closed), PortSpec{"udp", echo}, PortSpec{"udp", closedU})
	got := Ports(longCtx(t), "127.0.0.1", ports, PortsOptions{})
	want := []struct {
		name   string
		status result.Status
		state  PortState
		target string
	}{
		{"tcp", result.OK, PortOpen, "tcp://127.0.0.1:" + itoa(open)},
		{"tcp", result.Fail, PortClosed, "tcp://127.0.0.1:" + itoa(closed)},
		{"udp", result.OK, PortOpen, "udp://127.0.0.1:" + itoa(echo)},
		{"udp", result.Fail, PortClosed, "udp://127.0.0.1:" + itoa(closedU)},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d checks, want one per port (%d)", len(got), len(want))
	}
	for i, w := range want {
		c := got[i]
		if c.Name != w.name || c.Status != w.status || c.Evidence["port_state"] != string(w.state) || c.Target != w.target {
			t.Errorf("check %d = %s %s %v %s, want %s %s %s %s", i, c.Name, c.Status, c.Evidence["port_state"], c.Target, w.name, w.status, w.state, w.target)
		}
		if _, ok := c.Evidence["host"]; ok {
			t.Errorf("check %d has host evidence although the host is an address", i)
		}
	}
}

// TestPortsSweep: more ports than Detail give the open ports' checks and
// one summary. The ports are one listener, two silent ports and 37 ports
// bound and released a moment ago (closed; unlike a fixed range around the
// listener, none can belong to another test's server).
func TestPortsSweep(t *testing.T) {
	t.Parallel()
	open := testnet.OpenTCP(t)
	ports := []int{filteredTCP(t), open, filteredTCP(t)}
	for len(ports) < 40 {
		ports = append(ports, testnet.ClosedTCP(t))
	}
	got := Ports(longCtx(t), "127.0.0.1", tcpSpecs(ports...), PortsOptions{Timeout: 300 * time.Millisecond})
	if len(got) != 2 {
		for _, c := range got {
			t.Logf("got %s %s %s", c.Name, c.Target, c.Detail)
		}
		t.Fatalf("got %d checks, want the open port and the summary", len(got))
	}
	if got[0].Name != "tcp" || got[0].Status != result.OK || got[0].Evidence["port"] != open {
		t.Errorf("first check = %s %s %v, want the open port", got[0].Name, got[0].Status, got[0].Evidence["port"])
	}
	sum := got[1]
	if sum.Name != "ports" || sum.Target != "127.0.0.1" || sum.Status != result.OK {
		t.Errorf("summary = %s %s %s (%s)", sum.Name, sum.Target, sum.Status, sum.Detail)
	}
	want := map[string]any{"ports_scanned": 40, "open_ports": []string{itoa(open) + "/tcp"},
		"count_open": 1, "count_closed": 37, "count_filtered": 2}
	if !reflect.DeepEqual(sum.Evidence, want) {
		t.Errorf("summary evidence = %v, want %v", sum.Evidence, want)
	}
	if sum.Detail != "40 ports scanned: 37 closed, 2 filtered, 1 open" {
		t.Errorf("summary detail = %q", sum.Detail)
	}
}

func TestPortsNothingAnswers(t *testing.T) {
	t.Parallel()
	ports := tcpSpecs(filteredTCP(t), filteredTCP(t), filteredTCP(t))
	got := Ports(longCtx(t), "127.0.0.1", ports, PortsOptions{Timeout: 300 * time.Millisecond, Detail: 2})
	if len(got) != 1 {
		t.Fatalf("got %d checks, want only the summary", len(got))
	}
	sum := got[0]
	if sum.Status != result.Fail || !strings.HasSuffix(sum.Detail, "3 filtered; the host answered on no port") {
		t.Errorf("summary = %s %q", sum.Status, sum.Detail)
	}
	if sum.Evidence["count_filtered"] != 3 || !reflect.DeepEqual(sum.Evidence["open_ports"], []string{}) {
		t.Errorf("evidence = %v", sum.Evidence)
	}
}

func TestPortsBudget(t *testing.T) {
	t.Parallel()
	open := testnet.OpenTCP(t)
	t.Run("budget spent before the sweep", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		ports := make([]int, 40)
		for i := range ports {
			ports[i] = open
		}
		got := Ports(ctx, "127.0.0.1", tcpSpecs(ports...), PortsOptions{})
		if len(got) != 1 {
			t.Fatalf("got %d checks, want only the summary", len(got))
		}
		// Nothing was measured: not a verdict on the host.
		if got[0].Status != result.Skip || got[0].Evidence["count_not_tried"] != 40 ||
			got[0].Detail != "not tried: the time budget ran out before any of 40 ports" {
			t.Errorf("summary = %s %q %v", got[0].Status, got[0].Detail, got[0].Evidence)
		}
	})
	t.Run("budget spent while waiting for a slot", func(t *testing.T) {
		// One slot: the silent port holds it until the whole budget is
		// gone, so the open port behind it is never dialled.
		filtered := filteredTCP(t)
		got := Ports(shortCtx(t, 400*time.Millisecond), "127.0.0.1", tcpSpecs(filtered, open),
			PortsOptions{Concurrency: 1, Timeout: 5 * time.Second})
		if got[0].Status != result.Fail || got[0].Evidence["port_state"] != "filtered" {
			t.Errorf("first = %s %v", got[0].Status, got[0].Evidence)
		}
		if got[1].Status != result.Skip || got[1].Detail != "not tried: the time budget ran out" ||
			got[1].Target != "tcp://127.0.0.1:"+itoa(open) {
			t.Errorf("second = %s %q %s, want skip: it was never tried", got[1].Status, got[1].Detail, got[1].Target)
		}
	})
}

func TestPortsNames(t *testing.T) {
	t.Parallel()
	open := testnet.OpenTCP(t)
	srv := testnet.StartDNS(t, resolverZone())
	ctx := WithResolvers(longCtx(t), []netip.AddrPort{srv})
	t.Run("name resolved once, kept as evidence", func(t *testing.T) {
		got := Ports(ctx, "loop.test.", tcpSpecs(open), PortsOptions{})
		if len(got) != 1 || got[0].Status != result.OK || got[0].Evidence["host"] != "loop.test." {
			t.Fatalf("got %+v", got)
		}
	})
	t.Run("name that does not resolve", func(t *testing.T) {
		got := Ports(ctx, "nx.test.", tcpSpecs(open, open), PortsOptions{})
		if len(got) != 1 || got[0].Name != "ports" || got[0].Status != result.Fail || got[0].Evidence["port_state"] != "error" ||
			!strings.HasPrefix(got[0].Detail, "could not resolve nx.test.") {
			t.Fatalf("got %+v", got)
		}
	})
}
