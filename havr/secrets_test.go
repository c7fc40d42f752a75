package havr

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"log/slog"
	"net/http"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/internal/redact"
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

// plant returns a copy of v with every Secret it can hold set to a distinct
// marked value: pointers allocated, one element in slices and maps.
func plant(v any) any {
	n := 0
	out := reflect.New(reflect.TypeOf(v)).Elem()
	var fill func(reflect.Value, int)
	fill = func(v reflect.Value, depth int) {
		if depth > 6 || !redact.HoldsSecret(v.Type()) {
			return
		}
		switch v.Kind() {
		case reflect.String: // the Secret itself
			n++
			v.SetString(fmt.Sprintf("%s-%d", secretMark, n))
		case reflect.Pointer:
			v.Set(reflect.New(v.Type().Elem()))
			fill(v.Elem(), depth+1)
		case reflect.Struct:
			for i := range v.NumField() {
				if v.Type().Field(i).IsExported() {
					fill(v.Field(i), depth+1)
				}
			}
		case reflect.Slice:
			v.Set(reflect.MakeSlice(v.Type(), 1, 1))
			fill(v.Index(0), depth+1)
		case reflect.Map:
			v.Set(reflect.MakeMap(v.Type()))
			key, elem := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
			fill(elem, depth+1)
			v.SetMapIndex(key, elem)
		}
	}
	fill(out, 0)
	return out.Interface()
}

// Every exported type that holds a secret, directly or in a field, is in the
// table: found from the source, so a new type cannot be forgotten.
func TestSecretHoldersListed(t *testing.T) {
	files, err := filepath.Glob("*.go")
	require.NoError(t, err)
	specs := map[string]ast.Expr{}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		require.NoError(t, err)
		for _, d := range f.Decls {
			if g, ok := d.(*ast.GenDecl); ok && g.Tok == token.TYPE {
				for _, s := range g.Specs {
					ts := s.(*ast.TypeSpec)
					specs[ts.Name.Name] = ts.Type
				}
			}
		}
	}
	holding := map[string]bool{"access.Secret": true}
	for changed := true; changed; {
		changed = false
		for name, expr := range specs {
			if !holding[name] && mentions(expr, holding) {
				holding[name], changed = true, true
			}
		}
	}
	listed := map[string]bool{}
	for _, v := range secretHolders {
		listed[reflect.TypeOf(v).Name()] = true
		assert.True(t, redact.HoldsSecret(reflect.TypeOf(v)), "%T holds no secret", v)
	}
	var missing []string
	for name := range holding {
		if ast.IsExported(name) && !listed[name] {
			missing = append(missing, name)
		}
	}
	sort.Strings(missing)
	assert.Empty(t, missing, "exported types holding secrets missing from secretHolders")
}

// mentions reports whether a type expression refers to a type in set.
func mentions(e ast.Expr, set map[string]bool) bool {
	switch e := e.(type) {
	case *ast.Ident:
		return set[e.Name]
	case *ast.SelectorExpr:
		if x, ok := e.X.(*ast.Ident); ok {
			return set[x.Name+"."+e.Sel.Name]
		}
	case *ast.StarExpr:
		return mentions(e.X, set)
	case *ast.ArrayType:
		return mentions(e.Elt, set)
	case *ast.MapType:
		return mentions(e.Key, set) || mentions(e.Value, set)
	case *ast.IndexExpr:
		return mentions(e.X, set) || mentions(e.Index, set)
	case *ast.StructType:
		for _, f := range e.Fields.List {
			if mentions(f.Type, set) {
				return true
			}
		}
	}
	return false
}

// No secret of any holder prints through fmt or logs through slog's text or
// JSON handler, as a value, a pointer or a field of the caller's own struct.
func TestSecretsNeverPrintOrLog(t *testing.T) {
	for _, zero := range secretHolders {
		v := plant(zero)
		name := reflect.TypeOf(v).Name()
		t.Run(name, func(t *testing.T) {
			// The value does hold the planted secrets: the test can fail.
			raw, err := json.Marshal(v)
			require.NoError(t, err)
			require.Contains(t, string(raw), secretMark, "encoding/json sends the real values")
			_, ok := v.(slog.LogValuer)
			require.True(t, ok, "%s is not a slog.LogValuer", name)

			ptr := reflect.New(reflect.TypeOf(v))
			ptr.Elem().Set(reflect.ValueOf(v))
			for _, x := range []any{v, ptr.Interface()} {
				for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%d"} {
					assert.NotContains(t, fmt.Sprintf(verb, x), secretMark, verb)
				}
				for hname, h := range map[string]func(*bytes.Buffer) slog.Handler{
					"text": func(b *bytes.Buffer) slog.Handler {
						return slog.NewTextHandler(b, &slog.HandlerOptions{Level: slog.LevelDebug})
					},
					"json": func(b *bytes.Buffer) slog.Handler {
						return slog.NewJSONHandler(b, &slog.HandlerOptions{Level: slog.LevelDebug})
					},
				} {
					var buf bytes.Buffer
					log := slog.New(h(&buf))
					log.Debug("value", "v", x)
					log.Debug("attr", slog.Any("v", x))
					log.Debug("group", slog.Group("g", slog.Any("v", x)))
					out := buf.String()
					assert.NotContains(t, out, secretMark, hname)
					assert.Contains(t, out, "[redacted]", hname+": the secret is shown as redacted")
					if hname == "json" {
						for line := range strings.Lines(out) {
							assert.True(t, json.Valid([]byte(line)), line)
						}
					}
				}
			}
		})
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
// in the query must not be in it (the shared plumbing redacts URLs in
// errors).
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
		for _, verb := range []string{"%v", "%+v"} {
			assert.NotContains(t, fmt.Sprintf(verb, err), secretMark, name+" "+verb)
		}
	}
}
