// Package diagnose holds netprobe's layer model in motion: the plan (a
// pure function of the options and a system snapshot), the runner (one
// deadline, everything concurrent) and the verdict (a pure function of the
// results). It never prints.
package diagnose

import (
	"context"
	"crypto/x509"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/netprobe/netprobe/internal/input"
	"github.com/netprobe/netprobe/probes"
	"github.com/netprobe/netprobe/probes/printer"
	"github.com/netprobe/netprobe/result"
)

// Defaults of a run. They point at public infrastructure: tests and the
// lab always override them.
var (
	// DefaultUpstreams are well-known anycast resolvers: reachable from
	// almost anywhere, answering ICMP, TCP 53/443 and DNS.
	DefaultUpstreams = []netip.Addr{
		netip.MustParseAddr("1.1.1.1"),
		netip.MustParseAddr("8.8.8.8"),
		netip.MustParseAddr("9.9.9.9"),
		netip.MustParseAddr("2606:4700:4700::1111"),
		netip.MustParseAddr("2001:4860:4860::8888"),
	}
	// DefaultDNSName is a name that exists, is stable, and is reserved for
	// exactly this kind of use (RFC 2606).
	DefaultDNSName = "example.com"
)

// Timeouts of the phases of a run. They are sized so that the default
// budget holds the slowest path of every layer; TestTimeoutsFitBudget
// checks the sums.
const (
	DefaultBudget = 10 * time.Second
	// PingPhase bounds the ICMP part of a reachability check; the TCP
	// fallback gets FallbackPhase after it.
	PingPhase     = 2 * time.Second
	FallbackPhase = 3 * time.Second
	// ConnectTimeout is how long a TCP connection may stay unanswered
	// before the port is called filtered.
	ConnectTimeout = 3 * time.Second
	// ServiceTimeout bounds a whole service target (connect, TLS, HTTP).
	ServiceTimeout = 6 * time.Second
	// TLSHandshakeTimeout bounds the TLS handshake once connected: a
	// handshake that has not finished by then has stalled, and the
	// confirmation round needs the rest of the budget to find out why.
	TLSHandshakeTimeout = 3 * time.Second
	// DNSTimeout bounds one question to one resolver.
	DNSTimeout = probes.DefaultDNSTimeout
	// PrinterTimeout bounds one printer (SNMP and print ports).
	PrinterTimeout = 3 * time.Second
	// exitMargin is kept free at the end of the budget to build and print
	// the report: the process ends within the budget.
	exitMargin = 150 * time.Millisecond
	// straggler is how long the runner waits past the probes' deadline for
	// a probe that ignores it before it gives up on it. It comes out of the
	// budget: the probes' deadline is this much before the run's.
	straggler = 100 * time.Millisecond
	// perCheckMargin is the extra time kept free per task to judge and
	// render its checks: a run of 1,000 targets needs more than a run of
	// ten to print, and the budget must hold for both.
	perCheckMargin = 400 * time.Microsecond
	// maxRenderMargin bounds that extra time.
	maxRenderMargin = time.Second
)

// Options is everything a run depends on, parsed and validated.
type Options struct {
	// Layers to run; nil or empty means all that have something to test.
	Layers []result.Layer
	// Upstreams are pinged for the internet layer and asked as reference
	// resolvers.
	Upstreams []netip.Addr
	// PingHosts, when set, replace the upstreams of the internet layer
	// (the ping command); names are resolved when the task runs.
	PingHosts []string
	// DNSNames are resolved on every resolver, with every target's host.
	DNSNames []string
	// Targets are the services of the service layer.
	Targets []Target
	// Printers are hosts for the printer layer.
	Printers []string
	Printer  printer.Options
	// Resolvers replaces the system's resolvers when set.
	Resolvers []netip.AddrPort
	// Reference resolvers; nil means the upstreams on port 53.
	Reference []netip.AddrPort
	// NoReference turns the reference comparison off.
	NoReference bool
	// Budget is the whole run's time limit.
	Budget time.Duration
	// Ping settings.
	PingCount    int
	PingInterval time.Duration
	LossWarn     float64
	RTTWarn      time.Duration
	// DNSSlow is the median answer time from which a resolver is slow
	// (0: DefaultDNSSlow).
	DNSSlow time.Duration
	// ExtraCAs are trusted for https targets on top of the system roots.
	ExtraCAs []*x509.Certificate
	// PortalURLs replace DefaultPortalURLs for the captive-portal check of
	// the internet layer; NoPortalCheck skips that check.
	PortalURLs    []probes.PortalURL
	NoPortalCheck bool
	// Proxy is the proxy configuration http(s) targets are tested through
	// (--proxy, or the environment's). Left zero, a run reads the OS's
	// settings (ReadProxy). NoProxy ignores every proxy setting.
	Proxy   probes.ProxySettings
	NoProxy bool
	// Command names the command for the report ("diagnose", "dns", ...).
	Command string
	// Version is the tool version for the report.
	Version string
	// Extra are prepared tasks run next to the planned ones (the checks
	// of a check file); a task whose layer is not selected is left out.
	Extra []Task
	// Expect, when set, rewrites the checks against a check file's
	// expectations before the judge.
	Expect Expecter

	// Progress, when set, is told of every finished task (see Progress),
	// from one goroutine, while the run goes on.
	Progress func(Progress)

	// Seams for tests: nil means the real thing.
	Now        func() time.Time
	ReadSystem func() probes.System
	DetectICMP func() probes.ICMPPermission
	ReadProxy  func(context.Context) probes.ProxySettings
}

// Validate checks what flag parsing cannot: ranges and combinations. The
// error is one line naming the bad value.
func (o *Options) Validate() error {
	if o.Budget != 0 {
		if err := CheckBudget(o.Budget); err != nil {
			return err
		}
	}
	if o.PingCount != 0 {
		if err := CheckCount(o.PingCount); err != nil {
			return err
		}
	}
	if o.PingInterval < 0 {
		return fmt.Errorf("interval %s is negative", o.PingInterval)
	}
	if err := CheckPercent("loss-warn", o.LossWarn); err != nil {
		return err
	}
	if o.RTTWarn < 0 {
		return fmt.Errorf("rtt-warn %s is negative", o.RTTWarn)
	}
	if o.DNSSlow < 0 || o.DNSSlow > time.Minute {
		return fmt.Errorf("dns-slow %s is out of range (0-1m)", o.DNSSlow)
	}
	for _, n := range o.DNSNames {
		if err := CheckDNSName(n); err != nil {
			return err
		}
	}
	for _, p := range o.Printers {
		if err := ValidateHost(p); err != nil {
			return fmt.Errorf("printer %s: %v", input.Quote(p), err)
		}
	}
	if len(o.Printers) > 0 {
		if err := CheckPercent("supply-warn", o.Printer.SupplyWarn); err != nil {
			return err
		}
		if err := o.Printer.Validate(); err != nil {
			return err
		}
	}
	if err := validatePortalURLs(o.PortalURLs); err != nil {
		return err
	}
	if err := o.Proxy.Validate(); err != nil {
		return err
	}
	return o.somethingToTest()
}

// somethingToTest refuses, before anything runs, a selection of layers
// that has nothing to measure: a run that tests nothing must not end in
// "OK". The service and printer layers need targets; the others always
// have something (or a stated reason for nothing).
func (o *Options) somethingToTest() error {
	if len(o.Layers) == 0 {
		return nil
	}
	extra := map[result.Layer]bool{}
	for _, t := range o.Extra {
		extra[t.Layer] = true
	}
	var want []string
	for _, l := range o.Layers {
		switch {
		case extra[l]:
			return nil
		case l == result.Service && len(o.Targets) == 0:
			want = append(want, "the service layer needs --target")
		case l == result.Printer && len(o.Printers) == 0:
			want = append(want, "the printer layer needs --printer")
		default:
			return nil
		}
	}
	return fmt.Errorf("nothing to test: %s", strings.Join(want, ", "))
}

// Limits of the numbers a run takes. The budget bounds every wait; the
// count bounds the echo requests per host.
const (
	MinBudget = 200 * time.Millisecond
	MaxBudget = 10 * time.Minute
	MaxCount  = 1000
)

// CheckBudget accepts a whole-run budget between MinBudget and MaxBudget.
// Zero is refused too: a value the user typed never means "the default".
func CheckBudget(d time.Duration) error {
	switch {
	case d <= 0:
		return fmt.Errorf("timeout %s must be positive", d)
	case d < MinBudget:
		return fmt.Errorf("timeout %s is too short (minimum %s)", d, MinBudget)
	case d > MaxBudget:
		return fmt.Errorf("timeout %s is too long (maximum %s)", d, MaxBudget)
	}
	return nil
}

// CheckCount accepts an echo request count of 1 to MaxCount.
func CheckCount(n int) error {
	if n < 1 || n > MaxCount {
		return fmt.Errorf("count %d is out of range (1-%d)", n, MaxCount)
	}
	return nil
}

// CheckPercent accepts a finite percentage 0–100. NaN fails every
// comparison, so "v < 0 || v > 100" lets it through and nothing would
// ever cross the threshold: the test is written the other way round.
func CheckPercent(name string, v float64) error {
	if !(v >= 0 && v <= 100) {
		return fmt.Errorf("%s %g is out of range (0-100)", name, v)
	}
	return nil
}

// CheckDNSName accepts a host name to resolve (not an address).
func CheckDNSName(n string) error {
	if err := ValidateHost(n); err != nil {
		return fmt.Errorf("dns-name %s: %v", input.Quote(n), err)
	}
	if _, err := netip.ParseAddr(n); err == nil {
		return fmt.Errorf("dns-name %s is an address, not a name", input.Quote(n))
	}
	return nil
}

// withDefaults fills what the user left out.
func (o Options) withDefaults() Options {
	if o.Budget == 0 {
		o.Budget = DefaultBudget
	}
	if o.Upstreams == nil {
		o.Upstreams = DefaultUpstreams
	}
	if o.DNSNames == nil {
		o.DNSNames = []string{DefaultDNSName}
	}
	if o.Reference == nil && !o.NoReference {
		for _, u := range o.Upstreams {
			o.Reference = append(o.Reference, netip.AddrPortFrom(u, 53))
		}
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Command == "" {
		o.Command = "diagnose"
	}
	return o
}

// wants reports whether layer l is selected.
func (o Options) wants(l result.Layer) bool {
	if len(o.Layers) == 0 {
		return true
	}
	for _, x := range o.Layers {
		if x == l {
			return true
		}
	}
	return false
}
