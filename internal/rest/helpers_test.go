package rest

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// attempt is what the fake transport saw of one request.
type attempt struct {
	Method        string
	URL           *url.URL
	Header        http.Header
	Body          []byte
	ContentLength int64
	HadBody       bool
}

// fakeTransport is an http.RoundTripper that records every attempt and
// answers with respond, called with the 1-based attempt number.
type fakeTransport struct {
	respond func(n int, req *http.Request) (*http.Response, error)

	mu       sync.Mutex
	attempts []attempt
}

func (f *fakeTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	a := attempt{Method: req.Method, URL: req.URL, Header: req.Header.Clone(), ContentLength: req.ContentLength}
	if req.Body != nil && req.Body != http.NoBody {
		a.HadBody = true
		a.Body, _ = io.ReadAll(req.Body)
		_ = req.Body.Close()
	}
	f.mu.Lock()
	f.attempts = append(f.attempts, a)
	n := len(f.attempts)
	f.mu.Unlock()
	resp, err := f.respond(n, req)
	if resp != nil {
		resp.Request = req
	}
	return resp, err
}

func (f *fakeTransport) calls() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.attempts)
}

func (f *fakeTransport) attempt(i int) attempt {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.attempts[i]
}

// always answers every attempt with the same status, headers and body.
func always(status int, header http.Header, body string) *fakeTransport {
	return &fakeTransport{respond: func(int, *http.Request) (*http.Response, error) {
		return response(status, header, body), nil
	}}
}

// failing answers every attempt with err.
func failing(err error) *fakeTransport {
	return &fakeTransport{respond: func(int, *http.Request) (*http.Response, error) { return nil, err }}
}

func response(status int, header http.Header, body string) *http.Response {
	if header == nil {
		header = make(http.Header)
	}
	return &http.Response{
		Status:        fmt.Sprintf("%d %s", status, http.StatusText(status)),
		StatusCode:    status,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        header,
		Body:          io.NopCloser(strings.NewReader(body)),
		ContentLength: int64(len(body)),
	}
}

func jsonHeader() http.Header { return http.Header{"Content-Type": {"application/json"}} }

// testError is the DecodeError result used by the tests.
type testError struct {
	Status int
	Body   []byte
}

func (e *testError) Error() string { return fmt.Sprintf("test error %d: %s", e.Status, e.Body) }

func decodeTestError(resp *http.Response, body []byte) error {
	return &testError{Status: resp.StatusCode, Body: body}
}

const testBase = "https://api.example.test/v1/"

// fastPolicy retries quickly so the retry tests count calls, not time.
var fastPolicy = Policy{MaxRetries: 3, MinWait: time.Millisecond, MaxWait: 2 * time.Millisecond, MaxRetryAfter: time.Second}

func newTestClient(rt http.RoundTripper, p Policy) *Client {
	u, err := url.Parse(testBase)
	if err != nil {
		panic(err)
	}
	return New(Config{
		BaseURL:     u,
		Transport:   rt,
		Policy:      p,
		UserAgent:   "doorkit-test/1.0",
		DecodeError: decodeTestError,
	})
}
