package result

// ExpectStatus is the outcome of one expectation of a check file.
type ExpectStatus string

// Expectation outcomes. NotMeasured means the check did not get far enough
// to say (an http expectation when the connection failed): the check keeps
// its own status and reason.
const (
	ExpectMet         ExpectStatus = "met"
	ExpectUnmet       ExpectStatus = "unmet"
	ExpectNotMeasured ExpectStatus = "not_measured"
)

// Expectation records what one check of a check file (`netprobe check -f`)
// expected of one probe's result and what that probe found. The report
// keeps them next to the rewritten checks so a green check that "failed"
// raw (a port that must be filtered and is) shows why it is green.
type Expectation struct {
	// Name is the check's name in the check file.
	Name string `json:"name"`
	// Check is the probe whose result was judged: tcp, udp, tls, http,
	// dns, ping, printer.
	Check string `json:"check"`
	// Target is what the probe tested (its check's target).
	Target string `json:"target"`
	// Status is met, unmet or not_measured.
	Status ExpectStatus `json:"status"`
	// Expected says what the file asks for, in words ("port open", "HTTP
	// status 200 or 204").
	Expected string `json:"expected"`
	// Found says what the probe measured ("filtered", "HTTP 503").
	Found string `json:"found"`
	// Reason is the code of an unmet expectation.
	Reason Reason `json:"reason,omitempty"`
}
