package diagnose

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/netprobe/netprobe/internal/sanitize"
	"github.com/netprobe/netprobe/probes"
	"github.com/netprobe/netprobe/result"
)

// The captive-portal check of the internet layer: one portal task per run
// (see probes.Portal), planned here from the options.

// DefaultPortalURLs are the connectivity-check URLs the operating systems
// and browsers themselves ask, each with the answer that means "no
// portal". They are public names: every test and every lab run replaces
// them (--portal-url, pointing at loopback or the lab) or skips the check
// (--no-portal-check). A function, so no caller can change the defaults
// for the next one.
func DefaultPortalURLs() []probes.PortalURL {
	return []probes.PortalURL{
		{URL: mustPortalURL("http://connectivitycheck.gstatic.com/generate_204"), Status: 204},                 // Android, Chrome
		{URL: mustPortalURL("http://captive.apple.com/hotspot-detect.html"), Body: "Success"},                  // Apple
		{URL: mustPortalURL("http://www.msftconnecttest.com/connecttest.txt"), Body: "Microsoft Connect Test"}, // Windows NCSI
		{URL: mustPortalURL("http://detectportal.firefox.com/success.txt"), Body: "success"},                   // Firefox
	}
}

func mustPortalURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}

// PortalTimeout bounds the whole portal check: a name lookup and one
// request per URL, all URLs at once.
const PortalTimeout = 4 * time.Second

// newPortalProbe builds the portal probe. Tests replace it to see which
// URLs Plan would ask, without asking them.
var newPortalProbe = probes.NewPortal

// portalTasks plans the portal check, unless it is switched off.
func portalTasks(o Options) []Task {
	if o.NoPortalCheck {
		return nil
	}
	urls := o.PortalURLs
	if len(urls) == 0 {
		urls = DefaultPortalURLs()
	}
	shown := make([]string, len(urls))
	for i, u := range urls {
		shown[i] = u.URL.String()
	}
	opt := probes.PortalOptions{URLs: urls, ConnectTimeout: ConnectTimeout}
	return []Task{{Layer: result.Internet, Name: "portal", Target: strings.Join(shown, " "), Timeout: PortalTimeout, Probe: newPortalProbe(opt)}}
}

// ParsePortalURL parses a --portal-url value: a plain http:// URL,
// optionally followed by the answer that means "no portal" after a #
// (the fragment, which is never sent to a server):
//
//	http://HOST[:PORT]/PATH               a 204, or a 2xx with an empty body
//	http://HOST[:PORT]/PATH#status=CODE   exactly that status code
//	http://HOST[:PORT]/PATH#body=TEXT     a 2xx whose body contains TEXT
//
// The error names the bad value in one line.
func ParsePortalURL(s string) (probes.PortalURL, error) {
	raw, expect, _ := strings.Cut(strings.TrimSpace(s), "#")
	u, err := url.Parse(raw)
	shown := s
	switch {
	case err == nil && u.User != nil:
		// Name the value without its credentials: stderr is output too.
		c := *u
		c.User = nil
		shown = c.String()
	case err != nil && strings.Contains(raw, "@"):
		shown = "<a URL with credentials>"
	}
	bad := func(why string) (probes.PortalURL, error) {
		return probes.PortalURL{}, fmt.Errorf("portal-url %q: %s", sanitize.String(shown, 200), why)
	}
	if err != nil || u.Host == "" {
		return bad("not a URL (want http://HOST/PATH)")
	}
	if !strings.EqualFold(u.Scheme, "http") {
		return bad("want a plain http:// URL (a captive portal can only answer unencrypted requests)")
	}
	if u.User != nil {
		return bad("credentials in URLs are not accepted (they would end up in the report)")
	}
	if err := ValidateHost(u.Hostname()); err != nil {
		return bad(err.Error())
	}
	if p := u.Port(); p != "" || strings.HasSuffix(u.Host, ":") {
		if _, err := ParsePort(p); err != nil {
			return bad(err.Error())
		}
	}
	pu := probes.PortalURL{URL: u}
	switch key, val, _ := strings.Cut(expect, "="); {
	case expect == "":
	case key == "status":
		n, err := strconv.Atoi(val)
		if err != nil || n < 100 || n > 599 {
			return bad(fmt.Sprintf("status %q is not an HTTP status code (100-599)", val))
		}
		pu.Status = n
	case key == "body":
		if t, err := url.PathUnescape(val); err == nil {
			val = t
		}
		if val == "" || len(val) > 200 {
			return bad("body= wants the text the page contains (1-200 characters)")
		}
		pu.Body = val
	default:
		return bad(fmt.Sprintf("after # want status=CODE or body=TEXT, not %q", expect))
	}
	return pu, nil
}

// validatePortalURLs checks URLs given as data (a library caller's
// Options) the way ParsePortalURL checks flags.
func validatePortalURLs(us []probes.PortalURL) error {
	for _, p := range us {
		if p.URL == nil {
			return fmt.Errorf("portal-url: a URL is missing")
		}
		if _, err := ParsePortalURL(p.URL.String()); err != nil {
			return err
		}
		if p.Status != 0 && (p.Status < 100 || p.Status > 599) {
			return fmt.Errorf("portal-url %q: status %d is not an HTTP status code (100-599)", p.URL, p.Status)
		}
	}
	return nil
}
