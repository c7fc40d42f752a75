package rest

import (
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/doorkit/doorkit/access"
)

func TestStatusSentinel(t *testing.T) {
	tests := map[int]error{
		400: access.ErrInvalid,
		401: access.ErrUnauthorized,
		403: access.ErrForbidden,
		404: access.ErrNotFound,
		409: access.ErrConflict,
		410: access.ErrNotFound,
		422: access.ErrInvalid,
		429: access.ErrRateLimited,
		502: access.ErrUnavailable,
		503: access.ErrUnavailable,
		504: access.ErrUnavailable,
		200: nil,
		204: nil,
		302: nil,
		405: nil,
		418: nil,
		500: access.ErrUnavailable,
		501: access.ErrUnsupported,
		507: access.ErrUnavailable,
		599: access.ErrUnavailable,
		600: nil,
	}
	for status, want := range tests {
		assert.Equal(t, want, StatusSentinel(status), "status %d", status)
	}
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name   string
		value  string
		want   time.Duration
		wantOK bool
	}{
		{"missing", "", 0, false},
		{"zero", "0", 0, true},
		{"seconds", "120", 2 * time.Minute, true},
		{"negative", "-1", 0, false},
		{"fraction", "1.5", 0, false},
		{"garbage", "soon", 0, false},
		{"seconds with unit", "5s", 0, false},
		{"spaces", " 7 ", 7 * time.Second, true},
		{"ten billion seconds saturates", "10000000000", time.Duration(maxRetryAfterSeconds) * time.Second, true},
		{"past int64 saturates", "99999999999999999999999", time.Duration(maxRetryAfterSeconds) * time.Second, true},
		{"date far ahead saturates", "Fri, 31 Dec 9999 23:59:59 GMT", time.Duration(math.MaxInt64), true},
		{"IMF date", now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second, true},
		{"RFC 850 date", now.Add(time.Hour).Format(time.RFC850), time.Hour, true},
		{"ANSI C date", now.Add(time.Minute).Format(time.ANSIC), time.Minute, true},
		{"date in the past", now.Add(-time.Hour).Format(http.TimeFormat), 0, true},
		{"date now", now.Format(http.TimeFormat), 0, true},
		{"date in another zone", now.Add(time.Minute).In(time.FixedZone("X", 3600)).Format(time.RFC1123), 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{}
			if tt.value != "" {
				h.Set("Retry-After", tt.value)
			}
			got, ok := RetryAfter(h, now)
			assert.Equal(t, tt.wantOK, ok)
			assert.Equal(t, tt.want, got)
		})
	}
	got, ok := RetryAfter(nil, now)
	assert.False(t, ok, "nil header")
	assert.Zero(t, got)
}

func TestRequestID(t *testing.T) {
	assert.Equal(t, "", RequestID(nil))
	assert.Equal(t, "", RequestID(http.Header{"Content-Type": {"application/json"}}))
	assert.Equal(t, "r1", RequestID(http.Header{"X-Request-Id": {"r1"}}))
	assert.Equal(t, "c1", RequestID(http.Header{"X-Correlation-Id": {"c1"}}))
	assert.Equal(t, "a1", RequestID(http.Header{"X-Amzn-Requestid": {"a1"}}))

	h := http.Header{}
	h.Set("x-amzn-requestid", "a2")
	h.Set("x-correlation-id", "c2")
	assert.Equal(t, "c2", RequestID(h), "correlation id before the AWS one")
	h.Set("x-request-id", "r2")
	assert.Equal(t, "r2", RequestID(h), "X-Request-Id first")
}

func TestReadBounded(t *testing.T) {
	assert.Equal(t, "abc", string(ReadBounded(strings.NewReader("abc"), 10)))
	assert.Equal(t, "abcde", string(ReadBounded(strings.NewReader("abcdefgh"), 5)))
	assert.Empty(t, ReadBounded(strings.NewReader(""), 5))
	assert.Empty(t, ReadBounded(strings.NewReader("abc"), 0))
}

func TestAnswerOf(t *testing.T) {
	req := httptest.NewRequest(http.MethodPost, "https://api.example/v1/things?token=x", nil)
	resp := &http.Response{StatusCode: 429, Request: req, Header: http.Header{
		"X-Request-Id": {"req-1"}, "Retry-After": {"7"},
	}}
	body := []byte(`{"error":"slow down"}`)
	assert.Equal(t, Answer{StatusCode: 429, Method: "POST", Path: "/v1/things", RequestID: "req-1",
		RetryAfter: 7 * time.Second, Body: body}, AnswerOf(resp, body))

	// A custom transport's answer without its request still decodes.
	assert.Equal(t, Answer{StatusCode: 500}, AnswerOf(&http.Response{StatusCode: 500, Header: http.Header{}}, nil))
}
