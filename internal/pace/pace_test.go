package pace

import (
	"context"
	"io"
	"net/http"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/doorkit/doorkit/internal/rest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/time/rate"
)

// countingBase answers every request with status (200 when zero) and
// header, and counts what it sent.
type countingBase struct {
	sent   atomic.Int32
	status int
	header http.Header
}

func (b *countingBase) RoundTrip(req *http.Request) (*http.Response, error) {
	b.sent.Add(1)
	status := b.status
	if status == 0 {
		status = http.StatusOK
	}
	h := b.header.Clone()
	if h == nil {
		h = http.Header{}
	}
	return &http.Response{StatusCode: status, Header: h, Body: io.NopCloser(strings.NewReader("")), Request: req}, nil
}

func send(t *testing.T, rt http.RoundTripper, ctx context.Context) error {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "https://api.example.test/x", nil)
	require.NoError(t, err)
	resp, err := rt.RoundTrip(req)
	if err == nil {
		resp.Body.Close()
	}
	return err
}

func TestBurstGoesThenCallerWaitsWithinItsContext(t *testing.T) {
	base := &countingBase{}
	tr := New(base, Config{RetryAfter: rest.RetryAfter, Limit: rate.Every(time.Hour), Burst: 2})
	require.NoError(t, send(t, tr, context.Background()))
	require.NoError(t, send(t, tr, context.Background()))
	assert.Equal(t, int32(2), base.sent.Load(), "the burst is sent at once")

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	err := send(t, tr, ctx)
	assert.ErrorIs(t, err, context.DeadlineExceeded, "the wait ends with the caller's context")
	assert.True(t, notSent(err), "marked as not sent")
	assert.Equal(t, int32(2), base.sent.Load(), "nothing was sent")

	cancelled, cancel2 := context.WithCancel(context.Background())
	cancel2()
	assert.ErrorIs(t, send(t, tr, cancelled), context.Canceled)

	// The abandoned waits gave their reservations back: the next token is
	// still an hour away, not three hours.
	r := tr.local.lim.Reserve()
	assert.LessOrEqual(t, r.Delay(), time.Hour)
	r.Cancel()
}

func notSent(err error) bool {
	ns, ok := err.(interface{ NotSent() bool })
	return ok && ns.NotSent()
}

func TestZeroBurstIsAnError(t *testing.T) {
	base := &countingBase{}
	err := send(t, New(base, Config{RetryAfter: rest.RetryAfter, Limit: 10}), context.Background())
	require.Error(t, err)
	assert.Zero(t, base.sent.Load())
}

// waitingIn counts goroutines parked inside Transport.wait.
func waitingIn(t *testing.T, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		buf := make([]byte, 1<<20)
		buf = buf[:runtime.Stack(buf, true)]
		if strings.Count(string(buf), "pace.(*Transport).wait(") >= n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("fewer than %d goroutines are waiting", n)
		}
		runtime.Gosched()
	}
}

// TestCallersTakeTurns: waiting callers do not all reserve future slots
// (which would go out together after a stall); one reservation is
// outstanding however many wait.
func TestCallersTakeTurns(t *testing.T) {
	base := &countingBase{}
	tr := New(base, Config{RetryAfter: rest.RetryAfter, Limit: rate.Every(time.Hour), Burst: 1})
	require.NoError(t, send(t, tr, context.Background()))

	ctx, cancel := context.WithCancel(context.Background())
	errs := make(chan error, 5)
	for range 5 {
		go func() { errs <- send(t, tr, ctx) }()
	}
	waitingIn(t, 5)
	assert.Greater(t, tr.local.lim.Tokens(), -1.5, "one reservation, not five")
	cancel()
	for range 5 {
		assert.ErrorIs(t, <-errs, context.Canceled)
	}
	assert.Equal(t, int32(1), base.sent.Load())
}

// TestRefusalsLowerTheLimit: a 429 (with or without Retry-After) and a 503
// with Retry-After lower the limit; a 503 without it, a 500 and a 404 do
// not, being no answer about the client's rate.
func TestRefusalsLowerTheLimit(t *testing.T) {
	for _, tc := range []struct {
		name       string
		status     int
		retryAfter string
		lowers     bool
	}{
		{"429 with Retry-After", 429, "1", true},
		{"429 without Retry-After", 429, "", true},
		{"503 with Retry-After", 503, "2", true},
		{"503 without Retry-After", 503, "", false},
		{"500", 500, "", false},
		{"404", 404, "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			base := &countingBase{status: tc.status, header: http.Header{}}
			if tc.retryAfter != "" {
				base.header.Set("Retry-After", tc.retryAfter)
			}
			tr := New(base, Config{RetryAfter: rest.RetryAfter, Limit: 100, Burst: 1})
			require.NoError(t, send(t, tr, context.Background()))
			if tc.lowers {
				assert.InDelta(t, 100*decreaseFactor, tr.local.current(), 1e-9)
			} else {
				assert.Equal(t, 100.0, tr.local.current())
			}
		})
	}
}

// BenchmarkOverhead measures what pacing on defaults adds to an attempt
// that finds a slot at hand (the learnt limit far above the caller's
// pace), against the same base transport unpaced: sequential, and from 8
// goroutines. A call to a vendor over TLS on loopback takes about 100 µs.
func BenchmarkOverhead(b *testing.B) {
	req, err := http.NewRequest(http.MethodGet, "https://api.example.test/x", nil)
	require.NoError(b, err)
	paced := New(&countingBase{}, Config{})
	paced.local.restore(1e9, 1000) // learnt: far above any caller here
	for _, bc := range []struct {
		name string
		rt   http.RoundTripper
	}{{"unpaced", &countingBase{}}, {"paced", paced}} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				resp, err := bc.rt.RoundTrip(req)
				if err != nil {
					b.Fatal(err)
				}
				resp.Body.Close()
			}
		})
		b.Run(bc.name+"/parallel", func(b *testing.B) {
			b.SetParallelism(4)
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					resp, err := bc.rt.RoundTrip(req)
					if err != nil {
						b.Error(err)
						return
					}
					resp.Body.Close()
				}
			})
		})
	}
}
