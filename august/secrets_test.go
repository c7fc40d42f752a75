package august

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"reflect"
	"testing"
	"time"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/internal/redact/redacttest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// secretMark starts every secret the tests plant; no output may contain it.
const secretMark = "S3CRET"

// secretHolders is every exported type of the package that holds a secret;
// TestSecretHoldersListed keeps it complete.
var secretHolders = []any{
	Tokens{}, OAuthToken{}, SubUserToken{},
	PIN{}, StatePIN{}, PINList{}, ReservedPIN{}, PINCommand{}, PINCommandsRequest{}, SetMasterPINRequest{},
	Lock{}, OfflineKeys{}, OfflineKey{},
	WebhookRequest{}, Event{}, CommandError{},
	GrantNative{},
}

// Every exported type that holds a secret, directly or in a field, is in the
// table: found from the source, so a new type cannot be forgotten.
func TestSecretHoldersListed(t *testing.T) { redacttest.AssertListed(t, ".", secretHolders) }

// No secret of any holder prints through fmt, logs through slog's text or
// JSON handler, or shows in an error string, as a value or a pointer.
func TestSecretsNeverPrint(t *testing.T) {
	for _, zero := range secretHolders {
		t.Run(reflect.TypeOf(zero).Name(), func(t *testing.T) { redacttest.AssertHidden(t, zero, secretMark) })
	}
	assert.Equal(t, secretMark, access.Secret(secretMark).Reveal())
}

// The redacted forms keep what is not secret, under the JSON names, and the
// command error prints its message.
func TestSecretsLogValueKeepsTheRest(t *testing.T) {
	var buf bytes.Buffer
	pin := PIN{PIN: secretMark, APIKey: secretMark, FirstName: "Ada", Slot: 3}
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("pin", "pin", pin, "list", PINList{Loaded: []PIN{pin}})
	var got map[string]any
	require.NoError(t, json.Unmarshal(buf.Bytes(), &got))
	logged := got["pin"].(map[string]any)
	assert.Equal(t, "Ada", logged["firstName"])
	assert.Equal(t, "[redacted]", logged["pin"])
	assert.Equal(t, "[redacted]", logged["apiKey"])
	assert.EqualValues(t, 3, logged["slot"])
	assert.Equal(t, "[redacted]", got["list"].(map[string]any)["loaded"].(map[string]any)["0"].(map[string]any)["pin"])

	err := &CommandError{Event: &Event{PIN: secretMark, Reason: "slot taken"}, Reason: "slot taken"}
	assert.Equal(t, "august: command failed: slot taken", fmt.Sprintf("%v", err))
	assert.Equal(t, "august: command failed: slot taken", fmt.Errorf("grant: %w", err).Error()[len("grant: "):])
	assert.NotContains(t, fmt.Sprintf("%#v", err), secretMark)
}

// Tokens follow x/oauth2's rule: JSON is the storage form, with the
// secrets in clear under oauth2's names; fmt and slog redact.
func TestTokensStorageForm(t *testing.T) {
	tokens := Tokens{AccessToken: secretMark + "-access", RefreshToken: secretMark + "-refresh",
		Expiry: time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)}
	redacttest.AssertStorageForm(t, tokens, secretMark)
	raw, err := json.Marshal(tokens)
	require.NoError(t, err)
	assert.JSONEq(t, `{"access_token":"S3CRET-access","refresh_token":"S3CRET-refresh","expiry":"2026-05-01T12:00:00Z"}`, string(raw))
	raw, err = json.Marshal(Tokens{AccessToken: "a"})
	require.NoError(t, err)
	assert.JSONEq(t, `{"access_token":"a"}`, string(raw), "empty values are left out")
}
