package probes

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func sample(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "proxy", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// The OS parsers on the samples in testdata/proxy (see its README for
// where each came from), on every OS.
func TestOSProxyParsers(t *testing.T) {
	tests := []struct {
		file  string
		parse func(string) ProxySettings
		want  ProxySettings
	}{
		{"gsettings-none.txt", ParseGSettingsProxy, ProxySettings{}},
		{"gsettings-manual.txt", ParseGSettingsProxy, ProxySettings{Source: "gnome",
			HTTP: "http://proxy.corp.example:3128", HTTPS: "http://proxy.corp.example:3128",
			NoProxy: "localhost,127.0.0.0/8,::1,*.corp.example,10.0.0.0/8,192.168.0.0/16"}},
		{"gsettings-manual-auth.txt", ParseGSettingsProxy, ProxySettings{Source: "gnome",
			HTTP: "http://alice:s3cret-pw@proxy.corp.example:8080", HTTPS: "http://alice:s3cret-pw@proxy.corp.example:8080",
			NoProxy: "localhost,127.0.0.0/8,::1"}},
		{"gsettings-auto.txt", ParseGSettingsProxy, ProxySettings{Source: "gnome", PAC: "http://wpad.corp.example/wpad.dat"}},
		{"gsettings-socks.txt", ParseGSettingsProxy, ProxySettings{Source: "gnome",
			HTTP: "socks5://socks.corp.example:1080", HTTPS: "socks5://socks.corp.example:1080", NoProxy: "localhost,127.0.0.0/8,::1"}},
		{"scutil-none.txt", ParseScutilProxy, ProxySettings{}},
		{"scutil-manual.txt", ParseScutilProxy, ProxySettings{Source: "macos",
			HTTP: "http://proxy.corp.example:3128", HTTPS: "http://proxy.corp.example:3128",
			NoProxy: "*.local,169.254.0.0/16,*.corp.example,192.168.1.0/24", BypassSimple: true}},
		{"scutil-pac.txt", ParseScutilProxy, ProxySettings{Source: "macos", PAC: "http://wpad.corp.example/proxy.pac", NoProxy: "*.local,169.254.0.0/16"}},
		{"windows-reg-manual.txt", func(s string) ProxySettings { return ParseRegQuery(s).Settings() }, ProxySettings{Source: "windows",
			HTTP: "http://proxy.corp.example:8080", HTTPS: "http://proxy.corp.example:8080",
			NoProxy: "*.corp.example,10.0.0.0/8,192.168.1.0/24", BypassSimple: true}},
		{"windows-reg-per-scheme.txt", func(s string) ProxySettings { return ParseRegQuery(s).Settings() }, ProxySettings{Source: "windows",
			HTTP: "http://webproxy.corp.example:80", HTTPS: "http://tlsproxy.corp.example:3128", NoProxy: "*.corp.example"}},
		{"windows-reg-pac.txt", func(s string) ProxySettings { return ParseRegQuery(s).Settings() }, ProxySettings{Source: "windows",
			PAC: "http://wpad.corp.example/wpad.dat"}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			got := tt.parse(sample(t, tt.file))
			if got != tt.want {
				t.Fatalf("parsed\n %+v\nwant\n %+v", got, tt.want)
			}
			if err := got.Validate(); err != nil {
				t.Fatalf("the parsed settings do not validate: %v", err)
			}
		})
	}
}

// The parsed settings route the way the OS would.
func TestOSProxyRoutes(t *testing.T) {
	win := ParseRegQuery(sample(t, "windows-reg-manual.txt")).Settings()
	for _, tt := range []struct {
		url, proxy string
	}{
		{"https://www.example.com/", "http://proxy.corp.example:8080"},
		{"https://intranet/", ""},          // <local>
		{"https://wiki.corp.example/", ""}, // *.corp.example
		{"https://10.20.30.40/", ""},       // 10.*
		{"https://192.168.2.1/", "http://proxy.corp.example:8080"},
	} {
		if got := RedactProxy(win.Route(mustURL(t, tt.url)).URL); got != tt.proxy {
			t.Errorf("windows route of %s = %q, want %q", tt.url, got, tt.proxy)
		}
	}
	per := ParseRegQuery(sample(t, "windows-reg-per-scheme.txt")).Settings()
	if got := RedactProxy(per.Route(mustURL(t, "http://www.example.com/")).URL); got != "http://webproxy.corp.example:80" {
		t.Errorf("http goes to the http= proxy, got %q", got)
	}
	// GNOME's stored proxy password is used, never shown.
	auth := ParseGSettingsProxy(sample(t, "gsettings-manual-auth.txt"))
	r := auth.Route(mustURL(t, "https://www.example.com/"))
	if r.URL == nil || r.URL.User.Username() != "alice" || proxyAuthorization(r.URL) == "" {
		t.Fatalf("route %+v carries no login", r)
	}
	if shown := RedactProxy(r.URL); strings.Contains(shown, "alice") || strings.Contains(shown, "s3cret") {
		t.Fatalf("RedactProxy shows the login: %q", shown)
	}
}

// Hostile or broken tool output gives no proxy rather than a wrong one,
// and never panics.
func TestOSProxyParsersOnGarbage(t *testing.T) {
	for _, in := range []string{"", "}}}}", "{\n{\n{", "org.gnome.system.proxy mode 'manual'\norg.gnome.system.proxy.http host ''",
		"<dictionary> {\n  HTTPEnable : 1\n}", strings.Repeat("x : y\n", 1000), "HKEY_X\n    ProxyEnable    REG_DWORD    0xZZ\n"} {
		for _, s := range []ProxySettings{ParseGSettingsProxy(in), ParseScutilProxy(in), ParseRegQuery(in).Settings()} {
			if s.HTTP != "" || s.HTTPS != "" {
				b, _ := json.Marshal(s)
				t.Errorf("garbage %q gave a proxy: %s", in, b)
			}
		}
	}
}
