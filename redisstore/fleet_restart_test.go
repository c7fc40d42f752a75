package redisstore_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/havr/havrtest"
	"github.com/doorkit/doorkit/internal/fakeserver"
	"github.com/doorkit/doorkit/internal/redistest"
	"github.com/doorkit/doorkit/redisstore"
	"github.com/doorkit/doorkit/resivo"
	"github.com/doorkit/doorkit/resivo/resivotest"
	goredis "github.com/redis/go-redis/v9"
)

// reconnected returns once every client answers PING again after a
// restart: go-redis, after a run of failed dials, answers the last dial
// error at once and reconnects in the background, about a second later.
// A booking system redelivers a trigger that failed with ErrUnavailable;
// the tests wait instead.
func reconnected(ctx context.Context, t *testing.T, conns []*goredis.Client) {
	t.Helper()
	for _, c := range conns {
		for c.Ping(ctx).Err() != nil {
			select {
			case <-ctx.Done():
				t.Fatal("a replica did not reconnect to the restarted Redis")
			case <-time.After(50 * time.Millisecond):
			}
		}
	}
}

// afterPendingTurns runs op until it ends other than with a key's turn
// that an earlier holder left pending (a *PendingKeyError with Until: the
// holders Redis died under could neither renew nor release, so their
// turns stay pending for a lease TTL past their leases' end), waiting for
// the mark to lapse as a booking system redelivering the trigger would.
func afterPendingTurns(ctx context.Context, t *testing.T, op func() error) error {
	t.Helper()
	for {
		err := op()
		var pk *access.PendingKeyError
		if !errors.As(err, &pk) || pk.Until.IsZero() {
			return err
		}
		select {
		case <-ctx.Done():
			t.Fatalf("the turn of %s stayed pending: %v", pk.Key, err)
		case <-time.After(time.Until(pk.Until) + 10*time.Millisecond):
		}
	}
}

// outageLeaseTTL is the replicas' lease TTL in the outage tests: short, so
// that the leases held when Redis died lapse soon after it is back, and
// long enough that a replica starved of CPU (the race detector, parallel
// tests) still renews in time. The turns held when Redis died stay
// pending (access.PendingLease) for a TTL past their leases' end, so that
// a create still on its way to the vendor lands before the next replica
// looks.
const outageLeaseTTL = 2 * time.Second

// outage runs a fleet's triggers for bookings keys (each triggered three
// times, spread over the replicas, all at once) and kills Redis (SIGKILL)
// as the fake receives the killAt-th create. It returns every trigger's
// error, after all have returned. inject queues a fault on the vendor
// fake's create path.
func outage(ctx context.Context, t *testing.T, redis *redistest.Server, replicas []access.Granter, keys []string,
	request func(key string) access.GrantRequest, inject func(fakeserver.Fault), killAt int) []error {
	t.Helper()
	held := make(chan fakeserver.Request)
	inject(fakeserver.Fault{Count: 1 << 20, Held: held})
	stopped := make(chan struct{})
	go func() {
		n := 0
		for {
			select {
			case <-held:
				if n++; n == killAt {
					redis.Stop()
					close(stopped)
				}
			case <-ctx.Done():
				return
			}
		}
	}()
	var mu sync.Mutex
	var errs []error
	var wg sync.WaitGroup
	for i := range 3 * len(keys) {
		wg.Go(func() {
			_, _, err := access.EnsureGrant(ctx, replicas[i%len(replicas)], request(keys[i%len(keys)]))
			mu.Lock()
			errs = append(errs, err)
			mu.Unlock()
		})
	}
	wg.Wait()
	select {
	case <-stopped:
	default:
		t.Fatalf("fewer than %d creates reached the fake: Redis was never killed", killAt)
	}
	return errs
}

// checkOutageErrors fails t unless some triggers failed, every failure is
// in a documented class, and none is a success reported without evidence.
func checkOutageErrors(t *testing.T, errs []error) {
	t.Helper()
	failed := 0
	for _, err := range errs {
		if err == nil {
			continue
		}
		failed++
		if !documentedFailure(err) {
			t.Errorf("a trigger failed outside the documented classes: %v", err)
		}
	}
	if failed == 0 {
		t.Error("no trigger failed: Redis was not killed mid-run")
	}
	t.Logf("%d of %d triggers failed during the outage", failed, len(errs))
}

func bookingKeys(n int) []string {
	keys := make([]string, n)
	for i := range keys {
		keys[i] = fmt.Sprintf("BK-%02d", i)
	}
	return keys
}

// Redis (with persistence: appendonly, fsync always) killed while four
// Havr replicas handle 40 bookings' triggers, then started again: every
// trigger that failed did so with ErrUnavailable, ErrOutcomeUnknown or
// the context's error; after the restart every booking's trigger
// succeeds, and each booking has exactly one shared key.
func TestFleetRedisKilledMidRunHavr(t *testing.T) {
	t.Parallel()
	redis := redistest.StartOwn(t, true)
	srv := havrtest.NewServer()
	t.Cleanup(srv.Close)
	acct := havrAccount(t, srv)
	replicas := make([]access.Granter, fleetSize)
	var conns []*goredis.Client
	for i := range replicas {
		conn := noRetries(t, redis)
		conns = append(conns, conn)
		c := havrReplica(t, srv, replica(t, conn, acct, redisstore.WithLeaseTTL(outageLeaseTTL)))
		if _, err := c.ListDoors(context.Background()); err != nil {
			t.Fatal(err)
		}
		replicas[i] = c
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*generous)
	defer cancel()
	keys := bookingKeys(40)
	book := havrBookings(tomorrow())
	errs := outage(ctx, t, redis, replicas, keys, book, func(f fakeserver.Fault) {
		f.Path, f.Method = havrCreateLink, "POST"
		srv.Inject(f)
	}, 10)
	checkOutageErrors(t, errs)

	redis.Restart()
	reconnected(ctx, t, conns)
	for i, key := range keys {
		err := afterPendingTurns(ctx, t, func() error {
			_, _, err := access.EnsureGrant(ctx, replicas[i%fleetSize], book(key))
			return err
		})
		if err != nil {
			t.Errorf("after the restart, %s: %v", key, err)
		}
	}
	for _, key := range keys {
		if n := havrKeysFor(srv, key); n != 1 {
			t.Errorf("%s has %d live shared keys, want 1", key, n)
		}
	}
}

// The same for resivo, whose grant keys live in Redis alone. A create that
// resivo made while Redis was down cannot be recorded: its key stays
// pending and its trigger fails with ErrOutcomeUnknown, and so does every
// trigger after the restart (resivo.PendingKeyError) until the key is
// resolved from what the resivo portal shows (ResolveKey); no trigger
// makes a second authorization. Once resolved, every booking's trigger
// succeeds and each booking has exactly one live authorization.
func TestFleetRedisKilledMidRunResivo(t *testing.T) {
	t.Parallel()
	redis := redistest.StartOwn(t, true)
	srv := resivotest.NewServer()
	t.Cleanup(srv.Close)
	acct := redisstore.Account{Vendor: "resivo", Name: redistest.Name(t), BaseURL: srv.URL, ClientID: resivotest.ClientID}
	clients := make([]*resivo.Client, fleetSize)
	replicas := make([]access.Granter, fleetSize)
	var conns []*goredis.Client
	for i := range replicas {
		conn := noRetries(t, redis)
		conns = append(conns, conn)
		store := replica(t, conn, acct, redisstore.WithLeaseTTL(outageLeaseTTL))
		c, err := resivo.New(resivo.WithBaseURL(srv.URL), resivo.WithHTTPClient(srv.Client()),
			resivo.WithClientCredentials(resivotest.ClientID, resivotest.ClientSecret),
			resivo.WithSites(resivotest.SiteID), resivo.WithKeyStore(store), resivo.WithLocker(store),
			resivo.WithTokenStore(store))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.ListDoors(context.Background()); err != nil {
			t.Fatal(err)
		}
		clients[i], replicas[i] = c, c
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*generous)
	defer cancel()
	keys := bookingKeys(40)
	request := func(key string) access.GrantRequest {
		start := time.Now().Add(24 * time.Hour).Truncate(time.Second)
		return access.GrantRequest{Key: key, DoorIDs: []string{resivotest.SiteID + "/" + resivotest.MainEntranceID},
			Holder: access.Person{Name: "Grace Hopper", Email: "grace@example.com"},
			Window: access.Window{Start: start, End: start.Add(2 * time.Hour)}}
	}
	errs := outage(ctx, t, redis, replicas, keys, request, func(f fakeserver.Fault) {
		f.Path, f.Method = "/"+resivotest.SiteID+"/authorizations/remote-access", "POST"
		srv.Inject(f)
	}, 10)
	checkOutageErrors(t, errs)
	live := func(key string) []resivotest.Authorization {
		var out []resivotest.Authorization
		for _, a := range srv.Authorizations() {
			if !a.Revoked && strings.HasPrefix(a.DisplayName, "["+key+"]") {
				out = append(out, a)
			}
		}
		return out
	}

	redis.Restart()
	reconnected(ctx, t, conns)
	creates := srv.Count("POST", "/"+resivotest.SiteID+"/authorizations/remote-access")
	pending := 0
	for i, key := range keys {
		c := clients[i%fleetSize]
		err := afterPendingTurns(ctx, t, func() error {
			_, _, err := access.EnsureGrant(ctx, c, request(key))
			return err
		})
		var pk *resivo.PendingKeyError
		if !errors.As(err, &pk) {
			if err != nil {
				t.Errorf("after the restart, %s: %v", key, err)
			}
			continue
		}
		// What an operator does: look in the portal, record what is there.
		pending++
		found := live(key)
		id := ""
		if len(found) == 1 {
			id = resivotest.SiteID + "/" + found[0].ID
		}
		if err := c.ResolveKey(ctx, key, id); err != nil {
			t.Fatal(err)
		}
		if _, _, err := access.EnsureGrant(ctx, c, request(key)); err != nil {
			t.Errorf("after resolving, %s: %v", key, err)
		}
	}
	t.Logf("%d keys were left pending by the outage", pending)
	made := srv.Count("POST", "/"+resivotest.SiteID+"/authorizations/remote-access") - creates
	for _, key := range keys {
		if n := len(live(key)); n != 1 {
			t.Errorf("%s has %d live authorizations, want 1", key, n)
		}
	}
	if made > len(keys) {
		t.Errorf("%d creates after the restart for %d keys", made, len(keys))
	}
}

// Redis restarted WITHOUT persistence comes back empty: every replica
// detects the loss (the key store's epoch is gone) and takes no key as
// absent. EnsureGrant and EnsureRevokedByKey fail with ErrUnavailable,
// not ErrOutcomeUnknown, before anything is sent to resivo; a replica
// started after the loss, made WithExplicitInit as every replica of this
// fleet, refuses too (ErrNotInitialized) until Reinitialize.
func TestFleetRedisRestartWithoutPersistence(t *testing.T) {
	t.Parallel()
	redis := redistest.StartOwn(t, false)
	srv := resivotest.NewServer()
	t.Cleanup(srv.Close)
	acct := redisstore.Account{Vendor: "resivo", Name: redistest.Name(t), BaseURL: srv.URL, ClientID: resivotest.ClientID}
	var conns []*goredis.Client
	newReplica := func() *resivo.Client {
		conn := noRetries(t, redis)
		conns = append(conns, conn)
		store := replica(t, conn, acct, redisstore.WithExplicitInit())
		c, err := resivo.New(resivo.WithBaseURL(srv.URL), resivo.WithHTTPClient(srv.Client()),
			resivo.WithClientCredentials(resivotest.ClientID, resivotest.ClientSecret),
			resivo.WithSites(resivotest.SiteID), resivo.WithKeyStore(store), resivo.WithLocker(store))
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	ctx, cancel := context.WithTimeout(context.Background(), generous)
	defer cancel()
	init := replica(t, redis.Client(), acct, redisstore.WithExplicitInit())
	if err := init.Reinitialize(ctx); err != nil {
		t.Fatal(err)
	}
	fleet := make([]*resivo.Client, fleetSize)
	for i := range fleet {
		fleet[i] = newReplica()
	}
	keys := bookingKeys(8)
	start := time.Now().Add(24 * time.Hour).Truncate(time.Second)
	request := func(key string) access.GrantRequest {
		return access.GrantRequest{Key: key, DoorIDs: []string{resivotest.SiteID + "/" + resivotest.MainEntranceID},
			Holder: access.Person{Name: "Grace Hopper", Email: "grace@example.com"},
			Window: access.Window{Start: start, End: start.Add(2 * time.Hour)}}
	}
	for i, key := range keys {
		if _, _, err := access.EnsureGrant(ctx, fleet[i%fleetSize], request(key)); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range fleet { // every replica has seen the epoch
		for _, err := range c.ListGrants(ctx, access.GrantFilter{Key: keys[0]}) {
			if err != nil {
				t.Fatal(err)
			}
		}
	}

	redis.Restart() // empty: no AOF, no snapshot
	reconnected(ctx, t, conns)
	late := newReplica()
	sent := len(srv.Requests())
	for i, c := range append(fleet, late) {
		key := keys[i%len(keys)]
		_, _, err := access.EnsureGrant(ctx, c, request(key))
		if !errors.Is(err, access.ErrUnavailable) || errors.Is(err, access.ErrOutcomeUnknown) {
			t.Errorf("replica %d: EnsureGrant(%s) after the loss = %v, want ErrUnavailable", i, key, err)
		}
		err = access.EnsureRevokedByKey(ctx, c, key)
		if !errors.Is(err, access.ErrUnavailable) || errors.Is(err, access.ErrOutcomeUnknown) {
			t.Errorf("replica %d: EnsureRevokedByKey(%s) after the loss = %v, want ErrUnavailable", i, key, err)
		}
		want := redisstore.ErrDataLost
		if c == late {
			want = redisstore.ErrNotInitialized
		}
		if !errors.Is(err, want) {
			t.Errorf("replica %d: %v, want %v", i, err, want)
		}
	}
	if n := len(srv.Requests()) - sent; n != 0 {
		t.Errorf("%d requests reached resivo after the loss, want 0", n)
	}
	live := 0
	for _, a := range srv.Authorizations() {
		if !a.Revoked {
			live++
		}
	}
	if live != len(keys) {
		t.Errorf("%d live authorizations, want %d: one per booking, none revoked or added", live, len(keys))
	}
}
