package printer

import (
	"slices"

	"github.com/netprobe/netprobe/internal/printermib"
	"github.com/netprobe/netprobe/result"
)

// flagColorants makes the supply table agree with the printer. A printer
// may call its toner or ink low (or empty) by an error bit or an alert
// while every level is above our threshold: Sharp MX-3570N sets lowToner
// with magenta at 19 %, because its own threshold is higher than our 10 %.
// Showing "19% ok" next to "Toner low" contradicts the printer, so the
// colorant it means is marked "low" (or "empty") with FlaggedByPrinter set,
// the percentage untouched.
//
// Which colorant: the one an alert names by colour ("Magenta toner low"),
// whatever the other levels; otherwise, only when no colorant is already
// low (or empty) by its level — then that one explains the flag — the
// colorant(s) with the lowest level, or the only colorant of a mono
// printer whose level is not a number.
func (d *data) flagColorants() {
	bits := printermib.ErrorBits(d.errState)
	lowSaid, emptySaid := slices.Contains(bits, "lowToner"), slices.Contains(bits, "noToner")
	var lowColors, emptyColors []string
	for _, a := range d.alerts {
		st, ok := alertStatus(a)
		if !ok {
			continue
		}
		color := printermib.ColorFromDescription(a.Description)
		switch alertProblem(a, st).code {
		case result.ReasonPrinterLowToner:
			if color == "" {
				lowSaid = true
			} else {
				lowColors = append(lowColors, color)
			}
		case result.ReasonPrinterNoToner:
			if color == "" {
				emptySaid = true
			} else {
				emptyColors = append(emptyColors, color)
			}
		}
	}
	d.flagByColor(emptyColors, printermib.StateEmpty)
	d.flagByColor(lowColors, printermib.StateLow)
	if emptySaid && !d.anyColorant(printermib.StateEmpty) {
		d.flagLowest(printermib.StateEmpty)
	}
	if lowSaid && !d.anyColorant(printermib.StateLow, printermib.StateEmpty) {
		d.flagLowest(printermib.StateLow)
	}
}

// flagByColor marks the colorants of the named colours. The printer named
// them, so they are problems of their own (supplyProblems), as a supply
// low by its level is.
func (d *data) flagByColor(colors []string, state string) {
	for i, s := range d.supplies {
		if d.colorant[s.Index] != "" && s.Color != "" && slices.Contains(colors, s.Color) {
			if d.flag(i, state) {
				if d.named == nil {
					d.named = map[string]bool{}
				}
				d.named[s.Index] = true
			}
		}
	}
}

// flagLowest marks the lowest colorant(s).
func (d *data) flagLowest(state string) {
	for _, i := range d.lowestColorants() {
		d.flag(i, state)
	}
}

// flag sets a supply's state to what the printer says, unless its own
// level already says as much or worse; it reports whether it did.
func (d *data) flag(i int, state string) bool {
	s := &d.supplies[i]
	if s.State == state || s.State == printermib.StateEmpty {
		return false
	}
	s.State, s.FlaggedByPrinter = state, true
	return true
}

// anyColorant reports whether a toner or ink is in one of the states.
func (d *data) anyColorant(states ...string) bool {
	for _, s := range d.supplies {
		if d.colorant[s.Index] != "" && slices.Contains(states, s.State) {
			return true
		}
	}
	return false
}
