package cmd

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/spf13/pflag"

	"github.com/netprobe/netprobe/internal/iostreams"
)

// Bad values are refused with exit 2, one line, and the message names the
// one bad value — also values that parse (NaN, 0 meaning "default", an
// empty layer list that would mean "every layer, public defaults").
func TestBadValuesAreRefused(t *testing.T) {
	tests := []struct {
		name string
		args []string
		bad  string
	}{
		{"loss NaN", []string{"--loss-warn", "NaN"}, "loss-warn NaN"},
		{"loss +Inf", []string{"--loss-warn", "+Inf"}, "loss-warn +Inf"},
		{"loss negative", []string{"--loss-warn", "-1"}, "loss-warn -1"},
		{"loss zero (the probes would read the default)", []string{"--loss-warn", "0"}, "loss-warn 0"},
		{"supply NaN", []string{"--printer", "10.77.1.20", "--supply-warn", "NaN"}, "supply-warn NaN"},
		{"supply NaN without a printer", []string{"--supply-warn", "nan"}, "supply-warn NaN"},
		{"supply -Inf", []string{"--printer", "10.77.1.20", "--supply-warn", "-Inf"}, "supply-warn -Inf"},
		{"snmp port zero", []string{"--printer", "10.77.1.20", "--snmp-port", "0"}, "snmp-port 0"},
		{"snmp port zero without a printer", []string{"--snmp-port", "0"}, "snmp-port 0"},
		{"snmp port too big", []string{"printer", "10.77.1.20", "--snmp-port", "65536"}, "snmp-port 65536"},
		{"rtt-warn zero", []string{"--rtt-warn", "0s"}, "rtt-warn 0s"},
		{"interval zero", []string{"--interval", "0s"}, "interval 0s"},
		{"count too big", []string{"--count", "1001"}, "count 1001"},
		{"printer-timeout zero", []string{"--printer-timeout", "0s"}, "printer-timeout 0s"},
		{"empty layers", []string{"--layers", ""}, "layers is empty"},
		{"empty layer entry", []string{"--layers", "dns,,service"}, "entry 2 is empty"},
		{"timeout too long", []string{"--timeout", "11m"}, "11m"},
		{"bad snmp version on its own", []string{"--snmp-version", "5"}, `"5"`},
		{"bad auth proto", []string{"printer", "10.77.1.20", "--snmp-version", "3", "--snmp-user", "u", "--auth-proto", "ROT13"}, `"ROT13"`},
		{"zone with an escape", []string{"--upstream", "fe80::1%\x1b[2J"}, "IPv6 zone"},
		{"zone too long", []string{"--target", "[fe80::1%abcdefghijklmnopq]:80"}, "IPv6 zone"},
		{"port list: open range", []string{"port", "127.0.0.1", "1-"}, `"1-"`},
		{"port list: protocol only", []string{"port", "127.0.0.1", "tcp/"}, `"tcp/"`},
		{"port list: empty entry", []string{"port", "127.0.0.1", "80,,90"}, `entry 2, after "80"`},
		{"port list: bad end", []string{"port", "127.0.0.1", "22,tcp/1-x"}, `"tcp/1-x"`},
		{"port command zero timeout", []string{"port", "127.0.0.1", "80", "--timeout", "0s"}, "timeout 0s"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// The root command (a diagnosis) gets a lab upstream; a
			// subcommand takes only its own flags.
			_, code, stderr := capture(t, nil, tt.args...)
			if strings.HasPrefix(tt.args[0], "-") {
				_, code, stderr = capture(t, nil, append(tt.args, "--upstream", "198.18.1.1")...)
			}
			if code != ExitUsage {
				t.Fatalf("exit %d, want 2 (stderr %q)", code, stderr)
			}
			if strings.Count(stderr, "\n") != 1 || !strings.HasPrefix(stderr, "netprobe: ") {
				t.Fatalf("stderr is not one 'netprobe: ' line: %q", stderr)
			}
			if !strings.Contains(stderr, tt.bad) {
				t.Fatalf("stderr %q does not name %q", stderr, tt.bad)
			}
			if strings.ContainsRune(stderr, 0x1b) {
				t.Fatalf("stderr carries an escape character: %q", stderr)
			}
		})
	}
}

// A huge value is quoted by its start and its length, never echoed whole.
func TestHugeValueIsNotEchoed(t *testing.T) {
	huge := strings.Repeat("x", 1<<20)
	for _, args := range [][]string{
		{"--dns-name", huge},
		{"--target", huge + ":80"},
		{"--timeout", huge},
		{"--upstream", huge},
		{"--layers", huge},
		{"port", "127.0.0.1", huge},
		{"port", huge, "80"},
	} {
		_, code, stderr := capture(t, nil, args...)
		if code != ExitUsage {
			t.Fatalf("%.20q: exit %d", args, code)
		}
		if len(stderr) > 500 || !strings.Contains(stderr, "1048") {
			t.Fatalf("%.20q: stderr is %d bytes (want a bounded quote that gives the length): %.200q", args, len(stderr), stderr)
		}
	}
}

func writeConfig(t *testing.T, body string, mode os.FileMode) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "netprobe.yml")
	if err := os.WriteFile(p, []byte(body), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(p, mode); err != nil {
		t.Fatal(err)
	}
	return p
}

// Every config error names file:line:col and the bad value — semantic
// errors too, and values the command line overrides.
func TestConfigErrorsNamePlace(t *testing.T) {
	tests := []struct {
		name, body string
		args       []string
		want       string // after "config FILE"
	}{
		{"bad target in a list", "upstream: [198.18.1.1]\ntarget:\n  - tcp://10.77.0.1:80\n  - example.com:0\n", nil, `:4:5: target "example.com:0": port 0 is out of range`},
		{"bad duration", "timeout: soon\n", nil, `:1:10: timeout "soon" is not a duration`},
		{"overridden by the command line", "timeout: soon\n", []string{"--timeout", "3s"}, `:1:10: timeout "soon"`},
		{"overridden list", "upstream: [198.18.1.1, 1.2.3]\n", []string{"--upstream", "198.18.1.9"}, `:1:24: upstream "1.2.3" is not an IP address`},
		{"unknown key", "dns-name: a.lab.test\nupstreem: [198.18.1.1]\n", nil, `:2:1: unknown setting "upstreem"`},
		{"NaN", "loss-warn: NaN\n", nil, `:1:12: loss-warn NaN is out of range`},
		{"YAML NaN", "supply-warn: .nan\n", nil, `:1:14: supply-warn ".nan" is not a number`},
		{"snmp port zero", "snmp-port: 0\n", nil, `:1:12: snmp-port 0 is out of range`},
		{"empty layers", "layers: ''\n", nil, `:1:9: layers is empty`},
		{"layers without value", "layers:\n", nil, `:1:8: "layers" has no value`},
		{"empty list", "upstream: []\n", nil, `:1:11: "upstream" is an empty list`},
		{"list for a scalar", "timeout: [1s, 2s]\n", nil, `:1:15: timeout takes one value, not a list`},
		{"mapping", "timeout: {a: 1}\n", nil, `:1:10: "timeout": a mapping is not a value`},
		{"set twice", "dns_name: a.lab.test\ndns-name: b.lab.test\n", nil, `:2:1: "dns-name" is set twice (first on line 1)`},
		{"not a mapping", "- a\n- b\n", nil, `:1:1: want settings as "name: value" lines`},
		{"syntax", "upstream: [\n", nil, `:1: not valid YAML`},
		{"second document", "dns-name: a.lab.test\n---\nupstream: 1.2.3.4\n", nil, `:2:1: holds a second YAML document`},
		{"bad port list element", "target: [tcp://10.77.0.1:80, 'udp://10.77.0.1:']\n", nil, `:1:30: target "udp://10.77.0.1:": port number missing`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := writeConfig(t, tt.body, 0o600)
			_, code, stderr := capture(t, nil, append([]string{"--config", p, "--layers", "link"}, tt.args...)...)
			if code != ExitUsage || strings.Count(stderr, "\n") != 1 {
				t.Fatalf("exit %d, stderr %q; want 2 and one line", code, stderr)
			}
			if want := "netprobe: config " + p + tt.want; !strings.HasPrefix(stderr, want) {
				t.Fatalf("stderr %q\nwant prefix %q", stderr, want)
			}
		})
	}
}

// Config values the command line does not override still apply; a config
// value the command line overrides does not.
func TestConfigMergesAfterChecking(t *testing.T) {
	p := writeConfig(t, "upstream: [198.18.1.1]\nlayers: [dns, service]\nloss-warn: 5\ntimeout: 4s\n", 0o600)
	o, code, stderr := capture(t, nil, "--config", p, "--timeout", "3s")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if o.Budget.String() != "3s" || o.LossWarn != 5 || len(o.Layers) != 2 || len(o.Upstreams) != 1 {
		t.Fatalf("merged options: budget %s loss %g layers %v upstreams %v", o.Budget, o.LossWarn, o.Layers, o.Upstreams)
	}
}

// A config file that holds a secret and that other users can read gets
// one warning line; the run goes on.
func TestConfigSecretWarning(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no Unix modes")
	}
	tests := []struct {
		name string
		body string
		mode os.FileMode
		warn bool
	}{
		{"community, world-readable", "community: Zr8#kq2Lm9\n", 0o644, true},
		{"auth pass, group-readable", "snmp-version: 3\nsnmp-user: ops\nauth-proto: SHA\nauth-pass: Zr8#kq2Lm9xx\n", 0o640, true},
		{"priv pass, 0600", "priv-pass: Zr8#kq2Lm9xx\n", 0o600, false},
		{"no secret, world-readable", "dns-name: a.lab.test\n", 0o644, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := writeConfig(t, tt.body, tt.mode)
			_, code, stderr := capture(t, nil, "printer", "10.77.1.20", "--config", p)
			if tt.name == "priv pass, 0600" {
				// priv-pass alone is an SNMPv3 setting without version 3:
				// refused, and the refusal must not quote it.
				if code != ExitUsage || strings.Contains(stderr, "Zr8#") {
					t.Fatalf("exit %d, stderr %q", code, stderr)
				}
				return
			}
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			warned := strings.Contains(stderr, "warning: config "+p) && strings.Contains(stderr, "chmod 600")
			if warned != tt.warn || strings.Count(stderr, "\n") > 1 {
				t.Fatalf("warned = %v, want %v: %q", warned, tt.warn, stderr)
			}
			if strings.Contains(stderr, "Zr8#") {
				t.Fatalf("the warning quotes the secret: %q", stderr)
			}
		})
	}
}

// The --help of every secret flag says that the command line is visible
// to other users, and what to use instead.
func TestSecretFlagsHelp(t *testing.T) {
	io, _, _ := iostreams.Test()
	root := NewRootCmd(&Factory{IO: io})
	for _, c := range append(root.Commands(), root) {
		for name := range secretFlags {
			fl := c.Flags().Lookup(name)
			if fl == nil {
				continue
			}
			if !strings.Contains(fl.Usage, "process list") || !strings.Contains(fl.Usage, "0600") || !strings.Contains(fl.Usage, "$NETPROBE_SNMP_") {
				t.Errorf("%s --%s: help %q does not say the value is visible in the process list", c.Name(), name, fl.Usage)
			}
		}
	}
}

// The scratch flags a config value is checked on hold every setting of
// every command that reads the config: a flag added to one command but
// not to the scratch would go unchecked.
func TestScratchFlagsCoverEveryCommand(t *testing.T) {
	_, scratch := newScratchFlags()
	io, _, _ := iostreams.Test()
	root := NewRootCmd(&Factory{IO: io})
	for _, c := range append(root.Commands(), root) {
		if c.Flags().Lookup("config") == nil {
			continue
		}
		c.Flags().VisitAll(func(f *pflag.Flag) {
			if f.Name == "version" {
				return // netprobe --version prints and exits: no setting
			}
			if scratch.Lookup(f.Name) == nil {
				t.Errorf("%s --%s is not in the scratch flags", c.Name(), f.Name)
			}
		})
	}
	// And every list flag with a check has an element check.
	scratch.VisitAll(func(f *pflag.Flag) {
		if isList(f) && elementChecks[f.Name] == nil {
			t.Errorf("list flag --%s has no element check", f.Name)
		}
	})
}
