package clientopt

import (
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/doorkit/doorkit/internal/rest"
)

func TestBoundsAndLoggingReachRestConfig(t *testing.T) {
	c := New("test", "ua", "https://api.example.test")
	base, err := c.ParseBaseURL(false, "")
	require.NoError(t, err)

	cfg, err := c.RestConfig(base, nil)
	require.NoError(t, err)
	assert.Zero(t, cfg.MaxBody, "rest.DefaultMaxBody applies")
	assert.Zero(t, cfg.ResponseHeaderTimeout, "rest.DefaultResponseHeaderTimeout applies")

	require.Error(t, c.SetMaxBody(0))
	require.Error(t, c.SetMaxBody(-1))
	require.Error(t, c.SetResponseHeaderTimeout(0))
	require.NoError(t, c.SetMaxBody(1<<10))
	require.NoError(t, c.SetResponseHeaderTimeout(time.Second))
	c.LogBodies, c.SecretFields = true, []string{"base64"}
	c.Logger = discardLogger()
	cfg, err = c.RestConfig(base, nil)
	require.NoError(t, err)
	assert.Equal(t, int64(1<<10), cfg.MaxBody)
	assert.Equal(t, time.Second, cfg.ResponseHeaderTimeout)
	lt, ok := cfg.Transport.(*rest.LogTransport)
	require.True(t, ok)
	assert.True(t, lt.Bodies)
	assert.Equal(t, []string{"base64"}, lt.SecretFields)
}

func discardLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }
