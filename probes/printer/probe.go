// Package printer is the printer probe: it asks a printer over SNMP how it
// is (device and printer status, error bits, supplies, trays, alerts,
// panel text) and, at the same time, whether its print ports accept
// connections, and judges the answers into one check a non-expert can act
// on.
//
// The files follow the probe's steps: options.go (settings, defaults,
// secrets), session.go (one SNMP session: GET, GETBULK/GETNEXT walking and
// its fallbacks), read.go and tables.go (what was read), flag.go (making
// the supply table agree with the printer's own flags), assess.go (the
// status rules, as tables), describe.go (the words), evidence.go (the
// public evidence keys) and limits.go (what a hostile agent cannot make
// the probe hold or print).
//
// Every value from the network goes through one door (session.keep):
// secrets are scrubbed from the raw bytes before anything is folded or
// cut, so no piece of a community or pass phrase can reach a report.
package printer

import (
	"context"
	"net"
	"net/netip"
	"strconv"
	"sync"

	"github.com/netprobe/netprobe/probes"
	"github.com/netprobe/netprobe/result"
)

// New binds a printer and the options into a probe. It checks and sends
// nothing; the runner calls the probe with the run's context.
func New(host string, opt Options) probes.Probe {
	return probes.One(func(ctx context.Context) result.Check { return Check(ctx, host, opt) })
}

// Check checks one printer now. It returns one check on the printer layer
// whose Detail a non-expert can act on, whose Reason is the code of the
// most severe problem, and whose Evidence holds every fact behind it (keys
// documented at fillEvidence). It ends within opt.Timeout or ctx's
// deadline, whichever is sooner.
func Check(ctx context.Context, host string, opt Options) result.Check {
	c := probes.Begin("printer", result.Printer, host)
	if err := opt.Validate(); err != nil {
		// Nothing was measured: skip, with the reason, rather than blame
		// the printer for a setting.
		c.Status = result.Skip
		c.Reason = result.ReasonPrinterBadOptions
		c.Detail = "Printer check not run: " + err.Error() + "."
		c.Error = err.Error()
		scrubCheck(&c, opt.scrubber())
		return probes.End(c)
	}
	opt = opt.withDefaults()
	scrub := opt.scrubber()
	ctx, cancel := context.WithTimeout(ctx, opt.Timeout)
	defer cancel()

	// A printer named by host name is resolved once, through the run's
	// resolvers (see probes.WithResolvers), and SNMP and the print ports
	// use the address: gosnmp would otherwise ask the system resolver.
	addr := host
	if _, err := netip.ParseAddr(host); err != nil {
		addrs, err := probes.LookupHost(ctx, host)
		if err != nil || len(addrs) == 0 {
			why := "no address"
			if err != nil {
				why = scrub.String(probes.ErrText(err))
			}
			a := assessUnresolved(host, why)
			c.Status, c.Reason, c.Detail, c.Error = a.status, a.reason(), a.detail, why
			fillProblems(&c, a)
			c.With("ports", map[string]string{})
			scrubCheck(&c, scrub)
			return probes.End(c)
		}
		addr = addrs[0].String()
		c.With("address", addr)
	}

	ports := make([]probes.PortState, len(opt.PrintPorts))
	var wg sync.WaitGroup
	for i, p := range opt.PrintPorts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			pctx, pcancel := context.WithTimeout(ctx, printPortTimeout)
			defer pcancel()
			ports[i], _, _ = probes.DialTCP(pctx, net.JoinHostPort(addr, strconv.Itoa(p)))
		}()
	}
	d := read(ctx, addr, opt, scrub)
	wg.Wait()

	portMap := make(map[int]probes.PortState, len(ports))
	for i, p := range opt.PrintPorts {
		portMap[p] = ports[i]
	}
	a := assess(d, opt.PrintPorts, portMap, opt)
	c.Status, c.Reason, c.Detail = a.status, a.reason(), a.detail
	fillEvidence(&c, d, a, opt, portMap)
	if d.err != nil {
		c.Error = d.errText
	}
	scrubCheck(&c, scrub)
	return probes.End(c)
}
