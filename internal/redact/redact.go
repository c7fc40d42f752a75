// Package redact renders values for fmt and log/slog with every
// access.Secret they hold replaced by its redacted form, found by type
// rather than by field name.
//
// access.Secret already prints as [redacted] through fmt and through slog
// when logged on its own, but slog's JSON handler encodes a struct, slice or
// map with encoding/json, which sees a Secret's real value (request bodies
// depend on that), and fmt shows a Secret behind a pointer field for some
// verbs. A vendor type that holds a Secret, directly or through its fields,
// therefore implements slog.LogValuer and fmt.Formatter with this package:
//
//	func (t Tokens) LogValue() slog.Value          { return redact.LogValue(t) }
//	func (t Tokens) Format(f fmt.State, verb rune) { redact.Format(f, verb, t) }
//
// Both render the value's exported fields under their JSON (or query) names,
// secrets as [redacted]; values that hold no Secret are left to slog and fmt.
// The reflection needed per type is done once and cached.
package redact

import (
	"cmp"
	"fmt"
	"io"
	"log/slog"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/doorkit/doorkit/access"
)

// Cycle stands in for a value met again below itself.
const Cycle = "[cycle]"

var secretType = reflect.TypeFor[access.Secret]()

// LogValue renders v for log/slog: a value that cannot hold a Secret as it
// is; the others taken apart (structs as groups keyed by their JSON names,
// slices and maps as groups keyed by index or key) down to the Secrets,
// which log as access.Secret does. It never calls v's own LogValue, so v's
// LogValue can be written with it.
func LogValue(v any) slog.Value {
	var r renderer
	rv := reflect.ValueOf(v)
	if !rv.IsValid() || rv.Type() == secretType {
		return r.value(rv)
	}
	// v is taken apart even when it holds no Secret: handing it back to
	// slog would call v's LogValue, which called this.
	return r.apart(rv)
}

// Format writes v as LogValue renders it ({name:value ...}), with verb and
// flags applied to that text as fmt applies them to a string; %#v prefixes
// it with v's type. fmt's own rendering is never used: it would show a
// Secret behind a pointer for verbs such as %s or %x.
func Format(f fmt.State, verb rune, v any) {
	var b strings.Builder
	writeValue(&b, LogValue(v))
	if verb == 'v' && f.Flag('#') {
		_, _ = io.WriteString(f, reflect.TypeOf(v).String()+b.String())
		return
	}
	_, _ = fmt.Fprintf(f, fmt.FormatString(f, verb), b.String())
}

// String is the text Format writes for %v.
func String(v any) string {
	var b strings.Builder
	writeValue(&b, LogValue(v))
	return b.String()
}

func writeValue(b *strings.Builder, v slog.Value) {
	v = v.Resolve()
	if v.Kind() != slog.KindGroup {
		b.WriteString(v.String())
		return
	}
	b.WriteByte('{')
	for i, a := range v.Group() {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(a.Key)
		b.WriteByte(':')
		writeValue(b, a.Value)
	}
	b.WriteByte('}')
}

// HoldsSecret reports whether a value of type t holds an access.Secret
// through its exported fields, pointers, slices, arrays or maps. Interface
// values are not counted: what they hold is known only at run time (LogValue
// looks).
func HoldsSecret(t reflect.Type) bool { return holdingOf(t) == certainly }

// renderer walks one value; seen holds the pointers, maps and slices on the
// path from the root, to cut cycles.
type renderer struct {
	seen map[ref]bool
}

type ref struct {
	t   reflect.Type
	ptr uintptr
	n   int // a slice's length: sub-slices share their pointer
}

func (r *renderer) value(v reflect.Value) slog.Value {
	if !v.IsValid() {
		return slog.AnyValue(nil)
	}
	t := v.Type()
	if t == secretType {
		return slog.StringValue(access.Secret(v.String()).String())
	}
	switch holdingOf(t) {
	case never:
		return slog.AnyValue(v.Interface())
	case possibly:
		if !r.holds(v) {
			return slog.AnyValue(v.Interface())
		}
	}
	return r.apart(v)
}

// apart renders v's parts.
func (r *renderer) apart(v reflect.Value) slog.Value {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return slog.AnyValue(nil)
		}
		if v.Kind() == reflect.Interface {
			return r.value(v.Elem())
		}
		return r.enter(v, func() slog.Value { return r.value(v.Elem()) })
	case reflect.Struct:
		return slog.GroupValue(r.fields(v)...)
	case reflect.Slice, reflect.Array:
		if v.Len() == 0 {
			return slog.AnyValue(unnamed(v).Interface()) // nothing to hide; slog would drop an empty group
		}
		return r.enter(v, func() slog.Value {
			attrs := make([]slog.Attr, v.Len())
			for i := range attrs {
				attrs[i] = slog.Attr{Key: strconv.Itoa(i), Value: r.value(v.Index(i))}
			}
			return slog.GroupValue(attrs...)
		})
	case reflect.Map:
		if v.Len() == 0 {
			return slog.AnyValue(unnamed(v).Interface())
		}
		return r.enter(v, func() slog.Value {
			attrs := make([]slog.Attr, 0, v.Len())
			for it := v.MapRange(); it.Next(); {
				// fmt prints a Secret key (or one in a struct key) redacted.
				attrs = append(attrs, slog.Attr{Key: fmt.Sprint(it.Key().Interface()), Value: r.value(it.Value())})
			}
			slices.SortFunc(attrs, func(a, b slog.Attr) int { return cmp.Compare(a.Key, b.Key) })
			return slog.GroupValue(attrs...)
		})
	}
	// No other kind can hold a Secret.
	return slog.AnyValue(unnamed(v).Interface())
}

// unnamed converts v to the unnamed type of its kind, which has no methods,
// so slog and fmt do not call v's LogValue or Format.
func unnamed(v reflect.Value) reflect.Value {
	t := v.Type()
	if t.Name() == "" {
		return v
	}
	var u reflect.Type
	switch t.Kind() {
	case reflect.Slice:
		u = reflect.SliceOf(t.Elem())
	case reflect.Array:
		u = reflect.ArrayOf(t.Len(), t.Elem())
	case reflect.Map:
		u = reflect.MapOf(t.Key(), t.Elem())
	default:
		u = basicTypes[t.Kind()]
	}
	if u == nil {
		return v
	}
	return v.Convert(u)
}

var basicTypes = map[reflect.Kind]reflect.Type{
	reflect.Bool: reflect.TypeFor[bool](), reflect.String: reflect.TypeFor[string](),
	reflect.Int: reflect.TypeFor[int](), reflect.Int8: reflect.TypeFor[int8](), reflect.Int16: reflect.TypeFor[int16](),
	reflect.Int32: reflect.TypeFor[int32](), reflect.Int64: reflect.TypeFor[int64](),
	reflect.Uint: reflect.TypeFor[uint](), reflect.Uint8: reflect.TypeFor[uint8](), reflect.Uint16: reflect.TypeFor[uint16](),
	reflect.Uint32: reflect.TypeFor[uint32](), reflect.Uint64: reflect.TypeFor[uint64](), reflect.Uintptr: reflect.TypeFor[uintptr](),
	reflect.Float32: reflect.TypeFor[float32](), reflect.Float64: reflect.TypeFor[float64](),
	reflect.Complex64: reflect.TypeFor[complex64](), reflect.Complex128: reflect.TypeFor[complex128](),
}

// enter renders v's contents with v marked as being on the path, or Cycle
// when it already is. Arrays are values and cannot be met again.
func (r *renderer) enter(v reflect.Value, render func() slog.Value) slog.Value {
	if v.Kind() == reflect.Array {
		return render()
	}
	key := refOf(v)
	if r.seen[key] {
		return slog.StringValue(Cycle)
	}
	if r.seen == nil {
		r.seen = map[ref]bool{}
	}
	r.seen[key] = true
	defer delete(r.seen, key)
	return render()
}

func refOf(v reflect.Value) ref {
	r := ref{t: v.Type(), ptr: v.Pointer()}
	if v.Kind() == reflect.Slice {
		r.n = v.Len()
	}
	return r
}

// fields renders a struct's exported fields by its cached plan.
func (r *renderer) fields(v reflect.Value) []slog.Attr {
	plan := planOf(v.Type())
	attrs := make([]slog.Attr, 0, len(plan))
	for _, f := range plan {
		fv := v.Field(f.index)
		if f.embedded {
			if fv.Kind() == reflect.Pointer {
				if fv.IsNil() {
					continue
				}
				fv = fv.Elem()
			}
			attrs = append(attrs, r.fields(fv)...)
			continue
		}
		attrs = append(attrs, slog.Attr{Key: f.name, Value: r.value(fv)})
	}
	return attrs
}

// holds reports whether v, of a type that may hold a Secret only through
// interface values, does hold one.
func (r *renderer) holds(v reflect.Value) bool {
	if !v.IsValid() {
		return false
	}
	if v.Type() == secretType {
		return true
	}
	if holdingOf(v.Type()) == never {
		return false
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Slice, reflect.Map:
		if !v.IsNil() && r.seen[refOf(v)] {
			// It is being rendered, so it holds a Secret: handing it back
			// to fmt or slog would start over from it.
			return true
		}
	}
	switch v.Kind() {
	case reflect.Interface:
		return !v.IsNil() && r.holds(v.Elem())
	case reflect.Pointer:
		if v.IsNil() {
			return false
		}
		found := false
		r.enter(v, func() slog.Value { found = r.holds(v.Elem()); return slog.Value{} })
		return found
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() && r.holds(v.Field(i)) {
				return true
			}
		}
	case reflect.Slice, reflect.Array:
		found := false
		r.enter(v, func() slog.Value {
			for i := 0; i < v.Len() && !found; i++ {
				found = r.holds(v.Index(i))
			}
			return slog.Value{}
		})
		return found
	case reflect.Map:
		found := false
		r.enter(v, func() slog.Value {
			for it := v.MapRange(); it.Next() && !found; {
				found = r.holds(it.Key()) || r.holds(it.Value())
			}
			return slog.Value{}
		})
		return found
	}
	return false
}

// holding says whether values of a type can hold a Secret.
type holding int

const (
	never     holding = iota
	possibly          // only through an interface value
	certainly         // through a field, element, key or pointer
)

var holdings sync.Map // reflect.Type -> holding

func holdingOf(t reflect.Type) holding {
	if h, ok := holdings.Load(t); ok {
		return h.(holding)
	}
	h := computeHolding(t, map[reflect.Type]bool{})
	holdings.Store(t, h)
	return h
}

// computeHolding walks t; a type met again below itself adds nothing that
// its first visit does not find.
func computeHolding(t reflect.Type, seen map[reflect.Type]bool) holding {
	if t == secretType {
		return certainly
	}
	if seen[t] {
		return never
	}
	seen[t] = true
	switch t.Kind() {
	case reflect.Interface:
		return possibly
	case reflect.Pointer, reflect.Slice, reflect.Array:
		return computeHolding(t.Elem(), seen)
	case reflect.Map:
		return max(computeHolding(t.Key(), seen), computeHolding(t.Elem(), seen))
	case reflect.Struct:
		h := never
		for i := range t.NumField() {
			if f := t.Field(i); f.IsExported() {
				h = max(h, computeHolding(f.Type, seen))
			}
		}
		return h
	}
	return never
}

// field is one exported struct field as LogValue renders it.
type field struct {
	index    int
	name     string // the JSON (or query) name, else the Go name
	embedded bool   // an embedded struct that may hold a Secret: flattened, as encoding/json does
}

var plans sync.Map // reflect.Type -> []field

func planOf(t reflect.Type) []field {
	if p, ok := plans.Load(t); ok {
		return p.([]field)
	}
	plan := make([]field, 0, t.NumField())
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name := tagName(f)
		if name == "-" {
			continue
		}
		if f.Anonymous && name == "" && holdingOf(f.Type) != never {
			et := f.Type
			if et.Kind() == reflect.Pointer {
				et = et.Elem()
			}
			if et.Kind() == reflect.Struct {
				plan = append(plan, field{index: i, embedded: true})
				continue
			}
		}
		if name == "" {
			name = f.Name
		}
		plan = append(plan, field{index: i, name: name})
	}
	p, _ := plans.LoadOrStore(t, plan)
	return p.([]field)
}

func tagName(f reflect.StructField) string {
	for _, key := range []string{"json", "url"} {
		if tag, ok := f.Tag.Lookup(key); ok {
			name, _, _ := strings.Cut(tag, ",")
			return name
		}
	}
	return ""
}

// Redacted returns a copy of v with every access.Secret it holds replaced by
// its redacted form, for a MarshalJSON that must not reveal them (a response
// type logged inside a slice or map, which slog's JSON handler encodes with
// encoding/json). The pointers, slices and maps that lead to a Secret are
// copied, so v is left as it was.
func Redacted[T any](v T) T {
	c := copier{done: map[ref]reflect.Value{}}
	return c.copy(reflect.ValueOf(&v).Elem()).Interface().(T)
}

// copier copies one value; done maps each pointer, slice and map already
// copied to its copy, so shared and cyclic values stay so.
type copier struct {
	done map[ref]reflect.Value
}

func (c *copier) copy(v reflect.Value) reflect.Value {
	t := v.Type()
	if t == secretType {
		return reflect.ValueOf(access.Secret(access.Secret(v.String()).String()))
	}
	if holdingOf(t) == never {
		return v
	}
	switch t.Kind() {
	case reflect.Interface:
		if v.IsNil() {
			return v
		}
		out := reflect.New(t).Elem()
		out.Set(c.copy(v.Elem()))
		return out
	case reflect.Struct:
		out := reflect.New(t).Elem()
		out.Set(v)
		for i := range t.NumField() {
			if t.Field(i).IsExported() {
				out.Field(i).Set(c.copy(v.Field(i)))
			}
		}
		return out
	case reflect.Array:
		out := reflect.New(t).Elem()
		for i := range v.Len() {
			out.Index(i).Set(c.copy(v.Index(i)))
		}
		return out
	case reflect.Pointer, reflect.Slice, reflect.Map:
		if v.IsNil() {
			return v
		}
		key := refOf(v)
		if out, ok := c.done[key]; ok {
			return out
		}
		var out reflect.Value
		switch t.Kind() {
		case reflect.Pointer:
			out = reflect.New(t.Elem())
		case reflect.Slice:
			out = reflect.MakeSlice(t, v.Len(), v.Len())
		default:
			out = reflect.MakeMapWithSize(t, v.Len())
		}
		c.done[key] = out // before filling, so a cycle finds it
		switch t.Kind() {
		case reflect.Pointer:
			out.Elem().Set(c.copy(v.Elem()))
		case reflect.Slice:
			for i := range v.Len() {
				out.Index(i).Set(c.copy(v.Index(i)))
			}
		default:
			for it := v.MapRange(); it.Next(); {
				out.SetMapIndex(c.copy(it.Key()), c.copy(it.Value()))
			}
		}
		return out
	}
	return v
}

// Secrets returns the values of the access.Secrets v holds, in the order
// met: through exported fields, pointers, slices, arrays, maps (keys too)
// and interface values, each pointer, slice and map entered once. Empty
// Secrets are left out. It is what a request sends that its types say is
// secret, so that the answer can be scrubbed of it.
func Secrets(v any) []string {
	switch v.(type) {
	case nil, string, int, int64, []byte:
		return nil // the usual path parameters and queries, without reflection
	}
	rv := reflect.ValueOf(v)
	if !rv.IsValid() || (rv.Type() != secretType && holdingOf(rv.Type()) == never) {
		return nil // the common case, without allocating
	}
	var out []string
	c := collector{seen: map[ref]bool{}, out: &out}
	c.walk(rv)
	return out
}

type collector struct {
	seen map[ref]bool
	out  *[]string
}

func (c collector) walk(v reflect.Value) {
	t := v.Type()
	if t == secretType {
		if s := v.String(); s != "" {
			*c.out = append(*c.out, s)
		}
		return
	}
	if holdingOf(t) == never {
		return
	}
	switch v.Kind() {
	case reflect.Interface:
		if !v.IsNil() {
			c.walk(v.Elem())
		}
	case reflect.Pointer, reflect.Slice, reflect.Map:
		if v.IsNil() || c.seen[refOf(v)] {
			return
		}
		c.seen[refOf(v)] = true
		switch v.Kind() {
		case reflect.Pointer:
			c.walk(v.Elem())
		case reflect.Slice:
			for i := range v.Len() {
				c.walk(v.Index(i))
			}
		default:
			for it := v.MapRange(); it.Next(); {
				c.walk(it.Key())
				c.walk(it.Value())
			}
		}
	case reflect.Array:
		for i := range v.Len() {
			c.walk(v.Index(i))
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if t.Field(i).IsExported() {
				c.walk(v.Field(i))
			}
		}
	}
}
