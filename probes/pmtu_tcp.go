package probes

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"sync/atomic"
	"syscall"
	"time"
)

// Outcomes of one TCP connection of the path MTU probe (evidence
// "mss_results").
const (
	mssOK            = "ok"             // completed with more than one full segment from the server
	mssStalled       = "stalled"        // connected, then the answer never came
	mssSmall         = "small_reply"    // completed, but the server sent too little to test the size
	mssHandshakeOnly = "handshake_only" // connected; nothing to send (no TLS, no payload)
	mssRefused       = "refused"        // the port answered with a reset
	mssNoConnect     = "no_connect"     // the SYN got no answer
	mssReset         = "reset"          // connected, then reset
	mssError         = "error"          // another error (unreachable, TLS alert, ...)
	mssNotTried      = "not_tried"      // cut short by the budget before it could stall
	mssClamped       = "clamped"        // the system announced a smaller MSS: it knows a smaller path MTU
)

const (
	// A connection stalls when it has not completed tcpStallFactor times
	// as long after the fastest one that did, and at least tcpStallMin:
	// long enough for the server to retransmit the lost segment a few
	// times (its RTO is at least 200 ms).
	tcpStallMin    = 800 * time.Millisecond
	tcpStallFactor = 4
	// tcpRoundMax bounds a round in which nothing completes.
	tcpRoundMax     = 3 * time.Second
	tcpSearchWidth  = 5
	tcpSearchRounds = 3
)

// tcpPMTU is the TCP method's state. Its rounds run connections
// concurrently; only the round's own goroutine touches the fields.
type tcpPMTU struct {
	addr     netip.AddrPort
	opt      PathMTUOptions
	ran      bool
	err      error
	tallies  map[int]*sizeTally // by packet size
	results  map[int]string     // by MSS
	fastest  time.Duration
	untested bool
	// knownMTU is the smallest path MTU the system already had for the
	// host (learned from an earlier "too big"): it caps the MSS the SYN
	// announces, so larger sizes cannot be tested over TCP.
	knownMTU int
}

func (p *tcpPMTU) run(ctx context.Context, deadline time.Time, sizes []int) {
	if !haveTCPMaxSeg {
		p.err = fmt.Errorf("TCP_MAXSEG: %w", errPathUnsupported)
		return
	}
	p.ran = true
	p.round(ctx, deadline, sizes)
	for r := 0; r < tcpSearchRounds && ctx.Err() == nil; r++ {
		next := nextSizes(p.tallies, tcpSearchWidth, 2)
		if len(next) == 0 || time.Until(deadline) < p.stallAfter()+p.fastest {
			return
		}
		p.round(ctx, deadline, next)
	}
}

func (p *tcpPMTU) stallAfter() time.Duration {
	return max(tcpStallMin, tcpStallFactor*p.fastest)
}

func (p *tcpPMTU) untestedWhy() string {
	if !p.opt.TLS && len(p.opt.Payload) == 0 {
		return "no payload was given, so only TCP handshakes (small packets) were tested"
	}
	return "the server's answers were no larger than one segment"
}

type mssOutcome struct {
	size  int
	state string
	took  time.Duration // from the connection's start
	ended time.Time
	known int // the system's path MTU for the host, when below size
}

// round tries every size at once; once one completes, the others get
// stallAfter from the round's start before they are cut and count as
// stalled. Every connection has ended when it returns.
func (p *tcpPMTU) round(ctx context.Context, deadline time.Time, sizes []int) {
	start := time.Now()
	end := minTime(deadline, start.Add(tcpRoundMax))
	rctx, cancel := context.WithDeadline(ctx, end)
	defer cancel()
	ch := make(chan mssOutcome, len(sizes))
	for _, s := range sizes {
		go func() {
			st, took, known := p.attempt(rctx, s)
			ch <- mssOutcome{s, st, took, time.Now(), known}
		}()
	}
	cutAt := end
	if p.fastest > 0 {
		// A search round: an earlier round showed how long a
		// connection that works takes.
		cutAt = minTime(end, start.Add(p.stallAfter()))
	}
	cut := time.NewTimer(time.Until(cutAt))
	defer cut.Stop()
	outs := make([]mssOutcome, 0, len(sizes))
	for len(outs) < len(sizes) {
		select {
		case o := <-ch:
			outs = append(outs, o)
			if o.state == mssOK {
				if p.fastest == 0 || o.took < p.fastest {
					p.fastest = o.took
				}
				if at := start.Add(p.stallAfter()); at.Before(cutAt) {
					cutAt = at
					cut.Reset(time.Until(at))
				}
			}
		case <-cut.C:
			cancel()
		}
	}
	if ctx.Err() != nil && errors.Is(ctx.Err(), context.Canceled) {
		return // interrupted: nothing measured
	}
	for _, o := range outs {
		if o.state == mssStalled && p.fastest > 0 && o.ended.Sub(start) < p.stallAfter() {
			// Cut by the budget before it had as long as a stall needs:
			// it says nothing about the size.
			o.state = mssNotTried
		}
		p.record(o)
	}
}

func (p *tcpPMTU) record(o mssOutcome) {
	mss := mssFor(p.addr.Addr(), o.size)
	if prev := p.results[mss]; prev != mssOK {
		p.results[mss] = o.state
	}
	t := p.tallies[o.size]
	if t == nil {
		t = &sizeTally{}
		p.tallies[o.size] = t
	}
	switch o.state {
	case mssOK:
		t.sent++
		t.ok++
	case mssStalled:
		t.sent++
	case mssRefused, mssNoConnect, mssReset, mssError:
		t.sent++
		t.other++
	case mssSmall, mssHandshakeOnly:
		p.untested = true
	case mssClamped:
		if p.knownMTU == 0 || o.known < p.knownMTU {
			p.knownMTU = o.known
		}
	}
}

// attempt opens one connection with the MSS of size and runs the exchange.
func (p *tcpPMTU) attempt(ctx context.Context, size int) (string, time.Duration, int) {
	mss := mssFor(p.addr.Addr(), size)
	start := time.Now()
	d := net.Dialer{Control: func(_, _ string, rc syscall.RawConn) error { return setMSS(rc, mss) }}
	conn, err := d.DialContext(ctx, "tcp", p.addr.String())
	if err != nil {
		switch classifyDialError(err) {
		case PortClosed:
			return mssRefused, time.Since(start), 0
		case PortFiltered:
			return mssNoConnect, time.Since(start), 0
		}
		return mssError, time.Since(start), 0
	}
	defer conn.Close()
	if known := connPathMTU(conn); known > 0 && known < size {
		// The SYN announced an MSS for known-byte packets, whatever was
		// asked: this size was not tested.
		return mssClamped, time.Since(start), known
	}
	// Cancelling the round ends a read that waits for a lost segment.
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	cc := &countingConn{Conn: conn}
	switch {
	case p.opt.TLS:
		// The certificate is not checked: this tests the path, and a
		// certificate problem must not hide whether the packets arrive.
		tc := tls.Client(cc, &tls.Config{ServerName: p.opt.ServerName, InsecureSkipVerify: true}) //nolint:gosec
		err = tc.HandshakeContext(ctx)
	case len(p.opt.Payload) > 0:
		if _, err = cc.Write(p.opt.Payload); err == nil {
			buf := make([]byte, 16<<10)
			for cc.n.Load() <= int64(mss) && err == nil {
				_, err = cc.Read(buf)
			}
			if cc.n.Load() > int64(mss) {
				err = nil
			}
		}
	default:
		return mssHandshakeOnly, time.Since(start), 0
	}
	took := time.Since(start)
	switch {
	case err == nil && cc.n.Load() > int64(mss):
		return mssOK, took, 0
	case err == nil, errors.Is(err, io.EOF) && cc.n.Load() > 0:
		return mssSmall, took, 0
	case ctx.Err() != nil, isTimeout(err):
		return mssStalled, took, 0
	case errors.Is(err, syscall.ECONNRESET):
		return mssReset, took, 0
	}
	return mssError, took, 0
}

// countingConn counts the bytes read, to tell an exchange that carried a
// full segment from one too small to test anything.
type countingConn struct {
	net.Conn
	n atomic.Int64
}

func (c *countingConn) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	c.n.Add(int64(n))
	return n, err
}
