//go:build unix

package fdlimit

import (
	"os"
	"runtime"

	"golang.org/x/sys/unix"
)

// Raise lifts the soft RLIMIT_NOFILE to the hard limit, where the OS
// allows it, and returns the soft limit in force afterwards. Go's runtime
// raises it to hard-1 on its own since Go 1.19; doing it here keeps the
// behaviour independent of that and tells the pool what it may use. A
// hard limit of 256 (`ulimit -n 256` sets both) cannot be raised: the
// pool then sizes itself to it.
func Raise() (soft uint64, err error) {
	var l unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_NOFILE, &l); err != nil {
		return 0, err
	}
	if l.Cur < l.Max {
		want := l
		want.Cur = l.Max
		if err := unix.Setrlimit(unix.RLIMIT_NOFILE, &want); err != nil && runtime.GOOS == "darwin" {
			// macOS refuses more than kern.maxfilesperproc (OPEN_MAX for
			// an unlimited hard limit): take what it allows.
			want.Cur = 10240
			if want.Cur > l.Max {
				want.Cur = l.Max
			}
			err = unix.Setrlimit(unix.RLIMIT_NOFILE, &want)
		}
		if err := unix.Getrlimit(unix.RLIMIT_NOFILE, &l); err != nil {
			return 0, err
		}
	}
	return uint64(l.Cur), nil
}

// Limit returns the soft and hard RLIMIT_NOFILE.
func Limit() (soft, hard uint64) {
	var l unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_NOFILE, &l); err != nil {
		return 1 << 62, 1 << 62
	}
	// uint64 on Linux and macOS, int64 on the BSDs.
	return uint64(l.Cur), uint64(l.Max)
}

// openCount counts this process's open descriptors (Linux: /proc/self/fd;
// elsewhere a typical count for a Go program at start).
func openCount() int {
	d, err := os.Open("/proc/self/fd")
	if err != nil {
		return 16
	}
	defer d.Close()
	names, err := d.Readdirnames(-1)
	if err != nil {
		return 16
	}
	return len(names) - 1 // the directory itself
}
