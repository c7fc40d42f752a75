package access_test

import (
	"context"
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

// turnStore is a KeyStore and AppliedStore that is also the Locker of its
// keys' turns, as redisstore's Store is: its leases say how long an
// earlier holder left the turn pending (access.PendingLease), and it makes
// a turn's record with the release (access.TurnRecorder). It counts the
// writes each way.
type turnStore struct {
	access.KeyStore
	locker access.Locker

	mu           sync.Mutex
	pendingUntil time.Time // what the next lease reads
	kept         int       // leases released with KeepPending
	puts         int       // Put calls
	releases     []access.TurnRecord
	releaseErr   error // ReleaseRecording fails with it, recording nothing
}

func newTurnStore() *turnStore {
	return &turnStore{KeyStore: access.NewCompleteMemoryKeyStore(), locker: access.NewMemoryLocker()}
}

func (s *turnStore) applied() access.AppliedStore { return s.KeyStore.(access.AppliedStore) }

func (s *turnStore) ListKeys(ctx context.Context, prefix string) iter.Seq2[access.KeyEntry, error] {
	return s.KeyStore.(access.KeyLister).ListKeys(ctx, prefix)
}

func (s *turnStore) LoadApplied(ctx context.Context, key string) (access.Window, error) {
	return s.applied().LoadApplied(ctx, key)
}

func (s *turnStore) SaveApplied(ctx context.Context, key string, w access.Window) error {
	return s.applied().SaveApplied(ctx, key, w)
}

func (s *turnStore) DeleteApplied(ctx context.Context, key string) error {
	return s.applied().DeleteApplied(ctx, key)
}

func (s *turnStore) Put(ctx context.Context, key, id string) error {
	s.mu.Lock()
	s.puts++
	s.mu.Unlock()
	return s.KeyStore.Put(ctx, key, id)
}

func (s *turnStore) Lock(ctx context.Context, name string) (access.Lease, error) {
	l, err := s.locker.Lock(ctx, name)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return &pendingLease{Lease: l, s: s, until: s.pendingUntil}, nil
}

func (s *turnStore) ReleaseRecording(ctx context.Context, lease access.Lease, key string, rec access.TurnRecord) error {
	s.mu.Lock()
	s.releases = append(s.releases, rec)
	err := s.releaseErr
	s.mu.Unlock()
	defer lease.Release(ctx)
	if err != nil {
		return err
	}
	if rec.GrantID != "" {
		if err := s.KeyStore.Put(ctx, key, rec.GrantID); err != nil {
			return err
		}
	}
	if rec.Applied != nil {
		return s.SaveApplied(ctx, key, *rec.Applied)
	}
	return nil
}

type pendingLease struct {
	access.Lease
	s     *turnStore
	until time.Time
	keep  bool
}

func (l *pendingLease) PendingUntil() time.Time { return l.until }
func (l *pendingLease) KeepPending()            { l.keep = true }
func (l *pendingLease) Release(ctx context.Context) error {
	if l.keep {
		l.s.mu.Lock()
		l.s.kept++
		l.s.mu.Unlock()
	}
	return l.Lease.Release(ctx)
}

// A create under a turn of the store it records in writes the pending
// mark before the vendor call and leaves the grant id and the applied
// window to the turn's release: one write and one release, where Put,
// Put, SaveApplied and Release were four.
func TestEnsureGrantRecordsWithTheTurnsRelease(t *testing.T) {
	ctx := context.Background()
	m := accesstest.NewMemory(accesstest.MemoryDoors()...)
	store := newTurnStore()
	g := storeGranter{m, store}
	opts := []access.EnsureOption{access.WithLocker(store), access.WithAppliedStore(store)}

	grant, outcome, err := access.EnsureGrant(ctx, g, booking("BK-R1"), opts...)
	require.NoError(t, err)
	assert.Equal(t, access.EnsureCreated, outcome)
	assert.Equal(t, 1, store.puts, "only the pending mark is written before the release")
	require.Len(t, store.releases, 1)
	assert.Equal(t, grant.ID, store.releases[0].GrantID)
	require.NotNil(t, store.releases[0].Applied)
	assert.Equal(t, grant.Window, *store.releases[0].Applied)
	id, err := store.Get(ctx, "BK-R1")
	require.NoError(t, err)
	assert.Equal(t, grant.ID, id)
	w, err := store.LoadApplied(ctx, "BK-R1")
	require.NoError(t, err)
	assert.Equal(t, grant.Window, w)

	// Unchanged: nothing to record, a plain release.
	_, outcome, err = access.EnsureGrant(ctx, g, booking("BK-R1"), opts...)
	require.NoError(t, err)
	assert.Equal(t, access.EnsureUnchanged, outcome)
	assert.Equal(t, 1, store.puts)
	assert.Len(t, store.releases, 2, "the applied window, as SaveApplied was asked before")
}

// A record the release cannot make leaves the key pending, and EnsureGrant
// says so: the grant was made, its key is not recorded (ErrOutcomeUnknown),
// never a plain success.
func TestEnsureGrantReleaseThatCannotRecord(t *testing.T) {
	ctx := context.Background()
	m := accesstest.NewMemory(accesstest.MemoryDoors()...)
	store := newTurnStore()
	store.releaseErr = access.ErrUnavailable
	g := storeGranter{m, store}

	grant, _, err := access.EnsureGrant(ctx, g, booking("BK-R2"), access.WithLocker(store), access.WithAppliedStore(store))
	assert.ErrorIs(t, err, access.ErrOutcomeUnknown)
	assert.ErrorIs(t, err, access.ErrUnavailable)
	require.NotNil(t, grant, "the grant made is returned with the error")
	assert.Equal(t, 1, m.Creates())
	_, err = access.LookupKey(ctx, store, "BK-R2")
	var pending *access.PendingKeyError
	assert.ErrorAs(t, err, &pending, "the key stays pending")
}

// A turn an earlier holder left pending (PendingLease) is refused before
// anything is sent, by EnsureGrant and EnsureRevokedByKey alike, with a
// *PendingKeyError that names when the mark lapses; after it they work.
func TestPendingTurnIsRefused(t *testing.T) {
	ctx := context.Background()
	m := accesstest.NewMemory(accesstest.MemoryDoors()...)
	store := newTurnStore()
	g := storeGranter{m, store}
	opts := []access.EnsureOption{access.WithLocker(store)}
	_, _, err := access.EnsureGrant(ctx, g, booking("BK-P1"), opts...)
	require.NoError(t, err)

	until := time.Now().Add(time.Hour)
	store.pendingUntil = until
	_, _, err = access.EnsureGrant(ctx, g, booking("BK-P2"), opts...)
	var pending *access.PendingKeyError
	require.ErrorAs(t, err, &pending)
	assert.Equal(t, until, pending.Until)
	assert.ErrorIs(t, err, access.ErrOutcomeUnknown)
	assert.ErrorIs(t, err, access.ErrUnavailable)
	assert.Contains(t, err.Error(), "may act on until")
	err = access.EnsureRevokedByKey(ctx, g, "BK-P1", opts...)
	assert.ErrorAs(t, err, &pending)
	assert.Equal(t, 1, m.Creates(), "nothing sent")
	assert.Equal(t, 1, m.Live(), "nothing revoked")
	assert.Zero(t, store.kept, "a refusal sent nothing, and leaves no mark of its own")

	store.pendingUntil = time.Now().Add(-time.Second) // lapsed
	_, outcome, err := access.EnsureGrant(ctx, g, booking("BK-P2"), opts...)
	require.NoError(t, err)
	assert.Equal(t, access.EnsureCreated, outcome)
	require.NoError(t, access.EnsureRevokedByKey(ctx, g, "BK-P1", opts...))
}

// A turn that ends with a vendor call of unknown outcome is left pending
// for the next holders; one that ends otherwise, with a pending key's
// refusal (nothing sent), or with a create whose KeyStore keeps the key
// pending itself (until it is resolved), is not.
func TestTurnWithUnknownOutcomeIsKeptPending(t *testing.T) {
	ctx := context.Background()
	m := accesstest.NewMemory(accesstest.MemoryDoors()...)
	store := newTurnStore()
	opts := []access.EnsureOption{access.WithLocker(store)}

	// A vendor whose lookup by key cannot prove absence: the create's
	// outcome stays unknown, and only the turn can remember it.
	m.FailNextCreate()
	_, _, err := access.EnsureGrant(ctx, laggingVendor{m}, booking("BK-K0"), opts...)
	require.ErrorIs(t, err, access.ErrOutcomeUnknown)
	assert.Equal(t, 1, store.kept)

	// A vendor that records keys in a KeyStore: its pending mark stays
	// until the key is resolved, and the turn leaves it to that.
	g := storeGranter{m, store}
	m.LoseNextCreate()
	_, _, err = access.EnsureGrant(ctx, g, booking("BK-K1"), opts...)
	require.ErrorIs(t, err, access.ErrOutcomeUnknown)
	assert.Equal(t, 1, store.kept)

	// The key's own pending mark refuses the next try: nothing was sent.
	_, _, err = access.EnsureGrant(ctx, g, booking("BK-K1"), opts...)
	var pending *access.PendingKeyError
	require.ErrorAs(t, err, &pending)
	assert.Equal(t, 1, store.kept)

	_, _, err = access.EnsureGrant(ctx, g, booking("BK-K2"), opts...)
	require.NoError(t, err)
	assert.Equal(t, 1, store.kept)
}

// lateVendor's creates lose their answers before they are performed, and
// are performed later, when the test lands them: a vendor that acts on a
// request after the caller gave up on it. Its lookup by key is not
// authoritative.
type lateVendor struct {
	laggingVendor
	mu      sync.Mutex
	pending []access.GrantRequest
}

func (v *lateVendor) CreateGrant(ctx context.Context, r access.GrantRequest) (*access.Grant, error) {
	v.mu.Lock()
	v.pending = append(v.pending, r)
	v.mu.Unlock()
	return nil, fmt.Errorf("the answer never came: %w", access.ErrOutcomeUnknown)
}

// land performs the creates the vendor received.
func (v *lateVendor) land(t *testing.T) {
	v.mu.Lock()
	defer v.mu.Unlock()
	for _, r := range v.pending {
		_, err := v.Memory.CreateGrant(context.Background(), r)
		require.NoError(t, err)
	}
	v.pending = nil
}

// In one process, with the client's in-memory Locker: a create whose
// answer is lost leaves the key's turn pending, so the next trigger, which
// comes before the vendor acts on that create, is refused instead of
// making a second grant beside it; after the window it finds the grant
// that landed.
func TestMemoryLockerKeepsALostCreatePending(t *testing.T) {
	ctx := context.Background()
	v := &lateVendor{laggingVendor: laggingVendor{accesstest.NewMemory(accesstest.MemoryDoors()...)}}
	now := time.Now()
	access.SetMemoryLockerClock(v.Locker(), func() time.Time { return now })
	_, _, err := access.EnsureGrant(ctx, v, booking("BK-L1"))
	require.ErrorIs(t, err, access.ErrOutcomeUnknown)

	_, _, err = access.EnsureGrant(ctx, v, booking("BK-L1"))
	var pending *access.PendingKeyError
	require.ErrorAs(t, err, &pending, "the create may still land")
	assert.Len(t, v.pending, 1, "nothing more sent")

	v.land(t)
	now = now.Add(access.MemoryPendingWindow + time.Second)
	_, outcome, err := access.EnsureGrant(ctx, v, booking("BK-L1"))
	require.NoError(t, err)
	assert.Equal(t, access.EnsureUnchanged, outcome)
	assert.Equal(t, 1, v.Live())
}

// keyedOn is a vendor that keeps its keys in a store that also grants
// their turns (redisstore's Store): Apply's creates record their grant ids
// with the turn's release, and a release that cannot record fails the
// change as ErrOutcomeUnknown, leaving the key pending.
type keyedOn struct {
	*accesstest.Memory
	store *turnStore
}

func (k *keyedOn) KeyStore() access.KeyStore { return k.store }
func (k *keyedOn) Locker() access.Locker     { return k.store }
func (k *keyedOn) CreateGrant(ctx context.Context, req access.GrantRequest) (*access.Grant, error) {
	return access.CreateWithKeyStore(ctx, k.store, req.Key, func() (*access.Grant, error) { return k.Memory.CreateGrant(ctx, req) })
}

func TestApplyRecordsWithTheTurnsRelease(t *testing.T) {
	ctx := context.Background()
	store := newTurnStore()
	k := &keyedOn{Memory: accesstest.NewMemory(accesstest.MemoryDoors()...), store: store}
	a, b := pinBooking("bk-a", tomorrow(1)), pinBooking("bk-b", tomorrow(2))
	p := mustPlan(t, k, []access.GrantRequest{a})
	res, err := access.Apply(ctx, k, p)
	require.NoError(t, err)
	require.Len(t, res.Results, 1)
	assert.Equal(t, access.ApplyOutcome("created"), res.Results[0].Outcome)
	require.Len(t, store.releases, 1)
	assert.NotEmpty(t, store.releases[0].GrantID, "the id went with the release")
	id, err := store.Get(ctx, "bk-a")
	require.NoError(t, err)
	assert.Equal(t, store.releases[0].GrantID, id)

	store.releaseErr = access.ErrUnavailable
	p = mustPlan(t, k, []access.GrantRequest{a, b})
	res, err = access.Apply(ctx, k, p)
	require.Error(t, err)
	require.Len(t, res.Results, 1)
	assert.Equal(t, access.ApplyFailed, res.Results[0].Outcome)
	assert.ErrorIs(t, res.Results[0].Err, access.ErrOutcomeUnknown)
	_, err = access.LookupKey(ctx, store, "bk-b")
	var pending *access.PendingKeyError
	assert.ErrorAs(t, err, &pending, "the key stays pending")
}
