package probes

import (
	"net/netip"
	"testing"
	"time"

	"github.com/netprobe/netprobe/result"
)

func pct(v float64) *float64 { return &v }

// hop builds a trace row: received of sent answered, and optionally the
// loss of direct pings.
func hop(ttl, sent, received int, ping *float64) result.Hop {
	h := result.Hop{TTL: ttl, Sent: sent, Received: received, PingLossPct: ping}
	if sent > 0 {
		h.LossPct = round1(100 * float64(sent-received) / float64(sent))
	}
	if received > 0 {
		h.Addr = "198.18.0." + string(rune('0'+ttl))
	}
	return h
}

func TestLossFrom(t *testing.T) {
	tests := []struct {
		name    string
		hops    []result.Hop
		reached bool
		want    int // index, -1 none
	}{
		{"no loss", []result.Hop{hop(1, 10, 10, pct(0)), hop(2, 10, 10, pct(0)), hop(3, 10, 10, nil)}, true, -1},
		{"destination not reached", []result.Hop{hop(1, 10, 5, nil), hop(2, 10, 0, nil)}, false, -1},
		{"loss at a router only: rate limiting", []result.Hop{hop(1, 10, 6, nil), hop(2, 10, 10, nil), hop(3, 10, 10, nil)}, true, -1},
		{"every router limits, destination clean", []result.Hop{hop(1, 10, 6, nil), hop(2, 10, 6, nil), hop(3, 10, 10, nil)}, true, -1},
		{"loss from hop 2", []result.Hop{hop(1, 10, 10, pct(0)), hop(2, 10, 6, pct(30)), hop(3, 10, 6, nil)}, true, 1},
		{"loss from hop 1", []result.Hop{hop(1, 10, 6, pct(40)), hop(2, 10, 6, pct(40)), hop(3, 10, 6, nil)}, true, 0},
		{"loss only at the destination", []result.Hop{hop(1, 10, 10, pct(0)), hop(2, 10, 10, pct(0)), hop(3, 10, 7, nil)}, true, 2},
		{"a limiting router before real loss is not where it starts", []result.Hop{hop(1, 10, 6, pct(0)), hop(2, 10, 5, pct(40)), hop(3, 10, 6, nil)}, true, 1},
		{"no pings (UDP trace): the trace's loss decides", []result.Hop{hop(1, 10, 6, nil), hop(2, 10, 5, nil), hop(3, 10, 6, nil)}, true, 0},
		{"silent hops are skipped", []result.Hop{hop(1, 10, 10, pct(0)), hop(2, 10, 6, pct(40)), hop(3, 10, 0, nil), hop(4, 10, 5, nil)}, true, 1},
		{"a clean hop breaks the chain", []result.Hop{hop(1, 10, 6, pct(40)), hop(2, 10, 10, pct(0)), hop(3, 10, 6, nil)}, true, 2},
		{"exactly the threshold counts", []result.Hop{hop(1, 10, 10, pct(0)), hop(2, 10, 9, pct(10)), hop(3, 10, 9, nil)}, true, 1},
		{"just below the threshold does not", []result.Hop{hop(1, 20, 20, pct(0)), hop(2, 20, 19, pct(5)), hop(3, 20, 19, nil)}, true, -1},
		{"empty", nil, true, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := lossFrom(tt.hops, tt.reached, 10); got != tt.want {
				t.Errorf("lossFrom = %d, want %d", got, tt.want)
			}
		})
	}
}

func TestTraceSchedule(t *testing.T) {
	tests := []struct {
		name         string
		probes       int
		interval     time.Duration
		avail        time.Duration
		wantRounds   int
		wantInterval time.Duration
	}{
		{"fits", 10, 50 * time.Millisecond, 2 * time.Second, 10, 50 * time.Millisecond},
		{"exactly fits", 10, 50 * time.Millisecond, 450 * time.Millisecond, 10, 50 * time.Millisecond},
		{"interval shrinks", 10, 50 * time.Millisecond, 90 * time.Millisecond, 10, 10 * time.Millisecond},
		{"rounds shrink below the minimum interval", 10, 50 * time.Millisecond, 20 * time.Millisecond, 5, traceMinInterval},
		{"no time to spread: one round", 10, 50 * time.Millisecond, 0, 1, 50 * time.Millisecond},
		{"one probe", 1, 50 * time.Millisecond, time.Second, 1, 50 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, i := traceSchedule(tt.probes, tt.interval, tt.avail)
			if r != tt.wantRounds || i != tt.wantInterval {
				t.Errorf("traceSchedule = %d rounds every %s, want %d every %s", r, i, tt.wantRounds, tt.wantInterval)
			}
		})
	}
}

// TestTracerTable builds the hop rows from recorded probes: rows stop at
// the destination (later TTLs are beyond it), a router's address is the
// one that answered most, pings are credited to the row of their address.
func TestTracerTable(t *testing.T) {
	dst := netip.MustParseAddr("198.18.0.9")
	r1, r2, r2b := netip.MustParseAddr("198.18.0.1"), netip.MustParseAddr("198.18.0.2"), netip.MustParseAddr("198.18.0.22")
	ans := func(ttl int, from netip.Addr, kind pathEventKind) traceProbe {
		return traceProbe{ttl: ttl, dst: dst, got: true, from: from, kind: kind, rtt: 2 * time.Millisecond}
	}
	lost := func(ttl int) traceProbe { return traceProbe{ttl: ttl, dst: dst} }
	ping := func(to netip.Addr, got bool) traceProbe {
		return traceProbe{dst: to, got: got, from: to, kind: evReply, rtt: time.Millisecond}
	}
	tr := &tracer{dst: dst, opt: TraceOptions{MaxHops: 16}, destTTL: 3}
	tr.probes = []traceProbe{
		ans(1, r1, evTimeExceeded), lost(2), ans(3, dst, evReply), ans(4, dst, evReply), // round 1 beyond the destination
		ans(1, r1, evTimeExceeded), ans(2, r2, evTimeExceeded), ans(3, dst, evReply), ping(r1, true),
		lost(1), ans(2, r2b, evTimeExceeded), ans(3, dst, evReply), ping(r1, true), ping(r2, false),
		ans(1, r1, evTimeExceeded), ans(2, r2, evTimeExceeded), lost(3), ping(r1, true), ping(r2, true),
	}
	hops := tr.table()
	if len(hops) != 3 {
		t.Fatalf("%d rows, want 3 (TTL 4 is beyond the destination): %+v", len(hops), hops)
	}
	want := []struct {
		addr           string
		sent, received int
		ping           *float64
	}{
		{"198.18.0.1", 4, 3, pct(0)},
		{"198.18.0.2", 4, 3, pct(50)},
		{"198.18.0.9", 4, 3, nil},
	}
	for i, w := range want {
		h := hops[i]
		if h.TTL != i+1 || h.Addr != w.addr || h.Sent != w.sent || h.Received != w.received || h.LossPct != 25 || h.AvgMS == nil || *h.AvgMS != 2 {
			t.Errorf("row %d = %+v, want %s %d/%d 25%% loss avg 2ms", i, h, w.addr, w.received, w.sent)
		}
		if (h.PingLossPct == nil) != (w.ping == nil) || (w.ping != nil && *h.PingLossPct != *w.ping) {
			t.Errorf("row %d ping loss %v, want %v", i, h.PingLossPct, w.ping)
		}
	}

	// Not reached: one silent row past the last hop that answered.
	tr = &tracer{dst: dst, opt: TraceOptions{MaxHops: 16}}
	tr.probes = []traceProbe{ans(1, r1, evTimeExceeded), lost(2), lost(3), ans(1, r1, evTimeExceeded), lost(2), lost(3)}
	hops = tr.table()
	if len(hops) != 2 || hops[1].Received != 0 || hops[1].Addr != "" || hops[1].AvgMS != nil || hops[1].LossPct != 100 {
		t.Errorf("not reached: %+v, want hop 1 and one silent hop", hops)
	}
}
