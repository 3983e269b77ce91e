package snmpagent

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gosnmp/gosnmp"
)

const recordings = "../../testdata/printers"

func load(t *testing.T, name string) []Record {
	t.Helper()
	recs, err := LoadFile(filepath.Join(recordings, name+".snmprec"))
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

func start(t *testing.T, recs []Record, opt Options) *Agent {
	t.Helper()
	a, err := Start(recs, opt)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	return a
}

// client builds a real gosnmp manager aimed at the agent.
func client(t *testing.T, a *Agent, version gosnmp.SnmpVersion, community string) *gosnmp.GoSNMP {
	t.Helper()
	g := &gosnmp.GoSNMP{
		Target: a.Host(), Port: uint16(a.Port()), Version: version, Community: community,
		Timeout: 300 * time.Millisecond, Retries: 0, Context: context.Background(),
	}
	if err := g.Connect(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { g.Conn.Close() })
	return g
}

func TestParse(t *testing.T) {
	tests := []struct {
		name, in string
		oid      string
		typ      gosnmp.Asn1BER
		want     any
	}{
		{"integer", "1.3.6.1.2.1.25.3.2.1.5.1|2|3", "1.3.6.1.2.1.25.3.2.1.5.1", gosnmp.Integer, 3},
		{"negative integer", "1.3.6.1.2.1.43.11.1.1.9.1.1|2|-3", "1.3.6.1.2.1.43.11.1.1.9.1.1", gosnmp.Integer, -3},
		{"string", "1.3.6.1.2.1.1.1.0|4|SHARP MX-3570N", "1.3.6.1.2.1.1.1.0", gosnmp.OctetString, "SHARP MX-3570N"},
		{"value with a bar", "1.3.6.1.2.1.1.1.0|4|a|b", "1.3.6.1.2.1.1.1.0", gosnmp.OctetString, "a|b"},
		{"hex string", "1.3.6.1.2.1.25.3.5.1.2.1|4x|2000", "1.3.6.1.2.1.25.3.5.1.2.1", gosnmp.OctetString, "\x20\x00"},
		{"empty string", "1.3.6.1.2.1.25.3.5.1.2.1|4|", "1.3.6.1.2.1.25.3.5.1.2.1", gosnmp.OctetString, ""},
		{"oid", "1.3.6.1.2.1.1.2.0|6|1.3.6.1.4.1.11", "1.3.6.1.2.1.1.2.0", gosnmp.ObjectIdentifier, "1.3.6.1.4.1.11"},
		{"timeticks", "1.3.6.1.2.1.1.3.0|67|220329339", "1.3.6.1.2.1.1.3.0", gosnmp.TimeTicks, uint32(220329339)},
		{"counter64", "1.3.6.1.2.1.31.1.1.1.6.1|70|18446744073709551615", "1.3.6.1.2.1.31.1.1.1.6.1", gosnmp.Counter64, uint64(18446744073709551615)},
		{"ip hex", "1.3.6.1.2.1.4.20.1.1.10.0.0.1|64x|0a000001", "1.3.6.1.2.1.4.20.1.1.10.0.0.1", gosnmp.IPAddress, "\x0a\x00\x00\x01"},
		{"leading dot", ".1.3.6.1.2.1.1.5.0|4|x", "1.3.6.1.2.1.1.5.0", gosnmp.OctetString, "x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			recs, err := Parse(strings.NewReader(tt.in + "\n"))
			if err != nil {
				t.Fatal(err)
			}
			r := recs[0]
			got := r.Value
			if b, ok := got.([]byte); ok {
				got = string(b)
			}
			if r.OID != tt.oid || r.Type != tt.typ || got != tt.want {
				t.Errorf("got %s %v %#v, want %s %v %#v", r.OID, r.Type, got, tt.oid, tt.typ, tt.want)
			}
		})
	}
	bad := []string{"1.3.6|2", "1.3.6|2|x", "1.3.x|2|1", "1.3.6|4x|zz", "1.3.6|99|1"}
	for _, in := range bad {
		t.Run("bad "+in, func(t *testing.T) {
			if _, err := Parse(strings.NewReader(in)); err == nil {
				t.Errorf("Parse(%q) succeeded, want an error", in)
			}
		})
	}
}

func TestParseSortsNumerically(t *testing.T) {
	recs, err := Parse(strings.NewReader("1.3.6.1.10|2|3\n1.3.6.1.9|2|2\n1.3.6.1.9.1|2|2\n"))
	if err != nil {
		t.Fatal(err)
	}
	got := []string{recs[0].OID, recs[1].OID, recs[2].OID}
	want := []string{"1.3.6.1.9", "1.3.6.1.9.1", "1.3.6.1.10"}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("order = %v, want %v", got, want)
		}
	}
}

func TestAllRecordingsLoad(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(recordings, "*.snmprec"))
	if err != nil || len(files) < 11 {
		t.Fatalf("found %d recordings (%v)", len(files), err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			recs, err := LoadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			if len(recs) < 10 {
				t.Errorf("only %d records", len(recs))
			}
		})
	}
}

func TestGetV2c(t *testing.T) {
	a := start(t, load(t, "sharp_mx-3570n"), Options{})
	g := client(t, a, gosnmp.Version2c, "public")
	pkt, err := g.Get([]string{"1.3.6.1.2.1.1.1.0", "1.3.6.1.2.1.25.3.5.1.2.1", "1.3.6.1.2.1.25.3.5.1.1.1"})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		typ  gosnmp.Asn1BER
		want string
	}{
		{"sysDescr", gosnmp.OctetString, "SHARP MX-3570N"},
		{"error state", gosnmp.OctetString, "\x20\x00"},
		{"absent hrPrinterStatus", gosnmp.NoSuchInstance, ""},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := pkt.Variables[i]
			if v.Type != tt.typ {
				t.Fatalf("type = %v, want %v", v.Type, tt.typ)
			}
			if b, ok := v.Value.([]byte); ok && string(b) != tt.want {
				t.Errorf("value = %q, want %q", b, tt.want)
			}
		})
	}
	if a.Requests() != 1 {
		t.Errorf("agent counted %d requests, want 1", a.Requests())
	}
}

func TestV1NoSuchName(t *testing.T) {
	a := start(t, load(t, "sharp_mx-3570n"), Options{})
	g := client(t, a, gosnmp.Version1, "public")
	pkt, err := g.Get([]string{"1.3.6.1.2.1.1.1.0", "1.3.6.1.2.1.25.3.5.1.1.1"})
	if err != nil {
		t.Fatal(err)
	}
	if pkt.Error != gosnmp.NoSuchName || pkt.ErrorIndex != 2 {
		t.Errorf("error = %v index %d, want noSuchName index 2", pkt.Error, pkt.ErrorIndex)
	}
	pkt, err = g.GetNext([]string{"1.3.6.1.9"})
	if err != nil {
		t.Fatal(err)
	}
	if pkt.Error != gosnmp.NoSuchName || pkt.ErrorIndex != 1 {
		t.Errorf("GETNEXT past the end: error = %v index %d, want noSuchName index 1", pkt.Error, pkt.ErrorIndex)
	}
}

func TestGetNextAndBulk(t *testing.T) {
	a := start(t, load(t, "hp_color_laserjet_pro_m252dw"), Options{})
	g := client(t, a, gosnmp.Version2c, "public")
	pkt, err := g.GetNext([]string{"1.3.6.1.2.1.43.11.1.1.9"})
	if err != nil {
		t.Fatal(err)
	}
	if v := pkt.Variables[0]; v.Name != ".1.3.6.1.2.1.43.11.1.1.9.1.1" || v.Value != 63 {
		t.Errorf("GETNEXT = %s %v, want .1.3.6.1.2.1.43.11.1.1.9.1.1 63", v.Name, v.Value)
	}
	// Two columns, three repetitions: row-major interleaving.
	pkt, err = g.GetBulk([]string{"1.3.6.1.2.1.1.1", "1.3.6.1.2.1.43.11.1.1.8", "1.3.6.1.2.1.43.11.1.1.9"}, 1, 3)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		".1.3.6.1.2.1.1.1.0",
		".1.3.6.1.2.1.43.11.1.1.8.1.1", ".1.3.6.1.2.1.43.11.1.1.9.1.1",
		".1.3.6.1.2.1.43.11.1.1.8.1.2", ".1.3.6.1.2.1.43.11.1.1.9.1.2",
		".1.3.6.1.2.1.43.11.1.1.8.1.3", ".1.3.6.1.2.1.43.11.1.1.9.1.3",
	}
	if len(pkt.Variables) != len(want) {
		t.Fatalf("GETBULK returned %d varbinds, want %d", len(pkt.Variables), len(want))
	}
	for i, w := range want {
		if pkt.Variables[i].Name != w {
			t.Errorf("varbind %d = %s, want %s", i, pkt.Variables[i].Name, w)
		}
	}
	pkt, err = g.GetBulk([]string{"1.3.6.1.9"}, 0, 5)
	if err != nil {
		t.Fatal(err)
	}
	if len(pkt.Variables) != 1 || pkt.Variables[0].Type != gosnmp.EndOfMibView {
		t.Errorf("GETBULK past the end = %v, want one endOfMibView", pkt.Variables)
	}
}

func TestMaxBulkVarbinds(t *testing.T) {
	a := start(t, load(t, "hp_color_laserjet_pro_m252dw"), Options{MaxBulkVarbinds: 5})
	g := client(t, a, gosnmp.Version2c, "public")
	pkt, err := g.GetBulk([]string{"1.3.6.1.2.1.43.11.1.1.8", "1.3.6.1.2.1.43.11.1.1.9"}, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(pkt.Variables) != 5 {
		t.Errorf("got %d varbinds, want 5", len(pkt.Variables))
	}
}

// silent reports whether a GET gets no answer within the client's timeout.
func silent(t *testing.T, g *gosnmp.GoSNMP, oid string) bool {
	t.Helper()
	_, err := g.Get([]string{oid})
	return err != nil
}

func TestNoReply(t *testing.T) {
	zebra := load(t, "zebra_zebranet_wired_ps")
	tests := []struct {
		name      string
		recs      []Record
		opt       Options
		version   gosnmp.SnmpVersion
		community string
		op        func(g *gosnmp.GoSNMP) error
		wantReply bool
	}{
		{"wrong community", zebra, Options{Community: "right"}, gosnmp.Version2c, "wrong",
			func(g *gosnmp.GoSNMP) error { _, err := g.Get([]string{"1.3.6.1.2.1.1.1.0"}); return err }, false},
		{"right community", zebra, Options{Community: "right"}, gosnmp.Version2c, "right",
			func(g *gosnmp.GoSNMP) error { _, err := g.Get([]string{"1.3.6.1.2.1.1.1.0"}); return err }, true},
		{"silent agent", zebra, Options{Silent: true}, gosnmp.Version2c, "public",
			func(g *gosnmp.GoSNMP) error { _, err := g.Get([]string{"1.3.6.1.2.1.1.1.0"}); return err }, false},
		{"v1-only drops v2c", zebra, Options{V1Only: true}, gosnmp.Version2c, "public",
			func(g *gosnmp.GoSNMP) error { _, err := g.Get([]string{"1.3.6.1.2.1.1.1.0"}); return err }, false},
		{"v1-only answers v1", zebra, Options{V1Only: true}, gosnmp.Version1, "public",
			func(g *gosnmp.GoSNMP) error { _, err := g.Get([]string{"1.3.6.1.2.1.1.1.0"}); return err }, true},
		{"zebra hrDeviceID cannot be encoded", zebra, Options{}, gosnmp.Version2c, "public",
			func(g *gosnmp.GoSNMP) error { _, err := g.Get([]string{"1.3.6.1.2.1.25.3.2.1.4.1"}); return err }, false},
		{"zebra walk into hrDeviceID", zebra, Options{}, gosnmp.Version2c, "public",
			func(g *gosnmp.GoSNMP) error { _, err := g.GetNext([]string{"1.3.6.1.2.1.25.3.2.1.2.6"}); return err }, false},
		{"zebra hrDeviceStatus is fine", zebra, Options{}, gosnmp.Version2c, "public",
			func(g *gosnmp.GoSNMP) error { _, err := g.Get([]string{"1.3.6.1.2.1.25.3.2.1.5.1"}); return err }, true},
		{"dropped prefix in request", zebra, Options{DropOIDs: []string{"1.3.6.1.2.1.1"}}, gosnmp.Version2c, "public",
			func(g *gosnmp.GoSNMP) error { _, err := g.Get([]string{"1.3.6.1.2.1.1.5.0"}); return err }, false},
		{"dropped prefix in answer", zebra, Options{DropOIDs: []string{"1.3.6.1.2.1.1.5"}}, gosnmp.Version2c, "public",
			func(g *gosnmp.GoSNMP) error { _, err := g.GetNext([]string{"1.3.6.1.2.1.1.4.0"}); return err }, false},
		{"garbage bytes for GETBULK", zebra, Options{BulkGarbage: GarbageBytes}, gosnmp.Version2c, "public",
			func(g *gosnmp.GoSNMP) error { _, err := g.GetBulk([]string{"1.3.6.1.2.1.1"}, 0, 3); return err }, false},
		{"garbage bytes leave GET alone", zebra, Options{BulkGarbage: GarbageBytes}, gosnmp.Version2c, "public",
			func(g *gosnmp.GoSNMP) error { _, err := g.Get([]string{"1.3.6.1.2.1.1.1.0"}); return err }, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := start(t, tt.recs, tt.opt)
			g := client(t, a, tt.version, tt.community)
			err := tt.op(g)
			if got := err == nil; got != tt.wantReply {
				t.Errorf("answered = %v (err %v), want %v", got, err, tt.wantReply)
			}
			if a.Requests() < 1 {
				t.Errorf("agent did not count the request")
			}
		})
	}
}

func TestGarbageVarbinds(t *testing.T) {
	a := start(t, load(t, "sharp_mx-3570n"), Options{BulkGarbage: GarbageVarbinds})
	g := client(t, a, gosnmp.Version2c, "public")
	pkt, err := g.GetBulk([]string{"1.3.6.1.2.1.43.11.1.1.9"}, 0, 4)
	if err != nil {
		t.Fatal(err)
	}
	if len(pkt.Variables) == 0 || pkt.Variables[0].Name != ".1.3.6.1.2.1.43.11.1.1.9" {
		t.Errorf("garbage varbinds should repeat the request OID, got %v", pkt.Variables)
	}
}

func TestV3(t *testing.T) {
	recs := load(t, "hp_color_laserjet_pro_m252dw")
	tests := []struct {
		name    string
		user    V3User
		flags   gosnmp.SnmpV3MsgFlags
		client  V3User // what the manager sends
		wantErr error
	}{
		{"noAuthNoPriv", V3User{Name: "ro"}, gosnmp.NoAuthNoPriv,
			V3User{Name: "ro"}, nil},
		{"authNoPriv MD5", V3User{Name: "ro", AuthProto: gosnmp.MD5, AuthPass: "authpass1"}, gosnmp.AuthNoPriv,
			V3User{Name: "ro", AuthProto: gosnmp.MD5, AuthPass: "authpass1"}, nil},
		{"authPriv SHA AES", V3User{Name: "ro", AuthProto: gosnmp.SHA, AuthPass: "authpass1", PrivProto: gosnmp.AES, PrivPass: "privpass1"}, gosnmp.AuthPriv,
			V3User{Name: "ro", AuthProto: gosnmp.SHA, AuthPass: "authpass1", PrivProto: gosnmp.AES, PrivPass: "privpass1"}, nil},
		{"authPriv SHA256 AES256", V3User{Name: "ro", AuthProto: gosnmp.SHA256, AuthPass: "authpass1", PrivProto: gosnmp.AES256, PrivPass: "privpass1"}, gosnmp.AuthPriv,
			V3User{Name: "ro", AuthProto: gosnmp.SHA256, AuthPass: "authpass1", PrivProto: gosnmp.AES256, PrivPass: "privpass1"}, nil},
		{"authPriv SHA512 DES", V3User{Name: "ro", AuthProto: gosnmp.SHA512, AuthPass: "authpass1", PrivProto: gosnmp.DES, PrivPass: "privpass1"}, gosnmp.AuthPriv,
			V3User{Name: "ro", AuthProto: gosnmp.SHA512, AuthPass: "authpass1", PrivProto: gosnmp.DES, PrivPass: "privpass1"}, nil},
		{"wrong auth password", V3User{Name: "ro", AuthProto: gosnmp.SHA, AuthPass: "authpass1"}, gosnmp.AuthNoPriv,
			V3User{Name: "ro", AuthProto: gosnmp.SHA, AuthPass: "wrongpass"}, gosnmp.ErrWrongDigest},
		{"unknown user", V3User{Name: "ro", AuthProto: gosnmp.SHA, AuthPass: "authpass1"}, gosnmp.AuthNoPriv,
			V3User{Name: "rw", AuthProto: gosnmp.SHA, AuthPass: "authpass1"}, gosnmp.ErrUnknownUsername},
		{"level below the user's", V3User{Name: "ro", AuthProto: gosnmp.SHA, AuthPass: "authpass1"}, gosnmp.NoAuthNoPriv,
			V3User{Name: "ro"}, gosnmp.ErrUnknownSecurityLevel},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u := tt.user
			a := start(t, recs, Options{V3: &u})
			sp := &gosnmp.UsmSecurityParameters{
				UserName: tt.client.Name, AuthenticationProtocol: tt.client.AuthProto, AuthenticationPassphrase: tt.client.AuthPass,
				PrivacyProtocol: tt.client.PrivProto, PrivacyPassphrase: tt.client.PrivPass,
			}
			g := &gosnmp.GoSNMP{
				Target: a.Host(), Port: uint16(a.Port()), Version: gosnmp.Version3,
				SecurityModel: gosnmp.UserSecurityModel, MsgFlags: tt.flags, SecurityParameters: sp,
				Timeout: 500 * time.Millisecond, Retries: 0, Context: context.Background(),
			}
			if err := g.Connect(); err != nil {
				t.Fatal(err)
			}
			defer g.Conn.Close()
			pkt, err := g.Get([]string{"1.3.6.1.2.1.1.1.0"})
			if tt.wantErr != nil {
				// gosnmp discards the unauthenticated USM report once it
				// knows the engine ID, so the report only shows as a fast
				// "not authentic" error; either way there must be no data.
				if err == nil || (!errors.Is(err, tt.wantErr) && !strings.Contains(err.Error(), "not authentic")) {
					t.Fatalf("err = %v, want %v", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := string(pkt.Variables[0].Value.([]byte)); !strings.HasPrefix(got, "HP ETHERNET") {
				t.Errorf("sysDescr = %q", got)
			}
			// Discovery plus the GET.
			if a.Requests() != 2 {
				t.Errorf("agent counted %d requests, want 2", a.Requests())
			}
			pkt, err = g.GetBulk([]string{"1.3.6.1.2.1.43.11.1.1.9"}, 0, 4)
			if err != nil {
				t.Fatal(err)
			}
			if len(pkt.Variables) != 4 || pkt.Variables[3].Value != 36 {
				t.Errorf("bulk = %v", pkt.Variables)
			}
		})
	}
}

func TestIPv6(t *testing.T) {
	a, err := Start(load(t, "brother_mfc-l2710dw"), Options{Network: "udp6"})
	if err != nil {
		t.Skipf("no IPv6 loopback here: %v", err)
	}
	defer a.Close()
	g := client(t, a, gosnmp.Version2c, "public")
	if silent(t, g, "1.3.6.1.2.1.1.1.0") {
		t.Fatal("no answer over ::1")
	}
}
