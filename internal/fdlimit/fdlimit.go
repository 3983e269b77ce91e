// Package fdlimit keeps netprobe within the file descriptors this process
// may open. A port sweep or a run with hundreds of targets opens sockets
// by the hundred; past the limit the kernel answers EMFILE, and a probe
// that reads that as a network failure gives a confident wrong answer
// ("unreachable", "error") about a host that is fine. So: Raise lifts the
// soft limit to the hard one at start, and every socket netprobe opens in
// numbers takes a slot from one process-wide pool sized from the
// descriptors actually available. A probe that cannot get a slot before
// its deadline is "not measured", never a network verdict.
package fdlimit

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"

	"golang.org/x/sync/semaphore"
)

// Reserve is kept free of the pool for what is not counted in it: the Go
// runtime, stdio, the DNS layer's and the printer probe's sockets, ICMP.
const Reserve = 32

// MaxPool caps the pool: more sockets in flight than this only load the
// machine, they do not make a sweep faster.
const MaxPool = 4096

// minPool is the pool's size however few descriptors are left: one slot
// lets probes run one after another, which is slow but honest.
const minPool = 1

// ErrNoSlot is returned by Acquire when the context ended while every
// slot was in use: the probe could not be made for want of descriptors.
var ErrNoSlot = errors.New("every file descriptor this process may use was in use until the time ran out")

// slots is the pool: a semaphore of size slots.
type slots struct {
	sem  *semaphore.Weighted
	size int
}

var (
	once sync.Once
	pool atomic.Pointer[slots]
)

func initPool() *slots {
	once.Do(func() {
		cur, _ := Limit()
		n := poolSize(cur, openCount())
		pool.CompareAndSwap(nil, &slots{semaphore.NewWeighted(int64(n)), n})
	})
	return pool.Load()
}

// poolSize is what is left of limit after the descriptors already open
// and the reserve, between minPool and MaxPool.
func poolSize(limit uint64, open int) int {
	free := int64(limit) - int64(open) - Reserve
	if limit > 1<<40 {
		free = MaxPool // unlimited (RLIM_INFINITY) or close enough
	}
	switch {
	case free < minPool:
		return minPool
	case free > MaxPool:
		return MaxPool
	}
	return int(free)
}

// Capacity is how many sockets the pool lets netprobe hold at once. The
// first call sizes the pool from the limit and the descriptors open then
// (call Raise before).
func Capacity() int { return initPool().size }

// Soft is the soft descriptor limit in force now, for messages.
func Soft() uint64 {
	s, _ := Limit()
	return s
}

// Acquire takes n slots (at most Capacity), waiting until they are free
// or ctx ends; then it returns ErrNoSlot. release gives them back and may
// be called more than once.
func Acquire(ctx context.Context, n int) (release func(), err error) {
	p := initPool()
	n = min(n, p.size)
	if n <= 0 {
		return func() {}, nil
	}
	if err := p.sem.Acquire(ctx, int64(n)); err != nil {
		return func() {}, ErrNoSlot
	}
	return p.releaser(n), nil
}

// TryAcquire takes n slots if they are free now.
func TryAcquire(n int) (release func(), ok bool) {
	p := initPool()
	n = min(n, p.size)
	if n <= 0 {
		return func() {}, true
	}
	if !p.sem.TryAcquire(int64(n)) {
		return func() {}, false
	}
	return p.releaser(n), true
}

// releaser gives n slots back to this pool (not to whichever pool is
// current by then), once.
func (p *slots) releaser(n int) func() {
	var done sync.Once
	return func() { done.Do(func() { p.sem.Release(int64(n)) }) }
}

// SetCapacityForTest replaces the pool by one of n slots and returns a
// function that restores the previous one. Tests use it to run probes
// under a pool they can exhaust on purpose.
func SetCapacityForTest(n int) (restore func()) {
	old := initPool()
	pool.Store(&slots{semaphore.NewWeighted(int64(n)), n})
	return func() { pool.Store(old) }
}
