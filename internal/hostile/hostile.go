// Package hostile loads the hostile-input corpus in testdata/hostile/ for
// tests and fuzz seeds: strings a device or server may send, hostile DNS
// answers, and certificates made to break a report. It is test support:
// nothing in netprobe itself imports it.
//
// The corpus is data, so adding an entry to testdata/hostile/ extends
// every test that replays it.
package hostile

import (
	"bufio"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/miekg/dns"
)

// Dir is testdata/hostile of this module, found from this file's place so
// tests in any package can load it.
func Dir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "testdata", "hostile")
}

// Entry is one named hostile value.
type Entry struct {
	Name  string
	Value string
}

// Strings loads testdata/hostile/strings.txt.
func Strings() ([]Entry, error) {
	path := filepath.Join(Dir(), "strings.txt")
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []Entry
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		parts := strings.SplitN(line, "\t", 3)
		if len(parts) != 3 {
			return nil, fmt.Errorf("%s:%d: want NAME<TAB>REPEAT<TAB>VALUE", path, n)
		}
		rep, err := strconv.Atoi(parts[1])
		if err != nil || rep < 1 || rep > 1<<21 {
			return nil, fmt.Errorf("%s:%d: bad repeat count %q", path, n, parts[1])
		}
		v, err := strconv.Unquote(parts[2])
		if err != nil {
			return nil, fmt.Errorf("%s:%d: value: %v", path, n, err)
		}
		out = append(out, Entry{Name: parts[0], Value: strings.Repeat(v, rep)})
	}
	return out, sc.Err()
}

// Answer is one hostile DNS reply, after a trip through the wire format.
type Answer struct {
	Name string
	Msg  *dns.Msg
}

// Answers loads testdata/hostile/dns/*.zone as replies to evil.lab.test.
func Answers() ([]Answer, error) {
	files, err := filepath.Glob(filepath.Join(Dir(), "dns", "*.zone"))
	if err != nil {
		return nil, err
	}
	sort.Strings(files)
	var out []Answer
	for _, path := range files {
		f, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		var rrs []dns.RR
		zp := dns.NewZoneParser(f, "", path)
		for rr, ok := zp.Next(); ok; rr, ok = zp.Next() {
			rrs = append(rrs, rr)
		}
		f.Close()
		if err := zp.Err(); err != nil {
			return nil, err
		}
		m, err := reply(rrs)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		out = append(out, Answer{Name: strings.TrimSuffix(filepath.Base(path), ".zone"), Msg: m})
	}
	return out, nil
}

// ManyRecords is a reply with n A records in 198.18.0.0/15, such as the
// 4,000-record answer of issue 8.
func ManyRecords(n int) (*dns.Msg, error) {
	rrs := make([]dns.RR, n)
	for i := range rrs {
		rrs[i] = &dns.A{
			Hdr: dns.RR_Header{Name: "many.lab.test.", Rrtype: dns.TypeA, Class: dns.ClassINET, Ttl: 60},
			A:   net.IPv4(198, 18+byte(i>>16&1), byte(i>>8), byte(i)),
		}
	}
	return reply(rrs)
}

// reply packs rrs into a reply and unpacks it, so what a test sees is what
// a probe would read from the wire.
func reply(rrs []dns.RR) (*dns.Msg, error) {
	m := new(dns.Msg)
	m.SetQuestion("evil.lab.test.", dns.TypeA)
	m.Response = true
	m.Answer = rrs
	wire, err := m.Pack()
	if err != nil {
		return nil, err
	}
	back := new(dns.Msg)
	return back, back.Unpack(wire)
}

// ProbeStrings are the strings the DNS probe takes from a reply: addresses
// and CNAME targets, plus every record in presentation form (what a probe
// showing other types would print).
func ProbeStrings(m *dns.Msg) (addrs, cnames, records []string) {
	for _, rr := range m.Answer {
		switch v := rr.(type) {
		case *dns.A:
			addrs = append(addrs, v.A.String())
		case *dns.AAAA:
			addrs = append(addrs, v.AAAA.String())
		case *dns.CNAME:
			cnames = append(cnames, v.Target)
		case *dns.TXT:
			records = append(records, v.Txt...)
		}
		records = append(records, rr.String())
	}
	return addrs, cnames, records
}

// Certificate makes a self-signed certificate with the given subject and
// DNS names, parsed back as a TLS client would see it.
func Certificate(subject pkix.Name, names []string) (*x509.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(8),
		Subject:      subject,
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(time.Hour),
		DNSNames:     names,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, err
	}
	return x509.ParseCertificate(der)
}

// Certificates are the hostile certificates of issue 8 and more: 300 DNS
// names, and a subject and names carrying escape sequences, bidi controls
// and markup.
func Certificates() (map[string]*x509.Certificate, error) {
	many := make([]string, 300)
	for i := range many {
		many[i] = fmt.Sprintf("host-%03d.a-rather-long-subdomain.lab.test", i)
	}
	specs := map[string]struct {
		subject pkix.Name
		names   []string
	}{
		"300-names": {pkix.Name{CommonName: "many.lab.test"}, many},
		"subject-controls": {pkix.Name{
			CommonName:         "evil\x1b]0;pwned\x07\x1b[2J.lab.test",
			Organization:       []string{"ACME \u202egnp.exe\u200b\ufeff"},
			OrganizationalUnit: []string{"<script>alert(1)</script> | `id` ]]> \"},"},
			Country:            []string{"\x00\r\n"},
		}, []string{"evil\x1b[31m.lab.test", "a|b.lab.test", "<b>.lab.test", "x\"}.lab.test"}},
	}
	out := map[string]*x509.Certificate{}
	for name, s := range specs {
		c, err := Certificate(s.subject, s.names)
		if err != nil {
			return nil, fmt.Errorf("certificate %s: %w", name, err)
		}
		out[name] = c
	}
	return out, nil
}
