package probes

import (
	"context"
	"crypto/x509"
	"net"
	"net/netip"
	"net/url"
	"testing"
	"time"

	"github.com/netprobe/netprobe/internal/testnet"
	"github.com/netprobe/netprobe/result"
)

// The reason codes of the failures the table tests of each probe do not
// reach: each case builds the real condition on loopback (or calls the
// pure judging step where loopback cannot produce it) and asserts the
// code.

// serveBytes accepts connections on loopback and answers each with b
// after reading its request (or TLS ClientHello).
func serveBytes(t *testing.T, b []byte) string {
	port := testnet.ServeTCP(t, func(c net.Conn) {
		c.Read(make([]byte, 4096))
		c.Write(b)
	})
	return net.JoinHostPort("127.0.0.1", itoa(port))
}

func TestServiceReasons(t *testing.T) {
	t.Parallel()
	notHTTP := serveBytes(t, []byte("SSH-2.0-OpenSSH_9.6\r\n\r\n"))
	p := newPKI(t)
	clientOnly := serveTLS(t, makeCert(t, certSpec{cn: "svc.test", dnsNames: []string{"svc.test"}, ips: loopbackIPs, clientOnly: true}, p.inter), p.inter)

	t.Run("an answer that is not HTTP", func(t *testing.T) {
		u, _ := url.Parse("http://" + notHTTP + "/")
		got := Web(longCtx(t), u, WebOptions{})
		if c := got[len(got)-1]; c.Name != "http" || c.Reason != result.ReasonHTTPNoResponse {
			t.Fatalf("%s %s %q: %s", c.Name, c.Status, c.Reason, c.Detail)
		}
	})
	t.Run("a TLS port that speaks something else", func(t *testing.T) {
		u, _ := url.Parse("https://" + notHTTP + "/")
		got := Web(longCtx(t), u, WebOptions{})
		if len(got) < 2 || got[1].Name != "tls" || got[1].Reason != result.ReasonTLSHandshakeFailed {
			t.Fatalf("checks %+v", reasonsOf(got))
		}
	})
	t.Run("a certificate for client authentication only", func(t *testing.T) {
		u, _ := url.Parse(clientOnly.URL + "/")
		got := Web(longCtx(t), u, WebOptions{TLS: TLSOptions{ServerName: "svc.test", ExtraCAs: []*x509.Certificate{p.root.cert}}})
		if len(got) < 2 || got[1].Reason != result.ReasonTLSInvalid {
			t.Fatalf("reasons %q (%s)", reasonsOf(got), got[1].Detail)
		}
	})
	t.Run("a request that cannot be sent", func(t *testing.T) {
		a, b := net.Pipe()
		b.Close()
		a.Close()
		u, _ := url.Parse("http://127.0.0.1/")
		if c := httpGet(longCtx(t), a, u, WebOptions{}); c.Reason != result.ReasonHTTPSendFailed {
			t.Fatalf("%s %q", c.Status, c.Reason)
		}
	})
	t.Run("a URL that makes no request", func(t *testing.T) {
		a, _ := net.Pipe()
		defer a.Close()
		u := &url.URL{Scheme: "http", Host: "bad host"}
		if c := httpGet(longCtx(t), a, u, WebOptions{}); c.Reason != result.ReasonHTTPBadRequest {
			t.Fatalf("%s %q", c.Status, c.Reason)
		}
	})
	t.Run("404 warns with its code", func(t *testing.T) {
		u, _ := url.Parse("http://" + serveHTTP404(t) + "/missing")
		got := Web(longCtx(t), u, WebOptions{})
		if c := got[len(got)-1]; c.Status != result.Warn || c.Reason != result.ReasonHTTPStatus4xx {
			t.Fatalf("%s %q", c.Status, c.Reason)
		}
	})
}

func serveHTTP404(t *testing.T) string {
	return serveBytes(t, []byte("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"))
}

func TestPortsReasons(t *testing.T) {
	t.Parallel()
	srv := testnet.StartDNS(t, resolverZone())
	ctx := WithResolvers(longCtx(t), []netip.AddrPort{srv})
	cs := Ports(ctx, "nx.test.", []PortSpec{{"tcp", 80}}, PortsOptions{})
	if len(cs) != 1 || cs[0].Reason != result.ReasonPortsUnresolved {
		t.Fatalf("unresolved sweep: %q", reasonsOf(cs))
	}
	filtered := filteredTCP(t)
	var many []PortSpec
	for i := 0; i < DefaultSweepDetail+1; i++ {
		many = append(many, PortSpec{"tcp", filtered})
	}
	sctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	cs = Ports(sctx, "127.0.0.1", many, PortsOptions{Timeout: 200 * time.Millisecond})
	if last := cs[len(cs)-1]; last.Name != "ports" || last.Reason != result.ReasonPortsNoneAnswer {
		t.Fatalf("silent sweep: %s %q %s", last.Status, last.Reason, last.Detail)
	}
}

func TestLinkAndAddressReasons(t *testing.T) {
	at := time.Unix(0, 0)
	if cs := Link(System{}, at); len(cs) != 1 || cs[0].Reason != result.ReasonLinkNoInterfaces {
		t.Fatalf("no interfaces: %q", reasonsOf(cs))
	}
	v6only := System{Interfaces: []Interface{{Name: "eth0", AdminUp: true, Running: true,
		Addrs: []netip.Prefix{netip.MustParsePrefix("fd00:77:0:1::10/64")}}},
		DefaultRoutes: []Route{{Family: 6, Gateway: netip.MustParseAddr("fe80::1"), Interface: "eth0"}}}
	cs := Address(v6only, AddressNeeds{V6: true}, at)
	if got := reasonOfTarget(cs, "IPv4 default route"); got != result.ReasonNotNeeded {
		t.Errorf("IPv4 not needed: %q", got)
	}
	linkLocal := System{Interfaces: []Interface{{Name: "eth0", AdminUp: true, Running: true,
		Addrs: []netip.Prefix{netip.MustParsePrefix("fe80::10/64")}}}}
	cs = Address(linkLocal, AddressNeeds{V4: true}, at)
	if got := reasonOfTarget(cs, "eth0"); got != result.ReasonAddressLinkLocalOnly {
		t.Errorf("link-local only: %q", got)
	}
	nothing := System{Interfaces: []Interface{{Name: "eth0", AdminUp: false}}}
	cs = Address(nothing, AddressNeeds{V4: true}, at)
	if got := reasonOfTarget(cs, "interfaces"); got != result.ReasonAddressNone {
		t.Errorf("no address anywhere: %q", got)
	}
	routeNoAddr := System{Interfaces: []Interface{{Name: "eth0", AdminUp: true, Running: true,
		Addrs: []netip.Prefix{netip.MustParsePrefix("10.77.1.10/24")}}},
		DefaultRoutes: []Route{{Family: 4, Gateway: netip.MustParseAddr("10.77.1.1"), Interface: "eth0"},
			{Family: 6, Gateway: netip.MustParseAddr("fe80::1"), Interface: "eth0"}}}
	cs = Address(routeNoAddr, AddressNeeds{V4: true, V6: true}, at)
	if got := reasonOfTarget(cs, "IPv6 default route"); got != result.ReasonAddressRouteWithoutAddress {
		t.Errorf("a route without an address: %q", got)
	}
}

func reasonOfTarget(cs []result.Check, target string) result.Reason {
	for _, c := range cs {
		if c.Target == target {
			return c.Reason
		}
	}
	return "(no check of " + result.Reason(target) + ")"
}

// The same findings mean different codes for the router and for an
// internet host.
func TestPingReasonsPerLayer(t *testing.T) {
	open := testnet.OpenTCP(t)
	denied := ICMPPermission{Mode: ICMPDenied, Reason: "test"}
	c := Ping(longCtx(t), lo4, PingOptions{Layer: result.Gateway, Permission: denied, FallbackPorts: []int{open}, RTTWarn: time.Nanosecond})
	if c.Status != result.Warn || c.Reason != result.ReasonGatewaySlow {
		t.Errorf("slow gateway over TCP: %s %q", c.Status, c.Reason)
	}
	c = Ping(longCtx(t), lo4, PingOptions{Layer: result.Gateway, Permission: denied})
	if c.Status != result.Skip || c.Reason != result.ReasonGatewayNotMeasured {
		t.Errorf("gateway not measurable: %s %q", c.Status, c.Reason)
	}
	for finding, want := range map[string]result.Reason{
		"loss": result.ReasonGatewayLoss, "no_arp": result.ReasonGatewayNoARP, "arp_only": result.ReasonGatewayARPOnly,
		"unreachable": result.ReasonGatewayUnreachable,
	} {
		if got := pingReason(result.Gateway, finding); got != want {
			t.Errorf("gateway %s: %q, want %q", finding, got, want)
		}
	}
	for finding, want := range map[string]result.Reason{
		"loss": result.ReasonInternetLoss, "next_hop_no_arp": result.ReasonInternetNextHopNoARP,
		"unreachable": result.ReasonInternetUnreachable, "slow": result.ReasonInternetSlow,
	} {
		if got := pingReason(result.Internet, finding); got != want {
			t.Errorf("internet %s: %q, want %q", finding, got, want)
		}
	}
}
