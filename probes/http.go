package probes

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"time"

	"github.com/netprobe/netprobe/internal/bound"
	"github.com/netprobe/netprobe/result"
)

// WebOptions configures an http:// or https:// target.
type WebOptions struct {
	TLS       TLSOptions
	UserAgent string
	// ConnectTimeout bounds the TCP handshake alone: a filtered port is
	// named as such instead of using up the whole target's time.
	ConnectTimeout time.Duration
	// Address, when valid, is connected to instead of resolving the
	// URL's host (the confirmation round tries another resolver's
	// answer). SNI and the Host header still carry the name.
	Address netip.Addr
	// BodyContains, when set, makes the check read up to MaxBodyBytes of
	// the answer and record in evidence body_match whether the text is in
	// it (a check file's http.body_contains). The body itself is never
	// kept: it could hold anything.
	BodyContains string
	// Proxy is how a browser on this computer reaches the URL (see
	// ProxySettings.Route). With a proxy, the URL is tested through it
	// and directly too; a confirmation at a pinned Address is always
	// direct.
	Proxy ProxyRoute
}

// NewWeb prepares the check of an http or https URL (see Web).
func NewWeb(u *url.URL, opt WebOptions) Probe {
	return func(ctx context.Context) []result.Check { return Web(ctx, u, opt) }
}

// MaxBodyBytes bounds how much of an answer is read for BodyContains.
const MaxBodyBytes = 1 << 20

// maxHeaderBytes bounds the status line and headers of an answer.
const maxHeaderBytes = 64 << 10

// Web checks an http or https URL over one connection, phase by phase:
// a tcp check (port state), for https a tls check (certificate), and an
// http check (status code). A phase that cannot run because an earlier one
// failed is "skip" with the reason, so the report names the first broken
// phase. When a proxy applies (opt.Proxy), the phases run through it
// instead (a proxy check replaces the tcp check) and a direct check
// tries the way around it.
func Web(ctx context.Context, u *url.URL, opt WebOptions) []result.Check {
	if opt.Proxy.URL != nil && !opt.Address.IsValid() {
		return webViaProxy(ctx, u, opt)
	}
	out := webDirect(ctx, u, opt)
	for i := range out {
		opt.Proxy.tag(&out[i], "direct")
	}
	return out
}

// webDirect is Web without a proxy.
func webDirect(ctx context.Context, u *url.URL, opt WebOptions) []result.Check {
	host := u.Hostname()
	port, _ := strconv.Atoi(u.Port())
	if port == 0 {
		port = 80
		if u.Scheme == "https" {
			port = 443
		}
	}
	target := u.String()
	addr := net.JoinHostPort(host, strconv.Itoa(port))
	tcp := begin("tcp", result.Service, target)
	dctx := ctx
	if opt.ConnectTimeout > 0 {
		var cancel context.CancelFunc
		dctx, cancel = context.WithTimeout(ctx, opt.ConnectTimeout)
		defer cancel()
	}
	if opt.Address.IsValid() {
		// Pinned to one address (a confirmation at another resolver's
		// answer): the name still goes into SNI and the Host header.
		addr = netip.AddrPortFrom(opt.Address, uint16(port)).String()
	}
	conn, state, rtt, err := dialConn(dctx, addr)
	tcp = end(judgeTCP(tcp, host, port, state, rtt, err))
	if conn != nil {
		withRemote(&tcp, conn)
	}
	out := []result.Check{tcp}
	if conn == nil {
		if u.Scheme == "https" {
			out = append(out, skipped("tls", target, result.ReasonTLSNotTried, "not tried: no TCP connection"))
		}
		return append(out, skipped("http", target, result.ReasonHTTPNotTried, "not tried: no TCP connection"))
	}
	defer conn.Close()
	if dl, ok := ctx.Deadline(); ok {
		conn.SetDeadline(dl)
	}
	if u.Scheme == "https" {
		to := opt.TLS
		if to.ServerName == "" {
			to.ServerName = host
		}
		tc, tconn := TLSHandshake(ctx, conn, target, to)
		out = append(out, tc)
		if tconn == nil || tc.Status == result.Fail {
			return append(out, skipped("http", target, result.ReasonHTTPNotTried, "not tried: "+tlsSkipReason(tc)))
		}
		conn = tconn
	}
	return append(out, httpGet(ctx, conn, u, opt))
}

func tlsSkipReason(tc result.Check) string {
	if v, ok := tc.Evidence["verify_error"].(string); ok {
		return "the certificate is not trusted (" + v + ")"
	}
	return "the TLS handshake failed"
}

// httpGet sends one GET over conn and judges the status: below 400 ok,
// 4xx warn (the server works but refuses this URL), 5xx fail.
func httpGet(ctx context.Context, conn net.Conn, u *url.URL, opt WebOptions) result.Check {
	return httpGetVia(ctx, conn, u, opt, nil)
}

// httpGetVia is httpGet where conn may lead to a proxy: with proxy set,
// the request goes in absolute form with the proxy's credentials, and a
// 407 is the proxy's demand for a login.
func httpGetVia(ctx context.Context, conn net.Conn, u *url.URL, opt WebOptions, proxy *url.URL) result.Check {
	c := begin("http", result.Service, u.String())
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		c.Status, c.Reason, c.Detail, c.Error = result.Fail, result.ReasonHTTPBadRequest, "bad URL", err.Error()
		return end(c)
	}
	ua := opt.UserAgent
	if ua == "" {
		ua = "netprobe"
	}
	req.Header.Set("User-Agent", ua)
	req.Header.Set("Connection", "close")
	write := req.Write
	if proxy != nil {
		if auth := proxyAuthorization(proxy); auth != "" {
			req.Header.Set("Proxy-Authorization", auth)
		}
		write = req.WriteProxy
		// Keep time to ask the proxy whether it answers at all, should
		// this request get no answer.
		if dl, ok := ctx.Deadline(); ok && time.Until(dl) > 2*proxyLivenessWait {
			conn.SetDeadline(dl.Add(-proxyLivenessWait))
		}
	}
	start := time.Now()
	if err := write(conn); err != nil {
		c.Status, c.Reason, c.Error = result.Fail, result.ReasonHTTPSendFailed, errText(err)
		c.Detail = "could not send the HTTP request: " + errText(err)
		if isTimeout(err) {
			c.Reason = result.ReasonHTTPStalled
		}
		return end(c)
	}
	// What the server may send is bounded: the headers, and the body when
	// it is read for BodyContains. A server that sends endless headers
	// ends the read at the limit, as an answer that is not HTTP.
	limit := int64(maxHeaderBytes)
	if opt.BodyContains != "" {
		limit += MaxBodyBytes
	}
	resp, err := http.ReadResponse(bufio.NewReader(io.LimitReader(conn, limit)), req)
	if err != nil {
		c.Status, c.Reason, c.Error = result.Fail, result.ReasonHTTPNoResponse, errText(err)
		c.Detail = "no HTTP answer: " + errText(err)
		if isTimeout(err) {
			c.Reason = result.ReasonHTTPStalled
			c.Detail = "the server accepted the connection but sent no HTTP answer in time"
		}
		if proxy != nil {
			c = blameSilence(ctx, c, proxy)
		}
		return end(c)
	}
	c.With("http_status", resp.StatusCode).With("ttfb_ms", ms(time.Since(start)))
	if opt.BodyContains != "" {
		body, err := io.ReadAll(io.LimitReader(resp.Body, MaxBodyBytes))
		c.With("body_match", bytes.Contains(body, []byte(opt.BodyContains))).With("body_bytes", len(body))
		if err != nil {
			c.With("body_error", errText(err))
		}
	}
	resp.Body.Close()
	if srv := resp.Header.Get("Server"); srv != "" {
		c.With("server", bound.Text(srv))
	}
	if loc := resp.Header.Get("Location"); loc != "" {
		c.With("location", bound.Text(loc))
	}
	text := fmt.Sprintf("HTTP %d %s", resp.StatusCode, http.StatusText(resp.StatusCode))
	switch {
	case proxy != nil && resp.StatusCode == http.StatusProxyAuthRequired:
		c.Status, c.Reason = result.Fail, result.ReasonProxyAuthRequired
		if schemes := authSchemes(resp.Header.Values("Proxy-Authenticate")); len(schemes) > 0 {
			c.With("proxy_auth_schemes", schemes)
		}
		c.Detail = text + ": the proxy " + RedactProxy(proxy) + " demands a login"
		if proxy.User != nil {
			c.With("proxy_credentials", true)
			c.Detail = text + ": the proxy " + RedactProxy(proxy) + " rejected the credentials in the proxy setting"
		}
	case resp.StatusCode < 400:
		c.Status = result.OK
		c.Detail = text
	case resp.StatusCode < 500:
		c.Status, c.Reason = result.Warn, result.ReasonHTTPStatus4xx
		c.Detail = text + ": the server works but refuses this URL"
	default:
		c.Status, c.Reason = result.Fail, result.ReasonHTTPStatus5xx
		c.Detail = text + ": the server has a problem"
	}
	return end(c)
}

func skipped(name, target string, code result.Reason, why string) result.Check {
	c := begin(name, result.Service, target)
	c.Status, c.Reason = result.Skip, code
	c.Detail = why
	return end(c)
}

// remoteIP is the address a connection reached, without the port.
func remoteIP(conn net.Conn) string {
	if ap, err := netip.ParseAddrPort(conn.RemoteAddr().String()); err == nil {
		return ap.Addr().Unmap().String()
	}
	return conn.RemoteAddr().String()
}

// withRemote records the address a connection reached and its family.
func withRemote(c *result.Check, conn net.Conn) {
	c.With("address", remoteIP(conn))
	if ap, err := netip.ParseAddrPort(conn.RemoteAddr().String()); err == nil {
		c.With("family", Family(ap.Addr()))
	}
}
