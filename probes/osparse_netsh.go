package probes

import (
	"net/netip"
	"strconv"
	"strings"

	"github.com/netprobe/netprobe/internal/sanitize"
)

// netshInterface is one block of `netsh interface ip show config` (IPv4
// only: netsh's "ip" context is "ipv4").
type netshInterface struct {
	Name     string
	Addrs    []netip.Addr
	Gateways []netip.Addr
	// GatewayMetric and InterfaceMetric add up to the default route's
	// metric; -1 when not printed.
	GatewayMetric, InterfaceMetric int
	DNS                            []netip.Addr
}

// parseNetshConfig reads `netsh interface ip show config`: blocks titled
// by an unindented line holding the interface name in double quotes
// (`Configuration for interface "Ethernet"`, `Konfiguration für
// Schnittstelle "Ethernet"`), then indented "Label:   value" lines whose
// values may go on over indented lines without a label (several DNS
// servers). Labels are classified in English and German; the name in
// quotes needs no language.
func parseNetshConfig(b []byte) []netshInterface {
	var out []netshInterface
	var cur *netshInterface
	field := ""
	for line := range textLines(b) {
		if line == "" {
			continue
		}
		if line[0] != ' ' && line[0] != '\t' {
			cur, field = nil, ""
			i := strings.IndexByte(line, '"')
			j := strings.LastIndexByte(line, '"')
			if i < 0 || j <= i || len(out) >= maxParsedAdapters {
				continue
			}
			out = append(out, netshInterface{Name: sanitize.String(line[i+1:j], maxNameLen), GatewayMetric: -1, InterfaceMetric: -1})
			cur = &out[len(out)-1]
			continue
		}
		if cur == nil {
			continue
		}
		value := strings.TrimSpace(line)
		// An IPv4 value never holds a colon: a line with one has a label,
		// a line without one goes on with the last label's values.
		if label, v, ok := strings.Cut(value, ":"); ok {
			field, value = netshField(label), strings.TrimSpace(v)
		}
		switch field {
		case "addr":
			if a, ok := parseAddrValue(value); ok {
				cur.Addrs = addUnique(cur.Addrs, a, maxParsedAddrs)
			}
		case "gateway":
			if a, ok := parseAddrValue(value); ok && !a.IsUnspecified() {
				cur.Gateways = addUnique(cur.Gateways, a, maxParsedAddrs)
			}
		case "gwmetric":
			if n, err := strconv.Atoi(value); err == nil && n >= 0 {
				cur.GatewayMetric = n
			}
		case "ifmetric":
			if n, err := strconv.Atoi(value); err == nil && n >= 0 {
				cur.InterfaceMetric = n
			}
		case "dns":
			if a, ok := parseAddrValue(value); ok && !windowsPlaceholderDNS(a) {
				cur.DNS = addUnique(cur.DNS, a, maxParsedAddrs)
			}
		}
	}
	return out
}

// netshField classifies a label of `netsh interface ip show config`.
func netshField(label string) string {
	k := labelKey(label)
	switch {
	case containsAny(k, "metric", "metrik") && containsAny(k, "gateway"):
		return "gwmetric"
	case containsAny(k, "metric", "metrik"):
		return "ifmetric"
	case containsAny(k, "gateway"):
		return "gateway"
	case containsAny(k, "dns"):
		return "dns"
	case k == "ipaddress" || k == "ipadresse":
		return "addr"
	}
	return ""
}
