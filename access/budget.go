package access

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/doorkit/doorkit/internal/aimd"
)

// RateLimitReporter is implemented by a RateBudget that knows the rate it
// hands out. A client whose budget fails (Redis unreachable) goes on at a
// share of that rate meanwhile; see the vendors' WithRateBudget.
type RateLimitReporter interface {
	Limit() (perSecond float64, burst int)
}

// NewMemoryRateBudget returns a RateBudget for a vendor limit of perSecond
// requests a second with bursts of burst (give the vendor's figures), for
// clients in one process that share one vendor account (the clients of a
// Directory, tests of a fleet): the generic cell rate algorithm, slots
// handed out in order. It spends at most half the burst (at least 1), as
// redisstore's Budget does, so that the vendor's spare tokens absorb the
// jitter between a slot and the request's arrival. A refusal (Backoff) is
// answered as redisstore's Budget answers it: every client's next slot is
// at least the Retry-After away, and the rate is lowered by a fifth, at most
// once a second, then climbs back by 5% of perSecond a second. It also implements RateLimitReporter. It panics
// if perSecond is not positive or burst is below 1.
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
	interval := b.interval()
	tat := b.tat
	if tat.Before(now) {
		tat = now
	}
	b.tat = tat.Add(interval)
	return max(0, b.tat.Add(-time.Duration(b.spent())*interval).Sub(now)), nil
}

// spent is the burst the budget hands out: half the vendor's, at least one.
func (b *memoryRateBudget) spent() int { return max(1, b.burst/2) }

func (b *memoryRateBudget) interval() time.Duration {
	return time.Duration(float64(time.Second) / b.rate)
}

func (b *memoryRateBudget) Backoff(ctx context.Context, retryAfter time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	now := b.now()
	b.mu.Lock()
	defer b.mu.Unlock()
	b.climb(now)
	if b.cut.IsZero() || now.Sub(b.cut) >= aimd.CutSpacing {
		b.rate *= aimd.Cut
		b.cut = now
	}
	// The next Reserve waits retryAfter: its slot is one interval past
	// the pushed time, less the burst's.
	if pushed := now.Add(max(retryAfter, 0) + time.Duration(b.spent()-1)*b.interval()); pushed.After(b.tat) {
		b.tat = pushed
	}
	return nil
}

// climb raises the rate toward the limit for the time since the last call.
// Callers hold b.mu.
func (b *memoryRateBudget) climb(now time.Time) {
	if b.rate < b.limit && now.After(b.updated) {
		b.rate = min(b.limit, b.rate+b.limit*aimd.Recovery*now.Sub(b.updated).Seconds())
	}
	b.updated = now
}
