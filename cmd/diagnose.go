package cmd

import (
	"crypto/x509"
	"fmt"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/netprobe/netprobe/diagnose"
	"github.com/netprobe/netprobe/internal/input"
	"github.com/netprobe/netprobe/probes"
	"github.com/netprobe/netprobe/reports"
	"github.com/netprobe/netprobe/result"
)

// diagnoseFlags are the flags of a full diagnosis (also on the root command).
type diagnoseFlags struct {
	out         outputFlags
	config      string
	upstreams   []string
	dnsNames    []string
	targets     []string
	printers    []string
	resolvers   []string
	references  []string
	noReference bool
	layers      []string
	// layersSet: --layers was given (possibly empty, which is refused).
	layersSet bool
	count     int
	interval  time.Duration
	lossWarn  float64
	rttWarn   time.Duration
	dnsSlow   time.Duration
	caFile    string
	snmp      snmpFlags
	// Captive portals and proxies.
	portalURLs    []string
	noPortalCheck bool
	proxy         string
	noProxy       bool
	// pingHosts are the ping command's arguments.
	pingHosts []string
	// pingIntervalFlag names the echo-interval flag: "interval", except
	// on the watch command, whose --interval is the time between rounds.
	pingIntervalFlag string
}

// newDiagnoseFlags returns the flag values with their defaults set, also
// for the flags a command does not register: a single-layer command then
// builds the same options as a diagnose run with those flags left alone.
func newDiagnoseFlags() *diagnoseFlags {
	return &diagnoseFlags{
		out:      outputFlags{format: reports.FormatText, color: colorAuto, timeout: diagnose.DefaultBudget},
		count:    probes.DefaultPingCount,
		interval: probes.DefaultPingInterval,
		lossWarn: probes.DefaultLossWarn,
		rttWarn:  probes.DefaultRTTWarn,
		dnsSlow:  diagnose.DefaultDNSSlow,
		snmp:     defaultSNMPFlags(),
	}
}

// The flag groups. Each command registers only the groups it uses, so a
// flag it would ignore is an unknown flag there (exit 2) by construction:
// `netprobe ping --layers dns HOST` is refused instead of silently
// pinging. Every group registers onto the same diagnoseFlags, whose
// values are checked in one place (validate.go).

// registerAll registers every group: the diagnose command (and the root,
// which runs it), and the scratch flag set that checks config files.
func (d *diagnoseFlags) registerAll(c *cobra.Command) {
	d.out.register(c)
	d.registerConfig(c)
	d.registerLayers(c)
	d.registerInternet(c)
	d.registerPing(c)
	d.registerDNS(c)
	d.registerService(c)
	d.registerPrinters(c)
	d.snmp.register(c)
}

// registerConfig: --config, for every command that runs a diagnosis.
func (d *diagnoseFlags) registerConfig(c *cobra.Command) {
	c.Flags().StringVar(&d.config, "config", "", "YAML file with the same settings as the flags (flags win); also $NETPROBE_CONFIG")
}

// registerLayers: --layers, for the command that runs several layers.
func (d *diagnoseFlags) registerLayers(c *cobra.Command) {
	c.Flags().StringSliceVar(&d.layers, "layers", nil, "only these layers (comma-separated: link,address,gateway,internet,dns,service,printer)")
}

// registerInternet: the internet layer's upstreams and captive-portal
// check.
func (d *diagnoseFlags) registerInternet(c *cobra.Command) {
	fl := c.Flags()
	fl.StringArrayVar(&d.upstreams, "upstream", nil, "IP address to test internet reachability against, also used as reference DNS server (repeatable; default 1.1.1.1, 8.8.8.8, 9.9.9.9 and two IPv6 resolvers)")
	fl.StringArrayVar(&d.portalURLs, "portal-url", nil, "plain http:// URL for the captive-portal check, replacing the public defaults (repeatable); URL#status=CODE or URL#body=TEXT names the answer that means no portal (default: a 204 or an empty page)")
	fl.BoolVar(&d.noPortalCheck, "no-portal-check", false, "skip the captive-portal check (by default it asks public connectivity-check URLs); wins over --portal-url")
}

// registerPing: how every ping of the run is sent and judged (gateway,
// internet, ping).
func (d *diagnoseFlags) registerPing(c *cobra.Command) {
	fl := c.Flags()
	fl.IntVar(&d.count, "count", probes.DefaultPingCount, "echo requests per host")
	name := d.pingIntervalFlag
	if name == "" {
		name = "interval"
	}
	fl.DurationVar(&d.interval, name, probes.DefaultPingInterval, "time between echo requests")
	fl.Float64Var(&d.lossWarn, "loss-warn", probes.DefaultLossWarn, "packet loss (percent) from which a path is degraded")
	fl.DurationVar(&d.rttWarn, "rtt-warn", probes.DefaultRTTWarn, "average round-trip time from which a path is degraded")
}

// registerDNS: the DNS layer's names, servers and comparison.
// --dns-name is left to the caller: the dns command takes names as
// arguments.
func (d *diagnoseFlags) registerDNS(c *cobra.Command) {
	fl := c.Flags()
	fl.StringArrayVar(&d.dnsNames, "dns-name", nil, "name to resolve on every DNS server (repeatable; default "+diagnose.DefaultDNSName+")")
	d.registerResolvers(c)
}

// registerResolvers: which DNS servers are asked and compared with.
func (d *diagnoseFlags) registerResolvers(c *cobra.Command) {
	fl := c.Flags()
	fl.StringArrayVar(&d.resolvers, "resolver", nil, "DNS server IP[:PORT] to test instead of the system's; the targets' names are resolved through it too (repeatable)")
	fl.StringArrayVar(&d.references, "reference-dns", nil, "reference DNS server IP[:PORT] to compare answers with (repeatable; default the upstreams)")
	fl.BoolVar(&d.noReference, "no-reference", false, "do not compare DNS answers with reference servers")
	fl.DurationVar(&d.dnsSlow, "dns-slow", diagnose.DefaultDNSSlow, "median DNS answer time from which a resolver is slow")
	// One name for one thing: --resolver everywhere (the config key and
	// check files say resolver too); --server, the dns command's old
	// name, still parses as --resolver but is not shown.
	fl.SetNormalizeFunc(resolverAlias)
}

// resolverAlias reads --server as --resolver.
func resolverAlias(_ *pflag.FlagSet, name string) pflag.NormalizedName {
	if name == "server" {
		name = "resolver"
	}
	return pflag.NormalizedName(name)
}

// registerService: the service layer's targets and how web targets are
// reached.
func (d *diagnoseFlags) registerService(c *cobra.Command) {
	fl := c.Flags()
	fl.StringArrayVar(&d.targets, "target", nil, "service to check: HOST:PORT, tcp://HOST:PORT, udp://HOST:PORT, http(s)://HOST[:PORT]/PATH (repeatable)")
	fl.StringVar(&d.caFile, "ca-file", "", "PEM file of extra CA certificates to trust for https targets")
	fl.StringVar(&d.proxy, "proxy", "", "web proxy (http://HOST:PORT) for http and https targets, instead of HTTPS_PROXY/HTTP_PROXY/ALL_PROXY and the system's proxy settings")
	fl.BoolVar(&d.noProxy, "no-proxy", false, "ignore every proxy setting: test http and https targets directly only; wins over --proxy")
}

// registerPrinters: --printer (the printer command takes hosts as
// arguments and registers only the SNMP group).
func (d *diagnoseFlags) registerPrinters(c *cobra.Command) {
	c.Flags().StringArrayVar(&d.printers, "printer", nil, "printer host to check over SNMP and its print ports (repeatable)")
}

// NewCmdDiagnose is the full diagnosis, every layer.
func NewCmdDiagnose(f *Factory) *cobra.Command {
	d := newDiagnoseFlags()
	c := &cobra.Command{
		Use:   "diagnose",
		Short: "Test every layer and name the broken one (the default command)",
		Long: `Test link, address, gateway, internet, dns, service and printer layers
concurrently under one time budget, and name the lowest failing layer.

` + exitHelp,
		Example: diagnoseExamples,
		Args:    cobra.NoArgs,
		RunE:    func(c *cobra.Command, args []string) error { return runDiagnose(c, f, d, "diagnose", nil) },
	}
	d.registerAll(c)
	return c
}

// runDiagnose merges the config file, validates, runs and renders.
// layers, when set, fixes the layers of a single-layer command.
func runDiagnose(c *cobra.Command, f *Factory, d *diagnoseFlags, command string, layers []result.Layer) error {
	cf, err := d.applyConfig(c, f)
	if err != nil {
		return err
	}
	d.layersSet = c.Flags().Changed("layers")
	o, err := d.options(f, c.Flags())
	if err != nil {
		return err
	}
	if cf != nil {
		if o, err = d.withCheckFile(c, f, cf, o); err != nil {
			return err
		}
	}
	o.Command = command
	if layers != nil {
		o.Layers = layers
	}
	if err := d.out.validate(); err != nil {
		return err
	}
	if err := o.Validate(); err != nil {
		return usageError{err}
	}
	return runWithProgress(c, f, &d.out, o, f.Run)
}

// options turns flag values into diagnose.Options, rejecting bad input
// with one line naming the value.
func (d *diagnoseFlags) options(f *Factory, fs *pflag.FlagSet) (diagnose.Options, error) {
	o := diagnose.Options{Budget: d.out.timeout, PingCount: d.count, PingInterval: d.interval,
		LossWarn: d.lossWarn, RTTWarn: d.rttWarn, DNSSlow: d.dnsSlow, NoReference: d.noReference, Version: Version}
	if err := d.check(fs); err != nil {
		return o, usageError{err}
	}
	for _, s := range d.upstreams {
		a, _ := parseUpstream(s)
		o.Upstreams = append(o.Upstreams, a)
	}
	o.DNSNames = append(o.DNSNames, d.dnsNames...)
	o.PingHosts = d.pingHosts
	for _, s := range d.targets {
		t, err := diagnose.ParseTarget(s)
		if err != nil {
			return o, usageError{err}
		}
		o.Targets = append(o.Targets, t)
	}
	o.Printers = d.printers // validated with the rest in Options.Validate
	for _, s := range d.resolvers {
		ap, _ := parseServer("resolver", s)
		o.Resolvers = append(o.Resolvers, ap)
	}
	for _, s := range d.references {
		ap, _ := parseServer("reference-dns", s)
		o.Reference = append(o.Reference, ap)
	}
	o.Layers, _ = parseLayers(d.layers)
	var err error
	if d.caFile != "" {
		if o.ExtraCAs, err = loadCAs(d.caFile); err != nil {
			return o, usageError{err}
		}
	}
	if err := d.portalAndProxy(f, &o); err != nil {
		return o, err
	}
	if len(o.Printers) > 0 {
		if o.Printer, err = d.snmp.options(f); err != nil {
			return o, err
		}
	}
	return o, nil
}

// loadCAs reads the PEM certificates of --ca-file (see input.ReadCAs).
func loadCAs(path string) ([]*x509.Certificate, error) {
	certs, err := input.ReadCAs(path)
	if err != nil {
		return nil, fmt.Errorf("ca-file %v", err)
	}
	return certs, nil
}
