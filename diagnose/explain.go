package diagnose

import (
	"fmt"
	"strings"

	"github.com/netprobe/netprobe/result"
)

// The words of the verdict live in the explain_*.go files, one per layer.
// Each takes the cause (a check whose Reason says what is wrong) and
// returns a summary sentence and 1–3 next steps. They switch on reason
// codes and read typed evidence to fill in names and figures; no decision
// anywhere reads a probe's sentence, so the sentences here and in the
// probes can be reworded freely.

// explainFail dispatches a failing root layer to its layer's words.
func explainFail(l result.LayerResult, cause result.Check, all []result.LayerResult) (string, []string) {
	switch l.Name {
	case result.Link:
		return explainLink(l, cause)
	case result.Address:
		return explainAddress(l, cause)
	case result.Gateway:
		return explainGateway(cause)
	case result.Internet:
		return explainInternetFail(l, cause, all)
	case result.DNS:
		return explainDNSFail(l, cause, all)
	case result.Service:
		if cause.Reason.Area() == "proxy" {
			return explainProxy(l, cause)
		}
		return explainService(cause)
	case result.Printer:
		return explainPrinter(cause)
	}
	return cause.Detail, []string{}
}

// explainWarn dispatches the lowest warning layer of a degraded run.
func explainWarn(l result.LayerResult, cause result.Check, all []result.LayerResult) (string, []string) {
	switch l.Name {
	case result.Gateway, result.Internet:
		return explainPathWarn(l, cause)
	case result.DNS:
		return explainDNSWarn(l, cause)
	case result.Printer:
		return explainPrinterWarn(cause)
	case result.Service:
		return explainServiceWarn(cause)
	case result.Address:
		return explainAddressWarn(cause)
	}
	return fmt.Sprintf("The %s layer has a warning: %s.", l.Name, strings.TrimSuffix(cause.Detail, ".")), []string{"Check the details below."}
}

// alsoSentence is the one piece of advice an independent problem adds to
// the verdict, so that it is not lost behind the main fault.
func alsoSentence(l result.LayerResult, cause result.Check) string {
	s, advice := explainFail(l, cause, nil)
	if len(advice) == 0 {
		return "Also: " + s
	}
	return "Also: " + strings.TrimSuffix(s, ".") + ". " + advice[0]
}

func explainHealthy(layers []result.LayerResult) string {
	var n []string
	for _, l := range layers {
		if l.Status == result.OK {
			n = append(n, l.Name.String())
		}
	}
	s := "Everything netprobe tested works: " + strings.Join(n, ", ") + "."
	if icmpDenied(layers) {
		s += " Ping was not permitted for this user, so reachability was checked over TCP."
	}
	return s + proxyOnlySentence(layers)
}

func explainNothing(layers []result.LayerResult) (string, []string) {
	for _, l := range layers {
		for _, c := range l.Checks {
			switch c.Reason {
			case result.ReasonLocalResources:
				return "Nothing was measured: this computer ran out of open files (sockets), so netprobe could not test the network. This is not a network fault.",
					[]string{"Close programs that hold many connections, or raise the open-file limit (ulimit -n), and run netprobe again."}
			case result.ReasonLocalPermission:
				return "Nothing was measured: this computer did not let netprobe open the network sockets it needs. This is not a network fault.",
					[]string{"Run netprobe as an administrator (or with CAP_NET_RAW), or ask IT to allow it."}
			}
		}
	}
	return "Nothing was measured: every check was skipped, so netprobe cannot say whether the network works.",
		[]string{"Read the reasons of the skipped checks below.",
			"Run netprobe without --layers, or give it something to test (--target, --printer)."}
}

func explainInterrupted(v result.Verdict) (string, []string) {
	s := "Interrupted: the run was stopped before every check finished, so this report is incomplete."
	if v.Layer != result.None {
		s += fmt.Sprintf(" So far the %s layer failed; a lower layer may not have been measured yet.", v.Layer)
	}
	return s, []string{"Run netprobe again and let it finish (it stops by itself within its time budget)."}
}

// icmpDenied reports whether a reachability check could not use ICMP.
func icmpDenied(layers []result.LayerResult) bool {
	for _, l := range layers {
		for _, c := range l.Checks {
			if c.Name == "ping" && ev(c, "icmp_permission") == "denied" {
				return true
			}
		}
	}
	return false
}

// ev reads an evidence value as text, for the words.
func ev(c result.Check, key string) string {
	switch v := c.Evidence[key].(type) {
	case string:
		return v
	case nil:
		return ""
	case []string:
		return strings.Join(v, ", ")
	case fmt.Stringer:
		return v.String()
	default:
		return fmt.Sprint(v)
	}
}

// distinct joins the distinct non-empty values of key (or the target)
// over cs.
func distinct(cs []result.Check, key string) string {
	var out []string
	seen := map[string]bool{}
	for _, c := range cs {
		v := c.Target
		if key != "" {
			v = ev(c, key)
		}
		if v != "" && !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return strings.Join(out, ", ")
}

// withReason returns the checks of l with status st and one of codes.
func withReason(l result.LayerResult, st result.Status, codes ...result.Reason) []result.Check {
	var out []result.Check
	for _, c := range l.Checks {
		if c.Status != st {
			continue
		}
		for _, r := range codes {
			if c.Reason == r {
				out = append(out, c)
				break
			}
		}
	}
	return out
}
