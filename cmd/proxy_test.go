package cmd

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/netprobe/netprobe/internal/iostreams"
)

// The portal and proxy flags reach the options; capture never probes.
func TestPortalFlags(t *testing.T) {
	o, code, stderr := capture(t, nil, "--upstream", "198.18.1.1", "--dns-name", "www.lab.test",
		"--portal-url", "http://portal.lab.test/generate_204", "--portal-url", "http://10.77.1.80:8080/hotspot.html#body=Success")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if len(o.PortalURLs) != 2 || o.PortalURLs[0].URL.Host != "portal.lab.test" || o.PortalURLs[1].Body != "Success" || o.NoPortalCheck {
		t.Fatalf("portal options: %+v no-portal-check=%v", o.PortalURLs, o.NoPortalCheck)
	}
	o, code, _ = capture(t, nil, "--upstream", "198.18.1.1", "--no-portal-check")
	if code != 0 || !o.NoPortalCheck || o.PortalURLs != nil {
		t.Fatalf("--no-portal-check: exit %d, %+v", code, o.PortalURLs)
	}
	cfg := filepath.Join(t.TempDir(), "netprobe.yml")
	os.WriteFile(cfg, []byte("portal-url: [\"http://portal.lab.test/c#status=200\"]\nno-proxy: true\n"), 0o600)
	o, code, stderr = capture(t, nil, "--config", cfg, "--upstream", "198.18.1.1")
	if code != 0 || len(o.PortalURLs) != 1 || o.PortalURLs[0].Status != 200 || !o.NoProxy {
		t.Fatalf("config: exit %d (%s), %+v no-proxy=%v", code, stderr, o.PortalURLs, o.NoProxy)
	}
}

func TestProxyFlagsAndEnvironment(t *testing.T) {
	web := []string{"--layers", "service", "--target", "https://svc.lab.test/"}
	envProxy := map[string]string{"HTTPS_PROXY": "http://proxy.lab.test:3128", "NO_PROXY": ".corp.example"}

	o, code, stderr := capture(t, envProxy, web...)
	if code != 0 || o.Proxy.Source != "env" || o.Proxy.HTTPS != "http://proxy.lab.test:3128" || o.Proxy.NoProxy != ".corp.example" {
		t.Fatalf("environment: exit %d (%s), proxy %+v", code, stderr, o.Proxy)
	}
	o, code, _ = capture(t, envProxy, append(web, "--proxy", "10.77.1.3:3128")...)
	if code != 0 || o.Proxy.Source != "flag" || o.Proxy.HTTP != "10.77.1.3:3128" || o.Proxy.HTTPS != "10.77.1.3:3128" {
		t.Fatalf("--proxy wins over the environment: exit %d, proxy %+v", code, o.Proxy)
	}
	o, code, _ = capture(t, envProxy, append(web, "--proxy", "10.77.1.3:3128", "--no-proxy")...)
	if code != 0 || !o.NoProxy || !o.Proxy.IsZero() {
		t.Fatalf("--no-proxy: exit %d, proxy %+v no-proxy=%v", code, o.Proxy, o.NoProxy)
	}
	// Without a web target the environment's proxy is not even read.
	o, code, _ = capture(t, map[string]string{"HTTPS_PROXY": "::not a proxy::"}, "--layers", "service", "--target", "tcp://svc.lab.test:25")
	if code != 0 || !o.Proxy.IsZero() {
		t.Fatalf("no web target: exit %d, proxy %+v", code, o.Proxy)
	}
}

// Bad portal and proxy input is one line and exit 2, naming the value
// and never a proxy's password or user name.
func TestPortalAndProxyBadInput(t *testing.T) {
	web := []string{"--layers", "service", "--target", "https://svc.lab.test/"}
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"https portal URL", nil, []string{"--layers", "internet", "--upstream", "198.18.1.1", "--portal-url", "https://portal.lab.test/"}, `portal-url "https://portal.lab.test/"`},
		{"portal URL with a bad expectation", nil, []string{"--layers", "internet", "--upstream", "198.18.1.1", "--portal-url", "http://portal.lab.test/#status=700"}, `"700"`},
		{"portal URL with credentials", nil, []string{"--layers", "internet", "--upstream", "198.18.1.1", "--portal-url", "http://alice:s3cret@portal.lab.test/"}, "credentials"},
		{"proxy with a bad port", nil, append(web, "--proxy", "http://proxy.lab.test:99999"), `port "99999"`},
		{"proxy with a login on the command line", nil, append(web, "--proxy", "http://alice:s3cret@proxy.lab.test:3128"), "HTTPS_PROXY"},
		{"a broken HTTPS_PROXY", map[string]string{"HTTPS_PROXY": "http://alice:s3cret@proxy.lab.test:3128/some/path"}, web, "HTTPS_PROXY"},
		{"an unparseable HTTPS_PROXY with a login", map[string]string{"https_proxy": "http://alice:s3cret@pro xy:1"}, web, "HTTPS_PROXY"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, code, stderr := capture(t, tt.env, tt.args...)
			if code != ExitUsage || strings.Count(stderr, "\n") != 1 || !strings.HasPrefix(stderr, "netprobe: ") {
				t.Fatalf("exit %d, stderr %q: want 2 and one line", code, stderr)
			}
			if !strings.Contains(stderr, tt.want) {
				t.Fatalf("stderr %q does not name %q", stderr, tt.want)
			}
			if strings.Contains(stderr, "alice") || strings.Contains(stderr, "s3cret") {
				t.Fatalf("stderr repeats the login: %q", stderr)
			}
		})
	}
}

// Every new flag is in --help.
func TestHelpNamesPortalAndProxyFlags(t *testing.T) {
	io, out, _ := iostreams.Test()
	root := NewRootCmd(&Factory{IO: io, Getenv: func(string) string { return "" }})
	root.SetArgs([]string{"diagnose", "--help"})
	if err := root.Execute(); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"--portal-url", "--no-portal-check", "--proxy", "--no-proxy"} {
		if !strings.Contains(out.String(), f) {
			t.Errorf("diagnose --help does not list %s", f)
		}
	}
}
