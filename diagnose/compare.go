package diagnose

import (
	"fmt"
	"github.com/netprobe/netprobe/internal/bound"
	"slices"
	"time"

	"github.com/netprobe/netprobe/result"
)

// compareDNS adds, per name, the comparison of the system resolvers'
// answers with the reference resolvers'. It only compares results, so it
// lives here and not among the probes.
func compareDNS(checks []result.Check, at time.Time) []result.Check {
	type pair struct{ sys, ref []result.Check }
	byName := map[string]*pair{}
	var order []string
	for _, c := range checks {
		if c.Name != "dns" {
			continue
		}
		name := evStr(c, "name")
		if name == "" {
			continue
		}
		p := byName[name]
		if p == nil {
			p = &pair{}
			byName[name] = p
			order = append(order, name)
		}
		if evStr(c, "role") == "reference" {
			p.ref = append(p.ref, c)
		} else {
			p.sys = append(p.sys, c)
		}
	}
	var out []result.Check
	for _, name := range order {
		p := byName[name]
		if len(p.ref) == 0 {
			continue
		}
		if c := CompareDNS(name, p.sys, p.ref, at); c != nil {
			out = append(out, *c)
		}
	}
	return out
}

// CompareDNS judges, for one name, the system resolvers' answers against
// the reference resolvers'. It returns nil when there is nothing to
// compare (no reference answered with addresses, NXDOMAIN or no data). A
// system resolver that says NXDOMAIN, or fails, for a name the references
// resolve fails (dns.reference_only): the fault is local. Disjoint address
// sets are only a warning (dns.mismatch): CDNs answer by location, filters
// by policy. Whether the system's address is wrong is settled by the
// confirmation round (dns.wrong_answer), never guessed here.
func CompareDNS(name string, system, reference []result.Check, at time.Time) *result.Check {
	var refAddrs []string
	refAnswered := false
	for _, r := range reference {
		if r.Status == result.Skip || !definitive(r) {
			continue
		}
		refAnswered = true
		refAddrs = append(refAddrs, evStrs(r, "answers")...)
	}
	if !refAnswered || len(system) == 0 {
		return nil
	}
	c := result.Check{Name: "dns-compare", Layer: result.DNS, Target: name, Started: at, Evidence: map[string]any{}}
	refAddrs = sortedSet(refAddrs)
	c.With("reference_answers", bound.List(refAddrs)).With("name", name)
	var sysAddrs []string
	sysOK := false
	for _, s := range system {
		if s.Status == result.OK {
			sysOK = true
		}
		sysAddrs = append(sysAddrs, evStrs(s, "answers")...)
	}
	sysAddrs = sortedSet(sysAddrs)
	c.With("system_answers", bound.List(sysAddrs))
	switch {
	case len(refAddrs) == 0 && sysOK:
		c.Status = result.OK
		c.Detail = fmt.Sprintf("%s resolves only on this computer's resolvers (%s), the reference resolvers do not know it: an internal name", name, bound.Join(sysAddrs, ", "))
		c.With("agree", false)
	case len(refAddrs) == 0:
		c.Status = result.OK
		c.Detail = fmt.Sprintf("reference resolvers also find no address for %s: the name itself is missing or empty", name)
		c.With("agree", true)
	case !sysOK:
		c.Status, c.Reason = result.Fail, result.ReasonDNSReferenceOnly
		c.Detail = fmt.Sprintf("%s resolves on the reference resolvers (%s) but not on this computer's resolvers", name, bound.Join(refAddrs, ", "))
		c.With("agree", false)
	case overlaps(sysAddrs, refAddrs):
		c.Status = result.OK
		c.Detail = fmt.Sprintf("this computer's resolvers agree with the reference resolvers for %s", name)
		c.With("agree", true)
	default:
		c.Status, c.Reason = result.Warn, result.ReasonDNSMismatch
		c.Detail = fmt.Sprintf("this computer's resolvers answer %s with %s, the reference resolvers with %s: a CDN, a filter, or a wrong record",
			name, bound.Join(sysAddrs, ", "), bound.Join(refAddrs, ", "))
		c.With("agree", false)
	}
	return &c
}

// definitive reports whether a reference check says something about the
// name itself: addresses, NXDOMAIN, or NOERROR without data. SERVFAIL and
// REFUSED only say that this reference could not or would not look.
func definitive(c result.Check) bool {
	if len(evStrs(c, "answers")) > 0 {
		return true
	}
	rc := evStr(c, "rcode")
	return rc == "NXDOMAIN" || rc == "NOERROR"
}

// sortedSet returns the distinct non-empty values, sorted; never nil.
func sortedSet(s []string) []string {
	out := slices.DeleteFunc(slices.Clone(s), func(v string) bool { return v == "" })
	slices.Sort(out)
	out = slices.Compact(out)
	if out == nil {
		out = []string{}
	}
	return out
}

func overlaps(a, b []string) bool {
	for _, v := range a {
		if slices.Contains(b, v) {
			return true
		}
	}
	return false
}

// evStr reads a string evidence value ("" when absent or not a string).
func evStr(c result.Check, key string) string {
	s, _ := c.Evidence[key].(string)
	return s
}

// evStrs reads a list-of-strings evidence value.
func evStrs(c result.Check, key string) []string {
	s, _ := c.Evidence[key].([]string)
	return s
}
