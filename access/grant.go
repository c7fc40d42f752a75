package access

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"time"
)

// Granter gives a person time-bounded access to doors and takes it back.
//
// CreateGrant is never retried automatically once the request may have
// reached the vendor (a retried create duplicates the grant); on an
// ambiguous failure, list or look up the holder's grants before trying
// again. RevokeGrant of an unknown or already revoked grant is ErrNotFound.
type Granter interface {
	CreateGrant(ctx context.Context, req GrantRequest) (*Grant, error)
	RevokeGrant(ctx context.Context, grantID string) error
}

// Window is the half-open interval [Start, End) in which a grant is valid.
type Window struct {
	Start time.Time
	End   time.Time
}

// Validate reports a zero bound or an End that is not after Start.
func (w Window) Validate() error {
	switch {
	case w.Start.IsZero():
		return Invalid("Window.Start", "is required")
	case w.End.IsZero():
		return Invalid("Window.End", "is required")
	case !w.End.After(w.Start):
		return Invalid("Window.End", fmt.Sprintf("%s is not after start %s",
			w.End.Format(time.RFC3339), w.Start.Format(time.RFC3339)))
	}
	return nil
}

// UTC returns the window with both bounds in UTC. Vendors take UTC; doing the
// conversion here keeps results independent of the server's time zone.
func (w Window) UTC() Window { return Window{Start: w.Start.UTC(), End: w.End.UTC()} }

// Contains reports whether t lies in [Start, End).
func (w Window) Contains(t time.Time) bool { return !t.Before(w.Start) && t.Before(w.End) }

func (w Window) String() string {
	return w.Start.Format(time.RFC3339) + " – " + w.End.Format(time.RFC3339)
}

// Person is the holder of a grant: a visitor, guest or member.
type Person struct {
	Name  string
	Email string
	Phone string // as entered; vendors that send SMS normalise it (see phone.NormalizeSMS)
	// VendorUserID is the holder's id at the vendor, when the holder already
	// has an account there (a Havr user id, an August user id).
	VendorUserID string
}

// CredentialKind is what the holder uses to open.
type CredentialKind string

const (
	// CredentialAny lets the vendor choose its usual credential.
	CredentialAny CredentialKind = ""
	// CredentialLink: a link the vendor sends by email or SMS (resivo door
	// link, Havr shared-key link). The link itself is not returned.
	CredentialLink CredentialKind = "link"
	// CredentialPIN: a keypad code (resivo PIN access, August PIN).
	CredentialPIN CredentialKind = "pin"
	// CredentialAppKey: a key in the vendor's app for an existing account
	// (Havr shared key to a user id).
	CredentialAppKey CredentialKind = "app_key"
	// CredentialPhone: the holder's registered phone (Primis).
	CredentialPhone CredentialKind = "phone"
)

// Credential describes what the holder received.
type Credential struct {
	Kind CredentialKind
	// PIN is set for CredentialPIN. It never prints.
	PIN Secret
	// DeliveredTo lists where the vendor sent the credential (email
	// addresses, E.164 numbers); empty when it is handed to the caller.
	DeliveredTo []string
	// Delivery says who delivers it, e.g. "emailed by havr".
	Delivery string
}

// GrantState is the life-cycle state of a grant as last seen.
type GrantState string

const (
	GrantPending GrantState = "pending" // accepted; the vendor is still delivering it
	GrantActive  GrantState = "active"
	GrantRevoked GrantState = "revoked"
	GrantExpired GrantState = "expired"
)

// GrantRequest asks for time-bounded access to one or more doors.
type GrantRequest struct {
	DoorIDs []string
	Holder  Person
	Window  Window
	// Credential is the preferred kind; a vendor that cannot honour it
	// returns ErrUnsupported rather than silently choosing another.
	Credential CredentialKind
	// PIN is an optional caller-chosen code for CredentialPIN.
	PIN Secret
	// Label is a short description shown in the vendor's tools (for example
	// the booking reference). Vendors with a length limit reject a longer one.
	Label string
}

// Validate checks what every vendor needs: at least one door, a holder and a
// valid window. Vendors add their own rules.
func (r GrantRequest) Validate() error {
	if len(r.DoorIDs) == 0 {
		return Invalid("DoorIDs", "at least one door is required")
	}
	for i, id := range r.DoorIDs {
		if id == "" {
			return Invalid(fmt.Sprintf("DoorIDs[%d]", i), "is empty")
		}
	}
	if r.Holder.Email == "" && r.Holder.Phone == "" && r.Holder.VendorUserID == "" {
		return Invalid("Holder", "needs an email, a phone or a vendor user id")
	}
	if r.Holder.Email != "" {
		if err := validateEmail("Holder.Email", r.Holder.Email); err != nil {
			return err
		}
	}
	if r.Credential == CredentialPIN && r.PIN.Reveal() != "" {
		for _, c := range r.PIN.Reveal() {
			if c < '0' || c > '9' {
				return Invalid("PIN", "must be digits only")
			}
		}
	}
	return r.Window.Validate()
}

// Grant is time-bounded access as created by a vendor.
type Grant struct {
	ID         string // what RevokeGrant takes; store it with the booking
	Vendor     string
	DoorIDs    []string
	Holder     Person
	Window     Window
	Credential Credential
	State      GrantState
	// Notices says what the vendor adjusted or dropped, for example
	// "SMS skipped: 0612345678 has no country code".
	Notices []string
	// Native is the vendor's own value (for example *havr.SharedKey).
	Native any
}

// Secret holds a PIN, password or token. It prints as [redacted] through fmt
// (every verb) and log/slog; Reveal returns the value for the request that
// needs it. encoding/json sees the real value, because vendor request bodies
// carry secrets: do not json.Marshal a struct holding a Secret into a log.
// The access types that hold one (Credential, GrantRequest, Grant) log
// redacted through slog.
type Secret string

// Reveal returns the secret value.
func (s Secret) Reveal() string { return string(s) }

func (s Secret) String() string {
	if s == "" {
		return ""
	}
	return "[redacted]"
}

// GoString keeps %#v from printing the value.
func (s Secret) GoString() string { return `access.Secret("` + s.String() + `")` }

// EncodeValues lets go-querystring put the real value in a request's query
// (one-time tokens in links); loggers redact such query keys.
func (s Secret) EncodeValues(key string, v *url.Values) error {
	v.Set(key, string(s))
	return nil
}

// LogValue keeps log/slog from printing the value.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.String()) }

// Format keeps every fmt verb from printing the value, including verbs that
// do not fit a string (%d, %t), which fmt would otherwise answer with the raw
// value.
func (s Secret) Format(f fmt.State, verb rune) {
	if verb == 'v' && f.Flag('#') {
		_, _ = io.WriteString(f, s.GoString())
		return
	}
	_, _ = fmt.Fprintf(f, fmt.FormatString(f, verb), s.String())
}

// LogValue logs a credential without its PIN. slog's JSON handler encodes
// nested structs with encoding/json, which would show a Secret; LogValue keeps
// that from happening when a Credential is logged.
func (c Credential) LogValue() slog.Value {
	return slog.GroupValue(slog.String("kind", string(c.Kind)), slog.Any("pin", c.PIN),
		slog.Any("delivered_to", c.DeliveredTo), slog.String("delivery", c.Delivery))
}

// LogValue logs a grant request without its PIN.
func (r GrantRequest) LogValue() slog.Value {
	return slog.GroupValue(slog.Any("door_ids", r.DoorIDs), slog.Any("holder", r.Holder),
		slog.Any("window", r.Window), slog.String("credential", string(r.Credential)),
		slog.Any("pin", r.PIN), slog.String("label", r.Label))
}

// LogValue logs a grant without its credential's PIN.
func (g Grant) LogValue() slog.Value {
	return slog.GroupValue(slog.String("id", g.ID), slog.String("vendor", g.Vendor),
		slog.Any("door_ids", g.DoorIDs), slog.Any("holder", g.Holder), slog.Any("window", g.Window),
		slog.Any("credential", g.Credential), slog.String("state", string(g.State)), slog.Any("notices", g.Notices))
}
