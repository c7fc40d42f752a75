package access_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/doorkit/doorkit/access"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The memory TokenStore compares and swaps on the exact stored bytes, and
// hands out copies, so a caller changing its slice changes nothing stored.
func TestMemoryTokenStoreSwapsOnTheValue(t *testing.T) {
	ctx := context.Background()
	s := access.NewMemoryTokenStore()
	v, err := s.LoadToken(ctx)
	require.NoError(t, err)
	assert.Nil(t, v, "nothing stored yet")

	ok, err := s.SwapToken(ctx, []byte("other"), []byte("a"))
	require.NoError(t, err)
	assert.False(t, ok, "an old value over an empty store")
	first := []byte("a")
	ok, err = s.SwapToken(ctx, nil, first)
	require.NoError(t, err)
	assert.True(t, ok)
	first[0] = 'x'
	ok, err = s.SwapToken(ctx, nil, []byte("b"))
	require.NoError(t, err)
	assert.False(t, ok, "nil means nothing stored")
	ok, err = s.SwapToken(ctx, []byte("x"), []byte("b"))
	require.NoError(t, err)
	assert.False(t, ok, "the caller's slice is not the stored value")
	ok, err = s.SwapToken(ctx, []byte("a"), []byte("b"))
	require.NoError(t, err)
	assert.True(t, ok)
	v, err = s.LoadToken(ctx)
	require.NoError(t, err)
	assert.Equal(t, "b", string(v))
	v[0] = 'z'
	v, _ = s.LoadToken(ctx)
	assert.Equal(t, "b", string(v), "a loaded value is a copy")

	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	_, err = s.LoadToken(cancelled)
	require.ErrorIs(t, err, context.Canceled)
	_, err = s.SwapToken(cancelled, []byte("b"), []byte("c"))
	require.ErrorIs(t, err, context.Canceled)
	_, err = s.LockRefresh(cancelled)
	require.ErrorIs(t, err, context.Canceled)
}

// Many goroutines each holding the refresh lease in turn and swapping the
// value they read: every swap made under the lease succeeds, so exactly
// one value per goroutine is stored, in some order.
func TestMemoryTokenStoreRefreshLeaseTakesTurns(t *testing.T) {
	ctx := context.Background()
	s := access.NewMemoryTokenStore()
	const n = 32
	var wg sync.WaitGroup
	failed := make(chan string, n)
	for i := range n {
		wg.Go(func() {
			lease, err := s.LockRefresh(ctx)
			if err != nil {
				failed <- err.Error()
				return
			}
			defer func() { _ = lease.Release(ctx) }()
			old, _ := s.LoadToken(lease.Context())
			if ok, err := s.SwapToken(lease.Context(), old, fmt.Appendf(nil, "%d", i)); !ok || err != nil {
				failed <- fmt.Sprintf("swap %d under the lease: %v %v", i, ok, err)
			}
		})
	}
	wg.Wait()
	close(failed)
	for f := range failed {
		t.Error(f)
	}
}
