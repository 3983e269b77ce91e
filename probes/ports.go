package probes

import (
	"context"
	"fmt"
	"net"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/netprobe/netprobe/result"
)

// PortSpec is one port to check.
type PortSpec struct {
	Proto string // "tcp" or "udp"
	Port  int
}

// PortsOptions configures a port sweep.
type PortsOptions struct {
	// Concurrency bounds connections in flight (default 512).
	Concurrency int
	// Timeout is how long one port may stay silent before it is called
	// filtered (default 1s).
	Timeout time.Duration
	// Detail is the most ports reported one check each; larger sweeps
	// report the open ports and one summary check (default 32).
	Detail int
}

// Port sweep defaults.
const (
	DefaultSweepConcurrency = 512
	DefaultSweepTimeout     = time.Second
	DefaultSweepDetail      = 32
)

// Ports checks many ports of one host concurrently. The host is resolved
// once. Up to Detail ports give one check each (a port that is not open
// fails); a larger sweep gives a check per open port and a summary check
// with the counts, which fails only when the host answered on no port at
// all.
func Ports(ctx context.Context, host string, ports []PortSpec, opt PortsOptions) []result.Check {
	if opt.Concurrency <= 0 {
		opt.Concurrency = DefaultSweepConcurrency
	}
	if opt.Timeout <= 0 {
		opt.Timeout = DefaultSweepTimeout
	}
	if opt.Detail <= 0 {
		opt.Detail = DefaultSweepDetail
	}
	ip, err := resolveAddrPort(ctx, host, 0)
	if err != nil {
		c := begin("ports", result.Service, host)
		c.Status, c.Error = result.Fail, errText(err)
		c.Detail = fmt.Sprintf("could not resolve %s: %s", host, errText(err))
		c.With("port_state", string(PortError))
		return []result.Check{end(c)}
	}
	addr := ip.Addr().String()
	checks := make([]result.Check, len(ports))
	sem := make(chan struct{}, opt.Concurrency)
	var wg sync.WaitGroup
	for i, p := range ports {
		sem <- struct{}{}
		// Checked after the wait for a slot, which can outlast the budget:
		// a port dialled with a spent context reads "filtered" without a
		// packet sent. The deadline itself is compared, not only ctx.Err():
		// a dial's own deadline timer can fire just before the context's.
		if ctx.Err() != nil || remaining(ctx, opt.Timeout) <= 0 {
			<-sem
			checks[i] = skipPort(host, p, "not tried: the time budget ran out")
			continue
		}
		wg.Add(1)
		go func(i int, p PortSpec) {
			defer func() { <-sem; wg.Done() }()
			pctx, cancel := context.WithTimeout(ctx, opt.Timeout)
			defer cancel()
			if p.Proto == "udp" {
				checks[i] = UDP(pctx, addr, p.Port)
			} else {
				checks[i] = TCP(pctx, addr, p.Port, TCPOptions{Layer: result.Service})
			}
			if addr != host {
				checks[i].With("host", host)
			}
		}(i, p)
	}
	wg.Wait()
	if len(ports) <= opt.Detail {
		return checks
	}
	return summarise(host, checks)
}

func skipPort(host string, p PortSpec, why string) result.Check {
	c := begin(p.Proto, result.Service, p.Proto+"://"+net.JoinHostPort(host, strconv.Itoa(p.Port)))
	c.Status, c.Detail = result.Skip, why
	return end(c)
}

// summarise keeps the open ports' checks and adds one summary check.
func summarise(host string, checks []result.Check) []result.Check {
	counts := map[string]int{}
	var open []string
	var out []result.Check
	for _, c := range checks {
		st, _ := c.Evidence["port_state"].(string)
		if c.Status == result.Skip {
			st = "not_tried"
		}
		counts[st]++
		if st == string(PortOpen) {
			open = append(open, fmt.Sprintf("%v/%v", c.Evidence["port"], c.Evidence["protocol"]))
			out = append(out, c)
		}
	}
	sum := begin("ports", result.Service, host)
	sum.With("ports_scanned", len(checks)).With("open_ports", nonNil(open))
	var parts []string
	keys := make([]string, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		sum.With("count_"+strings.NewReplacer("|", "_").Replace(k), counts[k])
		parts = append(parts, fmt.Sprintf("%d %s", counts[k], k))
	}
	answered := counts[string(PortOpen)] + counts[string(PortClosed)]
	sum.Status = result.OK
	sum.Detail = fmt.Sprintf("%d ports scanned: %s", len(checks), strings.Join(parts, ", "))
	switch {
	case counts["not_tried"] == len(checks):
		// Nothing was measured: that is no evidence against the host.
		sum.Status = result.Skip
		sum.Detail = fmt.Sprintf("not tried: the time budget ran out before any of %d ports", len(checks))
	case answered == 0:
		sum.Status = result.Fail
		sum.Detail += "; the host answered on no port"
	}
	return append(out, end(sum))
}
