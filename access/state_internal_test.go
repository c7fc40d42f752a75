package access

import (
	"context"
	"testing"
)

// A memory Locker drops a name once no one holds or waits for it: a
// long-running booking system locks ever new keys.
func TestMemoryLockerDropsNames(t *testing.T) {
	l := NewMemoryLocker().(*memoryLocker)
	ctx := context.Background()
	for _, name := range []string{"BK-1", "BK-2", "BK-1"} {
		lease, err := l.Lock(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		if err := lease.Release(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(l.held); n != 0 {
		t.Errorf("%d names kept after their leases were released", n)
	}
}
