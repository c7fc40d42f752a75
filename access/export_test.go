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
