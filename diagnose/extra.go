package diagnose

import (
	"time"

	"github.com/netprobe/netprobe/probes"
	"github.com/netprobe/netprobe/result"
)

// Expecter rewrites a run's checks against what a check file expects of
// them, before the judge sees them: a port that must be filtered and is
// becomes ok, a name that resolves to the wrong address fails. It returns
// the rewritten checks and one record per expectation for the report.
// Defined here (and implemented by checkfile) so diagnose does not depend
// on the file format.
type Expecter interface {
	Apply(checks []result.Check) ([]result.Check, []result.Expectation)
}

// NewTask makes a plan task of a prepared probe: the checks a check file
// or a serve module adds to a run (Options.Extra). timeout bounds the
// probe on top of the run's deadline; 0 means only the deadline.
func NewTask(layer result.Layer, name, target string, timeout time.Duration, p probes.Probe) Task {
	return Task{Layer: layer, Name: name, Target: target, Timeout: timeout, Probe: p}
}
