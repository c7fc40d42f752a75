package rest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const loggedRequestBody = `{"password":"SECRET-PW","pinCodes":[{"pinCode":"123987"}],"name":"x"}`

func newLoggedRequest(t *testing.T) *http.Request {
	t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), http.MethodPost,
		"https://api.example.test/v1/login?access_token=SECRET-QUERY&lang=nl", strings.NewReader(loggedRequestBody))
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer SECRET-TOKEN")
	req.Header.Set("Content-Type", "application/json")
	return req
}

// echoTransport answers 200 with a JWT body and records what it was sent.
type echoTransport struct {
	respBody string
	gotAuth  string
	gotBody  string
	closed   bool
}

func (e *echoTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	e.gotAuth = req.Header.Get("Authorization")
	if req.Body != nil {
		b, _ := io.ReadAll(req.Body)
		_ = req.Body.Close()
		e.gotBody = string(b)
	}
	resp := response(200, http.Header{"Content-Type": {"application/json"}, "Set-Cookie": {"sid=SECRET-COOKIE"}}, e.respBody)
	resp.Body = &trackingCloser{ReadCloser: resp.Body, closed: &e.closed}
	resp.Request = req
	return resp, nil
}

type trackingCloser struct {
	io.ReadCloser
	closed *bool
}

func (c *trackingCloser) Close() error { *c.closed = true; return c.ReadCloser.Close() }

func TestLogTransportDefaultLogsNoQueryHeadersOrBodies(t *testing.T) {
	var buf bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	base := &echoTransport{respBody: `{"jwt":"SECRET-JWT","email":"ada@example.com"}`}
	resp, err := WithLogging(base, logger).RoundTrip(newLoggedRequest(t))
	require.NoError(t, err)
	got, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	assert.Equal(t, `{"jwt":"SECRET-JWT","email":"ada@example.com"}`, string(got))

	var rec map[string]any
	require.NoError(t, json.Unmarshal(buf.Bytes(), &rec), "one JSON record: %s", buf.String())
	assert.Equal(t, "POST", rec["method"])
	assert.Equal(t, "/v1/login", rec["path"])
	assert.Equal(t, float64(200), rec["status"])
	assert.Contains(t, rec, "duration")
	for _, k := range []string{"query", "url", "request_header", "request_body", "response_header", "response_body"} {
		assert.NotContains(t, rec, k)
	}
	for _, s := range []string{"SECRET", "123987", "ada@example.com", "lang", "x-request"} {
		assert.NotContains(t, buf.String(), s)
	}
}

func TestLogTransportRequestID(t *testing.T) {
	var buf bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	rt := always(200, http.Header{"X-Request-Id": {"req-42"}}, `{}`)
	req, err := http.NewRequest(http.MethodGet, testBase+"x", nil)
	require.NoError(t, err)
	resp, err := WithLogging(rt, logger).RoundTrip(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Contains(t, buf.String(), `"request_id":"req-42"`)
}

func TestLogTransportBodiesRedacted(t *testing.T) {
	var buf bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	base := &echoTransport{respBody: `{"jwt":"SECRET-JWT","email":"ada@example.com","base64":"SECRET-CODE","n":1}`}
	rt := &LogTransport{Base: base, Logger: logger, Bodies: true, SecretFields: []string{"base64"}}

	resp, err := rt.RoundTrip(newLoggedRequest(t))
	require.NoError(t, err)
	got, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	assert.Contains(t, string(got), "SECRET-CODE", "the caller reads the whole body")
	require.NoError(t, resp.Body.Close())
	assert.True(t, base.closed, "closing reaches the real body")

	// The base transport gets the request untouched.
	assert.Equal(t, "Bearer SECRET-TOKEN", base.gotAuth)
	assert.Equal(t, loggedRequestBody, base.gotBody)

	out := buf.String()
	for _, secret := range []string{"SECRET", "123987", "ada@example.com"} {
		assert.NotContains(t, out, secret)
	}
	var rec map[string]any
	require.NoError(t, json.Unmarshal(buf.Bytes(), &rec), "one JSON record: %s", out)
	assert.Equal(t, "DEBUG", rec["level"])
	assert.Equal(t, "POST", rec["method"])
	assert.Equal(t, "/v1/login", rec["path"])
	assert.Equal(t, float64(200), rec["status"])
	assert.Contains(t, rec["query"], "lang=nl")
	assert.Equal(t, []any{Redacted}, rec["request_header"].(map[string]any)["Authorization"])
	assert.JSONEq(t, `{"password":"[REDACTED]","pinCodes":"[REDACTED]","name":"x"}`, rec["request_body"].(string))
	assert.JSONEq(t, `{"jwt":"[REDACTED]","email":"[REDACTED]","base64":"[REDACTED]","n":1}`, rec["response_body"].(string))
	assert.Equal(t, []any{Redacted}, rec["response_header"].(map[string]any)["Set-Cookie"])
	assert.Contains(t, rec, "duration")
}

func TestLogTransportLargeResponseIsFullyReadable(t *testing.T) {
	var buf bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	big := `{"data":"` + strings.Repeat("y", 3*maxLoggedBody) + `"}`
	base := &echoTransport{respBody: big}
	resp, err := (&LogTransport{Base: base, Logger: logger, Bodies: true}).RoundTrip(newLoggedRequest(t))
	require.NoError(t, err)
	got, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	assert.Equal(t, big, string(got))
	assert.Less(t, buf.Len(), 2*maxLoggedBody, "the log holds a bounded part of the body")
}

func TestLogTransportInfoLevelLogsNothing(t *testing.T) {
	var buf bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelInfo}))
	base := &echoTransport{respBody: `{"jwt":"SECRET-JWT"}`}
	resp, err := WithLogging(base, logger).RoundTrip(newLoggedRequest(t))
	require.NoError(t, err)
	got, _ := io.ReadAll(resp.Body)
	assert.Equal(t, `{"jwt":"SECRET-JWT"}`, string(got))
	assert.Equal(t, loggedRequestBody, base.gotBody)
	assert.Empty(t, buf.String())
}

func TestLogTransportError(t *testing.T) {
	var buf bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	boom := errors.New("connection refused")
	rt := WithLogging(failing(boom), logger)
	resp, err := rt.RoundTrip(newLoggedRequest(t))
	assert.Nil(t, resp)
	assert.ErrorIs(t, err, boom)
	out := buf.String()
	assert.Contains(t, out, "http attempt failed")
	assert.Contains(t, out, "connection refused")
	assert.NotContains(t, out, "SECRET")
}

func TestWithLoggingNilLogger(t *testing.T) {
	base := &echoTransport{}
	assert.Same(t, http.RoundTripper(base), WithLogging(base, nil))
}

func TestLogTransportThroughClient(t *testing.T) {
	var buf bytes.Buffer // attempts run one after the other on the caller's goroutine
	logger := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	rt := &fakeTransport{respond: func(n int, _ *http.Request) (*http.Response, error) {
		if n == 1 {
			return response(503, nil, ""), nil
		}
		return response(200, jsonHeader(), `{"jwt":"SECRET-JWT"}`), nil
	}}
	c := newTestClient(&LogTransport{Base: rt, Logger: logger, Bodies: true}, fastPolicy)
	var out map[string]string
	_, err := c.Do(context.Background(), Put("users/%v/pin", "u1").
		WithHeader("Authorization", "Bearer SECRET-TOKEN").
		WithBody(map[string]string{"pin": "987654"}), &out)
	require.NoError(t, err)
	assert.Equal(t, "SECRET-JWT", out["jwt"])
	logged := buf.String()
	assert.Equal(t, 2, strings.Count(logged, `"msg":"http attempt"`), "one record per attempt")
	assert.Contains(t, logged, `"status":503`)
	assert.Contains(t, logged, `"status":200`)
	assert.Equal(t, 2, strings.Count(logged, `\"pin\":\"[REDACTED]\"`), "each attempt's body is logged, redacted")
	for _, secret := range []string{"SECRET", "987654"} {
		assert.NotContains(t, logged, secret)
	}
	assert.JSONEq(t, `{"pin":"987654"}`, string(rt.attempt(1).Body), "logging does not consume the body")
}
