package access_test

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/access/accesstest"
)

func booking(key string) access.GrantRequest {
	start := time.Now().Add(time.Hour).Truncate(time.Second)
	return access.GrantRequest{Key: key, DoorIDs: []string{"m1", "m2"}, Holder: access.Person{Email: "ada@example.com"},
		Window: access.Window{Start: start, End: start.Add(2 * time.Hour)}}
}

// noUpdate hides Memory's GrantUpdater, as for a vendor that cannot change
// a window.
type noUpdate struct{ m *accesstest.Memory }

func (n noUpdate) CreateGrant(ctx context.Context, r access.GrantRequest) (*access.Grant, error) {
	return n.m.CreateGrant(ctx, r)
}
func (n noUpdate) RevokeGrant(ctx context.Context, id string) error { return n.m.RevokeGrant(ctx, id) }
func (n noUpdate) ListGrants(ctx context.Context, f access.GrantFilter) iter.Seq2[*access.Grant, error] {
	return n.m.ListGrants(ctx, f)
}

func TestEnsureGrant(t *testing.T) {
	ctx := context.Background()
	m := accesstest.NewMemory(accesstest.MemoryDoors()...)
	req := booking("BK-1")

	g1, outcome, err := access.EnsureGrant(ctx, m, req)
	require.NoError(t, err)
	assert.Equal(t, access.EnsureCreated, outcome)
	assert.Equal(t, "BK-1", g1.Key)

	g2, outcome, err := access.EnsureGrant(ctx, m, req)
	require.NoError(t, err)
	assert.Equal(t, access.EnsureUnchanged, outcome)
	assert.Equal(t, g1.ID, g2.ID)
	assert.Equal(t, 1, m.Creates())

	// Within the tolerance (vendor rounding) is the same window.
	rounded := req
	rounded.Window.End = rounded.Window.End.Add(30 * time.Second)
	_, outcome, err = access.EnsureGrant(ctx, m, rounded)
	require.NoError(t, err)
	assert.Equal(t, access.EnsureUnchanged, outcome)

	moved := req
	moved.Window.End = moved.Window.End.Add(time.Hour)
	g3, outcome, err := access.EnsureGrant(ctx, m, moved)
	require.NoError(t, err)
	assert.Equal(t, access.EnsureUpdated, outcome)
	assert.Equal(t, g1.ID, g3.ID)
	assert.True(t, g3.Window.End.Equal(moved.Window.End))

	otherDoors := moved
	otherDoors.DoorIDs = []string{"m1"}
	g4, outcome, err := access.EnsureGrant(ctx, m, otherDoors)
	require.NoError(t, err)
	assert.Equal(t, access.EnsureRecreated, outcome)
	assert.NotEqual(t, g1.ID, g4.ID)
	assert.Equal(t, []string{"m1"}, g4.DoorIDs())
	assert.Equal(t, 1, m.Live(), "the old grant was revoked")

	otherHolder := otherDoors
	otherHolder.Holder = access.Person{Email: "bob@example.com"}
	g5, outcome, err := access.EnsureGrant(ctx, m, otherHolder)
	require.NoError(t, err)
	assert.Equal(t, access.EnsureRecreated, outcome)
	assert.NotEqual(t, g4.ID, g5.ID)

	sameHolderOtherCase := otherHolder
	sameHolderOtherCase.Holder.Email = "BOB@example.com"
	sameHolderOtherCase.DoorIDs = []string{"m1", "m1"}
	_, outcome, err = access.EnsureGrant(ctx, m, sameHolderOtherCase)
	require.NoError(t, err)
	assert.Equal(t, access.EnsureUnchanged, outcome, "emails ignore case, doors are a set")
	assert.Equal(t, 1, m.Live())
	assert.Equal(t, 3, m.Creates())
}

func TestEnsureGrantWithoutUpdaterRecreates(t *testing.T) {
	ctx := context.Background()
	m := accesstest.NewMemory(accesstest.MemoryDoors()...)
	g := noUpdate{m}
	req := booking("BK-2")
	first, _, err := access.EnsureGrant(ctx, g, req)
	require.NoError(t, err)
	req.Window.End = req.Window.End.Add(time.Hour)
	second, outcome, err := access.EnsureGrant(ctx, g, req)
	require.NoError(t, err)
	assert.Equal(t, access.EnsureRecreated, outcome)
	assert.NotEqual(t, first.ID, second.ID)
	assert.Equal(t, 1, m.Live())
}

func TestEnsureGrantPastStart(t *testing.T) {
	ctx := context.Background()
	m := accesstest.NewMemory(accesstest.MemoryDoors()...)
	req := booking("BK-3")
	req.Window.Start = time.Now().Add(-time.Hour)
	g, outcome, err := access.EnsureGrant(ctx, m, req)
	require.NoError(t, err)
	assert.Equal(t, access.EnsureCreated, outcome)
	require.NotEmpty(t, g.Notices)
	assert.Equal(t, access.NoticeStartClamped, g.Notices[0].Code)
	// The clamped start matches the request's past start: nothing to do.
	_, outcome, err = access.EnsureGrant(ctx, m, req)
	require.NoError(t, err)
	assert.Equal(t, access.EnsureUnchanged, outcome)
}

func TestEnsureGrantFailedIsRecreated(t *testing.T) {
	ctx := context.Background()
	m := accesstest.NewMemory(accesstest.MemoryDoors()...)
	req := booking("BK-4")
	g, _, err := access.EnsureGrant(ctx, m, req)
	require.NoError(t, err)
	require.NoError(t, m.SetState(g.ID, "m2", access.GrantFailed, "lock out of PIN slots"))
	again, outcome, err := access.EnsureGrant(ctx, m, req)
	require.NoError(t, err)
	assert.Equal(t, access.EnsureRecreated, outcome)
	assert.NotEqual(t, g.ID, again.ID)
}

func TestEnsureGrantOutcomeUnknown(t *testing.T) {
	ctx := context.Background()
	t.Run("answer lost: the grant made is found", func(t *testing.T) {
		m := accesstest.NewMemory(accesstest.MemoryDoors()...)
		m.LoseNextCreate()
		g, outcome, err := access.EnsureGrant(ctx, m, booking("BK-5"))
		require.NoError(t, err)
		assert.Equal(t, access.EnsureRecovered, outcome)
		assert.Equal(t, "BK-5", g.Key)
		assert.Equal(t, 1, m.Creates())
		assert.Equal(t, 1, m.Live())
	})
	t.Run("nothing made: created once more", func(t *testing.T) {
		m := accesstest.NewMemory(accesstest.MemoryDoors()...)
		m.FailNextCreate()
		_, outcome, err := access.EnsureGrant(ctx, m, booking("BK-6"))
		require.NoError(t, err)
		assert.Equal(t, access.EnsureCreated, outcome)
		assert.Equal(t, 1, m.Creates())
	})
	t.Run("twice nothing made: the error", func(t *testing.T) {
		m := accesstest.NewMemory(accesstest.MemoryDoors()...)
		m.FailNextCreate()
		m.FailNextCreate()
		m.FailNextCreate()
		_, _, err := access.EnsureGrant(ctx, m, booking("BK-7"))
		assert.ErrorIs(t, err, access.ErrOutcomeUnknown)
		assert.Equal(t, 0, m.Creates())
	})
	t.Run("lookup fails: no second create", func(t *testing.T) {
		m := accesstest.NewMemory(accesstest.MemoryDoors()...)
		m.FailNextCreate()
		g := &failingLister{Memory: m, failAfter: 1}
		_, _, err := access.EnsureGrant(ctx, g, booking("BK-8"))
		assert.ErrorIs(t, err, access.ErrOutcomeUnknown)
		assert.ErrorIs(t, err, errListing)
		assert.Equal(t, 0, m.Creates())
	})
}

var errListing = errors.New("listing broke")

// failingLister fails every listing after the first failAfter.
type failingLister struct {
	*accesstest.Memory
	failAfter, calls int
}

func (f *failingLister) ListGrants(ctx context.Context, filter access.GrantFilter) iter.Seq2[*access.Grant, error] {
	f.calls++
	if f.calls > f.failAfter {
		return func(yield func(*access.Grant, error) bool) { yield(nil, errListing) }
	}
	return f.Memory.ListGrants(ctx, filter)
}

func TestEnsureGrantErrors(t *testing.T) {
	ctx := context.Background()
	m := accesstest.NewMemory(accesstest.MemoryDoors()...)
	_, _, err := access.EnsureGrant(ctx, m, booking(""))
	assert.ErrorIs(t, err, access.ErrInvalid)
	bad := booking("BK-9")
	bad.DoorIDs = nil
	_, _, err = access.EnsureGrant(ctx, m, bad)
	assert.ErrorIs(t, err, access.ErrInvalid)
	assert.Equal(t, 0, m.Creates())

	type granterOnly struct{ access.Granter }
	_, _, err = access.EnsureGrant(ctx, granterOnly{m}, booking("BK-9"))
	assert.ErrorIs(t, err, access.ErrUnsupported)
	assert.ErrorIs(t, access.EnsureRevokedByKey(ctx, granterOnly{m}, "BK-9"), access.ErrUnsupported)

	// Two grants for one key (made outside EnsureGrant) are a conflict.
	_, err = m.CreateGrant(ctx, booking("BK-10"))
	require.NoError(t, err)
	_, err = m.CreateGrant(ctx, booking("BK-10"))
	require.NoError(t, err)
	_, _, err = access.EnsureGrant(ctx, m, booking("BK-10"))
	assert.ErrorIs(t, err, access.ErrConflict)
	assert.Contains(t, err.Error(), "g1, g2")
	// EnsureRevokedByKey revokes both.
	require.NoError(t, access.EnsureRevokedByKey(ctx, m, "BK-10"))
	assert.Equal(t, 0, m.Live())

	g := &failingLister{Memory: m}
	_, _, err = access.EnsureGrant(ctx, g, booking("BK-11"))
	assert.ErrorIs(t, err, errListing)
	assert.ErrorIs(t, access.EnsureRevokedByKey(ctx, g, "BK-11"), errListing)
}

func TestEnsureRevoked(t *testing.T) {
	ctx := context.Background()
	m := accesstest.NewMemory(accesstest.MemoryDoors()...)
	g, _, err := access.EnsureGrant(ctx, m, booking("BK-12"))
	require.NoError(t, err)
	require.NoError(t, access.EnsureRevoked(ctx, m, g.ID))
	require.NoError(t, access.EnsureRevoked(ctx, m, g.ID), "already gone is done")
	assert.ErrorIs(t, access.EnsureRevoked(ctx, m, ""), access.ErrInvalid)
	require.NoError(t, access.EnsureRevokedByKey(ctx, m, "BK-12"), "no grant with the key is done")
	assert.ErrorIs(t, access.EnsureRevokedByKey(ctx, m, ""), access.ErrInvalid)
	assert.ErrorIs(t, access.EnsureRevokedByKey(ctx, m, " "), access.ErrInvalid)

	cctx, cancel := context.WithCancel(ctx)
	cancel()
	g, _, err = access.EnsureGrant(ctx, m, booking("BK-13"))
	require.NoError(t, err)
	assert.ErrorIs(t, access.EnsureRevoked(cctx, m, g.ID), context.Canceled, "other errors pass through")
}

func TestEnsureOutcomeString(t *testing.T) {
	for o, want := range map[access.EnsureOutcome]string{access.EnsureCreated: "created", access.EnsureUnchanged: "unchanged",
		access.EnsureUpdated: "updated", access.EnsureRecreated: "recreated", access.EnsureRecovered: "recovered",
		0: "EnsureOutcome(0)"} {
		assert.Equal(t, want, o.String())
	}
}

func TestMemoryKeyStore(t *testing.T) {
	ctx := context.Background()
	s := access.NewMemoryKeyStore()
	_, err := s.Get(ctx, "BK-1")
	assert.ErrorIs(t, err, access.ErrKeyUnknown, "a key it never saw may have been recorded by an earlier process")
	assert.NotErrorIs(t, err, access.ErrNotFound)
	require.NoError(t, s.Put(ctx, "BK-1", "g1"))
	require.NoError(t, s.Put(ctx, "BK-1", "g2"), "put replaces")
	id, err := s.Get(ctx, "BK-1")
	require.NoError(t, err)
	assert.Equal(t, "g2", id)
	require.NoError(t, s.Delete(ctx, "BK-1"))
	require.NoError(t, s.Delete(ctx, "BK-1"), "deleting an unknown key is fine")
	_, err = s.Get(ctx, "BK-1")
	assert.ErrorIs(t, err, access.ErrNotFound)
	assert.ErrorIs(t, s.Put(ctx, "", "g1"), access.ErrInvalid)
	assert.ErrorIs(t, s.Put(ctx, "a\x00b", "g1"), access.ErrInvalid)

	cctx, cancel := context.WithCancel(ctx)
	cancel()
	assert.ErrorIs(t, s.Put(cctx, "k", "g"), context.Canceled)
	_, err = s.Get(cctx, "k")
	assert.ErrorIs(t, err, context.Canceled)
	assert.ErrorIs(t, s.Delete(cctx, "k"), context.Canceled)
}

// storeGranter is a vendor that cannot keep keys: it records them with
// CreateWithKeyStore and finds them with LookupKey, as the doc asks.
type storeGranter struct {
	m     *accesstest.Memory
	store access.KeyStore
}

func (s storeGranter) CreateGrant(ctx context.Context, r access.GrantRequest) (*access.Grant, error) {
	key := r.Key
	r.Key = "" // the vendor has nowhere to keep it
	return access.CreateWithKeyStore(ctx, s.store, key, func() (*access.Grant, error) { return s.m.CreateGrant(ctx, r) })
}

func (s storeGranter) RevokeGrant(ctx context.Context, id string) error {
	return s.m.RevokeGrant(ctx, id)
}

func (s storeGranter) ListGrants(ctx context.Context, f access.GrantFilter) iter.Seq2[*access.Grant, error] {
	return func(yield func(*access.Grant, error) bool) {
		id, err := access.LookupKey(ctx, s.store, f.Key)
		if err != nil || id == "" {
			if err != nil {
				yield(nil, err)
			}
			return
		}
		g, err := s.m.GetGrant(ctx, id)
		if errors.Is(err, access.ErrNotFound) {
			return
		}
		if err == nil {
			g.Key = f.Key
		}
		yield(g, err)
	}
}

func TestKeyStoreVendor(t *testing.T) {
	ctx := context.Background()
	m := accesstest.NewMemory(accesstest.MemoryDoors()...)
	store := access.NewMemoryKeyStore()
	g := storeGranter{m, store}

	first, outcome, err := access.EnsureGrant(ctx, g, booking("BK-20"))
	require.NoError(t, err)
	assert.Equal(t, access.EnsureCreated, outcome)
	assert.Equal(t, "BK-20", first.Key)
	id, err := store.Get(ctx, "BK-20")
	require.NoError(t, err)
	assert.Equal(t, first.ID, id)
	_, outcome, err = access.EnsureGrant(ctx, g, booking("BK-20"))
	require.NoError(t, err)
	assert.Equal(t, access.EnsureUnchanged, outcome)
	assert.Equal(t, 1, m.Creates())

	// The vendor's answer is lost: the store cannot tell, so EnsureGrant
	// reports it rather than risk a second grant.
	m.LoseNextCreate()
	_, _, err = access.EnsureGrant(ctx, g, booking("BK-21"))
	assert.ErrorIs(t, err, access.ErrOutcomeUnknown)
	_, _, err = access.EnsureGrant(ctx, g, booking("BK-21"))
	assert.ErrorIs(t, err, access.ErrOutcomeUnknown, "still unknown: nothing created")
	assert.Equal(t, 2, m.Creates())

	// A refusal clears the mark: the next try creates.
	bad := booking("BK-22")
	bad.DoorIDs = []string{"m9"}
	_, err = g.CreateGrant(ctx, bad)
	assert.ErrorIs(t, err, access.ErrNotFound)
	_, err = store.Get(ctx, "BK-22")
	assert.ErrorIs(t, err, access.ErrNotFound)

	// A grant revoked at the vendor is no grant.
	require.NoError(t, m.RevokeGrant(ctx, first.ID))
	_, outcome, err = access.EnsureGrant(ctx, g, booking("BK-20"))
	require.NoError(t, err)
	assert.Equal(t, access.EnsureCreated, outcome)

	// No key: the create runs alone.
	noKey := booking("")
	made, err := g.CreateGrant(ctx, noKey)
	require.NoError(t, err)
	assert.Empty(t, made.Key)
}

// rendezvous holds each ListGrants until a second caller is listing too, or
// a short while has passed: without turns per key, two EnsureGrant calls
// for one booking would both list, both find nothing and both create.
type rendezvous struct {
	m        *accesstest.Memory
	mu       sync.Mutex
	inside   int
	together chan struct{}
	maxIn    int
}

func (r *rendezvous) CreateGrant(ctx context.Context, req access.GrantRequest) (*access.Grant, error) {
	return r.m.CreateGrant(ctx, req)
}
func (r *rendezvous) RevokeGrant(ctx context.Context, id string) error {
	return r.m.RevokeGrant(ctx, id)
}
func (r *rendezvous) ListGrants(ctx context.Context, f access.GrantFilter) iter.Seq2[*access.Grant, error] {
	r.mu.Lock()
	r.inside++
	r.maxIn = max(r.maxIn, r.inside)
	if r.inside == 2 {
		close(r.together)
	}
	r.mu.Unlock()
	select {
	case <-r.together:
	case <-time.After(20 * time.Millisecond):
	}
	r.mu.Lock()
	r.inside--
	r.mu.Unlock()
	return r.m.ListGrants(ctx, f)
}

func TestEnsureGrantTakesTurnsPerKey(t *testing.T) {
	g := &rendezvous{m: accesstest.NewMemory(accesstest.MemoryDoors()...), together: make(chan struct{})}
	req := booking("BK-TURNS")
	locker := access.NewMemoryLocker()
	var wg sync.WaitGroup
	errs := make(chan error, 5)
	for range 5 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _, err := access.EnsureGrant(context.Background(), g, req, access.WithLocker(locker))
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	assert.Equal(t, 1, g.m.Creates(), "one booking, one grant")
	assert.Equal(t, 1, g.maxIn, "calls for one key took turns")

	t.Run("a waiter's context ends its wait", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, _, err := access.EnsureGrant(ctx, g, req, access.WithLocker(locker))
		assert.ErrorIs(t, err, context.Canceled)
	})
}

// partialOnce makes the next create a partial one whose answer is lost: a
// vendor that makes one object per door got through the first door only.
type partialOnce struct {
	noUpdate
	partial bool
}

func (p *partialOnce) CreateGrant(ctx context.Context, r access.GrantRequest) (*access.Grant, error) {
	if !p.partial {
		return p.m.CreateGrant(ctx, r)
	}
	p.partial = false
	r.DoorIDs = r.DoorIDs[:1]
	if _, err := p.m.CreateGrant(ctx, r); err != nil {
		return nil, err
	}
	return nil, fmt.Errorf("second door: answer lost: %w", access.ErrOutcomeUnknown)
}

// A recreate whose create is lost half-way must not return the half it
// recovered as the booking's grant: it is checked like any other.
func TestEnsureGrantRecreateRecoversPartialGrant(t *testing.T) {
	ctx := context.Background()
	m := accesstest.NewMemory(accesstest.MemoryDoors()...)
	g := &partialOnce{noUpdate: noUpdate{m}}
	req := booking("BK-9")
	_, _, err := access.EnsureGrant(ctx, g, req)
	require.NoError(t, err)
	req.Window.End = req.Window.End.Add(time.Hour)
	g.partial = true
	got, _, err := access.EnsureGrant(ctx, g, req)
	require.NoError(t, err)
	assert.ElementsMatch(t, req.DoorIDs, got.DoorIDs(), "both doors")
	assert.Equal(t, 1, m.Live())
	var live []*access.Grant
	for lg, err := range m.ListGrants(ctx, access.GrantFilter{Key: "BK-9"}) {
		require.NoError(t, err)
		live = append(live, lg)
	}
	require.Len(t, live, 1)
	assert.ElementsMatch(t, req.DoorIDs, live[0].DoorIDs())
}

// vendorEmail lists grants with the holder's email as the vendor's account
// holds it, as Havr does for a member grant (the user's own email).
type vendorEmail struct {
	*accesstest.Memory
	email string
}

func (v vendorEmail) ListGrants(ctx context.Context, f access.GrantFilter) iter.Seq2[*access.Grant, error] {
	return func(yield func(*access.Grant, error) bool) {
		for g, err := range v.Memory.ListGrants(ctx, f) {
			if g != nil {
				g.Holder.Email = v.email
			}
			if !yield(g, err) {
				return
			}
		}
	}
}

// A holder named by vendor user id is the same holder whatever email the
// booking has for them: EnsureGrant must not re-make the grant on every
// trigger because the vendor's account email differs.
func TestEnsureGrantHolderByVendorUserID(t *testing.T) {
	ctx := context.Background()
	m := accesstest.NewMemory(accesstest.MemoryDoors()...)
	g := vendorEmail{Memory: m, email: "max@home.example"}
	req := booking("BK-10")
	req.Holder = access.Person{Email: "max@work.example", VendorUserID: "2"}
	first, _, err := access.EnsureGrant(ctx, g, req)
	require.NoError(t, err)
	again, outcome, err := access.EnsureGrant(ctx, g, req)
	require.NoError(t, err)
	assert.Equal(t, access.EnsureUnchanged, outcome)
	assert.Equal(t, first.ID, again.ID)
	assert.Equal(t, 1, m.Creates())

	other := req
	other.Holder.VendorUserID = "3"
	_, outcome, err = access.EnsureGrant(ctx, g, other)
	require.NoError(t, err)
	assert.Equal(t, access.EnsureRecreated, outcome, "another user is another holder")
}

func TestEnsureGrantTurnsComeFromTheGranter(t *testing.T) {
	// Memory carries a Locker, as vendor clients do: no option needed.
	g := &rendezvous{m: accesstest.NewMemory(accesstest.MemoryDoors()...), together: make(chan struct{})}
	req := booking("BK-TURNS-2")
	var wg sync.WaitGroup
	for range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _, err := access.EnsureGrant(context.Background(), lockerOf{g, g.m.Locker()}, req)
			assert.NoError(t, err)
		}()
	}
	wg.Wait()
	assert.Equal(t, 1, g.m.Creates())
	assert.Equal(t, 1, g.maxIn)
}

// lockerOf gives a granter a Locker.
type lockerOf struct {
	*rendezvous
	l access.Locker
}

func (l lockerOf) Locker() access.Locker { return l.l }

func TestRevokeByKeyOnAStoreThatForgot(t *testing.T) {
	ctx := context.Background()
	m := accesstest.NewMemory(accesstest.MemoryDoors()...)
	before := storeGranter{m, access.NewMemoryKeyStore()}
	g, _, err := access.EnsureGrant(ctx, before, booking("BK-30"))
	require.NoError(t, err)

	// A new process: a new in-memory store, the grant still live.
	after := storeGranter{m, access.NewMemoryKeyStore()}
	err = access.EnsureRevokedByKey(ctx, after, "BK-30")
	require.ErrorIs(t, err, access.ErrKeyUnknown, "a store that forgot cannot prove the grant gone")
	got, err := m.GetGrant(ctx, g.ID)
	require.NoError(t, err)
	assert.NotEqual(t, access.GrantRevoked, got.State(), "the visitor still has access, and nil would have said otherwise")

	// Revoked in this process: then the store knows.
	require.NoError(t, access.EnsureRevokedByKey(ctx, before, "BK-30"))
	require.NoError(t, access.EnsureRevokedByKey(ctx, before, "BK-30"), "a repeated cancellation is done")

	// A first trigger on a fresh store still creates.
	_, outcome, err := access.EnsureGrant(ctx, storeGranter{m, access.NewMemoryKeyStore()}, booking("BK-31"))
	require.NoError(t, err)
	assert.Equal(t, access.EnsureCreated, outcome)
}

func TestMemoryLocker(t *testing.T) {
	ctx := context.Background()
	l := access.NewMemoryLocker()
	a, err := l.Lock(ctx, "k")
	require.NoError(t, err)
	got, ok := access.LeaseFromContext(a.Context())
	require.True(t, ok)
	assert.Equal(t, a.Fence(), got.Fence())

	waitCtx, cancel := context.WithCancel(ctx)
	cancel()
	_, err = l.Lock(waitCtx, "k")
	assert.ErrorIs(t, err, context.Canceled)

	other, err := l.Lock(ctx, "other")
	require.NoError(t, err, "names are independent")
	require.NoError(t, other.Release(ctx))

	next := make(chan access.Lease)
	go func() {
		b, err := l.Lock(ctx, "k")
		assert.NoError(t, err)
		next <- b
	}()
	require.NoError(t, a.Release(ctx))
	require.NoError(t, a.Release(ctx), "twice is fine")
	assert.ErrorIs(t, a.Context().Err(), context.Canceled, "a released lease's context ends")
	b := <-next
	assert.Greater(t, b.Fence(), a.Fence())
	require.NoError(t, b.Release(ctx))
}

func TestMemoryKeyStoreListsKeys(t *testing.T) {
	ctx := context.Background()
	s := access.NewMemoryKeyStore()
	for _, k := range []string{"bk-2", "bk-1", "other-1"} {
		require.NoError(t, s.Put(ctx, k, "g-"+k))
	}
	require.NoError(t, s.Delete(ctx, "bk-2"))
	var got []access.KeyEntry
	for e, err := range s.(access.KeyLister).ListKeys(ctx, "bk-") {
		require.NoError(t, err)
		got = append(got, e)
	}
	assert.Equal(t, []access.KeyEntry{{Key: "bk-1", GrantID: "g-bk-1"}}, got)
}

// turnWatcher is a granter whose CreateGrant records whether the context
// holds the key's turn from its locker, and from another.
type turnWatcher struct {
	*accesstest.Memory
	locker, other access.Locker
	mine, others  bool
	another       bool
}

func (w *turnWatcher) Locker() access.Locker { return w.locker }

func (w *turnWatcher) CreateGrant(ctx context.Context, r access.GrantRequest) (*access.Grant, error) {
	w.mine = access.HoldsKeyTurn(ctx, w.locker, r.Key)
	w.others = access.HoldsKeyTurn(ctx, w.other, r.Key)
	w.another = access.HoldsKeyTurn(ctx, w.locker, r.Key+"-other")
	return w.Memory.CreateGrant(ctx, r)
}

// funcLocker is a Locker of a type == cannot compare.
type funcLocker func(ctx context.Context, name string) (access.Lease, error)

func (f funcLocker) Lock(ctx context.Context, name string) (access.Lease, error) { return f(ctx, name) }

// A vendor can tell that its caller holds a key's turn from its own
// Locker (resivo then takes it no second time): EnsureGrant's context
// says so for that key and Locker only; Lockers that cannot be compared
// are never taken for the same.
func TestHoldsKeyTurn(t *testing.T) {
	ctx := context.Background()
	w := &turnWatcher{Memory: accesstest.NewMemory(accesstest.MemoryDoors()...), locker: access.NewMemoryLocker(), other: access.NewMemoryLocker()}
	_, _, err := access.EnsureGrant(ctx, w, booking("BK-HELD"))
	require.NoError(t, err)
	assert.True(t, w.mine, "the key's turn from the granter's locker")
	assert.False(t, w.others, "another locker's turn")
	assert.False(t, w.another, "another key's turn")
	assert.False(t, access.HoldsKeyTurn(ctx, w.locker, "BK-HELD"), "a context without a turn")

	mem := access.NewMemoryLocker()
	fl := funcLocker(mem.Lock)
	w = &turnWatcher{Memory: accesstest.NewMemory(accesstest.MemoryDoors()...), locker: fl, other: fl}
	_, _, err = access.EnsureGrant(ctx, w, booking("BK-FUNC"))
	require.NoError(t, err)
	assert.False(t, w.mine, "a Locker that cannot be compared")
	assert.Equal(t, "key:BK-1", access.KeyTurnName("BK-1"))
}
