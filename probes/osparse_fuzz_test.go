package probes

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
)

// The parsers read text from programs netprobe does not control. Whatever
// they are given (truncated, CRLF, NULs, extra columns, ten megabytes),
// they must return, without panicking, at most their caps. The fuzz
// targets check the same on random input; `go test` runs their seeds (the
// samples), `go test -fuzz FuzzParseNetstat ./probes` explores further.

// osParsers runs every parser on b and checks what each returns against
// its bounds and its own promises.
var osParsers = map[string]func(t *testing.T, b []byte){
	"route print": func(t *testing.T, b []byte) {
		rp := parseRoutePrint(b)
		if len(rp.Interfaces) > maxParsedAdapters || len(rp.Routes) > maxParsedRoutes {
			t.Fatalf("route print: %d interfaces, %d routes: over the caps", len(rp.Interfaces), len(rp.Routes))
		}
		for _, r := range rp.Routes {
			if r.Family != 4 && r.Family != 6 || r.Gateway.IsValid() && routeFamily(r.Gateway) != r.Family {
				t.Fatalf("route print: inconsistent route %+v", r)
			}
		}
		checkRoutes(t, routesFromRoutePrint(rp, parseIpconfig(b)))
	},
	"ipconfig": func(t *testing.T, b []byte) {
		ads := parseIpconfig(b)
		if len(ads) > maxParsedAdapters {
			t.Fatalf("ipconfig: %d adapters", len(ads))
		}
		for _, a := range ads {
			if len(a.Addrs) > maxParsedAddrs || len(a.Gateways) > maxParsedAddrs || len(a.DNS) > maxParsedAddrs {
				t.Fatalf("ipconfig: adapter over the caps: %d/%d/%d", len(a.Addrs), len(a.Gateways), len(a.DNS))
			}
			checkName(t, a.Name)
		}
		checkRoutes(t, routesFromIpconfig(ads))
		checkResolvers(t, resolversFromIpconfig(ads))
	},
	"netsh": func(t *testing.T, b []byte) {
		ifs := parseNetshConfig(b)
		if len(ifs) > maxParsedAdapters {
			t.Fatalf("netsh: %d interfaces", len(ifs))
		}
		for _, it := range ifs {
			checkName(t, it.Name)
		}
		checkRoutes(t, routesFromNetsh(ifs))
		checkResolvers(t, resolversFromNetsh(ifs))
	},
	"netstat": func(t *testing.T, b []byte) { checkRoutes(t, parseNetstatRoutes(b)) },
	"scutil": func(t *testing.T, b []byte) {
		rs, _ := scutilDNSResolvers(b)
		checkResolvers(t, rs)
	},
	"resolv.conf": func(t *testing.T, b []byte) { checkResolvers(t, ParseResolvConf(bytes.NewReader(b), "t")) },
}

func checkRoutes(t *testing.T, rs []Route) {
	t.Helper()
	if len(rs) > maxParsedRoutes {
		t.Fatalf("%d routes: over the cap", len(rs))
	}
	for _, r := range rs {
		if r.Family != 4 && r.Family != 6 || r.Gateway.IsValid() && routeFamily(r.Gateway) != r.Family {
			t.Fatalf("inconsistent route %+v", r)
		}
		checkName(t, r.Interface)
	}
}

func checkResolvers(t *testing.T, rs []Resolver) {
	t.Helper()
	if len(rs) > maxParsedResolvers {
		t.Fatalf("%d resolvers: over the cap", len(rs))
	}
	for _, r := range rs {
		if !r.Addr.IsValid() || r.Addr.Port() == 0 {
			t.Fatalf("invalid resolver %+v", r)
		}
	}
}

// checkName: a name from a tool's output is bounded and printable.
func checkName(t *testing.T, s string) {
	t.Helper()
	if len([]rune(s)) > maxNameLen+1 || strings.ContainsAny(s, "\x1b\r\n\x00") {
		t.Fatalf("unsafe name %q", s)
	}
}

func allSamples(t testing.TB) map[string][]byte {
	files, err := filepath.Glob(filepath.Join("testdata", "os", "*", "*.txt"))
	if err != nil || len(files) < 20 {
		t.Fatalf("samples: %v (%d files)", err, len(files))
	}
	out := map[string][]byte{}
	for _, f := range files {
		rel, _ := filepath.Rel(filepath.Join("testdata", "os"), f)
		if !strings.HasPrefix(rel, "LICENSES") {
			out[rel] = osSample(t, rel)
		}
	}
	return out
}

// hostileVariants derives hostile inputs from a sample.
func hostileVariants(b []byte) map[string][]byte {
	lf := bytes.ReplaceAll(b, []byte("\r\n"), []byte("\n"))
	v := map[string][]byte{
		"as is":         b,
		"crlf":          bytes.ReplaceAll(lf, []byte("\n"), []byte("\r\n")),
		"cr only":       bytes.ReplaceAll(lf, []byte("\n"), []byte("\r")),
		"nul bytes":     bytes.ReplaceAll(lf, []byte(" "), []byte(" \x00")),
		"extra columns": bytes.ReplaceAll(lf, []byte("\n"), []byte("  extra 42 \x1b[31mred\n")),
		"tabs":          bytes.ReplaceAll(lf, []byte("  "), []byte("\t")),
		"no newlines":   bytes.ReplaceAll(lf, []byte("\n"), nil),
	}
	for i := 1; i < 8; i++ {
		v["truncated "+string(rune('0'+i))+"/8"] = lf[:len(lf)*i/8]
	}
	return v
}

func TestParsersHostile(t *testing.T) {
	for name, b := range allSamples(t) {
		for vname, in := range hostileVariants(b) {
			for pname, parse := range osParsers {
				t.Run(name+"/"+vname+"/"+pname, func(t *testing.T) { parse(t, in) })
			}
		}
	}
}

// TestParsersTenMegabytes feeds each parser 10 MB in its own format (a
// table of nothing but default routes, thousands of adapters or servers,
// one block that never ends, a sample repeated), plus a line without an
// end. The caps hold and every parser returns: the test's own timeout is
// the bound on time (each takes well under a second here).
func TestParsersTenMegabytes(t *testing.T) {
	if testing.Short() {
		t.Skip("10 MB inputs")
	}
	const size = 10 << 20
	repeat := func(s string) []byte { return bytes.Repeat([]byte(s), size/len(s)+1) }
	samples := allSamples(t)
	repeatSample := func(name string) []byte { return bytes.Repeat(samples[name], size/len(samples[name])+1) }
	endless := repeat("fe80::1:x")
	inputs := map[string]map[string][]byte{
		"route print": {
			"defaults": append([]byte("IPv4 Route Table\n=====\nActive Routes:\n"), repeat("          0.0.0.0          0.0.0.0      192.0.2.1     192.0.2.23     25\n")...),
			"v6 wraps": append([]byte("IPv6 Route Table\n=====\nActive Routes:\n"), repeat(" 12    281 ::/0\n")...),
			"sample":   repeatSample("windows/route-print-dualstack-en.txt"),
		},
		"ipconfig": {
			"adapters":    repeat("Ethernet adapter E:\n   Default Gateway . . : 192.0.2.1\n                         192.0.2.2\n   DNS Servers . . : 192.0.2.53\n"),
			"one adapter": append([]byte("Ethernet adapter E:\n   DNS Servers . . : 192.0.2.53\n"), repeat("                  192.0.2.54\n")...),
			"sample":      repeatSample("windows/ipconfig-all-dualstack-en.txt"),
		},
		"netsh": {
			"interfaces": repeat("Configuration for interface \"E\"\n    Default Gateway:  192.0.2.1\n    DNS servers configured through DHCP:  192.0.2.53\n"),
			"sample":     repeatSample("windows/netsh-ip-show-config-en.txt"),
		},
		"netstat": {
			"defaults": append([]byte("Internet:\nDestination Gateway Flags Netif Expire\n"), repeat("default 192.0.2.1 UGS em0\n")...),
			"sample":   repeatSample("darwin/netstat-rn-dualstack.txt"),
		},
		"scutil": {
			"resolvers": repeat("resolver #1\n  nameserver[0] : 192.0.2.1\n  nameserver[1] : 192.0.2.2\n"),
			"sample":    repeatSample("darwin/scutil-dns-vpn-split.txt"),
		},
		"resolv.conf": {
			"servers": repeat("nameserver 192.0.2.53\n"),
		},
	}
	for pname, parse := range osParsers {
		inputs[pname]["one endless line"] = endless
		for name, in := range inputs[pname] {
			t.Run(pname+"/"+name, func(t *testing.T) {
				t.Parallel()
				parse(t, in)
			})
		}
	}
}

func fuzzSeeds(f *testing.F, glob string) {
	files, _ := filepath.Glob(filepath.Join("testdata", "os", glob))
	if len(files) == 0 {
		f.Fatalf("no seeds for %s", glob)
	}
	for _, file := range files {
		rel, _ := filepath.Rel(filepath.Join("testdata", "os"), file)
		f.Add(osSample(f, rel))
	}
}

func FuzzParseRoutePrint(f *testing.F) {
	fuzzSeeds(f, "windows/route-print-*")
	f.Fuzz(func(t *testing.T, b []byte) { osParsers["route print"](t, b) })
}

func FuzzParseIpconfig(f *testing.F) {
	fuzzSeeds(f, "windows/ipconfig-*")
	f.Fuzz(func(t *testing.T, b []byte) { osParsers["ipconfig"](t, b) })
}

func FuzzParseNetshConfig(f *testing.F) {
	fuzzSeeds(f, "windows/netsh-*")
	f.Fuzz(func(t *testing.T, b []byte) { osParsers["netsh"](t, b) })
}

func FuzzParseNetstat(f *testing.F) {
	fuzzSeeds(f, "*/netstat-rn-*")
	f.Fuzz(func(t *testing.T, b []byte) { osParsers["netstat"](t, b) })
}

func FuzzScutilDNS(f *testing.F) {
	fuzzSeeds(f, "darwin/scutil-dns-*")
	f.Fuzz(func(t *testing.T, b []byte) { osParsers["scutil"](t, b) })
}

func FuzzParseResolvConf(f *testing.F) {
	fuzzSeeds(f, "*/resolv.conf-*")
	f.Fuzz(func(t *testing.T, b []byte) { osParsers["resolv.conf"](t, b) })
}
