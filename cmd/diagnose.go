package cmd

import (
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"net/netip"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/netprobe/netprobe/diagnose"
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
	count       int
	interval    time.Duration
	lossWarn    float64
	rttWarn     time.Duration
	caFile      string
	snmp        snmpFlags
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
	fl.StringVar(&d.caFile, "ca-file", "", "PEM file of extra CA certificates to trust for https targets")
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
	if err := d.applyConfig(c, f); err != nil {
		return err
	}
	o, err := d.options(f)
	if err != nil {
		return err
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
		LossWarn: d.lossWarn, RTTWarn: d.rttWarn, NoReference: d.noReference, Version: Version}
	if d.out.timeout <= 0 {
		return o, usagef("timeout %s must be positive", d.out.timeout)
	}
	if d.count < 1 {
		return o, usagef("count %d must be at least 1", d.count)
	}
	if d.interval <= 0 {
		return o, usagef("%s %s must be positive", d.pingIntervalFlag, d.interval)
	}
	for _, s := range d.upstreams {
		a, err := netip.ParseAddr(strings.TrimSpace(s))
		if err != nil {
			return o, usagef("upstream %q is not an IP address", s)
		}
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
	var err error
	if o.Resolvers, err = parseServers("resolver", d.resolvers); err != nil {
		return o, err
	}
	if o.Reference, err = parseServers("reference-dns", d.references); err != nil {
		return o, err
	}
	for _, s := range d.layers {
		l, err := result.ParseLayer(strings.TrimSpace(strings.ToLower(s)))
		if err != nil || l == result.None {
			return o, usagef("layer %q is unknown (want link, address, gateway, internet, dns, service, printer)", s)
		}
		o.Layers = append(o.Layers, l)
	}
	if d.caFile != "" {
		if o.ExtraCAs, err = loadCAs(d.caFile); err != nil {
			return o, usageError{err}
		}
	}
	if len(o.Printers) > 0 {
		if o.Printer, err = d.snmp.options(f); err != nil {
			return o, err
		}
	}
	return o, nil
}

// parseServers parses IP or IP:PORT (or [IPv6]:PORT) DNS server addresses.
func parseServers(flag string, ss []string) ([]netip.AddrPort, error) {
	var out []netip.AddrPort
	for _, s := range ss {
		s = strings.TrimSpace(s)
		if a, err := netip.ParseAddr(s); err == nil {
			out = append(out, netip.AddrPortFrom(a, 53))
			continue
		}
		ap, err := netip.ParseAddrPort(s)
		if err != nil || ap.Port() == 0 {
			return nil, usagef("%s %q is not IP or IP:PORT", flag, s)
		}
		out = append(out, ap)
	}
	return out, nil
}

// loadCAs reads PEM certificates.
func loadCAs(path string) ([]*x509.Certificate, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("ca-file: %v", err)
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
			return nil, fmt.Errorf("ca-file %s: %v", path, err)
		}
		certs = append(certs, c)
	}
	if len(certs) == 0 {
		return nil, fmt.Errorf("ca-file %s holds no PEM certificate", path)
	}
	return certs, nil
}
