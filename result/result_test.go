package result

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestLayerNames(t *testing.T) {
	for i, name := range []string{"none", "link", "address", "gateway", "internet", "dns", "service", "printer"} {
		l := Layer(i)
		if l.String() != name {
			t.Errorf("Layer(%d) = %q, want %q", i, l, name)
		}
		back, err := ParseLayer(name)
		if err != nil || back != l {
			t.Errorf("ParseLayer(%q) = %v, %v", name, back, err)
		}
	}
	if _, err := ParseLayer("physics"); err == nil {
		t.Error("ParseLayer accepted an unknown layer")
	}
	if len(Layers) != 7 || Layers[0] != Link || Layers[6] != Printer {
		t.Errorf("Layers = %v", Layers)
	}
}

func TestWorst(t *testing.T) {
	tests := []struct {
		in   []Status
		want Status
	}{
		{nil, Skip},
		{[]Status{Skip, Skip}, Skip},
		{[]Status{Skip, OK}, OK},
		{[]Status{OK, Warn, OK}, Warn},
		{[]Status{Warn, Fail, OK}, Fail},
	}
	for _, tt := range tests {
		if got := Worst(tt.in...); got != tt.want {
			t.Errorf("Worst(%v) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

// The JSON shape of a check and a report: durations in milliseconds,
// layers by name, evidence never null, and a lossless round trip.
func TestJSONRoundTrip(t *testing.T) {
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	r := Report{Schema: Schema, Tool: Tool{Name: "netprobe", Version: "1"}, StartedAt: at,
		Duration: 1234500 * time.Microsecond, Budget: 10 * time.Second,
		Verdict: Verdict{Status: Failed, Layer: DNS, Summary: "s", Advice: []string{"a"}, Consequences: []Layer{Service}},
		Layers: []LayerResult{{Name: DNS, Status: Fail, Checks: []Check{{Name: "dns", Layer: DNS, Target: "x", Status: Fail,
			Started: at, Duration: 2500 * time.Microsecond}}}}}
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	for _, want := range []string{`"duration_ms":1234.5`, `"budget_ms":10000`, `"layer":"dns"`, `"consequences":["service"]`,
		`"evidence":{}`, `"duration_ms":2.5`, `"schema":"netprobe.report/v1"`} {
		if !strings.Contains(s, want) {
			t.Errorf("JSON lacks %s:\n%s", want, s)
		}
	}
	var back Report
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if back.Duration != r.Duration || back.Budget != r.Budget || back.Verdict.Layer != DNS || back.Layers[0].Checks[0].Duration != 2500*time.Microsecond {
		t.Fatalf("round trip lost data: %+v", back)
	}
	if got := back.Layer(DNS); got == nil || got.Status != Fail {
		t.Fatalf("Report.Layer(DNS) = %+v", got)
	}
	if back.Layer(Printer) != nil {
		t.Fatal("Report.Layer of a layer not run must be nil")
	}
}

// Evidence figures read alike from a probe's Go numbers and from a report
// read back from JSON.
func TestNumber(t *testing.T) {
	for _, v := range []any{12, int64(12), uint16(12), float32(12), 12.0, json.Number("12")} {
		if n, ok := Number(v); !ok || n != 12 {
			t.Errorf("Number(%T %v) = %v, %v", v, v, n, ok)
		}
	}
	for _, v := range []any{"12", nil, json.Number("x"), []int{12}} {
		if _, ok := Number(v); ok {
			t.Errorf("Number(%T %v) read a number", v, v)
		}
	}
}
