package resivo

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"log/slog"
	"net/http"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/internal/redact"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// secretMark starts every secret the tests plant; no output may contain it.
const secretMark = "S3CRET"

// secretHolders is every exported type of the package that holds a secret;
// TestSecretHoldersListed keeps it complete.
var secretHolders = []any{Tokens{}, LoginRequest{}, LoginResponse{}, PinCode{}, PinAccessRequest{}}

// withSecrets returns a copy of v whose Secrets are set to distinct marked
// values, with one element in each slice on the way to them, and how many
// it set.
func withSecrets(v any) (any, int) {
	n := 0
	out := reflect.New(reflect.TypeOf(v)).Elem()
	var set func(reflect.Value)
	set = func(v reflect.Value) {
		if !redact.HoldsSecret(v.Type()) {
			return
		}
		switch v.Kind() {
		case reflect.String:
			n++
			v.SetString(fmt.Sprintf("%s-%d", secretMark, n))
		case reflect.Pointer:
			v.Set(reflect.New(v.Type().Elem()))
			set(v.Elem())
		case reflect.Struct:
			for i := range v.NumField() {
				if v.Type().Field(i).IsExported() {
					set(v.Field(i))
				}
			}
		case reflect.Slice:
			v.Set(reflect.MakeSlice(v.Type(), 1, 1))
			set(v.Index(0))
		}
	}
	set(out)
	return out.Interface(), n
}

// Every exported type that holds a secret, directly or through a field, is
// in the table: the package's type declarations are read from the source, so
// a new one cannot be forgotten.
func TestSecretHoldersListed(t *testing.T) {
	files, err := filepath.Glob("*.go")
	require.NoError(t, err)
	decls := map[string]ast.Expr{}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		require.NoError(t, err)
		ast.Inspect(f, func(n ast.Node) bool {
			if ts, ok := n.(*ast.TypeSpec); ok {
				decls[ts.Name.Name] = ts.Type
			}
			return true
		})
	}
	// A type holds a secret when its declaration names access.Secret or a
	// type that does; repeat until nothing changes.
	holds := map[string]bool{"access.Secret": true}
	for changed := true; changed; {
		changed = false
		for name, expr := range decls {
			if holds[name] {
				continue
			}
			for _, used := range typeNames(expr) {
				holds[name] = holds[name] || holds[used]
			}
			changed = changed || holds[name]
		}
	}
	var listed, found []string
	for _, v := range secretHolders {
		listed = append(listed, reflect.TypeOf(v).Name())
		assert.True(t, redact.HoldsSecret(reflect.TypeOf(v)), "%T holds no secret", v)
	}
	for name, held := range holds {
		if held && ast.IsExported(name) {
			found = append(found, name)
		}
	}
	slices.Sort(listed)
	slices.Sort(found)
	assert.Equal(t, found, listed, "exported types holding secrets and secretHolders differ")
}

// typeNames returns the names of the types a type expression holds values
// of through exported fields ("access.Secret" for a qualified one);
// functions, channels and interfaces hold none that the declaration shows.
func typeNames(e ast.Expr) []string {
	switch e := e.(type) {
	case *ast.Ident:
		return []string{e.Name}
	case *ast.SelectorExpr:
		if x, ok := e.X.(*ast.Ident); ok {
			return []string{x.Name + "." + e.Sel.Name}
		}
	case *ast.StarExpr:
		return typeNames(e.X)
	case *ast.ArrayType:
		return typeNames(e.Elt)
	case *ast.MapType:
		return append(typeNames(e.Key), typeNames(e.Value)...)
	case *ast.IndexExpr:
		return append(typeNames(e.X), typeNames(e.Index)...)
	case *ast.StructType:
		var names []string
		for _, f := range e.Fields.List {
			// Only exported fields print (redact.HoldsSecret agrees).
			if len(f.Names) == 0 || slices.ContainsFunc(f.Names, (*ast.Ident).IsExported) {
				names = append(names, typeNames(f.Type)...)
			}
		}
		return names
	}
	return nil
}

// No secret of any holder prints through fmt or logs through slog's text or
// JSON handler, as a value, a pointer, or inside the caller's own group.
func TestSecretsNeverPrintOrLog(t *testing.T) {
	verbs := []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%d"}
	handlers := map[string]func(io.Writer) slog.Handler{
		"text": func(w io.Writer) slog.Handler { return slog.NewTextHandler(w, nil) },
		"json": func(w io.Writer) slog.Handler { return slog.NewJSONHandler(w, nil) },
	}
	for _, zero := range secretHolders {
		v, planted := withSecrets(zero)
		t.Run(reflect.TypeOf(v).Name(), func(t *testing.T) {
			require.NotZero(t, planted, "the marks are there, so the assertions below can fail")
			_, ok := v.(slog.LogValuer)
			require.True(t, ok, "not a slog.LogValuer")
			_, ok = v.(fmt.Formatter)
			require.True(t, ok, "not a fmt.Formatter")
			ptr := reflect.New(reflect.TypeOf(v))
			ptr.Elem().Set(reflect.ValueOf(v))
			for _, x := range []any{v, ptr.Interface()} {
				for _, verb := range verbs {
					assert.NotContains(t, fmt.Sprintf(verb, x), secretMark, verb)
				}
				for name, h := range handlers {
					var buf bytes.Buffer
					log := slog.New(h(&buf))
					log.Info("value", "v", x)
					log.Info("group", slog.Group("g", slog.Any("v", x)))
					assert.NotContains(t, buf.String(), secretMark, name)
					assert.Contains(t, buf.String(), "[redacted]", name)
				}
			}
		})
	}
}

// Request bodies still carry the real values; the types never sent encode
// redacted.
func TestSecretsInJSON(t *testing.T) {
	b, err := json.Marshal(PinCode{PinCode: "987654", DisplayName: "x"})
	require.NoError(t, err)
	assert.JSONEq(t, `{"pinCode":"987654","displayName":"x"}`, string(b))
	b, err = json.Marshal(LoginRequest{Email: "a@example.com", Password: "pw"})
	require.NoError(t, err)
	assert.JSONEq(t, `{"email":"a@example.com","password":"pw"}`, string(b))
	b, err = json.Marshal(Tokens{AccessToken: "tok", RefreshToken: "ref"})
	require.NoError(t, err)
	assert.JSONEq(t, `{"accessToken":"[redacted]","refreshToken":"[redacted]","expiry":"0001-01-01T00:00:00Z"}`, string(b))
	b, err = json.Marshal(LoginResponse{AccessToken: "tok", RefreshToken: "ref", ExpiresIn: 60})
	require.NoError(t, err)
	assert.JSONEq(t, `{"accessToken":"[redacted]","refreshToken":"[redacted]","expiresIn":60}`, string(b))
}

// Errors of the calls that carry secrets never echo them: validation
// errors, resivo's answers, and failures before any answer.
func TestSecretsNotInErrors(t *testing.T) {
	ctx := context.Background()
	const s = access.Secret(secretMark)
	pinReq := func(pin access.Secret) PinAccessRequest {
		return PinAccessRequest{DisplayName: "Visitor", PinCodes: []PinCode{{PinCode: pin, DisplayName: "Visitor"}},
			ComponentIDs: []string{"c-1"}}
	}
	errs := map[string]error{}
	local := newTestClient(t, noRequests(t))
	_, _, errs["Login no email"] = local.Auth.Login(ctx, LoginRequest{Password: s})
	_, _, errs["CreatePinAccess not digits"] = local.Authorizations.CreatePinAccess(ctx, testSite, pinReq(s))

	refused := newTestClient(t, roundTripFunc(func(req *http.Request) (*http.Response, error) {
		return &http.Response{StatusCode: http.StatusBadRequest, Header: http.Header{"Content-Type": {"application/json"}},
			Body: io.NopCloser(strings.NewReader(`{"message":"invalid request"}`)), Request: req}, nil
	}))
	_, _, errs["Login refused"] = refused.Auth.Login(ctx, LoginRequest{Email: "a@example.com", Password: s})
	_, _, errs["CreatePinAccess refused"] = refused.Authorizations.CreatePinAccess(ctx, testSite, pinReq("1234"))

	down := roundTripFunc(func(*http.Request) (*http.Response, error) { return nil, errors.New("connection refused") })
	_, _, errs["Login unreachable"] = newTestClient(t, down).Auth.Login(ctx, LoginRequest{Email: "a@example.com", Password: s})
	cc := newCCClient(t, down, WithClientCredentials("m2m-client-1", string(s)), WithLogin("a@example.com", string(s)))
	_, errs["ClientCredentialsToken unreachable"] = cc.Auth.ClientCredentialsToken(ctx)
	_, _, errs["call unreachable"] = cc.Sites.Get(ctx, testSite)

	for name, err := range errs {
		require.Error(t, err, name)
		for _, verb := range []string{"%v", "%+v", "%#v"} {
			assert.NotContains(t, fmt.Sprintf(verb, err), secretMark, name+" "+verb)
		}
	}
}
