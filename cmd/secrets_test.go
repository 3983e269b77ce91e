package cmd_test

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/gosnmp/gosnmp"

	"github.com/netprobe/netprobe/internal/snmpagent"
)

// Secrets of this test: random-looking, so that no 4-character piece of
// them turns up in a report by chance.
const (
	secCommunity = "Qv7#Lm2pXz9K"
	secAuth      = "Hq4!Tn8wRb3Y"
	secPriv      = "Jc6$Wd1sFk5U"
	secURLUser   = "zorblattix"
	secURLPass   = "Pn3^Ye7vGq2M"
)

var secrets = []string{secCommunity, secAuth, secPriv, secURLUser, secURLPass}

// assertNoSecret fails when any 4-character piece of a secret appears in
// out.
func assertNoSecret(t *testing.T, what, out string) {
	t.Helper()
	for _, s := range secrets {
		for i := 0; i+4 <= len(s); i++ {
			if frag := s[i : i+4]; strings.Contains(out, frag) {
				t.Fatalf("%s shows %q, a piece of a secret:\n%s", what, frag, out)
			}
		}
	}
}

func startAgent(t *testing.T, opt snmpagent.Options) *snmpagent.Agent {
	t.Helper()
	recs, err := snmpagent.LoadFile(filepath.Join("..", "testdata", "printers", "brother_mfc-l2710dw.snmprec"))
	if err != nil {
		t.Fatal(err)
	}
	a, err := snmpagent.Start(recs, opt)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	return a
}

// Secrets passed through every input path — flags, environment, config
// file, a URL — never show, not even a piece, in any output format or on
// stderr: whether the printer answers, refuses the secret, or the input
// is refused.
func TestSecretsNeverShow(t *testing.T) {
	v2 := startAgent(t, snmpagent.Options{Community: secCommunity})
	v3 := startAgent(t, snmpagent.Options{V3: &snmpagent.V3User{Name: "ops", AuthProto: gosnmp.SHA, AuthPass: secAuth,
		PrivProto: gosnmp.AES, PrivPass: secPriv}})
	wrong := startAgent(t, snmpagent.Options{Community: "something-else"})
	dir := t.TempDir()
	cfg := func(name, body string, mode os.FileMode) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), mode); err != nil {
			t.Fatal(err)
		}
		os.Chmod(p, mode)
		return p
	}
	port := func(a *snmpagent.Agent) string { return strconv.Itoa(a.Port()) }
	short := []string{"--printer-timeout", "1s", "--timeout", "4s"}
	v3flags := []string{"--snmp-version", "3", "--snmp-user", "ops", "--auth-proto", "SHA", "--priv-proto", "AES"}

	type run struct {
		name string
		env  []string
		args []string
	}
	runs := []run{
		{"community flag", nil, append([]string{"printer", "127.0.0.1", "--snmp-port", port(v2), "--community", secCommunity}, short...)},
		{"community env", []string{"NETPROBE_SNMP_COMMUNITY=" + secCommunity}, append([]string{"printer", "127.0.0.1", "--snmp-port", port(v2)}, short...)},
		{"community config 0644", nil, append([]string{"printer", "127.0.0.1", "--config",
			cfg("c.yml", "community: "+secCommunity+"\nsnmp-port: "+port(v2)+"\n", 0o644)}, short...)},
		{"community refused", nil, append([]string{"printer", "127.0.0.1", "--snmp-port", port(wrong), "--community", secCommunity}, short...)},
		{"v3 flags", nil, append(append([]string{"printer", "127.0.0.1", "--snmp-port", port(v3), "--auth-pass", secAuth, "--priv-pass", secPriv}, v3flags...), short...)},
		{"v3 env", []string{"NETPROBE_SNMP_AUTH_PASS=" + secAuth, "NETPROBE_SNMP_PRIV_PASS=" + secPriv},
			append(append([]string{"printer", "127.0.0.1", "--snmp-port", port(v3)}, v3flags...), short...)},
		{"v3 config", nil, append([]string{"printer", "127.0.0.1", "--snmp-port", port(v3), "--config",
			cfg("v3.yml", "snmp-version: 3\nsnmp-user: ops\nauth-proto: SHA\npriv-proto: AES\nauth-pass: "+secAuth+"\npriv-pass: "+secPriv+"\n", 0o600)}, short...)},
		{"v3 wrong pass phrases", nil, append(append([]string{"printer", "127.0.0.1", "--snmp-port", port(v3), "--auth-pass", secPriv, "--priv-pass", secAuth}, v3flags...), short...)},
	}
	formats := []string{"text", "json", "markdown", "junit", "prometheus"}
	for _, r := range runs {
		for _, f := range formats {
			for _, extra := range [][]string{nil, {"--redact"}, {"-v"}} {
				if extra != nil && (f != "text" && f != "json" || r.name != "community flag" && r.name != "v3 flags") {
					continue // redaction and verbosity on the paths that answer
				}
				args := append(append(append([]string{}, r.args...), "-o", f), extra...)
				t.Run(r.name+" "+strings.Join(args[len(r.args):], " "), func(t *testing.T) {
					res := netprobeEnv(t, r.env, args...)
					if res.code == 2 {
						t.Fatalf("input refused: %s", res.stderr)
					}
					if res.stdout == "" {
						t.Fatalf("no report (exit %d): %s", res.code, res.stderr)
					}
					assertNoSecret(t, "stdout", res.stdout)
					assertNoSecret(t, "stderr", res.stderr)
				})
			}
		}
	}

	// Input that is refused must not quote the secret either.
	refused := []run{
		{"URL with credentials", nil, []string{"--layers", "service", "--target", "https://" + secURLUser + ":" + secURLPass + "@127.0.0.1:1/"}},
		{"URL with credentials, broken", nil, []string{"--layers", "service", "--target", "https://" + secURLUser + ":" + secURLPass[:5] + "/" + secURLPass[5:] + "@127.0.0.1:1/"}},
		{"host:port with credentials", nil, []string{"--layers", "service", "--target", secURLUser + ":" + secURLPass + "@127.0.0.1:1"}},
		{"URL with credentials in the config", nil, []string{"--layers", "service", "--config",
			cfg("t.yml", "target: [\"http://"+secURLUser+":"+secURLPass+"@127.0.0.1:1/\"]\n", 0o600)}},
		{"v3 secrets without version 3", nil, []string{"printer", "127.0.0.1", "--auth-pass", secAuth, "--priv-pass", secPriv}},
		{"community with a v3 pass phrase too short", nil, append([]string{"printer", "127.0.0.1", "--community", secCommunity, "--auth-pass", "Hq4!"}, v3flags...)},
		{"secret in a config list", nil, []string{"printer", "127.0.0.1", "--config", cfg("l.yml", "community: ["+secCommunity+", "+secAuth+"]\n", 0o600)}},
		{"secret as a mapping", nil, []string{"printer", "127.0.0.1", "--config", cfg("m.yml", "priv-pass: {"+secPriv+": 1}\n", 0o600)}},
		{"secret in a broken config", nil, []string{"printer", "127.0.0.1", "--config", cfg("b.yml", "auth-pass: \""+secAuth+"\n", 0o600)}},
	}
	for _, r := range refused {
		t.Run("refused: "+r.name, func(t *testing.T) {
			res := netprobeEnv(t, r.env, r.args...)
			if res.code != 2 || res.stdout != "" {
				t.Fatalf("exit %d, stdout %q, stderr %q: want 2 and no report", res.code, res.stdout, res.stderr)
			}
			assertNoSecret(t, "stderr", res.stderr)
		})
	}
}
