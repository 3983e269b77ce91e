package printer

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode"

	"github.com/gosnmp/gosnmp"

	"github.com/netprobe/netprobe/internal/snmpagent"
	"github.com/netprobe/netprobe/probes"
	"github.com/netprobe/netprobe/result"
)

// fuzzSecret is the community the fuzzed agent's check is run with; the
// seeds echo it back the ways devices do.
const fuzzSecret = "Fz3#kQ8!wP"

// decodeRecording is read without the network: what a walk of the
// recording would hand on (values scrubbed and cut by session.keep, the
// scalars at index 1, every table column's rows, at most maxWalkCells), then
// the same decoding steps read takes after the walk.
func decodeRecording(recs []snmpagent.Record, opt Options) *data {
	scrub := opt.scrubber()
	s := &session{scrub: scrub}
	d := newData(scrub)
	d.answered = true
	vals := map[string]gosnmp.SnmpPDU{}
	for _, r := range recs {
		vals[r.OID] = s.keep(gosnmp.SnmpPDU{Name: r.OID, Type: r.Type, Value: r.Value})
	}
	d.fillScalars(vals, 1)
	cols, order := tableColumns(d.printerStatus == nil && !d.hasErrState)
	cells := 0
	for _, c := range order {
		for _, r := range recs {
			idx, ok := strings.CutPrefix(r.OID, c.oid+".")
			if !ok || idx == "" || cells >= maxWalkCells || len(c.cells) >= maxColumnRows {
				continue
			}
			c.cells = append(c.cells, cell{index: idx, pdu: vals[r.OID]})
			cells++
		}
		c.done = true
	}
	d.fillTables(cols, opt)
	d.flagColorants()
	return d
}

// FuzzDecode feeds arbitrary agent contents (snmpsim's OID|TAG|VALUE
// format, seeded with every real and synthetic recording up to 64 kB) through the
// printer decoders, the assessment and the evidence, and holds the check
// to what a hostile agent must never achieve: a panic, a control, bidi or
// zero-width character, a level outside 0–100 %, the community in the
// output, an unbounded check, or a failing check without its reason code.
func FuzzDecode(f *testing.F) {
	files, err := filepath.Glob(filepath.Join(printerTestdata, "*.snmprec"))
	if err != nil || len(files) == 0 {
		f.Fatalf("no recordings in %s: %v", printerTestdata, err)
	}
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		// The 600 kB alert flood (TestPrinterBoundedLists) would make
		// every mutation and minimisation crawl.
		if len(b) <= 64<<10 {
			f.Add(string(b))
		}
	}
	// The secret echoed in a description, the panel and the serial, with
	// its white space changed.
	f.Add("1.3.6.1.2.1.1.1.0|4|Printer community=" + fuzzSecret + "\n" +
		"1.3.6.1.2.1.43.16.5.1.2.1.1|4|" + strings.ToUpper(fuzzSecret[:1]) + fuzzSecret[1:] + "\n" +
		"1.3.6.1.2.1.43.5.1.1.17.1|4x|" + fmt.Sprintf("%x", "\x1b[31m"+fuzzSecret+"\u202e") + "\n" +
		"1.3.6.1.2.1.43.11.1.1.9.1.1|2|500\n1.3.6.1.2.1.43.11.1.1.8.1.1|2|-7\n")

	opt := Options{Community: fuzzSecret}.withDefaults()
	ports := map[int]probes.PortState{9100: probes.PortOpen}
	f.Fuzz(func(t *testing.T, rec string) {
		recs, err := snmpagent.Parse(strings.NewReader(rec))
		if err != nil {
			return // not a recording: the agent's parser refuses it
		}
		d := decodeRecording(recs, opt)
		a := assess(d, []int{9100}, ports, opt)
		c := result.Check{Name: "printer", Layer: result.Printer, Target: "198.18.0.20", Status: a.status, Reason: a.reason(), Detail: a.detail}
		fillEvidence(&c, d, a, opt, ports)
		scrubCheck(&c, opt.scrubber())

		b, err := json.Marshal(c)
		if err != nil {
			t.Fatalf("check does not marshal: %v", err)
		}
		if len(b) > 128<<10 {
			t.Errorf("check is %d bytes of JSON", len(b))
		}
		if len(c.Detail) > 4096 {
			t.Errorf("detail is %d bytes", len(c.Detail))
		}
		text := fmt.Sprintf("%v %s %s %+v", c.Evidence, c.Detail, c.Error, a.problems)
		for _, r := range text {
			if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
				t.Fatalf("check holds U+%04X: %q", r, c.Detail)
			}
		}
		if strings.Contains(string(b), fuzzSecret) || strings.Contains(text, fuzzSecret) {
			t.Fatalf("the community appears in the check: %s", b)
		}
		for _, s := range d.supplies {
			if s.Percent != nil && (*s.Percent < 0 || *s.Percent > 100) {
				t.Errorf("supply %q at %v%%", s.Index, *s.Percent)
			}
		}
		for _, tr := range d.trays {
			if tr.Percent != nil && (*tr.Percent < 0 || *tr.Percent > 100) {
				t.Errorf("tray %q at %v%%", tr.Index, *tr.Percent)
			}
		}
		if c.Status != result.OK && c.Reason == "" {
			t.Errorf("status %s without a reason: %s", c.Status, c.Detail)
		}
	})
}
