package primis_test

import (
	"context"
	"encoding/json"
	"github.com/doorkit/doorkit/internal/cputime"
	"net/http"
	"testing"

	"github.com/doorkit/doorkit/primis"
	"github.com/doorkit/doorkit/primis/primistest"
)

// BenchmarkControlledAreasList compares ControlledAreas.List through the SDK
// (retries, pacing, auth, bounds, error classes, typed decoding) with a
// hand-written net/http + encoding/json call of the same endpoint, against
// the same local TLS fake, over the same connection pool. Compare with benchstat -col /client.
// cpu-ns/op, the CPU time per call, is steadier than sec/op on a loaded
// machine.
func BenchmarkControlledAreasList(b *testing.B) {
	srv := primistest.NewServer()
	defer srv.Close()
	hc := srv.Client()
	c, err := primis.New(primis.WithBaseURL(srv.URL), primis.WithHTTPClient(hc),
		primis.WithPassword(primistest.UserEmail, primistest.UserPassword), primis.WithPhoneID("bench"))
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	session, _, err := c.Auth.Login(ctx)
	if err != nil {
		b.Fatal(err)
	}
	jwt := session.JWT.Reveal()

	b.Run("client=doorkit", func(b *testing.B) {
		b.ReportAllocs()
		cputime.Measure(b, func() {
			for b.Loop() {
				areas, _, err := c.ControlledAreas.List(ctx)
				if err != nil || len(areas) != 4 {
					b.Fatal(err, len(areas))
				}
			}
		})

	})
	b.Run("client=nethttp", func(b *testing.B) {
		b.ReportAllocs()
		cputime.Measure(b, func() {
			for b.Loop() {
				req, err := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/api/mobile/controlled_areas", nil)
				if err != nil {
					b.Fatal(err)
				}
				req.Header.Set("Authorization", "Bearer "+jwt)
				req.Header.Set("Accept", "application/json")
				resp, err := hc.Do(req)
				if err != nil {
					b.Fatal(err)
				}
				var areas []primis.ControlledArea
				err = json.NewDecoder(resp.Body).Decode(&areas)
				resp.Body.Close()
				if err != nil || resp.StatusCode != http.StatusOK || len(areas) != 4 {
					b.Fatal(err, resp.StatusCode)
				}
			}
		})

	})
}
