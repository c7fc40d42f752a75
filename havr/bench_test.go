package havr_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/doorkit/doorkit/havr"
	"github.com/doorkit/doorkit/havr/havrtest"
)

// notificationPages serves total notifications in pages of pageSize,
// rendered once up front so that the server allocates next to nothing per
// request and the benchmark's allocations are the client's.
func notificationPages(total, pageSize int) http.HandlerFunc {
	var pages [][]byte
	for from := 0; from <= total; from += pageSize {
		var b strings.Builder
		b.WriteByte('[')
		for id := from + 1; id <= min(from+pageSize, total); id++ {
			if id > from+1 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, `{"id":%d,"user_id":6,"existing_status":"active","is_read":false,"secondary_user_id":2,`+
				`"notif_type":"log","description":"Door unlocked","object_id":11,"secondary_type":1,`+
				`"created_at":"2026-01-01T10:00:00.000Z","object_info":"{\"door_lock_id\":11,\"log_type\":\"flash\"}"}`, id)
		}
		b.WriteByte(']')
		pages = append(pages, []byte(b.String()))
	}
	return func(w http.ResponseWriter, r *http.Request) {
		page, _ := strconv.Atoi(r.URL.Query().Get("page"))
		w.Header().Set("Content-Type", "application/json")
		if page < 1 || page > len(pages) {
			_, _ = w.Write([]byte("[]"))
			return
		}
		_, _ = w.Write(pages[page-1])
	}
}

// BenchmarkNotificationsAll walks every notification through the lazy
// iterator, 100 per page. B/op and allocs/op grow with the number of
// notifications (each is decoded once); peak-live-B, the most heap in use
// at any page boundary above the starting point, stays flat: only one page
// is held at a time.
func BenchmarkNotificationsAll(b *testing.B) {
	for _, total := range []int{1_000, 10_000} {
		b.Run(fmt.Sprintf("notifications=%d", total), func(b *testing.B) {
			srv := httptest.NewTLSServer(notificationPages(total, 100))
			defer srv.Close()
			c, err := havr.New(havr.WithBaseURL(srv.URL), havr.WithHTTPClient(srv.Client()), havr.WithTokens("access", "refresh"))
			if err != nil {
				b.Fatal(err)
			}
			ctx := context.Background()
			walk := func(atPage func()) {
				n := 0
				for _, err := range c.Notifications.All(ctx, 100) {
					if err != nil {
						b.Fatal(err)
					}
					if n++; atPage != nil && n%100 == 0 {
						atPage()
					}
				}
				if n != total {
					b.Fatalf("walked %d notifications, want %d", n, total)
				}
			}

			walk(nil) // warm the connection pool
			var ms runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&ms)
			base, peak := ms.HeapAlloc, uint64(0)
			walk(func() {
				runtime.GC()
				runtime.ReadMemStats(&ms)
				if ms.HeapAlloc > base && ms.HeapAlloc-base > peak {
					peak = ms.HeapAlloc - base
				}
			})

			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				walk(nil)
			}
			b.ReportMetric(float64(peak), "peak-live-B")
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*total), "ns/notification")
		})
	}
}

// BenchmarkFakeParallel lists 500 notifications at a time from havrtest
// over many goroutines (-cpu sets them), the load of a benchmark that uses
// the fake as its server. The fake encodes its answers after releasing its
// lock, so the goroutines are not serialised on the encoding.
func BenchmarkFakeParallel(b *testing.B) {
	srv := havrtest.NewServer()
	defer srv.Close()
	srv.AddNotifications(havrtest.OwnerID, 475) // 500 with the seeded ones
	transport := srv.Client().Transport.(*http.Transport).Clone()
	transport.MaxIdleConnsPerHost = 64
	c, err := havr.New(havr.WithBaseURL(srv.URL), havr.WithHTTPClient(&http.Client{Transport: transport}),
		havr.WithPassword(havrtest.OwnerEmail, havrtest.OwnerPassword))
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	opts := &havr.NotificationListOptions{Page: 1, PageSize: 500}
	if _, _, err := c.Notifications.List(ctx, opts); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetParallelism(8)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			got, _, err := c.Notifications.List(ctx, opts)
			if err != nil || len(got) != 500 {
				b.Errorf("listed %d notifications: %v", len(got), err)
				return
			}
		}
	})
}
