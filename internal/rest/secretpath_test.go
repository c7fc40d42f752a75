package rest

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"syscall"
	"testing"

	"github.com/doorkit/doorkit/access"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A PIN that travels in a path (August's DELETE /locks/:lockID/pin/:pin) is
// sent as it is and never logged or quoted in an error.
func TestSecretPathParameter(t *testing.T) {
	const pin = "918273"
	base, _ := url.Parse("https://api.example.com/v1/")

	for _, tc := range []struct {
		name    string
		respond func(n int, req *http.Request) (*http.Response, error)
	}{
		{"vendor error", func(int, *http.Request) (*http.Response, error) { return response(404, nil, "no such pin"), nil }},
		{"transport error", func(int, *http.Request) (*http.Response, error) { return nil, syscall.ECONNRESET }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ft := &fakeTransport{respond: tc.respond}
			var logs bytes.Buffer
			logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
			c := New(Config{BaseURL: base, Transport: WithLogging(ft, logger), Policy: Policy{}})

			_, err := c.Do(context.Background(), Delete("locks/%v/pin/%v", "ABC", access.Secret(pin)), nil)
			require.Error(t, err)
			require.GreaterOrEqual(t, ft.calls(), 1)
			assert.Equal(t, "/v1/locks/ABC/pin/"+pin, ft.attempt(0).URL.Path, "the real PIN is sent")
			assert.NotContains(t, err.Error(), pin)
			assert.Contains(t, err.Error(), "/v1/locks/ABC/pin/")
			assert.NotContains(t, logs.String(), pin)
			assert.Contains(t, logs.String(), "locks/ABC/pin/")
		})
	}

	t.Run("refused secret is not echoed", func(t *testing.T) {
		_, err := BuildPath("locks/%v/pin/%v", "ABC", access.Secret("12/34"))
		require.Error(t, err)
		assert.True(t, errors.Is(err, access.ErrInvalid))
		assert.NotContains(t, err.Error(), "12/34")
	})

	t.Run("shown path", func(t *testing.T) {
		path, shown, err := buildPath("", "locks/%v/pin/%v", "", "", []any{"A B", access.Secret(pin)})
		require.NoError(t, err)
		assert.Equal(t, "locks/A%20B/pin/"+pin, path)
		assert.Equal(t, "locks/A%20B/pin/"+Redacted, shown)
		_, shown, _ = buildPath("", "locks/%v", "", "", []any{"A"})
		assert.Empty(t, shown, "no secret, nothing to mask")
	})
}
