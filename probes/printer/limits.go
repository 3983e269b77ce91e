package printer

import "unicode/utf8"

// Bounds on what a printer's agent can make the probe hold or print. An
// agent is a stranger on the network: a broken or hostile one can answer
// with endless tables, huge strings or thousands of alerts. Real printers
// stay far below every limit here (the largest recording has 31 supplies
// and 7 trays; panels show 2-4 lines).
const (
	// bulkVarbinds caps the varbinds asked for in one GETBULK (columns ×
	// max-repetitions). 256 covers all usual printer tables in one
	// answer; agents with a smaller message size truncate (RFC 3416
	// 4.2.3) and the walker simply continues.
	bulkVarbinds = 256
	// maxRepetitions caps GETBULK max-repetitions, as gosnmp's default.
	maxRepetitions = 50
	// maxColumnRows stops walking a column that never ends (a broken
	// agent that keeps returning new rows).
	maxColumnRows = 512
	// maxWalkCells and maxWalkBytes stop the whole walk: 18 columns of
	// 512 rows, each value up to a UDP datagram, would otherwise be
	// hundreds of megabytes.
	maxWalkCells = 4096
	maxWalkBytes = 1 << 20
	// maxValueBytes keeps one string value; the rest is cut (after the
	// secrets are scrubbed from the whole value). Sanitising keeps 256
	// runes of it at most; the slack is for escape sequences it drops.
	maxValueBytes = 8 << 10
	// maxErrStateOctets keeps the start of hrPrinterDetectedErrorState:
	// the MIB defines 15 bits (2 octets).
	maxErrStateOctets = 16

	// Lists in the check: at most this many items, and at most
	// maxListBytes of text in each list. What is left out is counted in
	// "<list>_omitted" and named in the detail.
	maxSupplies  = 64
	maxTrays     = 32
	maxAlerts    = 32
	maxDisplay   = 16
	maxErrors    = 32
	maxProblems  = 24
	maxListBytes = 16 << 10

	// panelLines and panelRunes bound the panel text quoted in the detail.
	panelLines = 4
	panelRunes = 240
)

// bound keeps the first items of list, at most n of them and at most
// maxListBytes of text as measured by size, and returns how many it left
// out.
func bound[T any](list []T, n int, size func(T) int) ([]T, int) {
	total := 0
	for i, x := range list {
		total += size(x)
		if i == n || (total > maxListBytes && i > 0) {
			return list[:i], len(list) - i
		}
	}
	return list, 0
}

// cutUTF8 cuts b to at most n bytes without splitting a character, so the
// cut value still decodes as the UTF-8 (or Latin-1) it was.
func cutUTF8(b []byte, n int) []byte {
	if len(b) <= n {
		return b
	}
	if !utf8.Valid(b[:n]) {
		for i := n; i > n-utf8.UTFMax && i > 0; i-- {
			if utf8.RuneStart(b[i]) {
				if utf8.Valid(b[:i]) {
					return b[:i]
				}
				break
			}
		}
	}
	return b[:n]
}
