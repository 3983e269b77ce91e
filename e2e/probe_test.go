//go:build linux

package e2e

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/miekg/dns"
	"github.com/vishvananda/netns"
	"golang.org/x/net/icmp"
	"golang.org/x/net/ipv4"
	"golang.org/x/net/ipv6"
	"golang.org/x/sys/unix"
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
	rc, _ := dnsAnswer(ns, server, name, qtype, timeout)
	return rc
}

// dnsAnswer is dnsRcode that also returns the A and AAAA addresses of the
// answer.
func dnsAnswer(ns netns.NsHandle, server, name string, qtype uint16, timeout time.Duration) (rcode string, addrs []string) {
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
			return "refused", nil
		}
		return "timeout", nil
	}
	for _, rr := range in.Answer {
		switch a := rr.(type) {
		case *dns.A:
			addrs = append(addrs, a.A.String())
		case *dns.AAAA:
			addrs = append(addrs, a.AAAA.String())
		}
	}
	return dns.RcodeToString[in.Rcode], addrs
}

// pingResult is what ping measured.
type pingResult struct {
	sent, received int
	maxRTT         time.Duration
	// tooBig counts ICMP "fragmentation needed" (v4) and "packet too
	// big" (v6) errors about our echo requests: a path that signals its
	// MTU properly, as opposed to a black hole.
	tooBig int
	// expired counts ICMP "time exceeded" errors about our echo
	// requests, by the address of the router that sent them (TTL probes).
	expired map[string]int
}

func (p pingResult) String() string {
	s := fmt.Sprintf("%d/%d replies, max %s", p.received, p.sent, p.maxRTT.Round(time.Millisecond))
	if p.tooBig > 0 {
		s += fmt.Sprintf(", %d too-big errors", p.tooBig)
	}
	for from, n := range p.expired {
		s += fmt.Sprintf(", %d time-exceeded from %s", n, from)
	}
	return s
}

// answered is every probe that got some answer: a reply or an error.
func (p pingResult) answered() int {
	n := p.received + p.tooBig
	for _, e := range p.expired {
		n += e
	}
	return n
}

// pingOpts shapes the echo requests of pingWith.
type pingOpts struct {
	// size is the whole IP packet in bytes (0: a small one). Sizes that
	// do not fit the sender's own link fail to send.
	size int
	// df sets Don't Fragment (IPv4) and forbids fragmenting at the sender
	// (IPv6), ignoring any path MTU the kernel has cached
	// (IP_PMTUDISC_PROBE), as a path-MTU probe does.
	df bool
	// ttl limits the hops (0: the kernel's default).
	ttl int
}

// echoIDs hands every ping its own echo identifier, so concurrent pings
// (each raw socket sees every ICMP message) never count each other's
// replies.
var echoIDs atomic.Uint32

func nextEchoID() int { return int((uint32(os.Getpid())<<4 + echoIDs.Add(1)) & 0xffff) }

// ping sends count small ICMP echo requests (raw socket: the test runs as
// root) from inside ns, interval apart, and counts replies until wait after
// the last one.
func ping(ns netns.NsHandle, dst string, count int, interval, wait time.Duration) (pingResult, error) {
	return pingWith(ns, dst, count, interval, wait, pingOpts{})
}

// pingWith is ping with packet size, Don't Fragment and TTL.
func pingWith(ns netns.NsHandle, dst string, count int, interval, wait time.Duration, opt pingOpts) (pingResult, error) {
	ip := net.ParseIP(dst)
	v4 := ip.To4() != nil
	network, proto, typ, hdr := "ip4:icmp", 1, icmp.Type(ipv4.ICMPTypeEcho), 20
	if !v4 {
		network, proto, typ, hdr = "ip6:ipv6-icmp", 58, ipv6.ICMPTypeEchoRequest, 40
	}
	var pc *net.IPConn
	if err := withNS(ns, func() error {
		c, err := net.ListenPacket(network, "")
		if err != nil {
			return err
		}
		pc = c.(*net.IPConn)
		if err := setHops(pc, v4, opt); err != nil {
			pc.Close()
			return err
		}
		return nil
	}); err != nil {
		return pingResult{}, err
	}
	defer pc.Close()
	id := nextEchoID()
	data := []byte("netprobe-lab")
	if opt.size > 0 {
		n := opt.size - hdr - 8 // IP header, ICMP echo header
		if n < len(data) {
			return pingResult{}, fmt.Errorf("ping size %d: too small", opt.size)
		}
		data = append(data, make([]byte, n-len(data))...)
	}
	var mu sync.Mutex
	sentAt := map[int]time.Time{}
	res := pingResult{expired: map[string]int{}}
	done := make(chan struct{})
	go func() {
		defer close(done)
		buf := make([]byte, 65536)
		for {
			_ = pc.SetReadDeadline(time.Now().Add(time.Duration(count)*interval + wait))
			n, from, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			m, err := icmp.ParseMessage(proto, buf[:n])
			if err != nil {
				continue
			}
			mu.Lock()
			switch b := m.Body.(type) {
			case *icmp.Echo:
				if b.ID != id || (m.Type != ipv4.ICMPTypeEchoReply && m.Type != ipv6.ICMPTypeEchoReply) {
					break
				}
				if t, ok := sentAt[b.Seq]; ok {
					res.received++
					if rtt := time.Since(t); rtt > res.maxRTT {
						res.maxRTT = rtt
					}
					delete(sentAt, b.Seq)
				}
			case *icmp.TimeExceeded:
				if seq, ok := innerEcho(b.Data, v4, id); ok && !sentAt[seq].IsZero() {
					res.expired[addrOf(from)]++
					delete(sentAt, seq)
				}
			case *icmp.DstUnreach:
				if seq, ok := innerEcho(b.Data, v4, id); ok && m.Code == 4 && !sentAt[seq].IsZero() {
					res.tooBig++
					delete(sentAt, seq)
				}
			case *icmp.PacketTooBig:
				if seq, ok := innerEcho(b.Data, v4, id); ok && !sentAt[seq].IsZero() {
					res.tooBig++
					delete(sentAt, seq)
				}
			}
			all := res.answered() == count
			mu.Unlock()
			if all {
				return
			}
		}
	}()
	for seq := 0; seq < count; seq++ {
		msg := icmp.Message{Type: typ, Body: &icmp.Echo{ID: id, Seq: seq, Data: data}}
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

// setHops applies the TTL and Don't Fragment options to a raw or UDP
// socket.
func setHops(c syscall.Conn, v4 bool, opt pingOpts) error {
	if opt.ttl == 0 && !opt.df {
		return nil
	}
	rc, err := c.SyscallConn()
	if err != nil {
		return err
	}
	var serr error
	err = rc.Control(func(fd uintptr) {
		set := func(level, name, v int) {
			if serr == nil {
				serr = unix.SetsockoptInt(int(fd), level, name, v)
			}
		}
		switch {
		case v4 && opt.df:
			set(unix.IPPROTO_IP, unix.IP_MTU_DISCOVER, unix.IP_PMTUDISC_PROBE)
		case opt.df:
			set(unix.IPPROTO_IPV6, unix.IPV6_MTU_DISCOVER, unix.IPV6_PMTUDISC_PROBE)
			set(unix.IPPROTO_IPV6, unix.IPV6_DONTFRAG, 1)
		}
		switch {
		case v4 && opt.ttl > 0:
			set(unix.IPPROTO_IP, unix.IP_TTL, opt.ttl)
		case opt.ttl > 0:
			set(unix.IPPROTO_IPV6, unix.IPV6_UNICAST_HOPS, opt.ttl)
		}
	})
	if err != nil {
		return err
	}
	return serr
}

// innerEcho reads the echo request an ICMP error quotes (the original IP
// header and the first 8 bytes of its payload) and returns its sequence
// number if it carries our identifier.
func innerEcho(quoted []byte, v4 bool, id int) (seq int, ok bool) {
	payload, proto, ok := innerPayload(quoted, v4)
	if !ok || len(payload) < 8 {
		return 0, false
	}
	if (v4 && (proto != 1 || payload[0] != 8)) || (!v4 && (proto != 58 || payload[0] != 128)) {
		return 0, false
	}
	if int(payload[4])<<8|int(payload[5]) != id {
		return 0, false
	}
	return int(payload[6])<<8 | int(payload[7]), true
}

// innerPayload strips the IP header off the packet an ICMP error quotes.
func innerPayload(quoted []byte, v4 bool) (payload []byte, proto int, ok bool) {
	if v4 {
		if len(quoted) < 20 || quoted[0]>>4 != 4 {
			return nil, 0, false
		}
		ihl := int(quoted[0]&0x0f) * 4
		if len(quoted) < ihl {
			return nil, 0, false
		}
		return quoted[ihl:], int(quoted[9]), true
	}
	if len(quoted) < 40 || quoted[0]>>4 != 6 {
		return nil, 0, false
	}
	return quoted[40:], int(quoted[6]), true
}

// addrOf is the IP of a raw socket's peer.
func addrOf(a net.Addr) string {
	if ia, ok := a.(*net.IPAddr); ok {
		return ia.IP.String()
	}
	return a.String()
}
