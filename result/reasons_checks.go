package result

// Reason codes of check files (`netprobe check -f`, `netprobe serve`
// modules): a probe's result that does not meet what the file expects of
// it. When the probe itself failed (a timeout, a reset) its own code is
// kept: it says more than "not as expected".
const (
	ReasonExpectPortState  Reason = "expect.port_state"
	ReasonExpectResolves   Reason = "expect.resolves"
	ReasonExpectNotResolve Reason = "expect.not_resolved"
	ReasonExpectAddresses  Reason = "expect.addresses"
	ReasonExpectRcode      Reason = "expect.rcode"
	ReasonExpectLatency    Reason = "expect.latency"
	ReasonExpectLoss       Reason = "expect.loss"
	ReasonExpectCertDays   Reason = "expect.cert_days_left"
	ReasonExpectHTTPStatus Reason = "expect.http_status"
	ReasonExpectBody       Reason = "expect.body"
	ReasonExpectSupply     Reason = "expect.supply_low"
	ReasonExpectReachable  Reason = "expect.reachable"
)

var _ = register(
	ReasonInfo{ReasonExpectPortState, "The port is in another state than the check file expects (`evidence.expected`, `evidence.port_state`)."},
	ReasonInfo{ReasonExpectResolves, "The name resolves, but the check file says it must not."},
	ReasonInfo{ReasonExpectNotResolve, "The name does not resolve, but the check file says it must."},
	ReasonInfo{ReasonExpectAddresses, "The name resolves to other addresses than the check file expects."},
	ReasonInfo{ReasonExpectRcode, "The resolver answered another response code than the check file expects."},
	ReasonInfo{ReasonExpectLatency, "Slower than the check's or the layer's latency budget (a layer budget warns, a check's `max_latency` fails)."},
	ReasonInfo{ReasonExpectLoss, "More packet loss than the layer's budget in the check file (warn)."},
	ReasonInfo{ReasonExpectCertDays, "The certificate expires sooner than the check's `tls.min_days_left`."},
	ReasonInfo{ReasonExpectHTTPStatus, "The HTTP status is not one the check file expects."},
	ReasonInfo{ReasonExpectBody, "The HTTP answer does not contain the text the check file expects."},
	ReasonInfo{ReasonExpectSupply, "A printer supply is below the check's `min_supply_percent`."},
	ReasonInfo{ReasonExpectReachable, "The host answers although the check file says it must not be reachable."},
)
