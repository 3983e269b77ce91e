package cmd

import (
	"context"
	"strings"

	"github.com/spf13/cobra"

	"github.com/netprobe/netprobe/diagnose"
	"github.com/netprobe/netprobe/internal/input"
	"github.com/netprobe/netprobe/result"
)

// NewCmdGateway tests the local side only: link, address and the router.
func NewCmdGateway(f *Factory) *cobra.Command {
	d := newDiagnoseFlags()
	c := &cobra.Command{
		Use:   "gateway",
		Short: "Test the link, the address configuration and the default gateway",
		Long: `Test this computer's side of the network only: its interfaces, its
addresses and default routes, and the router (ping, with TCP and ARP/NDP
fallbacks). Nothing beyond the router is contacted.

` + exitHelp,
		Example: `  # "Is it my Wi-Fi/cable or the internet?"
  netprobe gateway

  # a consultant checking a flaky router link more closely
  netprobe gateway --count 50 --interval 200ms --loss-warn 1

  # CI: JSON, exit code 1 when the local network is broken
  netprobe gateway -o json --output-file gateway.json`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, args []string) error {
			return runDiagnose(c, f, d, "gateway", []result.Layer{result.Link, result.Address, result.Gateway})
		},
	}
	d.out.register(c)
	d.registerConfig(c)
	d.registerPing(c)
	return c
}

// NewCmdPing checks that hosts answer (ICMP, with a TCP fallback).
func NewCmdPing(f *Factory) *cobra.Command {
	d := newDiagnoseFlags()
	c := &cobra.Command{
		Use:   "ping HOST...",
		Short: "Check that hosts answer: loss and latency, with a TCP fallback when ICMP is blocked",
		Long: `Ping each host (ICMP; when ICMP is not allowed or not answered, a TCP
connection attempt proves the host is there) and report loss and latency.

` + exitHelp,
		Example: `  # does the server answer at all?
  netprobe ping fileserver.example.com

  # a consultant measuring an intermittent path: 50 pings, warn from 2 % loss
  netprobe ping 192.168.1.1 198.18.1.1 --count 50 --loss-warn 2

  # CI: only the exit code
  netprobe ping 10.0.0.5 -q`,
		Args: cobra.MinimumNArgs(1),
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
	d.out.register(c)
	d.registerConfig(c)
	d.registerPing(c)
	return c
}

// NewCmdDNS resolves names on the system's DNS servers (or --resolver).
func NewCmdDNS(f *Factory) *cobra.Command {
	d := newDiagnoseFlags()
	c := &cobra.Command{
		Use:   "dns NAME...",
		Short: "Resolve names on each DNS server directly: rcode, answers, latency",
		Long: `Ask every DNS server of this computer (or each --resolver) for each name,
directly, and report what each answered and how fast. With --reference-dns
the answers are compared with reference servers.

` + exitHelp,
		Example: `  # do names resolve on this computer's DNS servers?
  netprobe dns example.com

  # a consultant asking two resolvers and comparing with a public one
  netprobe dns www.example.com --resolver 192.168.1.1 --resolver 192.168.1.2:5353 --reference-dns 9.9.9.9

  # CI: JSON of the office resolver's answers
  netprobe dns intranet.example.com --resolver 10.0.0.53 -o json`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			for _, n := range args {
				if err := diagnose.ValidateHost(n); err != nil {
					return usagef("name %s: %v", input.Quote(n), err)
				}
			}
			d.dnsNames = args
			if len(d.references) == 0 {
				d.noReference = true
			}
			return runDiagnose(c, f, d, "dns", []result.Layer{result.DNS})
		},
	}
	d.out.register(c)
	d.registerConfig(c)
	d.registerResolvers(c)
	return c
}

// NewCmdPort checks TCP and UDP ports of one host.
func NewCmdPort(f *Factory) *cobra.Command {
	d := newDiagnoseFlags()
	c := &cobra.Command{
		Use:   "port HOST PORT[,PORT|-PORT]...",
		Short: "Check ports: open, closed, filtered or unreachable (udp/53 for UDP)",
		Long: `Connect to each port of HOST and say whether it is open, closed (the host
refused), filtered (no answer: a firewall drops it) or unreachable. Ports:
80, 22,80,443, 8000-8100, udp/53, tcp/1-1024,udp/161.

` + exitHelp,
		Example: `  # can this computer reach the mail server's ports?
  netprobe port mail.example.com 25,465,587

  # a consultant checking DNS over UDP and TCP on the router
  netprobe port 192.168.1.1 udp/53,tcp/53

  # CI: a sweep as JSON
  netprobe port 10.0.0.5 1-1024 -o json`,
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
			return runWithProgress(c, f, &d.out, o, func(ctx context.Context, o diagnose.Options) *result.Report {
				return f.RunPorts(ctx, o, host, ports)
			})
		},
	}
	d.out.register(c)
	return c
}

// NewCmdPrinter checks printers over SNMP and their print ports.
func NewCmdPrinter(f *Factory) *cobra.Command {
	d := newDiagnoseFlags()
	c := &cobra.Command{
		Use:   "printer HOST...",
		Short: "Read printer status over SNMP: errors, jams, paper, toner, alerts, display",
		Long: `Read each printer's status over SNMP (Printer MIB and Host Resources MIB):
errors, jams, paper, toner and other supplies, trays, alerts and the text
on its display, and check its print ports (9100, 631, 515).

` + exitHelp,
		Example: `  # why does the office printer not print?
  netprobe printer 192.168.1.50

  # a consultant with the site's SNMPv3 account (pass phrases from the environment)
  NETPROBE_SNMP_AUTH_PASS=... NETPROBE_SNMP_PRIV_PASS=... \
    netprobe printer 192.168.1.50 --snmp-version 3 --snmp-user ops --auth-proto SHA --priv-proto AES

  # CI/monitoring: warn below 15 % toner, as JSON
  netprobe printer 192.168.1.50 --supply-warn 15 -o json`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			d.printers = args
			return runDiagnose(c, f, d, "printer", []result.Layer{result.Printer})
		},
	}
	d.out.register(c)
	d.registerConfig(c)
	d.snmp.register(c)
	return c
}

// NewCmdVersion prints the version, commit, build date and toolchain; the
// first line alone ("netprobe 0.4.0") is for scripts.
func NewCmdVersion(f *Factory) *cobra.Command {
	return &cobra.Command{
		Use:     "version",
		Short:   "Print netprobe's version, commit and build date",
		Example: "  netprobe version\n  netprobe --version",
		Args:    cobra.NoArgs,
		RunE: func(c *cobra.Command, args []string) error {
			_, err := c.OutOrStdout().Write([]byte(versionText()))
			return err
		},
	}
}
