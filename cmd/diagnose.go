package cmd

import (
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/netprobe/netprobe/diagnose"
	"github.com/netprobe/netprobe/internal/input"
	"github.com/netprobe/netprobe/probes"
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
	// on watch, where --interval is the time between rounds.
	pingIntervalFlag string
}

func (d *diagnoseFlags) register(c *cobra.Command) {
	d.out.register(c)
	fl := c.Flags()
	fl.StringVar(&d.config, "config", "", "YAML file with the same settings as the flags (flags win); also $NETPROBE_CONFIG")
	fl.StringArrayVar(&d.upstreams, "upstream", nil, "IP address to test internet reachability against, also used as reference DNS server (repeatable; default 1.1.1.1, 8.8.8.8, 9.9.9.9 and two IPv6 resolvers)")
	fl.StringArrayVar(&d.dnsNames, "dns-name", nil, "name to resolve on every DNS server (repeatable; default "+diagnose.DefaultDNSName+")")
	fl.StringArrayVar(&d.targets, "target", nil, "service to check: HOST:PORT, tcp://HOST:PORT, udp://HOST:PORT, http(s)://HOST[:PORT]/PATH (repeatable)")
	fl.StringArrayVar(&d.printers, "printer", nil, "printer host to check over SNMP and its print ports (repeatable)")
	fl.StringArrayVar(&d.resolvers, "resolver", nil, "DNS server IP[:PORT] to test instead of the system's (repeatable)")
	fl.StringArrayVar(&d.references, "reference-dns", nil, "reference DNS server IP[:PORT] to compare answers with (repeatable; default the upstreams)")
	fl.BoolVar(&d.noReference, "no-reference", false, "do not compare DNS answers with reference servers")
	fl.StringSliceVar(&d.layers, "layers", nil, "only these layers (comma-separated: link,address,gateway,internet,dns,service,printer)")
	fl.IntVar(&d.count, "count", probes.DefaultPingCount, "echo requests per gateway and upstream")
	if d.pingIntervalFlag == "" {
		d.pingIntervalFlag = "interval"
	}
	fl.DurationVar(&d.interval, d.pingIntervalFlag, probes.DefaultPingInterval, "time between echo requests")
	fl.Float64Var(&d.lossWarn, "loss-warn", probes.DefaultLossWarn, "packet loss (percent) from which a path is degraded")
	fl.DurationVar(&d.rttWarn, "rtt-warn", probes.DefaultRTTWarn, "average round-trip time from which a path is degraded")
	fl.DurationVar(&d.dnsSlow, "dns-slow", diagnose.DefaultDNSSlow, "median DNS answer time from which a resolver is slow")
	fl.StringVar(&d.caFile, "ca-file", "", "PEM file of extra CA certificates to trust for https targets")
	fl.StringArrayVar(&d.portalURLs, "portal-url", nil, "plain http:// URL for the captive-portal check, replacing the public defaults (repeatable); URL#status=CODE or URL#body=TEXT names the answer that means no portal (default: a 204 or an empty page)")
	fl.BoolVar(&d.noPortalCheck, "no-portal-check", false, "skip the captive-portal check (by default it asks public connectivity-check URLs); wins over --portal-url")
	fl.StringVar(&d.proxy, "proxy", "", "web proxy (http://HOST:PORT) for http and https targets, instead of HTTPS_PROXY/HTTP_PROXY/ALL_PROXY and the system's proxy settings")
	fl.BoolVar(&d.noProxy, "no-proxy", false, "ignore every proxy setting: test http and https targets directly only; wins over --proxy")
	d.snmp.register(c)
}

// NewCmdDiagnose is the full diagnosis, every layer.
func NewCmdDiagnose(f *Factory) *cobra.Command {
	d := &diagnoseFlags{}
	c := &cobra.Command{
		Use:   "diagnose",
		Short: "Test every layer and name the broken one (the default command)",
		Long: `Test link, address, gateway, internet, dns, service and printer layers
concurrently under one time budget, and name the lowest failing layer.

` + exitHelp,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, args []string) error { return runDiagnose(c, f, d, "diagnose", nil) },
	}
	d.register(c)
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
	o, err := d.options(f)
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
	return render(f, &d.out, f.Run(c.Context(), o))
}

// options turns flag values into diagnose.Options, rejecting bad input
// with one line naming the value.
func (d *diagnoseFlags) options(f *Factory) (diagnose.Options, error) {
	o := diagnose.Options{Budget: d.out.timeout, PingCount: d.count, PingInterval: d.interval,
		LossWarn: d.lossWarn, RTTWarn: d.rttWarn, DNSSlow: d.dnsSlow, NoReference: d.noReference, Version: Version}
	if err := d.check(); err != nil {
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

// loadCAs reads PEM certificates from a regular file of at most
// input.MaxCA bytes.
func loadCAs(path string) ([]*x509.Certificate, error) {
	b, _, err := input.ReadFile(path, input.MaxCA)
	if err != nil {
		return nil, fmt.Errorf("ca-file %v", err)
	}
	var certs []*x509.Certificate
	for {
		var blk *pem.Block
		blk, b = pem.Decode(b)
		if blk == nil {
			break
		}
		if blk.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(blk.Bytes)
		if err != nil {
			return nil, fmt.Errorf("ca-file %s: %s", input.Name(path), oneLine(err.Error()))
		}
		certs = append(certs, c)
	}
	if len(certs) == 0 {
		return nil, fmt.Errorf("ca-file %s holds no PEM certificate", input.Name(path))
	}
	return certs, nil
}
