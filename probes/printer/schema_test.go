package printer

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/netprobe/netprobe/internal/snmpagent"
	"github.com/netprobe/netprobe/internal/testnet"
	"github.com/netprobe/netprobe/result"
)

// documentedPrinterKeys reads the "printer" evidence table and the
// "Printer objects" table of docs/schema.md.
func documentedPrinterKeys(t *testing.T) (keys, objects map[string]bool) {
	t.Helper()
	f, err := os.Open("../../docs/schema.md")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	key := regexp.MustCompile("^\\| `([^`]+)` \\|")
	keys, objects = map[string]bool{}, map[string]bool{}
	var in map[string]bool
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "### printer"):
			in = keys
		case strings.HasPrefix(line, "## Printer objects"):
			in = objects
		case strings.HasPrefix(line, "#"):
			in = nil
		}
		if m := key.FindStringSubmatch(line); m != nil && in != nil {
			in[m[1]] = true
		}
	}
	if len(keys) < 20 || len(objects) < 20 {
		t.Fatalf("parsed %d printer keys and %d object fields; did docs/schema.md change shape?", len(keys), len(objects))
	}
	return keys, objects
}

// TestEvidenceDocumented: every evidence key the printer check writes, and
// every field of its supplies, trays, alerts and faults, is documented in
// docs/schema.md — over healthy, flooded, flagged, silent and unresolved
// printers, so the optional keys appear too.
func TestEvidenceDocumented(t *testing.T) {
	keys, objects := documentedPrinterKeys(t)
	var checks []result.Check
	for _, f := range []string{"sharp_mx-3570n", "synthetic_alert_flood", "synthetic_alerts_jam", "synthetic_device_index3"} {
		a := startPrinterAgent(t, f, snmpagent.Options{})
		checks = append(checks, Check(context.Background(), a.Host(), Options{Port: a.Port(), PrintPorts: []int{testnet.OpenTCP(t)}}))
	}
	a := startPrinterAgent(t, "sharp_mx-3570n", snmpagent.Options{Silent: true})
	checks = append(checks, Check(context.Background(), a.Host(), Options{Port: a.Port(), Timeout: 500 * time.Millisecond, PrintPorts: []int{}}))
	seen := map[string]bool{}
	for _, c := range checks {
		b, err := json.Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		var doc struct {
			Evidence map[string]json.RawMessage `json:"evidence"`
		}
		if err := json.Unmarshal(b, &doc); err != nil {
			t.Fatal(err)
		}
		for k, raw := range doc.Evidence {
			seen[k] = true
			if !keys[k] {
				t.Errorf("evidence key %q is not documented in the printer table of docs/schema.md", k)
			}
			var rows []map[string]any
			if json.Unmarshal(raw, &rows) != nil {
				continue
			}
			for _, r := range rows {
				for f := range r {
					if p := k + "[]." + f; !objects[p] {
						t.Errorf("field %s is not documented under Printer objects", p)
					}
				}
			}
		}
	}
	for _, k := range []string{"faults", "alerts_omitted", "supplies_omitted", "display_omitted", "errors_omitted", "snmp_error"} {
		if !seen[k] {
			t.Errorf("no check wrote %q; the test does not cover it", k)
		}
	}
	if !objects["supplies[].flagged_by_printer"] || !objects["faults[].code"] {
		t.Error("flagged_by_printer or faults[].code is not documented")
	}
}
