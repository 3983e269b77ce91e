package checkfile

import (
	"crypto/x509"
	"errors"
	"fmt"
	"github.com/netprobe/netprobe/internal/input"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/netprobe/netprobe/diagnose"
	"github.com/netprobe/netprobe/probes"
	"github.com/netprobe/netprobe/probes/printer"
	"github.com/netprobe/netprobe/result"
)

// Env is what running a file needs from outside it.
type Env struct {
	// Getenv reads the secrets the file names (community_env, ...).
	Getenv func(string) string
	// ICMP says how this process can ping; nil detects it once.
	ICMP func() probes.ICMPPermission
}

var (
	icmpOnce sync.Once
	icmpPerm probes.ICMPPermission
)

func (e Env) icmp() probes.ICMPPermission {
	if e.ICMP != nil {
		return e.ICMP()
	}
	icmpOnce.Do(func() { icmpPerm = probes.DetectICMP() })
	return icmpPerm
}

func (e Env) getenv(k string) string {
	if e.Getenv == nil {
		return os.Getenv(k)
	}
	return e.Getenv(k)
}

// Defaults of the checks a file adds.
const (
	// DefaultModulePingCount is how many echo requests a ping target of
	// a serve module sends: one per scrape, as blackbox_exporter does;
	// loss shows over the scrapes.
	DefaultModulePingCount = 1
	// pingFallbackDelay is how long a ping target's ICMP phase may take
	// before the TCP fallback gets the rest.
	pingPhase = 2 * time.Second
)

// pingFallbackPorts prove a ping target is there when ICMP is not
// permitted or not answered: a handshake or a reset both count.
var pingFallbackPorts = []int{443, 80, 22}

// Options turns the file into a run of `netprobe check`: its checks, the
// lower layers, and the expectations that judge them.
func (f *File) Options(env Env) (diagnose.Options, error) {
	o := f.base()
	if len(f.DNS)+len(f.Targets)+len(f.Printers) == 0 && (f.Layers == nil && len(f.Upstreams) == 0 || f.Layers != nil && len(*f.Layers) == 0) {
		return o, Errors{{File: f.name, Line: f.At.Line, Col: f.At.Col, Msg: "the file has no checks to run (only modules, for netprobe serve)"}}
	}
	lower := []result.Layer{result.Link, result.Address, result.Gateway}
	if f.Layers != nil {
		lower = lower[:0]
		for _, l := range *f.Layers {
			lower = append(lower, result.Layer(l))
		}
	} else if len(f.Upstreams) > 0 {
		lower = append(lower, result.Internet)
	}
	for _, a := range f.Upstreams {
		o.Upstreams = append(o.Upstreams, netip.Addr(a))
	}
	var errs Errors
	x := newExpecter(f.Budgets)
	for _, c := range f.DNS {
		var servers []netip.AddrPort
		if c.Resolver != nil {
			servers = []netip.AddrPort{netip.AddrPort(*c.Resolver)}
		}
		o.Extra = append(o.Extra, f.dnsTask(string(c.Name), string(c.Resolve), servers, c.Timeout.D()))
		x.add(string(c.Name), dnsExpect(c.Expect))
	}
	for _, c := range f.Targets {
		o.Extra = append(o.Extra, f.targetTask(string(c.Name), c.Target, c.Expect, c.Timeout.D(), f.Ping, probes.DefaultPingCount, env))
		x.add(string(c.Name), targetExpect(c.Expect))
	}
	for _, c := range f.Printers {
		po, err := f.printerOptions(c.SNMP, c.Expect, c.Timeout, env)
		if err != nil {
			errs = append(errs, *err)
			continue
		}
		o.Extra = append(o.Extra, printerTask(string(c.Name), string(c.Host), po))
		x.add(string(c.Name), printerExpect(c.Expect))
	}
	if len(errs) > 0 {
		return o, errs
	}
	o.Layers = layersOf(lower, o.Extra)
	o.Expect = x
	if !hasLower(o.Layers) {
		o.ReadSystem = noSystem
	}
	if containsLayer(o.Layers, result.Gateway) || containsLayer(o.Layers, result.Internet) {
		o.DetectICMP = env.icmp
	}
	return o, nil
}

// ModuleOptions turns one module and the target of a /probe request into a
// run. A module never falls back to netprobe's public defaults: it probes
// what the file and the request name, nothing else.
func (f *File) ModuleOptions(name, target string, env Env) (diagnose.Options, error) {
	m, ok := f.Modules[name]
	if !ok {
		return diagnose.Options{}, fmt.Errorf("unknown module %q", name)
	}
	return f.module(name, m, target, env)
}

// DefaultModule is the module `netprobe serve` runs without a config file,
// or for module=default when the file does not define one: the target is
// probed by its form (tcp://, udp://, http(s)://, a bare host is pinged),
// with no lower layers.
var DefaultModule = Module{Target: &TargetTemplate{}}

// DefaultModuleName is the module a /probe request without module= runs.
const DefaultModuleName = "default"

// DefaultModuleOptions runs the built-in default module (no file).
func DefaultModuleOptions(target string, env Env) (diagnose.Options, error) {
	f := &File{name: "default"}
	return f.module(DefaultModuleName, DefaultModule, target, env)
}

// ModuleTimeout is the module's own timeout; 0 when it has none.
func (f *File) ModuleTimeout(name string) time.Duration {
	return f.Modules[name].Timeout.D()
}

// HasModule reports whether the file defines the module.
func (f *File) HasModule(name string) bool {
	_, ok := f.Modules[name]
	return ok
}

func (f *File) module(name string, m Module, target string, env Env) (diagnose.Options, error) {
	o := f.base()
	o.Upstreams = []netip.Addr{}
	for _, a := range m.Upstreams {
		o.Upstreams = append(o.Upstreams, netip.Addr(a))
	}
	if m.Timeout != 0 {
		o.Budget = m.Timeout.D()
	}
	if m.Ping != nil {
		if m.Ping.Count > 0 {
			o.PingCount = m.Ping.Count
		}
		if m.Ping.Interval != 0 {
			o.PingInterval = m.Ping.Interval.D()
		}
	}
	x := newExpecter(f.Budgets)
	target = strings.TrimSpace(target)
	switch {
	case m.Target != nil:
		if target == "" {
			return o, fmt.Errorf("module %q needs a target", name)
		}
		ta, err := parseProbeTarget(target)
		if err != nil {
			return o, err
		}
		var e *TargetExpect
		if m.Target.Expect != nil {
			e = m.Target.Expect
			if err := e.fits(ta.Kind()); err != nil {
				return o, fmt.Errorf("module %q: %v", name, err)
			}
		}
		if ta.dns != nil {
			o.Extra = append(o.Extra, f.dnsTask(name, ta.dns.name, []netip.AddrPort{ta.dns.server}, 0))
			x.add(name, expect{})
			break
		}
		o.Extra = append(o.Extra, f.targetTask(name, ta.TargetAddr, e, 0, m.Ping, DefaultModulePingCount, env))
		x.add(name, targetExpect(e))
	case m.DNS != nil:
		if target == "" {
			return o, fmt.Errorf("module %q needs a target", name)
		}
		host, server := string(m.DNS.Resolve), netip.AddrPort{}
		if m.DNS.Resolver != nil {
			server = netip.AddrPort(*m.DNS.Resolver)
			host = target
			if err := diagnose.ValidateHost(host); err != nil {
				return o, fmt.Errorf("target %q: %v", target, err)
			}
		} else {
			var err error
			if server, err = ParseServer(target); err != nil {
				return o, fmt.Errorf("target: %v", err)
			}
		}
		o.Extra = append(o.Extra, f.dnsTask(name, host, []netip.AddrPort{server}, 0))
		x.add(name, dnsExpect(m.DNS.Expect))
	case m.Printer != nil:
		if err := diagnose.ValidateHost(target); err != nil {
			return o, fmt.Errorf("target %q: %v", target, err)
		}
		po, perr := f.printerOptions(m.Printer.SNMP, m.Printer.Expect, 0, env)
		if perr != nil {
			return o, fmt.Errorf("module %q: %s", name, perr.Msg)
		}
		o.Extra = append(o.Extra, printerTask(name, target, po))
		x.add(name, printerExpect(m.Printer.Expect))
	}
	for _, cn := range m.Checks {
		if err := f.addNamed(&o, x, string(cn), env); err != nil {
			return o, err
		}
	}
	var lower []result.Layer
	for _, l := range m.Layers {
		lower = append(lower, result.Layer(l))
	}
	o.Layers = layersOf(lower, o.Extra)
	o.Expect = x
	if !hasLower(o.Layers) {
		o.ReadSystem = noSystem
	}
	if containsLayer(o.Layers, result.Gateway) || containsLayer(o.Layers, result.Internet) {
		o.DetectICMP = env.icmp
	}
	return o, nil
}

// addNamed adds the check of the file called name (a module's checks).
func (f *File) addNamed(o *diagnose.Options, x *expecter, name string, env Env) error {
	for _, c := range f.DNS {
		if string(c.Name) == name {
			var servers []netip.AddrPort
			if c.Resolver != nil {
				servers = []netip.AddrPort{netip.AddrPort(*c.Resolver)}
			}
			o.Extra = append(o.Extra, f.dnsTask(name, string(c.Resolve), servers, c.Timeout.D()))
			x.add(name, dnsExpect(c.Expect))
			return nil
		}
	}
	for _, c := range f.Targets {
		if string(c.Name) == name {
			o.Extra = append(o.Extra, f.targetTask(name, c.Target, c.Expect, c.Timeout.D(), f.Ping, probes.DefaultPingCount, env))
			x.add(name, targetExpect(c.Expect))
			return nil
		}
	}
	for _, c := range f.Printers {
		if string(c.Name) == name {
			po, perr := f.printerOptions(c.SNMP, c.Expect, c.Timeout, env)
			if perr != nil {
				return perr
			}
			o.Extra = append(o.Extra, printerTask(name, string(c.Host), po))
			x.add(name, printerExpect(c.Expect))
			return nil
		}
	}
	return fmt.Errorf("no check is named %q", name)
}

// base holds what every run of the file shares.
func (f *File) base() diagnose.Options {
	o := diagnose.Options{
		Budget:      f.Timeout.D(),
		DNSNames:    []string{}, // never the public default name
		NoReference: true,
		Command:     "check",
	}
	if o.Budget == 0 {
		o.Budget = diagnose.DefaultBudget
	}
	for _, r := range f.Resolvers {
		o.Resolvers = append(o.Resolvers, netip.AddrPort(r))
	}
	if f.Ping != nil {
		o.PingCount, o.PingInterval = f.Ping.Count, f.Ping.Interval.D()
	}
	o.LossWarn, o.RTTWarn = f.Budgets.rawThresholds()
	if cas, err := f.caCerts(); err == nil {
		o.ExtraCAs = cas
	}
	return o
}

func noSystem() probes.System { return probes.System{} }

func hasLower(ls []result.Layer) bool {
	for _, l := range ls {
		if l >= result.Link && l <= result.Internet {
			return true
		}
	}
	return false
}

func containsLayer(ls []result.Layer, l result.Layer) bool {
	for _, x := range ls {
		if x == l {
			return true
		}
	}
	return false
}

// layersOf is the lower layers plus the layers of the checks, lowest
// first, each once.
func layersOf(lower []result.Layer, tasks []diagnose.Task) []result.Layer {
	seen := map[result.Layer]bool{}
	for _, l := range lower {
		seen[l] = true
	}
	for _, t := range tasks {
		seen[t.Layer] = true
	}
	out := []result.Layer{}
	for _, l := range result.Layers {
		if seen[l] {
			out = append(out, l)
		}
	}
	return out
}

// EvidenceCheck is the evidence key holding the check file's name of the
// check that produced a result.
const EvidenceCheck = "check"

// printerOptions reads the printer's secrets from the environment. A
// variable the file names but the environment lacks is an error: falling
// back to "public" would probe with a community nobody chose.
func (f *File) printerOptions(s *SNMP, e *PrinterExpect, timeout Duration, env Env) (printer.Options, *Error) {
	po := s.printerOptions(env.getenv)
	po.Timeout = timeout.D()
	if e != nil && e.MinSupplyPercent != nil {
		po.SupplyWarn = float64(*e.MinSupplyPercent)
	}
	if s != nil {
		for _, v := range []struct {
			key  string
			name EnvName
		}{{"community_env", s.CommunityEnv}, {"auth_pass_env", s.AuthPassEnv}, {"priv_pass_env", s.PrivPassEnv}} {
			if v.name != "" && env.getenv(string(v.name)) == "" {
				at := s.At.Key(v.key)
				return po, &Error{File: f.name, Line: at.Line, Col: at.Col, Msg: fmt.Sprintf("%s: the environment variable %s is not set", v.key, v.name)}
			}
		}
	}
	if po.Community == "" && po.Version != "3" {
		po.Community = "public"
	}
	return po, nil
}

// caCerts reads ca_file, relative to the file's directory.
func (f *File) caCerts() ([]*x509.Certificate, error) {
	if f.CAFile == "" {
		return nil, nil
	}
	p := f.CAFile
	if !filepath.IsAbs(p) && f.dir != "" {
		p = filepath.Join(f.dir, p)
	}
	certs, err := input.ReadCAs(p)
	if err != nil {
		return nil, fmt.Errorf("ca_file: %s", oneLineErr(err))
	}
	return certs, nil
}

func (f *File) certs() []*x509.Certificate {
	c, _ := f.caCerts()
	return c
}

func oneLineErr(err error) string {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err.Error()
	}
	return err.Error()
}

// probeTarget is a /probe target: a TargetAddr, or dns://SERVER/NAME.
type probeTarget struct {
	TargetAddr
	dns *struct {
		server netip.AddrPort
		name   string
	}
}

func (p probeTarget) Kind() string {
	if p.dns != nil {
		return "dns"
	}
	return p.TargetAddr.Kind()
}

// parseProbeTarget reads the target of a /probe request for a target
// template: anything a file's target may be, and dns://SERVER[:PORT]/NAME
// (ask SERVER for NAME).
func parseProbeTarget(s string) (probeTarget, error) {
	if rest, ok := strings.CutPrefix(strings.ToLower(s), "dns://"); ok {
		rest = s[len("dns://"):]
		srv, name, ok := strings.Cut(rest, "/")
		if !ok || name == "" {
			return probeTarget{}, fmt.Errorf("target %q: want dns://SERVER[:PORT]/NAME", s)
		}
		ap, err := ParseServer(srv)
		if err != nil {
			return probeTarget{}, fmt.Errorf("target %q: %v", s, err)
		}
		if err := diagnose.ValidateHost(name); err != nil {
			return probeTarget{}, fmt.Errorf("target %q: %v", s, err)
		}
		p := probeTarget{}
		p.dns = &struct {
			server netip.AddrPort
			name   string
		}{ap, name}
		return p, nil
	}
	t, err := ParseTarget(s)
	if err != nil {
		return probeTarget{}, err
	}
	return probeTarget{TargetAddr: t}, nil
}

// fits checks a module's target expectations against the kind of target a
// request brought.
func (e *TargetExpect) fits(kind string) error {
	bad := func(key, what string) error {
		return fmt.Errorf("expect.%s applies to %s targets, and %s is not one", key, what, strconv.Quote(kind))
	}
	switch {
	case len(e.Port) > 0 && (kind == "ping" || kind == "dns"):
		return bad("port", "tcp, udp, http and https")
	case (e.Reachable != nil || e.MaxLoss != nil) && kind != "ping":
		return bad("reachable/max_loss", "ping")
	case e.TLS != nil && kind != "https":
		return bad("tls", "https")
	case e.HTTP != nil && kind != "http" && kind != "https":
		return bad("http", "http and https")
	}
	return nil
}

// CheckModules compiles every module once with a stand-in target, so what
// only shows when a module runs (a secret missing from the environment)
// is found when the file is loaded, not at the first scrape.
func (f *File) CheckModules(env Env) error {
	var errs Errors
	for name, m := range f.Modules {
		for _, c := range m.Checks {
			if err := f.addNamed(&diagnose.Options{}, newExpecter(nil), string(c), env); err != nil {
				var e *Error
				if errors.As(err, &e) {
					errs = append(errs, *e)
				} else {
					errs = append(errs, Error{File: f.name, Line: m.At.Line, Col: m.At.Col, Msg: fmt.Sprintf("module %q: %v", name, err)})
				}
			}
		}
		if m.Printer != nil {
			if _, e := f.printerOptions(m.Printer.SNMP, m.Printer.Expect, 0, env); e != nil {
				errs = append(errs, *e)
			}
		}
	}
	if len(errs) > 0 {
		return errs.sorted()
	}
	return nil
}
