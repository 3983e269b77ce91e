package cmd

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/netprobe/netprobe/redact"
	"github.com/netprobe/netprobe/reports"
	"github.com/netprobe/netprobe/result"
	"github.com/netprobe/netprobe/watch"
)

// watchFlags are diagnose's flags plus the watch's own. --interval is the
// time between rounds here; the echo interval is --ping-interval.
type watchFlags struct {
	diagnoseFlags
	every     time.Duration
	duration  time.Duration
	fullEvery int
}

// Limits of the watch's own flags.
const (
	minWatchInterval = 100 * time.Millisecond
	maxWatchInterval = 24 * time.Hour
)

const watchExitHelp = `Exit codes:
  0   no layer failed in any round (warnings alone do not fail a watch)
  1   a layer failed in at least one round: the summary lists the outages
  2   bad input: an invalid flag, host, port, URL, duration or format
  4   no round could be measured
  130 interrupted (Ctrl-C, SIGTERM) before --duration ended; the summary is
      still printed and says whether there was an outage. Without --duration
      Ctrl-C is the only way to end a watch, so use --duration in scripts.`

// NewCmdWatch re-runs the diagnosis until Ctrl-C or --duration and
// summarises what changed.
func NewCmdWatch(f *Factory) *cobra.Command {
	w := &watchFlags{diagnoseFlags: *newDiagnoseFlags()}
	w.pingIntervalFlag = "ping-interval"
	c := &cobra.Command{
		Use:   "watch",
		Short: "Re-run the diagnosis to catch a fault that comes and goes; summarise outages",
		Long: `Run the diagnosis every --interval and print one line per change of a
layer's state (time, layer, from -> to, reason code, evidence). On Ctrl-C or
at the end of --duration, print a summary: outage windows per layer with
start, end and duration, and loss and latency percentiles per path.

The whole diagnosis runs on the first round, every --full-every rounds, and
right after any change. The rounds between are lighter: they leave out the
printer (unless it is what fails) and, while a layer fails, the layers above
it, whose checks would only wait out their timeouts. Times are UTC. An
outage's edges are as precise as the rounds: it began after the last good
round and ended after the last failing one.

With -o json, markdown or html the change lines go to stderr and only the
summary to stdout. Memory stays flat however long the watch runs.

` + watchExitHelp,
		Example: `  netprobe watch
  netprobe watch --interval 2s --duration 1h -o html --target https://intranet.example.com/ > watch.html
  netprobe watch --layers gateway,internet --interval 1s --timeout 3s`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, args []string) error { return runWatch(c, f, w) },
	}
	w.registerAll(c)
	fl := c.Flags()
	fl.DurationVar(&w.every, "interval", 5*time.Second, "time from the start of one round to the next")
	fl.DurationVar(&w.duration, "duration", 0, "stop after this long and print the summary (default: until Ctrl-C)")
	fl.IntVar(&w.fullEvery, "full-every", watch.DefaultFullEvery, "run the whole diagnosis every N rounds; 1 makes every round full")
	// The shared flags mean something slightly different here.
	fl.Lookup("output").Usage = "summary format: " + strings.Join(reports.WatchFormats, ", ")
	fl.Lookup("timeout").Usage = "time budget of each round"
	fl.Lookup("verbose").Usage = "list the most recent changes in the text summary too"
	return c
}

// validate checks the watch's own flags.
func (w *watchFlags) validate() error {
	if w.every < minWatchInterval || w.every > maxWatchInterval {
		return usagef("interval %s is out of range (%s to %s)", w.every, minWatchInterval, maxWatchInterval)
	}
	if w.duration < 0 {
		return usagef("duration %s is negative", w.duration)
	}
	if w.fullEvery < 1 || w.fullEvery > 10000 {
		return usagef("full-every %d is out of range (1-10000)", w.fullEvery)
	}
	f, err := reports.ParseWatchFormat(w.out.format)
	if err != nil {
		return usageError{err}
	}
	w.out.format = f
	return nil
}

// runWatch validates everything, then loops until ctx ends or the
// duration is over, and renders the summary.
func runWatch(c *cobra.Command, f *Factory, w *watchFlags) error {
	cf, err := w.applyConfig(c, f)
	if err != nil {
		return err
	}
	if cf != nil {
		return usagef("watch takes a flag-style config file, not a check file (use netprobe check or serve for those)")
	}
	o, err := w.options(f, c.Flags())
	if err != nil {
		return err
	}
	o.Command = "watch"
	if err := w.validate(); err != nil {
		return err
	}
	if err := o.Validate(); err != nil {
		return usageError{err}
	}

	to := reports.TextOptions{Color: f.IO.Color() && !w.out.noColor, Unicode: f.IO.Unicode(), Verbose: w.out.verbose}
	lines := f.IO.Out
	if w.out.format != reports.FormatText {
		// stdout carries one document; the live lines go to the person.
		lines, to.Color, to.Unicode = f.IO.ErrOut, false, false
	}
	var mask *redact.Masker
	if w.out.redact {
		mask = redact.NewMasker()
	}
	agg := watch.New(watch.Config{BucketWidth: w.every})
	loop := &watch.Loop{
		Interval: w.every, Duration: w.duration, FullEvery: w.fullEvery, Agg: agg, Clock: f.Clock,
		Run: func(ctx context.Context, p watch.Plan) *result.Report {
			ro := o
			if !p.Full {
				ro.Layers = p.Layers
			}
			return f.Run(ctx, ro)
		},
		OnRound: func(p watch.Plan, r *result.Report, changes []watch.Change) {
			if mask != nil {
				mask.Collect(r)
				for i := range changes {
					changes[i] = changes[i].Mask(mask)
				}
			}
			reports.WatchLines(lines, changes, to)
		},
	}
	until := "until Ctrl-C"
	if w.duration > 0 {
		until = "for " + w.duration.String() + " (Ctrl-C ends it early)"
	}
	fmt.Fprintf(f.IO.ErrOut, "netprobe watch: a round every %s, the whole diagnosis every %d rounds, %s; then a summary.\n", w.every, w.fullEvery, until)

	end, interrupted := loop.Watch(c.Context())
	s := agg.Summary(watch.Meta{Interval: w.every, FullEvery: w.fullEvery, End: end.UTC(), Interrupted: interrupted})
	if s.Rounds == 0 {
		s.Tool, s.Command = result.Tool{Name: "netprobe", Version: Version}, o.Command
	}
	if mask != nil {
		s = s.Mask(mask)
	}
	if err := reports.RenderWatch(f.IO.Out, w.out.format, s, to); err != nil {
		return err
	}
	switch {
	case interrupted:
		return exitError{ExitInterrupted}
	case s.Status == result.Failed:
		return exitError{ExitFail}
	case s.Rounds == 0:
		return exitError{ExitUnknown}
	}
	return nil
}
