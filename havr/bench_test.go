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
