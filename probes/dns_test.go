package probes

import (
	"fmt"
	"net"
	"net/netip"
	"reflect"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/netprobe/netprobe/internal/testnet"

	"github.com/miekg/dns"

	"github.com/netprobe/netprobe/result"
)

// bigCount A records do not fit in a 1232-byte EDNS answer, so big.test
// is truncated over UDP and complete over TCP.
const bigCount = 150

// testZone answers per name, and counts what it was asked over which
// transport so tests can prove a retry really happened.
type testZone struct {
	mu   sync.Mutex
	seen map[string]int // "name type transport" -> queries
}

func newTestZone() *testZone { return &testZone{seen: map[string]int{}} }

func (z *testZone) count(key string) int {
	z.mu.Lock()
	defer z.mu.Unlock()
	return z.seen[key]
}

func rr(s string) dns.RR {
	r, err := dns.NewRR(s)
	if err != nil {
		panic(fmt.Sprintf("bad test record %q: %v", s, err))
	}
	return r
}

func (z *testZone) ServeDNS(w dns.ResponseWriter, r *dns.Msg) {
	q := r.Question[0]
	name := strings.ToLower(q.Name)
	transport := "udp"
	if isTCP(w) {
		transport = "tcp"
	}
	z.mu.Lock()
	z.seen[fmt.Sprintf("%s %s %s", name, dns.TypeToString[q.Qtype], transport)]++
	z.mu.Unlock()

	m := new(dns.Msg)
	m.SetReply(r)
	m.RecursionAvailable = true
	switch name {
	case "ok.test.":
		switch q.Qtype {
		case dns.TypeA:
			m.Answer = append(m.Answer, rr("ok.test. 60 IN A 192.0.2.10"))
		case dns.TypeAAAA:
			m.Answer = append(m.Answer, rr("ok.test. 60 IN AAAA 2001:db8::10"))
		}
	case "v6only.test.":
		if q.Qtype == dns.TypeAAAA {
			m.Answer = append(m.Answer, rr("v6only.test. 60 IN AAAA 2001:db8::66"))
		}
	case "cname.test.":
		m.Answer = append(m.Answer, rr("cname.test. 60 IN CNAME ok.test."))
		if q.Qtype == dns.TypeA {
			m.Answer = append(m.Answer, rr("ok.test. 60 IN A 192.0.2.10"))
		}
	case "nx.test.":
		m.Rcode = dns.RcodeNameError
	case "fail.test.":
		m.Rcode = dns.RcodeServerFailure
	case "refused.test.":
		m.Rcode = dns.RcodeRefused
	case "nodata.test.":
		// NOERROR with an empty answer section.
	case "big.test.":
		if q.Qtype == dns.TypeA {
			for i := 0; i < bigCount; i++ {
				m.Answer = append(m.Answer, rr(fmt.Sprintf("big.test. 60 IN A 198.51.%d.%d", i/250, i%250+1)))
			}
		}
		if transport == "udp" {
			size := dns.MinMsgSize
			if o := r.IsEdns0(); o != nil {
				size = int(o.UDPSize())
			}
			m.Truncate(size)
			if q.Qtype == dns.TypeA && !m.Truncated {
				panic("big.test fits in one UDP answer: raise bigCount")
			}
		}
	case "silent.test.":
		return // no reply at all: the client must give up on its own
	case "stray.test.":
		// Noise first: a runt datagram and an answer with the wrong ID.
		// The client must ignore both and wait for its own answer.
		if transport == "udp" {
			w.Write([]byte{0x01, 0x02, 0x03})
			wrong := m.Copy()
			wrong.Id = r.Id + 1
			wrong.Answer = append(wrong.Answer, rr("stray.test. 60 IN A 203.0.113.66"))
			w.WriteMsg(wrong)
		}
		if q.Qtype == dns.TypeA {
			m.Answer = append(m.Answer, rr("stray.test. 60 IN A 192.0.2.77"))
		}
	default:
		m.Rcode = dns.RcodeRefused
	}
	w.WriteMsg(m)
}

// dropFirst swallows the first copy of every query ID and answers the
// retransmission, like a resolver behind a lossy link.
type dropFirst struct {
	mu      sync.Mutex
	seen    map[uint16]bool
	dropped int
}

func (d *dropFirst) ServeDNS(w dns.ResponseWriter, r *dns.Msg) {
	d.mu.Lock()
	first := !d.seen[r.Id]
	d.seen[r.Id] = true
	if first {
		d.dropped++
	}
	d.mu.Unlock()
	if first {
		return
	}
	m := new(dns.Msg)
	m.SetReply(r)
	if r.Question[0].Qtype == dns.TypeA {
		m.Answer = append(m.Answer, rr(r.Question[0].Name+" 60 IN A 192.0.2.44"))
	}
	w.WriteMsg(m)
}

func TestQueryDNS(t *testing.T) {
	t.Parallel()
	z := newTestZone()
	srv := testnet.StartDNS(t, z)

	tests := []struct {
		name      string
		qname     string
		qtype     uint16
		rcode     string
		addrs     []string
		cnames    []string
		transport string
		truncated bool
	}{
		{name: "A answer", qname: "ok.test", qtype: dns.TypeA, rcode: "NOERROR", addrs: []string{"192.0.2.10"}, transport: "udp"},
		{name: "AAAA answer", qname: "ok.test", qtype: dns.TypeAAAA, rcode: "NOERROR", addrs: []string{"2001:db8::10"}, transport: "udp"},
		{name: "CNAME chain", qname: "cname.test", qtype: dns.TypeA, rcode: "NOERROR", addrs: []string{"192.0.2.10"}, cnames: []string{"ok.test."}, transport: "udp"},
		{name: "NXDOMAIN", qname: "nx.test", qtype: dns.TypeA, rcode: "NXDOMAIN", transport: "udp"},
		{name: "SERVFAIL", qname: "fail.test", qtype: dns.TypeA, rcode: "SERVFAIL", transport: "udp"},
		{name: "REFUSED", qname: "refused.test", qtype: dns.TypeA, rcode: "REFUSED", transport: "udp"},
		{name: "no data", qname: "nodata.test", qtype: dns.TypeA, rcode: "NOERROR", transport: "udp"},
		{name: "stray packets ignored", qname: "stray.test", qtype: dns.TypeA, rcode: "NOERROR", addrs: []string{"192.0.2.77"}, transport: "udp"},
		{name: "truncated retried over TCP", qname: "big.test", qtype: dns.TypeA, rcode: "NOERROR", transport: "tcp", truncated: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := QueryDNS(longCtx(t), srv, tt.qname, tt.qtype, 0)
			if a.Err != nil {
				t.Fatalf("Err = %v", a.Err)
			}
			if !a.Answered() {
				t.Errorf("Answered() = false for rcode %q", a.Rcode)
			}
			if a.Rcode != tt.rcode {
				t.Errorf("Rcode = %q, want %q", a.Rcode, tt.rcode)
			}
			if a.Transport != tt.transport {
				t.Errorf("Transport = %q, want %q", a.Transport, tt.transport)
			}
			if a.Truncated != tt.truncated {
				t.Errorf("Truncated = %v, want %v", a.Truncated, tt.truncated)
			}
			if tt.qname == "big.test" {
				if len(a.Addrs) != bigCount {
					t.Errorf("got %d addresses over TCP, want all %d", len(a.Addrs), bigCount)
				}
			} else if !reflect.DeepEqual(a.Addrs, tt.addrs) {
				t.Errorf("Addrs = %v, want %v", a.Addrs, tt.addrs)
			}
			if !reflect.DeepEqual(a.CNAMEs, tt.cnames) {
				t.Errorf("CNAMEs = %v, want %v", a.CNAMEs, tt.cnames)
			}
		})
	}
	if n := z.count("big.test. A tcp"); n != 1 {
		t.Errorf("big.test was asked %d times over TCP, want exactly 1 retry", n)
	}
}

func TestQueryDNSNoAnswer(t *testing.T) {
	t.Parallel()
	srv := testnet.StartDNS(t, newTestZone())
	closed := netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), uint16(testnet.ClosedUDP(t)))

	t.Run("silent server times out", func(t *testing.T) {
		a := QueryDNS(shortCtx(t, 700*time.Millisecond), srv, "silent.test", dns.TypeA, 0)
		if a.Rcode != "timeout" || a.Answered() {
			t.Fatalf("Rcode = %q (answered %v), want timeout; err %v", a.Rcode, a.Answered(), a.Err)
		}
		if !isTimeout(a.Err) {
			t.Errorf("Err = %v, want a timeout", a.Err)
		}
	})
	t.Run("timeout argument bounds the question", func(t *testing.T) {
		a := QueryDNS(longCtx(t), srv, "silent.test", dns.TypeA, 300*time.Millisecond)
		if a.Rcode != "timeout" {
			t.Fatalf("Rcode = %q, want timeout; err %v", a.Rcode, a.Err)
		}
	})
	t.Run("closed port is an error, not a timeout", func(t *testing.T) {
		a := QueryDNS(shortCtx(t, 2*time.Second), closed, "ok.test", dns.TypeA, 0)
		if a.Rcode != "error" {
			t.Fatalf("Rcode = %q, want error; err %v", a.Rcode, a.Err)
		}
		if a.Err == nil || !strings.Contains(a.Err.Error(), "connection refused") {
			t.Errorf("Err = %v, want connection refused", a.Err)
		}
	})
}

func TestQueryDNSLossTolerance(t *testing.T) {
	t.Parallel()
	h := &dropFirst{seen: map[uint16]bool{}}
	srv := testnet.StartDNS(t, h)
	c := DNS(longCtx(t), srv, "lossy.test", DNSOptions{})
	if c.Status != result.OK {
		t.Fatalf("status %s (%s), want ok after the retransmission", c.Status, c.Detail)
	}
	if got := c.Evidence["answers"]; !reflect.DeepEqual(got, []string{"192.0.2.44"}) {
		t.Errorf("answers = %v", got)
	}
	h.mu.Lock()
	dropped := h.dropped
	h.mu.Unlock()
	if dropped != 2 {
		t.Errorf("server dropped %d first copies, want 2 (A and AAAA): the retry path was not exercised", dropped)
	}
}

func TestDNS(t *testing.T) {
	t.Parallel()
	z := newTestZone()
	srv := testnet.StartDNS(t, z)
	closed := netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), uint16(testnet.ClosedUDP(t)))

	tests := []struct {
		name     string
		server   netip.AddrPort
		qname    string
		role     string
		short    bool // expect no answer: run under a short deadline
		status   result.Status
		reason   result.Reason
		detail   string
		evidence map[string]any
	}{
		{name: "A and AAAA", qname: "ok.test", status: result.OK,
			detail: "resolver " + srv.String() + " resolves ok.test to 192.0.2.10, 2001:db8::10",
			evidence: map[string]any{"answers": []string{"192.0.2.10", "2001:db8::10"}, "rcode": "NOERROR",
				"rcode_aaaa": "NOERROR", "transport": "udp", "role": "system", "name": "ok.test", "resolver": srv.String()}},
		{name: "AAAA only rescues empty A", qname: "v6only.test", status: result.OK, detail: "2001:db8::66",
			evidence: map[string]any{"answers": []string{"2001:db8::66"}, "rcode": "NOERROR"}},
		{name: "CNAME", qname: "cname.test", status: result.OK, detail: "192.0.2.10",
			evidence: map[string]any{"cnames": []string{"ok.test."}, "answers": []string{"192.0.2.10"}}},
		{name: "NXDOMAIN", qname: "nx.test", status: result.Fail, reason: result.ReasonDNSNXDomain, detail: "does not exist (NXDOMAIN)",
			evidence: map[string]any{"rcode": "NXDOMAIN", "rcode_aaaa": "NXDOMAIN", "answers": []string{}}},
		{name: "SERVFAIL", qname: "fail.test", status: result.Fail, reason: result.ReasonDNSServfail, detail: "SERVFAIL",
			evidence: map[string]any{"rcode": "SERVFAIL"}},
		{name: "REFUSED", qname: "refused.test", status: result.Fail, reason: result.ReasonDNSRefused, detail: "refused to answer (REFUSED",
			evidence: map[string]any{"rcode": "REFUSED"}},
		{name: "no data", qname: "nodata.test", status: result.Fail, reason: result.ReasonDNSNoData, detail: "has no address (no A or AAAA record)",
			evidence: map[string]any{"rcode": "NOERROR", "answers": []string{}}},
		{name: "truncated over UDP, full over TCP", qname: "big.test", status: result.OK, detail: "retried over TCP",
			evidence: map[string]any{"transport": "tcp", "truncated": true}},
		{name: "silent", qname: "silent.test", short: true, status: result.Fail, reason: result.ReasonDNSTimeout, detail: "did not answer within",
			evidence: map[string]any{"rcode": "timeout", "rcode_aaaa": "timeout"}},
		{name: "nothing listens", server: closed, qname: "ok.test", status: result.Fail, reason: result.ReasonDNSConnRefused,
			detail: `does not run a DNS server: its port ` + fmt.Sprint(closed.Port()) + ` answered "connection refused"`, evidence: map[string]any{"rcode": "error"}},
		{name: "reference silent is skip", qname: "silent.test", role: "reference", short: true, status: result.Skip, reason: result.ReasonDNSReferenceQuiet,
			detail: "reference resolver " + srv.String() + " did not answer", evidence: map[string]any{"role": "reference", "rcode": "timeout"}},
		{name: "reference closed is skip", server: closed, qname: "ok.test", role: "reference", status: result.Skip, reason: result.ReasonDNSReferenceQuiet,
			detail: "no comparison made", evidence: map[string]any{"rcode": "error"}},
		{name: "reference NXDOMAIN still fails", qname: "nx.test", role: "reference", status: result.Fail, reason: result.ReasonDNSNXDomain,
			detail: "reference resolver " + srv.String() + " says nx.test does not exist", evidence: map[string]any{"rcode": "NXDOMAIN"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			server := tt.server
			if !server.IsValid() {
				server = srv
			}
			ctx := longCtx(t)
			if tt.short {
				ctx = shortCtx(t, 600*time.Millisecond)
			}
			c := DNS(ctx, server, tt.qname, DNSOptions{Role: tt.role})
			if c.Status != tt.status {
				t.Errorf("status = %s, want %s (detail %q)", c.Status, tt.status, c.Detail)
			}
			if c.Reason != tt.reason {
				t.Errorf("reason = %q, want %q", c.Reason, tt.reason)
			}
			if !strings.Contains(c.Detail, tt.detail) {
				t.Errorf("detail = %q, want it to contain %q", c.Detail, tt.detail)
			}
			if c.Name != "dns" || c.Layer != result.DNS || c.Target != tt.qname+" @"+server.String() {
				t.Errorf("name/layer/target = %s/%s/%s", c.Name, c.Layer, c.Target)
			}
			for k, want := range tt.evidence {
				if got := c.Evidence[k]; !reflect.DeepEqual(got, want) {
					t.Errorf("evidence %s = %#v, want %#v", k, got, want)
				}
			}
			if tt.qname == "big.test" {
				// Every record came over TCP; the check keeps a bounded
				// number and says how many there were.
				if n := len(c.Evidence["answers"].([]string)); n != maxDNSAnswers {
					t.Errorf("%d answers kept, want %d", n, maxDNSAnswers)
				}
				if c.Evidence["answers_total"] != bigCount || !strings.Contains(c.Detail, fmt.Sprintf("and %d more", bigCount-maxDNSAnswers)) {
					t.Errorf("answers_total = %v, detail %q; want %d and the rest counted", c.Evidence["answers_total"], c.Detail, bigCount)
				}
			}
			if server == closed && c.Error != "read: connection refused" {
				t.Errorf("error = %q, want connection refused", c.Error)
			}
		})
	}
}

func TestServerString(t *testing.T) {
	for in, want := range map[string]string{
		"192.0.2.53:53":    "192.0.2.53",
		"[2001:db8::1]:53": "2001:db8::1",
		"127.0.0.1:5353":   "127.0.0.1:5353",
	} {
		if got := serverString(netip.MustParseAddrPort(in)); got != want {
			t.Errorf("serverString(%s) = %s, want %s", in, got, want)
		}
	}
}

// A server that replies with bytes that are not DNS has answered: the
// check says so (dns.malformed) instead of "did not answer", which would
// send the user after a dead server.
func TestDNSMalformedReplyIsNotSilence(t *testing.T) {
	t.Parallel()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pc.Close() })
	go func() {
		buf := make([]byte, 1500)
		for {
			n, from, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			// Keep the query's ID so only the body is broken.
			if n >= 2 {
				pc.WriteTo(append(buf[:2:2], 0x81, 0x80, 0xff, 0xff, 0xde, 0xad), from)
			}
		}
	}()
	srv := netip.MustParseAddrPort(pc.LocalAddr().String())
	c := DNS(shortCtx(t, 1500*time.Millisecond), srv, "ok.test", DNSOptions{Timeout: time.Second})
	if c.Status != result.Fail || c.Reason != result.ReasonDNSMalformed {
		t.Fatalf("status %s reason %q (%s), want fail dns.malformed", c.Status, c.Reason, c.Detail)
	}
	if strings.Contains(c.Detail, "did not answer") {
		t.Fatalf("detail %q calls a malformed reply silence", c.Detail)
	}
}

// Every way an answer pair can end maps to its reason code.
func TestJudgeDNSReasons(t *testing.T) {
	srv := netip.MustParseAddrPort("127.0.0.1:53")
	ok := DNSAnswer{Rcode: "NOERROR", Addrs: []string{"192.0.2.1"}, Transport: "udp"}
	tests := []struct {
		name    string
		a, aaaa DNSAnswer
		role    string
		status  result.Status
		reason  result.Reason
	}{
		{"answer", ok, DNSAnswer{Rcode: "NOERROR"}, "system", result.OK, ""},
		{"NXDOMAIN", DNSAnswer{Rcode: "NXDOMAIN"}, DNSAnswer{Rcode: "NXDOMAIN"}, "system", result.Fail, result.ReasonDNSNXDomain},
		{"no data", DNSAnswer{Rcode: "NOERROR"}, DNSAnswer{Rcode: "NOERROR"}, "system", result.Fail, result.ReasonDNSNoData},
		{"SERVFAIL", DNSAnswer{Rcode: "SERVFAIL"}, DNSAnswer{Rcode: "SERVFAIL"}, "system", result.Fail, result.ReasonDNSServfail},
		{"REFUSED", DNSAnswer{Rcode: "REFUSED"}, DNSAnswer{Rcode: "REFUSED"}, "system", result.Fail, result.ReasonDNSRefused},
		{"other rcode", DNSAnswer{Rcode: "NOTIMP"}, DNSAnswer{Rcode: "NOTIMP"}, "system", result.Fail, result.ReasonDNSRcode},
		{"timeout", DNSAnswer{Rcode: "timeout"}, DNSAnswer{Rcode: "timeout"}, "system", result.Fail, result.ReasonDNSTimeout},
		{"malformed", DNSAnswer{Rcode: "malformed", Err: errMalformed{1}}, DNSAnswer{Rcode: "timeout"}, "system", result.Fail, result.ReasonDNSMalformed},
		{"connection refused", DNSAnswer{Rcode: "error", Err: syscall.ECONNREFUSED}, DNSAnswer{Rcode: "error", Err: syscall.ECONNREFUSED}, "system", result.Fail, result.ReasonDNSConnRefused},
		{"another error", DNSAnswer{Rcode: "error", Err: syscall.ENETUNREACH}, DNSAnswer{Rcode: "error", Err: syscall.ENETUNREACH}, "system", result.Fail, result.ReasonDNSError},
		{"AAAA rescues a silent A", DNSAnswer{Rcode: "timeout"}, DNSAnswer{Rcode: "NOERROR", Addrs: []string{"2001:db8::1"}}, "system", result.OK, ""},
		{"a silent reference is no yardstick", DNSAnswer{Rcode: "timeout"}, DNSAnswer{Rcode: "timeout"}, "reference", result.Skip, result.ReasonDNSReferenceQuiet},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := judgeDNS(begin("dns", result.DNS, "x.test"), srv, "x.test", tt.role, tt.a, tt.aaaa)
			if c.Status != tt.status || c.Reason != tt.reason {
				t.Fatalf("status %s reason %q (%s), want %s %q", c.Status, c.Reason, c.Detail, tt.status, tt.reason)
			}
		})
	}
}
