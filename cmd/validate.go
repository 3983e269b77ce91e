package cmd

import (
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/netprobe/netprobe/diagnose"
	"github.com/netprobe/netprobe/internal/input"
	"github.com/netprobe/netprobe/probes/printer"
	"github.com/netprobe/netprobe/reports"
	"github.com/netprobe/netprobe/result"
)

// One value is checked the same way wherever it comes from — a flag, the
// config file, the environment — by the functions below, so that a value
// the config file gives is refused for the same reason, with the same
// words, as the same value on the command line. Checks of one value stand
// alone; checks of combinations (SNMPv3 needs a user) run on the merged
// settings in diagnoseFlags.options.

// elementChecks check one element of a list flag.
var elementChecks = map[string]func(string) error{
	"upstream": func(s string) error { _, err := parseUpstream(s); return err },
	"dns-name": diagnose.CheckDNSName,
	"target":   func(s string) error { _, err := diagnose.ParseTarget(s); return err },
	"printer": func(s string) error {
		if err := diagnose.ValidateHost(s); err != nil {
			return fmt.Errorf("printer %s: %v", input.Quote(s), err)
		}
		return nil
	},
	"resolver":      func(s string) error { _, err := parseServer("resolver", s); return err },
	"reference-dns": func(s string) error { _, err := parseServer("reference-dns", s); return err },
	"server":        func(s string) error { _, err := parseServer("server", s); return err },
	"layers":        func(s string) error { _, err := parseLayers(strings.Split(s, ",")); return err },
	"portal-url":    func(s string) error { _, err := diagnose.ParsePortalURL(s); return err },
	// The watch command's own settings, checked as its validate does.
	"ping-interval": func(s string) error {
		return durationCheck("ping-interval", s, func(d time.Duration) bool { return d > 0 }, "must be positive")
	},
	"duration": func(s string) error {
		return durationCheck("duration", s, func(d time.Duration) bool { return d >= 0 }, "is negative")
	},
	"full-every": func(s string) error {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 || n > 10000 {
			return fmt.Errorf("full-every %s is out of range (1-10000)", input.Quote(s))
		}
		return nil
	},
}

// durationCheck parses a duration value and applies ok to it.
func durationCheck(name, s string, ok func(time.Duration) bool, why string) error {
	d, err := time.ParseDuration(strings.TrimSpace(s))
	if err != nil {
		return fmt.Errorf("%s %s is not a duration (write 5s, 200ms, 1m)", name, input.Quote(s))
	}
	if !ok(d) {
		return fmt.Errorf("%s %s %s", name, d, why)
	}
	return nil
}

// check runs every single-value check on the current values of the flags
// fs has (a command checks the flags it takes; the others keep their
// defaults, which pass).
func (d *diagnoseFlags) check(fs *pflag.FlagSet) error {
	for _, name := range scalarFlags {
		if name == "ca-file" || fs.Lookup(name) == nil {
			continue // options() reads and checks ca-file once
		}
		if err := d.checkScalar(name); err != nil {
			return err
		}
	}
	lists := map[string][]string{"upstream": d.upstreams, "dns-name": d.dnsNames, "target": d.targets,
		"printer": d.printers, "resolver": d.resolvers, "reference-dns": d.references}
	for _, name := range []string{"upstream", "dns-name", "target", "printer", "resolver", "reference-dns"} {
		for _, v := range lists[name] {
			if err := elementChecks[name](v); err != nil {
				return err
			}
		}
	}
	if d.layersSet && len(d.layers) == 0 {
		return errEmptyLayers
	}
	_, err := parseLayers(d.layers)
	return err
}

// scalarFlags are the flags that take one value and have a check.
var scalarFlags = []string{"timeout", "output", "color", "count", "interval", "loss-warn", "rtt-warn", "dns-slow", "ca-file",
	"snmp-version", "snmp-port", "auth-proto", "priv-proto", "printer-timeout", "supply-warn"}

// checkScalar checks one single-value flag's parsed value. A number the
// user typed is never taken to mean "the default": 0 is refused where the
// probes would read it so.
func (d *diagnoseFlags) checkScalar(name string) error {
	switch name {
	case "timeout":
		return diagnose.CheckBudget(d.out.timeout)
	case "output":
		_, err := reports.ParseFormat(d.out.format)
		return err
	case "color":
		_, err := parseColor(d.out.color)
		return err
	case "count":
		return diagnose.CheckCount(d.count)
	case "interval":
		name := "interval"
		if d.pingIntervalFlag != "" {
			name = d.pingIntervalFlag // ping-interval on the watch command
		}
		return positive(name, d.interval)
	case "loss-warn":
		return threshold("loss-warn", d.lossWarn)
	case "rtt-warn":
		return positive("rtt-warn", d.rttWarn)
	case "dns-slow":
		if d.dnsSlow > time.Minute {
			return fmt.Errorf("dns-slow %s is out of range (at most 1m)", d.dnsSlow)
		}
		return positive("dns-slow", d.dnsSlow)
	case "ca-file":
		if d.caFile == "" {
			return nil
		}
		_, err := loadCAs(d.caFile)
		return err
	case "snmp-version":
		switch snmpVersion(d.snmp.version) {
		case "1", "2c", "3":
			return nil
		}
		return fmt.Errorf("snmp-version %s is not supported; use 1, 2c or 3", input.Quote(d.snmp.version))
	case "snmp-port":
		if d.snmp.port < 1 || d.snmp.port > 65535 {
			return fmt.Errorf("snmp-port %d is out of range (1-65535)", d.snmp.port)
		}
		return nil
	case "auth-proto":
		return checkProto("auth-proto", d.snmp.authProto, printer.Options{Version: "3", User: "u", AuthProto: d.snmp.authProto, AuthPass: "12345678"})
	case "priv-proto":
		return checkProto("priv-proto", d.snmp.privProto, printer.Options{Version: "3", User: "u", AuthProto: "SHA", AuthPass: "12345678", PrivProto: d.snmp.privProto, PrivPass: "12345678"})
	case "printer-timeout":
		return positive("printer-timeout", d.snmp.timeout)
	case "supply-warn":
		return threshold("supply-warn", d.snmp.supplyWarn)
	}
	return nil
}

func positive(name string, d time.Duration) error {
	if d <= 0 {
		return fmt.Errorf("%s %s must be positive", name, d)
	}
	return nil
}

// threshold accepts a percentage above 0 and at most 100, and never NaN.
// The probes read 0 as "the default", so a typed 0 is refused rather than
// silently turned into 10.
func threshold(name string, v float64) error {
	if !(v > 0 && v <= 100) {
		return fmt.Errorf("%s %g is out of range (above 0, at most 100)", name, v)
	}
	return nil
}

// checkProto validates an SNMPv3 protocol name alone, with the printer
// probe's own table (through a combination that is otherwise valid).
func checkProto(name, v string, o printer.Options) error {
	if v == "" {
		return nil
	}
	if o.Validate() != nil {
		return fmt.Errorf("%s %s is unknown", name, input.Quote(v))
	}
	return nil
}

func snmpVersion(v string) string {
	return strings.TrimPrefix(strings.ToLower(strings.TrimSpace(v)), "v")
}

var errEmptyLayers = errors.New("layers is empty: name at least one of link, address, gateway, internet, dns, service, printer")

// parseLayers parses the elements of --layers; an empty element is an
// error (it is a typo, and an empty list would mean "every layer").
func parseLayers(ss []string) ([]result.Layer, error) {
	var out []result.Layer
	for i, s := range ss {
		name := strings.TrimSpace(strings.ToLower(s))
		if name == "" {
			if len(ss) == 1 {
				return nil, errEmptyLayers
			}
			return nil, fmt.Errorf("layers: entry %d is empty", i+1)
		}
		l, err := result.ParseLayer(name)
		if err != nil || l == result.None {
			return nil, fmt.Errorf("layer %s is unknown (want link, address, gateway, internet, dns, service, printer)", input.Quote(s))
		}
		out = append(out, l)
	}
	return out, nil
}

func parseUpstream(s string) (netip.Addr, error) {
	a, err := netip.ParseAddr(strings.TrimSpace(s))
	if err != nil {
		return a, fmt.Errorf("upstream %s is not an IP address", input.Quote(s))
	}
	if err := diagnose.ValidateHost(a.String()); err != nil {
		return a, fmt.Errorf("upstream %s: %v", input.Quote(s), err)
	}
	return a, nil
}

// parseServer parses a DNS server: IP, IP:PORT or [IPv6]:PORT.
func parseServer(flag, s string) (netip.AddrPort, error) {
	t := strings.TrimSpace(s)
	if a, err := netip.ParseAddr(t); err == nil {
		if err := diagnose.ValidateHost(a.String()); err != nil {
			return netip.AddrPort{}, fmt.Errorf("%s %s: %v", flag, input.Quote(s), err)
		}
		return netip.AddrPortFrom(a, 53), nil
	}
	ap, err := netip.ParseAddrPort(t)
	if err != nil || ap.Port() == 0 {
		return netip.AddrPort{}, fmt.Errorf("%s %s is not IP or IP:PORT", flag, input.Quote(s))
	}
	if err := diagnose.ValidateHost(ap.Addr().String()); err != nil {
		return netip.AddrPort{}, fmt.Errorf("%s %s: %v", flag, input.Quote(s), err)
	}
	return ap, nil
}

// flagValueError rewrites pflag's "invalid argument" error: pflag quotes
// the whole value twice, unbounded; this names the flag and quotes the
// value once, bounded.
func flagValueError(err error) error {
	var ive *pflag.InvalidValueError
	if !errors.As(err, &ive) || ive.GetFlag() == nil {
		return err
	}
	fl := ive.GetFlag()
	if secretFlags[fl.Name] {
		return fmt.Errorf("--%s: the value given is not valid", fl.Name)
	}
	return fmt.Errorf("--%s %s", fl.Name, badValue(fl, ive.GetValue()))
}

// badValue says why v does not parse as fl's type.
func badValue(fl *pflag.Flag, v string) string {
	q := input.Quote(v)
	switch fl.Value.Type() {
	case "int":
		return q + " is not a whole number"
	case "float64":
		return q + " is not a number"
	case "duration":
		return q + " is not a duration (like 500ms, 5s or 1m30s)"
	case "bool":
		return q + " is not true or false"
	}
	return q + " is not valid"
}

// secretFlags hold secrets: no message ever quotes their values.
var secretFlags = map[string]bool{"community": true, "auth-pass": true, "priv-pass": true}

// newScratchFlags registers every flag a config file may set on a
// throwaway command, so a config value can be parsed and checked even
// when the command line sets the same flag (and the real flag must keep
// the command line's value).
func newScratchFlags() (*diagnoseFlags, *pflag.FlagSet) {
	d := newDiagnoseFlags()
	c := &cobra.Command{}
	d.registerAll(c)
	// The watch command's own settings (its --interval is the time between
	// rounds; the echo interval is --ping-interval there).
	var pingInterval, duration time.Duration
	var fullEvery int
	c.Flags().DurationVar(&pingInterval, "ping-interval", 0, "")
	c.Flags().DurationVar(&duration, "duration", 0, "")
	c.Flags().IntVar(&fullEvery, "full-every", 0, "")
	return d, c.Flags()
}

// Colour modes of --color.
const (
	colorAuto   = "auto"
	colorAlways = "always"
	colorNever  = "never"
)

// colorModes are --color's values, in the order help and completion show
// them.
var colorModes = []string{colorAuto, colorAlways, colorNever}

// parseColor reads --color.
func parseColor(s string) (string, error) {
	v := strings.ToLower(strings.TrimSpace(s))
	for _, m := range colorModes {
		if v == m {
			return m, nil
		}
	}
	return "", fmt.Errorf("color %s is not auto, always or never", input.Quote(s))
}
