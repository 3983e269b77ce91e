package checkfile

import (
	"context"
	"net/netip"
	"sync"
	"time"

	"github.com/netprobe/netprobe/diagnose"
	"github.com/netprobe/netprobe/probes"
	"github.com/netprobe/netprobe/probes/printer"
	"github.com/netprobe/netprobe/result"
)

// The tasks a file's checks add to a run: each probes one thing and tags
// its checks with the check's name.

// tag marks every check a task produced with the name of its check in the
// file, so the expectations find them and reports name them.
func tag(name string, cs []result.Check) []result.Check {
	for i := range cs {
		cs[i].With(EvidenceCheck, name)
	}
	return cs
}

// dnsTask asks host of each server (the file's resolvers, or this
// computer's when servers is empty) as its own check.
func (f *File) dnsTask(name, host string, servers []netip.AddrPort, timeout time.Duration) diagnose.Task {
	if len(servers) == 0 {
		for _, r := range f.Resolvers {
			servers = append(servers, netip.AddrPort(r))
		}
	}
	per := timeout
	if per == 0 {
		per = diagnose.DNSTimeout
	}
	target := host
	if len(servers) == 1 {
		target = host + " @" + servers[0].String()
	}
	return diagnose.NewTask(result.DNS, "dns", target, per+200*time.Millisecond, func(ctx context.Context) []result.Check {
		srvs := servers
		if len(srvs) == 0 {
			rs, note, _ := probes.SystemResolvers(ctx)
			for _, r := range rs {
				srvs = append(srvs, r.Addr)
			}
			if len(srvs) == 0 {
				why := "no DNS server is configured on this computer"
				if note != "" {
					why += " (" + note + ")"
				}
				return tag(name, []result.Check{{Name: "dns", Layer: result.DNS, Target: host, Status: result.Fail,
					Reason: result.ReasonDNSNoResolvers, Detail: why, Started: time.Now(), Evidence: map[string]any{"name": host}}})
			}
		}
		out := make([]result.Check, len(srvs))
		var wg sync.WaitGroup
		for i, s := range srvs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				out[i] = probes.DNS(ctx, s, host, probes.DNSOptions{Role: "system", Timeout: per})
			}()
		}
		wg.Wait()
		return tag(name, out)
	})
}

// targetTask probes one target by its kind.
func (f *File) targetTask(name string, t TargetAddr, e *TargetExpect, timeout time.Duration, ping *PingSettings, defaultCount int, env Env) diagnose.Task {
	if timeout == 0 {
		timeout = diagnose.ServiceTimeout
	}
	connect := diagnose.ConnectTimeout
	if timeout < connect {
		connect = timeout
	}
	target := t.String()
	switch t.Kind() {
	case "ping":
		po := probes.PingOptions{Layer: result.Service, Count: defaultCount, Timeout: pingPhase, FallbackPorts: pingFallbackPorts}
		if ping != nil {
			if ping.Count > 0 {
				po.Count = ping.Count
			}
			po.Interval = ping.Interval.D()
		}
		host := t.Ping
		return diagnose.NewTask(result.Service, "ping", target, timeout, func(ctx context.Context) []result.Check {
			opt := po
			opt.Permission = env.icmp()
			addrs, err := probes.LookupHost(ctx, host)
			if err != nil {
				return tag(name, []result.Check{{Name: "ping", Layer: result.Service, Target: host, Status: result.Fail,
					Reason: result.ReasonTCPUnresolved, Started: time.Now(), Detail: "could not resolve " + host + ": " + err.Error(),
					Error: err.Error(), Evidence: map[string]any{"method": "none"}}})
			}
			ping := probes.Ping
			if opt.Count == 1 {
				ping = probes.PingOnce // one echo per scrape: no pinger machinery
			}
			c := ping(ctx, addrs[0], opt)
			if addrs[0].String() != host {
				c.Target = host + " (" + addrs[0].String() + ")"
			}
			return tag(name, []result.Check{c})
		})
	case "udp":
		s := t.Service
		return diagnose.NewTask(result.Service, "udp", target, timeout, func(ctx context.Context) []result.Check {
			ctx, cancel := context.WithTimeout(ctx, connect)
			defer cancel()
			return tag(name, []result.Check{probes.UDP(ctx, s.Host, s.Port)})
		})
	case "http", "https":
		u := *t.Service.URL
		wo := probes.WebOptions{TLS: probes.TLSOptions{ExtraCAs: f.certs()}, ConnectTimeout: connect}
		if e != nil && e.HTTP != nil {
			wo.BodyContains = e.HTTP.BodyContains
		}
		if e != nil && e.TLS != nil && e.TLS.MinDaysLeft != nil {
			// The probe's own "expires soon" warning follows the file's
			// threshold, so the two never disagree.
			wo.TLS.ExpiryWarn = time.Duration(*e.TLS.MinDaysLeft) * 24 * time.Hour
			if wo.TLS.ExpiryWarn == 0 {
				wo.TLS.ExpiryWarn = time.Nanosecond
			}
		}
		return diagnose.NewTask(result.Service, t.Kind(), target, timeout, func(ctx context.Context) []result.Check {
			return tag(name, probes.Web(ctx, &u, wo))
		})
	default:
		s := t.Service
		return diagnose.NewTask(result.Service, "tcp", target, timeout, func(ctx context.Context) []result.Check {
			ctx, cancel := context.WithTimeout(ctx, connect)
			defer cancel()
			return tag(name, []result.Check{probes.TCP(ctx, s.Host, s.Port, probes.TCPOptions{Layer: result.Service})})
		})
	}
}

func printerTask(name, host string, po printer.Options) diagnose.Task {
	timeout := po.Timeout
	if timeout <= 0 {
		timeout = diagnose.PrinterTimeout
	}
	return diagnose.NewTask(result.Printer, "printer", host, timeout+diagnose.DNSTimeout+time.Second, func(ctx context.Context) []result.Check {
		return tag(name, []result.Check{printer.Check(ctx, host, po)})
	})
}
