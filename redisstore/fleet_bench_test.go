package redisstore_test

import (
	"context"
	"fmt"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/havr"
	"github.com/doorkit/doorkit/havr/havrtest"
	"github.com/doorkit/doorkit/internal/redistest"
	"github.com/doorkit/doorkit/redisstore"
	"github.com/doorkit/doorkit/resivo"
	"github.com/doorkit/doorkit/resivo/resivotest"
	"github.com/redis/go-redis/v9"
)

// roundTrips counts a client's round trips to Redis: a command, or a
// pipeline (sent and answered at once).
type roundTrips struct{ n atomic.Int64 }

func (c *roundTrips) DialHook(next redis.DialHook) redis.DialHook { return next }
func (c *roundTrips) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error { c.n.Add(1); return next(ctx, cmd) }
}
func (c *roundTrips) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error { c.n.Add(1); return next(ctx, cmds) }
}

// BenchmarkFleetTokenStore: a Havr call in the steady state (the client
// holds a valid token) with the account's tokens in Redis and without a
// token store, in one run. Both report the Redis round trips per call: 0,
// the token is cached until it expires or is refused; the allocations are
// the same.
func BenchmarkFleetTokenStore(b *testing.B) {
	rdb := redistest.Start(b).Client()
	var trips roundTrips
	rdb.AddHook(&trips)
	srv := havrtest.NewServer()
	b.Cleanup(srv.Close)
	ctx := context.Background()
	client := func(opts ...havr.Option) *havr.Client {
		c, err := havr.New(append([]havr.Option{havr.WithBaseURL(srv.URL),
			havr.WithHTTPClient(&http.Client{Transport: pooledTransport(srv.Client())}),
			havr.WithPassword(havrtest.OwnerEmail, havrtest.OwnerPassword)}, opts...)...)
		if err != nil {
			b.Fatal(err)
		}
		if _, _, err := c.DoorLocks.List(ctx); err != nil { // logs in
			b.Fatal(err)
		}
		return c
	}
	store, err := redisstore.New(rdb, havrAccount(b, srv))
	if err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct {
		name string
		c    *havr.Client
	}{
		{"none", client()},
		{"redis", client(havr.WithTokenStore(store))},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			start := trips.n.Load()
			calls := 0
			for b.Loop() {
				if _, _, err := bc.c.DoorLocks.List(ctx); err != nil {
					b.Fatal(err)
				}
				calls++
			}
			b.ReportMetric(float64(trips.n.Load()-start)/float64(calls), "redis-trips/op")
		})
	}
}

// BenchmarkFleetEnsureGrant: resivo's EnsureGrant cases on in-memory
// state (a memory Locker and KeyStore) and on Redis (the Store as Locker
// and KeyStore), in one run, with the Redis round trips of each case (the
// in-memory ones cost none; TestEnsureGrantRoundTrips asserts them): a
// booking's first trigger (create), a repeated one (unchanged), and a
// booking made and cancelled by key (create+revoke).
func BenchmarkFleetEnsureGrant(b *testing.B) {
	rdb := redistest.Start(b).Client()
	var trips roundTrips
	rdb.AddHook(&trips)
	srv := resivotest.NewServer()
	b.Cleanup(srv.Close)
	srv.SetLogLimit(1)
	ctx := context.Background()
	store, err := redisstore.New(rdb, redisstore.Account{Vendor: "resivo", Name: redistest.Name(b), BaseURL: srv.URL, ClientID: resivotest.ClientID})
	if err != nil {
		b.Fatal(err)
	}
	client := func(opts ...resivo.Option) *resivo.Client {
		c, err := resivo.New(append([]resivo.Option{resivo.WithBaseURL(srv.URL), resivo.WithHTTPClient(srv.Client()),
			resivo.WithClientCredentials(resivotest.ClientID, resivotest.ClientSecret), resivo.WithSites(resivotest.SiteID)}, opts...)...)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := c.ListDoors(ctx); err != nil {
			b.Fatal(err)
		}
		return c
	}
	start := time.Now().Add(24 * time.Hour).Truncate(time.Second)
	request := func(key string) access.GrantRequest {
		return access.GrantRequest{Key: key, DoorIDs: []string{resivotest.SiteID + "/" + resivotest.MainEntranceID},
			Holder: access.Person{Name: "Grace Hopper", Email: "grace@example.com"},
			Window: access.Window{Start: start, End: start.Add(2 * time.Hour)}}
	}
	requests := func() int {
		n := 0
		for _, r := range srv.Requests() {
			_ = r
			n++
		}
		return n
	}
	_ = requests
	for _, store := range []struct {
		name string
		c    *resivo.Client
	}{
		{"memory", client(resivo.WithKeyStore(access.NewCompleteMemoryKeyStore()))},
		{"redis", client(resivo.WithKeyStore(store), resivo.WithLocker(store))},
	} {
		c := store.c
		keys := 0
		next := func() string { keys++; return fmt.Sprintf("%s-%d", store.name, keys) }
		unchanged := next()
		if _, _, err := access.EnsureGrant(ctx, c, request(unchanged)); err != nil {
			b.Fatal(err)
		}
		for _, bc := range []struct {
			name string
			run  func() error
		}{
			{"create", func() error { _, _, err := access.EnsureGrant(ctx, c, request(next())); return err }},
			{"unchanged", func() error { _, _, err := access.EnsureGrant(ctx, c, request(unchanged)); return err }},
			{"create+revoke", func() error {
				key := next()
				if _, _, err := access.EnsureGrant(ctx, c, request(key)); err != nil {
					return err
				}
				return access.EnsureRevokedByKey(ctx, c, key)
			}},
		} {
			b.Run(bc.name+"/"+store.name, func(b *testing.B) {
				startTrips := trips.n.Load()
				ops := 0
				for b.Loop() {
					if err := bc.run(); err != nil {
						b.Fatal(err)
					}
					ops++
				}
				b.ReportMetric(float64(trips.n.Load()-startTrips)/float64(ops), "redis-trips/op")
			})
		}
	}
}
