package redisstore_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/internal/redistest"
	"github.com/doorkit/doorkit/redisstore"
	"github.com/redis/go-redis/v9"
)

// generous bounds a wait for something that happens within a lease TTL or
// two; it is never reached unless the behaviour is broken.
const generous = 20 * time.Second

// Two replicas taking turns on one name are never inside together, and
// every lease's fence is larger than the one before.
func TestLockExclusiveAcrossReplicas(t *testing.T) {
	forEachDeployment(t, func(t *testing.T, d deployment) {
		acct := account(t)
		stores := []*redisstore.Store{replica(t, d.client(), acct), replica(t, d.client(), acct)}
		ctx, cancel := context.WithTimeout(context.Background(), generous)
		defer cancel()
		var inside, overlaps atomic.Int32
		var mu sync.Mutex
		var fences []uint64
		var wg sync.WaitGroup
		for g := range 8 {
			wg.Go(func() {
				for i := range 10 {
					st := stores[(g+i)%2]
					lease, err := st.Lock(ctx, "booking-1")
					if err != nil {
						t.Error(err)
						return
					}
					if inside.Add(1) != 1 {
						overlaps.Add(1)
					}
					mu.Lock()
					fences = append(fences, lease.Fence())
					mu.Unlock()
					inside.Add(-1)
					if err := lease.Release(ctx); err != nil {
						t.Error(err)
					}
				}
			})
		}
		wg.Wait()
		if n := overlaps.Load(); n != 0 {
			t.Errorf("%d times two holders were inside at once", n)
		}
		if len(fences) != 80 {
			t.Fatalf("%d leases, want 80", len(fences))
		}
		for i := 1; i < len(fences); i++ {
			if fences[i] <= fences[i-1] {
				t.Fatalf("fence %d is %d, not above the one before (%d)", i, fences[i], fences[i-1])
			}
		}
	})
}

// The lease's Context carries the lease, ends at Release, and Release is
// idempotent; another name is not held.
func TestLeaseContextAndRelease(t *testing.T) {
	forEachDeployment(t, func(t *testing.T, d deployment) {
		acct := account(t)
		a, b := replica(t, d.client(), acct), replica(t, d.client(), acct)
		ctx := context.Background()
		l, err := a.Lock(ctx, "bk")
		if err != nil {
			t.Fatal(err)
		}
		if got, ok := access.LeaseFromContext(l.Context()); !ok || got != l {
			t.Errorf("LeaseFromContext = %v, %v; want the lease", got, ok)
		}
		other, err := b.Lock(ctx, "other")
		if err != nil {
			t.Fatal(err)
		}
		_ = other.Release(ctx)
		if err := l.Release(ctx); err != nil {
			t.Fatal(err)
		}
		if l.Context().Err() == nil {
			t.Error("the lease's context did not end at Release")
		}
		if err := l.Release(ctx); err != nil {
			t.Errorf("second Release: %v", err)
		}
		// Released, the name is free at once.
		if n, err := d.client().Exists(ctx, a.Prefix()+":lock:bk").Result(); err != nil || n != 0 {
			t.Errorf("the lease's key is still there after Release (%d, %v)", n, err)
		}
		l2, err := b.Lock(ctx, "bk")
		if err != nil {
			t.Fatal(err)
		}
		// Released with its own context, which Release itself ends.
		if err := l2.Release(l2.Context()); err != nil {
			t.Errorf("Release(lease.Context()) = %v", err)
		}
		if n, err := d.client().Exists(ctx, a.Prefix()+":lock:bk").Result(); err != nil || n != 0 {
			t.Errorf("the lease's key is still there after Release with its own context (%d, %v)", n, err)
		}
	})
}

// A waiter whose context ends while another holds the lease returns the
// context's error; the refresh lease is one per account.
func TestLockWaitEndsWithContext(t *testing.T) {
	acct := account(t)
	d := nodeDeployment(t)
	a, b := replica(t, d.client(), acct), replica(t, d.client(), acct)
	ctx := context.Background()
	l, err := a.LockRefresh(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Release(ctx)
	short, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel()
	if _, err := b.LockRefresh(short); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("LockRefresh while a peer holds it = %v, want context.DeadlineExceeded", err)
	}
	// Lock names are apart from the refresh lease.
	other, err := b.Lock(ctx, "token")
	if err != nil {
		t.Fatal(err)
	}
	_ = other.Release(ctx)
}

// A lease whose key disappears (expired, or taken over) is lost: its
// context ends with ErrLeaseLost, the next holder gets a larger fence, and
// the old holder's write after the new holder's is refused.
func TestLostLeaseIsFenced(t *testing.T) {
	forEachDeployment(t, func(t *testing.T, d deployment) {
		acct := account(t)
		raw := d.client()
		a := replica(t, d.client(), acct, redisstore.WithLeaseTTL(90*time.Millisecond))
		b := replica(t, d.client(), acct)
		ctx, cancel := context.WithTimeout(context.Background(), generous)
		defer cancel()
		old, err := a.Lock(ctx, "key:BK-1")
		if err != nil {
			t.Fatal(err)
		}
		if err := a.Put(old.Context(), "BK-1", ""); err != nil {
			t.Fatal(err)
		}
		// The lease expires under its holder (here: deleted).
		if err := raw.Del(ctx, a.Prefix()+":lock:key:BK-1").Err(); err != nil {
			t.Fatal(err)
		}
		select {
		case <-old.Context().Done():
		case <-ctx.Done():
			t.Fatal("the lease's context did not end after its key was deleted")
		}
		if cause := context.Cause(old.Context()); !errors.Is(cause, redisstore.ErrLeaseLost) {
			t.Errorf("cause = %v, want ErrLeaseLost", cause)
		}
		next, err := b.Lock(ctx, "key:BK-1")
		if err != nil {
			t.Fatal(err)
		}
		if next.Fence() <= old.Fence() {
			t.Fatalf("new fence %d not above the lost lease's %d", next.Fence(), old.Fence())
		}
		if err := b.Put(next.Context(), "BK-1", "grant-new"); err != nil {
			t.Fatal(err)
		}
		// The old holder's create returns, and it records what it made
		// (as access.CreateWithKeyStore does, without the lease's end).
		stale := context.WithoutCancel(old.Context())
		if err := a.Put(stale, "BK-1", "grant-old"); !errors.Is(err, access.ErrConflict) {
			t.Errorf("Put under the lost lease = %v, want ErrConflict", err)
		}
		if err := a.Delete(stale, "BK-1"); !errors.Is(err, access.ErrConflict) {
			t.Errorf("Delete under the lost lease = %v, want ErrConflict", err)
		}
		if id, err := b.Get(ctx, "BK-1"); err != nil || id != "grant-new" {
			t.Errorf("Get = %q, %v; want the new holder's grant-new", id, err)
		}
		// The holder writes again under its own fence, and a write under
		// no lease is not fenced.
		if err := b.Put(next.Context(), "BK-1", "grant-new2"); err != nil {
			t.Errorf("second Put under the same lease: %v", err)
		}
		if err := a.Put(ctx, "BK-2", "g"); err != nil {
			t.Errorf("Put without a lease: %v", err)
		}
		if err := old.Release(ctx); err != nil {
			t.Errorf("Release of a lost lease: %v", err)
		}
		if err := next.Release(ctx); err != nil {
			t.Error(err)
		}
	})
}

// A memory Locker's fences are not the store's: its leases are not fenced.
func TestForeignLeaseNotFenced(t *testing.T) {
	d := nodeDeployment(t)
	s := replica(t, d.client(), account(t))
	ctx := context.Background()
	l, err := s.Lock(ctx, "x")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Put(l.Context(), "BK-1", "a"); err != nil {
		t.Fatal(err)
	}
	_ = l.Release(ctx)
	mem, _ := access.NewMemoryLocker().Lock(ctx, "x")
	defer mem.Release(ctx)
	if err := s.Put(mem.Context(), "BK-1", "b"); err != nil {
		t.Errorf("Put under a memory lease (fence %d) = %v, want it not fenced", mem.Fence(), err)
	}
}

// A holder that dies (its work ends without Release: renewal stops) keeps
// the name only until its lease runs out; the next holder then proceeds.
func TestLeaseLapsesWhenHolderDies(t *testing.T) {
	forEachDeployment(t, func(t *testing.T, d deployment) {
		acct := account(t)
		dying := replica(t, d.client(), acct, redisstore.WithLeaseTTL(150*time.Millisecond))
		next := replica(t, d.client(), acct)
		ctx, cancel := context.WithTimeout(context.Background(), generous)
		defer cancel()
		holderCtx, die := context.WithCancel(ctx)
		l, err := dying.Lock(holderCtx, "key:BK-1")
		if err != nil {
			t.Fatal(err)
		}
		die()
		l2, err := next.Lock(ctx, "key:BK-1")
		if err != nil {
			t.Fatalf("the next holder did not get the lease after the first died: %v", err)
		}
		if l2.Fence() <= l.Fence() {
			t.Errorf("fence %d not above the dead holder's %d", l2.Fence(), l.Fence())
		}
		_ = l2.Release(ctx)
	})
}

// A holder whose client is closed (the process is gone) loses its lease
// when it ends, and learns it through its context.
func TestLeaseLostWhenRedisUnreachable(t *testing.T) {
	d := nodeDeployment(t)
	acct := account(t)
	rdb := d.client()
	s := replica(t, rdb, acct, redisstore.WithLeaseTTL(150*time.Millisecond))
	ctx, cancel := context.WithTimeout(context.Background(), generous)
	defer cancel()
	l, err := s.Lock(ctx, "bk")
	if err != nil {
		t.Fatal(err)
	}
	_ = rdb.Close()
	select {
	case <-l.Context().Done():
	case <-ctx.Done():
		t.Fatal("a lease that cannot be renewed did not end")
	}
	if cause := context.Cause(l.Context()); !errors.Is(cause, redisstore.ErrLeaseLost) {
		t.Errorf("cause = %v, want ErrLeaseLost", cause)
	}
	if err := l.Release(ctx); err != nil {
		t.Errorf("Release of a lost lease = %v, want nil", err)
	}
}

// Renewal keeps a lease past its TTL: after four renewals (each a third
// of the TTL after the one before, so more than a TTL after the lease was
// taken) the lease is still the holder's.
func TestLeaseRenewedPastTTL(t *testing.T) {
	d := nodeDeployment(t)
	acct := account(t)
	rdb := d.client().(*redis.Client)
	var renewals atomic.Int32
	rdb.AddHook(renewCounter{&renewals})
	s := replica(t, rdb, acct, redisstore.WithLeaseTTL(3*time.Second)) // renewed every second: a loaded machine keeps up
	ctx, cancel := context.WithTimeout(context.Background(), generous)
	defer cancel()
	l, err := s.Lock(ctx, "bk")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Release(ctx)
	renewals.Store(0)
	for renewals.Load() < 5 {
		select {
		case <-ctx.Done():
			t.Fatal("the lease was not renewed")
		case <-time.After(10 * time.Millisecond):
		}
	}
	if err := l.Context().Err(); err != nil {
		t.Fatalf("lease ended: %v", context.Cause(l.Context()))
	}
	if n, err := d.client().Exists(ctx, s.Prefix()+":lock:bk").Result(); err != nil || n != 1 {
		t.Errorf("the lease's key is gone after more than its TTL of renewals (%d, %v)", n, err)
	}
}

// renewCounter counts EVALSHA calls with one key and two arguments after
// the first lease: renewals.
type renewCounter struct{ n *atomic.Int32 }

func (renewCounter) DialHook(next redis.DialHook) redis.DialHook { return next }
func (h renewCounter) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		err := next(ctx, cmd)
		// EVALSHA sha 1 key token ttl
		if cmd.Name() == "evalsha" && len(cmd.Args()) == 6 && err == nil {
			h.n.Add(1)
		}
		return err
	}
}
func (renewCounter) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return next
}

// nodeDeployment is a single node: DOORKIT_REDIS_URL's or one started for
// the test.
func nodeDeployment(t *testing.T) deployment {
	s := redistest.Start(t)
	return deployment{client: func() redis.UniversalClient { return s.Client() }}
}

// A holder that cannot renew gives its lease up a third of the TTL before
// the lease can run out in Redis: a vendor call it sent just before has
// that long to land before the next holder can take the turn and look,
// which matters where the vendor keeps no pending mark (a Havr shared key
// made after the next holder listed would be a second grant).
func TestLeaseGivenUpBeforeItRunsOut(t *testing.T) {
	d := nodeDeployment(t)
	acct := account(t)
	rdb := d.client()
	const ttl = 3 * time.Second
	s := replica(t, rdb, acct, redisstore.WithLeaseTTL(ttl))
	ctx, cancel := context.WithTimeout(context.Background(), generous)
	defer cancel()
	l, err := s.Lock(ctx, "bk")
	if err != nil {
		t.Fatal(err)
	}
	_ = rdb.Close() // the holder's process can no longer reach Redis
	select {
	case <-l.Context().Done():
	case <-ctx.Done():
		t.Fatal("a lease that cannot be renewed did not end")
	}
	left, err := d.client().PTTL(ctx, s.Prefix()+":lock:bk").Result()
	if err != nil {
		t.Fatal(err)
	}
	// About a third of the TTL (1 s) is left; half of that allows for a
	// late timer on a loaded machine.
	if left < ttl/6 {
		t.Errorf("the holder gave the lease up %v before it runs out in Redis, want about %v", left, ttl/3)
	}
}
