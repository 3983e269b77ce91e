package fdlimit

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestPoolSize(t *testing.T) {
	for _, tt := range []struct {
		limit uint64
		open  int
		want  int
	}{
		{256, 10, 256 - 10 - Reserve},
		{64, 8, 64 - 8 - Reserve},
		{40, 8, minPool},
		{7, 7, minPool},
		{0, 3, minPool},
		{1 << 20, 10, MaxPool},
		{1<<63 - 1, 10, MaxPool},
	} {
		if got := poolSize(tt.limit, tt.open); got != tt.want {
			t.Errorf("poolSize(%d, %d) = %d, want %d", tt.limit, tt.open, got, tt.want)
		}
	}
}

func TestAcquire(t *testing.T) {
	restore := SetCapacityForTest(3)
	defer restore()
	if Capacity() != 3 {
		t.Fatalf("capacity %d", Capacity())
	}
	r1, err := Acquire(context.Background(), 2)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := TryAcquire(2); ok {
		t.Fatal("2 slots taken from 1 free")
	}
	r2, ok := TryAcquire(1)
	if !ok {
		t.Fatal("the last slot is not free")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	if _, err := Acquire(ctx, 1); !errors.Is(err, ErrNoSlot) {
		t.Fatalf("full pool: err %v, want ErrNoSlot", err)
	}
	if time.Since(start) < 40*time.Millisecond {
		t.Fatal("did not wait for a slot")
	}
	r1()
	r1() // a second release gives nothing back twice
	r2()
	// More than the pool holds is clamped, not a deadlock.
	r3, err := Acquire(context.Background(), 100)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := TryAcquire(1); ok {
		t.Fatal("a clamped request left slots free, or a double release added one")
	}
	r3()
	if r, ok := TryAcquire(3); !ok {
		t.Fatal("slots not given back")
	} else {
		r()
	}
}
