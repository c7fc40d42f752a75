package havr

import (
	"cmp"
	"fmt"
	"io"
	"log/slog"
	"reflect"
	"slices"
	"strings"
	"sync"

	"github.com/doorkit/doorkit/access"
)

// Secrets are redacted by type. access.Secret already prints as [redacted]
// through fmt and through slog when logged on its own, but slog's JSON
// handler encodes a struct with encoding/json, which sees a Secret's real
// value (request bodies depend on that), and fmt shows a Secret behind a
// pointer for verbs such as %s. So every exported type that holds a Secret,
// directly or through a field, is a slog.LogValuer and a fmt.Formatter: it
// renders as its JSON fields, secrets redacted (TestSecretHoldersListed
// finds such types in the source and keeps the list complete).
//
// What remains: a slice or map of such types that the caller logs as a whole
// is encoded by slog's JSON handler without asking its elements; log its
// elements, or use the named collections (KTokens).

// KTokens are K tokens by door lock or shared key id.
type KTokens map[ID]KToken

// The types holding secrets (passwords, tokens, the lock settings code, the
// flash payload, or a value that holds one) log and print redacted: LogValue
// (log/slog) and Format (fmt, every verb) render the same fields, secrets as
// [redacted].

func (t Tokens) LogValue() slog.Value          { return logValue(t) }
func (t Tokens) Format(f fmt.State, verb rune) { format(f, verb, t) }

func (t Token) LogValue() slog.Value          { return logValue(t) }
func (t Token) Format(f fmt.State, verb rune) { format(f, verb, t) }

func (r TokenRequest) LogValue() slog.Value          { return logValue(r) }
func (r TokenRequest) Format(f fmt.State, verb rune) { format(f, verb, r) }

func (k KToken) LogValue() slog.Value          { return logValue(k) }
func (k KToken) Format(f fmt.State, verb rune) { format(f, verb, k) }

func (k KTokens) LogValue() slog.Value          { return logValue(k) }
func (k KTokens) Format(f fmt.State, verb rune) { format(f, verb, k) }

func (l DoorLock) LogValue() slog.Value          { return logValue(l) }
func (l DoorLock) Format(f fmt.State, verb rune) { format(f, verb, l) }

func (l DoorLockWithLockGroup) LogValue() slog.Value          { return logValue(l) }
func (l DoorLockWithLockGroup) Format(f fmt.State, verb rune) { format(f, verb, l) }

func (l DoorLocksWithLockGroups) LogValue() slog.Value          { return logValue(l) }
func (l DoorLocksWithLockGroups) Format(f fmt.State, verb rune) { format(f, verb, l) }

func (c DoorLockSettingsCode) LogValue() slog.Value          { return logValue(c) }
func (c DoorLockSettingsCode) Format(f fmt.State, verb rune) { format(f, verb, c) }

func (s DoorLockSettings) LogValue() slog.Value          { return logValue(s) }
func (s DoorLockSettings) Format(f fmt.State, verb rune) { format(f, verb, s) }

func (p DoorLockFlashPayload) LogValue() slog.Value          { return logValue(p) }
func (p DoorLockFlashPayload) Format(f fmt.State, verb rune) { format(f, verb, p) }

func (r DoorLockActivateRequest) LogValue() slog.Value          { return logValue(r) }
func (r DoorLockActivateRequest) Format(f fmt.State, verb rune) { format(f, verb, r) }

func (r DoorLockActivationTokenRequest) LogValue() slog.Value          { return logValue(r) }
func (r DoorLockActivationTokenRequest) Format(f fmt.State, verb rune) { format(f, verb, r) }

func (c DoorLockWiFiConfiguration) LogValue() slog.Value          { return logValue(c) }
func (c DoorLockWiFiConfiguration) Format(f fmt.State, verb rune) { format(f, verb, c) }

func (s DoorLockState) LogValue() slog.Value          { return logValue(s) }
func (s DoorLockState) Format(f fmt.State, verb rune) { format(f, verb, s) }

func (s DoorLockStateLog) LogValue() slog.Value          { return logValue(s) }
func (s DoorLockStateLog) Format(f fmt.State, verb rune) { format(f, verb, s) }

func (d Device) LogValue() slog.Value          { return logValue(d) }
func (d Device) Format(f fmt.State, verb rune) { format(f, verb, d) }

func (d DeviceLookup) LogValue() slog.Value          { return logValue(d) }
func (d DeviceLookup) Format(f fmt.State, verb rune) { format(f, verb, d) }

func (r DeviceRequest) LogValue() slog.Value          { return logValue(r) }
func (r DeviceRequest) Format(f fmt.State, verb rune) { format(f, verb, r) }

func (u DeviceUpdate) LogValue() slog.Value          { return logValue(u) }
func (u DeviceUpdate) Format(f fmt.State, verb rune) { format(f, verb, u) }

func (c LockConfiguration) LogValue() slog.Value          { return logValue(c) }
func (c LockConfiguration) Format(f fmt.State, verb rune) { format(f, verb, c) }

func (c LockConfigurationChange) LogValue() slog.Value          { return logValue(c) }
func (c LockConfigurationChange) Format(f fmt.State, verb rune) { format(f, verb, c) }

func (u LockConfigurationUpdate) LogValue() slog.Value          { return logValue(u) }
func (u LockConfigurationUpdate) Format(f fmt.State, verb rune) { format(f, verb, u) }

func (r LockGroupTokenRequest) LogValue() slog.Value          { return logValue(r) }
func (r LockGroupTokenRequest) Format(f fmt.State, verb rune) { format(f, verb, r) }

func (r SharedKeyLinkKTokenRequest) LogValue() slog.Value          { return logValue(r) }
func (r SharedKeyLinkKTokenRequest) Format(f fmt.State, verb rune) { format(f, verb, r) }

func (k SharedKeyDetails) LogValue() slog.Value          { return logValue(k) }
func (k SharedKeyDetails) Format(f fmt.State, verb rune) { format(f, verb, k) }

func (l SharedKeyDoorLock) LogValue() slog.Value          { return logValue(l) }
func (l SharedKeyDoorLock) Format(f fmt.State, verb rune) { format(f, verb, l) }

func (k SharedKeyFromToken) LogValue() slog.Value          { return logValue(k) }
func (k SharedKeyFromToken) Format(f fmt.State, verb rune) { format(f, verb, k) }

func (k SharedKeyIndexDetails) LogValue() slog.Value          { return logValue(k) }
func (k SharedKeyIndexDetails) Format(f fmt.State, verb rune) { format(f, verb, k) }

func (k SharedKeyWithUser) LogValue() slog.Value          { return logValue(k) }
func (k SharedKeyWithUser) Format(f fmt.State, verb rune) { format(f, verb, k) }

func (k SharedKeyWithDoorLock) LogValue() slog.Value          { return logValue(k) }
func (k SharedKeyWithDoorLock) Format(f fmt.State, verb rune) { format(f, verb, k) }

func (r SyncResult) LogValue() slog.Value          { return logValue(r) }
func (r SyncResult) Format(f fmt.State, verb rune) { format(f, verb, r) }

func (c CompanyWithEmployees) LogValue() slog.Value          { return logValue(c) }
func (c CompanyWithEmployees) Format(f fmt.State, verb rune) { format(f, verb, c) }

func (u User) LogValue() slog.Value          { return logValue(u) }
func (u User) Format(f fmt.State, verb rune) { format(f, verb, u) }

func (r UserPendingRequest) LogValue() slog.Value          { return logValue(r) }
func (r UserPendingRequest) Format(f fmt.State, verb rune) { format(f, verb, r) }

func (u UserWithActivity) LogValue() slog.Value          { return logValue(u) }
func (u UserWithActivity) Format(f fmt.State, verb rune) { format(f, verb, u) }

func (r UserCreateRequest) LogValue() slog.Value          { return logValue(r) }
func (r UserCreateRequest) Format(f fmt.State, verb rune) { format(f, verb, r) }

func (r UserChangeEmailRequest) LogValue() slog.Value          { return logValue(r) }
func (r UserChangeEmailRequest) Format(f fmt.State, verb rune) { format(f, verb, r) }

func (r UserChangePasswordRequest) LogValue() slog.Value          { return logValue(r) }
func (r UserChangePasswordRequest) Format(f fmt.State, verb rune) { format(f, verb, r) }

func (r UserResetPasswordRequest) LogValue() slog.Value          { return logValue(r) }
func (r UserResetPasswordRequest) Format(f fmt.State, verb rune) { format(f, verb, r) }

func (o UserVerifyEmailOptions) LogValue() slog.Value          { return logValue(o) }
func (o UserVerifyEmailOptions) Format(f fmt.State, verb rune) { format(f, verb, o) }

func (o UserEmailChangeOptions) LogValue() slog.Value          { return logValue(o) }
func (o UserEmailChangeOptions) Format(f fmt.State, verb rune) { format(f, verb, o) }

func (o UserCancelPasswordResetOptions) LogValue() slog.Value          { return logValue(o) }
func (o UserCancelPasswordResetOptions) Format(f fmt.State, verb rune) { format(f, verb, o) }

// format writes v as logValue renders it, whatever the verb: fmt's own
// rendering would show the Secrets behind pointers for verbs such as %s.
// %#v is prefixed with the type's name.
func format(f fmt.State, verb rune, v any) {
	var b strings.Builder
	if verb == 'v' && f.Flag('#') {
		b.WriteString(reflect.TypeOf(v).String())
	}
	writeValue(&b, logValue(v))
	_, _ = io.WriteString(f, b.String())
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

var secretType = reflect.TypeFor[access.Secret]()

// logValue renders v for slog: values that hold no Secret as they are, the
// others taken apart (structs as groups keyed by their JSON names, slices
// and maps as groups keyed by index or key) down to the Secrets, which log
// as access.Secret does. It never calls v's own LogValue, so the methods
// above can use it.
func logValue(v any) slog.Value { return valueOf(reflect.ValueOf(v)) }

func valueOf(v reflect.Value) slog.Value {
	if !v.IsValid() {
		return slog.AnyValue(nil)
	}
	t := v.Type()
	if t == secretType {
		return slog.StringValue(access.Secret(v.String()).String())
	}
	if !holdsSecret(t) {
		return slog.AnyValue(v.Interface())
	}
	switch t.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return slog.AnyValue(nil)
		}
		return valueOf(v.Elem())
	case reflect.Struct:
		return slog.GroupValue(fieldAttrs(v)...)
	case reflect.Slice, reflect.Array:
		attrs := make([]slog.Attr, v.Len())
		for i := range attrs {
			attrs[i] = slog.Attr{Key: fmt.Sprint(i), Value: valueOf(v.Index(i))}
		}
		return slog.GroupValue(attrs...)
	case reflect.Map:
		attrs := make([]slog.Attr, 0, v.Len())
		for it := v.MapRange(); it.Next(); {
			attrs = append(attrs, slog.Attr{Key: fmt.Sprint(it.Key().Interface()), Value: valueOf(it.Value())})
		}
		slices.SortFunc(attrs, func(a, b slog.Attr) int { return cmp.Compare(a.Key, b.Key) })
		return slog.GroupValue(attrs...)
	}
	// A Secret of another kind than string cannot be: holdsSecret found none.
	return slog.AnyValue(v.Interface())
}

// fieldAttrs renders a struct's exported fields, named as in its JSON (or
// query) encoding; embedded structs are flattened as encoding/json does.
func fieldAttrs(v reflect.Value) []slog.Attr {
	t := v.Type()
	attrs := make([]slog.Attr, 0, t.NumField())
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name := fieldName(f)
		if name == "-" {
			continue
		}
		fv := v.Field(i)
		if f.Anonymous && name == "" && f.Type.Kind() == reflect.Struct && holdsSecret(f.Type) {
			attrs = append(attrs, fieldAttrs(fv)...)
			continue
		}
		if name == "" {
			name = f.Name
		}
		attrs = append(attrs, slog.Attr{Key: name, Value: valueOf(fv)})
	}
	return attrs
}

func fieldName(f reflect.StructField) string {
	for _, key := range []string{"json", "url"} {
		if tag, ok := f.Tag.Lookup(key); ok {
			name, _, _ := strings.Cut(tag, ",")
			return name
		}
	}
	return ""
}

var holders sync.Map // reflect.Type -> bool

// holdsSecret reports whether a value of type t can hold an access.Secret.
func holdsSecret(t reflect.Type) bool {
	if held, ok := holders.Load(t); ok {
		return held.(bool)
	}
	held := holds(t, map[reflect.Type]bool{})
	holders.Store(t, held)
	return held
}

func holds(t reflect.Type, seen map[reflect.Type]bool) bool {
	if t == secretType {
		return true
	}
	if seen[t] {
		return false
	}
	seen[t] = true
	switch t.Kind() {
	case reflect.Pointer, reflect.Slice, reflect.Array:
		return holds(t.Elem(), seen)
	case reflect.Map:
		return holds(t.Key(), seen) || holds(t.Elem(), seen)
	case reflect.Struct:
		for i := range t.NumField() {
			if f := t.Field(i); f.IsExported() && holds(f.Type, seen) {
				return true
			}
		}
	}
	return false
}
