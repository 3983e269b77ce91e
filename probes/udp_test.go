package probes

import (
	"net"
	"net/netip"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/netprobe/netprobe/internal/testnet"

	"github.com/miekg/dns"

	"github.com/netprobe/netprobe/result"
)

func TestUDP(t *testing.T) {
	t.Parallel()
	echo, closed := echoUDP(t), testnet.ClosedUDP(t)
	silent, silentGot := testnet.SilentUDP(t)
	srv := testnet.StartDNS(t, resolverZone())

	tests := []struct {
		name   string
		host   string
		port   int
		short  bool
		status result.Status
		state  PortState
		detail string
		errTxt string
	}{
		{name: "echo", host: "127.0.0.1", port: echo, status: result.OK, state: PortOpen,
			detail: "/udp is open: the service replied"},
		{name: "closed", host: "127.0.0.1", port: closed, status: result.Fail, state: PortClosed,
			detail: "/udp is closed: the host answered that nothing listens there"},
		{name: "silent", host: "127.0.0.1", port: silent, short: true, status: result.Warn, state: PortOpenFiltered,
			detail: "/udp gave no reply: open or filtered"},
		{name: "name through the run's resolver", host: "loop.test.", port: echo, status: result.OK, state: PortOpen,
			detail: "is open"},
		{name: "name that does not exist", host: "nx.test.", port: echo, status: result.Fail, state: PortError,
			detail: "could not resolve nx.test.:", errTxt: "no such host"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := longCtx(t)
			if tt.short {
				ctx = shortCtx(t, 600*time.Millisecond)
			}
			ctx = WithResolvers(ctx, []netip.AddrPort{srv})
			c := UDP(ctx, tt.host, tt.port)
			if c.Status != tt.status {
				t.Errorf("status = %s, want %s (%s)", c.Status, tt.status, c.Detail)
			}
			if c.Evidence["port_state"] != string(tt.state) {
				t.Errorf("port_state = %v, want %s", c.Evidence["port_state"], tt.state)
			}
			if want := udpReasonWant[tt.state]; c.Reason != want {
				t.Errorf("reason = %q, want %q", c.Reason, want)
			}
			if c.Evidence["port"] != tt.port || c.Evidence["protocol"] != "udp" {
				t.Errorf("port/protocol = %v/%v", c.Evidence["port"], c.Evidence["protocol"])
			}
			if !strings.Contains(c.Detail, tt.detail) {
				t.Errorf("detail = %q, want %q", c.Detail, tt.detail)
			}
			if !strings.Contains(c.Error, tt.errTxt) {
				t.Errorf("error = %q, want %q", c.Error, tt.errTxt)
			}
			if c.Name != "udp" || c.Layer != result.Service || c.Target != "udp://"+net.JoinHostPort(tt.host, itoa(tt.port)) {
				t.Errorf("name/layer/target = %s/%s/%s", c.Name, c.Layer, c.Target)
			}
			if tt.state == PortOpen && c.Evidence["reply_bytes"] != 1 {
				t.Errorf("reply_bytes = %v, want 1 (the echo of an empty datagram)", c.Evidence["reply_bytes"])
			}
		})
	}
	// Silence is only believed after three tries.
	deadline := time.Now().Add(time.Second)
	for silentGot() < 3 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := silentGot(); n != 3 {
		t.Errorf("the silent port got %d datagrams, want 3", n)
	}
}

// udpReasonWant is the code each UDP port state must carry.
var udpReasonWant = map[PortState]result.Reason{
	PortClosed: result.ReasonUDPClosed, PortOpenFiltered: result.ReasonUDPOpenFiltered, PortError: result.ReasonUDPUnresolved,
}

// The codes of UDP failures loopback cannot produce: the errno decides.
func TestUDPReasonOfErrors(t *testing.T) {
	for state, want := range map[PortState]result.Reason{
		PortUnreachable: result.ReasonUDPUnreachable, PortClosed: result.ReasonUDPClosed,
		PortError: result.ReasonUDPUnresolved, PortFiltered: result.ReasonUDPError,
	} {
		if got := udpReason(state); got != want {
			t.Errorf("udpReason(%s) = %q, want %q", state, got, want)
		}
	}
	if got := udpReason(classifyDialError(&net.OpError{Op: "dial", Net: "udp", Err: os.NewSyscallError("connect", syscall.ENETUNREACH)})); got != result.ReasonUDPUnreachable {
		t.Errorf("ENETUNREACH: %q", got)
	}
}

// TestUDPNTPPayload: port 123 gets a real NTP client request, so an NTP
// server can prove the port open. Needs 127.0.0.1:123 free (root here).
func TestUDPNTPPayload(t *testing.T) {
	pc, err := net.ListenPacket("udp", "127.0.0.1:123")
	if err != nil {
		t.Skipf("cannot bind 127.0.0.1:123 (%v); the NTP payload is not tested", err)
	}
	defer pc.Close()
	got := make(chan []byte, 1)
	go func() {
		buf := make([]byte, 512)
		n, from, err := pc.ReadFrom(buf)
		if err != nil {
			return
		}
		got <- append([]byte(nil), buf[:n]...)
		pc.WriteTo(make([]byte, 48), from)
	}()
	c := UDP(longCtx(t), "127.0.0.1", 123)
	if c.Status != result.OK || c.Evidence["reply_bytes"] != 48 {
		t.Fatalf("status %s reply_bytes %v: %s", c.Status, c.Evidence["reply_bytes"], c.Detail)
	}
	req := <-got
	if len(req) != 48 || req[0] != 0x23 {
		t.Errorf("request = % x, want a 48-byte NTPv4 client request (0x23 first)", req)
	}
}

// TestUDPDNSPort: port 53 is asked a real DNS question. The probe only
// does that on port 53, so these cases need 127.0.0.1:53 (root, and
// nothing else bound there); they skip cleanly otherwise. They run in
// sequence: they share the port.
func TestUDPDNSPort(t *testing.T) {
	bind := func(t *testing.T) net.PacketConn {
		pc, err := net.ListenPacket("udp", "127.0.0.1:53")
		if err != nil {
			t.Skipf("cannot bind 127.0.0.1:53 (%v); the DNS path of UDP() is not tested", err)
		}
		return pc
	}
	t.Run("a DNS server answers", func(t *testing.T) {
		asked := make(chan string, 10)
		h := dns.HandlerFunc(func(w dns.ResponseWriter, r *dns.Msg) {
			asked <- r.Question[0].Name + " " + dns.TypeToString[r.Question[0].Qtype]
			m := new(dns.Msg)
			m.SetRcode(r, dns.RcodeRefused) // even REFUSED proves a DNS server
			w.WriteMsg(m)
		})
		pc := bind(t)
		testnet.ServeDNS(t, &dns.Server{PacketConn: pc, Handler: h})
		c := UDP(longCtx(t), "127.0.0.1", 53)
		if c.Status != result.OK || c.Evidence["port_state"] != "open" || c.Evidence["rcode"] != "REFUSED" {
			t.Fatalf("status %s evidence %v: %s", c.Status, c.Evidence, c.Detail)
		}
		if !strings.Contains(c.Detail, "port 53/udp is open: a DNS server answered (REFUSED)") {
			t.Errorf("detail = %q", c.Detail)
		}
		if _, ok := c.Evidence["rtt_ms"].(float64); !ok {
			t.Errorf("rtt_ms = %#v", c.Evidence["rtt_ms"])
		}
		if q := <-asked; q != ". NS" {
			t.Errorf("server was asked %q, want the root NS question", q)
		}
	})
	t.Run("nothing listens", func(t *testing.T) {
		bind(t).Close() // proves the port is ours to test, then frees it
		c := UDP(longCtx(t), "127.0.0.1", 53)
		if c.Status != result.Fail || c.Evidence["port_state"] != "closed" || c.Reason != result.ReasonUDPClosed || !strings.Contains(c.Error, "connection refused") {
			t.Fatalf("status %s evidence %v error %q: %s", c.Status, c.Evidence, c.Error, c.Detail)
		}
	})
	t.Run("silent", func(t *testing.T) {
		pc := bind(t)
		defer pc.Close() // bound, never read: no answer, no ICMP
		c := UDP(shortCtx(t, 600*time.Millisecond), "127.0.0.1", 53)
		if c.Status != result.Fail || c.Evidence["port_state"] != "filtered" || c.Reason != result.ReasonUDPNoDNSAnswer {
			t.Fatalf("status %s reason %q evidence %v: %s", c.Status, c.Reason, c.Evidence, c.Detail)
		}
		if !strings.Contains(c.Detail, "no DNS answer") {
			t.Errorf("detail = %q", c.Detail)
		}
	})
}
