package primis_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"

	"github.com/doorkit/doorkit/internal/cputime"
	"github.com/doorkit/doorkit/primis"
	"github.com/doorkit/doorkit/primis/primistest"
)

// BenchmarkControlledAreasList compares ControlledAreas.List through the SDK
// (retries, pacing, auth, bounds, error classes, typed decoding) with a
// hand-written net/http + encoding/json call of the same endpoint, against
// the same local TLS fake, over the same connection pool, with and without a deadline of the
// caller's (cputime.CompareCalls). Compare with benchstat -row /ctx -col
// /client. cpu-ns/op, the CPU time per call, is steadier than sec/op on a loaded
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

	cputime.CompareCalls(b, cputime.Call{Name: "doorkit", Do: func(ctx context.Context) error {
		areas, _, err := c.ControlledAreas.List(ctx)
		if err == nil && len(areas) != 4 {
			err = fmt.Errorf("%d areas, want 4", len(areas))
		}
		return err
	}}, cputime.Call{Name: "nethttp", Do: func(ctx context.Context) error {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/api/mobile/controlled_areas", nil)
		if err != nil {
			return err
		}
		req.Header.Set("Authorization", "Bearer "+jwt)
		req.Header.Set("Accept", "application/json")
		resp, err := hc.Do(req)
		if err != nil {
			return err
		}
		var areas []primis.ControlledArea
		err = json.NewDecoder(resp.Body).Decode(&areas)
		resp.Body.Close()
		if err == nil && (resp.StatusCode != http.StatusOK || len(areas) != 4) {
			err = fmt.Errorf("status %d, %d areas", resp.StatusCode, len(areas))
		}
		return err
	}})
}
