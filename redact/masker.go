package redact

import "github.com/netprobe/netprobe/result"

// Masker masks many reports' worth of strings with one set of
// placeholders. `netprobe watch` builds one summary out of hundreds of
// reports, and the gateway must be <private-ip-1> in every line of it,
// which Report and String, numbering afresh on each call, cannot give.
type Masker struct{ rd *redactor }

// NewMasker returns a masker with no placeholders assigned yet.
func NewMasker() *Masker { return &Masker{rd: newRedactor()} }

// Collect learns a report's identifying values (this computer's name,
// printer names, serial numbers), so they are masked wherever they
// appear in strings masked later.
func (m *Masker) Collect(r *result.Report) {
	m.rd.ordered = m.rd.ordered[:0] // collect rebuilds it from every literal
	m.rd.collect(r)
}

// String masks s consistently with everything masked before.
func (m *Masker) String(s string) string { return m.rd.str(s) }

// Command masks a command line: secret flag values, then as String.
func (m *Masker) Command(s string) string { return m.rd.command(s) }
