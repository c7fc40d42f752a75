package primis

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/doorkit/doorkit/access"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDocumentedErrors decodes every error response the document gives.
func TestDocumentedErrors(t *testing.T) {
	cases := []struct {
		name     string
		method   string
		path     string
		status   int
		body     string
		sentinel error
		message  string
		call     func(ctx context.Context, c *Client) error
	}{
		{
			name: "login: incorrect email or password", method: "POST", path: "/api/mobile/login", status: 401,
			sentinel: access.ErrUnauthorized, message: "Unauthorized",
			call: func(ctx context.Context, c *Client) error { _, _, err := c.Auth.Login(ctx); return err },
		},
		{
			name: "login: mobile device limit", method: "POST", path: "/api/mobile/login", status: 400,
			body: fixture(t, "licensing_error.json"), sentinel: access.ErrForbidden,
			message: "Unable to register mobile device due to licensing, please contact system administrator.",
			call:    func(ctx context.Context, c *Client) error { _, _, err := c.Auth.Login(ctx); return err },
		},
		{
			name: "token login: invalid access token", method: "POST", path: "/api/mobile/access_token/login", status: 401,
			sentinel: access.ErrUnauthorized, message: "Unauthorized",
			call: func(ctx context.Context, c *Client) error { _, _, err := c.Auth.LoginWithAccessToken(ctx); return err },
		},
		{
			name: "renew: invalid refresh token", method: "POST", path: "/api/mobile/access_token", status: 401,
			sentinel: access.ErrUnauthorized, message: "Unauthorized",
			call: func(ctx context.Context, c *Client) error { _, _, err := c.Auth.RenewAccessToken(ctx); return err },
		},
		{
			name: "deregister: invalid credentials", method: "DELETE", path: "/api/mobile/registration", status: 401,
			sentinel: access.ErrUnauthorized, message: "Unauthorized",
			call: func(ctx context.Context, c *Client) error { _, _, err := c.Auth.Deregister(ctx); return err },
		},
		{
			name: "password: invalid credentials", method: "POST", path: "/api/mobile/password", status: 401,
			sentinel: access.ErrUnauthorized, message: "Unauthorized",
			call: func(ctx context.Context, c *Client) error {
				_, _, err := c.Auth.ChangePassword(ctx, "Password1234")
				return err
			},
		},
		{
			name: "password: invalid new password", method: "POST", path: "/api/mobile/password", status: 400,
			body: fixture(t, "password_error.json"), sentinel: access.ErrInvalid,
			message: "Password must be at least one number, one lowercase, one uppercase letter and at least six characters",
			call: func(ctx context.Context, c *Client) error {
				_, _, err := c.Auth.ChangePassword(ctx, "Password1234")
				return err
			},
		},
		{
			name: "administrator only, as a user", method: "GET", path: "/api/mobile/" + testPhoneID + "/controlled_areas", status: 403,
			body: `{"status":403,"message":"User is not a Primis administrator"}`, sentinel: access.ErrForbidden,
			message: "User is not a Primis administrator",
			call:    func(ctx context.Context, c *Client) error { _, _, err := c.ControlledAreas.AdminList(ctx); return err },
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			// Credentials present but every 401 stays a 401: the token source
			// answers the retry with the same rejection.
			c, mock := newTestClient(t, WithPassword("admin@example.com", "Admin1234"))
			mock.RegisterResponder("POST", testBase+"/api/mobile/login", jsonResponder(401, ""))
			mock.RegisterResponder("POST", testBase+"/api/mobile/access_token", jsonResponder(401, ""))
			mock.RegisterResponder(tc.method, testBase+tc.path, jsonResponder(tc.status, tc.body))

			err := tc.call(context.Background(), c)
			require.Error(t, err)
			assert.ErrorIs(t, err, tc.sentinel)
			var perr *Error
			require.ErrorAs(t, err, &perr)
			assert.Equal(t, tc.status, perr.StatusCode)
			assert.Equal(t, tc.message, perr.Message)
			assert.Equal(t, tc.body, string(perr.Body))
			assert.Contains(t, err.Error(), "primis:")
		})
	}
}

func TestErrorKeepsRequestIDAndRetryAfter(t *testing.T) {
	c, mock := newTestClient(t, WithRetry(0, 0, 0))
	mock.RegisterResponder("GET", testBase+"/api/mobile/beacons", func(req *http.Request) (*http.Response, error) {
		resp, _ := jsonResponder(429, `{"status":429,"message":"slow down"}`)(req)
		resp.Header.Set("X-Request-Id", "req-42")
		resp.Header.Set("Retry-After", "7")
		return resp, nil
	})
	_, resp, err := c.Beacons.List(context.Background())
	var perr *Error
	require.ErrorAs(t, err, &perr)
	assert.ErrorIs(t, err, access.ErrRateLimited)
	assert.Equal(t, "req-42", perr.RequestID)
	assert.Equal(t, 7*time.Second, perr.RetryAfter)
	require.NotNil(t, resp)
	assert.Equal(t, 429, resp.StatusCode)
}

func TestErrorBodyIsBounded(t *testing.T) {
	c, mock := newTestClient(t)
	huge := `{"status":500,"message":"` + strings.Repeat("x", 2<<20) + `"}`
	mock.RegisterResponder("POST", testBase+"/api/mobile/user/unlock_zone", jsonResponder(500, huge))
	_, _, err := c.ControlledAreas.Unlock(context.Background(), Unlock{ZoneID: "1", Duration: time.Second})
	var perr *Error
	require.ErrorAs(t, err, &perr)
	assert.Len(t, perr.Body, 1<<20)
	assert.Equal(t, "Internal Server Error", perr.Message, "a truncated body is not trusted for its message")
}

func TestMalformedSuccessBodyIsAnError(t *testing.T) {
	for name, body := range map[string]string{
		"not JSON":      `<html>proxy error</html>`,
		"wrong type":    `{"uniqueId": 5}`,
		"null":          `null`,
		"empty":         ``,
		"trailing data": `{"uniqueId":"a"} {"uniqueId":"b"}`,
	} {
		t.Run(name, func(t *testing.T) {
			c, mock := newTestClient(t)
			mock.RegisterResponder("GET", testBase+"/api/mobile/beacon/a", jsonResponder(200, body))
			b, resp, err := c.Beacons.Get(context.Background(), "a")
			assert.Error(t, err)
			assert.Nil(t, b)
			assert.NotNil(t, resp)
		})
	}
}

func TestDeniedErrorMatchesErrDenied(t *testing.T) {
	err := error(&DeniedError{ZoneID: "1", Result: "Denied", Info: "outside"})
	assert.ErrorIs(t, err, access.ErrDenied)
	assert.False(t, errors.Is(err, access.ErrForbidden))
	assert.Equal(t, "primis: access to controlled area 1 denied: outside", err.Error())
}

// FuzzDecodeError feeds arbitrary bodies to the error decoder: it must never
// panic, always keep the status and body, and always have a message.
func FuzzDecodeError(f *testing.F) {
	f.Add(400, []byte(fixtureF(f, "licensing_error.json")))
	f.Add(400, []byte(fixtureF(f, "password_error.json")))
	f.Add(401, []byte{})
	f.Add(500, []byte(`{"status":"x","message":7}`))
	f.Add(404, []byte(`[`))
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		if status < 100 || status > 999 {
			return
		}
		req, _ := http.NewRequest("GET", testBase+"/api/mobile/beacons", nil)
		resp := &http.Response{StatusCode: status, Header: http.Header{}, Request: req}
		err := decodeError(resp, body)
		var perr *Error
		require.ErrorAs(t, err, &perr)
		assert.Equal(t, status, perr.StatusCode)
		assert.Equal(t, body, perr.Body)
		_ = perr.Error()
		_ = errors.Is(err, access.ErrNotFound)
	})
}

func fixtureF(f *testing.F, name string) string { return fixture(f, name) }

func TestErrorStatusWinsOverMessage(t *testing.T) {
	tests := []struct {
		status  int
		message string
		is      []error
		isNot   []error
	}{
		{401, "Invalid email/password or refresh token", []error{access.ErrUnauthorized}, []error{access.ErrInvalid, access.ErrForbidden}},
		{403, "Forbidden", []error{access.ErrForbidden}, []error{access.ErrUnauthorized}},
		{400, "Maximum number of licenses reached", []error{access.ErrForbidden}, []error{access.ErrInvalid}},
		{400, "bad zone", []error{access.ErrInvalid}, nil},
		{500, "", []error{access.ErrUnavailable}, nil},
		{501, "", []error{access.ErrUnsupported}, nil},
	}
	for _, tt := range tests {
		err := &Error{StatusCode: tt.status, Message: tt.message}
		for _, want := range tt.is {
			assert.ErrorIs(t, err, want, "%d %s", tt.status, tt.message)
		}
		for _, not := range tt.isNot {
			assert.NotErrorIs(t, err, not, "%d %s", tt.status, tt.message)
		}
	}
}
