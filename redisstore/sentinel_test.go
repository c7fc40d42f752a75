package redisstore_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/internal/redistest"
	"github.com/doorkit/doorkit/redisstore"
)

// A planned Sentinel failover (redistest's Failover: no acknowledged write
// lost) while four replicas of 4 workers each take turns on one name and,
// under each turn, write a grant key (fenced by the turn's lease) and put a
// result. Every call that fails does so with an error matching
// access.ErrUnavailable and never access.ErrOutcomeUnknown; every worker
// completes turns after the failover; no two live leases overlap; every
// key and result reported written is there, read by a replica that comes
// up after the failover; a lease held through the failover is still held
// (another replica cannot take it) and the next holder's fence is larger;
// a waiter subscribed before the failover is woken by a result put after
// it (its poll is an hour: the wake comes from pub/sub, subscribed again
// on the new primary).
func TestSentinelFailoverWhileReplicasWork(t *testing.T) {
	t.Parallel()
	s := redistest.StartSentinel(t)
	acct := account(t)
	const replicas, workers, afterwards = 4, 4, 5
	// A holder that cannot renew for two thirds of its lease gives it up;
	// the failover keeps writers waiting well under that.
	const leaseTTL = 6 * time.Second
	stores := make([]*redisstore.Store, replicas)
	for i := range stores {
		stores[i] = replica(t, s.Client(), acct, redisstore.WithLeaseTTL(leaseTTL))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*generous)
	defer cancel()

	held, err := replica(t, s.Client(), acct).Lock(ctx, "held")
	if err != nil {
		t.Fatal(err)
	}
	redisstore.SetResultPoll(stores[1], time.Hour)
	type answer struct {
		v   []byte
		err error
	}
	waited := make(chan answer, 1)
	go func() {
		v, err := stores[1].WaitResult(ctx, "after-failover")
		waited <- answer{v, err}
	}()
	waitSubscribed(t, ctx, s.Client(), stores[1].Prefix()+":results")

	type box struct{ lease access.Lease }
	var (
		failedOver atomic.Bool
		holder     atomic.Pointer[box]
		overlaps   atomic.Int32
		mu         sync.Mutex
		keys       = map[string]bool{} // grant keys whose Put returned nil
		failures   []error
		turns      int
	)
	// turn takes the turn, writes a key under it and puts a result.
	turn := func(st *redisstore.Store, key string) error {
		lease, err := st.Lock(ctx, "turn")
		if err != nil {
			return err
		}
		me := &box{lease}
		if prev := holder.Swap(me); prev != nil && prev.lease.Context().Err() == nil {
			overlaps.Add(1) // a live lease still inside
		}
		defer func() {
			holder.CompareAndSwap(me, nil)
			if err := lease.Release(ctx); err != nil {
				mu.Lock()
				failures = append(failures, err)
				mu.Unlock()
			}
		}()
		if err := st.Put(lease.Context(), key, "g-"+key); err != nil {
			return err
		}
		mu.Lock()
		keys[key] = true
		mu.Unlock()
		first, err := st.PutResult(ctx, "r:"+key, []byte(key), time.Minute)
		if err == nil && !first {
			t.Errorf("the first put of result r:%s is not reported first", key)
		}
		return err
	}

	var warmed, wg sync.WaitGroup
	for r := range replicas {
		for w := range workers {
			warmed.Add(1)
			wg.Go(func() {
				var warm sync.Once
				defer warm.Do(warmed.Done)
				for i, after := 0, 0; after < afterwards; i++ {
					if ctx.Err() != nil {
						t.Errorf("worker %d/%d did %d turns after the failover, want %d", r, w, after, afterwards)
						return
					}
					post := failedOver.Load()
					err := turn(stores[r], fmt.Sprintf("BK-%d-%d-%d", r, w, i))
					mu.Lock()
					turns++
					if err != nil {
						failures = append(failures, err)
					}
					mu.Unlock()
					if err == nil {
						warm.Do(warmed.Done)
						if post {
							after++
						}
					}
				}
			})
		}
	}
	warmed.Wait() // every worker is working
	s.Failover()
	failedOver.Store(true)
	wg.Wait()

	for _, err := range failures {
		if !errors.Is(err, access.ErrUnavailable) || errors.Is(err, access.ErrOutcomeUnknown) {
			t.Errorf("a call failed outside the documented class: %v", err)
		}
	}
	t.Logf("%d turns, %d failed calls", turns, len(failures))
	if n := overlaps.Load(); n != 0 {
		t.Errorf("%d times two live leases were inside at once", n)
	}

	late := replica(t, s.Client(), acct) // a replica that starts after the failover
	for key := range keys {
		if id, err := late.Get(ctx, key); err != nil || id != "g-"+key {
			t.Errorf("Get(%s) = %q, %v after the failover; it was written before", key, id, err)
		}
		if v, err := late.GetResult(ctx, "r:"+key); err != nil || string(v) != key {
			t.Errorf("GetResult(r:%s) = %q, %v after the failover", key, v, err)
		}
	}

	if err := held.Context().Err(); err != nil {
		t.Errorf("the lease held through the failover ended: %v", context.Cause(held.Context()))
	}
	short, cancelShort := context.WithTimeout(ctx, 300*time.Millisecond)
	if l, err := stores[2].Lock(short, "held"); err == nil {
		t.Error("another replica took a lease held through the failover")
		_ = l.Release(ctx)
	}
	cancelShort()
	if err := held.Release(ctx); err != nil {
		t.Fatal(err)
	}
	next, err := stores[2].Lock(ctx, "held")
	if err != nil {
		t.Fatal(err)
	}
	if next.Fence() <= held.Fence() {
		t.Errorf("the next holder's fence %d is not larger than %d", next.Fence(), held.Fence())
	}
	_ = next.Release(ctx)

	if _, err := stores[3].PutResult(ctx, "after-failover", []byte("done"), time.Minute); err != nil {
		t.Fatal(err)
	}
	if a := <-waited; a.err != nil || string(a.v) != "done" {
		t.Errorf("the waiter subscribed before the failover got %q, %v", a.v, a.err)
	}
}
