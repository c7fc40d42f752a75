package primis_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/doorkit/doorkit/primis"
	"github.com/doorkit/doorkit/primis/primistest"
)

// BenchmarkListDoors compares listing doors through the SDK with a
// hand-written net/http + encoding/json call of the same endpoint, against
// the same local TLS fake, with the same connection pool.
func BenchmarkListDoors(b *testing.B) {
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

	b.Run("sdk", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			doors, err := c.ListDoors(ctx)
			if err != nil || len(doors) != 4 {
				b.Fatal(err, len(doors))
			}
		}
	})
	b.Run("net-http", func(b *testing.B) {
		b.ReportAllocs()
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
}
