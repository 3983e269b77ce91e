package diagnose

import (
	"fmt"
	"strings"

	"github.com/netprobe/netprobe/result"
)

// The words for the link, address and gateway layers.

func explainLink(l result.LayerResult, cause result.Check) (string, []string) {
	if cause.Reason == result.ReasonLinkNoInterfaces {
		return "Your computer has no network adapter at all (other than the internal loopback).",
			[]string{"Check that the network adapter is enabled in the device settings, or that its driver is installed.",
				"Plug in a USB network adapter or dock if this computer needs one.",
				"Restart the computer if the adapter does not appear."}
	}
	bad := checksWith(l, result.Fail)
	if off := withReason(l, result.Fail, result.ReasonLinkAdminDown); len(off) == len(bad) && len(off) > 0 {
		return fmt.Sprintf("Your computer is not connected to any network: the network adapter %s is switched off.", distinct(off, "")),
			[]string{"Turn the network adapter on (in the network settings, or with the Wi-Fi switch or key).",
				"If it is a cable connection, check the cable is plugged in at both ends.",
				"Restart the computer if the adapter does not come back."}
	}
	return "Your computer is not connected to any network: no network adapter has a working connection.",
		[]string{"Check that the network cable is plugged in at both ends, or that Wi-Fi is on and connected.",
			"Try another cable, socket or Wi-Fi network to tell a broken cable from a broken adapter.",
			"Restart the computer if the adapter does not come back."}
}

func explainAddress(l result.LayerResult, cause result.Check) (string, []string) {
	switch cause.Reason {
	case result.ReasonAddressConflict:
		return fmt.Sprintf("Another device on this network uses the same IP address as this computer (%s; the other device's hardware address is %s): traffic goes to one or the other at random, so connections break.", ev(cause, "address"), ev(cause, "other_mac")),
			[]string{fmt.Sprintf("Find the device with hardware address %s (the router's list of connected devices shows it) and change its address, or restart both so DHCP gives each its own.", ev(cause, "other_mac")),
				"If this computer's address is set by hand, switch it to automatic (DHCP) or pick a free address.",
				"Tell IT that two devices share an address, with this report."}
	case result.ReasonAddressDHCPFailed:
		return fmt.Sprintf("Your computer did not get an address from the network: DHCP did not answer on %s, so it gave itself a 169.254.x.x address that works nowhere.", cause.Target),
			[]string{"Restart the router: it hands out the addresses (DHCP).",
				"Unplug and replug the cable, or reconnect to Wi-Fi, so the computer asks again.",
				"If the problem stays, tell IT that the DHCP server does not answer on this network."}
	case result.ReasonAddressNoConfig, result.ReasonAddressNone, result.ReasonAddressLinkLocalOnly:
		return "Your computer has no IP address on the network, so it cannot talk to anything beyond its own cable or Wi-Fi.",
			[]string{"Reconnect to the network so the computer asks for an address again (DHCP).",
				"Restart the router: it hands out the addresses.",
				"If the address is set by hand, check the settings with your IT team."}
	case result.ReasonAddressNoDefaultRoute:
		return "Your computer has an address but no default gateway, so it does not know where to send traffic beyond the local network.",
			[]string{"Reconnect to the network so DHCP sets the gateway again.",
				"If the network settings were entered by hand, add the router's address as the default gateway.",
				"Tell IT if the DHCP server gives no gateway."}
	case result.ReasonAddressRouteWithoutAddress:
		return fmt.Sprintf("Your computer has a default route (%s) but no usable address of that kind, so that route cannot be used.", cause.Target),
			[]string{"Reconnect to the network so the computer asks for an address again.", "Check the network settings with your IT team."}
	}
	return fmt.Sprintf("Your computer has no usable IP address (%s).", cause.Target),
		[]string{"Reconnect to the network so the computer asks for an address again.", "Restart the router.", "Check the network settings with your IT team."}
}

func explainAddressWarn(cause result.Check) (string, []string) {
	if cause.Reason == result.ReasonAddressDHCPFailed {
		return fmt.Sprintf("Your computer got no IPv4 address from DHCP on %s (only 169.254.x.x), but works over its other addresses.", cause.Target),
			[]string{"Restart the router: it hands out the addresses (DHCP).", "Tell IT if IPv4 is needed on this network."}
	}
	return fmt.Sprintf("The address configuration has a warning (%s).", cause.Target), []string{"Check the details below."}
}

func explainGateway(cause result.Check) (string, []string) {
	switch cause.Reason {
	case result.ReasonGatewayMisconfigured:
		gw := ev(cause, "configured_gateway")
		if r := ev(cause, "router_found"); r != "" {
			return fmt.Sprintf("Your computer's default gateway is set to %s, but nothing answers there, while %s answers on this network and is probably the router: the gateway setting is wrong.", gw, r),
				[]string{fmt.Sprintf("If the network settings were entered by hand, set the default gateway to the router's address (probably %s), or switch to automatic (DHCP).", r),
					"If DHCP set it, tell IT the DHCP server hands out a wrong gateway.",
					"Reconnect to the network so the computer asks for its settings again."}
		}
		return fmt.Sprintf("Your computer's default gateway (%s) is on none of its networks and does not answer: the gateway setting is wrong.", gw),
			[]string{"If the network settings were entered by hand, set the default gateway to the router's address on this network, or switch to automatic (DHCP).",
				"Tell IT the gateway setting does not fit this network's addresses."}
	case result.ReasonGatewayNone:
		return "Your computer has no default gateway (router) configured.",
			[]string{"Reconnect to the network so DHCP sets the gateway again.",
				"If the settings were entered by hand, add the router's address as the default gateway."}
	case result.ReasonGatewayNotMeasured:
		return fmt.Sprintf("Your computer's router (%s) could not be checked: ping is not permitted for this user.", cause.Target),
			[]string{"Run netprobe as an administrator, or allow ping for this user."}
	}
	return fmt.Sprintf("Your computer cannot reach its router (%s): it does not answer.", cause.Target),
		[]string{"Check that the router is switched on and its lights look normal.",
			"Check the cable or Wi-Fi between this computer and the router.",
			"Restart the router; if other computers have the same problem, the router is at fault."}
}

// explainPathWarn words a degraded gateway or internet layer: loss,
// slowness (with the hop where it starts, when a trace found it), or a
// judge's note.
func explainPathWarn(l result.LayerResult, cause result.Check) (string, []string) {
	where := "the internet"
	if l.Name == result.Gateway {
		where = "your router"
	}
	switch cause.Reason {
	case result.ReasonGatewayLoss, result.ReasonInternetLoss, result.ReasonPathLossFromHop:
		lossy := cause
		if cause.Reason == result.ReasonPathLossFromHop {
			lossy = firstWith(l, result.ReasonGatewayLoss, result.ReasonInternetLoss)
		}
		s := "Your connection works but is unreliable"
		if lossy.Reason != "" {
			s += fmt.Sprintf(": %s%% of packets to %s (%s) are lost", ev(lossy, "loss_pct"), where, lossy.Target)
		}
		if hop := traceWith(l, result.ReasonPathLossFromHop); hop != nil {
			s += "; " + lossFromHopClause(*hop)
		}
		return s + ".", []string{"On Wi-Fi, move closer to the router or use a cable; check the cable and its sockets.",
			"Restart the router and modem.",
			"If it stays, tell your internet provider (or IT) about the packet loss, with this report."}
	case result.ReasonGatewaySlow, result.ReasonInternetSlow:
		return fmt.Sprintf("Your connection works but is slow: replies from %s (%s) take %s ms on average.", where, cause.Target, firstOf(ev(cause, "avg_ms"), ev(cause, "rtt_ms"))),
			[]string{"Check whether something on the network uses all the bandwidth (large downloads, backups, video).",
				"Restart the router and modem.",
				"If it stays, tell your internet provider (or IT), with this report."}
	case result.ReasonGatewayARPOnly:
		return fmt.Sprintf("Your router (%s) is on the network but answers neither ping nor TCP.", cause.Target),
			[]string{"Nothing needs to be done if the internet works; otherwise restart the router."}
	case result.ReasonGatewayIgnoresProbes, result.ReasonInternetUpstreamsQuiet:
		return "The connection works, but " + l.Note + ".", []string{"Nothing needs to be done unless something else fails."}
	case result.ReasonInternetIPv6Broken:
		bad := checksWith(l, result.Fail)
		return fmt.Sprintf("IPv6 is set up on this computer but does not reach the internet (%s does not answer), while IPv4 works: programs try IPv6 first and wait for it to fail before using IPv4, so pages and apps start slowly or time out.", distinct(bad, "")),
			[]string{"Fix IPv6 on the router (its IPv6 internet connection or prefix), or turn IPv6 off on the router until it works.",
				"Tell your internet provider that IPv6 does not work on your line, with this report.",
				"As a workaround on this computer only, turn IPv6 off in the network adapter's settings."}
	case result.ReasonGatewayPartlyAnswered, result.ReasonInternetPartlyAnswered:
		bad := checksWith(l, result.Fail)
		return fmt.Sprintf("Part of the path to %s has a problem: %s does not answer, the others do.", where, distinct(bad, "")),
			[]string{"Nothing urgent: traffic still gets through.", "If it stays, tell IT or your internet provider, with this report."}
	}
	return fmt.Sprintf("Part of the path to %s has a problem (%s).", where, cause.Target),
		[]string{"Restart the router and modem.", "If it stays, tell your internet provider (or IT), with this report."}
}

func firstOf(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return "?"
}

// traceWith returns the layer's trace check with reason r, if any.
func traceWith(l result.LayerResult, r result.Reason) *result.Check {
	for i := range l.Checks {
		if l.Checks[i].Name == "trace" && l.Checks[i].Reason == r {
			return &l.Checks[i]
		}
	}
	return nil
}

func lossFromHopClause(trace result.Check) string {
	addr := ev(trace, "loss_from_addr")
	if addr == "" {
		addr = "a router"
	}
	return fmt.Sprintf("a trace of the path to %s shows the loss starting at hop %s (%s) and staying to the end: the fault is at or after that router",
		strings.TrimSpace(trace.Target), ev(trace, "loss_from_hop"), addr)
}

// firstWith returns the layer's first check with one of the codes (an
// empty check when there is none).
func firstWith(l result.LayerResult, codes ...result.Reason) result.Check {
	for _, c := range l.Checks {
		for _, r := range codes {
			if c.Reason == r {
				return c
			}
		}
	}
	return result.Check{Evidence: map[string]any{}}
}
