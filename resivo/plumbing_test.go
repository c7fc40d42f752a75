package resivo_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/doorkit/doorkit/internal/cputime"
	"github.com/doorkit/doorkit/resivo"
)

// cannedTransport answers every request with body, without a network: what
// is left of a call is the client's own plumbing.
type cannedTransport struct{ body []byte }

func (t cannedTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	return &http.Response{StatusCode: http.StatusOK, Status: "200 OK", Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header:        http.Header{"Content-Type": {"application/json"}},
		Body:          io.NopCloser(bytes.NewReader(t.body)),
		ContentLength: int64(len(t.body)), Request: r}, nil
}

// plumbingCalls returns Components.List through the SDK and the
// hand-written net/http + encoding/json call of the same endpoint, both over
// a cannedTransport.
func plumbingCalls(tb testing.TB) (doorkit, nethttp func()) {
	return plumbingCallsWithin(tb, context.Background())
}

// plumbingCallsWithin is plumbingCalls under ctx.
func plumbingCallsWithin(tb testing.TB, ctx context.Context) (doorkit, nethttp func()) {
	body, err := os.ReadFile("../testdata/resivo/components_response.json")
	if err != nil {
		tb.Fatal(err)
	}
	hc := &http.Client{Transport: cannedTransport{body}}
	c, err := resivo.New(resivo.WithBaseURL("https://resivo.example"), resivo.WithHTTPClient(hc), resivo.WithTokens("t", ""))
	if err != nil {
		tb.Fatal(err)
	}
	doorkit = func() {
		comps, _, err := c.Components.List(ctx, "site-1", nil)
		if err != nil || len(comps) != 3 {
			tb.Fatal(err, len(comps))
		}
	}
	nethttp = func() {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, "https://resivo.example/site-1/components?scope=all", nil)
		if err != nil {
			tb.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer t")
		req.Header.Set("Accept", "application/json")
		resp, err := hc.Do(req)
		if err != nil {
			tb.Fatal(err)
		}
		var comps []resivo.Component
		err = json.NewDecoder(resp.Body).Decode(&comps)
		resp.Body.Close()
		if err != nil || len(comps) != 3 {
			tb.Fatal(err, len(comps))
		}
	}
	return doorkit, nethttp
}

// BenchmarkPlumbing is BenchmarkComponentsList without the network and TLS:
// the SDK's own cost per call (retry, auth, pacing and bounds layers, path
// building, error capture) beside the hand-written call's. Compare with
// benchstat -col /client.
func BenchmarkPlumbing(b *testing.B) {
	doorkit, nethttp := plumbingCalls(b)
	for _, v := range []struct {
		name string
		call func()
	}{{"doorkit", doorkit}, {"nethttp", nethttp}} {
		b.Run("client="+v.name, func(b *testing.B) {
			b.ReportAllocs()
			cputime.Measure(b, func() {
				for b.Loop() {
					v.call()
				}
			})
		})
	}
}

// TestCallAllocations bounds the allocations a call adds to the
// hand-written one's (the goal is at most 15 over the network; the
// network's own are the same for both). Counts, not times.
func TestCallAllocations(t *testing.T) {
	doorkit, nethttp := plumbingCalls(t)
	sdk, floor := allocsPerCall(doorkit), allocsPerCall(nethttp)
	t.Logf("allocations per call: doorkit %.0f, net/http %.0f", sdk, floor)
	if sdk-floor > maxAddedAllocs {
		t.Errorf("a call allocates %.0f times, %.0f more than the hand-written call's %.0f: want at most %d more",
			sdk, sdk-floor, floor, maxAddedAllocs)
	}
}

// allocsPerCall is the fewest allocations per call of three runs of 200
// calls: a garbage collection during a run empties the pools that net/http
// and encoding/json draw from, which adds allocations that are not the
// call's (1 run in about 30 counted one more per call).
func allocsPerCall(call func()) float64 {
	return min(testing.AllocsPerRun(200, call), testing.AllocsPerRun(200, call), testing.AllocsPerRun(200, call))
}

// maxAddedAllocs is what the SDK may add: its request wrapper, the call's
// context value, the attempt's bound (a context and its cancel function, a
// timer, a request copy, the body wrapper) and the Response. It added 13
// before the call's context value became the context itself, calls that
// may be resent went without a transport trace, and the URL was built in
// one piece.
const maxAddedAllocs = 7

// TestCallAllocationsWithinADeadline: a caller whose context's deadline
// comes before the attempt's bounds pays for no bound of its own.
func TestCallAllocationsWithinADeadline(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second) // the bounds are 30 s and 60 s
	defer cancel()
	doorkit, nethttp := plumbingCallsWithin(t, ctx)
	sdk, floor := allocsPerCall(doorkit), allocsPerCall(nethttp)
	t.Logf("allocations per call within a deadline: doorkit %.0f, net/http %.0f", sdk, floor)
	if sdk-floor > maxAddedAllocsWithinADeadline {
		t.Errorf("a call within a deadline allocates %.0f times, %.0f more than the hand-written call's %.0f: want at most %d more",
			sdk, sdk-floor, floor, maxAddedAllocsWithinADeadline)
	}
}

// maxAddedAllocsWithinADeadline is maxAddedAllocs less the attempt's bound
// (its context, timer, request copy and body wrapper).
const maxAddedAllocsWithinADeadline = 2
