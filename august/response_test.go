package august

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/internal/resttest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestResponseCarriesRequestIDAndRetryAfter (issue 14 item 14): a call's
// *Response carries the request id the vendor gave it and, on a 429 or
// 503, its Retry-After, as the call's *Error does.
func TestResponseCarriesRequestIDAndRetryAfter(t *testing.T) {
	rt := resttest.Answers(t,
		resttest.Answer{Status: http.StatusOK, Body: `{"status":"kAugLockState_Locked"}`, Header: map[string]string{"X-Request-Id": "req-1"}},
		resttest.Answer{Status: http.StatusTooManyRequests, Body: `{}`,
			Header: map[string]string{"X-Correlation-Id": "req-2", "Retry-After": "7"}},
	)
	c := newTestClient(t, rt)
	ctx := context.Background()

	_, resp, err := c.Locks.GetStatus(ctx, testLockID)
	require.NoError(t, err)
	require.NotNil(t, resp)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "req-1", resp.RequestID)
	assert.Zero(t, resp.RetryAfter)

	_, resp, err = c.Locks.GetStatus(ctx, testLockID)
	require.ErrorIs(t, err, access.ErrRateLimited)
	require.NotNil(t, resp)
	assert.Equal(t, "req-2", resp.RequestID)
	assert.Equal(t, 7*time.Second, resp.RetryAfter)
	var verr *Error
	require.ErrorAs(t, err, &verr)
	assert.Equal(t, verr.RequestID, resp.RequestID)
	assert.Equal(t, verr.RetryAfter, resp.RetryAfter)
}
