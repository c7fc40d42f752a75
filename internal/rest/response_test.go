package rest

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestNewResponseReadsRequestIDAndRetryAfter(t *testing.T) {
	assert.Nil(t, NewResponse(nil), "no answer, no Response")

	r := NewResponse(&http.Response{StatusCode: 200, Header: http.Header{}})
	assert.Empty(t, r.RequestID)
	assert.Zero(t, r.RetryAfter)

	h := http.Header{}
	h.Set("X-Amzn-Requestid", "amzn-1")
	h.Set("Retry-After", time.Now().Add(time.Hour).UTC().Format(http.TimeFormat))
	r = NewResponse(&http.Response{StatusCode: 503, Header: h})
	assert.Equal(t, "amzn-1", r.RequestID)
	assert.InDelta(t, time.Hour, r.RetryAfter, float64(2*time.Minute), "an HTTP date counts from now")
	assert.Equal(t, 503, r.StatusCode, "the *http.Response is embedded")
}
