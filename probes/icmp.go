package probes

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	probing "github.com/prometheus-community/pro-bing"

	"github.com/netprobe/netprobe/internal/fdlimit"
	"github.com/netprobe/netprobe/result"
)

// ICMP permission modes: which kind of socket this process may ping with.
const (
	ICMPPrivileged   = "privileged"   // raw socket (root, CAP_NET_RAW, Administrator)
	ICMPUnprivileged = "unprivileged" // datagram ICMP socket (Linux ping_group_range, macOS)
	ICMPDenied       = "denied"       // neither: reachability falls back to TCP
)

// ICMPPermission says how this process can send ICMP echo, and why not
// when it cannot.
type ICMPPermission struct {
	Mode   string
	Reason string
}

// PingOptions configures a reachability check.
type PingOptions struct {
	// Layer the check is filed under (gateway or internet).
	Layer result.Layer
	// Count echo requests, Interval apart.
	Count    int
	Interval time.Duration
	// Timeout bounds the ICMP phase; the context bounds everything.
	Timeout    time.Duration
	Permission ICMPPermission
	// LossWarn (percent) and RTTWarn turn ok into warn.
	LossWarn float64
	RTTWarn  time.Duration
	// FallbackPorts are tried over TCP when ICMP gives no answer or is not
	// permitted: a completed handshake or a reset both prove the host is
	// there.
	FallbackPorts []int
	// Neighbour consults the ARP/NDP table as a last resort (for a gateway
	// on the local link).
	Neighbour bool
	// NextHop is the gateway traffic to the target goes through. When ping
	// gets no answer and the gateway's ARP/NDP entry is unresolved, nothing
	// routed can get through: the check ends there instead of waiting out
	// the TCP fallback.
	NextHop netip.Addr
	// RequestedCount, when larger than Count, is what the user asked for:
	// the plan sent fewer requests so they fit the budget, and the check
	// says so.
	RequestedCount int
}

// pingReasons maps what a reachability check found to its code, per
// layer: the same finding means a different thing for the router than for
// an internet host.
var pingReasons = map[result.Layer]map[string]result.Reason{
	result.Gateway: {
		"loss": result.ReasonGatewayLoss, "slow": result.ReasonGatewaySlow,
		"no_arp": result.ReasonGatewayNoARP, "next_hop_no_arp": result.ReasonGatewayNoARP,
		"arp_only": result.ReasonGatewayARPOnly, "unreachable": result.ReasonGatewayUnreachable,
		"no_reply": result.ReasonGatewayNoReply, "not_measured": result.ReasonGatewayNotMeasured,
	},
	result.Internet: {
		"loss": result.ReasonInternetLoss, "slow": result.ReasonInternetSlow,
		"no_arp": result.ReasonInternetNextHopNoARP, "next_hop_no_arp": result.ReasonInternetNextHopNoARP,
		"arp_only": result.ReasonInternetNoReply, "unreachable": result.ReasonInternetUnreachable,
		"no_reply": result.ReasonInternetNoReply, "not_measured": result.ReasonInternetNotMeasured,
	},
}

// pingReason returns the code of a finding on layer l (the internet's for
// any layer other than the gateway).
func pingReason(l result.Layer, finding string) result.Reason {
	m, ok := pingReasons[l]
	if !ok {
		m = pingReasons[result.Internet]
	}
	return m[finding]
}

// Ping defaults.
const (
	DefaultPingCount    = 10
	DefaultPingInterval = 20 * time.Millisecond
	DefaultPingTimeout  = 2 * time.Second
	DefaultLossWarn     = 10.0
	DefaultRTTWarn      = 300 * time.Millisecond
	// pingGraceMin is how long to wait for late replies after the last
	// request when no reply has shown the path's RTT yet.
	pingGraceMin = 300 * time.Millisecond
	// noReplyCutoff ends the ICMP phase when not a single reply came in
	// that long, however many requests are still to go: no usable path
	// has a round trip that long, and the TCP fallback needs the time.
	noReplyCutoff = 2 * time.Second
	// fallbackReserve is the time the ICMP phase leaves for the TCP
	// fallback when the budget is long enough.
	fallbackReserve = 3 * time.Second
)

func (o *PingOptions) defaults() {
	if o.Count <= 0 {
		o.Count = DefaultPingCount
	}
	if o.Interval <= 0 {
		o.Interval = DefaultPingInterval
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultPingTimeout
	}
	if o.LossWarn <= 0 {
		o.LossWarn = DefaultLossWarn
	}
	if o.RTTWarn <= 0 {
		o.RTTWarn = DefaultRTTWarn
	}
}

// NewPing prepares a reachability check of addr (see Ping).
func NewPing(addr netip.Addr, opt PingOptions) Probe {
	return One(func(ctx context.Context) result.Check { return Ping(ctx, addr, opt) })
}

// Ping checks that addr answers: ICMP echo first, then the TCP fallback
// ports, then (optionally) the neighbour table. Evidence "method" says which
// one proved it.
func Ping(ctx context.Context, addr netip.Addr, opt PingOptions) result.Check {
	opt.defaults()
	c := begin("ping", opt.Layer, addr.String())
	c.With("icmp_permission", opt.Permission.Mode).With("family", Family(addr))
	if opt.RequestedCount > opt.Count {
		c.With("requested_count", opt.RequestedCount).With("count_shortened", true)
	}
	var icmpErr error
	if opt.Permission.Mode != ICMPDenied {
		st, err := runPing(ctx, addr, opt)
		icmpErr = err
		if st != nil {
			c.With("sent", st.PacketsSent).With("received", st.PacketsRecv).With("loss_pct", round1(st.PacketLoss))
		}
		if st != nil && st.PacketsRecv > 0 {
			c.With("method", "icmp").
				With("min_ms", ms(st.MinRtt)).With("avg_ms", ms(st.AvgRtt)).With("max_ms", ms(st.MaxRtt)).
				With("rtt_ms", ms(st.AvgRtt))
			c.Status = result.OK
			c.Detail = fmt.Sprintf("%s answers ping: %d/%d replies, avg %s", addr, st.PacketsRecv, st.PacketsSent, fmtDur(st.AvgRtt))
			var warns []string
			if st.AvgRtt >= opt.RTTWarn {
				warns = append(warns, fmt.Sprintf("slow: average %s (over %s)", fmtDur(st.AvgRtt), fmtDur(opt.RTTWarn)))
				c.Reason = pingReason(opt.Layer, "slow")
			}
			if st.PacketLoss >= opt.LossWarn {
				// Loss leads: it is the rarer and more telling of the two.
				warns = append([]string{fmt.Sprintf("%.0f%% packet loss", st.PacketLoss)}, warns...)
				c.Reason = pingReason(opt.Layer, "loss")
			}
			if len(warns) > 0 {
				c.Status = result.Warn
				c.Detail = fmt.Sprintf("%s answers ping, but %s (%d/%d replies)", addr, strings.Join(warns, " and "), st.PacketsRecv, st.PacketsSent)
			}
			if opt.RequestedCount > opt.Count {
				c.Detail += fmt.Sprintf("; %d of the %d requests asked for were sent, to fit the time budget", opt.Count, opt.RequestedCount)
			}
			return end(c)
		}
		if err != nil {
			c.Error = errText(err)
		}
	} else {
		c.With("icmp_note", opt.Permission.Reason)
	}

	// No ICMP answer: is the host there at all? On the local link the
	// kernel has been asking for the gateway's MAC address while the pings
	// went out; an entry still unresolved after that means nothing holds
	// the address, and TCP could only wait out the same silence.
	if hop := nextHop(addr, opt); hop.IsValid() && opt.Permission.Mode != ICMPDenied {
		if st, _, _ := neighbourState(hop); st == "incomplete" || st == "failed" {
			c.With("neighbour_state", st).With("method", "none")
			c.Status = result.Fail
			if hop == addr {
				c.Reason = pingReason(opt.Layer, "no_arp")
				c.Detail = fmt.Sprintf("%s does not answer: no reply to ping, and no device answers ARP/NDP for this address", addr)
			} else {
				c.Reason = pingReason(opt.Layer, "next_hop_no_arp")
				c.With("next_hop", hop.String())
				c.Detail = fmt.Sprintf("%s cannot be reached: the gateway %s does not answer ARP/NDP", addr, hop)
			}
			return end(c)
		}
	}
	triedTCP := false
	if len(opt.FallbackPorts) > 0 && ctx.Err() == nil {
		triedTCP = true
		port, state, rtt, states := tcpFallback(ctx, addr, opt.FallbackPorts)
		c.With("tcp_ports", states)
		if port > 0 {
			c.With("method", "tcp").With("rtt_ms", ms(rtt)).With("tcp_port", port)
			c.Status = result.OK
			why := "does not answer ping"
			if opt.Permission.Mode == ICMPDenied {
				why = "could not be pinged (ICMP not permitted for this user)"
			}
			c.Detail = fmt.Sprintf("%s %s, but answers TCP on port %d (%s, %s)", addr, why, port, state, fmtDur(rtt))
			if rtt >= opt.RTTWarn {
				c.Status = result.Warn
				c.Reason = pingReason(opt.Layer, "slow")
				c.Detail = fmt.Sprintf("%s %s; it answers TCP on port %d, but slow: %s (over %s)", addr, why, port, fmtDur(rtt), fmtDur(opt.RTTWarn))
			}
			return end(c)
		}
		// Nothing proved the host, and this computer could not try every
		// port (no descriptor free): that is not the host's silence.
		for _, st := range states {
			if st == string(PortNotMeasured) {
				return end(notMeasured(c, result.ReasonLocalResources, "this computer could not open the sockets to try the host (too many open files)", fdlimit.ErrNoSlot))
			}
		}
	} else if reason, why, local := LocalFailure(icmpErr); local {
		return end(notMeasured(c, reason, why, icmpErr)) // ICMP could not even be sent, and nothing else was tried
	}
	if opt.Neighbour {
		if st, mac, confirmed := neighbourState(addr); st != "" {
			c.With("neighbour_state", st)
			if mac != "" {
				c.With("neighbour_mac", mac)
			}
			// The kernel keeps an entry "reachable" for tens of seconds
			// after its last confirmation: only a confirmation during this
			// probe shows the gateway is there now.
			fresh := confirmed >= 0 && confirmed <= now().Sub(c.Started)
			if confirmed >= 0 {
				c.With("neighbour_confirmed_ms", ms(confirmed))
			}
			if st == "reachable" && fresh {
				c.With("method", "neighbour")
				c.Status = result.Warn
				c.Reason = pingReason(opt.Layer, "arp_only")
				c.Detail = fmt.Sprintf("%s answers on the local network (ARP/NDP, %s) but not to ping or TCP", addr, mac)
				return end(c)
			}
		}
	}
	c.Status = result.Fail
	c.With("method", "none")
	switch {
	case icmpErr != nil && isUnreachable(icmpErr):
		c.Reason = pingReason(opt.Layer, "unreachable")
		c.Detail = fmt.Sprintf("%s is unreachable: %s", addr, errText(icmpErr))
	case opt.Permission.Mode == ICMPDenied && len(opt.FallbackPorts) == 0:
		// Not measured, not a failure: nothing was sent.
		c.Status = result.Skip
		c.Reason = pingReason(opt.Layer, "not_measured")
		c.Detail = fmt.Sprintf("%s could not be checked: ICMP is not permitted for this user and there are no TCP ports to try instead", addr)
	case opt.Permission.Mode == ICMPDenied:
		c.Reason = pingReason(opt.Layer, "no_reply")
		c.Detail = fmt.Sprintf("%s does not answer on TCP ports %s (ICMP not permitted for this user)", addr, joinInts(opt.FallbackPorts))
	default:
		c.Reason = pingReason(opt.Layer, "no_reply")
		c.Detail = fmt.Sprintf("%s does not answer: no reply to ping", addr)
		if triedTCP {
			c.Detail += " or TCP ports " + joinInts(opt.FallbackPorts)
		} else if len(opt.FallbackPorts) > 0 {
			c.Detail += " (no time was left to try TCP)"
		}
	}
	return end(c)
}

// icmpTimeout bounds the ICMP phase: its own timeout, but with fallback
// ports it leaves the TCP fallback its share of what is left
// (fallbackReserve, or half of a short budget), so silence to ping cannot
// use up the time to prove the host another way.
func icmpTimeout(left time.Duration, opt PingOptions) time.Duration {
	if len(opt.FallbackPorts) > 0 {
		left -= min(fallbackReserve, left/2)
	}
	return max(0, min(opt.Timeout, left))
}

// nextHop is the on-link address whose ARP/NDP entry decides whether addr
// can be reached at all: addr itself for a gateway, else its gateway.
func nextHop(addr netip.Addr, opt PingOptions) netip.Addr {
	switch {
	case opt.Neighbour:
		return addr
	case opt.NextHop.IsValid() && opt.NextHop.Is4() == addr.Is4():
		return opt.NextHop
	}
	return netip.Addr{}
}

// runPing sends the echo requests with pro-bing and stops early once every
// request is answered or, after the last one, when late replies are no
// longer plausible.
func runPing(ctx context.Context, addr netip.Addr, opt PingOptions) (*probing.Statistics, error) {
	p := probing.New("")
	p.SetLogger(probing.NoopLogger{})
	ip := &net.IPAddr{IP: net.IP(addr.AsSlice()), Zone: addr.Zone()}
	if addr.Is4() {
		p.SetNetwork("ip4")
	} else {
		p.SetNetwork("ip6")
	}
	p.SetIPAddr(ip)
	p.SetPrivileged(opt.Permission.Mode == ICMPPrivileged)
	p.Count = opt.Count
	p.Interval = opt.Interval
	timeout := icmpTimeout(remaining(ctx, opt.Timeout), opt)
	if timeout <= 0 {
		return nil, context.DeadlineExceeded
	}
	p.Timeout = timeout
	sendTime := time.Duration(opt.Count-1) * opt.Interval
	var mu sync.Mutex
	var lastSend time.Time
	p.OnSend = func(*probing.Packet) { mu.Lock(); lastSend = time.Now(); mu.Unlock() }

	done := make(chan struct{})
	go func() {
		// Watchdog: after the last request, wait a few RTTs for stragglers.
		t := time.NewTicker(10 * time.Millisecond)
		defer t.Stop()
		start := time.Now()
		for {
			select {
			case <-done:
				return
			case <-t.C:
			}
			st := p.Statistics()
			// With no reply yet the path's RTT is unknown: a slow path
			// (satellite, a congested uplink) must not read as 100% loss,
			// so only the ICMP phase's timeout, or noReplyCutoff of
			// silence, ends the wait.
			if st.PacketsRecv == 0 && time.Since(start) >= noReplyCutoff {
				p.Stop()
				return
			}
			if st.PacketsSent < opt.Count || time.Since(start) < sendTime || st.PacketsRecv == 0 {
				continue
			}
			grace := pingGraceMin
			if g := 3 * st.MaxRtt; g > grace {
				grace = g
			}
			mu.Lock()
			ls := lastSend
			mu.Unlock()
			if time.Since(ls) > grace {
				p.Stop()
				return
			}
		}
	}()
	err := p.RunWithContext(ctx)
	close(done)
	st := p.Statistics()
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		err = nil // the statistics say what happened
	}
	return st, err
}

// tcpFallback dials every port concurrently and returns the first that
// proves the host is there (open or closed), plus every port's state.
func tcpFallback(ctx context.Context, addr netip.Addr, ports []int) (int, PortState, time.Duration, map[string]string) {
	type res struct {
		port  int
		state PortState
		rtt   time.Duration
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	ch := make(chan res, len(ports))
	for _, port := range ports {
		go func(port int) {
			st, rtt, _ := DialTCP(ctx, netip.AddrPortFrom(addr, uint16(port)).String())
			ch <- res{port, st, rtt}
		}(port)
	}
	states := map[string]string{}
	best := res{}
	for range ports {
		r := <-ch
		st := string(r.state)
		if best.port != 0 && r.state == PortFiltered {
			// Cut short once another port had proved the host: not
			// measured, not filtered.
			st = "not_needed"
		}
		states[strconv.Itoa(r.port)] = st
		if (r.state == PortOpen || r.state == PortClosed) && best.port == 0 {
			best = r
			cancel() // one proof is enough
		}
	}
	return best.port, best.state, best.rtt, states
}

func isUnreachable(err error) bool {
	return errors.Is(err, syscall.ENETUNREACH) || errors.Is(err, syscall.EHOSTUNREACH) ||
		errors.Is(err, syscall.EADDRNOTAVAIL) || errors.Is(err, syscall.EINVAL)
}

func round1(f float64) float64 { return float64(int64(f*10+0.5)) / 10 }

// fmtDur prints a duration the way a person reads latency, the unit after
// a space as everywhere in a report: 0.4 ms, 12 ms, 1.2 s.
func fmtDur(d time.Duration) string {
	switch {
	case d < 10*time.Millisecond:
		return strconv.FormatFloat(float64(d)/1e6, 'f', 1, 64) + " ms"
	case d < time.Second:
		return strconv.FormatInt(d.Round(time.Millisecond).Milliseconds(), 10) + " ms"
	}
	return strconv.FormatFloat(d.Seconds(), 'f', 1, 64) + " s"
}

func joinInts(v []int) string {
	s := make([]string, len(v))
	for i, n := range v {
		s[i] = strconv.Itoa(n)
	}
	return strings.Join(s, ", ")
}
