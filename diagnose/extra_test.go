package diagnose

import (
	"context"
	"net/netip"
	"testing"
	"time"

	"github.com/netprobe/netprobe/probes"
	"github.com/netprobe/netprobe/result"
)

// flipExpect turns failed checks into ok ones and records it: what a
// check file does for a port that must be filtered.
type flipExpect struct{}

func (flipExpect) Apply(cs []result.Check) ([]result.Check, []result.Expectation) {
	out := make([]result.Check, len(cs))
	var recs []result.Expectation
	for i, c := range cs {
		if c.Status == result.Fail {
			c.Status, c.Reason = result.OK, ""
			recs = append(recs, result.Expectation{Name: "x", Check: c.Name, Status: result.ExpectMet})
		}
		out[i] = c
	}
	return out, recs
}

// TestExtraTasksAndExpect: extra tasks run on their layer, only when the
// layer is selected, and the expectations rewrite their checks before the
// judge, so the layer and the verdict follow the rewritten status.
func TestExtraTasksAndExpect(t *testing.T) {
	filtered := NewTask(result.Service, "tcp", "tcp://10.77.1.5:445", time.Second, func(context.Context) []result.Check {
		return []result.Check{{Name: "tcp", Layer: result.Service, Target: "tcp://10.77.1.5:445", Status: result.Fail,
			Reason: result.ReasonTCPFiltered, Evidence: map[string]any{"port_state": "filtered"}}}
	})
	base := Options{Layers: []result.Layer{result.Service}, Upstreams: []netip.Addr{}, DNSNames: []string{}, NoReference: true,
		Extra: []Task{filtered}, ReadSystem: func() probes.System { return probes.System{} }}
	r := Run(context.Background(), base)
	if r.Verdict.Status != result.Failed || r.Layers[0].Status != result.Fail || r.Expectations != nil {
		t.Fatalf("without Expect: verdict %s, layer %s", r.Verdict.Status, r.Layers[0].Status)
	}
	with := base
	with.Expect = flipExpect{}
	r = Run(context.Background(), with)
	if r.Verdict.Status != result.Healthy || r.Layers[0].Status != result.OK || len(r.Expectations) != 1 {
		t.Fatalf("with Expect: verdict %s, layer %s, expectations %v", r.Verdict.Status, r.Layers[0].Status, r.Expectations)
	}
	// A task of a layer not selected is left out of the plan.
	other := base
	other.Layers = []result.Layer{result.DNS}
	if tasks := Plan(other, probes.System{}, probes.ICMPPermission{}); len(tasks) != 0 {
		t.Fatalf("plan = %+v, want no task", tasks)
	}
}
