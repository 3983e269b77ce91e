package diagnose

import (
	"context"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/netprobe/netprobe/internal/testnet"
	"github.com/netprobe/netprobe/probes"
	"github.com/netprobe/netprobe/probes/printer"
	"github.com/netprobe/netprobe/result"
)

// A printer whose name does not resolve was never asked anything. The
// verdict once summarised it as "does not answer at all ... it is off,
// disconnected", contradicting its own evidence; the check now carries
// printer.name_unresolved, and nothing downstream may claim it did not
// answer.
func TestUnresolvedPrinterIsNotSilent(t *testing.T) {
	srv := testnet.StartDNS(t, dns.HandlerFunc(func(w dns.ResponseWriter, r *dns.Msg) {
		m := new(dns.Msg)
		m.SetRcode(r, dns.RcodeNameError)
		w.WriteMsg(m)
	}))
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	ctx = probes.WithResolvers(ctx, []netip.AddrPort{srv})
	c := printer.Check(ctx, "printer.lab.test", printer.Options{PrintPorts: []int{testnet.OpenTCP(t)}})
	if c.Reason != result.ReasonPrinterNameUnresolved {
		t.Fatalf("reason = %q (%s)", c.Reason, c.Detail)
	}
	v := Decide(Judge([]result.Check{c}, []result.Layer{result.Printer}))
	if v.Status != result.Failed || v.Layer != result.Printer {
		t.Errorf("verdict %s at %s", v.Status, v.Layer)
	}
	text := strings.ToLower(v.Summary + " " + strings.Join(v.Advice, " "))
	for _, claim := range []string{"does not answer", "switched on", "off, disconnected"} {
		if strings.Contains(text, claim) {
			t.Errorf("verdict says %q of a printer that was never asked: %s", claim, v.Summary)
		}
	}
}
