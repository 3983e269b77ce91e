package checkfile

import (
	"bytes"
	"errors"
	"fmt"
	"github.com/netprobe/netprobe/internal/input"
	"io"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/netprobe/netprobe/probes/printer"
	"github.com/netprobe/netprobe/result"
)

// MaxFileSize bounds a check file: it is read whole, and a file of
// thousands of checks is a mistake, not an office.
const MaxFileSize = 1 << 20

// Load reads and validates a check file. Every problem comes back at once
// as Errors, each with file:line:col.
func Load(path string) (*File, error) {
	// The one bounded reader: a regular file of at most MaxFileSize
	// bytes, refused at once otherwise (a FIFO would block an open, a
	// device never ends).
	b, _, err := input.ReadFile(path, MaxFileSize)
	if err != nil {
		return nil, Errors{{File: path, Msg: oneLine(err)}}
	}
	cf, err := Parse(filepath.Base(path), b)
	if cf != nil {
		cf.dir = filepath.Dir(path)
		if cf.CAFile != "" {
			if errs := cf.checkCAFile(filepath.Base(path)); len(errs) > 0 {
				var all Errors
				errors.As(err, &all)
				return nil, append(all, errs...).sorted()
			}
		}
	}
	return cf, err
}

// Parse decodes and validates the bytes of a check file; name is what
// error messages call the file. On error the File is nil.
func Parse(name string, b []byte) (*File, error) {
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, Errors{{File: name, Line: 1, Col: 1, Msg: "the file is empty: a check file needs checks (dns, targets, printers) or modules"}}
		}
		return nil, Errors{yamlError(name, err)}
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		return nil, Errors{{File: name, Line: extra.Line, Col: extra.Column, Msg: "a check file is one YAML document; remove the second (after ---)"}}
	} else if !errors.Is(err, io.EOF) {
		return nil, Errors{yamlError(name, err)}
	}
	root := &doc
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = root.Content[0]
	}
	d := &decoder{file: name}
	f := &File{}
	if root.Kind != yaml.MappingNode {
		d.at(root, "want a mapping of settings (timeout:, targets:, ...), got %s", kindOf(root))
		return nil, d.errs
	}
	d.decode(root, reflect.ValueOf(f).Elem())
	// Validate even after decoding errors: a value that did not decode
	// is left zero, which validate passes over, so every other problem
	// still comes out in this one round.
	f.validate(d)
	if len(d.errs) > 0 {
		return nil, d.errs.sorted()
	}
	f.name = name
	return f, nil
}

// yamlError turns a yaml.v3 syntax error ("yaml: line 3: ...") into a
// positioned Error.
func yamlError(name string, err error) Error {
	msg := strings.TrimPrefix(oneLine(err), "yaml: ")
	e := Error{File: name, Msg: "not valid YAML: " + msg}
	var line int
	if _, scanErr := fmt.Sscanf(msg, "line %d:", &line); scanErr == nil {
		e.Line, e.Col = line, 1
		if i := strings.Index(msg, ":"); i >= 0 {
			e.Msg = "not valid YAML:" + msg[i+1:]
		}
	}
	return e
}

func oneLine(err error) string { return strings.Join(strings.Fields(err.Error()), " ") }

// Budget limits, as diagnose.Options.Validate has them: checked here so the
// error points at the line.
const (
	minTimeout = 200 * time.Millisecond
	maxTimeout = 10 * time.Minute
)

// validate checks what the types alone cannot: unique names, references,
// combinations that contradict each other.
func (f *File) validate(d *decoder) {
	d.timeout(f.Timeout, f.At.Key("timeout"))
	if f.Ping != nil {
		f.Ping.validate(d)
	}
	names := map[string]Pos{}
	claim := func(n CheckName, at Pos) {
		if n == "" {
			return
		}
		if prev, dup := names[string(n)]; dup {
			d.atPos(at.Key("name"), "check name %q is already used at line %d", n, prev.Line)
			return
		}
		names[string(n)] = at.Key("name")
	}
	for _, c := range f.DNS {
		claim(c.Name, c.At)
		d.timeout(c.Timeout, c.At.Key("timeout"))
		if c.Expect != nil {
			c.Expect.validate(d)
		}
	}
	for _, c := range f.Targets {
		claim(c.Name, c.At)
		d.timeout(c.Timeout, c.At.Key("timeout"))
		if c.Expect != nil {
			c.Expect.validate(d, c.Target.Kind(), c.At.Key("target"))
		}
	}
	for _, c := range f.Printers {
		claim(c.Name, c.At)
		d.timeout(c.Timeout, c.At.Key("timeout"))
		if c.SNMP != nil {
			c.SNMP.validate(d)
		}
	}
	checks := len(f.DNS) + len(f.Targets) + len(f.Printers)
	lowerLayers := len(f.Upstreams) > 0 // the internet layer, and the default lower layers
	if f.Layers != nil {
		lowerLayers = len(*f.Layers) > 0
	}
	if checks == 0 && len(f.Modules) == 0 && !lowerLayers {
		d.atPos(f.At, "nothing to check: add dns, targets, printers, layers or modules")
	}
	mods := make([]string, 0, len(f.Modules))
	for name := range f.Modules {
		mods = append(mods, name)
	}
	sort.Strings(mods)
	all := make([]string, 0, len(names))
	for n := range names {
		all = append(all, n)
	}
	sort.Strings(all)
	for _, name := range mods {
		f.Modules[name].validate(d, name, names, all)
	}
}

func (d *decoder) timeout(t Duration, at Pos) {
	switch {
	case t == 0:
	case t.D() < minTimeout:
		d.atPos(at, "timeout %s is too short (minimum %s)", t.D(), minTimeout)
	case t.D() > maxTimeout:
		d.atPos(at, "timeout %s is too long (maximum %s)", t.D(), maxTimeout)
	}
}

func (p *PingSettings) validate(d *decoder) {
	if _, set := p.At.keys["count"]; set && (p.Count < 1 || p.Count > 1000) {
		d.atPos(p.At.Key("count"), "count %d is out of range (1-1000)", p.Count)
	}
}

func (e *DNSExpect) validate(d *decoder) {
	addrs := len(e.AnyOf)+len(e.AllOf) > 0
	if e.Resolves != nil && !*e.Resolves && addrs {
		d.atPos(e.At.Key("resolves"), "resolves: false contradicts any_of/all_of: a name that must not resolve has no addresses")
	}
	if e.Rcode != "" && e.Rcode != "NOERROR" && (addrs || e.Resolves != nil && *e.Resolves) {
		d.atPos(e.At.Key("rcode"), "rcode %s contradicts an answer with addresses", e.Rcode)
	}
}

func (e *TargetExpect) validate(d *decoder, kind string, target Pos) {
	only := func(key, what string, ok bool) {
		if _, set := e.At.keys[key]; set && !ok {
			d.atPos(e.At.Key(key), "%s applies to %s targets, and this one is %s", key, what, kindName(kind))
		}
	}
	only("port", "tcp, udp, http and https", kind != "ping")
	only("reachable", "ping (a bare host)", kind == "ping")
	only("max_loss", "ping (a bare host)", kind == "ping")
	only("tls", "https", kind == "https")
	only("http", "http and https", kind == "http" || kind == "https")
	if kind == "udp" {
		for _, s := range e.Port {
			if s == "filtered" {
				d.atPos(e.At.Key("port"), "a UDP port without an answer is open|filtered: UDP cannot tell filtered from open")
			}
		}
	}
	if (kind == "http" || kind == "https") && len(e.Port) > 0 && (e.TLS != nil || e.HTTP != nil) {
		open := false
		for _, s := range e.Port {
			open = open || s == "open"
		}
		if !open {
			d.atPos(e.At.Key("port"), "tls and http expectations need the port open, but port does not accept open")
		}
	}
	if e.Reachable != nil && !*e.Reachable && (e.MaxLatency != 0 || e.MaxLoss != nil) {
		d.atPos(e.At.Key("reachable"), "reachable: false contradicts max_latency/max_loss")
	}
}

func kindName(k string) string {
	if k == "ping" {
		return "a host to ping"
	}
	return "a " + k + " target"
}

// validate runs the printer probe's own checks on the settings, with
// stand-ins for the secrets (they are read from the environment only when
// the file runs).
func (s *SNMP) validate(d *decoder) {
	o := s.printerOptions(func(string) string { return "12345678" })
	if err := o.Validate(); err != nil {
		d.atPos(s.At, "snmp: %v", err)
	}
}

// printerOptions builds the probe's options, reading secrets through
// getenv.
func (s *SNMP) printerOptions(getenv func(string) string) printer.Options {
	o := printer.Options{}
	if s == nil {
		return o
	}
	o.Version, o.Port, o.User = string(s.Version), s.Port, s.User
	o.AuthProto, o.PrivProto = strings.ToUpper(s.AuthProto), strings.ToUpper(s.PrivProto)
	if s.CommunityEnv != "" {
		o.Community = getenv(string(s.CommunityEnv))
	}
	if s.AuthPassEnv != "" {
		o.AuthPass = getenv(string(s.AuthPassEnv))
	}
	if s.PrivPassEnv != "" {
		o.PrivPass = getenv(string(s.PrivPassEnv))
	}
	return o
}

func (m Module) validate(d *decoder, name string, checks map[string]Pos, all []string) {
	d.timeout(m.Timeout, m.At.Key("timeout"))
	templates := 0
	for _, set := range []bool{m.Target != nil, m.DNS != nil, m.Printer != nil} {
		if set {
			templates++
		}
	}
	if templates > 1 {
		d.atPos(m.At, "module %q: choose one of target, dns and printer: ?target= can be probed only one way", name)
	}
	if templates == 0 && len(m.Checks) == 0 && len(m.Layers) == 0 {
		d.atPos(m.At, "module %q does nothing: give it a target, dns or printer template, checks or layers", name)
	}
	for i, c := range m.Checks {
		if _, ok := checks[string(c)]; !ok {
			d.atPos(m.At.Key("checks"), "module %q: checks[%d]: no check is named %q%s", name, i, c, suggest(string(c), all))
		}
	}
	internet := false
	for _, l := range m.Layers {
		internet = internet || l == LowerLayer(result.Internet)
	}
	if internet && len(m.Upstreams) == 0 {
		// A module never falls back to netprobe's public defaults: what a
		// scrape probes is what the file names.
		d.atPos(m.At.Key("layers"), "module %q: the internet layer needs upstreams (the module never pings netprobe's public defaults)", name)
	}
	if m.DNS != nil {
		if (m.DNS.Resolve == "") == (m.DNS.Resolver == nil) {
			d.atPos(m.DNS.At, "module %q: dns takes either resolve (then ?target= is the DNS server) or resolver (then ?target= is the name), not both or neither", name)
		}
		if m.DNS.Expect != nil {
			m.DNS.Expect.validate(d)
		}
	}
	if m.Printer != nil && m.Printer.SNMP != nil {
		m.Printer.SNMP.validate(d)
	}
	if m.Ping != nil {
		m.Ping.validate(d)
	}
	if m.Target != nil && m.Target.Expect != nil {
		e := m.Target.Expect
		// The target's kind is known only per request: check what holds
		// for every kind.
		if e.Reachable != nil && !*e.Reachable && (e.MaxLatency != 0 || e.MaxLoss != nil) {
			d.atPos(e.At.Key("reachable"), "reachable: false contradicts max_latency/max_loss")
		}
	}
}

// checkCAFile makes sure ca_file can be read and holds a certificate.
func (f *File) checkCAFile(name string) Errors {
	if _, err := f.caCerts(); err != nil {
		at := f.At.Key("ca_file")
		return Errors{{File: name, Line: at.Line, Col: at.Col, Msg: "ca_file: " + err.Error()}}
	}
	return nil
}

// Summary counts what the file holds, for `check --validate`.
func (f *File) Summary() string {
	return fmt.Sprintf("%d dns, %d target and %d printer checks, %d modules", len(f.DNS), len(f.Targets), len(f.Printers), len(f.Modules))
}
