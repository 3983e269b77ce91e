package diagnose

import (
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"strings"

	"github.com/netprobe/netprobe/internal/input"
	"github.com/netprobe/netprobe/probes"
)

// Target is one service to check, parsed from the command line or config.
type Target struct {
	// Raw is what the user wrote.
	Raw string `json:"raw" yaml:"-"`
	// Scheme is "tcp", "udp", "http" or "https".
	Scheme string `json:"scheme"`
	Host   string `json:"host"`
	Port   int    `json:"port"`
	// URL is set for http and https targets.
	URL *url.URL `json:"-"`
}

// String returns the target in its canonical form.
func (t Target) String() string {
	if t.URL != nil {
		return t.URL.String()
	}
	return t.Scheme + "://" + net.JoinHostPort(t.Host, strconv.Itoa(t.Port))
}

// IsName reports whether the host is a name (to be resolved) rather than
// an IP address.
func (t Target) IsName() bool {
	_, err := netip.ParseAddr(t.Host)
	return err != nil
}

// ParseTarget parses HOST:PORT, tcp://HOST:PORT, udp://HOST:PORT,
// http://HOST[:PORT][/PATH] or https://HOST[:PORT][/PATH]. The error names
// the bad value in one line, bounded (input.Quote), and never with the
// user name or password of a URL that carries credentials.
func ParseTarget(s string) (Target, error) {
	raw := s
	shown := input.Quote(withoutCredentials(raw))
	s = strings.TrimSpace(s)
	if s == "" {
		return Target{}, fmt.Errorf("empty target")
	}
	scheme := "tcp"
	if i := strings.Index(s, "://"); i >= 0 {
		scheme = strings.ToLower(s[:i])
		switch scheme {
		case "tcp", "udp":
			s = s[i+3:]
			if j := strings.IndexAny(s, "/?#"); j >= 0 {
				return Target{}, fmt.Errorf("target %s: a %s target takes no path", shown, scheme)
			}
		case "http", "https":
			return parseURLTarget(raw, shown, s, scheme)
		default:
			return Target{}, fmt.Errorf("target %s: unknown scheme %s (want tcp, udp, http or https)", shown, input.Quote(scheme))
		}
	}
	if strings.Contains(s, "@") {
		return Target{}, fmt.Errorf("target %s: credentials are not accepted (they would end up in the report)", shown)
	}
	host, portStr, err := net.SplitHostPort(s)
	if err != nil {
		return Target{}, fmt.Errorf("target %s: want HOST:PORT or a URL", shown)
	}
	if err := ValidateHost(host); err != nil {
		return Target{}, fmt.Errorf("target %s: %v", shown, err)
	}
	port, err := ParsePort(portStr)
	if err != nil {
		return Target{}, fmt.Errorf("target %s: %v", shown, err)
	}
	return Target{Raw: raw, Scheme: scheme, Host: host, Port: port}, nil
}

// withoutCredentials masks everything before the last '@' after the
// scheme: a user name, a password, or what a mistyped URL makes of them
// ("https://user:pa/ss@host/" is no valid URL, and its password still
// must not reach the screen). An '@' further on (in a path) masks more
// than needed; in an error message that is the safe mistake.
func withoutCredentials(raw string) string {
	at := strings.LastIndex(raw, "@")
	if at < 0 {
		return raw
	}
	start := 0
	if i := strings.Index(raw, "://"); i >= 0 && i < at {
		start = i + 3
	}
	return raw[:start] + "***" + raw[at:]
}

func parseURLTarget(raw, shown, s, scheme string) (Target, error) {
	if strings.Contains(s, "@") {
		// Refused before parsing: a URL parser's error would quote the
		// credentials back.
		return Target{}, fmt.Errorf("target %s: credentials in URLs are not accepted (they would end up in the report)", shown)
	}
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil {
		return Target{}, fmt.Errorf("target %s: not a valid URL", shown)
	}
	u.Scheme = scheme
	if u.User != nil {
		return Target{}, fmt.Errorf("target %s: credentials in URLs are not accepted (they would end up in the report)", shown)
	}
	host := u.Hostname()
	if err := ValidateHost(host); err != nil {
		return Target{}, fmt.Errorf("target %s: %v", shown, err)
	}
	port := 80
	if scheme == "https" {
		port = 443
	}
	if p := u.Port(); p != "" || strings.HasSuffix(u.Host, ":") {
		if port, err = ParsePort(p); err != nil {
			return Target{}, fmt.Errorf("target %s: %v", shown, err)
		}
	}
	return Target{Raw: raw, Scheme: scheme, Host: host, Port: port, URL: u}, nil
}

// ParsePort parses a port number 1–65535.
func ParsePort(s string) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil {
		if s == "" {
			return 0, fmt.Errorf("port number missing")
		}
		return 0, fmt.Errorf("port %s is not a number", input.Quote(s))
	}
	if n < 1 || n > 65535 {
		return 0, fmt.Errorf("port %d is out of range (1-65535)", n)
	}
	return n, nil
}

// ValidateHost accepts an IP address (IPv6 with an optional zone) or a DNS
// host name.
func ValidateHost(h string) error {
	if h == "" {
		return fmt.Errorf("missing host")
	}
	if a, err := netip.ParseAddr(h); err == nil {
		if z := a.Zone(); z != "" && !validZone(z) {
			return fmt.Errorf("invalid IPv6 zone %s (want an interface name or number)", input.Quote(z))
		}
		return nil
	}
	if len(h) > 253 {
		return fmt.Errorf("host name %s is longer than 253 characters", input.Quote(h))
	}
	name := strings.TrimSuffix(h, ".")
	if name == "" {
		return fmt.Errorf("invalid host %s", input.Quote(h))
	}
	allDigits := true
	for _, label := range strings.Split(name, ".") {
		if label == "" || len(label) > 63 {
			return fmt.Errorf("invalid host %s", input.Quote(h))
		}
		if label[0] == '-' || label[len(label)-1] == '-' {
			return fmt.Errorf("invalid host %s", input.Quote(h))
		}
		for _, r := range label {
			switch {
			case r >= '0' && r <= '9':
			case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r == '-', r == '_':
				allDigits = false
			default:
				return fmt.Errorf("invalid host %s", input.Quote(h))
			}
		}
	}
	if allDigits {
		// 300.1.1.1 or 1.2.3 look like addresses, and are not valid ones.
		return fmt.Errorf("invalid IP address %s", input.Quote(h))
	}
	return nil
}

// validZone accepts what an IPv6 zone can name: an interface (Linux allows
// 15 bytes; letters, digits and . _ - in practice) or an interface index.
// Anything else would only carry text into the report, the JSON and the
// Prometheus labels.
func validZone(z string) bool {
	if len(z) > 15 {
		return false
	}
	for _, r := range z {
		switch {
		case r >= '0' && r <= '9', r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r == '.', r == '_', r == '-':
		default:
			return false
		}
	}
	return true
}

// PortSpec is one port of a port list.
type PortSpec = probes.PortSpec

// MaxPorts bounds one port list (every TCP and UDP port).
const MaxPorts = 2 * 65535

// ParsePorts parses a list like "22,80,443", "8000-8100", "udp/53" or
// "tcp/1-1024,udp/161". Duplicates are dropped; order is kept. An error
// names the one bad entry ("1-", "tcp/", the empty one in "80,,90"), not
// the whole list.
func ParsePorts(spec string) ([]PortSpec, error) {
	var out []PortSpec
	seen := map[PortSpec]bool{}
	prev := ""
	for n, entry := range strings.Split(spec, ",") {
		entry = strings.TrimSpace(entry)
		l, h, proto, err := parsePortEntry(entry)
		switch {
		case entry == "" && prev == "":
			return nil, fmt.Errorf("port list has an empty entry (entry %d)", n+1)
		case entry == "":
			return nil, fmt.Errorf("port list has an empty entry (entry %d, after %s)", n+1, input.Quote(prev))
		case err != nil:
			return nil, err
		}
		prev = entry
		for p := l; p <= h; p++ {
			ps := PortSpec{Proto: proto, Port: p}
			if !seen[ps] {
				seen[ps] = true
				out = append(out, ps)
			}
		}
	}
	return out, nil
}

// parsePortEntry parses one entry of a port list: [tcp/|udp/]PORT[-PORT].
func parsePortEntry(entry string) (lo, hi int, proto string, err error) {
	proto = "tcp"
	part := entry
	if p, rest, ok := strings.Cut(part, "/"); ok {
		proto = strings.ToLower(strings.TrimSpace(p))
		if proto != "tcp" && proto != "udp" {
			return 0, 0, "", fmt.Errorf("port %s: protocol must be tcp or udp", input.Quote(entry))
		}
		part = strings.TrimSpace(rest)
		if part == "" {
			return 0, 0, "", fmt.Errorf("port %s: no port number after %s/", input.Quote(entry), proto)
		}
	}
	a, b, isRange := strings.Cut(part, "-")
	a, b = strings.TrimSpace(a), strings.TrimSpace(b)
	switch {
	case isRange && a == "":
		return 0, 0, "", fmt.Errorf("port range %s has no first port", input.Quote(entry))
	case isRange && b == "":
		return 0, 0, "", fmt.Errorf("port range %s has no last port", input.Quote(entry))
	case !isRange:
		b = a
	}
	if lo, err = ParsePort(a); err == nil {
		hi, err = ParsePort(b)
	}
	if err != nil {
		if entry != a {
			err = fmt.Errorf("port %s: %v", input.Quote(entry), err)
		}
		return 0, 0, "", err
	}
	if hi < lo {
		return 0, 0, "", fmt.Errorf("port range %s is backwards", input.Quote(entry))
	}
	return lo, hi, proto, nil
}
