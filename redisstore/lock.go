package redisstore

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/doorkit/doorkit/access"
)

// fenceTTL is how long a name's fence counter and a key's last fence are
// kept after their last use. Fences are the server's clock in microseconds
// (made to grow when the clock is behind the last one), so a counter that
// expired does not restart from zero; a key's last fence only has to
// outlive the slowest write of a holder that lost its lease.
const fenceTTL = 24 * time.Hour

// Waiters poll for a held lease, from minPoll doubling to maxPoll, with
// jitter, and never past the lease's remaining time.
const (
	minPoll = 5 * time.Millisecond
	maxPoll = 250 * time.Millisecond
)

// Lock takes the lease on name, waiting until it is free or ctx ends (it
// then returns ctx's error). Leases are SET NX PX with a random token; the
// holder renews its lease every third of the lease TTL (WithLeaseTTL) in
// the background, and its Context ends when it is released, when ctx ends
// (renewal stops too, and the lease lapses after its TTL unless released),
// or when it is lost: renewal found the token gone, or could not reach
// Redis for two thirds of the TTL (context.Cause is then ErrLeaseLost).
// The holder gives its lease up that early so that a vendor call it sent
// just before has the last third to land before the next holder can take
// the lease: vendors ignore fence numbers, and where a vendor keeps no
// pending mark (Havr, August) the next holder would otherwise list before
// that call lands and create a second grant. Keep the TTL above the time
// a vendor may take to act on a request it received. Waiters poll with a
// growing, jittered interval of at most 250 ms.
//
// The lease's Fence is the Redis server's clock in microseconds when it
// was granted, or one more than the name's last fence when the clock is
// behind: it grows with every lease on the name, also across the fence
// counter's expiry. Put and Delete under a context carrying a lease of any
// Store on the same Redis refuse a write older than the key's last.
//
// With Redis unreachable Lock fails at once with an error matching
// access.ErrUnavailable.
func (s *Store) Lock(ctx context.Context, name string) (access.Lease, error) {
	if name == "" {
		return nil, access.Invalid("name", "is required")
	}
	grantKey, _ := grantKeyOfTurn(name)
	return s.lock(ctx, "Lock", s.key("lock", name), s.key("lockfence", name), grantKey)
}

// LockRefresh takes the account's token refresh lease, a lease like Lock's
// on a name of its own.
func (s *Store) LockRefresh(ctx context.Context) (access.Lease, error) {
	return s.lock(ctx, "LockRefresh", s.key("token", "lock"), s.key("token", "lockfence"), "")
}

// lock takes a lease; for a grant key's turn (grantKey not "") it reads
// the key with the lease (see keyView).
func (s *Store) lock(ctx context.Context, op, key, fenceKey, grantKey string) (access.Lease, error) {
	token := randomID()
	ttl := s.cfg.leaseTTL
	poll := minPoll
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		sent := time.Now()
		fence, left, view, err := s.acquire(ctx, key, fenceKey, token, ttl, grantKey)
		if err != nil {
			if ctx.Err() != nil {
				// The lease may have been taken: it lapses after its TTL.
				return nil, ctx.Err()
			}
			return nil, fail(op, err)
		}
		if fence > 0 {
			return s.hold(ctx, key, token, uint64(fence), sent, view), nil
		}
		wait := poll/2 + rand.N(poll/2+1)
		if left > 0 && left < wait {
			wait = left
		}
		poll = min(2*poll, maxPoll)
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, ctx.Err()
		case <-t.C:
		}
	}
}

// acquire runs one attempt at the lease: the fence when it was taken (0
// while another holds it, for left), and for a grant key's turn the view
// read with it (nil when the key store's epoch is not in order: Get then
// reads, and answers why).
func (s *Store) acquire(ctx context.Context, key, fenceKey, token string, ttl time.Duration, grantKey string) (fence int64, left time.Duration, view *keyView, err error) {
	if grantKey == "" {
		res, err := s.scripts.lockAcquire.Run(ctx, s.rdb, []string{key, fenceKey},
			token, ttl.Milliseconds(), fenceTTL.Milliseconds()).Int64Slice()
		if err != nil {
			return 0, 0, nil, err
		}
		if len(res) != 2 {
			return 0, 0, nil, fmt.Errorf("unexpected answer %v", res)
		}
		return res[0], time.Duration(res[1]) * time.Millisecond, nil, nil
	}
	args := append([]any{token, ttl.Milliseconds(), fenceTTL.Milliseconds()}, s.epochArgs()...)
	args = append(args, grantKey)
	res, err := s.scripts.keyTurnAcquire.Run(ctx, s.rdb,
		[]string{key, fenceKey, s.key("epoch"), s.key("keys"), s.key("applied")}, args...).Slice()
	if err != nil {
		return 0, 0, nil, err
	}
	if len(res) < 2 {
		return 0, 0, nil, fmt.Errorf("unexpected answer %v", res)
	}
	fence, _ = res[0].(int64)
	if fence == 0 {
		ms, _ := res[1].(int64)
		return 0, time.Duration(ms) * time.Millisecond, nil, nil
	}
	if len(res) != 8 || s.sawEpoch(str(res, 2), str(res, 3)) != nil {
		return fence, 0, nil, nil
	}
	idFound, _ := res[4].(int64)
	appliedFound, _ := res[6].(int64)
	v := &keyView{key: grantKey}
	v.setID(true, idFound == 1, str(res, 5))
	v.setApplied(true, appliedFound == 1, str(res, 7))
	return fence, 0, v, nil
}

// lease is a held Lock.
type lease struct {
	s      *Store
	key    string
	token  string
	fence  uint64
	ctx    context.Context
	cancel context.CancelCauseFunc
	done   chan struct{} // closed when renewal stopped
	once   sync.Once
	err    error
}

func (s *Store) hold(ctx context.Context, key, token string, fence uint64, sent time.Time, view *keyView) *lease {
	l := &lease{s: s, key: key, token: token, fence: fence, done: make(chan struct{})}
	l.ctx, l.cancel = context.WithCancelCause(ctx)
	l.ctx = access.ContextWithLease(l.ctx, l)
	if view != nil {
		view.outer, _ = ctx.Value(viewKey{s}).(*keyView)
		l.ctx = context.WithValue(l.ctx, viewKey{s}, view)
	}
	go l.renew(sent.Add(s.cfg.leaseTTL))
	return l
}

func (l *lease) Context() context.Context { return l.ctx }
func (l *lease) Fence() uint64            { return l.fence }

// Release ends the lease's context, stops renewal and deletes the lease if
// this holder still has it. Releasing again, or a lease already lost, is
// not an error. The delete does not end with ctx (which may be the lease's
// own context, ended by Release itself): it is bounded by the lease TTL,
// after which the lease has lapsed anyway. If Redis cannot be reached the
// lease lapses after its TTL, and Release returns an error matching
// access.ErrUnavailable.
func (l *lease) Release(ctx context.Context) error {
	l.once.Do(func() {
		l.cancel(context.Canceled)
		<-l.done
		if errors.Is(context.Cause(l.ctx), ErrLeaseLost) {
			return // nothing of ours to delete
		}
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), l.s.cfg.leaseTTL)
		defer cancel()
		err := l.s.scripts.lockRelease.Run(ctx, l.s.rdb, []string{l.key}, l.token).Err()
		l.err = fail("Release", err)
	})
	return l.err
}

// renew keeps the lease until its context ends. deadline is when the lease
// may have run out on the server: the time the last successful acquire or
// renewal was sent, plus the TTL. A holder that cannot renew gives the
// lease up a third of the TTL before that (giveUp), so that a vendor call
// it sent just before has that long to land before the next holder can
// take the lease and look.
func (l *lease) renew(deadline time.Time) {
	defer close(l.done)
	ttl := l.s.cfg.leaseTTL
	giveUp := func(deadline time.Time) time.Duration { return time.Until(deadline.Add(-ttl / 3)) }
	next := time.NewTimer(ttl / 3)
	defer next.Stop()
	expire := time.NewTimer(giveUp(deadline))
	defer expire.Stop()
	for {
		select {
		case <-l.ctx.Done():
			return
		case <-expire.C:
			l.lose(fmt.Errorf("%w: not renewed within %v", ErrLeaseLost, ttl-ttl/3))
			return
		case <-next.C:
		}
		sent := time.Now()
		ctx, cancel := context.WithDeadline(l.ctx, deadline)
		held, err := l.s.scripts.lockRenew.Run(ctx, l.s.rdb, []string{l.key}, l.token, ttl.Milliseconds()).Int64()
		cancel()
		switch {
		case err == nil && held == 1:
			deadline = sent.Add(ttl)
			expire.Reset(giveUp(deadline))
			next.Reset(ttl / 3)
		case err == nil:
			l.lose(fmt.Errorf("%w: another holder has it or it expired", ErrLeaseLost))
			return
		default:
			// Try again sooner; the expire timer still stands.
			next.Reset(ttl / 10)
		}
	}
}

func (l *lease) lose(cause error) {
	l.s.warn("redisstore: lease lost", slog.String("lease", l.key), slog.Any("cause", cause))
	l.cancel(cause)
}
