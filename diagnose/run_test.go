package diagnose

import (
	"context"
	"net/netip"
	"strconv"
	"testing"
	"time"

	"github.com/netprobe/netprobe/internal/testnet"

	"github.com/miekg/dns"

	"github.com/netprobe/netprobe/probes"
	"github.com/netprobe/netprobe/result"
)

// A task that ignores its context must not hold the run: runTasks returns
// after the deadline and reports that task as not measured, while the
// tasks that finished keep their results.
func TestRunTasksDoesNotWaitForStragglers(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	tasks := []Task{
		{Layer: result.Service, Name: "tcp", Target: "stuck", Probe: func(ctx context.Context) []result.Check {
			<-release // ignores ctx on purpose
			return nil
		}},
		{Layer: result.Service, Name: "tcp", Target: "quick", Probe: func(ctx context.Context) []result.Check {
			return []result.Check{{Name: "tcp", Layer: result.Service, Target: "quick", Status: result.OK}}
		}},
	}
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	done := make(chan []result.Check)
	go func() { done <- runTasks(ctx, tasks, time.Second, nil) }()
	var got []result.Check
	select {
	case got = <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("runTasks waited for a task that ignores its deadline")
	}
	if len(got) != 2 {
		t.Fatalf("got %d checks, want 2: %+v", len(got), got)
	}
	if got[0].Target != "stuck" || got[0].Status != result.Skip || got[0].Reason != result.ReasonTimedOut || got[0].Evidence["timed_out"] != true {
		t.Errorf("stuck task: %+v", got[0])
	}
	if got[1].Target != "quick" || got[1].Status != result.OK {
		t.Errorf("quick task lost its result: %+v", got[1])
	}
}

// Run end to end on loopback: a real DNS server, a real listener and a
// closed port; only the dns and service layers (nothing leaves 127.0.0.1).
func TestRunOnLoopback(t *testing.T) {
	srv := testnet.StartDNS(t, dns.HandlerFunc(func(w dns.ResponseWriter, r *dns.Msg) {
		m := new(dns.Msg)
		m.SetReply(r)
		if r.Question[0].Name == "svc.lab.test." && r.Question[0].Qtype == dns.TypeA {
			rr, _ := dns.NewRR("svc.lab.test. 60 IN A 127.0.0.1")
			m.Answer = append(m.Answer, rr)
		} else if r.Question[0].Name != "svc.lab.test." {
			m.Rcode = dns.RcodeNameError
		}
		w.WriteMsg(m)
	}))
	open, closed := testnet.OpenTCP(t), testnet.ClosedTCP(t)

	base := Options{Layers: []result.Layer{result.DNS, result.Service}, NoReference: true, Budget: 3 * time.Second,
		Resolvers: []netip.AddrPort{srv},
		DNSNames:  []string{"svc.lab.test"}}
	tests := []struct {
		name   string
		target string
		status result.Overall
		layer  result.Layer
	}{
		{"healthy: named target resolved through the given resolver", "tcp://svc.lab.test:" + itoa(open), result.Healthy, result.None},
		{"closed port", "tcp://127.0.0.1:" + itoa(closed), result.Failed, result.Service},
		{"missing name", "tcp://missing.lab.test:" + itoa(open), result.Failed, result.DNS},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := base
			o.Targets = []Target{mustTarget(tt.target)}
			r := Run(context.Background(), o)
			if r.Verdict.Status != tt.status || r.Verdict.Layer != tt.layer {
				t.Fatalf("verdict %s/%s, want %s/%s: %s", r.Verdict.Status, r.Verdict.Layer, tt.status, tt.layer, r.Verdict.Summary)
			}
			if r.Schema != result.Schema || len(r.Layers) != 2 || r.Duration <= 0 || r.Budget != 3*time.Second {
				t.Fatalf("report frame: schema %q, %d layers, duration %s, budget %s", r.Schema, len(r.Layers), r.Duration, r.Budget)
			}
			if r.Host.ICMP != "not-used" {
				t.Errorf("no ping in this run, host.icmp = %q", r.Host.ICMP)
			}
		})
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// Interrupted: tasks still running when the caller cancels are not
// measured (run.interrupted), and a task that returns after the cancel
// had its result cut short: it is kept as evidence, not as a result. A
// task that finished before keeps its result.
func TestRunTasksInterrupted(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	release := make(chan struct{})
	defer close(release)
	tasks := []Task{
		{Layer: result.DNS, Name: "dns", Target: "cut", Probe: func(ctx context.Context) []result.Check {
			<-ctx.Done() // a probe that honours its context: it returns what it saw
			return []result.Check{{Name: "dns", Layer: result.DNS, Target: "cut", Status: result.Fail, Reason: result.ReasonDNSTimeout, Detail: "no answer", Evidence: map[string]any{}}}
		}},
		{Layer: result.Service, Name: "tcp", Target: "stuck", Probe: func(ctx context.Context) []result.Check {
			<-release
			return nil
		}},
		{Layer: result.Link, Name: "link", Target: "done", Probe: func(ctx context.Context) []result.Check {
			return []result.Check{{Name: "link", Layer: result.Link, Target: "done", Status: result.OK}}
		}},
	}
	time.AfterFunc(100*time.Millisecond, cancel)
	got := runTasks(ctx, tasks, time.Minute, nil)
	if len(got) != 3 {
		t.Fatalf("%d checks: %+v", len(got), got)
	}
	if got[0].Status != result.Skip || got[0].Reason != result.ReasonInterrupted || got[0].Evidence["status_when_interrupted"] != "fail" {
		t.Errorf("cut check: %+v", got[0])
	}
	if got[1].Status != result.Skip || got[1].Reason != result.ReasonInterrupted {
		t.Errorf("unfinished check: %+v", got[1])
	}
	if got[2].Status != result.OK || got[2].Reason != "" {
		t.Errorf("finished check lost its result: %+v", got[2])
	}
}

// A whole run interrupted by the caller says so and is never a verdict.
func TestRunInterruptedIsUnknown(t *testing.T) {
	silent := testnet.StartDNS(t, dns.HandlerFunc(func(w dns.ResponseWriter, r *dns.Msg) {}))
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(200*time.Millisecond, cancel)
	o := Options{Layers: []result.Layer{result.DNS}, NoReference: true, Budget: 5 * time.Second,
		Resolvers: []netip.AddrPort{silent}, DNSNames: []string{"a.lab.test"}}
	start := time.Now()
	r := Run(ctx, o)
	if !r.Interrupted || r.Verdict.Status != result.Unknown || r.Verdict.Reason != result.ReasonInterrupted {
		t.Fatalf("interrupted run: interrupted=%v verdict %s/%s %q", r.Interrupted, r.Verdict.Status, r.Verdict.Reason, r.Verdict.Summary)
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("the run went on for %s after the interrupt", took)
	}
}

// The ping command's host that does not resolve says so with its code.
func TestPingHostUnresolved(t *testing.T) {
	srv := testnet.StartDNS(t, dns.HandlerFunc(func(w dns.ResponseWriter, r *dns.Msg) {
		m := new(dns.Msg)
		m.SetRcode(r, dns.RcodeNameError)
		w.WriteMsg(m)
	}))
	ctx := probesWithResolvers(context.Background(), srv)
	cs := pingHostTask("nowhere.lab.test", pingOptions(Options{Budget: DefaultBudget}, probesDenied())).Probe(ctx)
	if len(cs) != 1 || cs[0].Reason != result.ReasonInternetUnresolved {
		t.Fatalf("checks %+v", cs)
	}
}

func probesWithResolvers(ctx context.Context, srv netip.AddrPort) context.Context {
	return probes.WithResolvers(ctx, []netip.AddrPort{srv})
}

func probesDenied() probes.ICMPPermission {
	return probes.ICMPPermission{Mode: probes.ICMPDenied, Reason: "test"}
}

// The progress observer hears of every finished task, per layer, and of
// each layer's provisional status once all its tasks are done.
func TestRunReportsProgress(t *testing.T) {
	ok := func(l result.Layer) probes.Probe {
		return func(context.Context) []result.Check { return []result.Check{{Name: "x", Layer: l, Status: result.OK}} }
	}
	fail := func(context.Context) []result.Check {
		return []result.Check{{Name: "x", Layer: result.DNS, Status: result.Fail, Reason: result.ReasonDNSTimeout}}
	}
	tasks := []Task{{Layer: result.Link, Probe: ok(result.Link)}, {Layer: result.DNS, Probe: ok(result.DNS)}, {Layer: result.DNS, Probe: fail}}
	var got []Progress
	runTasks(context.Background(), tasks, time.Second, func(p Progress) { got = append(got, p) })
	if len(got) != 3 {
		t.Fatalf("%d events, want one per task: %+v", len(got), got)
	}
	final := map[result.Layer]result.Status{}
	for _, p := range got {
		if p.Done == p.Total {
			final[p.Layer] = p.Status
		} else if p.Status != "" {
			t.Errorf("a status before the layer is done: %+v", p)
		}
	}
	if final[result.Link] != result.OK || final[result.DNS] != result.Fail {
		t.Errorf("final statuses %v", final)
	}
}
