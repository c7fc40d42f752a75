package havr_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"

	"github.com/doorkit/doorkit/havr"
	"github.com/doorkit/doorkit/havr/havrtest"
	"github.com/doorkit/doorkit/internal/cputime"
)

// BenchmarkDoorLocksList compares DoorLocks.List through the SDK with a
// hand-written net/http + encoding/json call of the same endpoint, against
// the same local TLS fake, over the same connection pool, with and without
// a deadline of the caller's (cputime.CompareCalls). Compare with benchstat
// -row /ctx -col /client. cpu-ns/op, the CPU time per call, is steadier than sec/op on a loaded
// machine.
func BenchmarkDoorLocksList(b *testing.B) {
	srv := havrtest.NewServer()
	defer srv.Close()
	hc := srv.Client()
	c, err := havr.New(havr.WithBaseURL(srv.URL), havr.WithHTTPClient(hc), havr.WithPassword(havrtest.OwnerEmail, havrtest.OwnerPassword))
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	tok, _, err := c.Auth.PasswordToken(ctx)
	if err != nil {
		b.Fatal(err)
	}
	bearer := "Bearer " + tok.AccessToken.Reveal()
	want, _, err := c.DoorLocks.List(ctx)
	if err != nil || len(want) == 0 {
		b.Fatal(err, len(want))
	}

	cputime.CompareCalls(b, cputime.Call{Name: "doorkit", Do: func(ctx context.Context) error {
		locks, _, err := c.DoorLocks.List(ctx)
		if err == nil && len(locks) != len(want) {
			err = fmt.Errorf("%d door locks, want %d", len(locks), len(want))
		}
		return err
	}}, cputime.Call{Name: "nethttp", Do: func(ctx context.Context) error {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/v1/door_locks", nil)
		if err != nil {
			return err
		}
		req.Header.Set("Authorization", bearer)
		req.Header.Set("Accept", "application/json")
		req.Header.Set("User-Agent", havr.DefaultUserAgent)
		resp, err := hc.Do(req)
		if err != nil {
			return err
		}
		var locks []havr.DoorLock
		err = json.NewDecoder(resp.Body).Decode(&locks)
		resp.Body.Close()
		if err == nil && (resp.StatusCode != http.StatusOK || len(locks) != len(want)) {
			err = fmt.Errorf("status %d, %d door locks", resp.StatusCode, len(locks))
		}
		return err
	}})
}
