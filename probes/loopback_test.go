package probes

// Real servers on loopback for the probe tests: a miekg DNS server with UDP
// and TCP on one port, TCP listeners that are open, closed or silent,
// UDP sockets that echo, stay silent or are closed, and certificates made
// on the spot. Nothing here leaves 127.0.0.1 / ::1.

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"net"
	"sync/atomic"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// longCtx is the budget for probes that are expected to get an answer; it
// is generous so a loaded machine does not turn an answer into a timeout.
func longCtx(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// shortCtx is the budget for probes against something that never answers:
// the probe must give up within it.
func shortCtx(t *testing.T, d time.Duration) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// isTCP reports whether the query came over TCP.
func isTCP(w dns.ResponseWriter) bool {
	_, ok := w.RemoteAddr().(*net.TCPAddr)
	return ok
}

// echoUDP answers every datagram with its own bytes plus "!" (so an empty
// datagram still gets a non-empty reply).
func echoUDP(t *testing.T) int {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pc.Close() })
	go func() {
		buf := make([]byte, 2048)
		for {
			n, from, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			pc.WriteTo(append(buf[:n:n], '!'), from)
		}
	}()
	return pc.LocalAddr().(*net.UDPAddr).Port
}

// certKit is one certificate with its key, able to sign others.
type certKit struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	der  []byte
}

// certSpec describes a certificate to make. A zero NotBefore/NotAfter means
// "an hour ago" / "in 90 days".
type certSpec struct {
	cn        string
	dnsNames  []string
	ips       []net.IP
	notBefore time.Time
	notAfter  time.Time
	isCA      bool
	// clientOnly makes a leaf valid for client authentication only: a
	// server presenting it fails verification for another reason than
	// dates, names or issuer.
	clientOnly bool
}

var serial atomic.Int64

// makeCert signs spec with parent (self-signed when parent is nil).
func makeCert(t *testing.T, spec certSpec, parent *certKit) *certKit {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	if spec.notBefore.IsZero() {
		spec.notBefore = time.Now().Add(-time.Hour)
	}
	if spec.notAfter.IsZero() {
		spec.notAfter = time.Now().Add(90 * 24 * time.Hour)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1000 + serial.Add(1)),
		Subject:               pkix.Name{CommonName: spec.cn, Organization: []string{"netprobe tests"}},
		NotBefore:             spec.notBefore,
		NotAfter:              spec.notAfter,
		DNSNames:              spec.dnsNames,
		IPAddresses:           spec.ips,
		BasicConstraintsValid: true,
		IsCA:                  spec.isCA,
	}
	if spec.isCA {
		tmpl.KeyUsage = x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature
	} else {
		tmpl.KeyUsage = x509.KeyUsageDigitalSignature
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
		if spec.clientOnly {
			tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
		}
	}
	signer, signKey := tmpl, key
	if parent != nil {
		signer, signKey = parent.cert, parent.key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, signer, &key.PublicKey, signKey)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return &certKit{cert: cert, key: key, der: der}
}

// tlsCert turns a leaf into what a tls.Config serves.
func (k *certKit) tlsCert() tls.Certificate {
	return tls.Certificate{Certificate: [][]byte{k.der}, PrivateKey: k.key, Leaf: k.cert}
}
