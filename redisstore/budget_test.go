package redisstore_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/internal/storetest"
	"github.com/doorkit/doorkit/redisstore"
)

// On a fixed clock the budget allows half the burst at once, then spaces
// them by 1/rate, for every replica alike; the state expires.
func TestBudgetGCRA(t *testing.T) {
	forEachDeployment(t, func(t *testing.T, d deployment) {
		acct := account(t)
		a, b := replica(t, d.client(), acct), replica(t, d.client(), acct)
		ctx := context.Background()
		now := int64(1_800_000_000_000_000) // µs
		clock := func() int64 { return now }
		ba, err := a.Budget(10, 10) // 100 ms apart, bursts of 5 (half the vendor's 10)
		if err != nil {
			t.Fatal(err)
		}
		bb, _ := b.Budget(10, 10)
		redisstore.SetBudgetClock(ba, clock)
		redisstore.SetBudgetClock(bb, clock)
		reserve := func(bud *redisstore.Budget) time.Duration {
			t.Helper()
			w, err := bud.Reserve(ctx)
			if err != nil {
				t.Fatal(err)
			}
			return w
		}
		// Two replicas draw from one budget.
		var waits []time.Duration
		for i := range 8 {
			waits = append(waits, reserve([]*redisstore.Budget{ba, bb}[i%2]))
		}
		want := []time.Duration{0, 0, 0, 0, 0, 100 * time.Millisecond, 200 * time.Millisecond, 300 * time.Millisecond}
		if !slices.Equal(waits, want) {
			t.Errorf("waits %v, want %v", waits, want)
		}
		if ttl, err := d.client().PTTL(ctx, a.Prefix()+":budget").Result(); err != nil || ttl <= 0 {
			t.Errorf("the budget's state has TTL %v, %v; want one", ttl, err)
		}
	})
}

// TestBudgetRule: the budget answers refusals by the rule of
// internal/aimd, in the scenario access.NewMemoryRateBudget runs too.
func TestBudgetRule(t *testing.T) {
	forEachDeployment(t, func(t *testing.T, d deployment) {
		s := replica(t, d.client(), account(t))
		storetest.BudgetRule(t, func(perSecond float64, burst int) storetest.ClockedBudget {
			b, err := s.Budget(perSecond, burst)
			if err != nil {
				t.Fatal(err)
			}
			now := int64(1_800_000_000_000_000) // µs
			redisstore.SetBudgetClock(b, func() int64 { return now })
			return storetest.ClockedBudget{RateBudget: b, Advance: func(d time.Duration) { now += d.Microseconds() }}
		})
	})
}

// On the server's clock: the burst goes at once, then waits grow by about
// 1/rate (the bounds allow for the time between two reservations).
func TestBudgetServerClock(t *testing.T) {
	d := nodeDeployment(t)
	s := replica(t, d.client(), account(t))
	b, err := s.Budget(1, 6) // bursts of 3: half the vendor's
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	var waits []time.Duration
	for range 6 {
		w, err := b.Reserve(ctx)
		if err != nil {
			t.Fatal(err)
		}
		waits = append(waits, w)
	}
	for i, w := range waits[:3] {
		if w != 0 {
			t.Errorf("wait %d = %v, want 0 within the burst", i, w)
		}
	}
	for i := 3; i < 6; i++ {
		want := time.Duration(i-2) * time.Second
		if waits[i] > want || waits[i] < want-500*time.Millisecond {
			t.Errorf("wait %d = %v, want about %v", i, waits[i], want)
		}
	}
	if err := b.Backoff(ctx, time.Minute); err != nil {
		t.Fatal(err)
	}
	if w, err := b.Reserve(ctx); err != nil || w < time.Minute-time.Second || w > time.Minute {
		t.Errorf("after Backoff(1m), wait %v, %v", w, err)
	}
}

// TestBudgetReportsItsLimit: the budget tells a client its rate, so a
// client that cannot reach Redis falls back to a share of it.
func TestBudgetReportsItsLimit(t *testing.T) {
	d := nodeDeployment(t)
	s := replica(t, d.client(), account(t))
	b, err := s.Budget(200, 10)
	if err != nil {
		t.Fatal(err)
	}
	var r access.RateLimitReporter = b
	if perSecond, burst := r.Limit(); perSecond != 200 || burst != 10 {
		t.Errorf("Limit() = %v, %d, want 200, 10", perSecond, burst)
	}
}

func TestBudgetInvalid(t *testing.T) {
	d := nodeDeployment(t)
	s := replica(t, d.client(), account(t))
	for _, c := range []struct {
		rate  float64
		burst int
	}{{0, 1}, {-1, 1}, {1, 0}} {
		if _, err := s.Budget(c.rate, c.burst); !errors.Is(err, access.ErrInvalid) {
			t.Errorf("Budget(%v, %d) = %v, want ErrInvalid", c.rate, c.burst, err)
		}
	}
}
