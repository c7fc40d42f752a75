package access

import (
	"context"
	"testing"
	"time"
)

// memoryBudgetAt returns a memory budget whose clock the test moves.
func memoryBudgetAt(perSecond float64, burst int) (*memoryRateBudget, *time.Time) {
	clock := time.Date(2030, 1, 1, 9, 0, 0, 0, time.UTC)
	b := NewMemoryRateBudget(perSecond, burst).(*memoryRateBudget)
	b.now = func() time.Time { return clock }
	return b, &clock
}

func reserveAll(t *testing.T, b RateBudget, n int) []time.Duration {
	t.Helper()
	waits := make([]time.Duration, n)
	for i := range waits {
		w, err := b.Reserve(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		waits[i] = w
	}
	return waits
}

// TestMemoryRateBudgetHandsOutSlots: half the vendor's burst goes at once,
// then one slot every 1/rate, in order; unused time refills the burst,
// never beyond it.
func TestMemoryRateBudgetHandsOutSlots(t *testing.T) {
	b, clock := memoryBudgetAt(200, 10)
	waits := reserveAll(t, b, 8)
	for i, w := range waits[:5] {
		if w != 0 {
			t.Errorf("slot %d of the burst waits %s", i, w)
		}
	}
	for i, want := range []time.Duration{5 * time.Millisecond, 10 * time.Millisecond, 15 * time.Millisecond} {
		if waits[5+i] != want {
			t.Errorf("slot %d waits %s, want %s", 5+i, waits[5+i], want)
		}
	}

	*clock = clock.Add(time.Hour)
	waits = reserveAll(t, b, 6)
	if waits[4] != 0 || waits[5] != 5*time.Millisecond {
		t.Errorf("after an idle hour: slot 5 waits %s, slot 6 %s; want the burst of 5 back, no more", waits[4], waits[5])
	}
	if r, burst := b.Limit(); r != 200 || burst != 10 {
		t.Errorf("Limit() = %v, %d", r, burst)
	}
}

// TestMemoryRateBudgetHonoursContext: a caller whose context has ended
// takes no slot.
func TestMemoryRateBudgetHonoursContext(t *testing.T) {
	b, _ := memoryBudgetAt(1, 1)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := b.Reserve(ctx); err == nil {
		t.Fatal("Reserve with an ended context succeeded")
	}
	if w := reserveAll(t, b, 1)[0]; w != 0 {
		t.Errorf("the first slot waits %s: the refused call took one", w)
	}
}

func TestNewMemoryRateBudgetRefusesNonsense(t *testing.T) {
	for _, tc := range []struct {
		rate  float64
		burst int
	}{{0, 1}, {-1, 1}, {10, 0}} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("NewMemoryRateBudget(%v, %d) did not panic", tc.rate, tc.burst)
				}
			}()
			NewMemoryRateBudget(tc.rate, tc.burst)
		}()
	}
}
