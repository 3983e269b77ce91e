package cmd

import (
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/netprobe/netprobe/probes/printer"
)

// Environment variables that carry SNMP secrets, so they stay out of shell
// history and process lists.
const (
	EnvCommunity = "NETPROBE_SNMP_COMMUNITY"
	EnvAuthPass  = "NETPROBE_SNMP_AUTH_PASS"
	EnvPrivPass  = "NETPROBE_SNMP_PRIV_PASS"
)

type snmpFlags struct {
	version    string
	community  string
	port       int
	user       string
	authProto  string
	authPass   string
	privProto  string
	privPass   string
	timeout    time.Duration
	supplyWarn float64
}

// defaultSNMPFlags are the SNMP settings a run uses when no flag names
// them.
func defaultSNMPFlags() snmpFlags {
	return snmpFlags{version: "2c", port: 161, timeout: 3 * time.Second, supplyWarn: 10}
}

func (s *snmpFlags) register(c *cobra.Command) {
	fl := c.Flags()
	fl.StringVar(&s.version, "snmp-version", "2c", "SNMP version: 1, 2c or 3")
	fl.StringVar(&s.community, "community", "", "SNMP v1/v2c community (default public). "+visibleWarning(EnvCommunity))
	fl.IntVar(&s.port, "snmp-port", 161, "SNMP UDP port")
	fl.StringVar(&s.user, "snmp-user", "", "SNMPv3 user name")
	fl.StringVar(&s.authProto, "auth-proto", "", "SNMPv3 authentication: MD5, SHA, SHA256, SHA512")
	fl.StringVar(&s.authPass, "auth-pass", "", "SNMPv3 authentication pass phrase. "+visibleWarning(EnvAuthPass))
	fl.StringVar(&s.privProto, "priv-proto", "", "SNMPv3 privacy: DES, AES, AES256")
	fl.StringVar(&s.privPass, "priv-pass", "", "SNMPv3 privacy pass phrase. "+visibleWarning(EnvPrivPass))
	fl.DurationVar(&s.timeout, "printer-timeout", 3*time.Second, "time limit for one printer")
	fl.Float64Var(&s.supplyWarn, "supply-warn", 10, "toner/ink level (percent) below which a supply is low")
}

// visibleWarning is the help text's note on a secret flag: a command
// line is visible to every local user (ps, /proc/PID/cmdline) while the
// process runs, and stays in the shell history.
func visibleWarning(env string) string {
	return "On the command line it is visible to every user of this computer in the process list; set $" + env +
		" or put it in a --config file with mode 0600 instead"
}

// options builds the printer options; secrets fall back to the
// environment. Single values were checked with the other flags
// (diagnoseFlags.check); this checks their combination.
func (s *snmpFlags) options(f *Factory) (printer.Options, error) {
	o := printer.Options{
		Port: s.port, Version: snmpVersion(s.version),
		Community: s.community, User: s.user,
		AuthProto: strings.ToUpper(s.authProto), AuthPass: s.authPass,
		PrivProto: strings.ToUpper(s.privProto), PrivPass: s.privPass,
		Timeout: s.timeout, SupplyWarn: s.supplyWarn,
	}
	if o.Community == "" {
		o.Community = f.Getenv(EnvCommunity)
	}
	if o.Community == "" {
		o.Community = "public"
	}
	// The v3 pass phrases apply to v3 only: an environment set up for v3
	// agents must not break a v2c run.
	if o.Version == "3" && o.AuthPass == "" {
		o.AuthPass = f.Getenv(EnvAuthPass)
	}
	if o.Version == "3" && o.PrivPass == "" {
		o.PrivPass = f.Getenv(EnvPrivPass)
	}
	if err := o.Validate(); err != nil {
		return o, usageError{err}
	}
	return o, nil
}
