package diagnose

import (
	"context"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/netprobe/netprobe/probes"
	"github.com/netprobe/netprobe/probes/printer"
	"github.com/netprobe/netprobe/result"
)

// Task is one probe to run: plain data (layer, name, target, timeout,
// round) plus the prepared probe. The plan is a list of tasks, so what a
// run will do can be table-tested without running it.
type Task struct {
	Layer   result.Layer
	Name    string
	Target  string
	Timeout time.Duration
	// Round is 2 for a follow-up of the confirmation round.
	Round int
	Probe probes.Probe
}

// Fallback ports: TCP ports that prove a host is there when ICMP does not.
// A router usually serves DNS or a web page; an internet host, HTTPS or
// DNS. A reset counts as much as an accept.
var (
	gatewayFallbackPorts  = []int{53, 80, 443}
	internetFallbackPorts = []int{443, 53}
)

// Plan turns options and a system snapshot into the tasks of a run. It is
// pure: the same inputs give the same plan.
func Plan(o Options, sys probes.System, perm probes.ICMPPermission) []Task {
	o = o.withDefaults()
	var tasks []Task
	now := o.Now()
	names := newNameBoard()
	if o.wants(result.Link) {
		tasks = append(tasks, Task{Layer: result.Link, Name: "link", Target: "interfaces", Probe: probes.NewLink(sys, now)})
	}
	if o.wants(result.Address) {
		tasks = append(tasks, Task{Layer: result.Address, Name: "address", Target: "interfaces", Probe: probes.NewAddress(sys, addressNeeds(o), now)})
		tasks = append(tasks, conflictTasks(sys)...)
	}
	ping := pingOptions(o, perm)
	if o.wants(result.Gateway) {
		gws := sys.Gateways()
		for _, gw := range gws {
			po := ping
			po.Layer, po.FallbackPorts, po.Neighbour = result.Gateway, gatewayFallbackPorts, true
			tasks = append(tasks, pingTask(gw, po))
		}
		if len(gws) == 0 {
			tasks = append(tasks, note(result.Gateway, "gateway", "default gateway", result.Fail, result.ReasonGatewayNone, now,
				"no default gateway is configured, so there is no router to test"))
		}
	}
	if o.wants(result.Internet) && len(o.PingHosts) > 0 {
		for _, h := range o.PingHosts {
			po := ping
			po.Layer, po.FallbackPorts = result.Internet, internetFallbackPorts
			tasks = append(tasks, pingHostTask(h, po))
		}
	} else if o.wants(result.Internet) {
		has6 := false
		for _, r := range sys.DefaultRoutes {
			has6 = has6 || r.Family == 6
		}
		for _, up := range o.Upstreams {
			if up.Is6() && !has6 && o.defaultUpstreams() {
				tasks = append(tasks, note(result.Internet, "ping", up.String(), result.Skip, result.ReasonInternetNoIPv6Route, now,
					"not tested: this computer has no IPv6 default route"))
				continue
			}
			po := ping
			po.Layer, po.FallbackPorts, po.NextHop = result.Internet, internetFallbackPorts, gatewayFor(sys, up)
			tasks = append(tasks, pingTask(up, po))
		}
		tasks = append(tasks, portalTasks(o)...)
	}
	if o.wants(result.DNS) {
		tasks = append(tasks, dnsTasks(o, sys, now, names)...)
	}
	if o.wants(result.Service) {
		for _, t := range o.Targets {
			task := serviceTask(o, t, names)
			task.Probe = stampOnLink(sys, task.Probe)
			tasks = append(tasks, task)
		}
	}
	if o.wants(result.Printer) {
		for _, h := range o.Printers {
			h, po := h, o.Printer
			timeout := po.Timeout
			if timeout <= 0 {
				timeout = PrinterTimeout
			}
			tasks = append(tasks, Task{Layer: result.Printer, Name: "printer", Target: h, Timeout: timeout + DNSTimeout + time.Second,
				Probe: stampOnLink(sys, func(ctx context.Context) []result.Check {
					return []result.Check{printer.Check(names.pin(ctx, h), h, po)}
				})})
		}
	}
	for _, t := range o.Extra {
		if o.wants(t.Layer) {
			tasks = append(tasks, t)
		}
	}
	return tasks
}

// conflictTasks asks, for each IPv4 address of each usable interface,
// whether another device on the network holds it too (RFC 5227 probe).
func conflictTasks(sys probes.System) []Task {
	var out []Task
	for _, it := range sys.Interfaces {
		if !it.Usable() || it.Loopback {
			continue
		}
		for _, p := range it.Addrs {
			if a := p.Addr(); a.Is4() && !a.IsLoopback() {
				out = append(out, Task{Layer: result.Address, Name: "arp-conflict", Target: it.Name + " " + a.String(), Timeout: time.Second,
					Probe: probes.NewAddressConflict(it.Name, a)})
			}
		}
	}
	return out
}

func (o Options) defaultUpstreams() bool {
	if len(o.Upstreams) != len(DefaultUpstreams) {
		return false
	}
	for i := range o.Upstreams {
		if o.Upstreams[i] != DefaultUpstreams[i] {
			return false
		}
	}
	return true
}

// addressNeeds says which families the run depends on: IPv4 unless the
// user asked only for IPv6 things, IPv6 when the user named an IPv6
// upstream or target.
func addressNeeds(o Options) probes.AddressNeeds {
	var n probes.AddressNeeds
	if o.defaultUpstreams() {
		return probes.AddressNeeds{V4: true}
	}
	for _, u := range o.Upstreams {
		if u.Is4() {
			n.V4 = true
		} else {
			n.V6 = true
		}
	}
	for _, t := range o.Targets {
		a, err := netip.ParseAddr(t.Host)
		switch {
		case err != nil:
			n.V4 = true // a name: assume the common case
		case a.Is4():
			n.V4 = true
		default:
			n.V6 = true
		}
	}
	if !n.V4 && !n.V6 {
		n.V4 = true
	}
	return n
}

// pingWait is how long the ICMP phase waits for the last replies after
// the last request.
const pingWait = time.Second

// pingOptions turns the run's ping settings into the probe's, honouring
// --count and --interval: the ICMP phase lasts as long as sending them
// takes (plus pingWait for the last replies), at least PingPhase. When
// that does not fit the budget (with the TCP fallback's share kept), the
// count is shortened and the check says so.
func pingOptions(o Options, perm probes.ICMPPermission) probes.PingOptions {
	count, interval := o.PingCount, o.PingInterval
	if count <= 0 {
		count = probes.DefaultPingCount
	}
	if interval <= 0 {
		interval = probes.DefaultPingInterval
	}
	po := probes.PingOptions{Count: count, Interval: interval, Permission: perm, LossWarn: o.LossWarn, RTTWarn: o.RTTWarn}
	room := max(o.Budget-exitMargin-FallbackPhase, o.Budget/2) - pingWait
	if send := time.Duration(count-1) * interval; send > room {
		po.RequestedCount = count
		po.Count = max(1, int(room/interval)+1)
	}
	po.Timeout = max(PingPhase, time.Duration(po.Count-1)*interval+pingWait)
	return po
}

func pingTask(addr netip.Addr, po probes.PingOptions) Task {
	return Task{Layer: po.Layer, Name: "ping", Target: addr.String(), Timeout: po.Timeout + FallbackPhase, Probe: probes.NewPing(addr, po)}
}

// pingHostTask resolves a name (through the run's resolver) and pings
// its first address.
func pingHostTask(host string, po probes.PingOptions) Task {
	return Task{Layer: po.Layer, Name: "ping", Target: host, Timeout: po.Timeout + FallbackPhase,
		Probe: func(ctx context.Context) []result.Check {
			if a, err := netip.ParseAddr(host); err == nil {
				return []result.Check{probes.Ping(ctx, a, po)}
			}
			addrs, err := probes.LookupHost(ctx, host)
			if err != nil {
				return []result.Check{{Name: "ping", Layer: po.Layer, Target: host, Status: result.Fail, Reason: result.ReasonInternetUnresolved,
					Started: time.Now(), Detail: "could not resolve " + host + ": " + err.Error(), Error: err.Error(), Evidence: map[string]any{"method": "none"}}}
			}
			c := probes.Ping(ctx, addrs[0], po)
			c.Target = host + " (" + addrs[0].String() + ")"
			return []result.Check{c}
		}}
}

// note is a task that only states a fact (skip or fail with a reason).
func note(l result.Layer, name, target string, st result.Status, reason result.Reason, at time.Time, detail string) Task {
	return Task{Layer: l, Name: name, Target: target, Probe: func(context.Context) []result.Check {
		return []result.Check{{Name: name, Layer: l, Target: target, Status: st, Reason: reason, Detail: detail, Started: at, Evidence: map[string]any{}}}
	}}
}

// stampOnLink marks each check whose target address is known with
// whether that address is on a directly connected network (evidence
// on_link): the consequence rules need it to tell a service or printer
// on the local network from one beyond the router. Without a snapshot of
// the interfaces nothing is stamped.
func stampOnLink(sys probes.System, p probes.Probe) probes.Probe {
	if len(sys.Interfaces) == 0 {
		return p
	}
	return func(ctx context.Context) []result.Check {
		cs := p(ctx)
		for i := range cs {
			a := evStr(cs[i], "address")
			if a == "" {
				a = hostOf(cs[i].Target)
			}
			if ip, err := netip.ParseAddr(a); err == nil {
				cs[i].With("on_link", onLink(sys, ip))
			}
		}
		return cs
	}
}

// dnsNames lists the names a run resolves: the --dns-name values and every
// target's and printer's host name.
func dnsNames(o Options) []string {
	var names []string
	seen := map[string]bool{}
	add := func(n string) {
		if _, err := netip.ParseAddr(n); err == nil || seen[n] {
			return
		}
		seen[n] = true
		names = append(names, n)
	}
	for _, n := range o.DNSNames {
		add(n)
	}
	for _, t := range o.Targets {
		add(t.Host)
	}
	for _, p := range o.Printers {
		add(p)
	}
	return names
}

// resolvers returns the resolvers to test: --resolver, else the system's.
func resolvers(o Options, sys probes.System) []probes.Resolver {
	if len(o.Resolvers) > 0 {
		var rs []probes.Resolver
		for _, a := range o.Resolvers {
			rs = append(rs, probes.Resolver{Addr: a, Source: "--resolver"})
		}
		return rs
	}
	return sys.Resolvers
}

func dnsTasks(o Options, sys probes.System, now time.Time, board *nameBoard) []Task {
	names := dnsNames(o)
	if len(names) == 0 {
		return nil
	}
	rs := resolvers(o, sys)
	if len(rs) == 0 {
		why := "no DNS server is configured on this computer"
		if sys.ResolverNote != "" {
			why += " (" + sys.ResolverNote + ")"
		}
		return []Task{note(result.DNS, "dns", "resolvers", result.Fail, result.ReasonDNSNoResolvers, now, why)}
	}
	var tasks []Task
	// A name the hosts file resolves never reaches DNS: asking the DNS
	// servers would report a fault the user does not have.
	var dnsOnly []string
	for _, name := range names {
		if addrs, ok := sys.Hosts[boardKey(name)]; ok && len(o.Resolvers) == 0 {
			tasks = append(tasks, note(result.DNS, "dns", name, result.Skip, result.ReasonDNSHostsFile, now,
				name+" is resolved by the hosts file ("+joinAddrs(addrs)+"), not by DNS"))
			continue
		}
		dnsOnly = append(dnsOnly, name)
	}
	names = dnsOnly
	add := func(server netip.AddrPort, name, role string) {
		offLink := len(sys.Interfaces) > 0 && !onLink(sys, server.Addr())
		if role == "system" {
			board.expect(name)
		}
		tasks = append(tasks, Task{Layer: result.DNS, Name: "dns", Target: name + " @" + server.String(), Timeout: DNSTimeout + 200*time.Millisecond,
			Probe: func(ctx context.Context) []result.Check {
				c := probes.DNS(ctx, server, name, probes.DNSOptions{Role: role, Timeout: DNSTimeout})
				c.With("off_link", offLink)
				if role == "system" {
					board.report(name, c)
				}
				return []result.Check{c}
			}})
	}
	for _, name := range names {
		for _, r := range rs {
			add(r.Addr, name, "system")
		}
		for _, r := range o.Reference {
			if isSystemResolver(r, rs) {
				continue
			}
			add(r, name, "reference")
		}
	}
	return tasks
}

// gatewayFor returns the default gateway of a's family, when a is not on a
// directly connected network (then it needs no gateway).
func gatewayFor(sys probes.System, a netip.Addr) netip.Addr {
	if onLink(sys, a) {
		return netip.Addr{}
	}
	for _, g := range sys.Gateways() {
		if g.Is4() == a.Is4() {
			return g
		}
	}
	return netip.Addr{}
}

func joinAddrs(as []netip.Addr) string {
	s := make([]string, len(as))
	for i, a := range as {
		s[i] = a.String()
	}
	return strings.Join(s, ", ")
}

// onLink reports whether a is on this computer (loopback, its own
// address) or on one of its directly connected networks: reaching it does
// not cross the default gateway.
func onLink(sys probes.System, a netip.Addr) bool {
	a = a.Unmap()
	if a.IsLoopback() || a.IsLinkLocalUnicast() {
		return true
	}
	for _, it := range sys.Interfaces {
		for _, p := range it.Addrs {
			if p.Masked().Contains(a) || p.Addr() == a {
				return true
			}
		}
	}
	return false
}

func isSystemResolver(a netip.AddrPort, rs []probes.Resolver) bool {
	for _, r := range rs {
		if r.Addr == a {
			return true
		}
	}
	return false
}

// serviceTask checks one target. A named target first waits for the DNS
// layer's answer for its host (names), then gets its own connect timeout.
func serviceTask(o Options, t Target, names *nameBoard) Task {
	task := Task{Layer: result.Service, Name: t.Scheme, Target: t.String(), Timeout: ServiceTimeout}
	task.Probe = serviceProbe(o, t, netip.Addr{})
	if names != nil {
		inner := task.Probe
		task.Probe = func(ctx context.Context) []result.Check {
			ctx = names.pin(ctx, t.Host)
			fam := familyConnects(ctx, t, names.addrs(t.Host))
			cs := inner(ctx)
			return append(cs, familyChecks(t, cs, fam)...)
		}
	}
	return task
}

// familyResult is one IP family's own connection attempt to a target.
type familyResult struct {
	family int
	addr   netip.Addr
	check  result.Check
}

// familyConnects starts, next to a named target's own check, one TCP
// connection to the first address of each IP family its name resolved
// to, when it resolved to both: the report then says of IPv4 and IPv6
// each whether the service answers, which the target's own check (it
// stops at the first address that works) cannot.
func familyConnects(ctx context.Context, t Target, addrs []netip.Addr) <-chan familyResult {
	if t.Scheme == "udp" {
		return nil
	}
	first := map[int]netip.Addr{}
	for _, a := range addrs {
		if f := probes.Family(a); !first[f].IsValid() {
			first[f] = a.Unmap()
		}
	}
	if len(first) < 2 {
		return nil
	}
	ch := make(chan familyResult, len(first))
	for f, a := range first {
		go func() {
			cctx, cancel := context.WithTimeout(ctx, ConnectTimeout)
			defer cancel()
			ch <- familyResult{f, a, probes.TCP(cctx, t.Host, t.Port, probes.TCPOptions{Layer: result.Service, Address: a})}
		}()
	}
	return ch
}

// familyChecks reports the other family's attempt when the target's own
// check connected: a "tcp-family" check, ok, or a warning when that
// family does not answer (tcp.family_fails). When the target failed on
// every address, its own checks already say so.
func familyChecks(t Target, own []result.Check, ch <-chan familyResult) []result.Check {
	if ch == nil {
		return nil
	}
	used := 0
	for _, c := range own {
		if c.Name == "tcp" && c.Status == result.OK {
			used = familyOf(c)
		}
	}
	var out []result.Check
	for range 2 {
		r := <-ch
		if used == 0 || r.family == used {
			continue
		}
		c := r.check
		c.Name, c.Target = "tcp-family", t.String()
		c.With("family", r.family).With("address", r.addr.String())
		if c.Status == result.OK {
			c.Detail = fmt.Sprintf("over IPv%d too (%s): %s", r.family, r.addr, c.Detail)
		} else {
			c.Status, c.Reason = result.Warn, result.ReasonTCPFamilyFails
			c.With("family_reason", string(r.check.Reason))
			c.Detail = fmt.Sprintf("answers over IPv%d, but not over IPv%d (%s): %s", used, r.family, r.addr, c.Detail)
		}
		out = append(out, c)
	}
	return out
}

// serviceProbe is the probe of one target; with addr valid it connects
// there instead of resolving the host (the confirmation round's retry at
// another resolver's answer), keeping the name for SNI and Host.
func serviceProbe(o Options, t Target, addr netip.Addr) probes.Probe {
	connect := func(ctx context.Context) (context.Context, context.CancelFunc) {
		return context.WithTimeout(ctx, ConnectTimeout)
	}
	switch t.Scheme {
	case "udp":
		host := t.Host
		if addr.IsValid() {
			host = addr.String()
		}
		return func(ctx context.Context) []result.Check {
			ctx, cancel := connect(ctx)
			defer cancel()
			return []result.Check{probes.UDP(ctx, host, t.Port)}
		}
	case "http", "https":
		u := *t.URL
		wo := probes.WebOptions{TLS: probes.TLSOptions{ExtraCAs: o.ExtraCAs, Now: o.Now, HandshakeTimeout: TLSHandshakeTimeout},
			ConnectTimeout: ConnectTimeout, Address: addr, Proxy: proxyRoute(o, t)}
		return probes.NewWeb(&u, wo)
	}
	return func(ctx context.Context) []result.Check {
		ctx, cancel := connect(ctx)
		defer cancel()
		return []result.Check{probes.TCP(ctx, t.Host, t.Port, probes.TCPOptions{Layer: result.Service, Address: addr})}
	}
}
