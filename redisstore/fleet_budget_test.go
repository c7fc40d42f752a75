package redisstore_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/doorkit/doorkit/havr"
	"github.com/doorkit/doorkit/havr/havrtest"
	"github.com/doorkit/doorkit/internal/redistest"
)

// The budget scenario of issue 13: the account's limit at Havr is 200
// requests a second with bursts of 10 (beyond it the fake answers 429), and
// the fleet shares a redisstore budget of that rate.
const (
	budgetRate    = 200
	budgetBurst   = 10
	budgetGrants  = 1000
	budgetWorkers = 16 // per replica
)

var budgetKey = havr.SharedKeyRequest{
	UserListIDs: []havr.ID{havrtest.MemberID},
	LockListIDs: []havr.ID{havrtest.GarageDoorID},
	StartDate:   havr.At(time.Date(2030, 1, 1, 9, 0, 0, 0, time.UTC)),
	EndDate:     havr.At(time.Date(2030, 1, 1, 17, 0, 0, 0, time.UTC)),
}

// budgetRun makes budgetGrants shared keys from four Havr replicas, each
// with its own Store and a Budget(budgetRate, burst) on its own Redis
// connection, against a fake limited to the account's figures, and returns
// the grants that failed, the answers 429 and the share of the rate
// reached.
func budgetRun(tb testing.TB, rdb *redistest.Server, burst int) (failed, throttled int, share float64) {
	tb.Helper()
	srv := havrtest.NewServer()
	defer srv.Close()
	acct := havrAccount(tb, srv)
	fleet := make([]*havr.Client, fleetSize)
	for i := range fleet {
		budget, err := replica(tb, rdb.Client(), acct).Budget(budgetRate, burst)
		if err != nil {
			tb.Fatal(err)
		}
		fleet[i] = havrReplica(tb, srv, replica(tb, rdb.Client(), acct), havr.WithRateBudget(budget))
		if _, _, err := fleet[i].DoorLocks.List(context.Background()); err != nil { // token first, outside the limit
			tb.Fatal(err)
		}
	}
	srv.SetRateLimit(budgetRate, budgetBurst)
	ctx, cancel := context.WithTimeout(context.Background(), 3*generous)
	defer cancel()
	var left atomic.Int32
	left.Store(budgetGrants)
	var fails atomic.Int32
	var wg sync.WaitGroup
	start := time.Now()
	for _, c := range fleet {
		for range budgetWorkers {
			wg.Go(func() {
				for left.Add(-1) >= 0 {
					if _, _, err := c.SharedKeys.Create(ctx, budgetKey); err != nil {
						tb.Log(err)
						fails.Add(1)
					}
				}
			})
		}
	}
	wg.Wait()
	ideal := time.Duration(budgetGrants) * time.Second / budgetRate
	if n := len(srv.SharedKeys()); n != budgetGrants-int(fails.Load()) {
		tb.Errorf("the fake holds %d keys for %d grants that succeeded", n, budgetGrants-int(fails.Load()))
	}
	return int(fails.Load()), srv.Throttled(), float64(ideal) / float64(time.Since(start))
}

// Four Havr replicas sharing a redisstore budget of the account's rate and
// burst (200 a second, bursts of 10) make 1,000 grants without an answer
// 429 and without a failed grant (under the race detector: at most 1%
// answers 429, see below). The budget spends half the burst, so the
// vendor's spare tokens absorb the network jitter between the budget's
// slots and the vendor (when it spent all 10, runs drew 1-3 answers 429).
// The share of the rate reached is BenchmarkFleetBudget's figure.
func TestFleetBudget(t *testing.T) {
	if testing.Short() {
		t.Skip("about 5 s: 1,000 requests at 200 a second")
	}
	// Not in parallel with the package's other tests: a stall of the test
	// process longer than the vendor's slack (5 tokens, 25 ms) bunches
	// requests whatever the budget does.
	failed, throttled, share := budgetRun(t, redistest.Start(t), budgetBurst)
	// Under the race detector the process stalls now and then for longer
	// than the vendor's slack, and the requests it held back then leave
	// together: a few answers 429 (at most 1%) are what any pacing gets.
	allowed := 0
	if raceDetector {
		allowed = budgetGrants / 100
	}
	if failed != 0 || throttled > allowed {
		t.Errorf("%d failed grants and %d answers 429, want none and at most %d", failed, throttled, allowed)
	}
	t.Logf("%d answers 429, %.2f of the rate", throttled, share)
}

// BenchmarkFleetBudget: the share of the account's rate (of-rate: the
// ideal 1,000/200 = 5 s over the time taken) that four replicas sharing a
// redisstore budget of that rate reach, with the answers 429 and failed
// grants per run, for a budget burst of 1 and of 10 (the vendor's own).
func BenchmarkFleetBudget(b *testing.B) {
	rdb := redistest.Start(b)
	for _, burst := range []int{1, budgetBurst} {
		b.Run(fmt.Sprintf("burst=%d", burst), func(b *testing.B) {
			var share float64
			var throttled, failed int
			for b.Loop() {
				f, th, s := budgetRun(b, rdb, burst)
				failed, throttled, share = failed+f, throttled+th, share+s
			}
			n := float64(b.N)
			b.ReportMetric(share/n, "of-rate")
			b.ReportMetric(float64(throttled)/n, "429s")
			b.ReportMetric(float64(failed)/n, "failed")
		})
	}
}
