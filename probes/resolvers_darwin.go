//go:build darwin

package probes

import (
	"bufio"
	"bytes"
	"context"
	"net/netip"
	"os/exec"
	"strings"
)

var resolvConfPath = "/etc/resolv.conf"

// macOS keeps its real resolver list in the System Configuration store;
// /etc/resolv.conf is only a compatibility copy. scutil --dns prints it.
func readResolvers(ctx context.Context) ([]Resolver, string, error) {
	out, err := exec.CommandContext(ctx, "scutil", "--dns").Output()
	if err == nil {
		if rs := parseScutilDNS(out); len(rs) > 0 {
			return rs, "", nil
		}
	}
	return resolvConfResolvers(resolvConfPath, "")
}

// parseScutilDNS reads the "nameserver[n] : addr" lines of the first
// (default) resolver block of `scutil --dns`.
func parseScutilDNS(out []byte) []Resolver {
	var rs []Resolver
	seen := map[netip.Addr]bool{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if !strings.HasPrefix(line, "nameserver[") {
			continue
		}
		_, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		a, err := netip.ParseAddr(strings.TrimSpace(v))
		if err != nil || seen[a] {
			continue
		}
		seen[a] = true
		rs = append(rs, Resolver{Addr: netip.AddrPortFrom(a, 53), Source: "scutil --dns"})
	}
	return rs
}
