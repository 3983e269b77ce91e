package printer

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/gosnmp/gosnmp"

	"github.com/netprobe/netprobe/internal/printermib"
	"github.com/netprobe/netprobe/internal/sanitize"
	"github.com/netprobe/netprobe/internal/snmpagent"
	"github.com/netprobe/netprobe/internal/testnet"
	"github.com/netprobe/netprobe/result"
)

// The communities of the hostile recordings (see SYNTHETIC.md).
const (
	communityLong   = "Vq7#Lm2!Xw9"
	communitySpaces = "Vq7  Lm2 Xw9"
	privPassHostile = "Kd4$Rn8%Yt6"
)

// fragments lists every piece of s of at least four bytes.
func fragments(s string) []string {
	var out []string
	for n := 4; n <= len(s); n++ {
		for i := 0; i+n <= len(s); i++ {
			out = append(out, s[i:i+n])
		}
	}
	return out
}

// assertNoFragment fails when any piece of four bytes or more of a secret
// appears in the check, as JSON or as Go values.
func assertNoFragment(t *testing.T, c result.Check, secrets ...string) {
	t.Helper()
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	views := []string{string(b), fmt.Sprintf("%+v", c)}
	for _, s := range secrets {
		for _, f := range fragments(s) {
			for _, v := range views {
				if strings.Contains(v, f) {
					i := strings.Index(v, f)
					t.Fatalf("piece %q of a secret appears: …%s…", f, v[max(0, i-40):min(len(v), i+len(f)+40)])
				}
			}
		}
	}
}

// TestPrinterSecretsInHostileRecordings replays agents that echo the
// secret back in the ways that leaked before: at the end of a 2,000-
// character sysDescr (after folding it straddled the 256-rune cut), after
// 8 KiB of escape sequences (the raw cut), split over two panel lines, cut
// short by the device, and with its white space changed (two spaces echoed
// as one, as a tab, over a line fold, with a zero-width space inside).
func TestPrinterSecretsInHostileRecordings(t *testing.T) {
	tests := []struct {
		name    string
		file    string
		agent   snmpagent.Options
		opt     Options
		secrets []string
	}{
		{"v2c, community echoed at length boundaries", "synthetic_secret_long",
			snmpagent.Options{Community: communityLong}, Options{Community: communityLong}, []string{communityLong}},
		{"v1, community echoed at length boundaries", "synthetic_secret_long",
			snmpagent.Options{Community: communityLong}, Options{Version: "1", Community: communityLong}, []string{communityLong}},
		{"v3, auth pass phrase echoed", "synthetic_secret_long",
			snmpagent.Options{V3: &snmpagent.V3User{Name: "ops", AuthProto: gosnmp.SHA, AuthPass: communityLong, PrivProto: gosnmp.AES, PrivPass: privPassHostile}},
			Options{Version: "3", User: "ops", AuthProto: "SHA", AuthPass: communityLong, PrivProto: "AES", PrivPass: privPassHostile},
			[]string{communityLong, privPassHostile}},
		{"community with two spaces echoed in other white space", "synthetic_secret_spaces",
			snmpagent.Options{Community: communitySpaces}, Options{Community: communitySpaces}, []string{communitySpaces}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := startPrinterAgent(t, tt.file, tt.agent)
			opt := tt.opt
			opt.Port, opt.PrintPorts = a.Port(), []int{testnet.OpenTCP(t)}
			c := Check(context.Background(), a.Host(), opt)
			if c.Evidence["condition"] == "snmp_silent" || c.Evidence["condition"] == "unreachable" {
				t.Fatalf("the agent was not read: %s", c.Detail)
			}
			// The echoes were seen, and masked rather than dropped.
			if b, _ := json.Marshal(c); !strings.Contains(string(b), "masked") {
				t.Errorf("no masked secret in the check: %s", b)
			}
			assertNoFragment(t, c, tt.secrets...)
			if len(c.Detail) > 2048 {
				t.Errorf("detail is %d bytes", len(c.Detail))
			}
		})
	}
}

// TestPrinterBoundedLists: an agent with 5,000 alerts, 100 supplies, 40
// trays, 100 panel lines and a 40-octet error state cannot make a huge
// check; what is left out is counted, named in the detail, and the one
// critical alert among thousands of "other" rows is kept.
func TestPrinterBoundedLists(t *testing.T) {
	a := startPrinterAgent(t, "synthetic_alert_flood", snmpagent.Options{})
	start := time.Now()
	c := Check(context.Background(), a.Host(), Options{Port: a.Port(), PrintPorts: []int{testnet.OpenTCP(t)}})
	if el := time.Since(start); el > DefaultTimeout+timingSlack {
		t.Errorf("took %s", el)
	}
	ev := c.Evidence
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) > 64<<10 {
		t.Errorf("check is %d bytes of JSON", len(b))
	}
	if len(c.Detail) > 2048 {
		t.Errorf("detail is %d bytes: %s", len(c.Detail), c.Detail)
	}
	lists := []struct {
		key     string
		n       int
		max     int
		omitted int // at least
	}{
		{"alerts", len(ev["alerts"].([]result.Alert)), maxAlerts, 512 - maxAlerts},
		{"supplies", len(ev["supplies"].([]result.Supply)), maxSupplies, 100 - maxSupplies},
		{"trays", len(ev["trays"].([]result.Tray)), maxTrays, 40 - maxTrays},
		{"display", len(ev["display"].([]string)), maxDisplay, 100 - maxDisplay},
		{"errors", len(ev["errors"].([]string)), maxErrors, 8*maxErrStateOctets - maxErrors},
		{"problems", len(ev["problems"].([]string)), maxProblems, 0},
	}
	for _, l := range lists {
		if l.n == 0 || l.n > l.max {
			t.Errorf("%s: %d items, want 1..%d", l.key, l.n, l.max)
		}
		if got, _ := ev[l.key+"_omitted"].(int); got < l.omitted || (l.omitted == 0 && got != 0) {
			t.Errorf("%s_omitted = %v, want at least %d", l.key, ev[l.key+"_omitted"], l.omitted)
		}
	}
	for _, w := range []string{"… ", "480+ more alerts", "36 more supplies", "8 more trays", "84 more panel lines",
		fmt.Sprintf("%d more error flags", 8*maxErrStateOctets-maxErrors), "not listed."} {
		if !strings.Contains(c.Detail, w) {
			t.Errorf("detail lacks %q: %s", w, c.Detail)
		}
	}
	if hex, _ := ev["error_state_hex"].(string); len(hex) > 2*maxErrStateOctets {
		t.Errorf("error_state_hex is %d characters", len(hex))
	}
	jam := false
	for _, al := range ev["alerts"].([]result.Alert) {
		jam = jam || (al.Index == "1.300" && al.Severity == "critical" && al.Code == 8)
	}
	if !jam {
		t.Errorf("the critical jam alert was dropped among the flood: %+v", ev["alerts"])
	}
	if c.Status != result.Fail || c.Reason == "" {
		t.Errorf("status %s reason %q", c.Status, c.Reason)
	}
	if n := a.Requests(); n > 40 {
		t.Errorf("%d SNMP requests", n)
	}
	assertFaultsMatch(t, c)
}

// TestPrinterWalkTotals: an agent whose every panel line is 6 kB stops the
// walk at the byte total, not after 512 rows of it; the check says more
// may exist.
func TestPrinterWalkTotals(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(printerTestdata, "dell_s5830dn.snmprec"))
	if err != nil {
		t.Fatal(err)
	}
	var extra strings.Builder
	for i := 1; i <= maxColumnRows; i++ {
		fmt.Fprintf(&extra, "%s.1.%d|4|%s\n", printermib.PrtConsoleDisplayBufferText, i, strings.Repeat("W", 6000))
	}
	recs, err := snmpagent.Parse(strings.NewReader(string(raw) + extra.String()))
	if err != nil {
		t.Fatal(err)
	}
	a, err := snmpagent.Start(recs, snmpagent.Options{MaxBulkVarbinds: 8})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	c := Check(context.Background(), a.Host(), Options{Port: a.Port(), PrintPorts: []int{}})
	disp, _ := c.Evidence["display"].([]string)
	if len(disp) == 0 || len(disp) > maxDisplay {
		t.Errorf("display has %d lines", len(disp))
	}
	if !strings.Contains(c.Detail, "+ more panel lines") {
		t.Errorf("detail does not say the panel was cut: %s", c.Detail)
	}
	// 1 MiB of 6 kB lines is ~175 lines at 8 per request.
	if n := a.Requests(); n > 40 {
		t.Errorf("%d requests: the walk did not stop at its byte total", n)
	}
}

// TestPrinterClampedLevels: a broken gauge (500 of 100, 2^31-1 of 1, a
// waste box with 900 of 100 free, a tray with 9,999 of 500 sheets) keeps
// its raw numbers, but every percentage stays within 0-100 and the states
// are judged on that.
func TestPrinterClampedLevels(t *testing.T) {
	a := startPrinterAgent(t, "synthetic_supply_500", snmpagent.Options{})
	c := Check(context.Background(), a.Host(), Options{Port: a.Port(), PrintPorts: []int{testnet.OpenTCP(t)}})
	sup := c.Evidence["supplies"].([]result.Supply)
	want := []struct {
		level int
		pct   float64
		state string
	}{{500, 100, "ok"}, {2147483647, 100, "ok"}, {900, 100, "ok"}, {40, 40, "ok"}}
	if len(sup) != len(want) {
		t.Fatalf("%d supplies", len(sup))
	}
	for i, w := range want {
		if sup[i].Level != w.level || sup[i].Percent == nil || *sup[i].Percent != w.pct || sup[i].State != w.state {
			t.Errorf("supply %s = level %d, %s, %s; want %d, %g%%, %s", sup[i].Index, sup[i].Level, fmtPercent(sup[i].Percent), sup[i].State, w.level, w.pct, w.state)
		}
	}
	tr := c.Evidence["trays"].([]result.Tray)
	if tr[0].Level != 9999 || tr[0].Percent == nil || *tr[0].Percent != 100 {
		t.Errorf("tray = %+v", tr[0])
	}
	if c.Status != result.OK || !strings.Contains(c.Detail, "toner 40–100%") {
		t.Errorf("%s: %s", c.Status, c.Detail)
	}
}

// TestPrinterControlCharacters: bidi controls, zero-width characters and
// escape sequences in every kind of printer text. Escape sequences and the
// bidi overrides the sanitiser knows never come through; sizes stay
// bounded. Zero-width and other format characters (U+200B, U+FEFF, U+061C)
// are asserted absent once internal/sanitize strips category Cf.
func TestPrinterControlCharacters(t *testing.T) {
	a := startPrinterAgent(t, "synthetic_bidi", snmpagent.Options{})
	c := Check(context.Background(), a.Host(), Options{Port: a.Port(), PrintPorts: []int{testnet.OpenTCP(t)}})
	if c.Evidence["condition"] != "warning" {
		t.Fatalf("%s %v: %s", c.Status, c.Evidence["condition"], c.Detail)
	}
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	text := fmt.Sprintf("%+v", c)
	for _, bad := range []string{"\x1b", `\u001b`, "\u202e", `\u202e`, "\x07", `\u0007`, "pwned"} {
		if strings.Contains(string(b), bad) || strings.Contains(text, bad) {
			t.Errorf("check contains %q: %s", bad, b)
		}
	}
	stripsCf := sanitize.String("a\u200bb\ufeffc\u061cd", 0) == "abcd"
	for _, r := range []rune{'\u200b', '\ufeff', '\u061c'} {
		if strings.ContainsRune(text, r) {
			if stripsCf {
				t.Errorf("check contains U+%04X", r)
			} else {
				t.Logf("U+%04X passes; internal/sanitize does not strip format characters yet", r)
			}
		}
	}
	for k, v := range c.Evidence {
		if s, ok := v.(string); ok && utf8.RuneCountInString(s) > sanitize.MaxLen+1 {
			t.Errorf("%s has %d runes", k, utf8.RuneCountInString(s))
		}
	}
	if len(b) > 16<<10 {
		t.Errorf("check is %d bytes of JSON", len(b))
	}
}
