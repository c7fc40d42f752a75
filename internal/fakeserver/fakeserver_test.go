package fakeserver

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLoseAnswerPerformsThenDrops(t *testing.T) {
	var performed atomic.Int32
	var front Front
	srv := httptest.NewServer(front.Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		performed.Add(1)
		w.WriteHeader(http.StatusCreated)
		_, _ = w.Write([]byte(`{"id":1}`))
	}), func(w http.ResponseWriter, status int) { w.WriteHeader(status) }))
	defer srv.Close()

	front.Inject(Fault{Method: http.MethodPost, Path: "/keys", Count: 1, LoseAnswer: true})

	// A GET to the same path does not match the fault's method.
	resp, err := http.Get(srv.URL + "/keys")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, int32(1), performed.Load())

	_, err = http.Post(srv.URL+"/keys", "application/json", strings.NewReader(`{}`))
	require.Error(t, err, "the answer is lost")
	assert.Equal(t, int32(2), performed.Load(), "but the request was performed")

	resp, err = http.Post(srv.URL+"/keys", "application/json", strings.NewReader(`{}`))
	require.NoError(t, err, "the fault is spent")
	resp.Body.Close()
	assert.Equal(t, http.StatusCreated, resp.StatusCode)
	assert.Equal(t, 3, front.Count(http.MethodPost, "/keys")+front.Count(http.MethodGet, "/keys"))
}

func TestDropAnswersNothing(t *testing.T) {
	var performed atomic.Int32
	var front Front
	srv := httptest.NewServer(front.Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		performed.Add(1)
	}), func(w http.ResponseWriter, status int) { w.WriteHeader(status) }))
	defer srv.Close()
	front.Inject(Fault{Count: 1, Drop: true})
	_, err := http.Get(srv.URL + "/x")
	require.Error(t, err)
	assert.Equal(t, int32(0), performed.Load())
}

func newFront(t *testing.T, front *Front) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(front.Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusOK)
	}), func(w http.ResponseWriter, status int) { w.WriteHeader(status) }))
	t.Cleanup(srv.Close)
	return srv
}

func get(t *testing.T, url string) *http.Response {
	t.Helper()
	resp, err := http.Get(url)
	require.NoError(t, err)
	resp.Body.Close()
	return resp
}

func TestLogIsBoundedAndCountsStayExact(t *testing.T) {
	var front Front
	srv := newFront(t, &front)
	front.SetLogLimit(3)
	for i := range 5 {
		get(t, srv.URL+"/a?i="+strconv.Itoa(i))
	}
	get(t, srv.URL+"/b")

	reqs := front.Requests()
	require.Len(t, reqs, 3, "only the latest requests are kept")
	assert.Equal(t, []string{"i=3", "i=4", ""}, []string{reqs[0].Query, reqs[1].Query, reqs[2].Query}, "oldest first")
	assert.Equal(t, "/b", reqs[2].Path)
	assert.Equal(t, 5, front.Count(http.MethodGet, "/a"), "counted though the log forgot some")
	assert.Equal(t, 1, front.Count(http.MethodGet, "/b"))

	front.SetLogLimit(2)
	reqs = front.Requests()
	require.Len(t, reqs, 2)
	assert.Equal(t, "i=4", reqs[0].Query)
	get(t, srv.URL+"/c")
	reqs = front.Requests()
	assert.Equal(t, []string{"/b", "/c"}, []string{reqs[0].Path, reqs[1].Path})

	front.ResetLog()
	assert.Empty(t, front.Requests())
	assert.Zero(t, front.Count(http.MethodGet, "/a"))
}

func TestDefaultLogLimit(t *testing.T) {
	var front Front
	front.mu.Lock()
	for i := range DefaultLogLimit + 5 {
		front.record(Request{Method: http.MethodGet, Path: "/x", Query: strconv.Itoa(i)})
	}
	front.mu.Unlock()
	reqs := front.Requests()
	require.Len(t, reqs, DefaultLogLimit)
	assert.Equal(t, "5", reqs[0].Query)
	assert.Equal(t, strconv.Itoa(DefaultLogLimit+4), reqs[len(reqs)-1].Query)
	assert.Equal(t, DefaultLogLimit+5, front.Count(http.MethodGet, "/x"))
}

func TestRateLimitAnswers429WithRetryAfter(t *testing.T) {
	var front Front
	srv := newFront(t, &front)
	front.SetRateLimit(0.01, 3) // one token per 100 s: none comes back during the test
	for range 3 {
		assert.Equal(t, http.StatusOK, get(t, srv.URL+"/x").StatusCode, "the burst is served")
	}
	for range 2 {
		resp := get(t, srv.URL+"/x")
		assert.Equal(t, http.StatusTooManyRequests, resp.StatusCode)
		after, err := strconv.Atoi(resp.Header.Get("Retry-After"))
		require.NoError(t, err)
		assert.InDelta(t, 100, after, 1, "seconds until the bucket holds a token again")
	}
	assert.Equal(t, 2, front.Throttled())
	assert.Equal(t, 5, front.Count(http.MethodGet, "/x"), "throttled requests are logged too")

	front.SetRateLimit(0, 0)
	assert.Equal(t, http.StatusOK, get(t, srv.URL+"/x").StatusCode, "limit removed")
	front.ResetLog()
	assert.Zero(t, front.Throttled())
}

// Held reports a request as it arrives; Hold keeps it until released, and
// then it is performed (or fails as the fault says). A held request whose
// client gives up is not performed.
func TestHoldOrdersRequestsWithoutSleeping(t *testing.T) {
	var performed atomic.Int32
	var front Front
	srv := countingServer(&front, &performed)
	defer srv.Close()

	held := make(chan Request, 1)
	release := make(chan struct{})
	front.Inject(Fault{Path: "/keys/1", Count: 1, Held: held, Hold: release})
	done := make(chan int, 1)
	go func() {
		resp, err := http.Post(srv.URL+"/keys/1", "application/json", strings.NewReader(`{}`))
		if err != nil {
			done <- 0
			return
		}
		resp.Body.Close()
		done <- resp.StatusCode
	}()
	got := <-held
	assert.Equal(t, "/keys/1", got.Path)
	assert.Equal(t, int32(0), performed.Load(), "held, not performed yet")
	close(release)
	assert.Equal(t, http.StatusNoContent, <-done)
	assert.Equal(t, int32(1), performed.Load())

	// Held with a status: released, it fails as the fault says.
	front.Inject(Fault{Path: "/keys/2", Count: 1, Hold: release, Status: http.StatusBadGateway})
	resp, err := http.Post(srv.URL+"/keys/2", "application/json", strings.NewReader(`{}`))
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusBadGateway, resp.StatusCode)
	assert.Equal(t, int32(1), performed.Load())

	// Held forever: the client gives up, and nothing is performed.
	front.Inject(Fault{Path: "/keys/3", Count: 1, Held: held, Hold: make(chan struct{})})
	ctx, cancel := context.WithCancel(context.Background())
	errs := make(chan error, 1)
	go func() {
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL+"/keys/3", strings.NewReader(`{}`))
		_, err := http.DefaultClient.Do(req)
		errs <- err
	}()
	<-held
	cancel()
	assert.ErrorIs(t, <-errs, context.Canceled)
	srv.Close() // waits for the handler to return
	assert.Equal(t, int32(1), performed.Load(), "the request held when its client went away was dropped")
}

// A Detached request is performed once released even though its client
// gave up while it was held, as a server acts on what it has received.
func TestDetachedHoldPerformsAfterTheClientLeft(t *testing.T) {
	var performed atomic.Int32
	var front Front
	srv := countingServer(&front, &performed)
	defer srv.Close()
	held := make(chan Request, 1)
	release := make(chan struct{})
	front.Inject(Fault{Path: "/keys/1", Count: 1, Held: held, Hold: release, Detached: true})
	ctx, cancel := context.WithCancel(context.Background())
	errs := make(chan error, 1)
	go func() {
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL+"/keys/1", strings.NewReader(`{}`))
		_, err := http.DefaultClient.Do(req)
		errs <- err
	}()
	<-held
	cancel()
	assert.ErrorIs(t, <-errs, context.Canceled)
	assert.Equal(t, int32(0), performed.Load(), "not performed while held")
	close(release)
	srv.Close() // waits for the handler to return
	assert.Equal(t, int32(1), performed.Load(), "performed once released, though its client had left")
}

// countingServer serves behind front a handler that counts the requests it
// performs in performed and answers 204.
func countingServer(front *Front, performed *atomic.Int32) *httptest.Server {
	return httptest.NewServer(front.Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		performed.Add(1)
		w.WriteHeader(http.StatusNoContent)
	}), func(w http.ResponseWriter, status int) { w.WriteHeader(status) }))
}
