package diagnose

import (
	"context"
	"net"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/netprobe/netprobe/internal/testnet"
	"github.com/netprobe/netprobe/probes"
	"github.com/netprobe/netprobe/result"
)

// dnsCheck builds what DNS() reports, for CompareDNS tables.
func dnsCheck(role string, st result.Status, rcode string, addrs ...string) result.Check {
	c := result.Check{Name: "dns", Layer: result.DNS, Status: st, Evidence: map[string]any{}}
	c.With("role", role).With("rcode", rcode).With("answers", append([]string{}, addrs...))
	return c
}

func TestCompareDNS(t *testing.T) {
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	sysOK := func(a ...string) result.Check { return dnsCheck("system", result.OK, "NOERROR", a...) }
	refOK := func(a ...string) result.Check { return dnsCheck("reference", result.OK, "NOERROR", a...) }
	tests := []struct {
		name   string
		sys    []result.Check
		ref    []result.Check
		nilOut bool
		status result.Status
		agree  bool
		detail string
	}{
		{name: "agree", sys: []result.Check{sysOK("192.0.2.1")}, ref: []result.Check{refOK("192.0.2.1", "192.0.2.2")},
			status: result.OK, agree: true, detail: "agree with the reference"},
		{name: "one of several system resolvers agrees",
			sys:    []result.Check{dnsCheck("system", result.Fail, "timeout"), sysOK("192.0.2.1")},
			ref:    []result.Check{refOK("192.0.2.1")},
			status: result.OK, agree: true},
		{name: "disagree is a warning", sys: []result.Check{sysOK("10.0.0.1")}, ref: []result.Check{refOK("192.0.2.1")},
			status: result.Warn, agree: false, detail: "answer ex.test with 10.0.0.1, the reference resolvers with 192.0.2.1"},
		{name: "system NXDOMAIN where reference answers", sys: []result.Check{dnsCheck("system", result.Fail, "NXDOMAIN")},
			ref: []result.Check{refOK("192.0.2.1")}, status: result.Fail, agree: false, detail: "resolves on the reference resolvers (192.0.2.1) but not on this computer's"},
		{name: "system silent where reference answers", sys: []result.Check{dnsCheck("system", result.Fail, "timeout")},
			ref: []result.Check{refOK("192.0.2.1")}, status: result.Fail, agree: false},
		{name: "reference says missing too", sys: []result.Check{dnsCheck("system", result.Fail, "NXDOMAIN")},
			ref:    []result.Check{dnsCheck("reference", result.Fail, "NXDOMAIN")},
			status: result.OK, agree: true, detail: "reference resolvers also find no address"},
		{name: "reference has no data too", sys: []result.Check{dnsCheck("system", result.Fail, "NOERROR")},
			ref:    []result.Check{dnsCheck("reference", result.Fail, "NOERROR")},
			status: result.OK, agree: true},
		{name: "name only this computer knows", sys: []result.Check{sysOK("10.1.2.3")},
			ref:    []result.Check{dnsCheck("reference", result.Fail, "NXDOMAIN")},
			status: result.OK, agree: false, detail: "only on this computer's resolvers"},
		{name: "skipped references give no comparison", sys: []result.Check{sysOK("192.0.2.1")},
			ref: []result.Check{dnsCheck("reference", result.Skip, "timeout")}, nilOut: true},
		{name: "no references", sys: []result.Check{sysOK("192.0.2.1")}, nilOut: true},
		{name: "no system checks", ref: []result.Check{refOK("192.0.2.1")}, nilOut: true},
		// A reference that refuses or fails says nothing about the name:
		// it must not turn a local NXDOMAIN into "the name is missing".
		{name: "refusing reference is no yardstick", sys: []result.Check{dnsCheck("system", result.Fail, "NXDOMAIN")},
			ref: []result.Check{dnsCheck("reference", result.Fail, "REFUSED")}, nilOut: true},
		{name: "failing reference is no yardstick", sys: []result.Check{dnsCheck("system", result.Fail, "NXDOMAIN")},
			ref: []result.Check{dnsCheck("reference", result.Fail, "SERVFAIL")}, nilOut: true},
		{name: "failing reference ignored next to one that answers", sys: []result.Check{dnsCheck("system", result.Fail, "NXDOMAIN")},
			ref:    []result.Check{dnsCheck("reference", result.Fail, "SERVFAIL"), refOK("192.0.2.1")},
			status: result.Fail, agree: false},
	}
	reasons := map[string]result.Reason{
		"disagree is a warning":                              result.ReasonDNSMismatch,
		"system NXDOMAIN where reference answers":            result.ReasonDNSReferenceOnly,
		"system silent where reference answers":              result.ReasonDNSReferenceOnly,
		"failing reference ignored next to one that answers": result.ReasonDNSReferenceOnly,
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := CompareDNS("ex.test", tt.sys, tt.ref, at)
			if tt.nilOut {
				if c != nil {
					t.Fatalf("got %s %q, want no comparison", c.Status, c.Detail)
				}
				return
			}
			if c == nil {
				t.Fatal("got no comparison")
			}
			if c.Status != tt.status {
				t.Errorf("status = %s, want %s (%s)", c.Status, tt.status, c.Detail)
			}
			if c.Reason != reasons[tt.name] {
				t.Errorf("reason = %q, want %q", c.Reason, reasons[tt.name])
			}
			if c.Evidence["agree"] != tt.agree {
				t.Errorf("agree = %v, want %v", c.Evidence["agree"], tt.agree)
			}
			if !strings.Contains(c.Detail, tt.detail) {
				t.Errorf("detail = %q, want %q", c.Detail, tt.detail)
			}
			if c.Name != "dns-compare" || c.Target != "ex.test" || !c.Started.Equal(at) {
				t.Errorf("name/target/started = %s/%s/%s", c.Name, c.Target, c.Started)
			}
			if _, ok := c.Evidence["system_answers"].([]string); !ok {
				t.Errorf("system_answers = %#v, want a []string", c.Evidence["system_answers"])
			}
			if _, ok := c.Evidence["reference_answers"].([]string); !ok {
				t.Errorf("reference_answers = %#v, want a []string", c.Evidence["reference_answers"])
			}
		})
	}
}

// TestCompareDNSLive feeds CompareDNS what DNS() measured against two real
// servers: a local resolver that lost a record and a reference that has it.
func TestCompareDNSLive(t *testing.T) {
	t.Parallel()
	local := testnet.StartDNS(t, dns.HandlerFunc(func(w dns.ResponseWriter, r *dns.Msg) {
		m := new(dns.Msg)
		m.SetRcode(r, dns.RcodeNameError)
		w.WriteMsg(m)
	}))
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	zone := dns.HandlerFunc(func(w dns.ResponseWriter, r *dns.Msg) {
		m := new(dns.Msg)
		m.SetReply(r)
		switch r.Question[0].Qtype {
		case dns.TypeA:
			m.Answer = append(m.Answer, &dns.A{Hdr: dns.RR_Header{Name: r.Question[0].Name, Rrtype: dns.TypeA, Class: dns.ClassINET, Ttl: 60}, A: net.ParseIP("192.0.2.10")})
		case dns.TypeAAAA:
			m.Answer = append(m.Answer, &dns.AAAA{Hdr: dns.RR_Header{Name: r.Question[0].Name, Rrtype: dns.TypeAAAA, Class: dns.ClassINET, Ttl: 60}, AAAA: net.ParseIP("2001:db8::10")})
		}
		w.WriteMsg(m)
	})
	ref := testnet.StartDNS(t, zone)
	sys := probes.DNS(ctx, local, "ok.test", probes.DNSOptions{Role: "system"})
	refc := probes.DNS(ctx, ref, "ok.test", probes.DNSOptions{Role: "reference"})
	c := CompareDNS("ok.test", []result.Check{sys}, []result.Check{refc}, time.Now())
	if c == nil || c.Status != result.Fail {
		t.Fatalf("compare = %+v, want fail", c)
	}
	if got := c.Evidence["reference_answers"]; !reflect.DeepEqual(got, []string{"192.0.2.10", "2001:db8::10"}) {
		t.Errorf("reference_answers = %v", got)
	}
	if got := c.Evidence["system_answers"]; !reflect.DeepEqual(got, []string{}) {
		t.Errorf("system_answers = %#v, want empty", got)
	}
}
