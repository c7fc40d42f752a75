package rest

import (
	"bytes"
	"context"
	"errors"
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
