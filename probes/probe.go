// Package probes holds one file per probe. Every probe has the same
// contract, the Probe type: a constructor (NewPing, NewDNS, NewTCP, ...)
// binds the target and options, checks nothing and sends nothing; the
// runner later calls the Probe with a context whose deadline it honours,
// and gets result.Check values whose Reason, Detail and Evidence carry the
// outcome as data. Probes never print and never decide the verdict.
package probes

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"strings"
	"sync"
	"time"

	"github.com/miekg/dns"

	"github.com/netprobe/netprobe/result"
)

// Probe is one prepared measurement. It must return by ctx's deadline
// (converting it into its library's timeouts), must not print, and must
// give every check that is not ok a registered result.Reason. It returns
// at least one check.
type Probe func(ctx context.Context) []result.Check

// One adapts a probe that yields a single check.
func One(f func(ctx context.Context) result.Check) Probe {
	return func(ctx context.Context) []result.Check { return []result.Check{f(ctx)} }
}

// now is the probes' clock; tests may replace it.
var now = time.Now

// begin starts a check with its name, layer and target filled in.
func begin(name string, layer result.Layer, target string) result.Check {
	return result.Check{Name: name, Layer: layer, Target: target, Started: now(), Evidence: map[string]any{}}
}

// end stamps the check's duration and returns it.
func end(c result.Check) result.Check {
	c.Duration = now().Sub(c.Started)
	return c
}

// remaining returns how long ctx has left, or def when it has no deadline.
func remaining(ctx context.Context, def time.Duration) time.Duration {
	if dl, ok := ctx.Deadline(); ok {
		return time.Until(dl)
	}
	return def
}

// isTimeout reports whether err means "no answer before the deadline".
func isTimeout(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	var t interface{ Timeout() bool }
	return errors.As(err, &t) && t.Timeout()
}

// ms converts a duration to the report's millisecond unit.
func ms(d time.Duration) float64 { return result.Millis(d) }

type resolversKey struct{}

// WithResolvers makes the probes run under ctx resolve host names by
// asking these DNS servers directly, in order, instead of the system
// resolver. A run that tests given DNS servers (--resolver) resolves its
// targets through them too: the same path the report judges, and no query
// to a server the user did not name.
func WithResolvers(ctx context.Context, servers []netip.AddrPort) context.Context {
	return context.WithValue(ctx, resolversKey{}, servers)
}

func resolversFrom(ctx context.Context) []netip.AddrPort {
	s, _ := ctx.Value(resolversKey{}).([]netip.AddrPort)
	return s
}

// LookupHost resolves host to its addresses (IPv4 first). With servers set
// by WithResolvers it asks them in order: an answer with addresses, an
// NXDOMAIN or an empty answer ends the search; silence, SERVFAIL or REFUSED
// moves on to the next server. Otherwise the system resolver answers.
// Errors are *net.DNSError, so callers can tell "no such name" from "no
// answer".
func LookupHost(ctx context.Context, host string) ([]netip.Addr, error) {
	if a, err := netip.ParseAddr(host); err == nil {
		return []netip.Addr{a}, nil
	}
	if r, ok := resolvedFrom(ctx, host); ok {
		return r.Addrs, r.Err
	}
	servers := resolversFrom(ctx)
	if len(servers) == 0 {
		addrs, err := net.DefaultResolver.LookupNetIP(ctx, "ip", host)
		if err != nil {
			return nil, err
		}
		for i := range addrs {
			addrs[i] = addrs[i].Unmap()
		}
		return addrs, nil
	}
	var last *net.DNSError
	for i, srv := range servers {
		if ctx.Err() != nil {
			break
		}
		// Each server gets its share of the time left, so a silent first
		// server cannot use up the time of the ones after it.
		per := remaining(ctx, DefaultDNSTimeout) / time.Duration(len(servers)-i)
		if per > DefaultDNSTimeout {
			per = DefaultDNSTimeout
		}
		var a, aaaa DNSAnswer
		var wg sync.WaitGroup
		wg.Add(2)
		go func() { defer wg.Done(); a = QueryDNS(ctx, srv, host, dns.TypeA, per) }()
		go func() { defer wg.Done(); aaaa = QueryDNS(ctx, srv, host, dns.TypeAAAA, per) }()
		wg.Wait()
		for _, e := range []error{a.Err, aaaa.Err} {
			if _, _, local := LocalFailure(e); local {
				// This computer could not ask: no answer about the name.
				return nil, &net.DNSError{Name: host, Server: serverString(srv), Err: errText(e), UnwrapErr: e}
			}
		}
		var out []netip.Addr
		for _, s := range append(append([]string{}, a.Addrs...), aaaa.Addrs...) {
			if ip, err := netip.ParseAddr(s); err == nil {
				out = append(out, ip.Unmap())
			}
		}
		if len(out) > 0 {
			return out, nil
		}
		e := &net.DNSError{Name: host, Server: serverString(srv)}
		switch {
		case a.Rcode == "NXDOMAIN" || aaaa.Rcode == "NXDOMAIN":
			e.Err, e.IsNotFound = "no such host (NXDOMAIN)", true
			return nil, e
		case a.Rcode == "NOERROR" || aaaa.Rcode == "NOERROR":
			e.Err, e.IsNotFound = "no address for this name", true
			return nil, e
		case a.Rcode == "timeout":
			e.Err, e.IsTimeout = "no answer from the DNS server", true
		case a.Rcode == "error":
			e.Err = errText(a.Err)
		default:
			e.Err = "the DNS server answered " + a.Rcode
		}
		last = e
	}
	if last == nil {
		return nil, &net.DNSError{Name: host, Err: "no time left to resolve", IsTimeout: true}
	}
	return nil, last
}

// Resolved is the outcome of a name lookup made elsewhere in the run (the
// DNS layer): its addresses, or why there are none.
type Resolved struct {
	Addrs []netip.Addr
	Err   error
}

type resolvedKey struct{ host string }

// WithResolved pins host's lookup outcome for the probes run under ctx:
// they use it instead of asking again. The DNS layer has already asked
// every resolver; a second lookup would only wait out the same silence.
func WithResolved(ctx context.Context, host string, r Resolved) context.Context {
	return context.WithValue(ctx, resolvedKey{strings.TrimSuffix(strings.ToLower(host), ".")}, r)
}

func resolvedFrom(ctx context.Context, host string) (Resolved, bool) {
	r, ok := ctx.Value(resolvedKey{strings.TrimSuffix(strings.ToLower(host), ".")}).(Resolved)
	return r, ok
}

// dialTCP connects to host:port. With resolvers set by WithResolvers (or an
// outcome pinned by WithResolved) a name is resolved through them and each address tried in turn; otherwise the
// standard dialer resolves (and races IPv4 and IPv6).
//
// Every connection holds a slot of the descriptor pool (dialCounted) while
// it is open, so hundreds of targets at once wait for descriptors instead
// of failing with EMFILE.
func dialTCP(ctx context.Context, addr string) (net.Conn, error) {
	d := &net.Dialer{}
	host, port, err := net.SplitHostPort(addr)
	if _, pinned := resolvedFrom(ctx, host); err != nil || (len(resolversFrom(ctx)) == 0 && !pinned) {
		return dialCounted(ctx, d, "tcp", addr)
	}
	if _, err := netip.ParseAddr(host); err == nil {
		return dialCounted(ctx, d, "tcp", addr)
	}
	addrs, err := LookupHost(ctx, host)
	if err != nil {
		return nil, &net.OpError{Op: "dial", Net: "tcp", Err: err}
	}
	for _, a := range addrs {
		var c net.Conn
		if c, err = dialCounted(ctx, d, "tcp", net.JoinHostPort(a.String(), port)); err == nil {
			return c, nil
		}
		if ctx.Err() != nil {
			break
		}
	}
	return nil, err
}

// Family is the IP family of an address, 4 or 6: every check that knows
// its address says which (evidence "family"), so a report shows IPv4 and
// IPv6 each on its own.
func Family(a netip.Addr) int {
	if a.Unmap().Is4() {
		return 4
	}
	return 6
}
