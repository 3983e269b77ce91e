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
			if strings.ContainsAny(err.Error(), "\n\r\x1b") || len(err.Error()) > 400 {
				t.Fatalf("error for %q is not one bounded line: %q", s, err)
			}
			if at := strings.LastIndex(s, "@"); at > 0 {
				start := strings.Index(s, "://") + 3
				if start < 3 || start > at {
					start = 0
				}
				if cred := s[start:at]; len(cred) >= 4 && strings.Contains(err.Error(), cred) {
					t.Fatalf("error for %q echoes the credentials %q: %q", s, cred, err)
				}
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

// An error names the one bad entry of a port list, not the whole list.
func TestParsePortsNamesTheBadEntry(t *testing.T) {
	for in, want := range map[string]string{
		"1-":                              `port range "1-" has no last port`,
		"-5":                              `port range "-5" has no first port`,
		"tcp/":                            `port "tcp/": no port number after tcp/`,
		"22,udp/":                         `port "udp/": no port number`,
		"80,,90":                          `empty entry (entry 2, after "80")`,
		",80":                             `empty entry (entry 1)`,
		"22,tcp/1-x":                      `port "tcp/1-x": port "x" is not a number`,
		"22,80-70000":                     `port "80-70000": port 70000 is out of range`,
		"22,sctp/9":                       `port "sctp/9": protocol must be tcp or udp`,
		"22,443,9000-8000,25":             `port range "9000-8000" is backwards`,
		"22," + strings.Repeat("9", 5000): `… (5000 bytes)`,
	} {
		_, err := ParsePorts(in)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParsePorts(%.30q) error = %v, want %q", in, err, want)
		}
		if err != nil && len(err.Error()) > 200 {
			t.Errorf("ParsePorts(%.30q): error of %d bytes", in, len(err.Error()))
		}
		if err != nil && in != "80,,90" && strings.Count(in, ",") > 0 && strings.Contains(err.Error(), in) {
			t.Errorf("ParsePorts(%.30q): error quotes the whole list: %v", in, err)
		}
	}
}

// No error about a target shows the user name or password of a URL with
// credentials, whatever else is wrong with it.
func TestTargetCredentialsNeverEchoed(t *testing.T) {
	const user, pw = "alice.w", "Sup3rS3cr3tPw"
	for _, in := range []string{
		"https://" + user + ":" + pw + "@host.example/",
		"http://" + user + ":" + pw + "@host.example:99999/",
		"https://" + user + ":" + pw + "@exa mple/",
		"https://" + user + ":Sup3r/S3cr3tPw@host.example/",
		"https://" + user + ":Sup3r%zzS3cr3tPw@host.example/",
		"tcp://" + user + ":" + pw + "@host.example:80",
		"udp://" + user + ":" + pw + "@host.example:53",
		user + ":" + pw + "@host.example:80",
		"gopher://" + user + ":" + pw + "@host.example/",
	} {
		_, err := ParseTarget(in)
		if err == nil {
			t.Fatalf("%s accepted", in)
		}
		for _, secret := range []string{user, pw, "Sup3r", "S3cr3tPw"} {
			for i := 0; i+4 <= len(secret); i++ {
				if frag := secret[i : i+4]; strings.Contains(err.Error(), frag) {
					t.Fatalf("error for %s shows %q: %v", in, frag, err)
				}
			}
		}
	}
}

// A zone passes only as an interface name or number: it ends up in the
// report, the JSON and Prometheus labels.
func TestValidateHostZone(t *testing.T) {
	for h, ok := range map[string]bool{
		"fe80::1%eth0":             true,
		"fe80::1%2":                true,
		"fe80::1%wlp0s20f3":        true,
		"fe80::1%br-lan.10":        true,
		"::1%\x1b[31mred":          false,
		"fe80::1%eth0\u202e":       false,
		"fe80::1%a b":              false,
		"fe80::1%abcdefghijklmnop": false,
		"fe80::1%eth0<script>":     false,
	} {
		err := ValidateHost(h)
		if (err == nil) != ok {
			t.Errorf("ValidateHost(%q) = %v, want ok=%v", h, err, ok)
		}
		if err != nil && strings.ContainsRune(err.Error(), 0x1b) {
			t.Errorf("error carries ESC: %q", err)
		}
	}
}
