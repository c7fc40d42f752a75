// Package resttest runs table tests of vendor client methods against
// httpmock: each case checks the request a method sends (method, path,
// query, headers, JSON body against the vendor document's example) and that
// the document's response decodes.
package resttest

import (
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Harness describes a vendor client under test.
type Harness[C any] struct {
	BaseURL  string // absolute, no trailing slash
	Fixtures string // directory of the testdata bodies
	// Headers are expected on every request; a case may override one, and
	// an empty value means the header must be absent.
	Headers map[string]string
	// NewClient returns a client sending through rt.
	NewClient func(t *testing.T, rt http.RoundTripper) C
}

// Case is one documented operation.
type Case[C any] struct {
	Name   string
	Method string
	Path   string // as sent, escaped
	Query  string // expected raw query, sorted as url.Values.Encode does
	// Request is the expected JSON body: a fixture file name ending in
	// .json, or literal JSON. Empty means no body.
	Request string
	// Status and Response are the answer; Response is a fixture name or
	// literal; Status defaults to 200.
	Status   int
	Response string
	Headers  map[string]string
	Call     func(ctx context.Context, c C) (any, error)
	// Check inspects the decoded result.
	Check func(t *testing.T, result any)
}

// Body returns a fixture's contents, or s itself when it is not a file name.
func (h Harness[C]) Body(t testing.TB, s string) string {
	t.Helper()
	if !strings.HasSuffix(s, ".json") {
		return s
	}
	b, err := os.ReadFile(filepath.Join(h.Fixtures, s))
	require.NoError(t, err)
	return string(b)
}

// Run runs each case in a subtest with a fresh client and mock transport.
func (h Harness[C]) Run(t *testing.T, cases []Case[C]) {
	t.Helper()
	seen := map[string]bool{}
	for _, tc := range cases {
		require.False(t, seen[tc.Name], "duplicate case name %q", tc.Name)
		seen[tc.Name] = true
		t.Run(tc.Name, func(t *testing.T) { h.runOne(t, tc) })
	}
}

func (h Harness[C]) runOne(t *testing.T, tc Case[C]) {
	mock := httpmock.NewMockTransport()
	var (
		mu   sync.Mutex
		reqs []*http.Request
		body []string
	)
	status := tc.Status
	if status == 0 {
		status = http.StatusOK
	}
	respBody := h.Body(t, tc.Response)
	mock.RegisterNoResponder(func(req *http.Request) (*http.Response, error) {
		var b []byte
		if req.Body != nil {
			b, _ = io.ReadAll(req.Body)
		}
		mu.Lock()
		reqs = append(reqs, req)
		body = append(body, string(b))
		mu.Unlock()
		resp := httpmock.NewStringResponse(status, respBody)
		resp.Header.Set("Content-Type", "application/json")
		resp.Request = req
		return resp, nil
	})
	client := h.NewClient(t, mock)

	result, err := tc.Call(context.Background(), client)
	require.NoError(t, err)
	require.Len(t, reqs, 1, "one request per call")
	req, sent := reqs[0], body[0]
	assert.Equal(t, tc.Method, req.Method, "method")
	assert.Equal(t, tc.Path, req.URL.EscapedPath(), "path")
	assert.Equal(t, tc.Query, req.URL.RawQuery, "query")
	for k, v := range merge(h.Headers, tc.Headers) {
		assert.Equal(t, v, req.Header.Get(k), "header %s", k)
	}
	if tc.Request != "" {
		assert.Equal(t, "application/json", req.Header.Get("Content-Type"))
		assert.JSONEq(t, h.Body(t, tc.Request), sent, "request body")
	} else {
		assert.Empty(t, sent, "request body")
	}
	if tc.Check != nil {
		tc.Check(t, result)
	}
}

func merge(a, b map[string]string) map[string]string {
	out := make(map[string]string, len(a)+len(b))
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		out[k] = v
	}
	return out
}

// ErrorCase is one documented error response.
type ErrorCase[C any] struct {
	Name   string
	Status int
	Body   string // fixture name or literal; may be empty
	// Sentinel is the access error the result must match.
	Sentinel error
	Call     func(ctx context.Context, c C) error
	// Check inspects the vendor's error value.
	Check func(t *testing.T, err error)
}

// RunErrors answers each case's call with its error response and checks
// that the result matches Sentinel and passes Check.
func (h Harness[C]) RunErrors(t *testing.T, cases []ErrorCase[C]) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.Name, func(t *testing.T) {
			mock := httpmock.NewMockTransport()
			body := h.Body(t, tc.Body)
			mock.RegisterNoResponder(func(req *http.Request) (*http.Response, error) {
				resp := httpmock.NewStringResponse(tc.Status, body)
				resp.Header.Set("Content-Type", "application/json")
				resp.Request = req
				return resp, nil
			})
			err := tc.Call(context.Background(), h.NewClient(t, mock))
			require.Error(t, err)
			assert.ErrorIs(t, err, tc.Sentinel)
			if tc.Check != nil {
				tc.Check(t, err)
			}
		})
	}
}
