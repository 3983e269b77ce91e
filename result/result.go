// Package result holds netprobe's core data: the layers, the status of one
// check, and the finished report with its verdict. Probes produce Checks,
// the diagnose package turns them into a Report, and reports/ renders it.
// Nothing here does I/O.
package result

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"
)

// Schema names the JSON report format. Fields may be added under the same
// name; renaming or removing one needs a new version.
const Schema = "netprobe.report/v1"

// Status is the outcome of one check or one layer.
type Status string

// Check and layer statuses. Skip always comes with a reason in Detail: it
// means "not measured", never "fine".
const (
	OK   Status = "ok"
	Warn Status = "warn"
	Fail Status = "fail"
	Skip Status = "skip"
)

// Severity orders statuses for "worst wins": skip < ok < warn < fail.
func (s Status) Severity() int {
	switch s {
	case OK:
		return 1
	case Warn:
		return 2
	case Fail:
		return 3
	}
	return 0
}

// Worst returns the most severe of the statuses; Skip when none are given.
func Worst(ss ...Status) Status {
	w := Skip
	for _, s := range ss {
		if s.Severity() > w.Severity() {
			w = s
		}
	}
	return w
}

// Layer is one level of the network stack netprobe tests, lowest first.
type Layer int

// The layers, in the order a packet needs them. None is the verdict layer of
// a healthy run.
const (
	None Layer = iota
	Link
	Address
	Gateway
	Internet
	DNS
	Service
	Printer
)

// Layers lists every real layer, lowest first.
var Layers = []Layer{Link, Address, Gateway, Internet, DNS, Service, Printer}

var layerNames = [...]string{"none", "link", "address", "gateway", "internet", "dns", "service", "printer"}

// String returns the layer's JSON name.
func (l Layer) String() string {
	if l < 0 || int(l) >= len(layerNames) {
		return fmt.Sprintf("layer(%d)", int(l))
	}
	return layerNames[l]
}

// ParseLayer maps a name ("dns") back to its Layer.
func ParseLayer(s string) (Layer, error) {
	for i, n := range layerNames {
		if n == s {
			return Layer(i), nil
		}
	}
	return None, fmt.Errorf("unknown layer %q", s)
}

// MarshalText makes layers appear by name in JSON.
func (l Layer) MarshalText() ([]byte, error) { return []byte(l.String()), nil }

// UnmarshalText parses a layer name.
func (l *Layer) UnmarshalText(b []byte) error {
	v, err := ParseLayer(string(b))
	*l = v
	return err
}

// Check is the result of one probe against one target: the reason is data
// (Detail, Error, Evidence), never only a log line.
type Check struct {
	// Name is the probe that ran, e.g. "icmp", "dns", "tcp", "tls", "http", "snmp".
	Name string `json:"name"`
	// Layer the check belongs to.
	Layer Layer `json:"layer"`
	// Target is what was probed: an interface, an address, host:port, a URL.
	Target string `json:"target"`
	// Status of this check.
	Status Status `json:"status"`
	// Reason is the stable code of a status other than ok ("dns.timeout"):
	// what programs, and netprobe's own verdict, decide on. Empty when ok.
	Reason Reason `json:"reason,omitempty"`
	// Round is 2 for a check of the confirmation round (a follow-up the
	// first round's results asked for); absent for the first round.
	Round int `json:"round,omitempty"`
	// Detail is one human sentence: what was found, or why it was skipped.
	Detail string `json:"detail"`
	// Error is the underlying error text, if any.
	Error string `json:"error,omitempty"`
	// Started is when the probe began.
	Started time.Time `json:"started_at"`
	// Duration is how long it ran.
	Duration time.Duration `json:"-"`
	// Evidence holds the measured facts as key/values (rtt_ms, loss_pct,
	// rcode, port_state, supplies, ...). Keys are snake_case and stable.
	Evidence map[string]any `json:"evidence"`
}

// With sets one evidence key and returns the check, for chaining.
func (c *Check) With(key string, v any) *Check {
	if c.Evidence == nil {
		c.Evidence = map[string]any{}
	}
	c.Evidence[key] = v
	return c
}

// MarshalJSON adds duration_ms and guarantees evidence is an object.
func (c Check) MarshalJSON() ([]byte, error) {
	type plain Check
	ev := c.Evidence
	if ev == nil {
		ev = map[string]any{}
	}
	p := plain(c)
	p.Evidence = ev
	return marshal(struct {
		plain
		DurationMS float64 `json:"duration_ms"`
	}{p, Millis(c.Duration)})
}

// UnmarshalJSON reads what MarshalJSON wrote.
func (c *Check) UnmarshalJSON(b []byte) error {
	type plain Check
	var v struct {
		plain
		DurationMS float64 `json:"duration_ms"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*c = Check(v.plain)
	c.Duration = time.Duration(v.DurationMS * float64(time.Millisecond))
	return nil
}

// marshal is json.Marshal without HTML escaping. A MarshalJSON method's
// bytes are copied into the caller's output as they are, so escaping here
// would turn "<hostname>" into "\u003chostname\u003e" even for a caller
// that asked for no HTML escaping (reports.JSON); a caller that wants it
// (json.Marshal) still gets it, because encoding/json escapes the copied
// bytes itself.
func marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// Millis converts a duration to milliseconds with 0.1 ms precision, the unit
// of every *_ms field in the report.
func Millis(d time.Duration) float64 {
	return float64(d.Round(100*time.Microsecond)) / float64(time.Millisecond)
}

// LayerResult is one layer of the report with its checks.
type LayerResult struct {
	Name   Layer   `json:"name"`
	Status Status  `json:"status"`
	Checks []Check `json:"checks"`
	// Note explains a status the checks alone do not (e.g. "gateway drops
	// ping but traffic passes through it").
	Note string `json:"note,omitempty"`
	// Reason is the code of a status the judge set from cross-layer
	// evidence (the Note's code), e.g. "gateway.ignores_probes".
	Reason Reason `json:"reason,omitempty"`
}

// Overall is the verdict's status.
type Overall string

// Overall outcomes of a run; exit codes follow them (0, 3, 1, and 4 for
// Unknown). Unknown means the run cannot say: nothing was measured, or it
// was interrupted before it could.
const (
	Healthy  Overall = "ok"
	Degraded Overall = "degraded"
	Failed   Overall = "fail"
	Unknown  Overall = "unknown"
)

// Verdict names the layer at fault and says what to do about it.
type Verdict struct {
	Status Overall `json:"status"`
	// Layer is the lowest failing (or, when degraded, warning) layer; None
	// when healthy.
	Layer Layer `json:"layer"`
	// Reason is the code of the cause (the failing or warning check's, or
	// the layer's); empty when healthy.
	Reason Reason `json:"reason,omitempty"`
	// Summary is one sentence a non-expert understands.
	Summary string `json:"summary"`
	// Advice is 1–3 concrete next steps.
	Advice []string `json:"advice"`
	// Evidence is the few facts that support the verdict, as sentences.
	Evidence []string `json:"evidence"`
	// Consequences lists failing layers above the cause that are explained by it.
	Consequences []Layer `json:"consequences"`
	// Independent lists other problems that the cause does not explain
	// (e.g. a jammed printer on the LAN while the internet is down).
	Independent []Layer `json:"independent,omitempty"`
}

// Tool identifies the program that wrote a report.
type Tool struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

// Report is a finished run: what every renderer takes.
type Report struct {
	Schema    string        `json:"schema"`
	Tool      Tool          `json:"tool"`
	Command   string        `json:"command"`
	StartedAt time.Time     `json:"started_at"`
	Duration  time.Duration `json:"-"`
	Budget    time.Duration `json:"-"`
	Host      Host          `json:"host"`
	Verdict   Verdict       `json:"verdict"`
	Layers    []LayerResult `json:"layers"`
	// Redacted is true when addresses and names were masked for sharing.
	Redacted bool `json:"redacted"`
	// Interrupted is true when the run was stopped (Ctrl-C, SIGTERM)
	// before every check finished: the report holds what was measured so
	// far and its verdict is "unknown".
	Interrupted bool `json:"interrupted"`
	// Expectations are the outcomes of a check file's expectations
	// (`netprobe check -f`), in check order; absent without a check file.
	Expectations []Expectation `json:"expectations,omitempty"`
}

// Host describes the machine the run happened on.
type Host struct {
	Hostname string `json:"hostname"`
	OS       string `json:"os"`
	Arch     string `json:"arch"`
	// ICMP is how this process could ping: "privileged" (raw socket),
	// "unprivileged" (datagram ICMP socket) or "denied".
	ICMP string `json:"icmp"`
	// ICMPReason says why ICMP was denied, and what would allow it.
	ICMPReason string `json:"icmp_reason,omitempty"`
}

// MarshalJSON adds duration_ms and budget_ms.
func (r Report) MarshalJSON() ([]byte, error) {
	type plain Report
	return marshal(struct {
		plain
		DurationMS float64 `json:"duration_ms"`
		BudgetMS   float64 `json:"budget_ms"`
	}{plain(r), Millis(r.Duration), Millis(r.Budget)})
}

// UnmarshalJSON reads what MarshalJSON wrote.
func (r *Report) UnmarshalJSON(b []byte) error {
	type plain Report
	var v struct {
		plain
		DurationMS float64 `json:"duration_ms"`
		BudgetMS   float64 `json:"budget_ms"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*r = Report(v.plain)
	r.Duration = time.Duration(v.DurationMS * float64(time.Millisecond))
	r.Budget = time.Duration(v.BudgetMS * float64(time.Millisecond))
	return nil
}

// Layer returns the named layer's result, or nil when the run did not test it.
func (r *Report) Layer(l Layer) *LayerResult {
	for i := range r.Layers {
		if r.Layers[i].Name == l {
			return &r.Layers[i]
		}
	}
	return nil
}
