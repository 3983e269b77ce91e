// Package testnet starts real servers on loopback for tests: a DNS server,
// TCP listeners that accept, ports that are closed, UDP sockets that never
// answer. Every one is stopped when the test ends. Nothing here sends a
// packet anywhere but 127.0.0.1.
package testnet

import (
	"net"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// StartDNS serves h on 127.0.0.1 over UDP and TCP on the same port (a
// truncated answer is retried over TCP) and returns the address once both
// listen.
func StartDNS(t testing.TB, h dns.Handler) netip.AddrPort {
	t.Helper()
	var pc net.PacketConn
	var ln net.Listener
	for try := 0; ; try++ {
		var err error
		pc, err = net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		ln, err = net.Listen("tcp", pc.LocalAddr().String())
		if err == nil {
			break
		}
		pc.Close()
		if try == 20 {
			t.Fatalf("no port free for both UDP and TCP: %v", err)
		}
	}
	ServeDNS(t, &dns.Server{PacketConn: pc, Handler: h})
	ServeDNS(t, &dns.Server{Listener: ln, Handler: h})
	return netip.MustParseAddrPort(pc.LocalAddr().String())
}

// ServeDNS runs s until the test ends, returning once it listens.
func ServeDNS(t testing.TB, s *dns.Server) {
	t.Helper()
	started := make(chan struct{})
	s.NotifyStartedFunc = func() { close(started) }
	go s.ActivateAndServe()
	select {
	case <-started:
	case <-time.After(5 * time.Second):
		t.Fatal("DNS server did not start")
	}
	t.Cleanup(func() { s.Shutdown() })
}

// OpenTCP listens on 127.0.0.1 and accepts (and closes) every connection.
func OpenTCP(t testing.TB) int {
	t.Helper()
	return ServeTCP(t, func(net.Conn) {})
}

// ServeTCP accepts on 127.0.0.1:0 until the test ends and runs handle on
// every connection (closed after it, and after five seconds at most), and
// returns the port.
func ServeTCP(t testing.TB, handle func(net.Conn)) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				_ = c.SetDeadline(time.Now().Add(5 * time.Second))
				handle(c)
			}()
		}
	}()
	return ln.Addr().(*net.TCPAddr).Port
}

// SilentTCP accepts connections and never writes a byte: a port that is
// open but does not speak the protocol the probe expects (TLS, HTTP), so a
// client there waits until its own deadline. Connections stay open until
// the test ends.
func SilentTCP(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
	})
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	return ln.Addr().(*net.TCPAddr).Port
}

// ClosedTCP returns a port that was just bound and released: nothing
// listens there, so the kernel answers a SYN with a reset.
func ClosedTCP(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	return port
}

// ClosedUDP returns a UDP port nothing listens on: a datagram there draws
// an ICMP port unreachable, which Go reports as "connection refused".
func ClosedUDP(t testing.TB) int {
	t.Helper()
	c, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := c.LocalAddr().(*net.UDPAddr).Port
	c.Close()
	return port
}

// SilentUDP returns a port where a socket reads every datagram and never
// answers (a dead service behind an open port, or a filter), and a count
// of the datagrams it got.
func SilentUDP(t testing.TB) (port int, got func() int) {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pc.Close() })
	var mu sync.Mutex
	n := 0
	go func() {
		buf := make([]byte, 2048)
		for {
			if _, _, err := pc.ReadFrom(buf); err != nil {
				return
			}
			mu.Lock()
			n++
			mu.Unlock()
		}
	}()
	return pc.LocalAddr().(*net.UDPAddr).Port, func() int { mu.Lock(); defer mu.Unlock(); return n }
}
