package result

// Reason codes of the upper layers: DNS, services (tcp, udp, tls, http,
// port sweeps) and printers.

// DNS layer (dns checks: one name on one resolver; dns-compare and
// dns-confirm checks: the comparison with the reference resolvers).
const (
	ReasonDNSTimeout        Reason = "dns.timeout"
	ReasonDNSConnRefused    Reason = "dns.conn_refused"
	ReasonDNSRefused        Reason = "dns.refused"
	ReasonDNSServfail       Reason = "dns.servfail"
	ReasonDNSNXDomain       Reason = "dns.nxdomain"
	ReasonDNSNoData         Reason = "dns.no_data"
	ReasonDNSRcode          Reason = "dns.rcode"
	ReasonDNSError          Reason = "dns.error"
	ReasonDNSMalformed      Reason = "dns.malformed"
	ReasonDNSNoResolvers    Reason = "dns.no_resolvers"
	ReasonDNSHostsFile      Reason = "dns.hosts_file"
	ReasonDNSReferenceQuiet Reason = "dns.reference_quiet"
	ReasonDNSReferenceOnly  Reason = "dns.reference_only"
	ReasonDNSMismatch       Reason = "dns.mismatch"
	ReasonDNSWrongAnswer    Reason = "dns.wrong_answer"
	ReasonDNSPartlyFailing  Reason = "dns.partly_failing"
	ReasonDNSSlow           Reason = "dns.slow"
)

// TCP connections (service targets, print ports, port sweeps).
const (
	ReasonTCPClosed      Reason = "tcp.closed"
	ReasonTCPFiltered    Reason = "tcp.filtered"
	ReasonTCPUnreachable Reason = "tcp.unreachable"
	ReasonTCPUnresolved  Reason = "tcp.unresolved"
	ReasonTCPError       Reason = "tcp.error"
	ReasonTCPFamilyFails Reason = "tcp.family_fails"
)

// UDP ports.
const (
	ReasonUDPClosed       Reason = "udp.closed"
	ReasonUDPOpenFiltered Reason = "udp.open_filtered"
	ReasonUDPNoDNSAnswer  Reason = "udp.no_dns_answer"
	ReasonUDPUnreachable  Reason = "udp.unreachable"
	ReasonUDPUnresolved   Reason = "udp.unresolved"
	ReasonUDPError        Reason = "udp.error"
)

// TLS handshakes and certificates.
const (
	ReasonTLSHandshakeStalled Reason = "tls.handshake_stalled"
	ReasonTLSHandshakeFailed  Reason = "tls.handshake_failed"
	ReasonTLSExpired          Reason = "tls.expired"
	ReasonTLSNotYetValid      Reason = "tls.not_yet_valid"
	ReasonTLSUnknownAuthority Reason = "tls.unknown_authority"
	ReasonTLSWrongName        Reason = "tls.wrong_name"
	ReasonTLSInvalid          Reason = "tls.invalid"
	ReasonTLSExpiring         Reason = "tls.expiring"
	ReasonTLSNotTried         Reason = "tls.not_tried"
)

// HTTP requests.
const (
	ReasonHTTPStatus4xx  Reason = "http.status_4xx"
	ReasonHTTPStatus5xx  Reason = "http.status_5xx"
	ReasonHTTPStalled    Reason = "http.stalled"
	ReasonHTTPNoResponse Reason = "http.no_response"
	ReasonHTTPSendFailed Reason = "http.send_failed"
	ReasonHTTPBadRequest Reason = "http.bad_request"
	ReasonHTTPNotTried   Reason = "http.not_tried"
)

// Port sweeps (the port command).
const (
	ReasonPortsUnresolved  Reason = "ports.unresolved"
	ReasonPortsNoneAnswer  Reason = "ports.none_answered"
	ReasonPortsNotMeasured Reason = "ports.not_measured"
)

var _ = register(
	ReasonInfo{ReasonDNSTimeout, "The resolver did not answer in time."},
	ReasonInfo{ReasonDNSConnRefused, "The resolver's address refused the connection: no DNS server runs there."},
	ReasonInfo{ReasonDNSRefused, "The resolver answered REFUSED: it does not serve this computer."},
	ReasonInfo{ReasonDNSServfail, "The resolver answered SERVFAIL: it could not get an answer upstream."},
	ReasonInfo{ReasonDNSNXDomain, "The resolver answered NXDOMAIN: the name does not exist."},
	ReasonInfo{ReasonDNSNoData, "The name exists but has no A or AAAA record."},
	ReasonInfo{ReasonDNSRcode, "The resolver answered another error code (`evidence.rcode`)."},
	ReasonInfo{ReasonDNSError, "The resolver could not be asked (a local or network error, `error`)."},
	ReasonInfo{ReasonDNSMalformed, "The resolver's reply could not be parsed."},
	ReasonInfo{ReasonDNSNoResolvers, "No DNS server is configured on this computer."},
	ReasonInfo{ReasonDNSHostsFile, "The name is resolved by the hosts file, not by DNS (skip)."},
	ReasonInfo{ReasonDNSReferenceQuiet, "A reference resolver gave no usable answer: no comparison made (skip)."},
	ReasonInfo{ReasonDNSReferenceOnly, "`dns-compare`: the name resolves on the reference resolvers but not on this computer's."},
	ReasonInfo{ReasonDNSMismatch, "`dns-compare`: this computer's resolvers and the reference resolvers give different addresses; not confirmed as wrong (a CDN or a filter may do this) (warn)."},
	ReasonInfo{ReasonDNSWrongAnswer, "Confirmed: this computer's resolver gives a wrong address for the name: the service fails there and works at the reference resolvers' address."},
	ReasonInfo{ReasonDNSPartlyFailing, "Layer only: some of this computer's resolvers fail while another answers (warn)."},
	ReasonInfo{ReasonDNSSlow, "`dns-latency`: a resolver answers correctly but slowly: the median of its answer times in this run is above `--dns-slow` (warn)."},

	ReasonInfo{ReasonTCPClosed, "The host answered with a reset: nothing listens on the port."},
	ReasonInfo{ReasonTCPFiltered, "No answer to the connection attempt in time: a firewall drops it."},
	ReasonInfo{ReasonTCPUnreachable, "The network reported the host unreachable (no route, ICMP unreachable)."},
	ReasonInfo{ReasonTCPUnresolved, "The target's name does not resolve, so no connection was tried."},
	ReasonInfo{ReasonTCPError, "The connection failed for another reason (`error`)."},
	ReasonInfo{ReasonTCPFamilyFails, "The target answers over one IP family but not over the other (`evidence.family` names the failing one): programs that try it first wait before falling back (warn)."},

	ReasonInfo{ReasonUDPClosed, "The host answered ICMP port unreachable: nothing listens on the UDP port."},
	ReasonInfo{ReasonUDPOpenFiltered, "No reply to the UDP datagrams: open or filtered, UDP cannot tell (warn)."},
	ReasonInfo{ReasonUDPNoDNSAnswer, "UDP port 53: no DNS answer (filtered, or no DNS server)."},
	ReasonInfo{ReasonUDPUnreachable, "The network reported the host unreachable."},
	ReasonInfo{ReasonUDPUnresolved, "The target's name does not resolve."},
	ReasonInfo{ReasonUDPError, "The UDP check failed for another reason (`error`)."},

	ReasonInfo{ReasonTLSHandshakeStalled, "The TCP connection opened but the TLS handshake got no answer in time (a path MTU problem or a middlebox, not the certificate)."},
	ReasonInfo{ReasonTLSHandshakeFailed, "The TLS handshake was rejected or broken (protocol error, reset)."},
	ReasonInfo{ReasonTLSExpired, "The certificate (or one the server sent with it) has expired."},
	ReasonInfo{ReasonTLSNotYetValid, "The certificate is not valid yet (or this computer's clock is wrong)."},
	ReasonInfo{ReasonTLSUnknownAuthority, "The certificate is signed by an authority this computer does not trust (self-signed, or a private CA: see `--ca-file`)."},
	ReasonInfo{ReasonTLSWrongName, "The certificate is for other names than the target's."},
	ReasonInfo{ReasonTLSInvalid, "The certificate is invalid for another reason (`evidence.verify_error`)."},
	ReasonInfo{ReasonTLSExpiring, "The certificate is valid but expires soon (warn)."},
	ReasonInfo{ReasonTLSNotTried, "No TLS handshake was tried because the connection failed first (skip)."},

	ReasonInfo{ReasonHTTPStatus4xx, "The server answered with a 4xx status: it works but refuses this URL (warn)."},
	ReasonInfo{ReasonHTTPStatus5xx, "The server answered with a 5xx status: the server has a problem."},
	ReasonInfo{ReasonHTTPStalled, "The server accepted the request but sent no HTTP answer in time."},
	ReasonInfo{ReasonHTTPNoResponse, "The connection ended without a valid HTTP answer."},
	ReasonInfo{ReasonHTTPSendFailed, "The HTTP request could not be sent."},
	ReasonInfo{ReasonHTTPBadRequest, "The request could not be built from the URL."},
	ReasonInfo{ReasonHTTPNotTried, "No HTTP request was sent because an earlier phase failed (skip)."},

	ReasonInfo{ReasonPortsUnresolved, "The host of the sweep does not resolve."},
	ReasonInfo{ReasonPortsNoneAnswer, "No port of the sweep answered at all (every port filtered or unreachable)."},
	ReasonInfo{ReasonPortsNotMeasured, "Some ports of the sweep could not be tried (local resource limits or no time): the sweep is incomplete."},
)
