//go:build linux

package e2e

import (
	"bufio"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/vishvananda/netns"
)

// labCerts is a throw-away PKI made fresh for each run: a CA (handed to
// netprobe with --ca-file), a valid leaf for the lab's service names and an
// expired one. Generated, not checked in, so nothing ever expires in the
// repository and no key is committed.
type labCerts struct {
	caPEM   []byte
	good    tls.Certificate
	expired tls.Certificate
}

// labCertLife is how long the valid certificates last: far beyond any
// "expires soon" warning (netprobe warns from 14 days), so the healthy
// service is healthy, not "degraded: certificate expires tomorrow".
const labCertLife = 365 * 24 * time.Hour

func newLabCerts() (*labCerts, error) {
	now := time.Now()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	caTmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "netprobe fault lab CA"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(labCertLife),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		return nil, err
	}
	ca, err := x509.ParseCertificate(caDER)
	if err != nil {
		return nil, err
	}
	leaf := func(serial int64, names []string, ips []string, from, to time.Time) (tls.Certificate, error) {
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			return tls.Certificate{}, err
		}
		tmpl := &x509.Certificate{
			SerialNumber: big.NewInt(serial),
			Subject:      pkix.Name{CommonName: names[0]},
			DNSNames:     names,
			NotBefore:    from,
			NotAfter:     to,
			KeyUsage:     x509.KeyUsageDigitalSignature,
			ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		}
		for _, ip := range ips {
			tmpl.IPAddresses = append(tmpl.IPAddresses, net.ParseIP(ip))
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
		if err != nil {
			return tls.Certificate{}, err
		}
		return tls.Certificate{Certificate: [][]byte{der, caDER}, PrivateKey: key}, nil
	}
	c := &labCerts{caPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER})}
	if c.good, err = leaf(2, []string{"svc.lab.test", "www.lab.test", "mail.lab.test", "one.lab.test"},
		[]string{svcV4, svcV6, anycastV4, anycastV6}, now.Add(-time.Hour), now.Add(labCertLife)); err != nil {
		return nil, err
	}
	// Expired yesterday, valid for a day before that: only the validity
	// period is wrong, so the one fault netprobe can find is expiry.
	if c.expired, err = leaf(3, []string{"expired.lab.test"}, nil, now.Add(-48*time.Hour), now.Add(-24*time.Hour)); err != nil {
		return nil, err
	}
	return c, nil
}

// tlsConfig picks the certificate by SNI, so the same listener serves the
// valid and the expired name, like a real virtual-hosting server.
func (c *labCerts) tlsConfig() *tls.Config {
	return &tls.Config{
		MinVersion: tls.VersionTLS12,
		GetCertificate: func(h *tls.ClientHelloInfo) (*tls.Certificate, error) {
			if h.ServerName == "expired.lab.test" {
				return &c.expired, nil
			}
			return &c.good, nil
		},
	}
}

// tcpService is one real TCP listener on one lab address and port, with a
// protocol handler. It can be stopped (the port then answers RST, "closed")
// and started again.
type tcpService struct {
	ns    netns.NsHandle
	addr  string // host:port
	serve func(net.Listener) (stop func())

	mu   sync.Mutex
	stop func()
}

func (s *tcpService) start() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stop != nil {
		return nil
	}
	var ln net.Listener
	if err := withNS(s.ns, func() (err error) {
		ln, err = net.Listen("tcp", s.addr)
		return err
	}); err != nil {
		return fmt.Errorf("listen %s: %w", s.addr, err)
	}
	s.stop = s.serve(ln)
	return nil
}

func (s *tcpService) close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stop != nil {
		s.stop()
		s.stop = nil
	}
}

// httpHandler answers every path 200, like a healthy web site.
var httpHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain")
	_, _ = io.WriteString(w, "netprobe fault lab: ok\n")
})

// serveHTTP serves plain HTTP, or HTTPS when cfg is set.
func serveHTTP(cfg *tls.Config) func(net.Listener) func() {
	return func(ln net.Listener) func() {
		if cfg != nil {
			ln = tls.NewListener(ln, cfg)
		}
		srv := &http.Server{Handler: httpHandler, ReadHeaderTimeout: 5 * time.Second, ErrorLog: nullLog}
		go func() { _ = srv.Serve(ln) }()
		return func() { _ = srv.Close() }
	}
}

// serveBanner accepts connections, writes a greeting and reads until the
// peer goes away or a few seconds pass: enough for an SMTP or raw-print
// port to look alive to a connect probe or a banner reader.
func serveBanner(banner string) func(net.Listener) func() {
	return func(ln net.Listener) func() {
		var wg sync.WaitGroup
		var mu sync.Mutex
		conns := map[net.Conn]struct{}{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				c, err := ln.Accept()
				if err != nil {
					return
				}
				mu.Lock()
				conns[c] = struct{}{}
				mu.Unlock()
				go func() {
					defer func() {
						mu.Lock()
						delete(conns, c)
						mu.Unlock()
						c.Close()
					}()
					_ = c.SetDeadline(time.Now().Add(5 * time.Second))
					if banner != "" {
						_, _ = io.WriteString(c, banner)
					}
					r := bufio.NewReader(c)
					for {
						line, err := r.ReadString('\n')
						if err != nil {
							return
						}
						if banner != "" && len(line) >= 4 && (line[:4] == "QUIT" || line[:4] == "quit") {
							_, _ = io.WriteString(c, "221 bye\r\n")
							return
						}
					}
				}()
			}
		}()
		return func() {
			ln.Close()
			mu.Lock()
			for c := range conns {
				c.Close()
			}
			mu.Unlock()
			wg.Wait()
		}
	}
}

// startServers brings up every in-process server in its namespace, the
// SNMP agent and the delay relay.
func (l *lab) startServers() error {
	certs, err := newLabCerts()
	if err != nil {
		return err
	}
	l.certs = certs
	l.caFile = l.dir + "/lab-ca.pem"
	if err := os.WriteFile(l.caFile, certs.caPEM, 0o644); err != nil {
		return err
	}

	up := l.ns(nsUpstream)
	for _, ip := range []string{anycastV4, anycastV6, resolverAV4, resolverBV6} {
		d := newDNSListener(up, ip)
		l.dns[ip] = d
		if err := d.start(); err != nil {
			return fmt.Errorf("dns on %s: %w", ip, err)
		}
	}
	l.addCleanup(func() {
		for _, d := range l.dns {
			d.stop()
		}
	})

	add := func(ns netns.NsHandle, ip string, port int, serve func(net.Listener) func()) *tcpService {
		s := &tcpService{ns: ns, addr: net.JoinHostPort(ip, fmt.Sprint(port)), serve: serve}
		l.svcs = append(l.svcs, s)
		return s
	}
	tlsCfg := certs.tlsConfig()
	for _, ip := range []string{anycastV4, anycastV6, svcV4, svcV6} {
		add(up, ip, 80, serveHTTP(nil))
		s := add(up, ip, 443, serveHTTP(tlsCfg))
		if ip == svcV4 || ip == svcV6 {
			l.svc443 = append(l.svc443, s)
		}
	}
	for _, ip := range []string{svcV4, svcV6} {
		add(up, ip, 25, serveBanner("220 mail.lab.test ESMTP fault lab\r\n"))
		add(up, ip, 587, serveBanner("220 mail.lab.test ESMTP fault lab\r\n"))
	}
	pr := l.ns(nsPrinter)
	for _, ip := range []string{printerV4, printerV6} {
		add(pr, ip, 9100, serveBanner("")) // raw/JetDirect: silent, takes bytes
		add(pr, ip, 631, serveHTTP(nil))   // IPP runs over HTTP
	}
	for _, s := range l.svcs {
		if err := s.start(); err != nil {
			return err
		}
	}
	l.addCleanup(func() {
		for _, s := range l.svcs {
			s.close()
		}
	})

	relay, err := startDelayRelay(l.ns(nsRouter), routerTunDev, 600*time.Millisecond)
	if err != nil {
		return fmt.Errorf("delay relay: %w", err)
	}
	l.relay = relay
	l.addCleanup(relay.close)
	if err := ipBatch(nsRouter, false, "",
		"link set "+routerTunDev+" up",
		"route replace default dev "+routerTunDev+" table "+delayTable,
	); err != nil {
		return err
	}
	if err := ipBatch(nsRouter, false, "-6", "route replace default dev "+routerTunDev+" table "+delayTable); err != nil {
		return err
	}

	agent, err := startSNMPAgent(l.dir, l.ns(nsClient))
	if err != nil {
		return fmt.Errorf("snmp agent: %w", err)
	}
	l.snmp = agent
	l.addCleanup(agent.stop)
	return nil
}
