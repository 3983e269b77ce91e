package result

// Reason codes of the captive-portal check (a `portal` check in the
// internet layer: plain-HTTP requests to connectivity-check URLs).
const (
	// ReasonInternetCaptivePortal: a check URL was redirected, or answered
	// with another page, while its name resolved: the network intercepts
	// web traffic until the user signs in.
	ReasonInternetCaptivePortal Reason = "internet.captive_portal"
	// ReasonPortalUnresolved: no check URL's name resolved, so nothing was
	// asked (the DNS layer says why).
	ReasonPortalUnresolved Reason = "internet.portal_unresolved"
	// ReasonPortalUnanswered: no check URL gave an HTTP answer (no
	// connection, or silence): the reachability checks judge the path.
	ReasonPortalUnanswered Reason = "internet.portal_unanswered"
	// ReasonPortalInconclusive: the check URLs answered only with errors
	// (4xx, 5xx, a proxy's 407) that neither prove nor rule out a portal.
	ReasonPortalInconclusive Reason = "internet.portal_inconclusive"
)

var _ = register(
	ReasonInfo{ReasonInternetCaptivePortal, "A connectivity-check URL (`portal` check) was redirected or answered with another page while its name resolved: a captive portal waits for a sign-in (`evidence.location`)."},
	ReasonInfo{ReasonPortalUnresolved, "`portal` check: no connectivity-check URL's name resolved, so no captive portal could be looked for (skip)."},
	ReasonInfo{ReasonPortalUnanswered, "`portal` check: no connectivity-check URL gave an HTTP answer (no connection or no reply): not measured, the reachability checks judge the path (skip)."},
	ReasonInfo{ReasonPortalInconclusive, "`portal` check: the connectivity-check URLs answered only with errors (4xx, 5xx, 407) that neither show nor rule out a captive portal (skip)."},
)
