package access

import "time"

// NewMemoryResultStoreAt is NewMemoryResultStore on the clock now.
func NewMemoryResultStoreAt(now func() time.Time) ResultStore {
	s := NewMemoryResultStore().(*memoryResultStore)
	s.now = now
	return s
}

// SetMemoryLockerClock puts a memory Locker on the clock now.
func SetMemoryLockerClock(l Locker, now func() time.Time) {
	m := l.(*memoryLocker)
	m.mu.Lock()
	m.now = now
	m.mu.Unlock()
}

// NewMemoryRateBudgetAt is NewMemoryRateBudget on a clock the caller moves
// with the returned function.
func NewMemoryRateBudgetAt(perSecond float64, burst int) (RateBudget, func(time.Duration)) {
	clock := time.Date(2030, 1, 1, 9, 0, 0, 0, time.UTC)
	b := NewMemoryRateBudget(perSecond, burst).(*memoryRateBudget)
	b.now = func() time.Time { return clock }
	return b, func(d time.Duration) { clock = clock.Add(d) }
}
