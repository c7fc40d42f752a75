package primis

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"testing"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/internal/redact/redacttest"
	"github.com/doorkit/doorkit/primis/primistest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	secretJWT      = "eyJhbGciOiJIUzI1NiJ9.c2VjcmV0.SECRET-JWT-SIGNATURE"
	secretRefresh  = "SECRET-REFRESH-TOKEN-7f3a"
	secretPassword = "SECRET-Passw0rd"
)

// TestSecretsNeverPrint runs every exported Primis type that holds a
// password, JWT or refresh token through fmt's verbs and slog's text and
// JSON handlers (the JSON handler encodes plain structs with encoding/json,
// which sees access.Secret's real value), and the errors of calls whose
// answers carry tokens through their strings. Tokens, whose JSON form is
// its storage form (TestTokensStorageForm), is not checked through
// encoding/json, nor a map of them through slog's JSON handler, which
// encodes it with encoding/json, as it would x/oauth2's Token.
func TestSecretsNeverPrint(t *testing.T) {
	session := Session{Registered: true, Email: "ada@example.com", JWT: secretJWT, PhoneID: testPhoneID,
		Status: "ok", RefreshToken: secretRefresh}
	renewal := Renewal{JWT: secretJWT, Status: "ok", Email: "ada@example.com", PhoneID: testPhoneID}
	tokens := Tokens{AccessToken: secretJWT, RefreshToken: secretRefresh}
	client, _ := newTestClient(t, WithPassword("ada@example.com", secretPassword), WithTokens(secretJWT, secretRefresh))

	values := map[string]any{
		"Tokens":          tokens,
		"*Tokens":         &tokens,
		"Client.Tokens()": client.Tokens(),
		"Session":         session,
		"*Session":        &session,
		"Renewal":         renewal,
		"*Renewal":        &renewal,
		"*Client":         client,
		"[]Session":       []Session{session},
		"map of Tokens":   map[string]Tokens{"k": tokens},
		"primistest.User": primistest.User{Email: "ada@example.com", Password: secretPassword, Admin: true},
	}
	storageForm := map[string]bool{"Tokens": true, "*Tokens": true, "Client.Tokens()": true, "map of Tokens": true}
	for name, v := range values {
		t.Run(name, func(t *testing.T) {
			var text, js bytes.Buffer
			slog.New(slog.NewTextHandler(&text, nil)).Info("value", "v", v)
			slog.New(slog.NewJSONHandler(&js, nil)).Info("value", "v", v)
			marshalled, err := json.Marshal(v)
			require.NoError(t, err)
			outputs := map[string]string{
				"%v":            fmt.Sprintf("%v", v),
				"%+v":           fmt.Sprintf("%+v", v),
				"%#v":           fmt.Sprintf("%#v", v),
				"%s":            fmt.Sprintf("%s", v),
				"%q":            fmt.Sprintf("%q", v),
				"%x":            fmt.Sprintf("%x", v),
				"slog text":     text.String(),
				"slog JSON":     js.String(),
				"encoding/json": string(marshalled),
				"error":         fmt.Errorf("wrapped: %v", v).Error(),
			}
			if storageForm[name] {
				delete(outputs, "encoding/json")
			}
			if name == "map of Tokens" {
				delete(outputs, "slog JSON")
			}
			for how, out := range outputs {
				assertNoSecret(t, how, out)
			}
			assert.Contains(t, js.String(), `"v":`, "the value is logged, redacted")
		})
	}
	// The redacted forms still tell a reader that a token is there.
	var js bytes.Buffer
	slog.New(slog.NewJSONHandler(&js, nil)).Info("login", "session", session)
	assert.Contains(t, js.String(), `"jwt":"[redacted]"`)
	assert.Contains(t, js.String(), `"email":"ada@example.com"`)
}

// TestErrorsOfTokenCallsDoNotCarryTokens: answers that hold tokens but are
// refused by the client (status not "ok") and server refusals do not put a
// token or the password in the error string.
func TestErrorsOfTokenCallsDoNotCarryTokens(t *testing.T) {
	ctx := context.Background()
	c, mock := newTestClient(t, WithPassword("ada@example.com", secretPassword), WithTokens(secretJWT, secretRefresh))
	mock.RegisterResponder("POST", testBase+"/api/mobile/login", jsonResponder(200,
		`{"status":"failed","jwt":"`+secretJWT+`","refreshToken":"`+secretRefresh+`"}`))
	mock.RegisterResponder("POST", testBase+"/api/mobile/access_token", jsonResponder(200,
		`{"status":"expired","jwt":"`+secretJWT+`"}`))
	mock.RegisterResponder("POST", testBase+"/api/mobile/password", jsonResponder(401, `{"status":401,"message":"Invalid email/password or refresh token"}`))
	mock.RegisterResponder("DELETE", testBase+"/api/mobile/registration", jsonResponder(http.StatusInternalServerError, ``))

	var errs []error
	_, _, err := c.Auth.Login(ctx)
	errs = append(errs, err)
	_, _, err = c.Auth.RenewAccessToken(ctx)
	errs = append(errs, err)
	_, _, err = c.Auth.ChangePassword(ctx, "Fresh1234")
	errs = append(errs, err)
	_, _, err = c.Auth.Deregister(ctx)
	errs = append(errs, err)
	errs = append(errs, ErrDeregistered)
	for i, err := range errs {
		require.Error(t, err, i)
		assertNoSecret(t, fmt.Sprintf("error %d", i), err.Error())
		assertNoSecret(t, fmt.Sprintf("error %d %%+v", i), fmt.Sprintf("%+v", err))
	}
	assert.ErrorIs(t, errs[0], access.ErrUnauthorized)
	assert.ErrorIs(t, errs[1], access.ErrUnauthorized)
}

func assertNoSecret(t *testing.T, how, out string) {
	t.Helper()
	for _, secret := range []string{secretJWT, "SECRET-JWT-SIGNATURE", secretRefresh, secretPassword} {
		assert.NotContains(t, out, secret, "%s printed a secret: %s", how, out)
	}
	for _, hexed := range []string{fmt.Sprintf("%x", secretRefresh), fmt.Sprintf("%x", secretPassword)} {
		assert.NotContains(t, out, hexed, "%s printed a secret in hex", how)
	}
}

// Tokens follow x/oauth2's rule: JSON is the storage form, with the
// secrets in clear under oauth2's names; fmt and slog redact.
func TestTokensStorageForm(t *testing.T) {
	tokens := Tokens{AccessToken: "S3CRET-access", RefreshToken: "S3CRET-refresh"}
	redacttest.AssertStorageForm(t, tokens, "S3CRET")
	raw, err := json.Marshal(tokens)
	require.NoError(t, err)
	assert.JSONEq(t, `{"access_token":"S3CRET-access","refresh_token":"S3CRET-refresh"}`, string(raw))
	raw, err = json.Marshal(Tokens{AccessToken: "a"})
	require.NoError(t, err)
	assert.JSONEq(t, `{"access_token":"a"}`, string(raw), "empty values are left out")
}
