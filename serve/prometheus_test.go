package serve_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/netprobe/netprobe/checkfile"
	"github.com/netprobe/netprobe/internal/snmpagent"
	"github.com/netprobe/netprobe/internal/testnet"
	"github.com/netprobe/netprobe/serve"
)

// need returns a binary's path; without it the test skips, except under
// CI=true, where scripts/install-deps should have installed it.
func need(t *testing.T, name, pkg string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s not found: scripts/install-deps installs Debian's %s", name, pkg)
		}
		t.Skipf("%s not found (Debian package %s): skipping the real-Prometheus test", name, pkg)
	}
	return p
}

// readmeBlock returns the fenced block after a marker in the README.
func readmeBlock(t *testing.T, marker string) string {
	t.Helper()
	b, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	i := strings.Index(doc, marker)
	if i < 0 {
		t.Fatalf("README has no %q", marker)
	}
	rest := doc[i:]
	start := strings.Index(rest, "```")
	body := rest[start+strings.Index(rest[start:], "\n")+1:]
	return body[:strings.Index(body, "```")]
}

func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// TestRealPrometheus starts Debian's Prometheus on loopback, scraping an
// in-process netprobe serve every second with the README's relabelling,
// and asks Prometheus' query API what it stored: probe_success 1 for a
// listening port, 0 for a closed one, and the printer supply gauges the
// SNMP agent's real recording gives. The README's alert rules pass
// promtool and are loaded and evaluated by the same Prometheus.
//
// Prometheus is told exactly what to do: listen on 127.0.0.1, scrape the
// targets below and nothing else (no service discovery, no remote
// write, no default jobs), keep its data in a temporary directory.
func TestRealPrometheus(t *testing.T) {
	prom := need(t, "prometheus", "prometheus")
	promtool := need(t, "promtool", "prometheus")
	dir := t.TempDir()

	rules := filepath.Join(dir, "rules.yml")
	os.WriteFile(rules, []byte(readmeBlock(t, "<!-- rules:")), 0o644)
	if out, err := exec.Command(promtool, "check", "rules", rules).CombinedOutput(); err != nil {
		t.Fatalf("promtool check rules: %v\n%s", err, out)
	}

	// The parts netprobe probes: a listening port, a closed one, a printer.
	open, closed := testnet.OpenTCP(t), testnet.ClosedTCP(t)
	recs, err := snmpagent.LoadFile("../testdata/printers/hp_color_laserjet_pro_m252dw.snmprec")
	if err != nil {
		t.Fatal(err)
	}
	agent, err := snmpagent.Start(recs, snmpagent.Options{Community: "office-community"})
	if err != nil {
		t.Fatal(err)
	}
	defer agent.Close()
	cf := filepath.Join(dir, "office.yaml")
	os.WriteFile(cf, []byte(fmt.Sprintf(`modules:
  smb:
    target: {expect: {port: open}}
  printer:
    printer:
      snmp: {community_env: OFFICE_SNMP, port: %d}
`, agent.Port())), 0o644)
	s, err := serve.New(serve.Config{Load: func() (*checkfile.File, error) { return checkfile.Load(cf) },
		Env: checkfile.Env{Getenv: func(k string) string { return map[string]string{"OFFICE_SNMP": "office-community"}[k] }}})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	np := &httptest.Server{Listener: ln, Config: &http.Server{Handler: s.Handler()}}
	np.Start()
	defer np.Close()
	npAddr := ln.Addr().String()

	// The README's scrape job, with the test's targets and address.
	var readme struct {
		ScrapeConfigs []map[string]any `yaml:"scrape_configs"`
	}
	if err := yaml.Unmarshal([]byte(readmeBlock(t, "<!-- prometheus.yml:")), &readme); err != nil || len(readme.ScrapeConfigs) != 1 {
		t.Fatalf("README prometheus.yml: %v", err)
	}
	job := func(name, module string, targets ...string) map[string]any {
		j := map[string]any{}
		for k, v := range readme.ScrapeConfigs[0] {
			j[k] = v
		}
		j["job_name"], j["params"] = name, map[string]any{"module": []string{module}}
		j["static_configs"] = []any{map[string]any{"targets": targets}}
		j["scrape_interval"], j["scrape_timeout"] = "1s", "1s"
		var relabel []any
		for _, r := range j["relabel_configs"].([]any) {
			m := map[string]any{}
			for k, v := range r.(map[string]any) {
				m[k] = v
			}
			if m["target_label"] == "__address__" {
				if m["replacement"] != "127.0.0.1:9469" {
					t.Fatalf("README's relabelling does not point __address__ at netprobe serve: %v", m)
				}
				m["replacement"] = npAddr
			}
			relabel = append(relabel, m)
		}
		j["relabel_configs"] = relabel
		return j
	}
	cfg := map[string]any{
		"global":     map[string]any{"scrape_interval": "1s", "evaluation_interval": "1s"},
		"rule_files": []string{rules},
		"scrape_configs": []any{
			job("netprobe-office", "smb", fmt.Sprintf("tcp://127.0.0.1:%d", open), fmt.Sprintf("tcp://127.0.0.1:%d", closed)),
			job("netprobe-printers", "printer", "127.0.0.1"),
		},
	}
	cb, _ := yaml.Marshal(cfg)
	promCfg := filepath.Join(dir, "prometheus.yml")
	os.WriteFile(promCfg, cb, 0o644)
	if out, err := exec.Command(promtool, "check", "config", promCfg).CombinedOutput(); err != nil {
		t.Fatalf("promtool check config: %v\n%s", err, out)
	}

	promAddr := freePort(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cmd := exec.CommandContext(ctx, prom, "--config.file="+promCfg, "--storage.tsdb.path="+filepath.Join(dir, "data"),
		"--web.listen-address="+promAddr, "--log.level=warn")
	var logs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		cancel()
		cmd.Wait()
		if t.Failed() {
			t.Logf("prometheus log:\n%s", logs.String())
		}
	}()

	query := func(q string) map[string]float64 {
		resp, err := http.Get("http://" + promAddr + "/api/v1/query?query=" + url.QueryEscape(q))
		if err != nil {
			return nil
		}
		defer resp.Body.Close()
		var r struct {
			Status string
			Data   struct {
				Result []struct {
					Metric map[string]string
					Value  [2]any
				}
			}
		}
		if json.NewDecoder(resp.Body).Decode(&r) != nil || r.Status != "success" {
			return nil
		}
		out := map[string]float64{}
		for _, s := range r.Data.Result {
			var v float64
			fmt.Sscan(s.Value[1].(string), &v)
			key := s.Metric["instance"]
			if sup := s.Metric["supply"]; sup != "" {
				key = sup
			}
			out[key] = v
		}
		return out
	}
	openT, closedT := fmt.Sprintf("tcp://127.0.0.1:%d", open), fmt.Sprintf("tcp://127.0.0.1:%d", closed)
	deadline := time.Now().Add(20 * time.Second)
	var success, supplies, alerts map[string]float64
	for time.Now().Before(deadline) {
		success = query(`probe_success{job="netprobe-office"}`)
		supplies = query(`netprobe_printer_supply_percent{job="netprobe-printers"}`)
		alerts = query(`ALERTS{alertname="NetworkLayerFailing"}`)
		if len(success) == 2 && len(supplies) > 0 && alerts[closedT] == 1 {
			break
		}
		time.Sleep(250 * time.Millisecond)
	}
	if success[openT] != 1 || success[closedT] != 0 || len(success) != 2 {
		t.Errorf("probe_success in Prometheus = %v, want %s=1 and %s=0", success, openT, closedT)
	}
	if supplies["Yellow Cartridge HP CF402X"] != 36 || supplies["Black Cartridge HP CF400X"] != 63 {
		t.Errorf("supply gauges in Prometheus = %v", supplies)
	}
	// The layer-failing rule sees the closed port (pending: it has a 5m
	// "for"), and nothing else.
	if alerts[closedT] != 1 || len(alerts) != 1 {
		t.Errorf("NetworkLayerFailing alerts = %v, want only %s", alerts, closedT)
	}
	if up := query(`up`); len(up) != 3 {
		t.Errorf("Prometheus scraped %v: want exactly the three configured targets", up)
	}
}
