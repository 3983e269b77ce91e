package redact_test

import (
	"strings"
	"testing"

	"github.com/netprobe/netprobe/redact"
	"github.com/netprobe/netprobe/reports/reporttest"
)

// TestMaskerIsConsistentAcrossCalls: one masker numbers addresses once
// for everything it masks, where String starts afresh on each call.
func TestMaskerIsConsistentAcrossCalls(t *testing.T) {
	m := redact.NewMasker()
	a := m.String("gateway 192.168.1.1 answers")
	b := m.String("10.0.0.9 and 192.168.1.1")
	if a != "gateway <private-ip-1> answers" || b != "<private-ip-2> and <private-ip-1>" {
		t.Errorf("masked %q and %q", a, b)
	}
	if fresh := redact.String("10.0.0.9"); fresh != "<private-ip-1>" {
		t.Errorf("String(10.0.0.9) = %q", fresh)
	}
}

// TestMaskerCollectsIdentities: names a report holds in its evidence (the
// host name, a printer's sysName and serial) are masked in any later
// string, as Report masks them in its own text.
func TestMaskerCollectsIdentities(t *testing.T) {
	m := redact.NewMasker()
	m.Collect(reporttest.Healthy())
	m.Collect(reporttest.PrinterJam()) // a second report adds its own names
	for in, secret := range map[string]string{
		"ana-laptop lost its gateway":       "ana-laptop",
		"printer PRN-ACCOUNTING is ready":   "PRN-ACCOUNTING",
		"PRN-2OG jammed, serial VNB3K01234": "VNB3K01234",
		"watch --community s3cret -o json":  "s3cret",
	} {
		out := m.String(in)
		if strings.Contains(in, "--community") {
			out = m.Command(in)
		}
		if strings.Contains(out, secret) {
			t.Errorf("%q masked to %q still shows %q", in, out, secret)
		}
	}
	if got := m.String("ana-laptop"); got != "<hostname>" {
		t.Errorf("host name masked to %q", got)
	}
}
