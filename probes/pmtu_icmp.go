package probes

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"syscall"
	"time"
)

// The ICMP method of the path MTU probe: echo requests with
// Don't-Fragment, every size of a round in flight together.

// icmpPMTU is the ICMP method's state, owned by one goroutine.
type icmpPMTU struct {
	dst     netip.Addr
	conn    pathConn
	ran     bool
	err     error
	tallies map[int]*sizeTally
	sent    []pmtuSent // by sequence number
	maxRTT  time.Duration
	replied bool
	// lastAnswer is when the latest answer came: answers come in bursts
	// (a queue released after neighbour discovery), so a round does not
	// end while they are still arriving.
	lastAnswer time.Time
}

type pmtuSent struct {
	size int
	at   time.Time
	got  bool
}

func (p *icmpPMTU) run(ctx context.Context, deadline time.Time, opt PathMTUOptions, sizes []int) {
	conn, err := openPathConn(p.dst, icmpKinds(opt.Permission))
	if err != nil {
		p.err = err
		return
	}
	defer conn.Close()
	if err := conn.dontFragment(); err != nil {
		p.err = fmt.Errorf("don't-fragment: %w", err)
		return
	}
	p.conn, p.ran = conn, true
	p.round(ctx, deadline, sizes, opt.Tries)
	for r := 0; r < pmtuSearchRounds && p.err == nil; r++ {
		next := nextSizes(p.tallies, pmtuSearchWidth, 2*opt.Tries)
		if len(next) == 0 || time.Until(deadline) < p.grace()+pmtuSearchTries*pmtuTrySpacing {
			return
		}
		p.round(ctx, deadline, next, pmtuSearchTries)
	}
}

func (p *icmpPMTU) grace() time.Duration {
	if !p.replied {
		return pmtuSilentWait
	}
	return max(pmtuGraceMin, pmtuGraceRTTs*p.maxRTT)
}

// round sends every size tries times, pmtuTrySpacing apart, and collects
// answers until each size has one or the grace after the last request is
// over.
func (p *icmpPMTU) round(ctx context.Context, deadline time.Time, sizes []int, tries int) {
	start := time.Now()
	done := 0
	var lastSend time.Time
	for ctx.Err() == nil && p.err == nil {
		now := time.Now()
		if !now.Before(deadline) {
			return
		}
		if done < tries && !now.Before(start.Add(time.Duration(done)*pmtuTrySpacing)) {
			for _, s := range sizes {
				p.send(s)
			}
			done++
			lastSend = time.Now()
			continue
		}
		var until time.Time
		if done < tries {
			until = start.Add(time.Duration(done) * pmtuTrySpacing)
		} else {
			if p.resolved(sizes) {
				return
			}
			until = lastSend.Add(p.grace())
			if p.replied {
				until = maxTime(until, p.lastAnswer.Add(pmtuGraceMin))
			}
			if !now.Before(until) {
				return
			}
		}
		ev, ok, err := p.conn.recv(minTime(until, deadline, now.Add(traceWakeup)))
		if err != nil {
			p.err = err
			return
		}
		if ok {
			p.handle(ev)
		}
	}
}

func (p *icmpPMTU) tally(size int) *sizeTally {
	t := p.tallies[size]
	if t == nil {
		t = &sizeTally{}
		p.tallies[size] = t
	}
	return t
}

func (p *icmpPMTU) send(size int) {
	seq := len(p.sent)
	if seq > 0xffff {
		return
	}
	at := time.Now()
	err := p.conn.send(p.dst, uint16(seq), 0, size)
	t := p.tally(size)
	switch {
	case err == nil:
		t.sent++
		p.sent = append(p.sent, pmtuSent{size: size, at: at})
	case errors.Is(err, syscall.EMSGSIZE):
		// The kernel refused: larger than the local link (or a route's
		// MTU). An error said so; no packet left.
		t.sent++
		t.tooBig++
		p.sent = append(p.sent, pmtuSent{size: size, at: at, got: true})
	default:
		var ne net.Error
		if !errors.As(err, &ne) || !ne.Timeout() {
			p.err = err
		}
	}
}

func (p *icmpPMTU) handle(ev pathEvent) {
	if int(ev.seq) >= len(p.sent) || p.sent[ev.seq].got {
		return
	}
	s := &p.sent[ev.seq]
	s.got = true
	t := p.tally(s.size)
	switch ev.kind {
	case evReply:
		t.ok++
	case evTooBig:
		t.tooBig++
		if ev.mtu > 0 && (t.mtu == 0 || ev.mtu < t.mtu) {
			t.mtu = ev.mtu
		}
	default:
		t.other++
	}
	// Any answer shows how long answers take on this path, a router's
	// "too big" included.
	p.replied = true
	p.lastAnswer = ev.at
	p.maxRTT = max(p.maxRTT, ev.at.Sub(s.at))
}

// resolved reports whether every size has had an answer of some kind.
func (p *icmpPMTU) resolved(sizes []int) bool {
	for _, s := range sizes {
		t := p.tallies[s]
		if t == nil || t.ok+t.tooBig+t.other == 0 {
			return false
		}
	}
	return true
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
