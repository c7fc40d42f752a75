package primis

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/doorkit/doorkit/internal/resttest"
)

// TestResponseCarriesRequestIDAndRetryAfter (issue 14 item 14): a call's
// *Response carries the request id the vendor gave it and, on a 429 or
// 503, its Retry-After, as the call's *Error does.
func TestResponseCarriesRequestIDAndRetryAfter(t *testing.T) {
	rt := resttest.ResponseAnswers(t, `[]`)
	c, _ := newTestClient(t, WithHTTPClient(&http.Client{Transport: rt}), WithRetry(0, 0, 0))
	ctx := context.Background()
	resttest.CheckResponse(t, func() (*Response, error) {
		_, resp, err := c.Beacons.List(ctx)
		return resp, err
	}, func(e *Error) (string, time.Duration) { return e.RequestID, e.RetryAfter })
}
