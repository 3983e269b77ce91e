//go:build linux

package e2e

import (
	"net/netip"
	"strings"
	"testing"
)

// TestCheckLabOnly proves the harness's guard: no netprobe command line that
// could reach beyond the lab gets through. It needs no root, so it runs
// everywhere, including where the lab itself skips.
func TestCheckLabOnly(t *testing.T) {
	base := []string{"--upstream", anycastV4, "--dns-name", "www.lab.test", "--target", "https://svc.lab.test/", "--no-portal-check"}
	with := func(extra ...string) []string { return append(append([]string{}, base...), extra...) }
	tests := []struct {
		name    string
		args    []string
		wantErr string // "" = allowed
	}{
		{"lab run", with("--upstream", anycastV6, "--printer", printerV4, "--community", "x", "--count", "50"), ""},
		{"flag=value form", []string{"--upstream=" + anycastV4, "--dns-name=svc.lab.test", "--target=tcp://" + svcV4 + ":443", "--portal-url=http://portal.lab.test/generate_204"}, ""},
		{"bare host:port target", with("--target", "["+svcV6+"]:587"), ""},
		{"lab resolver with port", with("--resolver", resolverAV4+":53"), ""},
		{"lab proxy", with("--proxy", "http://"+proxyV4+":"+proxyPort), ""},
		{"proxy settings ignored", with("--no-proxy"), ""},
		{"proxy outside the lab", with("--proxy", "http://192.0.2.1:3128"), "not an http:// proxy address in the lab"},
		{"proxy with a login", with("--proxy", "http://u:p@"+proxyV4+":"+proxyPort), "not an http:// proxy address in the lab"},
		{"no upstream", []string{"--dns-name", "www.lab.test", "--target", "https://svc.lab.test/", "--no-portal-check"}, "without --upstream"},
		{"no dns name", []string{"--upstream", anycastV4, "--target", "https://svc.lab.test/", "--no-portal-check"}, "without --dns-name"},
		{"no target", []string{"--upstream", anycastV4, "--dns-name", "www.lab.test", "--no-portal-check"}, "without --target"},
		{"lab portal URL", append(with(), "--portal-url", "http://"+svcV4+":8080/generate_204#status=204"), ""},
		{"portal check skipped before other flags", []string{"--no-portal-check", "--upstream", anycastV4, "--dns-name", "www.lab.test", "--target", "https://svc.lab.test/"}, ""},
		{"no portal flag", []string{"--upstream", anycastV4, "--dns-name", "www.lab.test", "--target", "https://svc.lab.test/"}, "without --portal-url or --no-portal-check"},
		{"no portal flag, internet layer asked for", []string{"--upstream", anycastV4, "--dns-name", "www.lab.test", "--target", "https://svc.lab.test/", "--layers", "gateway,internet"}, "without --portal-url or --no-portal-check"},
		{"no portal flag, no internet layer", []string{"--upstream", anycastV4, "--dns-name", "www.lab.test", "--target", "https://svc.lab.test/", "--layers", "dns,service"}, ""},
		{"public portal URL", with("--portal-url", "http://connectivitycheck.gstatic.com/generate_204"), "not an http:// URL in the lab"},
		{"public portal URL by address", with("--portal-url", "http://1.1.1.1/"), "not an http:// URL in the lab"},
		{"https portal URL", with("--portal-url", "https://portal.lab.test/"), "not an http:// URL in the lab"},
		{"no-portal-check with a value", with("--no-portal-check=false"), "takes no value"},
		{"public upstream", with("--upstream", "1.1.1.1"), "not a lab address"},
		{"host's own gateway", with("--upstream", "192.0.2.1"), "not a lab address"},
		{"public v6 upstream", with("--upstream", "2606:4700:4700::1111"), "not a lab address"},
		{"fd00:77 outside the /48", with("--upstream", "fd00:77:1::1"), "not a lab address"},
		{"public dns name", []string{"--upstream", anycastV4, "--dns-name", "example.com", "--target", "https://svc.lab.test/"}, "not a lab.test name"},
		{"look-alike name", []string{"--upstream", anycastV4, "--dns-name", "evil-lab.test", "--target", "https://svc.lab.test/"}, "not a lab.test name"},
		{"public target", with("--target", "https://example.com/"), "outside the lab"},
		{"public target ip", with("--target", "tcp://8.8.8.8:53"), "outside the lab"},
		{"public resolver", with("--resolver", "9.9.9.9"), "not a lab address"},
		{"public printer", with("--printer", "203.0.113.9"), "not a lab address"},
		{"printer by name", with("--printer", "printer.example.com"), "not a lab address"},
		{"config file", with("--config", "/etc/netprobe.yaml"), "not known to the lab harness"},
		{"harness-owned timeout", with("--timeout", "1s"), "set by the harness"},
		{"positional", with("diagnose"), "positional"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := checkLabOnly(tt.args)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("checkLabOnly(%q) = %v, want allowed", tt.args, err)
			case tt.wantErr != "" && err == nil:
				t.Fatalf("checkLabOnly(%q) allowed it, want error containing %q", tt.args, tt.wantErr)
			case tt.wantErr != "" && !strings.Contains(err.Error(), tt.wantErr):
				t.Fatalf("checkLabOnly(%q) = %v, want error containing %q", tt.args, err, tt.wantErr)
			}
		})
	}
}

// TestLabAddressesInLabRanges keeps every address the lab configures inside
// the ranges the guard allows, so a typo cannot put a real address on a
// lab interface.
func TestLabAddressesInLabRanges(t *testing.T) {
	for _, a := range []string{clientV4, clientV6, gwV4, gwV6, printerV4, printerV6, routerUpV4, routerUpV6,
		ispDownV4, ispDownV6, ispUpV4, ispUpV6, upstreamV4, upstreamV6, anycastV4, anycastV6,
		resolverAV4, resolverBV6, svcV4, svcV6, staleV4, staleV6} {
		if !inLab(netip.MustParseAddr(a)) {
			t.Errorf("%s is outside %v", a, labPrefixes)
		}
	}
	for _, z := range []map[string][]string{zone, staleZone} {
		for name, addrs := range z {
			for _, a := range addrs {
				if !inLab(netip.MustParseAddr(a)) {
					t.Errorf("zone %s -> %s is outside the lab", name, a)
				}
			}
		}
	}
	// Every prefix a route or an address in the baseline names, so a new
	// hop or link cannot bring in a real address either.
	for ns, lines := range baseline() {
		for _, line := range lines {
			f := strings.Fields(line)
			for _, w := range f {
				if w == "default" || !strings.ContainsAny(w, ".:") || strings.Contains(w, "lab.test") {
					continue
				}
				p, err := netip.ParsePrefix(w)
				if err != nil {
					a, aerr := netip.ParseAddr(w)
					if aerr != nil {
						continue
					}
					p = netip.PrefixFrom(a, a.BitLen())
				}
				if p.Addr().IsLinkLocalUnicast() {
					continue // never routed: the "DHCP gave up" address
				}
				if !prefixInLab(p) {
					t.Errorf("%s baseline %q: %s is outside the lab", ns, line, w)
				}
			}
		}
	}
}

// prefixInLab reports whether all of p lies inside one lab prefix.
func prefixInLab(p netip.Prefix) bool {
	p = p.Masked()
	for _, lp := range labPrefixes {
		if lp.Bits() <= p.Bits() && lp.Contains(p.Addr()) {
			return true
		}
	}
	return false
}
