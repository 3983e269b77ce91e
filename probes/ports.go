package probes

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/netprobe/netprobe/internal/fdlimit"
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

// NewPorts prepares the check of many ports of one host (see Ports).
func NewPorts(host string, ports []PortSpec, opt PortsOptions) Probe {
	return func(ctx context.Context) []result.Check { return Ports(ctx, host, ports, opt) }
}

// Ports checks many ports of one host concurrently. The host is resolved
// once. Up to Detail ports give one check each (a port that is not open
// fails); a larger sweep gives a check per open port and a summary check
// with the counts, which fails only when the host answered on no port at
// all.
//
// A fixed pool of workers takes the ports in order, and a sweep keeps only
// each port's state until the end: a full check per port (and a goroutine
// and timer per port) made a 65535-port sweep cost twice the CPU and four
// times the memory of nmap for the same answer.
func Ports(ctx context.Context, host string, ports []PortSpec, opt PortsOptions) []result.Check {
	if opt.Concurrency <= 0 {
		opt.Concurrency = DefaultSweepConcurrency
	}
	// No more connections in flight than descriptors to hold them.
	opt.Concurrency = min(opt.Concurrency, fdlimit.Capacity())
	if opt.Timeout <= 0 {
		opt.Timeout = DefaultSweepTimeout
	}
	if opt.Detail <= 0 {
		opt.Detail = DefaultSweepDetail
	}
	ip, err := resolveAddrPort(ctx, host, 0)
	if err != nil {
		c := begin("ports", result.Service, host)
		c.Status, c.Error, c.Reason = result.Fail, errText(err), result.ReasonPortsUnresolved
		c.Detail = fmt.Sprintf("could not resolve %s: %s", host, errText(err))
		c.With("port_state", string(PortError))
		return []result.Check{end(c)}
	}
	addr := ip.Addr().String()
	detail := len(ports) <= opt.Detail
	out := make([]portOutcome, len(ports))
	if !detail && haveSweepTCP {
		sweepTCPPorts(ctx, ip.Addr(), host, ports, out, opt)
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < min(opt.Concurrency, len(ports)); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= len(ports) {
					return
				}
				// The deadline itself is compared, not only ctx.Err(): a
				// dial's own timer can fire just before the context's, and
				// a port dialled with no time left would read "filtered"
				// with no packet sent.
				if out[i].tried {
					continue // swept already
				}
				if ctx.Err() != nil || remaining(ctx, opt.Timeout) <= 0 {
					continue // not tried
				}
				out[i] = probePort(ctx, addr, host, ports[i], opt.Timeout, detail)
			}
		}()
	}
	wg.Wait()
	if detail {
		checks := make([]result.Check, len(ports))
		for i, o := range out {
			if o.check == nil {
				checks[i] = skipPort(host, ports[i], "not tried: the time budget ran out")
				continue
			}
			checks[i] = *o.check
		}
		return checks
	}
	return summarise(host, addr, ports, out)
}

// portOutcome is what a sweep keeps of one port: its state, and the full
// check only where one is reported (every port of a short list, UDP, or an
// open port).
type portOutcome struct {
	tried bool
	state PortState
	check *result.Check
	// why says, for PortNotMeasured, what this computer lacked.
	why string
}

// sweepBatch is how many connection attempts one scanner worker keeps in
// flight, watched with a single poll(2) call.
const sweepBatch = 128

// sweepTCPPorts settles every TCP port of a sweep with the batch scanner
// and builds full checks only for the open ones.
func sweepTCPPorts(ctx context.Context, ip netip.Addr, host string, ports []PortSpec, out []portOutcome, opt PortsOptions) {
	var idx, nums []int
	for i, p := range ports {
		if p.Proto == "tcp" {
			idx = append(idx, i)
			nums = append(nums, p.Port)
		}
	}
	if len(nums) == 0 {
		return
	}
	workers := max(1, opt.Concurrency/sweepBatchSize())
	states := sweepTCP(ctx, ip, nums, opt.Timeout, workers)
	addr := ip.String()
	for k, i := range idx {
		st := states[k]
		if st == "" {
			continue // not tried (the budget ran out, or no descriptor): the workers try again
		}
		o := portOutcome{tried: true, state: st}
		if st == PortOpen {
			c := begin("tcp", result.Service, "tcp://"+net.JoinHostPort(addr, strconv.Itoa(nums[k])))
			c = end(judgeTCP(c, addr, nums[k], PortOpen, 0, nil))
			delete(c.Evidence, "connect_ms") // not timed one by one in a sweep
			c.Detail = fmt.Sprintf("port %d/tcp is open", nums[k])
			if addr != host {
				c.With("host", host)
			}
			o.check = &c
		}
		out[i] = o
	}
}

func probePort(ctx context.Context, addr, host string, p PortSpec, timeout time.Duration, detail bool) portOutcome {
	if p.Proto == "udp" || detail {
		pctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		var c result.Check
		if p.Proto == "udp" {
			c = UDP(pctx, addr, p.Port)
		} else {
			c = TCP(pctx, addr, p.Port, TCPOptions{Layer: result.Service})
		}
		if addr != host {
			c.With("host", host)
		}
		st, _ := c.Evidence["port_state"].(string)
		if c.Reason == result.ReasonLocalResources || c.Reason == result.ReasonLocalPermission {
			return portOutcome{tried: true, state: PortNotMeasured, check: &c, why: strings.TrimPrefix(c.Detail, "not measured: ")}
		}
		return portOutcome{tried: true, state: PortState(st), check: &c}
	}
	d := net.Dialer{Timeout: timeout}
	start := time.Now()
	conn, err := dialCounted(ctx, &d, "tcp", net.JoinHostPort(addr, strconv.Itoa(p.Port)))
	if err == nil {
		conn.Close()
		c := begin("tcp", result.Service, "tcp://"+net.JoinHostPort(addr, strconv.Itoa(p.Port)))
		c.Started = start
		c = end(judgeTCP(c, addr, p.Port, PortOpen, time.Since(start), nil))
		if addr != host {
			c.With("host", host)
		}
		return portOutcome{tried: true, state: PortOpen, check: &c}
	}
	if _, why, local := LocalFailure(err); local {
		return portOutcome{tried: true, state: PortNotMeasured, why: why}
	}
	return portOutcome{tried: true, state: classifyDialError(err)}
}

func skipPort(host string, p PortSpec, why string) result.Check {
	c := begin(p.Proto, result.Service, p.Proto+"://"+net.JoinHostPort(host, strconv.Itoa(p.Port)))
	c.Status, c.Detail, c.Reason = result.Skip, why, result.ReasonTimedOut
	return end(c)
}

// summarise keeps the open ports' checks and adds one summary check. A
// port that could not be tried — the budget ran out, or this computer had
// no descriptor, buffer or permission for it — is not evidence either
// way: the summary counts them, names their ranges, and is not ok.
func summarise(host, addr string, ports []PortSpec, outs []portOutcome) []result.Check {
	counts := map[string]int{}
	var open []string
	var out []result.Check
	var unmeasured []PortSpec
	localWhy := ""
	for i, o := range outs {
		st := string(o.state)
		switch {
		case !o.tried:
			st = "not_tried"
			unmeasured = append(unmeasured, ports[i])
		case o.state == PortNotMeasured:
			unmeasured = append(unmeasured, ports[i])
			if localWhy == "" {
				localWhy = o.why
			}
		}
		counts[st]++
		if o.state == PortOpen {
			open = append(open, fmt.Sprintf("%d/%s", ports[i].Port, ports[i].Proto))
			out = append(out, *o.check)
		}
	}
	checks := outs
	sum := begin("ports", result.Service, host)
	sum.With("ports_scanned", len(checks)).With("open_ports", nonNil(open))
	if addr != host {
		sum.With("address", addr)
	}
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
	ranges := portRanges(unmeasured)
	if len(unmeasured) > 0 {
		listed := ranges
		if len(listed) > maxUnmeasuredRanges {
			sum.With("unmeasured_ranges", len(listed))
			listed = listed[:maxUnmeasuredRanges]
		}
		sum.With("unmeasured_ports", listed)
		sum.Status, sum.Reason = result.Warn, result.ReasonPortsNotMeasured
		sum.Detail += "; " + unmeasuredText(len(unmeasured), ranges, counts["not_tried"], counts[string(PortNotMeasured)], localWhy)
	}
	switch {
	case counts["not_tried"] == len(checks):
		// Nothing was measured: that is no evidence against the host.
		sum.Status, sum.Reason = result.Skip, result.ReasonPortsNotMeasured
		sum.Detail = fmt.Sprintf("not tried: the time budget ran out before any of %d ports", len(checks))
	case len(unmeasured) == len(checks):
		// This computer could not try a single port: not a verdict on the
		// host, and not "ok" either (a warning, so the run is not ok).
		sum.Detail = fmt.Sprintf("not measured: none of %d ports could be tried (%s): %s",
			len(checks), strings.Join(ranges[:min(maxRangesInDetail, len(ranges))], ", "), localWhy)
	case answered == 0:
		sum.Status, sum.Reason = result.Fail, result.ReasonPortsNoneAnswer
		sum.Detail += "; the host answered on no port"
	}
	return append(out, end(sum))
}

// maxUnmeasuredRanges bounds the ranges a summary lists; the counts stay
// exact.
const (
	maxUnmeasuredRanges = 64
	maxRangesInDetail   = 12
)

// unmeasuredText says how many ports were not measured, which, and why.
func unmeasuredText(n int, ranges []string, budget, local int, localWhy string) string {
	shown := ranges
	more := ""
	if len(shown) > maxRangesInDetail {
		more = fmt.Sprintf(" and %d more ranges", len(shown)-maxRangesInDetail)
		shown = shown[:maxRangesInDetail]
	}
	var why []string
	if local > 0 {
		why = append(why, fmt.Sprintf("%d: %s", local, localWhy))
	}
	if budget > 0 {
		why = append(why, fmt.Sprintf("%d: the time budget ran out", budget))
	}
	return fmt.Sprintf("%d not measured (%s%s) — %s", n, strings.Join(shown, ", "), more, strings.Join(why, "; "))
}

// portRanges compresses ports into ranges per protocol, TCP first:
// "1-1023/tcp", "8080/tcp", "53/udp".
func portRanges(ps []PortSpec) []string {
	byProto := map[string][]int{}
	for _, p := range ps {
		byProto[p.Proto] = append(byProto[p.Proto], p.Port)
	}
	var out []string
	for _, proto := range []string{"tcp", "udp"} {
		nums := byProto[proto]
		sort.Ints(nums)
		for i := 0; i < len(nums); {
			j := i
			for j+1 < len(nums) && nums[j+1] <= nums[j]+1 {
				j++
			}
			if nums[i] == nums[j] {
				out = append(out, fmt.Sprintf("%d/%s", nums[i], proto))
			} else {
				out = append(out, fmt.Sprintf("%d-%d/%s", nums[i], nums[j], proto))
			}
			i = j + 1
		}
	}
	return out
}
