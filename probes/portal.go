package probes

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/netprobe/netprobe/internal/sanitize"
	"github.com/netprobe/netprobe/result"
)

// The captive-portal check. A hotel, café or guest network that waits for
// a sign-in lets DNS through but answers every plain-HTTP request itself,
// with a redirect to its login page or with the page in place. Operating
// systems find out by fetching a known URL whose answer they know (a 204,
// a page saying "Success"): any other answer means a portal. netprobe does
// the same, over the run's own resolution path and directly (never through
// a configured web proxy: a proxy's answers are judged by the proxy
// checks, and a portal intercepts this computer's direct traffic).

// PortalURL is one connectivity-check URL and the answer that means "no
// portal here". With neither Status nor Body set, a 204 or a 2xx with an
// empty body is that answer (what Android and Chrome expect).
type PortalURL struct {
	URL *url.URL
	// Status, when non-zero, is the one status code that means no portal.
	Status int
	// Body, when set, must appear (case-sensitive) in the body of a 2xx
	// answer.
	Body string
}

// Expect says in words which answer means "no portal".
func (p PortalURL) Expect() string {
	switch {
	case p.Body != "":
		return fmt.Sprintf("a page containing %q", p.Body)
	case p.Status != 0:
		return "HTTP " + strconv.Itoa(p.Status)
	}
	return "HTTP 204 (or an empty page)"
}

// PortalOptions configures the captive-portal check.
type PortalOptions struct {
	URLs []PortalURL
	// ConnectTimeout bounds each URL's TCP handshake; the context bounds
	// the whole check.
	ConnectTimeout time.Duration
	UserAgent      string
}

// Limits of the portal check.
const (
	// PortalBodyLimit is how much of an answer's body is read: enough for
	// "Success" pages and a login page's meta refresh, never more.
	PortalBodyLimit = 4096
	// portalGrace is how long the check waits for the other URLs once one
	// has answered like a portal: an expected answer from another one
	// still wins (a filter that redirects one name is not a portal), but a
	// slow URL does not hold the run.
	portalGrace = 500 * time.Millisecond
)

// Outcomes of one check URL, in evidence portal_urls[].outcome.
const (
	portalOK         = "ok"         // the expected answer
	portalIntercept  = "portal"     // a redirect, 511, or another page
	portalProxyAuth  = "proxy_auth" // 407: a proxy on the path wants a login
	portalError      = "error"      // another 4xx or 5xx: neither
	portalUnresolved = "unresolved" // the name did not resolve
	portalNoAnswer   = "no_answer"  // no connection, or no HTTP answer
	portalNotNeeded  = "not_needed" // another URL had already decided
)

// portalAnswer is what one URL gave.
type portalAnswer struct {
	url      string
	outcome  string
	status   int
	location string // sanitised, without query or credentials
	address  string
	err      string
}

func (a portalAnswer) evidence() map[string]any {
	m := map[string]any{"url": a.url, "outcome": a.outcome}
	if a.status != 0 {
		m["http_status"] = a.status
	}
	if a.location != "" {
		m["location"] = a.location
	}
	if a.address != "" {
		m["address"] = a.address
	}
	if a.err != "" {
		m["error"] = a.err
	}
	return m
}

// NewPortal prepares the captive-portal check (see Portal).
func NewPortal(opt PortalOptions) Probe {
	return One(func(ctx context.Context) result.Check { return Portal(ctx, opt) })
}

// Portal fetches every check URL concurrently, without following
// redirects, and decides: an expected answer from any URL means no portal
// (ok); otherwise a redirect or another page from any URL means a captive
// portal (fail, internet.captive_portal); otherwise nothing was measured
// (skip, with why). Names resolve through the run's path (the system
// resolver, or the --resolver servers set on ctx).
func Portal(ctx context.Context, opt PortalOptions) result.Check {
	c := begin("portal", result.Internet, portalTarget(opt.URLs))
	if len(opt.URLs) == 0 {
		c.Status, c.Reason = result.Skip, result.ReasonPortalUnanswered
		c.Detail = "no connectivity-check URL to ask"
		return end(c)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type done struct {
		i int
		a portalAnswer
	}
	ch := make(chan done, len(opt.URLs))
	for i, p := range opt.URLs {
		go func() { ch <- done{i, fetchPortal(ctx, p, opt)} }()
	}
	answers := make([]portalAnswer, len(opt.URLs))
	got := make([]bool, len(opt.URLs))
	var grace <-chan time.Time
collect:
	for n := 0; n < len(opt.URLs); n++ {
		select {
		case d := <-ch:
			answers[d.i], got[d.i] = d.a, true
			if d.a.outcome == portalOK {
				break collect
			}
			if d.a.outcome == portalIntercept && grace == nil {
				grace = time.After(portalGrace)
			}
		case <-grace:
			break collect
		}
	}
	cancel()
	for i, p := range opt.URLs {
		if !got[i] {
			answers[i] = portalAnswer{url: p.URL.String(), outcome: portalNotNeeded}
		}
	}
	return end(judgePortal(c, opt.URLs, answers))
}

// portalTarget names what the check asked.
func portalTarget(us []PortalURL) string {
	if len(us) == 1 {
		return us[0].URL.String()
	}
	return strconv.Itoa(len(us)) + " connectivity-check URLs"
}

// judgePortal turns the answers into the check.
func judgePortal(c result.Check, us []PortalURL, answers []portalAnswer) result.Check {
	ev := make([]map[string]any, len(answers))
	first := map[string]int{}
	for i, a := range answers {
		ev[i] = a.evidence()
		if _, ok := first[a.outcome]; !ok {
			first[a.outcome] = i
		}
	}
	c.With("portal_urls", ev)
	if i, ok := first[portalOK]; ok {
		a := answers[i]
		c.Status = result.OK
		c.With("url", a.url).With("http_status", a.status)
		if a.address != "" {
			c.With("address", a.address)
		}
		c.Detail = fmt.Sprintf("no captive portal: %s answered %s as expected", a.url, statusText(a.status))
		if j, odd := first[portalIntercept]; odd {
			c.Detail += fmt.Sprintf(" (%s gave another answer: %s)", answers[j].url, portalSaid(answers[j]))
		}
		return c
	}
	if i, ok := first[portalIntercept]; ok {
		a := answers[i]
		c.Status, c.Reason = result.Fail, result.ReasonInternetCaptivePortal
		c.With("url", a.url).With("http_status", a.status)
		if a.address != "" {
			c.With("address", a.address)
		}
		if a.location != "" {
			c.With("location", a.location)
			if u, err := url.Parse(a.location); err == nil && u.Hostname() != "" {
				c.With("location_host", u.Hostname())
			}
		}
		c.Detail = fmt.Sprintf("%s %s instead of %s: a captive portal intercepts web traffic", a.url, portalSaid(a), us[i].Expect())
		return c
	}
	c.Status = result.Skip
	switch {
	case hasOutcome(answers, portalProxyAuth, portalError):
		c.Reason = result.ReasonPortalInconclusive
		c.Detail = "not measured: the connectivity-check URLs answered only with errors (" + outcomes(answers, portalProxyAuth, portalError) + "), which neither show nor rule out a captive portal"
	case hasOutcome(answers, portalNoAnswer):
		c.Reason = result.ReasonPortalUnanswered
		c.Detail = "not measured: no connectivity-check URL gave an HTTP answer"
	default:
		c.Reason = result.ReasonPortalUnresolved
		c.Detail = "not measured: the names of the connectivity-check URLs do not resolve"
	}
	for _, a := range answers {
		if a.err != "" {
			c.Error = a.err
			break
		}
	}
	return c
}

func hasOutcome(as []portalAnswer, outs ...string) bool {
	for _, a := range as {
		for _, o := range outs {
			if a.outcome == o {
				return true
			}
		}
	}
	return false
}

// outcomes lists "URL: HTTP 503" for the answers with one of outs.
func outcomes(as []portalAnswer, outs ...string) string {
	var parts []string
	for _, a := range as {
		if hasOutcome([]portalAnswer{a}, outs...) {
			parts = append(parts, a.url+": "+statusText(a.status))
		}
	}
	return strings.Join(parts, ", ")
}

func statusText(code int) string {
	return fmt.Sprintf("HTTP %d", code)
}

// portalSaid words a portal-like answer: "was redirected to X (HTTP 302)".
func portalSaid(a portalAnswer) string {
	if a.location != "" {
		return fmt.Sprintf("was redirected to %s (%s)", a.location, statusText(a.status))
	}
	return "answered with another page (" + statusText(a.status) + ")"
}

// fetchPortal asks one URL, directly, and classifies the answer.
func fetchPortal(ctx context.Context, p PortalURL, opt PortalOptions) portalAnswer {
	a := portalAnswer{url: p.URL.String()}
	port := p.URL.Port()
	if port == "" {
		port = "80"
	}
	dctx := ctx
	if opt.ConnectTimeout > 0 {
		var cancel context.CancelFunc
		dctx, cancel = context.WithTimeout(ctx, opt.ConnectTimeout)
		defer cancel()
	}
	conn, state, _, err := dialConn(dctx, net.JoinHostPort(p.URL.Hostname(), port))
	if conn == nil {
		a.outcome, a.err = portalNoAnswer, netErrText(err)
		if state == PortError {
			a.outcome = portalUnresolved
		}
		return a
	}
	defer conn.Close()
	a.address = remoteIP(conn)
	if dl, ok := ctx.Deadline(); ok {
		conn.SetDeadline(dl)
	}
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Now()) })
	defer stop()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.URL.String(), nil)
	if err != nil {
		a.outcome, a.err = portalError, err.Error()
		return a
	}
	ua := opt.UserAgent
	if ua == "" {
		ua = "netprobe"
	}
	req.Header.Set("User-Agent", ua)
	req.Header.Set("Cache-Control", "no-cache")
	req.Header.Set("Connection", "close")
	if err := req.Write(conn); err != nil {
		a.outcome, a.err = portalNoAnswer, netErrText(err)
		return a
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), req)
	if err != nil {
		a.outcome, a.err = portalNoAnswer, netErrText(err)
		return a
	}
	// The body is read up to the limit and never drained: the connection
	// closes instead (Body.Close would read an endless page to its end).
	body, _ := io.ReadAll(io.LimitReader(resp.Body, PortalBodyLimit))
	a.status = resp.StatusCode
	a.outcome = classifyPortal(p, resp.StatusCode, body)
	if a.outcome == portalIntercept {
		loc := resp.Header.Get("Location")
		if loc == "" {
			loc = metaRefresh(body)
		}
		a.location = cleanLocation(p.URL, loc)
	}
	return a
}

// classifyPortal decides what one answer means. It follows what Chrome
// and Android do: the expected answer is no portal; a redirect, a 511
// (Network Authentication Required, RFC 6585) or any other 2xx page is a
// portal; a 407 is a proxy wanting a login, and other errors prove
// nothing either way (a filter's block page, a server in trouble).
func classifyPortal(p PortalURL, status int, body []byte) string {
	two := status >= 200 && status < 300
	switch {
	case p.Body != "":
		if two && strings.Contains(string(body), p.Body) {
			return portalOK
		}
	case p.Status != 0:
		if status == p.Status {
			return portalOK
		}
	default:
		if status == http.StatusNoContent || two && len(strings.TrimSpace(string(body))) == 0 {
			return portalOK
		}
	}
	switch {
	case status == http.StatusProxyAuthRequired:
		return portalProxyAuth
	case status == http.StatusNetworkAuthenticationRequired, status >= 200 && status < 400:
		return portalIntercept
	}
	return portalError
}

// metaRefreshRE finds the target of a login page's <meta http-equiv=refresh>.
var metaRefreshRE = regexp.MustCompile(`(?is)<meta[^>]+http-equiv\s*=\s*["']?refresh["']?[^>]*content\s*=\s*["']?\s*\d*\s*;?\s*url\s*=\s*['"]?([^"'>\s]+)`)

func metaRefresh(body []byte) string {
	if m := metaRefreshRE.FindSubmatch(body); m != nil {
		return string(m[1])
	}
	return ""
}

// netErrText is errText for errors that may quote what the network sent
// (a malformed header line): sanitised and bounded.
func netErrText(err error) string {
	return sanitize.String(errText(err), 200)
}

// cleanLocation resolves a Location against the URL asked and keeps only
// scheme, host and path: portals put session tokens, this computer's MAC
// and IP address in the query, and none of that belongs in a report.
func cleanLocation(base *url.URL, loc string) string {
	if loc == "" {
		return ""
	}
	u, err := base.Parse(strings.TrimSpace(loc))
	if err != nil || u.Host == "" {
		return ""
	}
	out := url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path}
	return sanitize.String(out.String(), 200)
}
