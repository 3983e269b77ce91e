package probes

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/netip"
	"strings"

	"github.com/netprobe/netprobe/internal/input"
)

// libcMaxNS is how many nameserver lines the C libraries (glibc, musl,
// the BSDs' and Go's own resolver) use from resolv.conf (MAXNS).
const libcMaxNS = 3

// maxConfigFile bounds how much of a configuration file (resolv.conf) is
// read: real ones are a few hundred bytes.
const maxConfigFile = 1 << 20

// ParseResolvConf reads nameserver lines from a resolv.conf, in the forms
// glibc, musl, the BSDs and macOS write: "nameserver ADDR", comments after
// "#" or ";" (at the start of a line or after the address), blanks and
// tabs, LF or CRLF. Addresses that do not parse are skipped; a zone
// ("fe80::1%eth0") is kept. At most maxConfigFile bytes are read and
// maxParsedResolvers servers returned, however large the file; a line of
// any length does not end the reading early.
func ParseResolvConf(r io.Reader, source string) []Resolver {
	b, _ := io.ReadAll(io.LimitReader(r, maxConfigFile))
	var out []Resolver
	for line := range textLines(b) {
		f := strings.Fields(line)
		if len(f) < 2 || f[0] != "nameserver" {
			continue
		}
		// glibc ends the address at a comment character, even without a
		// blank before it ("nameserver 192.0.2.1#office").
		v, _, _ := strings.Cut(f[1], "#")
		v, _, _ = strings.Cut(v, ";")
		a, err := netip.ParseAddr(v)
		if err != nil {
			continue
		}
		out = append(out, Resolver{Addr: netip.AddrPortFrom(a.Unmap(), 53), Source: source})
		if len(out) >= maxParsedResolvers {
			break
		}
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
	if len(rs) > libcMaxNS {
		// The servers after the third are never asked: testing them
		// would report faults nobody has.
		note = fmt.Sprintf("%s lists %d nameservers; the system's resolver uses only the first %d", path, len(rs), libcMaxNS)
		rs = rs[:libcMaxNS]
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
				// systemd-resolved itself uses all of its servers, so the
				// upstream list is not cut to three.
				note = "local stub resolver (systemd-resolved); its upstream servers are tested too"
				rs = append(rs, up...)
			}
		}
	}
	return rs, note, nil
}
