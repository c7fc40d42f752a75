package redisstore_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"sync"
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
)

// Four resivo replicas that share nothing but Redis (each its own client,
// Store and Redis connection) against one resivo: twenty triggers of one
// booking make one authorization; a grant made by one replica is revoked by
// key by another; after Redis lost its data nothing is taken as absent:
// EnsureGrant and EnsureRevokedByKey fail with ErrUnavailable before they
// send anything.
func TestResivoReplicasOnRedis(t *testing.T) {
	t.Parallel()
	redis := redistest.StartOwn(t, false)
	srv := resivotest.NewServer()
	t.Cleanup(srv.Close)
	acct := redisstore.Account{Vendor: "resivo", Name: redistest.Name(t), BaseURL: srv.URL, ClientID: resivotest.ClientID}
	replicas := make([]*resivo.Client, 4)
	for i := range replicas {
		store := replica(t, redis.Client(), acct)
		c, err := resivo.New(resivo.WithBaseURL(srv.URL), resivo.WithHTTPClient(srv.Client()),
			resivo.WithClientCredentials(resivotest.ClientID, resivotest.ClientSecret),
			resivo.WithSites(resivotest.SiteID), resivo.WithKeyStore(store), resivo.WithLocker(store))
		if err != nil {
			t.Fatal(err)
		}
		replicas[i] = c
	}
	creates := func() int {
		return srv.Count("POST", "/"+resivotest.SiteID+"/authorizations/remote-access")
	}
	live := func() int {
		n := 0
		for _, a := range srv.Authorizations() {
			if !a.Revoked {
				n++
			}
		}
		return n
	}
	ctx, cancel := context.WithTimeout(context.Background(), generous)
	defer cancel()
	start := time.Now().Add(24 * time.Hour).Truncate(time.Second)
	req := access.GrantRequest{
		Key:     "BK-1",
		DoorIDs: []string{resivotest.SiteID + "/" + resivotest.MainEntranceID},
		Holder:  access.Person{Name: "Grace Hopper", Email: "grace@example.com"},
		Window:  access.Window{Start: start, End: start.Add(2 * time.Hour)},
	}
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Go(func() {
			if _, _, err := access.EnsureGrant(ctx, replicas[i%4], req); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if n := creates(); n != 1 {
		t.Fatalf("20 triggers over 4 replicas made %d authorizations, want 1", n)
	}

	req2 := req
	req2.Key = "BK-2"
	if _, _, err := access.EnsureGrant(ctx, replicas[0], req2); err != nil {
		t.Fatal(err)
	}
	if err := access.EnsureRevokedByKey(ctx, replicas[1], "BK-2"); err != nil {
		t.Fatalf("another replica's revoke by key: %v", err)
	}
	if n := live(); n != 1 {
		t.Fatalf("%d live authorizations after the revoke, want 1 (BK-1's)", n)
	}

	if err := redis.Client().FlushAll(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	made := creates()
	_, _, err := access.EnsureGrant(ctx, replicas[2], req)
	if !errors.Is(err, access.ErrUnavailable) || errors.Is(err, access.ErrOutcomeUnknown) {
		t.Errorf("EnsureGrant after the loss = %v, want ErrUnavailable", err)
	}
	if err := access.EnsureRevokedByKey(ctx, replicas[3], "BK-1"); !errors.Is(err, access.ErrUnavailable) {
		t.Errorf("EnsureRevokedByKey after the loss = %v, want ErrUnavailable", err)
	}
	if creates() != made || live() != 1 {
		t.Errorf("after the loss: %d creates (want %d), %d live (want 1)", creates(), made, live())
	}
}

// Four Havr replicas, each with its own Store (sealing tokens with one
// codec) on one Redis, 64 goroutines each, 1,000 calls per replica across
// three access-token expiries: one login, one refresh per expiry for the
// fleet, no refresh token sent twice, no failed call; the token in Redis
// is sealed.
func TestHavrFleetSharesTokensThroughRedis(t *testing.T) {
	t.Parallel()
	const (
		replicas = 4
		workers  = 64
		phases   = 4
		perPhase = 250
	)
	rdb := redistest.Start(t)
	srv := havrtest.NewServer()
	t.Cleanup(srv.Close)
	acct := redisstore.Account{Vendor: "havr", Name: redistest.Name(t), BaseURL: srv.URL, ClientID: havrtest.OwnerEmail}
	codec := newGCMCodec(t)
	fleet := make([]*havr.Client, replicas)
	var store *redisstore.Store
	for i := range fleet {
		store = replica(t, rdb.Client(), acct, redisstore.WithCodec(codec))
		transport := srv.Client().Transport.(*http.Transport).Clone()
		transport.MaxIdleConnsPerHost = workers
		c, err := havr.New(havr.WithBaseURL(srv.URL), havr.WithHTTPClient(&http.Client{Transport: transport}),
			havr.WithPassword(havrtest.OwnerEmail, havrtest.OwnerPassword),
			havr.WithRetry(3, time.Millisecond, 4*time.Millisecond), havr.WithTokenStore(store))
		if err != nil {
			t.Fatal(err)
		}
		fleet[i] = c
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*generous)
	defer cancel()
	var calls, failed atomic.Int32
	for phase := range phases {
		if phase > 0 {
			srv.ExpireAccessTokens()
		}
		var wg sync.WaitGroup
		for _, c := range fleet {
			jobs := make(chan struct{})
			for range workers {
				wg.Go(func() {
					for range jobs {
						calls.Add(1)
						if _, _, err := c.DoorLocks.List(ctx); err != nil {
							t.Log(err)
							failed.Add(1)
						}
					}
				})
			}
			wg.Go(func() {
				defer close(jobs)
				for range perPhase {
					jobs <- struct{}{}
				}
			})
		}
		wg.Wait()
	}
	refreshes, reused := srv.Refreshes()
	if calls.Load() != replicas*phases*perPhase || failed.Load() != 0 {
		t.Errorf("%d calls, %d failed; want %d, 0", calls.Load(), failed.Load(), replicas*phases*perPhase)
	}
	if refreshes != phases-1 || reused != 0 {
		t.Errorf("%d refreshes (%d reused); want %d, 0", refreshes, reused, phases-1)
	}
	if n := srv.Count("POST", "/oauth/v1/token"); n != phases {
		t.Errorf("%d token requests, want one login and %d refreshes", n, phases-1)
	}
	raw, err := rdb.Client().Get(ctx, store.Prefix()+":token").Bytes()
	if err != nil {
		t.Fatal(err)
	}
	tok := fleet[0].Tokens()
	if bytes.Contains(raw, []byte(tok.RefreshToken)) || bytes.Contains(raw, []byte(tok.AccessToken)) {
		t.Error("the token is stored in clear")
	}
}
