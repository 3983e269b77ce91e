//go:build linux

package e2e

import (
	"errors"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vishvananda/netns"

	"github.com/netprobe/netprobe/internal/testproxy"
)

// Lab addresses. Only 10.77.0.0/16, 198.18.0.0/15 (benchmarking range) and
// fd00:77::/48 are used, and only inside the lab's namespaces: none of them
// is routed to the host, so nothing the lab sends can leave the machine.
const (
	clientV4 = "10.77.1.10"
	clientV6 = "fd00:77:0:1::10"

	gwV4 = "10.77.1.1" // router, LAN side: the client's default gateway
	gwV6 = "fd00:77:0:1::1"

	printerV4 = "10.77.1.20"
	printerV6 = "fd00:77:0:1::20"

	routerUpV4   = "198.18.0.1" // router, ISP side: hop 1 of every path to the internet
	routerUpV6   = "fd00:77:0:2::1"
	ispDownV4    = "198.18.0.2" // ISP router, client side: hop 2, the address a trace shows
	ispDownV6    = "fd00:77:0:2::2"
	ispUpV4      = "198.18.2.1" // ISP router, upstream side
	ispUpV6      = "fd00:77:0:4::1"
	upstreamV4   = "198.18.2.2" // the "internet" side of the ISP's transit link
	upstreamV6   = "fd00:77:0:4::2"
	anycastV4    = "198.18.1.1" // stands in for 1.1.1.1: answers ICMP, DNS, 80/443
	anycastV6    = "fd00:77:0:3::1"
	resolverAV4  = "198.18.1.53"     // first system resolver (resolv.conf)
	resolverBV6  = "fd00:77:0:3::53" // second system resolver (resolv.conf)
	svcV4        = "198.18.1.80"     // svc/www/mail/expired/big/broken.lab.test
	svcV6        = "fd00:77:0:3::80"
	staleV4      = "198.18.1.99" // a retired server: configured, nothing listens (TCP RST)
	staleV6      = "fd00:77:0:3::99"
	proxyV4      = "198.18.1.3" // the office web proxy (HTTP CONNECT), port proxyPort
	proxyPort    = "3128"
	portalPort   = "8080"        // the captive portal's login server on the router
	linkLocalV4  = "169.254.7.7" // the "DHCP gave up" address of one scenario
	labDomain    = "lab.test"
	routerTunDev = "tun0"
	delayTable   = "100" // router policy-routing table that leads into the delay relay
)

// labPrefixes are the only networks the harness lets netprobe aim at.
var labPrefixes = []netip.Prefix{
	netip.MustParsePrefix("10.77.0.0/16"),
	netip.MustParsePrefix("198.18.0.0/15"),
	netip.MustParsePrefix("fd00:77::/48"),
}

// inLab reports whether addr is a lab address.
func inLab(addr netip.Addr) bool {
	addr = addr.Unmap()
	for _, p := range labPrefixes {
		if p.Contains(addr) {
			return true
		}
	}
	return false
}

// lab is the running fault lab: namespaces, in-process servers, the delay
// relay and the SNMP agent. Scenarios share it; reset returns it to the
// healthy baseline before each one.
type lab struct {
	t       testing.TB
	dir     string // world-readable: binary, CA, recordings (netprobe may run as nobody)
	handles map[string]netns.NsHandle

	caFile string
	certs  *labCerts

	dns    map[string]*dnsListener // by listen IP
	svcs   []*tcpService           // every TCP listener, for restart on reset
	svc443 []*tcpService           // svc.lab.test:443, closed by one scenario
	relay  *delayRelay
	snmp   *snmpAgent
	proxy  *testproxy.Proxy

	nftDirty map[string]bool // namespaces a fault gave an nftables ruleset
	delayOn  bool            // the latency fault's policy rules are in place
	// icmpLimits are the kernel's ICMP error rate limits as key=value,
	// read when the lab is built; reset writes them back.
	icmpLimits []string
	cleanup    []func()
}

// topology returns, per namespace, the iproute2 commands that build the lab
// from empty namespaces. Veths are created from one end straight into the
// peer namespace, so no interface ever appears in the host namespace.
func topology() map[string][]string {
	return map[string][]string{
		nsLAN: {
			"link set lo up",
			"link add br0 type bridge mcast_snooping 0",
			"link set br0 up",
		},
		nsClient: {
			"link set lo up",
			"link add c0 type veth peer name sw-c netns " + nsLAN,
		},
		nsPrinter: {
			"link set lo up",
			"link add p0 type veth peer name sw-p netns " + nsLAN,
		},
		nsDup: {
			"link set lo up",
			"link add d0 type veth peer name sw-d netns " + nsLAN,
		},
		nsRouter: {
			"link set lo up",
			"link add r-lan type veth peer name sw-r netns " + nsLAN,
			"link add r-up type veth peer name i-down netns " + nsISP,
		},
		nsISP: {
			"link set lo up",
			"link add i-up type veth peer name u0 netns " + nsUpstream,
		},
		nsUpstream: {
			"link set lo up",
		},
	}
}

// baseline returns, per namespace, the idempotent commands that put every
// link, address and route back to the healthy state. Faults only ever take
// things away (links down, addresses, routes, rules), so "set up / replace /
// delete the fault's extra bits" undoes any of them. IPv6 addresses are
// added with nodad because duplicate address detection would keep them
// "tentative" (unusable) for a second after every reset.
func baseline() map[string][]string {
	return map[string][]string{
		nsLAN: {
			"link set br0 up",
			"link set sw-c master br0", "link set sw-c up",
			"link set sw-r master br0", "link set sw-r up",
			"link set sw-p master br0", "link set sw-p up",
			// The duplicate's switch port is off unless a fault turns it on.
			"link set sw-d master br0", "link set sw-d down",
		},
		nsDup: {
			"link set d0 down",
			"addr flush dev d0",
		},
		nsClient: {
			"link set c0 up",
			"addr del " + linkLocalV4 + "/16 dev c0",
			"addr replace " + clientV4 + "/24 dev c0",
			"addr replace " + clientV6 + "/64 dev c0 nodad",
			"route replace default via " + gwV4 + " dev c0",
			"route replace default via " + gwV6 + " dev c0",
			"neigh flush dev c0",
		},
		nsPrinter: {
			"link set p0 up",
			"addr replace " + printerV4 + "/24 dev p0",
			"addr replace " + printerV6 + "/64 dev p0 nodad",
			"route replace default via " + gwV4 + " dev p0",
			"route replace default via " + gwV6 + " dev p0",
			"neigh flush dev p0",
		},
		nsRouter: {
			"link set r-lan up",
			// The MTU black-hole fault lowers the MTU of the router–ISP
			// link (both ends); "replace" cannot undo that, so set it.
			"link set r-up mtu 1500 up",
			"addr replace " + gwV4 + "/24 dev r-lan",
			"addr replace " + gwV6 + "/64 dev r-lan nodad",
			"addr replace " + routerUpV4 + "/24 dev r-up",
			"addr replace " + routerUpV6 + "/64 dev r-up nodad",
			"route replace 198.18.1.0/24 via " + ispDownV4 + " dev r-up",
			"route replace fd00:77:0:3::/64 via " + ispDownV6 + " dev r-up",
			// A real router's default points at its ISP; the ISP's points
			// at the upstream namespace, which has no default route, so a
			// stray packet to any non-lab address dies there.
			"route replace default via " + ispDownV4 + " dev r-up",
			"route replace default via " + ispDownV6 + " dev r-up",
			"neigh flush dev r-lan",
		},
		nsISP: {
			"link set i-down mtu 1500 up",
			"link set i-up up",
			"addr replace " + ispDownV4 + "/24 dev i-down",
			"addr replace " + ispDownV6 + "/64 dev i-down nodad",
			"addr replace " + ispUpV4 + "/24 dev i-up",
			"addr replace " + ispUpV6 + "/64 dev i-up nodad",
			"route replace 10.77.0.0/16 via " + routerUpV4 + " dev i-down",
			"route replace fd00:77:0:1::/64 via " + routerUpV6 + " dev i-down",
			"route replace 198.18.1.0/24 via " + upstreamV4 + " dev i-up",
			"route replace fd00:77:0:3::/64 via " + upstreamV6 + " dev i-up",
			"route replace default via " + upstreamV4 + " dev i-up",
			"route replace default via " + upstreamV6 + " dev i-up",
		},
		nsUpstream: {
			"link set u0 up",
			"addr replace " + upstreamV4 + "/24 dev u0",
			"addr replace " + upstreamV6 + "/64 dev u0 nodad",
			"addr replace " + anycastV4 + "/32 dev lo",
			"addr replace " + resolverAV4 + "/32 dev lo",
			"addr replace " + svcV4 + "/32 dev lo",
			"addr replace " + staleV4 + "/32 dev lo",
			"addr replace " + proxyV4 + "/32 dev lo",
			// nodad on lo too: a new IPv6 address stays tentative until the
			// kernel's DAD work item runs, even on loopback, and on a
			// loaded machine a server binding it first gets EADDRNOTAVAIL.
			"addr replace " + anycastV6 + "/128 dev lo nodad",
			"addr replace " + resolverBV6 + "/128 dev lo nodad",
			"addr replace " + svcV6 + "/128 dev lo nodad",
			"addr replace " + staleV6 + "/128 dev lo nodad",
			// Back to the LAN and to the router–ISP link (a trace's
			// hop 1 and 2 addresses) through the ISP.
			"route replace 10.77.0.0/16 via " + ispUpV4 + " dev u0",
			"route replace fd00:77:0:1::/64 via " + ispUpV6 + " dev u0",
			"route replace 198.18.0.0/24 via " + ispUpV4 + " dev u0",
			"route replace fd00:77:0:2::/64 via " + ispUpV6 + " dev u0",
		},
	}
}

// sysctls are the per-namespace kernel settings of the healthy lab. They
// are applied before the interfaces exist, so "default" settings reach them.
// icmpLimits are the kernel's ICMP error rate limits (see icmpLimitKeys).
func sysctls(icmpLimits []string) map[string][]string {
	m := map[string][]string{
		nsLAN: {"net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1"},
		nsRouter: {
			"net.ipv4.ip_forward=1",
			"net.ipv6.conf.all.forwarding=1",
			// Packets leaving the delay relay arrive on tun0 with a source
			// that routes out of r-up; strict reverse-path filtering would
			// drop them.
			"net.ipv4.conf.all.rp_filter=0",
			"net.ipv4.conf.default.rp_filter=0",
		},
		nsISP: {
			"net.ipv4.ip_forward=1",
			"net.ipv6.conf.all.forwarding=1",
		},
		// The kernel default for a new namespace, set explicitly: the
		// unprivileged scenario relies on "nobody may open ICMP sockets".
		nsClient:  {"net.ipv4.ping_group_range=1 0", "net.ipv6.conf.all.keep_addr_on_down=1"},
		nsPrinter: {"net.ipv6.conf.all.keep_addr_on_down=1"},
	}
	for _, ns := range labNamespaces {
		if ns == nsLAN {
			continue
		}
		// No duplicate address detection anywhere: until DAD finishes, an
		// interface's link-local address is tentative, and a router with
		// no usable link-local address sends no neighbour solicitations,
		// so for the first second or two it forwards no IPv6 at all.
		m[ns] = append(m[ns], "net.ipv6.conf.default.accept_dad=0", "net.ipv6.conf.all.accept_dad=0")
	}
	// The kernel's ICMP error rate limits, written back on every reset
	// because the loss_from_hop2 scenario lifts them (icmpUnlimited).
	for _, ns := range []string{nsRouter, nsISP, nsUpstream} {
		m[ns] = append(m[ns], icmpLimits...)
	}
	return m
}

// icmpLimitKeys are the per-destination ICMP error rate limits (v4: a
// burst of 6, then one per icmp_ratelimit ms; v6 likewise). Their defaults
// differ between kernels (IPv6: 1000 ms on older ones, 100 ms on newer), so
// the lab reads them from a fresh namespace instead of assuming them.
var icmpLimitKeys = []string{"net.ipv4.icmp_ratelimit", "net.ipv6.icmp.ratelimit"}

// icmpUnlimited lifts the ICMP error rate limits: every error is sent.
var icmpUnlimited = []string{"net.ipv4.icmp_ratelimit=0", "net.ipv6.icmp.ratelimit=0"}

// readICMPLimits reads the kernel's defaults from a lab namespace that no
// fault has touched yet.
func (l *lab) readICMPLimits(ns string) ([]string, error) {
	var kv []string
	for _, k := range icmpLimitKeys {
		v, err := l.readSysctl(ns, k)
		if err != nil {
			return nil, err
		}
		kv = append(kv, k+"="+v)
	}
	return kv, nil
}

// resolvConf is the client's system resolver configuration: two resolvers,
// one per address family, so "one of two resolvers dead" is a real case.
const resolvConf = "# netprobe fault lab\nnameserver " + resolverAV4 + "\nnameserver " + resolverBV6 + "\n"

// newLab builds the whole lab and registers its teardown with t.Cleanup.
func newLab(t *testing.T) *lab {
	t.Helper()
	l := &lab{t: t, handles: map[string]netns.NsHandle{}, dns: map[string]*dnsListener{}, nftDirty: map[string]bool{}}
	t.Cleanup(l.close)

	if err := removeLeftovers(); err != nil {
		t.Fatalf("removing leftovers of an earlier run: %v", err)
	}
	dir, err := os.MkdirTemp("", labDirPattern)
	if err != nil {
		t.Fatal(err)
	}
	l.addCleanup(func() { os.RemoveAll(dir) })
	// netprobe runs as nobody in one scenario and snmpsimd drops to nobody:
	// both need to reach files in here.
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	l.dir = dir
	for _, ns := range labNamespaces {
		if _, err := sh("", "ip", "netns", "add", ns); err != nil {
			t.Fatal(err)
		}
		ns := ns
		l.addCleanup(func() {
			killNSProcesses(ns)
			if _, err := sh("", "ip", "netns", "del", ns); err != nil {
				t.Logf("cleanup: %v", err)
			}
		})
	}
	l.addCleanup(func() { os.RemoveAll(filepath.Join("/etc/netns", nsClient)) })

	for _, ns := range labNamespaces {
		h, err := netns.GetFromName(ns)
		if err != nil {
			t.Fatalf("opening %s: %v", ns, err)
		}
		l.handles[ns] = h
		// Handles pin the namespace: close them before "ip netns del" runs
		// (cleanups run last-registered first).
		l.addCleanup(func() { h.Close() })
	}
	if l.icmpLimits, err = l.readICMPLimits(nsUpstream); err != nil {
		t.Fatal(err)
	}
	for ns, kv := range sysctls(l.icmpLimits) {
		if err := l.sysctl(ns, kv...); err != nil {
			t.Fatal(err)
		}
	}
	topo := topology()
	for _, ns := range labNamespaces {
		if err := ipBatch(ns, false, "", topo[ns]...); err != nil {
			t.Fatalf("building %s: %v", ns, err)
		}
	}
	if err := os.MkdirAll(filepath.Join("/etc/netns", nsClient), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join("/etc/netns", nsClient, "resolv.conf"), []byte(resolvConf), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := l.applyBaseline(); err != nil {
		t.Fatal(err)
	}

	if err := l.startServers(); err != nil {
		t.Fatal(err)
	}
	return l
}

func (l *lab) addCleanup(f func()) { l.cleanup = append(l.cleanup, f) }

// close tears the lab down in reverse order of construction.
func (l *lab) close() {
	for i := len(l.cleanup) - 1; i >= 0; i-- {
		l.cleanup[i]()
	}
	l.cleanup = nil
}

// applyBaseline puts links, addresses, routes, sysctls and firewalls back to
// the healthy state. It does not touch servers (see reset). Links,
// addresses and routes are always re-applied (one `ip -batch` per
// namespace); firewalls and policy rules only where a fault put some, since
// every extra process costs real time on a loaded two-core machine.
func (l *lab) applyBaseline() error {
	var errs []error
	for ns, lines := range baseline() {
		if err := ipBatch(ns, true, "", lines...); err != nil {
			errs = append(errs, err)
		}
	}
	if l.delayOn {
		// The delay relay's policy rules are the one thing a fault adds
		// that "replace" cannot undo; rules are per family.
		for _, fam := range []string{"-4", "-6"} {
			_ = ipBatch(nsRouter, true, fam, "rule del iif r-up lookup "+delayTable)
		}
		l.delayOn = false
	}
	for ns := range l.nftDirty {
		if err := nftApply(ns, ""); err != nil {
			errs = append(errs, err)
			continue
		}
		delete(l.nftDirty, ns)
	}
	for ns, kv := range sysctls(l.icmpLimits) {
		if err := l.sysctl(ns, kv...); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// sysctl writes net.* settings of one lab namespace from a thread inside
// it: /proc/sys/net shows the namespace of the thread that opens it, so no
// `ip netns exec sysctl` process is needed.
func (l *lab) sysctl(ns string, kv ...string) error {
	return withNS(l.ns(ns), func() error {
		for _, s := range kv {
			k, v, ok := strings.Cut(s, "=")
			if !ok {
				return fmt.Errorf("sysctl %q: want key=value", s)
			}
			path := "/proc/sys/" + strings.ReplaceAll(k, ".", "/")
			if err := os.WriteFile(path, []byte(v+"\n"), 0); err != nil {
				return fmt.Errorf("%s: sysctl %s: %w", ns, s, err)
			}
		}
		return nil
	})
}

// readSysctl reads one setting inside a lab namespace.
func (l *lab) readSysctl(ns, key string) (string, error) {
	var out []byte
	err := withNS(l.ns(ns), func() (err error) {
		out, err = os.ReadFile("/proc/sys/" + strings.ReplaceAll(key, ".", "/"))
		return err
	})
	return strings.TrimSpace(string(out)), err
}

// reset returns the whole lab to healthy: network state plus every server
// running in its normal mode. Scenarios call it first, so a scenario that
// failed half-way can never poison the next one.
func (l *lab) reset() error {
	if err := l.applyBaseline(); err != nil {
		return err
	}
	for _, d := range l.dns {
		d.setMode(dnsNormal)
		if err := d.start(); err != nil {
			return err
		}
	}
	for _, s := range l.svcs {
		if err := s.start(); err != nil {
			return err
		}
	}
	if l.snmp != nil {
		if err := l.snmp.ensureRunning(); err != nil {
			return err
		}
	}
	// The batches above run with -force, so their errors are not seen:
	// prove the healthy paths instead, allowing neighbour discovery a
	// moment after links came back up.
	var err error
	for deadline := time.Now().Add(3 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if err = l.quickHealth(); err == nil {
			return nil
		}
	}
	return fmt.Errorf("lab not healthy after reset: %w", err)
}

// quickHealth is a millisecond-scale check of every path the scenarios
// rely on: client → gateway → internet over both families, the client's
// resolvers, and the printer's port on the LAN.
func (l *lab) quickHealth() error {
	c := l.ns(nsClient)
	for _, addr := range []string{
		"[" + svcV4 + "]:443", "[" + svcV6 + "]:443", "[" + anycastV4 + "]:443", "[" + anycastV6 + "]:443",
		"[" + printerV4 + "]:9100", "[" + printerV6 + "]:9100",
	} {
		if st := tcpState(c, addr, 300*time.Millisecond); st != "open" {
			return fmt.Errorf("tcp %s: %s", addr, st)
		}
	}
	for _, srv := range []string{resolverAV4, resolverBV6} {
		// The right answer, not only an answer: no "stale" mode left over.
		if rc, addrs := dnsAnswer(c, srv, "www.lab.test", 1, 300*time.Millisecond); rc != "NOERROR" || len(addrs) != 1 || addrs[0] != svcV4 {
			return fmt.Errorf("dns @%s: %s %v, want NOERROR [%s]", srv, rc, addrs, svcV4)
		}
	}
	// A full-size packet crosses both router hops and comes back: no MTU
	// fault is left over (the checks above only send small packets).
	for _, dst := range []string{svcV4, svcV6} {
		p, err := pingWith(c, dst, 1, 0, 300*time.Millisecond, pingOpts{size: 1500, df: true})
		if err != nil || p.received != 1 {
			return fmt.Errorf("1500-byte ping %s: %v %v", dst, p, err)
		}
	}
	return nil
}

// ns returns the handle of a lab namespace.
func (l *lab) ns(name string) netns.NsHandle {
	h, ok := l.handles[name]
	if !ok {
		panic(fmt.Sprintf("unknown namespace %q", name))
	}
	return h
}

// ip runs one iproute2 command in a namespace and fails the test on error;
// faults use it.
func (l *lab) ip(t *testing.T, ns string, args ...string) {
	t.Helper()
	if _, err := sh("", "ip", append([]string{"-n", ns}, args...)...); err != nil {
		t.Fatal(err)
	}
}

// nft installs a fault ruleset in a namespace.
func (l *lab) nft(t *testing.T, ns string, rules ...string) {
	t.Helper()
	l.nftDirty[ns] = true
	if err := nftApply(ns, strings.Join(rules, "\n")+"\n"); err != nil {
		t.Fatal(err)
	}
}

// enableDelay sends traffic returning from the internet through the
// router's delay relay (see delayRelay), for both address families.
func (l *lab) enableDelay(t *testing.T) {
	t.Helper()
	l.delayOn = true
	for _, fam := range []string{"-4", "-6"} {
		l.ip(t, nsRouter, fam, "rule", "add", "iif", "r-up", "lookup", delayTable, "pref", "100")
	}
}
