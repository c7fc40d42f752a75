package resttest

import (
	"net/http"
	"testing"
	"time"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/internal/rest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// ResponseAnswers answers the two calls CheckResponse makes: okBody (the
// method's documented success) with a request id, then a 429 with another
// id and a Retry-After of 7 s.
func ResponseAnswers(t testing.TB, okBody string) http.RoundTripper {
	return Answers(t,
		Answer{Status: http.StatusOK, Body: okBody, Header: map[string]string{"X-Request-Id": "req-1"}},
		Answer{Status: http.StatusTooManyRequests, Body: `{}`,
			Header: map[string]string{"X-Correlation-Id": "req-2", "Retry-After": "7"}},
	)
}

// CheckResponse calls call twice against ResponseAnswers and checks that
// the call's *Response carries the request id the vendor gave it and, on
// the 429, its Retry-After, as the call's error of the vendor's type E
// does (fields reads E's RequestID and RetryAfter).
func CheckResponse[E any, PE interface {
	*E
	error
}](t *testing.T, call func() (*rest.Response, error), fields func(PE) (requestID string, retryAfter time.Duration)) {
	t.Helper()
	resp, err := call()
	require.NoError(t, err)
	require.NotNil(t, resp)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "req-1", resp.RequestID)
	assert.Zero(t, resp.RetryAfter)

	resp, err = call()
	require.ErrorIs(t, err, access.ErrRateLimited)
	require.NotNil(t, resp)
	assert.Equal(t, "req-2", resp.RequestID)
	assert.Equal(t, 7*time.Second, resp.RetryAfter)
	var verr PE
	require.ErrorAs(t, err, &verr)
	id, after := fields(verr)
	assert.Equal(t, id, resp.RequestID)
	assert.Equal(t, after, resp.RetryAfter)
}
