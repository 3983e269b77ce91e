package diagnose

import (
	"net"
	"net/netip"
	"net/url"
	"strings"

	"github.com/netprobe/netprobe/result"
)

// layerExplainedBy reports whether every failing check of layer l is
// explained by the cause found at layer root. One failing check that the
// cause does not explain makes the layer an independent problem: the
// verdict must never hide a fault behind an unrelated one.
func layerExplainedBy(l result.LayerResult, root result.Layer, cause result.Check) bool {
	any := false
	for _, c := range l.Checks {
		if c.Status != result.Fail {
			continue
		}
		any = true
		if !explainedBy(c, root, cause) {
			return false
		}
	}
	return any
}

// explainedBy says whether check c's failure follows from the cause at
// layer root. It decides on the check's layer, its reason code and typed
// evidence (on_link, resolver, the target's host), never on its words:
//
//   - everything needs a link and an address;
//   - the router and the internet are needed by what is beyond them:
//     internet hosts, resolvers off the local network (or the router
//     itself as resolver), services not known to be on the local
//     network; a printer is on the local network unless its evidence
//     says otherwise;
//   - DNS is needed only by a check that failed because a name did not
//     resolve, or, when the cause is a wrong answer, by the checks of
//     that very name;
//   - a failing service explains nothing above it: a printer does not
//     need an unrelated web site.
func explainedBy(c result.Check, root result.Layer, cause result.Check) bool {
	if root >= c.Layer {
		return false
	}
	switch root {
	case result.Link, result.Address:
		return true
	case result.Gateway, result.Internet:
		return needsGateway(c, root, cause)
	case result.DNS:
		if unresolvedReasons[c.Reason] {
			return true
		}
		if cause.Reason == result.ReasonDNSWrongAnswer {
			name := evStr(cause, "name")
			return name != "" && strings.EqualFold(hostOf(c.Target), name)
		}
		return false
	}
	return false
}

// unresolvedReasons are the failures that mean "the name did not
// resolve": the DNS layer's to explain.
var unresolvedReasons = map[result.Reason]bool{
	result.ReasonTCPUnresolved:         true,
	result.ReasonUDPUnresolved:         true,
	result.ReasonPortsUnresolved:       true,
	result.ReasonPrinterNameUnresolved: true,
	result.ReasonInternetUnresolved:    true,
	result.ReasonProxyUnresolved:       true,
}

// needsGateway: does c go through the default gateway (and so the
// internet beyond it)?
func needsGateway(c result.Check, root result.Layer, cause result.Check) bool {
	if on, ok := c.Evidence["on_link"].(bool); ok {
		return !on
	}
	switch c.Layer {
	case result.Internet:
		return true
	case result.DNS:
		if off, ok := c.Evidence["off_link"].(bool); ok && off {
			return true
		}
		// A resolver on the local network that fails while the path
		// beyond the router is down: the router's own relay (or a local
		// server forwarding upstream) has nowhere to ask.
		return c.Reason == result.ReasonDNSServfail || c.Reason == result.ReasonDNSTimeout ||
			c.Reason == result.ReasonDNSReferenceOnly || c.Name == "dns-compare"
	case result.Printer:
		return false
	}
	return true
}

// hostOf extracts the host of a check's target ("tcp://h:1", "https://h/",
// "h:1", "h").
func hostOf(t string) string {
	host := t
	if u, err := url.Parse(t); err == nil && u.Host != "" {
		host = u.Hostname()
	} else if h, _, err := net.SplitHostPort(t); err == nil {
		host = h
	}
	return strings.Trim(host, "[]")
}

// isIPHost reports whether a target names its host by IP address.
func isIPHost(t string) bool {
	_, err := netip.ParseAddr(hostOf(t))
	return err == nil
}
