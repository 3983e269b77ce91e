package probes

import (
	"context"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/netprobe/netprobe/result"
)

// AddressNeeds says which IP families the rest of the run depends on, so
// a missing family is a failure only where something needs it.
type AddressNeeds struct {
	V4, V6 bool
}

// apipa is the IPv4 link-local range a host gives itself when DHCP fails.
var apipa = netip.MustParsePrefix("169.254.0.0/16")

// NewAddress prepares the address check of a snapshot (see Address).
func NewAddress(sys System, needs AddressNeeds, at time.Time) Probe {
	return func(context.Context) []result.Check { return Address(sys, needs, at) }
}

// Address judges the address layer from a snapshot: a check per usable
// interface (its addresses, APIPA-only means DHCP failed) and one check per
// IP family for the default route. A missing family fails only when needs
// says the run depends on it; otherwise it is a note.
func Address(sys System, needs AddressNeeds, at time.Time) []result.Check {
	var out []result.Check
	var v4, v6 bool
	for _, it := range sys.Interfaces {
		if !it.Usable() {
			continue
		}
		c := result.Check{Name: "address", Layer: result.Address, Target: it.Name, Started: at, Evidence: map[string]any{}}
		var all, usable []string
		onlyAPIPA, has4 := true, false
		for _, p := range it.Addrs {
			a := p.Addr()
			all = append(all, p.String())
			switch {
			case a.Is4() && apipa.Contains(a):
				has4 = true
			case a.Is4():
				has4, onlyAPIPA, v4 = true, false, true
				usable = append(usable, p.String())
			case a.IsLinkLocalUnicast():
			default:
				v6 = true
				usable = append(usable, p.String())
			}
		}
		c.With("addresses", nonNil(all))
		apipaOnly := has4 && onlyAPIPA
		c.With("apipa", apipaOnly)
		switch {
		case apipaOnly && len(usable) == 0:
			c.Status, c.Reason = result.Fail, result.ReasonAddressDHCPFailed
			c.Detail = fmt.Sprintf("%s has only a self-assigned 169.254.x.x address: DHCP did not answer", it.Name)
		case apipaOnly:
			c.Status, c.Reason = result.Warn, result.ReasonAddressDHCPFailed
			c.Detail = fmt.Sprintf("%s has no IPv4 address from DHCP (only 169.254.x.x), but has %s", it.Name, strings.Join(usable, ", "))
		case len(usable) == 0:
			c.Status, c.Reason = result.Skip, result.ReasonAddressLinkLocalOnly
			c.Detail = it.Name + " has no routable address (link-local only); not in use"
		default:
			c.Status = result.OK
			c.Detail = fmt.Sprintf("%s has %s", it.Name, strings.Join(usable, ", "))
		}
		out = append(out, c)
	}
	// An interface with addresses but nothing usable overall means the host
	// has no way to talk beyond its link.
	if !v4 && !v6 {
		failed := false
		for i := range out {
			if out[i].Status == result.Skip {
				out[i].Status = result.Fail
				out[i].Detail = strings.TrimSuffix(out[i].Detail, "; not in use")
			}
			failed = failed || out[i].Status == result.Fail
		}
		if !failed {
			out = append(out, result.Check{Name: "address", Layer: result.Address, Target: "interfaces", Started: at,
				Status: result.Fail, Reason: result.ReasonAddressNone, Detail: "no interface has a usable IP address", Evidence: map[string]any{}})
		}
	}
	out = append(out, defaultRoute(sys, 4, v4, needs.V4 || !needs.V6, at), defaultRoute(sys, 6, v6, needs.V6, at))
	return out
}

// defaultRoute builds the check of one family's default route. needed says
// whether the run depends on that family.
func defaultRoute(sys System, family int, hasAddr, needed bool, at time.Time) result.Check {
	name := fmt.Sprintf("IPv%d default route", family)
	c := result.Check{Name: "route", Layer: result.Address, Target: name, Started: at, Evidence: map[string]any{}}
	var gws []string
	for _, r := range sys.DefaultRoutes {
		if r.Family != family {
			continue
		}
		s := r.Interface
		if r.Gateway.IsValid() {
			s = r.Gateway.String() + " dev " + r.Interface
		}
		gws = append(gws, s)
	}
	c.With(fmt.Sprintf("default_route_v%d", family), len(gws) > 0).With("routes", nonNil(gws))
	switch {
	case len(gws) > 0 && hasAddr:
		c.Status = result.OK
		c.Detail = fmt.Sprintf("IPv%d default route via %s", family, strings.Join(gws, ", "))
	case len(gws) > 0:
		c.Status, c.Reason = result.Warn, result.ReasonAddressRouteWithoutAddress
		c.Detail = fmt.Sprintf("IPv%d default route via %s, but no usable IPv%d address", family, strings.Join(gws, ", "), family)
		if needed {
			c.Status = result.Fail
		}
	case !needed:
		c.Status, c.Reason = result.Skip, result.ReasonNotNeeded
		c.Detail = fmt.Sprintf("no IPv%d default route (IPv%d is not needed by this run)", family, family)
	case !hasAddr:
		c.Status, c.Reason = result.Fail, result.ReasonAddressNoConfig
		c.Detail = fmt.Sprintf("no IPv%d address and no IPv%d default route: this computer has no IPv%d configuration", family, family, family)
	default:
		c.Status, c.Reason = result.Fail, result.ReasonAddressNoDefaultRoute
		c.Detail = fmt.Sprintf("no IPv%d default route: this computer does not know where to send traffic beyond its own network", family)
	}
	return c
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
