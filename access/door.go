package access

import "context"

// Door is one opening point: a resivo component, an August lock, a Primis
// controlled area or a Havr door lock.
type Door struct {
	ID   string // the vendor's id; for resivo it may change on a site migration
	Name string // display name, unique within a site
	Site string // site, house or installation id; empty where the vendor has none
	// Vendor names the package that produced the door ("primis", "havr", ...).
	Vendor       string
	Connectivity Connectivity
	// Native is the vendor's own value (for example primis.ControlledArea or
	// *havr.DoorLock), for callers who need more than the common fields.
	Native any
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
// ErrDenied; an offline lock or bridge is ErrUnavailable.
//
// Opening is never retried automatically once the request may have reached
// the vendor: a retried open can open twice.
type DoorOpener interface {
	OpenDoor(ctx context.Context, doorID string) error
}
