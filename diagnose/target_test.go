package diagnose

import (
	"strconv"
	"strings"
	"testing"
)

func TestParseTarget(t *testing.T) {
	tests := []struct {
		in                   string
		scheme, host         string
		port                 int
		canonical, errSubstr string
	}{
		{in: "example.com:443", scheme: "tcp", host: "example.com", port: 443, canonical: "tcp://example.com:443"},
		{in: "tcp://10.77.0.1:25", scheme: "tcp", host: "10.77.0.1", port: 25, canonical: "tcp://10.77.0.1:25"},
		{in: "udp://198.18.0.1:53", scheme: "udp", host: "198.18.0.1", port: 53, canonical: "udp://198.18.0.1:53"},
		{in: "[fd00:77::1]:80", scheme: "tcp", host: "fd00:77::1", port: 80, canonical: "tcp://[fd00:77::1]:80"},
		{in: "https://svc.lab.test/health", scheme: "https", host: "svc.lab.test", port: 443, canonical: "https://svc.lab.test/health"},
		{in: "http://svc.lab.test:8080", scheme: "http", host: "svc.lab.test", port: 8080, canonical: "http://svc.lab.test:8080"},
		{in: "HTTPS://svc.lab.test", scheme: "https", host: "svc.lab.test", port: 443, canonical: "https://svc.lab.test"},
		{in: "example.com:0", errSubstr: "port 0 is out of range"},
		{in: "example.com:70000", errSubstr: "port 70000 is out of range"},
		{in: "example.com:abc", errSubstr: `port "abc" is not a number`},
		{in: "example.com", errSubstr: "want HOST:PORT"},
		{in: "ftp://example.com", errSubstr: `unknown scheme "ftp"`},
		{in: "https://user:pw@example.com/", errSubstr: "credentials"},
		{in: "https:///path", errSubstr: "missing host"},
		{in: "bad host:80", errSubstr: "invalid host"},
		{in: "300.1.1.1:80", errSubstr: "invalid IP address"},
		{in: "-a.com:80", errSubstr: "invalid host"},
		{in: "tcp://a.com:80/path", errSubstr: "takes no path"},
		{in: "", errSubstr: "empty target"},
		{in: "https://example.com:99999/", errSubstr: "out of range"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseTarget(tt.in)
			if tt.errSubstr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.errSubstr) {
					t.Fatalf("ParseTarget(%q) error = %v, want one containing %q", tt.in, err, tt.errSubstr)
				}
				if strings.Contains(err.Error(), "\n") {
					t.Fatalf("error is not one line: %q", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseTarget(%q): %v", tt.in, err)
			}
			if got.Scheme != tt.scheme || got.Host != tt.host || got.Port != tt.port || got.String() != tt.canonical {
				t.Fatalf("ParseTarget(%q) = %s %s %d %q, want %s %s %d %q", tt.in, got.Scheme, got.Host, got.Port, got.String(), tt.scheme, tt.host, tt.port, tt.canonical)
			}
		})
	}
}

func TestParsePorts(t *testing.T) {
	tests := []struct {
		in        string
		want      string
		errSubstr string
	}{
		{in: "80", want: "tcp/80"},
		{in: "22,80,443", want: "tcp/22 tcp/80 tcp/443"},
		{in: "8000-8002", want: "tcp/8000 tcp/8001 tcp/8002"},
		{in: "udp/53,tcp/53", want: "udp/53 tcp/53"},
		{in: "80,80,79-80", want: "tcp/80 tcp/79"},
		{in: "0", errSubstr: "out of range"},
		{in: "70000", errSubstr: "out of range"},
		{in: "abc", errSubstr: "not a number"},
		{in: "90-80", errSubstr: "backwards"},
		{in: "sctp/80", errSubstr: "tcp or udp"},
		{in: "80,", errSubstr: "empty entry"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParsePorts(tt.in)
			if tt.errSubstr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.errSubstr) {
					t.Fatalf("ParsePorts(%q) error = %v, want %q", tt.in, err, tt.errSubstr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var s []string
			for _, p := range got {
				s = append(s, p.Proto+"/"+strconv.Itoa(p.Port))
			}
			if strings.Join(s, " ") != tt.want {
				t.Fatalf("ParsePorts(%q) = %v, want %s", tt.in, s, tt.want)
			}
		})
	}
	all, err := ParsePorts("1-65535")
	if err != nil || len(all) != 65535 {
		t.Fatalf("full range: %d ports, %v", len(all), err)
	}
}

// FuzzParseTarget: no input may panic, and every accepted target must be
// usable: a valid port and a host that re-parses.
func FuzzParseTarget(f *testing.F) {
	for _, s := range []string{"a:1", "tcp://[::1]:53", "https://x/y?z#w", "udp://1.2.3.4:65535", "http://[fe80::1%25eth0]:80/", ":", "://", "https://:0", "[::1]"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tg, err := ParseTarget(s)
		if err != nil {
			if strings.Contains(err.Error(), "\n") && !strings.Contains(s, "\n") {
				t.Fatalf("multi-line error for %q: %q", s, err)
			}
			return
		}
		if tg.Port < 1 || tg.Port > 65535 {
			t.Fatalf("%q accepted with port %d", s, tg.Port)
		}
		if err := ValidateHost(tg.Host); err != nil {
			t.Fatalf("%q accepted with bad host %q: %v", s, tg.Host, err)
		}
	})
}

func FuzzParsePorts(f *testing.F) {
	for _, s := range []string{"80", "1-65535", "udp/53,tcp/1-3", "-", "/", ",,"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ps, err := ParsePorts(s)
		if err != nil {
			return
		}
		for _, p := range ps {
			if p.Port < 1 || p.Port > 65535 || (p.Proto != "tcp" && p.Proto != "udp") {
				t.Fatalf("%q gave %+v", s, p)
			}
		}
	})
}
