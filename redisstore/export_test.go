package redisstore

import "time"

// SetBudgetClock makes b time itself with now (µs) instead of the Redis
// server's clock, so tests can assert exact waits.
func SetBudgetClock(b *Budget, now func() int64) { b.now = now }

// SetResultPoll sets how often WaitResult reads without a wake-up; a long
// one shows that the wake-up, not the poll, found the result.
func SetResultPoll(s *Store, d time.Duration) { s.cfg.resultPoll = d }
