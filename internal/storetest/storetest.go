// Package storetest wraps the shared-state stores of package access for
// tests: it counts their calls, so a test can assert that the steady state
// costs none, and makes them fail on demand as an unreachable store does.
package storetest

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/doorkit/doorkit/access"
)

// ErrDown is what a TokenStore that is down answers: it matches
// access.ErrUnavailable, as a store's "cannot reach the server" does.
var ErrDown = fmt.Errorf("storetest: the store is unreachable: %w", access.ErrUnavailable)

// TokenStore is an access.TokenStore that counts the calls made to it and
// fails them all with ErrDown while it is down.
type TokenStore struct {
	inner              access.TokenStore
	loads, swaps, lock atomic.Int64
	down               atomic.Bool

	mu     sync.Mutex
	onSwap func(old, next []byte)
}

// NewTokenStore wraps inner (access.NewMemoryTokenStore when nil).
func NewTokenStore(inner access.TokenStore) *TokenStore {
	if inner == nil {
		inner = access.NewMemoryTokenStore()
	}
	return &TokenStore{inner: inner}
}

// Calls returns how many calls of each method the store received.
func (s *TokenStore) Calls() (loads, swaps, locks int64) {
	return s.loads.Load(), s.swaps.Load(), s.lock.Load()
}

// Total returns how many calls the store received.
func (s *TokenStore) Total() int64 {
	l, w, k := s.Calls()
	return l + w + k
}

// SetDown makes every call fail with ErrDown (true) or reach the wrapped
// store again (false).
func (s *TokenStore) SetDown(down bool) { s.down.Store(down) }

// OnSwap runs fn before every SwapToken that reaches the wrapped store
// (nil: none), so a test can store a peer's value in between.
func (s *TokenStore) OnSwap(fn func(old, next []byte)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.onSwap = fn
}

// Inner returns the wrapped store, for a test to read or write it directly.
func (s *TokenStore) Inner() access.TokenStore { return s.inner }

func (s *TokenStore) LoadToken(ctx context.Context) ([]byte, error) {
	s.loads.Add(1)
	if s.down.Load() {
		return nil, ErrDown
	}
	return s.inner.LoadToken(ctx)
}

func (s *TokenStore) SwapToken(ctx context.Context, old, next []byte) (bool, error) {
	s.swaps.Add(1)
	if s.down.Load() {
		return false, ErrDown
	}
	s.mu.Lock()
	fn := s.onSwap
	s.mu.Unlock()
	if fn != nil {
		fn(old, next)
	}
	return s.inner.SwapToken(ctx, old, next)
}

func (s *TokenStore) LockRefresh(ctx context.Context) (access.Lease, error) {
	s.lock.Add(1)
	if s.down.Load() {
		return nil, ErrDown
	}
	return s.inner.LockRefresh(ctx)
}

// FleetCalls runs call calls times from workers goroutines per replica of
// fleet, all at once, and returns how many failed (each failure is
// logged): the load a fleet of replicas sharing a store puts on it.
func FleetCalls[C any](t testing.TB, fleet []C, workers, calls int, call func(C) error) int32 {
	t.Helper()
	var failed atomic.Int32
	var wg sync.WaitGroup
	for _, c := range fleet {
		for range workers {
			wg.Go(func() {
				for range calls {
					if err := call(c); err != nil {
						t.Log(err)
						failed.Add(1)
					}
				}
			})
		}
	}
	wg.Wait()
	return failed.Load()
}
