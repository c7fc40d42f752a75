package rest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func readErr() error {
	return &net.OpError{Op: "read", Net: "tcp", Err: errors.New("connection reset by peer")}
}

func dialErr() error {
	return &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}
}

func TestRetryPolicy(t *testing.T) {
	const all = 4 // first attempt + fastPolicy.MaxRetries
	ra := func(v string) http.Header { return http.Header{"Retry-After": {v}} }
	tests := []struct {
		name       string
		call       func() *Call
		status     int
		header     http.Header
		err        func() error
		wantCalls  int
		wantStatus int // for status answers: the status of the typed error
	}{
		// Idempotent methods.
		{name: "GET 429", call: func() *Call { return Get("x") }, status: 429, wantCalls: all},
		{name: "GET 502", call: func() *Call { return Get("x") }, status: 502, wantCalls: all},
		{name: "GET 503", call: func() *Call { return Get("x") }, status: 503, wantCalls: all},
		{name: "GET 504", call: func() *Call { return Get("x") }, status: 504, wantCalls: all},
		{name: "GET 500", call: func() *Call { return Get("x") }, status: 500, wantCalls: 1},
		{name: "GET 400", call: func() *Call { return Get("x") }, status: 400, wantCalls: 1},
		{name: "GET 401", call: func() *Call { return Get("x") }, status: 401, wantCalls: 1},
		{name: "GET 404", call: func() *Call { return Get("x") }, status: 404, wantCalls: 1},
		{name: "GET 503 Retry-After garbage", call: func() *Call { return Get("x") }, status: 503, header: ra("soon"), wantCalls: all},
		{name: "GET read error", call: func() *Call { return Get("x") }, err: readErr, wantCalls: all},
		{name: "GET connection reset", call: func() *Call { return Get("x") },
			err: func() error { return &net.OpError{Op: "read", Net: "tcp", Err: syscall.ECONNRESET} }, wantCalls: all},
		{name: "GET unexpected EOF", call: func() *Call { return Get("x") }, err: func() error { return io.ErrUnexpectedEOF }, wantCalls: all},
		{name: "GET dial error", call: func() *Call { return Get("x") }, err: dialErr, wantCalls: all},
		{name: "GET other error", call: func() *Call { return Get("x") }, err: func() error { return errors.New("x509: bad certificate") }, wantCalls: 1},
		{name: "PUT 503", call: func() *Call { return Put("x") }, status: 503, wantCalls: all},
		{name: "DELETE 502", call: func() *Call { return Delete("x") }, status: 502, wantCalls: all},
		{name: "HEAD 504", call: func() *Call { return NewCall(http.MethodHead, "x") }, status: 504, wantCalls: all},
		{name: "DELETE read error", call: func() *Call { return Delete("x") }, err: readErr, wantCalls: all},

		// POST and PATCH: only when nothing was done.
		{name: "POST 500", call: func() *Call { return Post("x") }, status: 500, wantCalls: 1},
		{name: "POST 502", call: func() *Call { return Post("x") }, status: 502, wantCalls: 1},
		{name: "POST 503 without Retry-After", call: func() *Call { return Post("x") }, status: 503, wantCalls: 1},
		{name: "POST 503 Retry-After garbage", call: func() *Call { return Post("x") }, status: 503, header: ra("soon"), wantCalls: 1},
		{name: "POST 504", call: func() *Call { return Post("x") }, status: 504, wantCalls: 1},
		{name: "POST 429 without Retry-After", call: func() *Call { return Post("x") }, status: 429, wantCalls: 1},
		{name: "POST 502 with Retry-After", call: func() *Call { return Post("x") }, status: 502, header: ra("0"), wantCalls: 1},
		{name: "POST read error", call: func() *Call { return Post("x") }, err: readErr, wantCalls: 1},
		{name: "POST unexpected EOF", call: func() *Call { return Post("x") }, err: func() error { return io.ErrUnexpectedEOF }, wantCalls: 1},
		{name: "POST dial error", call: func() *Call { return Post("x") }, err: dialErr, wantCalls: all},
		{name: "POST 429 Retry-After 0", call: func() *Call { return Post("x") }, status: 429, header: ra("0"), wantCalls: all},
		{name: "POST 503 Retry-After 0", call: func() *Call { return Post("x") }, status: 503, header: ra("0"), wantCalls: all},
		{name: "POST 503 Retry-After date in the past", call: func() *Call { return Post("x") }, status: 503,
			header: ra(time.Now().Add(-time.Hour).UTC().Format(http.TimeFormat)), wantCalls: all},
		{name: "PATCH 503 without Retry-After", call: func() *Call { return Patch("x") }, status: 503, wantCalls: 1},
		{name: "PATCH read error", call: func() *Call { return Patch("x") }, err: readErr, wantCalls: 1},
		{name: "PATCH dial error", call: func() *Call { return Patch("x") }, err: dialErr, wantCalls: all},

		// Idempotent() makes a POST retry like a GET.
		{name: "idempotent POST 502", call: func() *Call { return Post("x").Idempotent() }, status: 502, wantCalls: all},
		{name: "idempotent POST 503", call: func() *Call { return Post("x").Idempotent() }, status: 503, wantCalls: all},
		{name: "idempotent POST 504", call: func() *Call { return Post("x").Idempotent() }, status: 504, wantCalls: all},
		{name: "idempotent POST 429", call: func() *Call { return Post("x").Idempotent() }, status: 429, wantCalls: all},
		{name: "idempotent POST read error", call: func() *Call { return Post("x").Idempotent() }, err: readErr, wantCalls: all},
		{name: "idempotent POST 500", call: func() *Call { return Post("x").Idempotent() }, status: 500, wantCalls: 1},

		// A Retry-After longer than MaxRetryAfter goes back to the caller.
		{name: "GET 503 Retry-After too long", call: func() *Call { return Get("x") }, status: 503, header: ra("3600"), wantCalls: 1},
		{name: "GET 429 Retry-After too long", call: func() *Call { return Get("x") }, status: 429, header: ra("2"), wantCalls: 1},
		{name: "POST 429 Retry-After too long", call: func() *Call { return Post("x") }, status: 429, header: ra("3600"), wantCalls: 1},
		{name: "GET 503 Retry-After date too far", call: func() *Call { return Get("x") }, status: 503,
			header: ra(time.Now().Add(time.Hour).UTC().Format(http.TimeFormat)), wantCalls: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var rt *fakeTransport
			var wantErr error
			if tt.err != nil {
				wantErr = tt.err()
				rt = failing(wantErr)
			} else {
				rt = always(tt.status, tt.header, fmt.Sprintf(`{"status":%d}`, tt.status))
			}
			c := newTestClient(rt, fastPolicy)
			resp, err := c.Do(context.Background(), tt.call().WithBody(map[string]string{"k": "v"}), nil)
			require.Error(t, err)
			assert.Equal(t, tt.wantCalls, rt.calls(), "calls")
			assert.NotContains(t, err.Error(), "giving up")
			if tt.err != nil {
				assert.Nil(t, resp)
				assert.ErrorIs(t, err, wantErr)
			} else {
				require.NotNil(t, resp)
				var te *testError
				require.ErrorAs(t, err, &te, "the last response goes to DecodeError")
				assert.Equal(t, tt.status, te.Status)
				assert.Equal(t, tt.status, resp.StatusCode)
			}
			for i := range rt.calls() {
				assert.JSONEq(t, `{"k":"v"}`, string(rt.attempt(i).Body), "attempt %d body", i+1)
			}
		})
	}
}

func TestRetryExhaustedHandsLastResponseToDecodeError(t *testing.T) {
	rt := &fakeTransport{respond: func(n int, _ *http.Request) (*http.Response, error) {
		return response(503, nil, fmt.Sprintf("attempt %d", n)), nil
	}}
	c := newTestClient(rt, fastPolicy)
	resp, err := c.Do(context.Background(), Get("doors"), nil)
	require.Equal(t, 4, rt.calls())
	require.NotNil(t, resp)
	var te *testError
	require.ErrorAs(t, err, &te)
	assert.Equal(t, 503, te.Status)
	assert.Equal(t, "attempt 4", string(te.Body))
	assert.NotContains(t, err.Error(), "giving up")
}

func TestRetryRecovers(t *testing.T) {
	rt := &fakeTransport{respond: func(n int, _ *http.Request) (*http.Response, error) {
		switch n {
		case 1:
			return nil, readErr()
		case 2:
			return response(502, nil, "bad gateway"), nil
		}
		return response(200, jsonHeader(), `{"id":"b1"}`), nil
	}}
	c := newTestClient(rt, fastPolicy)
	var out beacon
	resp, err := c.Do(context.Background(), Get("beacon"), &out)
	require.NoError(t, err)
	assert.Equal(t, 200, resp.StatusCode)
	assert.Equal(t, "b1", out.ID)
	assert.Equal(t, 3, rt.calls())
}

func TestRetryDisabled(t *testing.T) {
	rt := always(503, nil, "")
	p := fastPolicy
	p.MaxRetries = 0
	c := newTestClient(rt, p)
	_, err := c.Do(context.Background(), Get("x"), nil)
	require.Error(t, err)
	assert.Equal(t, 1, rt.calls())
}

// TestCancelDuringBackoff: the server answers 503 and the caller gives up
// while the client would wait a minute before retrying.
func TestCancelDuringBackoff(t *testing.T) {
	slow := Policy{MaxRetries: 3, MinWait: time.Minute, MaxWait: time.Minute, MaxRetryAfter: time.Minute}

	run := func(t *testing.T, ctx context.Context, c *Client, call *Call) (*http.Response, error) {
		t.Helper()
		type result struct {
			resp *http.Response
			err  error
		}
		done := make(chan result, 1)
		go func() {
			resp, err := c.Do(ctx, call, nil)
			done <- result{resp, err}
		}()
		select {
		case r := <-done:
			return r.resp, r.err
		case <-time.After(10 * time.Second):
			t.Fatal("Do did not return after the context was cancelled")
			return nil, nil
		}
	}

	t.Run("cancelled while the first attempt is answered", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		rt := &fakeTransport{respond: func(int, *http.Request) (*http.Response, error) {
			cancel()
			return response(503, nil, "busy"), nil
		}}
		_, err := run(t, ctx, newTestClient(rt, slow), Get("doors"))
		assert.ErrorIs(t, err, context.Canceled)
		assert.Equal(t, 1, rt.calls())
	})

	// In the next two the response body is closed after the retry decision,
	// just before the wait, so the cancellation lands in the wait itself.
	t.Run("cancelled in the backoff wait", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		rt := &fakeTransport{respond: func(int, *http.Request) (*http.Response, error) {
			resp := response(503, nil, "busy")
			resp.Body = &cancelOnClose{ReadCloser: resp.Body, cancel: cancel}
			return resp, nil
		}}
		resp, err := run(t, ctx, newTestClient(rt, slow), Get("doors"))
		assert.ErrorIs(t, err, context.Canceled)
		assert.Nil(t, resp, "no answer is returned from the wait")
		assert.Equal(t, 1, rt.calls())
	})

	t.Run("cancelled in a Retry-After wait", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		rt := &fakeTransport{respond: func(int, *http.Request) (*http.Response, error) {
			resp := response(429, http.Header{"Retry-After": {"50"}}, "slow down")
			resp.Body = &cancelOnClose{ReadCloser: resp.Body, cancel: cancel}
			return resp, nil
		}}
		resp, err := run(t, ctx, newTestClient(rt, slow), Post("grants").WithBody([]byte(`{}`)))
		assert.ErrorIs(t, err, context.Canceled)
		assert.Nil(t, resp)
		assert.Equal(t, 1, rt.calls())
	})
}

type cancelOnClose struct {
	io.ReadCloser
	cancel context.CancelFunc
	once   sync.Once
}

func (c *cancelOnClose) Close() error {
	c.once.Do(c.cancel)
	return c.ReadCloser.Close()
}

func TestCheckRetryCancelledContext(t *testing.T) {
	callCtx, _ := withCall(context.Background(), true, 0, shownPath{}, nil)
	ctx, cancel := context.WithCancel(callCtx)
	cancel()
	retry, err := fastPolicy.checkRetry(ctx, response(503, nil, ""), nil)
	assert.False(t, retry)
	assert.ErrorIs(t, err, context.Canceled)

	retry, err = fastPolicy.checkRetry(ctx, nil, dialErr())
	assert.False(t, retry)
	assert.ErrorIs(t, err, context.Canceled)
}

func TestCheckRetryWithoutIdempotenceMark(t *testing.T) {
	// A context that was never marked is treated as not idempotent.
	retry, err := fastPolicy.checkRetry(context.Background(), response(502, nil, ""), nil)
	assert.NoError(t, err)
	assert.False(t, retry)
	retry, _ = fastPolicy.checkRetry(context.Background(), nil, dialErr())
	assert.True(t, retry)
}

func TestIdempotentMethod(t *testing.T) {
	for method, want := range map[string]bool{
		http.MethodGet: true, http.MethodHead: true, http.MethodPut: true, http.MethodDelete: true,
		http.MethodOptions: true, http.MethodPost: false, http.MethodPatch: false, "get": false, "": false,
	} {
		assert.Equal(t, want, IdempotentMethod(method), method)
	}
}

func TestIsConnectionError(t *testing.T) {
	timeout := &net.DNSError{Err: "i/o timeout", IsTimeout: true}
	for name, tt := range map[string]struct {
		err  error
		want bool
	}{
		"EOF":               {io.EOF, true},
		"unexpected EOF":    {fmt.Errorf("wrapped: %w", io.ErrUnexpectedEOF), true},
		"ECONNRESET":        {syscall.ECONNRESET, true},
		"ECONNREFUSED":      {syscall.ECONNREFUSED, true},
		"EPIPE":             {syscall.EPIPE, true},
		"read OpError":      {readErr(), true},
		"timeout net.Error": {timeout, true},
		"plain":             {errors.New("x509: certificate signed by unknown authority"), false},
		"context canceled":  {context.Canceled, false},
	} {
		assert.Equal(t, tt.want, isConnectionError(tt.err), name)
	}
	assert.True(t, isDialError(fmt.Errorf("wrapped: %w", dialErr())))
	assert.False(t, isDialError(readErr()))
	assert.False(t, isDialError(errors.New("dial")))
}

func TestBackoffRetryAfter(t *testing.T) {
	p := Policy{MinWait: time.Millisecond, MaxWait: 2 * time.Millisecond, MaxRetryAfter: 30 * time.Second}
	ra := func(v string) *http.Response { return response(503, http.Header{"Retry-After": {v}}, "") }
	// within checks a jittered wait: d plus at most a fifth of d or half of MinWait.
	within := func(d time.Duration, got time.Duration, msg string) {
		t.Helper()
		assert.GreaterOrEqual(t, got, d, msg)
		assert.LessOrEqual(t, got, d+max(d/5, p.MinWait/2), msg)
	}

	within(0, p.backoff(p.MinWait, p.MaxWait, 0, ra("0")), "zero")
	within(5*time.Second, p.backoff(p.MinWait, p.MaxWait, 0, ra("5")), "Retry-After wins over MaxWait")
	within(5*time.Second, p.backoff(p.MinWait, p.MaxWait, 7, ra("5")), "whatever the attempt")
	within(30*time.Second, p.backoff(p.MinWait, p.MaxWait, 0, ra("31")), "capped at MaxRetryAfter")
	within(30*time.Second, p.backoff(p.MinWait, p.MaxWait, 0, ra("99999999999")), "huge value capped")
	within(30*time.Second, p.backoff(p.MinWait, p.MaxWait, 0, ra("10000000000")), "no overflow to a negative wait")

	date := time.Now().Add(10 * time.Second).UTC().Format(http.TimeFormat)
	d := p.backoff(p.MinWait, p.MaxWait, 0, ra(date))
	assert.Greater(t, d, 8*time.Second, "HTTP date honoured")
	assert.LessOrEqual(t, d, 12*time.Second)

	far := time.Now().Add(time.Hour).UTC().Format(http.TimeFormat)
	within(30*time.Second, p.backoff(p.MinWait, p.MaxWait, 0, ra(far)), "far date capped")

	past := time.Now().Add(-time.Hour).UTC().Format(http.TimeFormat)
	within(0, p.backoff(p.MinWait, p.MaxWait, 0, ra(past)), "past date")

	for _, bad := range []string{"-5", "soon", "1.5", ""} {
		d := p.backoff(p.MinWait, p.MaxWait, 0, ra(bad))
		assert.LessOrEqual(t, d, p.MaxWait, "bad Retry-After %q falls back to exponential", bad)
	}
}

// TestBackoffRetryAfterJitter: 100 workers told "Retry-After: 1" must not
// all wake at the same instant, and none before the second or much after.
func TestBackoffRetryAfterJitter(t *testing.T) {
	p := DefaultPolicy
	for _, v := range []string{"1", "0"} {
		resp := response(429, http.Header{"Retry-After": {v}}, "")
		base, _ := RetryAfter(resp.Header, time.Now())
		seen := map[time.Duration]bool{}
		for range 100 {
			d := p.backoff(p.MinWait, p.MaxWait, 0, resp)
			seen[d] = true
			require.GreaterOrEqual(t, d, base)
			require.LessOrEqual(t, d, base+base/5+p.MinWait/2)
		}
		assert.Greater(t, len(seen), 50, "Retry-After %s: waits differ", v)
	}
}

func TestRetryAfterOverflowIsNotRetriedAtOnce(t *testing.T) {
	rt := always(429, http.Header{"Retry-After": {"10000000000"}}, "")
	c := newTestClient(rt, fastPolicy)
	_, err := c.Do(context.Background(), Get("x"), nil)
	require.Error(t, err)
	assert.Equal(t, 1, rt.calls(), "a wait past MaxRetryAfter goes back to the caller")
}

func TestBackoffExponential(t *testing.T) {
	p := Policy{MaxRetryAfter: time.Minute}
	minWait, maxWait := 100*time.Millisecond, 5*time.Second
	for attempt := range 12 {
		want := maxWait
		if d := minWait << attempt; d < maxWait {
			want = d
		}
		for range 50 {
			for _, resp := range []*http.Response{nil, response(503, nil, "")} {
				got := p.backoff(minWait, maxWait, attempt, resp)
				assert.GreaterOrEqual(t, got, want/2, "attempt %d", attempt)
				assert.LessOrEqual(t, got, want, "attempt %d", attempt)
			}
		}
	}
}

func TestBackoffNeverAboveMaxWait(t *testing.T) {
	p := Policy{MaxRetryAfter: time.Minute}
	waits := []struct{ minWait, maxWait time.Duration }{
		{time.Millisecond, 2 * time.Millisecond},
		{250 * time.Millisecond, 5 * time.Second},
		{time.Second, time.Second},
		{3 * time.Second, time.Second}, // misconfigured: MinWait above MaxWait
		{time.Nanosecond, time.Hour},
		{7 * time.Millisecond, 30 * time.Second},
	}
	attempts := []int{0, 1, 2, 10, 30, 33, 40, 50, 61, 62, 63, 64, 65, 100, 1000, math.MaxInt32, math.MaxInt}
	for _, w := range waits {
		for _, attempt := range attempts {
			for range 20 {
				got := p.backoff(w.minWait, w.maxWait, attempt, nil)
				require.GreaterOrEqual(t, got, time.Duration(0), "min %v max %v attempt %d", w.minWait, w.maxWait, attempt)
				require.LessOrEqual(t, got, w.maxWait, "min %v max %v attempt %d", w.minWait, w.maxWait, attempt)
				if attempt >= 62 {
					require.GreaterOrEqual(t, got, w.maxWait/2, "huge attempt %d waits about MaxWait", attempt)
				}
			}
		}
	}
}

func TestBackoffZeroMinWait(t *testing.T) {
	p := Policy{MaxRetryAfter: time.Minute}
	assert.Equal(t, time.Duration(0), p.backoff(0, time.Second, 3, nil))
}

func TestDefaultPolicyIsSane(t *testing.T) {
	p := DefaultPolicy
	assert.Positive(t, p.MaxRetries)
	assert.Positive(t, p.MinWait)
	assert.GreaterOrEqual(t, p.MaxWait, p.MinWait)
	assert.GreaterOrEqual(t, p.MaxRetryAfter, p.MaxWait)
}

func TestRetryBodyFromRequestIsNotLost(t *testing.T) {
	// Each retried attempt gets a fresh reader over the same bytes.
	body := strings.Repeat("x", 10_000)
	rt := always(503, nil, "")
	c := newTestClient(rt, fastPolicy)
	_, err := c.Do(context.Background(), Put("blob").WithBody([]byte(body)), nil)
	require.Error(t, err)
	require.Equal(t, 4, rt.calls())
	for i := range 4 {
		assert.Equal(t, body, string(rt.attempt(i).Body))
	}
}
