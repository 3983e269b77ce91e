package result

// Reason codes of web proxies: the `proxy` check of an http(s) target
// reached through a proxy (connecting to the proxy and, for https, the
// CONNECT request), the http check's answer from a proxy, and the
// internet layer's status when only the proxy reaches the web.
const (
	// ReasonProxyUnreachable: the proxy refuses connections or does not
	// answer (no TCP answer, or no answer to the request).
	ReasonProxyUnreachable Reason = "proxy.unreachable"
	// ReasonProxyUnresolved: the proxy's host name does not resolve.
	ReasonProxyUnresolved Reason = "proxy.unresolved"
	// ReasonProxyAuthRequired: the proxy answered 407: it wants a login
	// (or rejected the one given).
	ReasonProxyAuthRequired Reason = "proxy.auth_required"
	// ReasonProxyDenied: the proxy refuses to connect to this destination
	// (403 or another refusal to CONNECT): its rules block it.
	ReasonProxyDenied Reason = "proxy.denied"
	// ReasonProxyUpstreamFailed: the proxy answered, but could not reach
	// the target itself (502, 503, 504 to CONNECT).
	ReasonProxyUpstreamFailed Reason = "proxy.upstream_failed"
	// ReasonInternetProxyOnly: layer only: the upstreams do not answer
	// ping or direct connections, but targets work through the proxy: the
	// internet is reached through the proxy, which is how such networks
	// are built (the layer is ok).
	ReasonInternetProxyOnly Reason = "internet.proxy_only"
)

var _ = register(
	ReasonInfo{ReasonProxyUnreachable, "The web proxy a target goes through refuses connections or does not answer (`evidence.proxy` names it)."},
	ReasonInfo{ReasonProxyUnresolved, "The web proxy's host name does not resolve."},
	ReasonInfo{ReasonProxyAuthRequired, "The web proxy answered 407: it demands a login, or rejected the credentials given."},
	ReasonInfo{ReasonProxyDenied, "The web proxy refuses to connect to this destination (403 or another refusal): its rules block it."},
	ReasonInfo{ReasonProxyUpstreamFailed, "The web proxy answered but could not reach the target itself (502, 503 or 504 to CONNECT)."},
	ReasonInfo{ReasonInternetProxyOnly, "Layer only: ping and direct connections to the internet get no answer, but targets work through the web proxy: the internet is reached through it (ok)."},
)
