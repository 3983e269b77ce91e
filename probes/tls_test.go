package probes

import (
	"crypto/tls"
	"crypto/x509"
	"net"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/netprobe/netprobe/internal/testnet"
	"github.com/netprobe/netprobe/result"
)

// pki is a private CA with an intermediate, made fresh for each test.
type pki struct {
	root, inter *certKit
}

func newPKI(t *testing.T) pki {
	t.Helper()
	root := makeCert(t, certSpec{cn: "netprobe test root", isCA: true, notAfter: time.Now().Add(10 * 365 * 24 * time.Hour)}, nil)
	inter := makeCert(t, certSpec{cn: "netprobe test intermediate", isCA: true, notAfter: time.Now().Add(5 * 365 * 24 * time.Hour)}, root)
	return pki{root: root, inter: inter}
}

// loopbackIPs are the addresses a loopback test certificate is valid for.
var loopbackIPs = []net.IP{net.ParseIP("127.0.0.1"), net.ParseIP("::1")}

// serveTLS starts an httptest TLS server presenting leaf and then chain.
// Paths: / is 200, /missing 404, /broken 503.
func serveTLS(t *testing.T, leaf *certKit, chain ...*certKit) *httptest.Server {
	t.Helper()
	srv := httptest.NewUnstartedServer(webHandler())
	cert := leaf.tlsCert()
	for _, c := range chain {
		cert.Certificate = append(cert.Certificate, c.der)
	}
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	// The client hangs up on purpose in some tests; keep the log quiet.
	srv.Config.ErrorLog = quietLog()
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv
}

// handshake dials srv and runs TLSHandshake over the connection.
func handshake(t *testing.T, addr string, opt TLSOptions) result.Check {
	t.Helper()
	ctx := longCtx(t)
	conn, err := (&net.Dialer{}).DialContext(ctx, "tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	c, tc := TLSHandshake(ctx, conn, "https://"+addr+"/", opt)
	if (tc == nil) != (c.Evidence["tls_version"] == nil) {
		t.Errorf("TLS conn returned = %v, but tls_version evidence = %v", tc != nil, c.Evidence["tls_version"])
	}
	return c
}

func TestTLSHandshake(t *testing.T) {
	t.Parallel()
	p := newPKI(t)
	day := 24 * time.Hour
	now := time.Now()
	leaf := func(spec certSpec) *certKit {
		if spec.cn == "" {
			spec.cn = "svc.test"
		}
		if spec.dnsNames == nil {
			spec.dnsNames = []string{"svc.test"}
		}
		return makeCert(t, spec, p.inter)
	}
	good := leaf(certSpec{ips: loopbackIPs})
	expiredInter := makeCert(t, certSpec{cn: "netprobe expired intermediate", isCA: true,
		notBefore: now.Add(-60 * day), notAfter: now.Add(-2 * day)}, p.root)
	selfSigned := makeCert(t, certSpec{cn: "svc.test", dnsNames: []string{"svc.test"}}, nil)
	var expiredInterRoot pki
	expiredInterRoot.root = makeCert(t, certSpec{cn: "netprobe expired root", isCA: true,
		notBefore: now.Add(-60 * day), notAfter: now.Add(-1 * day)}, nil)
	expiredInterRoot.inter = makeCert(t, certSpec{cn: "netprobe test intermediate", isCA: true}, expiredInterRoot.root)

	tests := []struct {
		name       string
		leaf       *certKit
		chain      []*certKit
		serverName string
		noCA       bool
		root       *certKit // trusted root; the PKI's own when nil
		status     result.Status
		detail     string
		verifyErr  string
	}{
		{name: "trusted through an intermediate", leaf: good, chain: []*certKit{p.inter}, status: result.OK,
			detail: "certificate valid until " + good.cert.NotAfter.UTC().Format("2006-01-02")},
		{name: "trusted for an IP name", leaf: good, chain: []*certKit{p.inter}, serverName: "127.0.0.1", status: result.OK},
		{name: "missing intermediate", leaf: good, status: result.Fail, verifyErr: "unknown authority"},
		{name: "private CA not trusted", leaf: good, chain: []*certKit{p.inter}, noCA: true, status: result.Fail,
			verifyErr: "certificate signed by an unknown authority"},
		{name: "self-signed", leaf: selfSigned, status: result.Fail,
			verifyErr: "certificate signed by an unknown authority (self-signed or a private CA)"},
		{name: "expired leaf", chain: []*certKit{p.inter},
			leaf:   leaf(certSpec{notBefore: now.Add(-30 * day), notAfter: now.Add(-3 * day)}),
			status: result.Fail, verifyErr: "certificate expired on " + now.Add(-3*day).UTC().Format("2006-01-02")},
		{name: "not valid yet", chain: []*certKit{p.inter},
			leaf:   leaf(certSpec{notBefore: now.Add(2 * day), notAfter: now.Add(90 * day)}),
			status: result.Fail, verifyErr: "not valid yet (from " + now.Add(2*day).UTC().Format("2006-01-02")},
		{name: "wrong name", leaf: good, chain: []*certKit{p.inter}, serverName: "other.test", status: result.Fail,
			verifyErr: "certificate is for svc.test, 127.0.0.1, ::1, not other.test"},
		{name: "wrong IP on an IP-only certificate", chain: []*certKit{p.inter}, serverName: "127.0.0.2",
			leaf:   makeCert(t, certSpec{cn: "127.0.0.1", dnsNames: []string{}, ips: loopbackIPs}, p.inter),
			status: result.Fail, verifyErr: "certificate is for 127.0.0.1, ::1, not 127.0.0.2"},
		// The intermediate expired, the leaf did not: x509 reports an
		// unknown authority with the expiry as a hint. The report must
		// not send the user hunting for a self-signed certificate.
		{name: "expired intermediate", chain: []*certKit{expiredInter},
			leaf:   makeCert(t, certSpec{cn: "svc.test", dnsNames: []string{"svc.test"}}, expiredInter),
			status: result.Fail, verifyErr: "issuing certificate CN=netprobe expired intermediate,O=netprobe tests expired on " + now.Add(-2*day).UTC().Format("2006-01-02")},
		{name: "expired root", chain: []*certKit{expiredInterRoot.inter}, root: expiredInterRoot.root,
			leaf:   makeCert(t, certSpec{cn: "svc.test", dnsNames: []string{"svc.test"}}, expiredInterRoot.inter),
			status: result.Fail, verifyErr: "issuing certificate CN=netprobe expired root,O=netprobe tests expired on " + now.Add(-1*day).UTC().Format("2006-01-02")},
		{name: "expires in 3 days", chain: []*certKit{p.inter},
			leaf:   leaf(certSpec{notAfter: now.Add(3*day + time.Hour)}),
			status: result.Warn, detail: "certificate expires soon: " + now.Add(3*day+time.Hour).UTC().Format("2006-01-02") + " (3 days)"},
	}
	reasons := map[string]result.Reason{
		"missing intermediate": result.ReasonTLSUnknownAuthority, "private CA not trusted": result.ReasonTLSUnknownAuthority,
		"self-signed": result.ReasonTLSUnknownAuthority, "expired leaf": result.ReasonTLSExpired,
		"not valid yet": result.ReasonTLSNotYetValid, "wrong name": result.ReasonTLSWrongName,
		"wrong IP on an IP-only certificate": result.ReasonTLSWrongName, "expired intermediate": result.ReasonTLSExpired,
		"expired root": result.ReasonTLSExpired, "expires in 3 days": result.ReasonTLSExpiring,
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := serveTLS(t, tt.leaf, tt.chain...)
			opt := TLSOptions{ServerName: tt.serverName}
			if opt.ServerName == "" {
				opt.ServerName = "svc.test"
			}
			if !tt.noCA {
				opt.ExtraCAs = []*x509.Certificate{p.root.cert}
				if tt.root != nil {
					opt.ExtraCAs = []*x509.Certificate{tt.root.cert}
				}
			}
			c := handshake(t, srv.Listener.Addr().String(), opt)
			if c.Status != tt.status {
				t.Errorf("status = %s, want %s (%s)", c.Status, tt.status, c.Detail)
			}
			if c.Reason != reasons[tt.name] {
				t.Errorf("reason = %q, want %q", c.Reason, reasons[tt.name])
			}
			if !strings.Contains(c.Detail, tt.detail) {
				t.Errorf("detail = %q, want %q", c.Detail, tt.detail)
			}
			ve, hasVE := c.Evidence["verify_error"].(string)
			if hasVE != (tt.verifyErr != "") || !strings.Contains(ve, tt.verifyErr) {
				t.Errorf("verify_error = %q, want %q", ve, tt.verifyErr)
			}
			if tt.verifyErr != "" && (c.Error == "" || !strings.Contains(c.Detail, "the certificate is not trusted: "+ve)) {
				t.Errorf("error %q detail %q: the reason must reach both", c.Error, c.Detail)
			}
			if got := c.Evidence["tls_version"]; got != "TLS 1.3" {
				t.Errorf("tls_version = %v, want TLS 1.3", got)
			}
			if got := c.Evidence["cert_subject"]; got != "CN="+tt.leaf.cert.Subject.CommonName+",O=netprobe tests" {
				t.Errorf("cert_subject = %v", got)
			}
			if got, want := c.Evidence["cert_not_after"], tt.leaf.cert.NotAfter.UTC().Format(time.RFC3339); got != want {
				t.Errorf("cert_not_after = %v, want %v", got, want)
			}
			if got := c.Evidence["cert_issuer"]; !strings.Contains(got.(string), "netprobe") {
				t.Errorf("cert_issuer = %v", got)
			}
			if _, ok := c.Evidence["cipher"].(string); !ok {
				t.Errorf("cipher = %#v", c.Evidence["cipher"])
			}
			_, hasDays := c.Evidence["cert_days_left"]
			if hasDays != (tt.status != result.Fail) {
				t.Errorf("cert_days_left present = %v for status %s", hasDays, c.Status)
			}
		})
	}
}

func TestTLSHandshakeClock(t *testing.T) {
	t.Parallel()
	p := newPKI(t)
	leaf := makeCert(t, certSpec{cn: "svc.test", dnsNames: []string{"svc.test"}, notAfter: time.Now().Add(40 * 24 * time.Hour)}, p.root)
	srv := serveTLS(t, leaf)
	addr := srv.Listener.Addr().String()
	opt := TLSOptions{ServerName: "svc.test", ExtraCAs: []*x509.Certificate{p.root.cert}}

	t.Run("default warn window is 14 days", func(t *testing.T) {
		if c := handshake(t, addr, opt); c.Status != result.OK || c.Evidence["cert_days_left"] != 39 {
			t.Errorf("status %s days %v: %s", c.Status, c.Evidence["cert_days_left"], c.Detail)
		}
	})
	t.Run("a wider warn window warns", func(t *testing.T) {
		o := opt
		o.ExpiryWarn = 60 * 24 * time.Hour
		if c := handshake(t, addr, o); c.Status != result.Warn {
			t.Errorf("status %s: %s", c.Status, c.Detail)
		}
	})
	t.Run("the injected clock decides expiry", func(t *testing.T) {
		o := opt
		o.Now = func() time.Time { return leaf.cert.NotAfter.Add(time.Hour) }
		c := handshake(t, addr, o)
		if c.Status != result.Fail || !strings.Contains(c.Detail, "certificate expired on") {
			t.Errorf("status %s: %s", c.Status, c.Detail)
		}
	})
}

// TestTLSHandshakeSilentServer: the port accepts TCP but never speaks TLS.
// The handshake must give up when the context ends, not hang.
func TestTLSHandshakeSilentServer(t *testing.T) {
	t.Parallel()
	port := testnet.SilentTCP(t)
	ctx := shortCtx(t, 500*time.Millisecond)
	conn, err := (&net.Dialer{}).DialContext(ctx, "tcp", net.JoinHostPort("127.0.0.1", itoa(port)))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	c, tc := TLSHandshake(ctx, conn, "silent", TLSOptions{ServerName: "svc.test"})
	if tc != nil || c.Status != result.Fail {
		t.Fatalf("status %s (conn %v), want fail", c.Status, tc != nil)
	}
	if c.Reason != result.ReasonTLSHandshakeStalled || !strings.Contains(c.Detail, "the TLS handshake got no answer within") {
		t.Errorf("reason %q detail %q, want tls.handshake_stalled", c.Reason, c.Detail)
	}
	if c.Error == "" {
		t.Error("no error text")
	}
}
