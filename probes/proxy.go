package probes

import (
	"bufio"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"

	"golang.org/x/net/http/httpproxy"

	"github.com/netprobe/netprobe/internal/sanitize"
	"github.com/netprobe/netprobe/result"
)

// Web proxies. A browser on an office network often reaches the web only
// through a proxy named in the environment (HTTPS_PROXY) or in the
// system's settings; netprobe tests http(s) targets the same way: through
// the proxy when one applies (CONNECT for https, an absolute-form GET for
// http), and directly too, so the report can say "direct: blocked, via
// proxy: works" or the reverse. Proxy URLs may carry credentials: they
// are used to authenticate and never written anywhere; reports name a
// proxy as scheme://host:port only.

// ProxySettings is this computer's proxy configuration for the web: what
// the environment or the operating system says, before it is applied to
// a URL (Route). The zero value means no proxy.
type ProxySettings struct {
	// Source says where the settings come from: "flag" (--proxy), "env"
	// (HTTP_PROXY, HTTPS_PROXY, ALL_PROXY, NO_PROXY), "macos" (scutil
	// --proxy), "windows" (Internet Settings), "gnome" (gsettings).
	Source string
	// HTTP and HTTPS are the proxies for http:// and https:// URLs, as
	// URLs or host:port (http assumed); they may carry credentials.
	HTTP, HTTPS string
	// NoProxy lists the exceptions in NO_PROXY's syntax: domains (with
	// their subdomains), .domain (subdomains only), IP addresses, CIDR
	// prefixes, host:port, or * for everything.
	NoProxy string
	// BypassSimple sends names without a dot directly (Windows' <local>,
	// macOS' "exclude simple hostnames").
	BypassSimple bool
	// PAC is a proxy auto-config URL that is set. netprobe does not run
	// PAC scripts; the report says so.
	PAC string
}

// IsZero reports whether no proxy setting is known.
func (s ProxySettings) IsZero() bool {
	return s.HTTP == "" && s.HTTPS == "" && s.PAC == ""
}

// ProxyFromEnv reads the proxy variables the way Go's net/http does
// (HTTP_PROXY, HTTPS_PROXY and NO_PROXY, upper case first), with curl's
// ALL_PROXY as the fallback for both schemes. getenv is os.Getenv or a
// test's map.
func ProxyFromEnv(getenv func(string) string) ProxySettings {
	get := func(names ...string) string {
		for _, n := range names {
			if v := strings.TrimSpace(getenv(n)); v != "" {
				return v
			}
		}
		return ""
	}
	all := get("ALL_PROXY", "all_proxy")
	s := ProxySettings{
		HTTP:    firstNonEmpty(get("HTTP_PROXY", "http_proxy"), all),
		HTTPS:   firstNonEmpty(get("HTTPS_PROXY", "https_proxy"), all),
		NoProxy: get("NO_PROXY", "no_proxy"),
	}
	if s.HTTP != "" || s.HTTPS != "" {
		s.Source = "env"
	}
	return s
}

func firstNonEmpty(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}

// Validate checks that the proxies are URLs netprobe can use. Its error
// names the setting and the proxy without credentials.
func (s ProxySettings) Validate() error {
	for _, p := range []struct{ scheme, val string }{{"http", s.HTTP}, {"https", s.HTTPS}} {
		if p.val == "" {
			continue
		}
		if _, err := ParseProxyURL(p.val); err != nil {
			return fmt.Errorf("%s: %v", proxySettingName(s.Source, p.scheme), err)
		}
	}
	return nil
}

// proxySettingName names where a bad proxy came from, for the one line of
// a usage error.
func proxySettingName(source, scheme string) string {
	switch source {
	case "flag":
		return "--proxy"
	case "env":
		return strings.ToUpper(scheme) + "_PROXY (or ALL_PROXY)"
	case "":
		return scheme + " proxy"
	}
	return "the " + source + " " + scheme + " proxy setting"
}

// ParseProxyURL parses a proxy as the environment gives it: a URL, or
// host:port meaning http://host:port. The error never repeats
// credentials.
func ParseProxyURL(s string) (*url.URL, error) {
	raw := strings.TrimSpace(s)
	if !strings.Contains(raw, "://") {
		raw = "http://" + raw
	}
	u, err := url.Parse(raw)
	if err != nil {
		if strings.Contains(s, "@") {
			return nil, errors.New("is not a proxy URL (want http://HOST:PORT)")
		}
		return nil, fmt.Errorf("%q is not a proxy URL (want http://HOST:PORT)", sanitize.String(s, 80))
	}
	shown := RedactProxy(u)
	switch {
	case u.Hostname() == "":
		return nil, fmt.Errorf("%q has no host", shown)
	case u.Scheme != "http" && u.Scheme != "https" && !strings.HasPrefix(u.Scheme, "socks"):
		return nil, fmt.Errorf("%q: scheme %q is not a proxy scheme (http, https, socks5)", shown, u.Scheme)
	case u.Path != "" && u.Path != "/" || u.RawQuery != "":
		return nil, fmt.Errorf("%q: a proxy is HOST:PORT, without a path", shown)
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return nil, fmt.Errorf("%q: port %q is not 1-65535", shown, p)
		}
	}
	return u, nil
}

// RedactProxy names a proxy for a report: scheme://host:port, with no
// user name or password, ever.
func RedactProxy(u *url.URL) string {
	if u == nil {
		return ""
	}
	port := u.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443", "socks5": "1080", "socks5h": "1080", "socks4": "1080", "socks": "1080"}[u.Scheme]
	}
	host := u.Hostname()
	if port != "" {
		host = net.JoinHostPort(host, port)
	}
	return sanitize.String(u.Scheme+"://"+host, 200)
}

// ProxyRoute is how a browser on this computer would reach one URL.
type ProxyRoute struct {
	// URL is the proxy to go through; nil means directly. It may carry
	// credentials: never print it, use RedactProxy.
	URL *url.URL
	// Source is where the proxy settings came from.
	Source string
	// Bypassed: a proxy is set for this scheme, but this URL is one of
	// its exceptions (NO_PROXY, localhost, a simple host name).
	Bypassed bool
	// PAC is the auto-config URL that is set (not evaluated).
	PAC string
	// Unsupported names (redacted) a proxy that applies but that netprobe
	// does not speak (SOCKS): the URL is tested directly instead.
	Unsupported string
}

// Route applies the settings to u, with NO_PROXY semantics of Go's
// net/http (golang.org/x/net/http/httpproxy): localhost and loopback
// addresses never go through a proxy.
func (s ProxySettings) Route(u *url.URL) ProxyRoute {
	r := ProxyRoute{Source: s.Source, PAC: s.PAC}
	raw := s.HTTP
	if u.Scheme == "https" {
		raw = s.HTTPS
	}
	if raw == "" {
		return r
	}
	host := u.Hostname()
	if _, err := netip.ParseAddr(host); err != nil && s.BypassSimple && !strings.Contains(host, ".") {
		r.Bypassed = true
		return r
	}
	cfg := httpproxy.Config{HTTPProxy: s.HTTP, HTTPSProxy: s.HTTPS, NoProxy: s.NoProxy}
	p, err := cfg.ProxyFunc()(u)
	if err != nil || p == nil {
		r.Bypassed = true
		return r
	}
	if p.Scheme != "http" {
		r.Unsupported = RedactProxy(p)
		return r
	}
	r.URL = p
	return r
}

// tag writes the route into a check's evidence.
func (r ProxyRoute) tag(c *result.Check, path string) {
	if r.URL == nil && !r.Bypassed && r.PAC == "" && r.Unsupported == "" {
		return
	}
	c.With("path", path)
	if r.Source != "" {
		c.With("proxy_source", r.Source)
	}
	if path == "proxy" {
		c.With("proxy", RedactProxy(r.URL))
	}
	if r.Bypassed {
		c.With("proxy_bypass", true)
	}
	if r.PAC != "" {
		c.With("proxy_pac", cleanLocation(&url.URL{Scheme: "http"}, r.PAC))
	}
	if r.Unsupported != "" {
		c.With("proxy_unsupported", r.Unsupported)
	}
}

// proxyAnswerTimeout bounds the proxy's answer to CONNECT when the
// options give no connect timeout.
const proxyAnswerTimeout = 3 * time.Second

// webViaProxy tests u the way a browser behind opt.Proxy.URL reaches it
// (a proxy check, then tls and http through it) and, at the same time,
// directly (a direct check, for comparison: its status is ok whatever it
// finds, its evidence says whether the direct path works).
func webViaProxy(ctx context.Context, u *url.URL, opt WebOptions) []result.Check {
	direct := make(chan result.Check, 1)
	go func() { direct <- directCheck(ctx, u, opt) }()
	out := proxyPath(ctx, u, opt)
	for i := range out {
		opt.Proxy.tag(&out[i], "proxy")
	}
	d := <-direct
	opt.Proxy.tag(&d, "direct")
	return append(out, d)
}

// proxyPath connects to the proxy, opens a tunnel for https, and runs the
// TLS and HTTP phases through it.
func proxyPath(ctx context.Context, u *url.URL, opt WebOptions) []result.Check {
	target := u.String()
	p := opt.Proxy.URL
	name := RedactProxy(p)
	pport, _ := strconv.Atoi(p.Port())
	if pport == 0 {
		pport = 80
	}
	pc := begin("proxy", result.Service, target)
	dctx := ctx
	if opt.ConnectTimeout > 0 {
		var cancel context.CancelFunc
		dctx, cancel = context.WithTimeout(ctx, opt.ConnectTimeout)
		defer cancel()
	}
	conn, state, rtt, err := dialConn(dctx, net.JoinHostPort(p.Hostname(), strconv.Itoa(pport)))
	pc.With("port", pport).With("port_state", string(state))
	notTried := func(why string) []result.Check {
		var out []result.Check
		if u.Scheme == "https" {
			out = append(out, skipped("tls", target, result.ReasonTLSNotTried, "not tried: "+why))
		}
		return append(out, skipped("http", target, result.ReasonHTTPNotTried, "not tried: "+why))
	}
	if conn == nil {
		pc.Status, pc.Reason, pc.Error = result.Fail, result.ReasonProxyUnreachable, errText(err)
		switch state {
		case PortClosed:
			pc.Detail = fmt.Sprintf("the proxy %s refuses connections (port %d/tcp is closed)", name, pport)
		case PortFiltered:
			pc.Detail = fmt.Sprintf("the proxy %s does not answer (port %d/tcp: no answer within %s)", name, pport, fmtDur(rtt))
		case PortError:
			pc.Reason = result.ReasonProxyUnresolved
			pc.Detail = fmt.Sprintf("the proxy's name %s does not resolve: %s", p.Hostname(), errText(err))
		default:
			pc.Detail = fmt.Sprintf("the proxy %s cannot be reached: %s", name, errText(err))
		}
		return append([]result.Check{end(pc)}, notTried("the proxy could not be reached")...)
	}
	defer conn.Close()
	pc.With("address", remoteIP(conn)).With("connect_ms", ms(rtt))
	if dl, ok := ctx.Deadline(); ok {
		conn.SetDeadline(dl)
	}
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Now()) })
	defer stop()
	if u.Scheme != "https" {
		pc.Status = result.OK
		pc.Detail = fmt.Sprintf("connected to the proxy %s in %s", name, fmtDur(rtt))
		return []result.Check{end(pc), httpGetVia(ctx, conn, u, opt, p)}
	}
	port := u.Port()
	if port == "" {
		port = "443"
	}
	hostport := net.JoinHostPort(u.Hostname(), port)
	wait := opt.ConnectTimeout
	if wait <= 0 {
		wait = proxyAnswerTimeout
	}
	tunnel, resp, err := connectTunnel(ctx, conn, hostport, p, opt.UserAgent, wait)
	pc = judgeConnect(pc, name, hostport, p.User != nil, resp, err, wait)
	if err != nil && proxyAnswers(ctx, p) {
		// The proxy answers a request of its own at once: it is alive,
		// and still waiting for the target (as a proxy does while its
		// connection to a filtered host times out).
		pc.Reason = result.ReasonProxyUpstreamFailed
		pc.Detail = fmt.Sprintf("the proxy %s answers, but did not open a tunnel to %s within %s: it cannot reach it", name, hostport, fmtDur(wait))
	}
	if tunnel == nil {
		return append([]result.Check{end(pc)}, notTried("the proxy did not open a tunnel")...)
	}
	out := []result.Check{end(pc)}
	to := opt.TLS
	if to.ServerName == "" {
		to.ServerName = u.Hostname()
	}
	tc, tconn := TLSHandshake(ctx, tunnel, target, to)
	out = append(out, tc)
	if tconn == nil || tc.Status == result.Fail {
		return append(out, skipped("http", target, result.ReasonHTTPNotTried, "not tried: "+tlsSkipReason(tc)))
	}
	return append(out, httpGet(ctx, tconn, u, opt))
}

// connectTunnel asks the proxy to open a tunnel to hostport (CONNECT) and
// returns the tunnel when it answered 2xx. wait bounds the proxy's
// answer.
func connectTunnel(ctx context.Context, conn net.Conn, hostport string, proxy *url.URL, ua string, wait time.Duration) (net.Conn, *http.Response, error) {
	if ua == "" {
		ua = "netprobe"
	}
	req := &http.Request{Method: http.MethodConnect, URL: &url.URL{Opaque: hostport}, Host: hostport,
		Header: http.Header{"User-Agent": {ua}}}
	req = req.WithContext(ctx)
	if auth := proxyAuthorization(proxy); auth != "" {
		req.Header.Set("Proxy-Authorization", auth)
	}
	conn.SetDeadline(time.Now().Add(wait))
	if err := req.Write(conn); err != nil {
		return nil, nil, err
	}
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, req)
	if err != nil {
		return nil, nil, err
	}
	// A refusal's body is not read (nor drained: the connection is
	// dropped); a 2xx to CONNECT has none.
	if dl, ok := ctx.Deadline(); ok {
		conn.SetDeadline(dl)
	} else {
		conn.SetDeadline(time.Time{})
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, resp, nil
	}
	if br.Buffered() > 0 {
		return &bufferedConn{Conn: conn, r: br}, resp, nil
	}
	return conn, resp, nil
}

// proxyLivenessWait bounds the question "does the proxy answer at all?"
// asked when a request through it got no answer.
const proxyLivenessWait = time.Second

// proxyAnswers reports whether the proxy answers a request for itself (an
// origin-form GET, which proxies refuse at once with a 400 or similar),
// on a new connection, within proxyLivenessWait. It tells a proxy that is
// dead behind an open port from one waiting for an unreachable target.
func proxyAnswers(ctx context.Context, p *url.URL) bool {
	ctx, cancel := context.WithTimeout(ctx, proxyLivenessWait)
	defer cancel()
	port := p.Port()
	if port == "" {
		port = "80"
	}
	hostport := net.JoinHostPort(p.Hostname(), port)
	conn, err := dialTCP(ctx, hostport)
	if err != nil {
		return false
	}
	defer conn.Close()
	if dl, ok := ctx.Deadline(); ok {
		conn.SetDeadline(dl)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+hostport+"/", nil)
	if err != nil {
		return false
	}
	req.Header.Set("User-Agent", "netprobe")
	req.Header.Set("Connection", "close")
	if req.Write(conn) != nil {
		return false
	}
	_, err = http.ReadResponse(bufio.NewReader(conn), req)
	return err == nil
}

// blameSilence words an http request through a proxy that got no answer:
// the proxy's fault when it does not answer at all, else the server's
// (the proxy is alive and still waiting for it).
func blameSilence(ctx context.Context, c result.Check, p *url.URL) result.Check {
	name := RedactProxy(p)
	if proxyAnswers(ctx, p) {
		c.Detail = "the proxy " + name + " answers, but relayed no answer from the server in time"
		if c.Reason != result.ReasonHTTPStalled {
			c.Detail = "the proxy " + name + " answers, but closed the connection without relaying an answer from the server"
		}
		return c
	}
	c.Reason = result.ReasonProxyUnreachable
	c.Detail = "the proxy " + name + " accepted the connection but sent no answer"
	return c
}

// bufferedConn reads what the CONNECT answer's reader already holds first.
type bufferedConn struct {
	net.Conn
	r *bufio.Reader
}

func (b *bufferedConn) Read(p []byte) (int, error) { return b.r.Read(p) }

// proxyAuthorization is the Basic credentials of a proxy URL, or "".
func proxyAuthorization(p *url.URL) string {
	if p == nil || p.User == nil {
		return ""
	}
	pw, _ := p.User.Password()
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(p.User.Username()+":"+pw))
}

// judgeConnect fills the proxy check from the CONNECT exchange.
func judgeConnect(c result.Check, name, hostport string, creds bool, resp *http.Response, err error, wait time.Duration) result.Check {
	if err != nil {
		c.Status, c.Reason, c.Error = result.Fail, result.ReasonProxyUnreachable, errText(err)
		c.Detail = fmt.Sprintf("the proxy %s accepted the connection but closed it without answering the CONNECT request", name)
		if isTimeout(err) {
			c.Detail = fmt.Sprintf("the proxy %s accepted the connection but did not answer the CONNECT request within %s", name, fmtDur(wait))
		}
		return c
	}
	code := resp.StatusCode
	c.With("proxy_status", code)
	if creds {
		c.With("proxy_credentials", true)
	}
	switch {
	case code >= 200 && code < 300:
		c.Status = result.OK
		c.Detail = fmt.Sprintf("the proxy %s opened a tunnel to %s (HTTP %d)", name, hostport, code)
	case code == http.StatusProxyAuthRequired:
		c.Status, c.Reason = result.Fail, result.ReasonProxyAuthRequired
		if schemes := authSchemes(resp.Header.Values("Proxy-Authenticate")); len(schemes) > 0 {
			c.With("proxy_auth_schemes", schemes)
		}
		c.Detail = fmt.Sprintf("the proxy %s demands a login (HTTP 407)", name)
		if creds {
			c.Detail = fmt.Sprintf("the proxy %s rejected the credentials in the proxy setting (HTTP 407)", name)
		}
	case code >= 500:
		c.Status, c.Reason = result.Fail, result.ReasonProxyUpstreamFailed
		c.Detail = fmt.Sprintf("the proxy %s answered but could not reach %s (HTTP %d)", name, hostport, code)
	default:
		c.Status, c.Reason = result.Fail, result.ReasonProxyDenied
		c.Detail = fmt.Sprintf("the proxy %s refuses to connect to %s (HTTP %d)", name, hostport, code)
	}
	return c
}

// authSchemes lists the schemes of Proxy-Authenticate headers (Basic,
// NTLM, Negotiate), sanitised; their parameters stay out of the report.
func authSchemes(vals []string) []string {
	var out []string
	for _, v := range vals {
		if f := strings.Fields(v); len(f) > 0 {
			out = append(out, sanitize.String(strings.TrimSuffix(f[0], ","), 20))
		}
	}
	return out
}

// directCheck tries the direct path to u's host and port (TCP), for
// comparison with the proxy path. Its status is ok: the browser does not
// take this path, so what it finds is a fact, not a fault; the evidence
// says which (outcome: "ok" or the tcp reason code).
func directCheck(ctx context.Context, u *url.URL, opt WebOptions) result.Check {
	host := u.Hostname()
	port, _ := strconv.Atoi(u.Port())
	if port == 0 {
		port = 80
		if u.Scheme == "https" {
			port = 443
		}
	}
	c := begin("direct", result.Service, u.String())
	dctx := ctx
	if opt.ConnectTimeout > 0 {
		var cancel context.CancelFunc
		dctx, cancel = context.WithTimeout(ctx, opt.ConnectTimeout)
		defer cancel()
	}
	conn, state, rtt, err := dialConn(dctx, net.JoinHostPort(host, strconv.Itoa(port)))
	if conn != nil {
		c.With("address", remoteIP(conn))
		conn.Close()
	}
	c = judgeTCP(c, host, port, state, rtt, err)
	outcome := "ok"
	switch {
	case c.Status == result.OK:
		c.Detail = "direct (without the proxy): works; " + c.Detail
	case state == PortError:
		outcome = string(c.Reason)
		c.Detail = "direct (without the proxy): " + c.Detail
	default:
		outcome = string(c.Reason)
		c.Detail = "direct (without the proxy): blocked; " + c.Detail
	}
	c.With("outcome", outcome)
	c.Status, c.Reason, c.Error = result.OK, "", ""
	return end(c)
}
