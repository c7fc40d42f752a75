package redisstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/redisstore"
)

// A key's turn carries its pending mark from holder to holder
// (access.PendingLease): a clean release leaves none; a release after a
// call of unknown outcome (KeepPending) leaves one for a lease TTL, which
// the next holder reads, and which that holder's own clean release puts
// back rather than clears; a resent acquire (a lost reply) reads the
// earlier holders' mark, not the one it wrote itself. Leases on other
// names carry no mark.
func TestPendingTurnMark(t *testing.T) {
	forEachDeployment(t, func(t *testing.T, d deployment) {
		const ttl = 2 * time.Second
		s := replica(t, d.client(), account(t), redisstore.WithLeaseTTL(ttl))
		ctx := context.Background()
		turn := func() access.PendingLease {
			t.Helper()
			l, err := s.Lock(ctx, access.KeyTurnName("BK-1"))
			if err != nil {
				t.Fatal(err)
			}
			return l.(access.PendingLease)
		}
		near := func(what string, until, want time.Time) {
			t.Helper()
			if until.Before(want.Add(-time.Second)) || until.After(want.Add(1500*time.Millisecond)) {
				t.Errorf("%s: pending until %v, want about %v", what, until, want)
			}
		}

		l := turn()
		if !l.PendingUntil().IsZero() {
			t.Errorf("a first turn is pending until %v", l.PendingUntil())
		}
		_ = l.Release(ctx)
		l = turn()
		if !l.PendingUntil().IsZero() {
			t.Errorf("after a clean release the turn is pending until %v", l.PendingUntil())
		}
		l.KeepPending()
		kept := time.Now()
		_ = l.Release(ctx)

		l = turn()
		near("after KeepPending", l.PendingUntil(), kept.Add(ttl))
		left, err := redisstore.AcquireAgain(ctx, l)
		if err != nil {
			t.Fatal(err)
		}
		if left <= 0 || left > ttl+time.Second {
			t.Errorf("a resent acquire reads %v left, want the earlier mark (at most about %v), not its own", left, ttl)
		}
		_ = l.Release(ctx)
		l = turn()
		near("after the next holder's clean release", l.PendingUntil(), kept.Add(ttl))
		_ = l.Release(ctx)

		other, err := s.Lock(ctx, "member:1:2")
		if err != nil {
			t.Fatal(err)
		}
		if p, ok := other.(access.PendingLease); ok && !p.PendingUntil().IsZero() {
			t.Errorf("a lease on another name is pending until %v", p.PendingUntil())
		}
		_ = other.Release(ctx)
	})
}
