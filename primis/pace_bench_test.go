package primis_test

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/doorkit/doorkit/primis"
	"github.com/doorkit/doorkit/primis/primistest"
)

// BenchmarkUnlockWhileListing (issue 15 item 6) measures how long an
// unlock waits while 50 workers list doors as fast as the pacing lets them,
// against a fake allowing 200 requests a second with bursts of 10: on
// defaults (the pacing learns the rate) and with WithRateLimit(200, 1), and
// with no listing and no limit for comparison. Every request takes its turn for a slot,
// the unlock included, so it waits behind the listings already waiting:
// about 50 slots, 250 ms at 200 a second.
//
// Metrics: ms/unlock (mean), max-ms (longest unlock), 429s (answered by the
// fake while unlocks were measured, per unlock).
func BenchmarkUnlockWhileListing(b *testing.B) {
	const workers = 50
	for _, bc := range []struct {
		name    string
		opts    []primis.Option
		listing bool
	}{
		{"idle", nil, false},
		{"defaults", nil, true},
		{"WithRateLimit", []primis.Option{primis.WithRateLimit(200, 1)}, true},
	} {
		b.Run(bc.name, func(b *testing.B) {
			srv := primistest.NewServer()
			defer srv.Close()
			t := srv.Client().Transport.(*http.Transport).Clone()
			t.MaxIdleConnsPerHost = 2 * workers
			c, err := primis.New(append([]primis.Option{primis.WithBaseURL(srv.URL), primis.WithHTTPClient(&http.Client{Transport: t}),
				primis.WithPassword(primistest.UserEmail, primistest.UserPassword), primis.WithPhoneID("bench")}, bc.opts...)...)
			if err != nil {
				b.Fatal(err)
			}
			if bc.listing {
				srv.SetRateLimit(200, 10)
			}
			ctx, stop := context.WithCancel(context.Background())
			var wg sync.WaitGroup
			if bc.listing {
				for range workers {
					wg.Add(1)
					go func() {
						defer wg.Done()
						for ctx.Err() == nil {
							_, _ = c.ListDoors(ctx)
						}
					}()
				}
				time.Sleep(3 * time.Second) // the pacing settles
			}
			throttled := srv.Throttled()
			var total, longest time.Duration
			b.ResetTimer()
			for b.Loop() {
				start := time.Now()
				if err := c.OpenDoor(context.Background(), primistest.EntranceID); err != nil {
					b.Fatal(err)
				}
				d := time.Since(start)
				total += d
				longest = max(longest, d)
			}
			b.StopTimer()
			stop()
			wg.Wait()
			n := float64(b.N)
			b.ReportMetric(float64(total.Milliseconds())/n, "ms/unlock")
			b.ReportMetric(float64(longest.Milliseconds()), "max-ms")
			b.ReportMetric(float64(srv.Throttled()-throttled)/n, "429s")
		})
	}
}
