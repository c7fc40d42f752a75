package august_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/august"
	"github.com/doorkit/doorkit/august/augusttest"
)

// BenchmarkListGrants lists every grant of an account whose grants are
// spread over five locks (200 PINs on each at 1,000 grants). ns/grant
// stays flat from 100 to 1,000 grants: each lock's PINs are indexed once,
// so finding a grant's PIN does not scan the lock's other PINs (it did,
// per grant: grants x PINs).
func BenchmarkListGrants(b *testing.B) {
	for _, n := range []int{100, 1000} {
		b.Run(fmt.Sprintf("grants=%d", n), func(b *testing.B) {
			c, srv := conformanceClient(b)
			ctx := context.Background()
			var locks []string
			for i := range 5 {
				id := fmt.Sprintf("B%031d", i)
				srv.AddLock(augusttest.Lock{ID: id, Name: id, HouseID: augusttest.HouseID, Keypad: true, Bridge: true}, augusttest.OwnerID)
				if _, _, err := c.Webhooks.Register(ctx, id, august.WebhookRequest{URL: fakeHookURL, ClientID: augusttest.ClientID,
					Header: fakeHookHeader, Token: fakeHookToken, NotificationTypes: []august.NotificationType{august.NotifyOperation}}); err != nil {
					b.Fatal(err)
				}
				locks = append(locks, id)
			}
			start := time.Now().Add(time.Hour).Truncate(time.Second)
			var wg sync.WaitGroup
			work := make(chan int)
			for range 8 {
				wg.Go(func() {
					for i := range work {
						_, err := c.CreateGrant(ctx, access.GrantRequest{Key: fmt.Sprintf("bk-%d", i), DoorIDs: []string{locks[i%len(locks)]},
							Holder: access.Person{Name: "Guest", Email: fmt.Sprintf("g%d@example.com", i)},
							Window: access.Window{Start: start, End: start.Add(2 * time.Hour)}, PIN: access.Secret(fmt.Sprintf("%06d", i))})
						if err != nil {
							b.Error(err)
						}
					}
				})
			}
			for i := range n {
				work <- i
			}
			close(work)
			wg.Wait()
			if err := srv.WaitDeliveries(ctx); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				listed := 0
				for _, err := range c.ListGrants(ctx, access.GrantFilter{}) {
					if err != nil {
						b.Fatal(err)
					}
					listed++
				}
				if listed != n {
					b.Fatalf("listed %d grants, want %d", listed, n)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/grant")
		})
	}
}
