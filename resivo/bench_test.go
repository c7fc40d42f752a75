package resivo_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"

	"github.com/doorkit/doorkit/internal/cputime"
	"github.com/doorkit/doorkit/resivo"
)

// BenchmarkComponentsList compares Components.List with the hand-written
// net/http + encoding/json call it replaces, against one local TLS server
// answering the documented body: the difference is the SDK's cost (path
// building, retry and auth layers, error capture), with and without a
// deadline of the caller's (cputime.CompareCalls). Compare with benchstat
// -row /ctx -col /client. cpu-ns/op, the CPU time per call, is steadier
// than sec/op on a loaded machine.
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
	hc := srv.Client()
	c, err := resivo.New(resivo.WithBaseURL(srv.URL), resivo.WithHTTPClient(hc), resivo.WithTokens("t", ""))
	if err != nil {
		b.Fatal(err)
	}
	cputime.CompareCalls(b, cputime.Call{Name: "doorkit", Do: func(ctx context.Context) error {
		comps, _, err := c.Components.List(ctx, "site-1", nil)
		if err == nil && len(comps) != 3 {
			err = fmt.Errorf("%d components, want 3", len(comps))
		}
		return err
	}}, cputime.Call{Name: "nethttp", Do: func(ctx context.Context) error {
		return handWritten(hc, ctx, srv.URL)
	}})
}

// handWritten is the call Components.List replaces, written with net/http
// and encoding/json.
func handWritten(hc *http.Client, ctx context.Context, base string) error {
	req, err := http.NewRequestWithContext(ctx, "GET", base+"/site-1/components?scope=all", nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer t")
	req.Header.Set("Accept", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	var comps []resivo.Component
	err = json.NewDecoder(resp.Body).Decode(&comps)
	resp.Body.Close()
	if err == nil && len(comps) != 3 {
		err = fmt.Errorf("%d components, want 3", len(comps))
	}
	return err
}
