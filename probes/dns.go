package probes

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/miekg/dns"

	"github.com/netprobe/netprobe/internal/bound"
	"github.com/netprobe/netprobe/internal/sanitize"
	"github.com/netprobe/netprobe/result"
)

// DNS defaults.
const (
	// DefaultDNSTimeout bounds one question to one resolver.
	DefaultDNSTimeout = 2500 * time.Millisecond
	// dnsRetransmit is the first UDP retransmission delay; it doubles. A
	// resolver behind a lossy link still answers a retransmission, so loss
	// does not look like a dead resolver.
	dnsRetransmit = 400 * time.Millisecond
)

// DNSAnswer is the outcome of one question (name, type) to one server.
type DNSAnswer struct {
	// Rcode is "NOERROR", "NXDOMAIN", "SERVFAIL", "REFUSED", ... or
	// "timeout" / "error" when no answer came, "malformed" when only
	// unparseable replies came.
	Rcode     string
	Addrs     []string
	CNAMEs    []string
	RTT       time.Duration
	Transport string // "udp" or "tcp" (after truncation)
	Truncated bool
	Err       error
}

// Answered reports whether the server answered with a readable message.
func (a DNSAnswer) Answered() bool {
	return a.Rcode != "timeout" && a.Rcode != "error" && a.Rcode != "malformed"
}

// QueryDNS asks server one question directly (no system resolver, no
// cache), retransmitting over UDP and retrying over TCP when the answer is
// truncated.
func QueryDNS(ctx context.Context, server netip.AddrPort, name string, qtype uint16, timeout time.Duration) DNSAnswer {
	if timeout <= 0 {
		timeout = DefaultDNSTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	m := new(dns.Msg)
	m.SetQuestion(dns.Fqdn(name), qtype)
	m.RecursionDesired = true
	m.SetEdns0(1232, false)

	start := time.Now()
	resp, err := exchangeUDP(ctx, server, m)
	ans := DNSAnswer{Transport: "udp"}
	if err == nil && resp.Truncated {
		ans.Truncated = true
		c := &dns.Client{Net: "tcp"}
		if r2, _, err2 := c.ExchangeContext(ctx, m, server.String()); err2 == nil {
			resp, ans.Transport = r2, "tcp"
		} else {
			err = fmt.Errorf("answer truncated over UDP and TCP retry failed: %w", err2)
		}
	}
	ans.RTT = time.Since(start)
	if err != nil {
		ans.Err = err
		ans.Rcode = "error"
		if isTimeout(err) {
			ans.Rcode = "timeout"
		}
		if errors.As(err, new(errMalformed)) {
			ans.Rcode = "malformed"
		}
		return ans
	}
	ans.Rcode = dns.RcodeToString[resp.Rcode]
	if ans.Rcode == "" {
		ans.Rcode = fmt.Sprintf("RCODE%d", resp.Rcode)
	}
	for _, rr := range resp.Answer {
		switch v := rr.(type) {
		case *dns.A:
			ans.Addrs = append(ans.Addrs, v.A.String())
		case *dns.AAAA:
			ans.Addrs = append(ans.Addrs, v.AAAA.String())
		case *dns.CNAME:
			ans.CNAMEs = append(ans.CNAMEs, sanitize.String(v.Target, 0))
		}
	}
	return ans
}

// exchangeUDP sends m and retransmits it on the same socket until an
// answer with the right ID arrives or ctx ends.
func exchangeUDP(ctx context.Context, server netip.AddrPort, m *dns.Msg) (*dns.Msg, error) {
	nc, err := dialCounted(ctx, &net.Dialer{}, "udp", server.String())
	if err != nil {
		return nil, err
	}
	conn := &dns.Conn{Conn: nc, UDPSize: 1232}
	defer conn.Close()
	if dl, ok := ctx.Deadline(); ok {
		conn.SetDeadline(dl)
	}
	if err := conn.WriteMsg(m); err != nil {
		return nil, err
	}
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		wait := dnsRetransmit
		for {
			select {
			case <-stop:
				return
			case <-ctx.Done():
				conn.SetDeadline(time.Now()) // unblock the reader
				return
			case <-time.After(wait):
				conn.WriteMsg(m)
				wait *= 2
			}
		}
	}()
	malformed := 0
	for {
		r, err := conn.ReadMsg()
		if err != nil {
			var op *net.OpError
			switch {
			case ctx.Err() != nil || isTimeout(err):
				if malformed > 0 {
					// The server did answer, with something unreadable:
					// that is not "no answer".
					return nil, errMalformed{malformed}
				}
				if ctx.Err() != nil {
					return nil, context.DeadlineExceeded
				}
				return nil, err
			case errors.As(err, &op):
				return nil, err // e.g. ICMP port unreachable: connection refused
			}
			malformed++ // a malformed or stray packet: keep listening
			continue
		}
		if r.Id == m.Id {
			return r, nil
		}
	}
}

// errMalformed says the server sent replies that could not be parsed,
// and no valid one.
type errMalformed struct{ n int }

func (e errMalformed) Error() string {
	return fmt.Sprintf("the server replied, but %d repl%s could not be parsed as DNS", e.n, map[bool]string{true: "y", false: "ies"}[e.n == 1])
}

// DNSOptions configures the DNS check.
type DNSOptions struct {
	// Role is "system" for the resolvers this computer uses, "reference"
	// for the independent resolvers the answers are compared with.
	Role    string
	Timeout time.Duration
}

// NewDNS prepares the check of name on server (see DNS).
func NewDNS(server netip.AddrPort, name string, opt DNSOptions) Probe {
	return One(func(ctx context.Context) result.Check { return DNS(ctx, server, name, opt) })
}

// maxDNSAnswers bounds the addresses a check keeps: a hostile or broken
// server can send thousands of records, and the report must stay
// readable. The total is kept in evidence.answers_total.
const maxDNSAnswers = 32

// DNS asks server for name's A and AAAA records, concurrently, and judges
// the pair: an address in either answer is ok; NXDOMAIN, SERVFAIL, REFUSED,
// no data or silence fail. A reference resolver that does not answer is
// "skip": it is a yardstick, not part of this computer's setup.
func DNS(ctx context.Context, server netip.AddrPort, name string, opt DNSOptions) result.Check {
	role := opt.Role
	if role == "" {
		role = "system"
	}
	c := begin("dns", result.DNS, name+" @"+serverString(server))
	c.With("resolver", serverString(server)).With("role", role).With("name", name).With("family", Family(server.Addr()))
	var a, aaaa DNSAnswer
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); a = QueryDNS(ctx, server, name, dns.TypeA, opt.Timeout) }()
	go func() { defer wg.Done(); aaaa = QueryDNS(ctx, server, name, dns.TypeAAAA, opt.Timeout) }()
	wg.Wait()
	if len(a.Addrs)+len(aaaa.Addrs) == 0 {
		for _, err := range []error{a.Err, aaaa.Err} {
			if reason, why, local := LocalFailure(err); local {
				return end(notMeasured(c, reason, why, err)) // this computer could not ask
			}
		}
	}
	return end(judgeDNS(c, server, name, role, a, aaaa))
}

// judgeDNS fills a dns check from the A and AAAA answers. It is pure, so
// every rcode and error path is table-tested.
func judgeDNS(c result.Check, server netip.AddrPort, name, role string, a, aaaa DNSAnswer) result.Check {
	addrs := append(append([]string{}, a.Addrs...), aaaa.Addrs...)
	if len(addrs) > maxDNSAnswers {
		c.With("answers_total", len(addrs))
		addrs = addrs[:maxDNSAnswers]
	}
	c.With("answers", nonNil(addrs)).With("rcode", a.Rcode).With("rcode_aaaa", aaaa.Rcode).With("transport", a.Transport)
	if len(a.CNAMEs)+len(aaaa.CNAMEs) > 0 {
		cn := append(append([]string{}, a.CNAMEs...), aaaa.CNAMEs...)
		slices.Sort(cn)
		c.With("cnames", bound.List(slices.Compact(cn)))
	}
	if a.Truncated || aaaa.Truncated {
		c.With("truncated", true)
	}
	who := "resolver " + serverString(server)
	if role == "reference" {
		who = "reference resolver " + serverString(server)
	}
	// The A answer leads: it is what most software asks first. AAAA only
	// rescues a silent or failing A.
	primary := a
	if !a.Answered() && aaaa.Answered() {
		primary = aaaa
		c.With("rcode", aaaa.Rcode)
	}
	// A round-trip time exists only when an answer came back.
	if primary.Answered() {
		c.With("rtt_ms", ms(primary.RTT))
	}
	shown := strings.Join(addrs, ", ")
	if n, ok := c.Evidence["answers_total"].(int); ok {
		shown += fmt.Sprintf(" and %d more", n-len(addrs))
	}
	c.Status = result.Fail
	switch {
	case len(addrs) > 0:
		c.Status = result.OK
		c.Detail = fmt.Sprintf("%s resolves %s to %s in %s", who, name, shown, fmtDur(primary.RTT))
		if a.Transport == "tcp" {
			c.Detail += " (answer was truncated, retried over TCP)"
		}
	case primary.Rcode == "NXDOMAIN":
		c.Reason = result.ReasonDNSNXDomain
		c.Detail = fmt.Sprintf("%s says %s does not exist (NXDOMAIN)", who, name)
	case primary.Rcode == "NOERROR":
		c.Reason = result.ReasonDNSNoData
		c.Detail = fmt.Sprintf("%s knows %s but it has no address (no A or AAAA record)", who, name)
	case primary.Rcode == "SERVFAIL":
		c.Reason = result.ReasonDNSServfail
		c.Detail = fmt.Sprintf("%s failed to resolve %s (SERVFAIL: it could not get an answer upstream)", who, name)
	case primary.Rcode == "REFUSED":
		c.Reason = result.ReasonDNSRefused
		c.Detail = fmt.Sprintf("%s refused to answer (REFUSED: it does not serve this computer)", who)
	case primary.Rcode == "timeout":
		c.Reason = result.ReasonDNSTimeout
		c.Detail = fmt.Sprintf("%s did not answer within %s", who, fmtDur(primary.RTT))
	case primary.Rcode == "malformed":
		c.Reason = result.ReasonDNSMalformed
		c.Detail = fmt.Sprintf("%s answered, but with a reply that is not valid DNS", who)
	case primary.Rcode == "error" && errors.Is(primary.Err, syscall.ECONNREFUSED):
		c.Reason = result.ReasonDNSConnRefused
		c.Detail = fmt.Sprintf("%s does not run a DNS server: its port %d answered \"connection refused\"", who, server.Port())
	case primary.Rcode == "error":
		c.Reason = result.ReasonDNSError
		c.Detail = fmt.Sprintf("%s could not be asked: %s", who, errText(primary.Err))
	default:
		c.Reason = result.ReasonDNSRcode
		c.Detail = fmt.Sprintf("%s answered %s for %s", who, primary.Rcode, name)
	}
	if primary.Err != nil {
		c.Error = errText(primary.Err)
	}
	if role == "reference" && c.Status == result.Fail && !primary.Answered() {
		c.Status = result.Skip
		c.Reason = result.ReasonDNSReferenceQuiet
		c.Detail += "; no comparison made"
	}
	return c
}

func serverString(s netip.AddrPort) string {
	if s.Port() == 53 {
		return s.Addr().String()
	}
	return s.String()
}
