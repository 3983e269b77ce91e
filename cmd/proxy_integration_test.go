package cmd_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/miekg/dns"

	"github.com/netprobe/netprobe/internal/testnet"
	"github.com/netprobe/netprobe/internal/testproxy"
)

// The real binary reaches a web target through the proxy HTTPS_PROXY and
// HTTP_PROXY name, with a login, and no output format ever shows that
// login: not the password, not the user name. Everything is on loopback:
// web.lab.test resolves (through --resolver) to 127.0.0.1, where the web
// server and the proxy listen.
func TestBinaryNeverShowsTheProxyLogin(t *testing.T) {
	web := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("hello\n")) }))
	defer web.Close()
	port := strings.TrimPrefix(web.URL, "http://127.0.0.1:")
	proxy := testproxy.Start(t, testproxy.Options{Hosts: map[string]string{"web.lab.test": "127.0.0.1"}, User: "alice-proxyuser", Password: "s3cret-proxypw"})
	resolver := testnet.StartDNS(t, dns.HandlerFunc(func(w dns.ResponseWriter, r *dns.Msg) {
		m := new(dns.Msg)
		m.SetReply(r)
		if r.Question[0].Qtype == dns.TypeA && r.Question[0].Name == "web.lab.test." {
			rr, _ := dns.NewRR("web.lab.test. 60 IN A 127.0.0.1")
			m.Answer = append(m.Answer, rr)
		} else if r.Question[0].Name != "web.lab.test." {
			m.Rcode = dns.RcodeNameError
		}
		w.WriteMsg(m)
	})).String()
	login := func(pw string) string {
		u := *proxy.URL
		u.User = url.UserPassword("alice-proxyuser", pw)
		return u.String()
	}
	for _, tt := range []struct {
		name string
		pw   string
		code int
	}{
		{"the login is accepted", "s3cret-proxypw", 0},
		{"the login is rejected", "s3cret-wrongpw", 1},
	} {
		for _, format := range []string{"json", "text", "markdown", "junit", "prometheus"} {
			t.Run(tt.name+"/"+format, func(t *testing.T) {
				cmd := exec.Command(binary, "diagnose", "--layers", "dns,service", "--resolver", resolver, "--no-reference",
					"--dns-name", "web.lab.test", "--target", "http://web.lab.test:"+port+"/", "-o", format, "-v")
				cmd.Env = append(os.Environ(), "NO_COLOR=1", "HTTP_PROXY="+login(tt.pw), "HTTPS_PROXY="+login(tt.pw))
				var out, errb bytes.Buffer
				cmd.Stdout, cmd.Stderr = &out, &errb
				err := cmd.Run()
				code := 0
				if ee, ok := err.(*exec.ExitError); ok {
					code = ee.ExitCode()
				} else if err != nil {
					t.Fatal(err)
				}
				if code != tt.code {
					t.Fatalf("exit %d, want %d\nstderr: %s\nstdout: %s", code, tt.code, errb.String(), out.String())
				}
				all := out.String() + errb.String()
				for _, secret := range []string{"alice-proxyuser", "s3cret"} {
					if strings.Contains(all, secret) {
						t.Fatalf("%s output shows %q:\n%s", format, secret, all)
					}
				}
				if named := format == "json" || format == "text" || format == "markdown"; named && !strings.Contains(all, proxy.URL.Host) {
					t.Fatalf("%s output does not name the proxy %s:\n%s", format, proxy.URL.Host, all)
				}
			})
		}
	}
}
