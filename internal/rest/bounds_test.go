package rest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/doorkit/doorkit/access"
)

// zeros streams n bytes of a JSON array of zeros ("[0,0,0,...") without
// holding them: one 64 KiB chunk written over and over.
func zeros(n int64) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		chunk := bytes.Repeat([]byte("0,"), 32<<10)
		chunk[0] = '['
		for sent := int64(0); sent < n; sent += int64(len(chunk)) {
			if _, err := w.Write(chunk); err != nil {
				return // the client stopped reading
			}
			chunk[0] = '0'
		}
	}
}

func TestLargeBodyStopsAtTheCap(t *testing.T) {
	const stream = 512 << 20
	srv := httptest.NewServer(zeros(stream))
	defer srv.Close()
	c := newServerClient(t, srv.URL, srv.Client().Transport)

	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	var out []int
	_, err := c.Do(context.Background(), Get("big"), &out)
	runtime.ReadMemStats(&after)

	require.Error(t, err)
	assert.ErrorIs(t, err, ErrBodyTooLarge)
	assert.ErrorIs(t, err, access.ErrUnavailable)
	assert.Nil(t, out)
	grown := after.TotalAlloc - before.TotalAlloc
	t.Logf("512 MiB stream, cap %d MiB: %.1f MiB allocated (%.2fx the cap)", DefaultMaxBody>>20,
		float64(grown)/(1<<20), float64(grown)/DefaultMaxBody)
	assert.Less(t, grown, uint64(3*DefaultMaxBody), "heap growth stays below 3x the cap")
}

func TestMaxBody(t *testing.T) {
	body := `{"id":"b1","name":"Front"}`
	for _, tt := range []struct {
		name   string
		limit  int64
		length bool // announce Content-Length
		ok     bool
	}{
		{"at the cap", int64(len(body)), true, true},
		{"at the cap, chunked", int64(len(body)), false, true},
		{"one byte over", int64(len(body)) - 1, true, false},
		{"one byte over, chunked", int64(len(body)) - 1, false, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if tt.length {
					w.Header().Set("Content-Length", strconv.Itoa(len(body)))
				}
				_, _ = io.WriteString(w, body[:5])
				w.(http.Flusher).Flush()
				_, _ = io.WriteString(w, body[5:])
			}))
			defer srv.Close()
			u, _ := url.Parse(srv.URL)
			c := New(Config{BaseURL: u, Transport: srv.Client().Transport, MaxBody: tt.limit})
			var out beacon
			_, err := c.Do(context.Background(), Post("b"), &out)
			if tt.ok {
				require.NoError(t, err)
				assert.Equal(t, "Front", out.Name)
				return
			}
			assert.ErrorIs(t, err, ErrBodyTooLarge)
			assert.ErrorIs(t, err, access.ErrOutcomeUnknown, "a POST whose answer is lost")
		})
	}
}

// blocking answers after release is closed or the request is cancelled.
func blocking(release <-chan struct{}) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
			return
		}
		_, _ = io.WriteString(w, `{"id":"late"}`)
	}
}

func newBoundedClient(t *testing.T, srv *httptest.Server, headerTimeout time.Duration) *Client {
	u, err := url.Parse(srv.URL)
	require.NoError(t, err)
	// A caller's own transport, with no bound of its own.
	return New(Config{BaseURL: u, Transport: &http.Transport{}, ResponseHeaderTimeout: headerTimeout,
		Policy: Policy{MaxRetries: 2, MinWait: time.Millisecond, MaxWait: time.Millisecond}})
}

func TestResponseHeaderTimeout(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(blocking(release))
	defer srv.Close()
	defer close(release)
	c := newBoundedClient(t, srv, 150*time.Millisecond) // long enough to write the POST

	_, err := c.Do(context.Background(), Get("hang"), nil)
	require.Error(t, err, "a hung server does not block forever")
	assert.ErrorIs(t, err, ErrResponseHeaderTimeout)
	assert.ErrorIs(t, err, access.ErrUnavailable)
	assert.NotErrorIs(t, err, context.DeadlineExceeded, "the caller's context did not end")

	_, err = c.Do(context.Background(), Post("hang"), nil)
	assert.ErrorIs(t, err, ErrResponseHeaderTimeout)
	assert.ErrorIs(t, err, access.ErrOutcomeUnknown, "the POST was written")
}

func TestResponseHeaderTimeoutDefault(t *testing.T) {
	u, _ := url.Parse(testBase)
	c := New(Config{BaseURL: u})
	bound := c.http.HTTPClient.Transport.(*attemptTransport).base.(*headerBound)
	assert.Equal(t, DefaultResponseHeaderTimeout, bound.d)
	assert.Equal(t, DefaultResponseBodyTimeout, bound.body)
}

func TestCallWithTimeoutOverridesTheBound(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(100 * time.Millisecond) // a slow vendor operation, not synchronisation
		_, _ = io.WriteString(w, `{"id":"slow"}`)
	}))
	defer srv.Close()
	c := newBoundedClient(t, srv, 10*time.Millisecond)

	_, err := c.Do(context.Background(), Post("operate"), nil)
	require.ErrorIs(t, err, ErrResponseHeaderTimeout, "the default bound applies")

	var out beacon
	_, err = c.Do(context.Background(), Post("operate").WithTimeout(10*time.Second), &out)
	require.NoError(t, err)
	assert.Equal(t, "slow", out.ID)

	// The caller's deadline still applies under a long override.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	_, err = c.Do(ctx, Post("operate").WithTimeout(10*time.Second), nil)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
}

func TestBodyAfterHeadersIsNotBounded(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, `{"id":`)
		w.(http.Flusher).Flush()
		time.Sleep(300 * time.Millisecond) // headers are out; the rest comes slowly
		_, _ = io.WriteString(w, `"b1"}`)
	}))
	defer srv.Close()
	c := newBoundedClient(t, srv, 100*time.Millisecond)
	var out beacon
	_, err := c.Do(context.Background(), Get("slow-body"), &out)
	require.NoError(t, err)
	assert.Equal(t, "b1", out.ID)
}

func TestReadCapped(t *testing.T) {
	b, err := readCapped(strings.NewReader("hello"), -1, 5)
	require.NoError(t, err)
	assert.Equal(t, "hello", string(b))
	_, err = readCapped(strings.NewReader("hello!"), -1, 5)
	assert.ErrorIs(t, err, ErrBodyTooLarge)
	_, err = readCapped(strings.NewReader(""), 6, 5)
	assert.ErrorIs(t, err, ErrBodyTooLarge, "an announced length past the cap is refused unread")
	b, err = readCapped(strings.NewReader(""), 0, 5)
	require.NoError(t, err)
	assert.Empty(t, b)
	_, err = readCapped(io.MultiReader(strings.NewReader("he"), errReader{}), -1, 5)
	assert.ErrorIs(t, err, io.ErrUnexpectedEOF)
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, io.ErrUnexpectedEOF }

var _ = errors.New

// trickle answers status with the start of a JSON body and then one more
// byte every few milliseconds, forever: a whole answer that never ends.
// It stops when the client goes away.
func trickle(status int) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, `{"id":"`)
		w.(http.Flusher).Flush()
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-r.Context().Done():
				return
			case <-tick.C:
			}
			if _, err := io.WriteString(w, "x"); err != nil {
				return
			}
			w.(http.Flusher).Flush()
		}
	}
}

func newBodyBoundClient(t *testing.T, srv *httptest.Server, bodyTimeout time.Duration) *Client {
	u, err := url.Parse(srv.URL)
	require.NoError(t, err)
	return New(Config{BaseURL: u, Transport: &http.Transport{}, ResponseBodyTimeout: bodyTimeout,
		DecodeError: decodeTestError})
}

// TestResponseBodyTimeout: a body trickled forever ends at the body bound
// when the caller set no deadline (it used to be read for as long as the
// server kept sending: the header bound covers headers only). The error
// keeps the call's class; the caller's context did not end.
func TestResponseBodyTimeout(t *testing.T) {
	for _, status := range []int{http.StatusOK, http.StatusBadGateway} {
		srv := httptest.NewServer(trickle(status))
		c := newBodyBoundClient(t, srv, 100*time.Millisecond)
		for _, call := range []func() *Call{func() *Call { return Get("slow") }, func() *Call { return Post("slow") }} {
			t.Run(fmt.Sprintf("%d %s", status, call().Method), func(t *testing.T) {
				// A generous backstop, so the old code fails instead of
				// hanging; the bound ends the call long before.
				ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
				defer cancel()
				var out beacon
				_, err := c.Do(ctx, call(), &out)
				require.Error(t, err)
				assert.ErrorIs(t, err, ErrResponseBodyTimeout)
				assert.NotErrorIs(t, err, context.DeadlineExceeded, "the caller's context did not end")
				assert.NotErrorIs(t, err, context.Canceled)
				if status == http.StatusOK {
					assert.ErrorIs(t, err, access.ErrUnavailable)
					if call().Method == http.MethodPost {
						assert.ErrorIs(t, err, access.ErrOutcomeUnknown, "the POST may have been carried out")
					} else {
						assert.NotErrorIs(t, err, access.ErrOutcomeUnknown)
					}
				} else {
					var te *testError
					require.ErrorAs(t, err, &te, "the vendor's error for the status it answered")
					assert.Equal(t, http.StatusBadGateway, te.Status)
				}
			})
		}
		srv.Close()
	}
}

// TestResponseBodyTimeoutDiscardedBody: a 2xx whose body the call does not
// need is evidence enough; draining it does not hold the call either.
func TestResponseBodyTimeoutDiscardedBody(t *testing.T) {
	srv := httptest.NewServer(trickle(http.StatusOK))
	defer srv.Close()
	c := newBodyBoundClient(t, srv, 100*time.Millisecond)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	_, err := c.Do(ctx, Post("slow"), nil)
	assert.NoError(t, err)
	assert.NoError(t, ctx.Err(), "the bound, not the backstop, ended the drain")
}

// TestCallerDeadlineStaysInTheChain: whatever the caller's deadline cuts
// short (headers that never come, a 2xx or an error body trickled forever,
// a Retry-After being waited out), the error matches
// context.DeadlineExceeded, so the caller can tell its own deadline from a
// vendor failure.
func TestCallerDeadlineStaysInTheChain(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	handlers := map[string]http.Handler{
		"no headers":        blocking(release),
		"2xx body trickled": trickle(http.StatusOK),
		"4xx body trickled": trickle(http.StatusConflict),
		"5xx body trickled": trickle(http.StatusInternalServerError),
		"retry after": http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Retry-After", "20")
			w.WriteHeader(http.StatusServiceUnavailable)
		}),
	}
	for name, h := range handlers {
		srv := httptest.NewServer(h)
		u, err := url.Parse(srv.URL)
		require.NoError(t, err)
		c := New(Config{BaseURL: u, Transport: &http.Transport{}, DecodeError: decodeTestError,
			Policy: Policy{MaxRetries: 3, MinWait: time.Millisecond, MaxWait: time.Millisecond, MaxRetryAfter: time.Minute}})
		for _, call := range []func() *Call{func() *Call { return Get("x") }, func() *Call { return Post("x") }} {
			for _, decode := range []bool{true, false} {
				t.Run(fmt.Sprintf("%s/%s/decode=%t", name, call().Method, decode), func(t *testing.T) {
					ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
					defer cancel()
					var out any
					if decode {
						out = &beacon{}
					}
					_, err := c.Do(ctx, call(), out)
					if name == "2xx body trickled" && !decode {
						// The status is the evidence; the unread body is drained
						// until the deadline and dropped.
						assert.NoError(t, err)
						return
					}
					require.Error(t, err)
					assert.ErrorIs(t, err, context.DeadlineExceeded)
				})
			}
		}
		srv.Close()
	}
}
