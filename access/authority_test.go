package access_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/access/accesstest"
)

// laggingVendor is a Memory whose lookup by key is not authoritative, as
// for a vendor whose listing shows a grant only some time after it was
// made, or rests on a join it does not publish.
type laggingVendor struct{ *accesstest.Memory }

func (laggingVendor) KeyLookupAuthoritative() bool { return false }

// After a create of unknown outcome, finding no grant proves nothing was
// made only when the lookup is authoritative; otherwise EnsureGrant reports
// the outcome as unknown rather than create a second grant.
func TestEnsureGrantTrustsAnEmptyLookupOnlyWhenAuthoritative(t *testing.T) {
	ctx := context.Background()
	t.Run("not authoritative: no second create", func(t *testing.T) {
		m := accesstest.NewMemory(accesstest.MemoryDoors()...)
		m.FailNextCreate()
		_, _, err := access.EnsureGrant(ctx, laggingVendor{m}, booking("BK-A1"))
		require.ErrorIs(t, err, access.ErrOutcomeUnknown)
		assert.Contains(t, err.Error(), "not authoritative")
		assert.Equal(t, 0, m.Creates())

		// The create may still land: the key's turn stays pending, and a
		// trigger meanwhile is refused before anything is sent.
		now := time.Now()
		access.SetMemoryLockerClock(m.Locker(), func() time.Time { return now })
		_, _, err = access.EnsureGrant(ctx, laggingVendor{m}, booking("BK-A1"))
		var pending *access.PendingKeyError
		require.ErrorAs(t, err, &pending)
		assert.False(t, pending.Until.IsZero())
		assert.Equal(t, 0, m.Creates())

		// Once the vendor can no longer act on it, the next trigger starts
		// afresh: an unseen key is created.
		now = now.Add(access.MemoryPendingWindow + time.Second)
		_, outcome, err := access.EnsureGrant(ctx, laggingVendor{m}, booking("BK-A1"))
		require.NoError(t, err)
		assert.Equal(t, access.EnsureCreated, outcome)
		assert.Equal(t, 1, m.Creates())
	})
	t.Run("not authoritative: a grant found is still recovered", func(t *testing.T) {
		m := accesstest.NewMemory(accesstest.MemoryDoors()...)
		m.LoseNextCreate()
		_, outcome, err := access.EnsureGrant(ctx, laggingVendor{m}, booking("BK-A2"))
		require.NoError(t, err)
		assert.Equal(t, access.EnsureRecovered, outcome)
		assert.Equal(t, 1, m.Creates())
	})
	t.Run("a lister that does not say is not authoritative", func(t *testing.T) {
		m := accesstest.NewMemory(accesstest.MemoryDoors()...)
		m.FailNextCreate()
		_, _, err := access.EnsureGrant(ctx, noUpdate{m}, booking("BK-A3"))
		require.ErrorIs(t, err, access.ErrOutcomeUnknown)
		assert.Equal(t, 0, m.Creates())
	})
	t.Run("authoritative: created once more", func(t *testing.T) {
		m := accesstest.NewMemory(accesstest.MemoryDoors()...)
		m.FailNextCreate()
		_, outcome, err := access.EnsureGrant(ctx, m, booking("BK-A4"))
		require.NoError(t, err)
		assert.Equal(t, access.EnsureCreated, outcome)
		assert.Equal(t, 1, m.Creates())
	})
	t.Run("in a recreate too", func(t *testing.T) {
		m := accesstest.NewMemory(accesstest.MemoryDoors()...)
		req := booking("BK-A5")
		_, _, err := access.EnsureGrant(ctx, laggingVendor{m}, req)
		require.NoError(t, err)
		moved := req
		moved.DoorIDs = []string{"m1"} // other doors: revoke and re-make
		m.FailNextCreate()
		_, _, err = access.EnsureGrant(ctx, laggingVendor{m}, moved)
		require.ErrorIs(t, err, access.ErrOutcomeUnknown)
		assert.Equal(t, 1, m.Creates(), "the first grant only")
		assert.Equal(t, 0, m.Live())
	})
}

func TestKeyLookupAuthority(t *testing.T) {
	m := accesstest.NewMemory(accesstest.MemoryDoors()...)
	assert.True(t, authoritative(m), "Memory is the vendor: its listing is complete")
	assert.False(t, authoritative(laggingVendor{m}))

	d, _, _ := newDirectory(t) // two Memory accounts and a door lister that does not grant
	assert.True(t, authoritative(d), "every account that grants is authoritative")
	require.NoError(t, d.Add("slow", laggingVendor{accesstest.NewMemory(accesstest.MemoryDoors()...)}))
	assert.False(t, authoritative(d), "one account that is not makes the directory not")

	empty := access.NewDirectory()
	assert.True(t, authoritative(empty), "no account holds any grant")
}

func authoritative(l any) bool {
	a, ok := l.(access.KeyAuthority)
	return ok && a.KeyLookupAuthoritative()
}

// A Directory over an account whose lookup is not authoritative does not
// create twice either.
func TestDirectoryEnsureGrantWithANonAuthoritativeAccount(t *testing.T) {
	ctx := context.Background()
	slow := accesstest.NewMemory(accesstest.MemoryDoors()...)
	d := access.NewDirectory()
	require.NoError(t, d.Add("slow", laggingVendor{slow}))
	req := booking("BK-A6")
	req.DoorIDs = []string{"slow:m1"}
	slow.FailNextCreate()
	_, _, err := access.EnsureGrant(ctx, d, req)
	require.ErrorIs(t, err, access.ErrOutcomeUnknown)
	assert.Equal(t, 0, slow.Creates())
}
