package redisstore_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/internal/redistest"
	"github.com/doorkit/doorkit/redisstore"
	"github.com/doorkit/doorkit/resivo"
	"github.com/doorkit/doorkit/resivo/resivotest"
)

// A key's turn reads the key with the lease: under it Get and LoadApplied
// cost no round trip and answer what the turn read, or what the holder
// wrote since; a SaveApplied of what is there is not sent; a write by
// another replica without the turn is seen on the next turn; a turn's
// context that ended fails them as a round trip would.
func TestKeyTurnReadsTheKey(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t)
	rdb := srv.Client()
	var trips roundTrips
	rdb.AddHook(&trips)
	acct := account(t)
	s, other := replica(t, rdb, acct), replica(t, srv.Client(), acct)
	ctx := context.Background()
	w := access.Window{Start: time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC), End: time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)}
	if err := s.Put(ctx, "BK-1", "g1"); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveApplied(ctx, "BK-1", w); err != nil {
		t.Fatal(err)
	}
	// Warm up: Redis caches each script at its first EVAL.
	warm, err := s.Lock(ctx, access.KeyTurnName("warm-up"))
	if err != nil {
		t.Fatal(err)
	}
	_ = warm.Release(ctx)
	if _, err := s.Get(ctx, "warm-up"); !errors.Is(err, access.ErrNotFound) {
		t.Fatal(err)
	}
	costs := func(what string, want int64, op func() error) {
		t.Helper()
		before := trips.n.Load()
		if err := op(); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if n := trips.n.Load() - before; n != want {
			t.Errorf("%s cost %d round trips, want %d", what, n, want)
		}
	}

	var turn access.Lease
	costs("Lock of the key's turn", 1, func() (err error) {
		turn, err = s.Lock(ctx, access.KeyTurnName("BK-1"))
		return err
	})
	tctx := turn.Context()
	costs("Get under the turn", 0, func() error {
		id, err := s.Get(tctx, "BK-1")
		if err == nil && id != "g1" {
			err = errors.New("Get = " + id + ", want g1")
		}
		return err
	})
	costs("LoadApplied under the turn", 0, func() error {
		got, err := s.LoadApplied(tctx, "BK-1")
		if err == nil && !got.Start.Equal(w.Start) {
			err = errors.New("LoadApplied read another window")
		}
		return err
	})
	costs("SaveApplied of the same window", 0, func() error { return s.SaveApplied(tctx, "BK-1", w) })
	costs("Get of another key", 1, func() error {
		_, err := s.Get(tctx, "BK-2")
		if errors.Is(err, access.ErrNotFound) {
			return nil
		}
		return err
	})
	// Another replica writes without the turn: the holder's view does not
	// see it, its next turn does.
	if err := other.Put(ctx, "BK-1", "g-outside"); err != nil {
		t.Fatal(err)
	}
	costs("Put under the turn", 1, func() error { return s.Put(tctx, "BK-1", "g2") })
	costs("Get after the holder's Put", 0, func() error {
		id, err := s.Get(tctx, "BK-1")
		if err == nil && id != "g2" {
			err = errors.New("Get = " + id + ", want the holder's g2")
		}
		return err
	})
	costs("Delete under the turn", 1, func() error { return s.Delete(tctx, "BK-1") })
	costs("Get and LoadApplied after the holder's Delete", 0, func() error {
		if _, err := s.Get(tctx, "BK-1"); !errors.Is(err, access.ErrNotFound) {
			return errors.New("Get after Delete did not answer ErrNotFound")
		}
		if _, err := s.LoadApplied(tctx, "BK-1"); !errors.Is(err, access.ErrNotFound) {
			return errors.New("Delete left the applied window")
		}
		return nil
	})
	costs("DeleteApplied of what Delete dropped", 0, func() error { return s.DeleteApplied(tctx, "BK-1") })
	if err := turn.Release(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(tctx, "BK-1"); !errors.Is(err, context.Canceled) || !errors.Is(err, access.ErrUnavailable) {
		t.Errorf("Get under a released turn = %v, want the context's error", err)
	}

	if err := other.Put(ctx, "BK-1", "g-outside"); err != nil {
		t.Fatal(err)
	}
	var next access.Lease
	next, err = s.Lock(ctx, access.KeyTurnName("BK-1"))
	if err != nil {
		t.Fatal(err)
	}
	if id, err := s.Get(next.Context(), "BK-1"); err != nil || id != "g-outside" {
		t.Errorf("the next turn reads %q, %v; want another replica's g-outside", id, err)
	}
	// A turn on another key inside it, or a foreign lease, does not hide
	// the outer turn's view; writes under them keep it true.
	inner, err := s.Lock(next.Context(), access.KeyTurnName("BK-9"))
	if err != nil {
		t.Fatal(err)
	}
	mem, err := access.NewMemoryLocker().Lock(inner.Context(), "other")
	if err != nil {
		t.Fatal(err)
	}
	costs("Put of the outer key under an inner turn", 1, func() error { return s.Put(mem.Context(), "BK-1", "g3") })
	costs("Get of the outer key under the outer turn", 0, func() error {
		id, err := s.Get(next.Context(), "BK-1")
		if err == nil && id != "g3" {
			err = errors.New("Get = " + id + ", want g3 written under the inner turn")
		}
		return err
	})
	_ = mem.Release(ctx)
	_ = inner.Release(ctx)
	_ = next.Release(ctx)

	// A turn taken while the key store's data is lost reads nothing: Get
	// goes to Redis and answers the loss.
	if err := rdb.Del(ctx, s.Prefix()+":epoch").Err(); err != nil {
		t.Fatal(err)
	}
	lost, err := s.Lock(ctx, access.KeyTurnName("BK-1"))
	if err != nil {
		t.Fatal(err)
	}
	defer lost.Release(ctx)
	if _, err := s.Get(lost.Context(), "BK-1"); !errors.Is(err, redisstore.ErrDataLost) {
		t.Errorf("Get under a turn taken after a loss = %v, want ErrDataLost", err)
	}
}

// Redis round trips per EnsureGrant case on resivo with the Store as
// Locker and KeyStore (the in-memory defaults cost none): the key's turn
// reads the key, so a trigger that finds its grant unchanged costs the
// turn and its release, a revoke by key one Delete more, and a create one
// write more than the turn and its release: the pending mark, which must
// be in Redis before the create is sent; the grant id and the applied
// window go with the release (TurnRecorder), which EnsureGrant waits for
// before it reports success. Before the release recorded they were 5, and
// before the turn read the key 9, 5 and 8 (with the applied window).
func TestEnsureGrantRoundTrips(t *testing.T) {
	t.Parallel()
	rdb := redistest.Start(t).Client()
	var trips roundTrips
	rdb.AddHook(&trips)
	srv := resivotest.NewServer()
	t.Cleanup(srv.Close)
	store := replica(t, rdb, redisstore.Account{Vendor: "resivo", Name: redistest.Name(t), BaseURL: srv.URL, ClientID: resivotest.ClientID})
	c, err := resivo.New(resivo.WithBaseURL(srv.URL), resivo.WithHTTPClient(srv.Client()),
		resivo.WithClientCredentials(resivotest.ClientID, resivotest.ClientSecret), resivo.WithSites(resivotest.SiteID),
		resivo.WithKeyStore(store), resivo.WithLocker(store))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	start := time.Now().Add(24 * time.Hour).Truncate(time.Second)
	req := access.GrantRequest{Key: "BK-1", DoorIDs: []string{resivotest.SiteID + "/" + resivotest.MainEntranceID},
		Holder: access.Person{Name: "Grace Hopper", Email: "grace@example.com"},
		Window: access.Window{Start: start, End: start.Add(2 * time.Hour)}}
	// Warm up: the token, the site's locale, the scripts in Redis's cache.
	if _, _, err := access.EnsureGrant(ctx, c, access.GrantRequest{Key: "BK-0", DoorIDs: req.DoorIDs, Holder: req.Holder, Window: req.Window}); err != nil {
		t.Fatal(err)
	}
	if err := access.EnsureRevokedByKey(ctx, c, "BK-0"); err != nil {
		t.Fatal(err)
	}
	for _, step := range []struct {
		name string
		want int64
		run  func() error
	}{
		{"create", 3, func() error { _, _, err := access.EnsureGrant(ctx, c, req); return err }},
		{"unchanged", 2, func() error { _, _, err := access.EnsureGrant(ctx, c, req); return err }},
		{"revoke", 3, func() error { return access.EnsureRevokedByKey(ctx, c, req.Key) }},
	} {
		before := trips.n.Load()
		if err := step.run(); err != nil {
			t.Fatalf("%s: %v", step.name, err)
		}
		if n := trips.n.Load() - before; n != step.want {
			t.Errorf("%s cost %d Redis round trips, want %d", step.name, n, step.want)
		}
	}
}
