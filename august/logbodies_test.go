package august

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// With WithLogBodies, the secrets August's JSON bodies carry under keys
// the shared rule does not know (the OAuth authorization code under
// "code") are redacted like the others.
func TestLogBodiesRedactsTheOAuthCode(t *testing.T) {
	var mu sync.Mutex
	var buf bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(writerFunc(func(p []byte) (int, error) {
		mu.Lock()
		defer mu.Unlock()
		return buf.Write(p)
	}), &slog.HandlerOptions{Level: slog.LevelDebug}))
	rt := roundTripFunc(func(req *http.Request) (*http.Response, error) {
		return jsonResponse(req, 200, harness.Body(t, "oauth_token.json")), nil
	})
	c := newTestClient(t, rt, WithOAuth("partner-client", "partner-secret", "https://partner.example.com/oauth/callback"),
		WithLogger(logger), WithLogBodies())
	_, _, err := c.Auth.Exchange(context.Background(), "AUTH-CODE-SECRET-1")
	require.NoError(t, err)
	mu.Lock()
	out := buf.String()
	mu.Unlock()
	assert.Contains(t, out, "request_body", "bodies are logged")
	assert.NotContains(t, out, "AUTH-CODE-SECRET-1")
	assert.NotContains(t, out, "partner-secret")
}

type writerFunc func(p []byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }
