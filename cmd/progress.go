package cmd

import (
	"context"
	"os"

	"github.com/spf13/cobra"

	"github.com/netprobe/netprobe/diagnose"
	"github.com/netprobe/netprobe/internal/progress"
	"github.com/netprobe/netprobe/result"
)

// showProgress decides whether the live progress display draws: only on
// a terminal (stderr), never in CI (CI set, as every CI service sets it),
// with --quiet, or on TERM=dumb, which cannot move the cursor. The report
// on stdout is the same either way.
func showProgress(f *Factory, out *outputFlags) bool {
	return f.IO.IsStderrTTY() && !out.quiet && f.getenv("CI") == "" && f.getenv("TERM") != "dumb"
}

// runWithProgress runs a diagnosis with the live display on stderr when
// showProgress allows it, erases the display, then renders the report.
func runWithProgress(c *cobra.Command, f *Factory, out *outputFlags, o diagnose.Options,
	run func(context.Context, diagnose.Options) *result.Report) error {
	if !showProgress(f, out) {
		return render(f, out, run(c.Context(), o))
	}
	budget := o.Budget
	if budget == 0 {
		budget = diagnose.DefaultBudget
	}
	d := progress.New(f.IO.ErrOut, progress.Options{
		Unicode: !out.ascii,
		Color:   out.colorMode() == colorAlways || out.colorMode() == colorAuto && f.IO.ColorAllowed(),
		Width:   f.IO.StderrWidth(),
		Budget:  budget,
	})
	o.Progress = d.Update
	d.Start()
	r := run(c.Context(), o)
	d.Stop()
	return render(f, out, r)
}

// getenv is the Factory's environment, or the process's when a test left
// it unset.
func (f *Factory) getenv(k string) string {
	if f.Getenv != nil {
		return f.Getenv(k)
	}
	return os.Getenv(k)
}
