package redisstore_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/august"
	"github.com/doorkit/doorkit/august/augusttest"
	"github.com/doorkit/doorkit/havr"
	"github.com/doorkit/doorkit/havr/havrtest"
	"github.com/doorkit/doorkit/internal/redistest"
	"github.com/doorkit/doorkit/primis"
	"github.com/doorkit/doorkit/primis/primistest"
	"github.com/doorkit/doorkit/redisstore"
	"github.com/redis/go-redis/v9"
)

// The fleet tests: four replicas of one vendor account, each its own
// client, its own Store and its own Redis connection, against one vendor
// fake. They share nothing but Redis (issue 13's replica scenarios; resivo's
// are in scenario_test.go).

const fleetSize = 4

// pooledTransport is a fake's TLS transport with a pool sized for many
// goroutines, so tests measure tokens and turns, not handshakes.
func pooledTransport(c *http.Client) *http.Transport {
	t := c.Transport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = 64
	return t
}

// havrReplica is one Havr replica: its own client on its own Store.
func havrReplica(t testing.TB, srv *havrtest.Server, store *redisstore.Store, opts ...havr.Option) *havr.Client {
	t.Helper()
	c, err := havr.New(append([]havr.Option{havr.WithBaseURL(srv.URL),
		havr.WithHTTPClient(&http.Client{Transport: pooledTransport(srv.Client())}),
		havr.WithPassword(havrtest.OwnerEmail, havrtest.OwnerPassword),
		havr.WithRetry(3, time.Millisecond, 4*time.Millisecond),
		havr.WithTokenStore(store), havr.WithLocker(store)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// havrFleet starts a Havr fake and a redis-server, and returns fleetSize
// replicas of one account sharing the server's state in Redis.
func havrFleet(t testing.TB) (*havrtest.Server, []*havr.Client) {
	rdb := redistest.Start(t)
	srv := havrtest.NewServer()
	t.Cleanup(srv.Close)
	acct := havrAccount(t, srv)
	fleet := make([]*havr.Client, fleetSize)
	for i := range fleet {
		fleet[i] = havrReplica(t, srv, replica(t, rdb.Client(), acct))
	}
	return srv, fleet
}

func havrAccount(t testing.TB, srv *havrtest.Server) redisstore.Account {
	return redisstore.Account{Vendor: "havr", Name: redistest.Name(t), BaseURL: srv.URL, ClientID: havrtest.OwnerEmail}
}

// havrBookings returns a visitor's booking with a key on the Havr front
// door, starting at start (computed once per test, so that every trigger
// asks for the same window).
func havrBookings(start time.Time) func(key string) access.GrantRequest {
	return func(key string) access.GrantRequest { return havrBooking(start, key) }
}

func havrBooking(start time.Time, key string) access.GrantRequest {
	return access.GrantRequest{Key: key, DoorIDs: []string{strconv.Itoa(havrtest.FrontDoorID)},
		Holder: access.Person{Name: "Grace Hopper", Email: "grace@example.com"},
		Window: access.Window{Start: start, End: start.Add(2 * time.Hour)}}
}

const havrCreateLink = "/v1/shared_keys/create_with_link"

// havrKeysFor returns the fake's live shared keys whose note carries key.
func havrKeysFor(srv *havrtest.Server, key string) int {
	n := 0
	for _, k := range srv.SharedKeys() {
		if len(k.Note) >= len(key)+2 && k.Note[:len(key)+2] == "["+key+"]" {
			n++
		}
	}
	return n
}

// Primis: four replicas sharing the account's tokens through Redis log in
// once, so the fleet holds one registration (one licence), and renew once
// per expiry.
func TestFleetPrimisOneLogin(t *testing.T) {
	t.Parallel()
	rdb := redistest.Start(t)
	srv := primistest.NewServer()
	t.Cleanup(srv.Close)
	acct := redisstore.Account{Vendor: "primis", Name: redistest.Name(t), BaseURL: srv.URL, ClientID: primistest.UserEmail}
	fleet := make([]*primis.Client, fleetSize)
	for i := range fleet {
		c, err := primis.New(primis.WithBaseURL(srv.URL),
			primis.WithHTTPClient(&http.Client{Transport: pooledTransport(srv.Client())}),
			primis.WithPassword(primistest.UserEmail, primistest.UserPassword), primis.WithPhoneID("phone-fleet"),
			primis.WithRetry(3, time.Millisecond, 4*time.Millisecond),
			primis.WithTokenStore(replica(t, rdb.Client(), acct)))
		if err != nil {
			t.Fatal(err)
		}
		fleet[i] = c
	}
	ctx, cancel := context.WithTimeout(context.Background(), generous)
	defer cancel()
	calls := func() int32 {
		var failed atomic.Int32
		var wg sync.WaitGroup
		for _, c := range fleet {
			for range 16 {
				wg.Go(func() {
					for range 5 {
						if _, err := c.ListDoors(ctx); err != nil {
							t.Log(err)
							failed.Add(1)
						}
					}
				})
			}
		}
		wg.Wait()
		return failed.Load()
	}
	if n := calls(); n != 0 {
		t.Fatalf("%d calls failed", n)
	}
	if n := srv.Count("POST", "/api/mobile/login"); n != 1 {
		t.Errorf("%d logins for the fleet, want 1", n)
	}
	if phones := srv.Phones(); len(phones) != 1 {
		t.Errorf("registered phones %v, want one (one licence)", phones)
	}
	srv.ExpireAccessTokens()
	if n := calls(); n != 0 {
		t.Fatalf("%d calls failed after the expiry", n)
	}
	if n := srv.Count("POST", "/api/mobile/access_token"); n != 1 {
		t.Errorf("%d renewals for the fleet, want 1", n)
	}
	if n := srv.Count("POST", "/api/mobile/login"); n != 1 {
		t.Errorf("%d logins after the expiry, want still 1", n)
	}
}

// augustReplica is one August replica on its own Store. Its callback
// records the access tokens it is given.
type augustReplica struct {
	c     *august.Client
	mu    sync.Mutex
	given []string
}

func (r *augustReplica) first(t *testing.T) string {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.given) == 0 {
		t.Fatal("the replica was given no token")
	}
	return r.given[0]
}

func newAugustReplica(t *testing.T, srv *augusttest.Server, store *redisstore.Store, opts ...august.Option) *augustReplica {
	t.Helper()
	r := &augustReplica{}
	c, err := august.New(append([]august.Option{
		august.WithBaseURL(srv.URL), august.WithAuthURL(srv.URL),
		august.WithHTTPClient(&http.Client{Transport: pooledTransport(srv.Client())}),
		august.WithAPIKey(augusttest.APIKey), august.WithRetry(0, 0, 0),
		august.WithTokenStore(store), august.WithLocker(store),
		august.WithTokenCallback(func(tok august.Tokens) {
			r.mu.Lock()
			r.given = append(r.given, tok.AccessToken.Reveal())
			r.mu.Unlock()
		}),
	}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	r.c = c
	return r
}

func (r *augustReplica) call(t *testing.T) {
	t.Helper()
	if _, _, err := r.c.Houses.List(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
}

// storedAugustToken is the access token the account's Store holds.
func storedAugustToken(t *testing.T, s *redisstore.Store) string {
	t.Helper()
	raw, err := s.LoadToken(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if raw == nil {
		return ""
	}
	var tok august.Tokens
	if err := json.Unmarshal(raw, &tok); err != nil {
		t.Fatal(err)
	}
	return tok.AccessToken.Reveal()
}

func augustAccount(t testing.TB, srv *augusttest.Server) redisstore.Account {
	return redisstore.Account{Vendor: "august", Name: redistest.Name(t), BaseURL: srv.URL, ClientID: augusttest.APIKey}
}

// August: a token rotated on one replica reaches the fleet through Redis,
// and the newest by the token's own claims wins, not the last saved: a
// replica started from an older token adopts the stored newer one, and
// a replica that saves an older token after a newer one is stored cannot
// replace it.
func TestFleetAugustRotatedTokenAdopted(t *testing.T) {
	t.Parallel()
	rdb := redistest.Start(t)
	srv := augusttest.NewServer()
	t.Cleanup(srv.Close)
	base := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	srv.SetClock(func() time.Time { return base })
	acct := augustAccount(t, srv)
	store := func() *redisstore.Store { return replica(t, rdb.Client(), acct) }

	first := srv.NewToken(augusttest.OwnerID)
	a := newAugustReplica(t, srv, store(), august.WithTokens(first, ""))
	a.call(t)
	observer := store()
	if got := storedAugustToken(t, observer); got != first {
		t.Fatalf("stored token is not the first replica's")
	}
	srv.Advance(august.TokenShareInterval)
	a.call(t) // August rotates the token on its answer
	rotated := a.c.Tokens().AccessToken.Reveal()
	if rotated == first {
		t.Fatal("the fake did not rotate the token")
	}
	if got := storedAugustToken(t, observer); got != rotated {
		t.Fatal("the rotated token was not saved")
	}

	fleet := []*augustReplica{
		newAugustReplica(t, srv, store()),
		newAugustReplica(t, srv, store(), august.WithTokens(first, "")),
		newAugustReplica(t, srv, store(), august.WithTokens(first, "")),
	}
	for _, r := range fleet {
		r.call(t)
		if r.first(t) != rotated {
			t.Error("a replica did not start from the newest stored token")
		}
	}
	if got := storedAugustToken(t, observer); got != rotated {
		t.Error("an older token replaced the newest stored one")
	}
	// A replica holding a newer token (issued later) replaces the stored
	// one; the others adopt it after their own token is refused.
	srv.Advance(10 * time.Minute)
	newer := srv.NewToken(augusttest.OwnerID)
	newAugustReplica(t, srv, store(), august.WithTokens(newer, "")).call(t)
	if got := storedAugustToken(t, observer); got != newer {
		t.Error("a newer token did not replace the stored older one")
	}
}

// Twenty triggers of one booking spread over four Havr replicas, all at
// once: the replicas take the key's turn in Redis, so exactly one shared
// key is made; the others find it.
func TestFleetHavrOneGrantPerBooking(t *testing.T) {
	t.Parallel()
	srv, fleet := havrFleet(t)
	ctx, cancel := context.WithTimeout(context.Background(), generous)
	defer cancel()
	// Every replica holds a token first, so the triggers race for the turn,
	// not for the login.
	for _, c := range fleet {
		if _, err := c.ListDoors(ctx); err != nil {
			t.Fatal(err)
		}
	}
	req := havrBooking(tomorrow(), "BK-1")
	outcomes := triggers(ctx, t, 20, func(i int) (access.EnsureOutcome, error) {
		_, o, err := access.EnsureGrant(ctx, fleet[i%fleetSize], req)
		return o, err
	})
	if n := srv.Count("POST", havrCreateLink); n != 1 {
		t.Errorf("20 triggers over %d replicas sent %d creates, want 1", fleetSize, n)
	}
	if n := havrKeysFor(srv, "BK-1"); n != 1 {
		t.Errorf("%d live shared keys carry the booking, want 1", n)
	}
	if outcomes[access.EnsureCreated] != 1 || outcomes[access.EnsureUnchanged] != 19 {
		t.Errorf("outcomes %v, want 1 created and 19 unchanged", outcomes)
	}
}

// The same for August: twenty triggers over four replicas load one PIN.
func TestFleetAugustOneGrantPerBooking(t *testing.T) {
	t.Parallel()
	rdb := redistest.Start(t)
	srv := augusttest.NewServer()
	t.Cleanup(srv.Close)
	// August calls the webhook with every PIN result; here nobody listens.
	srv.SetWebhookClient(&http.Client{Transport: acceptAll{}})
	acct := augustAccount(t, srv)
	token := srv.NewToken(augusttest.OwnerID)
	fleet := make([]*augustReplica, fleetSize)
	for i := range fleet {
		fleet[i] = newAugustReplica(t, srv, replica(t, rdb.Client(), acct),
			august.WithTokens(token, ""), august.WithWebhook("https://partner.example.com/august/events", nil))
	}
	ctx, cancel := context.WithTimeout(context.Background(), generous)
	defer cancel()
	start := time.Now().Add(24 * time.Hour).Truncate(time.Second)
	req := access.GrantRequest{Key: "BK-1", DoorIDs: []string{augusttest.FrontDoorID},
		Holder: access.Person{Name: "Ada Lovelace", Email: "ada@example.com"},
		Window: access.Window{Start: start, End: start.Add(2 * time.Hour)}, Credential: access.CredentialPIN, PIN: "482913"}
	outcomes := triggers(ctx, t, 20, func(i int) (access.EnsureOutcome, error) {
		_, o, err := access.EnsureGrant(ctx, fleet[i%fleetSize].c, req)
		return o, err
	})
	if n := srv.CountPINCommands("load"); n != 1 {
		t.Errorf("20 triggers over %d replicas sent %d PIN loads, want 1", fleetSize, n)
	}
	if n := len(srv.SubUsers()); n != 1 {
		t.Errorf("%d grant sub-users made, want 1", n)
	}
	if outcomes[access.EnsureCreated] != 1 || outcomes[access.EnsureUnchanged] != 19 {
		t.Errorf("outcomes %v, want 1 created and 19 unchanged", outcomes)
	}
}

// triggers runs n triggers at once and counts their outcomes; a failed
// trigger fails the test.
func triggers(ctx context.Context, t *testing.T, n int, trigger func(i int) (access.EnsureOutcome, error)) map[access.EnsureOutcome]int {
	t.Helper()
	var mu sync.Mutex
	outcomes := map[access.EnsureOutcome]int{}
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			o, err := trigger(i)
			if err != nil {
				t.Errorf("trigger %d: %v", i, err)
				return
			}
			mu.Lock()
			outcomes[o]++
			mu.Unlock()
		})
	}
	wg.Wait()
	return outcomes
}

// acceptAll answers every request 200: a webhook receiver that drops what
// it is told.
type acceptAll struct{}

func (acceptAll) RoundTrip(r *http.Request) (*http.Response, error) {
	rec := httptest.NewRecorder()
	rec.WriteHeader(http.StatusOK)
	return rec.Result(), nil
}

// A replica that dies while it holds a booking's turn, its create held at
// Havr, never releasing the lease (as a crashed process does). Its lease
// runs out, but the turn stays pending (access.PendingLease) for a lease
// TTL more: the next replica is refused with a *PendingKeyError naming
// when, and sends nothing. After that it proceeds: when Havr dropped the
// dead replica's create it makes the one grant; when Havr acted on it
// late, after the lease ran out (vendors ignore fences), it finds that
// grant and makes none. Without the pending turn the second case made two.
// A replica whose caller gives up mid-create (its context ends) releases
// its turn but leaves it pending just the same: its create's outcome is
// unknown.
func TestFleetHolderDiesMidCreate(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		lands   bool // Havr performs the dead replica's create after its lease ran out
		outcome access.EnsureOutcome
		creates int
		// The replica lives on: only its caller gives up, so it releases
		// its turn, which stays pending for its create of unknown outcome.
		cancelled bool
	}{
		{"create dropped", false, access.EnsureCreated, 2, false},
		{"create lands late", true, access.EnsureUnchanged, 1, false},
		{"caller cancels, create lands late", true, access.EnsureUnchanged, 1, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rdb := redistest.Start(t)
			srv := havrtest.NewServer()
			t.Cleanup(srv.Close)
			acct := havrAccount(t, srv)
			// The dying replica's lease is short, so the test waits
			// little for it and its pending mark to lapse, and long
			// enough that a replica starved of CPU (the race detector)
			// still renews it until it dies.
			dyingRedis := rdb.Client()
			dyingStore := replica(t, dyingRedis, acct, redisstore.WithLeaseTTL(time.Second))
			dying := havrReplica(t, srv, dyingStore)
			nextStore := replica(t, rdb.Client(), acct)
			next := havrReplica(t, srv, nextStore)
			ctx, cancel := context.WithTimeout(context.Background(), generous)
			defer cancel()

			held := make(chan havrtest.Request, 1)
			land := make(chan struct{})
			srv.Inject(havrtest.Fault{Path: havrCreateLink, Method: "POST", Count: 1, Held: held, Hold: land, Detached: tc.lands})
			req := havrBooking(tomorrow(), "BK-1")
			dyingCtx, die := context.WithCancel(ctx)
			done := make(chan error, 1)
			go func() { _, _, err := access.EnsureGrant(dyingCtx, dying, req); done <- err }()
			select {
			case <-held: // the dying replica holds the turn and its create is at Havr
			case <-ctx.Done():
				t.Fatal("the first create never reached the fake")
			}
			// The process dies: its Redis connection goes first (so its
			// lease is neither renewed nor released), then its work.
			if !tc.cancelled {
				_ = dyingRedis.Close()
			}
			die()
			if err := <-done; !documentedFailure(err) {
				t.Errorf("the dying replica's EnsureGrant = %v, want a documented failure", err)
			}
			leaseKey := nextStore.Prefix() + ":lock:key:BK-1"
			if n, err := rdb.Client().Exists(ctx, leaseKey).Result(); err != nil || n != 1 && !tc.cancelled {
				t.Fatalf("the dead holder's lease is gone before it ran out (%d, %v): the test shows nothing", n, err)
			}

			// The next replica's first try waits out the lease, then is
			// refused: the dead holder's create may still land.
			sent := len(srv.Requests())
			_, _, err := access.EnsureGrant(ctx, next, req)
			var pk *access.PendingKeyError
			if !errors.As(err, &pk) || pk.Until.IsZero() || !errors.Is(err, access.ErrOutcomeUnknown) {
				t.Fatalf("the next replica's first try = %v, want a pending turn (PendingKeyError with Until)", err)
			}
			if n := len(srv.Requests()) - sent; n != 0 {
				t.Errorf("the refused try sent %d requests, want 0", n)
			}
			if n, err := rdb.Client().Exists(ctx, leaseKey).Result(); err != nil || n != 0 {
				t.Fatalf("the dead holder's lease is still there (%d, %v): the refusal came before it ran out", n, err)
			}
			close(land) // Havr acts on the dead replica's create now, or drops it
			if tc.lands {
				for havrKeysFor(srv, "BK-1") == 0 {
					select {
					case <-ctx.Done():
						t.Fatal("the late create never landed")
					case <-time.After(10 * time.Millisecond):
					}
				}
			}

			var outcome access.EnsureOutcome
			err = afterPendingTurns(ctx, t, func() (err error) {
				_, outcome, err = access.EnsureGrant(ctx, next, req)
				return err
			})
			if err != nil || outcome != tc.outcome {
				t.Fatalf("the next replica after the mark: %v, %v; want %v", outcome, err, tc.outcome)
			}
			if n := havrKeysFor(srv, "BK-1"); n != 1 {
				t.Errorf("%d live shared keys carry the booking, want 1", n)
			}
			if n := srv.Count("POST", havrCreateLink); n != tc.creates {
				t.Errorf("%d creates reached Havr, want %d", n, tc.creates)
			}
		})
	}
}

// tomorrow is a booking's start: this time tomorrow, to the minute.
func tomorrow() time.Time { return time.Now().Add(24 * time.Hour).Truncate(time.Minute) }

// documentedFailure reports whether err is in one of the classes a caller
// is told to expect from a fleet on Redis: ErrUnavailable (ErrOutcomeUnknown
// included) or the context's own error.
func documentedFailure(err error) bool {
	return err != nil && (errors.Is(err, access.ErrUnavailable) ||
		errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded))
}

// noRetries is a replica's Redis client that fails fast when Redis is
// down: one attempt per command, no dial retries.
func noRetries(t testing.TB, s *redistest.Server) *redis.Client {
	t.Helper()
	opt, err := redis.ParseURL(s.URL)
	if err != nil {
		t.Fatal(err)
	}
	opt.MaxRetries = -1
	opt.DialerRetries = 1
	opt.DialTimeout = time.Second
	c := redis.NewClient(opt)
	t.Cleanup(func() { _ = c.Close() })
	return c
}
