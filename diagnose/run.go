package diagnose

import (
	"context"
	"os"
	"runtime"
	"time"

	"github.com/netprobe/netprobe/probes"
	"github.com/netprobe/netprobe/result"
)

// Run executes a whole diagnosis under one deadline and returns the
// finished report. Every task runs concurrently; the run returns by
// Budget (minus a small margin to print) whatever the network does: a
// probe that overstays the deadline is reported as not finished, not
// waited for.
func Run(ctx context.Context, o Options) *result.Report {
	o = o.withDefaults()
	start, wallStart := o.Now(), time.Now()
	ctx, cancel := context.WithTimeout(ctx, o.Budget-exitMargin)
	defer cancel()

	sys := probes.System{}
	if o.ReadSystem != nil {
		sys = o.ReadSystem()
	} else if needsSystem(o) {
		sys = probes.ReadSystem(ctx)
	}
	perm := probes.ICMPPermission{Mode: probes.ICMPDenied, Reason: notNeeded}
	if o.wants(result.Gateway) || o.wants(result.Internet) {
		if o.DetectICMP != nil {
			perm = o.DetectICMP()
		} else {
			perm = probes.DetectICMP()
		}
	}
	if len(o.Resolvers) > 0 {
		ctx = probes.WithResolvers(ctx, o.Resolvers)
	}
	return execute(ctx, o, Plan(o, sys, perm), perm, start, wallStart)
}

// RunPorts checks ports of one host (the port command) under the same
// deadline rules as Run.
func RunPorts(ctx context.Context, o Options, host string, ports []PortSpec) *result.Report {
	o = o.withDefaults()
	start, wallStart := o.Now(), time.Now()
	ctx, cancel := context.WithTimeout(ctx, o.Budget-exitMargin)
	defer cancel()
	po := probes.PortsOptions{}
	if len(ports) <= probes.DefaultSweepDetail {
		// A few named ports: the user asks about each, so give each the
		// full connect timeout.
		po.Timeout = ConnectTimeout
	}
	task := Task{Layer: result.Service, Name: "ports", Target: host,
		run: func(ctx context.Context) []result.Check { return probes.Ports(ctx, host, ports, po) }}
	return execute(ctx, o, []Task{task}, probes.ICMPPermission{Reason: notNeeded}, start, wallStart)
}

const notNeeded = "not needed"

// execute runs the tasks and builds the report with its verdict.
func execute(ctx context.Context, o Options, tasks []Task, perm probes.ICMPPermission, start, wallStart time.Time) *result.Report {
	checks := runTasks(ctx, tasks, o.Budget)
	checks = append(checks, compareDNS(checks, o.Now())...)
	var expectations []result.Expectation
	if o.Expect != nil {
		checks, expectations = o.Expect.Apply(checks)
	}
	r := &result.Report{
		Schema:    result.Schema,
		Tool:      result.Tool{Name: "netprobe", Version: o.Version},
		Command:   o.Command,
		StartedAt: start.UTC(),
		Budget:    o.Budget,
		Host:      hostInfo(perm),
		Layers:    Judge(checks, o.layersRun(tasks)),
		// Expectations are the check file's record of the rewrite above.
		Expectations: expectations,
	}
	r.Verdict = Decide(r.Layers)
	r.Duration = time.Since(wallStart)
	return r
}

func needsSystem(o Options) bool {
	for _, l := range []result.Layer{result.Link, result.Address, result.Gateway, result.Internet} {
		if o.wants(l) {
			return true
		}
	}
	return o.wants(result.DNS) && len(o.Resolvers) == 0
}

// runTasks runs every task concurrently and collects the checks in plan
// order. It returns when all tasks are done, or at the deadline plus a
// short grace: a task still running then gets a "did not finish" check.
func runTasks(ctx context.Context, tasks []Task, budget time.Duration) []result.Check {
	type done struct {
		i      int
		checks []result.Check
	}
	ch := make(chan done, len(tasks))
	for i, t := range tasks {
		// ctx is passed, not captured: the loop below replaces it once the
		// deadline passes, while a task may only be starting.
		go func(i int, t Task, ctx context.Context) {
			tctx := ctx
			if t.Timeout > 0 {
				var cancel context.CancelFunc
				tctx, cancel = context.WithTimeout(ctx, t.Timeout)
				defer cancel()
			}
			ch <- done{i, t.run(tctx)}
		}(i, t, ctx)
	}
	results := make([][]result.Check, len(tasks))
	finished := make([]bool, len(tasks))
	var late <-chan time.Time
	for n := 0; n < len(tasks); {
		select {
		case d := <-ch:
			results[d.i], finished[d.i] = d.checks, true
			n++
			continue
		case <-ctx.Done():
			if late == nil {
				late = time.After(straggler)
			}
			ctx = context.Background() // stop selecting on a closed channel
			continue
		case <-late:
		}
		break
	}
	var out []result.Check
	for i, t := range tasks {
		if !finished[i] {
			out = append(out, result.Check{Name: t.Name, Layer: t.Layer, Target: t.Target, Status: result.Skip,
				Detail: "not measured: did not finish within the " + budget.String() + " budget", Evidence: map[string]any{"timed_out": true}})
			continue
		}
		out = append(out, results[i]...)
	}
	return out
}

// compareDNS adds, per name, the comparison of system and reference
// resolvers' answers.
func compareDNS(checks []result.Check, at time.Time) []result.Check {
	type pair struct{ sys, ref []result.Check }
	byName := map[string]*pair{}
	var order []string
	for _, c := range checks {
		if c.Name != "dns" {
			continue
		}
		name, _ := c.Evidence["name"].(string)
		role, _ := c.Evidence["role"].(string)
		if name == "" {
			continue
		}
		p := byName[name]
		if p == nil {
			p = &pair{}
			byName[name] = p
			order = append(order, name)
		}
		if role == "reference" {
			p.ref = append(p.ref, c)
		} else {
			p.sys = append(p.sys, c)
		}
	}
	var out []result.Check
	for _, name := range order {
		p := byName[name]
		if len(p.ref) == 0 {
			continue
		}
		if c := probes.CompareDNS(name, p.sys, p.ref, at); c != nil {
			out = append(out, *c)
		}
	}
	return out
}

// layersRun lists the layers the plan touched, lowest first.
func (o Options) layersRun(tasks []Task) []result.Layer {
	seen := map[result.Layer]bool{}
	for _, t := range tasks {
		seen[t.Layer] = true
	}
	var out []result.Layer
	for _, l := range result.Layers {
		if seen[l] {
			out = append(out, l)
		}
	}
	return out
}

func hostInfo(perm probes.ICMPPermission) result.Host {
	h, _ := os.Hostname()
	hi := result.Host{Hostname: h, OS: runtime.GOOS, Arch: runtime.GOARCH, ICMP: perm.Mode}
	if perm.Mode == probes.ICMPDenied && perm.Reason != notNeeded {
		hi.ICMPReason = perm.Reason
	}
	if perm.Reason == notNeeded {
		hi.ICMP = "not-used"
	}
	return hi
}
