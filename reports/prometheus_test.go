package reports_test

import (
	"bytes"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/netprobe/netprobe/reports"
	"github.com/netprobe/netprobe/reports/reporttest"
	"github.com/netprobe/netprobe/result"
)

// promSeries is one parsed sample line.
type promSeries struct {
	name   string
	labels map[string]string
	value  float64
}

var (
	promName   = `[a-zA-Z_:][a-zA-Z0-9_:]*`
	promSample = regexp.MustCompile(`^(` + promName + `)(\{.*\})? (\S+)$`)
	promMeta   = regexp.MustCompile(`^# (HELP|TYPE) (` + promName + `) (.*)$`)
	labelName  = regexp.MustCompile(`^[a-zA-Z_][a-zA-Z0-9_]*`)
)

// parseLabels reads {a="x",b="y"} strictly by the exposition format's
// rules: only \\, \" and \n are escapes, and the set must end exactly.
func parseLabels(s string) (map[string]string, error) {
	out := map[string]string{}
	if s == "" {
		return out, nil
	}
	s = s[1 : len(s)-1]
	for len(s) > 0 {
		n := labelName.FindString(s)
		if n == "" || !strings.HasPrefix(s[len(n):], `="`) {
			return nil, fmt.Errorf("bad label at %q", s)
		}
		s = s[len(n)+2:]
		var v strings.Builder
		i := 0
		for ; i < len(s) && s[i] != '"'; i++ {
			if s[i] == '\n' {
				return nil, fmt.Errorf("raw newline in label %s", n)
			}
			if s[i] != '\\' {
				v.WriteByte(s[i])
				continue
			}
			i++
			switch {
			case i >= len(s):
				return nil, fmt.Errorf("dangling backslash in %s", n)
			case s[i] == '\\' || s[i] == '"':
				v.WriteByte(s[i])
			case s[i] == 'n':
				v.WriteByte('\n')
			default:
				return nil, fmt.Errorf(`bad escape \%c in %s`, s[i], n)
			}
		}
		if i >= len(s) {
			return nil, fmt.Errorf("unterminated value of %s", n)
		}
		if _, dup := out[n]; dup {
			return nil, fmt.Errorf("label %s twice", n)
		}
		out[n] = v.String()
		s = s[i+1:]
		if strings.HasPrefix(s, ",") {
			s = s[1:]
		} else if s != "" {
			return nil, fmt.Errorf("junk after label %s: %q", n, s)
		}
	}
	return out, nil
}

// parseExposition checks the text against the format's grammar and the
// textfile collector's expectations (HELP and TYPE once, before the
// family's samples; families not interleaved; no duplicate series) and
// returns the samples.
func parseExposition(t *testing.T, text string) []promSeries {
	t.Helper()
	if !strings.HasSuffix(text, "\n") {
		t.Error("exposition does not end with a newline")
	}
	var out []promSeries
	help, typ := map[string]bool{}, map[string]bool{}
	done := map[string]bool{}
	current := ""
	seen := map[string]bool{}
	for i, line := range strings.Split(strings.TrimSuffix(text, "\n"), "\n") {
		if m := promMeta.FindStringSubmatch(line); m != nil {
			kind, name := m[1], m[2]
			if name != current {
				if done[name] {
					t.Errorf("line %d: family %s appears twice", i+1, name)
				}
				done[current] = true
				current = name
			}
			switch kind {
			case "HELP":
				if help[name] || typ[name] {
					t.Errorf("line %d: HELP for %s after its TYPE or twice", i+1, name)
				}
				help[name] = true
			case "TYPE":
				if m[3] != "gauge" {
					t.Errorf("line %d: type %q", i+1, m[3])
				}
				typ[name] = true
			}
			continue
		}
		m := promSample.FindStringSubmatch(line)
		if m == nil {
			t.Errorf("line %d does not parse: %q", i+1, line)
			continue
		}
		if m[1] != current || !help[current] || !typ[current] {
			t.Errorf("line %d: sample of %s outside its family block", i+1, m[1])
		}
		labels, err := parseLabels(m[2])
		if err != nil {
			t.Errorf("line %d: %v", i+1, err)
			continue
		}
		v, err := strconv.ParseFloat(m[3], 64)
		if err != nil {
			t.Errorf("line %d: value %q: %v", i+1, m[3], err)
		}
		key := m[1] + m[2]
		if seen[key] {
			t.Errorf("line %d: duplicate series %s", i+1, key)
		}
		seen[key] = true
		out = append(out, promSeries{m[1], labels, v})
	}
	return out
}

func prom(t *testing.T, r *result.Report) []promSeries {
	t.Helper()
	var b bytes.Buffer
	if err := reports.Prometheus(&b, r); err != nil {
		t.Fatal(err)
	}
	return parseExposition(t, b.String())
}

// TestPrometheusGrammar parses every fixture's exposition, hostile label
// values included, and checks each check's status series carries the
// check's exact (unescaped) strings.
func TestPrometheusGrammar(t *testing.T) {
	for _, f := range reporttest.All() {
		t.Run(f.Name, func(t *testing.T) {
			series := prom(t, f.Report)
			statuses := map[string]int{}
			for _, s := range series {
				if s.name == "netprobe_check_status" && s.labels["seq"] == "" {
					statuses[s.labels["layer"]+"\x00"+s.labels["probe"]+"\x00"+s.labels["target"]]++
				}
			}
			for _, l := range f.Report.Layers {
				for _, c := range l.Checks {
					if statuses[l.Name.String()+"\x00"+c.Name+"\x00"+c.Target] == 0 {
						t.Errorf("no netprobe_check_status for %s %q %q", l.Name, c.Name, c.Target)
					}
				}
			}
		})
	}
}

// TestPrometheusValues checks the documented value mappings.
func TestPrometheusValues(t *testing.T) {
	get := func(series []promSeries, name string, labels map[string]string) []float64 {
		var out []float64
	next:
		for _, s := range series {
			if s.name != name {
				continue
			}
			for k, v := range labels {
				if s.labels[k] != v {
					continue next
				}
			}
			out = append(out, s.value)
		}
		return out
	}
	tests := []struct {
		name   string
		report *result.Report
		metric string
		labels map[string]string
		want   []float64
	}{
		{"ok check", reporttest.Healthy(), "netprobe_check_status", map[string]string{"check": "link", "target": "eth0"}, []float64{0}},
		{"skipped check", reporttest.Healthy(), "netprobe_check_status", map[string]string{"target": "wlan0"}, []float64{-1}},
		{"warn check", reporttest.Degraded(), "netprobe_check_status", map[string]string{"target": "1.1.1.1"}, []float64{1}},
		{"failed check", reporttest.DNSFailure(), "netprobe_check_status", map[string]string{"target": "example.com @192.168.1.1"}, []float64{2}},
		{"failed layer is down", reporttest.DNSFailure(), "netprobe_up", map[string]string{"layer": "dns"}, []float64{0}},
		{"warn layer is up", reporttest.Degraded(), "netprobe_up", map[string]string{"layer": "internet"}, []float64{1}},
		{"skipped layer is absent", reporttest.Skipped(), "netprobe_up", map[string]string{"layer": "dns"}, nil},
		{"rtt in seconds", reporttest.Degraded(), "netprobe_rtt_seconds", map[string]string{"target": "1.1.1.1"}, []float64{0.0483}},
		{"loss as ratio", reporttest.Degraded(), "netprobe_packet_loss_ratio", map[string]string{"target": "1.1.1.1"}, []float64{0.3}},
		{"same label set twice", reporttest.Degraded(), "netprobe_check_status", map[string]string{"target": "example.com @192.168.1.1"}, []float64{0, 0}},
		{"second one numbered", reporttest.Degraded(), "netprobe_check_status", map[string]string{"target": "example.com @192.168.1.1", "seq": "2"}, []float64{0}},
		{"supply percent", reporttest.PrinterJam(), "netprobe_printer_supply_percent", map[string]string{"supply": "Cyan Toner"}, []float64{8}},
		{"unknown supply absent", reporttest.PrinterJam(), "netprobe_printer_supply_percent", map[string]string{"supply": "Yellow Toner"}, nil},
		{"tray percent", reporttest.PrinterJam(), "netprobe_printer_tray_percent", map[string]string{"tray": "Tray 3"}, []float64{50}},
		{"hostile supply name round-trips", reporttest.Hostile(), "netprobe_printer_supply_percent", map[string]string{"supply": "Toner | \"Black\" \\ <b>"}, []float64{5}},
		{"check file's name", reporttest.CheckFile(), "netprobe_check_status", map[string]string{"check": "guest-vlan-isolated", "probe": "tcp"}, []float64{0}},
		{"failed check's reason", withReason(reporttest.CheckFile()), "netprobe_check_status", map[string]string{"check": "intranet-web", "probe": "http", "reason": "expect.http_status"}, []float64{2}},
		{"verdict", reporttest.DNSFailure(), "netprobe_verdict", map[string]string{"status": "fail", "layer": "dns"}, []float64{1}},
		{"duration", reporttest.DNSFailure(), "probe_duration_seconds", nil, []float64{4.21}},
		{"failed run is no success", reporttest.DNSFailure(), "probe_success", nil, []float64{0}},
		{"degraded run is a success", reporttest.Degraded(), "probe_success", nil, []float64{1}},
		{"failed layer status", reporttest.DNSFailure(), "netprobe_layer_status", map[string]string{"layer": "dns"}, []float64{2}},
		{"skipped layer status", reporttest.Skipped(), "netprobe_layer_status", map[string]string{"layer": "dns"}, []float64{-1}},
		{"printer error by code", reporttest.PrinterJam(), "netprobe_printer_error", map[string]string{"code": "jammed"}, []float64{1}},
		{"dns answer time", reporttest.DNSFailure(), "probe_dns_lookup_time_seconds", map[string]string{"target": "example.com @1.1.1.1"}, []float64{0.0141}},
		{"timestamp", reporttest.DNSFailure(), "netprobe_last_run_timestamp_seconds", nil, []float64{float64(reporttest.Start.Unix())}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := get(prom(t, tt.report), tt.metric, tt.labels)
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("%s%v = %v, want %v", tt.metric, tt.labels, got, tt.want)
			}
		})
	}
}

// TestPrometheusEscapesLabels: a label value is sanitised like every
// network string (a line feed becomes a space, an escape sequence and
// invalid UTF-8 cannot pass) and then escaped by the format's rules, so
// the collector never reads half a line and the value round-trips.
func TestPrometheusEscapesLabels(t *testing.T) {
	r := &result.Report{Layers: []result.LayerResult{{Name: result.Service, Status: result.OK, Checks: []result.Check{
		{Name: "http", Target: "a\nb\\\"c\xff\x1b[31mred", Status: result.OK},
	}}}}
	series := prom(t, r)
	n := 0
	for _, s := range series {
		if s.name == "netprobe_check_status" {
			n++
			if s.labels["target"] != "a b\\\"c\uFFFDred" {
				t.Errorf("target label = %q", s.labels["target"])
			}
		}
	}
	if n != 1 {
		t.Fatalf("%d check series", n)
	}
}

// withReason gives the failed checks of r a reason code, as probes do.
func withReason(r *result.Report) *result.Report {
	for i := range r.Layers {
		for j := range r.Layers[i].Checks {
			if r.Layers[i].Checks[j].Status == result.Fail {
				r.Layers[i].Checks[j].Reason = result.ReasonExpectHTTPStatus
			}
		}
	}
	return r
}

// TestPrometheusEscapesLabelValues: a carriage return, an escape sequence,
// a bidi override or a zero-width character in a label value reaches no
// dashboard: the value is cleaned like any other rendered string.
func TestPrometheusEscapesLabelValues(t *testing.T) {
	r := &result.Report{Layers: []result.LayerResult{{Name: result.Service, Status: result.OK, Checks: []result.Check{
		{Name: "http", Target: "a\nb\\\"c\xff\r\x1b[31md\u202e\u200be", Status: result.OK},
	}}}}
	var b bytes.Buffer
	if err := reports.Prometheus(&b, r); err != nil {
		t.Fatal(err)
	}
	if strings.ContainsAny(b.String(), "\r\x1b\u202e\u200b") {
		t.Errorf("raw control or format character in:\n%q", b.String())
	}
	found := false
	for _, s := range prom(t, r) {
		if s.name == "netprobe_check_status" {
			found = true
			if strings.ContainsAny(s.labels["target"], "\r\n\x1b\u202e\u200b") || !strings.HasPrefix(s.labels["target"], "a b") {
				t.Errorf("target label = %q", s.labels["target"])
			}
		}
	}
	if !found {
		t.Error("no netprobe_check_status series")
	}
}
