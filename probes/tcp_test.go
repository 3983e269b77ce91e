package probes

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"reflect"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/netprobe/netprobe/internal/testnet"

	"github.com/miekg/dns"

	"github.com/netprobe/netprobe/result"
)

func TestClassifyDialError(t *testing.T) {
	dial := func(err error) error { return &net.OpError{Op: "dial", Net: "tcp", Err: err} }
	connect := func(e syscall.Errno) error { return dial(os.NewSyscallError("connect", e)) }
	tests := []struct {
		name string
		err  error
		want PortState
	}{
		{"reset", connect(syscall.ECONNREFUSED), PortClosed},
		{"bare errno refused", syscall.ECONNREFUSED, PortClosed},
		{"host unreachable", connect(syscall.EHOSTUNREACH), PortUnreachable},
		{"network unreachable", connect(syscall.ENETUNREACH), PortUnreachable},
		{"no local address", connect(syscall.EADDRNOTAVAIL), PortUnreachable},
		{"firewall reject (EACCES)", connect(syscall.EACCES), PortUnreachable},
		{"firewall reject (EPERM)", connect(syscall.EPERM), PortUnreachable},
		{"wrapped twice", fmt.Errorf("web: %w", connect(syscall.EHOSTUNREACH)), PortUnreachable},
		{"dial deadline", dial(os.ErrDeadlineExceeded), PortFiltered},
		{"context deadline", context.DeadlineExceeded, PortFiltered},
		{"context canceled", dial(context.Canceled), PortFiltered},
		{"name not found", dial(&net.DNSError{Err: "no such host", Name: "nx.test", IsNotFound: true}), PortError},
		// A silent DNS server is a timeout inside a DNSError: the name did
		// not resolve, the port was never tried.
		{"DNS timeout", dial(&net.DNSError{Err: "i/o timeout", Name: "slow.test", IsTimeout: true}), PortError},
		{"DNS context deadline", dial(&net.DNSError{Err: "i/o timeout", Name: "slow.test", IsTimeout: true,
			UnwrapErr: context.DeadlineExceeded}), PortError},
		{"something else", errors.New("protocol not available"), PortUnreachable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := classifyDialError(tt.err); got != tt.want {
				t.Errorf("classifyDialError(%v) = %s, want %s", tt.err, got, tt.want)
			}
		})
	}
}

func TestErrText(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"nil", nil, ""},
		{"syscall", &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}, "connect: connection refused"},
		{"dns", &net.OpError{Op: "dial", Net: "tcp", Err: &net.DNSError{Err: "no such host", Name: "nx.test"}}, "lookup nx.test: no such host"},
		{"plain", errors.New("boom"), "boom"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := errText(tt.err); got != tt.want {
				t.Errorf("errText = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestDialTCP(t *testing.T) {
	t.Parallel()
	open, closed, filtered := testnet.OpenTCP(t), testnet.ClosedTCP(t), filteredTCP(t)
	tests := []struct {
		name    string
		port    int
		ctx     time.Duration
		want    PortState
		wantErr func(error) bool
	}{
		{"open", open, 5 * time.Second, PortOpen, func(err error) bool { return err == nil }},
		{"closed", closed, 5 * time.Second, PortClosed, func(err error) bool { return errors.Is(err, syscall.ECONNREFUSED) }},
		{"filtered", filtered, 500 * time.Millisecond, PortFiltered, isTimeout},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, rtt, err := DialTCP(shortCtx(t, tt.ctx), fmt.Sprintf("127.0.0.1:%d", tt.port))
			if st != tt.want {
				t.Fatalf("state = %s (err %v), want %s", st, err, tt.want)
			}
			if !tt.wantErr(err) {
				t.Errorf("err = %v, not what %s expects", err, tt.name)
			}
			if rtt <= 0 {
				t.Errorf("rtt = %s, want > 0", rtt)
			}
		})
	}
}

// resolverZone answers loop.test with 127.0.0.1, says nx.test does not
// exist, and never answers anything under silent.test.
func resolverZone() dns.Handler {
	return dns.HandlerFunc(func(w dns.ResponseWriter, r *dns.Msg) {
		q := r.Question[0]
		m := new(dns.Msg)
		m.SetReply(r)
		switch {
		case strings.HasSuffix(q.Name, "silent.test."):
			return
		case q.Name == "loop.test." && q.Qtype == dns.TypeA:
			m.Answer = append(m.Answer, rr("loop.test. 60 IN A 127.0.0.1"))
		case q.Name == "loop.test.":
		default:
			m.Rcode = dns.RcodeNameError
		}
		w.WriteMsg(m)
	})
}

func TestTCP(t *testing.T) {
	t.Parallel()
	open, closed, filtered := testnet.OpenTCP(t), testnet.ClosedTCP(t), filteredTCP(t)
	srv := testnet.StartDNS(t, resolverZone())
	viaTestDNS := func(ctx context.Context) context.Context {
		return WithResolvers(ctx, []netip.AddrPort{srv})
	}
	tests := []struct {
		name      string
		host      string
		port      int
		layer     result.Layer
		short     bool
		status    result.Status
		state     PortState
		detail    string
		errText   string
		connectMS bool
		wantLayer result.Layer
	}{
		{name: "open", host: "127.0.0.1", port: open, status: result.OK, state: PortOpen,
			detail: fmt.Sprintf("port %d/tcp is open (connected in ", open), connectMS: true, wantLayer: result.Service},
		{name: "open on the printer layer", host: "127.0.0.1", port: open, layer: result.Printer, status: result.OK,
			state: PortOpen, detail: "is open", connectMS: true, wantLayer: result.Printer},
		{name: "closed", host: "127.0.0.1", port: closed, status: result.Fail, state: PortClosed,
			detail:  fmt.Sprintf("port %d/tcp is closed: the host answered but nothing listens there", closed),
			errText: "connect: connection refused", connectMS: true, wantLayer: result.Service},
		{name: "filtered", host: "127.0.0.1", port: filtered, short: true, status: result.Fail, state: PortFiltered,
			detail: fmt.Sprintf("port %d/tcp is filtered: no answer within ", filtered), errText: "i/o timeout", wantLayer: result.Service},
		{name: "name through the run's resolver", host: "loop.test.", port: open, status: result.OK, state: PortOpen,
			detail: "is open", connectMS: true, wantLayer: result.Service},
		{name: "name that does not exist", host: "nx.test.", port: open, status: result.Fail, state: PortError,
			detail: "could not resolve nx.test.: lookup nx.test.", errText: "no such host", wantLayer: result.Service},
		{name: "name whose DNS server is silent", host: "slow.silent.test.", port: open, short: true, status: result.Fail,
			state: PortError, detail: "could not resolve slow.silent.test.", errText: "no answer from the DNS server", wantLayer: result.Service},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := longCtx(t)
			if tt.short {
				ctx = shortCtx(t, 600*time.Millisecond)
			}
			c := TCP(viaTestDNS(ctx), tt.host, tt.port, TCPOptions{Layer: tt.layer})
			if c.Status != tt.status {
				t.Errorf("status = %s, want %s (%s)", c.Status, tt.status, c.Detail)
			}
			if got := c.Evidence["port_state"]; got != string(tt.state) {
				t.Errorf("port_state = %v, want %s", got, tt.state)
			}
			if got := c.Evidence["port"]; got != tt.port {
				t.Errorf("port = %#v, want %d", got, tt.port)
			}
			if got := c.Evidence["protocol"]; got != "tcp" {
				t.Errorf("protocol = %v", got)
			}
			if v, ok := c.Evidence["connect_ms"]; ok != tt.connectMS {
				t.Errorf("connect_ms present = %v, want %v", ok, tt.connectMS)
			} else if ok {
				if f, isF := v.(float64); !isF || f < 0 {
					t.Errorf("connect_ms = %#v, want a float64 >= 0", v)
				}
			}
			if !strings.Contains(c.Detail, tt.detail) {
				t.Errorf("detail = %q, want it to contain %q", c.Detail, tt.detail)
			}
			if !strings.Contains(c.Error, tt.errText) || (tt.errText == "") != (c.Error == "") {
				t.Errorf("error = %q, want %q", c.Error, tt.errText)
			}
			if c.Name != "tcp" || c.Layer != tt.wantLayer || c.Target != "tcp://"+net.JoinHostPort(tt.host, fmt.Sprint(tt.port)) {
				t.Errorf("name/layer/target = %s/%s/%s", c.Name, c.Layer, c.Target)
			}
			if c.Started.IsZero() || c.Duration <= 0 {
				t.Errorf("started %v duration %v: not stamped", c.Started, c.Duration)
			}
		})
	}
}

func TestTCPIPv6(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "[::1]:0")
	if err != nil {
		t.Skipf("no IPv6 loopback here: %v", err)
	}
	defer ln.Close()
	port := ln.Addr().(*net.TCPAddr).Port
	c := TCP(longCtx(t), "::1", port, TCPOptions{})
	if c.Status != result.OK || c.Target != fmt.Sprintf("tcp://[::1]:%d", port) {
		t.Fatalf("status %s target %s: %s", c.Status, c.Target, c.Detail)
	}
}

// TestJudgeTCPUnreachable covers the states loopback cannot produce (the
// kernel never says "no route" for 127.0.0.1): the error comes from a
// wrapped errno, the judgement is what the report shows.
func TestJudgeTCPUnreachable(t *testing.T) {
	err := &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.EHOSTUNREACH)}
	c := judgeTCP(begin("tcp", result.Service, "tcp://192.0.2.1:80"), "192.0.2.1", 80, classifyDialError(err), time.Millisecond, err)
	if c.Status != result.Fail || c.Evidence["port_state"] != "unreachable" || c.Reason != result.ReasonTCPUnreachable {
		t.Fatalf("status %s state %v reason %q", c.Status, c.Evidence["port_state"], c.Reason)
	}
	if want := "192.0.2.1 is unreachable: connect: no route to host"; c.Detail != want {
		t.Errorf("detail = %q, want %q", c.Detail, want)
	}
	if _, ok := c.Evidence["connect_ms"]; ok {
		t.Error("connect_ms set for a port that never connected")
	}
}

// A state outside the known ones (a future classification) still fails
// with a code, never without one.
func TestJudgeTCPOtherError(t *testing.T) {
	err := errors.New("something odd")
	c := judgeTCP(begin("tcp", result.Service, "tcp://192.0.2.1:80"), "192.0.2.1", 80, PortState("weird"), 0, err)
	if c.Status != result.Fail || c.Reason != result.ReasonTCPError {
		t.Fatalf("status %s reason %q", c.Status, c.Reason)
	}
}

func TestLookupHostThroughRun(t *testing.T) {
	t.Parallel()
	srv := testnet.StartDNS(t, newTestZone())
	ctx := WithResolvers(longCtx(t), []netip.AddrPort{srv})
	addrs, err := LookupHost(ctx, "ok.test.")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, a := range addrs {
		got = append(got, a.String())
	}
	sort.Strings(got)
	if want := []string{"192.0.2.10", "2001:db8::10"}; !reflect.DeepEqual(got, want) {
		t.Errorf("LookupHost = %v, want %v", got, want)
	}
	if _, err := LookupHost(ctx, "nx.test."); err == nil {
		t.Error("nx.test. resolved")
	}
	ap, err := resolveAddrPort(ctx, "ok.test.", 53)
	if err != nil || ap.Port() != 53 || !ap.Addr().IsValid() {
		t.Errorf("resolveAddrPort = %v, %v", ap, err)
	}
	if ap, err := resolveAddrPort(ctx, "::1", 7); err != nil || ap != netip.MustParseAddrPort("[::1]:7") {
		t.Errorf("resolveAddrPort(::1) = %v, %v", ap, err)
	}
}
