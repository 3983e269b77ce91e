//go:build !unix

package fdlimit

// Raise does nothing where there is no RLIMIT_NOFILE (Windows: sockets
// are handles, limited by memory rather than a per-process table).
func Raise() (soft uint64, err error) { s, _ := Limit(); return s, nil }

// Limit reports no limit: the pool takes MaxPool.
func Limit() (soft, hard uint64) { return 1 << 62, 1 << 62 }

func openCount() int { return 0 }
