package probes

import (
	"net/netip"
	"strings"

	"github.com/netprobe/netprobe/internal/sanitize"
)

// ipconfigAdapter is one adapter block of Windows' `ipconfig /all`.
type ipconfigAdapter struct {
	// Header is the block's title without its colon ("Ethernet adapter
	// Ethernet", "Drahtlos-LAN-Adapter WLAN").
	Header string
	// Name is the adapter's name, the part of the title after "adapter"
	// in English and German output; the whole title in other languages.
	Name string
	Desc string
	MAC  string
	// Disconnected is set when the block has a media state line: ipconfig
	// prints one only for an adapter whose medium is disconnected.
	Disconnected bool
	Addrs        []netip.Addr
	Gateways     []netip.Addr
	DNS          []netip.Addr
}

// ipconfigField classifies a label of `ipconfig /all` in the languages
// whose output netprobe has seen or whose labels are documented: English,
// German, French and Spanish. Another language's labels are not
// recognised, so its gateways and DNS servers are not found (the live
// reader uses GetAdaptersAddresses, which has no words; this text is the
// fallback).
func ipconfigField(label string) string {
	k := labelKey(label)
	switch {
	case containsAny(k, "gateway", "passerelle", "puertadeenlace"):
		return "gateway"
	case containsAny(k, "dns", "dnsserver") && containsAny(k, "server", "serveur", "servidor"):
		return "dns"
	case k == "description" || k == "beschreibung" || k == "descripcin":
		return "desc"
	case k == "physicaladdress" || k == "physischeadresse" || k == "adressephysique" || k == "direccinfsica":
		return "mac"
	case k == "mediastate" || k == "medienstatus" || k == "statutdumdia" || k == "estadodelosmedios":
		return "media"
	case containsAny(k, "ipv4", "ipv6") && !containsAny(k, "dhcp", "netbios", "tunnel"):
		return "addr"
	}
	return ""
}

// parseIpconfig reads `ipconfig` or `ipconfig /all` output: adapter blocks
// titled by an unindented line ending in ':', then indented
// "Label . . . . : value" lines, where a value may go on over indented
// lines without a label (several gateways, several DNS servers).
func parseIpconfig(b []byte) []ipconfigAdapter {
	var out []ipconfigAdapter
	var cur *ipconfigAdapter
	field := ""
	for line := range textLines(b) {
		if line == "" {
			continue
		}
		if line[0] != ' ' && line[0] != '\t' {
			field = ""
			cur = nil
			h := strings.TrimSpace(line)
			if !strings.HasSuffix(h, ":") || len(out) >= maxParsedAdapters {
				continue // "Windows IP Configuration", or too many
			}
			h = strings.TrimSpace(strings.TrimSuffix(h, ":"))
			out = append(out, ipconfigAdapter{Header: sanitize.String(h, maxNameLen), Name: sanitize.String(adapterName(h), maxNameLen)})
			cur = &out[len(out)-1]
			continue
		}
		if cur == nil {
			continue // the host-wide part before the first adapter
		}
		value := ""
		if label, v, ok := cutLabel(line); ok {
			field = ipconfigField(label)
			value = v
		} else {
			value = strings.TrimSpace(line) // a continuation line
		}
		switch field {
		case "desc":
			if cur.Desc == "" {
				cur.Desc = sanitize.String(value, maxNameLen)
			}
		case "mac":
			if mac, ok := hexPairs(value); ok {
				cur.MAC = mac
			}
		case "media":
			cur.Disconnected = true
		case "addr":
			if a, ok := parseAddrValue(value); ok {
				cur.Addrs = addUnique(cur.Addrs, a, maxParsedAddrs)
			}
		case "gateway":
			if a, ok := parseAddrValue(value); ok && !a.IsUnspecified() {
				cur.Gateways = addUnique(cur.Gateways, a, maxParsedAddrs)
			}
		case "dns":
			if a, ok := parseAddrValue(value); ok && !windowsPlaceholderDNS(a) {
				cur.DNS = addUnique(cur.DNS, a, maxParsedAddrs)
			}
		}
	}
	return out
}

// cutLabel splits "   Default Gateway . . . . . . : 192.0.2.1" into its
// label and value. The separator is the first colon that follows a blank
// or a dot leader ("Label . : value", "Libellé. . .: valeur"): a colon in
// a value (IPv6, a time of day) follows a digit, a letter or another
// colon, and a label's own colon ("Vínculo: dirección IPv6 local . :")
// comes before the leader. A label that fills its column has neither
// ("Verbindungsspezifisches DNS-Suffix: fritz.box"): then a colon after
// a letter and before a blank or the end of the line separates.
func cutLabel(line string) (label, value string, ok bool) {
	sep := -1
	for i := 1; i < len(line) && sep < 0; i++ {
		if line[i] == ':' && (line[i-1] == ' ' || line[i-1] == '.') {
			sep = i
		}
	}
	for i := 1; i < len(line) && sep < 0; i++ {
		c := line[i-1] | 0x20
		if line[i] == ':' && c >= 'a' && c <= 'z' && (i+1 == len(line) || line[i+1] == ' ') {
			sep = i
		}
	}
	if sep < 0 {
		return "", "", false
	}
	label = strings.TrimSpace(strings.TrimRight(line[:sep], ". "))
	if label == "" {
		return "", "", false
	}
	return label, strings.TrimSpace(line[sep+1:]), true
}

// adapterName takes the adapter's own name out of a block title: English
// "Ethernet adapter Ethernet 2", German "Ethernet-Adapter Ethernet 2",
// "Drahtlos-LAN-Adapter WLAN". Other languages put the type words around
// the name in ways that cannot be undone without a dictionary; their title
// stays whole.
func adapterName(h string) string {
	for _, sep := range []string{" adapter ", "-Adapter ", " Adapter "} {
		if i := strings.Index(h, sep); i >= 0 && i+len(sep) < len(h) {
			return strings.TrimSpace(h[i+len(sep):])
		}
	}
	return h
}
