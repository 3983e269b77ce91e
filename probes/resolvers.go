package probes

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net/netip"
	"strings"

	"github.com/netprobe/netprobe/internal/input"
)

// ParseResolvConf reads nameserver lines from a resolv.conf. Addresses
// that do not parse are skipped; a zone ("fe80::1%eth0") is kept.
func ParseResolvConf(r io.Reader, source string) []Resolver {
	var out []Resolver
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 2 || f[0] != "nameserver" {
			continue
		}
		a, err := netip.ParseAddr(f[1])
		if err != nil {
			continue
		}
		out = append(out, Resolver{Addr: netip.AddrPortFrom(a.Unmap(), 53), Source: source})
	}
	return out
}

// SystemResolvers returns the DNS servers this computer uses, and a note
// when the configuration says something about them (a stub resolver). It
// reads configuration only; nothing is sent.
func SystemResolvers(ctx context.Context) ([]Resolver, string, error) {
	return readResolvers(ctx)
}

// resolvConfResolvers reads path, and when it names only a local stub
// resolver (systemd-resolved's 127.0.0.53, or another loopback resolver
// with a known upstream file) adds the stub's upstream servers from
// upstreamPath, so a broken stub and a broken upstream can be told apart.
func resolvConfResolvers(path, upstreamPath string) ([]Resolver, string, error) {
	b, _, err := input.ReadFile(path, input.MaxSystem)
	if err != nil {
		return nil, "", err
	}
	rs := ParseResolvConf(bytes.NewReader(b), path)
	note := ""
	if len(rs) == 0 {
		note = path + " lists no nameserver"
		return rs, note, nil
	}
	stub := true
	for _, r := range rs {
		if !r.Addr.Addr().IsLoopback() {
			stub = false
		}
	}
	if stub && upstreamPath != "" {
		if ub, _, err := input.ReadFile(upstreamPath, input.MaxSystem); err == nil {
			up := ParseResolvConf(bytes.NewReader(ub), "systemd-resolved upstream ("+upstreamPath+")")
			if len(up) > 0 {
				note = "local stub resolver (systemd-resolved); its upstream servers are tested too"
				rs = append(rs, up...)
			}
		}
	}
	return rs, note, nil
}
