package reports

import (
	"encoding/json"

	"github.com/netprobe/netprobe/result"
)

// The printer probe stores typed values ([]result.Supply, ...). A report
// read back from JSON holds the same data as []any of maps instead; these
// helpers accept both so a saved report renders with the same tables.

func supplies(v any) ([]result.Supply, bool) {
	if s, ok := v.([]result.Supply); ok {
		return s, true
	}
	var s []result.Supply
	return s, viaJSON(v, &s)
}

func trays(v any) ([]result.Tray, bool) {
	if s, ok := v.([]result.Tray); ok {
		return s, true
	}
	var s []result.Tray
	return s, viaJSON(v, &s)
}

func alerts(v any) ([]result.Alert, bool) {
	if s, ok := v.([]result.Alert); ok {
		return s, true
	}
	var s []result.Alert
	return s, viaJSON(v, &s)
}

// viaJSON converts a decoded-JSON list into a typed slice by a round trip.
// Only []any qualifies, so strings and numbers never turn into empty tables.
func viaJSON(v any, dst any) bool {
	if _, ok := v.([]any); !ok {
		return false
	}
	b, err := json.Marshal(v)
	if err != nil {
		return false
	}
	return json.Unmarshal(b, dst) == nil
}
