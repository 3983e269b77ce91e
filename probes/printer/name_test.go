package printer

import (
	"encoding/json"
	"net/netip"
	"strings"
	"testing"

	"github.com/netprobe/netprobe/internal/testnet"

	"github.com/miekg/dns"

	"github.com/netprobe/netprobe/internal/snmpagent"
	"github.com/netprobe/netprobe/probes"
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
	ctx := probes.WithResolvers(longCtx(t), []netip.AddrPort{srv})

	c := Check(ctx, "printer.lab.test", Options{Port: a.Port(), PrintPorts: []int{testnet.OpenTCP(t)}})
	if c.Status != result.OK || c.Evidence["condition"] != "ok" || c.Evidence["address"] != "127.0.0.1" || c.Target != "printer.lab.test" {
		t.Fatalf("by name: %s %v %v %q", c.Status, c.Evidence["condition"], c.Evidence["address"], c.Detail)
	}
	if a.Requests() == 0 {
		t.Fatal("the agent was never asked")
	}

	// A name that does not resolve is reported as that, and nothing in
	// the check may claim the printer was asked (the bug: condition
	// "unreachable", summarised downstream as "does not answer at all").
	before := a.Requests()
	c = Check(ctx, "missing.lab.test", Options{Port: a.Port(), PrintPorts: []int{testnet.OpenTCP(t)}})
	if c.Status != result.Fail || c.Reason != result.ReasonPrinterNameUnresolved {
		t.Fatalf("missing name: %s %q %q", c.Status, c.Reason, c.Detail)
	}
	if c.Evidence["condition"] != "name_unresolved" || !strings.Contains(c.Detail, "does not resolve") {
		t.Errorf("missing name: condition %v, detail %q", c.Evidence["condition"], c.Detail)
	}
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	for _, claim := range []string{"does not answer", "no answer", "unreachable", "snmp_error", "snmp_round_trips", "silent", "closed"} {
		if strings.Contains(string(b), claim) {
			t.Errorf("a printer that was never asked is said to be %q: %s", claim, b)
		}
	}
	faults, _ := c.Evidence["faults"].([]result.Problem)
	if len(faults) != 1 || faults[0].Code != result.ReasonPrinterNameUnresolved || faults[0].Status != result.Fail {
		t.Errorf("faults = %+v", faults)
	}
	if ports, _ := c.Evidence["ports"].(map[string]string); len(ports) != 0 {
		t.Errorf("ports = %v for a printer that was never tried", ports)
	}
	if a.Requests() != before {
		t.Error("the agent was asked about a name that does not resolve")
	}
}
