package resivo

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/internal/rest"
)

// Time is a time resivo takes in UTC with a Z suffix. It is sent with
// milliseconds ("2026-06-01T07:00:00.000Z"), as the public client does, and
// read with or without fractional seconds; any offset read is converted to
// UTC.
type Time struct{ time.Time }

// At returns t as a Time.
func At(t time.Time) Time { return Time{t} }

// timeLayout is RFC 3339 in UTC with milliseconds and Z.
const timeLayout = "2006-01-02T15:04:05.000Z"

// String formats the time as it is sent.
func (t Time) String() string { return t.UTC().Format(timeLayout) }

// MarshalJSON writes the time in UTC with Z; the zero time is null.
func (t Time) MarshalJSON() ([]byte, error) {
	if t.IsZero() {
		return []byte("null"), nil
	}
	if err := rest.CheckTime("time", t.Time); err != nil {
		return nil, err
	}
	return []byte(`"` + t.UTC().Format(timeLayout) + `"`), nil
}

// UnmarshalJSON reads RFC 3339 with or without fractional seconds; null or
// "" is the zero time.
func (t *Time) UnmarshalJSON(b []byte) error {
	if bytes.Equal(b, []byte("null")) {
		*t = Time{}
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("resivo: time %s: %w", b, err)
	}
	if s == "" {
		*t = Time{}
		return nil
	}
	v, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return fmt.Errorf("resivo: time %q: %w", s, err)
	}
	*t = Time{v.UTC()}
	return nil
}

// Restrictions bound when an authorization works.
type Restrictions struct {
	ValidFrom Time `json:"validFrom"`
	ValidTo   Time `json:"validTo"`
}

// validate requires both bounds and ValidTo after ValidFrom, compared at the
// millisecond resolution they are sent with.
func (r Restrictions) validate() error {
	from, to := r.ValidFrom.Truncate(time.Millisecond), r.ValidTo.Truncate(time.Millisecond)
	switch {
	case r.ValidFrom.IsZero():
		return access.Invalid("Restrictions.ValidFrom", "is required")
	case r.ValidTo.IsZero():
		return access.Invalid("Restrictions.ValidTo", "is required")
	case rest.CheckTime("", r.ValidFrom.Time) != nil:
		return rest.CheckTime("Restrictions.ValidFrom", r.ValidFrom.Time)
	case rest.CheckTime("", r.ValidTo.Time) != nil:
		return rest.CheckTime("Restrictions.ValidTo", r.ValidTo.Time)
	case !to.After(from):
		return access.Invalid("Restrictions.ValidTo", fmt.Sprintf("%s is not after validFrom %s", r.ValidTo, r.ValidFrom))
	}
	return nil
}

// ComponentType is a component's kind, in the glossary's terms. The values
// resivo sends are not published: these constants are INFERRED from the
// glossary, and any other value is kept as sent.
type ComponentType string

const (
	ComponentAccessManager   ComponentType = "accessManager"
	ComponentDigitalCylinder ComponentType = "digitalCylinder"
	ComponentCLever          ComponentType = "cLever"
	ComponentGateway         ComponentType = "gateway"
)

// ComponentStatus is whether a component is connected to resivo (online,
// wireless components) or configured by app only (offline, standalone). The
// values are INFERRED from the glossary; any other value is kept as sent.
type ComponentStatus string

const (
	ComponentOnline  ComponentStatus = "online"
	ComponentOffline ComponentStatus = "offline"
)

// Known reports whether s is one of the constants above.
func (s ComponentStatus) Known() bool { return s == ComponentOnline || s == ComponentOffline }

// AuthorizationStatus is an authorization's state. "active" (live) is
// CONFIRMED; the others are INFERRED names for the states an authorization
// passes through. Unknown values are kept as sent.
type AuthorizationStatus string

const (
	AuthorizationActive  AuthorizationStatus = "active"
	AuthorizationPending AuthorizationStatus = "pending" // INFERRED: accepted, credentials being issued
	AuthorizationRevoked AuthorizationStatus = "revoked" // INFERRED
	AuthorizationExpired AuthorizationStatus = "expired" // INFERRED: past validTo
)

// Known reports whether s is one of the constants above.
func (s AuthorizationStatus) Known() bool {
	switch s {
	case AuthorizationActive, AuthorizationPending, AuthorizationRevoked, AuthorizationExpired:
		return true
	}
	return false
}

// CredentialStatus is the state of one credential of an authorization (a
// PIN code, a door link). Only the field is CONFIRMED; the values are
// INFERRED and unknown ones are kept as sent. Expiry is its own field,
// Credential.IsExpired.
type CredentialStatus string

const (
	CredentialActive  CredentialStatus = "active"
	CredentialPending CredentialStatus = "pending" // INFERRED: not yet delivered or opened
	CredentialRevoked CredentialStatus = "revoked" // INFERRED
)

// Known reports whether s is one of the constants above.
func (s CredentialStatus) Known() bool {
	return s == CredentialActive || s == CredentialPending || s == CredentialRevoked
}

// checkID refuses an id resivo does not hand out (rest.CheckID: resivo
// documents no format; its ids are UUIDs and short slugs): ErrInvalid
// before anything is sent.
func checkID(what, id string) error { return rest.CheckID(what, id) }
