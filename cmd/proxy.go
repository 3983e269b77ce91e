package cmd

import (
	"github.com/netprobe/netprobe/diagnose"
	"github.com/netprobe/netprobe/probes"
)

// portalAndProxy turns the captive-portal and proxy flags into options.
// The proxy comes from --proxy, else from the environment (read only when
// an http or https target needs it, so a stray HTTPS_PROXY cannot stop a
// run that has no web target); the OS's settings are read later, by the
// run, when neither gave one.
func (d *diagnoseFlags) portalAndProxy(f *Factory, o *diagnose.Options) error {
	for _, s := range d.portalURLs {
		p, err := diagnose.ParsePortalURL(s)
		if err != nil {
			return usageError{err}
		}
		o.PortalURLs = append(o.PortalURLs, p)
	}
	o.NoPortalCheck = d.noPortalCheck
	o.NoProxy = d.noProxy
	switch {
	case d.noProxy:
	case d.proxy != "":
		u, err := probes.ParseProxyURL(d.proxy)
		if err != nil {
			return usagef("--proxy: %v", err)
		}
		if u.User != nil {
			return usagef("--proxy %q: put the proxy's login in HTTPS_PROXY instead (http://USER:PASSWORD@HOST:PORT): on the command line it ends up in the shell's history", probes.RedactProxy(u))
		}
		o.Proxy = probes.ProxySettings{Source: "flag", HTTP: d.proxy, HTTPS: d.proxy}
	case hasWebTarget(o.Targets):
		o.Proxy = probes.ProxyFromEnv(f.Getenv)
	}
	return nil
}

func hasWebTarget(ts []diagnose.Target) bool {
	for _, t := range ts {
		if t.Scheme == "http" || t.Scheme == "https" {
			return true
		}
	}
	return false
}
