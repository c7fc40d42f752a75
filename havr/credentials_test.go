package havr_test

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/havr"
	"github.com/doorkit/doorkit/havr/havrtest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Wrong credentials are the vendor refusing who the caller is: a 401 is
// access.ErrUnauthorized whatever the code (invalid_credentials starts with
// "invalid_", which alone would read as ErrInvalid), and nothing else
// matches. The document gives no body for a refused login; the fake's
// answer is its own (see the havrtest package doc).
func TestWrongCredentialsAreUnauthorized(t *testing.T) {
	for name, tc := range map[string]struct {
		opt  havr.Option
		code string
	}{
		"wrong password":      {havr.WithPassword(havrtest.OwnerEmail, "Wrong-Passw0rd!"), "invalid_credentials"},
		"unknown user":        {havr.WithPassword("nobody@example.com", havrtest.OwnerPassword), "invalid_credentials"},
		"wrong client secret": {havr.WithClientCredentials(havrtest.ClientID, "not-the-secret"), "invalid_client"},
	} {
		t.Run(name, func(t *testing.T) {
			srv := havrtest.NewServer()
			t.Cleanup(srv.Close)
			c, err := havr.New(havr.WithBaseURL(srv.URL), havr.WithHTTPClient(srv.Client()), tc.opt)
			require.NoError(t, err)
			ctx := context.Background()

			_, _, err = c.DoorLocks.List(ctx)
			require.Error(t, err)
			assert.ErrorIs(t, err, access.ErrUnauthorized)
			for _, other := range []error{access.ErrInvalid, access.ErrForbidden, access.ErrNotFound, access.ErrUnavailable} {
				assert.NotErrorIs(t, err, other)
			}
			var herr *havr.Error
			require.True(t, errors.As(err, &herr), "%v is not a *havr.Error", err)
			assert.Equal(t, http.StatusUnauthorized, herr.StatusCode)
			assert.Equal(t, tc.code, herr.Code)
			assert.Equal(t, 0, srv.Count("GET", "/v1/door_locks"), "no call without a token")

			_, _, err = c.Auth.PasswordToken(ctx)
			if name == "wrong client secret" {
				_, _, err = c.Auth.ClientCredentialsToken(ctx)
			}
			assert.ErrorIs(t, err, access.ErrUnauthorized)
			assert.NotErrorIs(t, err, access.ErrInvalid)
		})
	}
}
