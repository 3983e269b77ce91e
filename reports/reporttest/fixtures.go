// Package reporttest builds realistic, fully deterministic result.Reports
// for tests of renderers, redaction and the CLI: a healthy run, a DNS
// failure, a degraded (lossy) run, a jammed printer, a run whose upper
// layers were skipped, and one full of hostile strings. Every time is
// derived from Start, so output built from them never changes between runs.
package reporttest

import (
	"math"
	"strconv"
	"time"

	"github.com/netprobe/netprobe/result"
)

// Start is the fixed clock every fixture uses.
var Start = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// Fixture is one named report.
type Fixture struct {
	// Name is short and file-name safe; golden files are named after it.
	Name   string
	Report *result.Report
}

// All returns fresh copies of every fixture, in a fixed order. Each call
// builds new values, so a test may modify what it gets.
func All() []Fixture {
	return []Fixture{
		{"healthy", Healthy()},
		{"dns-failure", DNSFailure()},
		{"degraded", Degraded()},
		{"printer-jam", PrinterJam()},
		{"skipped", Skipped()},
		{"hostile", Hostile()},
		{"wrong-answer", WrongAnswer()},
		{"interrupted", Interrupted()},
		{"check-file", CheckFile()},
		{"captive-portal", CaptivePortal()},
		{"proxy-only", ProxyOnly()},
	}
}

// pct returns a pointer to p, for Supply and Tray percentages.
func pct(p float64) *float64 { return &p }

// check builds a check that started off after Start and ran for d.
func check(name string, layer result.Layer, target string, st result.Status, off, d time.Duration, detail string, ev map[string]any) result.Check {
	if ev == nil {
		ev = map[string]any{}
	}
	return result.Check{
		Name: name, Layer: layer, Target: target, Status: st, Detail: detail,
		Started: Start.Add(off), Duration: d, Evidence: ev,
	}
}

// because sets a check's reason code.
func because(r result.Reason, c result.Check) result.Check {
	c.Reason = r
	return c
}

// layer builds a layer result whose checks are filed under it.
func layer(l result.Layer, st result.Status, checks ...result.Check) result.LayerResult {
	for i := range checks {
		checks[i].Layer = l
	}
	return result.LayerResult{Name: l, Status: st, Checks: checks}
}

// withCheck appends checks to a layer.
func withCheck(l result.LayerResult, cs ...result.Check) result.LayerResult {
	for _, c := range cs {
		c.Layer = l.Name
		l.Checks = append(l.Checks, c)
	}
	return l
}

// base returns the parts every report shares.
func base(cmd string) *result.Report {
	return &result.Report{
		Schema:    result.Schema,
		Tool:      result.Tool{Name: "netprobe", Version: "0.3.0"},
		Command:   cmd,
		StartedAt: Start,
		Budget:    10 * time.Second,
		Host:      result.Host{Hostname: "ana-laptop", OS: "linux", Arch: "amd64", ICMP: "unprivileged"},
	}
}

const ms = time.Millisecond

func linkUp() result.LayerResult {
	return layer(result.Link, result.OK,
		check("link", result.Link, "eth0", result.OK, 0, 200*time.Microsecond, "eth0 is up (ethernet, 1000 Mb/s)", map[string]any{
			"admin_up": true, "running": true, "mtu": 1500, "mac": "3c:22:fb:12:34:56", "kind": "ethernet", "oper_state": "up",
		}),
		because(result.ReasonLinkAdminDown, check("link", result.Link, "wlan0", result.Skip, 0, 100*time.Microsecond, "wlan0 is down; not in use", map[string]any{
			"admin_up": false, "running": false, "mtu": 1500, "mac": "a4:83:e7:0a:0b:0c", "kind": "wifi", "oper_state": "down",
		})),
	)
}

func addressOK() result.LayerResult {
	return layer(result.Address, result.OK,
		check("address", result.Address, "eth0", result.OK, ms, 100*time.Microsecond, "eth0 has 192.168.1.23/24, fd12:3456:789a::23/64", map[string]any{
			"addresses": []string{"192.168.1.23/24", "fd12:3456:789a::23/64", "fe80::3e22:fbff:fe12:3456/64"}, "apipa": false,
		}),
		check("route", result.Address, "IPv4 default route", result.OK, ms, 100*time.Microsecond, "IPv4 default route via 192.168.1.1 dev eth0", map[string]any{
			"default_route_v4": true, "routes": []string{"192.168.1.1 dev eth0"},
		}),
	)
}

func pingOK(target string, l result.Layer, rtt float64, off time.Duration) result.Check {
	return check("ping", l, target, result.OK, off, 250*ms, target+" answers ping: 10/10 replies, avg "+fmtMS(rtt), map[string]any{
		"sent": 10, "received": 10, "loss_pct": 0.0, "min_ms": rtt * 0.8, "avg_ms": rtt, "max_ms": rtt * 1.5, "rtt_ms": rtt,
		"method": "icmp", "icmp_permission": "unprivileged",
	})
}

// fmtMS formats a millisecond value the way probes write it in details.
// fmtMS writes a round-trip time as the probes do: 1.2 ms, 14 ms.
func fmtMS(v float64) string {
	if v < 10 {
		return strconv.FormatFloat(v, 'f', 1, 64) + " ms"
	}
	return strconv.FormatFloat(math.Round(v), 'f', 0, 64) + " ms"
}

func gatewayOK() result.LayerResult {
	return layer(result.Gateway, result.OK, pingOK("192.168.1.1", result.Gateway, 1.2, 2*ms))
}

func internetOK() result.LayerResult {
	return layer(result.Internet, result.OK,
		pingOK("1.1.1.1", result.Internet, 14.2, 3*ms),
		pingOK("2606:4700:4700::1111", result.Internet, 15.8, 3*ms),
	)
}

// dnsOK is a dns check as probes.DNS writes it: A and AAAA asked together.
func dnsOK(resolver, role string, rtt float64) result.Check {
	return check("dns", result.DNS, "example.com @"+resolver, result.OK, 260*ms, time.Duration(rtt*float64(ms)),
		"resolver "+resolver+" resolves example.com to 93.184.215.14, 2606:2800:21f:cb07:6820:80da:af6b:8b2c", map[string]any{
			"resolver": resolver, "role": role, "name": "example.com", "rcode": "NOERROR", "rcode_aaaa": "NOERROR",
			"answers": []string{"93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"}, "rtt_ms": rtt, "transport": "udp",
		})
}

// dnsCompare is the check comparing the system's answers with the
// reference resolvers'.
func dnsCompare(st result.Status, detail string, sys []string, agree bool) result.Check {
	return check("dns-compare", result.DNS, "example.com", st, 280*ms, 0, detail, map[string]any{
		"reference_answers": []string{"93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"},
		"system_answers":    sys, "agree": agree,
	})
}

func serviceOK() result.LayerResult {
	return layer(result.Service, result.OK,
		check("tcp", result.Service, "tcp://example.com:443", result.OK, 300*ms, 18*ms, "port 443/tcp is open (connected in 17.9 ms)", map[string]any{
			"port_state": "open", "port": 443, "protocol": "tcp", "connect_ms": 17.9,
		}),
		check("tls", result.Service, "example.com:443", result.OK, 320*ms, 41*ms, "TLS 1.3 handshake ok; certificate for example.com valid for 58 more days", map[string]any{
			"handshake_ms": 40.7, "tls_version": "TLS 1.3", "cipher": "TLS_AES_256_GCM_SHA384",
			"cert_subject": "CN=example.com", "cert_issuer": "CN=DigiCert Global G3 TLS ECC SHA384 2020 CA1,O=DigiCert Inc,C=US",
			"cert_not_after": "2026-03-01T23:59:59Z", "cert_dns_names": []string{"example.com", "www.example.com"}, "cert_days_left": 58,
		}),
		check("http", result.Service, "https://example.com/", result.OK, 362*ms, 96*ms, "HTTP 200 OK in 96 ms", map[string]any{
			"http_status": 200, "ttfb_ms": 95.6, "server": "ECS (dcb/7F83)",
		}),
	)
}

// portSweep is the summary check of a sweep over many ports.
func portSweep() result.Check {
	return check("ports", result.Service, "nas.example.net", result.OK, 400*ms, 1500*ms, "nas.example.net answers on 2 of 100 ports: 22/tcp, 443/tcp (98 filtered)", map[string]any{
		"ports_scanned": 100, "open_ports": []string{"22/tcp", "443/tcp"}, "count_open": 2, "count_filtered": 98,
	})
}

// Healthy is a run in which every layer passed, printer included.
func Healthy() *result.Report {
	r := base("netprobe --printer 192.168.1.50 https://example.com/")
	r.Duration = 1234567 * time.Microsecond
	r.Layers = []result.LayerResult{
		linkUp(), addressOK(), gatewayOK(), internetOK(),
		layer(result.DNS, result.OK, dnsOK("192.168.1.1", "system", 12.4), dnsOK("1.1.1.1", "reference", 14.1),
			dnsCompare(result.OK, "this computer's resolvers agree with the reference resolvers for example.com",
				[]string{"93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"}, true)),
		withCheck(serviceOK(), portSweep()),
		layer(result.Printer, result.OK,
			check("tcp", result.Printer, "tcp://192.168.1.50:9100", result.OK, 300*ms, 3*ms, "port 9100/tcp is open (connected in 2.6 ms)", map[string]any{
				"port_state": "open", "port": 9100, "protocol": "tcp", "connect_ms": 2.6,
			}),
			check("printer", result.Printer, "192.168.1.50", result.OK, 300*ms, 180*ms, "Printer HP LaserJet Pro M404dn is ready; black toner 63%.", map[string]any{
				"condition": "ok", "problems": []string{}, "snmp_version": "2c", "snmp_round_trips": 9,
				"ports":     map[string]string{"9100": "open", "631": "open", "515": "closed"},
				"sys_descr": "HP ETHERNET MULTI-ENVIRONMENT,ROM none,JETDIRECT,JD153,EEPROM JSI23900012", "sys_name": "PRN-ACCOUNTING",
				"sys_object_id": "1.3.6.1.4.1.11.2.3.9.1", "model": "HP LaserJet Pro M404dn", "hr_device_index": 1, "uptime_s": 864215,
				"serial": "PHBBK12345", "device_status": "running", "printer_status": "idle",
				"errors": []string{}, "error_state_hex": "0000", "alerts": []result.Alert{},
				"supplies": []result.Supply{
					{Index: "1.1", Description: "Black Toner Cartridge HP CF259A", Type: "toner", Class: "consumed", Unit: "percent", Color: "black", Level: 63, Max: 100, Percent: pct(63), State: "ok"},
				},
				"trays": []result.Tray{
					{Index: "1.1", Name: "Tray 1", Level: 40, Max: 50, Percent: pct(80), State: "ok"},
					{Index: "1.2", Name: "Tray 2", Level: -3, Max: 250, State: "some_remaining"},
				},
				"display": []string{"Ready"},
			}),
		),
	}
	r.Verdict = result.Verdict{
		Status:  result.Healthy,
		Layer:   result.None,
		Summary: "Everything netprobe tested works: the network, the internet, name lookups, example.com and the printer.",
	}
	return r
}

// DNSFailure is a run where the router's DNS server does not answer: the
// internet works by address, names do not resolve, and the service checks
// fail as a consequence.
func DNSFailure() *result.Report {
	r := base("netprobe https://example.com/")
	r.Duration = 4210 * ms
	dnsFail := because(result.ReasonDNSTimeout, check("dns", result.DNS, "example.com @192.168.1.1", result.Fail, 260*ms, 2*time.Second, "resolver 192.168.1.1 did not answer for example.com within 2 s", map[string]any{
		"resolver": "192.168.1.1", "role": "system", "name": "example.com", "rcode": "", "rcode_aaaa": "",
		"answers": []string{}, "transport": "udp",
	}))
	dnsFail.Error = "read udp 192.168.1.23:53122->192.168.1.1:53: i/o timeout"
	tcpFail := because(result.ReasonTCPUnresolved, check("tcp", result.Service, "tcp://example.com:443", result.Fail, 2300*ms, 2*time.Second, "could not connect to example.com:443: the name does not resolve", map[string]any{
		"port_state": "error", "port": 443, "protocol": "tcp",
	}))
	tcpFail.Error = "dial tcp: lookup example.com on 192.168.1.1:53: read udp 192.168.1.23:53122->192.168.1.1:53: i/o timeout"
	r.Layers = []result.LayerResult{
		linkUp(), addressOK(), gatewayOK(), internetOK(),
		layer(result.DNS, result.Fail, dnsFail, dnsOK("1.1.1.1", "reference", 14.1),
			because(result.ReasonDNSReferenceOnly, dnsCompare(result.Fail, "example.com resolves on the reference resolvers (93.184.215.14, 2606:2800:21f:cb07:6820:80da:af6b:8b2c) but not on this computer's resolvers", []string{}, false))),
		layer(result.Service, result.Fail, tcpFail,
			because(result.ReasonHTTPNotTried, check("http", result.Service, "https://example.com/", result.Skip, 2300*ms, 2*time.Second, "not tried: the name example.com does not resolve", nil)),
		),
	}
	r.Verdict = result.Verdict{
		Status:  result.Failed,
		Layer:   result.DNS,
		Reason:  result.ReasonDNSTimeout,
		Summary: "Names do not resolve: this network's DNS server (192.168.1.1) does not answer, so websites and apps fail although the internet connection works.",
		Advice: []string{
			"Restart the router (192.168.1.1); it is this network's DNS server.",
			"If that does not help, set a public DNS server such as 1.1.1.1 on this computer.",
			"If the problem stays, send this report to your internet provider.",
		},
		Evidence: []string{
			"192.168.1.1 did not answer 3 DNS queries within 2 s.",
			"1.1.1.1 answered the same query in 14.1 ms, so the internet itself works.",
		},
		Consequences: []result.Layer{result.Service},
	}
	return r
}

// Degraded is a run where everything works but the internet path loses
// packets, the router answers only on TCP, and two DNS checks share a
// target.
func Degraded() *result.Report {
	r := base("netprobe")
	r.Duration = 2870 * ms
	lossy := func(target string, recv int, rtt float64) result.Check {
		loss := float64(10-recv) * 10
		return because(result.ReasonInternetLoss, check("ping", result.Internet, target, result.Warn, 3*ms, 2100*ms,
			target+" answers ping, but "+strconv.Itoa(int(loss))+"% packet loss ("+strconv.Itoa(recv)+"/10 replies)", map[string]any{
				"sent": 10, "received": recv, "loss_pct": loss, "min_ms": rtt - 10, "avg_ms": rtt, "max_ms": rtt + 80, "rtt_ms": rtt,
				"method": "icmp", "icmp_permission": "unprivileged",
			}))
	}
	gw := check("ping", result.Gateway, "192.168.1.1", result.OK, 2*ms, 310*ms, "192.168.1.1 does not answer ping, but answers TCP on port 80 (open, 1.9 ms)", map[string]any{
		"sent": 10, "received": 0, "loss_pct": 100.0, "method": "tcp", "rtt_ms": 1.9, "tcp_port": 80,
		"tcp_ports": map[string]string{"53": "filtered", "80": "open", "443": "filtered"}, "icmp_permission": "unprivileged",
	})
	// Two resolvers configured on one address (a router announcing itself
	// twice): the same label set twice, which the Prometheus output must
	// keep apart.
	again := dnsOK("192.168.1.1", "system", 11.8)
	gwLayer := layer(result.Gateway, result.OK, gw)
	gwLayer.Note = "The router does not answer ping, but traffic passes through it."
	r.Layers = []result.LayerResult{
		linkUp(), addressOK(), gwLayer,
		layer(result.Internet, result.Warn, lossy("1.1.1.1", 7, 48.3), lossy("8.8.8.8", 8, 52.6)),
		layer(result.DNS, result.OK, dnsOK("192.168.1.1", "system", 12.4), again),
		serviceOK(),
	}
	r.Verdict = result.Verdict{
		Status:  result.Degraded,
		Layer:   result.Internet,
		Reason:  result.ReasonInternetLoss,
		Summary: "The internet connection works but loses packets (up to 30%), so video calls and downloads may stutter.",
		Advice: []string{
			"If you are on Wi-Fi, move closer to the router or try a network cable.",
			"Run netprobe again in a few minutes; if the loss stays above 10%, send this report to your internet provider.",
		},
		Evidence: []string{"3 of 10 pings to 1.1.1.1 and 2 of 10 pings to 8.8.8.8 got no answer."},
	}
	return r
}

// PrinterJam is a printer run: the network is fine, the printer answers
// SNMP and reports a jam, low and unknown supplies, trays and alerts.
func PrinterJam() *result.Report {
	r := base("netprobe printer 192.168.1.50")
	r.Duration = 1620 * ms
	r.Host.ICMP = "privileged"
	snmp := because(result.ReasonPrinterJammed, check("printer", result.Printer, "192.168.1.50", result.Fail, 300*ms, 640*ms,
		`Printer HP Color LaserJet MFP M479fdw is not ready: paper jam in tray 2, tray 1 (manual) empty, cyan toner low. Panel shows "Paper jam / Open door A and / remove paper".`, map[string]any{
			"condition": "error", "snmp_version": "2c", "snmp_round_trips": 14,
			"ports":     map[string]string{"9100": "open", "631": "open", "515": "filtered"},
			"sys_descr": "HP Color LaserJet MFP M479fdw", "sys_name": "PRN-2OG", "sys_object_id": "1.3.6.1.4.1.11.2.3.9.1",
			"model": "HP Color LaserJet MFP M479fdw", "hr_device_index": 1, "uptime_s": 1209600, "serial": "VNB3K01234",
			"device_status": "down", "printer_status": "other",
			"problems": []string{"Paper jam in tray 2", "Tray 1 (manual) empty", "Cyan toner low"},
			"errors":   []string{"jammed", "lowToner", "noPaper"}, "error_state_hex": "0410",
			"supplies": []result.Supply{
				{Index: "1.1", Description: "Black Toner", Type: "toner", Class: "consumed", Unit: "percent", Color: "black", Level: 63, Max: 100, Percent: pct(63), State: "ok"},
				{Index: "1.2", Description: "Cyan Toner", Type: "toner", Class: "consumed", Unit: "percent", Color: "cyan", Level: 8, Max: 100, Percent: pct(8), State: "low"},
				{Index: "1.3", Description: "Magenta Toner", Type: "toner", Class: "consumed", Unit: "percent", Color: "magenta", Level: -3, Max: 100, State: "some_remaining"},
				{Index: "1.4", Description: "Yellow Toner", Type: "toner", Class: "consumed", Unit: "percent", Color: "yellow", Level: -2, Max: -2, State: "unknown"},
				{Index: "1.5", Description: "Waste Toner Box", Type: "wasteToner", Class: "receptacle", Unit: "percent", Level: 15, Max: 100, Percent: pct(15), State: "nearly_full"},
				{Index: "1.6", Description: "Imaging Drum", Type: "opc", Class: "consumed", Unit: "impressions", Level: 29750, Max: 30000, Percent: pct(99.2), State: "ok"},
			},
			"trays": []result.Tray{
				{Index: "1.1", Name: "Tray 1 (manual)", Level: 0, Max: 100, Percent: pct(0), State: "empty"},
				{Index: "1.2", Name: "Tray 2", Level: -3, Max: 250, State: "some_remaining"},
				{Index: "1.3", Name: "Tray 3", Level: 250, Max: 500, Percent: pct(50), State: "ok"},
			},
			"alerts": []result.Alert{
				{Index: "1", Severity: "critical", Code: 8, CodeName: "jam", Group: "mediaPath", Description: "Paper jam in tray 2"},
				{Index: "2", Severity: "warning", Code: 1101, CodeName: "markerTonerAlmostEmpty", Group: "markerSupplies", Description: "Cyan toner low"},
				{Index: "3", Severity: "other", Code: 1, Group: "other", Description: "Service message 49.4C02"},
			},
			"display": []string{"Paper jam", "Open door A and", "remove paper"},
		}))
	r.Layers = []result.LayerResult{
		linkUp(), addressOK(), gatewayOK(),
		layer(result.Printer, result.Fail,
			pingOK("192.168.1.50", result.Printer, 2.4, 2*ms),
			check("tcp", result.Printer, "tcp://192.168.1.50:9100", result.OK, 300*ms, 3*ms, "port 9100/tcp is open (connected in 2.8 ms)", map[string]any{
				"port_state": "open", "port": 9100, "protocol": "tcp", "connect_ms": 2.8,
			}),
			snmp,
		),
	}
	r.Verdict = result.Verdict{
		Status:  result.Failed,
		Layer:   result.Printer,
		Reason:  result.ReasonPrinterJammed,
		Summary: "The printer is reachable but cannot print: paper is jammed in tray 2.",
		Advice: []string{
			"Open door A and remove the jammed paper from tray 2.",
			"Load paper into tray 1 (manual).",
			"Order a cyan toner cartridge soon (8% left).",
		},
		Evidence: []string{`The printer's panel shows "Paper jam".`, "The printer answers on the network (ping 2.4 ms, port 9100 open)."},
	}
	return r
}

// Skipped is a run with no working link: the layers above it were not
// measured and say why.
func Skipped() *result.Report {
	r := base("netprobe")
	r.Duration = 350 * ms
	r.Host.ICMP = "denied"
	r.Host.ICMPReason = "unprivileged ICMP is off (net.ipv4.ping_group_range) and there is no CAP_NET_RAW: run as root or allow ping for this group"
	skip := func(l result.Layer, why string) result.LayerResult {
		return layer(l, result.Skip, because(result.ReasonNotNeeded, check(l.String(), l, "", result.Skip, 0, 0, why, nil)))
	}
	r.Layers = []result.LayerResult{
		layer(result.Link, result.Fail,
			because(result.ReasonLinkNoCarrier, check("link", result.Link, "eth0", result.Fail, 0, 200*time.Microsecond, "eth0 has no cable signal: the cable is unplugged or the other end is off", map[string]any{
				"admin_up": true, "running": false, "mtu": 1500, "mac": "3c:22:fb:12:34:56", "kind": "ethernet", "oper_state": "down",
			})),
			because(result.ReasonLinkNoCarrier, check("link", result.Link, "wlan0", result.Fail, 0, 100*time.Microsecond, "wlan0 is not connected to a Wi-Fi network", map[string]any{
				"admin_up": true, "running": false, "mtu": 1500, "mac": "a4:83:e7:0a:0b:0c", "kind": "wifi", "oper_state": "dormant",
			})),
		),
		skip(result.Address, "not tested: no interface has a working link"),
		skip(result.Gateway, "not tested: no interface has a working link"),
		skip(result.Internet, "not tested: no interface has a working link"),
		skip(result.DNS, "not tested: no interface has a working link"),
		{Name: result.Service, Status: result.Skip, Note: "No service targets were given."},
	}
	r.Verdict = result.Verdict{
		Status:  result.Failed,
		Layer:   result.Link,
		Reason:  result.ReasonLinkNoCarrier,
		Summary: "This computer is not connected to any network: the cable is unplugged and Wi-Fi is not connected.",
		Advice: []string{
			"Plug the network cable in firmly at both ends, or connect to Wi-Fi.",
			"Check that the router or wall socket is switched on.",
		},
	}
	return r
}

// Hostile is a run whose strings try to break every format: Markdown and
// table syntax, HTML, shell, quotes and backslashes, a raw escape
// sequence, a line feed, and text that was already sanitised (U+FFFD, an
// ellipsis from truncation) or is wide (CJK, emoji, combining marks).
func Hostile() *result.Report {
	r := base("netprobe --printer '192.168.1.50' 'https://example.com/a|b?x=<y>&z=`id`'")
	r.Duration = 980 * ms
	r.Host.Hostname = "ana|laptop`<b>"
	weird := because(result.ReasonHTTPStatus4xx, check("http", result.Service, "https://example.com/a|b?x=<y>&z=`id`", result.Warn, 10*ms, 120*ms,
		"| pipes | and *stars* _under_ [link](http://x) # hash & <script>alert(1)</script> `code` ~~strike~~ \\ back\\slash", map[string]any{
			"http_status": 418,
			"server":      "nginx \"quoted\" \\ \x1b[31mred\x1b[0m",
			"location":    "line1\nline2 <a href='x'>|</a>",
		}))
	weird.Error = "HTTP 418: I'm a teapot <teapot/>"
	r.Layers = []result.LayerResult{
		layer(result.Service, result.Warn,
			weird,
			because(result.ReasonTCPClosed, check("tcp|evil", result.Service, "`rm -rf /`", result.Fail, 10*ms, 2*ms, "- starts like a list", nil)),
			because(result.ReasonTLSNotTried, check("tls", result.Service, "<script>alert(1)</script>", result.Skip, 10*ms, 0, "1. starts like an ordered list", nil)),
		),
		layer(result.Printer, result.Warn,
			because(result.ReasonPrinterLowToner, check("printer", result.Printer, "打印机.local", result.Warn, 20*ms, 300*ms, "Drucker meldet \uFFFD\uFFFD Fehler: Tonerstand niedrig – Café naïve (e\u0301) 🖨️ long text…", map[string]any{
				"condition": "warning",
				"ports":     map[string]string{"9100|x": "open`", "631": "closed"},
				"supplies": []result.Supply{
					{Index: "1.1", Description: "Toner | \"Black\" \\ <b>", Class: "consumed", Level: 5, Max: 100, Percent: pct(5), State: "low"},
					{Index: "1.2", Description: "墨粉 青色", Class: "consumed", Level: 50, Max: 100, Percent: pct(50), State: "ok"},
				},
				"alerts":  []result.Alert{{Index: "1", Severity: "warning", CodeName: "`tonerLow`", Description: "*Toner* | low\x1b]0;pwned\x07"}},
				"display": []string{"```", "# not a heading", "<!-- comment -->"},
			})),
		),
	}
	r.Verdict = result.Verdict{
		Status:  result.Degraded,
		Layer:   result.Service,
		Reason:  result.ReasonHTTPStatus4xx,
		Summary: "# Not a heading | *not bold* <img src=x onerror=alert(1)> & `code`",
		Advice:  []string{"1. already numbered", "- dash", "[click](javascript:alert(1))"},
		Evidence: []string{
			"quote \" and backslash \\ and tab\there",
		},
		Independent: []result.Layer{result.Printer},
	}
	return r
}

// WrongAnswer is a run that needed the confirmation round: this computer's
// DNS server gives an old address for www.example.com, where the web
// server no longer runs; the follow-up tried the reference resolvers'
// address, the site worked there, and the verdict is the DNS server's.
// One IPv6 upstream is silent, so the internet layer only warns, with
// its layer code.
func WrongAnswer() *result.Report {
	r := base("netprobe --target https://www.example.com/")
	r.Duration = 3480 * ms
	compare := because(result.ReasonDNSMismatch, check("dns-compare", result.DNS, "www.example.com", result.Warn, 280*ms, 0,
		"this computer's resolvers answer www.example.com with 203.0.113.7, the reference resolvers with 93.184.215.14: a CDN, a filter, or a wrong record", map[string]any{
			"name": "www.example.com", "system_answers": []string{"203.0.113.7"}, "reference_answers": []string{"93.184.215.14"}, "agree": false,
		}))
	confirm := because(result.ReasonDNSWrongAnswer, check("dns-confirm", result.DNS, "www.example.com", result.Fail, 3300*ms, 95*ms,
		"https://www.example.com/ works at 93.184.215.14 (the reference resolvers' address for www.example.com) but failed at 203.0.113.7 (this computer's resolvers' address): the DNS answer is wrong", map[string]any{
			"name": "www.example.com", "service": "https://www.example.com/", "system_address": "203.0.113.7", "reference_address": "93.184.215.14",
			"system_outcome": "tcp.filtered", "reference_outcome": "ok", "resolver": "192.168.1.1",
		}))
	confirm.Round = 2
	dnsSys := check("dns", result.DNS, "www.example.com @192.168.1.1", result.OK, 260*ms, 3*ms,
		"resolver 192.168.1.1 resolves www.example.com to 203.0.113.7 in 3.1 ms", map[string]any{
			"resolver": "192.168.1.1", "role": "system", "name": "www.example.com", "rcode": "NOERROR", "rcode_aaaa": "NOERROR",
			"answers": []string{"203.0.113.7"}, "rtt_ms": 3.1, "transport": "udp", "off_link": false,
		})
	tcp := because(result.ReasonTCPFiltered, check("tcp", result.Service, "https://www.example.com/", result.Fail, 300*ms, 3*time.Second,
		"port 443/tcp is filtered: no answer within 3.0 s (a firewall drops it)", map[string]any{
			"port_state": "filtered", "port": 443, "protocol": "tcp", "on_link": false,
		}))
	quiet := because(result.ReasonInternetNoReply, check("ping", result.Internet, "2606:4700:4700::1111", result.Fail, 3*ms, 5*time.Second,
		"2606:4700:4700::1111 does not answer: no reply to ping or TCP ports 443, 53", map[string]any{"method": "none", "icmp_permission": "unprivileged"}))
	inet := layer(result.Internet, result.Warn, pingOK("1.1.1.1", result.Internet, 14.2, 3*ms), quiet)
	inet.Reason = result.ReasonInternetPartlyAnswered
	r.Layers = []result.LayerResult{
		linkUp(), addressOK(), gatewayOK(), inet,
		layer(result.DNS, result.Fail, dnsSys, compare, confirm),
		layer(result.Service, result.Fail, tcp,
			because(result.ReasonTLSNotTried, check("tls", result.Service, "https://www.example.com/", result.Skip, 3300*ms, 0, "not tried: no TCP connection", nil)),
			because(result.ReasonHTTPNotTried, check("http", result.Service, "https://www.example.com/", result.Skip, 3300*ms, 0, "not tried: no TCP connection", nil))),
	}
	r.Verdict = result.Verdict{
		Status:  result.Failed,
		Layer:   result.DNS,
		Reason:  result.ReasonDNSWrongAnswer,
		Summary: "Your DNS server (192.168.1.1) gives a wrong address for www.example.com: 203.0.113.7 instead of 93.184.215.14. The service failure follows from it.",
		Advice: []string{
			"Tell IT (or whoever runs the DNS for www.example.com) that its record is wrong or stale: it should be 93.184.215.14.",
			"Restart the router: its DNS cache may hold a stale record.",
			"As a workaround, set another DNS server in the network settings.",
		},
		Evidence:     []string{confirm.Detail},
		Consequences: []result.Layer{result.Service},
	}
	return r
}

// Interrupted is a run stopped with Ctrl-C after 1.3 s: the link and
// address layers had finished, the gateway check was cut short and kept
// as evidence only, the DNS check never finished.
func Interrupted() *result.Report {
	r := base("netprobe")
	r.Duration = 1340 * ms
	r.Interrupted = true
	gw := because(result.ReasonInterrupted, check("ping", result.Gateway, "192.168.1.1", result.Skip, 2*ms, 1300*ms,
		"not measured: the run was interrupted (it had seen: 192.168.1.1 answers ping: 3/3 replies, avg 1.2 ms)", map[string]any{
			"sent": 3, "received": 3, "interrupted": true, "status_when_interrupted": "ok",
		}))
	dns := because(result.ReasonInterrupted, check("dns", result.DNS, "example.com @192.168.1.1", result.Skip, 0, 0,
		"not measured: the run was interrupted before this check finished", map[string]any{"interrupted": true}))
	r.Layers = []result.LayerResult{
		linkUp(), addressOK(), layer(result.Gateway, result.Skip, gw), layer(result.DNS, result.Skip, dns),
	}
	r.Verdict = result.Verdict{
		Status:       result.Unknown,
		Layer:        result.None,
		Reason:       result.ReasonInterrupted,
		Summary:      "Interrupted: the run was stopped before every check finished, so this report is incomplete.",
		Advice:       []string{"Run netprobe again and let it finish (it stops by itself within its time budget)."},
		Evidence:     []string{},
		Consequences: []result.Layer{},
	}
	return r
}

// CheckFile is a run of a check file (netprobe check -f office.yaml): a
// port that must stay filtered is green although the probe "failed", an
// https target whose status is not the expected one fails, and the report
// lists every expectation.
func CheckFile() *result.Report {
	r := base("netprobe check -f office.yaml")
	r.Duration = 3210 * time.Millisecond
	tagged := func(c result.Check, name, expected string) result.Check {
		c.Evidence["check"], c.Evidence["expected"] = name, expected
		return c
	}
	guest := tagged(check("tcp", result.Service, "tcp://10.1.0.5:445", result.OK, 10*ms, 3000*ms,
		"as expected (port filtered or closed): port 445/tcp is filtered: no answer within 3 s (a firewall drops it)", map[string]any{
			"port_state": "filtered", "port": 445, "protocol": "tcp", "raw_status": "fail", "raw_reason": "tcp.filtered",
		}), "guest-vlan-isolated", "port filtered or closed")
	web := tagged(check("http", result.Service, "https://intranet.office.lan/health", result.Fail, 30*ms, 12*ms,
		"expected HTTP status 200, found HTTP 503: HTTP 503 Service Unavailable: the server has a problem", map[string]any{
			"http_status": 503, "ttfb_ms": 11.8, "raw_status": "fail",
		}), "intranet-web", "HTTP status 200")
	tcp := tagged(check("tcp", result.Service, "https://intranet.office.lan/health", result.OK, 10*ms, 2*ms,
		"port 443/tcp is open (connected in 1.9 ms)", map[string]any{"port_state": "open", "port": 443, "protocol": "tcp", "connect_ms": 1.9}),
		"intranet-web", "at most 800ms")
	dnsC := tagged(dnsOK("10.1.0.53", "system", 3.2), "fileserver-name", "all of 10.1.0.5")
	r.Layers = []result.LayerResult{
		linkUp(), addressOK(), gatewayOK(),
		layer(result.DNS, result.OK, dnsC),
		layer(result.Service, result.Fail, guest, tcp, web),
	}
	r.Expectations = []result.Expectation{
		{Name: "fileserver-name", Check: "dns", Target: dnsC.Target, Status: result.ExpectMet, Expected: "all of 10.1.0.5", Found: "10.1.0.5"},
		{Name: "guest-vlan-isolated", Check: "tcp", Target: guest.Target, Status: result.ExpectMet, Expected: "port filtered or closed", Found: "filtered"},
		{Name: "intranet-web", Check: "tcp", Target: tcp.Target, Status: result.ExpectMet, Expected: "at most 800ms", Found: "connect 1.9ms"},
		{Name: "intranet-web", Check: "http", Target: web.Target, Status: result.ExpectUnmet, Expected: "HTTP status 200", Found: "HTTP 503", Reason: result.ReasonExpectHTTPStatus},
	}
	r.Verdict = result.Verdict{
		Status:   result.Failed,
		Layer:    result.Service,
		Summary:  "The intranet web server answers with an error (HTTP 503).",
		Advice:   []string{"Tell whoever runs intranet.office.lan that it answers 503."},
		Evidence: []string{"https://intranet.office.lan/health answered HTTP 503 where the check file expects 200."},
	}
	return r
}

// silentUpstream is an internet ping check that got no answer at all.
func silentUpstream(target string) result.Check {
	return because(result.ReasonInternetNoReply, check("ping", result.Internet, target, result.Fail, 3*ms, 5*time.Second,
		target+" does not answer: no reply to ping or TCP ports 443, 53", map[string]any{
			"sent": 10, "received": 0, "loss_pct": 100.0, "method": "none", "icmp_permission": "unprivileged",
			"tcp_ports": map[string]string{"443": "filtered", "53": "filtered"},
		}))
}

// CaptivePortal is a hotel Wi-Fi waiting for a sign-in: DNS works, the
// connectivity-check URLs are redirected to the login page, ping and
// HTTPS get nowhere; the HTTPS failure follows from the portal.
func CaptivePortal() *result.Report {
	r := base("netprobe https://example.com/")
	r.Duration = 5320 * ms
	portal := because(result.ReasonInternetCaptivePortal, check("portal", result.Internet, "4 connectivity-check URLs", result.Fail, 3*ms, 41*ms,
		"http://connectivitycheck.gstatic.com/generate_204 was redirected to http://wifi.hotel.example/login (HTTP 302) instead of HTTP 204: a captive portal intercepts web traffic", map[string]any{
			"url": "http://connectivitycheck.gstatic.com/generate_204", "http_status": 302, "address": "10.20.0.1",
			"location": "http://wifi.hotel.example/login", "location_host": "wifi.hotel.example",
			"portal_urls": []map[string]any{
				{"url": "http://connectivitycheck.gstatic.com/generate_204", "outcome": "portal", "http_status": 302, "location": "http://wifi.hotel.example/login", "address": "10.20.0.1"},
				{"url": "http://captive.apple.com/hotspot-detect.html", "outcome": "portal", "http_status": 302, "location": "http://wifi.hotel.example/login", "address": "10.20.0.1"},
				{"url": "http://www.msftconnecttest.com/connecttest.txt", "outcome": "portal", "http_status": 302, "location": "http://wifi.hotel.example/login", "address": "10.20.0.1"},
				{"url": "http://detectportal.firefox.com/success.txt", "outcome": "not_needed"},
			},
		}))
	dnsSys := check("dns", result.DNS, "example.com @10.20.0.1", result.OK, 260*ms, 4*ms,
		"resolver 10.20.0.1 resolves example.com to 93.184.215.14", map[string]any{
			"resolver": "10.20.0.1", "role": "system", "name": "example.com", "rcode": "NOERROR", "rcode_aaaa": "NOERROR",
			"answers": []string{"93.184.215.14"}, "rtt_ms": 4.2, "transport": "udp", "off_link": false,
		})
	tcp := because(result.ReasonTCPFiltered, check("tcp", result.Service, "https://example.com/", result.Fail, 300*ms, 3*time.Second,
		"port 443/tcp is filtered: no answer within 3 s (a firewall drops it)", map[string]any{
			"port_state": "filtered", "port": 443, "protocol": "tcp", "on_link": false,
		}))
	r.Layers = []result.LayerResult{
		linkUp(), addressOK(), gatewayOK(),
		layer(result.Internet, result.Fail, silentUpstream("1.1.1.1"), portal),
		layer(result.DNS, result.OK, dnsSys),
		layer(result.Service, result.Fail, tcp,
			because(result.ReasonTLSNotTried, check("tls", result.Service, "https://example.com/", result.Skip, 3300*ms, 0, "not tried: no TCP connection", nil)),
			because(result.ReasonHTTPNotTried, check("http", result.Service, "https://example.com/", result.Skip, 3300*ms, 0, "not tried: no TCP connection", nil))),
	}
	r.Verdict = result.Verdict{
		Status:  result.Failed,
		Layer:   result.Internet,
		Reason:  result.ReasonInternetCaptivePortal,
		Summary: "This network is waiting for you to sign in (captive portal): open a browser and log in at wifi.hotel.example. The service failure follows from it.",
		Advice: []string{
			"Open a browser and go to http://wifi.hotel.example/login; log in or accept the terms of this Wi-Fi or guest network (the hotel, cafe or office gives the access code).",
			"Then run netprobe again: web sites and apps fail until you have signed in.",
			"If no login page appears, reconnect to the network (Wi-Fi off and on) and try again, or ask the network's staff.",
		},
		Evidence:     []string{portal.Detail, "1.1.1.1 does not answer: no reply to ping or TCP ports 443, 53"},
		Consequences: []result.Layer{result.Service},
	}
	return r
}

// ProxyOnly is an office network where only the web proxy reaches the
// internet: ping and direct connections get no answer, the site works
// through the proxy (from HTTPS_PROXY), so the run is healthy and says so.
func ProxyOnly() *result.Report {
	r := base("netprobe https://example.com/")
	r.Duration = 3150 * ms
	const proxy = "http://proxy.corp.example:3128"
	via := func(c result.Check) result.Check {
		c.With("path", "proxy").With("proxy", proxy).With("proxy_source", "env")
		return c
	}
	inet := layer(result.Internet, result.OK, silentUpstream("1.1.1.1"))
	inet.Reason = result.ReasonInternetProxyOnly
	inet.Note = "ping and direct connections to the internet get no answer, but the web works through the proxy " + proxy
	dnsSys := check("dns", result.DNS, "example.com @10.1.0.53", result.OK, 260*ms, 2*ms,
		"resolver 10.1.0.53 resolves example.com to 93.184.215.14", map[string]any{
			"resolver": "10.1.0.53", "role": "system", "name": "example.com", "rcode": "NOERROR", "rcode_aaaa": "NOERROR",
			"answers": []string{"93.184.215.14"}, "rtt_ms": 2.3, "transport": "udp", "off_link": false,
		})
	r.Layers = []result.LayerResult{
		linkUp(), addressOK(), gatewayOK(), inet,
		layer(result.DNS, result.OK, dnsSys),
		layer(result.Service, result.OK,
			via(check("proxy", result.Service, "https://example.com/", result.OK, 300*ms, 3*ms,
				"the proxy "+proxy+" opened a tunnel to example.com:443 (HTTP 200)", map[string]any{
					"port": 3128, "port_state": "open", "address": "10.1.0.8", "connect_ms": 1.1, "proxy_status": 200, "on_link": true,
				})),
			via(check("tls", result.Service, "https://example.com/", result.OK, 304*ms, 38*ms, "TLS 1.3, certificate valid until 2026-03-01", map[string]any{
				"handshake_ms": 37.5, "tls_version": "TLS 1.3", "cipher": "TLS_AES_256_GCM_SHA384", "cert_subject": "CN=example.com",
				"cert_issuer": "CN=DigiCert Global G3 TLS ECC SHA384 2020 CA1,O=DigiCert Inc,C=US", "cert_not_after": "2026-03-01T23:59:59Z",
				"cert_dns_names": []string{"example.com", "www.example.com"}, "cert_days_left": 58,
			})),
			via(check("http", result.Service, "https://example.com/", result.OK, 342*ms, 90*ms, "HTTP 200 OK", map[string]any{
				"http_status": 200, "ttfb_ms": 89.7,
			})),
			check("direct", result.Service, "https://example.com/", result.OK, 300*ms, 3*time.Second,
				"direct (without the proxy): blocked; port 443/tcp is filtered: no answer within 3 s (a firewall drops it)", map[string]any{
					"path": "direct", "proxy_source": "env", "outcome": "tcp.filtered", "port_state": "filtered", "port": 443, "protocol": "tcp", "on_link": false,
				}),
		),
	}
	r.Verdict = result.Verdict{
		Status: result.Healthy,
		Layer:  result.None,
		Summary: "Everything netprobe tested works: link, address, gateway, internet, dns, service. The internet is reached only through the web proxy " + proxy +
			": ping and direct connections get no answer, which is normal on a network that requires a proxy.",
	}
	return r
}
