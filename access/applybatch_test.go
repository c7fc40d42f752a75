package access_test

import (
	"context"
	"fmt"
	"iter"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/access/accesstest"
)

// wholeAccount is a Memory whose lookup by key, like Havr's and August's,
// reads every grant of the account, so it finds the grants of many keys
// with one reading (access.GrantsByKeysLister). It counts both, and can
// make the reading fail or watch it.
type wholeAccount struct {
	*accesstest.Memory
	byKey, readings atomic.Int32
	failReading     atomic.Bool
	onReading       func(ctx context.Context, keys []string)
	locker          access.Locker // nil: the Memory's own
}

func newWholeAccount() *wholeAccount {
	return &wholeAccount{Memory: accesstest.NewMemory(accesstest.MemoryDoors()...)}
}

func (w *wholeAccount) Locker() access.Locker {
	if w.locker != nil {
		return w.locker
	}
	return w.Memory.Locker()
}

func (w *wholeAccount) ListGrants(ctx context.Context, f access.GrantFilter) iter.Seq2[*access.Grant, error] {
	if f.Key != "" {
		w.byKey.Add(1)
	}
	return w.Memory.ListGrants(ctx, f)
}

func (w *wholeAccount) ListGrantsByKeys(ctx context.Context, keys []string) (map[string][]*access.Grant, error) {
	w.readings.Add(1)
	if w.onReading != nil {
		w.onReading(ctx, keys)
	}
	if w.failReading.Load() {
		return nil, fmt.Errorf("whole account: listing cut short: %w", access.ErrUnavailable)
	}
	out := map[string][]*access.Grant{}
	for g, err := range w.Memory.ListGrants(ctx, access.GrantFilter{}) {
		if err != nil {
			return nil, err
		}
		if slices.Contains(keys, g.Key) {
			out[g.Key] = append(out[g.Key], g)
		}
	}
	return out, nil
}

// heldLocker is one replica's view of a Locker: it knows which names the
// replica holds, and records each time the replica waited for a name while
// it held one that does not sort before it. Holders that only ever wait for
// names above all those they hold cannot wait for each other in a circle.
type heldLocker struct {
	access.Locker
	mu         sync.Mutex
	held       map[string]int
	outOfOrder []string
}

func newHeldLocker(shared access.Locker) *heldLocker {
	return &heldLocker{Locker: shared, held: map[string]int{}}
}

func (l *heldLocker) Lock(ctx context.Context, name string) (access.Lease, error) {
	l.mu.Lock()
	for h, n := range l.held {
		if n > 0 && h >= name && len(l.outOfOrder) < 3 {
			l.outOfOrder = append(l.outOfOrder, fmt.Sprintf("waited for %s holding %s", name, h))
		}
	}
	l.mu.Unlock()
	lease, err := l.Locker.Lock(ctx, name)
	if err != nil {
		return nil, err
	}
	l.mu.Lock()
	l.held[name]++
	l.mu.Unlock()
	return &heldLease{Lease: lease, l: l, name: name}, nil
}

func (l *heldLocker) holds(name string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.held[name] > 0
}

type heldLease struct {
	access.Lease
	l    *heldLocker
	name string
	once sync.Once
}

func (h *heldLease) Release(ctx context.Context) error {
	h.once.Do(func() {
		h.l.mu.Lock()
		h.l.held[h.name]--
		h.l.mu.Unlock()
	})
	return h.Lease.Release(ctx)
}

func bookings(n int) []access.GrantRequest {
	out := make([]access.GrantRequest, n)
	for i := range out {
		out[i] = pinBooking(fmt.Sprintf("bk-%03d", i), tomorrow(i%24))
	}
	return out
}

// Apply reads an account whose lookup by key reads it whole once per batch
// of access.ApplyBatch keys, and only while it holds every one of their
// turns; no change looks its key up again.
func TestApplyReadsOncePerBatchUnderTheTurns(t *testing.T) {
	ctx := context.Background()
	w := newWholeAccount()
	locker := newHeldLocker(access.NewMemoryLocker())
	w.locker = locker
	var notHeld []string
	w.onReading = func(_ context.Context, keys []string) {
		assert.True(t, slices.IsSorted(keys), "the turns are taken in key order")
		for _, k := range keys {
			if !locker.holds(access.KeyTurnName(k)) {
				notHeld = append(notHeld, k)
			}
		}
	}
	const n = 2*access.ApplyBatch + 50
	reqs := bookings(n)
	p := mustPlan(t, w, reqs)
	done := 0
	res, err := access.Apply(ctx, w, p, access.WithProgress(func(d, total int, _ access.Change) {
		done = d
		assert.Equal(t, n, total)
	}))
	require.NoError(t, err, "%s", res)
	assert.Equal(t, n, res.Count(access.ApplyCreated))
	assert.Equal(t, n, done)
	assert.EqualValues(t, 3, w.readings.Load(), "one reading per batch")
	assert.Zero(t, w.byKey.Load(), "no change looked its key up alone")
	assert.Empty(t, notHeld, "every key's turn was held during the reading")
	for _, r := range reqs {
		assert.False(t, locker.holds(access.KeyTurnName(r.Key)), "every turn is released")
	}

	// Moved, each finds its grant in the reading and updates it in place.
	for i := range reqs {
		reqs[i].Window.End = reqs[i].Window.End.Add(time.Hour)
	}
	p = mustPlan(t, w, reqs)
	w.readings.Store(0)
	res, err = access.Apply(ctx, w, p)
	require.NoError(t, err, "%s", res)
	assert.Equal(t, n, res.Count(access.ApplyUpdated))
	assert.EqualValues(t, 3, w.readings.Load())
	assert.Zero(t, w.byKey.Load())
	assert.Equal(t, n, w.Live())
}

// Two replicas applying plans over overlapping keys at once, on one shared
// Locker, take each batch's turns in key order and hold none of another
// batch's meanwhile, so that each only ever waits for a turn above all it
// holds and neither waits for the other forever, whatever order their plans
// list the keys in; and since each reads under its turns, a key the other
// created meanwhile is found, not created twice.
func TestApplyTwoReplicasOverlapping(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	shared := accesstest.NewMemory(accesstest.MemoryDoors()...)
	la, lb := newHeldLocker(shared.Locker()), newHeldLocker(shared.Locker())
	a, b := &wholeAccount{Memory: shared, locker: la}, &wholeAccount{Memory: shared, locker: lb}
	reqs := bookings(3 * access.ApplyBatch)
	pa := mustPlan(t, a, reqs[:2*access.ApplyBatch])
	pb := mustPlan(t, b, reqs[access.ApplyBatch:])
	slices.Reverse(pb.Changes) // the other way round: a replica taking turns in plan order would deadlock
	var ra, rb *access.ApplyResult
	var ea, eb error
	var wg sync.WaitGroup
	wg.Go(func() { ra, ea = access.Apply(ctx, a, pa, access.WithConcurrency(4)) })
	wg.Go(func() { rb, eb = access.Apply(ctx, b, pb, access.WithConcurrency(4)) })
	wg.Wait()
	require.NoError(t, ea, "%s", ra)
	require.NoError(t, eb, "%s", rb)
	assert.Equal(t, len(reqs), ra.Count(access.ApplyCreated)+rb.Count(access.ApplyCreated), "each key created once")
	assert.Equal(t, access.ApplyBatch, ra.Count(access.ApplyUnchanged)+rb.Count(access.ApplyUnchanged),
		"the overlap was found by whichever came second")
	assert.Equal(t, len(reqs), shared.Live())
	assert.Equal(t, len(reqs), shared.Creates())
	assert.Empty(t, la.outOfOrder, "a replica waited for a turn below one it held")
	assert.Empty(t, lb.outOfOrder, "a replica waited for a turn below one it held")
}

// A reading that fails is not "no grant": each change of the batch looks
// its key up alone, as without batches.
func TestApplyBatchReadingFailsLooksEachKeyUp(t *testing.T) {
	ctx := context.Background()
	w := newWholeAccount()
	reqs := bookings(10)
	for _, r := range reqs[:5] {
		mustEnsure(t, w.Memory, r)
	}
	p := mustPlan(t, w, reqs)
	require.Equal(t, 5, p.Summary().Create)
	// A grant the plan did not see, made since: a change taking the failed
	// reading for "no grant" would make a second.
	mustEnsure(t, w.Memory, reqs[5])
	w.failReading.Store(true)
	res, err := access.Apply(ctx, w, p)
	require.NoError(t, err, "%s", res)
	assert.EqualValues(t, 1, w.readings.Load())
	assert.EqualValues(t, 5, w.byKey.Load(), "each change looked its key up alone")
	assert.Equal(t, 4, res.Count(access.ApplyCreated))
	assert.Equal(t, 1, res.Count(access.ApplyUnchanged))
	assert.Equal(t, 10, w.Live())
}

// A key whose turn is refused (left pending by an earlier holder) fails
// alone; the rest of its batch is read and carried out.
func TestApplyBatchRefusedTurnFailsAlone(t *testing.T) {
	ctx := context.Background()
	w := newWholeAccount()
	reqs := bookings(5)
	lease, err := w.Locker().Lock(ctx, access.KeyTurnName(reqs[2].Key))
	require.NoError(t, err)
	lease.(access.PendingLease).KeepPending()
	require.NoError(t, lease.Release(ctx))
	var read []string
	w.onReading = func(_ context.Context, keys []string) { read = keys }

	res, err := access.Apply(ctx, w, mustPlan(t, w, reqs))
	require.Error(t, err)
	assert.Equal(t, 4, res.Count(access.ApplyCreated), "%s", res)
	failed := res.Failed()
	require.Len(t, failed, 1)
	assert.Equal(t, reqs[2].Key, failed[0].Change.Key)
	var pending *access.PendingKeyError
	assert.ErrorAs(t, failed[0].Err, &pending)
	assert.NotContains(t, read, reqs[2].Key, "read only for the keys whose turns are held")
	assert.Len(t, read, 4)
}

// The lookup that resolves a create of unknown outcome lists by key
// afresh: the batch's reading, made before the create, is no evidence
// after it.
func TestApplyBatchRecoveryListsAfresh(t *testing.T) {
	ctx := context.Background()
	w := newWholeAccount()
	reqs := bookings(3)
	p := mustPlan(t, w, reqs)
	w.LoseNextCreate()
	res, err := access.Apply(ctx, w, p, access.WithConcurrency(1))
	require.NoError(t, err, "%s", res)
	assert.Equal(t, 1, res.Count(access.ApplyRecovered), "%s", res)
	assert.Equal(t, 2, res.Count(access.ApplyCreated))
	assert.EqualValues(t, 1, w.readings.Load())
	assert.EqualValues(t, 1, w.byKey.Load(), "the lost create was looked up alone, after it")
	assert.Equal(t, 3, w.Live())
}

// A key with two grants gets two changes (its duplicate revoked, its grant
// moved): they go to two batches, the duplicate's revoke first, and the
// second is read after the first is done.
func TestApplyBatchKeyTwiceGoesToTwoBatches(t *testing.T) {
	ctx := context.Background()
	w := newWholeAccount()
	r := pinBooking("bk-dup", tomorrow(1))
	_, err := w.Memory.CreateGrant(ctx, r)
	require.NoError(t, err)
	_, err = w.Memory.CreateGrant(ctx, r)
	require.NoError(t, err)
	other := pinBooking("bk-other", tomorrow(2))
	r.Window.End = r.Window.End.Add(time.Hour)
	p := mustPlan(t, w, []access.GrantRequest{r, other})
	require.Equal(t, 1, p.Summary().Revoke, "%s", p)
	var reads [][]string
	w.onReading = func(_ context.Context, keys []string) { reads = append(reads, keys) }
	res, err := access.Apply(ctx, w, p)
	require.NoError(t, err, "%s", res)
	assert.Equal(t, 1, res.Count(access.ApplyRevoked), "%s", res)
	assert.Equal(t, 1, res.Count(access.ApplyUpdated), "%s", res)
	assert.Equal(t, 1, res.Count(access.ApplyCreated), "%s", res)
	assert.Equal(t, [][]string{{"bk-dup", "bk-other"}, {"bk-dup"}}, reads)
	assert.Equal(t, 2, w.Live())
	assert.True(t, mustPlan(t, w, []access.GrantRequest{r, other}).Converged())
}

// A context that ends while a batch holds its turns releases them all.
func TestApplyBatchContextEndReleasesTurns(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	w := newWholeAccount()
	reqs := bookings(5)
	p := mustPlan(t, w, reqs)
	w.onReading = func(context.Context, []string) { cancel() }
	res, err := access.Apply(ctx, w, p)
	require.ErrorIs(t, err, context.Canceled)
	assert.Equal(t, 5, res.Count(access.ApplyFailed), "%s", res)
	assert.Zero(t, w.Creates())

	wait, stop := context.WithTimeout(context.Background(), time.Minute)
	defer stop()
	for _, r := range reqs {
		lease, err := w.Locker().Lock(wait, access.KeyTurnName(r.Key))
		require.NoError(t, err, "key %s's turn was released", r.Key)
		require.NoError(t, lease.Release(wait))
	}
	res, err = access.Apply(context.Background(), w, p)
	require.NoError(t, err, "%s", res)
	assert.Equal(t, 5, res.Count(access.ApplyCreated))
}

// A Directory's batched accounts are worked on at once: each account's
// first reading waits until the other's has begun, which, one account
// after another, would wait until the deadline (the bound only catches
// that failure; the test orders nothing by time).
func TestApplyBatchesAccountsAtOnce(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	hq, lab := newWholeAccount(), newWholeAccount()
	d := access.NewDirectory()
	require.NoError(t, d.Add("hq", hq))
	require.NoError(t, d.Add("lab", lab))
	var started sync.WaitGroup
	started.Add(2)
	both := make(chan struct{})
	go func() { started.Wait(); close(both) }()
	meet := func() func(context.Context, []string) {
		var once sync.Once
		return func(ctx context.Context, _ []string) {
			once.Do(started.Done)
			select {
			case <-both:
			case <-ctx.Done():
			}
		}
	}
	hq.onReading, lab.onReading = meet(), meet()
	var reqs []access.GrantRequest
	for i, r := range bookings(6) {
		r.DoorIDs = []string{access.JoinID([]string{"hq", "lab"}[i%2], "m1")}
		reqs = append(reqs, r)
	}
	p := mustPlan(t, d, reqs)
	res, err := access.Apply(ctx, d, p)
	require.NoError(t, err, "%s", res)
	assert.Equal(t, 6, res.Count(access.ApplyCreated))
	assert.NoError(t, ctx.Err(), "the two accounts' readings met")
	assert.EqualValues(t, 1, hq.readings.Load())
	assert.EqualValues(t, 1, lab.readings.Load())
}
