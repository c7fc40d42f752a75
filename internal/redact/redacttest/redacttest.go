// Package redacttest checks a vendor package's secret-holding types: that
// the test's table of them is complete (found from the source, so a new
// type cannot be forgotten) and that none of them prints or logs a secret
// through fmt (every verb, %#v included) or log/slog.
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
	"unsafe"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/internal/redact"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// AssertListed fails t unless holders (values of types, zero or not) names
// every exported type declared in the Go files of dir, tests excepted, that
// holds an access.Secret directly or through another type's fields,
// pointers, slices or maps: access's own holders (Credential, GrantRequest)
// count. So do unexported fields, up to the first pointer: fmt cannot call
// a Secret's own methods on an unexported field, so %v and %#v print it
// raw unless the type that holds it formats itself (behind a pointer fmt
// prints only an address). Every listed type must hold a Secret.
func AssertListed(t *testing.T, dir string, holders []any) {
	t.Helper()
	specs := map[string]ast.Expr{}
	parseTypes(t, dir, "", specs)
	parseTypes(t, filepath.Join(moduleRoot(t, dir), "access"), "access.", specs)
	// First the types whose exported fields lead to a Secret (slog and
	// encoding/json follow them through pointers), then those fmt shows
	// one in through any field short of a pointer.
	holding := map[string]bool{"access.Secret": true}
	for _, rule := range []reach{{exportedOnly: true, pointers: true}, {}} {
		for changed := true; changed; {
			changed = false
			for name, expr := range specs {
				if !holding[name] && rule.mentions(expr, qualifierOf(name), holding) {
					holding[name], changed = true, true
				}
			}
		}
	}
	listed := map[string]bool{}
	for _, v := range holders {
		name := reflect.TypeOf(v).Name()
		listed[name] = true
		assert.True(t, holding[name], "%T holds no secret", v)
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

// reach is how a type expression may lead to a Secret: through exported
// fields only or any, across pointers or not.
type reach struct {
	exportedOnly bool
	pointers     bool
}

// mentions reports whether a type expression of a package whose names carry
// qualifier refers to a type in set.
func (r reach) mentions(e ast.Expr, qualifier string, set map[string]bool) bool {
	switch e := e.(type) {
	case *ast.Ident:
		return set[qualifier+e.Name]
	case *ast.SelectorExpr:
		if x, ok := e.X.(*ast.Ident); ok {
			return set[x.Name+"."+e.Sel.Name]
		}
	case *ast.StarExpr:
		return r.pointers && r.mentions(e.X, qualifier, set)
	case *ast.ArrayType:
		return r.mentions(e.Elt, qualifier, set)
	case *ast.MapType:
		return r.mentions(e.Key, qualifier, set) || r.mentions(e.Value, qualifier, set)
	case *ast.IndexExpr:
		return r.mentions(e.X, qualifier, set) || r.mentions(e.Index, qualifier, set)
	case *ast.StructType:
		for _, f := range e.Fields.List {
			if (!r.exportedOnly || exported(f)) && r.mentions(f.Type, qualifier, set) {
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

var secretType = reflect.TypeFor[access.Secret]()

// Plant returns a copy of v with every Secret it can hold, in exported and
// unexported fields, set to a distinct value starting with mark: pointers
// allocated, one element in slices and maps. What v already holds stays.
func Plant(v any, mark string) any {
	out, _ := plant(v, mark)
	return out
}

// plant is Plant, also counting the Secrets it set.
func plant(v any, mark string) (any, int) {
	n := 0
	out := reflect.New(reflect.TypeOf(v)).Elem()
	out.Set(reflect.ValueOf(v))
	var fill func(reflect.Value, int)
	fill = func(v reflect.Value, depth int) {
		if depth > 6 || !holdsAnyway(v.Type(), map[reflect.Type]bool{}) {
			return
		}
		if !v.CanSet() { // an unexported field: reach it all the same
			v = reflect.NewAt(v.Type(), unsafe.Pointer(v.UnsafeAddr())).Elem()
		}
		switch v.Kind() {
		case reflect.String: // the Secret itself
			n++
			v.SetString(fmt.Sprintf("%s-%d", mark, n))
		case reflect.Pointer:
			if v.IsNil() {
				v.Set(reflect.New(v.Type().Elem()))
			}
			fill(v.Elem(), depth+1)
		case reflect.Struct:
			for i := range v.NumField() {
				fill(v.Field(i), depth+1)
			}
		case reflect.Slice:
			v.Set(reflect.Append(v, reflect.New(v.Type().Elem()).Elem()))
			fill(v.Index(v.Len()-1), depth+1)
		case reflect.Map:
			if v.IsNil() {
				v.Set(reflect.MakeMap(v.Type()))
			}
			key, elem := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
			fill(elem, depth+1)
			v.SetMapIndex(key, elem)
		}
	}
	fill(out, 0)
	return out.Interface(), n
}

// holdsAnyway reports whether values of t hold a Secret through any field,
// exported or not (redact.HoldsSecret counts exported ones only).
func holdsAnyway(t reflect.Type, seen map[reflect.Type]bool) bool {
	if t == secretType {
		return true
	}
	if seen[t] {
		return false
	}
	seen[t] = true
	switch t.Kind() {
	case reflect.Pointer, reflect.Slice, reflect.Array:
		return holdsAnyway(t.Elem(), seen)
	case reflect.Map:
		return holdsAnyway(t.Elem(), seen)
	case reflect.Struct:
		for i := range t.NumField() {
			if holdsAnyway(t.Field(i).Type, seen) {
				return true
			}
		}
	}
	return false
}

// AssertHidden plants secrets marked with mark in the value v (zero or
// not) and fails t if any of them shows through fmt (every common verb,
// %#v included, as a value and a pointer), slog's text and JSON handlers
// (as an argument, an attribute and inside a group) or an error string.
// It first checks that the marks were planted, and that encoding/json does
// see those in exported fields (request bodies need the real values), so
// the check can fail. A type with secrets in exported fields must be a
// slog.LogValuer (slog's JSON handler encodes it with encoding/json
// otherwise); every holder must be a fmt.Formatter.
func AssertHidden(t *testing.T, zero any, mark string) {
	t.Helper()
	v, planted := plant(zero, mark)
	name := reflect.TypeOf(v).Name()
	require.NotZero(t, planted, "%s: no secret planted", name)
	if redact.HoldsSecret(reflect.TypeOf(v)) {
		raw, err := json.Marshal(v)
		require.NoError(t, err)
		require.Contains(t, string(raw), mark, "%s: encoding/json sends the real values", name)
		_, ok := v.(slog.LogValuer)
		require.True(t, ok, "%s is not a slog.LogValuer", name)
	}
	_, ok := v.(fmt.Formatter)
	require.True(t, ok, "%s is not a fmt.Formatter", name)

	ptr := reflect.New(reflect.TypeOf(v))
	ptr.Elem().Set(reflect.ValueOf(v))
	for _, x := range []any{v, ptr.Interface()} {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d"} {
			out := fmt.Sprintf(verb, x)
			assert.NotContains(t, out, mark, "%s %s", name, verb)
			assert.NotContains(t, strings.ToLower(out), fmt.Sprintf("%x", mark), "%s %s", name, verb)
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
			if redact.HoldsSecret(reflect.TypeOf(v)) {
				assert.Contains(t, out, "[redacted]", "%s slog %s: the secret is shown as redacted", name, hname)
			}
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
