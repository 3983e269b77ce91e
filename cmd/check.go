package cmd

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/netprobe/netprobe/checkfile"
	"github.com/netprobe/netprobe/diagnose"
	"github.com/netprobe/netprobe/result"
)

// checkFlags are the flags of netprobe check.
type checkFlags struct {
	out      outputFlags
	file     string
	validate bool
	failOn   string
}

// NewCmdCheck runs the checks of a check file and judges them against
// what the file expects.
func NewCmdCheck(f *Factory) *cobra.Command {
	k := &checkFlags{}
	c := &cobra.Command{
		Use:   "check -f FILE",
		Short: "Run the checks of a check file and judge them against what it expects",
		Long: `Run the named checks of a check file (DNS names, targets, printers, with
what each must find), diagnose the lower layers it lists, and report. A
check that meets its expectation passes even when the probe "failed" (a
port that must be filtered and is), and the layered verdict still says
which layer is at fault when one does not.

The file is validated before anything runs: every problem is printed as
FILE:LINE:COL: message, one per line, and the exit code is 2. --validate
only validates. See examples/office.yaml and docs/netprobe.schema.json.

Exit codes: 0 every check as expected (warnings too, unless --fail-on
warn), 1 a check or layer fails, 2 bad input or file, 3 warnings with
--fail-on warn.`,
		Example: `  netprobe check -f office.yaml
  netprobe check -f office.yaml -o junit --output-file report.xml --fail-on warn
  netprobe check --validate -f office.yaml`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, args []string) error { return runCheck(c, f, k) },
	}
	k.out.register(c)
	fl := c.Flags()
	fl.StringVarP(&k.file, "file", "f", "", "the check file (YAML)")
	fl.BoolVar(&k.validate, "validate", false, "only validate the file: print its errors, or that it is valid")
	fl.StringVar(&k.failOn, "fail-on", "fail", "lowest status that fails the run: fail, or warn (warnings then exit 3 and are JUnit failures)")
	return c
}

func runCheck(c *cobra.Command, f *Factory, k *checkFlags) error {
	if k.file == "" {
		return usagef("check needs a file: netprobe check -f office.yaml")
	}
	failOn, err := parseFailOn(k.failOn)
	if err != nil {
		return err
	}
	if err := k.out.validate(); err != nil {
		return err
	}
	cf, err := checkfile.Load(k.file)
	if err != nil {
		return fileErrors(f, err)
	}
	if k.validate {
		fmt.Fprintf(f.IO.Out, "%s: valid (%s)\n", k.file, cf.Summary())
		return nil
	}
	o, err := cf.Options(checkfile.Env{Getenv: f.Getenv})
	if err != nil {
		return fileErrors(f, err)
	}
	o.Command, o.Version = "check", Version
	if c.Flags().Changed("timeout") {
		o.Budget = k.out.timeout
	}
	if err := o.Validate(); err != nil {
		return usageError{err}
	}
	k.out.failOn = failOn
	return runWithProgress(c, f, &k.out, o, f.Run)
}

// parseFailOn reads --fail-on.
func parseFailOn(s string) (result.Status, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "fail", "":
		return result.Fail, nil
	case "warn", "warning":
		return result.Warn, nil
	}
	return "", usagef("fail-on %q is not fail or warn", s)
}

// withCheckFile makes a diagnose run of a check file given to --config:
// the file's checks and layers, with what the command line set on top
// (flags win, as with a flag-style file).
func (d *diagnoseFlags) withCheckFile(c *cobra.Command, f *Factory, cf *checkfile.File, flags diagnose.Options) (diagnose.Options, error) {
	o, err := cf.Options(checkfile.Env{Getenv: f.Getenv})
	if err != nil {
		return o, fileErrors(f, err)
	}
	o.Version = flags.Version
	changed := c.Flags().Changed
	if changed("timeout") {
		o.Budget = flags.Budget
	}
	if changed("upstream") {
		o.Upstreams = flags.Upstreams
	}
	if changed("resolver") {
		o.Resolvers = flags.Resolvers
	}
	if changed("count") {
		o.PingCount = flags.PingCount
	}
	if changed("interval") {
		o.PingInterval = flags.PingInterval
	}
	if changed("loss-warn") {
		o.LossWarn = flags.LossWarn
	}
	if changed("rtt-warn") {
		o.RTTWarn = flags.RTTWarn
	}
	if changed("ca-file") {
		o.ExtraCAs = flags.ExtraCAs
	}
	if changed("layers") {
		o.Layers = flags.Layers
	}
	// Targets, names and printers on the command line are diagnosed
	// next to the file's checks.
	o.Targets, o.DNSNames, o.Printers, o.Printer = flags.Targets, flags.DNSNames, flags.Printers, flags.Printer
	if o.DNSNames == nil {
		o.DNSNames = []string{}
	}
	if len(o.Targets) > 0 && !containsLayer(o.Layers, result.Service) {
		o.Layers = append(o.Layers, result.Service)
	}
	if len(o.Printers) > 0 && !containsLayer(o.Layers, result.Printer) {
		o.Layers = append(o.Layers, result.Printer)
	}
	if len(o.DNSNames) > 0 && !containsLayer(o.Layers, result.DNS) {
		o.Layers = append(o.Layers, result.DNS)
	}
	return o, nil
}

func containsLayer(ls []result.Layer, l result.Layer) bool {
	for _, x := range ls {
		if x == l {
			return true
		}
	}
	return false
}
