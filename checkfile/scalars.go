package checkfile

import (
	"fmt"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/miekg/dns"
	"gopkg.in/yaml.v3"

	"github.com/netprobe/netprobe/diagnose"
	"github.com/netprobe/netprobe/result"
)

// Pos is where a value starts in the file (1-based), so an error found
// after decoding (a duplicate name, a contradiction) still points at it.
type Pos struct {
	Line, Col int
	keys      map[string]Pos
}

// Key is where key k of this mapping was written; the mapping itself when
// k was not written.
func (p Pos) Key(k string) Pos {
	if kp, ok := p.keys[k]; ok {
		return kp
	}
	return p
}

// scalar is a value type that decodes itself from one YAML node. The
// error is a message without position: the decoder adds it.
type scalar interface {
	decodeNode(n *yaml.Node) error
	// schema describes the value for docs/netprobe.schema.json.
	schema() valueSchema
}

// valueSchema is the JSON Schema of a scalar type, in the few words the
// schema generator needs.
type valueSchema struct {
	Type    string // "string", "integer", "number"
	Pattern string
	Enum    []string
	// EnumAny, when set, lists values of mixed JSON types (no Type).
	EnumAny     []any
	Minimum     *float64
	Maximum     *float64
	OrList      bool // also accepts a list of such values
	ListType    string
	Description string
}

func fp(f float64) *float64 { return &f }

// kindOf names a node's type in an error message.
func kindOf(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		return "an alias"
	}
	switch n.Tag {
	case "!!int":
		return "a number"
	case "!!float":
		return "a number"
	case "!!bool":
		return "true/false"
	case "!!null":
		return "nothing"
	}
	return "text"
}

// str returns a scalar node's text, or an error naming what was written
// instead.
func str(n *yaml.Node, want string) (string, error) {
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		return "", fmt.Errorf("want %s, got %s", want, kindOf(n))
	}
	return n.Value, nil
}

// Duration is a time with a unit ("5s", "250ms"). A bare number is
// refused: "5" could mean seconds or milliseconds, and the fix is one
// character away.
type Duration time.Duration

// D is the duration as time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }

func (d *Duration) decodeNode(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode && (n.Tag == "!!int" || n.Tag == "!!float") {
		return fmt.Errorf("%s is a bare number: a duration needs a unit, write %ss (or %sms)", n.Value, n.Value, n.Value)
	}
	s, err := str(n, "a duration such as 5s")
	if err != nil {
		return err
	}
	v, err := time.ParseDuration(strings.TrimSpace(s))
	if err != nil {
		return fmt.Errorf("%q is not a duration (write 5s, 250ms or 1m30s)", s)
	}
	if v <= 0 {
		return fmt.Errorf("duration %s must be positive", s)
	}
	*d = Duration(v)
	return nil
}

func (Duration) schema() valueSchema {
	return valueSchema{Type: "string", Pattern: `^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$`,
		Description: "A duration with a unit: 5s, 250ms, 1m30s."}
}

// LowerLayer is a layer diagnosed next to a file's checks.
type LowerLayer result.Layer

var lowerLayers = []string{"link", "address", "gateway", "internet"}

func (l *LowerLayer) decodeNode(n *yaml.Node) error {
	s, err := str(n, "a layer name")
	if err != nil {
		return err
	}
	v, err := result.ParseLayer(strings.ToLower(strings.TrimSpace(s)))
	if err != nil || v < result.Link || v > result.Internet {
		return fmt.Errorf("layer %q is not one of %s%s (dns, service and printer come from the checks)", s, strings.Join(lowerLayers, ", "), suggest(s, lowerLayers))
	}
	*l = LowerLayer(v)
	return nil
}

func (LowerLayer) schema() valueSchema { return valueSchema{Type: "string", Enum: lowerLayers} }

// IP is an IP address.
type IP netip.Addr

func (a *IP) decodeNode(n *yaml.Node) error {
	s, err := str(n, "an IP address")
	if err != nil {
		return err
	}
	v, err := netip.ParseAddr(strings.TrimSpace(s))
	if err != nil {
		return fmt.Errorf("%q is not an IP address", s)
	}
	*a = IP(v.Unmap())
	return nil
}

func (IP) schema() valueSchema {
	return valueSchema{Type: "string", Description: "An IPv4 or IPv6 address."}
}

// Server is a DNS server: IP or IP:PORT ([IPv6]:PORT), port 53 by default.
type Server netip.AddrPort

func (s *Server) decodeNode(n *yaml.Node) error {
	v, err := str(n, "a DNS server (IP or IP:PORT)")
	if err != nil {
		return err
	}
	ap, err := ParseServer(v)
	if err != nil {
		return err
	}
	*s = Server(ap)
	return nil
}

// ParseServer parses IP or IP:PORT, port 53 by default.
func ParseServer(s string) (netip.AddrPort, error) {
	s = strings.TrimSpace(s)
	if a, err := netip.ParseAddr(s); err == nil {
		return netip.AddrPortFrom(a.Unmap(), 53), nil
	}
	ap, err := netip.ParseAddrPort(s)
	if err != nil || ap.Port() == 0 {
		return netip.AddrPort{}, fmt.Errorf("%q is not a DNS server address (IP or IP:PORT)", s)
	}
	return netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port()), nil
}

func (Server) schema() valueSchema {
	return valueSchema{Type: "string", Description: "IP or IP:PORT ([IPv6]:PORT); port 53 by default."}
}

// HostName is a host name or an IP address.
type HostName string

func (h *HostName) decodeNode(n *yaml.Node) error {
	s, err := str(n, "a host name or address")
	if err != nil {
		return err
	}
	s = strings.TrimSpace(s)
	if err := diagnose.ValidateHost(s); err != nil {
		return fmt.Errorf("host %q: %v", s, err)
	}
	*h = HostName(s)
	return nil
}

func (HostName) schema() valueSchema {
	return valueSchema{Type: "string", Pattern: `^[A-Za-z0-9_.:%-]+$`, Description: "A host name or an IP address."}
}

// CheckName names a check: what reports, JUnit test cases and metrics
// show, so it is kept to characters that survive all of them.
type CheckName string

var checkNameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$`)

func (c *CheckName) decodeNode(n *yaml.Node) error {
	s, err := str(n, "a name")
	if err != nil {
		return err
	}
	if !checkNameRE.MatchString(s) {
		return fmt.Errorf("name %q: use letters, digits, '-', '_' and '.', starting with a letter or digit, at most 63", s)
	}
	*c = CheckName(s)
	return nil
}

func (CheckName) schema() valueSchema {
	return valueSchema{Type: "string", Pattern: checkNameRE.String()}
}

// TargetAddr is a target: a service URL, HOST:PORT, or a bare host to
// ping.
type TargetAddr struct {
	// Ping is set for a bare host.
	Ping string
	// Service is set otherwise.
	Service diagnose.Target
}

// String is the target as netprobe writes it.
func (t TargetAddr) String() string {
	if t.Ping != "" {
		return t.Ping
	}
	return t.Service.String()
}

// Kind is the probe the target gets: ping, tcp, udp, http or https.
func (t TargetAddr) Kind() string {
	if t.Ping != "" {
		return "ping"
	}
	return t.Service.Scheme
}

func (t *TargetAddr) decodeNode(n *yaml.Node) error {
	s, err := str(n, "a target (tcp://HOST:PORT, https://HOST/, a host to ping)")
	if err != nil {
		return err
	}
	v, err := ParseTarget(s)
	if err != nil {
		return err
	}
	*t = v
	return nil
}

// ParseTarget parses what a target may be: everything diagnose accepts,
// and a bare host or address, which is pinged.
func ParseTarget(s string) (TargetAddr, error) {
	s = strings.TrimSpace(s)
	if !strings.Contains(s, "://") {
		h := s
		if strings.HasPrefix(h, "[") && strings.HasSuffix(h, "]") {
			h = h[1 : len(h)-1]
		}
		if diagnose.ValidateHost(h) == nil {
			return TargetAddr{Ping: h}, nil
		}
	}
	t, err := diagnose.ParseTarget(s)
	if err != nil {
		return TargetAddr{}, err
	}
	return TargetAddr{Service: t}, nil
}

func (TargetAddr) schema() valueSchema {
	return valueSchema{Type: "string", Description: "tcp://HOST:PORT, HOST:PORT, udp://HOST:PORT, http(s)://HOST[:PORT]/PATH, or a bare HOST to ping."}
}

// PortStates are the port states a check accepts.
type PortStates []string

var portStates = []string{"open", "closed", "filtered", "unreachable", "open|filtered"}

func (p *PortStates) decodeNode(n *yaml.Node) error {
	items := []*yaml.Node{n}
	if n.Kind == yaml.SequenceNode {
		items = n.Content
		if len(items) == 0 {
			return fmt.Errorf("want at least one port state")
		}
	}
	var out PortStates
	for _, it := range items {
		s, err := str(it, "a port state ("+strings.Join(portStates, ", ")+")")
		if err != nil {
			return err
		}
		s = strings.ToLower(strings.TrimSpace(s))
		ok := false
		for _, v := range portStates {
			ok = ok || v == s
		}
		if !ok {
			return fmt.Errorf("port state %q is not one of %s%s", s, strings.Join(portStates, ", "), suggest(s, portStates))
		}
		out = append(out, s)
	}
	*p = out
	return nil
}

func (PortStates) schema() valueSchema {
	return valueSchema{Type: "string", Enum: portStates, OrList: true}
}

// StatusList is a list of HTTP status codes (one is a list of one).
type StatusList []int

func (l *StatusList) decodeNode(n *yaml.Node) error {
	items := []*yaml.Node{n}
	if n.Kind == yaml.SequenceNode {
		items = n.Content
		if len(items) == 0 {
			return fmt.Errorf("want at least one status code")
		}
	}
	var out StatusList
	for _, it := range items {
		if it.Kind != yaml.ScalarNode || it.Tag != "!!int" {
			return fmt.Errorf("want an HTTP status code (a number such as 200), got %s", kindOf(it))
		}
		v, err := strconv.Atoi(it.Value)
		if err != nil || v < 100 || v > 599 {
			return fmt.Errorf("HTTP status %s is out of range (100-599)", it.Value)
		}
		out = append(out, v)
	}
	*l = out
	return nil
}

func (StatusList) schema() valueSchema {
	return valueSchema{Type: "integer", Minimum: fp(100), Maximum: fp(599), OrList: true}
}

// Rcode is a DNS response code name (NOERROR, NXDOMAIN, ...).
type Rcode string

var rcodes = []string{"NOERROR", "NXDOMAIN", "SERVFAIL", "REFUSED", "FORMERR", "NOTIMP"}

func (r *Rcode) decodeNode(n *yaml.Node) error {
	s, err := str(n, "a DNS response code")
	if err != nil {
		return err
	}
	u := strings.ToUpper(strings.TrimSpace(s))
	if _, ok := dns.StringToRcode[u]; !ok {
		return fmt.Errorf("%q is not a DNS response code (NOERROR, NXDOMAIN, SERVFAIL, REFUSED, ...)%s", s, suggest(u, rcodes))
	}
	*r = Rcode(u)
	return nil
}

func (Rcode) schema() valueSchema { return valueSchema{Type: "string", Enum: rcodes} }

// SNMPVersion is 1, 2c or 3 (written as text or a number).
type SNMPVersion string

func (v *SNMPVersion) decodeNode(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		return fmt.Errorf("want an SNMP version (1, 2c or 3), got %s", kindOf(n))
	}
	s := strings.ToLower(strings.TrimPrefix(strings.ToLower(strings.TrimSpace(n.Value)), "v"))
	switch s {
	case "1", "2c", "3":
		*v = SNMPVersion(s)
		return nil
	case "2":
		return fmt.Errorf("SNMP version 2 is written 2c")
	}
	return fmt.Errorf("SNMP version %q is not supported; use 1, 2c or 3", n.Value)
}

func (SNMPVersion) schema() valueSchema {
	return valueSchema{EnumAny: []any{"1", "2c", "3", 1, 3}, Description: "1, 2c or 3."}
}

// EnvName names an environment variable that holds a secret.
type EnvName string

var envRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

func (e *EnvName) decodeNode(n *yaml.Node) error {
	s, err := str(n, "an environment variable name")
	if err != nil {
		return err
	}
	if !envRE.MatchString(s) {
		// Never quote the value: someone may have pasted the secret
		// itself here.
		return fmt.Errorf("want the name of an environment variable (letters, digits, '_'), not the secret itself")
	}
	*e = EnvName(s)
	return nil
}

func (EnvName) schema() valueSchema {
	return valueSchema{Type: "string", Pattern: envRE.String()}
}

// Percent is a number from 0 to 100.
type Percent float64

func (p *Percent) decodeNode(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode && n.Tag == "!!str" && strings.HasSuffix(strings.TrimSpace(n.Value), "%") {
		return fmt.Errorf("write the number without %%: %s", strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(n.Value), "%")))
	}
	if n.Kind != yaml.ScalarNode || (n.Tag != "!!int" && n.Tag != "!!float") {
		return fmt.Errorf("want a percentage (a number from 0 to 100), got %s", kindOf(n))
	}
	v, err := strconv.ParseFloat(n.Value, 64)
	if err != nil || v < 0 || v > 100 {
		return fmt.Errorf("%s is not a percentage from 0 to 100", n.Value)
	}
	*p = Percent(v)
	return nil
}

func (Percent) schema() valueSchema {
	return valueSchema{Type: "number", Minimum: fp(0), Maximum: fp(100)}
}
