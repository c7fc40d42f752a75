package havr

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"reflect"
	"testing"
	"time"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/internal/redact/redacttest"
	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// secretMark starts every secret the tests plant; no output may contain it.
const secretMark = "S3CRET"

// secretHolders is every exported type of the package that holds a secret;
// TestSecretHoldersListed keeps it complete.
var secretHolders = []any{
	Tokens{}, Token{}, TokenRequest{}, KToken{}, KTokens{},
	DoorLock{}, DoorLockWithLockGroup{}, DoorLocksWithLockGroups{}, DoorLockSettingsCode{}, DoorLockSettings{}, DoorLockFlashPayload{},
	DoorLockActivateRequest{}, DoorLockActivationTokenRequest{}, DoorLockWiFiConfiguration{},
	DoorLockState{}, DoorLockStateLog{},
	Device{}, DeviceLookup{}, DeviceRequest{}, DeviceUpdate{},
	LockConfiguration{}, LockConfigurationChange{}, LockConfigurationUpdate{},
	LockGroupTokenRequest{}, SharedKeyLinkKTokenRequest{},
	SharedKeyDetails{}, SharedKeyDoorLock{}, SharedKeyFromToken{}, SharedKeyIndexDetails{}, SharedKeyWithUser{}, SharedKeyWithDoorLock{},
	SyncResult{}, CompanyWithEmployees{},
	User{}, UserPendingRequest{}, UserWithActivity{},
	UserCreateRequest{}, UserChangeEmailRequest{}, UserChangePasswordRequest{}, UserResetPasswordRequest{},
	UserVerifyEmailOptions{}, UserEmailChangeOptions{}, UserCancelPasswordResetOptions{},
}

// Every exported type that holds a secret, directly or in a field, is in the
// table: found from the source, so a new type cannot be forgotten.
func TestSecretHoldersListed(t *testing.T) { redacttest.AssertListed(t, ".", secretHolders) }

// No secret of any holder prints through fmt, logs through slog's text or
// JSON handler, or shows in an error string, as a value or a pointer.
func TestSecretsNeverPrintOrLog(t *testing.T) {
	for _, zero := range secretHolders {
		t.Run(reflect.TypeOf(zero).Name(), func(t *testing.T) { redacttest.AssertHidden(t, zero, secretMark) })
	}
}

// The redacted log keeps what is not secret, under the JSON names.
func TestSecretsLogValueKeepsTheRest(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&buf, nil))
	log.Info("lock", "lock", DoorLock{ID: 4, Description: "Front door", LisaToken: "AbZ123"},
		"tokens", KTokens{4: {KToken: "kt", LastKTokenID: "last"}})
	var got map[string]any
	require.NoError(t, json.Unmarshal(buf.Bytes(), &got))
	lock := got["lock"].(map[string]any)
	assert.Equal(t, "Front door", lock["description"])
	assert.Equal(t, "[redacted]", lock["lisa_token"])
	assert.EqualValues(t, 4, lock["id"])
	assert.Equal(t, map[string]any{"4": map[string]any{"k_token": "[redacted]", "last_k_token_id": "last"}}, got["tokens"])
}

// Errors of the methods that take secrets never echo them: validation
// errors, decode errors and the vendor's answers to requests that carried a
// secret in their body or query.
func TestSecretsNotInErrors(t *testing.T) {
	ctx := context.Background()
	const s = access.Secret(secretMark + "-arg")
	short := access.Secret(secretMark) // a password Havr refuses
	local := newTestClient(t, noRequests(t))
	errs := map[string]error{}
	_, _, errs["Auth.Token password"] = local.Auth.Token(ctx, TokenRequest{ClientID: ClientIDWebPlatform, UserAgent: "ua", GrantType: GrantPassword, Password: s})
	errs["ValidatePassword"] = ValidatePassword(string(short) + "\x00é")
	_, _, errs["Users.Create"] = local.Users.Create(ctx, UserCreateRequest{Email: "a@example.com", FirstName: "A", LastName: "B", Password: short})
	_, errs["Users.ChangePassword"] = local.Users.ChangePassword(ctx, UserChangePasswordRequest{CurrentPassword: s, NewPassword: short})
	_, errs["Users.ResetPassword"] = local.Users.ResetPassword(ctx, UserResetPasswordRequest{PasswordResetToken: s, NewPassword: short})
	_, _, errs["Users.ChangeEmail"] = local.Users.ChangeEmail(ctx, UserChangeEmailRequest{Password: s})
	_, _, errs["DoorLocks.Activate"] = local.DoorLocks.Activate(ctx, DoorLockActivateRequest{ActivationToken: s, Description: "d"})
	_, _, errs["DoorLocks.IsActivationTokenValid"] = local.DoorLocks.IsActivationTokenValid(ctx, DoorLockActivationTokenRequest{ActivationToken: s})
	_, errs["DecodeDoorLockSettings base64"] = DecodeDoorLockSettings(string(s) + "!!")
	_, errs["DoorLockSettingsCode.Decode json"] = DoorLockSettingsCode{Base64: access.Secret(base64.StdEncoding.EncodeToString([]byte(`{"password":"` + s + `"`)))}.Decode()
	_, errs["DoorLockSettingsCode.Decode type"] = DoorLockSettingsCode{Base64: access.Secret(base64.StdEncoding.EncodeToString([]byte(`{"password":["` + s + `"]}`)))}.Decode()
	_, _, errs["SharedKeys.GetKTokenFromToken"] = local.SharedKeys.GetKTokenFromToken(ctx, SharedKeyLinkKTokenRequest{Token: s})
	_, _, errs["LockGroups.GetInfoFromToken"] = local.LockGroups.GetInfoFromToken(ctx, LockGroupTokenRequest{Token: s})
	_, _, errs["Devices.Create"] = local.Devices.Create(ctx, DeviceRequest{FCMToken: s})
	_, _, errs["LockConfigurations.Update"] = local.LockConfigurations.Update(ctx, 1, LockConfigurationUpdate{WiFiPassword: Ptr(s), BoltTime: Ptr(99)})

	mock := httpmock.NewMockTransport()
	mock.RegisterNoResponder(httpmock.NewStringResponder(http.StatusBadRequest, `{"error": "Invalid token", "error_code": "invalid_token"}`))
	remote := newTestClient(t, mock)
	_, errs["Users.VerifyEmail"] = remote.Users.VerifyEmail(ctx, &UserVerifyEmailOptions{Token: s})
	_, _, errs["Users.ConfirmEmailChange"] = remote.Users.ConfirmEmailChange(ctx, &UserEmailChangeOptions{EmailVerificationToken: s})
	_, errs["Users.CancelEmailChange"] = remote.Users.CancelEmailChange(ctx, &UserEmailChangeOptions{EmailVerificationToken: s})
	_, errs["Users.CancelPasswordReset"] = remote.Users.CancelPasswordReset(ctx, &UserCancelPasswordResetOptions{PasswordResetToken: s})
	_, _, errs["SharedKeys.GetFromToken"] = remote.SharedKeys.GetFromToken(ctx, s)
	_, errs["DoorLocks.Delete"] = remote.DoorLocks.Delete(ctx, 4, s)
	_, _, errs["Auth.Token answered"] = remote.Auth.Token(ctx, TokenRequest{ClientID: ClientIDWebPlatform, UserAgent: "ua", GrantType: GrantPassword, EmailOrUsername: "a", Password: s})

	for name, err := range errs {
		require.Error(t, err, name)
		for _, verb := range []string{"%v", "%+v", "%#v"} {
			assert.NotContains(t, fmt.Sprintf(verb, err), secretMark, name+" "+verb)
		}
	}
}

// A request that fails before any answer reports its URL; one-time tokens
// in the query must not be in it under any verb, %#v included (the shared
// plumbing redacts URLs in errors, and its error type keeps the query's
// values only to scrub them).
func TestSecretsNotInTransportErrors(t *testing.T) {
	ctx := context.Background()
	const s = access.Secret(secretMark + "-query")
	c := newTestClient(t, roundTripFunc(func(*http.Request) (*http.Response, error) {
		return nil, errors.New("connection refused")
	}))
	errs := map[string]error{}
	_, errs["Users.VerifyEmail"] = c.Users.VerifyEmail(ctx, &UserVerifyEmailOptions{Token: s})
	_, _, errs["Users.ConfirmEmailChange"] = c.Users.ConfirmEmailChange(ctx, &UserEmailChangeOptions{EmailVerificationToken: s})
	_, errs["Users.CancelEmailChange"] = c.Users.CancelEmailChange(ctx, &UserEmailChangeOptions{EmailVerificationToken: s})
	_, errs["Users.CancelPasswordReset"] = c.Users.CancelPasswordReset(ctx, &UserCancelPasswordResetOptions{PasswordResetToken: s})
	for name, err := range errs {
		require.Error(t, err, name)
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q"} {
			assert.NotContains(t, fmt.Sprintf(verb, err), secretMark, name+" "+verb)
		}
	}
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
