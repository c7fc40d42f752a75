package redisstore

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/internal/aimd"
)

// Budget is the account's request budget shared by every replica: GCRA
// (the generic cell rate algorithm) in a Lua script timed by the Redis
// server's clock, so replicas' clocks do not matter. It is an
// access.RateBudget; its state is one hash, <prefix>:budget, that expires
// once it no longer holds back anything.
//
// A 429 or 503 seen by one replica slows every replica (Backoff), in two
// ways: the next slot is pushed at least the vendor's Retry-After away,
// and the rate is lowered by a fifth (multiplicative decrease, at most once
// a second, so one burst of refusals counts once), then recovers linearly by 5% of the full rate per second (additive
// increase over time: from one cut back to the full rate in 4 s). Recovery
// is timed rather than counted on successes, which the budget does not
// see. access.NewMemoryRateBudget follows the same rule (internal/aimd).
type Budget struct {
	s     *Store
	rate  float64
	burst int
	now   func() int64 // tests: a fixed clock in µs instead of the server's
}

// Budget returns the account's budget for a vendor limit of perSecond
// requests a second with bursts of burst: give the vendor's own figures.
// Every replica must use the same. The fleet spends at most half the
// burst (at least 1: a burst of 1 or 2 spaces every request by
// 1/perSecond), so that the vendor's spare tokens absorb the jitter
// between the slots replicas take and the moments their requests arrive.
func (s *Store) Budget(perSecond float64, burst int) (*Budget, error) {
	if !(perSecond > 0) || math.IsInf(perSecond, 0) {
		return nil, access.Invalid("perSecond", "must be a positive, finite rate")
	}
	if burst < 1 {
		return nil, access.Invalid("burst", "must be at least 1")
	}
	return &Budget{s: s, rate: perSecond, burst: burst}, nil
}

// spent is the burst the budget hands out: half the vendor's, at least
// one. Replicas' requests reach the vendor a little earlier or later than
// the slots they took (network, scheduling): at the full rate a vendor
// whose burst the fleet spent refuses the first that comes early. The half
// left absorbs that much jitter (with 200 a second and a burst of 10, 25
// ms) at no cost to the rate.
func (b *Budget) spent() int { return max(1, b.burst/2) }

// Limit reports the budget's full rate and burst (access.RateLimitReporter):
// a client that cannot reach Redis paces itself at a share of them
// meanwhile.
func (b *Budget) Limit() (perSecond float64, burst int) { return b.rate, b.burst }

var _ access.RateLimitReporter = (*Budget)(nil)

// Reserve takes one request's slot and returns how long the caller must
// wait before sending it (0: now). It never waits itself. A slot reserved
// is spent even if the caller then gives up.
func (b *Budget) Reserve(ctx context.Context) (time.Duration, error) {
	return b.step(ctx, "Reserve", "reserve", 0)
}

// Backoff records that the vendor answered 429 or 503 with a Retry-After
// of d (0 when it gave none): the next slot of every replica is at least d
// from now, and the rate is lowered for a while (see Budget).
func (b *Budget) Backoff(ctx context.Context, d time.Duration) error {
	_, err := b.step(ctx, "Backoff", "backoff", max(d, 0))
	return err
}

func (b *Budget) step(ctx context.Context, op, step string, d time.Duration) (time.Duration, error) {
	now := ""
	if b.now != nil {
		now = strconv.FormatInt(b.now(), 10)
	}
	wait, err := b.s.scripts.budgetStep.Run(ctx, b.s.rdb, []string{b.s.key("budget")},
		strconv.FormatFloat(b.rate, 'g', -1, 64), b.spent(), now, step, d.Microseconds(),
		strconv.FormatFloat(aimd.Recovery, 'g', -1, 64),
		strconv.FormatFloat(aimd.Cut, 'g', -1, 64), aimd.CutSpacing.Microseconds()).Int64()
	if err != nil {
		return 0, fail(op, err)
	}
	if wait < 0 {
		return 0, fail(op, fmt.Errorf("negative wait %d µs", wait))
	}
	return time.Duration(wait) * time.Microsecond, nil
}
