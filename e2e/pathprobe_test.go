//go:build linux

package e2e

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"net/http"
	"sync"
	"syscall"
	"time"

	"github.com/vishvananda/netns"
	"golang.org/x/net/icmp"
	"golang.org/x/sys/unix"
)

// More of the lab's own probes, for the faults that live on the path rather
// than at an end: which router answers a TTL-limited probe, whether a TLS
// handshake with a large server flight completes, and what an HTTPS server
// answers.

// traceBasePort is where traceroute's UDP probes start (one port per probe,
// 33434 upward), the range the loss_from_hop2 fault drops from.
const traceBasePort = 33434

// udpHops sends count UDP probes with the given TTL to dst, ports
// traceBasePort upward, interval apart, and counts the ICMP "time exceeded"
// errors about them by the router that sent them (in expired) and the
// "port unreachable" errors of the destination itself (in received), as
// traceroute's UDP mode sees them.
func udpHops(ns netns.NsHandle, dst string, ttl, count int, interval, wait time.Duration) (pingResult, error) {
	ip := net.ParseIP(dst)
	v4 := ip.To4() != nil
	rawNet, udpNet, proto := "ip4:icmp", "udp4", 1
	if !v4 {
		rawNet, udpNet, proto = "ip6:ipv6-icmp", "udp6", 58
	}
	var raw net.PacketConn
	var udp *net.UDPConn
	if err := withNS(ns, func() error {
		var err error
		if raw, err = net.ListenPacket(rawNet, ""); err != nil {
			return err
		}
		c, err := net.ListenPacket(udpNet, ":0")
		if err != nil {
			raw.Close()
			return err
		}
		udp = c.(*net.UDPConn)
		if err := setHops(udp, v4, pingOpts{ttl: ttl}); err != nil {
			raw.Close()
			udp.Close()
			return err
		}
		return nil
	}); err != nil {
		return pingResult{}, err
	}
	defer raw.Close()
	defer udp.Close()
	local := udp.LocalAddr().(*net.UDPAddr).Port

	var mu sync.Mutex
	pending := map[int]bool{}
	res := pingResult{expired: map[string]int{}}
	done := make(chan struct{})
	go func() {
		defer close(done)
		buf := make([]byte, 65536)
		for {
			_ = raw.SetReadDeadline(time.Now().Add(time.Duration(count)*interval + wait))
			n, from, err := raw.ReadFrom(buf)
			if err != nil {
				return
			}
			m, err := icmp.ParseMessage(proto, buf[:n])
			if err != nil {
				continue
			}
			var quoted []byte
			switch b := m.Body.(type) {
			case *icmp.TimeExceeded:
				quoted = b.Data
			case *icmp.DstUnreach:
				quoted = b.Data
			default:
				continue
			}
			payload, p, ok := innerPayload(quoted, v4)
			if !ok || p != unix.IPPROTO_UDP || len(payload) < 4 || int(payload[0])<<8|int(payload[1]) != local {
				continue
			}
			seq := int(payload[2])<<8 | int(payload[3]) - traceBasePort
			mu.Lock()
			if pending[seq] {
				delete(pending, seq)
				if _, te := m.Body.(*icmp.TimeExceeded); te {
					res.expired[addrOf(from)]++
				} else {
					res.received++
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
		mu.Lock()
		pending[seq] = true
		mu.Unlock()
		if _, err := udp.WriteToUDP([]byte("netprobe-lab"), &net.UDPAddr{IP: ip, Port: traceBasePort + seq}); err == nil {
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

// handshakeOpts shapes tlsHandshake.
type handshakeOpts struct {
	// mss, when set, is TCP_MAXSEG set before connect: the SYN then
	// advertises it, so the server sends no segment larger, and ours are
	// no larger either. What a path-MTU probe over TCP does.
	mss int
	// smallHello offers only X25519, so the ClientHello fits any path
	// (Go's default post-quantum key share makes it ~1.5 kB): a stall
	// then proves that the server's flight is what dies.
	smallHello bool
}

// tlsHandshake connects to addr from inside ns and completes a TLS
// handshake for sni against the lab CA within timeout. It returns the
// stage that failed: "connect" or "handshake".
func tlsHandshake(ns netns.NsHandle, addr, sni string, roots *x509.CertPool, timeout time.Duration, opt handshakeOpts) (stage string, err error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	conn, err := dialIn(ctx, ns, addr, opt.mss)
	if err != nil {
		return "connect", err
	}
	defer conn.Close()
	cfg := &tls.Config{ServerName: sni, RootCAs: roots, MinVersion: tls.VersionTLS12}
	if opt.smallHello {
		cfg.CurvePreferences = []tls.CurveID{tls.X25519}
	}
	tc := tls.Client(conn, cfg)
	if err := tc.HandshakeContext(ctx); err != nil {
		return "handshake", err
	}
	return "", nil
}

// httpsStatus fetches https://host/ from addr (inside ns, verifying against
// the lab CA) and returns the HTTP status code.
func httpsStatus(ns netns.NsHandle, addr, host string, roots *x509.CertPool, timeout time.Duration) (int, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	conn, err := dialIn(ctx, ns, addr, 0)
	if err != nil {
		return 0, err
	}
	defer conn.Close()
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	tc := tls.Client(conn, &tls.Config{ServerName: host, RootCAs: roots, MinVersion: tls.VersionTLS12})
	if err := tc.HandshakeContext(ctx); err != nil {
		return 0, err
	}
	if _, err := fmt.Fprintf(tc, "GET / HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n", host); err != nil {
		return 0, err
	}
	resp, err := http.ReadResponse(bufio.NewReader(tc), nil)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}

// dialIn opens a TCP connection from inside ns (the socket stays there),
// optionally with TCP_MAXSEG set before connect.
func dialIn(ctx context.Context, ns netns.NsHandle, addr string, mss int) (net.Conn, error) {
	var conn net.Conn
	var err error
	_ = withNS(ns, func() error {
		d := net.Dialer{}
		if mss > 0 {
			d.Control = func(_, _ string, rc syscall.RawConn) error {
				var serr error
				if err := rc.Control(func(fd uintptr) {
					serr = unix.SetsockoptInt(int(fd), unix.IPPROTO_TCP, unix.TCP_MAXSEG, mss)
				}); err != nil {
					return err
				}
				return serr
			}
		}
		conn, err = d.DialContext(ctx, "tcp", addr)
		return nil
	})
	return conn, err
}
