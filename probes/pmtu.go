package probes

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/netprobe/netprobe/result"
)

// PathMTUOptions configures the path MTU probe.
type PathMTUOptions struct {
	// Permission says which ICMP socket this process may use; the zero
	// value means "find out when the probe runs" (DetectICMP). Denied
	// leaves only the TCP method.
	Permission ICMPPermission
	// Sizes are the whole IP packet sizes tried first, in bytes; default
	// DefaultPMTUSizes4 or DefaultPMTUSizes6.
	Sizes []int
	// Tries is how many echo requests each size gets in the first round,
	// so that loss does not read as "too big".
	Tries int
	// Port, when > 0, adds the TCP method: connections to addr:Port whose
	// MSS is clamped to each size. This tests the very service that
	// stalled, and needs no ICMP at all.
	Port int
	// TLS makes each TCP connection run a TLS handshake (with ServerName,
	// certificate not checked: the path is tested, not the certificate).
	TLS        bool
	ServerName string
	// Payload is sent on each TCP connection when TLS is false; the
	// answer must come back. Empty: only the TCP handshake is tested,
	// which carries no large packet and proves nothing about sizes.
	Payload []byte
	// Timeout bounds the probe when the context has no deadline.
	Timeout time.Duration
}

// Path MTU defaults: the sizes of common links — Ethernet 1500, PPPoE
// 1492, 1472 (a 1500 payload mistaken for the packet), WireGuard 1420,
// 1400 (many VPNs), and 1280, the IPv6 minimum every path must carry.
var (
	DefaultPMTUSizes4 = []int{1500, 1492, 1472, 1420, 1400, 1280}
	DefaultPMTUSizes6 = []int{1500, 1480, 1420, 1400, 1280}
)

const (
	DefaultPMTUTries   = 3
	DefaultPMTUTimeout = 5 * time.Second
	// pmtuTrySpacing separates the tries of a round, so one burst of loss
	// does not take every try of a size.
	pmtuTrySpacing = 15 * time.Millisecond
	// After the last request of a round, lost sizes are waited for
	// pmtuGraceRTTs of the slowest round trip seen, at least pmtuGraceMin;
	// with no answer at all yet, pmtuSilentWait.
	pmtuGraceMin   = 250 * time.Millisecond
	pmtuGraceRTTs  = 4
	pmtuSilentWait = 2 * time.Second
	// The search between the largest size that passed and the smallest
	// that did not tries pmtuSearchWidth sizes at once, pmtuSearchTries
	// times each, for at most pmtuSearchRounds rounds: 120 bytes narrow to
	// the exact size in three.
	pmtuSearchWidth  = 7
	pmtuSearchTries  = 2
	pmtuSearchRounds = 4
	// pmtuConfirmICMP is how many echo requests of a size must vanish
	// before its loss counts as "lost repeatedly".
	pmtuConfirmICMP = 2
	pmtuMargin      = 10 * time.Millisecond
)

// Size states in evidence "sizes".
const (
	sizeOK       = "ok"
	sizeLost     = "lost"
	sizeTooBig   = "too_big"
	sizeError    = "error"
	sizeNotTried = "not_tried"
)

// NewPathMTU prepares a probe of the largest packet that reaches addr. It
// tells an MTU black hole — large packets vanish without a word — from a
// path whose MTU is merely smaller and says so ("fragmentation needed" /
// "packet too big", or EMSGSIZE from the kernel).
//
// ICMP method (where permitted): echo requests with Don't-Fragment of
// every size, all in flight together and each tried several times; then,
// time permitting, a search between the largest size that passed and the
// smallest that did not names the MTU to the byte. On Linux the kernel's
// cached path MTU is bypassed (IP_PMTUDISC_PROBE) and errors are read
// from the socket's error queue.
//
// TCP method (when Port > 0): connections whose MSS (TCP_MAXSEG, set
// before connecting) matches each size; a size passes when the TLS
// handshake or the exchange of Payload completes with more than one full
// segment from the server. It confirms a black hole on the service that
// stalled, without ICMP, and sees the way back, which an echo request
// does not (echo replies are sent without Don't-Fragment).
//
// Sizes above the outgoing interface's MTU are not tried. The check is
// "pmtu" in the internet layer; docs/schema.md documents its evidence.
func NewPathMTU(addr netip.Addr, opt PathMTUOptions) Probe {
	return One(func(ctx context.Context) result.Check { return runPathMTU(ctx, addr.Unmap(), opt) })
}

// sizeTally is what one method saw for one packet size.
type sizeTally struct {
	sent   int // requests (ICMP) or connections (TCP) that count
	ok     int // answered / completed
	tooBig int // an error said the packet was too big
	other  int // another error (unreachable, refused, reset)
	mtu    int // the smallest MTU a too-big message named
}

func (t *sizeTally) lost() int { return t.sent - t.ok - t.tooBig - t.other }

func (t *sizeTally) state() string {
	switch {
	case t == nil || t.sent == 0:
		return sizeNotTried
	case t.ok > 0:
		return sizeOK
	case t.tooBig > 0:
		return sizeTooBig
	case t.lost() > 0:
		return sizeLost
	}
	return sizeError
}

// pmtuFinding is what one method's tallies say about the path.
type pmtuFinding struct {
	// measured: some size passed; pathMTU is the largest that did.
	measured bool
	pathMTU  int
	// smallestLost is the smallest size above pathMTU that vanished
	// without an error, when it did so below every size an error named
	// too big.
	smallestLost int
	// blackhole: smallestLost (or a size between it and the first
	// too-big) vanished at least confirm times: confirmed.
	blackhole bool
	// unconfirmed: sizes vanished silently, but not often enough to tell
	// a black hole from loss.
	unconfirmed bool
	// signalled: some size above pathMTU got a too-big error;
	// reportedMTU is the MTU the smallest such message named.
	signalled   bool
	reportedMTU int
}

// judgeSizes reads one method's tallies. A size that passed proves every
// smaller one could (a smaller size that vanished was lost, not too big).
// Above the largest size that passed, the first failure decides: an
// error saying "too big" is a path that signals its MTU; silence,
// repeated, is a black hole.
func judgeSizes(tallies map[int]*sizeTally, confirm int) pmtuFinding {
	var f pmtuFinding
	for s, t := range tallies {
		if t.state() == sizeOK && s > f.pathMTU {
			f.measured, f.pathMTU = true, s
		}
	}
	if !f.measured {
		return f
	}
	minTooBig := 0
	for s, t := range tallies {
		if s > f.pathMTU && t.state() == sizeTooBig && (minTooBig == 0 || s < minTooBig) {
			minTooBig = s
		}
	}
	if minTooBig > 0 {
		f.signalled = true
		f.reportedMTU = tallies[minTooBig].mtu
	}
	for s, t := range tallies {
		if s <= f.pathMTU || t.state() != sizeLost || (minTooBig > 0 && s > minTooBig) {
			continue
		}
		if f.smallestLost == 0 || s < f.smallestLost {
			f.smallestLost = s
		}
		if t.lost() >= confirm {
			f.blackhole = true
		}
	}
	f.unconfirmed = f.smallestLost > 0 && !f.blackhole
	return f
}

// nextSizes plans one search round: sizes spread between the largest that
// passed (lo) and the smallest above it that did not (hi), the MTU a
// router named if it lies between, and hi again when it only vanished, so
// a size lost by chance gets another chance. None when the answer is
// already exact or a router's message settles it.
func nextSizes(tallies map[int]*sizeTally, width, maxSent int) []int {
	lo, hi := 0, 0
	for s, t := range tallies {
		if t.state() == sizeOK && s > lo {
			lo = s
		}
	}
	if lo == 0 {
		return nil
	}
	for s, t := range tallies {
		if st := t.state(); s > lo && (st == sizeLost || st == sizeTooBig) && (hi == 0 || s < hi) {
			hi = s
		}
	}
	if hi == 0 || hi-lo <= 1 {
		return nil
	}
	var out []int
	if m := tallies[hi].mtu; tallies[hi].state() == sizeTooBig && m > 0 {
		if m <= lo {
			return nil // the router said so: nothing above lo fits
		}
		if m < hi {
			out = append(out, m)
		}
	}
	for i := 1; i <= width; i++ {
		if s := lo + (hi-lo)*i/(width+1); s > lo && s < hi {
			out = append(out, s)
		}
	}
	if tallies[hi].state() == sizeLost && tallies[hi].sent < maxSent {
		out = append(out, hi)
	}
	slices.Sort(out)
	out = slices.Compact(out)
	slices.Reverse(out)
	return out
}

// planSizes returns the sizes to try (largest first, no duplicates, at
// most the local MTU, at least the family's minimum) and those skipped
// because they exceed the local MTU. A local MTU below the largest size
// is tried too: it is the largest packet that can leave at all.
func planSizes(sizes []int, v6 bool, local int) (try, skipped []int) {
	if len(sizes) == 0 {
		sizes = DefaultPMTUSizes4
		if v6 {
			sizes = DefaultPMTUSizes6
		}
	}
	floor := 68
	if v6 {
		floor = 1280
	}
	all := slices.Clone(sizes)
	if local > 0 && local < slices.Max(sizes) && local >= floor {
		all = append(all, local)
	}
	slices.Sort(all)
	all = slices.Compact(all)
	slices.Reverse(all)
	for _, s := range all {
		switch {
		case s < floor || s > 65535:
		case local > 0 && s > local:
			skipped = append(skipped, s)
		default:
			try = append(try, s)
		}
	}
	return try, skipped
}

func runPathMTU(ctx context.Context, addr netip.Addr, opt PathMTUOptions) result.Check {
	if opt.Tries <= 0 {
		opt.Tries = DefaultPMTUTries
	}
	if opt.Timeout <= 0 {
		opt.Timeout = DefaultPMTUTimeout
	}
	target := addr.String()
	if opt.Port > 0 && opt.Port < 65536 {
		target = netip.AddrPortFrom(addr, uint16(opt.Port)).String()
	} else {
		opt.Port = 0
	}
	c := begin("pmtu", result.Internet, target)
	if opt.Permission.Mode == "" {
		opt.Permission = DetectICMP()
	}
	deadline := time.Now().Add(opt.Timeout)
	if dl, ok := ctx.Deadline(); ok {
		deadline = dl
	}
	deadline = deadline.Add(-pmtuMargin)
	if time.Until(deadline) < pmtuGraceMin || ctx.Err() != nil {
		return skipPath(c, result.ReasonPathNotMeasured, fmt.Sprintf("the path MTU to %s was not measured: no time was left", addr), nil)
	}
	local := localMTU(addr)
	if local > 0 {
		c.With("local_mtu", local)
	}
	sizes, skipped := planSizes(opt.Sizes, addr.Is6(), local)
	if len(sizes) == 0 {
		return skipPath(c, result.ReasonPathNotMeasured, fmt.Sprintf("the path MTU to %s was not measured: no size to try fits the local MTU of %d bytes", addr, local), nil)
	}

	var icmpRun *icmpPMTU
	var tcpRun *tcpPMTU
	var wg sync.WaitGroup
	if opt.Permission.Mode != ICMPDenied {
		icmpRun = &icmpPMTU{dst: addr, tallies: map[int]*sizeTally{}}
		wg.Add(1)
		go func() { defer wg.Done(); icmpRun.run(ctx, deadline, opt, sizes) }()
	}
	if opt.Port > 0 {
		tcpRun = &tcpPMTU{addr: netip.AddrPortFrom(addr, uint16(opt.Port)), opt: opt, tallies: map[int]*sizeTally{}, results: map[int]string{}}
		wg.Add(1)
		go func() { defer wg.Done(); tcpRun.run(ctx, deadline, sizes) }()
	}
	wg.Wait()
	if ctx.Err() != nil && errors.Is(ctx.Err(), context.Canceled) {
		return skipPath(c, result.ReasonInterrupted, fmt.Sprintf("the path MTU measurement to %s was interrupted", addr), nil)
	}
	return end(judgePMTU(c, addr, opt, skipped, icmpRun, tcpRun))
}

// judgePMTU builds the check from what the methods saw. A black hole
// found by either method fails the check (when both found one, the
// tighter finding is reported); otherwise ICMP's path MTU is, as it
// measures packet sizes, and TCP's only when ICMP measured nothing.
func judgePMTU(c result.Check, addr netip.Addr, opt PathMTUOptions, skipped []int, icmpRun *icmpPMTU, tcpRun *tcpPMTU) result.Check {
	var methods []string
	var errs []string
	if icmpRun != nil {
		if icmpRun.ran {
			methods = append(methods, "icmp")
		}
		if icmpRun.err != nil {
			errs = append(errs, "ICMP: "+errText(icmpRun.err))
		}
	} else {
		errs = append(errs, "ICMP: not permitted for this user")
		if opt.Permission.Reason != "" {
			c.With("icmp_note", opt.Permission.Reason)
		}
	}
	if tcpRun != nil {
		if tcpRun.ran {
			methods = append(methods, "tcp_mss")
			mss := map[string]string{}
			for m, st := range tcpRun.results {
				mss[strconv.Itoa(m)] = st
			}
			c.With("mss_results", mss)
			if tcpRun.knownMTU > 0 {
				c.With("system_mtu", tcpRun.knownMTU)
			}
		}
		if tcpRun.err != nil {
			errs = append(errs, "TCP: "+errText(tcpRun.err))
		}
	}
	if len(errs) > 0 {
		c.Error = strings.Join(errs, "; ")
	}
	if len(methods) == 0 {
		reason := result.ReasonLocalPermission
		if icmpRun != nil && icmpRun.err != nil {
			reason = pathSocketReason(icmpRun.err)
		} else if tcpRun != nil && tcpRun.err != nil {
			reason = pathSocketReason(tcpRun.err)
		}
		detail := fmt.Sprintf("the path MTU to %s was not measured: ICMP is not permitted for this user and there is no TCP port to test instead", addr)
		if icmpRun != nil || tcpRun != nil {
			detail = fmt.Sprintf("the path MTU to %s was not measured: %s", addr, c.Error)
		}
		return skipPath(c, reason, detail, nil)
	}
	c.With("method", strings.Join(methods, "+"))

	var fi, ft pmtuFinding
	if icmpRun != nil && icmpRun.ran {
		fi = judgeSizes(icmpRun.tallies, pmtuConfirmICMP)
	}
	if tcpRun != nil && tcpRun.ran {
		// One stalled connection is already repeated loss: TCP
		// retransmitted the segment that did not arrive.
		ft = judgeSizes(tcpRun.tallies, 1)
	}
	// Which method's sizes the evidence shows: ICMP's when it measured,
	// else TCP's in packet sizes (MSS + headers).
	shown := map[int]*sizeTally{}
	switch {
	case fi.measured || (icmpRun != nil && icmpRun.ran && !ft.measured):
		shown = icmpRun.tallies
	case tcpRun != nil && tcpRun.ran:
		shown = tcpRun.tallies
	}
	states := map[string]string{}
	for s, t := range shown {
		states[strconv.Itoa(s)] = t.state()
	}
	for _, s := range skipped {
		states[strconv.Itoa(s)] = sizeNotTried
	}
	c.With("sizes", states)

	var f pmtuFinding
	via := ""
	switch {
	case ft.blackhole && fi.blackhole:
		// Both found it: the tighter finding (the way back can be
		// narrower than the way there).
		f, via = fi, "icmp"
		if ft.pathMTU < fi.pathMTU || (ft.pathMTU == fi.pathMTU && ft.smallestLost < fi.smallestLost) {
			f, via = ft, "tcp"
		}
	case ft.blackhole:
		f, via = ft, "tcp"
	case fi.blackhole:
		f, via = fi, "icmp"
	case fi.measured:
		// No black hole: ICMP measures packet sizes, TCP only shows the
		// connections complete.
		f, via = fi, "icmp"
	case ft.measured:
		f, via = ft, "tcp"
	}
	if f.measured {
		c.With("path_mtu", f.pathMTU)
	}
	if f.smallestLost > 0 {
		c.With("smallest_lost", f.smallestLost)
	}
	if f.reportedMTU > 0 {
		c.With("reported_mtu", f.reportedMTU)
	}
	switch {
	case f.blackhole:
		c.Status, c.Reason = result.Fail, result.ReasonPathMTUBlackhole
		if via == "tcp" && !fi.blackhole {
			c.Detail = fmt.Sprintf("packets larger than %d bytes vanish between %s and this computer (MTU black hole): connections with a larger MSS stall, with MSS %d they complete", f.pathMTU, addr, mssFor(addr, f.pathMTU))
			if fi.measured && fi.pathMTU > f.pathMTU {
				c.Detail += fmt.Sprintf("; ping packets of %d bytes pass, but they test only the way there", fi.pathMTU)
			}
		} else {
			c.Detail = fmt.Sprintf("packets larger than %d bytes vanish on the way to %s (MTU black hole)", f.pathMTU, addr)
		}
	case !f.measured:
		c.Status, c.Reason = result.Skip, result.ReasonPathNotMeasured
		c.Detail = fmt.Sprintf("the path MTU to %s was not measured: no probe of any size got through", addr)
		if tcpRun != nil && tcpRun.ran && tcpRun.untested {
			c.Detail += "; " + tcpRun.untestedWhy()
		}
	case f.unconfirmed:
		c.Status, c.Reason = result.Skip, result.ReasonPathNotMeasured
		c.Detail = fmt.Sprintf("packets of %d bytes reach %s; larger ones got no answer, but too few were sent to tell loss from an MTU black hole", f.pathMTU, addr)
	case f.signalled:
		c.Status = result.OK
		c.Detail = fmt.Sprintf("the path MTU to %s is %d bytes, and routers say so when packets are larger (no black hole)", addr, f.pathMTU)
	case via == "tcp":
		// A completed connection shows no black hole, not the packet
		// size: a server told "too big" sends smaller segments.
		c.Status = result.OK
		c.Detail = fmt.Sprintf("connections to %s complete with every MSS tried, up to %d (for %d-byte packets): no MTU black hole on the way back", addr, mssFor(addr, f.pathMTU), f.pathMTU)
		if tcpRun.knownMTU > 0 {
			c.Detail = fmt.Sprintf("connections to %s complete with MSS up to %d (for %d-byte packets); larger ones were not tested: this computer already uses a path MTU of %d bytes to it, learned earlier, and announces no more", addr, mssFor(addr, f.pathMTU), f.pathMTU, tcpRun.knownMTU)
		}
	default:
		c.Status = result.OK
		c.Detail = fmt.Sprintf("packets of up to %d bytes reach %s, the largest size tried", f.pathMTU, addr)
	}
	if c.Status == result.OK && tcpRun != nil && tcpRun.ran && tcpRun.untested && !ft.measured {
		c.Detail += "; the TCP test proves nothing about sizes: " + tcpRun.untestedWhy()
	}
	return c
}

// mssFor is the TCP MSS whose segments make packets of size bytes.
func mssFor(addr netip.Addr, size int) int {
	if addr.Is6() {
		return size - 60
	}
	return size - 40
}

// localMTUByRoute finds the MTU of the interface traffic to addr leaves
// by: the interface holding the source address the system picks for it
// (a UDP "connection" sends nothing).
func localMTUByRoute(addr netip.Addr) int {
	c, err := net.DialUDP("udp", nil, net.UDPAddrFromAddrPort(netip.AddrPortFrom(addr, 9)))
	if err != nil {
		return 0
	}
	src := c.LocalAddr().(*net.UDPAddr).AddrPort().Addr().Unmap()
	c.Close()
	ifs, err := net.Interfaces()
	if err != nil {
		return 0
	}
	for _, ifi := range ifs {
		addrs, err := ifi.Addrs()
		if err != nil {
			continue
		}
		for _, a := range addrs {
			if n, ok := a.(*net.IPNet); ok {
				if ip, ok := netip.AddrFromSlice(n.IP); ok && ip.Unmap() == src {
					return ifi.MTU
				}
			}
		}
	}
	return 0
}
