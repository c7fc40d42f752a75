package redisstore_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/redisstore"
	"github.com/redis/go-redis/v9"
)

// A result put on one replica reaches a waiter on another, woken by
// pub/sub (its poll is an hour); a repeat put is not the first and does
// not replace the value; the value has the TTL the put gave.
func TestResultReachesWaiterOnAnotherReplica(t *testing.T) {
	forEachDeployment(t, func(t *testing.T, d deployment) {
		acct := account(t)
		a, b := replica(t, d.client(), acct), replica(t, d.client(), acct)
		redisstore.SetResultPoll(b, time.Hour)
		ctx, cancel := context.WithTimeout(context.Background(), generous)
		defer cancel()
		type answer struct {
			v   []byte
			err error
		}
		got := make(chan answer, 3)
		for _, name := range []string{"pin:1", "pin:1", "unlock:7"} {
			go func() {
				v, err := b.WaitResult(ctx, name)
				got <- answer{v, err}
			}()
		}
		waitSubscribed(t, ctx, d.client(), a.Prefix()+":results")
		if first, err := a.PutResult(ctx, "pin:1", []byte("loaded"), time.Minute); err != nil || !first {
			t.Fatalf("PutResult = %v, %v; want first", first, err)
		}
		if first, err := b.PutResult(ctx, "pin:1", []byte("again"), time.Minute); err != nil || first {
			t.Fatalf("repeat PutResult = %v, %v; want not first", first, err)
		}
		if _, err := a.PutResult(ctx, "unlock:7", []byte("opened"), time.Minute); err != nil {
			t.Fatal(err)
		}
		want := map[string]int{"loaded": 2, "opened": 1}
		for range 3 {
			ans := <-got
			if ans.err != nil {
				t.Fatal(ans.err)
			}
			want[string(ans.v)]--
		}
		for v, n := range want {
			if n != 0 {
				t.Errorf("value %q delivered %d times too few", v, n)
			}
		}
		ttl, err := d.client().PTTL(ctx, a.Prefix()+":result:pin:1").Result()
		if err != nil || ttl <= 0 || ttl > time.Minute {
			t.Errorf("result TTL = %v, %v; want at most a minute", ttl, err)
		}
	})
}

// A result put before anyone waits is found at once; a missing one is
// ErrNotFound; a waiter returns its context's error when it ends.
func TestResultPutBeforeWait(t *testing.T) {
	forEachDeployment(t, func(t *testing.T, d deployment) {
		acct := account(t)
		a, b := replica(t, d.client(), acct), replica(t, d.client(), acct)
		redisstore.SetResultPoll(b, time.Hour)
		ctx := context.Background()
		if _, err := b.GetResult(ctx, "pin:2"); !errors.Is(err, access.ErrNotFound) {
			t.Errorf("GetResult of nothing = %v, want ErrNotFound", err)
		}
		if _, err := a.PutResult(ctx, "pin:2", []byte("failed"), time.Minute); err != nil {
			t.Fatal(err)
		}
		v, err := b.WaitResult(ctx, "pin:2")
		if err != nil || string(v) != "failed" {
			t.Errorf("WaitResult = %q, %v", v, err)
		}
		short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
		defer cancel()
		if _, err := b.WaitResult(short, "pin:never"); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("WaitResult of nothing = %v, want DeadlineExceeded", err)
		}
		if _, err := a.PutResult(ctx, "x", nil, 0); !errors.Is(err, access.ErrInvalid) {
			t.Errorf("PutResult with no TTL = %v, want ErrInvalid", err)
		}
	})
}

// A waiter whose subscription is cut (the server kills the connection)
// and misses the wake-up still gets the value: the re-subscription makes
// it read again. The kill, the value and its wake-up go in one
// transaction, so the message is published while no connection listens.
func TestResultWaiterSurvivesReconnect(t *testing.T) {
	d := nodeDeployment(t)
	acct := account(t)
	b := replica(t, d.client(), acct)
	redisstore.SetResultPoll(b, time.Hour)
	ctx, cancel := context.WithTimeout(context.Background(), generous)
	defer cancel()
	got := make(chan string, 1)
	go func() {
		v, err := b.WaitResult(ctx, "unlock:1")
		if err != nil {
			got <- err.Error()
			return
		}
		got <- string(v)
	}()
	raw := d.client()
	channel := b.Prefix() + ":results"
	waitSubscribed(t, ctx, raw, channel)
	_, err := raw.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.Do(ctx, "CLIENT", "KILL", "TYPE", "pubsub")
		p.Set(ctx, b.Prefix()+":result:unlock:1", "opened", time.Minute)
		p.Publish(ctx, channel, "unlock:1")
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if v := <-got; v != "opened" {
		t.Errorf("waiter got %q", v)
	}
}

// waitSubscribed waits until someone subscribes to channel, so that a put
// after it exercises the wake-up rather than the first read.
func waitSubscribed(t *testing.T, ctx context.Context, rdb redis.UniversalClient, channel string) {
	t.Helper()
	for {
		var n int64
		if c, ok := rdb.(*redis.ClusterClient); ok {
			m, err := c.PubSubShardNumSub(ctx, channel).Result()
			if err != nil {
				t.Fatal(err)
			}
			n = m[channel]
		} else {
			m, err := rdb.PubSubNumSub(ctx, channel).Result()
			if err != nil {
				t.Fatal(err)
			}
			n = m[channel]
		}
		if n > 0 {
			return
		}
		select {
		case <-ctx.Done():
			t.Fatal(fmt.Errorf("nobody subscribed to %s", channel))
		case <-time.After(5 * time.Millisecond):
		}
	}
}
