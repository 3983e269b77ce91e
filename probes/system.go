package probes

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"

	"github.com/netprobe/netprobe/internal/input"
)

// Interface is one network interface as the OS reports it.
type Interface struct {
	Name  string `json:"name"`
	Index int    `json:"index"`
	MAC   string `json:"mac,omitempty"`
	MTU   int    `json:"mtu"`
	// Kind is the driver kind where the OS tells it ("veth", "wireguard",
	// "bridge", "ether", "wireless", "tun", ...); "" when unknown.
	Kind string `json:"kind,omitempty"`
	// AdminUp is the administrative state (IFF_UP).
	AdminUp bool `json:"admin_up"`
	// Running is IFF_RUNNING: the link has carrier and is usable.
	Running bool `json:"running"`
	// OperState is the RFC 2863 state where known ("up", "down",
	// "dormant", "lowerlayerdown", "unknown").
	OperState string         `json:"oper_state,omitempty"`
	Loopback  bool           `json:"loopback"`
	Addrs     []netip.Prefix `json:"addrs"`
}

// Usable reports whether the interface can carry traffic now.
func (i Interface) Usable() bool { return i.AdminUp && i.Running && !i.Loopback }

// Route is one default route.
type Route struct {
	// Family is 4 or 6.
	Family    int        `json:"family"`
	Gateway   netip.Addr `json:"gateway"`
	Interface string     `json:"interface"`
	Metric    int        `json:"metric"`
}

// Resolver is one DNS server the system uses.
type Resolver struct {
	Addr netip.AddrPort `json:"addr"`
	// Source says where it came from ("/etc/resolv.conf", "systemd-resolved", "--resolver").
	Source string `json:"source"`
}

// System is a snapshot of the local network configuration: everything the
// link, address and gateway layers judge, read once at the start of a run.
type System struct {
	Interfaces    []Interface `json:"interfaces"`
	DefaultRoutes []Route     `json:"default_routes"`
	Resolvers     []Resolver  `json:"resolvers"`
	// Hosts are the names the hosts file resolves without DNS (lower case,
	// no trailing dot).
	Hosts map[string][]netip.Addr `json:"hosts,omitempty"`
	// ResolverNote explains the resolver configuration when it is unusual
	// (a local stub such as systemd-resolved, a missing file).
	ResolverNote string `json:"resolver_note,omitempty"`
	// Errors lists what could not be read, so "none found" and "could not
	// look" stay different.
	Errors []string `json:"errors,omitempty"`
}

// ReadSystem reads interfaces, default routes and resolvers from the OS.
// It is fast (local reads only) and honours ctx where the OS call can block.
func ReadSystem(ctx context.Context) System {
	var s System
	var err error
	if s.Interfaces, err = readInterfaces(); err != nil {
		s.Errors = append(s.Errors, "interfaces: "+err.Error())
	}
	if s.DefaultRoutes, err = readDefaultRoutes(ctx); err != nil {
		s.Errors = append(s.Errors, "routes: "+err.Error())
	}
	if s.Resolvers, s.ResolverNote, err = readResolvers(ctx); err != nil {
		s.Errors = append(s.Errors, "resolvers: "+err.Error())
	}
	s.Hosts = readHostsFile(hostsPath())
	sort.SliceStable(s.DefaultRoutes, func(i, j int) bool {
		a, b := s.DefaultRoutes[i], s.DefaultRoutes[j]
		if a.Family != b.Family {
			return a.Family < b.Family
		}
		return a.Metric < b.Metric
	})
	return s
}

// Gateways returns the distinct default gateways, IPv4 first. Link-local
// IPv6 gateways carry their interface as the zone so they can be pinged.
func (s System) Gateways() []netip.Addr {
	var out []netip.Addr
	seen := map[netip.Addr]bool{}
	for _, r := range s.DefaultRoutes {
		g := r.Gateway
		if !g.IsValid() || g.IsUnspecified() {
			continue
		}
		if g.Is6() && g.IsLinkLocalUnicast() && g.Zone() == "" {
			g = g.WithZone(r.Interface)
		}
		if !seen[g] {
			seen[g] = true
			out = append(out, g)
		}
	}
	// ReadSystem sorts its routes, but a snapshot may be built or loaded
	// by hand: keep the promise of IPv4 first here.
	sort.SliceStable(out, func(i, j int) bool { return out[i].Is4() && !out[j].Is4() })
	return out
}

// ParseHosts reads a hosts file: "address name [alias...]" lines, comments
// after "#". Names are lower-cased, without a trailing dot.
func ParseHosts(r io.Reader) map[string][]netip.Addr {
	out := map[string][]netip.Addr{}
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line, _, _ := strings.Cut(sc.Text(), "#")
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		a, err := netip.ParseAddr(f[0])
		if err != nil {
			continue
		}
		for _, n := range f[1:] {
			n = strings.TrimSuffix(strings.ToLower(n), ".")
			out[n] = append(out[n], a.Unmap())
		}
	}
	return out
}

func readHostsFile(path string) map[string][]netip.Addr {
	b, _, err := input.ReadFile(path, input.MaxSystem)
	if err != nil {
		return nil
	}
	return ParseHosts(bytes.NewReader(b))
}

// hostsPath is the hosts file of this OS.
func hostsPath() string {
	if runtime.GOOS == "windows" {
		root := os.Getenv("SystemRoot")
		if root == "" {
			root = `C:\Windows`
		}
		return filepath.Join(root, "System32", "drivers", "etc", "hosts")
	}
	return "/etc/hosts"
}
