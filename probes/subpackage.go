package probes

import (
	"context"
	"time"

	"github.com/netprobe/netprobe/result"
)

// Helpers for the probes that live in their own package under probes/
// (probes/printer): they share the clock, the shape of a check and the
// wording of network errors with the probes here, so a check reads the same
// whichever package made it.

// Begin starts a check with its name, layer and target filled in, and an
// empty evidence map.
func Begin(name string, layer result.Layer, target string) result.Check {
	return begin(name, layer, target)
}

// End stamps the check's duration and returns it.
func End(c result.Check) result.Check { return end(c) }

// Remaining returns how long ctx has left, or def when it has no deadline.
func Remaining(ctx context.Context, def time.Duration) time.Duration { return remaining(ctx, def) }

// IsTimeout reports whether err means "no answer before the deadline".
func IsTimeout(err error) bool { return isTimeout(err) }

// ErrText shortens Go's nested network errors to their useful tail.
func ErrText(err error) string { return errText(err) }

// JoinInts lists numbers as "9100, 631, 515".
func JoinInts(v []int) string { return joinInts(v) }
