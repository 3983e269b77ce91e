package diagnose

import (
	"reflect"
	"strings"
	"testing"

	"github.com/netprobe/netprobe/result"
)

// chk builds a check; ev is key, value pairs.
func chk(l result.Layer, name, target string, st result.Status, reason result.Reason, detail string, ev ...any) result.Check {
	c := result.Check{Name: name, Layer: l, Target: target, Status: st, Reason: reason, Detail: detail, Evidence: map[string]any{}}
	for i := 0; i+1 < len(ev); i += 2 {
		c.Evidence[ev[i].(string)] = ev[i+1]
	}
	return c
}

var (
	linkOK   = chk(result.Link, "link", "eth0", result.OK, "", "eth0 is up", "admin_up", true)
	linkDown = chk(result.Link, "link", "eth0", result.Fail, result.ReasonLinkAdminDown, "eth0 is switched off", "admin_up", false)
	linkCut  = chk(result.Link, "link", "eth0", result.Fail, result.ReasonLinkNoCarrier, "eth0 has no link", "admin_up", true)
	addrOK   = chk(result.Address, "address", "eth0", result.OK, "", "eth0 has 10.77.1.10/24")
	routeOK  = chk(result.Address, "route", "IPv4 default route", result.OK, "", "via 10.77.1.1")
	apipa    = chk(result.Address, "address", "eth0", result.Fail, result.ReasonAddressDHCPFailed, "only 169.254", "apipa", true)
	noRoute  = chk(result.Address, "route", "IPv4 default route", result.Fail, result.ReasonAddressNoDefaultRoute, "no IPv4 default route")
	noConfig = chk(result.Address, "route", "IPv4 default route", result.Fail, result.ReasonAddressNoConfig, "no IPv4 address and no route")
	gwOK     = chk(result.Gateway, "ping", "10.77.1.1", result.OK, "", "answers", "method", "icmp")
	gwFail   = chk(result.Gateway, "ping", "10.77.1.1", result.Fail, result.ReasonGatewayNoReply, "does not answer", "method", "none")
	gwNone   = chk(result.Gateway, "gateway", "default gateway", result.Fail, result.ReasonGatewayNone, "none")
	upOK     = chk(result.Internet, "ping", "198.18.1.1", result.OK, "", "answers", "method", "icmp")
	upFail   = chk(result.Internet, "ping", "198.18.1.1", result.Fail, result.ReasonInternetNoReply, "does not answer", "method", "none")
	upFail2  = chk(result.Internet, "ping", "198.18.1.2", result.Fail, result.ReasonInternetNoReply, "does not answer", "method", "none")
	upLoss   = chk(result.Internet, "ping", "198.18.1.1", result.Warn, result.ReasonInternetLoss, "answers ping, but 30% packet loss", "loss_pct", 30.0)
	upSlow   = chk(result.Internet, "ping", "198.18.1.1", result.Warn, result.ReasonInternetSlow, "answers ping, but slow", "avg_ms", 612.3)
)

var rcodeReasons = map[string]result.Reason{
	"timeout": result.ReasonDNSTimeout, "SERVFAIL": result.ReasonDNSServfail, "REFUSED": result.ReasonDNSRefused,
	"NXDOMAIN": result.ReasonDNSNXDomain, "error": result.ReasonDNSConnRefused,
}

func dnsChk(name, resolver, role string, st result.Status, rcode string) result.Check {
	var r result.Reason
	if st != result.OK {
		r = rcodeReasons[rcode]
	}
	if st == result.Skip {
		r = result.ReasonDNSReferenceQuiet
	}
	return chk(result.DNS, "dns", name+" @"+resolver, st, r, "resolver "+resolver+" "+rcode, "name", name, "resolver", resolver, "role", role, "rcode", rcode)
}

var stateReasons = map[string]result.Reason{
	"filtered": result.ReasonTCPFiltered, "closed": result.ReasonTCPClosed, "error": result.ReasonTCPUnresolved,
}

func svc(target string, st result.Status, state string) result.Check {
	return chk(result.Service, "tcp", target, st, stateReasons[state], "port "+state, "port_state", state, "port", 443)
}

func printerChk(target string, st result.Status, reason result.Reason, faults ...result.Problem) result.Check {
	c := chk(result.Printer, "printer", target, st, reason, "printer "+string(reason))
	if len(faults) > 0 {
		c.With("faults", faults)
	}
	return c
}

var (
	jam      = result.Problem{Code: result.ReasonPrinterJammed, Status: result.Fail, Text: "Paper jam"}
	trayOut  = result.Problem{Code: result.ReasonPrinterTrayEmpty, Status: result.Warn, Text: "Tray 2 empty"}
	lowBlack = result.Problem{Code: result.ReasonPrinterLowToner, Status: result.Warn, Text: "Black toner low (4%)"}
)

type verdictCase struct {
	name         string
	checks       []result.Check
	status       result.Overall
	layer        result.Layer
	reason       result.Reason
	consequences []result.Layer
	independent  []result.Layer
	summary      string // substring
	advice       string // substring of some step
	notAdvice    string // substring no step may have
}

func verdictCases() []verdictCase {
	lower := []result.Check{linkOK, addrOK, routeOK, gwOK, upOK}
	with := func(extra ...result.Check) []result.Check {
		return append(append([]result.Check{}, lower...), extra...)
	}
	return []verdictCase{
		{name: "healthy", checks: with(dnsChk("a.test", "10.77.1.1", "system", result.OK, "NOERROR"), svc("tcp://a.test:443", result.OK, "open")),
			status: result.Healthy, layer: result.None, summary: "Everything"},
		{name: "adapter switched off takes everything above with it",
			checks: []result.Check{linkDown, noRoute, gwNone, upFail, dnsChk("a.test", "10.77.1.1", "system", result.Fail, "timeout")},
			status: result.Failed, layer: result.Link, reason: result.ReasonLinkAdminDown,
			consequences: []result.Layer{result.Address, result.Gateway, result.Internet, result.DNS}, summary: "switched off"},
		{name: "no carrier is an unplugged cable", checks: []result.Check{linkCut, noConfig},
			status: result.Failed, layer: result.Link, reason: result.ReasonLinkNoCarrier, summary: "no network adapter has a working connection", advice: "cable"},
		{name: "APIPA address means DHCP failed", checks: []result.Check{linkOK, apipa, noRoute, gwFail, upFail},
			status: result.Failed, layer: result.Address, reason: result.ReasonAddressDHCPFailed,
			consequences: []result.Layer{result.Gateway, result.Internet}, summary: "DHCP"},
		{name: "another device holds this computer's address", checks: []result.Check{linkOK, addrOK, routeOK,
			chk(result.Address, "arp-conflict", "eth0 10.77.1.10", result.Fail, result.ReasonAddressConflict, "conflict", "address", "10.77.1.10", "other_mac", "02:00:00:00:00:99"),
			gwFail, upFail},
			status: result.Failed, layer: result.Address, reason: result.ReasonAddressConflict,
			consequences: []result.Layer{result.Gateway, result.Internet}, summary: "same IP address", advice: "02:00:00:00:00:99"},
		{name: "no default route", checks: []result.Check{linkOK, addrOK, noRoute}, status: result.Failed, layer: result.Address,
			reason: result.ReasonAddressNoDefaultRoute, summary: "no default gateway"},
		{name: "gateway down", checks: []result.Check{linkOK, addrOK, routeOK, gwFail, upFail, dnsChk("a.test", "10.77.1.1", "system", result.Fail, "timeout")},
			status: result.Failed, layer: result.Gateway, reason: result.ReasonGatewayNoReply,
			consequences: []result.Layer{result.Internet, result.DNS}, summary: "cannot reach its router"},
		{name: "a silent gateway while another router answers is a wrong setting", checks: []result.Check{linkOK, addrOK, routeOK,
			chk(result.Gateway, "ping", "10.77.1.99", result.Fail, result.ReasonGatewayNoARP, "no ARP"),
			chk(result.Gateway, "gateway-search", "10.77.1.99", result.Fail, result.ReasonGatewayMisconfigured, "found",
				"configured_gateway", "10.77.1.99", "router_found", "10.77.1.1"), upFail},
			status: result.Failed, layer: result.Gateway, reason: result.ReasonGatewayMisconfigured, summary: "probably the router", advice: "10.77.1.1"},
		{name: "gateway silent but internet works is not the gateway's fault", checks: []result.Check{linkOK, addrOK, routeOK, gwFail, upOK},
			status: result.Degraded, layer: result.Gateway, reason: result.ReasonGatewayIgnoresProbes, summary: "passes through"},
		{name: "router does not forward", checks: []result.Check{linkOK, addrOK, routeOK, gwOK, upFail, upFail2},
			status: result.Failed, layer: result.Internet, reason: result.ReasonInternetNoReply, summary: "router does not reach the internet"},
		{name: "a trace names where the path stops", checks: []result.Check{linkOK, addrOK, routeOK, gwOK, upFail,
			chk(result.Internet, "trace", "198.18.1.1", result.Fail, result.ReasonPathStopsAtHop, "stops", "last_hop", 1, "last_hop_addr", "10.77.1.1")},
			status: result.Failed, layer: result.Internet, reason: result.ReasonPathStopsAtHop, summary: "stops at hop 1 (10.77.1.1)"},
		{name: "one upstream of two answering is only a warning", checks: []result.Check{linkOK, addrOK, routeOK, gwOK, upOK, upFail2},
			status: result.Degraded, layer: result.Internet, reason: result.ReasonInternetPartlyAnswered, summary: "198.18.1.2"},
		{name: "silent upstreams but a public DNS server answers", checks: []result.Check{linkOK, addrOK, routeOK, gwOK, upFail,
			dnsChk("a.test", "8.8.8.8", "system", result.OK, "NOERROR")},
			status: result.Degraded, layer: result.Internet, reason: result.ReasonInternetUpstreamsQuiet},
		{name: "silent upstreams but a resolver beyond the router answers", checks: []result.Check{linkOK, addrOK, routeOK, gwOK, upFail,
			chk(result.DNS, "dns", "a.test @198.18.1.53", result.OK, "", "ok", "name", "a.test", "resolver", "198.18.1.53", "role", "system", "off_link", true)},
			status: result.Degraded, layer: result.Internet, reason: result.ReasonInternetUpstreamsQuiet},
		{name: "an on-link resolver answering proves nothing about the internet", checks: []result.Check{linkOK, addrOK, routeOK, gwOK, upFail,
			chk(result.DNS, "dns", "a.test @10.77.1.1", result.OK, "", "ok", "name", "a.test", "resolver", "10.77.1.1", "role", "system", "off_link", false)},
			status: result.Failed, layer: result.Internet},
		{name: "loss is degraded with the figure", checks: []result.Check{linkOK, addrOK, routeOK, gwOK, upLoss},
			status: result.Degraded, layer: result.Internet, reason: result.ReasonInternetLoss, summary: "30% of packets"},
		{name: "loss from a hop is named", checks: []result.Check{linkOK, addrOK, routeOK, gwOK, upLoss,
			chk(result.Internet, "trace", "198.18.1.1", result.Warn, result.ReasonPathLossFromHop, "loss from hop 2", "loss_from_hop", 2, "loss_from_addr", "198.18.0.2")},
			status: result.Degraded, layer: result.Internet, reason: result.ReasonPathLossFromHop, summary: "hop 2 (198.18.0.2)"},
		{name: "latency is degraded", checks: []result.Check{linkOK, addrOK, routeOK, gwOK, upSlow},
			status: result.Degraded, layer: result.Internet, reason: result.ReasonInternetSlow, summary: "slow"},
		{name: "an MTU black hole is the internet's fault, not the certificate's", checks: with(
			svc("https://big.test/", result.OK, "open"),
			chk(result.Service, "tls", "https://big.test/", result.Fail, result.ReasonTLSHandshakeStalled, "stalled"),
			chk(result.Internet, "pmtu", "198.18.1.80:443", result.Fail, result.ReasonPathMTUBlackhole, "black hole", "path_mtu", 1280)),
			status: result.Failed, layer: result.Internet, reason: result.ReasonPathMTUBlackhole, consequences: []result.Layer{result.Service},
			summary: "larger than 1280 bytes", advice: "MTU", notAdvice: "renew"},
		{name: "an unconfirmed TLS stall gets no certificate advice", checks: with(
			svc("https://big.test/", result.OK, "open"),
			chk(result.Service, "tls", "https://big.test/", result.Fail, result.ReasonTLSHandshakeStalled, "stalled")),
			status: result.Failed, layer: result.Service, reason: result.ReasonTLSHandshakeStalled, summary: "not a certificate problem", notAdvice: "renew"},
		{name: "DNS server silent", checks: with(dnsChk("a.test", "10.77.1.53", "system", result.Fail, "timeout"), svc("tcp://a.test:443", result.Fail, "error")),
			status: result.Failed, layer: result.DNS, reason: result.ReasonDNSTimeout, consequences: []result.Layer{result.Service}, summary: "does not answer"},
		{name: "the router as DNS server: restart the router", checks: with(dnsChk("a.test", "10.77.1.1", "system", result.Fail, "timeout")),
			status: result.Failed, layer: result.DNS, reason: result.ReasonDNSTimeout, advice: "Restart the router (10.77.1.1)"},
		{name: "this computer's own DNS service dead: not the router", checks: with(dnsChk("a.test", "127.0.0.53", "system", result.Fail, "timeout")),
			status: result.Failed, layer: result.DNS, reason: result.ReasonDNSTimeout, advice: "systemd-resolved", notAdvice: "router"},
		{name: "SERVFAIL", checks: with(dnsChk("a.test", "10.77.1.53", "system", result.Fail, "SERVFAIL")),
			status: result.Failed, layer: result.DNS, reason: result.ReasonDNSServfail, summary: "SERVFAIL"},
		{name: "REFUSED", checks: with(dnsChk("a.test", "10.77.1.53", "system", result.Fail, "REFUSED")),
			status: result.Failed, layer: result.DNS, reason: result.ReasonDNSRefused, summary: "refuses"},
		{name: "NXDOMAIN names the missing name", checks: with(dnsChk("a.test", "10.77.1.53", "system", result.OK, "NOERROR"),
			dnsChk("missing.test", "10.77.1.53", "system", result.Fail, "NXDOMAIN")),
			status: result.Failed, layer: result.DNS, reason: result.ReasonDNSNXDomain, summary: "missing.test does not exist"},
		{name: "one of two resolvers dead is degraded", checks: with(dnsChk("a.test", "10.77.1.53", "system", result.OK, "NOERROR"),
			dnsChk("a.test", "10.77.1.54", "system", result.Fail, "timeout")),
			status: result.Degraded, layer: result.DNS, reason: result.ReasonDNSPartlyFailing, summary: "10.77.1.54"},
		{name: "reference resolver failing does not count", checks: with(dnsChk("a.test", "10.77.1.53", "system", result.OK, "NOERROR"),
			dnsChk("a.test", "198.18.1.1", "reference", result.Skip, "timeout")),
			status: result.Healthy, layer: result.None},
		{name: "system resolver fails where the reference answers", checks: with(dnsChk("a.test", "10.77.1.53", "system", result.Fail, "SERVFAIL"),
			dnsChk("a.test", "198.18.1.1", "reference", result.OK, "NOERROR"),
			chk(result.DNS, "dns-compare", "a.test", result.Fail, result.ReasonDNSReferenceOnly, "resolves on the reference resolvers but not here")),
			status: result.Failed, layer: result.DNS, reason: result.ReasonDNSServfail},
		{name: "different answers alone are only a warning", checks: with(dnsChk("www.test", "10.77.1.53", "system", result.OK, "NOERROR"),
			chk(result.DNS, "dns-compare", "www.test", result.Warn, result.ReasonDNSMismatch, "differ")),
			status: result.Degraded, layer: result.DNS, reason: result.ReasonDNSMismatch, summary: "differently"},
		{name: "a confirmed wrong answer is DNS's fault, not the service's", checks: with(
			dnsChk("www.test", "10.77.1.53", "system", result.OK, "NOERROR"),
			chk(result.DNS, "dns-compare", "www.test", result.Warn, result.ReasonDNSMismatch, "differ"),
			chk(result.DNS, "dns-confirm", "www.test", result.Fail, result.ReasonDNSWrongAnswer, "confirmed", "name", "www.test",
				"system_address", "198.18.1.66", "reference_address", "198.18.1.80", "service", "https://www.test/", "resolver", "10.77.1.53"),
			svc("https://www.test/", result.Fail, "filtered"),
			svc("tcp://other.test:443", result.OK, "open")),
			status: result.Failed, layer: result.DNS, reason: result.ReasonDNSWrongAnswer, consequences: []result.Layer{result.Service},
			summary: "198.18.1.66 instead of 198.18.1.80"},
		{name: "a wrong answer for one name does not explain another name's failure", checks: with(
			chk(result.DNS, "dns-confirm", "www.test", result.Fail, result.ReasonDNSWrongAnswer, "confirmed", "name", "www.test",
				"system_address", "198.18.1.66", "reference_address", "198.18.1.80", "service", "https://www.test/"),
			svc("https://www.test/", result.Fail, "filtered"),
			svc("tcp://other.test:443", result.Fail, "closed")),
			status: result.Failed, layer: result.DNS, reason: result.ReasonDNSWrongAnswer, consequences: []result.Layer{}, independent: []result.Layer{result.Service}},
		{name: "port filtered", checks: with(dnsChk("a.test", "10.77.1.53", "system", result.OK, "NOERROR"), svc("tcp://a.test:443", result.Fail, "filtered")),
			status: result.Failed, layer: result.Service, reason: result.ReasonTCPFiltered, summary: "filtered"},
		{name: "port closed", checks: with(svc("tcp://a.test:443", result.Fail, "closed")),
			status: result.Failed, layer: result.Service, reason: result.ReasonTCPClosed, summary: "nothing listens"},
		{name: "expired certificate", checks: with(svc("https://a.test/", result.OK, "open"),
			chk(result.Service, "tls", "https://a.test/", result.Fail, result.ReasonTLSExpired, "not trusted", "verify_error", "certificate expired on 2020-01-01")),
			status: result.Failed, layer: result.Service, reason: result.ReasonTLSExpired, summary: "expired", advice: "renewed"},
		{name: "a private CA gets --ca-file, not 'renew'", checks: with(svc("https://intranet.test/", result.OK, "open"),
			chk(result.Service, "tls", "https://intranet.test/", result.Fail, result.ReasonTLSUnknownAuthority, "not trusted", "verify_error", "unknown authority")),
			status: result.Failed, layer: result.Service, reason: result.ReasonTLSUnknownAuthority, advice: "--ca-file", notAdvice: "renew"},
		{name: "printer jam", checks: with(printerChk("10.77.1.20", result.Fail, result.ReasonPrinterJammed, jam, trayOut)),
			status: result.Failed, layer: result.Printer, reason: result.ReasonPrinterJammed, summary: "Paper jam, Tray 2 empty", advice: "jammed paper"},
		{name: "printer unreachable", checks: with(printerChk("10.77.1.20", result.Fail, result.ReasonPrinterUnreachable)),
			status: result.Failed, layer: result.Printer, reason: result.ReasonPrinterUnreachable, summary: "does not answer at all"},
		{name: "a printer whose name does not resolve was never asked", checks: []result.Check{linkOK, addrOK,
			printerChk("printer.test", result.Fail, result.ReasonPrinterNameUnresolved)},
			status: result.Failed, layer: result.Printer, reason: result.ReasonPrinterNameUnresolved, summary: "does not resolve"},
		{name: "a device that is not a printer", checks: with(printerChk("10.77.1.21", result.Fail, result.ReasonPrinterNotAPrinter)),
			status: result.Failed, layer: result.Printer, reason: result.ReasonPrinterNotAPrinter, summary: "not a working printer"},
		{name: "printer SNMP silent", checks: with(printerChk("10.77.1.20", result.Fail, result.ReasonPrinterSNMPSilent)),
			status: result.Failed, layer: result.Printer, reason: result.ReasonPrinterSNMPSilent, summary: "does not answer status queries"},
		{name: "printer low toner is degraded", checks: with(func() result.Check {
			c := printerChk("10.77.1.20", result.Warn, result.ReasonPrinterLowToner, lowBlack)
			return *c.With("model", "HP LaserJet M404")
		}()),
			status: result.Degraded, layer: result.Printer, reason: result.ReasonPrinterLowToner,
			summary: "HP LaserJet M404 (10.77.1.20) works but needs attention: Black toner low", advice: "toner"},
		{name: "a jammed printer does not follow from a dead internet", checks: []result.Check{linkOK, addrOK, routeOK, gwOK, upFail,
			printerChk("10.77.1.20", result.Fail, result.ReasonPrinterJammed, jam)},
			status: result.Failed, layer: result.Internet, consequences: []result.Layer{}, independent: []result.Layer{result.Printer}, advice: "jammed paper"},
		{name: "a failing web site does not explain a jammed printer", checks: with(
			svc("https://broken.test/", result.OK, "open"),
			chk(result.Service, "http", "https://broken.test/", result.Fail, result.ReasonHTTPStatus5xx, "HTTP 503", "http_status", 503),
			printerChk("10.77.1.20", result.Fail, result.ReasonPrinterJammed, jam)),
			status: result.Failed, layer: result.Service, reason: result.ReasonHTTPStatus5xx,
			consequences: []result.Layer{}, independent: []result.Layer{result.Printer}, summary: "HTTP 503", advice: "jammed paper"},
		{name: "a dead link explains the printer too", checks: []result.Check{linkDown, printerChk("10.77.1.20", result.Fail, result.ReasonPrinterUnreachable)},
			status: result.Failed, layer: result.Link, consequences: []result.Layer{result.Printer}},
		{name: "a printer beyond the router follows from a dead gateway", checks: []result.Check{linkOK, addrOK, routeOK, gwFail,
			func() result.Check {
				c := printerChk("10.78.1.20", result.Fail, result.ReasonPrinterUnreachable)
				return *c.With("on_link", false)
			}()},
			status: result.Failed, layer: result.Gateway, consequences: []result.Layer{result.Printer}},
		{name: "a service on the local network does not follow from a dead gateway", checks: []result.Check{linkOK, addrOK, routeOK, gwFail,
			func() result.Check {
				c := svc("tcp://10.77.1.5:445", result.Fail, "closed")
				return *c.With("on_link", true)
			}()},
			status: result.Failed, layer: result.Gateway, independent: []result.Layer{result.Service}},
		{name: "warnings below a failure do not hide it", checks: []result.Check{linkOK, addrOK, routeOK, gwOK, upLoss, svc("tcp://a.test:443", result.Fail, "closed")},
			status: result.Failed, layer: result.Service, reason: result.ReasonTCPClosed},
		{name: "ICMP not permitted is said, not failed", checks: []result.Check{linkOK, addrOK, routeOK,
			chk(result.Gateway, "ping", "10.77.1.1", result.OK, "", "answers TCP", "method", "tcp", "icmp_permission", "denied")},
			status: result.Healthy, layer: result.None, summary: "Ping was not permitted"},
		{name: "a service addressed by IP does not follow from DNS", checks: with(dnsChk("a.test", "10.77.1.53", "system", result.Fail, "timeout"),
			svc("tcp://198.18.1.1:22", result.Fail, "closed")),
			status: result.Failed, layer: result.DNS, consequences: []result.Layer{}, independent: []result.Layer{result.Service}},
		{name: "a named service that resolved does not follow from another name's DNS failure", checks: with(
			dnsChk("a.test", "10.77.1.53", "system", result.Fail, "NXDOMAIN"), svc("tcp://b.test:443", result.Fail, "filtered")),
			status: result.Failed, layer: result.DNS, consequences: []result.Layer{}, independent: []result.Layer{result.Service}},
		{name: "a printer named by host name follows from DNS", checks: with(dnsChk("printer.lab.test", "10.77.1.53", "system", result.Fail, "timeout"),
			printerChk("printer.lab.test", result.Fail, result.ReasonPrinterNameUnresolved)),
			status: result.Failed, layer: result.DNS, consequences: []result.Layer{result.Printer}},
		{name: "nothing measured because this computer ran out of sockets says so", checks: []result.Check{
			chk(result.Service, "tcp", "tcp://10.77.1.5:445", result.Skip, result.ReasonLocalResources, "not measured")},
			status: result.Unknown, layer: result.None, reason: result.ReasonNothingMeasured, summary: "not a network fault", advice: "ulimit"},
		{name: "a sweep with unmeasured ports is incomplete, not ok", checks: []result.Check{linkOK,
			chk(result.Service, "ports", "10.77.1.5", result.Warn, result.ReasonPortsNotMeasured, "incomplete", "count_not_measured", 300)},
			status: result.Degraded, layer: result.Service, reason: result.ReasonPortsNotMeasured, summary: "could not be checked", advice: "ulimit"},
		{name: "all skipped is unknown, not ok", checks: []result.Check{chk(result.Link, "link", "eth1", result.Skip, result.ReasonLinkAdminDown, "off")},
			status: result.Unknown, layer: result.None, reason: result.ReasonNothingMeasured, summary: "Nothing was measured"},
	}
}

func TestDecide(t *testing.T) {
	for _, tt := range verdictCases() {
		t.Run(tt.name, func(t *testing.T) {
			v := Decide(Judge(tt.checks, result.Layers))
			if v.Status != tt.status || v.Layer != tt.layer {
				t.Fatalf("verdict = %s/%s, want %s/%s (summary %q)", v.Status, v.Layer, tt.status, tt.layer, v.Summary)
			}
			if tt.reason != "" && v.Reason != tt.reason {
				t.Errorf("reason = %q, want %q", v.Reason, tt.reason)
			}
			if v.Status != result.Healthy && !v.Reason.Known() {
				t.Errorf("verdict reason %q is not a registered code", v.Reason)
			}
			if tt.consequences != nil && !reflect.DeepEqual(v.Consequences, tt.consequences) {
				t.Errorf("consequences = %v, want %v", v.Consequences, tt.consequences)
			}
			if tt.independent != nil && !reflect.DeepEqual(v.Independent, tt.independent) {
				t.Errorf("independent = %v, want %v", v.Independent, tt.independent)
			}
			if !strings.Contains(v.Summary, tt.summary) {
				t.Errorf("summary %q does not contain %q", v.Summary, tt.summary)
			}
			all := strings.Join(v.Advice, " | ")
			if tt.advice != "" && !strings.Contains(all, tt.advice) {
				t.Errorf("advice %q does not mention %q", all, tt.advice)
			}
			if tt.notAdvice != "" && strings.Contains(strings.ToLower(all), strings.ToLower(tt.notAdvice)) {
				t.Errorf("advice %q must not mention %q", all, tt.notAdvice)
			}
			own := len(v.Advice) - len(v.Independent)
			if v.Status != result.Healthy && (own < 1 || own > 3) {
				t.Errorf("advice has %d steps of its own, want 1-3: %q", own, v.Advice)
			}
			if strings.Count(v.Summary, ".") < 1 || strings.Contains(v.Summary, "\n") {
				t.Errorf("summary should be sentences on one line: %q", v.Summary)
			}
		})
	}
}

// Decisions are taken on codes and typed evidence: rewording every
// check's sentence (and the layers' notes) changes no verdict's status,
// layer, reason, consequences or independent problems.
func TestDecideIgnoresWording(t *testing.T) {
	for _, tt := range verdictCases() {
		t.Run(tt.name, func(t *testing.T) {
			before := Decide(Judge(tt.checks, result.Layers))
			reworded := make([]result.Check, len(tt.checks))
			for i, c := range tt.checks {
				c.Detail = "zzz qq " + strings.Repeat("x", i) // no word survives
				c.Error = "yyy"
				reworded[i] = c
			}
			after := Decide(Judge(reworded, result.Layers))
			if before.Status != after.Status || before.Layer != after.Layer || before.Reason != after.Reason ||
				!reflect.DeepEqual(before.Consequences, after.Consequences) || !reflect.DeepEqual(before.Independent, after.Independent) {
				t.Fatalf("rewording changed the diagnosis: %s/%s/%s %v %v -> %s/%s/%s %v %v",
					before.Status, before.Layer, before.Reason, before.Consequences, before.Independent,
					after.Status, after.Layer, after.Reason, after.Consequences, after.Independent)
			}
		})
	}
}

// Judge leaves layers that had no checks as skip, and keeps the order given.
func TestJudgeEmptyLayersSkip(t *testing.T) {
	ls := Judge([]result.Check{linkOK}, []result.Layer{result.Link, result.DNS})
	if len(ls) != 2 || ls[0].Status != result.OK || ls[1].Status != result.Skip || ls[1].Checks == nil {
		t.Fatalf("got %+v", ls)
	}
}

// An interrupted run is never a confident answer.
func TestInterruptedVerdictIsUnknown(t *testing.T) {
	for _, checks := range [][]result.Check{
		{linkOK, addrOK, routeOK, gwOK, upOK},
		{linkOK, addrOK, routeOK, gwFail},
	} {
		v := Interrupted(Decide(Judge(checks, result.Layers)))
		if v.Status != result.Unknown || v.Reason != result.ReasonInterrupted || !strings.Contains(v.Summary, "Interrupted") {
			t.Fatalf("interrupted verdict = %s %s %q", v.Status, v.Reason, v.Summary)
		}
	}
}

// Two gateways, one silent: the layer warns with its own code.
func TestJudgeRedundantGateways(t *testing.T) {
	gw2 := chk(result.Gateway, "ping", "fe80::1", result.Fail, result.ReasonGatewayNoReply, "silent")
	ls := Judge([]result.Check{gwOK, gw2}, []result.Layer{result.Gateway})
	if ls[0].Status != result.Warn || ls[0].Reason != result.ReasonGatewayPartlyAnswered {
		t.Fatalf("layer %s %q", ls[0].Status, ls[0].Reason)
	}
}

// IPv6 set up but dead beyond the router while IPv4 works is its own
// degraded verdict; no IPv6 at all, or a lone flaky IPv4 upstream, is not.
func TestIPv6BrokenVerdict(t *testing.T) {
	route6 := chk(result.Address, "route", "IPv6 default route", result.OK, "", "via fe80::1", "default_route_v6", true)
	up6Fail := chk(result.Internet, "ping", "2606:4700:4700::1111", result.Fail, result.ReasonInternetNoReply, "silent", "family", 6)
	up4 := chk(result.Internet, "ping", "1.1.1.1", result.OK, "", "answers", "family", 4)
	up4b := chk(result.Internet, "ping", "8.8.8.8", result.Fail, result.ReasonInternetNoReply, "silent", "family", 4)
	tests := []struct {
		name   string
		checks []result.Check
		reason result.Reason
	}{
		{"configured IPv6 that reaches nothing", []result.Check{linkOK, addrOK, routeOK, route6, gwOK, up4, up6Fail}, result.ReasonInternetIPv6Broken},
		{"no IPv6 route: not a fault of IPv6", []result.Check{linkOK, addrOK, routeOK, gwOK, up4, up6Fail}, result.ReasonInternetPartlyAnswered},
		{"an IPv4 upstream fails too", []result.Check{linkOK, addrOK, routeOK, route6, gwOK, up4, up4b, up6Fail}, result.ReasonInternetPartlyAnswered},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := Decide(Judge(tt.checks, result.Layers))
			if v.Status != result.Degraded || v.Layer != result.Internet || v.Reason != tt.reason {
				t.Fatalf("verdict %s/%s/%s: %s", v.Status, v.Layer, v.Reason, v.Summary)
			}
			if tt.reason == result.ReasonInternetIPv6Broken && !strings.Contains(v.Summary, "wait for it to fail") {
				t.Errorf("summary %q does not explain the fallback wait", v.Summary)
			}
		})
	}
}
