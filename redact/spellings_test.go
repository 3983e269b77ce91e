package redact_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/netprobe/netprobe/redact"
	"github.com/netprobe/netprobe/reports"
	"github.com/netprobe/netprobe/result"
)

// TestStringSpellings: the address spellings devices print, and secrets
// in URLs and key=value text (issue 8's redaction misses).
func TestStringSpellings(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		// IPv4
		{"zero-padded IPv4", "ip 10.001.002.003", "ip <private-ip-1>"},
		{"zero-padded loopback kept", "127.000.000.001", "127.000.000.001"},
		{"zero-padded netmask kept", "mask 255.255.255.000", "mask 255.255.255.000"},
		{"octet over 255 is no address", "10.1.2.256", "10.1.2.256"},
		{"IPv4-mapped IPv6, hex form", "::ffff:c0a8:101 and 192.168.1.1", "<private-ip-1> and <private-ip-1>"},
		{"IPv4-mapped IPv6, padded IPv4", "::ffff:192.168.001.001 192.168.1.1", "<private-ip-1> <private-ip-1>"},
		{"IPv6 with zero-padded groups", "fd12:3456:789a:0000:0000:0000:0000:0023 fd12:3456:789a::23", "<private-ip-1> <private-ip-1>"},
		// MAC
		{"bare MAC", "MAC 001122334455", "MAC <mac-1>"},
		{"dotted pairs", "00.11.22.33.44.55", "<mac-1>"},
		{"dropped leading zeros", "ether 0:11:22:33:44:55", "ether <mac-1>"},
		{"dropped zeros, dashes", "0-11-2-33-4-55", "<mac-1>"},
		{"every spelling is one MAC", "00:11:22:33:44:55 001122334455 00.11.22.33.44.55 0:11:22:33:44:55 0011.2233.4455 00-11-22-33-44-55 00:11:22:33:44:55.",
			"<mac-1> <mac-1> <mac-1> <mac-1> <mac-1> <mac-1> <mac-1>."},
		{"in a JetDirect sysDescr", "HP ETHERNET MULTI-ENVIRONMENT,ROM none,JETDIRECT,JD153,MAC 3C22FB123456,SN x", "HP ETHERNET MULTI-ENVIRONMENT,ROM none,JETDIRECT,JD153,MAC <mac-1>,SN x"},
		{"12 hex digits inside a longer hex string", "sha 0123456789abcdef0123", "sha 0123456789abcdef0123"},
		{"13 digits are no MAC", "1767323045000", "1767323045000"},
		{"8-group IPv6 is no MAC", "fd00:1:2:3:4:5:6:7", "<private-ip-1>"},
		{"6 groups after :: are IPv6", "fd00::1:2:3:4:5:6", "<private-ip-1>"},
		{"seven dotted pairs are no MAC", "00.11.22.33.44.55.66", "00.11.22.33.44.55.66"},
		// URLs
		{"query values", "https://svc.example.com/h?token=abc123&key=XyZ&page=2", "https://svc.example.com/h?token=<secret>&key=<secret>&page=<secret>"},
		{"fragment values", "https://app.example.com/cb#access_token=abc&state=x", "https://app.example.com/cb#access_token=<secret>&state=<secret>"},
		{"signed URL", "https://b.example.com/o?X-Amz-Credential=AKIAX%2F1&X-Amz-Signature=deadbeef", "https://b.example.com/o?X-Amz-Credential=<secret>&X-Amz-Signature=<secret>"},
		{"query after a masked host", "https://10.0.0.9:8443/x?password=hunter2", "https://<private-ip-1>:8443/x?password=<secret>"},
		{"query after a placeholder host", "https://<private-ip-1>/x?sig=abc", "https://<private-ip-1>/x?sig=<secret>"},
		{"user info and query", "http://admin:s3cret@10.0.0.9/cfg?sid=42", "http://<user>@<private-ip-1>/cfg?sid=<secret>"},
		{"empty values and bare keys kept", "https://h.example.com/?a=&flag&b=1", "https://h.example.com/?a=&flag&b=<secret>"},
		{"URL ends at a quote", "GET 'https://h.example.com/?k=v' ok", "GET 'https://h.example.com/?k=<secret>' ok"},
		{"no query, nothing masked", "https://example.com/a/b", "https://example.com/a/b"},
		// key=value outside URLs
		{"password pair", "login failed: password=hunter2 user=ana", "login failed: password=<secret> user=ana"},
		{"token with colon", "token: abc.def.ghi", "token: <secret>"},
		{"quoted community", "community='s3cret c0mm' rejected", "community=<secret> rejected"},
		{"prefixed key", "snmp_community=x1 auth_passphrase: y2", "snmp_community=<secret> auth_passphrase: <secret>"},
		{"bearer token", "Authorization: Bearer eyJhbGciOi.eyJzdWIi.sig", "Authorization: <secret> <secret>"},
		{"a word containing key is no key", "keyboard=us monkey=1", "keyboard=us monkey=1"},
		// splitting a value with invisible characters
		{"zero-width space inside an address", "gateway 192.168\u200b.1.1", "gateway <private-ip-1>"},
		{"bidi mark inside a MAC", "3c:22:fb\u061c:12:34:56", "<mac-1>"},
		{"bidi override inside an address", "dns 10.0\u202e.0.53", "dns <private-ip-1>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := redact.String(tt.in)
			if got != tt.want {
				t.Errorf("String(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if again := redact.String(got); again != got {
				t.Errorf("not idempotent: %q -> %q", got, again)
			}
		})
	}
}

// device carries a secret in a struct field, as a future probe type might.
type device struct {
	Name      string
	Community string `json:"community"`
}

// TestReportSecretsCannotBeSplitOff: a secret seen anywhere in the report
// is masked in every string and every format, whatever its white space,
// with invisible characters inside, cut short by truncation, or split over
// two console lines.
func TestReportSecretsCannotBeSplitOff(t *testing.T) {
	r := result.Report{
		Command: "netprobe printer 10.0.0.9 --community 'Wd4k Jr8s'",
		Layers: []result.LayerResult{{Name: result.Printer, Status: result.Fail, Checks: []result.Check{{
			Name: "snmp", Target: "http://admin:Pw9xLq2z@10.0.0.9/?token=Tk5zQ8wm", Status: result.Fail,
			Detail: "device echoes Xq7v-Zk9w\t\tpP2m; login Pw9xLq2z failed; token Tk5zQ8wm expired; Wd4k  Jr8s rejected",
			Error:  "community Xq7v\u200b-Zk9w pP2m rejected",
			Evidence: map[string]any{
				"community": "Xq7v-Zk9w  pP2m",
				"sys_descr": "HP LaserJet, configured with Xq7v-Zk9…",
				"display":   []string{"SNMP ERR Xq7v-Z", "k9w pP2m"},
				"device":    device{Name: "prn", Community: "Mn3bVc6x"},
				"snmp":      map[string]string{"auth_passphrase": "Hy6tGf5r"},
				"note":      "Mn3bVc6x and Hy6tGf5r are set",
			},
		}}}},
	}
	out := redact.Report(r)
	fragments := []string{"Xq7v", "Zk9w", "pP2m", "Pw9x", "Lq2z", "Tk5z", "Q8wm", "Wd4k", "Jr8s", "Mn3b", "Vc6x", "Hy6t", "Gf5r", "v-Z", "k9w"}
	for _, f := range reports.Formats {
		var b bytes.Buffer
		if err := reports.Render(&b, f, &out, reports.TextOptions{Verbose: true}); err != nil {
			t.Fatal(err)
		}
		low := strings.ToLower(b.String())
		for _, frag := range fragments {
			if strings.Contains(low, strings.ToLower(frag)) {
				t.Errorf("%s output contains %q of a secret:\n%s", f, frag, b.String())
			}
		}
	}
	if d := out.Layers[0].Checks[0].Evidence["device"].(device); d.Community != "<secret>" || d.Name != "prn" {
		t.Errorf("struct = %+v", d)
	}
}

// TestWellKnownCommunityIsNoWord: the default community "public" is masked
// where it stands, but the word stays in sentences.
func TestWellKnownCommunityIsNoWord(t *testing.T) {
	r := result.Report{Verdict: result.Verdict{Summary: "8.8.8.8 is a public resolver"},
		Layers: []result.LayerResult{{Name: result.Printer, Checks: []result.Check{{Name: "snmp", Evidence: map[string]any{"community": "public"}}}}}}
	out := redact.Report(r)
	if out.Verdict.Summary != "8.8.8.8 is a public resolver" {
		t.Errorf("summary = %q", out.Verdict.Summary)
	}
	if got := out.Layers[0].Checks[0].Evidence["community"]; got != "<secret>" {
		t.Errorf("community = %v", got)
	}
}

// TestSecretShapedLikePlaceholders: a secret whose text contains what
// looks like a placeholder ("<b>") is still masked whole.
func TestSecretShapedLikePlaceholders(t *testing.T) {
	r := result.Report{Layers: []result.LayerResult{{Name: result.Service, Checks: []result.Check{{
		Name: "http", Detail: "server said <b>Kx9q</b>mW2z", Evidence: map[string]any{"token": "<b>Kx9q</b>mW2z"},
	}}}}}
	if got := redact.Report(r).Layers[0].Checks[0].Detail; got != "server said <secret>" {
		t.Errorf("detail = %q", got)
	}
}

// TestEveryFreeTextFieldIsMasked: a value cannot slip past redaction by
// sitting in a field netprobe normally fills itself.
func TestEveryFreeTextFieldIsMasked(t *testing.T) {
	const ip = "10.9.8.7"
	r := result.Report{
		Tool: result.Tool{Name: ip, Version: ip}, Host: result.Host{OS: ip, Arch: ip, ICMP: ip},
		Layers: []result.LayerResult{{Name: result.Link, Checks: []result.Check{{Name: ip}}}},
	}
	for _, f := range reports.Formats {
		var b bytes.Buffer
		out := redact.Report(r)
		if err := reports.Render(&b, f, &out, reports.TextOptions{}); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(b.String(), ip) {
			t.Errorf("%s output shows %s", f, ip)
		}
	}
}
