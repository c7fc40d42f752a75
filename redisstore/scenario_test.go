package redisstore_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/doorkit/doorkit/access"
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
