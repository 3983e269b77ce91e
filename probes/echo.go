package probes

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/netip"
	"os"
	"time"

	"golang.org/x/net/icmp"
	"golang.org/x/net/ipv4"
	"golang.org/x/net/ipv6"

	"github.com/netprobe/netprobe/result"
)

// EchoOnce sends one ICMP echo request to addr and waits for its reply,
// on one socket, without the pinger's machinery. It is the single-packet
// probe of `netprobe serve` (one echo per scrape, as blackbox_exporter
// sends): pro-bing's receive loop polls with a growing read deadline and
// adds about a millisecond to every run, which at scrape rates is most
// of the cost.
func EchoOnce(ctx context.Context, addr netip.Addr, perm ICMPPermission) (time.Duration, error) {
	network, listen, proto := "udp4", "0.0.0.0", 1
	echo, reply := icmp.Type(ipv4.ICMPTypeEcho), icmp.Type(ipv4.ICMPTypeEchoReply)
	if addr.Is6() {
		network, listen, proto = "udp6", "::", 58
		echo, reply = ipv6.ICMPTypeEchoRequest, ipv6.ICMPTypeEchoReply
	}
	privileged := perm.Mode == ICMPPrivileged
	if privileged {
		network = map[string]string{"udp4": "ip4:icmp", "udp6": "ip6:ipv6-icmp"}[network]
	}
	if perm.Mode == ICMPDenied {
		return 0, errors.New("ICMP not permitted")
	}
	conn, err := icmp.ListenPacket(network, listen)
	if err != nil {
		return 0, err
	}
	defer conn.Close()
	if dl, ok := ctx.Deadline(); ok {
		conn.SetDeadline(dl)
	}
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Now()) })
	defer stop()

	id, seq := os.Getpid()&0xffff, int(rand.Uint32()&0xffff)
	payload := make([]byte, 16)
	for i := range payload {
		payload[i] = byte(rand.Uint32())
	}
	msg := icmp.Message{Type: echo, Body: &icmp.Echo{ID: id, Seq: seq, Data: payload}}
	b, err := msg.Marshal(nil)
	if err != nil {
		return 0, err
	}
	var dst net.Addr = &net.UDPAddr{IP: addr.AsSlice(), Zone: addr.Zone()}
	if privileged {
		dst = &net.IPAddr{IP: addr.AsSlice(), Zone: addr.Zone()}
	}
	start := time.Now()
	if _, err := conn.WriteTo(b, dst); err != nil {
		return 0, err
	}
	buf := make([]byte, 1500)
	for {
		n, from, err := conn.ReadFrom(buf)
		if err != nil {
			if ctx.Err() != nil {
				return 0, context.DeadlineExceeded
			}
			return 0, err
		}
		rtt := time.Since(start)
		if !sameHost(from, addr) {
			continue
		}
		m, err := icmp.ParseMessage(proto, buf[:n])
		if err != nil || m.Type != reply {
			continue
		}
		e, ok := m.Body.(*icmp.Echo)
		// An unprivileged socket's kernel rewrites the ID: match the
		// sequence and payload, which are ours alone.
		if !ok || e.Seq != seq || string(e.Data) != string(payload) || privileged && e.ID != id {
			continue
		}
		return rtt, nil
	}
}

func sameHost(from net.Addr, addr netip.Addr) bool {
	var ip net.IP
	switch a := from.(type) {
	case *net.UDPAddr:
		ip = a.IP
	case *net.IPAddr:
		ip = a.IP
	default:
		return false
	}
	got, ok := netip.AddrFromSlice(ip)
	return ok && got.Unmap() == addr.Unmap()
}

// PingOnce is Ping with a single echo request: EchoOnce first, and when
// it gets no answer (or ICMP is not permitted), the full Ping with its TCP
// fallback for the time left, so a host that drops ICMP is still found.
// The check has Ping's shape and evidence.
func PingOnce(ctx context.Context, addr netip.Addr, opt PingOptions) result.Check {
	opt.defaults()
	c := begin("ping", opt.Layer, addr.String())
	c.With("icmp_permission", opt.Permission.Mode)
	if opt.Permission.Mode != ICMPDenied {
		ectx, cancel := context.WithTimeout(ctx, icmpTimeout(remaining(ctx, opt.Timeout), opt))
		rtt, err := EchoOnce(ectx, addr, opt.Permission)
		cancel()
		if err == nil {
			c.With("sent", 1).With("received", 1).With("loss_pct", 0.0).With("method", "icmp").
				With("min_ms", ms(rtt)).With("avg_ms", ms(rtt)).With("max_ms", ms(rtt)).With("rtt_ms", ms(rtt))
			c.Status = result.OK
			c.Detail = fmt.Sprintf("%s answers ping: 1/1 replies, avg %s", addr, fmtDur(rtt))
			if rtt >= opt.RTTWarn {
				c.Status, c.Reason = result.Warn, result.ReasonInternetSlow
				if opt.Layer == result.Gateway {
					c.Reason = result.ReasonGatewaySlow
				}
				c.Detail = fmt.Sprintf("%s answers ping, but slow: average %s (over %s) (1/1 replies)", addr, fmtDur(rtt), fmtDur(opt.RTTWarn))
			}
			return end(c)
		}
	}
	opt.Count = 1
	return Ping(ctx, addr, opt)
}
