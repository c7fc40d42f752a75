package august_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"

	"github.com/doorkit/doorkit/august"
	"github.com/doorkit/doorkit/august/augusttest"
	"github.com/doorkit/doorkit/internal/cputime"
)

// BenchmarkLocksGet compares Locks.Get through the SDK with a hand-written
// net/http + encoding/json call of the same endpoint (the same August
// headers), against the same local TLS fake, over the same connection pool,
// with the fake's token rotation off, with and without a deadline of the
// caller's (cputime.CompareCalls). Compare with benchstat -row /ctx -col
// /client; cpu-ns/op, the CPU time
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

	cputime.CompareCalls(b, cputime.Call{Name: "doorkit", Do: func(ctx context.Context) error {
		l, _, err := c.Locks.Get(ctx, augusttest.FrontDoorID)
		if err == nil && l.LockID != augusttest.FrontDoorID {
			err = fmt.Errorf("lock %s", l.LockID)
		}
		return err
	}}, cputime.Call{Name: "nethttp", Do: func(ctx context.Context) error {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/locks/"+augusttest.FrontDoorID, nil)
		if err != nil {
			return err
		}
		req.Header.Set("x-august-api-key", augusttest.APIKey)
		req.Header.Set("x-august-access-token", token)
		req.Header.Set("Accept-Version", august.DefaultAPIVersion)
		req.Header.Set("Accept", "application/json")
		resp, err := hc.Do(req)
		if err != nil {
			return err
		}
		var l august.Lock
		err = json.NewDecoder(resp.Body).Decode(&l)
		resp.Body.Close()
		if err == nil && (resp.StatusCode != http.StatusOK || l.LockID != augusttest.FrontDoorID) {
			err = fmt.Errorf("status %d, lock %s", resp.StatusCode, l.LockID)
		}
		return err
	}})
}
