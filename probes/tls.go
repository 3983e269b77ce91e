package probes

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/netprobe/netprobe/internal/bound"
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
	// HandshakeTimeout bounds the handshake alone (0: only the context):
	// a handshake that stalls is named as such, and leaves the rest of
	// the budget to the checks that find out why.
	HandshakeTimeout time.Duration
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
	hctx := ctx
	if opt.HandshakeTimeout > 0 {
		var cancel context.CancelFunc
		hctx, cancel = context.WithTimeout(ctx, opt.HandshakeTimeout)
		defer cancel()
	}
	if err := tc.HandshakeContext(hctx); err != nil {
		c.Status = result.Fail
		c.Error = errText(err)
		c.Reason = result.ReasonTLSHandshakeFailed
		c.Detail = "TLS handshake failed: " + c.Error
		if isTimeout(err) || hctx.Err() != nil {
			// The connection is open but the server's answer never
			// arrived: a path that loses large packets, or a middlebox.
			// Nothing is known about the certificate.
			c.Reason = result.ReasonTLSHandshakeStalled
			c.Detail = fmt.Sprintf("the connection opened, but the TLS handshake got no answer within %s", fmtDur(time.Since(start)))
		}
		return end(c), nil
	}
	c.With("handshake_ms", ms(time.Since(start)))
	st := tc.ConnectionState()
	c.With("tls_version", tls.VersionName(st.Version)).With("cipher", tls.CipherSuiteName(st.CipherSuite))
	if len(st.PeerCertificates) == 0 {
		c.Status, c.Reason = result.Fail, result.ReasonTLSHandshakeFailed
		c.Detail = "the server presented no certificate"
		return end(c), tc
	}
	leaf := st.PeerCertificates[0]
	c.With("cert_subject", bound.Text(leaf.Subject.String())).
		With("cert_issuer", bound.Text(leaf.Issuer.String())).
		With("cert_not_after", leaf.NotAfter.UTC().Format(time.RFC3339)).
		With("cert_dns_names", bound.List(leaf.DNSNames))

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
		code, why := verifyReason(err, leaf, opt.Now())
		c.Status, c.Reason = result.Fail, code
		// x509's text lists every name of the certificate: bounded.
		c.Error = bound.Text(err.Error())
		c.With("verify_error", why)
		c.Detail = "the certificate is not trusted: " + why
		return end(c), tc
	}
	left := leaf.NotAfter.Sub(opt.Now())
	c.With("cert_days_left", int(left.Hours()/24))
	c.Status = result.OK
	c.Detail = fmt.Sprintf("%s, certificate valid until %s", tls.VersionName(st.Version), leaf.NotAfter.UTC().Format("2006-01-02"))
	if left < opt.ExpiryWarn {
		c.Status, c.Reason = result.Warn, result.ReasonTLSExpiring
		c.Detail = fmt.Sprintf("certificate expires soon: %s (%d days)", leaf.NotAfter.UTC().Format("2006-01-02"), int(left.Hours()/24))
	}
	return end(c), tc
}

// verifyReason turns x509's error into a code and words.
func verifyReason(err error, leaf *x509.Certificate, now time.Time) (result.Reason, string) {
	var inv x509.CertificateInvalidError
	var ua x509.UnknownAuthorityError
	var host x509.HostnameError
	switch {
	case errors.As(err, &inv) && inv.Reason == x509.Expired:
		// x509 names the certificate outside its validity: the leaf, or an
		// intermediate the server sent. Judge that one's dates.
		bad, what := leaf, "certificate"
		if inv.Cert != nil && !inv.Cert.Equal(leaf) {
			bad, what = inv.Cert, "issuing certificate "+bound.Text(inv.Cert.Subject.String())
		}
		if now.After(bad.NotAfter) {
			return result.ReasonTLSExpired, what + " expired on " + bad.NotAfter.UTC().Format("2006-01-02")
		}
		return result.ReasonTLSNotYetValid, what + " is not valid yet (from " + bad.NotBefore.UTC().Format("2006-01-02") + ")"
	case errors.As(err, &ua):
		return result.ReasonTLSUnknownAuthority, "certificate signed by an unknown authority (self-signed or a private CA)"
	case errors.As(err, &host):
		// IP targets are matched against the IP SANs: list those too.
		names := append([]string{}, leaf.DNSNames...)
		for _, ip := range leaf.IPAddresses {
			names = append(names, ip.String())
		}
		if len(names) == 0 {
			return result.ReasonTLSWrongName, "certificate names no host at all, not " + bound.Text(host.Host)
		}
		return result.ReasonTLSWrongName, "certificate is for " + bound.Join(names, ", ") + ", not " + bound.Text(host.Host)
	}
	return result.ReasonTLSInvalid, bound.Text(err.Error())
}
