package august

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/doorkit/doorkit/internal/resttest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	testBase    = "https://august.test"
	testAuth    = "https://auth.august.test"
	testAPIKey  = "test-api-key"
	testToken   = "access-token-1"
	testLockID  = "6C608ED2DD47AB4B97249C8C7F883BFD"
	testUserID  = "b13c2960-0346-4352-9b7b-6dd2682a615b"
	testHookURL = "https://partner.example.com/august/hooks"
)

// newTestClient returns a client holding an access token, sending through
// rt, with retries off.
func newTestClient(t testing.TB, rt http.RoundTripper, opts ...Option) *Client {
	t.Helper()
	all := append([]Option{
		WithBaseURL(testBase),
		WithAuthURL(testAuth),
		WithAPIKey(testAPIKey),
		WithTokens(testToken, ""),
		WithHTTPClient(&http.Client{Transport: rt}),
		WithRetry(0, 0, 0),
	}, opts...)
	c, err := New(all...)
	require.NoError(t, err)
	return c
}

// harness checks requests against testdata/august. Every request carries
// the API key, the access token and Accept-Version 0.0.1 unless a case
// says otherwise.
var harness = resttest.Harness[*Client]{
	BaseURL:  testBase,
	Fixtures: "../testdata/august",
	Headers: map[string]string{
		"x-august-api-key":      testAPIKey,
		"x-august-access-token": testToken,
		"Accept-Version":        DefaultAPIVersion,
		"Accept":                "application/json",
		"User-Agent":            DefaultUserAgent,
	},
	NewClient: func(t *testing.T, rt http.RoundTripper) *Client { return newTestClient(t, rt) },
}

type (
	endpointCase = resttest.Case[*Client]
	errorCase    = resttest.ErrorCase[*Client]
)

// augustError checks the decoded *Error of an error case.
func augustError(status int, code, message string, kind Kind) func(t *testing.T, err error) {
	return func(t *testing.T, err error) {
		t.Helper()
		var aerr *Error
		require.True(t, errors.As(err, &aerr), "error %v is not an *august.Error", err)
		assert.Equal(t, status, aerr.StatusCode)
		assert.Equal(t, code, aerr.Code)
		assert.Equal(t, message, aerr.Message)
		assert.Equal(t, kind, aerr.Kind)
	}
}

// noRequests and roundTripFunc are the shared test transports.
var noRequests = resttest.NoRequests

type roundTripFunc = resttest.RoundTripFunc

func ptr[T any](v T) *T { return &v }

func jsonResponse(req *http.Request, status int, body string) *http.Response {
	resp := &http.Response{
		StatusCode: status, Status: http.StatusText(status), Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(strings.NewReader(body)), Request: req, ContentLength: int64(len(body)),
	}
	return resp
}

func sprintAll(v any) string { return fmt.Sprintf("%v %+v %#v %s", v, v, v, v) }

func jsonUnmarshal(s string, v any) error { return json.Unmarshal([]byte(s), v) }

func mustURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}
