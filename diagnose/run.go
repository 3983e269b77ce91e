package diagnose

import (
	"context"
	"errors"
	"os"
	"runtime"
	"time"

	"github.com/netprobe/netprobe/probes"
	"github.com/netprobe/netprobe/result"
)

// Run executes a whole diagnosis under one deadline and returns the
// finished report. The first round's tasks run concurrently; its results
// are judged, a confirmation round is planned from them (FollowUps, a
// pure function) and run in what is left of the same budget; then the
// verdict is decided on both. The run returns by Budget (minus a small
// margin to print) whatever the network does: a probe that overstays the
// deadline is reported as not finished, not waited for.
//
// ctx is the caller's: when it is cancelled (Ctrl-C, a client that hung
// up) the probes stop, and the report says it was interrupted.
func Run(ctx context.Context, o Options) *result.Report {
	o = o.withDefaults()
	start, wallStart := o.Now(), time.Now()
	runCtx, cancel := context.WithTimeout(ctx, o.Budget-exitMargin)
	defer cancel()

	sys := probes.System{}
	if o.ReadSystem != nil {
		sys = o.ReadSystem()
	} else if needsSystem(o) {
		sys = probes.ReadSystem(runCtx)
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
		runCtx = probes.WithResolvers(runCtx, o.Resolvers)
	}
	o = osProxy(runCtx, o)
	env := FollowEnv{Options: o, System: sys, Permission: perm}
	return execute(ctx, runCtx, o, Plan(o, sys, perm), &env, perm, start, wallStart)
}

// RunPorts checks ports of one host (the port command) under the same
// deadline rules as Run.
func RunPorts(ctx context.Context, o Options, host string, ports []PortSpec) *result.Report {
	o = o.withDefaults()
	start, wallStart := o.Now(), time.Now()
	runCtx, cancel := context.WithTimeout(ctx, o.Budget-exitMargin)
	defer cancel()
	po := probes.PortsOptions{}
	if len(ports) <= probes.DefaultSweepDetail {
		// A few named ports: the user asks about each, so give each the
		// full connect timeout.
		po.Timeout = ConnectTimeout
	}
	task := Task{Layer: result.Service, Name: "ports", Target: host, Probe: probes.NewPorts(host, ports, po)}
	return execute(ctx, runCtx, o, []Task{task}, nil, probes.ICMPPermission{Reason: notNeeded}, start, wallStart)
}

const notNeeded = "not needed"

// followUpMin is the least time a follow-up task needs to be worth
// starting; with less left, the plan's follow-ups are reported as not
// run (run.no_time_left) rather than started and cut off.
const followUpMin = 300 * time.Millisecond

// execute runs the tasks (and, with env, the confirmation round) and
// builds the report with its verdict.
func execute(parent, ctx context.Context, o Options, tasks []Task, env *FollowEnv, perm probes.ICMPPermission, start, wallStart time.Time) *result.Report {
	ctx, cancel := probeDeadline(ctx, len(tasks))
	defer cancel()
	checks := runTasks(ctx, tasks, o.Budget, o.Progress)
	checks = append(checks, compareDNS(checks, o.Now())...)
	checks = append(checks, dnsLatency(checks, o.DNSSlow, o.Now())...)
	layers := o.layersRun(tasks)
	if env != nil && parent.Err() == nil {
		if fu := FollowUps(checks, Judge(checks, layers), *env); len(fu) > 0 {
			checks = append(checks, runFollowUps(ctx, fu, o)...)
		}
	}
	// A check file's expectations rewrite what was measured into what was
	// asked for (a port that must stay filtered is green when it is),
	// after the confirmation round, which follows up the raw findings.
	var expectations []result.Expectation
	if o.Expect != nil {
		checks, expectations = o.Expect.Apply(checks)
	}
	interrupted := errors.Is(parent.Err(), context.Canceled)
	r := &result.Report{
		Schema:      result.Schema,
		Tool:        result.Tool{Name: "netprobe", Version: o.Version},
		Command:     o.Command,
		StartedAt:   start.UTC(),
		Budget:      o.Budget,
		Host:        hostInfo(perm),
		Layers:      Judge(checks, layers),
		Interrupted: interrupted,
		// Expectations are the check file's record of the rewrite above.
		Expectations: expectations,
	}
	r.Verdict = Decide(r.Layers)
	if interrupted {
		r.Verdict = Interrupted(r.Verdict)
	}
	r.Duration = time.Since(wallStart)
	return r
}

// probeDeadline brings the probes' deadline forward from the run's (which
// already keeps exitMargin free) by the straggler wait and by the time
// judging and rendering take for this many tasks, so the process ends
// within the budget however many targets it was given.
func probeDeadline(ctx context.Context, tasks int) (context.Context, context.CancelFunc) {
	dl, ok := ctx.Deadline()
	if !ok {
		return context.WithCancel(ctx)
	}
	keep := straggler + min(time.Duration(tasks)*perCheckMargin, maxRenderMargin)
	// A budget too short for the margin still leaves the probes half.
	keep = min(keep, time.Until(dl)/2)
	return context.WithDeadline(ctx, dl.Add(-keep))
}

// runFollowUps runs the confirmation round in what is left of ctx's
// budget. A follow-up that cannot get followUpMin is not started: it is
// reported as planned but not run, so the report says a confirmation was
// missing instead of pretending there was nothing to confirm.
func runFollowUps(ctx context.Context, fu []Task, o Options) []result.Check {
	left := time.Duration(0)
	if dl, ok := ctx.Deadline(); ok {
		left = time.Until(dl)
	}
	var run []Task
	var out []result.Check
	for _, t := range fu {
		t.Round = 2
		if left < followUpMin || ctx.Err() != nil {
			out = append(out, result.Check{Name: t.Name, Layer: t.Layer, Target: t.Target, Status: result.Skip,
				Reason: result.ReasonNoTimeLeft, Round: 2, Started: o.Now(),
				Detail: "not confirmed: no time was left in the " + o.Budget.String() + " budget for this follow-up", Evidence: map[string]any{}})
			continue
		}
		if t.Timeout <= 0 || t.Timeout > left {
			t.Timeout = left
		}
		run = append(run, t)
	}
	return append(runTasks(ctx, run, o.Budget, o.Progress), out...)
}

func needsSystem(o Options) bool {
	for _, l := range []result.Layer{result.Link, result.Address, result.Gateway, result.Internet} {
		if o.wants(l) {
			return true
		}
	}
	return o.wants(result.DNS) && len(o.Resolvers) == 0 || o.wants(result.Service) || o.wants(result.Printer)
}

// runTasks runs every task concurrently and collects the checks in plan
// order. It returns when all tasks are done, or at ctx's end plus a short
// grace: a task still running then gets a "not measured" check. When ctx
// ends because it was cancelled (the run was interrupted, not timed out),
// a task that returns after that moment was cut short: its checks are
// kept as evidence but marked not measured (run.interrupted), never
// passed off as a result.
func runTasks(ctx context.Context, tasks []Task, budget time.Duration, progress func(Progress)) []result.Check {
	tally := newTally(tasks, progress)
	type done struct {
		i      int
		checks []result.Check
		late   bool
	}
	ch := make(chan done, len(tasks))
	for i, t := range tasks {
		go func(i int, t Task) {
			tctx := ctx
			if t.Timeout > 0 {
				var cancel context.CancelFunc
				tctx, cancel = context.WithTimeout(ctx, t.Timeout)
				defer cancel()
			}
			cs := t.Probe(tctx)
			ch <- done{i, cs, errors.Is(ctx.Err(), context.Canceled)}
		}(i, t)
	}
	results := make([][]result.Check, len(tasks))
	finished := make([]bool, len(tasks))
	ended := ctx.Done()
	var late <-chan time.Time
	for n := 0; n < len(tasks); {
		select {
		case d := <-ch:
			if d.late {
				d.checks = interrupted(d.checks)
			}
			for k := range d.checks {
				d.checks[k].Round = tasks[d.i].Round
			}
			results[d.i], finished[d.i] = d.checks, true
			tally.done(tasks[d.i], d.checks)
			n++
			continue
		case <-ended:
			late = time.After(straggler)
			ended = nil // fires once; keep selecting on the rest
			continue
		case <-late:
		}
		break
	}
	cancelled := errors.Is(ctx.Err(), context.Canceled)
	var out []result.Check
	for i, t := range tasks {
		if !finished[i] {
			c := result.Check{Name: t.Name, Layer: t.Layer, Target: t.Target, Status: result.Skip, Reason: result.ReasonTimedOut, Round: t.Round,
				Detail: "not measured: did not finish within the " + budget.String() + " budget", Evidence: map[string]any{"timed_out": true}}
			if cancelled {
				c.Reason, c.Detail = result.ReasonInterrupted, "not measured: the run was interrupted before this check finished"
				c.Evidence = map[string]any{"interrupted": true}
			}
			out = append(out, c)
			continue
		}
		out = append(out, results[i]...)
	}
	return out
}

// interrupted marks checks cut short by an interrupt: not measured, with
// what they had seen kept as evidence.
func interrupted(cs []result.Check) []result.Check {
	out := make([]result.Check, len(cs))
	for i, c := range cs {
		if c.Status != result.Skip {
			c.With("interrupted", true).With("status_when_interrupted", string(c.Status))
			c.Status, c.Reason = result.Skip, result.ReasonInterrupted
			c.Detail = "not measured: the run was interrupted (it had seen: " + c.Detail + ")"
		}
		out[i] = c
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

// Progress is what an observer of a run (a live progress display) is told
// each time a task finishes: its layer, how many of that layer's tasks of
// this round are done, and the checks so far. When Done reaches Total the
// layer's Status is its status judged on its own checks: provisional, the
// report's (which weighs the other layers and the confirmation round) is
// the answer.
type Progress struct {
	Layer       result.Layer
	Round       int
	Done, Total int
	Status      result.Status
	Checks      []result.Check
}

// tally counts finished tasks per layer for the progress observer. It is
// used from runTasks' collecting loop only, so it needs no lock, and the
// observer is called from that one goroutine.
type tally struct {
	observe  func(Progress)
	total    map[result.Layer]int
	finished map[result.Layer]int
	checks   map[result.Layer][]result.Check
}

func newTally(tasks []Task, observe func(Progress)) *tally {
	t := &tally{observe: observe, total: map[result.Layer]int{}, finished: map[result.Layer]int{}, checks: map[result.Layer][]result.Check{}}
	for _, task := range tasks {
		t.total[task.Layer]++
	}
	return t
}

func (t *tally) done(task Task, cs []result.Check) {
	if t.observe == nil {
		return
	}
	l := task.Layer
	t.finished[l]++
	t.checks[l] = append(t.checks[l], cs...)
	p := Progress{Layer: l, Round: task.Round, Done: t.finished[l], Total: t.total[l], Checks: t.checks[l]}
	if p.Done == p.Total {
		p.Status = Judge(t.checks[l], []result.Layer{l})[0].Status
	}
	t.observe(p)
}
