package august_test

import (
	"context"
	"encoding/json"
	"github.com/doorkit/doorkit/internal/cputime"
	"net/http"
	"testing"

	"github.com/doorkit/doorkit/august"
	"github.com/doorkit/doorkit/august/augusttest"
)

// BenchmarkLocksGet compares Locks.Get through the SDK with a hand-written
// net/http + encoding/json call of the same endpoint (the same August
// headers), against the same local TLS fake, over the same connection pool,
// with the fake's token rotation off.
// Compare with benchstat -col /client; cpu-ns/op, the CPU time
// per call, is steadier than sec/op on a loaded machine.
func BenchmarkLocksGet(b *testing.B) {
	srv := augusttest.NewServer()
	defer srv.Close()
	srv.SetTokenRotation(false) // one token for both clients, and no minting in the server's share
	hc := srv.Client()
	token := srv.NewToken(augusttest.OwnerID)
	c, err := august.New(august.WithBaseURL(srv.URL), august.WithHTTPClient(hc), august.WithAPIKey(augusttest.APIKey),
		august.WithTokens(token, ""))
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()

	b.Run("client=doorkit", func(b *testing.B) {
		b.ReportAllocs()
		cputime.Measure(b, func() {
			for b.Loop() {
				l, _, err := c.Locks.Get(ctx, augusttest.FrontDoorID)
				if err != nil || l.LockID != augusttest.FrontDoorID {
					b.Fatal(err)
				}
			}
		})

	})
	b.Run("client=nethttp", func(b *testing.B) {
		b.ReportAllocs()
		cputime.Measure(b, func() {
			for b.Loop() {
				req, err := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/locks/"+augusttest.FrontDoorID, nil)
				if err != nil {
					b.Fatal(err)
				}
				req.Header.Set("x-august-api-key", augusttest.APIKey)
				req.Header.Set("x-august-access-token", token)
				req.Header.Set("Accept-Version", august.DefaultAPIVersion)
				req.Header.Set("Accept", "application/json")
				resp, err := hc.Do(req)
				if err != nil {
					b.Fatal(err)
				}
				var l august.Lock
				err = json.NewDecoder(resp.Body).Decode(&l)
				resp.Body.Close()
				if err != nil || resp.StatusCode != http.StatusOK || l.LockID != augusttest.FrontDoorID {
					b.Fatal(err, resp.StatusCode)
				}
			}
		})

	})
}
