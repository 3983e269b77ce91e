// Package probes holds one file per probe. Every probe has the same small
// shape: it takes a context (whose deadline it honours), a target and an
// options struct, and returns result.Check values whose Detail and Evidence
// carry the reason as data. Probes never print and never decide the
// verdict.
package probes

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"time"

	"github.com/netprobe/netprobe/result"
)

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

type resolverKey struct{}

// WithResolver makes the probes run under ctx resolve host names with r
// instead of the system resolver. A run that tests given DNS servers
// (--resolver) resolves its targets through them too: the same path the
// report judges, and no query to a server the user did not name.
func WithResolver(ctx context.Context, r *net.Resolver) context.Context {
	return context.WithValue(ctx, resolverKey{}, r)
}

// resolverFrom returns the resolver set by WithResolver, or the system's.
func resolverFrom(ctx context.Context) *net.Resolver {
	if r, ok := ctx.Value(resolverKey{}).(*net.Resolver); ok && r != nil {
		return r
	}
	return net.DefaultResolver
}

// ResolverFor returns a resolver that asks only the given DNS servers, in
// order, the way the Go resolver asks resolv.conf's.
func ResolverFor(servers []string) *net.Resolver {
	return &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
		var d net.Dialer
		var err error
		for _, s := range servers {
			var c net.Conn
			if c, err = d.DialContext(ctx, network, s); err == nil {
				return c, nil
			}
		}
		return nil, err
	}}
}

// LookupHost resolves a name with the run's resolver (see WithResolver).
func LookupHost(ctx context.Context, host string) ([]netip.Addr, error) {
	addrs, err := resolverFrom(ctx).LookupNetIP(ctx, "ip", host)
	if err != nil {
		return nil, err
	}
	for i := range addrs {
		addrs[i] = addrs[i].Unmap()
	}
	return addrs, nil
}
