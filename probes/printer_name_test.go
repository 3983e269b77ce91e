package probes

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/netprobe/netprobe/internal/testnet"

	"github.com/miekg/dns"

	"github.com/netprobe/netprobe/internal/snmpagent"
	"github.com/netprobe/netprobe/result"
)

// A printer named by host name is resolved through the run's resolvers
// (never the system's), and SNMP and the print ports use that address.
func TestPrinterByName(t *testing.T) {
	srv := testnet.StartDNS(t, dns.HandlerFunc(func(w dns.ResponseWriter, r *dns.Msg) {
		m := new(dns.Msg)
		m.SetReply(r)
		switch {
		case r.Question[0].Name == "printer.lab.test." && r.Question[0].Qtype == dns.TypeA:
			m.Answer = append(m.Answer, rr("printer.lab.test. 60 IN A 127.0.0.1"))
		case r.Question[0].Name == "printer.lab.test.":
		default:
			m.Rcode = dns.RcodeNameError
		}
		w.WriteMsg(m)
	}))
	a := startPrinterAgent(t, "hp_color_laserjet_pro_m252dw", snmpagent.Options{Community: "public"})
	ctx := WithResolvers(longCtx(t), []netip.AddrPort{srv})

	c := Printer(ctx, "printer.lab.test", PrinterOptions{Port: a.Port(), PrintPorts: []int{testnet.OpenTCP(t)}})
	if c.Status != result.OK || c.Evidence["condition"] != "ok" || c.Evidence["address"] != "127.0.0.1" || c.Target != "printer.lab.test" {
		t.Fatalf("by name: %s %v %v %q", c.Status, c.Evidence["condition"], c.Evidence["address"], c.Detail)
	}
	if a.Requests() == 0 {
		t.Fatal("the agent was never asked")
	}

	c = Printer(ctx, "missing.lab.test", PrinterOptions{Port: a.Port(), PrintPorts: []int{testnet.OpenTCP(t)}})
	if c.Status != result.Fail || c.Evidence["condition"] != "unreachable" || !strings.Contains(c.Detail, "does not resolve") {
		t.Fatalf("missing name: %s %v %q", c.Status, c.Evidence["condition"], c.Detail)
	}
}
