package diagnose

import (
	"context"
	"net/netip"
	"time"

	"github.com/netprobe/netprobe/probes"
	"github.com/netprobe/netprobe/result"
)

// Web proxies in a run: which settings apply (the plan routes each http(s)
// target, see serviceProbe), reading the OS's settings when nothing else
// gave any, and the judge's rule for a network where only the proxy
// reaches the web.

// proxyReadTimeout bounds reading the OS's proxy settings (scutil,
// gsettings, the registry) at the start of a run.
const proxyReadTimeout = time.Second

// needsProxy reports whether the run has an http(s) target a proxy could
// apply to.
func needsProxy(o Options) bool {
	if o.NoProxy || !o.wants(result.Service) {
		return false
	}
	for _, t := range o.Targets {
		if t.Scheme == "http" || t.Scheme == "https" {
			return true
		}
	}
	return false
}

// osProxy fills o.Proxy from the operating system's settings when the
// run needs a proxy decision and neither --proxy nor the environment gave
// one.
func osProxy(ctx context.Context, o Options) Options {
	if !needsProxy(o) || !o.Proxy.IsZero() {
		return o
	}
	read := o.ReadProxy
	if read == nil {
		read = probes.ReadOSProxy
	}
	ctx, cancel := context.WithTimeout(ctx, proxyReadTimeout)
	defer cancel()
	if s := read(ctx); s.Validate() == nil {
		o.Proxy = s
	}
	return o
}

// proxyRoute is how a browser on this computer reaches t (nothing when
// proxies are switched off).
func proxyRoute(o Options, t Target) probes.ProxyRoute {
	if o.NoProxy || t.URL == nil {
		return probes.ProxyRoute{}
	}
	return o.Proxy.Route(t.URL)
}

// proxyReachedWeb returns the proxy (as the evidence names it) through
// which a target beyond this network worked: a CONNECT the proxy opened,
// or an http answer it fetched. "" when none did. A target named by a
// private address proves nothing about the internet.
func proxyReachedWeb(service *result.LayerResult) string {
	if service == nil {
		return ""
	}
	for _, c := range service.Checks {
		if evStr(c, "path") != "proxy" || c.Status != result.OK && c.Status != result.Warn {
			continue
		}
		if c.Name == "proxy" && c.Evidence["proxy_status"] == nil || c.Name != "proxy" && c.Name != "http" {
			continue
		}
		if a, err := netip.ParseAddr(hostOf(c.Target)); err == nil && !isPublic(a) {
			continue
		}
		return evStr(c, "proxy")
	}
	return ""
}

// judgeProxyOnly is the judge's rule for a network where only the proxy
// reaches the web: the upstreams answer neither ping nor direct TCP, but a
// target worked through the proxy. That is how such networks are built,
// not an internet failure: the layer is ok, with the fact in its note.
// A confirmed fault of the internet path (a captive portal, an MTU black
// hole) is not cleared by it.
func judgeProxyOnly(inet, service *result.LayerResult) {
	if inet == nil || inet.Status != result.Fail || internetConfirmedDown(inet.Checks) {
		return
	}
	if p := proxyReachedWeb(service); p != "" {
		inet.Status, inet.Reason = result.OK, result.ReasonInternetProxyOnly
		inet.Note = "ping and direct connections to the internet get no answer, but the web works through the proxy " + p
	}
}
