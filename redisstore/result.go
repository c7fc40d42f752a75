package redisstore

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/doorkit/doorkit/access"
	"github.com/redis/go-redis/v9"
)

// Results live in <prefix>:result:<name> with the TTL their put gave, next
// to <prefix>:resultid:<name>, the id of the put that stored them. Waiters
// are woken through one pub/sub channel per account, <prefix>:results,
// whose messages carry the result's name (sharded pub/sub, SPUBLISH and
// SSUBSCRIBE, on a *redis.ClusterClient).

// PutResult stores value under name for ttl unless a value is already
// there (SET NX PX), and reports whether it was the first: a repeat
// delivery is not, so the same call de-duplicates. The first put then
// publishes the name to wake waiters; a wake-up that cannot be published is
// logged, and waiters still find the value when they next read.
func (s *Store) PutResult(ctx context.Context, name string, value []byte, ttl time.Duration) (bool, error) {
	if name == "" {
		return false, access.Invalid("name", "is required")
	}
	if ttl < time.Millisecond {
		return false, access.Invalid("ttl", "is under a millisecond")
	}
	n, err := s.scripts.resultPut.Run(ctx, s.rdb, []string{s.key("result", name), s.key("resultid", name)},
		value, ttl.Milliseconds(), randomID()).Int64()
	if err != nil {
		return false, fail("PutResult", err)
	}
	if n == 0 {
		return false, nil
	}
	if err := s.publish(ctx, name); err != nil {
		s.warn("redisstore: result stored, but waiters could not be woken; they find it when they next read",
			slog.String("result", name), slog.Any("error", err))
	}
	return true, nil
}

func (s *Store) publish(ctx context.Context, name string) error {
	if c, ok := s.rdb.(*redis.ClusterClient); ok {
		return c.SPublish(ctx, s.key("results"), name).Err()
	}
	return s.rdb.Publish(ctx, s.key("results"), name).Err()
}

// GetResult returns the value stored under name, or an error matching
// access.ErrNotFound when there is none (never put, or expired).
func (s *Store) GetResult(ctx context.Context, name string) ([]byte, error) {
	v, err := s.rdb.Get(ctx, s.key("result", name)).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, fmt.Errorf("redisstore: result %q: %w", name, access.ErrNotFound)
	}
	if err != nil {
		return nil, fail("GetResult", err)
	}
	return v, nil
}

// WaitResult returns the value under name once there is one, or ctx's
// error when ctx ends first. It subscribes first and only then reads, so a
// value put in between is not missed; it reads again on every wake-up for
// name, on every reconnect of the subscription (pub/sub loses messages
// while disconnected), and every 5 s in any case. A Store keeps one
// subscription for all its waiters, open while any waits. With Redis
// unreachable it fails with an error matching access.ErrUnavailable.
func (s *Store) WaitResult(ctx context.Context, name string) ([]byte, error) {
	if name == "" {
		return nil, access.Invalid("name", "is required")
	}
	w, err := s.waker.join(ctx, name)
	if err != nil {
		return nil, err
	}
	defer s.waker.leave(w)
	poll := time.NewTicker(s.cfg.resultPoll)
	defer poll.Stop()
	for {
		v, err := s.GetResult(ctx, name)
		if err == nil || !errors.Is(err, access.ErrNotFound) {
			return v, err
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-w.wake:
		case <-poll.C:
		}
	}
}

// waker keeps one subscription to the account's results channel while any
// WaitResult waits, and wakes waiters by name.
type waker struct {
	s       *Store
	mu      sync.Mutex
	sub     *subscription
	waiters map[string]map[*waiter]struct{}
	n       int
}

type waiter struct {
	name string
	wake chan struct{} // buffered 1: a wake-up pending
	sub  *subscription
}

type subscription struct {
	ready chan struct{} // closed once subscribed or failed
	err   error         // set before ready is closed
	ps    *redis.PubSub
}

// subscribeTimeout bounds the first subscription of a waker, which a
// waiter's context does not bound: waiters share it.
const subscribeTimeout = 10 * time.Second

func (k *waker) join(ctx context.Context, name string) (*waiter, error) {
	k.mu.Lock()
	if k.sub == nil {
		k.sub = &subscription{ready: make(chan struct{})}
		go k.run(k.sub)
	}
	if k.waiters == nil {
		k.waiters = map[string]map[*waiter]struct{}{}
	}
	w := &waiter{name: name, wake: make(chan struct{}, 1), sub: k.sub}
	if k.waiters[name] == nil {
		k.waiters[name] = map[*waiter]struct{}{}
	}
	k.waiters[name][w] = struct{}{}
	k.n++
	k.mu.Unlock()
	select {
	case <-w.sub.ready:
		if w.sub.err != nil {
			k.leave(w)
			return nil, w.sub.err
		}
		return w, nil
	case <-ctx.Done():
		k.leave(w)
		return nil, ctx.Err()
	}
}

func (k *waker) leave(w *waiter) {
	k.mu.Lock()
	defer k.mu.Unlock()
	delete(k.waiters[w.name], w)
	if len(k.waiters[w.name]) == 0 {
		delete(k.waiters, w.name)
	}
	if k.n--; k.n == 0 && k.sub != nil {
		// The last waiter closes the subscription; run ends with it.
		k.sub.close()
		k.sub = nil
	}
}

func (sub *subscription) close() {
	if sub.ps != nil {
		_ = sub.ps.Close()
	}
}

// run subscribes, then wakes waiters until the subscription is closed.
func (k *waker) run(sub *subscription) {
	channel := k.s.key("results")
	ctx, cancel := context.WithTimeout(context.Background(), subscribeTimeout)
	defer cancel()
	var ps *redis.PubSub
	var err error
	if c, ok := k.s.rdb.(*redis.ClusterClient); ok {
		ps = c.SSubscribe(ctx)
		err = ps.SSubscribe(ctx, channel)
	} else {
		ps = k.s.rdb.Subscribe(ctx)
		err = ps.Subscribe(ctx, channel)
	}
	if err == nil {
		// Wait for the confirmation: only then are messages delivered.
		_, err = ps.Receive(ctx)
	}
	k.mu.Lock()
	if err != nil {
		_ = ps.Close()
		sub.err = fail("WaitResult", err)
		if k.sub == sub {
			k.sub = nil // the next waiter tries again
		}
		close(sub.ready)
		k.mu.Unlock()
		return
	}
	if k.sub != sub {
		// Every waiter left while it subscribed.
		k.mu.Unlock()
		_ = ps.Close()
		close(sub.ready)
		return
	}
	sub.ps = ps
	close(sub.ready)
	k.mu.Unlock()
	for msg := range ps.ChannelWithSubscriptions() {
		switch m := msg.(type) {
		case *redis.Message:
			k.wake(m.Payload)
		case *redis.Subscription:
			// A reconnect subscribed again: what was published while it
			// was away is lost, so everyone reads again.
			k.wake("")
		}
	}
}

// wake wakes the waiters for name, or every waiter when name is "".
func (k *waker) wake(name string) {
	k.mu.Lock()
	defer k.mu.Unlock()
	for n, ws := range k.waiters {
		if name != "" && n != name {
			continue
		}
		for w := range ws {
			select {
			case w.wake <- struct{}{}:
			default:
			}
		}
	}
}
