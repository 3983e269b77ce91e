package diagnose

import (
	"fmt"

	"github.com/netprobe/netprobe/result"
)

// The words for a failing internet layer: silent upstreams (with where a
// trace stops), and the confirmed path faults.

func explainInternetFail(l result.LayerResult, cause result.Check, all []result.LayerResult) (string, []string) {
	if cause.Reason == result.ReasonPathMTUBlackhole {
		return explainMTUBlackhole(cause)
	}
	if cause.Reason == result.ReasonInternetCaptivePortal {
		return explainCaptivePortal(cause)
	}
	if cause.Reason == result.ReasonInternetNotMeasured {
		return "The internet could not be checked: ping is not permitted for this user and no TCP port was given to try instead.",
			[]string{"Run netprobe as an administrator, or allow ping for this user."}
	}
	if cause.Reason == result.ReasonInternetUnresolved {
		return fmt.Sprintf("The host %s could not be pinged: its name does not resolve.", cause.Target),
			[]string{"Check the spelling of the name.", "Check this computer's DNS settings."}
	}
	s := "Your computer reaches its router, but the router does not reach the internet: "
	if all != nil {
		if gw := find(all, result.Gateway); gw == nil || gw.Status == result.Skip {
			s = "Your computer cannot reach the internet: "
		}
	}
	var pings []result.Check
	for _, c := range checksWith(l, result.Fail) {
		if c.Name == "ping" {
			pings = append(pings, c)
		}
	}
	s += "none of " + distinct(pings, "") + " answers."
	if tr := traceWith(l, result.ReasonPathStopsAtHop); tr != nil {
		s += " " + stopsAtHopSentence(*tr)
	}
	return s, []string{"Check the modem or internet line: its lights, then restart the modem and the router.",
		"Check your internet provider's service status, or call them.",
		"On an office network, a firewall may block outgoing traffic: ask IT."}
}

func stopsAtHopSentence(trace result.Check) string {
	last, addr := ev(trace, "last_hop"), ev(trace, "last_hop_addr")
	if last == "" || last == "0" || addr == "" {
		return fmt.Sprintf("A trace towards %s gets no answer from any router on the way.", trace.Target)
	}
	return fmt.Sprintf("A trace towards %s stops at hop %s (%s): nothing answers beyond it.", trace.Target, last, addr)
}

func explainMTUBlackhole(c result.Check) (string, []string) {
	mtu := ev(c, "path_mtu")
	host := hostOf(c.Target)
	return fmt.Sprintf("The path to %s drops packets larger than %s bytes without saying so (an MTU black hole): small requests work, but secure connections and downloads stall. This is not a problem of the site or its certificate.", host, mtu),
		[]string{
			fmt.Sprintf("If you use a VPN, PPPoE/DSL or a tunnel, set the MTU of that connection (or of the router's internet side) to %s or lower.", mtu),
			"Ask IT or the internet provider to let ICMP \"fragmentation needed\" / \"packet too big\" messages through, or to turn on MSS clamping on the router.",
			"To confirm, try the same site from another network (e.g. a phone hotspot): it should work there.",
		}
}
