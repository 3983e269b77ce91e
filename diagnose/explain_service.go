package diagnose

import (
	"fmt"
	"strings"

	"github.com/netprobe/netprobe/result"
)

// The words for the service layer: a TCP, UDP, TLS or HTTP check of a
// target, or a port sweep.

func explainService(c result.Check) (string, []string) {
	port := ev(c, "port")
	switch c.Reason {
	case result.ReasonTLSUnknownAuthority:
		return fmt.Sprintf("The network works, but %s presents a certificate this computer does not trust: it is signed by an unknown authority (self-signed, or a company's private certificate authority).", c.Target),
			[]string{"If this is a company site with its own certificate authority, give netprobe the company's CA certificate with --ca-file FILE (and install it on this computer).",
				"If it is a public site, do not continue: tell its administrator that the certificate chain is incomplete or self-signed.",
				"Do not click through certificate warnings for this site."}
	case result.ReasonTLSExpired:
		return fmt.Sprintf("The network works, but the certificate of %s is not valid: %s.", c.Target, ev(c, "verify_error")),
			[]string{"Tell the site's administrator: the certificate must be renewed.",
				"Check that this computer's date and time are correct.",
				"Do not click through certificate warnings for this site until it is fixed."}
	case result.ReasonTLSNotYetValid:
		return fmt.Sprintf("The certificate of %s is not valid yet: %s.", c.Target, ev(c, "verify_error")),
			[]string{"Check this computer's date and time first: a clock in the past makes new certificates look not yet valid.",
				"If the clock is right, tell the site's administrator."}
	case result.ReasonTLSWrongName:
		return fmt.Sprintf("The network works, but %s presents a certificate for other names: %s.", c.Target, ev(c, "verify_error")),
			[]string{"Check the address you use: the name may point at the wrong server.",
				"If the address is right, tell the site's administrator the certificate lacks this name."}
	case result.ReasonTLSHandshakeStalled:
		return fmt.Sprintf("The connection to %s opens, but the secure (TLS) handshake stalls: no answer arrives. This is not a certificate problem: it is often a path that drops large packets (VPN, PPPoE, a router's MTU) or a middlebox, which netprobe could not confirm.", c.Target),
			[]string{"If you use a VPN or a PPPoE/DSL connection, try a lower MTU on that connection (e.g. 1400).",
				"Try the same site from another network (e.g. a phone hotspot) to tell the path from the server.",
				"If it fails from everywhere, tell the site's administrator its TLS service hangs."}
	case result.ReasonTLSHandshakeFailed, result.ReasonTLSInvalid:
		return fmt.Sprintf("The network works, but the secure connection (TLS) to %s fails.", c.Target),
			[]string{"Tell the site's administrator, with this report.", "A firewall or proxy that inspects traffic can also cause this: ask IT."}
	case result.ReasonHTTPStatus5xx:
		return fmt.Sprintf("The network works and %s answers, but with a server error (HTTP %s).", c.Target, ev(c, "http_status")),
			[]string{"The problem is on the server: tell its administrator.", "Try again later: the server may be overloaded or restarting."}
	case result.ReasonHTTPStalled, result.ReasonHTTPNoResponse, result.ReasonHTTPSendFailed:
		return fmt.Sprintf("The network works and %s accepts connections, but sends no usable web answer.", c.Target),
			[]string{"Tell the site's administrator: the web server hangs or crashes.", "Try again later."}
	case result.ReasonTCPFiltered:
		return fmt.Sprintf("The network works, but %s does not answer on port %s: a firewall silently drops the connection (filtered).", c.Target, port),
			[]string{"A firewall blocks the port: on this computer, on the office network, or at the server. Ask IT which one.",
				"Check the port number is right for this service.",
				"Try from another network (e.g. a phone hotspot) to tell a local block from a server block."}
	case result.ReasonTCPClosed, result.ReasonUDPClosed:
		return fmt.Sprintf("The network works and the host answers, but nothing listens on port %s of %s (closed): the service is down or uses another port.", port, c.Target),
			[]string{"Tell the service's administrator the service is not running.", "Check the port number is right for this service."}
	case result.ReasonTCPUnreachable, result.ReasonUDPUnreachable:
		return fmt.Sprintf("%s cannot be reached: the network reports no way there.", c.Target),
			[]string{"Check the address of the service.", "A router or firewall on the way rejects it: ask IT."}
	case result.ReasonTCPUnresolved, result.ReasonUDPUnresolved, result.ReasonPortsUnresolved:
		return fmt.Sprintf("The service %s cannot be reached: its name does not resolve.", c.Target),
			[]string{"Check the name of the service.", "Check this computer's DNS settings."}
	case result.ReasonUDPNoDNSAnswer:
		return fmt.Sprintf("No DNS server answers on %s.", c.Target),
			[]string{"Check the address of the DNS server.", "A firewall may block DNS: ask IT."}
	case result.ReasonPortsNoneAnswer:
		return fmt.Sprintf("%s answers on none of the ports tried: it is off, or a firewall drops everything.", c.Target),
			[]string{"Check that the host is switched on and its address is right.", "Ask IT whether a firewall blocks it."}
	}
	return fmt.Sprintf("The service %s fails (%s).", c.Target, c.Reason),
		[]string{"Tell the service's administrator.", "Check the address and port of the service."}
}

func explainServiceWarn(c result.Check) (string, []string) {
	switch c.Reason {
	case result.ReasonTLSExpiring:
		return fmt.Sprintf("The service %s works, but its certificate expires soon (%s days left).", c.Target, ev(c, "cert_days_left")),
			[]string{"Tell the site's administrator to renew the certificate."}
	case result.ReasonHTTPStatus4xx:
		return fmt.Sprintf("The server %s works but refuses this address (HTTP %s).", c.Target, ev(c, "http_status")),
			[]string{"Check the address (path) you use.", "If it should work, tell the site's administrator."}
	case result.ReasonTCPFamilyFails:
		works := 4
		if evInt(c, "family") == 4 {
			works = 6
		}
		return fmt.Sprintf("The service %s works over IPv%d, but not over IPv%d (%s): programs that try that first wait before falling back.", c.Target, works, evInt(c, "family"), ev(c, "address")),
			[]string{"If IPv6 is the one failing, check the IPv6 setup of the network (or of the server) with IT.",
				"Tell the service's administrator the service does not answer on that address."}
	case result.ReasonPortsNotMeasured:
		return fmt.Sprintf("Some ports of %s could not be checked: this computer ran out of open files (sockets) during the sweep, so the result is incomplete (%s not measured).", c.Target, ev(c, "count_not_measured")),
			[]string{"Raise this computer's open-file limit (ulimit -n) or close programs that hold many connections, and run it again.",
				"Or sweep fewer ports at a time."}
	case result.ReasonUDPOpenFiltered:
		return fmt.Sprintf("The UDP port %s gave no reply: it may be open or filtered (UDP cannot tell which).", strings.TrimPrefix(c.Target, "udp://")),
			[]string{"Nothing to do unless the service does not work."}
	}
	return fmt.Sprintf("The service %s works, with a warning.", c.Target), []string{"Tell the service's administrator."}
}

// evInt reads an integer evidence value (0 when absent).
func evInt(c result.Check, key string) int {
	switch v := c.Evidence[key].(type) {
	case int:
		return v
	case float64:
		return int(v)
	}
	return 0
}
