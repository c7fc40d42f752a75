package resivo_test

import (
	"context"
	"encoding/json"
	"github.com/doorkit/doorkit/internal/cputime"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"github.com/doorkit/doorkit/resivo"
)

// BenchmarkComponentsList compares Components.List with the hand-written
// net/http + encoding/json call it replaces, against one local TLS server
// answering the documented body: the difference is the SDK's cost (path
// building, retry and auth layers, error capture). Compare with benchstat -col /client.
// cpu-ns/op, the CPU time per call, is steadier than sec/op on a loaded
// machine.
func BenchmarkComponentsList(b *testing.B) {
	body, err := os.ReadFile("../testdata/resivo/components_response.json")
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	}))
	defer srv.Close()
	ctx := context.Background()

	b.Run("client=doorkit", func(b *testing.B) {
		c, err := resivo.New(resivo.WithBaseURL(srv.URL), resivo.WithHTTPClient(srv.Client()), resivo.WithTokens("t", ""))
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		cputime.Measure(b, func() {
			for b.Loop() {
				comps, _, err := c.Components.List(ctx, "site-1", nil)
				if err != nil || len(comps) != 3 {
					b.Fatal(err, len(comps))
				}
			}
		})

	})
	b.Run("client=nethttp", func(b *testing.B) {
		hc := srv.Client()
		b.ReportAllocs()
		cputime.Measure(b, func() {
			for b.Loop() {
				handWritten(b, hc, ctx, srv.URL)
			}
		})
	})
	// The hand-written call with a deadline on each request, as doorkit
	// keeps one on every attempt: what the deadline alone costs net/http
	// (a cancellable context, a timer, one more case in its select).
	b.Run("client=nethttp-deadline", func(b *testing.B) {
		hc := srv.Client()
		b.ReportAllocs()
		cputime.Measure(b, func() {
			for b.Loop() {
				ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
				handWritten(b, hc, ctx, srv.URL)
				cancel()
			}
		})
	})
	// doorkit's call under the same deadline, which comes before its
	// attempt bounds, so it keeps none of its own: the pair compares the
	// two clients when the caller has a deadline, as a server does.
	b.Run("client=doorkit-deadline", func(b *testing.B) {
		c, err := resivo.New(resivo.WithBaseURL(srv.URL), resivo.WithHTTPClient(srv.Client()), resivo.WithTokens("t", ""))
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		cputime.Measure(b, func() {
			for b.Loop() {
				ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
				comps, _, err := c.Components.List(ctx, "site-1", nil)
				cancel()
				if err != nil || len(comps) != 3 {
					b.Fatal(err, len(comps))
				}
			}
		})
	})
}

// handWritten is the call Components.List replaces, written with net/http
// and encoding/json.
func handWritten(b *testing.B, hc *http.Client, ctx context.Context, base string) {
	req, _ := http.NewRequestWithContext(ctx, "GET", base+"/site-1/components?scope=all", nil)
	req.Header.Set("Authorization", "Bearer t")
	req.Header.Set("Accept", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	var comps []resivo.Component
	err = json.NewDecoder(resp.Body).Decode(&comps)
	resp.Body.Close()
	if err != nil || len(comps) != 3 {
		b.Fatal(err, len(comps))
	}
}
