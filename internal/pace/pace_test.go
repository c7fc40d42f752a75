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

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/time/rate"
)

type countingBase struct{ sent atomic.Int32 }

func (b *countingBase) RoundTrip(req *http.Request) (*http.Response, error) {
	b.sent.Add(1)
	return &http.Response{StatusCode: 200, Body: io.NopCloser(strings.NewReader("")), Request: req}, nil
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

func TestInfIsNoLimit(t *testing.T) {
	base := &countingBase{}
	assert.Same(t, http.RoundTripper(base), New(base, rate.Inf, 0))
}

func TestBurstGoesThenCallerWaitsWithinItsContext(t *testing.T) {
	base := &countingBase{}
	tr := New(base, rate.Every(time.Hour), 2).(*Transport)
	require.NoError(t, send(t, tr, context.Background()))
	require.NoError(t, send(t, tr, context.Background()))
	assert.Equal(t, int32(2), base.sent.Load(), "the burst is sent at once")

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	err := send(t, tr, ctx)
	assert.ErrorIs(t, err, context.DeadlineExceeded, "the wait ends with the caller's context")
	assert.Equal(t, int32(2), base.sent.Load(), "nothing was sent")

	cancelled, cancel2 := context.WithCancel(context.Background())
	cancel2()
	assert.ErrorIs(t, send(t, tr, cancelled), context.Canceled)

	// The abandoned waits gave their reservations back: the next token is
	// still an hour away, not three hours.
	r := tr.limiter.Reserve()
	assert.LessOrEqual(t, r.Delay(), time.Hour)
	r.Cancel()
}

func TestZeroBurstIsAnError(t *testing.T) {
	base := &countingBase{}
	err := send(t, New(base, 10, 0), context.Background())
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
	tr := New(base, rate.Every(time.Hour), 1).(*Transport)
	require.NoError(t, send(t, tr, context.Background()))

	ctx, cancel := context.WithCancel(context.Background())
	errs := make(chan error, 5)
	for range 5 {
		go func() { errs <- send(t, tr, ctx) }()
	}
	waitingIn(t, 5)
	assert.Greater(t, tr.limiter.Tokens(), -1.5, "one reservation, not five")
	cancel()
	for range 5 {
		assert.ErrorIs(t, <-errs, context.Canceled)
	}
	assert.Equal(t, int32(1), base.sent.Load())
}
