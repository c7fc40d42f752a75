package resivo

import (
	"errors"
	"net/http"
	"testing"

	"github.com/doorkit/doorkit/internal/resttest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	testBase   = "https://resivo.test"
	testAccess = "access-token-1"
	testSite   = "site-1"
	testAuthID = "a7f3c2e1-9b4d-4e8a-b1c0-5d6e7f8a9b0c"
)

// newTestClient returns a client holding an access token, sending through
// rt, with retries off.
func newTestClient(t *testing.T, rt http.RoundTripper, opts ...Option) *Client {
	t.Helper()
	all := append([]Option{
		WithBaseURL(testBase),
		WithTokens(testAccess, ""),
		WithHTTPClient(&http.Client{Transport: rt}),
		WithRetry(0, 0, 0),
		WithSites(testSite),
	}, opts...)
	c, err := New(all...)
	require.NoError(t, err)
	return c
}

// harness checks requests against testdata/resivo. Every request carries the
// Bearer access token unless a case says otherwise.
var harness = resttest.Harness[*Client]{
	BaseURL:  testBase,
	Fixtures: "../testdata/resivo",
	Headers: map[string]string{
		"Authorization": "Bearer " + testAccess,
		"Accept":        "application/json",
		"User-Agent":    DefaultUserAgent,
	},
	NewClient: func(t *testing.T, rt http.RoundTripper) *Client { return newTestClient(t, rt) },
}

type (
	endpointCase = resttest.Case[*Client]
	errorCase    = resttest.ErrorCase[*Client]
)

// resivoError checks the decoded *Error of an error case.
func resivoError(status int, code, message string) func(t *testing.T, err error) {
	return func(t *testing.T, err error) {
		t.Helper()
		var rerr *Error
		require.True(t, errors.As(err, &rerr), "error %v is not a *resivo.Error", err)
		assert.Equal(t, status, rerr.StatusCode)
		assert.Equal(t, code, rerr.Code)
		assert.Equal(t, message, rerr.Message)
		assert.NotEmpty(t, rerr.Body)
	}
}

// noRequests and roundTripFunc are the shared test transports.
var noRequests = resttest.NoRequests

type roundTripFunc = resttest.RoundTripFunc

// errorResponse is a response of status to GET /x, for decodeError.
func errorResponse(status int) *http.Response {
	req, _ := http.NewRequest("GET", testBase+"/x", nil)
	return &http.Response{StatusCode: status, Header: http.Header{}, Request: req}
}
