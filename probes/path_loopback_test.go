package probes

// The path probes against this computer's own loopback: nothing leaves
// 127.0.0.1 / ::1. Loopback's MTU is 65536 and no router is on the way, so
// every size passes and every trace ends at the first hop.

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/netip"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/netprobe/netprobe/internal/testnet"
	"github.com/netprobe/netprobe/result"
)

// bigChain makes a certificate chain larger than 3 kB (a leaf with many
// names, and its CA), so a server's first flight needs full-size segments,
// as real chains do.
func bigChain(t *testing.T) tls.Certificate {
	t.Helper()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ca := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "netprobe path test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, ca, ca, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	caCert, err := x509.ParseCertificate(caDER)
	if err != nil {
		t.Fatal(err)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for i := 0; i < 150; i++ {
		names = append(names, fmt.Sprintf("service-%03d.path.lab.test", i))
	}
	leaf := &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "svc.path.lab.test"}, DNSNames: names,
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, leaf, caCert, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(der) + len(caDER); n <= 3000 {
		t.Fatalf("certificate chain is %d bytes, want > 3000", n)
	}
	return tls.Certificate{Certificate: [][]byte{der, caDER}, PrivateKey: key}
}

// serveLoopback accepts on 127.0.0.1:0 and runs handle on every
// connection until the test ends.
func serveLoopback(t *testing.T, handle func(net.Conn)) int {
	return testnet.ServeTCP(t, handle)
}

func TestTraceLoopback(t *testing.T) {
	perm := DetectICMP()
	for _, a := range loopbacks(t) {
		for _, udp := range []bool{false, true} {
			name := a.String() + " icmp"
			if udp {
				name = a.String() + " udp"
			}
			t.Run(name, func(t *testing.T) {
				if udp && runtime.GOOS != "linux" {
					t.Skip("UDP traces read the error queue, which only Linux has")
				}
				if !udp && perm.Mode == ICMPDenied {
					t.Skipf("ICMP not permitted here: %s", perm.Reason)
				}
				c := NewTrace(a, TraceOptions{Permission: perm, UDP: udp, Probes: 4, Interval: 5 * time.Millisecond})(longCtx(t))[0]
				if c.Name != "trace" || c.Layer != result.Internet || c.Target != a.String() {
					t.Errorf("check %s/%s/%s, want trace/internet/%s", c.Name, c.Layer, c.Target, a)
				}
				if c.Status != result.OK || c.Reason != "" {
					t.Fatalf("status %s %q (%s), want ok", c.Status, c.Reason, c.Detail)
				}
				hops, _ := c.Evidence["hops"].([]result.Hop)
				if len(hops) != 1 || hops[0].Addr != a.String() || hops[0].TTL != 1 || hops[0].Sent != 4 || hops[0].Received != 4 || hops[0].AvgMS == nil {
					t.Fatalf("hops %+v, want one hop, %s, 4/4 answered", hops, a)
				}
				if c.Evidence["reached"] != true || c.Evidence["last_hop"] != 1 || c.Evidence["last_hop_addr"] != a.String() {
					t.Errorf("reached/last_hop/last_hop_addr = %v/%v/%v", c.Evidence["reached"], c.Evidence["last_hop"], c.Evidence["last_hop_addr"])
				}
				want := "icmp"
				if udp {
					want = "udp"
				}
				if c.Evidence["method"] != want {
					t.Errorf("method %v, want %s", c.Evidence["method"], want)
				}
			})
		}
	}
}

func TestPathMTULoopback(t *testing.T) {
	perm := DetectICMP()
	for _, a := range loopbacks(t) {
		t.Run(a.String(), func(t *testing.T) {
			c := NewPathMTU(a, PathMTUOptions{Permission: perm})(longCtx(t))[0]
			if c.Name != "pmtu" || c.Layer != result.Internet || c.Target != a.String() {
				t.Errorf("check %s/%s/%s, want pmtu/internet/%s", c.Name, c.Layer, c.Target, a)
			}
			if perm.Mode == ICMPDenied {
				if c.Status != result.Skip || c.Reason != result.ReasonLocalPermission {
					t.Fatalf("without ICMP and without a port: %s %q, want skip %s", c.Status, c.Reason, result.ReasonLocalPermission)
				}
				return
			}
			if c.Status != result.OK || c.Reason != "" {
				t.Fatalf("status %s %q (%s), want ok", c.Status, c.Reason, c.Detail)
			}
			if c.Evidence["path_mtu"] != 1500 || c.Evidence["method"] != "icmp" {
				t.Errorf("path_mtu %v method %v, want 1500 icmp", c.Evidence["path_mtu"], c.Evidence["method"])
			}
			if lm, _ := c.Evidence["local_mtu"].(int); lm < 1500 {
				t.Errorf("local_mtu %v, want loopback's (at least 1500)", c.Evidence["local_mtu"])
			}
			sizes, _ := c.Evidence["sizes"].(map[string]string)
			want := DefaultPMTUSizes4
			if a.Is6() {
				want = DefaultPMTUSizes6
			}
			if len(sizes) != len(want) {
				t.Errorf("sizes %v, want the %d defaults", sizes, len(want))
			}
			for _, s := range want {
				if sizes[strconv.Itoa(s)] != sizeOK {
					t.Errorf("size %d: %q, want ok", s, sizes[strconv.Itoa(s)])
				}
			}
		})
	}
}

// TestPathMTULoopbackTCP runs the TCP method alone (as where ICMP is not
// permitted) against real servers: a TLS server with a large chain, a
// server that answers a request with 4 kB, one that answers with a few
// bytes, and one that never answers.
func TestPathMTULoopbackTCP(t *testing.T) {
	if !haveTCPMaxSeg {
		t.Skip("no TCP_MAXSEG on this OS")
	}
	cert := bigChain(t)
	tlsPort := serveLoopback(t, func(c net.Conn) {
		tc := tls.Server(c, &tls.Config{Certificates: []tls.Certificate{cert}})
		if tc.Handshake() == nil {
			_, _ = c.Read(make([]byte, 1))
		}
	})
	reply := func(n int) int {
		return serveLoopback(t, func(c net.Conn) {
			buf := make([]byte, 64)
			if _, err := c.Read(buf); err == nil {
				_, _ = c.Write(make([]byte, n))
			}
		})
	}
	bigPort, smallPort := reply(4096), reply(10)
	silent := serveLoopback(t, func(c net.Conn) { _, _ = io.Copy(io.Discard, c) })
	denied := ICMPPermission{Mode: ICMPDenied}
	lo := netip.MustParseAddr("127.0.0.1")
	for _, tt := range []struct {
		name    string
		opt     PathMTUOptions
		budget  time.Duration
		status  result.Status
		reason  result.Reason
		mss     string
		pathMTU any
	}{
		{"tls", PathMTUOptions{Port: tlsPort, TLS: true, ServerName: "svc.path.lab.test"}, 5 * time.Second, result.OK, "", mssOK, 1500},
		{"payload, large answer", PathMTUOptions{Port: bigPort, Payload: []byte("GET\n")}, 5 * time.Second, result.OK, "", mssOK, 1500},
		{"payload, small answer", PathMTUOptions{Port: smallPort, Payload: []byte("GET\n")}, 5 * time.Second, result.Skip, result.ReasonPathNotMeasured, mssSmall, nil},
		{"handshake only", PathMTUOptions{Port: bigPort}, 5 * time.Second, result.Skip, result.ReasonPathNotMeasured, mssHandshakeOnly, nil},
		{"server never answers", PathMTUOptions{Port: silent, TLS: true}, 1500 * time.Millisecond, result.Skip, result.ReasonPathNotMeasured, mssStalled, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tt.opt.Permission = denied
			ctx, cancel := context.WithTimeout(context.Background(), tt.budget)
			defer cancel()
			start := time.Now()
			c := NewPathMTU(lo, tt.opt)(ctx)[0]
			if took := time.Since(start); took > tt.budget+100*time.Millisecond {
				t.Errorf("took %s with a budget of %s", took, tt.budget)
			}
			if c.Target != netip.AddrPortFrom(lo, uint16(tt.opt.Port)).String() {
				t.Errorf("target %q, want address:port", c.Target)
			}
			if c.Status != tt.status || c.Reason != tt.reason {
				t.Fatalf("status %s %q (%s), want %s %q", c.Status, c.Reason, c.Detail, tt.status, tt.reason)
			}
			if c.Evidence["method"] != "tcp_mss" {
				t.Errorf("method %v, want tcp_mss", c.Evidence["method"])
			}
			if c.Evidence["path_mtu"] != tt.pathMTU {
				t.Errorf("path_mtu %v, want %v", c.Evidence["path_mtu"], tt.pathMTU)
			}
			mss, _ := c.Evidence["mss_results"].(map[string]string)
			for _, s := range DefaultPMTUSizes4 {
				if got := mss[strconv.Itoa(s-40)]; got != tt.mss {
					t.Errorf("MSS %d: %q, want %q (all: %v)", s-40, got, tt.mss, mss)
				}
			}
		})
	}
}

// TestPathProbesHonourTheirBudget: a budget too small to trace is "not
// measured", and a cancelled run says it was interrupted, promptly.
func TestPathProbesHonourTheirBudget(t *testing.T) {
	lo := netip.MustParseAddr("127.0.0.1")
	perm := DetectICMP()
	t.Run("trace without time", func(t *testing.T) {
		c := NewTrace(lo, TraceOptions{Permission: perm})(shortCtx(t, 50*time.Millisecond))[0]
		if c.Status != result.Skip || c.Reason != result.ReasonPathNotMeasured {
			t.Errorf("status %s %q, want skip %s", c.Status, c.Reason, result.ReasonPathNotMeasured)
		}
	})
	t.Run("pmtu without time", func(t *testing.T) {
		c := NewPathMTU(lo, PathMTUOptions{Permission: perm})(shortCtx(t, 50*time.Millisecond))[0]
		if c.Status != result.Skip || c.Reason != result.ReasonPathNotMeasured {
			t.Errorf("status %s %q, want skip %s", c.Status, c.Reason, result.ReasonPathNotMeasured)
		}
	})
	t.Run("trace fits a short budget", func(t *testing.T) {
		if perm.Mode == ICMPDenied && runtime.GOOS != "linux" {
			t.Skip("no way to trace here")
		}
		start := time.Now()
		c := NewTrace(lo, TraceOptions{Permission: perm, Probes: 50})(shortCtx(t, 300*time.Millisecond))[0]
		if took := time.Since(start); took > 350*time.Millisecond {
			t.Errorf("took %s with a budget of 300ms", took)
		}
		hops, _ := c.Evidence["hops"].([]result.Hop)
		if c.Status != result.OK || len(hops) != 1 || hops[0].Sent < 2 || hops[0].Sent > 50 {
			t.Errorf("status %s, hops %+v: want ok with the rounds that fit", c.Status, hops)
		}
	})
	t.Run("trace interrupted", func(t *testing.T) {
		if perm.Mode == ICMPDenied && runtime.GOOS != "linux" {
			t.Skip("no way to trace here")
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		time.AfterFunc(100*time.Millisecond, cancel)
		start := time.Now()
		c := NewTrace(lo, TraceOptions{Permission: perm, Probes: 100})(ctx)[0]
		if took := time.Since(start); took > 300*time.Millisecond {
			t.Errorf("took %s after a cancel at 100ms", took)
		}
		if c.Status != result.Skip || c.Reason != result.ReasonInterrupted {
			t.Errorf("status %s %q, want skip %s", c.Status, c.Reason, result.ReasonInterrupted)
		}
	})
}
