package redact_test

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/netprobe/netprobe/redact"
	"github.com/netprobe/netprobe/reports"
	"github.com/netprobe/netprobe/reports/reporttest"
	"github.com/netprobe/netprobe/result"
)

func TestString(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"private IPv4", "gateway 192.168.1.1", "gateway <private-ip-1>"},
		{"same address same placeholder", "10.0.0.5 and 10.0.0.5", "<private-ip-1> and <private-ip-1>"},
		{"distinct addresses numbered", "10.0.0.5, 10.0.0.6", "<private-ip-1>, <private-ip-2>"},
		{"port kept", "192.168.1.1:53", "<private-ip-1>:53"},
		{"prefix length kept", "192.168.1.23/24", "<private-ip-1>/24"},
		{"public address", "WAN 203.0.113.7", "WAN <public-ip-1>"},
		{"CGNAT", "100.64.12.1", "<cgnat-ip-1>"},
		{"APIPA stays recognisable", "169.254.10.20", "<link-local-ip-1>"},
		{"loopback kept", "127.0.0.1 and ::1", "127.0.0.1 and ::1"},
		{"unspecified kept", "0.0.0.0 and ::", "0.0.0.0 and ::"},
		{"netmask kept", "mask 255.255.255.0", "mask 255.255.255.0"},
		{"broadcast kept", "255.255.255.255", "255.255.255.255"},
		{"multicast kept", "mDNS 224.0.0.251 ff02::fb", "mDNS 224.0.0.251 ff02::fb"},
		{"public resolvers kept", "1.1.1.1 8.8.8.8 9.9.9.9 2606:4700:4700::1111 2001:4860:4860::8888", "1.1.1.1 8.8.8.8 9.9.9.9 2606:4700:4700::1111 2001:4860:4860::8888"},
		{"sentence full stop", "via 10.1.2.3.", "via <private-ip-1>."},
		{"version number is not an address", "firmware 1.2.3.4.5", "firmware 1.2.3.4.5"},
		{"glued to letters is not an address", "v10.1.2.3", "v10.1.2.3"},
		{"zero-padded octets are the same address", "010.001.002.003 10.1.2.3", "<private-ip-1> <private-ip-1>"},
		{"IPv6 global", "2a02:1234:5678::5/64", "<public-ip-1>/64"},
		{"IPv6 ULA is private", "fd12:3456:789a::23", "<private-ip-1>"},
		{"IPv6 link-local keeps zone", "fe80::1%eth0", "<link-local-ip-1>%eth0"},
		{"IPv6 in brackets with port", "[fd12::1]:853", "[<private-ip-1>]:853"},
		{"IPv4-mapped IPv6 is the same address", "192.168.1.1 ::ffff:192.168.1.1", "<private-ip-1> <private-ip-1>"},
		{"times are not addresses", "at 03:04:05", "at 03:04:05"},
		{"MAC with colons", "3c:22:fb:12:34:56", "<mac-1>"},
		{"MAC in any notation", "3C-22-FB-12-34-56 3c22.fb12.3456 3c:22:fb:12:34:56", "<mac-1> <mac-1> <mac-1>"},
		{"e-mail", "contact admin@acme-corp.com", "contact <email>"},
		{"URL user info", "http://admin:s3cret@10.0.0.9/cfg", "http://<user>@<private-ip-1>/cfg"},
		{"local domain name", "printer.acme.local", "<name-1>.local"},
		{"home.arpa", "nas.home.arpa", "<name-1>.home.arpa"},
		{"unicode local name", "打印机.local", "<name-1>.local"},
		{"public names kept", "example.com www.google.com", "example.com www.google.com"},
		{"localhost kept", "localhost", "localhost"},
		{"local inside a public name kept", "x.local.example.com", "x.local.example.com"},
		{"dial error", "read udp 192.168.1.23:53122->192.168.1.1:53: i/o timeout", "read udp <private-ip-1>:53122-><private-ip-2>:53: i/o timeout"},
		{"already redacted is stable", "<private-ip-1> <mac-1> <name-1>.local <hostname>", "<private-ip-1> <mac-1> <name-1>.local <hostname>"},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := redact.String(tt.in); got != tt.want {
				t.Errorf("String(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// identifying is a report full of things that must not survive redaction.
func identifying() result.Report {
	r := *reporttest.PrinterJam()
	r.Host.Hostname = "ANA-Laptop.acme.corp"
	r.Command = "netprobe printer 192.168.1.50 --community 's3cret c0mm' --password=hunter2 -token abc123"
	r.Verdict.Summary = "ana-laptop cannot print to PRN-2OG (192.168.1.50, serial VNB3K01234)."
	snmp := &r.Layers[3].Checks[2]
	snmp.Evidence["community"] = "public-s3cret"
	snmp.Evidence["sys_contact"] = "Ana Example <ana@acme.example>"
	snmp.Evidence["sys_location"] = "Room 2.17, Building Zurich"
	snmp.Evidence["neighbour_mac"] = "00:1b:a9:aa:bb:cc"
	snmp.Evidence["nested"] = map[string]any{"device": "prn-2og.acme.local", "addr": []any{"10.9.8.7"}}
	snmp.Evidence["ports"] = map[string]string{"9100": "open", "password": "x"}
	snmp.Detail = "PRN-2OG at printer.acme.local reports a jam"
	return r
}

// secrets lists every identifying string in identifying(), in the spelling
// it has there.
var secrets = []string{
	"ANA-Laptop", "ana-laptop", "acme.corp", "192.168.1.", "fd12:3456", "fe80::3e22",
	"3c:22:fb:12:34:56", "a4:83:e7", "00:1b:a9", "PRN-2OG", "prn-2og", "VNB3K01234",
	"s3cret", "c0mm", "hunter2", "abc123", "ana@acme", "Room 2.17", "Zurich", "10.9.8.7", "printer.acme",
}

// TestReportMasksEverywhere renders the redacted report in every format
// and checks no identifying string survives in any of them.
func TestReportMasksEverywhere(t *testing.T) {
	r := redact.Report(identifying())
	for _, f := range reports.Formats {
		for _, o := range []reports.TextOptions{{}, {Verbose: true, Unicode: true}} {
			var b bytes.Buffer
			if err := reports.Render(&b, f, &r, o); err != nil {
				t.Fatal(err)
			}
			out := strings.ToLower(b.String())
			for _, s := range secrets {
				if strings.Contains(out, strings.ToLower(s)) {
					t.Errorf("%s output contains %q", f, s)
				}
			}
		}
	}
}

func TestReportPlaceholders(t *testing.T) {
	r := redact.Report(identifying())
	if !r.Redacted {
		t.Error("Redacted not set")
	}
	if r.Host.Hostname != "<hostname>" {
		t.Errorf("hostname = %q", r.Host.Hostname)
	}
	snmp := r.Layers[3].Checks[2]
	tests := []struct {
		name string
		got  any
		want any
	}{
		{"summary", r.Verdict.Summary, "<hostname> cannot print to <sys-name-1> (<private-ip-1>, serial <serial-1>)."},
		{"command", r.Command, "netprobe printer <private-ip-1> --community <secret> --password=<secret> -token <secret>"},
		{"same address in target", r.Layers[3].Checks[0].Target, "<private-ip-1>"},
		{"gateway", r.Layers[2].Checks[0].Target, "<private-ip-4>"},
		{"detail", snmp.Detail, "<sys-name-1> at <name-1>.local reports a jam"},
		{"sys_name", snmp.Evidence["sys_name"], "<sys-name-1>"},
		{"serial", snmp.Evidence["serial"], "<serial-1>"},
		{"contact", snmp.Evidence["sys_contact"], "<contact-1>"},
		{"location", snmp.Evidence["sys_location"], "<location-1>"},
		{"community", snmp.Evidence["community"], "<secret>"},
		{"nested map", snmp.Evidence["nested"], map[string]any{"device": "<sys-name-1>.<name-2>.local", "addr": []any{"<private-ip-5>"}}},
		{"map[string]string", snmp.Evidence["ports"], map[string]string{"9100": "open", "password": "<secret>"}},
		{"mac", r.Layers[0].Checks[0].Evidence["mac"], "<mac-1>"},
		// Numbered in reading order: the command names the printer
		// first, the address layer comes before the gateway layer.
		{"addresses", r.Layers[1].Checks[0].Evidence["addresses"], []string{"<private-ip-2>/24", "<private-ip-3>/64", "<link-local-ip-1>/64"}},
		{"untouched number", snmp.Evidence["supplies"].([]result.Supply)[0].Level, 63},
		{"untouched layer", r.Verdict.Layer, result.Printer},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !reflect.DeepEqual(tt.got, tt.want) {
				t.Errorf("got %#v\nwant %#v", tt.got, tt.want)
			}
		})
	}
}

// TestReportDeepCopy changes everything the redacted copy shares structure
// with and checks the original is untouched.
func TestReportDeepCopy(t *testing.T) {
	orig := identifying()
	before := identifying()
	out := redact.Report(orig)
	if !reflect.DeepEqual(orig, before) {
		t.Fatal("Report modified its argument")
	}
	out.Verdict.Advice[0] = "x"
	out.Layers[0].Checks[0].Evidence["mac"] = "x"
	out.Layers[1].Checks[0].Evidence["addresses"].([]string)[0] = "x"
	out.Layers[3].Checks[2].Evidence["supplies"].([]result.Supply)[0].Description = "x"
	*out.Layers[3].Checks[2].Evidence["supplies"].([]result.Supply)[0].Percent = -1
	out.Layers[3].Checks[2].Evidence["nested"].(map[string]any)["addr"].([]any)[0] = "x"
	out.Layers[0].Checks = append(out.Layers[0].Checks[:0], result.Check{Name: "x"})
	if !reflect.DeepEqual(orig, before) {
		t.Error("the redacted copy shares memory with the original")
	}
}

// TestReportIdempotent: redacting twice changes nothing more, so a report
// that was redacted by an older netprobe can be redacted again safely.
func TestReportIdempotent(t *testing.T) {
	for _, f := range reporttest.All() {
		t.Run(f.Name, func(t *testing.T) {
			once := redact.Report(*f.Report)
			twice := redact.Report(once)
			if !reflect.DeepEqual(once, twice) {
				t.Errorf("second redaction changed the report:\n%+v\n%+v", once.Verdict, twice.Verdict)
			}
		})
	}
}

// TestReportStable: the same input gives the same placeholders every time,
// whatever the map iteration order.
func TestReportStable(t *testing.T) {
	want := redact.Report(identifying())
	for i := 0; i < 20; i++ {
		if got := redact.Report(identifying()); !reflect.DeepEqual(got, want) {
			t.Fatal("placeholders differ between runs")
		}
	}
}

// TestLiteralsSparePlaceholders: an identifying value that happens to be a
// placeholder word must not be masked inside placeholders.
func TestLiteralsSparePlaceholders(t *testing.T) {
	r := result.Report{Layers: []result.LayerResult{{Name: result.Printer, Checks: []result.Check{{
		Name: "snmp", Target: "10.0.0.9", Detail: "name 10.0.0.9 printer.acme.local",
		Evidence: map[string]any{"sys_name": "name"},
	}}}}}
	once := redact.Report(r)
	if got, want := once.Layers[0].Checks[0].Detail, "<sys-name-1> <private-ip-1> <name-1>.local"; got != want {
		t.Errorf("detail = %q, want %q", got, want)
	}
	if twice := redact.Report(once); !reflect.DeepEqual(once, twice) {
		t.Errorf("second pass changed %q to %q", once.Layers[0].Checks[0].Detail, twice.Layers[0].Checks[0].Detail)
	}
}

func TestReportZero(t *testing.T) {
	got := redact.Report(result.Report{})
	want := result.Report{Redacted: true}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Report(zero) = %+v", got)
	}
}

// FuzzString: masking never panics, keeps valid UTF-8 and is idempotent.
func FuzzString(f *testing.F) {
	for _, s := range []string{"10.0.0.1", "fe80::1%eth0", "a@b.co", "3c:22:fb:12:34:56", "x.local", "1.2.3.4.5", "[::1]:53", "http://u@h"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		once := redact.String(s)
		if utf8.ValidString(s) && !utf8.ValidString(once) {
			t.Fatalf("invalid UTF-8 from %q", s)
		}
		if twice := redact.String(once); twice != once {
			t.Fatalf("not idempotent: %q -> %q -> %q", s, once, twice)
		}
	})
}
