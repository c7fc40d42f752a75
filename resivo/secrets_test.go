package resivo

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"reflect"
	"strings"
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
var secretHolders = []any{Tokens{}, LoginRequest{}, LoginResponse{}, PINCode{}, PINAccessRequest{}}

// jsonRedacted are the holders that are never sent to resivo nor stored and
// so also encode to JSON redacted; redacttest.AssertHidden, which first
// checks that encoding/json shows the planted secrets, does not apply to
// them as a whole. Tokens is not one: its JSON form is its storage form
// (TestTokensStorageForm).
var jsonRedacted = map[string]bool{"LoginResponse": true}

func TestSecretHoldersListed(t *testing.T) { redacttest.AssertListed(t, ".", secretHolders) }

// No secret of any holder prints through fmt, logs through slog's text or
// JSON handler, or shows in an error string.
func TestSecretsNeverPrintOrLog(t *testing.T) {
	for _, zero := range secretHolders {
		name := reflect.TypeOf(zero).Name()
		t.Run(name, func(t *testing.T) {
			if !jsonRedacted[name] {
				redacttest.AssertHidden(t, zero, secretMark)
				return
			}
			// AssertHidden's checks with encoding/json among the outputs
			// that must hide the secrets; the plant is checked on the
			// value's own fields instead.
			v := redacttest.Plant(zero, secretMark)
			rv := reflect.ValueOf(v)
			planted := 0
			for i := range rv.NumField() {
				if s, ok := rv.Field(i).Interface().(access.Secret); ok && strings.HasPrefix(s.Reveal(), secretMark) {
					planted++
				}
			}
			require.NotZero(t, planted, "the marks are there, so the checks below can fail")
			ptr := reflect.New(rv.Type())
			ptr.Elem().Set(rv)
			for _, x := range []any{v, ptr.Interface()} {
				for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%d"} {
					assert.NotContains(t, fmt.Sprintf(verb, x), secretMark, verb)
				}
				assert.NotContains(t, fmt.Errorf("wrapped %v: %w", x, io.EOF).Error(), secretMark, "error")
				raw, err := json.Marshal(x)
				require.NoError(t, err)
				assert.NotContains(t, string(raw), secretMark, "encoding/json")
				for hname, h := range map[string]func(io.Writer) slog.Handler{
					"text": func(w io.Writer) slog.Handler { return slog.NewTextHandler(w, nil) },
					"json": func(w io.Writer) slog.Handler { return slog.NewJSONHandler(w, nil) },
				} {
					var buf bytes.Buffer
					log := slog.New(h(&buf))
					log.Info("value", "v", x)
					log.Info("group", slog.Group("g", slog.Any("v", x)), slog.Any("list", []any{x}))
					assert.NotContains(t, buf.String(), secretMark, hname)
					assert.Contains(t, buf.String(), "[redacted]", hname)
				}
			}
		})
	}
}

// Request bodies and the tokens' storage form carry the real values; the
// answer never sent nor stored encodes redacted.
func TestSecretsInJSON(t *testing.T) {
	b, err := json.Marshal(PINCode{PINCode: "987654", DisplayName: "x"})
	require.NoError(t, err)
	assert.JSONEq(t, `{"pinCode":"987654","displayName":"x"}`, string(b))
	b, err = json.Marshal(LoginRequest{Email: "a@example.com", Password: "pw"})
	require.NoError(t, err)
	assert.JSONEq(t, `{"email":"a@example.com","password":"pw"}`, string(b))
	b, err = json.Marshal(Tokens{AccessToken: "tok", RefreshToken: "ref"})
	require.NoError(t, err)
	assert.JSONEq(t, `{"access_token":"tok","refresh_token":"ref"}`, string(b))
	b, err = json.Marshal(LoginResponse{AccessToken: "tok", RefreshToken: "ref", ExpiresIn: 60})
	require.NoError(t, err)
	assert.JSONEq(t, `{"accessToken":"[redacted]","refreshToken":"[redacted]","expiresIn":60}`, string(b))
}

// Errors of the calls that carry secrets never echo them: validation
// errors, resivo's answers, and failures before any answer.
func TestSecretsNotInErrors(t *testing.T) {
	ctx := context.Background()
	const s = access.Secret(secretMark)
	pinReq := func(pin access.Secret) PINAccessRequest {
		return PINAccessRequest{DisplayName: "Visitor", PINCodes: []PINCode{{PINCode: pin, DisplayName: "Visitor"}},
			ComponentIDs: []string{"c-1"}}
	}
	errs := map[string]error{}
	local := newTestClient(t, noRequests(t))
	_, _, errs["Login no email"] = local.Auth.Login(ctx, LoginRequest{Password: s})
	_, _, errs["CreatePINAccess not digits"] = local.Authorizations.CreatePINAccess(ctx, testSite, pinReq(s))

	refused := newTestClient(t, roundTripFunc(func(req *http.Request) (*http.Response, error) {
		return &http.Response{StatusCode: http.StatusBadRequest, Header: http.Header{"Content-Type": {"application/json"}},
			Body: io.NopCloser(strings.NewReader(`{"message":"invalid request"}`)), Request: req}, nil
	}))
	_, _, errs["Login refused"] = refused.Auth.Login(ctx, LoginRequest{Email: "a@example.com", Password: s})
	_, _, errs["CreatePINAccess refused"] = refused.Authorizations.CreatePINAccess(ctx, testSite, pinReq("1234"))

	down := roundTripFunc(func(*http.Request) (*http.Response, error) { return nil, errors.New("connection refused") })
	_, _, errs["Login unreachable"] = newTestClient(t, down).Auth.Login(ctx, LoginRequest{Email: "a@example.com", Password: s})
	cc := newCCClient(t, down, WithClientCredentials("m2m-client-1", string(s)), WithPassword("a@example.com", string(s)))
	_, errs["ClientCredentialsToken unreachable"] = cc.Auth.ClientCredentialsToken(ctx)
	_, _, errs["call unreachable"] = cc.Sites.Get(ctx, testSite)

	for name, err := range errs {
		require.Error(t, err, name)
		for _, verb := range []string{"%v", "%+v", "%#v"} {
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
