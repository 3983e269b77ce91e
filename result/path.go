package result

// Hop is one row of a trace (the "trace" check's evidence key "hops"): what
// came back from the routers TTL hops away. It is typed, not a loose map,
// so renderers can draw the mtr-style table and the verdict can name a hop
// without parsing sentences.
type Hop struct {
	// TTL is the hop's distance: probes sent with this TTL expire there.
	TTL int `json:"ttl"`
	// Addr is the address that answered at this distance (the one that
	// answered most often, if several did); empty when nothing answered.
	Addr string `json:"addr"`
	// Sent and Received count the TTL-limited probes of this hop and their
	// answers.
	Sent     int `json:"sent"`
	Received int `json:"received"`
	// LossPct is the share of those probes without an answer, 0–100. At a
	// router it mixes real loss with the router's ICMP rate limit, which is
	// why a trace only blames loss that persists to the destination.
	LossPct float64 `json:"loss_pct"`
	// AvgMS is the average round trip of the answers; nil when none came.
	AvgMS *float64 `json:"avg_ms"`
	// PingLossPct is the loss of echo requests sent straight to the hop's
	// address (no TTL limit). Routers rate-limit the "time exceeded"
	// answers a trace counts, but not echo replies: a router that looks
	// lossy in the trace yet answers these is limiting, not losing. Nil
	// when the hop was not pinged (UDP trace, the destination itself, or
	// the hop never answered a ping).
	PingLossPct *float64 `json:"ping_loss_pct,omitempty"`
}
