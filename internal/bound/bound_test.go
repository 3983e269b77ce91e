package bound

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"math"
	"math/big"
	"net"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/miekg/dns"

	"github.com/netprobe/netprobe/internal/sanitize"
)

func TestBytes(t *testing.T) {
	tests := []struct {
		name, in string
		max      int
		want     string
	}{
		{"fits", "abc", 3, "abc"},
		{"cut with ellipsis", "abcdefgh", 6, "abc…"},
		{"never splits a rune", "aé€𝄞", 8, "aé…"},
		{"cut inside a 4-byte rune", "ab𝄞cd", 7, "ab…"},
		{"too small for the ellipsis", "abcdef", 2, "ab"},
		{"too small, multibyte", "éé", 1, ""},
		{"zero", "abc", 0, ""},
		{"empty", "", 5, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Bytes(tt.in, tt.max)
			if got != tt.want {
				t.Errorf("Bytes(%q, %d) = %q, want %q", tt.in, tt.max, got, tt.want)
			}
			if len(got) > max(tt.max, 0) {
				t.Errorf("len %d > %d", len(got), tt.max)
			}
			if !utf8.ValidString(got) {
				t.Errorf("invalid UTF-8 %q", got)
			}
			if again := Bytes(got, tt.max); again != got {
				t.Errorf("not idempotent: %q -> %q", got, again)
			}
		})
	}
}

func TestText(t *testing.T) {
	got := Text("\x1b[31m" + strings.Repeat("é", 1<<20) + "\u202e")
	if len(got) > MaxText || !strings.HasSuffix(got, "…") || strings.ContainsAny(got, "\x1b\u202e") {
		t.Errorf("Text(1 MB) = %d bytes %q...", len(got), got[:min(20, len(got))])
	}
	if got := Text("  Apache/2.4 \u200b(Debian)\r\n"); got != "Apache/2.4 (Debian)" {
		t.Errorf("Text = %q", got)
	}
}

func TestStrings(t *testing.T) {
	tests := []struct {
		name       string
		in         []string
		items, max int
		want       []string
	}{
		{"nil", nil, 3, 100, nil},
		{"fits", []string{"a", "b"}, 3, 100, []string{"a", "b"}},
		{"exactly the count", []string{"a", "b", "c"}, 3, 100, []string{"a", "b", "c"}},
		{"too many", []string{"a", "b", "c", "d"}, 3, 100, []string{"a", "b", "… 2 more"}},
		{"too many bytes", []string{"aaaaaa", "bbbbbb", "cccccc"}, 10, 16, []string{"aaaaaa", "… 2 more"}},
		{"first entry too big", []string{strings.Repeat("x", 50), "y"}, 10, 16, []string{"… 2 more"}},
		{"one item allowed", []string{"a", "b"}, 1, 100, []string{"… 2 more"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Strings(tt.in, tt.items, tt.max)
			if fmt.Sprintf("%q", got) != fmt.Sprintf("%q", tt.want) {
				t.Errorf("Strings = %q, want %q", got, tt.want)
			}
			if again := Strings(got, tt.items, tt.max); fmt.Sprintf("%q", again) != fmt.Sprintf("%q", got) {
				t.Errorf("not idempotent: %q -> %q", got, again)
			}
		})
	}
}

func TestKept(t *testing.T) {
	tests := []struct {
		in       []string
		want     []string
		wantMore int
	}{
		{nil, nil, 0},
		{[]string{"a", "b"}, []string{"a", "b"}, 0},
		{[]string{"a", More(3)}, []string{"a"}, 3},
		{[]string{More(4000)}, []string{}, 4000},
		{[]string{"a", "… x more"}, []string{"a", "… x more"}, 0},
		{[]string{"a", "… 03 more"}, []string{"a", "… 03 more"}, 0},
		{[]string{"a", "... 3 more"}, []string{"a", "... 3 more"}, 0},
	}
	for _, tt := range tests {
		got, more := Kept(tt.in)
		if fmt.Sprintf("%q", got) != fmt.Sprintf("%q", tt.want) || more != tt.wantMore {
			t.Errorf("Kept(%q) = %q, %d; want %q, %d", tt.in, got, more, tt.want, tt.wantMore)
		}
	}
	addrs := answer4000(t)
	kept, more := Kept(List(addrs))
	if len(kept)+more != len(addrs) {
		t.Errorf("kept %d + %d more != %d", len(kept), more, len(addrs))
	}
}

func TestStringsDoesNotAlias(t *testing.T) {
	in := []string{"a", "b"}
	out := Strings(in, 5, 100)
	out[0] = "x"
	if in[0] != "a" {
		t.Error("Strings returned its argument")
	}
}

// answer4000 is a real DNS answer with 4,000 A records, through the wire
// format and back, as a hostile resolver would send it over TCP.
func answer4000(t *testing.T) []string {
	t.Helper()
	m := new(dns.Msg)
	m.SetQuestion("many.lab.test.", dns.TypeA)
	m.Response = true
	for i := range 4000 {
		m.Answer = append(m.Answer, &dns.A{
			Hdr: dns.RR_Header{Name: "many.lab.test.", Rrtype: dns.TypeA, Class: dns.ClassINET, Ttl: 60},
			A:   net.IPv4(198, 18, byte(i>>8), byte(i)),
		})
	}
	wire, err := m.Pack()
	if err != nil {
		t.Fatal(err)
	}
	var back dns.Msg
	if err := back.Unpack(wire); err != nil {
		t.Fatal(err)
	}
	var addrs []string
	for _, rr := range back.Answer {
		addrs = append(addrs, rr.(*dns.A).A.String())
	}
	if len(addrs) != 4000 {
		t.Fatalf("%d records", len(addrs))
	}
	return addrs
}

// cert300 is a certificate with 300 DNS names, made and parsed by
// crypto/x509 as a hostile server would present it.
func cert300(t *testing.T) *x509.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "many\x1b[2J.lab.test"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
	}
	for i := range 300 {
		tmpl.DNSNames = append(tmpl.DNSNames, fmt.Sprintf("host-%03d.a-rather-long-subdomain.lab.test", i))
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestBoundsHostileAnswers: the inputs issue 8 found as 50 kB detail lines
// come out as a short line and a short list that say how much was left out.
func TestBoundsHostileAnswers(t *testing.T) {
	tests := []struct {
		name string
		in   []string
	}{
		{"DNS answer with 4000 records", answer4000(t)},
		{"certificate with 300 names", cert300(t).DNSNames},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			list := List(tt.in)
			if len(list) > MaxItems {
				t.Errorf("List kept %d entries, max %d", len(list), MaxItems)
			}
			total := 0
			for _, s := range list {
				total += len(s)
			}
			if total > MaxListBytes {
				t.Errorf("List kept %d bytes, max %d", total, MaxListBytes)
			}
			kept := len(list) - 1
			if want := More(len(tt.in) - kept); list[kept] != want {
				t.Errorf("last entry %q, want %q", list[kept], want)
			}
			for i := range kept {
				if list[i] != tt.in[i] {
					t.Errorf("entry %d = %q, want %q (first entries kept in order)", i, list[i], tt.in[i])
				}
			}
			line := Join(tt.in, ", ")
			if len(line) > MaxListBytes+2*MaxItems {
				t.Errorf("Join made a %d-byte line", len(line))
			}
			if !strings.HasSuffix(line, fmt.Sprintf("… %d more", len(tt.in)-kept)) {
				t.Errorf("Join = %q", line)
			}
		})
	}
	if s := Text(cert300(t).Subject.String()); s != "CN=many.lab.test" {
		t.Errorf("subject = %q", s)
	}
}

func TestListSanitisesEntries(t *testing.T) {
	got := List([]string{"ok.test", "evil\x1b]0;title\x07.test", "\u202etxt.exe", strings.Repeat("x", 10_000)})
	want := []string{"ok.test", "evil.test", "\uFFFDtxt.exe"}
	for i, w := range want {
		if got[i] != w {
			t.Errorf("entry %d = %q, want %q", i, got[i], w)
		}
	}
	if len(got[3]) > MaxText {
		t.Errorf("entry of %d bytes", len(got[3]))
	}
	if List(nil) != nil {
		t.Error("List(nil) is not nil")
	}
}

func TestNumbers(t *testing.T) {
	inf, nan := math.Inf(1), math.NaN()
	tests := []struct {
		name   string
		fn     func(float64) (float64, bool)
		in     float64
		want   float64
		wantOK bool
	}{
		{"percent in range", Percent, 63.5, 63.5, true},
		{"percent 500", Percent, 500, 100, true},
		{"percent negative", Percent, -3, 0, true},
		{"percent NaN", Percent, nan, 0, false},
		{"percent +Inf", Percent, inf, 0, false},
		{"percent -Inf", Percent, -inf, 0, false},
		{"ms", Millis, 12.3, 12.3, true},
		{"ms negative", Millis, -0.5, 0, true},
		{"ms NaN", Millis, nan, 0, false},
		{"ms Inf", Millis, inf, 0, false},
		{"ms huge", Millis, 1e300, 1e300, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := tt.fn(tt.in)
			if got != tt.want || ok != tt.wantOK {
				t.Errorf("(%v) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.wantOK)
			}
		})
	}
	if PercentPtr(nan) != nil || *PercentPtr(250) != 100 {
		t.Error("PercentPtr")
	}
}

// FuzzList: whatever comes in, the list is bounded, its entries are
// sanitised, and bounding again changes nothing.
func FuzzList(f *testing.F) {
	f.Add("a\x00b\x00c", 3)
	f.Add(strings.Repeat("x\x00", 100), 100)
	f.Add("\u202e\x1b[2J\x00\xff", 1)
	f.Fuzz(func(t *testing.T, joined string, repeat int) {
		parts := strings.Split(joined, "\x00")
		repeat = max(1, min(repeat, 50))
		var in []string
		for range repeat {
			in = append(in, parts...)
		}
		out := List(in)
		if len(out) > MaxItems {
			t.Fatalf("%d entries", len(out))
		}
		total := 0
		for _, s := range out {
			total += len(s)
			if !utf8.ValidString(s) {
				t.Fatalf("invalid UTF-8 %q", s)
			}
			for _, r := range s {
				if sanitize.Invisible(r) {
					t.Fatalf("rune %U in %q", r, s)
				}
			}
		}
		if total > MaxListBytes {
			t.Fatalf("%d bytes", total)
		}
		if again := List(out); fmt.Sprintf("%q", again) != fmt.Sprintf("%q", out) {
			t.Fatalf("not idempotent: %q -> %q", out, again)
		}
	})
}

// An empty list stays an empty list: evidence lists are [] in JSON, never
// null, and bounding must not turn one into the other.
func TestEmptyListStaysAList(t *testing.T) {
	if got := List([]string{}); got == nil || len(got) != 0 {
		t.Errorf("List([]) = %#v", got)
	}
	if got := List(nil); got != nil {
		t.Errorf("List(nil) = %#v", got)
	}
}
