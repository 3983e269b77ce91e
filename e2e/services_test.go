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
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/vishvananda/netns"

	"github.com/netprobe/netprobe/internal/testproxy"
)

// labCerts is a throw-away PKI made fresh for each run: a CA (handed to
// netprobe with --ca-file), a valid leaf for the lab's service names, an
// expired one, and a large chain for the MTU black hole. Generated, not
// checked in, so nothing ever expires in the repository and no key is
// committed.
type labCerts struct {
	caPEM   []byte
	pool    *x509.CertPool // the CA, for the lab's own TLS probes
	good    tls.Certificate
	expired tls.Certificate
	// big is a leaf with many names under two intermediates: more than
	// bigChainMin bytes of certificates, so the server's handshake flight
	// cannot fit one 1280-byte packet (the MTU black-hole scenario).
	big tls.Certificate
}

// The lab's virtual hosts beyond svc/www/mail: expiredName gets the expired
// leaf, bigName the large chain, brokenName answers HTTP 503.
const (
	expiredName = "expired.lab.test"
	bigName     = "big.lab.test"
	brokenName  = "broken.lab.test"
)

// bigChainMin is the least size of the big chain's certificates: the
// server's flight then needs at least three full 1280-byte packets.
const bigChainMin = 3072

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
	// issue signs a leaf for names under the issuer (the CA unless an
	// intermediate is given) and returns it with its chain.
	issue := func(serial int64, names []string, ips []string, from, to time.Time,
		issuer *x509.Certificate, issuerKey *ecdsa.PrivateKey, chain ...[]byte) (tls.Certificate, error) {
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
		der, err := x509.CreateCertificate(rand.Reader, tmpl, issuer, &key.PublicKey, issuerKey)
		if err != nil {
			return tls.Certificate{}, err
		}
		return tls.Certificate{Certificate: append([][]byte{der}, chain...), PrivateKey: key}, nil
	}
	leaf := func(serial int64, names []string, ips []string, from, to time.Time) (tls.Certificate, error) {
		return issue(serial, names, ips, from, to, ca, caKey, caDER)
	}
	c := &labCerts{caPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}), pool: x509.NewCertPool()}
	c.pool.AddCert(ca)
	if c.good, err = leaf(2, []string{"svc.lab.test", "www.lab.test", "mail.lab.test", "one.lab.test", brokenName},
		[]string{svcV4, svcV6, anycastV4, anycastV6}, now.Add(-time.Hour), now.Add(labCertLife)); err != nil {
		return nil, err
	}
	// Expired yesterday, valid for a day before that: only the validity
	// period is wrong, so the one fault netprobe can find is expiry.
	if c.expired, err = leaf(3, []string{expiredName}, nil, now.Add(-48*time.Hour), now.Add(-24*time.Hour)); err != nil {
		return nil, err
	}
	// The big chain: CA → two intermediates → a leaf valid for 100 more
	// names, the way a shared-hosting or CDN certificate looks. Sent as
	// leaf, intermediate 2, intermediate 1, CA.
	issuer, issuerKey, chain := ca, caKey, [][]byte{caDER}
	for i := int64(1); i <= 2; i++ {
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			return nil, err
		}
		tmpl := &x509.Certificate{
			SerialNumber:          big.NewInt(10 + i),
			Subject:               pkix.Name{CommonName: fmt.Sprintf("netprobe fault lab intermediate %d", i), Organization: []string{"netprobe fault lab"}},
			NotBefore:             now.Add(-time.Hour),
			NotAfter:              now.Add(labCertLife),
			IsCA:                  true,
			BasicConstraintsValid: true,
			KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, issuer, &key.PublicKey, issuerKey)
		if err != nil {
			return nil, err
		}
		if issuer, err = x509.ParseCertificate(der); err != nil {
			return nil, err
		}
		issuerKey, chain = key, append([][]byte{der}, chain...)
	}
	names := []string{bigName}
	for i := 0; i < 100; i++ {
		names = append(names, fmt.Sprintf("host-%03d.%s", i, bigName))
	}
	if c.big, err = issue(4, names, nil, now.Add(-time.Hour), now.Add(labCertLife), issuer, issuerKey, chain...); err != nil {
		return nil, err
	}
	if n := chainBytes(c.big); n < bigChainMin {
		return nil, fmt.Errorf("the big chain has %d bytes of certificates, want at least %d", n, bigChainMin)
	}
	return c, nil
}

// chainBytes is the size of a certificate chain as the Certificate
// message carries it.
func chainBytes(c tls.Certificate) int {
	n := 0
	for _, der := range c.Certificate {
		n += len(der)
	}
	return n
}

// tlsConfig picks the certificate by SNI, so the same listener serves the
// valid and the expired name, like a real virtual-hosting server.
func (c *labCerts) tlsConfig() *tls.Config {
	return &tls.Config{
		MinVersion: tls.VersionTLS12,
		GetCertificate: func(h *tls.ClientHelloInfo) (*tls.Certificate, error) {
			switch h.ServerName {
			case expiredName:
				return &c.expired, nil
			case bigName:
				return &c.big, nil
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

// httpHandler answers every path 200, like a healthy web site, except
// for the virtual host brokenName: 503, like a site whose application
// servers are down behind a working front end.
var httpHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == portalCheckPath {
		// The connectivity check, as Android's generate_204 answers it.
		w.WriteHeader(http.StatusNoContent)
		return
	}
	w.Header().Set("Content-Type", "text/plain")
	host := r.Host
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	if strings.EqualFold(host, brokenName) {
		w.Header().Set("Retry-After", "120")
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = io.WriteString(w, "netprobe fault lab: service unavailable\n")
		return
	}
	_, _ = io.WriteString(w, "netprobe fault lab: ok\n")
})

// portalCheckPath is the lab's connectivity-check URL path (204 when the
// network is open).
const portalCheckPath = "/generate_204"

// servePortal answers every HTTP request the way a hotel network's captive
// portal does before the guest signs in: a redirect to its login page.
func servePortal(ln net.Listener) func() {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://login.lab.test/portal?client=10.77.1.10&session=8f2c", http.StatusFound)
	})
	srv := &http.Server{Handler: h, ReadHeaderTimeout: serverPatience, ErrorLog: nullLog}
	go func() { _ = srv.Serve(ln) }()
	return func() { _ = srv.Close() }
}

// serverPatience is how long a lab web server waits for a TLS handshake
// and a request's headers (net/http uses ReadHeaderTimeout for both). It is
// longer than any scenario's --timeout, so a handshake stalled by the MTU
// black hole stays a stall from the client's side, as with real servers
// (nginx waits 60 s), instead of turning into an EOF when the server gives up.
const serverPatience = 30 * time.Second

// serveHTTP serves plain HTTP, or HTTPS when cfg is set.
func serveHTTP(cfg *tls.Config) func(net.Listener) func() {
	return func(ln net.Listener) func() {
		if cfg != nil {
			ln = tls.NewListener(ln, cfg)
		}
		srv := &http.Server{Handler: httpHandler, ReadHeaderTimeout: serverPatience, ErrorLog: nullLog}
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
	// The captive portal's login server on the router (only a fault
	// redirects the clients' web traffic to it).
	rt := l.ns(nsRouter)
	add(rt, gwV4, mustAtoi(portalPort), servePortal)
	add(rt, gwV6, mustAtoi(portalPort), servePortal)
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

	// The office web proxy, in the "internet": it listens and dials from
	// inside the upstream namespace only (its dialer switches there), so
	// nothing it forwards can leave the lab.
	if err := withNS(up, func() error {
		l.proxy = testproxy.Start(l.t, testproxy.Options{
			Listen: net.JoinHostPort(proxyV4, proxyPort),
			Hosts:  map[string]string{"svc.lab.test": svcV4, "www.lab.test": svcV4, svcV4: svcV4},
			Dial: func(network, addr string) (conn net.Conn, err error) {
				err = withNS(up, func() (err error) {
					conn, err = net.DialTimeout(network, addr, 2*time.Second)
					return err
				})
				return conn, err
			},
		})
		return nil
	}); err != nil {
		return fmt.Errorf("proxy: %w", err)
	}

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

func mustAtoi(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		panic(err)
	}
	return n
}
