package printer

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/netprobe/netprobe/internal/printermib"
	"github.com/netprobe/netprobe/internal/sanitize"
	"github.com/netprobe/netprobe/result"
)

// How the detail names things: supplies, trays, the model, the panel.

// marker is the word for what this printer prints with.
func (d *data) marker() string {
	if d.ink {
		return "Ink"
	}
	return "Toner"
}

// lowestColorant names the emptiest toner or ink, for a lowToner bit that
// no supply below the warning level explains (Sharp: bit set, magenta 19 %).
func (d *data) lowestColorant() string {
	low := d.lowestColorants()
	if len(low) == 0 || d.supplies[low[0]].Percent == nil {
		return ""
	}
	s := d.supplies[low[0]]
	return fmt.Sprintf(" (lowest: %s %s)", d.supplyName(s), pct(s.Percent))
}

// lowestColorants lists the positions in d.supplies of the toner or ink
// with the lowest known level (several when tied); with no level known it
// is the only colorant, if there is exactly one.
func (d *data) lowestColorants() []int {
	var low []int
	var only []int
	for i, s := range d.supplies {
		if d.colorant[s.Index] == "" {
			continue
		}
		only = append(only, i)
		if s.Percent == nil {
			continue
		}
		switch {
		case len(low) == 0 || *s.Percent < *d.supplies[low[0]].Percent:
			low = []int{i}
		case *s.Percent == *d.supplies[low[0]].Percent:
			low = append(low, i)
		}
	}
	if len(low) == 0 && len(only) == 1 {
		return only
	}
	return low
}

// supplyName is how a problem names a supply: "Black toner" when the
// supply is a colorant of a known colour (what a person calls it, and what
// is printed on the box), else its description without part numbers.
func (d *data) supplyName(s result.Supply) string {
	if kind := d.colorant[s.Index]; kind != "" && s.Color != "" {
		return strings.ToUpper(s.Color[:1]) + s.Color[1:] + " " + kind
	}
	if name := printermib.ShortName(s.Description); name != "" {
		return name
	}
	return "Supply " + s.Index
}

// colorantRange summarises toner or ink levels for a healthy printer:
// "toner 36–88%".
func (d *data) colorantRange() string {
	var lo, hi *float64
	for _, s := range d.supplies {
		if d.colorant[s.Index] == "" || s.Percent == nil {
			continue
		}
		if lo == nil || *s.Percent < *lo {
			lo = s.Percent
		}
		if hi == nil || *s.Percent > *hi {
			hi = s.Percent
		}
	}
	if lo == nil {
		return ""
	}
	word := strings.ToLower(d.marker())
	if *lo == *hi {
		return word + " " + pct(lo)
	}
	return word + " " + strconv.FormatFloat(*lo, 'f', -1, 64) + "–" + pct(hi)
}

// emptyTrays names the trays that read 0, and whether every tray with a
// known level does (at least one tray, none with paper).
func (d *data) emptyTrays() (names []string, all bool) {
	known := 0
	for _, t := range d.trays {
		switch t.State {
		case printermib.StateEmpty:
			names = append(names, trayName(t))
			known++
		case printermib.StateOK, printermib.StateLow, printermib.StateSomeRemaining:
			known++
		}
	}
	return names, known > 0 && len(names) == known
}

func trayName(t result.Tray) string {
	if t.Name != "" {
		return t.Name
	}
	_, last, _ := strings.Cut(t.Index, ".")
	if last == "" {
		last = t.Index
	}
	return "Tray " + last
}

// model is the printer's name: prtGeneralPrinterName, else hrDeviceDescr,
// else sysDescr.
func (d *data) model() string {
	for _, m := range []string{d.prtName, d.hrDescr, d.sysDescr} {
		if m != "" {
			return m
		}
	}
	return ""
}

// shortModel keeps the detail sentence readable when the only name is a
// long sysDescr ("Xerox AltaLink C8045; SS 100.002...").
func shortModel(m string) string {
	if i := strings.IndexAny(m, ";,"); i > 0 {
		m = m[:i]
	}
	if r := []rune(m); len(r) > 60 {
		m = string(r[:60]) + "…"
	}
	if m == "" {
		return "(unnamed)"
	}
	return m
}

// panel is the panel text quoted in the detail: the first panelLines
// lines, at most panelRunes runes.
func (d *data) panel() string {
	lines := d.display
	more := ""
	if len(lines) > panelLines {
		more = fmt.Sprintf(" / … %d more", len(lines)-panelLines)
		lines = lines[:panelLines]
	}
	return sanitize.String(strings.Join(lines, " / "), panelRunes) + more
}

func pct(p *float64) string {
	if p == nil {
		return "?"
	}
	return strconv.FormatFloat(*p, 'f', -1, 64) + "%"
}

// omittedNames are the lists whose overflow the detail names, in order,
// with their singular and plural words.
var omittedNames = []struct{ key, one, many string }{
	{"supplies", "supply", "supplies"},
	{"trays", "tray", "trays"},
	{"alerts", "alert", "alerts"},
	{"display", "panel line", "panel lines"},
	{"errors", "error flag", "error flags"},
}

// omittedSentence names what the bounds left out: "… 4968 more alerts not
// listed." A table longer than the walk reads gives a lower bound ("480+").
func (d *data) omittedSentence() string {
	var parts []string
	for _, n := range omittedNames {
		left, capped := d.omitted[n.key], d.capped[n.key]
		if n.key == "errors" {
			_, left = d.errorNames()
		}
		word := n.many
		if left == 1 && !capped {
			word = n.one
		}
		switch {
		case left > 0 && capped:
			parts = append(parts, fmt.Sprintf("%d+ more %s", left, word))
		case left > 0:
			parts = append(parts, fmt.Sprintf("%d more %s", left, word))
		case capped:
			parts = append(parts, "possibly more "+word)
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return "… " + strings.Join(parts, ", ") + " not listed."
}
