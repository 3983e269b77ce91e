package printer

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/gosnmp/gosnmp"

	"github.com/netprobe/netprobe/internal/secret"
)

// Printer probe budget. One printer check must end within DefaultTimeout
// (or the caller's deadline, if sooner): an unreachable printer is reported
// in seconds, not after gosnmp's default 30 s of retries.
const (
	// DefaultTimeout bounds one printer check, SNMP and print ports.
	DefaultTimeout = 3 * time.Second
	// printPortTimeout bounds each print-port handshake. A printer on the
	// LAN answers a SYN in milliseconds; 1.5 s still covers one SYN
	// retransmission (1 s) without making every filtered port cost the
	// whole budget.
	printPortTimeout = 1500 * time.Millisecond
	// snmpMinAttempt is the shortest wait for one SNMP answer once the
	// agent has answered a first request: big GETBULK answers take an
	// embedded agent longer than the first small GET.
	snmpMinAttempt = 500 * time.Millisecond
	// snmpRTTFactor scales the first measured round trip into the wait for
	// later requests, so an agent that chokes on one request (and never
	// answers it) costs a fraction of the budget, not all of it.
	snmpRTTFactor = 10
)

// DefaultPrintPorts are the print services checked next to SNMP: raw
// JetDirect (9100), IPP (631) and LPD (515).
var DefaultPrintPorts = []int{9100, 631, 515}

// Options configures the printer probe.
type Options struct {
	// Port is the SNMP UDP port, default 161.
	Port int
	// Version is "1", "2c" (default) or "3".
	Version string
	// Community is the v1/v2c community, default "public". It is treated
	// as a secret: it never appears in the check.
	Community string
	// User, AuthProto (MD5, SHA, SHA224, SHA256, SHA384, SHA512), AuthPass,
	// PrivProto (DES, AES, AES192, AES256) and PrivPass are the SNMPv3
	// credentials; the security level follows from which are set. The
	// passwords never appear in the check.
	User, AuthProto, AuthPass, PrivProto, PrivPass string
	// Timeout bounds the whole check of one printer, default 3 s; the
	// context's deadline wins if sooner.
	Timeout time.Duration
	// Retries is how often one SNMP request is resent; 0 means the
	// default, 1.
	Retries int
	// SupplyWarn is the level, in percent, at or below which a supply is
	// low (or a waste box nearly full); 0 means the default, 10.
	SupplyWarn float64
	// PrintPorts are the TCP ports checked next to SNMP; nil means
	// DefaultPrintPorts, an empty non-nil slice means none.
	PrintPorts []int
}

var authProtos = map[string]gosnmp.SnmpV3AuthProtocol{
	"MD5": gosnmp.MD5, "SHA": gosnmp.SHA, "SHA1": gosnmp.SHA, "SHA224": gosnmp.SHA224,
	"SHA256": gosnmp.SHA256, "SHA384": gosnmp.SHA384, "SHA512": gosnmp.SHA512,
}

var privProtos = map[string]gosnmp.SnmpV3PrivProtocol{
	"DES": gosnmp.DES, "AES": gosnmp.AES, "AES128": gosnmp.AES, "AES192": gosnmp.AES192,
	"AES256": gosnmp.AES256, "AES192C": gosnmp.AES192C, "AES256C": gosnmp.AES256C,
}

// Validate reports the first bad setting as one sentence. Zero values are
// fine: they mean "use the default". It never quotes a password or the
// community.
func (o Options) Validate() error {
	if o.Port < 0 || o.Port > 65535 {
		return fmt.Errorf("SNMP port %d is out of range (1-65535)", o.Port)
	}
	switch o.Version {
	case "", "1", "2c", "3":
	default:
		return fmt.Errorf("SNMP version %q is not supported; use 1, 2c or 3", o.Version)
	}
	if o.Timeout < 0 {
		return fmt.Errorf("printer timeout %s is negative", o.Timeout)
	}
	if o.Retries < 0 {
		return fmt.Errorf("SNMP retries %d is negative", o.Retries)
	}
	// NaN compares false with everything, so it is refused by name: it
	// would make no supply ever low.
	if math.IsNaN(o.SupplyWarn) || o.SupplyWarn < 0 || o.SupplyWarn > 100 {
		return fmt.Errorf("supply warning level %g%% is outside 0-100%%", o.SupplyWarn)
	}
	for _, p := range o.PrintPorts {
		if p < 1 || p > 65535 {
			return fmt.Errorf("print port %d is out of range (1-65535)", p)
		}
	}
	v3set := o.User != "" || o.AuthProto != "" || o.AuthPass != "" || o.PrivProto != "" || o.PrivPass != ""
	if o.Version != "3" {
		if v3set {
			return errors.New("SNMPv3 settings (user, auth, priv) need SNMP version 3")
		}
		return nil
	}
	if o.User == "" {
		return errors.New("SNMPv3 needs a user name")
	}
	if o.AuthProto != "" {
		if _, ok := authProtos[strings.ToUpper(o.AuthProto)]; !ok {
			return fmt.Errorf("SNMPv3 auth protocol %q is unknown; use MD5, SHA, SHA256 or SHA512", o.AuthProto)
		}
	}
	if o.PrivProto != "" {
		if _, ok := privProtos[strings.ToUpper(o.PrivProto)]; !ok {
			return fmt.Errorf("SNMPv3 privacy protocol %q is unknown; use DES, AES or AES256", o.PrivProto)
		}
	}
	switch {
	case o.AuthProto != "" && o.AuthPass == "":
		return errors.New("SNMPv3 auth protocol is set but the auth password is empty")
	case o.AuthProto == "" && o.AuthPass != "":
		return errors.New("SNMPv3 auth password is set but no auth protocol (MD5, SHA, SHA256, SHA512)")
	case o.PrivProto != "" && o.PrivPass == "":
		return errors.New("SNMPv3 privacy protocol is set but the privacy password is empty")
	case o.PrivProto == "" && o.PrivPass != "":
		return errors.New("SNMPv3 privacy password is set but no privacy protocol (DES, AES, AES256)")
	case o.PrivProto != "" && o.AuthProto == "":
		return errors.New("SNMPv3 privacy needs authentication too: set the auth protocol and password")
	case o.AuthPass != "" && len(o.AuthPass) < 8:
		return errors.New("SNMPv3 auth password is shorter than the 8 characters USM requires")
	case o.PrivPass != "" && len(o.PrivPass) < 8:
		return errors.New("SNMPv3 privacy password is shorter than the 8 characters USM requires")
	}
	return nil
}

// withDefaults fills in the documented defaults.
func (o Options) withDefaults() Options {
	if o.Port == 0 {
		o.Port = 161
	}
	if o.Version == "" {
		o.Version = "2c"
	}
	if o.Community == "" {
		o.Community = "public"
	}
	if o.Timeout == 0 {
		o.Timeout = DefaultTimeout
	}
	if o.Retries == 0 {
		o.Retries = 1
	}
	if o.SupplyWarn == 0 {
		o.SupplyWarn = 10
	}
	if o.PrintPorts == nil {
		o.PrintPorts = DefaultPrintPorts
	}
	return o
}

// scrubber finds the secrets of these options in text. The default
// community "public" is not one: it is printed on every quick-start card,
// and masking it would garble device text that happens to contain it.
func (o Options) scrubber() *secret.Scrubber {
	var s []string
	for _, v := range []string{o.Community, o.AuthPass, o.PrivPass} {
		if v != "" && v != "public" {
			s = append(s, v)
		}
	}
	return secret.New(s...)
}
