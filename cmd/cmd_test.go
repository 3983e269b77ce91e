package cmd

import (
	"context"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/netprobe/netprobe/diagnose"
	"github.com/netprobe/netprobe/internal/iostreams"
	"github.com/netprobe/netprobe/result"
)

// capture runs the command line with a Run that records the options
// instead of probing, and returns them with the exit code and stderr.
func capture(t *testing.T, env map[string]string, args ...string) (diagnose.Options, int, string) {
	t.Helper()
	io, _, errOut := iostreams.Test()
	var got diagnose.Options
	ran := false
	f := &Factory{IO: io, Getenv: func(k string) string { return env[k] },
		Run: func(ctx context.Context, o diagnose.Options) *result.Report {
			got, ran = o, true
			return &result.Report{Schema: result.Schema, Verdict: result.Verdict{Status: result.Healthy}}
		},
		Serve: func(ctx context.Context, h http.Handler, listen string, ready func(string)) error {
			ran = true // never listens: a test must not open a port by accident
			return nil
		},
		RunPorts: func(ctx context.Context, o diagnose.Options, host string, ports []diagnose.PortSpec) *result.Report {
			got, ran = o, true
			got.Targets = []diagnose.Target{{Host: host}}
			return &result.Report{Schema: result.Schema, Verdict: result.Verdict{Status: result.Healthy}}
		},
		Clock: &stepClock{now: time.Now()}} // a watch in an example ends at once
	root := NewRootCmd(f)
	root.SetArgs(args)
	code := exitCode(root.ExecuteContext(context.Background()), io)
	if code == ExitUsage && ran {
		t.Fatalf("%v: a probe ran although the input was rejected", args)
	}
	return got, code, errOut.String()
}

func TestFlagsToOptions(t *testing.T) {
	o, code, stderr := capture(t, nil, "diagnose", "--upstream", "198.18.1.1", "--upstream", "198.18.1.2",
		"--dns-name", "www.lab.test", "--target", "https://svc.lab.test/health", "--target", "udp://10.77.1.1:53",
		"--resolver", "10.77.1.53", "--resolver", "[fd00:77::53]:5353", "--layers", "dns,service", "--timeout", "4s",
		"--count", "20", "--loss-warn", "5", "--rtt-warn", "150ms", "-o", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if len(o.Upstreams) != 2 || o.Upstreams[1] != netip.MustParseAddr("198.18.1.2") {
		t.Errorf("upstreams = %v", o.Upstreams)
	}
	if len(o.Targets) != 2 || o.Targets[0].Scheme != "https" || o.Targets[1].Port != 53 {
		t.Errorf("targets = %+v", o.Targets)
	}
	if len(o.Resolvers) != 2 || o.Resolvers[0].Port() != 53 || o.Resolvers[1].Port() != 5353 {
		t.Errorf("resolvers = %v", o.Resolvers)
	}
	if len(o.Layers) != 2 || o.Layers[0] != result.DNS || o.Layers[1] != result.Service {
		t.Errorf("layers = %v", o.Layers)
	}
	if o.Budget != 4*time.Second || o.PingCount != 20 || o.LossWarn != 5 || o.RTTWarn != 150*time.Millisecond {
		t.Errorf("budget/count/loss/rtt = %s %d %g %s", o.Budget, o.PingCount, o.LossWarn, o.RTTWarn)
	}
}

func TestRootIsDiagnose(t *testing.T) {
	o, code, _ := capture(t, nil, "--upstream", "198.18.1.1", "--dns-name", "a.lab.test")
	if code != 0 || o.Command != "diagnose" || len(o.Upstreams) != 1 {
		t.Fatalf("code %d, options %+v", code, o)
	}
}

func TestSingleLayerCommands(t *testing.T) {
	tests := []struct {
		args   []string
		layers []result.Layer
	}{
		{[]string{"gateway"}, []result.Layer{result.Link, result.Address, result.Gateway}},
		{[]string{"ping", "198.18.1.1"}, []result.Layer{result.Internet}},
		{[]string{"dns", "a.lab.test", "--server", "127.0.0.1:5353"}, []result.Layer{result.DNS}},
		{[]string{"printer", "10.77.1.20"}, []result.Layer{result.Printer}},
	}
	for _, tt := range tests {
		t.Run(tt.args[0], func(t *testing.T) {
			o, code, stderr := capture(t, nil, tt.args...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			if len(o.Layers) != len(tt.layers) {
				t.Fatalf("layers = %v, want %v", o.Layers, tt.layers)
			}
			for i := range tt.layers {
				if o.Layers[i] != tt.layers[i] {
					t.Fatalf("layers = %v, want %v", o.Layers, tt.layers)
				}
			}
		})
	}
	o, _, _ := capture(t, nil, "dns", "a.lab.test", "--server", "127.0.0.1:5353")
	if !o.NoReference || len(o.Resolvers) != 1 || o.DNSNames[0] != "a.lab.test" {
		t.Fatalf("dns options: %+v", o)
	}
}

func TestBadInputIsUsageError(t *testing.T) {
	tests := []struct {
		name string
		args []string
		bad  string // the value the message must name
	}{
		{"port zero", []string{"--target", "example.com:0"}, "port 0"},
		{"port too big", []string{"--target", "example.com:70000"}, "70000"},
		{"port not a number", []string{"--target", "example.com:abc"}, `"abc"`},
		{"bad URL scheme", []string{"--target", "gopher://x"}, "gopher"},
		{"bad host", []string{"--target", "bad host:80"}, "bad host"},
		{"bad duration", []string{"--timeout", "soon"}, "soon"},
		{"negative duration", []string{"--timeout", "-1s"}, "-1s"},
		{"bad format", []string{"-o", "yaml"}, `"yaml"`},
		{"bad upstream", []string{"--upstream", "1.2.3"}, "1.2.3"},
		{"bad resolver", []string{"--resolver", "x:y"}, "x:y"},
		{"bad layer", []string{"--layers", "dns,physics"}, "physics"},
		{"bad count", []string{"--count", "0"}, "count 0"},
		{"bad loss", []string{"--loss-warn", "250"}, "250"},
		{"bad dns name", []string{"--dns-name", "a..b"}, "a..b"},
		{"bad printer", []string{"--printer", "-x-"}, "-x-"},
		{"bad snmp version", []string{"--printer", "10.77.1.20", "--snmp-version", "4"}, "4"},
		{"unknown flag", []string{"--frobnicate"}, "frobnicate"},
		{"unknown command", []string{"explode"}, "explode"},
		{"port command bad port", []string{"port", "127.0.0.1", "0"}, "port 0"},
		{"port command bad range", []string{"port", "127.0.0.1", "90-80"}, "90-80"},
		{"port command missing ports", []string{"port", "127.0.0.1"}, "2 arg"},
		{"dns command no name", []string{"dns"}, "1 arg"},
		{"missing ca file", []string{"--ca-file", "/nonexistent/ca.pem"}, "/nonexistent/ca.pem"},
		{"service layer without a target", []string{"--layers", "service"}, "needs --target"},
		{"printer layer without a printer", []string{"--layers", "printer,service"}, "needs --printer"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, code, stderr := capture(t, nil, tt.args...)
			if code != ExitUsage {
				t.Fatalf("exit %d, want 2 (stderr %q)", code, stderr)
			}
			if strings.Count(stderr, "\n") != 1 || !strings.HasPrefix(stderr, "netprobe: ") {
				t.Fatalf("stderr is not one 'netprobe: ' line: %q", stderr)
			}
			if !strings.Contains(stderr, tt.bad) {
				t.Fatalf("stderr %q does not name %q", stderr, tt.bad)
			}
		})
	}
}

func TestConfigFile(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "netprobe.yml")
	os.WriteFile(cfg, []byte("upstream: [198.18.1.1, 198.18.1.2]\ndns_name: www.lab.test\ntimeout: 3s\noutput: json\ntarget:\n  - tcp://10.77.2.10:25\n"), 0o600)
	o, code, stderr := capture(t, nil, "--config", cfg, "--timeout", "5s")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if len(o.Upstreams) != 2 || o.DNSNames[0] != "www.lab.test" || len(o.Targets) != 1 {
		t.Fatalf("config not applied: %+v", o)
	}
	if o.Budget != 5*time.Second {
		t.Fatalf("the command line must win over the config: budget %s", o.Budget)
	}
	// The environment names a config file too.
	o, code, _ = capture(t, map[string]string{EnvConfig: cfg})
	if code != 0 || len(o.Upstreams) != 2 || o.Budget != 3*time.Second {
		t.Fatalf("NETPROBE_CONFIG not applied: code %d, %+v", code, o)
	}

	bad := []struct{ name, body, want string }{
		{"unknown key", "upstreem: [1.1.1.1]\n", `unknown setting "upstreem"`},
		{"bad value", "timeout: soon\n", "soon"},
		{"list for scalar", "timeout: [1s, 2s]\n", "one value"},
		{"not yaml", "upstream: [\n", "config"},
		{"bad target", "target: example.com:0\n", "port 0"},
	}
	for _, b := range bad {
		t.Run(b.name, func(t *testing.T) {
			p := filepath.Join(dir, strings.ReplaceAll(b.name, " ", "_")+".yml")
			os.WriteFile(p, []byte(b.body), 0o600)
			_, code, stderr := capture(t, nil, "--config", p)
			if code != ExitUsage || !strings.Contains(stderr, b.want) || strings.Count(stderr, "\n") != 1 {
				t.Fatalf("exit %d, stderr %q, want 2 and %q", code, stderr, b.want)
			}
		})
	}
}

func TestSNMPSecretsFromEnvironment(t *testing.T) {
	env := map[string]string{EnvCommunity: "s3cret-community", EnvAuthPass: "auth-pass-123", EnvPrivPass: "priv-pass-456"}
	o, code, stderr := capture(t, env, "printer", "10.77.1.20", "--snmp-version", "3", "--snmp-user", "ops",
		"--auth-proto", "sha", "--priv-proto", "aes")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	p := o.Printer
	if p.Community != "s3cret-community" || p.AuthPass != "auth-pass-123" || p.PrivPass != "priv-pass-456" || p.AuthProto != "SHA" || p.Version != "3" {
		t.Fatalf("printer options = %+v", p)
	}
	o, _, _ = capture(t, env, "printer", "10.77.1.20", "--community", "flag-wins")
	if o.Printer.Community != "flag-wins" {
		t.Fatalf("flag must win over the environment: %q", o.Printer.Community)
	}
	o, _, _ = capture(t, nil, "printer", "10.77.1.20")
	if o.Printer.Community != "public" {
		t.Fatalf("default community = %q", o.Printer.Community)
	}
}

func TestExitCodesFollowVerdict(t *testing.T) {
	for _, tt := range []struct {
		status result.Overall
		code   int
	}{{result.Healthy, 0}, {result.Failed, 1}, {result.Degraded, 3}, {result.Unknown, 4}} {
		io, out, _ := iostreams.Test()
		f := &Factory{IO: io, Getenv: func(string) string { return "" },
			Run: func(ctx context.Context, o diagnose.Options) *result.Report {
				return &result.Report{Schema: result.Schema, Verdict: result.Verdict{Status: tt.status, Summary: "s"}}
			}}
		root := NewRootCmd(f)
		root.SetArgs([]string{"-o", "json", "--upstream", "198.18.1.1"})
		if code := exitCode(root.Execute(), io); code != tt.code {
			t.Errorf("%s: exit %d, want %d", tt.status, code, tt.code)
		}
		if !strings.Contains(out.String(), `"status": "`+string(tt.status)+`"`) {
			t.Errorf("%s: report not rendered: %s", tt.status, out.String())
		}
	}
}
