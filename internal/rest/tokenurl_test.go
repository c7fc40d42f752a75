package rest

import (
	"context"
	"net/url"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/internal/auth"
)

// A token fetch made with its own http.Client (resivo's client credentials
// through golang.org/x/oauth2) fails with a *url.Error of the token
// request inside the *auth.TokenError. The call that needed the token was
// not sent: it must stay a TokenError (errors.As finds it) and a POST must
// not be reported of unknown outcome.
func TestTokenErrorHoldingAURLErrorStaysATokenError(t *testing.T) {
	base, err := url.Parse(testBase)
	require.NoError(t, err)
	tokenErr := &auth.TokenError{Err: &url.Error{Op: "Post", URL: "https://api.example.test/token", Err: syscall.ECONNRESET}}
	network := failing(tokenErr)
	c := New(Config{BaseURL: base, Transport: network})
	_, err = c.Do(context.Background(), Post("grants"), nil)
	require.Error(t, err)
	var te *auth.TokenError
	assert.ErrorAs(t, err, &te)
	assert.NotErrorIs(t, err, access.ErrOutcomeUnknown, "the POST was never sent")
	assert.Contains(t, err.Error(), "obtain token")
	assert.Equal(t, 1, network.calls(), "a token failure is not retried")
}
