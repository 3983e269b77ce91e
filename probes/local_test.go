package probes

import (
	"context"
	"net"
	"net/netip"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/netprobe/netprobe/internal/fdlimit"
	"github.com/netprobe/netprobe/internal/testnet"
	"github.com/netprobe/netprobe/result"
)

func TestLocalFailure(t *testing.T) {
	sock := func(e syscall.Errno) error {
		return &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("socket", e)}
	}
	conn := func(e syscall.Errno) error {
		return &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", e)}
	}
	tests := []struct {
		name   string
		err    error
		reason result.Reason
		words  string
	}{
		{"EMFILE", sock(syscall.EMFILE), result.ReasonLocalResources, "too many open files on this computer"},
		{"ENFILE", sock(syscall.ENFILE), result.ReasonLocalResources, "too many open files on this computer"},
		{"ENOBUFS on send", &net.OpError{Op: "write", Err: os.NewSyscallError("sendto", syscall.ENOBUFS)}, result.ReasonLocalResources, "no buffer space"},
		{"ENOMEM", sock(syscall.ENOMEM), result.ReasonLocalResources, "out of memory"},
		{"no descriptor slot", &net.OpError{Op: "dial", Err: fdlimit.ErrNoSlot}, result.ReasonLocalResources, "too many open files on this computer"},
		{"EMFILE inside a DNS error", &net.DNSError{Err: "x", UnwrapErr: sock(syscall.EMFILE)}, result.ReasonLocalResources, "too many open files"},
		{"socket EACCES", sock(syscall.EACCES), result.ReasonLocalPermission, "does not permit"},
		{"socket EPERM", sock(syscall.EPERM), result.ReasonLocalPermission, "does not permit"},
		// Not this computer's failure: these are answers from the network
		// (or a firewall on the path) and keep their verdicts.
		{"connect EACCES", conn(syscall.EACCES), "", ""},
		{"connect EPERM", conn(syscall.EPERM), "", ""},
		{"refused", conn(syscall.ECONNREFUSED), "", ""},
		{"unreachable", conn(syscall.EHOSTUNREACH), "", ""},
		{"timeout", context.DeadlineExceeded, "", ""},
		{"nil", nil, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reason, why, ok := LocalFailure(tt.err)
			if ok != (tt.reason != "") || reason != tt.reason || !strings.Contains(why, tt.words) {
				t.Fatalf("LocalFailure = %q %q %v, want %q with %q", reason, why, ok, tt.reason, tt.words)
			}
			st := classifyDialError(tt.err)
			if tt.err != nil && (st == PortNotMeasured) != ok {
				t.Fatalf("classifyDialError = %q", st)
			}
		})
	}
}

// With every descriptor slot taken, a probe waits for one until its
// deadline and then says "not measured" with the local reason: never
// filtered, closed or unreachable.
func TestProbesWaitForDescriptorsAndSayNotMeasured(t *testing.T) {
	restore := fdlimit.SetCapacityForTest(2)
	defer restore()
	release, err := fdlimit.Acquire(context.Background(), 2)
	if err != nil {
		t.Fatal(err)
	}
	open, closed := testnet.OpenTCP(t), testnet.ClosedTCP(t)
	srv := testnet.StartDNS(t, resolverZone())

	d := DNS(shortCtx(t, 300*time.Millisecond), srv, "loop.test", DNSOptions{})
	if d.Status != result.Skip || d.Reason != result.ReasonLocalResources || !strings.HasPrefix(d.Detail, "not measured: ") {
		t.Fatalf("dns = %s %s %q: a resolver this computer could not ask is not a broken resolver", d.Status, d.Reason, d.Detail)
	}
	named := TCP(WithResolvers(shortCtx(t, 300*time.Millisecond), []netip.AddrPort{srv}), "loop.test", open, TCPOptions{})
	if named.Status != result.Skip || named.Reason != result.ReasonLocalResources {
		t.Fatalf("tcp by name = %s %s %q: a name this computer could not look up is not an unresolvable name", named.Status, named.Reason, named.Detail)
	}

	c := TCP(shortCtx(t, 300*time.Millisecond), "127.0.0.1", open, TCPOptions{})
	if c.Status != result.Skip || c.Reason != result.ReasonLocalResources || !strings.HasPrefix(c.Detail, "not measured: too many open files") {
		t.Fatalf("tcp = %s %s %q", c.Status, c.Reason, c.Detail)
	}
	if _, ok := c.Evidence["port_state"]; ok {
		t.Fatalf("an unmeasured port has a state: %v", c.Evidence)
	}
	u := UDP(shortCtx(t, 300*time.Millisecond), "127.0.0.1", testnet.ClosedUDP(t))
	if u.Status != result.Skip || u.Reason != result.ReasonLocalResources {
		t.Fatalf("udp = %s %s %q", u.Status, u.Reason, u.Detail)
	}

	// A host proven only over TCP cannot be proven without descriptors:
	// not measured, not "does not answer".
	pg := Ping(shortCtx(t, 500*time.Millisecond), netip.MustParseAddr("127.0.0.1"), PingOptions{Layer: result.Gateway,
		Permission: ICMPPermission{Mode: ICMPDenied, Reason: "test"}, FallbackPorts: []int{open, closed}})
	if pg.Status != result.Skip || pg.Reason != result.ReasonLocalResources {
		t.Fatalf("ping = %s %s %q: a host this computer could not try is not a silent host", pg.Status, pg.Reason, pg.Detail)
	}

	ports := tcpSpecs(open, closed)
	for p := 1; len(ports) < 40; p++ {
		ports = append(ports, PortSpec{"tcp", closed})
	}
	sweep := Ports(shortCtx(t, 300*time.Millisecond), "127.0.0.1", ports, PortsOptions{})
	sum := sweep[len(sweep)-1]
	if sum.Status == result.OK || sum.Reason != result.ReasonPortsNotMeasured {
		t.Fatalf("sweep summary = %s %s %q", sum.Status, sum.Reason, sum.Detail)
	}

	// Once a slot is free, the same probes measure.
	release()
	if d := DNS(longCtx(t), srv, "loop.test", DNSOptions{}); d.Status != result.OK {
		t.Fatalf("dns with free slots: %s %q", d.Status, d.Detail)
	}
	if c := TCP(longCtx(t), "127.0.0.1", open, TCPOptions{}); c.Status != result.OK {
		t.Fatalf("with a free slot: %s %q", c.Status, c.Detail)
	}
	if c := TCP(longCtx(t), "127.0.0.1", closed, TCPOptions{}); c.Evidence["port_state"] != string(PortClosed) {
		t.Fatalf("with a free slot: %s %q", c.Status, c.Detail)
	}
}

// A port that did not get its slot until the deadline was near is not
// "filtered": it had no fair chance to answer.
func TestLateSlotIsNotFiltered(t *testing.T) {
	restore := fdlimit.SetCapacityForTest(1)
	defer restore()
	release, _ := fdlimit.Acquire(context.Background(), 1)
	go func() { time.Sleep(250 * time.Millisecond); release() }()
	c := TCP(shortCtx(t, 300*time.Millisecond), "127.0.0.1", filteredTCP(t), TCPOptions{})
	if c.Status != result.Skip || c.Reason != result.ReasonLocalResources {
		t.Fatalf("tcp = %s %s %q %v, want not measured", c.Status, c.Reason, c.Detail, c.Evidence)
	}
}

func TestPortRanges(t *testing.T) {
	var ps []PortSpec
	for _, p := range []int{5, 1, 2, 3, 9, 10, 65535} {
		ps = append(ps, PortSpec{"tcp", p})
	}
	ps = append(ps, PortSpec{"udp", 53}, PortSpec{"udp", 54}, PortSpec{"tcp", 2})
	got := strings.Join(portRanges(ps), ",")
	if want := "1-3/tcp,5/tcp,9-10/tcp,65535/tcp,53-54/udp"; got != want {
		t.Fatalf("portRanges = %s, want %s", got, want)
	}
}

// The summary of a sweep with unmeasured ports counts them, names their
// ranges, gives the reason, and is not ok; the ranges listed are bounded.
func TestSummaryNamesUnmeasuredRanges(t *testing.T) {
	var ports []PortSpec
	var outs []portOutcome
	for p := 1; p <= 400; p++ {
		ports = append(ports, PortSpec{"tcp", p})
		switch {
		case p == 80:
			c := result.Check{Name: "tcp", Status: result.OK}
			outs = append(outs, portOutcome{tried: true, state: PortOpen, check: &c})
		case p >= 100 && p < 300 && p%2 == 0:
			outs = append(outs, portOutcome{tried: true, state: PortNotMeasured, why: "too many open files on this computer (limit 256)"})
		case p >= 390:
			outs = append(outs, portOutcome{})
		default:
			outs = append(outs, portOutcome{tried: true, state: PortClosed})
		}
	}
	got := summarise("127.0.0.1", "127.0.0.1", ports, outs)
	sum := got[len(got)-1]
	if sum.Status != result.Warn || sum.Reason != result.ReasonPortsNotMeasured {
		t.Fatalf("summary = %s %s", sum.Status, sum.Reason)
	}
	if sum.Evidence["count_not_measured"] != 100 || sum.Evidence["count_not_tried"] != 11 {
		t.Fatalf("evidence = %v", sum.Evidence)
	}
	for _, want := range []string{"111 not measured (100/tcp, 102/tcp,", "and 89 more ranges",
		"100: too many open files on this computer (limit 256)", "11: the time budget ran out"} {
		if !strings.Contains(sum.Detail, want) {
			t.Errorf("detail lacks %q: %s", want, sum.Detail)
		}
	}
	ranges, _ := sum.Evidence["unmeasured_ports"].([]string)
	if len(ranges) != maxUnmeasuredRanges || sum.Evidence["unmeasured_ranges"] != 101 || ranges[0] != "100/tcp" {
		t.Fatalf("unmeasured_ports = %d %v, unmeasured_ranges %v", len(ranges), ranges[:3], sum.Evidence["unmeasured_ranges"])
	}
	if len(sum.Detail) > 600 {
		t.Fatalf("detail of %d bytes", len(sum.Detail))
	}
}
