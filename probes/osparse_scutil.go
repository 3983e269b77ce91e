package probes

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"github.com/netprobe/netprobe/internal/sanitize"
)

// scutilResolver is one "resolver #n" block of `scutil --dns`.
type scutilResolver struct {
	Number int  // n of "resolver #n"
	Scoped bool // from the "for scoped queries" section
	// Domain is set for a resolver that serves only that domain (split
	// DNS of a VPN, "local" for mDNS).
	Domain      string
	Nameservers []netip.Addr
	Port        int
	Flags       string
	Options     string
	IfName      string
}

// general reports a resolver that answers any name: no domain of its
// own, not supplemental, not multicast DNS.
func (r scutilResolver) general() bool {
	return r.Domain == "" && !strings.Contains(r.Flags, "Supplemental") && !strings.Contains(r.Options, "mdns")
}

// parseScutilResolvers reads the resolver blocks of `scutil --dns`:
// "resolver #n" lines open a block, indented "key : value" lines fill it
// ("nameserver[0] : 192.0.2.53", "domain : corp.example", "if_index : 6
// (en0)", "flags : Supplemental, Request A records", "port : 5353"). The
// line "DNS configuration (for scoped queries)" starts the scoped section.
func parseScutilResolvers(b []byte) []scutilResolver {
	var out []scutilResolver
	scoped := false
	var cur *scutilResolver
	for line := range textLines(b) {
		t := strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(t, "DNS configuration"):
			scoped = strings.Contains(t, "scoped")
			cur = nil
			continue
		case strings.HasPrefix(t, "resolver #"):
			cur = nil
			if len(out) < maxParsedAdapters {
				n, _ := strconv.Atoi(strings.TrimPrefix(t, "resolver #"))
				out = append(out, scutilResolver{Number: n, Scoped: scoped})
				cur = &out[len(out)-1]
			}
			continue
		case cur == nil:
			continue
		}
		key, value, ok := strings.Cut(t, " : ")
		if !ok {
			continue
		}
		key, value = strings.TrimSpace(key), strings.TrimSpace(value)
		switch {
		case strings.HasPrefix(key, "nameserver["):
			if a, ok := parseAddrValue(value); ok {
				cur.Nameservers = addUnique(cur.Nameservers, a, maxParsedAddrs)
			}
		case key == "domain":
			cur.Domain = sanitize.String(value, maxNameLen)
		case key == "port":
			if p, err := strconv.Atoi(value); err == nil && p > 0 && p < 65536 {
				cur.Port = p
			}
		case key == "flags":
			cur.Flags = value
		case key == "options":
			cur.Options = value
		case key == "if_index":
			// "6 (en0)"
			if i, j := strings.IndexByte(value, '('), strings.LastIndexByte(value, ')'); i >= 0 && j > i {
				cur.IfName = sanitize.String(value[i+1:j], maxNameLen)
			}
		}
	}
	return out
}

// scutilDNSResolvers picks the DNS servers macOS uses for ordinary names:
// the general resolvers of the main section, in order, or of the scoped
// section when the main one has none. Resolvers for one domain only (a
// VPN's split DNS, mDNS) are not asked about other names, so they are not
// tested; the note says how many were left out and for which domains.
func scutilDNSResolvers(b []byte) ([]Resolver, string) {
	all := parseScutilResolvers(b)
	var rs []Resolver
	seen := map[netip.AddrPort]bool{}
	pick := func(scoped bool) {
		for _, r := range all {
			if r.Scoped != scoped || !r.general() {
				continue
			}
			port := 53
			if r.Port != 0 {
				port = r.Port
			}
			for _, a := range r.Nameservers {
				ap := netip.AddrPortFrom(a, uint16(port))
				if seen[ap] || len(rs) >= maxParsedResolvers {
					continue
				}
				seen[ap] = true
				src := fmt.Sprintf("scutil --dns (resolver #%d", r.Number)
				if r.Scoped {
					src = fmt.Sprintf("scutil --dns (scoped resolver #%d", r.Number)
				}
				if r.IfName != "" {
					src += ", " + r.IfName
				}
				rs = append(rs, Resolver{Addr: ap, Source: src + ")"})
			}
		}
	}
	pick(false)
	if len(rs) == 0 {
		pick(true)
	}
	var domains []string
	for _, r := range all {
		if !r.Scoped && r.Domain != "" && len(r.Nameservers) > 0 && !strings.Contains(r.Options, "mdns") {
			domains = append(domains, r.Domain)
		}
	}
	note := ""
	switch n := len(domains); {
	case n == 1:
		note = fmt.Sprintf("1 more resolver serves only its own domain (%s) and is not tested with other names", domains[0])
	case n > 5:
		domains = append(domains[:5], "...")
		fallthrough
	case n > 1:
		note = fmt.Sprintf("%d more resolvers serve only their own domains (%s) and are not tested with other names", n, strings.Join(domains, ", "))
	}
	return rs, note
}
