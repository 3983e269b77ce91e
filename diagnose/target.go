package diagnose

import (
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"strings"

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
// the bad value in one line.
func ParseTarget(s string) (Target, error) {
	raw := s
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
				return Target{}, fmt.Errorf("target %q: a %s target takes no path", raw, scheme)
			}
		case "http", "https":
			return parseURLTarget(raw, s, scheme)
		default:
			return Target{}, fmt.Errorf("target %q: unknown scheme %q (want tcp, udp, http or https)", raw, scheme)
		}
	}
	host, portStr, err := net.SplitHostPort(s)
	if err != nil {
		return Target{}, fmt.Errorf("target %q: want HOST:PORT or a URL", raw)
	}
	if err := ValidateHost(host); err != nil {
		return Target{}, fmt.Errorf("target %q: %v", raw, err)
	}
	port, err := ParsePort(portStr)
	if err != nil {
		return Target{}, fmt.Errorf("target %q: %v", raw, err)
	}
	return Target{Raw: raw, Scheme: scheme, Host: host, Port: port}, nil
}

func parseURLTarget(raw, s, scheme string) (Target, error) {
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil {
		return Target{}, fmt.Errorf("target %q: not a valid URL", raw)
	}
	u.Scheme = scheme
	if u.User != nil {
		return Target{}, fmt.Errorf("target %q: credentials in URLs are not accepted (they would end up in the report)", raw)
	}
	host := u.Hostname()
	if err := ValidateHost(host); err != nil {
		return Target{}, fmt.Errorf("target %q: %v", raw, err)
	}
	port := 80
	if scheme == "https" {
		port = 443
	}
	if p := u.Port(); p != "" || strings.HasSuffix(u.Host, ":") {
		if port, err = ParsePort(p); err != nil {
			return Target{}, fmt.Errorf("target %q: %v", raw, err)
		}
	}
	return Target{Raw: raw, Scheme: scheme, Host: host, Port: port, URL: u}, nil
}

// ParsePort parses a port number 1–65535.
func ParsePort(s string) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, fmt.Errorf("port %q is not a number", s)
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
	if _, err := netip.ParseAddr(h); err == nil {
		return nil
	}
	if len(h) > 253 {
		return fmt.Errorf("host name is longer than 253 characters")
	}
	name := strings.TrimSuffix(h, ".")
	if name == "" {
		return fmt.Errorf("invalid host %q", h)
	}
	allDigits := true
	for _, label := range strings.Split(name, ".") {
		if label == "" || len(label) > 63 {
			return fmt.Errorf("invalid host %q", h)
		}
		if label[0] == '-' || label[len(label)-1] == '-' {
			return fmt.Errorf("invalid host %q", h)
		}
		for _, r := range label {
			switch {
			case r >= '0' && r <= '9':
			case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r == '-', r == '_':
				allDigits = false
			default:
				return fmt.Errorf("invalid host %q", h)
			}
		}
	}
	if allDigits {
		// 300.1.1.1 or 1.2.3 look like addresses, and are not valid ones.
		return fmt.Errorf("invalid IP address %q", h)
	}
	return nil
}

// PortSpec is one port of a port list.
type PortSpec = probes.PortSpec

// MaxPorts bounds one port list (every TCP and UDP port).
const MaxPorts = 2 * 65535

// ParsePorts parses a list like "22,80,443", "8000-8100", "udp/53" or
// "tcp/1-1024,udp/161". Duplicates are dropped; order is kept.
func ParsePorts(spec string) ([]PortSpec, error) {
	var out []PortSpec
	seen := map[PortSpec]bool{}
	for _, part := range strings.Split(spec, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			return nil, fmt.Errorf("port list %q has an empty entry", spec)
		}
		proto := "tcp"
		if p, rest, ok := strings.Cut(part, "/"); ok {
			proto = strings.ToLower(p)
			if proto != "tcp" && proto != "udp" {
				return nil, fmt.Errorf("port %q: protocol must be tcp or udp", part)
			}
			part = rest
		}
		lo, hi := part, part
		if a, b, ok := strings.Cut(part, "-"); ok {
			lo, hi = a, b
		}
		l, err := ParsePort(lo)
		if err != nil {
			return nil, err
		}
		h, err := ParsePort(hi)
		if err != nil {
			return nil, err
		}
		if h < l {
			return nil, fmt.Errorf("port range %q is backwards", part)
		}
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
