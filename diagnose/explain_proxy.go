package diagnose

import (
	"fmt"
	"slices"
	"strings"

	"github.com/netprobe/netprobe/result"
)

// The words for web proxies: a proxy that fails (proxy.* codes of the
// service layer), and a network whose web works only through its proxy
// (internet.proxy_only).

// explainProxy words a target that fails at its proxy. l is the service
// layer: the target's direct check says whether the way around the proxy
// works.
func explainProxy(l result.LayerResult, c result.Check) (string, []string) {
	p, from, status := ev(c, "proxy"), proxySourceWords(ev(c, "proxy_source")), ev(c, "proxy_status")
	var s string
	var advice []string
	switch c.Reason {
	case result.ReasonProxyUnresolved:
		s = fmt.Sprintf("The web proxy %s (%s) cannot be used: its name does not resolve, so %s cannot be reached through it.", p, from, c.Target)
		advice = []string{fmt.Sprintf("Check the spelling of the proxy in the proxy setting (%s).", from),
			"Check this computer's DNS settings: the proxy's name must resolve on this network."}
	case result.ReasonProxyAuthRequired:
		if c.Evidence["proxy_credentials"] == true {
			s = fmt.Sprintf("The web proxy %s (%s) rejected the login in the proxy setting (HTTP 407), so %s cannot be reached.", p, from, c.Target)
		} else {
			s = fmt.Sprintf("The web proxy %s (%s) demands a login (HTTP 407) and the proxy setting gives none, so %s cannot be reached.", p, from, c.Target)
		}
		advice = []string{fmt.Sprintf("Put your proxy user name and password into the proxy setting, e.g. HTTPS_PROXY=http://USER:PASSWORD@%s (netprobe never shows them).", strings.TrimPrefix(p, "http://"))}
		if schemes := evStrs(c, "proxy_auth_schemes"); len(schemes) > 0 && !slices.Contains(schemes, "Basic") {
			advice = append(advice, "This proxy signs in with Windows authentication ("+ev(c, "proxy_auth_schemes")+"), which netprobe cannot do: test the site in a browser, or ask IT.")
		}
		advice = append(advice, "Ask IT for access to the proxy if you have no login.")
	case result.ReasonProxyDenied:
		s = fmt.Sprintf("The web proxy %s (%s) refuses to connect to %s (HTTP %s): its rules block this site.", p, from, c.Target, status)
		advice = []string{"Ask IT to allow this site on the proxy.", "Check the address of the site."}
	case result.ReasonProxyUpstreamFailed:
		s = fmt.Sprintf("The web proxy %s (%s) works but could not reach %s (HTTP %s): the site is down, or the proxy's own connection has a problem.", p, from, c.Target, status)
		advice = []string{"Try another web site: if every site fails, the proxy's internet connection is down; tell IT.",
			"If only this site fails, tell the site's administrator."}
	default: // result.ReasonProxyUnreachable
		s = fmt.Sprintf("The web proxy %s (%s) does not answer, so %s cannot be reached: browsers on this computer go through that proxy.", p, from, c.Target)
		advice = []string{fmt.Sprintf("Check the proxy setting (%s): is %s still the right proxy?", from, p),
			"Ask IT whether the proxy is down."}
	}
	switch direct := directOutcome(l, c.Target); {
	case direct == "ok":
		s += " Without the proxy, the site answers directly."
		advice = append(advice, "Direct connections work from here: if this network needs no proxy, remove the proxy setting (or add the site to its exceptions, NO_PROXY).")
	case direct != "":
		s += " Without the proxy it cannot be reached either (direct: blocked), so this network needs the proxy."
	}
	return s, advice
}

// directOutcome is the outcome of the direct check of target: "ok", a
// reason code, or "" when there is none.
func directOutcome(l result.LayerResult, target string) string {
	for _, c := range l.Checks {
		if c.Name == "direct" && c.Target == target {
			return evStr(c, "outcome")
		}
	}
	return ""
}

func proxySourceWords(src string) string {
	switch src {
	case "flag":
		return "given with --proxy"
	case "env":
		return "set in HTTPS_PROXY, HTTP_PROXY or ALL_PROXY"
	case "macos":
		return "set in the macOS network settings"
	case "windows":
		return "set in the Windows proxy settings"
	case "gnome":
		return "set in the desktop's (GNOME) proxy settings"
	}
	return "set on this computer"
}

// proxyOnlySentence adds to a healthy verdict that the internet is
// reached only through the proxy, when the judge found so.
func proxyOnlySentence(layers []result.LayerResult) string {
	inet := find(layers, result.Internet)
	if inet == nil || inet.Reason != result.ReasonInternetProxyOnly {
		return ""
	}
	p := proxyReachedWeb(find(layers, result.Service))
	return fmt.Sprintf(" The internet is reached only through the web proxy %s: ping and direct connections get no answer, which is normal on a network that requires a proxy.", p)
}
