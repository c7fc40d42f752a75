package havr_test

import (
	"context"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/havr"
	"github.com/doorkit/doorkit/havr/havrtest"
)

// pooledClient is srv's client with a connection pool sized for the
// benchmark's workers, so the figures measure pacing and token handling,
// not TLS handshakes.
func pooledClient(srv *havrtest.Server) *http.Client {
	t := srv.Client().Transport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = 64
	return &http.Client{Transport: t}
}

// runWorkers runs calls calls of call from workers goroutines and counts
// the failures.
func runWorkers(calls, workers int, call func() error) (failed int) {
	jobs := make(chan struct{})
	var fails atomic.Int32
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range jobs {
				if call() != nil {
					fails.Add(1)
				}
			}
		}()
	}
	for range calls {
		jobs <- struct{}{}
	}
	close(jobs)
	wg.Wait()
	return int(fails.Load())
}

// BenchmarkGrantsUnderRateLimit creates 1,000 shared keys from 50 workers
// through a fake that allows 200 requests per second with a burst of 10
// and answers 429 with Retry-After beyond that (issues 6, 13 and 15), the
// grants spread over one or four clients of the account:
//   - WithRateLimit: one client with WithRateLimit(200, 1);
//   - defaults: one client with no option: its pacing learns the rate from
//     the 429s (before it did, 400-500 answers 429 and 3-5 failed grants);
//   - budget: four clients sharing access.NewMemoryRateBudget(200, 1), and
//     (200, 10), the vendor's own figures, of whose burst the budget spends
//     half so that the vendor's bucket keeps slack for jitter;
//   - each-WithRateLimit: four clients each with WithRateLimit(200, 1), as a
//     fleet paced itself before budgets: four times the rate.
//
// WithRateLimit's burst of 1, below the server's 10, lets the server's
// spare tokens absorb the network jitter between the client's pacing and
// the server.
//
// Metrics per run: of-N (the ideal 1000/200 = 5 s over the time taken: the
// share of the server's rate reached), 429s (answered by the fake), failed
// (grants that returned an error), keys (grants the fake holds).
func BenchmarkGrantsUnderRateLimit(b *testing.B) {
	ideal := time.Duration(scenarioGrants) * time.Second / scenarioRate
	shared := func(burst int) func() []havr.Option {
		return func() []havr.Option {
			return []havr.Option{havr.WithRateBudget(access.NewMemoryRateBudget(scenarioRate, burst))}
		}
	}
	for _, bc := range []struct {
		name    string
		clients int
		opts    func() []havr.Option // called once per run: the clients of a run share what it returns
	}{
		{"WithRateLimit", 1, func() []havr.Option { return []havr.Option{havr.WithRateLimit(scenarioRate, 1)} }},
		{"defaults", 1, func() []havr.Option { return nil }},
		{"budget=200,1/clients=4", 4, shared(1)},
		{"budget=200,10/clients=4", 4, shared(scenarioBurst)},
		{"each-WithRateLimit/clients=4", 4, func() []havr.Option { return []havr.Option{havr.WithRateLimit(scenarioRate, 1)} }},
	} {
		b.Run(bc.name, func(b *testing.B) {
			var share float64
			var throttled, failed, keys int
			for b.Loop() {
				srv := havrtest.NewServer()
				opts := bc.opts()
				var clients []*havr.Client
				for range bc.clients {
					clients = append(clients, newScenarioClient(b, srv, opts...))
				}
				srv.SetRateLimit(scenarioRate, scenarioBurst)
				start := time.Now()
				failed += grantScenario(clients)
				share += float64(ideal) / float64(time.Since(start))
				throttled += srv.Throttled()
				keys += len(srv.SharedKeys())
				srv.Close()
			}
			n := float64(b.N)
			b.ReportMetric(share/n, "of-N")
			b.ReportMetric(float64(throttled)/n, "429s")
			b.ReportMetric(float64(failed)/n, "failed")
			b.ReportMetric(float64(keys)/n, "keys")
		})
	}
}

// BenchmarkTokenExpiryBurst sends a burst of 1,000 door-lock listings from
// a number of goroutines right after the server retired the client's
// access token (issue 6 item 10), without and with WithTokenLifetime.
// Without it the client learns of the expiry from a 401 on every request
// already in flight, and resends each of them after the one refresh; with
// it the client knows the token is due and refreshes before sending.
//
// Metrics: req/call-none and req/call-lifetime (requests the fake received
// per call), and x-time (the burst's duration with the option over without).
// The wait for the token to come due is outside the timer.
func BenchmarkTokenExpiryBurst(b *testing.B) {
	const (
		calls    = 1000
		lifetime = 4 * time.Second // renewed 2 s after it was obtained
	)
	for _, workers := range []int{50, 1000} {
		b.Run("goroutines="+strconv.Itoa(workers), func(b *testing.B) {
			type mode struct {
				srv      *havrtest.Server
				c        *havr.Client
				requests int
				elapsed  time.Duration
			}
			newMode := func(opts ...havr.Option) *mode {
				srv := havrtest.NewServer()
				c, err := havr.New(append([]havr.Option{havr.WithBaseURL(srv.URL), havr.WithHTTPClient(pooledClient(srv)),
					havr.WithPassword(havrtest.OwnerEmail, havrtest.OwnerPassword)}, opts...)...)
				if err != nil {
					b.Fatal(err)
				}
				return &mode{srv: srv, c: c}
			}
			none, withLifetime := newMode(), newMode(havr.WithTokenLifetime(lifetime))
			defer none.srv.Close()
			defer withLifetime.srv.Close()
			ctx := context.Background()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				for _, m := range []*mode{none, withLifetime} {
					if _, _, err := m.c.DoorLocks.List(ctx); err != nil { // a token obtained now
						b.Fatal(err)
					}
				}
				time.Sleep(lifetime/2 + 100*time.Millisecond) // the token comes due
				for _, m := range []*mode{none, withLifetime} {
					m.srv.ExpireAccessTokens()
					m.srv.ResetLog()
					b.StartTimer()
					start := time.Now()
					if failed := runWorkers(calls, workers, func() error {
						_, _, err := m.c.DoorLocks.List(ctx)
						return err
					}); failed > 0 {
						b.Fatalf("%d calls failed", failed)
					}
					m.elapsed += time.Since(start)
					b.StopTimer()
					m.requests += len(m.srv.Requests())
				}
			}
			n := float64(b.N * calls)
			b.ReportMetric(float64(none.requests)/n, "req/call-none")
			b.ReportMetric(float64(withLifetime.requests)/n, "req/call-lifetime")
			b.ReportMetric(float64(withLifetime.elapsed)/float64(none.elapsed), "x-time")
		})
	}
}
