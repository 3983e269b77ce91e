package diagnose

import (
	"context"
	"net"
	"net/netip"
	"strings"
	"sync"

	"github.com/netprobe/netprobe/probes"
	"github.com/netprobe/netprobe/result"
)

// nameBoard shares the DNS layer's answers with the tasks that need the
// same names (service targets, printers by name). They wait for the
// answer instead of resolving again: a second lookup would only send more
// queries to the same dead server and wait out the same silence, and the
// service check would then report a DNS fault as its own.
type nameBoard struct {
	mu sync.Mutex
	m  map[string]*nameEntry
}

type nameEntry struct {
	done    chan struct{}
	pending int // system resolvers that have not reported yet
	res     probes.Resolved
	closed  bool
}

func newNameBoard() *nameBoard { return &nameBoard{m: map[string]*nameEntry{}} }

func boardKey(name string) string { return strings.TrimSuffix(strings.ToLower(name), ".") }

// expect announces one more system resolver check of name.
func (b *nameBoard) expect(name string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	e := b.m[boardKey(name)]
	if e == nil {
		e = &nameEntry{done: make(chan struct{})}
		b.m[boardKey(name)] = e
	}
	e.pending++
}

// report records a system resolver's check of name: the first answer with
// addresses settles it; when every resolver failed, the first failure does.
func (b *nameBoard) report(name string, c result.Check) {
	b.mu.Lock()
	defer b.mu.Unlock()
	e := b.m[boardKey(name)]
	if e == nil || e.closed {
		return
	}
	answers, _ := c.Evidence["answers"].([]string)
	if c.Status == result.OK && len(answers) > 0 {
		var addrs []netip.Addr
		for _, a := range answers {
			if ip, err := netip.ParseAddr(a); err == nil {
				addrs = append(addrs, ip)
			}
		}
		e.res = probes.Resolved{Addrs: addrs}
		e.closed = true
		close(e.done)
		return
	}
	if e.res.Err == nil {
		rcode, _ := c.Evidence["rcode"].(string)
		resolver, _ := c.Evidence["resolver"].(string)
		e.res.Err = &net.DNSError{Name: name, Server: resolver, Err: "the DNS layer could not resolve it (" + rcode + ")",
			IsNotFound: rcode == "NXDOMAIN" || rcode == "NOERROR", IsTimeout: rcode == "timeout"}
	}
	if e.pending--; e.pending <= 0 {
		e.closed = true
		close(e.done)
	}
}

// pin waits for name's outcome and returns ctx carrying it for the
// probes. A name nobody resolves (no DNS layer in this run) is left to the
// probe's own lookup.
func (b *nameBoard) pin(ctx context.Context, name string) context.Context {
	if b == nil {
		return ctx
	}
	if _, err := netip.ParseAddr(name); err == nil {
		return ctx
	}
	b.mu.Lock()
	e := b.m[boardKey(name)]
	b.mu.Unlock()
	if e == nil {
		return ctx
	}
	select {
	case <-e.done:
		return probes.WithResolved(ctx, name, e.res)
	case <-ctx.Done():
		return ctx
	}
}

// addrs returns the addresses the DNS layer found for name, once it has
// settled (after pin); nil when it has not, or found none.
func (b *nameBoard) addrs(name string) []netip.Addr {
	if b == nil {
		return nil
	}
	b.mu.Lock()
	e := b.m[boardKey(name)]
	b.mu.Unlock()
	if e == nil {
		return nil
	}
	select {
	case <-e.done:
		return e.res.Addrs
	default:
		return nil
	}
}
