package redisstore_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/internal/redistest"
	"github.com/doorkit/doorkit/redisstore"
	"github.com/redis/go-redis/v9"
)

// The key store is durable and complete: an absent key is ErrNotFound (not
// ErrKeyUnknown), a pending mark reads back as "", Delete of an unknown key
// is fine; grant keys have no TTL.
func TestKeyStore(t *testing.T) {
	forEachDeployment(t, func(t *testing.T, d deployment) {
		acct := account(t)
		a, b := replica(t, d.client(), acct), replica(t, d.client(), acct)
		ctx := context.Background()
		if _, err := a.Get(ctx, "BK-1"); !errors.Is(err, access.ErrNotFound) || errors.Is(err, access.ErrKeyUnknown) {
			t.Errorf("Get of an absent key = %v, want ErrNotFound", err)
		}
		if err := a.Put(ctx, "BK-1", ""); err != nil {
			t.Fatal(err)
		}
		if _, err := access.LookupKey(ctx, b, "BK-1"); !errors.Is(err, access.ErrOutcomeUnknown) {
			t.Errorf("LookupKey of a pending key = %v, want ErrOutcomeUnknown", err)
		}
		if err := a.Put(ctx, "BK-1", "grant-1"); err != nil {
			t.Fatal(err)
		}
		if id, err := b.Get(ctx, "BK-1"); err != nil || id != "grant-1" {
			t.Errorf("Get on the other replica = %q, %v", id, err)
		}
		for _, k := range []string{"keys", "keyindex", "epoch"} {
			if ttl, err := d.client().TTL(ctx, a.Prefix()+":"+k).Result(); err != nil || ttl != -1 {
				t.Errorf("%s has TTL %v, %v; want none", k, ttl, err)
			}
		}
		if err := b.Delete(ctx, "BK-1"); err != nil {
			t.Fatal(err)
		}
		if err := b.Delete(ctx, "BK-1"); err != nil {
			t.Errorf("Delete of an unknown key: %v", err)
		}
		if _, err := a.Get(ctx, "BK-1"); !errors.Is(err, access.ErrNotFound) {
			t.Errorf("Get after Delete = %v, want ErrNotFound", err)
		}
		if err := a.Put(ctx, "", "g"); !errors.Is(err, access.ErrInvalid) {
			t.Errorf("Put of an empty key = %v, want ErrInvalid", err)
		}
	})
}

// ListKeys lists by prefix in byte order through the index, across pages,
// and never scans.
func TestListKeysByPrefix(t *testing.T) {
	forEachDeployment(t, func(t *testing.T, d deployment) {
		var log cmdLog
		rdb := d.client()
		rdb.AddHook(&log)
		s := replica(t, rdb, account(t))
		ctx := context.Background()
		keys := []string{"BK-2", "BK-1", "BK-10", "BK-é", "BL-1", "B", "bk-1", "BK"}
		for i, k := range keys {
			if err := s.Put(ctx, k, fmt.Sprint("g", i)); err != nil {
				t.Fatal(err)
			}
		}
		list := func(prefix string) []access.KeyEntry {
			t.Helper()
			var out []access.KeyEntry
			for e, err := range s.ListKeys(ctx, prefix) {
				if err != nil {
					t.Fatal(err)
				}
				out = append(out, e)
			}
			return out
		}
		want := []access.KeyEntry{{Key: "BK-1", GrantID: "g1"}, {Key: "BK-10", GrantID: "g2"}, {Key: "BK-2", GrantID: "g0"}, {Key: "BK-é", GrantID: "g3"}}
		if got := list("BK-"); !slices.Equal(got, want) {
			t.Errorf("ListKeys(BK-) = %v, want %v", got, want)
		}
		if got := list(""); len(got) != len(keys) {
			t.Errorf("ListKeys() = %d keys, want %d", len(got), len(keys))
		}
		if got := list("nothing"); len(got) != 0 {
			t.Errorf("ListKeys(nothing) = %v", got)
		}
		// More than a page.
		var pipe []string
		for i := range 1203 {
			pipe = append(pipe, fmt.Sprintf("page-%04d", i))
		}
		for _, k := range pipe {
			if err := s.Put(ctx, k, "g"); err != nil {
				t.Fatal(err)
			}
		}
		got := list("page-")
		if len(got) != len(pipe) {
			t.Fatalf("%d keys listed across pages, want %d", len(got), len(pipe))
		}
		for i, e := range got {
			if e.Key != pipe[i] {
				t.Fatalf("key %d = %q, want %q", i, e.Key, pipe[i])
			}
		}
		n := 0
		for range s.ListKeys(ctx, "page-") {
			if n++; n == 3 {
				break
			}
		}
		for _, scan := range []string{"scan", "keys", "hscan", "zscan", "hgetall", "hkeys"} {
			if log.sent(scan) {
				t.Errorf("the key store sent %s", scan)
			}
		}
	})
}

// A store whose data is lost (FLUSHALL, or a restart without persistence)
// answers ErrDataLost, an ErrUnavailable, for what it no longer holds, never
// ErrNotFound, until Reinitialize; replicas then accept the new epoch.
func TestEpochLossDetected(t *testing.T) {
	t.Parallel()
	srv := redistest.StartOwn(t, false)
	acct := account(t)
	a, b := replica(t, srv.Client(), acct), replica(t, srv.Client(), acct)
	ctx := context.Background()
	if err := a.Put(ctx, "BK-1", "grant-1"); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Get(ctx, "BK-1"); err != nil {
		t.Fatal(err)
	}
	lost := func(st *redisstore.Store, how string) {
		t.Helper()
		_, err := st.Get(ctx, "BK-1")
		if !errors.Is(err, redisstore.ErrDataLost) || !errors.Is(err, access.ErrUnavailable) ||
			errors.Is(err, access.ErrNotFound) || errors.Is(err, access.ErrKeyUnknown) || errors.Is(err, access.ErrOutcomeUnknown) {
			t.Errorf("%s: Get = %v, want ErrDataLost (ErrUnavailable, not ErrNotFound nor ErrKeyUnknown)", how, err)
		}
		var errs []error
		for _, err := range st.ListKeys(ctx, "") {
			errs = append(errs, err)
		}
		if len(errs) != 1 || !errors.Is(errs[0], redisstore.ErrDataLost) {
			t.Errorf("%s: ListKeys yields %v, want one ErrDataLost", how, errs)
		}
	}
	if err := srv.Client().FlushAll(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	lost(a, "after FLUSHALL")
	lost(b, "after FLUSHALL")
	// Writes are kept: they record what happened.
	if err := a.Put(ctx, "BK-2", "grant-2"); err != nil {
		t.Errorf("Put after the loss: %v", err)
	}
	lost(a, "after a Put")
	// A Store that never saw the old epoch cannot tell a new store from a
	// lost one (the documented gap: WithExplicitInit closes it); the epoch
	// it starts does not fool those that saw the old one.
	fresh := replica(t, srv.Client(), acct)
	if _, err := fresh.Get(ctx, "BK-1"); !errors.Is(err, access.ErrNotFound) {
		t.Errorf("a fresh Store's Get = %v, want ErrNotFound", err)
	}
	lost(a, "after a fresh Store started an epoch")
	if err := b.Reinitialize(ctx); err != nil {
		t.Fatal(err)
	}
	for _, st := range []*redisstore.Store{a, b, fresh} {
		if _, err := st.Get(ctx, "BK-1"); !errors.Is(err, access.ErrNotFound) {
			t.Errorf("after Reinitialize Get = %v, want ErrNotFound", err)
		}
		if id, err := st.Get(ctx, "BK-2"); err != nil || id != "grant-2" {
			t.Errorf("the key written during the loss = %q, %v", id, err)
		}
	}
	// A restart without persistence loses everything, and it is seen.
	srv.Restart()
	lost(a, "after a restart without persistence")
	// An epoch older than the one seen (a stale snapshot restored) is a
	// loss too.
	if err := a.Reinitialize(ctx); err != nil {
		t.Fatal(err)
	}
	if err := srv.Client().Set(ctx, a.Prefix()+":epoch", "5:stale", 0).Err(); err != nil {
		t.Fatal(err)
	}
	lost(a, "after an older epoch came back")
}

// With persistence (appendonly, fsync always) a killed and restarted Redis
// keeps grant keys and tokens, and the epoch holds.
func TestRestartWithPersistenceKeepsState(t *testing.T) {
	t.Parallel()
	srv := redistest.StartOwn(t, true)
	acct := account(t)
	rdb := srv.Client()
	s := replica(t, rdb, acct)
	ctx := context.Background()
	if err := s.Put(ctx, "BK-1", "grant-1"); err != nil {
		t.Fatal(err)
	}
	if ok, err := s.SwapToken(ctx, nil, []byte("tokens")); err != nil || !ok {
		t.Fatal(ok, err)
	}
	srv.Restart()
	if id, err := s.Get(ctx, "BK-1"); err != nil || id != "grant-1" {
		t.Errorf("after restart Get = %q, %v", id, err)
	}
	if v, err := s.LoadToken(ctx); err != nil || string(v) != "tokens" {
		t.Errorf("after restart LoadToken = %q, %v", v, err)
	}
}

// WithExplicitInit: no epoch until Reinitialize; then the store is
// complete for every replica.
func TestExplicitInit(t *testing.T) {
	d := nodeDeployment(t)
	acct := account(t)
	a := replica(t, d.client(), acct, redisstore.WithExplicitInit())
	b := replica(t, d.client(), acct, redisstore.WithExplicitInit())
	ctx := context.Background()
	if _, err := a.Get(ctx, "BK-1"); !errors.Is(err, redisstore.ErrNotInitialized) || !errors.Is(err, access.ErrUnavailable) {
		t.Errorf("Get before Reinitialize = %v, want ErrNotInitialized", err)
	}
	// A Store without the option starts an epoch at first use; explicit
	// Stores do not take it for theirs.
	auto := replica(t, d.client(), acct)
	if _, err := auto.Get(ctx, "BK-1"); !errors.Is(err, access.ErrNotFound) {
		t.Fatal(err)
	}
	if _, err := a.Get(ctx, "BK-1"); !errors.Is(err, redisstore.ErrNotInitialized) {
		t.Errorf("Get on an epoch started at first use = %v, want ErrNotInitialized", err)
	}
	if err := a.Reinitialize(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Get(ctx, "BK-1"); !errors.Is(err, access.ErrNotFound) {
		t.Errorf("after Reinitialize Get = %v, want ErrNotFound", err)
	}
}

// keysOf lists every key of a test's own server (KEYS is fine there).
func keysOf(t *testing.T, rdb *redis.Client) []string {
	t.Helper()
	keys, err := rdb.Keys(context.Background(), "*").Result()
	if err != nil {
		t.Fatal(err)
	}
	return keys
}
