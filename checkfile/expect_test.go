package checkfile

import (
	"net/netip"
	"testing"
	"time"

	"github.com/netprobe/netprobe/result"
)

func ptr[T any](v T) *T { return &v }

func check(name string, st result.Status, reason result.Reason, ev map[string]any) result.Check {
	return result.Check{Name: name, Layer: result.Service, Target: "t", Status: st, Reason: reason, Detail: "raw", Evidence: ev}
}

// TestEvaluateRewrite is the table of what expectations do to a probe's
// result: the status and reason the check ends with, and the outcome
// recorded.
func TestEvaluateRewrite(t *testing.T) {
	supplies := func(p ...float64) []result.Supply {
		var s []result.Supply
		for i, v := range p {
			s = append(s, result.Supply{Description: "Toner " + string(rune('A'+i)), Class: "consumed", Percent: ptr(v)})
		}
		// A waste box nearly full, a worn drum: the printer probe's
		// business, not the toner threshold's.
		return append(s, result.Supply{Description: "Waste", Class: "receptacle", Percent: ptr(1.0)},
			result.Supply{Description: "Imaging Drum", Type: "opc", Class: "consumed", Percent: ptr(2.0)},
			result.Supply{Description: "Black Ink Tank", Percent: ptr(90.0)})
	}
	tests := []struct {
		name       string
		x          expect
		c          result.Check
		wantStatus result.Status
		wantReason result.Reason
		wantOut    []result.ExpectStatus
	}{
		{"filtered port that must be filtered is green",
			expect{ports: []string{"filtered", "closed"}},
			check("tcp", result.Fail, result.ReasonTCPFiltered, map[string]any{"port_state": "filtered"}),
			result.OK, "", []result.ExpectStatus{result.ExpectMet}},
		{"open port that must be filtered fails with the expectation's code",
			expect{ports: []string{"filtered"}},
			check("tcp", result.OK, "", map[string]any{"port_state": "open", "connect_ms": 0.2}),
			result.Fail, result.ReasonExpectPortState, []result.ExpectStatus{result.ExpectUnmet}},
		{"closed port that must be open keeps the probe's own code",
			expect{ports: []string{"open"}},
			check("tcp", result.Fail, result.ReasonTCPClosed, map[string]any{"port_state": "closed"}),
			result.Fail, result.ReasonTCPClosed, []result.ExpectStatus{result.ExpectUnmet}},
		{"unresolved name is not a port state",
			expect{ports: []string{"closed"}},
			check("tcp", result.Fail, result.ReasonTCPUnresolved, map[string]any{"port_state": "error"}),
			result.Fail, result.ReasonTCPUnresolved, []result.ExpectStatus{result.ExpectUnmet}},
		{"open port over the latency budget fails",
			expect{ports: []string{"open"}, maxLatency: 10 * time.Millisecond},
			check("tcp", result.OK, "", map[string]any{"port_state": "open", "connect_ms": 25.0}),
			result.Fail, result.ReasonExpectLatency, []result.ExpectStatus{result.ExpectMet, result.ExpectUnmet}},
		{"udp open|filtered accepted",
			expect{ports: []string{"open|filtered"}},
			check("udp", result.Warn, result.ReasonUDPOpenFiltered, map[string]any{"port_state": "open|filtered"}),
			result.OK, "", []result.ExpectStatus{result.ExpectMet}},
		{"no expectation leaves the check alone",
			expect{},
			check("tcp", result.Fail, result.ReasonTCPClosed, map[string]any{"port_state": "closed"}),
			result.Fail, result.ReasonTCPClosed, nil},
		{"certificate with enough days overrides the probe's 14-day warning",
			expect{minDays: ptr(7)},
			check("tls", result.Warn, result.ReasonTLSExpiring, map[string]any{"cert_days_left": 10}),
			result.OK, "", []result.ExpectStatus{result.ExpectMet}},
		{"certificate with too few days fails",
			expect{minDays: ptr(20)},
			check("tls", result.OK, "", map[string]any{"cert_days_left": 19}),
			result.Fail, result.ReasonExpectCertDays, []result.ExpectStatus{result.ExpectUnmet}},
		{"untrusted certificate keeps its code",
			expect{minDays: ptr(20)},
			check("tls", result.Fail, result.ReasonTLSExpired, map[string]any{"verify_error": "certificate expired"}),
			result.Fail, result.ReasonTLSExpired, []result.ExpectStatus{result.ExpectUnmet}},
		{"tls not tried is not measured",
			expect{minDays: ptr(20)},
			check("tls", result.Skip, result.ReasonTLSNotTried, map[string]any{}),
			result.Skip, result.ReasonTLSNotTried, []result.ExpectStatus{result.ExpectNotMeasured}},
		{"404 that is expected passes",
			expect{status: []int{404}},
			check("http", result.Warn, result.ReasonHTTPStatus4xx, map[string]any{"http_status": 404}),
			result.OK, "", []result.ExpectStatus{result.ExpectMet}},
		{"200 where 204 is expected fails",
			expect{status: []int{204}},
			check("http", result.OK, "", map[string]any{"http_status": 200}),
			result.Fail, result.ReasonExpectHTTPStatus, []result.ExpectStatus{result.ExpectUnmet}},
		{"body without the text fails",
			expect{status: []int{200}, body: "Welcome"},
			check("http", result.OK, "", map[string]any{"http_status": 200, "body_match": false, "body_bytes": 12}),
			result.Fail, result.ReasonExpectBody, []result.ExpectStatus{result.ExpectMet, result.ExpectUnmet}},
		{"NXDOMAIN for a name that must not resolve is green",
			expect{resolves: ptr(false)},
			check("dns", result.Fail, result.ReasonDNSNXDomain, map[string]any{"rcode": "NXDOMAIN", "answers": []string{}}),
			result.OK, "", []result.ExpectStatus{result.ExpectMet}},
		{"a timeout does not prove a name does not resolve",
			expect{resolves: ptr(false)},
			check("dns", result.Fail, result.ReasonDNSTimeout, map[string]any{"rcode": "timeout", "answers": []string{}}),
			result.Fail, result.ReasonDNSTimeout, []result.ExpectStatus{result.ExpectUnmet}},
		{"a name that must not resolve but does fails",
			expect{resolves: ptr(false)},
			check("dns", result.OK, "", map[string]any{"rcode": "NOERROR", "answers": []string{"10.77.1.5"}}),
			result.Fail, result.ReasonExpectResolves, []result.ExpectStatus{result.ExpectUnmet}},
		{"all_of met, IPv6 written differently",
			expect{allOf: []netip.Addr{netip.MustParseAddr("10.77.1.5"), netip.MustParseAddr("fd00:77::5")}},
			check("dns", result.OK, "", map[string]any{"rcode": "NOERROR", "answers": []string{"fd00:77:0::5", "10.77.1.5"}}),
			result.OK, "", []result.ExpectStatus{result.ExpectMet}},
		{"wrong address fails",
			expect{anyOf: []netip.Addr{netip.MustParseAddr("10.77.1.5")}},
			check("dns", result.OK, "", map[string]any{"rcode": "NOERROR", "answers": []string{"10.77.9.9"}}),
			result.Fail, result.ReasonExpectAddresses, []result.ExpectStatus{result.ExpectUnmet}},
		{"expected rcode",
			expect{rcode: "REFUSED"},
			check("dns", result.Fail, result.ReasonDNSRefused, map[string]any{"rcode": "REFUSED"}),
			result.OK, "", []result.ExpectStatus{result.ExpectMet}},
		{"a host that must not answer and does not is green",
			expect{reachable: ptr(false)},
			check("ping", result.Fail, result.ReasonInternetNoReply, map[string]any{"method": "none"}),
			result.OK, "", []result.ExpectStatus{result.ExpectMet}},
		{"a host that must not answer but does fails",
			expect{reachable: ptr(false)},
			check("ping", result.OK, "", map[string]any{"method": "icmp", "rtt_ms": 0.1}),
			result.Fail, result.ReasonExpectReachable, []result.ExpectStatus{result.ExpectUnmet}},
		{"ping loss over max_loss fails",
			expect{reachable: ptr(true), maxLoss: ptr(10.0)},
			check("ping", result.Warn, "", map[string]any{"method": "icmp", "loss_pct": 30.0}),
			result.Fail, result.ReasonExpectLoss, []result.ExpectStatus{result.ExpectMet, result.ExpectUnmet}},
		{"toner above the threshold keeps the printer's own status",
			expect{minSupply: ptr(15.0)},
			check("printer", result.Fail, result.ReasonPrinterJammed, map[string]any{"supplies": supplies(40, 80)}),
			result.Fail, result.ReasonPrinterJammed, []result.ExpectStatus{result.ExpectMet}},
		{"toner below the threshold fails",
			expect{minSupply: ptr(15.0)},
			check("printer", result.Warn, result.ReasonPrinterLowToner, map[string]any{"supplies": supplies(40, 12)}),
			result.Fail, result.ReasonExpectSupply, []result.ExpectStatus{result.ExpectUnmet}},
		{"no supply levels: not measured",
			expect{minSupply: ptr(15.0)},
			check("printer", result.Fail, result.ReasonPrinterSNMPSilent, map[string]any{}),
			result.Fail, result.ReasonPrinterSNMPSilent, []result.ExpectStatus{result.ExpectNotMeasured}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := len(tt.c.Evidence)
			outs := evaluate(tt.x, tt.c)
			got := rewrite(tt.c, outs)
			if got.Status != tt.wantStatus || got.Reason != tt.wantReason {
				t.Errorf("status, reason = %s, %q; want %s, %q (detail %q)", got.Status, got.Reason, tt.wantStatus, tt.wantReason, got.Detail)
			}
			var sts []result.ExpectStatus
			for _, o := range outs {
				sts = append(sts, o.status)
				if o.expected == "" || o.found == "" {
					t.Errorf("outcome without words: %+v", o)
				}
			}
			if len(sts) != len(tt.wantOut) {
				t.Fatalf("outcomes = %v, want %v", sts, tt.wantOut)
			}
			for i := range sts {
				if sts[i] != tt.wantOut[i] {
					t.Errorf("outcomes = %v, want %v", sts, tt.wantOut)
				}
			}
			if len(tt.c.Evidence) != before {
				t.Errorf("rewrite changed the input's evidence")
			}
			if got.Status != tt.c.Status {
				if got.Evidence["raw_status"] != string(tt.c.Status) {
					t.Errorf("raw_status = %v, want %s", got.Evidence["raw_status"], tt.c.Status)
				}
				if tt.c.Reason != "" && got.Evidence["raw_reason"] != string(tt.c.Reason) {
					t.Errorf("raw_reason = %v, want %s", got.Evidence["raw_reason"], tt.c.Reason)
				}
			}
			if got.Status != result.OK && got.Reason == "" && got.Status != result.Skip {
				t.Errorf("a %s check without a reason", got.Status)
			}
			if got.Reason != "" && !got.Reason.Known() {
				t.Errorf("reason %q is not registered", got.Reason)
			}
		})
	}
}

// TestBudgets: a layer budget warns, never fails, and never turns a
// failure into a warning.
func TestBudgets(t *testing.T) {
	b := &Budgets{Gateway: &PathBudget{LossWarn: ptr(Percent(5)), RTTWarn: Duration(20 * time.Millisecond)},
		DNS: &RTTBudget{RTTWarn: Duration(50 * time.Millisecond)}}
	gw := func(st result.Status, loss, rtt float64) result.Check {
		return result.Check{Name: "ping", Layer: result.Gateway, Status: st, Evidence: map[string]any{"loss_pct": loss, "rtt_ms": rtt}}
	}
	tests := []struct {
		name string
		c    result.Check
		want result.Status
	}{
		{"within", gw(result.OK, 0, 1), result.OK},
		{"loss over", gw(result.OK, 6, 1), result.Warn},
		{"slow", gw(result.OK, 0, 25), result.Warn},
		{"failure stays", gw(result.Fail, 100, 0), result.Fail},
		{"internet has no budget", result.Check{Name: "ping", Layer: result.Internet, Status: result.OK, Evidence: map[string]any{"loss_pct": 50.0}}, result.OK},
		{"slow dns", result.Check{Name: "dns", Layer: result.DNS, Status: result.OK, Evidence: map[string]any{"rtt_ms": 60.0}}, result.Warn},
	}
	x := newExpecter(b)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, recs := x.Apply([]result.Check{tt.c})
			if got[0].Status != tt.want {
				t.Fatalf("status = %s, want %s (%+v)", got[0].Status, tt.want, recs)
			}
			if tt.want == result.Warn && got[0].Reason.Area() != "expect" {
				t.Errorf("reason = %q", got[0].Reason)
			}
		})
	}
	loss, rtt := b.rawThresholds()
	if loss != 10 || rtt != 300*time.Millisecond {
		t.Errorf("raw thresholds = %g %s: the probes must not warn before netprobe's defaults", loss, rtt)
	}
}

// The expectation records of DNS carry their own codes even where the
// check keeps the probe's (a name that must resolve and does not: the
// check says dns.nxdomain, the record says expect.not_resolved).
func TestDNSExpectationCodes(t *testing.T) {
	nx := check("dns", result.Fail, result.ReasonDNSNXDomain, map[string]any{"rcode": "NXDOMAIN", "answers": []string{}})
	if got := evaluateDNS(expect{resolves: ptr(true)}, nx); len(got) != 1 || got[0].reason != result.ReasonExpectNotResolve {
		t.Errorf("must resolve, NXDOMAIN: %+v", got)
	}
	ok := check("dns", result.OK, "", map[string]any{"rcode": "NOERROR", "answers": []string{"10.77.1.5"}})
	if got := evaluateDNS(expect{rcode: "NXDOMAIN"}, ok); len(got) != 1 || got[0].reason != result.ReasonExpectRcode {
		t.Errorf("must be NXDOMAIN, got an answer: %+v", got)
	}
	bad := check("dns", result.Fail, result.ReasonDNSMalformed, map[string]any{"rcode": "malformed", "answers": []string{}})
	if got := evaluateDNS(expect{resolves: ptr(false)}, bad); len(got) != 1 || got[0].status != result.ExpectUnmet {
		t.Errorf("a malformed reply is no proof the name does not exist: %+v", got)
	}
}
