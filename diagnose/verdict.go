package diagnose

import (
	"strings"

	"github.com/netprobe/netprobe/result"
)

// Decide names the layer at fault and explains it. It is pure: the same
// layers always give the same verdict, and it decides on reason codes and
// typed evidence only (the words live in the explain_*.go files, one per
// layer, so rewording a sentence cannot change a diagnosis).
//
// The lowest failing layer is the cause. Each failing check above it is
// either explained by the cause (explainedBy: the check needed what is
// broken) or not; a layer whose every failing check is explained is a
// consequence, any other failing layer an independent problem, whose
// first piece of advice joins the verdict's. With no failure, the lowest
// warning layer makes the run "degraded".
func Decide(layers []result.LayerResult) result.Verdict {
	v := result.Verdict{Status: result.Healthy, Layer: result.None, Advice: []string{}, Evidence: []string{}, Consequences: []result.Layer{}}
	if root := lowest(layers, result.Fail); root != nil {
		cause := causeOf(*root, result.Fail)
		v.Status, v.Layer, v.Reason = result.Failed, root.Name, cause.Reason
		for _, l := range layers {
			if l.Name <= root.Name || l.Status != result.Fail {
				continue
			}
			if layerExplainedBy(l, root.Name, cause) {
				v.Consequences = append(v.Consequences, l.Name)
			} else {
				v.Independent = append(v.Independent, l.Name)
			}
		}
		v.Summary, v.Advice = explainFail(*root, cause, layers)
		v.Evidence = evidence(*root, cause, result.Fail)
		if len(v.Consequences) > 0 {
			v.Summary += " " + consequenceSentence(v.Consequences)
		}
		for _, name := range v.Independent {
			l := find(layers, name)
			c := causeOf(*l, result.Fail)
			if s := alsoSentence(*l, c); s != "" {
				v.Advice = append(v.Advice, s)
			}
		}
		return v
	}
	if l := lowest(layers, result.Warn); l != nil {
		cause := causeOf(*l, result.Warn)
		v.Status, v.Layer, v.Reason = result.Degraded, l.Name, cause.Reason
		v.Summary, v.Advice = explainWarn(*l, cause, layers)
		v.Evidence = evidence(*l, cause, result.Warn)
		return v
	}
	if lowest(layers, result.OK) == nil {
		v.Status, v.Reason = result.Unknown, result.ReasonNothingMeasured
		v.Summary, v.Advice = explainNothing(layers)
		return v
	}
	v.Summary = explainHealthy(layers)
	return v
}

// Interrupted turns the verdict of a run stopped by the user into
// "unknown": what was measured is kept in the layers, but a run that did
// not finish cannot say what works, nor be sure which failure is the
// lowest.
func Interrupted(v result.Verdict) result.Verdict {
	v.Status, v.Reason = result.Unknown, result.ReasonInterrupted
	v.Summary, v.Advice = explainInterrupted(v)
	v.Consequences = []result.Layer{}
	v.Independent = nil
	return v
}

// lowest returns the lowest layer with status st.
func lowest(layers []result.LayerResult, st result.Status) *result.LayerResult {
	for i := range layers {
		if layers[i].Status == st {
			return &layers[i]
		}
	}
	return nil
}

// causeOf picks the check that best explains a layer's status st: the
// one whose reason ranks first in the layer's priority (confirmed causes
// before suspicions, specific before generic), else the first check with
// that status. A layer whose status comes from the judge (a note) and not
// from one check gets a check carrying the layer's reason.
func causeOf(l result.LayerResult, st result.Status) result.Check {
	best, rank := result.Check{Evidence: map[string]any{}}, 0
	found := false
	for _, c := range l.Checks {
		if c.Status != st {
			continue
		}
		r := priorityOf(c.Reason)
		if evStr(c, "role") == "reference" {
			// A reference resolver is a yardstick, not this computer's
			// setup: it is the cause only when nothing else is.
			r += 2 * len(causePriority)
		}
		if !found || r < rank {
			best, rank, found = c, r, true
		}
	}
	if l.Reason != "" && (!found || st == result.Warn && l.Note != "") {
		return result.Check{Name: l.Name.String(), Layer: l.Name, Status: st, Reason: l.Reason, Detail: l.Note, Evidence: map[string]any{}}
	}
	return best
}

// causePriority orders the codes that may share a layer: earlier wins.
// Codes not listed rank after all listed ones, in check order.
var causePriority = []result.Reason{
	// Confirmed by the follow-up round: they settle the layer.
	result.ReasonPathMTUBlackhole,
	result.ReasonInternetCaptivePortal,
	result.ReasonDNSWrongAnswer,
	result.ReasonPathLossFromHop,
	result.ReasonPathStopsAtHop,
	// Link and address: the most specific first.
	result.ReasonLinkNoInterfaces,
	result.ReasonAddressConflict,
	result.ReasonAddressDHCPFailed,
	result.ReasonAddressNone,
	result.ReasonAddressLinkLocalOnly,
	result.ReasonAddressNoConfig,
	result.ReasonAddressNoDefaultRoute,
	// Gateway.
	result.ReasonGatewayMisconfigured,
	result.ReasonGatewayNone,
	result.ReasonGatewayNoARP,
	// DNS: a definite answer about the name before the servers' health.
	result.ReasonDNSNoResolvers,
	result.ReasonDNSNXDomain,
	result.ReasonDNSConnRefused,
	result.ReasonDNSTimeout,
	result.ReasonDNSMalformed,
	result.ReasonDNSServfail,
	result.ReasonDNSRefused,
	result.ReasonDNSReferenceOnly,
	result.ReasonDNSNoData,
	// Loss is rarer and more telling than slowness.
	result.ReasonGatewayLoss,
	result.ReasonInternetLoss,
}

func priorityOf(r result.Reason) int {
	for i, p := range causePriority {
		if p == r {
			return i
		}
	}
	return len(causePriority)
}

// evidence lists the sentences that carry the verdict: the cause first,
// then the other checks with the same status, then the layer's note.
func evidence(l result.LayerResult, cause result.Check, st result.Status) []string {
	out := []string{}
	if cause.Detail != "" {
		out = append(out, cause.Detail)
	}
	for _, c := range l.Checks {
		if c.Status == st && len(out) < 4 && c.Detail != cause.Detail {
			out = append(out, c.Detail)
		}
	}
	if l.Note != "" && l.Note != cause.Detail {
		out = append(out, l.Note)
	}
	return out
}

func find(all []result.LayerResult, l result.Layer) *result.LayerResult {
	for i := range all {
		if all[i].Name == l {
			return &all[i]
		}
	}
	return nil
}

func checksWith(l result.LayerResult, st result.Status) []result.Check {
	var out []result.Check
	for _, c := range l.Checks {
		if c.Status == st {
			out = append(out, c)
		}
	}
	return out
}

func consequenceSentence(ls []result.Layer) string {
	names := make([]string, len(ls))
	for i, l := range ls {
		names[i] = l.String()
	}
	if len(names) == 1 {
		return "The " + names[0] + " failure follows from it."
	}
	return "The " + strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1] + " failures follow from it."
}
