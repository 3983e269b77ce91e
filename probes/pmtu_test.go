package probes

import (
	"net/netip"
	"slices"
	"testing"
)

// tallies builds per-size tallies from a compact notation: sent, ok,
// tooBig, other and the MTU a too-big message named.
type tl struct{ sent, ok, tooBig, other, mtu int }

func tallies(m map[int]tl) map[int]*sizeTally {
	out := map[int]*sizeTally{}
	for s, v := range m {
		out[s] = &sizeTally{sent: v.sent, ok: v.ok, tooBig: v.tooBig, other: v.other, mtu: v.mtu}
	}
	return out
}

var (
	ok3   = tl{sent: 3, ok: 3}
	lost3 = tl{sent: 3}
	lost1 = tl{sent: 1}
	big3  = tl{sent: 3, tooBig: 3, mtu: 1280}
)

func TestSizeTallyState(t *testing.T) {
	tests := []struct {
		t    *sizeTally
		want string
	}{
		{nil, sizeNotTried},
		{&sizeTally{}, sizeNotTried},
		{&sizeTally{sent: 3, ok: 1}, sizeOK},
		{&sizeTally{sent: 3, ok: 1, tooBig: 2}, sizeOK},
		{&sizeTally{sent: 3, tooBig: 1}, sizeTooBig},
		{&sizeTally{sent: 3}, sizeLost},
		{&sizeTally{sent: 3, other: 1}, sizeLost},
		{&sizeTally{sent: 2, other: 2}, sizeError},
	}
	for _, tt := range tests {
		if got := tt.t.state(); got != tt.want {
			t.Errorf("%+v: state %q, want %q", tt.t, got, tt.want)
		}
	}
}

func TestJudgeSizes(t *testing.T) {
	tests := []struct {
		name  string
		sizes map[int]tl
		want  pmtuFinding
	}{
		{"every size passes", map[int]tl{1500: ok3, 1492: ok3, 1400: ok3, 1280: ok3},
			pmtuFinding{measured: true, pathMTU: 1500}},
		{"black hole", map[int]tl{1500: lost3, 1492: lost3, 1400: lost3, 1280: ok3},
			pmtuFinding{measured: true, pathMTU: 1280, smallestLost: 1400, blackhole: true}},
		{"a smaller MTU that routers signal", map[int]tl{1500: big3, 1492: big3, 1400: big3, 1280: ok3},
			pmtuFinding{measured: true, pathMTU: 1280, signalled: true, reportedMTU: 1280}},
		{"lost only once: not confirmed", map[int]tl{1500: lost1, 1400: lost1, 1280: ok3},
			pmtuFinding{measured: true, pathMTU: 1280, smallestLost: 1400, unconfirmed: true}},
		{"loss below a size that passed is loss", map[int]tl{1500: ok3, 1420: lost3, 1280: lost3},
			pmtuFinding{measured: true, pathMTU: 1500}},
		{"signalled, then silent further on", map[int]tl{1500: {sent: 3, tooBig: 3, mtu: 1492}, 1492: lost3, 1472: lost3, 1400: ok3},
			pmtuFinding{measured: true, pathMTU: 1400, smallestLost: 1472, blackhole: true, signalled: true, reportedMTU: 1492}},
		{"silence above a size signalled too big is not a black hole", map[int]tl{1500: lost3, 1472: big3, 1400: ok3},
			pmtuFinding{measured: true, pathMTU: 1400, signalled: true, reportedMTU: 1280}},
		{"a router rate-limits its too-big messages", map[int]tl{1500: big3, 1492: lost3, 1472: big3, 1400: ok3},
			pmtuFinding{measured: true, pathMTU: 1400, signalled: true, reportedMTU: 1280}},
		{"nothing passes", map[int]tl{1500: lost3, 1280: lost3},
			pmtuFinding{}},
		{"unreachable is not lost", map[int]tl{1500: {sent: 3, other: 3}, 1280: ok3},
			pmtuFinding{measured: true, pathMTU: 1280}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := judgeSizes(tallies(tt.sizes), pmtuConfirmICMP); got != tt.want {
				t.Errorf("judgeSizes =\n  %+v, want\n  %+v", got, tt.want)
			}
		})
	}
}

func TestNextSizes(t *testing.T) {
	tests := []struct {
		name  string
		sizes map[int]tl
		want  []int
	}{
		{"spread between the last pass and the first failure, failure again", map[int]tl{1500: lost3, 1400: lost3, 1280: ok3},
			[]int{1400, 1385, 1370, 1355, 1340, 1325, 1310, 1295}},
		{"a size sent often enough is not retried", map[int]tl{1400: {sent: 6}, 1280: ok3},
			[]int{1385, 1370, 1355, 1340, 1325, 1310, 1295}},
		{"too big is not retried; the named MTU is tried", map[int]tl{1500: {sent: 3, tooBig: 3, mtu: 1450}, 1400: ok3},
			[]int{1487, 1475, 1462, 1450, 1437, 1425, 1412}},
		{"the router named an MTU we already passed", map[int]tl{1500: big3, 1280: ok3},
			nil},
		{"exact", map[int]tl{1281: lost3, 1280: ok3}, nil},
		{"narrow gap", map[int]tl{1283: lost3, 1280: ok3}, []int{1283, 1282, 1281}},
		{"everything passed", map[int]tl{1500: ok3, 1280: ok3}, nil},
		{"nothing passed", map[int]tl{1500: lost3, 1280: lost3}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := nextSizes(tallies(tt.sizes), pmtuSearchWidth, 6); !slices.Equal(got, tt.want) {
				t.Errorf("nextSizes = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestPlanSizes(t *testing.T) {
	tests := []struct {
		name      string
		sizes     []int
		v6        bool
		local     int
		try, skip []int
	}{
		{"IPv4 defaults", nil, false, 1500, []int{1500, 1492, 1472, 1420, 1400, 1280}, nil},
		{"IPv6 defaults", nil, true, 1500, []int{1500, 1480, 1420, 1400, 1280}, nil},
		{"loopback tries every default", nil, false, 65536, []int{1500, 1492, 1472, 1420, 1400, 1280}, nil},
		{"local MTU unknown", nil, false, 0, []int{1500, 1492, 1472, 1420, 1400, 1280}, nil},
		{"a WireGuard interface", nil, false, 1420, []int{1420, 1400, 1280}, []int{1500, 1492, 1472}},
		{"a local MTU between the defaults is tried", nil, false, 1450, []int{1450, 1420, 1400, 1280}, []int{1500, 1492, 1472}},
		{"given sizes, unsorted and repeated", []int{1280, 1500, 1280, 9000}, false, 9000, []int{9000, 1500, 1280}, nil},
		{"below the IPv6 minimum is never tried", []int{1500, 1200}, true, 1500, []int{1500}, nil},
		{"nonsense sizes are dropped", []int{0, -1, 20, 70000, 576}, false, 1500, []int{1500, 576}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			try, skip := planSizes(tt.sizes, tt.v6, tt.local)
			if !slices.Equal(try, tt.try) || !slices.Equal(skip, tt.skip) {
				t.Errorf("planSizes = try %v skip %v, want try %v skip %v", try, skip, tt.try, tt.skip)
			}
		})
	}
}

func TestMSSFor(t *testing.T) {
	if got := mssFor(netip.MustParseAddr("198.18.0.1"), 1500); got != 1460 {
		t.Errorf("IPv4 1500: MSS %d, want 1460", got)
	}
	if got := mssFor(netip.MustParseAddr("fd00:77::1"), 1500); got != 1440 {
		t.Errorf("IPv6 1500: MSS %d, want 1440", got)
	}
}
