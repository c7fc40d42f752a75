package redisstore

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/doorkit/doorkit/access"
	"github.com/redis/go-redis/v9"
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
			l := s.hold(ctx, key, token, uint64(fence), sent, view, grantKey)
			if left > 0 {
				l.pendingUntil = sent.Add(left)
			}
			return l, nil
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
// while another holds it, and left is then the time the holder's lease
// has left), and for a grant key's turn the view read with it (nil when
// the key store's epoch is not in order: Get then reads, and answers why)
// and in left how long the pending mark earlier holders left has to run.
func (s *Store) acquire(ctx context.Context, key, fenceKey, token string, ttl time.Duration, grantKey string) (fence int64, left time.Duration, view *keyView, err error) {
	var pending time.Duration
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
		[]string{key, fenceKey, s.key("epoch"), s.key("keys"), s.key("applied"), s.pendingKey(grantKey)}, args...).Slice()
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
	pendingMS, _ := res[len(res)-1].(int64)
	pending = time.Duration(pendingMS) * time.Millisecond
	if len(res) != 9 || s.sawEpoch(str(res, 2), str(res, 3)) != nil {
		return fence, pending, nil, nil
	}
	idFound, _ := res[4].(int64)
	appliedFound, _ := res[6].(int64)
	v := &keyView{key: grantKey}
	v.setID(true, idFound == 1, str(res, 5))
	v.setApplied(true, appliedFound == 1, str(res, 7))
	return fence, pending, v, nil
}

// pendingKey is where a grant key's turn keeps its pending mark.
func (s *Store) pendingKey(grantKey string) string { return s.key("pending", grantKey) }

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

	// For a grant key's turn (see access.PendingLease):
	grantKey     string
	pendingUntil time.Time   // the mark earlier holders left, as read
	keepPending  atomic.Bool // Release leaves a mark of its own
}

func (s *Store) hold(ctx context.Context, key, token string, fence uint64, sent time.Time, view *keyView, grantKey string) *lease {
	l := &lease{s: s, key: key, token: token, fence: fence, done: make(chan struct{}), grantKey: grantKey}
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

// PendingUntil returns, for a grant key's turn, until when a vendor call
// of an earlier holder may still land (access.PendingLease): a holder that
// lost its lease leaves the turn pending for a lease TTL past its lease's
// end, one that released it after a call of unknown outcome for a lease
// TTL past the release. Vendors ignore fences, so this is what keeps the
// next holder from acting beside a call still on its way. Keep the TTL
// (WithLeaseTTL) above the time a vendor may take to act on a request.
func (l *lease) PendingUntil() time.Time { return l.pendingUntil }

// KeepPending makes Release leave the turn pending for a lease TTL.
func (l *lease) KeepPending() { l.keepPending.Store(true) }

// Release ends the lease's context, stops renewal and deletes the lease if
// this holder still has it. Releasing again, or a lease already lost, is
// not an error. The delete does not end with ctx (which may be the lease's
// own context, ended by Release itself): it is bounded by the lease TTL,
// after which the lease has lapsed anyway. If Redis cannot be reached the
// lease lapses after its TTL, and Release returns an error matching
// access.ErrUnavailable.
func (l *lease) Release(ctx context.Context) error {
	return l.release(ctx, access.TurnRecord{})
}

// release is Release, making rec for a grant key's turn with it (see
// ReleaseRecording). A lost lease still makes rec, fenced: a grant's id
// must be recorded unless a newer holder wrote the key.
func (l *lease) release(ctx context.Context, rec access.TurnRecord) error {
	if rec.Applied != nil {
		// As SaveApplied: a window the turn's view holds is not written again.
		if cur, found, ok := l.s.view(l.ctx, l.grantKey).cachedApplied(); ok && found && cur == formatWindow(*rec.Applied) {
			rec.Applied = nil
		}
	}
	l.once.Do(func() {
		l.cancel(context.Canceled)
		<-l.done
		lost := errors.Is(context.Cause(l.ctx), ErrLeaseLost)
		if lost && rec == (access.TurnRecord{}) {
			return // nothing of ours to delete
		}
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), l.s.cfg.leaseTTL)
		defer cancel()
		if l.grantKey == "" {
			l.err = fail("Release", l.s.scripts.lockRelease.Run(ctx, l.s.rdb, []string{l.key}, l.token).Err())
			return
		}
		l.err = l.releaseTurn(ctx, rec)
	})
	return l.err
}

// releaseTurn runs keyTurnRelease.
func (l *lease) releaseTurn(ctx context.Context, rec access.TurnRecord) error {
	s := l.s
	flag := func(b bool) string {
		if b {
			return "1"
		}
		return "0"
	}
	applied := ""
	if rec.Applied != nil {
		applied = formatWindow(*rec.Applied)
	}
	args := []any{l.token, s.cfg.leaseTTL.Milliseconds(), flag(l.keepPending.Load())}
	args = append(args, s.epochArgs()...)
	args = append(args, l.grantKey, rec.GrantID, flag(rec.GrantID != ""), applied, flag(rec.Applied != nil), l.fence, fenceTTL.Milliseconds())
	keys := []string{l.key, s.pendingKey(l.grantKey), s.key("epoch"), s.key("keys"), s.key("keyindex"),
		s.key("keyfence", l.grantKey), s.key("applied")}
	var res []any
	run := func(c redis.Scripter) error {
		var err error
		res, err = s.scripts.keyTurnRelease.Run(ctx, c, keys, args...).Slice()
		return fail("Release", err)
	}
	var err error
	if rec == (access.TurnRecord{}) {
		err = run(s.rdb)
	} else {
		err = s.waitReplicas(ctx, "Release", run)
	}
	if err != nil {
		return err
	}
	if str(res, 0) == "fenced" {
		return fmt.Errorf("redisstore: recording key %q under fence %d, older than the key's last write (fence %s): the lease was lost: %w",
			l.grantKey, l.fence, str(res, 1), access.ErrConflict)
	}
	_ = s.sawEpoch(str(res, 0), str(res, 1)) // a write is not refused for the epoch
	return nil
}

// ReleaseRecording makes rec for key and releases lease, a lease of this
// Store on key's turn, in one round trip (access.TurnRecorder): the grant
// id as Put makes it, the applied window as SaveApplied does, both fenced
// by the lease. A lease of another Locker, or on another name, is released
// after rec is made with Put and SaveApplied.
func (s *Store) ReleaseRecording(ctx context.Context, turn access.Lease, key string, rec access.TurnRecord) error {
	if l, ok := turn.(*lease); ok && l.s == s && l.grantKey == key {
		return l.release(ctx, rec)
	}
	var errs []error
	wctx := context.WithoutCancel(turn.Context())
	if rec.GrantID != "" {
		errs = append(errs, s.Put(wctx, key, rec.GrantID))
	}
	if rec.Applied != nil {
		errs = append(errs, s.SaveApplied(wctx, key, *rec.Applied))
	}
	errs = append(errs, turn.Release(ctx))
	return errors.Join(errs...)
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
		var held int64
		var err error
		if l.grantKey == "" {
			held, err = l.s.scripts.lockRenew.Run(ctx, l.s.rdb, []string{l.key}, l.token, ttl.Milliseconds()).Int64()
		} else {
			held, err = l.s.scripts.keyTurnRenew.Run(ctx, l.s.rdb, []string{l.key, l.s.pendingKey(l.grantKey)}, l.token, ttl.Milliseconds()).Int64()
		}
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
