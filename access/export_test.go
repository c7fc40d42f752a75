package access

import "time"

// NewMemoryResultStoreAt is NewMemoryResultStore on the clock now.
func NewMemoryResultStoreAt(now func() time.Time) ResultStore {
	s := NewMemoryResultStore().(*memoryResultStore)
	s.now = now
	return s
}
