package havr

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"testing"

	"github.com/doorkit/doorkit/internal/resttest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	testBase    = "https://havr.test"
	testAccess  = "access-token-1"
	testRefresh = "refresh-token-1"
)

// newTestClient returns a client holding tokens, sending through rt, with
// retries off.
func newTestClient(t *testing.T, rt http.RoundTripper, opts ...Option) *Client {
	t.Helper()
	all := append([]Option{
		WithBaseURL(testBase),
		WithTokens(testAccess, testRefresh),
		WithPassword("ada@example.com", "Correct-Horse-9"),
		WithHTTPClient(&http.Client{Transport: rt}),
		WithRetry(0, 0, 0),
	}, opts...)
	c, err := New(all...)
	require.NoError(t, err)
	return c
}

// harness checks requests against testdata/havr. Every request carries the
// Bearer access token unless a case says otherwise.
var harness = resttest.Harness[*Client]{
	BaseURL:  testBase,
	Fixtures: "../testdata/havr",
	Headers: map[string]string{
		"Authorization": "Bearer " + testAccess,
		"Accept":        "application/json",
		"User-Agent":    DefaultUserAgent,
	},
	NewClient: func(t *testing.T, rt http.RoundTripper) *Client { return newTestClient(t, rt) },
}

// endpointCase and errorCase shorten the case tables.
type (
	endpointCase = resttest.Case[*Client]
	errorCase    = resttest.ErrorCase[*Client]
)

// havrError checks the decoded *Error of an error case.
func havrError(status int, code, message string) func(t *testing.T, err error) {
	return func(t *testing.T, err error) {
		t.Helper()
		var herr *Error
		require.True(t, errors.As(err, &herr), "error %v is not a *havr.Error", err)
		assert.Equal(t, status, herr.StatusCode)
		assert.Equal(t, code, herr.Code)
		assert.Equal(t, message, herr.Message)
		assert.NotEmpty(t, herr.Body)
	}
}

// noRequests and roundTripFunc are the shared test transports.
var noRequests = resttest.NoRequests

type roundTripFunc = resttest.RoundTripFunc

func jsonDecode(req *http.Request, v any) error { return json.NewDecoder(req.Body).Decode(v) }

func itoa(n int) string { return strconv.Itoa(n) }

func sprintAll(v any) string { return fmt.Sprintf("%v %+v %#v %s", v, v, v, v) }
