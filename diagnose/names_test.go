package diagnose

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/netprobe/netprobe/internal/testnet"
	"github.com/netprobe/netprobe/probes"
	"github.com/netprobe/netprobe/result"
)

func TestNameBoard(t *testing.T) {
	ok := chk(result.DNS, "dns", "", result.OK, "", "", "answers", []string{"198.18.1.80", "fd00:77::80"}, "rcode", "NOERROR")
	silent := chk(result.DNS, "dns", "", result.Fail, result.ReasonDNSTimeout, "", "answers", []string{}, "rcode", "timeout", "resolver", "10.77.1.53")
	nx := chk(result.DNS, "dns", "", result.Fail, result.ReasonDNSNXDomain, "", "answers", []string{}, "rcode", "NXDOMAIN", "resolver", "10.77.1.53")
	tests := []struct {
		name     string
		reports  []result.Check
		addrs    int
		notFound bool
	}{
		{"first answer wins after a failure", []result.Check{silent, ok}, 2, false},
		{"every resolver failed", []result.Check{nx, silent}, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := newNameBoard()
			for range tt.reports {
				b.expect("svc.lab.test")
			}
			for _, c := range tt.reports {
				b.report("svc.lab.test", c)
			}
			ctx := b.pin(context.Background(), "SVC.lab.test.")
			addrs, err := probes.LookupHost(ctx, "svc.lab.test")
			if len(addrs) != tt.addrs {
				t.Fatalf("addrs = %v, err %v", addrs, err)
			}
			var de *net.DNSError
			if tt.addrs == 0 && (!errors.As(err, &de) || de.IsNotFound != tt.notFound || !strings.Contains(de.Error(), "DNS layer")) {
				t.Fatalf("err = %#v", err)
			}
		})
	}
	// A name nobody resolves, and an IP, are left to the probe.
	b := newNameBoard()
	if ctx := b.pin(context.Background(), "other.lab.test"); ctx != context.Background() {
		t.Error("an unknown name must not be pinned")
	}
	// pin gives up with the context.
	b.expect("slow.lab.test")
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if got := b.pin(ctx, "slow.lab.test"); got != ctx {
		t.Error("pin must return the context unchanged when it ends first")
	}
}

// With the only resolver silent, a named service target reports that its
// name did not resolve (a consequence of the DNS layer) rather than a port
// problem of its own.
func TestServiceWaitsForTheDNSLayer(t *testing.T) {
	port, _ := testnet.SilentUDP(t)
	silent := netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), uint16(port))
	open := testnet.OpenTCP(t)
	srv := testnet.StartDNS(t, dns.HandlerFunc(func(w dns.ResponseWriter, r *dns.Msg) {
		m := new(dns.Msg)
		m.SetReply(r)
		if r.Question[0].Qtype == dns.TypeA {
			rr, _ := dns.NewRR(r.Question[0].Name + " 60 IN A 127.0.0.1")
			m.Answer = append(m.Answer, rr)
		}
		w.WriteMsg(m)
	}))
	for _, tt := range []struct {
		name      string
		resolvers []netip.AddrPort
		status    result.Overall
		layer     result.Layer
	}{
		{"silent resolver", []netip.AddrPort{silent}, result.Failed, result.DNS},
		{"one good resolver is enough for the service", []netip.AddrPort{silent, srv}, result.Degraded, result.DNS},
	} {
		t.Run(tt.name, func(t *testing.T) {
			o := Options{Layers: []result.Layer{result.DNS, result.Service}, NoReference: true, Budget: 6 * time.Second,
				Resolvers: tt.resolvers, DNSNames: []string{}, Targets: []Target{mustTarget("tcp://svc.lab.test:" + itoa(open))}}
			r := Run(context.Background(), o)
			if r.Verdict.Status != tt.status || r.Verdict.Layer != tt.layer {
				t.Fatalf("verdict %s/%s: %s", r.Verdict.Status, r.Verdict.Layer, r.Verdict.Summary)
			}
			svc := r.Layer(result.Service).Checks[0]
			if tt.status == result.Failed {
				if svc.Evidence["port_state"] != "error" || !strings.Contains(svc.Detail, "DNS layer") {
					t.Fatalf("service check: %s %v", svc.Detail, svc.Evidence)
				}
				if len(r.Verdict.Consequences) != 1 || r.Verdict.Consequences[0] != result.Service {
					t.Fatalf("consequences = %v", r.Verdict.Consequences)
				}
			} else if svc.Status != result.OK {
				t.Fatalf("service should use the good resolver's answer: %s", svc.Detail)
			}
		})
	}
}
