package havr_test

import (
	"context"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/havr"
	"github.com/doorkit/doorkit/havr/havrtest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The rate-limit scenario of issue 15: 1,000 grants from 50 workers
// against a server allowing 200 requests a second with bursts of 10.
const (
	scenarioRate    = 200
	scenarioBurst   = 10
	scenarioGrants  = 1000
	scenarioWorkers = 50
)

var scenarioKey = havr.SharedKeyRequest{
	UserListIDs: []havr.ID{havrtest.MemberID},
	LockListIDs: []havr.ID{havrtest.GarageDoorID},
	StartDate:   havr.At(time.Date(2030, 1, 1, 9, 0, 0, 0, time.UTC)),
	EndDate:     havr.At(time.Date(2030, 1, 1, 17, 0, 0, 0, time.UTC)),
}

// grantScenario runs the scenario's grants through clients (spread over
// them in turn) against srv and returns the grants that failed.
func grantScenario(clients []*havr.Client) (failed int) {
	ctx := context.Background()
	var next int
	var mu = make(chan struct{}, 1)
	return runWorkers(scenarioGrants, scenarioWorkers, func() error {
		mu <- struct{}{}
		c := clients[next%len(clients)]
		next++
		<-mu
		_, _, err := c.SharedKeys.Create(ctx, scenarioKey)
		return err
	})
}

// countingBudget counts the slots taken from a budget.
type countingBudget struct {
	access.RateBudget
	reserves atomic.Int32
}

func (b *countingBudget) Reserve(ctx context.Context) (time.Duration, error) {
	b.reserves.Add(1)
	return b.RateBudget.Reserve(ctx)
}

func newScenarioClient(t testing.TB, srv *havrtest.Server, opts ...havr.Option) *havr.Client {
	c, err := havr.New(append([]havr.Option{havr.WithBaseURL(srv.URL), havr.WithHTTPClient(pooledClient(srv)),
		havr.WithPassword(havrtest.OwnerEmail, havrtest.OwnerPassword)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestDefaultsLearnTheRateLimit (issue 15 item 6): with no option set the
// client learns the server's rate from its 429s, so the scenario draws at
// most 1% of answers 429 and no grant fails (without the learning: 400-500
// answers 429 and 3-5 failed grants). The share of the server's rate it
// reaches is a benchmark figure (BenchmarkGrantsUnderRateLimit).
func TestDefaultsLearnTheRateLimit(t *testing.T) {
	if testing.Short() {
		t.Skip("about 5 s: 1,000 requests at 200 a second")
	}
	srv := havrtest.NewServer()
	defer srv.Close()
	c := newScenarioClient(t, srv)
	srv.SetRateLimit(scenarioRate, scenarioBurst)

	failed := grantScenario([]*havr.Client{c})
	assert.Zero(t, failed, "failed grants")
	assert.Len(t, srv.SharedKeys(), scenarioGrants, "each grant made once")
	t.Logf("%d answers 429", srv.Throttled())
	if !raceDetector {
		assert.LessOrEqual(t, srv.Throttled(), scenarioGrants/100, "answers 429")
	}
}

// TestFleetSharesOneBudget (issue 13, pacing): four clients of one account
// that share one budget of the server's rate stay within it together: every
// request takes its slot from the budget, no grant fails, and answers 429
// stay under 1% (none in most runs; a stall of the test process, under the
// race detector, can bunch a few requests). Four clients each with
// WithRateLimit at the rate send up to four times it, and draw about 40
// answers 429 before their pacing has learnt (BenchmarkGrantsUnderRateLimit). The budget's burst is 1, below the server's 10, so that
// the server's spare tokens absorb the jitter between budget and server.
func TestFleetSharesOneBudget(t *testing.T) {
	if testing.Short() {
		t.Skip("about 5 s: 1,000 requests at 200 a second")
	}
	srv := havrtest.NewServer()
	defer srv.Close()
	budget := &countingBudget{RateBudget: access.NewMemoryRateBudget(scenarioRate, 1)}
	var fleet []*havr.Client
	for range 4 {
		fleet = append(fleet, newScenarioClient(t, srv, havr.WithRateBudget(budget)))
	}
	srv.SetRateLimit(scenarioRate, scenarioBurst)

	failed := grantScenario(fleet)
	assert.Zero(t, failed, "failed grants")
	assert.Len(t, srv.SharedKeys(), scenarioGrants)
	t.Logf("%d answers 429, %d requests, %d budget slots", srv.Throttled(), len(srv.Requests()), budget.reserves.Load())
	if !raceDetector {
		// A stall past the budget's answer bound (500 ms) sends a request
		// on the local fallback limiter instead: only without the race
		// detector's stalls is every request's slot the budget's.
		assert.LessOrEqual(t, srv.Throttled(), scenarioGrants/100, "answers 429")
		assert.Equal(t, len(srv.Requests()), int(budget.reserves.Load()), "every request the fake received took a slot from the budget")
	}
}

// backoffBudget records the refusals reported to it.
type backoffBudget struct {
	access.RateBudget
	backoffs chan time.Duration
}

func (b *backoffBudget) Backoff(ctx context.Context, d time.Duration) error {
	b.backoffs <- d
	return b.RateBudget.Backoff(ctx, d)
}

// TestRefusalReachesTheBudget: a 429 seen by one client is reported to the
// budget every client of the account shares, with its Retry-After, so the
// whole fleet slows; the call itself is retried and succeeds.
func TestRefusalReachesTheBudget(t *testing.T) {
	srv := havrtest.NewServer()
	defer srv.Close()
	budget := &backoffBudget{RateBudget: access.NewMemoryRateBudget(100, 10), backoffs: make(chan time.Duration, 4)}
	c := newScenarioClient(t, srv, havr.WithRateBudget(budget), havr.WithRetry(2, time.Millisecond, time.Millisecond))
	_, _, err := c.DoorLocks.List(context.Background()) // logs in
	require.NoError(t, err)

	srv.FailNext(1, http.StatusTooManyRequests, 0)
	_, _, err = c.DoorLocks.List(context.Background())
	require.NoError(t, err)
	require.Len(t, budget.backoffs, 1)
	assert.Equal(t, time.Duration(0), <-budget.backoffs, "no Retry-After")

	srv.FailNext(1, http.StatusServiceUnavailable, time.Second)
	_, _, err = c.DoorLocks.List(context.Background())
	require.NoError(t, err)
	require.Len(t, budget.backoffs, 1)
	assert.Equal(t, time.Second, <-budget.backoffs)
}
