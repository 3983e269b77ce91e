// Package cmd holds netprobe's cobra commands. Each command only parses
// flags, builds diagnose.Options, calls the library and renders: the
// diagnosis lives in diagnose/, the probes in probes/, the output in
// reports/.
package cmd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/netprobe/netprobe/diagnose"
	"github.com/netprobe/netprobe/internal/buildinfo"
	"github.com/netprobe/netprobe/internal/fdlimit"
	"github.com/netprobe/netprobe/internal/iostreams"
	"github.com/netprobe/netprobe/internal/sanitize"
	"github.com/netprobe/netprobe/redact"
	"github.com/netprobe/netprobe/reports"
	"github.com/netprobe/netprobe/result"
	"github.com/netprobe/netprobe/watch"
)

// Exit codes, documented in --help and the README.
const (
	ExitOK       = 0
	ExitFail     = 1
	ExitUsage    = 2
	ExitDegraded = 3
	// ExitUnknown: nothing was measured, so the run cannot say.
	ExitUnknown = 4
	// ExitInterrupted is the shell's code for SIGINT (128+2): the report
	// of what was measured so far is still written.
	ExitInterrupted = 130
)

// Version, Commit and Date identify the build. A release build stamps
// them with -ldflags "-X github.com/netprobe/netprobe/cmd.Version=0.4.0
// -X ...cmd.Commit=<sha> -X ...cmd.Date=<RFC 3339>" (scripts/release);
// whatever it left empty is filled at start from the Go build info, so a
// `go install ...@v0.4.0` names its version too (internal/buildinfo).
var (
	Version = buildinfo.Unstamped
	Commit  = ""
	Date    = ""
)

// build is the resolved build identity; init resolves it before any
// command reads Version, so reports and `netprobe version` agree.
var build buildinfo.Info

func init() {
	build = buildinfo.Read(Version, Commit, Date)
	Version = build.Version
}

// Factory carries what every command needs; tests replace its parts.
type Factory struct {
	IO *iostreams.IOStreams
	// Run performs a diagnosis; tests may substitute it.
	Run func(ctx context.Context, o diagnose.Options) *result.Report
	// RunPorts performs a port check (the port command).
	RunPorts func(ctx context.Context, o diagnose.Options, host string, ports []diagnose.PortSpec) *result.Report
	// Getenv reads the environment (secrets may come from it).
	Getenv func(string) string
	// Serve runs netprobe serve's HTTP server until ctx ends; tests
	// substitute it so nothing listens.
	Serve func(ctx context.Context, h http.Handler, listen string, ready func(addr string)) error
	// Clock paces the watch command; nil is the wall clock.
	Clock watch.Clock
}

// usageError marks bad input: exit code 2.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func usagef(format string, a ...any) error { return usageError{fmt.Errorf(format, a...)} }

// exitError carries the exit code of a finished run (1 or 3): not an error
// to print, the report said it all.
type exitError struct{ code int }

func (e exitError) Error() string { return fmt.Sprintf("exit %d", e.code) }

// Main runs netprobe with args and returns the process exit code.
func Main(args []string, io *iostreams.IOStreams) int {
	// Every descriptor the OS allows, before the probes size their
	// concurrency from it (internal/fdlimit).
	fdlimit.Raise()
	f := &Factory{IO: io, Run: diagnose.Run, RunPorts: diagnose.RunPorts, Getenv: os.Getenv, Serve: listenAndServe}
	root := NewRootCmd(f)
	root.SetArgs(args)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := root.ExecuteContext(ctx)
	return exitCode(err, io)
}

// exitCode maps an error to the process exit code, printing it as one line.
func exitCode(err error, io *iostreams.IOStreams) int {
	if err == nil {
		return ExitOK
	}
	var ee exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	fmt.Fprintf(io.ErrOut, "netprobe: %s\n", errorLine(err.Error()))
	var ue usageError
	if errors.As(err, &ue) || isCobraUsage(err) {
		return ExitUsage
	}
	return ExitFail
}

// maxErrorLine bounds the one line an error prints. Values in messages are
// quoted bounded where they are built (input.Quote); this is the last
// guard for text that comes from elsewhere (cobra, pflag, the OS).
const maxErrorLine = 400

// errorLine makes an error message one terminal-safe line of at most
// maxErrorLine characters: no escape sequences, control or bidi
// characters, no newline.
func errorLine(msg string) string {
	return sanitize.String(msg, maxErrorLine)
}

// isCobraUsage recognises cobra's own argument errors, which it does not
// type.
func isCobraUsage(err error) bool {
	s := err.Error()
	for _, p := range []string{"unknown command", "unknown flag", "unknown shorthand", "accepts ", "requires at least", "invalid argument", "flag needs an argument", "requires exactly", "none of the others can be"} {
		if strings.Contains(s, p) {
			return true
		}
	}
	return false
}

const exitHelp = `Exit codes:
  0  ok: every tested layer works
  1  fail: a layer is broken (the verdict names it)
  2  bad input: an invalid flag, host, port, URL, duration or format
  3  degraded: everything works, with warnings (loss, latency, a resolver down, low toner)
  4  unknown: nothing could be measured (every check was skipped)
  130 interrupted (Ctrl-C): the report shows what was measured so far`

// NewRootCmd builds the command tree. Without a subcommand, netprobe runs
// diagnose.
func NewRootCmd(f *Factory) *cobra.Command {
	d := newDiagnoseFlags()
	var showVersion bool
	root := &cobra.Command{
		Use:   "netprobe",
		Short: "Find which layer of the network is broken",
		Long: `netprobe tests the network bottom-up, concurrently, under one time budget:
link, address, gateway, internet, dns, service and printer. It names the
lowest failing layer as the verdict, says what to do, and prints a report
to paste into a ticket.

Run it without arguments for a full diagnosis (netprobe diagnose).

` + exitHelp,
		Example:       diagnoseExamples,
		SilenceUsage:  true,
		SilenceErrors: true,
		Args:          cobra.NoArgs,
		RunE: func(c *cobra.Command, args []string) error {
			if showVersion {
				_, err := io.WriteString(f.IO.Out, versionText())
				return err
			}
			return runDiagnose(c, f, d, "diagnose", nil)
		},
	}
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error { return usageError{flagValueError(err)} })
	root.SetOut(f.IO.Out)
	root.SetErr(f.IO.ErrOut)
	d.registerAll(root)
	root.Flags().BoolVarP(&showVersion, "version", "V", false, "print netprobe's version, commit and build date")
	root.AddCommand(
		NewCmdDiagnose(f),
		NewCmdGateway(f),
		NewCmdPing(f),
		NewCmdDNS(f),
		NewCmdPort(f),
		NewCmdPrinter(f),
		NewCmdWatch(f),
		NewCmdVersion(f),
		NewCmdCheck(f),
		NewCmdServe(f),
		NewCmdDocs(f),
	)
	registerCompletions(root)
	return root
}

// render redacts if asked, writes the report (to --output-file, if set,
// atomically) and turns its verdict into an exit code.
func render(f *Factory, out *outputFlags, r *result.Report) error {
	if out.redact {
		red := redact.Report(*r)
		r = &red
	}
	to := out.textOptions(f.IO)
	write := func(w io.Writer) error {
		switch {
		case out.format == reports.FormatJUnit:
			return reports.JUnitWith(w, r, reports.JUnitOptions{FailOn: out.failOn})
		case out.quiet && out.format == reports.FormatText:
			return reports.VerdictLine(w, r, to)
		}
		return reports.Render(w, out.format, r, to)
	}
	if out.outputFile != "" {
		if err := reports.WriteFileAtomic(out.outputFile, write); err != nil {
			return fmt.Errorf("output-file: %v", err)
		}
	} else if err := write(f.IO.Out); err != nil {
		return err
	}
	switch {
	case r.Interrupted:
		return exitError{ExitInterrupted}
	case r.Verdict.Status == result.Failed:
		return exitError{ExitFail}
	case r.Verdict.Status == result.Degraded:
		if out.failOn == result.Fail {
			// netprobe check: warnings do not fail the run unless
			// --fail-on warn says so.
			return nil
		}
		return exitError{ExitDegraded}
	case r.Verdict.Status == result.Unknown:
		return exitError{ExitUnknown}
	}
	return nil
}

// textOptions decides, from the flags and the streams, what the text
// report may use: colour (--color, NO_COLOR, a terminal, not a file),
// Unicode marks (a terminal that is not TERM=dumb, no --ascii) and the
// width (the terminal's, when narrower than the default).
func (o *outputFlags) textOptions(s *iostreams.IOStreams) reports.TextOptions {
	to := reports.TextOptions{Verbose: o.verbose, Unicode: s.Unicode() && !o.ascii && o.outputFile == ""}
	switch o.colorMode() {
	case colorAlways:
		to.Color = true
	case colorAuto:
		to.Color = s.Color() && o.outputFile == ""
	}
	if w := s.TerminalWidth(); w > 0 && w < reports.DefaultWidth && o.outputFile == "" {
		to.Width = w
	}
	return to
}

// colorMode is --color as parsed, with the hidden --no-color alias.
func (o *outputFlags) colorMode() string {
	if o.noColor {
		return colorNever
	}
	m, err := parseColor(o.color)
	if err != nil {
		return colorAuto // refused by validate before anything renders
	}
	return m
}

// outputFlags are the flags every command that reports shares.
type outputFlags struct {
	format     string
	color      string
	noColor    bool
	ascii      bool
	redact     bool
	verbose    bool
	quiet      bool
	timeout    time.Duration
	outputFile string
	// failOn is netprobe check's --fail-on: Fail lets warnings pass (exit
	// 0), Warn fails on them; "" keeps diagnose's codes (3 for degraded).
	failOn result.Status
}

func (o *outputFlags) register(c *cobra.Command) {
	fl := c.Flags()
	o.format, o.color = reports.FormatText, colorAuto
	fl.StringVarP(&o.format, "output", "o", reports.FormatText, "report format: "+strings.Join(reports.Formats, ", ")+" (md is markdown)")
	fl.StringVar(&o.color, "color", colorAuto, "colour in the text report: auto (on a terminal, unless NO_COLOR is set), always or never")
	fl.BoolVar(&o.noColor, "no-color", false, "same as --color never")
	_ = fl.MarkHidden("no-color") // kept for scripts; --color never is the one name
	fl.BoolVar(&o.ascii, "ascii", false, "plain ASCII text even on a terminal (it is when piped)")
	fl.BoolVar(&o.redact, "redact", false, "mask addresses, names, MACs and serial numbers for sharing publicly")
	fl.BoolVarP(&o.verbose, "verbose", "v", false, "show every piece of evidence and the reason codes in the text report")
	fl.BoolVarP(&o.quiet, "quiet", "q", false, "print only the verdict line (text) and no progress; the exit code says the rest")
	fl.DurationVar(&o.timeout, "timeout", diagnose.DefaultBudget, "time budget of the whole run")
	fl.StringVar(&o.outputFile, "output-file", "", "write the report to this file, atomically (a temporary file renamed into place), e.g. for node_exporter's textfile collector")
	c.MarkFlagsMutuallyExclusive("quiet", "verbose")
}

// validate checks the shared flags before anything runs.
func (o *outputFlags) validate() error {
	f, err := reports.ParseFormat(o.format)
	if err != nil {
		return usageError{err}
	}
	o.format = f
	if _, err := parseColor(o.color); err != nil {
		return usageError{err}
	}
	return nil
}
