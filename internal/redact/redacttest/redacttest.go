// Package redacttest checks a vendor package's secret-holding types: that
// the test's table of them is complete (found from the source, so a new
// type cannot be forgotten) and that none of them prints or logs a secret
// through fmt or log/slog.
package redacttest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/doorkit/doorkit/internal/redact"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// AssertListed fails t unless holders (zero values of types) names every
// exported type declared in the Go files of dir, tests excepted, that holds
// an access.Secret directly or through another type's fields, pointers,
// slices or maps: access's own holders (Credential, GrantRequest) count.
// Every listed type must hold a Secret too.
func AssertListed(t *testing.T, dir string, holders []any) {
	t.Helper()
	specs := map[string]ast.Expr{}
	parseTypes(t, dir, "", specs)
	parseTypes(t, filepath.Join(moduleRoot(t, dir), "access"), "access.", specs)
	holding := map[string]bool{"access.Secret": true}
	for changed := true; changed; {
		changed = false
		for name, expr := range specs {
			if !holding[name] && mentions(expr, qualifierOf(name), holding) {
				holding[name], changed = true, true
			}
		}
	}
	listed := map[string]bool{}
	for _, v := range holders {
		listed[reflect.TypeOf(v).Name()] = true
		assert.True(t, redact.HoldsSecret(reflect.TypeOf(v)), "%T holds no secret", v)
	}
	var missing []string
	for name := range holding {
		if !strings.Contains(name, ".") && ast.IsExported(name) && !listed[name] {
			missing = append(missing, name)
		}
	}
	sort.Strings(missing)
	assert.Empty(t, missing, "exported types holding secrets missing from the table")
}

// parseTypes adds the type declarations of dir's non-test files to specs,
// their names prefixed with qualifier.
func parseTypes(t *testing.T, dir, qualifier string, specs map[string]ast.Expr) {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	require.NoError(t, err)
	require.NotEmpty(t, files, "no Go files in %s", dir)
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.SkipObjectResolution)
		require.NoError(t, err)
		for _, d := range f.Decls {
			if g, ok := d.(*ast.GenDecl); ok && g.Tok == token.TYPE {
				for _, s := range g.Specs {
					ts := s.(*ast.TypeSpec)
					specs[qualifier+ts.Name.Name] = ts.Type
				}
			}
		}
	}
}

func qualifierOf(name string) string {
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		return name[:i+1]
	}
	return ""
}

func moduleRoot(t *testing.T, dir string) string {
	t.Helper()
	d, err := filepath.Abs(dir)
	require.NoError(t, err)
	for {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d
		}
		parent := filepath.Dir(d)
		require.NotEqual(t, d, parent, "no go.mod above %s", dir)
		d = parent
	}
}

// mentions reports whether a type expression of a package whose names carry
// qualifier refers to a type in set.
func mentions(e ast.Expr, qualifier string, set map[string]bool) bool {
	switch e := e.(type) {
	case *ast.Ident:
		return set[qualifier+e.Name]
	case *ast.SelectorExpr:
		if x, ok := e.X.(*ast.Ident); ok {
			return set[x.Name+"."+e.Sel.Name]
		}
	case *ast.StarExpr:
		return mentions(e.X, qualifier, set)
	case *ast.ArrayType:
		return mentions(e.Elt, qualifier, set)
	case *ast.MapType:
		return mentions(e.Key, qualifier, set) || mentions(e.Value, qualifier, set)
	case *ast.IndexExpr:
		return mentions(e.X, qualifier, set) || mentions(e.Index, qualifier, set)
	case *ast.StructType:
		for _, f := range e.Fields.List {
			if exported(f) && mentions(f.Type, qualifier, set) {
				return true
			}
		}
	}
	return false
}

// exported reports whether a struct field list entry declares an exported
// field (an embedded one by its type's name), as reflection sees them.
func exported(f *ast.Field) bool {
	if len(f.Names) == 0 {
		t := f.Type
		if s, ok := t.(*ast.StarExpr); ok {
			t = s.X
		}
		switch t := t.(type) {
		case *ast.Ident:
			return t.IsExported()
		case *ast.SelectorExpr:
			return t.Sel.IsExported()
		}
		return false
	}
	for _, n := range f.Names {
		if n.IsExported() {
			return true
		}
	}
	return false
}

// Plant returns a copy of the zero value v with every Secret it can hold
// set to a distinct value starting with mark: pointers allocated, one
// element in slices and maps.
func Plant(v any, mark string) any {
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
			v.SetString(fmt.Sprintf("%s-%d", mark, n))
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

// AssertHidden plants secrets marked with mark in the zero value v and
// fails t if any of them shows through fmt (every common verb, as a value
// and a pointer), slog's text and JSON handlers (as an argument, an
// attribute and inside a group) or an error string. It first checks that
// encoding/json does see them, so the check can fail.
func AssertHidden(t *testing.T, zero any, mark string) {
	t.Helper()
	v := Plant(zero, mark)
	name := reflect.TypeOf(v).Name()
	raw, err := json.Marshal(v)
	require.NoError(t, err)
	require.Contains(t, string(raw), mark, "%s: encoding/json sends the real values", name)
	_, ok := v.(slog.LogValuer)
	require.True(t, ok, "%s is not a slog.LogValuer", name)
	_, ok = v.(fmt.Formatter)
	require.True(t, ok, "%s is not a fmt.Formatter", name)

	ptr := reflect.New(reflect.TypeOf(v))
	ptr.Elem().Set(reflect.ValueOf(v))
	for _, x := range []any{v, ptr.Interface()} {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%d"} {
			assert.NotContains(t, fmt.Sprintf(verb, x), mark, "%s %s", name, verb)
		}
		assert.NotContains(t, fmt.Errorf("wrapped %v: %w", x, os.ErrClosed).Error(), mark, "%s error", name)
		for hname, h := range map[string]func(*bytes.Buffer) slog.Handler{
			"text": func(b *bytes.Buffer) slog.Handler { return slog.NewTextHandler(b, nil) },
			"json": func(b *bytes.Buffer) slog.Handler { return slog.NewJSONHandler(b, nil) },
		} {
			var buf bytes.Buffer
			log := slog.New(h(&buf))
			log.Info("value", "v", x)
			log.Info("attr", slog.Any("v", x))
			log.Info("group", slog.Group("g", slog.Any("v", x)))
			out := buf.String()
			assert.NotContains(t, out, mark, "%s slog %s", name, hname)
			assert.Contains(t, out, "[redacted]", "%s slog %s: the secret is shown as redacted", name, hname)
			if hname == "json" {
				for line := range strings.Lines(out) {
					assert.True(t, json.Valid([]byte(line)), line)
				}
			}
		}
	}
}

// AssertStorageForm checks the rule every vendor's Tokens type follows, the
// one golang.org/x/oauth2's Token follows: encoding/json is its storage form
// and carries the secrets in clear (a token store or a file written with it
// must keep them), while fmt (every verb, as a value and a pointer), errors
// and log/slog's text and JSON handlers show them redacted. tokens must
// hold secrets starting with mark; the JSON round trip must give tokens back
// unchanged.
func AssertStorageForm[T any](t *testing.T, tokens T, mark string) {
	t.Helper()
	raw, err := json.Marshal(tokens)
	require.NoError(t, err)
	require.Contains(t, string(raw), mark, "the JSON form carries the secrets")
	assert.NotContains(t, string(raw), "[redacted]", "the JSON form is not redacted")
	var back T
	require.NoError(t, json.Unmarshal(raw, &back))
	assert.Equal(t, tokens, back, "the JSON round trip keeps every value")
	for _, x := range []any{tokens, &tokens} {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%d"} {
			out := fmt.Sprintf(verb, x)
			assert.NotContains(t, out, mark, "%T %s", x, verb)
			if verb != "%x" && verb != "%d" {
				assert.Contains(t, out, "[redacted]", "%T %s shows that a secret is there", x, verb)
			}
		}
		assert.NotContains(t, fmt.Errorf("wrapped %v: %w", x, os.ErrClosed).Error(), mark, "%T error", x)
		for hname, h := range map[string]func(*bytes.Buffer) slog.Handler{
			"text": func(b *bytes.Buffer) slog.Handler { return slog.NewTextHandler(b, nil) },
			"json": func(b *bytes.Buffer) slog.Handler { return slog.NewJSONHandler(b, nil) },
		} {
			var buf bytes.Buffer
			log := slog.New(h(&buf))
			log.Info("value", "v", x)
			log.Info("attr", slog.Any("v", x))
			log.Info("group", slog.Group("g", slog.Any("v", x)))
			assert.NotContains(t, buf.String(), mark, "%T slog %s", x, hname)
			assert.Contains(t, buf.String(), "[redacted]", "%T slog %s", x, hname)
		}
	}
}
