package access

import (
	"context"
	"fmt"
	"slices"
	"time"
)

// Door is one opening point: a resivo component, an August lock, a Primis
// controlled area or a Havr door lock.
type Door struct {
	ID   string // the vendor's id; for resivo it may change on a site migration
	Name string // display name, unique within a site
	Site string // site, house or installation id; empty where the vendor has none
	// Vendor names the package that produced the door ("primis", "havr", ...).
	Vendor       string
	Connectivity Connectivity
	// Capabilities says what this door supports, so callers can decide
	// before calling.
	Capabilities Capabilities
	// TimeZone is the door's IANA time zone ("Europe/Amsterdam") where the
	// vendor reports one (August locks do); "" when unknown.
	TimeZone string
	// Notices say what doorkit could not read or had to assume about this
	// door (a time zone Go does not know, PIN rules the vendor did not
	// give), so callers can tell a fact from a guess.
	Notices []Notice
	// Native is the vendor's own value (for example primis.ControlledArea or
	// *havr.DoorLock), for callers who need more than the common fields.
	Native any
}

// Location returns the door's time zone, or ok false when the vendor did
// not report one or Go does not know it.
func (d Door) Location() (loc *time.Location, ok bool) {
	if d.TimeZone == "" {
		return nil, false
	}
	loc, err := time.LoadLocation(d.TimeZone)
	return loc, err == nil
}

// Capabilities says what one door supports. Interfaces found by type
// assertion say what a client can do; Capabilities says what a given door
// can, which may be less (a Havr lock cannot be opened through the API; an
// August lock without a keypad takes no PIN).
type Capabilities struct {
	// RemoteOpen: the door can be opened remotely (OpenDoor). A door
	// without it answers OpenDoor with ErrUnsupported; one with it that
	// cannot be reached now (Door.Connectivity Offline) with
	// ErrUnavailable. Capabilities say what a door supports,
	// Connectivity whether it is reachable now.
	RemoteOpen bool
	// Credentials lists the credential kinds a grant on this door can
	// carry; empty when the door takes no grants.
	Credentials []CredentialKind
	// PIN gives the PIN rules where the door takes PINs and the vendor
	// says; nil otherwise.
	PIN *PINRules
	// WindowChange: a grant's window can be changed in place
	// (GrantUpdater); otherwise EnsureGrant revokes and re-creates.
	WindowChange bool
	// GrantListing: grants on this door can be found again (GrantLister,
	// GrantGetter), which EnsureGrant needs.
	GrantListing bool
}

// Grants reports whether the door takes grants at all.
func (c Capabilities) Grants() bool { return len(c.Credentials) > 0 }

// Issues reports whether a grant on the door can carry kind. CredentialAny
// is issued by any door that takes grants.
func (c Capabilities) Issues(kind CredentialKind) bool {
	if kind == CredentialAny {
		return c.Grants()
	}
	return slices.Contains(c.Credentials, kind)
}

// PINRules is the length range of a PIN, in digits; MaxLength 0 means no
// upper bound.
type PINRules struct {
	MinLength int
	MaxLength int
}

// Check reports a PIN that is not digits only or outside the length range.
func (r PINRules) Check(pin Secret) error {
	p := pin.Reveal()
	for _, c := range p {
		if c < '0' || c > '9' {
			return Invalid("PIN", "must be digits only")
		}
	}
	switch {
	case r.MaxLength <= 0 && len(p) < r.MinLength:
		return Invalid("PIN", fmt.Sprintf("must be at least %d digits", r.MinLength))
	case r.MaxLength > 0 && (len(p) < r.MinLength || len(p) > r.MaxLength):
		return Invalid("PIN", fmt.Sprintf("must be %d to %d digits", r.MinLength, r.MaxLength))
	}
	return nil
}

// Connectivity tells whether a door's lock or bridge is reachable. Vendors
// that do not report it leave ConnectivityUnknown.
type Connectivity uint8

const (
	ConnectivityUnknown Connectivity = iota
	Online
	Offline
)

func (c Connectivity) String() string {
	switch c {
	case Online:
		return "online"
	case Offline:
		return "offline"
	default:
		return "unknown"
	}
}

// DoorLister lists the doors the client may use.
type DoorLister interface {
	ListDoors(ctx context.Context) ([]Door, error)
}

// DoorOpener opens a door remotely, now. A refusal by the vendor is
// ErrDenied; an offline lock or bridge is ErrUnavailable; a door whose
// Capabilities lack RemoteOpen is ErrUnsupported.
//
// Opening is never retried automatically once the request may have reached
// the vendor: a retried open can open twice.
type DoorOpener interface {
	OpenDoor(ctx context.Context, doorID string) error
}
