//go:build linux

package e2e

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"sync"
	"syscall"
	"time"

	"github.com/miekg/dns"
	"github.com/vishvananda/netns"
	"golang.org/x/net/icmp"
	"golang.org/x/net/ipv4"
	"golang.org/x/net/ipv6"
)

// The lab checks itself with these small probes, run from inside the client
// namespace, before netprobe is asked anything: when a scenario fails, the
// log then says whether the lab was in the state the scenario claims
// (the lab's bug) or netprobe misjudged a correct lab (netprobe's bug).

// tcpState connects once and names the outcome the way netprobe's contract
// does: open, closed (RST), filtered (silence), unreachable.
func tcpState(ns netns.NsHandle, addr string, timeout time.Duration) string {
	var conn net.Conn
	var err error
	_ = withNS(ns, func() error {
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		var d net.Dialer
		conn, err = d.DialContext(ctx, "tcp", addr)
		return nil
	})
	switch {
	case err == nil:
		conn.Close()
		return "open"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "closed"
	case errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH):
		return "unreachable"
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, os.ErrDeadlineExceeded):
		return "filtered"
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return "filtered"
	}
	return "error: " + err.Error()
}

// dnsRcode sends one UDP query to server and returns the rcode name, or
// "timeout"/"refused" when no DNS answer came.
func dnsRcode(ns netns.NsHandle, server, name string, qtype uint16, timeout time.Duration) string {
	m := new(dns.Msg)
	m.SetQuestion(dns.Fqdn(name), qtype)
	var in *dns.Msg
	var err error
	_ = withNS(ns, func() error {
		c := &dns.Client{Net: "udp", Timeout: timeout}
		var conn *dns.Conn
		conn, err = c.Dial(net.JoinHostPort(server, "53"))
		if err != nil {
			return nil
		}
		defer conn.Close()
		in, _, err = c.ExchangeWithConn(m, conn)
		return nil
	})
	if err != nil {
		if errors.Is(err, syscall.ECONNREFUSED) {
			return "refused"
		}
		return "timeout"
	}
	return dns.RcodeToString[in.Rcode]
}

// pingResult is what ping measured.
type pingResult struct {
	sent, received int
	maxRTT         time.Duration
}

func (p pingResult) String() string {
	return fmt.Sprintf("%d/%d replies, max %s", p.received, p.sent, p.maxRTT.Round(time.Millisecond))
}

// ping sends count ICMP echo requests (raw socket: the test runs as root)
// from inside ns, interval apart, and counts replies until wait after the
// last one.
func ping(ns netns.NsHandle, dst string, count int, interval, wait time.Duration) (pingResult, error) {
	ip := net.ParseIP(dst)
	network, proto, typ := "ip4:icmp", 1, icmp.Type(ipv4.ICMPTypeEcho)
	if ip.To4() == nil {
		network, proto, typ = "ip6:ipv6-icmp", 58, ipv6.ICMPTypeEchoRequest
	}
	var pc *icmp.PacketConn
	if err := withNS(ns, func() (err error) {
		pc, err = icmp.ListenPacket(network, "")
		return err
	}); err != nil {
		return pingResult{}, err
	}
	defer pc.Close()
	id := os.Getpid() & 0xffff
	var mu sync.Mutex
	sentAt := map[int]time.Time{}
	res := pingResult{}
	done := make(chan struct{})
	go func() {
		defer close(done)
		buf := make([]byte, 1500)
		for {
			_ = pc.SetReadDeadline(time.Now().Add(time.Duration(count)*interval + wait))
			n, _, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			m, err := icmp.ParseMessage(proto, buf[:n])
			if err != nil {
				continue
			}
			echo, ok := m.Body.(*icmp.Echo)
			if !ok || echo.ID != id || (m.Type != ipv4.ICMPTypeEchoReply && m.Type != ipv6.ICMPTypeEchoReply) {
				continue
			}
			mu.Lock()
			if t, ok := sentAt[echo.Seq]; ok {
				res.received++
				if rtt := time.Since(t); rtt > res.maxRTT {
					res.maxRTT = rtt
				}
				delete(sentAt, echo.Seq)
			}
			all := res.received == count
			mu.Unlock()
			if all {
				return
			}
		}
	}()
	for seq := 0; seq < count; seq++ {
		msg := icmp.Message{Type: typ, Body: &icmp.Echo{ID: id, Seq: seq, Data: []byte("netprobe-lab")}}
		b, _ := msg.Marshal(nil)
		mu.Lock()
		sentAt[seq] = time.Now()
		mu.Unlock()
		if _, err := pc.WriteTo(b, &net.IPAddr{IP: ip}); err == nil {
			mu.Lock()
			res.sent++
			mu.Unlock()
		}
		time.Sleep(interval)
	}
	<-done
	mu.Lock()
	defer mu.Unlock()
	return res, nil
}
