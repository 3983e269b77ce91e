package probes

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"sort"
	"time"

	"github.com/netprobe/netprobe/result"
)

// TraceOptions configures a trace of the path to a host.
type TraceOptions struct {
	// Permission says which ICMP socket this process may use; the zero
	// value means "find out when the trace runs" (DetectICMP).
	Permission ICMPPermission
	// MaxHops is the largest TTL probed.
	MaxHops int
	// Probes is how many probes each hop gets, one per round: enough to
	// tell a lossy hop from a lucky one.
	Probes int
	// Interval spaces the rounds; it is shortened when the budget is too
	// small for every round.
	Interval time.Duration
	// LossWarn (percent) is the loss that counts: loss_from_hop is the
	// first hop from which every answering hop, the destination included,
	// loses at least this much.
	LossWarn float64
	// UDP sends UDP datagrams to high ports (tracepath's way; needs no
	// permission, Linux only) even where ICMP echo is permitted.
	UDP bool
	// Timeout bounds the trace when the context has no deadline.
	Timeout time.Duration
}

// Trace defaults. MaxHops 16 covers nearly every path from an office to a
// service; 10 probes a hop over half a second is mtr's picture in a few
// seconds' budget.
const (
	DefaultTraceMaxHops  = 16
	DefaultTraceProbes   = 10
	DefaultTraceInterval = 50 * time.Millisecond
	DefaultTraceTimeout  = 5 * time.Second
	// traceGraceMin is the least time to wait for late answers after the
	// last round; with slow answers it grows to traceGraceRTTs round trips.
	traceGraceMin  = 400 * time.Millisecond
	traceGraceRTTs = 3
	// traceSilentWait is how long after the first round the trace waits
	// while nothing at all has answered: a first hop resolving its
	// neighbour (a lost ARP or neighbour solicitation costs a second) or a
	// slow satellite link must not read as a dead path.
	traceSilentWait = 2 * time.Second
	// traceBurstWait: answers come in bursts (a queue released once a
	// neighbour is resolved); the wait ends no sooner than this after the
	// latest one.
	traceBurstWait = 100 * time.Millisecond
	// traceMinTime is the least budget worth starting a trace with: one
	// round and the wait for its answers.
	traceMinTime = 150 * time.Millisecond
	// traceMinInterval is the shortest spacing of rounds when the budget
	// is small: fewer rounds rather than a burst every router rate-limits.
	traceMinInterval = 5 * time.Millisecond
	// traceMargin is kept free at the end of the budget to build the check.
	traceMargin = 10 * time.Millisecond
	// traceWakeup bounds one wait, so a cancelled context is noticed soon.
	traceWakeup = 50 * time.Millisecond
)

func (o *TraceOptions) defaults() {
	if o.MaxHops <= 0 {
		o.MaxHops = DefaultTraceMaxHops
	}
	if o.MaxHops > 64 {
		o.MaxHops = 64
	}
	if o.Probes <= 0 {
		o.Probes = DefaultTraceProbes
	}
	if o.Interval <= 0 {
		o.Interval = DefaultTraceInterval
	}
	if o.LossWarn <= 0 {
		o.LossWarn = DefaultLossWarn
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultTraceTimeout
	}
}

// NewTrace prepares an mtr-style trace of the path to addr: probes with
// TTL 1..MaxHops all in flight together, round after round, so every hop
// gets Probes probes and its loss and round trip can be told; once the
// destination answers, later rounds stop at its distance. Routers found on
// the way are also pinged directly (ICMP only): they rate-limit their
// "time exceeded" answers but rarely their echo replies, which tells a
// router that is busy from one that loses packets.
//
// Sockets, best first: a raw ICMP socket when privileged; on Linux the
// unprivileged ICMP socket, else UDP to high ports, both reading the
// routers' answers from the socket's error queue. The check is "trace" in
// the internet layer; its evidence is documented in docs/schema.md.
func NewTrace(addr netip.Addr, opt TraceOptions) Probe {
	return One(func(ctx context.Context) result.Check { return runTrace(ctx, addr.Unmap(), opt) })
}

// traceKinds is the order in which socket kinds are tried.
func traceKinds(opt TraceOptions) []string {
	if opt.UDP {
		return []string{sockUDP}
	}
	return append(icmpKinds(opt.Permission), sockUDP)
}

func runTrace(ctx context.Context, addr netip.Addr, opt TraceOptions) result.Check {
	opt.defaults()
	c := begin("trace", result.Internet, addr.String())
	if opt.Permission.Mode == "" && !opt.UDP {
		opt.Permission = DetectICMP()
	}
	deadline := time.Now().Add(opt.Timeout)
	if dl, ok := ctx.Deadline(); ok {
		deadline = dl
	}
	deadline = deadline.Add(-traceMargin)
	if time.Until(deadline) < traceMinTime || ctx.Err() != nil {
		return skipPath(c, result.ReasonPathNotMeasured, fmt.Sprintf("the path to %s was not traced: no time was left", addr), nil)
	}
	conn, err := openPathConn(addr, traceKinds(opt))
	if err != nil {
		if opt.Permission.Mode == ICMPDenied && opt.Permission.Reason != "" {
			c.With("icmp_note", opt.Permission.Reason)
		}
		return skipPath(c, pathSocketReason(err), fmt.Sprintf("the path to %s could not be traced: %s", addr, errText(err)), err)
	}
	defer conn.Close()
	t := &tracer{conn: conn, dst: addr, opt: opt}
	t.run(ctx, deadline)
	if ctx.Err() != nil && errors.Is(ctx.Err(), context.Canceled) {
		return skipPath(c, result.ReasonInterrupted, fmt.Sprintf("the trace to %s was interrupted", addr), nil)
	}
	return end(t.check(c))
}

func skipPath(c result.Check, reason result.Reason, detail string, err error) result.Check {
	c.Status, c.Reason, c.Detail = result.Skip, reason, detail
	if err != nil {
		c.Error = errText(err)
	}
	return end(c)
}

// traceProbe is one probe sent and what came back for it.
type traceProbe struct {
	ttl  int // 0: a ping straight to a router found on the way
	dst  netip.Addr
	at   time.Time
	got  bool
	kind pathEventKind
	from netip.Addr
	rtt  time.Duration
}

// tracer is one trace's state, owned by one goroutine.
type tracer struct {
	conn    pathConn
	dst     netip.Addr
	opt     TraceOptions
	probes  []traceProbe // indexed by sequence number
	destTTL int          // smallest TTL the destination answered; 0: not reached
	endTTL  int          // smallest TTL where a router said "unreachable"
	maxRTT  time.Duration
	// lastAnswer is when the latest answer came; zero before the first.
	lastAnswer time.Time
	// err is the first error of a send or a receive.
	err error
}

func (t *tracer) run(ctx context.Context, deadline time.Time) {
	// Keep time to wait for the last round's answers: traceGraceMin, or
	// half of a smaller budget.
	left := time.Until(deadline)
	rounds, interval := traceSchedule(t.opt.Probes, t.opt.Interval, left-min(traceGraceMin, left/2))
	start := time.Now()
	sent := 0
	var lastSend time.Time
	for ctx.Err() == nil {
		now := time.Now()
		if !now.Before(deadline) {
			return
		}
		if sent < rounds && !now.Before(start.Add(time.Duration(sent)*interval)) {
			t.sendRound(sent)
			sent++
			lastSend = time.Now()
			if t.err != nil && len(t.probes) == 0 {
				return
			}
			continue
		}
		var until time.Time
		if sent < rounds {
			until = start.Add(time.Duration(sent) * interval)
		} else {
			if t.outstanding() == 0 {
				return
			}
			until = lastSend.Add(max(traceGraceMin, traceGraceRTTs*t.maxRTT))
			if t.lastAnswer.IsZero() {
				until = maxTime(until, start.Add(traceSilentWait))
			} else {
				until = maxTime(until, t.lastAnswer.Add(traceBurstWait))
			}
			if !now.Before(until) {
				return
			}
		}
		until = minTime(until, deadline, now.Add(traceWakeup))
		ev, ok, err := t.conn.recv(until)
		if err != nil {
			t.err = err
			return
		}
		if ok {
			t.handle(ev)
		}
	}
}

// traceSchedule fits rounds into the time available for sending: the
// asked number at the asked interval when they fit, else the interval
// shrinks, and below traceMinInterval the number of rounds does.
func traceSchedule(probes int, interval, avail time.Duration) (int, time.Duration) {
	if probes <= 1 {
		return 1, interval
	}
	if avail <= 0 {
		return 1, interval
	}
	if time.Duration(probes-1)*interval <= avail {
		return probes, interval
	}
	interval = avail / time.Duration(probes-1)
	if interval >= traceMinInterval {
		return probes, interval
	}
	return 1 + int(avail/traceMinInterval), traceMinInterval
}

func minTime(t time.Time, others ...time.Time) time.Time {
	for _, o := range others {
		if o.Before(t) {
			t = o
		}
	}
	return t
}

// ceiling is the largest TTL worth probing now: the destination's distance
// once it answered, or where a router said there is no way further.
func (t *tracer) ceiling() int {
	m := t.opt.MaxHops
	if t.destTTL > 0 && t.destTTL < m {
		m = t.destTTL
	}
	if t.endTTL > 0 && t.endTTL < m {
		m = t.endTTL
	}
	return m
}

func (t *tracer) sendRound(round int) {
	top := t.ceiling()
	for ttl := 1; ttl <= top; ttl++ {
		t.sendOne(ttl, t.dst)
	}
	if t.conn.method() != "icmp" || round == 0 {
		return
	}
	for _, a := range t.routers(top) {
		t.sendOne(0, a)
	}
}

func (t *tracer) sendOne(ttl int, dst netip.Addr) {
	seq := len(t.probes)
	if seq > 0xffff || (t.conn.method() == "udp" && seq > maxUDPProbes) {
		return
	}
	at := time.Now()
	if err := t.conn.send(dst, uint16(seq), ttl, 0); err != nil {
		if t.err == nil {
			t.err = err
		}
		return
	}
	t.probes = append(t.probes, traceProbe{ttl: ttl, dst: dst, at: at})
}

// routers returns the addresses that answered for TTLs below top, other
// than the destination: the routers to ping directly.
func (t *tracer) routers(top int) []netip.Addr {
	seen := map[netip.Addr]bool{}
	var out []netip.Addr
	for ttl := 1; ttl < top || (ttl == top && t.destTTL != top); ttl++ {
		a := t.hopAddr(ttl)
		if a.IsValid() && a != t.dst && !seen[a] {
			seen[a] = true
			out = append(out, a)
		}
	}
	return out
}

// hopAddr is the address that answered most often for ttl (the smaller
// address on a tie, so the choice is stable).
func (t *tracer) hopAddr(ttl int) netip.Addr {
	count := map[netip.Addr]int{}
	for _, p := range t.probes {
		if p.ttl == ttl && p.got && p.from.IsValid() {
			count[p.from]++
		}
	}
	var best netip.Addr
	for a, n := range count {
		if !best.IsValid() || n > count[best] || (n == count[best] && a.Less(best)) {
			best = a
		}
	}
	return best
}

func (t *tracer) handle(ev pathEvent) {
	if int(ev.seq) >= len(t.probes) {
		return
	}
	p := &t.probes[ev.seq]
	if p.got {
		return
	}
	p.got, p.kind, p.from, p.rtt = true, ev.kind, ev.from, ev.at.Sub(p.at)
	t.maxRTT = max(t.maxRTT, p.rtt)
	t.lastAnswer = ev.at
	if p.ttl == 0 {
		return
	}
	switch {
	case ev.from == t.dst || ev.kind == evReply:
		if t.destTTL == 0 || p.ttl < t.destTTL {
			t.destTTL = p.ttl
		}
	case ev.kind == evUnreachable:
		if t.endTTL == 0 || p.ttl < t.endTTL {
			t.endTTL = p.ttl
		}
	}
}

// outstanding counts probes still worth waiting for: pings, and TTL
// probes within the current ceiling.
func (t *tracer) outstanding() int {
	top := t.ceiling()
	n := 0
	for _, p := range t.probes {
		if !p.got && p.ttl <= top {
			n++
		}
	}
	return n
}

// table builds the hop rows: TTL 1 to the destination, or when it was not
// reached to one past the last hop that answered (where the path goes
// silent), or to the router that said there is no way further.
func (t *tracer) table() []result.Hop {
	rows := t.destTTL
	if rows == 0 {
		last := 0
		for _, p := range t.probes {
			if p.ttl > 0 && p.got {
				last = max(last, p.ttl)
			}
		}
		rows = min(last+1, t.opt.MaxHops)
		if t.endTTL > 0 {
			rows = t.endTTL
		}
	}
	type tally struct {
		sent, got int
		rtt       time.Duration
	}
	ttls := make([]tally, rows+1)
	pings := map[netip.Addr]*tally{}
	for _, p := range t.probes {
		if p.ttl == 0 {
			pt := pings[p.dst]
			if pt == nil {
				pt = &tally{}
				pings[p.dst] = pt
			}
			pt.sent++
			if p.got {
				pt.got++
			}
			continue
		}
		if p.ttl > rows {
			continue
		}
		ttls[p.ttl].sent++
		if p.got {
			ttls[p.ttl].got++
			ttls[p.ttl].rtt += p.rtt
		}
	}
	hops := make([]result.Hop, 0, rows)
	for ttl := 1; ttl <= rows; ttl++ {
		tl := ttls[ttl]
		h := result.Hop{TTL: ttl, Sent: tl.sent, Received: tl.got}
		if tl.sent > 0 {
			h.LossPct = round1(100 * float64(tl.sent-tl.got) / float64(tl.sent))
		}
		if tl.got > 0 {
			avg := ms(tl.rtt / time.Duration(tl.got))
			h.AvgMS = &avg
		}
		if a := t.hopAddr(ttl); a.IsValid() {
			h.Addr = a.String()
			if pt := pings[a]; pt != nil && pt.got > 0 && a != t.dst {
				loss := round1(100 * float64(pt.sent-pt.got) / float64(pt.sent))
				h.PingLossPct = &loss
			}
		}
		hops = append(hops, h)
	}
	return hops
}

// lossFrom returns the index of the hop from which loss persists to the
// destination, or -1: the first hop h such that h and every answering hop
// after it, the destination included, lose at least warn percent (mtr's
// reading: loss at a router that does not persist is the router limiting
// its answers, not loss). A router whose direct pings lose less than warn
// is such a limiter even when the loss goes on after it, so it cannot be
// where loss starts. Silent hops (no answer at all) are skipped. Without
// the destination there is nothing loss could persist to: -1.
func lossFrom(hops []result.Hop, reached bool, warn float64) int {
	if !reached || len(hops) == 0 {
		return -1
	}
	lossy := func(h result.Hop) bool {
		if h.Received == 0 || h.LossPct < warn {
			return false
		}
		return h.PingLossPct == nil || *h.PingLossPct >= warn
	}
	last := len(hops) - 1
	if !lossy(hops[last]) {
		return -1
	}
	from := last
	for i := last - 1; i >= 0; i-- {
		if hops[i].Received == 0 {
			continue
		}
		if !lossy(hops[i]) {
			break
		}
		from = i
	}
	return from
}

// check judges the trace: reached with no persistent loss is ok,
// persistent loss warns naming the hop where it starts, a destination that
// never answered fails naming the last hop that did.
func (t *tracer) check(c result.Check) result.Check {
	hops := t.table()
	reached := t.destTTL > 0
	c.With("method", t.conn.method()).With("hops", hops).With("reached", reached)
	if t.err != nil {
		c.Error = errText(t.err)
	}
	sent := 0
	for _, p := range t.probes {
		if p.ttl > 0 {
			sent++
		}
	}
	if sent == 0 {
		if t.err == nil {
			return skipPath(c, result.ReasonPathNotMeasured, fmt.Sprintf("the path to %s was not traced: no time was left", t.dst), nil)
		}
		return skipPath(c, pathSocketReason(t.err), fmt.Sprintf("the path to %s could not be traced: no probe could be sent (%s)", t.dst, errText(t.err)), t.err)
	}
	lastIdx := -1
	for i, h := range hops {
		if h.Received > 0 {
			lastIdx = i
		}
	}
	lastHop := 0
	if lastIdx >= 0 {
		lastHop = hops[lastIdx].TTL
		c.With("last_hop_addr", hops[lastIdx].Addr)
	}
	c.With("last_hop", lastHop)
	switch {
	case !reached && lastIdx < 0:
		c.Status, c.Reason = result.Fail, result.ReasonPathStopsAtHop
		c.Detail = fmt.Sprintf("nothing on the way to %s answered, not even the first router", t.dst)
	case !reached && lastHop >= t.opt.MaxHops:
		// Routers answer up to the last TTL tried: the path is longer
		// than the trace, not cut.
		c.Status, c.Reason = result.Skip, result.ReasonPathNotMeasured
		c.Detail = fmt.Sprintf("the path to %s is longer than %d hops: routers answer up to the last one tried (%s)", t.dst, t.opt.MaxHops, hops[lastIdx].Addr)
	case !reached && t.endTTL > 0:
		c.Status, c.Reason = result.Fail, result.ReasonPathStopsAtHop
		c.Detail = fmt.Sprintf("the path to %s ends at hop %d (%s): it reports the destination unreachable", t.dst, lastHop, hops[lastIdx].Addr)
	case !reached:
		c.Status, c.Reason = result.Fail, result.ReasonPathStopsAtHop
		c.Detail = fmt.Sprintf("the path to %s stops after hop %d (%s): nothing answers beyond it", t.dst, lastHop, hops[lastIdx].Addr)
	case t.conn.method() == "udp":
		// Hosts limit their "port unreachable" answers (Linux: 6 at once,
		// then one a second), so a quick UDP trace always sees loss at
		// the destination: it is not judged.
		c.Status = result.OK
		c.Detail = fmt.Sprintf("%s reached in %s", t.dst, plural(t.destTTL, "hop"))
		if lossFrom(hops, true, t.opt.LossWarn) >= 0 {
			c.Detail += "; loss is not judged with UDP probes, whose answers hosts limit"
		}
	default:
		c.Status = result.OK
		c.Detail = fmt.Sprintf("%s reached in %s", t.dst, plural(t.destTTL, "hop"))
		if i := lossFrom(hops, true, t.opt.LossWarn); i >= 0 {
			h, dest := hops[i], hops[len(hops)-1]
			c.Status, c.Reason = result.Warn, result.ReasonPathLossFromHop
			c.With("loss_from_hop", h.TTL).With("loss_from_addr", h.Addr)
			if i == len(hops)-1 {
				c.Detail = fmt.Sprintf("%s reached in %s, but it loses %.0f%% of the probes while no router before it does", t.dst, plural(t.destTTL, "hop"), dest.LossPct)
			} else {
				c.Detail = fmt.Sprintf("packet loss starts at hop %d (%s) and persists to %s (%.0f%% lost there)", h.TTL, h.Addr, t.dst, dest.LossPct)
			}
		} else if limited := lossyRouters(hops, t.opt.LossWarn); len(limited) > 0 {
			c.Detail += fmt.Sprintf("; the loss at %s does not persist to it (routers limit their answers)", hopList(limited))
		}
	}
	return c
}

// lossyRouters lists the TTLs of routers that lose at least warn percent
// of their answers (the destination excluded).
func lossyRouters(hops []result.Hop, warn float64) []int {
	var out []int
	for _, h := range hops[:max(len(hops)-1, 0)] {
		if h.Received > 0 && h.LossPct >= warn {
			out = append(out, h.TTL)
		}
	}
	sort.Ints(out)
	return out
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

func hopList(ttls []int) string {
	if len(ttls) == 1 {
		return fmt.Sprintf("hop %d", ttls[0])
	}
	return "hops " + joinInts(ttls)
}
