package cmd

import (
	"strings"

	"github.com/spf13/cobra"

	"github.com/netprobe/netprobe/diagnose"
	"github.com/netprobe/netprobe/internal/input"
	"github.com/netprobe/netprobe/result"
)

// NewCmdGateway tests the local side only: link, address and the router.
func NewCmdGateway(f *Factory) *cobra.Command {
	d := &diagnoseFlags{}
	c := &cobra.Command{
		Use:   "gateway",
		Short: "Test the link, the address configuration and the default gateway",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, args []string) error {
			return runDiagnose(c, f, d, "gateway", []result.Layer{result.Link, result.Address, result.Gateway})
		},
	}
	d.register(c)
	return c
}

// NewCmdPing checks that hosts answer (ICMP, with a TCP fallback).
func NewCmdPing(f *Factory) *cobra.Command {
	d := &diagnoseFlags{}
	c := &cobra.Command{
		Use:   "ping HOST...",
		Short: "Check that hosts answer: loss and latency, with a TCP fallback when ICMP is blocked",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			for _, h := range args {
				if err := diagnose.ValidateHost(h); err != nil {
					return usagef("host %s: %v", input.Quote(h), err)
				}
			}
			d.pingHosts = args
			d.noReference = true
			return runDiagnose(c, f, d, "ping", []result.Layer{result.Internet})
		},
	}
	d.register(c)
	return c
}

// NewCmdDNS resolves names on the system's DNS servers (or --server).
func NewCmdDNS(f *Factory) *cobra.Command {
	d := &diagnoseFlags{}
	var servers []string
	c := &cobra.Command{
		Use:   "dns NAME...",
		Short: "Resolve names on each DNS server directly: rcode, answers, latency",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			for _, n := range args {
				if err := diagnose.ValidateHost(n); err != nil {
					return usagef("name %s: %v", input.Quote(n), err)
				}
			}
			d.dnsNames = args
			d.resolvers = append(d.resolvers, servers...)
			if len(d.references) == 0 {
				d.noReference = true
			}
			return runDiagnose(c, f, d, "dns", []result.Layer{result.DNS})
		},
	}
	d.register(c)
	c.Flags().StringArrayVar(&servers, "server", nil, "DNS server IP[:PORT] to ask instead of the system's (repeatable)")
	return c
}

// NewCmdPort checks TCP and UDP ports of one host.
func NewCmdPort(f *Factory) *cobra.Command {
	d := &diagnoseFlags{}
	c := &cobra.Command{
		Use:   "port HOST PORT[,PORT|-PORT]...",
		Short: "Check ports: open, closed, filtered or unreachable (udp/53 for UDP)",
		Example: `  netprobe port mail.example.com 25,465,587
  netprobe port 192.168.1.1 udp/53,tcp/53
  netprobe port 10.0.0.5 1-1024`,
		Args: cobra.MinimumNArgs(2),
		RunE: func(c *cobra.Command, args []string) error {
			host := args[0]
			if err := diagnose.ValidateHost(host); err != nil {
				return usagef("host %s: %v", input.Quote(host), err)
			}
			ports, err := diagnose.ParsePorts(strings.Join(args[1:], ","))
			if err != nil {
				return usageError{err}
			}
			if err := d.out.validate(); err != nil {
				return err
			}
			if err := diagnose.CheckBudget(d.out.timeout); err != nil {
				return usageError{err}
			}
			o := diagnose.Options{Command: "port", Version: Version, Budget: d.out.timeout}
			if err := o.Validate(); err != nil {
				return usageError{err}
			}
			return render(f, &d.out, f.RunPorts(c.Context(), o, host, ports))
		},
	}
	d.out.register(c)
	return c
}

// NewCmdPrinter checks printers over SNMP and their print ports.
func NewCmdPrinter(f *Factory) *cobra.Command {
	d := &diagnoseFlags{}
	c := &cobra.Command{
		Use:   "printer HOST...",
		Short: "Read printer status over SNMP: errors, jams, paper, toner, alerts, display",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			d.printers = args
			return runDiagnose(c, f, d, "printer", []result.Layer{result.Printer})
		},
	}
	d.register(c)
	return c
}

// NewCmdVersion prints the version, commit, build date and toolchain; the
// first line alone ("netprobe 0.4.0") is for scripts.
func NewCmdVersion(f *Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print netprobe's version, commit and build date",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, args []string) error {
			_, err := c.OutOrStdout().Write([]byte(build.String()))
			return err
		},
	}
}
