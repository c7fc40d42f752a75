package resivo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/internal/resttest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A PIN code resivo echoes in free text (an error message, any answer
// logged with WithLogBodies) is redacted wherever the answer shows up.
func TestEchoedPINIsRedacted(t *testing.T) {
	const pin = "482913"
	answers := map[int]string{
		http.StatusBadRequest: `{"message":"pinCode 482913 is already used on this site"}`,
		http.StatusOK:         `{"id":"a-1","note":"created with 482913"}`,
	}
	for status, body := range answers {
		t.Run(http.StatusText(status), func(t *testing.T) {
			var logs resttest.LogBuffer
			logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
			rt := roundTripFunc(func(req *http.Request) (*http.Response, error) {
				return &http.Response{StatusCode: status, Header: http.Header{"Content-Type": {"application/json"}},
					Body: io.NopCloser(strings.NewReader(body)), Request: req}, nil
			})
			c := newTestClient(t, rt, WithLogger(logger), WithLogBodies())
			_, _, err := c.Authorizations.CreatePINAccess(context.Background(), testSite, PINAccessRequest{
				DisplayName: "Visitor", PINCodes: []PINCode{{PINCode: pin, DisplayName: "Visitor"}}, ComponentIDs: []string{"c-1"},
				Restrictions: Restrictions{ValidFrom: At(testFrom), ValidTo: At(testTo)}})
			out := logs.String()
			assert.Contains(t, out, "response_body", "bodies are logged")
			assert.Contains(t, out, "[REDACTED]")
			assert.NotContains(t, out, pin)
			if status == http.StatusOK {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, access.ErrInvalid)
			for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q"} {
				assert.NotContains(t, fmt.Sprintf(verb, err), pin, verb)
			}
			var rerr *Error
			require.True(t, errors.As(err, &rerr))
			assert.Equal(t, "pinCode [REDACTED] is already used on this site", rerr.Message)
			assert.NotContains(t, string(rerr.Body), pin)
		})
	}
}
