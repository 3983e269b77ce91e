//go:build linux

package fdlimit

import (
	"testing"

	"golang.org/x/sys/unix"
)

// Raise lifts a lowered soft limit back to the hard one.
func TestRaise(t *testing.T) {
	var orig unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_NOFILE, &orig); err != nil {
		t.Fatal(err)
	}
	defer unix.Setrlimit(unix.RLIMIT_NOFILE, &orig)
	if orig.Max < 128 {
		t.Skip("hard limit too low to lower")
	}
	low := orig
	low.Cur = 64
	if err := unix.Setrlimit(unix.RLIMIT_NOFILE, &low); err != nil {
		t.Fatal(err)
	}
	soft, err := Raise()
	if err != nil {
		t.Fatal(err)
	}
	if soft != orig.Max {
		t.Fatalf("soft limit after Raise = %d, want the hard limit %d", soft, orig.Max)
	}
	if s, h := Limit(); s != orig.Max || h != orig.Max {
		t.Fatalf("Limit() = %d, %d", s, h)
	}
}
