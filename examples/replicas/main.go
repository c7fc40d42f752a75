// Command replicas runs a booking integration as several replicas, the way
// it runs behind a load balancer, in one program: each replica has its own
// vendor clients, its own redisstore.Store per vendor account and its own
// Redis connection, so the replicas share nothing but Redis. Against
// doorkit's in-memory Havr and resivo, each limited to 200 requests a
// second with bursts of 10, it delivers every booking's trigger to two
// replicas at once, expires every access token halfway, then cancels some
// bookings (each cancellation on two replicas at once) while the others'
// triggers come again. It prints what each replica did (triggers, grants,
// token requests, answers 429) and what the vendors hold: one grant per
// live booking and one token request per account and expiry.
//
// Through Redis the replicas take per-key turns (two replicas with one
// booking's trigger cannot both create), share each account's tokens (one
// refresh for the fleet; Havr's refresh tokens are single-use), draw from
// one rate budget per account, and keep resivo's grant keys, which resivo
// cannot list.
//
//	go run ./examples/replicas                  # redis-server from PATH, started for the run
//	go run ./examples/replicas -replicas 8 -bookings 100
//	DOORKIT_REDIS_URL=redis://localhost:6379/15 go run ./examples/replicas
//
// With DOORKIT_REDIS_URL it uses that Redis (use a database of its own) and
// removes what the run stored there at the end; otherwise it starts
// redis-server from PATH on a Unix socket in a temporary directory and
// stops it at the end. It exits with status 1 when a vendor holds other
// than one grant per live booking, or saw other than one token request per
// account and expiry.
package main

import (
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"text/tabwriter"
	"time"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/havr"
	"github.com/doorkit/doorkit/havr/havrtest"
	"github.com/doorkit/doorkit/redisstore"
	"github.com/doorkit/doorkit/resivo"
	"github.com/doorkit/doorkit/resivo/resivotest"
	"github.com/redis/go-redis/v9"
)

func main() {
	var o options
	flag.IntVar(&o.replicas, "replicas", 4, "how many replicas to run")
	flag.IntVar(&o.bookings, "bookings", 40, "how many bookings (half on Havr, half on resivo)")
	flag.Parse()
	o.redisURL = os.Getenv("DOORKIT_REDIS_URL")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := run(ctx, os.Stdout, o); err != nil {
		log.Print(err)
		os.Exit(1)
	}
}

type options struct {
	redisURL string // "" starts redis-server from PATH
	replicas int
	bookings int
}

// The vendors' limit, which the budget each account's replicas share is
// given as it is (the budget spends half the burst, leaving the rest to
// absorb the jitter between the budget and the vendor).
const (
	vendorRate  = 200
	vendorBurst = 10
)

// replica is one replica: its clients, and what it saw.
type replica struct {
	n      int
	havr   *havr.Client
	resivo *resivo.Client
	stats  stats
}

type stats struct {
	triggers, created, unchanged, revoked atomic.Int32
	tokenRequests, throttled              atomic.Int32
}

func run(ctx context.Context, out io.Writer, o options) error {
	if o.replicas < 2 || o.bookings < 2 {
		return errors.New("replicas: run at least 2 replicas and 2 bookings")
	}
	addr, stopRedis, err := redisFor(ctx, o.redisURL)
	if err != nil {
		return err
	}
	defer stopRedis()
	redisOpt, err := redis.ParseURL(addr)
	if err != nil {
		return err
	}
	where := "started for this run"
	if o.redisURL != "" {
		where = "DOORKIT_REDIS_URL"
	}
	fmt.Fprintf(out, "%d replicas share one Redis (%s), and nothing else.\n", o.replicas, where)

	havrSrv := havrtest.NewServer()
	defer havrSrv.Close()
	resivoSrv := resivotest.NewServer()
	defer resivoSrv.Close()
	havrSrv.SetRateLimit(vendorRate, vendorBurst)
	resivoSrv.SetRateLimit(vendorRate, vendorBurst)
	// Account names of this run's own, so that a shared Redis keeps runs
	// apart.
	name := "replicas-example-" + strings.ToLower(rand.Text()[:8])
	havrAccount := redisstore.Account{Vendor: "havr", Name: name, BaseURL: havrSrv.URL, ClientID: havrtest.OwnerEmail}
	resivoAccount := redisstore.Account{Vendor: "resivo", Name: name, BaseURL: resivoSrv.URL, ClientID: resivotest.ClientID}

	fleet := make([]*replica, o.replicas)
	var stores []*redisstore.Store
	for i := range fleet {
		r := &replica{n: i + 1}
		// One Redis connection per replica; one Store per account.
		rdb := redis.NewClient(redisOpt)
		defer rdb.Close()
		havrStore, err := redisstore.New(rdb, havrAccount)
		if err != nil {
			return err
		}
		resivoStore, err := redisstore.New(rdb, resivoAccount)
		if err != nil {
			return err
		}
		stores = append(stores, havrStore, resivoStore)
		havrBudget, err := havrStore.Budget(vendorRate, vendorBurst)
		if err != nil {
			return err
		}
		resivoBudget, err := resivoStore.Budget(vendorRate, vendorBurst)
		if err != nil {
			return err
		}
		r.havr, err = havr.New(havr.WithBaseURL(havrSrv.URL), havr.WithHTTPClient(r.counting(havrSrv.Client(), "/oauth/v1/token")),
			havr.WithPassword(havrtest.OwnerEmail, havrtest.OwnerPassword),
			havr.WithTokenStore(havrStore), havr.WithLocker(havrStore), havr.WithRateBudget(havrBudget))
		if err != nil {
			return err
		}
		r.resivo, err = resivo.New(resivo.WithBaseURL(resivoSrv.URL), resivo.WithHTTPClient(r.counting(resivoSrv.Client(), "/oauth2/token")),
			resivo.WithClientCredentials(resivotest.ClientID, resivotest.ClientSecret), resivo.WithSites(resivotest.SiteID),
			resivo.WithTokenStore(resivoStore), resivo.WithLocker(resivoStore), resivo.WithKeyStore(resivoStore),
			resivo.WithRateBudget(resivoBudget))
		if err != nil {
			return err
		}
		fleet[i] = r
	}
	if o.redisURL != "" {
		defer removeRunState(stores, redisOpt)
	}

	bookings := makeBookings(o.bookings)
	trigger := func(r *replica, b booking) error {
		r.stats.triggers.Add(1)
		_, outcome, err := access.EnsureGrant(ctx, r.granter(b), b.req)
		if err != nil {
			return fmt.Errorf("replica %d, %s: %w", r.n, b.req.Key, err)
		}
		switch outcome {
		case access.EnsureCreated:
			r.stats.created.Add(1)
		case access.EnsureUnchanged:
			r.stats.unchanged.Add(1)
		}
		return nil
	}
	// Wave 1: every booking's trigger reaches two replicas at once.
	fmt.Fprintf(out, "Wave 1: %d bookings (half on Havr, half on resivo), each trigger delivered to two replicas at once.\n", len(bookings))
	if err := all(len(bookings)*2, func(i int) error {
		b := bookings[i/2]
		return trigger(fleet[(i/2+i%2)%len(fleet)], b)
	}); err != nil {
		return err
	}
	fmt.Fprintln(out, "Every access token expires at both vendors.")
	havrSrv.ExpireAccessTokens()
	resivoSrv.ExpireAccessTokens()
	// Wave 2: a quarter of the bookings are cancelled, by key, each
	// cancellation delivered to two replicas at once; the others' trigger
	// comes once more, on a third replica.
	cancelled := len(bookings) / 4
	fmt.Fprintf(out, "Wave 2: %d bookings cancelled by key (each cancellation delivered to two replicas at once), the others' trigger delivered again.\n\n", cancelled)
	if err := all(len(bookings)+cancelled, func(i int) error {
		if i >= 2*cancelled {
			return trigger(fleet[(i+2)%len(fleet)], bookings[i-cancelled])
		}
		b := bookings[i/2]
		r := fleet[(i/2+2+i%2)%len(fleet)]
		r.stats.triggers.Add(1)
		if err := access.EnsureRevokedByKey(ctx, r.granter(b), b.req.Key); err != nil {
			return fmt.Errorf("replica %d, cancelling %s: %w", r.n, b.req.Key, err)
		}
		r.stats.revoked.Add(1)
		return nil
	}); err != nil {
		return err
	}

	report(out, fleet)
	return checkVendors(out, bookings, cancelled, havrSrv, resivoSrv)
}

// booking is one booking of the run and the vendor that holds its door.
type booking struct {
	req    access.GrantRequest
	onHavr bool
}

func makeBookings(n int) []booking {
	start := time.Now().Add(24 * time.Hour).Truncate(time.Minute)
	out := make([]booking, n)
	for i := range out {
		b := booking{onHavr: i%2 == 0, req: access.GrantRequest{
			Key:    fmt.Sprintf("BK-%04d", i+1),
			Holder: access.Person{Name: "Guest " + strconv.Itoa(i+1), Email: fmt.Sprintf("guest%d@example.com", i+1)},
			Window: access.Window{Start: start.Add(time.Duration(i) * time.Hour), End: start.Add(time.Duration(i+2) * time.Hour)},
		}}
		if b.onHavr {
			b.req.DoorIDs = []string{strconv.Itoa(havrtest.FrontDoorID)}
		} else {
			b.req.DoorIDs = []string{resivotest.SiteID + "/" + resivotest.MainEntranceID}
		}
		out[i] = b
	}
	return out
}

func (r *replica) granter(b booking) access.Granter {
	if b.onHavr {
		return r.havr
	}
	return r.resivo
}

// all runs n calls of fn at once and returns their errors joined.
func all(n int, fn func(i int) error) error {
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { errs[i] = fn(i) })
	}
	wg.Wait()
	return errors.Join(errs...)
}

// counting wraps a vendor's HTTP client so that the replica counts its
// token requests and the answers 429 it gets.
func (r *replica) counting(c *http.Client, tokenPath string) *http.Client {
	t := c.Transport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = 64
	return &http.Client{Transport: countingTransport{next: t, tokenPath: tokenPath, s: &r.stats}}
}

type countingTransport struct {
	next      http.RoundTripper
	tokenPath string
	s         *stats
}

func (t countingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Path == t.tokenPath {
		t.s.tokenRequests.Add(1)
	}
	resp, err := t.next.RoundTrip(req)
	if err == nil && resp.StatusCode == http.StatusTooManyRequests {
		t.s.throttled.Add(1)
	}
	return resp, err
}

func report(out io.Writer, fleet []*replica) {
	w := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(w, "replica\ttriggers\tcreated\tunchanged\tcancelled\ttoken requests\tanswers 429\t")
	var total [6]int32
	for _, r := range fleet {
		row := [6]int32{r.stats.triggers.Load(), r.stats.created.Load(), r.stats.unchanged.Load(), r.stats.revoked.Load(),
			r.stats.tokenRequests.Load(), r.stats.throttled.Load()}
		fmt.Fprintf(w, "%d\t%d\t%d\t%d\t%d\t%d\t%d\t\n", r.n, row[0], row[1], row[2], row[3], row[4], row[5])
		for i := range row {
			total[i] += row[i]
		}
	}
	fmt.Fprintf(w, "fleet\t%d\t%d\t%d\t%d\t%d\t%d\t\n", total[0], total[1], total[2], total[3], total[4], total[5])
	_ = w.Flush()
	fmt.Fprintln(out)
}

// checkVendors prints what the vendors hold and fails when it is not one
// grant per live booking and one token request per account and expiry.
// Answers 429 are counted, not failed: the budget keeps them away, but a
// process stalled for longer than the vendor's slack (a loaded machine)
// sends what it held back at once.
func checkVendors(out io.Writer, bookings []booking, cancelled int, havrSrv *havrtest.Server, resivoSrv *resivotest.Server) error {
	var havrBookings, resivoBookings, havrLive, resivoLive int
	for i, b := range bookings {
		live := i >= cancelled
		switch {
		case b.onHavr:
			havrBookings++
			if live {
				havrLive++
			}
		default:
			resivoBookings++
			if live {
				resivoLive++
			}
		}
	}
	keys := len(havrSrv.SharedKeys())
	var authorizations, resivoLiveNow int
	for _, a := range resivoSrv.Authorizations() {
		authorizations++
		if !a.Revoked {
			resivoLiveNow++
		}
	}
	refreshes, reused := havrSrv.Refreshes()
	logins := havrSrv.Count("POST", "/oauth/v1/token") - refreshes
	resivoTokens := resivoSrv.Count("POST", "/oauth2/token")
	fmt.Fprintf(out, "Havr:   %d bookings, %d live: %d live shared keys; %d login and %d refresh for the fleet (%d refresh tokens reused); %d answers 429.\n",
		havrBookings, havrLive, keys, logins, refreshes, reused, havrSrv.Throttled())
	fmt.Fprintf(out, "resivo: %d bookings, %d live: %d authorizations made, %d live; %d token requests for the fleet; %d answers 429.\n",
		resivoBookings, resivoLive, authorizations, resivoLiveNow, resivoTokens, resivoSrv.Throttled())

	var problems []string
	if keys != havrLive {
		problems = append(problems, fmt.Sprintf("Havr holds %d shared keys for %d live bookings", keys, havrLive))
	}
	if authorizations != resivoBookings || resivoLiveNow != resivoLive {
		problems = append(problems, fmt.Sprintf("resivo made %d authorizations (%d live) for %d bookings (%d live)",
			authorizations, resivoLiveNow, resivoBookings, resivoLive))
	}
	if logins != 1 || refreshes != 1 || reused != 0 {
		problems = append(problems, fmt.Sprintf("Havr saw %d logins, %d refreshes, %d reused refresh tokens; want 1, 1, 0", logins, refreshes, reused))
	}
	if resivoTokens != 2 {
		problems = append(problems, fmt.Sprintf("resivo issued %d tokens, want 2 (one per expiry)", resivoTokens))
	}
	if len(problems) > 0 {
		return errors.New("replicas: " + strings.Join(problems, "; "))
	}
	fmt.Fprintln(out, "One grant per live booking, one token request per account and expiry.")
	return nil
}

// removeRunState deletes what the run kept in a Redis it did not start:
// the keys without a TTL (leases, fences and the budget expire by
// themselves).
func removeRunState(stores []*redisstore.Store, opt *redis.Options) {
	rdb := redis.NewClient(opt)
	defer rdb.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var keys []string
	for _, s := range stores {
		for _, k := range []string{"keys", "keyindex", "epoch", "applied", "token"} {
			keys = append(keys, s.Prefix()+":"+k)
		}
	}
	for _, k := range keys { // one key per command: on a Cluster the accounts' keys live on different slots
		_ = rdb.Del(ctx, k).Err()
	}
}
