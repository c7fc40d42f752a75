package havr

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/internal/resttest"
)

func TestErrorStatusWinsOverCode(t *testing.T) {
	tests := []struct {
		status int
		code   string
		is     []error
		isNot  []error
	}{
		{401, "invalid_credentials", []error{access.ErrUnauthorized}, []error{access.ErrInvalid}},
		{401, "", []error{access.ErrUnauthorized}, nil},
		{403, "invalid_password", []error{access.ErrForbidden, access.ErrInvalid}, []error{access.ErrUnauthorized}},
		{403, "users_already_contacts", []error{access.ErrForbidden, access.ErrConflict}, nil},
		{403, "cant_access_another_ones_door_lock", []error{access.ErrForbidden}, []error{access.ErrInvalid}},
		{404, "door_lock_does_not_exist", []error{access.ErrNotFound}, []error{access.ErrForbidden}},
		{400, "invalid_email", []error{access.ErrInvalid}, nil},
		{422, "email_already_taken", []error{access.ErrConflict}, []error{access.ErrInvalid}},
		{500, "", []error{access.ErrUnavailable}, nil},
	}
	for _, tt := range tests {
		err := &Error{StatusCode: tt.status, Code: tt.code}
		for _, want := range tt.is {
			assert.ErrorIs(t, err, want, "%d %s", tt.status, tt.code)
		}
		for _, not := range tt.isNot {
			assert.NotErrorIs(t, err, not, "%d %s", tt.status, tt.code)
		}
	}
}

// fixtureTransport answers each path with a testdata/havr file, or 200 {}.
func fixtureTransport(t *testing.T, files map[string]string) http.RoundTripper {
	return roundTripFunc(func(req *http.Request) (*http.Response, error) {
		body := "{}"
		if f, ok := files[req.URL.Path]; ok {
			b, err := os.ReadFile("../testdata/havr/" + f)
			require.NoError(t, err)
			body = string(b)
		}
		return &http.Response{
			StatusCode: 200, Status: "200 OK", Request: req,
			Header: http.Header{"Content-Type": {"application/json"}, "X-Request-Id": {"req-7"}},
			Body:   io.NopCloser(strings.NewReader(body)),
		}, nil
	})
}

func TestDebugLogsKeepSecretsAndEmailsOut(t *testing.T) {
	files := map[string]string{
		"/v1/door_locks/retrieve_settings":                 "door_lock_retrieve_settings_response.json",
		"/v1/door_locks/retrieve_offline_flash_payload/12": "door_lock_retrieve_offline_flash_payload_response.json",
	}
	settings, err := os.ReadFile("../testdata/havr/door_lock_retrieve_settings_response.json")
	require.NoError(t, err)
	code := string(settings[strings.Index(string(settings), "eyAi"):strings.LastIndex(string(settings), `"`)])
	secrets := []string{
		code[:20], // the settings code (WiFi password, activation token)
		"0101010101010101",
		"visitor@example.com",
		"ONE-TIME-TOKEN",
		testAccess,
		"Correct-Horse-9",
	}
	for _, bodies := range []bool{false, true} {
		t.Run(map[bool]string{false: "default", true: "WithLogBodies"}[bodies], func(t *testing.T) {
			var buf resttest.LogBuffer
			opts := []Option{WithLogger(slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})))}
			if bodies {
				opts = append(opts, WithLogBodies())
			}
			c := newTestClient(t, fixtureTransport(t, files), opts...)
			ctx := context.Background()
			_, _, err := c.DoorLocks.GetSettings(ctx)
			require.NoError(t, err)
			_, _, err = c.DoorLocks.GetOfflineFlashPayload(ctx, 12)
			require.NoError(t, err)
			_, _, _ = c.SharedKeys.CreateWithLink(ctx, SharedKeyLinkRequest{
				Email: "visitor@example.com", LockListIDs: []ID{12},
				StartDate: At(time.Now().Add(time.Hour)), EndDate: At(time.Now().Add(2 * time.Hour)),
			})
			_, err = c.Users.VerifyEmail(ctx, &UserVerifyEmailOptions{Token: "ONE-TIME-TOKEN"})
			require.NoError(t, err)

			out := buf.String()
			assert.Contains(t, out, `"path":"/v1/door_locks/retrieve_settings"`)
			assert.Contains(t, out, `"request_id":"req-7"`)
			for _, s := range secrets {
				assert.NotContains(t, out, s)
			}
			if bodies {
				assert.Contains(t, out, `\"base64\":\"[REDACTED]\"`)
				assert.Contains(t, out, `\"payload\":\"[REDACTED]\"`)
				assert.Contains(t, out, `"query":"token=%5BREDACTED%5D"`)
			} else {
				assert.NotContains(t, out, "body")
				assert.NotContains(t, out, "query")
			}
		})
	}
}

func TestErrorsRedactTheQueryToken(t *testing.T) {
	rt := roundTripFunc(func(*http.Request) (*http.Response, error) { return nil, errors.New("connection reset") })
	c := newTestClient(t, rt)
	_, err := c.Users.VerifyEmail(context.Background(), &UserVerifyEmailOptions{Token: "ONE-TIME-TOKEN"})
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "ONE-TIME-TOKEN")
	assert.Contains(t, err.Error(), "verify_email?token=[REDACTED]")
	assert.ErrorIs(t, err, access.ErrOutcomeUnknown, "a one-time token may have been spent")
}
