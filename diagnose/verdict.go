package diagnose

import (
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strings"

	"github.com/netprobe/netprobe/result"
)

// Decide names the layer at fault and explains it. It is pure: the same
// layers always give the same verdict. The lowest failing layer is the
// cause; failing layers above it that depend on it are its consequences;
// failing layers that do not depend on it (a printer on the local network
// does not need the internet) are listed as independent problems. With no
// failure, the lowest warning layer makes the run "degraded".
func Decide(layers []result.LayerResult) result.Verdict {
	v := result.Verdict{Status: result.Healthy, Layer: result.None, Advice: []string{}, Evidence: []string{}, Consequences: []result.Layer{}}
	var root *result.LayerResult
	for i := range layers {
		if layers[i].Status == result.Fail {
			root = &layers[i]
			break
		}
	}
	if root != nil {
		v.Status, v.Layer = result.Failed, root.Name
		for _, l := range layers {
			if l.Name <= root.Name || l.Status != result.Fail {
				continue
			}
			if layerDependsOn(l, root.Name) {
				v.Consequences = append(v.Consequences, l.Name)
			} else {
				v.Independent = append(v.Independent, l.Name)
			}
		}
		v.Summary, v.Advice = explainFail(*root, layers)
		v.Evidence = evidence(*root, result.Fail)
		if len(v.Consequences) > 0 {
			v.Summary += " " + consequenceSentence(v.Consequences)
		}
		return v
	}
	for i := range layers {
		if layers[i].Status == result.Warn {
			l := layers[i]
			v.Status, v.Layer = result.Degraded, l.Name
			v.Summary, v.Advice = explainWarn(l)
			v.Evidence = evidence(l, result.Warn)
			return v
		}
	}
	ran := 0
	for _, l := range layers {
		if l.Status == result.OK {
			ran++
		}
	}
	if ran == 0 {
		v.Summary = "Nothing was measured: every check was skipped."
		v.Advice = []string{"Run netprobe without --layers, or give it something to test (--target, --printer)."}
		return v
	}
	v.Summary = "Everything netprobe tested works: " + layerList(layers) + "."
	if icmpDenied(layers) {
		v.Summary += " Ping was not permitted for this user, so reachability was checked over TCP."
	}
	return v
}

// layerDependsOn says whether the failures of layer l can be explained by
// a failure at root: true when any of its failing checks depends on root.
func layerDependsOn(l result.LayerResult, root result.Layer) bool {
	for _, c := range l.Checks {
		if c.Status == result.Fail && checkDependsOn(c, root) {
			return true
		}
	}
	return false
}

// checkDependsOn says whether check c needs layer root to work. Everything
// needs a link and an address. A printer is on the local network: it does
// not need the router or the internet, and needs DNS only when it is named
// by host name. A service addressed by IP does not need DNS.
func checkDependsOn(c result.Check, root result.Layer) bool {
	if root >= c.Layer {
		return false
	}
	switch root {
	case result.Link, result.Address:
		return true
	case result.Gateway, result.Internet:
		return c.Layer != result.Printer
	case result.DNS:
		return !isIPTarget(c.Target)
	}
	return true
}

// isIPTarget reports whether a check's target names its host by IP
// address ("10.77.1.20", "tcp://198.18.1.1:22", "https://[fd00::1]/").
func isIPTarget(t string) bool {
	host := t
	if u, err := url.Parse(t); err == nil && u.Host != "" {
		host = u.Hostname()
	} else if h, _, err := net.SplitHostPort(t); err == nil {
		host = h
	}
	_, err := netip.ParseAddr(strings.Trim(host, "[]"))
	return err == nil
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

func layerList(layers []result.LayerResult) string {
	var n []string
	for _, l := range layers {
		if l.Status == result.OK {
			n = append(n, l.Name.String())
		}
	}
	return strings.Join(n, ", ")
}

// evidence lists the details of the checks that carry the verdict.
func evidence(l result.LayerResult, st result.Status) []string {
	out := []string{}
	for _, c := range l.Checks {
		if c.Status == st && len(out) < 4 {
			out = append(out, c.Detail)
		}
	}
	if l.Note != "" {
		out = append(out, l.Note)
	}
	return out
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

func ev(c result.Check, key string) string {
	switch v := c.Evidence[key].(type) {
	case string:
		return v
	case fmt.Stringer:
		return v.String()
	case nil:
		return ""
	default:
		return fmt.Sprint(v)
	}
}

func explainFail(l result.LayerResult, all []result.LayerResult) (string, []string) {
	bad := checksWith(l, result.Fail)
	first := result.Check{Evidence: map[string]any{}}
	if len(bad) > 0 {
		first = bad[0]
	}
	switch l.Name {
	case result.Link:
		var off, unplugged []string
		for _, c := range bad {
			if up, _ := c.Evidence["admin_up"].(bool); !up && c.Evidence["admin_up"] != nil {
				off = append(off, c.Target)
			} else {
				unplugged = append(unplugged, c.Target)
			}
		}
		if len(off) > 0 && len(unplugged) == 0 {
			return fmt.Sprintf("Your computer is not connected to any network: the network adapter %s is switched off.", strings.Join(off, ", ")),
				[]string{"Turn the network adapter on (in the network settings, or with the Wi-Fi switch or key).",
					"If it is a cable connection, check the cable is plugged in at both ends.",
					"Restart the computer if the adapter does not come back."}
		}
		return "Your computer is not connected to any network: no network adapter has a working connection.",
			[]string{"Check that the network cable is plugged in at both ends, or that Wi-Fi is on and connected.",
				"Try another cable, socket or Wi-Fi network to tell a broken cable from a broken adapter.",
				"Restart the computer if the adapter does not come back."}
	case result.Address:
		for _, c := range bad {
			if ap, _ := c.Evidence["apipa"].(bool); ap {
				return fmt.Sprintf("Your computer did not get an address from the network: DHCP did not answer on %s, so it gave itself a 169.254.x.x address that works nowhere.", c.Target),
					[]string{"Restart the router: it hands out the addresses (DHCP).",
						"Unplug and replug the cable, or reconnect to Wi-Fi, so the computer asks again.",
						"If the problem stays, tell IT that the DHCP server does not answer on this network."}
			}
		}
		if first.Name == "route" && strings.Contains(first.Detail, "no IPv") && strings.Contains(first.Detail, "address and no") {
			return "Your computer has no IP address on the network, so it cannot talk to anything beyond its own cable or Wi-Fi.",
				[]string{"Reconnect to the network so the computer asks for an address again (DHCP).",
					"Restart the router: it hands out the addresses.",
					"If the address is set by hand, check the settings with your IT team."}
		}
		if first.Name == "route" {
			return "Your computer has an address but no default gateway, so it does not know where to send traffic beyond the local network.",
				[]string{"Reconnect to the network so DHCP sets the gateway again.",
					"If the network settings were entered by hand, add the router's address as the default gateway.",
					"Tell IT if the DHCP server gives no gateway."}
		}
		return "Your computer has no usable IP address: " + first.Detail + ".",
			[]string{"Reconnect to the network so the computer asks for an address again.", "Restart the router.", "Check the network settings with your IT team."}
	case result.Gateway:
		target := first.Target
		if first.Name == "gateway" {
			return "Your computer has no default gateway (router) configured.",
				[]string{"Reconnect to the network so DHCP sets the gateway again.", "If the settings were entered by hand, add the router's address as the default gateway."}
		}
		return fmt.Sprintf("Your computer cannot reach its router (%s): it does not answer.", target),
			[]string{"Check that the router is switched on and its lights look normal.",
				"Check the cable or Wi-Fi between this computer and the router.",
				"Restart the router; if other computers have the same problem, the router is at fault."}
	case result.Internet:
		s := "Your computer reaches its router, but the router does not reach the internet: "
		if gw := find(all, result.Gateway); gw == nil || gw.Status == result.Skip {
			s = "Your computer cannot reach the internet: "
		}
		var targets []string
		for _, c := range bad {
			targets = append(targets, c.Target)
		}
		return s + "none of " + strings.Join(targets, ", ") + " answers.",
			[]string{"Check the modem or internet line: its lights, then restart the modem and the router.",
				"Check your internet provider's service status, or call them.",
				"On an office network, a firewall may block outgoing traffic: ask IT."}
	case result.DNS:
		return explainDNS(bad)
	case result.Service:
		return explainService(first)
	case result.Printer:
		return explainPrinter(first)
	}
	return first.Detail, []string{}
}

func find(all []result.LayerResult, l result.Layer) *result.LayerResult {
	for i := range all {
		if all[i].Name == l {
			return &all[i]
		}
	}
	return nil
}

func explainDNS(bad []result.Check) (string, []string) {
	var silent, nx, servfail, refused, compare []result.Check
	var other []result.Check
	for _, c := range bad {
		if c.Name == "dns-compare" {
			compare = append(compare, c)
			continue
		}
		switch ev(c, "rcode") {
		case "timeout", "error":
			silent = append(silent, c)
		case "NXDOMAIN":
			nx = append(nx, c)
		case "SERVFAIL":
			servfail = append(servfail, c)
		case "REFUSED":
			refused = append(refused, c)
		default:
			other = append(other, c)
		}
	}
	servers := func(cs []result.Check) string {
		var s []string
		seen := map[string]bool{}
		for _, c := range cs {
			r := ev(c, "resolver")
			if r != "" && !seen[r] {
				seen[r] = true
				s = append(s, r)
			}
		}
		return strings.Join(s, ", ")
	}
	names := func(cs []result.Check) string {
		var s []string
		seen := map[string]bool{}
		for _, c := range cs {
			n := ev(c, "name")
			if n == "" {
				n = c.Target
			}
			if !seen[n] {
				seen[n] = true
				s = append(s, n)
			}
		}
		return strings.Join(s, ", ")
	}
	switch {
	case len(nx) > 0:
		return fmt.Sprintf("The name %s does not exist in DNS (NXDOMAIN), so it cannot be reached by name.", names(nx)),
			[]string{"Check the spelling of " + names(nx) + ".",
				"If the name is right, the owner of the domain must add or fix its DNS record.",
				"If it is an internal name, check that this computer uses the company's DNS server (VPN connected?)."}
	case len(silent) > 0 && len(servfail)+len(refused) == 0 && strings.Contains(silent[0].Detail, "does not run a DNS server"):
		return fmt.Sprintf("The network works, but no DNS server runs at %s (it refuses the connection), so names cannot be looked up.", servers(silent)),
			[]string{"Check the DNS server address in the network settings (or the router's DHCP settings).",
				"Restart the router if it is the DNS server: its DNS service may have stopped.",
				"If the DNS server is a company server, tell IT its DNS service is down."}
	case len(silent) > 0 && len(servfail)+len(refused) == 0:
		return fmt.Sprintf("The network works, but your DNS server (%s) does not answer, so names cannot be looked up.", servers(silent)),
			[]string{"Restart the router: it often relays DNS.",
				"To confirm, try another DNS server (your provider's, or a public one) in the network settings.",
				"If the DNS server is a company server, tell IT it does not answer."}
	case len(servfail) > 0:
		return fmt.Sprintf("Your DNS server (%s) fails to look up %s (SERVFAIL): it cannot get an answer from the internet's DNS.", servers(servfail), names(servfail)),
			[]string{"Restart the router: it often relays DNS.",
				"Try another DNS server to tell a broken server from a broken domain.",
				"If only this name fails everywhere, the domain's own DNS is broken: tell its owner."}
	case len(refused) > 0:
		return fmt.Sprintf("Your DNS server (%s) refuses to answer this computer (REFUSED).", servers(refused)),
			[]string{"Check the DNS server set in the network settings: it may be the wrong one.",
				"If you use a VPN, connect it: the company DNS may only answer inside.",
				"Tell IT the DNS server refuses this computer."}
	case len(compare) > 0:
		return "Your DNS server cannot look up " + names(compare) + ", but other DNS servers can: the fault is your DNS server.",
			[]string{"Restart the router: it often relays DNS.", "Use another DNS server in the network settings.", "Tell IT or your provider the DNS server is broken."}
	}
	c := result.Check{}
	if len(other) > 0 {
		c = other[0]
	} else if len(bad) > 0 {
		c = bad[0]
	}
	return "Name lookup (DNS) fails: " + c.Detail + ".",
		[]string{"Restart the router: it often relays DNS.", "Try another DNS server in the network settings."}
}

func explainService(c result.Check) (string, []string) {
	state := ev(c, "port_state")
	port := ev(c, "port")
	switch {
	case c.Name == "tls":
		why := ev(c, "verify_error")
		if why == "" {
			why = c.Detail
		}
		return fmt.Sprintf("The network works, but %s has a security (TLS) problem: %s.", c.Target, why),
			[]string{"Tell the site's administrator: the certificate must be renewed or fixed.",
				"Check that this computer's date and time are correct.",
				"Do not click through certificate warnings for this site until it is fixed."}
	case c.Name == "http":
		return fmt.Sprintf("The network works and %s answers, but with an error: %s.", c.Target, c.Detail),
			[]string{"The problem is on the server: tell its administrator.", "Try again later: the server may be overloaded or restarting."}
	case state == "filtered":
		return fmt.Sprintf("The network works, but %s does not answer on port %s: a firewall silently drops the connection (filtered).", c.Target, port),
			[]string{"A firewall blocks the port: on this computer, on the office network, or at the server. Ask IT which one.",
				"Check the port number is right for this service.",
				"Try from another network (e.g. a phone hotspot) to tell a local block from a server block."}
	case state == "closed":
		return fmt.Sprintf("The network works and the host answers, but nothing listens on port %s of %s (closed): the service is down or uses another port.", port, c.Target),
			[]string{"Tell the service's administrator the service is not running.", "Check the port number is right for this service."}
	case state == "unreachable":
		return fmt.Sprintf("%s cannot be reached: %s.", c.Target, c.Detail),
			[]string{"Check the address of the service.", "A router or firewall on the way rejects it: ask IT."}
	case state == "error":
		return fmt.Sprintf("The service %s cannot be reached: %s.", c.Target, c.Detail),
			[]string{"Check the name of the service.", "Check this computer's DNS settings."}
	}
	return fmt.Sprintf("The service %s fails: %s.", c.Target, c.Detail),
		[]string{"Tell the service's administrator.", "Check the address and port of the service."}
}

func explainPrinter(c result.Check) (string, []string) {
	problems, _ := c.Evidence["problems"].([]string)
	switch ev(c, "condition") {
	case "unreachable":
		if problems, _ := c.Evidence["problems"].([]string); len(problems) > 0 && problems[0] == "No printer service at this address" {
			return fmt.Sprintf("A device answers at %s, but it is not a working printer (print ports closed, no SNMP): the printer probably has another address.", c.Target),
				[]string{"Print a configuration page on the printer to see its current address.",
					"Update the printer's address on this computer (or give the printer a fixed address).",
					"If it is the right address, restart the printer: its print services are not running."}
		}
		return fmt.Sprintf("The printer %s does not answer at all: it is off, disconnected, or has another address.", c.Target),
			[]string{"Check that the printer is switched on and its network cable or Wi-Fi is connected.",
				"Print a configuration page on the printer to see its current address.",
				"If the address changed, update it on this computer (or give the printer a fixed address)."}
	case "snmp_silent":
		return fmt.Sprintf("The printer %s is on the network but does not answer status queries (SNMP), so its state is unknown.", c.Target),
			[]string{"Printing may still work: try a test page.",
				"Turn SNMP on in the printer's settings, or give netprobe the right community (--community).",
				"If printing fails too, restart the printer."}
	}
	what := c.Detail
	if len(problems) > 0 {
		what = strings.Join(problems, ", ")
	}
	return fmt.Sprintf("The printer %s reports a problem: %s.", printerName(c), strings.TrimSuffix(what, ".")), printerAdvice(problems)
}

// printerName names a printer the way its owner knows it: the model when
// SNMP told it, with the address.
func printerName(c result.Check) string {
	if m := ev(c, "model"); m != "" && m != c.Target {
		return m + " (" + c.Target + ")"
	}
	return c.Target
}

// printerAdvice turns problem words into steps, most urgent first.
func printerAdvice(problems []string) []string {
	var out []string
	add := func(s string) {
		for _, o := range out {
			if o == s {
				return
			}
		}
		if len(out) < 3 {
			out = append(out, s)
		}
	}
	for _, p := range problems {
		l := strings.ToLower(p)
		switch {
		case strings.Contains(l, "jam"):
			add("Open the printer as its display shows and remove the jammed paper.")
		case strings.Contains(l, "door") || strings.Contains(l, "cover"):
			add("Close the printer's doors and covers.")
		case strings.Contains(l, "paper") || strings.Contains(l, "tray"):
			add("Load paper into the empty tray and check the tray is pushed in.")
		case strings.Contains(l, "waste"):
			add("Replace the waste toner box.")
		case strings.Contains(l, "toner") || strings.Contains(l, "ink") || strings.Contains(l, "cartridge"):
			add("Replace the toner or ink that is empty or low.")
		case strings.Contains(l, "offline"):
			add("Put the printer online (press its Online or Ready button).")
		case strings.Contains(l, "output") || strings.Contains(l, "full"):
			add("Empty the output tray.")
		case strings.Contains(l, "service") || strings.Contains(l, "maintenance"):
			add("Call the printer's service: it asks for maintenance.")
		}
	}
	if len(out) == 0 {
		add("Look at the printer's display for the message, and follow it.")
		add("Restart the printer if the message stays.")
	}
	return out
}

func explainWarn(l result.LayerResult) (string, []string) {
	warn := checksWith(l, result.Warn)
	first := result.Check{Evidence: map[string]any{}}
	if len(warn) > 0 {
		first = warn[0]
	}
	switch l.Name {
	case result.Gateway, result.Internet:
		where := "the internet"
		if l.Name == result.Gateway {
			where = "your router"
		}
		if loss := ev(first, "loss_pct"); loss != "" && loss != "0" && strings.Contains(first.Detail, "loss") {
			return fmt.Sprintf("Your connection works but is unreliable: %s%% of packets to %s (%s) are lost.", loss, where, first.Target),
				[]string{"On Wi-Fi, move closer to the router or use a cable; check the cable and its sockets.",
					"Restart the router and modem.",
					"If it stays, tell your internet provider (or IT) about the packet loss, with this report."}
		}
		if strings.Contains(first.Detail, "slow") {
			return fmt.Sprintf("Your connection works but is slow: replies from %s (%s) take %s ms on average.", where, first.Target, ev(first, "avg_ms")),
				[]string{"Check whether something on the network uses all the bandwidth (large downloads, backups, video).",
					"Restart the router and modem.",
					"If it stays, tell your internet provider (or IT), with this report."}
		}
		if l.Note != "" {
			return "The connection works, but " + l.Note + ".", []string{"Nothing needs to be done unless something else fails."}
		}
		return fmt.Sprintf("Part of the path to %s has a problem: %s.", where, first.Detail),
			[]string{"Restart the router and modem.", "If it stays, tell your internet provider (or IT), with this report."}
	case result.DNS:
		var silent []string
		for _, c := range warn {
			if c.Name == "dns-compare" {
				return "Your DNS server answers " + c.Target + " differently from public DNS servers: a content filter, a CDN, or a wrong record.",
					[]string{"If the site does not load or looks wrong, try another DNS server.", "Tell IT if you did not expect a DNS filter."}
			}
		}
		for _, c := range l.Checks {
			if c.Name == "dns" && c.Status == result.Fail && ev(c, "role") != "reference" {
				silent = append(silent, ev(c, "resolver"))
			}
		}
		silent = dedupeStrings(silent)
		return fmt.Sprintf("One of your DNS servers (%s) does not work; another one does, so names still resolve, but lookups may be slow or fail at times.", strings.Join(silent, ", ")),
			[]string{"Remove or replace the broken DNS server in the network settings (or the router's DHCP settings).",
				"Tell IT which DNS server does not answer."}
	case result.Printer:
		problems, _ := first.Evidence["problems"].([]string)
		what := first.Detail
		if len(problems) > 0 {
			what = strings.Join(problems, ", ")
		}
		return fmt.Sprintf("The printer %s works but needs attention: %s.", printerName(first), strings.TrimSuffix(what, ".")), printerAdvice(problems)
	case result.Service:
		return fmt.Sprintf("The service %s works, with a warning: %s.", first.Target, first.Detail),
			[]string{"Tell the service's administrator."}
	}
	return fmt.Sprintf("The %s layer has a warning: %s.", l.Name, first.Detail), []string{"Check the details below."}
}

func dedupeStrings(s []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, v := range s {
		if v != "" && !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
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
