package diagnose

import (
	"fmt"
	"net/netip"

	"github.com/netprobe/netprobe/result"
)

// The words for the DNS layer. Advice depends on where the failing
// resolver is: this computer's own DNS service (127.0.0.53 is
// systemd-resolved), the router, a server on the local network or
// beyond it (a company server), or a public one.

// resolverKind says what a resolver address is to this computer.
type resolverKind int

const (
	resolverOther  resolverKind = iota // off the local network: a company or provider server
	resolverLocal                      // this computer's own DNS service (loopback)
	resolverRouter                     // the default gateway relays DNS
	resolverPublic                     // a public resolver
)

// kindOf classifies a resolver ("1.2.3.4" or "1.2.3.4:5353") using the
// gateway addresses the run found.
func kindOf(resolver string, all []result.LayerResult) resolverKind {
	a, err := netip.ParseAddr(resolver)
	if err != nil {
		ap, err := netip.ParseAddrPort(resolver)
		if err != nil {
			return resolverOther
		}
		a = ap.Addr()
	}
	switch {
	case a.IsLoopback():
		return resolverLocal
	case isGateway(a, all):
		return resolverRouter
	case isPublic(a):
		return resolverPublic
	}
	return resolverOther
}

func isGateway(a netip.Addr, all []result.LayerResult) bool {
	gw := find(all, result.Gateway)
	if gw == nil {
		return false
	}
	for _, c := range gw.Checks {
		if g, err := netip.ParseAddr(c.Target); err == nil && g == a {
			return true
		}
	}
	return false
}

// silentAdvice is what to do about a resolver that gives no usable
// answer, by where it is.
func silentAdvice(kind resolverKind, resolver string) []string {
	switch kind {
	case resolverLocal:
		return []string{
			fmt.Sprintf("This computer's own DNS service (at %s) does not work: restart it (on Linux with systemd: sudo systemctl restart systemd-resolved), or restart the computer.", resolver),
			"If it stays, check which DNS servers that service forwards to (resolvectl status) and whether they answer.",
			"Reconnecting to the network (or the VPN) usually resets this service's settings.",
		}
	case resolverRouter:
		return []string{
			fmt.Sprintf("Restart the router (%s): it is this network's DNS server.", resolver),
			"If that does not help, set another DNS server (your provider's, or a public one) in the network settings.",
			"If the problem stays, send this report to your internet provider.",
		}
	case resolverPublic:
		return []string{
			fmt.Sprintf("The public DNS server %s does not answer from this network: a firewall may block DNS. Ask IT.", resolver),
			"Try the DNS server your network hands out (DHCP) instead.",
		}
	}
	return []string{
		fmt.Sprintf("Tell IT that the DNS server %s does not answer.", resolver),
		"To confirm, try another DNS server in the network settings.",
		"If you use a VPN, connect it: a company DNS server may only answer inside.",
	}
}

func explainDNSFail(l result.LayerResult, cause result.Check, all []result.LayerResult) (string, []string) {
	bad := checksWith(l, result.Fail)
	resolver := ev(cause, "resolver")
	kind := kindOf(resolver, all)
	name := firstOf(ev(cause, "name"), cause.Target)
	switch cause.Reason {
	case result.ReasonDNSWrongAnswer:
		return explainWrongAnswer(cause, all)
	case result.ReasonDNSNoResolvers:
		return "No DNS server is configured on this computer, so names cannot be looked up.",
			[]string{"Reconnect to the network so DHCP sets the DNS servers again.",
				"If the settings are entered by hand, add a DNS server (your router's address, or your provider's)."}
	case result.ReasonDNSNXDomain:
		nx := withReason(l, result.Fail, result.ReasonDNSNXDomain)
		names := distinct(nx, "name")
		return fmt.Sprintf("The name %s does not exist in DNS (NXDOMAIN), so it cannot be reached by name.", names),
			[]string{"Check the spelling of " + names + ".",
				"If the name is right, the owner of the domain must add or fix its DNS record.",
				"If it is an internal name, check that this computer uses the company's DNS server (VPN connected?)."}
	case result.ReasonDNSConnRefused:
		servers := distinct(withReason(l, result.Fail, result.ReasonDNSConnRefused), "resolver")
		s := fmt.Sprintf("The network works, but no DNS server runs at %s (it refuses the connection), so names cannot be looked up.", servers)
		if kind == resolverLocal {
			return s, silentAdvice(kind, resolver)
		}
		return s, []string{"Check the DNS server address in the network settings (or the router's DHCP settings).",
			"Restart the router if it is the DNS server: its DNS service may have stopped.",
			"If the DNS server is a company server, tell IT its DNS service is down."}
	case result.ReasonDNSTimeout, result.ReasonDNSError:
		servers := distinct(withReason(l, result.Fail, result.ReasonDNSTimeout, result.ReasonDNSError), "resolver")
		return fmt.Sprintf("The network works, but your DNS server (%s) does not answer, so names cannot be looked up.", servers),
			silentAdvice(kind, resolver)
	case result.ReasonDNSMalformed:
		return fmt.Sprintf("Your DNS server (%s) answers with replies that are not valid DNS, so names cannot be looked up.", resolver),
			append([]string{"Something between this computer and the DNS server may be rewriting DNS (a firewall, a captive portal, a broken router)."}, silentAdvice(kind, resolver)[:1]...)
	case result.ReasonDNSServfail:
		servers := distinct(withReason(l, result.Fail, result.ReasonDNSServfail), "resolver")
		names := distinct(withReason(l, result.Fail, result.ReasonDNSServfail), "name")
		return fmt.Sprintf("Your DNS server (%s) fails to look up %s (SERVFAIL): it cannot get an answer from the internet's DNS.", servers, names),
			[]string{silentAdvice(kind, resolver)[0],
				"Try another DNS server to tell a broken server from a broken domain.",
				"If only this name fails everywhere, the domain's own DNS is broken: tell its owner."}
	case result.ReasonDNSRefused:
		return fmt.Sprintf("Your DNS server (%s) refuses to answer this computer (REFUSED).", distinct(withReason(l, result.Fail, result.ReasonDNSRefused), "resolver")),
			[]string{"Check the DNS server set in the network settings: it may be the wrong one.",
				"If you use a VPN, connect it: the company DNS may only answer inside.",
				"Tell IT the DNS server refuses this computer."}
	case result.ReasonDNSReferenceOnly:
		return "Your DNS server cannot look up " + distinct(withReason(l, result.Fail, result.ReasonDNSReferenceOnly), "") + ", but other DNS servers can: the fault is your DNS server.",
			silentAdvice(kind, firstResolver(bad))
	case result.ReasonDNSNoData:
		return fmt.Sprintf("The name %s exists in DNS but has no address (no A or AAAA record).", name),
			[]string{"If the name is right, the owner of the domain must add its address record.", "Check the spelling of the name."}
	}
	return fmt.Sprintf("Name lookup (DNS) fails for %s.", name),
		[]string{"Restart the router: it often relays DNS.", "Try another DNS server in the network settings."}
}

// firstResolver is the resolver of the first system dns check in cs.
func firstResolver(cs []result.Check) string {
	for _, c := range cs {
		if r := ev(c, "resolver"); r != "" {
			return r
		}
	}
	return ""
}

func explainWrongAnswer(c result.Check, all []result.LayerResult) (string, []string) {
	name, wrong, right := ev(c, "name"), ev(c, "system_address"), ev(c, "reference_address")
	resolver := ev(c, "resolver")
	who := "Your DNS server"
	if resolver != "" {
		who += " (" + resolver + ")"
	}
	s := fmt.Sprintf("%s gives a wrong address for %s: %s instead of %s. netprobe reached %s at %s, the address public DNS servers give, but not at %s.",
		who, name, wrong, right, ev(c, "service"), right, wrong)
	advice := []string{fmt.Sprintf("Tell IT (or whoever runs the DNS for %s) that its record is wrong or stale: it should be %s.", name, right)}
	switch kindOf(resolver, all) {
	case resolverLocal:
		advice = append(advice, "Clear this computer's DNS cache (Linux: resolvectl flush-caches; Windows: ipconfig /flushdns; macOS: sudo dscacheutil -flushcache) and check the hosts file.")
	case resolverRouter:
		advice = append(advice, "Restart the router: its DNS cache may hold a stale record.")
	}
	advice = append(advice, "As a workaround, set another DNS server in the network settings.")
	return s, advice
}

func explainDNSWarn(l result.LayerResult, cause result.Check) (string, []string) {
	switch cause.Reason {
	case result.ReasonDNSSlow:
		s := fmt.Sprintf("Names resolve, but slowly: your DNS server (%s) takes %s ms to answer (median), so every new web page or app connection waits that long first.",
			ev(cause, "resolver"), ev(cause, "median_ms"))
		if ref := ev(cause, "reference_median_ms"); ref != "" {
			s += fmt.Sprintf(" Public DNS servers answer in %s ms from here.", ref)
		}
		return s, []string{
			"Restart the router if it is the DNS server: a busy or failing DNS relay answers slowly.",
			"Try another DNS server (your provider's, or a public one) in the network settings and compare.",
			"If the DNS server is a company server, tell IT it answers slowly, with this report.",
		}
	case result.ReasonDNSMismatch:
		return "Your DNS server answers " + cause.Target + " differently from public DNS servers: a content filter, a CDN, or a wrong record.",
			[]string{"If the site does not load or looks wrong, try another DNS server.", "Tell IT if you did not expect a DNS filter."}
	case result.ReasonDNSPartlyFailing:
		var dead []result.Check
		for _, c := range l.Checks {
			if c.Name == "dns" && c.Status == result.Fail && ev(c, "role") != "reference" {
				dead = append(dead, c)
			}
		}
		return fmt.Sprintf("One of your DNS servers (%s) does not work; another one does, so names still resolve, but lookups may be slow or fail at times.", distinct(dead, "resolver")),
			[]string{"Remove or replace the broken DNS server in the network settings (or the router's DHCP settings).",
				"Tell IT which DNS server does not answer."}
	}
	return fmt.Sprintf("DNS works, with a warning (%s).", cause.Target), []string{"Check the details below."}
}
