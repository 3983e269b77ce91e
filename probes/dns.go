package probes

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/miekg/dns"

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
	// "timeout" / "error" when no answer came.
	Rcode     string
	Addrs     []string
	CNAMEs    []string
	RTT       time.Duration
	Transport string // "udp" or "tcp" (after truncation)
	Truncated bool
	Err       error
}

// Answered reports whether the server answered at all.
func (a DNSAnswer) Answered() bool { return a.Rcode != "timeout" && a.Rcode != "error" }

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
	for {
		r, err := conn.ReadMsg()
		if err != nil {
			if ctx.Err() != nil {
				return nil, context.DeadlineExceeded
			}
			var op *net.OpError
			if errors.As(err, &op) && !op.Timeout() {
				return nil, err // e.g. ICMP port unreachable: connection refused
			}
			if isTimeout(err) {
				return nil, err
			}
			continue // a malformed or stray packet: keep listening
		}
		if r.Id == m.Id {
			return r, nil
		}
	}
}

// DNSOptions configures the DNS check.
type DNSOptions struct {
	// Role is "system" for the resolvers this computer uses, "reference"
	// for the independent resolvers the answers are compared with.
	Role    string
	Timeout time.Duration
}

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
	c.With("resolver", serverString(server)).With("role", role).With("name", name)
	var a, aaaa DNSAnswer
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); a = QueryDNS(ctx, server, name, dns.TypeA, opt.Timeout) }()
	go func() { defer wg.Done(); aaaa = QueryDNS(ctx, server, name, dns.TypeAAAA, opt.Timeout) }()
	wg.Wait()
	for _, err := range []error{a.Err, aaaa.Err} {
		if reason, why, local := LocalFailure(err); local {
			return end(notMeasured(c, reason, why, err)) // this computer could not ask
		}
	}

	addrs := append(append([]string{}, a.Addrs...), aaaa.Addrs...)
	c.With("answers", nonNil(addrs)).With("rcode", a.Rcode).With("rcode_aaaa", aaaa.Rcode).With("transport", a.Transport)
	if len(a.CNAMEs)+len(aaaa.CNAMEs) > 0 {
		c.With("cnames", dedupe(append(a.CNAMEs, aaaa.CNAMEs...)))
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
	switch {
	case len(addrs) > 0:
		c.Status = result.OK
		c.Detail = fmt.Sprintf("%s resolves %s to %s in %s", who, name, strings.Join(addrs, ", "), fmtDur(primary.RTT))
		if a.Transport == "tcp" {
			c.Detail += " (answer was truncated, retried over TCP)"
		}
	case primary.Rcode == "NXDOMAIN":
		c.Status = result.Fail
		c.Detail = fmt.Sprintf("%s says %s does not exist (NXDOMAIN)", who, name)
	case primary.Rcode == "NOERROR":
		c.Status = result.Fail
		c.Detail = fmt.Sprintf("%s knows %s but it has no address (no A or AAAA record)", who, name)
	case primary.Rcode == "SERVFAIL":
		c.Status = result.Fail
		c.Detail = fmt.Sprintf("%s failed to resolve %s (SERVFAIL: it could not get an answer upstream)", who, name)
	case primary.Rcode == "REFUSED":
		c.Status = result.Fail
		c.Detail = fmt.Sprintf("%s refused to answer (REFUSED: it does not serve this computer)", who)
	case primary.Rcode == "timeout":
		c.Status = result.Fail
		c.Detail = fmt.Sprintf("%s did not answer within %s", who, fmtDur(primary.RTT))
	case primary.Rcode == "error" && errors.Is(primary.Err, syscall.ECONNREFUSED):
		c.Status = result.Fail
		c.Detail = fmt.Sprintf("%s does not run a DNS server: its port %d answered \"connection refused\"", who, server.Port())
	case primary.Rcode == "error":
		c.Status = result.Fail
		c.Detail = fmt.Sprintf("%s could not be asked: %s", who, errText(primary.Err))
	default:
		c.Status = result.Fail
		c.Detail = fmt.Sprintf("%s answered %s for %s", who, primary.Rcode, name)
	}
	if primary.Err != nil {
		c.Error = errText(primary.Err)
	}
	if role == "reference" && c.Status == result.Fail && !primary.Answered() {
		c.Status = result.Skip
		c.Detail += "; no comparison made"
	}
	return end(c)
}

// CompareDNS judges, for one name, the system resolvers' answers against
// the reference resolvers'. It returns nil when there is nothing to
// compare (no reference answered with addresses, NXDOMAIN or no data). A
// system resolver that says NXDOMAIN,
// or fails, for a name the references resolve fails: the fault is local.
// Disjoint address sets are only a warning: CDNs answer by location.
func CompareDNS(name string, system, reference []result.Check, at time.Time) *result.Check {
	var refAddrs []string
	refAnswered := false
	for _, r := range reference {
		if r.Status == result.Skip || !definitive(r) {
			continue
		}
		refAnswered = true
		refAddrs = append(refAddrs, strSlice(r.Evidence["answers"])...)
	}
	if !refAnswered || len(system) == 0 {
		return nil
	}
	c := result.Check{Name: "dns-compare", Layer: result.DNS, Target: name, Started: at, Evidence: map[string]any{}}
	refAddrs = dedupe(refAddrs)
	c.With("reference_answers", nonNil(refAddrs))
	var sysAddrs []string
	sysOK := false
	for _, s := range system {
		if s.Status == result.OK {
			sysOK = true
		}
		sysAddrs = append(sysAddrs, strSlice(s.Evidence["answers"])...)
	}
	sysAddrs = dedupe(sysAddrs)
	c.With("system_answers", nonNil(sysAddrs))
	switch {
	case len(refAddrs) == 0 && sysOK:
		c.Status = result.OK
		c.Detail = fmt.Sprintf("%s resolves only on this computer's resolvers (%s), the reference resolvers do not know it: an internal name", name, strings.Join(sysAddrs, ", "))
		c.With("agree", false)
	case len(refAddrs) == 0:
		c.Status = result.OK
		c.Detail = fmt.Sprintf("reference resolvers also find no address for %s: the name itself is missing or empty", name)
		c.With("agree", true)
	case !sysOK:
		c.Status = result.Fail
		c.Detail = fmt.Sprintf("%s resolves on the reference resolvers (%s) but not on this computer's resolvers", name, strings.Join(refAddrs, ", "))
		c.With("agree", false)
	case overlap(sysAddrs, refAddrs):
		c.Status = result.OK
		c.Detail = fmt.Sprintf("this computer's resolvers agree with the reference resolvers for %s", name)
		c.With("agree", true)
	default:
		c.Status = result.Warn
		c.Detail = fmt.Sprintf("this computer's resolvers answer %s with %s, the reference resolvers with %s: a CDN, a filter, or a wrong record",
			name, strings.Join(sysAddrs, ", "), strings.Join(refAddrs, ", "))
		c.With("agree", false)
	}
	return &c
}

// definitive reports whether a reference check says something about the
// name itself: addresses, NXDOMAIN, or NOERROR without data. SERVFAIL and
// REFUSED only say that this reference could not or would not look.
func definitive(c result.Check) bool {
	if len(strSlice(c.Evidence["answers"])) > 0 {
		return true
	}
	rc, _ := c.Evidence["rcode"].(string)
	return rc == "NXDOMAIN" || rc == "NOERROR"
}

func serverString(s netip.AddrPort) string {
	if s.Port() == 53 {
		return s.Addr().String()
	}
	return s.String()
}

func strSlice(v any) []string {
	s, _ := v.([]string)
	return s
}

func dedupe(s []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, v := range s {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	sort.Strings(out)
	return out
}

func overlap(a, b []string) bool {
	set := map[string]bool{}
	for _, v := range a {
		set[v] = true
	}
	for _, v := range b {
		if set[v] {
			return true
		}
	}
	return false
}
