package august

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"testing"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/internal/resttest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A PIN August echoes in free text (an error message, any answer logged
// with WithLogBodies) is redacted wherever the answer shows up: the client
// knows which secrets its request sent, whatever key August puts them under.
func TestEchoedPINIsRedacted(t *testing.T) {
	const pin = "482913"
	answers := map[int]string{
		http.StatusConflict: `{"code":"conflict","message":"PIN 482913 is already in use on this lock"}`,
		http.StatusOK:       `{"status":"ok","message":"loading PIN 482913"}`,
	}
	for status, body := range answers {
		t.Run(http.StatusText(status), func(t *testing.T) {
			var logs resttest.LogBuffer
			logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
			rt := roundTripFunc(func(req *http.Request) (*http.Response, error) { return jsonResponse(req, status, body), nil })
			c := newTestClient(t, rt, WithLogger(logger), WithLogBodies())
			cmd := PINCommand{PIN: pin, AccessType: AccessAlways, FirstName: "Ada", LastName: "Lovelace", PartnerUserID: "p-1"}
			_, _, err := c.PINs.Load(context.Background(), testLockID, cmd, testHookURL, nil)
			out := logs.String()
			assert.Contains(t, out, "response_body", "bodies are logged")
			assert.Contains(t, out, "PIN [REDACTED]", "the rest of the answer stays")
			assert.NotContains(t, out, pin)
			if status == http.StatusOK {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, access.ErrConflict)
			for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q"} {
				assert.NotContains(t, fmt.Sprintf(verb, err), pin, verb)
			}
			var aerr *Error
			require.True(t, errors.As(err, &aerr))
			assert.Equal(t, "PIN [REDACTED] is already in use on this lock", aerr.Message)
			assert.NotContains(t, string(aerr.Body), pin)
			assert.JSONEq(t, `{"code":"conflict","message":"PIN [REDACTED] is already in use on this lock"}`, string(aerr.Body))
		})
	}
}

// A PIN command's result that names the PIN in its reason gives the reason
// without it: the grant's DoorAccess.Reason and CommandError carry it.
func TestEventReasonHidesItsPIN(t *testing.T) {
	ev := &Event{PIN: "482913", Status: "failure", Reason: "PIN 482913 already exists on lock 14829130"}
	failed, reason := ev.Failed()
	assert.True(t, failed)
	assert.Equal(t, "PIN [REDACTED] already exists on lock 14829130", reason)
	ev = &Event{PIN: "482913", Error: &EventError{Message: "slot taken by 482913"}}
	_, reason = ev.Failed()
	assert.Equal(t, "slot taken by [REDACTED]", reason)
}
