package probes

import (
	"net/netip"
	"reflect"
	"strings"
	"testing"
)

func TestParseHosts(t *testing.T) {
	in := `# comment
127.0.0.1	localhost
::1 localhost ip6-localhost
10.77.1.99 Intranet intranet.corp. # the wiki
not-an-ip name
10.77.1.100
`
	got := ParseHosts(strings.NewReader(in))
	want := map[string][]netip.Addr{
		"localhost":     {netip.MustParseAddr("127.0.0.1"), netip.MustParseAddr("::1")},
		"ip6-localhost": {netip.MustParseAddr("::1")},
		"intranet":      {netip.MustParseAddr("10.77.1.99")},
		"intranet.corp": {netip.MustParseAddr("10.77.1.99")},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("ParseHosts = %v\nwant %v", got, want)
	}
}
