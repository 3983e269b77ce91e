package checkfile

import (
	"context"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/miekg/dns"

	"github.com/netprobe/netprobe/diagnose"
	"github.com/netprobe/netprobe/internal/snmpagent"
	"github.com/netprobe/netprobe/internal/testnet"
	"github.com/netprobe/netprobe/probes"
	"github.com/netprobe/netprobe/result"
)

// lab is a set of real loopback servers a check file can point at.
type lab struct {
	dns          string // 127.0.0.1:port, answers fs.lab.test A 127.0.0.5, NXDOMAIN otherwise
	open, closed int
	web          *httptest.Server // TLS, "/" says "office intranet", "/down" 503
	caFile       string
	printer      *snmpagent.Agent
}

func startLab(t *testing.T) lab {
	t.Helper()
	var l lab
	l.dns = testnet.StartDNS(t, dns.HandlerFunc(func(w dns.ResponseWriter, r *dns.Msg) {
		m := new(dns.Msg)
		m.SetReply(r)
		if strings.EqualFold(r.Question[0].Name, "fs.lab.test.") {
			if r.Question[0].Qtype == dns.TypeA {
				rr, _ := dns.NewRR("fs.lab.test. 60 IN A 127.0.0.5")
				m.Answer = append(m.Answer, rr)
			}
		} else {
			m.Rcode = dns.RcodeNameError
		}
		w.WriteMsg(m)
	})).String()
	l.open, l.closed = testnet.OpenTCP(t), testnet.ClosedTCP(t)
	l.web = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/down" {
			http.Error(w, "maintenance", http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(w, "welcome to the office intranet")
	}))
	t.Cleanup(l.web.Close)
	l.caFile = filepath.Join(t.TempDir(), "ca.pem")
	os.WriteFile(l.caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: l.web.Certificate().Raw}), 0o644)
	recs, err := snmpagent.LoadFile("../testdata/printers/hp_color_laserjet_pro_m252dw.snmprec")
	if err != nil {
		t.Fatal(err)
	}
	l.printer, err = snmpagent.Start(recs, snmpagent.Options{Community: "office-secret-community"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.printer.Close() })
	return l
}

// runFile writes src (with the lab's addresses filled in), loads, compiles
// and runs it, and returns the report.
func runFile(t *testing.T, src string, env map[string]string) *result.Report {
	t.Helper()
	p := filepath.Join(t.TempDir(), "office.yaml")
	if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := Load(p)
	if err != nil {
		t.Fatalf("load: %v\n%s", err, src)
	}
	o, err := f.Options(Env{Getenv: func(k string) string { return env[k] }})
	if err != nil {
		t.Fatalf("options: %v", err)
	}
	if err := o.Validate(); err != nil {
		t.Fatal(err)
	}
	return diagnose.Run(context.Background(), o)
}

// byName collects a report's checks by their check-file name.
func byName(r *result.Report) map[string][]result.Check {
	out := map[string][]result.Check{}
	for _, l := range r.Layers {
		for _, c := range l.Checks {
			n, _ := c.Evidence[EvidenceCheck].(string)
			out[n] = append(out[n], c)
		}
	}
	return out
}

func worstOf(cs []result.Check) result.Status {
	st := result.Skip
	for _, c := range cs {
		st = result.Worst(st, c.Status)
	}
	return st
}

// TestOfficeFile runs a whole office file against real servers on
// loopback: DNS (miekg), TCP, TLS with the file's CA, HTTP, and the SNMP
// agent serving a real printer recording. No lower layers: nothing leaves
// the machine.
func TestOfficeFile(t *testing.T) {
	l := startLab(t)
	src := fmt.Sprintf(`
timeout: 8s
layers: []
ca_file: %s
dns:
  - name: fs-name
    resolve: fs.lab.test
    resolver: %s
    expect: {all_of: [127.0.0.5]}
  - name: no-leak
    resolve: secret.lab.test
    resolver: %s
    expect: {resolves: false}
  - name: wrong-address
    resolve: fs.lab.test
    resolver: %s
    expect: {any_of: [127.0.0.9]}
targets:
  - name: smb-open
    target: tcp://127.0.0.1:%d
    expect: {port: open}
  - name: guest-isolated
    target: tcp://127.0.0.1:%d
    expect: {port: [filtered, closed]}
  - name: intranet
    target: %s/
    expect:
      tls: {min_days_left: 20}
      http: {status: 200, body_contains: "office intranet"}
  - name: intranet-down
    target: %s/down
    expect:
      http: {status: [200, 204]}
printers:
  - name: printer-hall
    host: 127.0.0.1
    snmp: {community_env: OFFICE_SNMP, port: %d}
    expect: {min_supply_percent: 30}
  - name: printer-low
    host: 127.0.0.1
    snmp: {community_env: OFFICE_SNMP, port: %d}
    expect: {min_supply_percent: 50}
`, l.caFile, l.dns, l.dns, l.dns, l.open, l.closed, l.web.URL, l.web.URL, l.printer.Port(), l.printer.Port())
	r := runFile(t, src, map[string]string{"OFFICE_SNMP": "office-secret-community"})
	got := byName(r)
	want := map[string]result.Status{
		"fs-name": result.OK, "no-leak": result.OK, "wrong-address": result.Fail,
		"smb-open": result.OK, "guest-isolated": result.OK, "intranet": result.OK, "intranet-down": result.Fail,
		// The hall printer has toner above 30 %; it warns only because its
		// print ports are closed on loopback.
		"printer-hall": result.Warn, "printer-low": result.Fail,
	}
	for name, st := range want {
		if len(got[name]) == 0 {
			t.Errorf("%s: no result", name)
			continue
		}
		if w := worstOf(got[name]); w != st {
			for _, c := range got[name] {
				t.Logf("%s %s %s %s: %s %v", name, c.Name, c.Status, c.Reason, c.Detail, c.Evidence)
			}
			t.Errorf("%s = %s, want %s", name, w, st)
		}
	}
	// A green check that failed raw keeps its raw outcome.
	g := got["guest-isolated"][0]
	if g.Evidence["raw_status"] != "fail" || g.Evidence["port_state"] != "closed" {
		t.Errorf("guest-isolated evidence = %v", g.Evidence)
	}
	// The verdict still runs on the rewritten checks: it names the lowest
	// failing layer.
	lowest := result.None
	for _, lr := range r.Layers {
		if lr.Status == result.Fail && lowest == result.None {
			lowest = lr.Name
		}
	}
	if r.Verdict.Status != result.Failed || lowest == result.None || r.Verdict.Layer != lowest {
		t.Errorf("verdict = %s at %s, want fail at %s", r.Verdict.Status, r.Verdict.Layer, lowest)
	}
	// Every unmet expectation is recorded, with what was found.
	unmet := map[string]string{}
	for _, e := range r.Expectations {
		if e.Status == result.ExpectUnmet {
			unmet[e.Name] = e.Found
		}
	}
	if !strings.Contains(unmet["wrong-address"], "127.0.0.5") || !strings.Contains(unmet["intranet-down"], "503") ||
		!strings.Contains(unmet["printer-low"], "Yellow") || len(unmet) != 3 {
		t.Errorf("unmet expectations = %v", unmet)
	}
	for _, e := range r.Expectations {
		if e.Status == result.ExpectUnmet && !e.Reason.Known() {
			t.Errorf("unmet %s without a registered reason: %q", e.Name, e.Reason)
		}
	}
	if l.printer.Requests() == 0 {
		t.Error("the printer agent was never asked")
	}
}

// TestSecretsStayOutOfTheReport: the community the environment holds is
// used (the agent answers) and appears nowhere in the report.
func TestSecretsStayOutOfTheReport(t *testing.T) {
	l := startLab(t)
	src := fmt.Sprintf("layers: []\nprinters:\n  - name: p\n    host: 127.0.0.1\n    snmp: {community_env: OFFICE_SNMP, port: %d}\n", l.printer.Port())
	r := runFile(t, src, map[string]string{"OFFICE_SNMP": "office-secret-community"})
	if st := worstOf(byName(r)["p"]); st == result.Fail {
		t.Fatalf("printer check failed: the community did not reach the agent")
	}
	b := fmt.Sprintf("%+v", *r)
	if strings.Contains(b, "office-secret-community") {
		t.Fatal("the community appears in the report")
	}
}

// TestMissingSecretIsAnError: a variable the file names but the
// environment lacks stops the run before anything is sent.
func TestMissingSecretIsAnError(t *testing.T) {
	f, err := Parse("office.yaml", []byte("layers: []\nprinters:\n  - name: p\n    host: 127.0.0.1\n    snmp: {community_env: OFFICE_SNMP}\n"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.Options(Env{Getenv: func(string) string { return "" }})
	if err == nil || err.Error() != "office.yaml:5:12: community_env: the environment variable OFFICE_SNMP is not set" {
		t.Fatalf("err = %v", err)
	}
}

// TestDefaultModuleProbesOnlyTheTarget: the built-in module of netprobe
// serve runs one task, against the target, on the layer of the target,
// with no lower layers, no upstreams and no DNS names: it never falls back
// to netprobe's public defaults.
func TestDefaultModuleProbesOnlyTheTarget(t *testing.T) {
	open := testnet.OpenTCP(t)
	for _, tt := range []struct {
		target string
		layer  result.Layer
		probe  string
	}{
		{fmt.Sprintf("tcp://127.0.0.1:%d", open), result.Service, "tcp"},
		{fmt.Sprintf("127.0.0.1:%d", open), result.Service, "tcp"},
		{"udp://127.0.0.1:53", result.Service, "udp"},
		{"https://127.0.0.1:8443/", result.Service, "https"},
		{"127.0.0.1", result.Service, "ping"},
		{"[::1]", result.Service, "ping"},
		{"dns://127.0.0.1:5353/fs.lab.test", result.DNS, "dns"},
	} {
		t.Run(tt.target, func(t *testing.T) {
			o, err := DefaultModuleOptions(tt.target, Env{ICMP: func() probes.ICMPPermission { return probes.ICMPPermission{Mode: probes.ICMPDenied} }})
			if err != nil {
				t.Fatal(err)
			}
			if len(o.Layers) != 1 || o.Layers[0] != tt.layer {
				t.Errorf("layers = %v, want only %s", o.Layers, tt.layer)
			}
			if o.Upstreams == nil || len(o.Upstreams) != 0 || o.DNSNames == nil || len(o.DNSNames) != 0 || len(o.Targets) != 0 || len(o.Printers) != 0 {
				t.Errorf("defaults could come back: upstreams %v, dns names %v, targets %v, printers %v", o.Upstreams, o.DNSNames, o.Targets, o.Printers)
			}
			if !o.NoReference || o.ReadSystem == nil {
				t.Errorf("reference resolvers or the system's configuration would be used")
			}
			tasks := diagnose.Plan(o, o.ReadSystem(), probes.ICMPPermission{})
			if len(tasks) != 1 || tasks[0].Name != tt.probe || tasks[0].Layer != tt.layer {
				t.Fatalf("plan = %+v", tasks)
			}
		})
	}
	// And a run of it answers with that one check.
	o, _ := DefaultModuleOptions(fmt.Sprintf("tcp://127.0.0.1:%d", open), Env{})
	r := diagnose.Run(context.Background(), o)
	if len(r.Layers) != 1 || len(r.Layers[0].Checks) != 1 || r.Verdict.Status != result.Healthy {
		t.Fatalf("report = %+v", r)
	}
	for _, bad := range []string{"", "ftp://x/", "tcp://127.0.0.1:0", "dns://127.0.0.1/", "dns://nope/x.test", "tcp://user@host:1"} {
		if _, err := DefaultModuleOptions(bad, Env{}); err == nil {
			t.Errorf("target %q accepted", bad)
		}
	}
}
