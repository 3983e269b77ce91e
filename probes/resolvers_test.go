package probes

import (
	"errors"
	"io/fs"
	"net/netip"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func resolversOf(source string, addrs ...string) []Resolver {
	var out []Resolver
	for _, a := range addrs {
		out = append(out, Resolver{Addr: netip.MustParseAddrPort(a), Source: source})
	}
	return out
}

func TestParseResolvConf(t *testing.T) {
	tests := []struct {
		name string
		text string
		want []Resolver
	}{
		{name: "plain", text: "nameserver 192.0.2.53\nnameserver 2001:db8::53\n",
			want: resolversOf("t", "192.0.2.53:53", "[2001:db8::53]:53")},
		{name: "comments, search and options are not servers",
			text: "# nameserver 198.51.100.1\n;nameserver 198.51.100.2\n#nameserver 198.51.100.3\nsearch lan\ndomain lan\noptions ndots:2 edns0\nnameserver 192.0.2.53\n",
			want: resolversOf("t", "192.0.2.53:53")},
		{name: "IPv6 with zone keeps the zone", text: "nameserver fe80::1%eth0\n",
			want: []Resolver{{Addr: netip.AddrPortFrom(netip.MustParseAddr("fe80::1%eth0"), 53), Source: "t"}}},
		{name: "IPv4-mapped is unmapped", text: "nameserver ::ffff:192.0.2.9\n", want: resolversOf("t", "192.0.2.9:53")},
		{name: "trailing comment and odd spacing", text: "nameserver\t192.0.2.54   # office\n   nameserver 192.0.2.55\r\n",
			want: resolversOf("t", "192.0.2.54:53", "192.0.2.55:53")},
		{name: "bad lines are skipped",
			text: "nameserver\nnameserver not-an-ip\nnameserver 192.0.2.300\nnameserver 192.0.2.1:5353\nnameserver [2001:db8::1]\nnameservers 192.0.2.2\nNAMESERVER 192.0.2.3\nnameserver 192.0.2.56\n",
			want: resolversOf("t", "192.0.2.56:53")},
		{name: "empty", text: "", want: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ParseResolvConf(strings.NewReader(tt.text), "t")
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestResolvConfResolvers(t *testing.T) {
	td := func(name string) string { return filepath.Join("testdata", name) }
	upstreamSource := "systemd-resolved upstream (" + td("resolv.conf.upstream") + ")"
	stubNote := "local stub resolver (systemd-resolved); its upstream servers are tested too"
	tests := []struct {
		name, path, upstream string
		want                 []Resolver
		note                 string
		errIs                error
	}{
		{name: "plain file", path: td("resolv.conf.plain"), upstream: td("resolv.conf.upstream"),
			want: resolversOf(td("resolv.conf.plain"), "192.0.2.53:53", "[2001:db8::53]:53")},
		{name: "systemd-resolved stub with its upstream file", path: td("resolv.conf.stub"), upstream: td("resolv.conf.upstream"),
			want: append(resolversOf(td("resolv.conf.stub"), "127.0.0.53:53"),
				Resolver{Addr: netip.MustParseAddrPort("192.0.2.1:53"), Source: upstreamSource},
				Resolver{Addr: netip.AddrPortFrom(netip.MustParseAddr("fe80::1%eth0"), 53), Source: upstreamSource}),
			note: stubNote},
		{name: "stub without an upstream file", path: td("resolv.conf.stub"), upstream: td("does-not-exist"),
			want: resolversOf(td("resolv.conf.stub"), "127.0.0.53:53")},
		{name: "stub whose upstream file lists nothing", path: td("resolv.conf.stub"), upstream: td("resolv.conf.nonameserver"),
			want: resolversOf(td("resolv.conf.stub"), "127.0.0.53:53")},
		{name: "stub, no upstream path", path: td("resolv.conf.stub"),
			want: resolversOf(td("resolv.conf.stub"), "127.0.0.53:53")},
		{name: "loopback next to a real server is no stub", path: td("resolv.conf.mixed"), upstream: td("resolv.conf.upstream"),
			want: resolversOf(td("resolv.conf.mixed"), "127.0.0.1:53", "192.0.2.53:53")},
		{name: "no nameserver line", path: td("resolv.conf.nonameserver"), upstream: td("resolv.conf.upstream"),
			note: td("resolv.conf.nonameserver") + " lists no nameserver"},
		{name: "missing file", path: td("does-not-exist"), errIs: fs.ErrNotExist},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, note, err := resolvConfResolvers(tt.path, tt.upstream)
			if tt.errIs != nil {
				if !errors.Is(err, tt.errIs) {
					t.Fatalf("err = %v, want %v", err, tt.errIs)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("resolvers = %v, want %v", got, tt.want)
			}
			if note != tt.note {
				t.Errorf("note = %q, want %q", note, tt.note)
			}
		})
	}
}
