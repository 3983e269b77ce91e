package printer

import (
	"context"
	"testing"

	"github.com/netprobe/netprobe/internal/snmpagent"
	"github.com/netprobe/netprobe/result"
)

// BenchmarkPrinter measures one full printer check (GET, GETBULK, decoding,
// judgement) against the Sharp recording over loopback UDP, with no print
// ports so the number is the SNMP path alone.
func BenchmarkPrinter(b *testing.B) {
	a := startPrinterAgent(b, "sharp_mx-3570n", snmpagent.Options{})
	opt := Options{Port: a.Port(), PrintPorts: []int{}}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if c := Check(ctx, a.Host(), opt); c.Status != result.Warn {
			b.Fatalf("status %s: %s", c.Status, c.Detail)
		}
	}
	b.ReportMetric(float64(a.Requests())/float64(b.N), "requests/op")
}
