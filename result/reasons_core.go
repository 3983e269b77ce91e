package result

// Reason codes of the run itself and of the lower layers (link, address,
// gateway, internet, path).

// The run.
const (
	// ReasonTimedOut: the check did not finish within the run's budget.
	ReasonTimedOut Reason = "run.timed_out"
	// ReasonInterrupted: the run was stopped (Ctrl-C, SIGTERM) before the
	// check finished; what it had measured is not a result.
	ReasonInterrupted Reason = "run.interrupted"
	// ReasonNoTimeLeft: a follow-up (confirmation) was planned but the
	// budget left no time for it.
	ReasonNoTimeLeft Reason = "run.no_time_left"
	// ReasonNotNeeded: the check was not needed by this run (a family or
	// interface nothing depends on).
	ReasonNotNeeded Reason = "run.not_needed"
	// ReasonNothingMeasured: the verdict's code when every check was
	// skipped.
	ReasonNothingMeasured Reason = "run.nothing_measured"
)

// Local conditions of this computer that make a measurement impossible.
// They are never a network verdict.
const (
	ReasonLocalResources   Reason = "local.resources"
	ReasonLocalPermission  Reason = "local.permission"
	ReasonLocalUnsupported Reason = "local.unsupported"
)

// Link layer.
const (
	ReasonLinkAdminDown    Reason = "link.admin_down"
	ReasonLinkNoCarrier    Reason = "link.no_carrier"
	ReasonLinkNoInterfaces Reason = "link.no_interfaces"
)

// Address layer.
const (
	ReasonAddressDHCPFailed          Reason = "address.dhcp_failed"
	ReasonAddressLinkLocalOnly       Reason = "address.link_local_only"
	ReasonAddressNone                Reason = "address.none"
	ReasonAddressNoConfig            Reason = "address.no_config"
	ReasonAddressNoDefaultRoute      Reason = "address.no_default_route"
	ReasonAddressRouteWithoutAddress Reason = "address.route_without_address"
	ReasonAddressConflict            Reason = "address.conflict"
)

// Gateway layer (ping checks of the default gateway).
const (
	ReasonGatewayNone           Reason = "gateway.none"
	ReasonGatewayNoARP          Reason = "gateway.no_arp"
	ReasonGatewayNoReply        Reason = "gateway.no_reply"
	ReasonGatewayUnreachable    Reason = "gateway.unreachable"
	ReasonGatewayARPOnly        Reason = "gateway.arp_only"
	ReasonGatewayLoss           Reason = "gateway.loss"
	ReasonGatewaySlow           Reason = "gateway.slow"
	ReasonGatewayNotMeasured    Reason = "gateway.not_measured"
	ReasonGatewayIgnoresProbes  Reason = "gateway.ignores_probes"
	ReasonGatewayPartlyAnswered Reason = "gateway.partly_answered"
	ReasonGatewayMisconfigured  Reason = "gateway.misconfigured"
)

// Internet layer (ping checks of the upstreams, and the hosts of the ping
// command).
const (
	ReasonInternetNoReply        Reason = "internet.no_reply"
	ReasonInternetNextHopNoARP   Reason = "internet.next_hop_no_arp"
	ReasonInternetUnreachable    Reason = "internet.unreachable"
	ReasonInternetLoss           Reason = "internet.loss"
	ReasonInternetSlow           Reason = "internet.slow"
	ReasonInternetNotMeasured    Reason = "internet.not_measured"
	ReasonInternetUnresolved     Reason = "internet.unresolved"
	ReasonInternetNoIPv6Route    Reason = "internet.no_ipv6_route"
	ReasonInternetUpstreamsQuiet Reason = "internet.upstreams_quiet"
	ReasonInternetPartlyAnswered Reason = "internet.partly_answered"
	ReasonInternetIPv6Broken     Reason = "internet.ipv6_broken"
)

// The path to a host, measured in the confirmation round.
const (
	ReasonPathMTUBlackhole Reason = "path.mtu_blackhole"
	ReasonPathLossFromHop  Reason = "path.loss_from_hop"
	ReasonPathStopsAtHop   Reason = "path.stops_at_hop"
	ReasonPathNotMeasured  Reason = "path.not_measured"
)

var _ = register(
	ReasonInfo{ReasonTimedOut, "The check did not finish within the run's time budget: not measured."},
	ReasonInfo{ReasonInterrupted, "The run was interrupted (Ctrl-C, SIGTERM) before the check finished: not measured."},
	ReasonInfo{ReasonNoTimeLeft, "A confirmation was planned but no time was left in the budget to run it."},
	ReasonInfo{ReasonNotNeeded, "Not measured because nothing in this run depends on it."},
	ReasonInfo{ReasonNothingMeasured, "Verdict only: every check was skipped, so nothing was measured."},

	ReasonInfo{ReasonLocalResources, "This computer ran out of a local resource (open files, buffers) during the check: not a network fault."},
	ReasonInfo{ReasonLocalPermission, "This computer did not permit the measurement (socket permission): not a network fault."},
	ReasonInfo{ReasonLocalUnsupported, "This operating system does not offer what the measurement needs (e.g. raw ARP on a non-Linux system): not measured."},

	ReasonInfo{ReasonLinkAdminDown, "The interface is switched off (administratively down)."},
	ReasonInfo{ReasonLinkNoCarrier, "The interface is on but has no link: cable unplugged, Wi-Fi not associated."},
	ReasonInfo{ReasonLinkNoInterfaces, "No network interface other than loopback exists."},

	ReasonInfo{ReasonAddressDHCPFailed, "Only a self-assigned 169.254.x.x IPv4 address: DHCP did not answer."},
	ReasonInfo{ReasonAddressLinkLocalOnly, "The interface has only link-local addresses (fe80::), nothing routable."},
	ReasonInfo{ReasonAddressNone, "No interface has a usable IP address."},
	ReasonInfo{ReasonAddressNoConfig, "No address and no default route of this IP family: the family is not configured."},
	ReasonInfo{ReasonAddressNoDefaultRoute, "An address but no default route of this IP family."},
	ReasonInfo{ReasonAddressRouteWithoutAddress, "A default route of this IP family but no usable address of it."},
	ReasonInfo{ReasonAddressConflict, "Another device answers ARP for this computer's own IPv4 address (an address conflict, RFC 5227); `evidence.other_mac` names it."},

	ReasonInfo{ReasonGatewayNone, "No default gateway is configured."},
	ReasonInfo{ReasonGatewayNoARP, "The gateway does not answer ARP/NDP: nothing holds its address on the local network."},
	ReasonInfo{ReasonGatewayNoReply, "The gateway answers neither ping nor the TCP fallback ports."},
	ReasonInfo{ReasonGatewayUnreachable, "The operating system reports the gateway unreachable."},
	ReasonInfo{ReasonGatewayARPOnly, "The gateway answers ARP/NDP but neither ping nor TCP (warn)."},
	ReasonInfo{ReasonGatewayLoss, "The gateway answers, but with packet loss at or above `--loss-warn` (warn)."},
	ReasonInfo{ReasonGatewaySlow, "The gateway answers, but slower than `--rtt-warn` (warn)."},
	ReasonInfo{ReasonGatewayNotMeasured, "The gateway could not be checked: ICMP not permitted and no TCP port to try."},
	ReasonInfo{ReasonGatewayIgnoresProbes, "Layer only: the gateway ignores ping and TCP, but traffic passes through it (warn)."},
	ReasonInfo{ReasonGatewayPartlyAnswered, "Layer only: one gateway fails while another answers (warn)."},
	ReasonInfo{ReasonGatewayMisconfigured, "The configured default gateway is wrong: it is on none of this computer's networks, or nothing holds its address while another router on the network answers (`evidence.router_found`)."},

	ReasonInfo{ReasonInternetNoReply, "The internet host answers neither ping nor the TCP fallback ports."},
	ReasonInfo{ReasonInternetNextHopNoARP, "The internet host cannot be reached: the gateway on the way does not answer ARP/NDP."},
	ReasonInfo{ReasonInternetUnreachable, "The operating system or a router reports the internet host unreachable."},
	ReasonInfo{ReasonInternetLoss, "The internet host answers, but with packet loss at or above `--loss-warn` (warn)."},
	ReasonInfo{ReasonInternetSlow, "The internet host answers, but slower than `--rtt-warn` (warn)."},
	ReasonInfo{ReasonInternetNotMeasured, "The internet host could not be checked: ICMP not permitted and no TCP port to try."},
	ReasonInfo{ReasonInternetUnresolved, "The host to ping (ping command) has a name that does not resolve."},
	ReasonInfo{ReasonInternetNoIPv6Route, "An IPv6 upstream was not tried: this computer has no IPv6 default route (skip)."},
	ReasonInfo{ReasonInternetUpstreamsQuiet, "Layer only: the upstreams do not answer, but a DNS server beyond the router does, so traffic gets out (warn)."},
	ReasonInfo{ReasonInternetPartlyAnswered, "Layer only: some upstreams fail while others answer (warn)."},
	ReasonInfo{ReasonInternetIPv6Broken, "Layer only: IPv6 is configured (a global address and a default route) but reaches no IPv6 upstream while IPv4 works: programs wait for the IPv4 fallback (warn)."},

	ReasonInfo{ReasonPathMTUBlackhole, "Confirmed: packets larger than the path MTU to the host vanish without an error (MTU black hole); `evidence.path_mtu` holds the largest size that passes."},
	ReasonInfo{ReasonPathLossFromHop, "Trace: packet loss starts at a router on the way (`evidence.loss_from_hop`) and stays to the destination."},
	ReasonInfo{ReasonPathStopsAtHop, "Trace: nothing answers beyond a router on the way (`evidence.last_hop`)."},
	ReasonInfo{ReasonPathNotMeasured, "The path could not be measured (no permission for the probe packets, or no time)."},
)
