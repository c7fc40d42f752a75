package august

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
)

// decodeLenient decodes the JSON object b into the struct v points to one
// key at a time, so that a value of a type the model does not expect costs
// only its own field (left at its zero value) and not the whole answer:
// August's notes say to treat every field as optional, and a lock the
// caller cannot see is worse than a lock with one field missing. A nested
// object is decoded the same way. It returns the keys it could not decode,
// sorted and dotted for nested objects ("Bridge.status"); it fails only
// when b is not a JSON object.
func decodeLenient(b []byte, v any) ([]string, error) {
	var undecoded []string
	if err := decodeFields(b, reflect.ValueOf(v).Elem(), "", &undecoded); err != nil {
		return nil, err
	}
	slices.Sort(undecoded)
	return undecoded, nil
}

var unmarshalerType = reflect.TypeFor[json.Unmarshaler]()

func decodeFields(b []byte, v reflect.Value, prefix string, undecoded *[]string) error {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(b, &fields); err != nil {
		return err
	}
	if fields == nil { // null
		return nil
	}
	for key, raw := range fields {
		i := fieldIndex(v.Type(), key)
		if i < 0 {
			continue // unknown keys are ignored, as encoding/json does
		}
		f := v.Field(i)
		nv := reflect.New(f.Type())
		if err := json.Unmarshal(raw, nv.Interface()); err == nil {
			f.Set(nv.Elem())
			continue
		}
		if st, ok := nestedStruct(f.Type()); ok {
			sv := reflect.New(st)
			if decodeFields(raw, sv.Elem(), prefix+key+".", undecoded) == nil {
				if f.Kind() == reflect.Pointer {
					f.Set(sv)
				} else {
					f.Set(sv.Elem())
				}
				continue
			}
		}
		f.SetZero()
		*undecoded = append(*undecoded, prefix+key)
	}
	return nil
}

// fieldIndex finds the field encoding/json would fill from key: an exact
// tag match, else a case-insensitive one; -1 for none.
func fieldIndex(t reflect.Type, key string) int {
	fold := -1
	for i := range t.NumField() {
		sf := t.Field(i)
		if !sf.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
		switch name {
		case "-":
			continue
		case "":
			name = sf.Name
		}
		if name == key {
			return i
		}
		if fold < 0 && strings.EqualFold(name, key) {
			fold = i
		}
	}
	return fold
}

// nestedStruct reports the struct type of a field decoded field by field
// in turn: a struct or pointer to one without its own decoder.
func nestedStruct(t reflect.Type) (reflect.Type, bool) {
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct || reflect.PointerTo(t).Implements(unmarshalerType) {
		return nil, false
	}
	return t, true
}
