package access

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Granter gives a person time-bounded access to doors and takes it back.
//
// CreateGrant is never retried automatically once the request may have
// reached the vendor (a retried create duplicates the grant). A create whose
// outcome is unknown fails with ErrOutcomeUnknown; EnsureGrant resolves it by
// looking the grant up by its key. RevokeGrant of an unknown or already
// revoked grant is ErrNotFound (EnsureRevoked treats that as done).
//
// Implementations validate the request (GrantRequest.Validate), then prepare
// its window with Window.Prepare at their own resolution: a start in the past
// is clamped to now with a NoticeStartClamped notice, an end in the past is
// ErrInvalid. They store GrantRequest.Key where their own listing shows it
// back, or in a KeyStore, and return it in Grant.Key.
type Granter interface {
	CreateGrant(ctx context.Context, req GrantRequest) (*Grant, error)
	RevokeGrant(ctx context.Context, grantID string) error
}

// Window is the half-open interval [Start, End) in which a grant is valid.
// A request needs both bounds (Validate). A grant read from a vendor may
// show a zero End: the vendor holds it without an end date (a Havr key
// whose end was removed in its app), so it runs until revoked.
type Window struct {
	Start time.Time `json:"start"`
	End   time.Time `json:"end,omitzero"` // zero: no end (see above)
}

// Validate reports a zero bound, a bound outside the years 1 to 9999 (what
// RFC 3339, and so every vendor's timestamps, can carry) or an End that is
// not after Start.
func (w Window) Validate() error {
	switch {
	case w.Start.IsZero():
		return Invalid("Window.Start", "is required")
	case w.End.IsZero():
		return Invalid("Window.End", "is required")
	case !inRFC3339(w.Start):
		return Invalid("Window.Start", fmt.Sprintf("year %d is outside 1 to 9999", w.Start.UTC().Year()))
	case !inRFC3339(w.End):
		return Invalid("Window.End", fmt.Sprintf("year %d is outside 1 to 9999", w.End.UTC().Year()))
	case !w.End.After(w.Start):
		return Invalid("Window.End", fmt.Sprintf("%s is not after start %s",
			w.End.Format(time.RFC3339), w.Start.Format(time.RFC3339)))
	}
	return nil
}

// inRFC3339 reports whether t, in UTC, has a year RFC 3339 can write.
func inRFC3339(t time.Time) bool {
	y := t.UTC().Year()
	return y >= 1 && y <= 9999
}

// UTC returns the window with both bounds in UTC. Vendors take UTC; doing the
// conversion here keeps results independent of the server's time zone.
func (w Window) UTC() Window { return Window{Start: w.Start.UTC(), End: w.End.UTC()} }

// Contains reports whether t lies in [Start, End). A zero End after a
// Start is no end; the zero Window contains nothing.
func (w Window) Contains(t time.Time) bool {
	if w.End.IsZero() {
		return !w.Start.IsZero() && !t.Before(w.Start)
	}
	return !t.Before(w.Start) && t.Before(w.End)
}

func (w Window) String() string {
	if w.End.IsZero() {
		return w.Start.Format(time.RFC3339) + " – (no end)"
	}
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

// GrantState is the life-cycle state of a grant, or of its access to one
// door, as last seen. It says whether access is set up, not whether the
// window is open now: an active grant whose window starts tomorrow is set up
// and cannot be used yet (see Grant.Usable).
type GrantState string

const (
	// GrantPending: accepted; the vendor is still setting it up (a PIN not
	// yet loaded on the lock, a link the visitor has not opened, a share the
	// lock's owner must confirm).
	GrantPending GrantState = "pending"
	// GrantActive: set up; usable inside its window.
	GrantActive GrantState = "active"
	// GrantFailed: the vendor could not set it up; DoorAccess.Reason says why.
	GrantFailed GrantState = "failed"
	// GrantRevoked: taken back, or refused by the holder or the lock's owner.
	GrantRevoked GrantState = "revoked"
	// GrantExpired: its window has ended.
	GrantExpired GrantState = "expired"
)

// MaxKeyLength is the longest GrantRequest.Key, in bytes. Every vendor
// takes every key ValidateKey accepts and gives it back whole.
const MaxKeyLength = 64

// MaxLabelLength is the longest GrantRequest.Label, in characters.
const MaxLabelLength = 200

// GrantRequest asks for time-bounded access to one or more doors.
type GrantRequest struct {
	// Key is the caller's idempotency key, for example the booking id. It
	// is optional for CreateGrant and required by EnsureGrant, which finds
	// the grant again by it. When set it must not be blank, must hold no
	// control characters and must be at most MaxKeyLength bytes.
	Key     string
	DoorIDs []string
	Holder  Person
	Window  Window
	// Credential is the preferred kind; a vendor that cannot honour it
	// returns ErrUnsupported rather than silently choosing another.
	Credential CredentialKind
	// PIN is an optional caller-chosen code for CredentialPIN.
	PIN Secret
	// Label is a short description shown in the vendor's tools (for example
	// the visitor's company): valid UTF-8 without control characters, at
	// most MaxLabelLength characters. A vendor with a shorter field
	// truncates it and says so with a NoticeLabelTruncated notice.
	Label string
}

// Validate checks what every vendor needs: at least one door, a holder and a
// valid window. Vendors add their own rules.
func (r GrantRequest) Validate() error {
	if err := ValidateKey(r.Key); err != nil {
		return err
	}
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
	if strings.ContainsFunc(r.Holder.VendorUserID, func(c rune) bool { return unicode.IsSpace(c) || unicode.IsControl(c) }) {
		return Invalid("Holder.VendorUserID", "holds whitespace or a control character")
	}
	if r.Holder.Email != "" {
		if err := ValidateEmailField("Holder.Email", r.Holder.Email); err != nil {
			return err
		}
	}
	if err := validateLabel(r.Label); err != nil {
		return err
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

func validateLabel(label string) error {
	switch {
	case !utf8.ValidString(label):
		return Invalid("Label", "is not valid UTF-8")
	case strings.ContainsFunc(label, unicode.IsControl):
		return Invalid("Label", "holds a control character")
	case utf8.RuneCountInString(label) > MaxLabelLength:
		return Invalid("Label", fmt.Sprintf("is %d characters; at most %d", utf8.RuneCountInString(label), MaxLabelLength))
	}
	return nil
}

// ValidateKey checks a grant key: "" (no key) or a non-blank string of at
// most MaxKeyLength bytes without control characters.
func ValidateKey(key string) error {
	if key == "" {
		return nil
	}
	if strings.TrimSpace(key) == "" {
		return Invalid("Key", "is blank")
	}
	if len(key) > MaxKeyLength {
		return Invalid("Key", fmt.Sprintf("is %d bytes; at most %d", len(key), MaxKeyLength))
	}
	if !utf8.ValidString(key) {
		return Invalid("Key", "is not valid UTF-8")
	}
	for _, c := range key {
		if unicode.IsControl(c) {
			return Invalid("Key", "holds a control character")
		}
	}
	return nil
}

// Grant is time-bounded access as the vendor holds it.
type Grant struct {
	ID     string // what RevokeGrant takes; store it with the booking
	Key    string // GrantRequest.Key, as stored by the vendor or a KeyStore
	Vendor string
	// Doors is the access to each door: its state, credential and the
	// vendor's id for that part. State derives the grant's state from it.
	Doors  []DoorAccess
	Holder Person
	Window Window
	// Label is the grant's label as the vendor keeps it (GrantRequest.Label,
	// truncated where the vendor's field is shorter, with a notice); empty
	// where the vendor has nowhere to keep one. Each vendor's CreateGrant
	// says where it keeps the label.
	Label string
	// Notices says what the vendor adjusted or dropped for the grant as a
	// whole (a start clamped to now, an SMS not sent); notices that concern
	// one door are on its DoorAccess.
	Notices []Notice
	// Native is the vendor's own value (for example []havr.SharedKey).
	Native any
}

// DoorAccess is a grant's access to one door.
type DoorAccess struct {
	DoorID string
	State  GrantState
	// Reason says why the state is GrantFailed (or GrantRevoked, when the
	// vendor says), in the vendor's words.
	Reason     string
	Credential Credential
	Notices    []Notice
	// VendorID is the vendor's id for this part of the grant (a Havr shared
	// key id, an August PIN id); empty when the vendor has one id for all.
	VendorID string
}

// DoorIDs returns the ids of the grant's doors, in order.
func (g *Grant) DoorIDs() []string {
	ids := make([]string, len(g.Doors))
	for i, d := range g.Doors {
		ids[i] = d.DoorID
	}
	return ids
}

// State is the grant's overall state, derived from its doors with the
// precedence failed, pending, active, expired, revoked, so that the first
// state that needs the caller's attention wins: GrantFailed if any door
// failed, else GrantPending if any is still being set up, else GrantActive
// if any is active, else GrantExpired if any expired, else GrantRevoked. A
// grant without doors is GrantPending.
func (g *Grant) State() GrantState {
	if len(g.Doors) == 0 {
		return GrantPending
	}
	has := map[GrantState]bool{}
	for _, d := range g.Doors {
		has[d.State] = true
	}
	for _, s := range []GrantState{GrantFailed, GrantPending, GrantActive, GrantExpired} {
		if has[s] {
			return s
		}
	}
	return GrantRevoked
}

// Usable reports whether the holder can use every door of the grant at t:
// each door's access is set up (GrantActive) and t lies inside the window.
func (g *Grant) Usable(t time.Time) bool {
	if len(g.Doors) == 0 || !g.Window.Contains(t) {
		return false
	}
	for _, d := range g.Doors {
		if d.State != GrantActive {
			return false
		}
	}
	return true
}

// AllNotices returns the grant's notices followed by those of each door.
func (g *Grant) AllNotices() []Notice {
	out := append([]Notice(nil), g.Notices...)
	for _, d := range g.Doors {
		out = append(out, d.Notices...)
	}
	return out
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
	return slog.GroupValue(slog.String("key", r.Key), slog.Any("door_ids", r.DoorIDs), slog.Any("holder", r.Holder),
		slog.Any("window", r.Window), slog.String("credential", string(r.Credential)),
		slog.Any("pin", r.PIN), slog.String("label", r.Label))
}

// LogValue logs a grant without its credential's PIN.
func (g Grant) LogValue() slog.Value {
	return slog.GroupValue(slog.String("id", g.ID), slog.String("vendor", g.Vendor),
		slog.String("key", g.Key), slog.Any("doors", doorsLogValue(g.Doors)), slog.Any("holder", g.Holder),
		slog.Any("window", g.Window), slog.String("label", g.Label), slog.String("state", string(g.State())),
		slog.Any("notices", g.Notices))
}

// doorsLogValue logs each door through its LogValue: slog's JSON handler
// encodes a plain slice with encoding/json, which would show PINs.
func doorsLogValue(doors []DoorAccess) slog.Value {
	attrs := make([]slog.Attr, len(doors))
	for i, d := range doors {
		attrs[i] = slog.Any(strconv.Itoa(i), d)
	}
	return slog.GroupValue(attrs...)
}

// LogValue logs a door's access without its credential's PIN.
func (d DoorAccess) LogValue() slog.Value {
	return slog.GroupValue(slog.String("door_id", d.DoorID), slog.String("state", string(d.State)),
		slog.String("reason", d.Reason), slog.Any("credential", d.Credential),
		slog.Any("notices", d.Notices), slog.String("vendor_id", d.VendorID))
}
