// Package probes holds one file per probe. Every probe has the same small
// shape: it takes a context (whose deadline it honours), a target and an
// options struct, and returns result.Check values whose Detail and Evidence
// carry the reason as data. Probes never print and never decide the
// verdict.
package probes

import (
	"context"
	"errors"
	"time"

	"github.com/netprobe/netprobe/result"
)

// now is the probes' clock; tests may replace it.
var now = time.Now

// begin starts a check with its name, layer and target filled in.
func begin(name string, layer result.Layer, target string) result.Check {
	return result.Check{Name: name, Layer: layer, Target: target, Started: now(), Evidence: map[string]any{}}
}

// end stamps the check's duration and returns it.
func end(c result.Check) result.Check {
	c.Duration = now().Sub(c.Started)
	return c
}

// remaining returns how long ctx has left, or def when it has no deadline.
func remaining(ctx context.Context, def time.Duration) time.Duration {
	if dl, ok := ctx.Deadline(); ok {
		return time.Until(dl)
	}
	return def
}

// isTimeout reports whether err means "no answer before the deadline".
func isTimeout(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	var t interface{ Timeout() bool }
	return errors.As(err, &t) && t.Timeout()
}

// ms converts a duration to the report's millisecond unit.
func ms(d time.Duration) float64 { return result.Millis(d) }
