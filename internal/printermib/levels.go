package printermib

import "math"

// Special level and capacity values of the Printer MIB. They are codes,
// never amounts, so they must not become percentages.
const (
	LevelOther         = -1 // "other"; for a capacity: no restriction
	LevelUnknown       = -2
	LevelSomeRemaining = -3 // at least one unit left (or, for a receptacle, some space)
)

// Supply and tray states, as the report spells them.
const (
	StateOK            = "ok"
	StateLow           = "low"
	StateEmpty         = "empty"
	StateFull          = "full"
	StateNearlyFull    = "nearly_full"
	StateSomeRemaining = "some_remaining"
	StateUnknown       = "unknown"
)

// Percent returns level/max×100 rounded to one decimal, or nil when either
// is a special code (negative) or max is zero: those are not amounts. A
// level above its capacity (a broken agent reporting 500/100) is clamped
// to 100: the raw numbers stay in the report, but no percentage, bar or
// threshold ever sees a value outside 0-100.
func Percent(level, max int) *float64 {
	if level < 0 || max <= 0 {
		return nil
	}
	p := math.Round(float64(min(level, max))*1000/float64(max)) / 10
	return &p
}

// SupplyState computes a marker supply's percentage and state. For a
// consumable, level is what is left: 0 is empty, at or below warnPct is low.
// For a receptacle (waste toner box), level is the space left: 0 is full, at
// or below warnPct is nearly full. A level with no usable maximum (max -1 or
// -2, as Sharp's waste toner 100/-2) says only that something remains.
func SupplyState(receptacle bool, level, max int, warnPct float64) (*float64, string) {
	pct := Percent(level, max)
	empty, low := StateEmpty, StateLow
	if receptacle {
		empty, low = StateFull, StateNearlyFull
	}
	switch {
	case level == LevelSomeRemaining:
		return nil, StateSomeRemaining
	case level < 0:
		return nil, StateUnknown
	case level == 0:
		return pct, empty
	case pct == nil:
		return nil, StateSomeRemaining
	case *pct <= warnPct:
		return pct, low
	}
	return pct, StateOK
}

// TrayState computes an input tray's percentage and state from
// prtInputCurrentLevel and prtInputMaxCapacity, which use the same special
// codes as supplies.
func TrayState(level, max int, lowPct float64) (*float64, string) {
	return SupplyState(false, level, max, lowPct)
}
