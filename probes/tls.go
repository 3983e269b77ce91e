package probes

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/netprobe/netprobe/internal/sanitize"
	"github.com/netprobe/netprobe/result"
)

// TLSOptions configures the TLS handshake check.
type TLSOptions struct {
	// ServerName is the name the certificate must carry (SNI too).
	ServerName string
	// ExtraCAs are trusted on top of the system roots (--ca-file).
	ExtraCAs []*x509.Certificate
	// ExpiryWarn turns a valid certificate that expires sooner into a warning.
	ExpiryWarn time.Duration
	// Now is the clock certificates are judged against.
	Now func() time.Time
}

// DefaultExpiryWarn is how close to expiry a certificate starts to warn.
const DefaultExpiryWarn = 14 * 24 * time.Hour

// TLSHandshake performs a TLS handshake over conn and judges the
// certificate: verification errors (expired, unknown authority, wrong
// name) fail, near expiry warns. The handshake itself never refuses a
// certificate, so the report can say what was presented and why it is bad.
// It returns the TLS connection (nil when the handshake failed) for the
// HTTP phase.
func TLSHandshake(ctx context.Context, conn net.Conn, target string, opt TLSOptions) (result.Check, *tls.Conn) {
	c := begin("tls", result.Service, target)
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.ExpiryWarn == 0 {
		opt.ExpiryWarn = DefaultExpiryWarn
	}
	cfg := &tls.Config{ServerName: opt.ServerName, InsecureSkipVerify: true, NextProtos: []string{"http/1.1"}}
	tc := tls.Client(conn, cfg)
	start := time.Now()
	if err := tc.HandshakeContext(ctx); err != nil {
		c.Status = result.Fail
		c.Error = errText(err)
		c.Detail = "TLS handshake failed: " + c.Error
		if isTimeout(err) {
			c.Detail = "TLS handshake got no answer in time"
		}
		return end(c), nil
	}
	c.With("handshake_ms", ms(time.Since(start)))
	st := tc.ConnectionState()
	c.With("tls_version", tls.VersionName(st.Version)).With("cipher", tls.CipherSuiteName(st.CipherSuite))
	if len(st.PeerCertificates) == 0 {
		c.Status = result.Fail
		c.Detail = "the server presented no certificate"
		return end(c), tc
	}
	leaf := st.PeerCertificates[0]
	c.With("cert_subject", sanitize.String(leaf.Subject.String(), 0)).
		With("cert_issuer", sanitize.String(leaf.Issuer.String(), 0)).
		With("cert_not_after", leaf.NotAfter.UTC().Format(time.RFC3339)).
		With("cert_dns_names", sanitizeAll(leaf.DNSNames))

	inter := x509.NewCertPool()
	for _, ic := range st.PeerCertificates[1:] {
		inter.AddCert(ic)
	}
	vo := x509.VerifyOptions{DNSName: opt.ServerName, Intermediates: inter, CurrentTime: opt.Now()}
	if len(opt.ExtraCAs) > 0 {
		// Extra CAs come on top of the system pool, not instead of it.
		pool, err := x509.SystemCertPool()
		if err != nil || pool == nil {
			pool = x509.NewCertPool()
		}
		for _, ca := range opt.ExtraCAs {
			pool.AddCert(ca)
		}
		vo.Roots = pool
	}
	if _, err := leaf.Verify(vo); err != nil {
		c.Status = result.Fail
		c.Error = err.Error()
		c.With("verify_error", verifyReason(err, leaf, opt.Now()))
		c.Detail = "the certificate is not trusted: " + verifyReason(err, leaf, opt.Now())
		return end(c), tc
	}
	left := leaf.NotAfter.Sub(opt.Now())
	c.With("cert_days_left", int(left.Hours()/24))
	c.Status = result.OK
	c.Detail = fmt.Sprintf("%s, certificate valid until %s", tls.VersionName(st.Version), leaf.NotAfter.UTC().Format("2006-01-02"))
	if left < opt.ExpiryWarn {
		c.Status = result.Warn
		c.Detail = fmt.Sprintf("certificate expires soon: %s (%d days)", leaf.NotAfter.UTC().Format("2006-01-02"), int(left.Hours()/24))
	}
	return end(c), tc
}

// verifyReason turns x509's error into words.
func verifyReason(err error, leaf *x509.Certificate, now time.Time) string {
	var inv x509.CertificateInvalidError
	var ua x509.UnknownAuthorityError
	var host x509.HostnameError
	switch {
	case errors.As(err, &inv) && inv.Reason == x509.Expired:
		// x509 names the certificate outside its validity: the leaf, or an
		// intermediate the server sent. Judge that one's dates.
		bad, what := leaf, "certificate"
		if inv.Cert != nil && !inv.Cert.Equal(leaf) {
			bad, what = inv.Cert, "issuing certificate "+sanitize.String(inv.Cert.Subject.String(), 0)
		}
		if now.After(bad.NotAfter) {
			return what + " expired on " + bad.NotAfter.UTC().Format("2006-01-02")
		}
		return what + " is not valid yet (from " + bad.NotBefore.UTC().Format("2006-01-02") + ")"
	case errors.As(err, &ua):
		return "certificate signed by an unknown authority (self-signed or a private CA)"
	case errors.As(err, &host):
		// IP targets are matched against the IP SANs: list those too.
		names := sanitizeAll(leaf.DNSNames)
		for _, ip := range leaf.IPAddresses {
			names = append(names, ip.String())
		}
		if len(names) == 0 {
			return "certificate names no host at all, not " + host.Host
		}
		return "certificate is for " + strings.Join(names, ", ") + ", not " + host.Host
	}
	return err.Error()
}

func sanitizeAll(in []string) []string {
	out := make([]string, 0, len(in))
	for _, s := range in {
		out = append(out, sanitize.String(s, 0))
	}
	return out
}
