package redisstore

import (
	"context"
	"time"

	"github.com/doorkit/doorkit/access"
)

// SetBudgetClock makes b time itself with now (µs) instead of the Redis
// server's clock, so tests can assert exact waits.
func SetBudgetClock(b *Budget, now func() int64) { b.now = now }

// SetResultPoll sets how often WaitResult reads without a wake-up; a long
// one shows that the wake-up, not the poll, found the result.
func SetResultPoll(s *Store, d time.Duration) { s.cfg.resultPoll = d }

// AcquireAgain runs l's acquire script again with its token, as go-redis
// does when the reply to it was lost, and returns how long the pending
// mark it reads has to run.
func AcquireAgain(ctx context.Context, l access.Lease) (time.Duration, error) {
	ll := l.(*lease)
	_, left, _, err := ll.s.acquire(ctx, ll.key, ll.s.key("lockfence", access.KeyTurnName(ll.grantKey)), ll.token, ll.s.cfg.leaseTTL, ll.grantKey)
	return left, err
}
