package access

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// RateLimitReporter is implemented by a RateBudget that knows the rate it
// hands out. A client whose budget fails (Redis unreachable) goes on at a
// share of that rate meanwhile; see the vendors' WithRateBudget.
type RateLimitReporter interface {
	Limit() (perSecond float64, burst int)
}

// How a memory budget adapts to refusals: Backoff cuts the rate by
// budgetCut, at most once per budgetCutSpacing (the refusals of one burst,
// which reach the budget from several clients within a round trip, count
// once), never below budgetFloor of the limit; the rate climbs back by
// budgetRecovery of the limit per second.
const (
	budgetCut        = 0.8
	budgetCutSpacing = time.Second
	budgetFloor      = 1.0 / 16
	budgetRecovery   = 0.05
)

// NewMemoryRateBudget returns a RateBudget for a vendor limit of perSecond
// requests a second with bursts of burst (give the vendor's figures), for
// clients in one process that share one vendor account (the clients of a
// Directory, tests of a fleet): the generic cell rate algorithm, slots
// handed out in order. It spends at most half the burst (at least 1), as
// redisstore's Budget does, so that the vendor's spare tokens absorb the
// jitter between a slot and the request's arrival. Backoff lowers the rate by a
// fifth, at most once a second, and the rate climbs back to perSecond by 5%
// of it a second; the Retry-After itself is waited out by the refused
// request, not by every client. It also implements RateLimitReporter. It
// panics if perSecond is not positive or burst is below 1.
func NewMemoryRateBudget(perSecond float64, burst int) RateBudget {
	if !(perSecond > 0) || burst < 1 {
		panic(fmt.Sprintf("access: NewMemoryRateBudget(%v, %d): need a positive rate and a burst of at least 1", perSecond, burst))
	}
	return &memoryRateBudget{limit: perSecond, burst: burst, rate: perSecond, now: time.Now}
}

type memoryRateBudget struct {
	limit float64
	burst int
	now   func() time.Time

	mu      sync.Mutex
	rate    float64   // the current rate, at most limit
	tat     time.Time // theoretical arrival time of the next request
	updated time.Time // when rate last climbed
	cut     time.Time // when Backoff last cut the rate
}

func (b *memoryRateBudget) Limit() (float64, int) { return b.limit, b.burst }

func (b *memoryRateBudget) Reserve(ctx context.Context) (time.Duration, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	now := b.now()
	b.mu.Lock()
	defer b.mu.Unlock()
	b.climb(now)
	interval := time.Duration(float64(time.Second) / b.rate)
	tat := b.tat
	if tat.Before(now) {
		tat = now
	}
	b.tat = tat.Add(interval)
	return max(0, b.tat.Add(-time.Duration(max(1, b.burst/2))*interval).Sub(now)), nil
}

func (b *memoryRateBudget) Backoff(ctx context.Context, _ time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	now := b.now()
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.cut.IsZero() && now.Sub(b.cut) < budgetCutSpacing {
		return nil
	}
	b.climb(now)
	b.rate = max(b.rate*budgetCut, b.limit*budgetFloor)
	b.cut = now
	return nil
}

// climb raises the rate toward the limit for the time since the last call.
// Callers hold b.mu.
func (b *memoryRateBudget) climb(now time.Time) {
	if b.rate < b.limit && now.After(b.updated) {
		b.rate = min(b.limit, b.rate+b.limit*budgetRecovery*now.Sub(b.updated).Seconds())
	}
	b.updated = now
}
