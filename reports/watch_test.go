package reports_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/netprobe/netprobe/reports"
	"github.com/netprobe/netprobe/reports/reporttest"
	"github.com/netprobe/netprobe/result"
	"github.com/netprobe/netprobe/watch"
)

var watchVariants = []struct {
	name   string
	render func(*bytes.Buffer, *watch.Summary) error
}{
	{"text.txt", func(b *bytes.Buffer, s *watch.Summary) error { return reports.WatchText(b, s, reports.TextOptions{}) }},
	{"tty.txt", func(b *bytes.Buffer, s *watch.Summary) error {
		return reports.WatchText(b, s, reports.TextOptions{Color: true, Unicode: true})
	}},
	{"verbose.txt", func(b *bytes.Buffer, s *watch.Summary) error {
		return reports.WatchText(b, s, reports.TextOptions{Verbose: true})
	}},
	{"md", func(b *bytes.Buffer, s *watch.Summary) error { return reports.WatchMarkdown(b, s) }},
	{"json", func(b *bytes.Buffer, s *watch.Summary) error { return reports.WatchJSON(b, s) }},
	{"html", func(b *bytes.Buffer, s *watch.Summary) error { return reports.WatchHTML(b, s) }},
}

// TestGoldenWatch renders every watch fixture in every format.
func TestGoldenWatch(t *testing.T) {
	for _, f := range reporttest.AllWatch() {
		for _, v := range watchVariants {
			t.Run(f.Name+"/"+v.name, func(t *testing.T) {
				var b bytes.Buffer
				if err := v.render(&b, f.Summary); err != nil {
					t.Fatal(err)
				}
				golden(t, f.Name+"."+v.name, b.Bytes())
			})
		}
	}
}

// TestWatchTextShowsOutages checks the figures a consultant reads first,
// independently of the golden file's layout.
func TestWatchTextShowsOutages(t *testing.T) {
	var b bytes.Buffer
	if err := reports.WatchText(&b, reporttest.WatchFlapping(), reports.TextOptions{}); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		"Watch: FAIL: Gateway down 3 times, 16.5 s in all; Internet failed with it",
		"gateway   2026-01-02 03:04:35 - 03:04:44         9 s  cause       gateway.no_reply  192.168.1.1",
		"gateway   2026-01-02 03:05:25 - 03:05:29         4 s  cause",
		"gateway   2026-01-02 03:06:02 - still down     3.5 s  cause",
		"internet  2026-01-02 03:04:35 - 03:04:44         9 s  consequence internet.no_reply",
		"Stopped by Ctrl-C",
		"internet ping 1.1.1.1",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("summary lacks %q:\n%s", want, out)
		}
	}
	for i, r := range out {
		if r > 0x7e || (r < 0x20 && r != '\n') {
			t.Fatalf("plain summary has a non-ASCII or control character %q at %d", r, i)
		}
	}
}

func TestWatchLines(t *testing.T) {
	at := reporttest.Start
	changes := []watch.Change{
		{At: at, Layer: result.Link, To: result.OK},
		{At: at, Layer: result.Gateway, To: result.OK},
		{At: at.Add(time.Second), Layer: result.Gateway, From: result.OK, To: result.Fail, Reason: result.ReasonGatewayNoReply,
			Target: "192.168.1.1", Detail: "192.168.1.1 does not answer\x1b[31m", Cause: true},
		{At: at.Add(time.Second), Layer: result.Internet, From: result.OK, To: result.Fail, Reason: result.ReasonInternetNoReply,
			Target: "1.1.1.1", Detail: "no reply"},
	}
	var b bytes.Buffer
	if err := reports.WatchLines(&b, changes, reports.TextOptions{}); err != nil {
		t.Fatal(err)
	}
	want := "03:04:05  start     link ok, gateway ok\n" +
		"03:04:06  gateway   ok -> FAIL  gateway.no_reply  192.168.1.1 does not answer\n" +
		"03:04:06  internet  ok -> FAIL  internet.no_reply (consequence of a lower layer)  1.1.1.1: no reply\n"
	if b.String() != want {
		t.Errorf("lines:\n%s\nwant:\n%s", b.String(), want)
	}
	b.Reset()
	if err := reports.WatchLines(&b, nil, reports.TextOptions{}); err != nil || b.Len() != 0 {
		t.Errorf("a round without change wrote %q", b.String())
	}
	b.Reset()
	reports.WatchLines(&b, changes[2:3], reports.TextOptions{Color: true, Unicode: true})
	if !strings.Contains(b.String(), " → ") || !strings.Contains(b.String(), "\x1b[31mFAIL") {
		t.Errorf("terminal line lacks the arrow or colour: %q", b.String())
	}
}

func TestParseWatchFormat(t *testing.T) {
	for in, want := range map[string]string{"text": "text", "JSON": "json", "md": "markdown", "html": "html"} {
		if got, err := reports.ParseWatchFormat(in); err != nil || got != want {
			t.Errorf("ParseWatchFormat(%q) = %q, %v", in, got, err)
		}
	}
	for _, in := range []string{"junit", "prometheus", "yaml"} {
		if _, err := reports.ParseWatchFormat(in); err == nil || !strings.Contains(err.Error(), in) {
			t.Errorf("ParseWatchFormat(%q) error = %v, want one naming it", in, err)
		}
	}
}

// TestWatchJSONShape: the fields docs/watch.md promises, lists never null.
func TestWatchJSONShape(t *testing.T) {
	for _, f := range reporttest.AllWatch() {
		t.Run(f.Name, func(t *testing.T) {
			var b bytes.Buffer
			if err := reports.WatchJSON(&b, f.Summary); err != nil {
				t.Fatal(err)
			}
			var m map[string]any
			if err := json.Unmarshal(b.Bytes(), &m); err != nil {
				t.Fatal(err)
			}
			for _, k := range []string{"schema", "tool", "command", "started_at", "ended_at", "duration_ms", "interval_ms", "rounds",
				"full_rounds", "light_rounds", "discarded_rounds", "interrupted", "redacted", "status", "outages", "verdicts",
				"last_verdict", "layers", "paths", "changes", "changes_total", "timeline"} {
				if _, ok := m[k]; !ok {
					t.Errorf("missing %q", k)
				}
			}
			if m["schema"] != watch.Schema {
				t.Errorf("schema = %v", m["schema"])
			}
			for _, k := range []string{"layers", "paths", "changes"} {
				if _, ok := m[k].([]any); !ok {
					t.Errorf("%s = %v, want a list", k, m[k])
				}
			}
			lv := m["last_verdict"].(map[string]any)
			for _, k := range []string{"advice", "evidence", "consequences"} {
				if _, ok := lv[k].([]any); !ok {
					t.Errorf("last_verdict.%s = %v, want a list", k, lv[k])
				}
			}
		})
	}
}

// TestGoldenWatchLines writes the live lines of the flapping fixture's
// outages (the first round, then every change into or out of a failure):
// the README shows them, and TestReadmeWatchLines keeps it in step.
func TestGoldenWatchLines(t *testing.T) {
	var picked []watch.Change
	for _, c := range reporttest.WatchFlapping().Changes {
		if c.From == "" || c.To == result.Fail || c.From == result.Fail {
			picked = append(picked, c)
		}
	}
	var b bytes.Buffer
	if err := reports.WatchLines(&b, picked[:7], reports.TextOptions{}); err != nil {
		t.Fatal(err)
	}
	golden(t, "watch-flapping.lines.txt", b.Bytes())
}
