package access

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var (
	amsterdam = time.FixedZone("CEST", 2*3600)
	t0        = time.Date(2024, 6, 1, 14, 0, 0, 0, amsterdam)
)

func TestWindowValidate(t *testing.T) {
	tests := []struct {
		name  string
		w     Window
		field string
	}{
		{"zero", Window{}, "Window.Start"},
		{"no start", Window{End: t0}, "Window.Start"},
		{"no end", Window{Start: t0}, "Window.End"},
		{"end equals start", Window{Start: t0, End: t0}, "Window.End"},
		{"same instant in another zone", Window{Start: t0, End: t0.UTC()}, "Window.End"},
		{"end before start", Window{Start: t0, End: t0.Add(-time.Minute)}, "Window.End"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.w.Validate()
			require.Error(t, err)
			assert.ErrorIs(t, err, ErrInvalid)
			var ie *InvalidError
			require.ErrorAs(t, err, &ie)
			assert.Equal(t, tt.field, ie.Field)
		})
	}
	err := Window{Start: t0, End: t0.Add(-time.Hour)}.Validate()
	assert.EqualError(t, err, "access: invalid Window.End: 2024-06-01T13:00:00+02:00 is not after start 2024-06-01T14:00:00+02:00")

	assert.NoError(t, Window{Start: t0, End: t0.Add(time.Nanosecond)}.Validate())
	assert.NoError(t, Window{Start: t0, End: t0.Add(2 * time.Hour).UTC()}.Validate(), "zones may differ")
}

func TestWindowUTC(t *testing.T) {
	w := Window{Start: t0, End: t0.Add(3 * time.Hour)}
	u := w.UTC()
	assert.Equal(t, time.UTC, u.Start.Location())
	assert.Equal(t, time.UTC, u.End.Location())
	assert.True(t, u.Start.Equal(w.Start))
	assert.True(t, u.End.Equal(w.End))
	assert.Equal(t, "2024-06-01T12:00:00Z", u.Start.Format(time.RFC3339))
	assert.Equal(t, "2024-06-01T15:00:00Z", u.End.Format(time.RFC3339))
	assert.Equal(t, amsterdam, w.Start.Location(), "UTC returns a copy")
}

func TestWindowContains(t *testing.T) {
	w := Window{Start: t0, End: t0.Add(time.Hour)}
	assert.True(t, w.Contains(t0), "start is inside")
	assert.True(t, w.Contains(t0.UTC()), "whatever the zone")
	assert.True(t, w.Contains(t0.Add(30*time.Minute)))
	assert.True(t, w.Contains(t0.Add(time.Hour-time.Nanosecond)))
	assert.False(t, w.Contains(t0.Add(time.Hour)), "end is outside")
	assert.False(t, w.Contains(t0.Add(-time.Nanosecond)))
	assert.False(t, Window{}.Contains(t0))
}

func TestWindowString(t *testing.T) {
	w := Window{Start: t0, End: t0.Add(time.Hour)}
	assert.Equal(t, "2024-06-01T14:00:00+02:00 – 2024-06-01T15:00:00+02:00", w.String())
	assert.Equal(t, "2024-06-01T12:00:00Z – 2024-06-01T13:00:00Z", w.UTC().String())
	assert.Equal(t, w.String(), fmt.Sprint(w))
	assert.Equal(t, "2024-06-01T12:00:00Z – (no end)", Window{Start: t0.UTC()}.String(), "a grant the vendor holds without an end")
	b, err := json.Marshal(Window{Start: t0.UTC()})
	require.NoError(t, err)
	assert.JSONEq(t, `{"start":"2024-06-01T12:00:00Z"}`, string(b), "no end, no end field")
}

func validRequest() GrantRequest {
	return GrantRequest{
		DoorIDs:    []string{"d1", "d2"},
		Holder:     Person{Name: "Ann", Email: "ann@example.com"},
		Window:     Window{Start: t0, End: t0.Add(2 * time.Hour)},
		Credential: CredentialPIN,
		PIN:        "0123",
		Label:      "booking 42",
	}
}

func TestGrantRequestValidate(t *testing.T) {
	require.NoError(t, validRequest().Validate())

	tests := []struct {
		name   string
		modify func(*GrantRequest)
		field  string
	}{
		{"no doors", func(r *GrantRequest) { r.DoorIDs = nil }, "DoorIDs"},
		{"empty door list", func(r *GrantRequest) { r.DoorIDs = []string{} }, "DoorIDs"},
		{"empty door id", func(r *GrantRequest) { r.DoorIDs = []string{"d1", ""} }, "DoorIDs[1]"},
		{"no holder", func(r *GrantRequest) { r.Holder = Person{Name: "Ann"} }, "Holder"},
		{"PIN with a letter", func(r *GrantRequest) { r.PIN = "12a4" }, "PIN"},
		{"PIN with a space", func(r *GrantRequest) { r.PIN = "12 34" }, "PIN"},
		{"PIN with non-ASCII digits", func(r *GrantRequest) { r.PIN = "١٢٣٤" }, "PIN"},
		{"no window", func(r *GrantRequest) { r.Window = Window{} }, "Window.Start"},
		{"inverted window", func(r *GrantRequest) { r.Window.End = r.Window.Start.Add(-time.Hour) }, "Window.End"},
		{"end in the year 10000", func(r *GrantRequest) { r.Window.End = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC) }, "Window.End"},
		{"start in the year 0", func(r *GrantRequest) { r.Window.Start = time.Date(0, 12, 31, 0, 0, 0, 0, time.UTC) }, "Window.Start"},
		{"label with a newline", func(r *GrantRequest) { r.Label = "booking\nBcc: x@evil.example" }, "Label"},
		{"label with an escape", func(r *GrantRequest) { r.Label = "\x1b[31mred" }, "Label"},
		{"label not UTF-8", func(r *GrantRequest) { r.Label = "caf\xe9" }, "Label"},
		{"label too long", func(r *GrantRequest) { r.Label = strings.Repeat("x", MaxLabelLength+1) }, "Label"},
		{"vendor user id with a space", func(r *GrantRequest) { r.Holder.VendorUserID = " 2" }, "Holder.VendorUserID"},
		{"vendor user id with a newline", func(r *GrantRequest) { r.Holder.VendorUserID = "2\n" }, "Holder.VendorUserID"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := validRequest()
			tt.modify(&r)
			err := r.Validate()
			require.Error(t, err)
			assert.ErrorIs(t, err, ErrInvalid)
			var ie *InvalidError
			require.ErrorAs(t, err, &ie)
			assert.Equal(t, tt.field, ie.Field)
			if r.PIN != "" {
				assert.NotContains(t, err.Error(), r.PIN.Reveal(), "the PIN is not echoed in the error")
			}
		})
	}

	ok := []struct {
		name   string
		modify func(*GrantRequest)
	}{
		{"phone only", func(r *GrantRequest) { r.Holder = Person{Phone: "+31612345678"} }},
		{"label of MaxLabelLength characters", func(r *GrantRequest) { r.Label = strings.Repeat("é", MaxLabelLength) }},
		{"end in the year 9999", func(r *GrantRequest) { r.Window.End = time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC) }},
		{"vendor user only", func(r *GrantRequest) { r.Holder = Person{VendorUserID: "u1"} }},
		{"PIN chosen by the vendor", func(r *GrantRequest) { r.PIN = "" }},
		{"PIN not checked for other kinds", func(r *GrantRequest) { r.Credential = CredentialLink; r.PIN = "abc" }},
		{"one door", func(r *GrantRequest) { r.DoorIDs = []string{"d1"} }},
	}
	for _, tt := range ok {
		t.Run(tt.name, func(t *testing.T) {
			r := validRequest()
			tt.modify(&r)
			assert.NoError(t, r.Validate())
		})
	}
}

func TestInvalidError(t *testing.T) {
	err := Invalid("Window.End", "is required")
	assert.EqualError(t, err, "access: invalid Window.End: is required")
	assert.ErrorIs(t, err, ErrInvalid)
	assert.NotErrorIs(t, err, ErrNotFound)

	noField := &InvalidError{Reason: "holder and doors are on different sites"}
	assert.EqualError(t, noField, "access: invalid request: holder and doors are on different sites")
	assert.ErrorIs(t, noField, ErrInvalid)

	wrapped := fmt.Errorf("havr: create grant: %w", err)
	assert.ErrorIs(t, wrapped, ErrInvalid)
	var ie *InvalidError
	require.ErrorAs(t, wrapped, &ie)
	assert.Equal(t, "Window.End", ie.Field)
}

func TestSentinelsAreDistinct(t *testing.T) {
	all := []error{ErrNotFound, ErrUnauthorized, ErrForbidden, ErrConflict, ErrRateLimited,
		ErrUnavailable, ErrDenied, ErrUnsupported, ErrInvalid, ErrOutcomeUnknown}
	for i, a := range all {
		assert.True(t, strings.HasPrefix(a.Error(), "access: "), a.Error())
		for j, b := range all {
			want := i == j || (a == ErrOutcomeUnknown && b == ErrUnavailable)
			assert.Equal(t, want, errors.Is(a, b), "%v vs %v", a, b)
		}
	}
	wrapped := fmt.Errorf("havr: create shared key: %w", ErrOutcomeUnknown)
	assert.ErrorIs(t, wrapped, ErrOutcomeUnknown)
	assert.ErrorIs(t, wrapped, ErrUnavailable, "an unknown outcome is also unavailable")
	assert.NotErrorIs(t, fmt.Errorf("x: %w", ErrUnavailable), ErrOutcomeUnknown, "but not the other way round")
}

func TestSecretNeverPrints(t *testing.T) {
	const pin = "987123"
	s := Secret(pin)
	assert.Equal(t, pin, s.Reveal())

	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%10s", "%-12v", "%.3s", "%T", "%t"} {
		out := fmt.Sprintf(verb, s)
		assert.NotContains(t, out, pin, "verb %s", verb)
		assert.NotContains(t, out, "393837", "verb %s prints the hex of the value", verb)
	}
	assert.Equal(t, "[redacted]", fmt.Sprint(s))
	assert.Equal(t, "[redacted]", fmt.Sprintf("%v", s))
	assert.Equal(t, `"[redacted]"`, fmt.Sprintf("%q", s))
	assert.Equal(t, `access.Secret("[redacted]")`, fmt.Sprintf("%#v", s))
	assert.Equal(t, "", fmt.Sprint(Secret("")), "an empty secret prints empty")

	cred := Credential{Kind: CredentialPIN, PIN: s, DeliveredTo: []string{"ann@example.com"}}
	req := validRequest()
	req.PIN = s
	grant := &Grant{ID: "g1", Doors: []DoorAccess{{DoorID: "d1", Credential: cred}}}
	for _, v := range []any{cred, &cred, req, grant, []Secret{s}, map[string]Secret{"pin": s}} {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%d", "%x"} {
			out := fmt.Sprintf(verb, v)
			assert.NotContains(t, out, pin, "verb %s on %T: %s", verb, v, out)
		}
	}
	assert.Contains(t, fmt.Sprintf("%+v", cred), "PIN:[redacted]")
}

func TestSecretNeverLogs(t *testing.T) {
	const pin = "987123"
	s := Secret(pin)
	cred := Credential{Kind: CredentialPIN, PIN: s}

	for name, h := range map[string]func(*bytes.Buffer) slog.Handler{
		"json": func(b *bytes.Buffer) slog.Handler { return slog.NewJSONHandler(b, nil) },
		"text": func(b *bytes.Buffer) slog.Handler { return slog.NewTextHandler(b, nil) },
	} {
		t.Run(name, func(t *testing.T) {
			var buf bytes.Buffer
			logger := slog.New(h(&buf))
			logger.Info("grant created",
				"pin", s,
				slog.Any("pin_any", s),
				slog.String("pin_str", s.String()),
				slog.Group("g", "pin", s),
				slog.String("grant", "g1"),
			)
			logger.With("pin", s).Warn("retrying")
			out := buf.String()
			assert.NotContains(t, out, pin)
			assert.Contains(t, out, "[redacted]")
			assert.Contains(t, out, "g1", "the rest of the record is there")
		})
	}

	t.Run("json handler with a grant", func(t *testing.T) {
		var buf bytes.Buffer
		req := validRequest()
		req.PIN = s
		grant := &Grant{ID: "g1", Doors: []DoorAccess{{DoorID: "d1", Credential: cred}, {DoorID: "d2", Credential: cred}}}
		slog.New(slog.NewJSONHandler(&buf, nil)).Info("x", "request", req, "grant", grant, "door", grant.Doors[0])
		assert.NotContains(t, buf.String(), pin)
		assert.Contains(t, buf.String(), `"door_id":"d2"`)
	})
	t.Run("text handler with structs", func(t *testing.T) {
		// The text handler formats structs with fmt, which calls Format.
		var buf bytes.Buffer
		req := validRequest()
		req.PIN = s
		slog.New(slog.NewTextHandler(&buf, nil)).Info("x", "credential", cred, "request", req, "grant", &Grant{Doors: []DoorAccess{{Credential: cred}}})
		assert.NotContains(t, buf.String(), pin)
		assert.Contains(t, buf.String(), "[redacted]")
	})
}

// TestSecretJSONIsPlain pins down that encoding/json sees the value: vendor
// request bodies (havr.TokenRequest) hold Secrets and rely on it. It follows
// that slog's JSON handler, which encodes a struct attribute with
// encoding/json, prints a Secret held in such a struct; log the Secret
// itself, or use the text handler, to keep it out.
func TestSecretJSONIsPlain(t *testing.T) {
	var v struct {
		JWT Secret `json:"jwt"`
	}
	require.NoError(t, json.Unmarshal([]byte(`{"jwt":"SECRET-JWT"}`), &v))
	assert.Equal(t, "SECRET-JWT", v.JWT.Reveal())
	out, err := json.Marshal(v)
	require.NoError(t, err)
	assert.JSONEq(t, `{"jwt":"SECRET-JWT"}`, string(out))
}
