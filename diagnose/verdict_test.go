package diagnose

import (
	"reflect"
	"strings"
	"testing"

	"github.com/netprobe/netprobe/result"
)

// chk builds a check; ev is key, value pairs.
func chk(l result.Layer, name, target string, st result.Status, detail string, ev ...any) result.Check {
	c := result.Check{Name: name, Layer: l, Target: target, Status: st, Detail: detail, Evidence: map[string]any{}}
	for i := 0; i+1 < len(ev); i += 2 {
		c.Evidence[ev[i].(string)] = ev[i+1]
	}
	return c
}

var (
	linkOK   = chk(result.Link, "link", "eth0", result.OK, "eth0 is up", "admin_up", true)
	linkDown = chk(result.Link, "link", "eth0", result.Fail, "eth0 is switched off", "admin_up", false)
	addrOK   = chk(result.Address, "address", "eth0", result.OK, "eth0 has 10.77.1.10/24")
	routeOK  = chk(result.Address, "route", "IPv4 default route", result.OK, "via 10.77.1.1")
	apipa    = chk(result.Address, "address", "eth0", result.Fail, "only 169.254", "apipa", true)
	noRoute  = chk(result.Address, "route", "IPv4 default route", result.Fail, "no IPv4 default route: this computer does not know where to send traffic")
	gwOK     = chk(result.Gateway, "ping", "10.77.1.1", result.OK, "answers", "method", "icmp")
	gwFail   = chk(result.Gateway, "ping", "10.77.1.1", result.Fail, "does not answer", "method", "none")
	upOK     = chk(result.Internet, "ping", "198.18.1.1", result.OK, "answers", "method", "icmp")
	upFail   = chk(result.Internet, "ping", "198.18.1.1", result.Fail, "does not answer", "method", "none")
	upFail2  = chk(result.Internet, "ping", "198.18.1.2", result.Fail, "does not answer", "method", "none")
	upLoss   = chk(result.Internet, "ping", "198.18.1.1", result.Warn, "answers ping, but 30% packet loss", "loss_pct", 30.0)
	upSlow   = chk(result.Internet, "ping", "198.18.1.1", result.Warn, "answers ping, but slow: average 612ms", "avg_ms", 612.3)
)

func dnsChk(name, resolver, role string, st result.Status, rcode string) result.Check {
	return chk(result.DNS, "dns", name+" @"+resolver, st, "resolver "+resolver+" "+rcode, "name", name, "resolver", resolver, "role", role, "rcode", rcode)
}

func svc(target string, st result.Status, state string) result.Check {
	return chk(result.Service, "tcp", target, st, "port "+state, "port_state", state, "port", 443)
}

func TestDecide(t *testing.T) {
	lower := []result.Check{linkOK, addrOK, routeOK, gwOK, upOK}
	with := func(extra ...result.Check) []result.Check {
		return append(append([]result.Check{}, lower...), extra...)
	}
	all := result.Layers
	tests := []struct {
		name         string
		checks       []result.Check
		status       result.Overall
		layer        result.Layer
		consequences []result.Layer
		independent  []result.Layer
		summary      string // substring
	}{
		{name: "healthy", checks: with(dnsChk("a.test", "10.77.1.1", "system", result.OK, "NOERROR"), svc("tcp://a.test:443", result.OK, "open")),
			status: result.Healthy, layer: result.None, summary: "Everything"},
		{name: "link down takes everything above with it",
			checks: []result.Check{linkDown, noRoute, chk(result.Gateway, "gateway", "default gateway", result.Fail, "none"), upFail,
				dnsChk("a.test", "10.77.1.1", "system", result.Fail, "timeout")},
			status: result.Failed, layer: result.Link, consequences: []result.Layer{result.Address, result.Gateway, result.Internet, result.DNS},
			summary: "switched off"},
		{name: "APIPA address means DHCP failed", checks: []result.Check{linkOK, apipa, noRoute, gwFail, upFail},
			status: result.Failed, layer: result.Address, consequences: []result.Layer{result.Gateway, result.Internet}, summary: "DHCP"},
		{name: "no default route", checks: []result.Check{linkOK, addrOK, noRoute}, status: result.Failed, layer: result.Address, summary: "no default gateway"},
		{name: "gateway down", checks: []result.Check{linkOK, addrOK, routeOK, gwFail, upFail, dnsChk("a.test", "10.77.1.1", "system", result.Fail, "timeout")},
			status: result.Failed, layer: result.Gateway, consequences: []result.Layer{result.Internet, result.DNS}, summary: "cannot reach its router"},
		{name: "gateway silent but internet works is not the gateway's fault", checks: []result.Check{linkOK, addrOK, routeOK, gwFail, upOK},
			status: result.Degraded, layer: result.Gateway, summary: "passes through"},
		{name: "router does not forward", checks: []result.Check{linkOK, addrOK, routeOK, gwOK, upFail, upFail2},
			status: result.Failed, layer: result.Internet, summary: "router does not reach the internet"},
		{name: "one upstream of two answering is only a warning", checks: []result.Check{linkOK, addrOK, routeOK, gwOK, upOK, upFail2},
			status: result.Degraded, layer: result.Internet},
		{name: "silent upstreams but a public DNS server answers", checks: []result.Check{linkOK, addrOK, routeOK, gwOK, upFail,
			dnsChk("a.test", "8.8.8.8", "system", result.OK, "NOERROR")},
			status: result.Degraded, layer: result.Internet},
		{name: "silent upstreams but a resolver beyond the router answers", checks: []result.Check{linkOK, addrOK, routeOK, gwOK, upFail,
			chk(result.DNS, "dns", "a.test @198.18.1.53", result.OK, "ok", "name", "a.test", "resolver", "198.18.1.53", "role", "system", "off_link", true)},
			status: result.Degraded, layer: result.Internet},
		{name: "an on-link resolver answering proves nothing about the internet", checks: []result.Check{linkOK, addrOK, routeOK, gwOK, upFail,
			chk(result.DNS, "dns", "a.test @10.77.1.1", result.OK, "ok", "name", "a.test", "resolver", "10.77.1.1", "role", "system", "off_link", false)},
			status: result.Failed, layer: result.Internet},
		{name: "loss is degraded with the figure", checks: []result.Check{linkOK, addrOK, routeOK, gwOK, upLoss},
			status: result.Degraded, layer: result.Internet, summary: "30% of packets"},
		{name: "latency is degraded", checks: []result.Check{linkOK, addrOK, routeOK, gwOK, upSlow},
			status: result.Degraded, layer: result.Internet, summary: "slow"},
		{name: "DNS server silent", checks: with(dnsChk("a.test", "10.77.1.53", "system", result.Fail, "timeout"), svc("tcp://a.test:443", result.Fail, "error")),
			status: result.Failed, layer: result.DNS, consequences: []result.Layer{result.Service}, summary: "does not answer"},
		{name: "SERVFAIL", checks: with(dnsChk("a.test", "10.77.1.53", "system", result.Fail, "SERVFAIL")),
			status: result.Failed, layer: result.DNS, summary: "SERVFAIL"},
		{name: "REFUSED", checks: with(dnsChk("a.test", "10.77.1.53", "system", result.Fail, "REFUSED")),
			status: result.Failed, layer: result.DNS, summary: "refuses"},
		{name: "NXDOMAIN names the missing name", checks: with(dnsChk("a.test", "10.77.1.53", "system", result.OK, "NOERROR"),
			dnsChk("missing.test", "10.77.1.53", "system", result.Fail, "NXDOMAIN")),
			status: result.Failed, layer: result.DNS, summary: "missing.test does not exist"},
		{name: "one of two resolvers dead is degraded", checks: with(dnsChk("a.test", "10.77.1.53", "system", result.OK, "NOERROR"),
			dnsChk("a.test", "10.77.1.54", "system", result.Fail, "timeout")),
			status: result.Degraded, layer: result.DNS, summary: "10.77.1.54"},
		{name: "reference resolver failing does not count", checks: with(dnsChk("a.test", "10.77.1.53", "system", result.OK, "NOERROR"),
			dnsChk("a.test", "198.18.1.1", "reference", result.Skip, "timeout")),
			status: result.Healthy, layer: result.None},
		{name: "system resolver fails where the reference answers", checks: with(dnsChk("a.test", "10.77.1.53", "system", result.Fail, "SERVFAIL"),
			dnsChk("a.test", "198.18.1.1", "reference", result.OK, "NOERROR"),
			chk(result.DNS, "dns-compare", "a.test", result.Fail, "resolves on the reference resolvers but not here")),
			status: result.Failed, layer: result.DNS},
		{name: "port filtered", checks: with(dnsChk("a.test", "10.77.1.53", "system", result.OK, "NOERROR"), svc("tcp://a.test:443", result.Fail, "filtered")),
			status: result.Failed, layer: result.Service, summary: "filtered"},
		{name: "port closed", checks: with(svc("tcp://a.test:443", result.Fail, "closed")),
			status: result.Failed, layer: result.Service, summary: "nothing listens"},
		{name: "expired certificate", checks: with(svc("https://a.test/", result.OK, "open"),
			chk(result.Service, "tls", "https://a.test/", result.Fail, "not trusted", "verify_error", "certificate expired on 2020-01-01")),
			status: result.Failed, layer: result.Service, summary: "expired"},
		{name: "printer jam", checks: with(chk(result.Printer, "printer", "10.77.1.20", result.Fail, "Printer reports a paper jam",
			"condition", "error", "problems", []string{"Paper jam", "Tray 2 empty"})),
			status: result.Failed, layer: result.Printer, summary: "Paper jam"},
		{name: "printer unreachable", checks: with(chk(result.Printer, "printer", "10.77.1.20", result.Fail, "no answer", "condition", "unreachable")),
			status: result.Failed, layer: result.Printer, summary: "does not answer at all"},
		{name: "a device that is not a printer", checks: with(chk(result.Printer, "printer", "10.77.1.21", result.Fail, "ports closed", "condition", "unreachable",
			"problems", []string{"No printer service at this address"})),
			status: result.Failed, layer: result.Printer, summary: "not a working printer"},
		{name: "printer SNMP silent", checks: with(chk(result.Printer, "printer", "10.77.1.20", result.Fail, "no SNMP", "condition", "snmp_silent")),
			status: result.Failed, layer: result.Printer, summary: "does not answer status queries"},
		{name: "printer low toner is degraded", checks: with(chk(result.Printer, "printer", "10.77.1.20", result.Warn, "low toner",
			"condition", "warning", "problems", []string{"Black toner low (4%)"}, "model", "HP LaserJet M404")),
			status: result.Degraded, layer: result.Printer, summary: "HP LaserJet M404 (10.77.1.20) works but needs attention: Black toner low"},
		{name: "a jammed printer does not follow from a dead internet", checks: []result.Check{linkOK, addrOK, routeOK, gwOK, upFail,
			chk(result.Printer, "printer", "10.77.1.20", result.Fail, "jam", "condition", "error", "problems", []string{"Paper jam"})},
			status: result.Failed, layer: result.Internet, consequences: []result.Layer{}, independent: []result.Layer{result.Printer}},
		{name: "a dead link explains the printer too", checks: []result.Check{linkDown,
			chk(result.Printer, "printer", "10.77.1.20", result.Fail, "no answer", "condition", "unreachable")},
			status: result.Failed, layer: result.Link, consequences: []result.Layer{result.Printer}},
		{name: "warnings below a failure do not hide it", checks: []result.Check{linkOK, addrOK, routeOK, gwOK, upLoss, svc("tcp://a.test:443", result.Fail, "closed")},
			status: result.Failed, layer: result.Service},
		{name: "ICMP not permitted is said, not failed", checks: []result.Check{linkOK, addrOK, routeOK,
			chk(result.Gateway, "ping", "10.77.1.1", result.OK, "answers TCP", "method", "tcp", "icmp_permission", "denied")},
			status: result.Healthy, layer: result.None, summary: "Ping was not permitted"},
		{name: "a service addressed by IP does not follow from DNS", checks: with(dnsChk("a.test", "10.77.1.53", "system", result.Fail, "timeout"),
			svc("tcp://198.18.1.1:22", result.Fail, "closed")),
			status: result.Failed, layer: result.DNS, consequences: []result.Layer{}, independent: []result.Layer{result.Service}},
		{name: "a printer named by host name follows from DNS", checks: with(dnsChk("printer.lab.test", "10.77.1.53", "system", result.Fail, "timeout"),
			chk(result.Printer, "printer", "printer.lab.test", result.Fail, "could not resolve", "condition", "unreachable")),
			status: result.Failed, layer: result.DNS, consequences: []result.Layer{result.Printer}},
		{name: "all skipped", checks: []result.Check{chk(result.Link, "link", "eth1", result.Skip, "off")}, status: result.Healthy, layer: result.None, summary: "Nothing was measured"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := Decide(Judge(tt.checks, all))
			if v.Status != tt.status || v.Layer != tt.layer {
				t.Fatalf("verdict = %s/%s, want %s/%s (summary %q)", v.Status, v.Layer, tt.status, tt.layer, v.Summary)
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
			if v.Status != result.Healthy && (len(v.Advice) < 1 || len(v.Advice) > 3) {
				t.Errorf("advice has %d steps, want 1-3: %q", len(v.Advice), v.Advice)
			}
			if strings.Count(v.Summary, ".") < 1 || strings.Contains(v.Summary, "\n") {
				t.Errorf("summary should be sentences on one line: %q", v.Summary)
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
