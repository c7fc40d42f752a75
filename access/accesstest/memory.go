package accesstest

import (
	"cmp"
	"context"
	"fmt"
	"iter"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/doorkit/doorkit/access"
)

// MemoryVendor is the Vendor name of Memory's doors and grants.
const MemoryVendor = "memory"

// Memory is an in-memory implementation of every access interface: a
// reference for vendor implementations and a stand-in for tests of code
// built on access (EnsureGrant, the Directory, a booking flow). It keeps
// grant keys and labels itself (Grant.Label is GrantRequest.Label, whole),
// the way a vendor with a note field does, and can be told to lose the
// answer of a create it performed.
//
// Doors whose Capabilities lack RemoteOpen answer OpenDoor with
// ErrUnsupported; a door named in DeniedDoors answers ErrDenied. It is safe
// for concurrent use.
type Memory struct {
	mu       sync.Mutex
	doors    []access.Door
	denied   map[string]bool
	grants   map[string]*access.Grant
	next     int
	creates  int
	opens    int
	loseNext int
	failNext int
	failList bool
	now      func() time.Time
	locker   access.Locker
}

// NewMemory returns a Memory over doors. Doors without Vendor get
// MemoryVendor; Native is set to the door's id when nil.
func NewMemory(doors ...access.Door) *Memory {
	m := &Memory{denied: map[string]bool{}, grants: map[string]*access.Grant{}, now: time.Now, locker: access.NewMemoryLocker()}
	for _, d := range doors {
		d.Vendor = cmp.Or(d.Vendor, MemoryVendor)
		if d.Native == nil {
			d.Native = d.ID
		}
		m.doors = append(m.doors, d)
	}
	return m
}

// Locker returns the Memory's own in-memory Locker, as every vendor client
// carries one: EnsureGrant takes per-key turns from it.
func (m *Memory) Locker() access.Locker { return m.locker }

// MemoryDoors returns three doors that take grants by link and PIN: "m1"
// and "m2" open remotely, "m3" does not.
func MemoryDoors() []access.Door {
	caps := access.Capabilities{RemoteOpen: true, Credentials: []access.CredentialKind{access.CredentialLink, access.CredentialPIN},
		PIN: &access.PINRules{MinLength: 4, MaxLength: 8}, WindowChange: true, GrantListing: true}
	noOpen := caps
	noOpen.RemoteOpen = false
	return []access.Door{
		{ID: "m1", Name: "Front door", Site: "hq", Capabilities: caps, TimeZone: "Europe/Amsterdam"},
		{ID: "m2", Name: "Meeting room", Site: "hq", Capabilities: caps, TimeZone: "Europe/Amsterdam"},
		{ID: "m3", Name: "Storage", Site: "hq", Capabilities: noOpen},
	}
}

// Deny makes OpenDoor of doorID answer ErrDenied.
func (m *Memory) Deny(doorID string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.denied[doorID] = true
}

// LoseNextCreate makes the next CreateGrant create the grant and then fail
// with ErrOutcomeUnknown, as when the vendor's answer is lost.
func (m *Memory) LoseNextCreate() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.loseNext++
}

// FailNextCreate makes the next CreateGrant fail with ErrOutcomeUnknown
// without creating anything, as when the request was cut before the vendor
// acted on it.
func (m *Memory) FailNextCreate() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.failNext++
}

// SetClock sets the clock Memory prepares windows by (time.Now by
// default), so a test can make grants whose windows started in the past.
func (m *Memory) SetClock(now func() time.Time) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.now = now
}

func (m *Memory) clock() time.Time {
	m.mu.Lock()
	now := m.now
	m.mu.Unlock()
	return now()
}

// FailListings makes every later ListGrants stop after its first grant
// with an error matching ErrUnavailable, as a listing cut short by a
// failing page does.
func (m *Memory) FailListings() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.failList = true
}

// Creates returns how many grants CreateGrant has created.
func (m *Memory) Creates() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.creates
}

// Opens returns how many times a door was opened.
func (m *Memory) Opens() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.opens
}

// Live returns how many grants are not revoked.
func (m *Memory) Live() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.grants)
}

// SetState sets the state of a grant's access to doorID, as a vendor's
// confirmation would.
func (m *Memory) SetState(grantID, doorID string, state access.GrantState, reason string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	g, ok := m.grants[grantID]
	if !ok {
		return access.ErrNotFound
	}
	for i := range g.Doors {
		if g.Doors[i].DoorID == doorID {
			g.Doors[i].State, g.Doors[i].Reason = state, reason
			return nil
		}
	}
	return access.ErrNotFound
}

func (m *Memory) door(id string) (access.Door, bool) {
	for _, d := range m.doors {
		if d.ID == id {
			return d, true
		}
	}
	return access.Door{}, false
}

// ListDoors returns the doors.
func (m *Memory) ListDoors(ctx context.Context) ([]access.Door, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.doors), nil
}

// OpenDoor opens a door that can be opened remotely.
func (m *Memory) OpenDoor(ctx context.Context, doorID string) error {
	if doorID == "" {
		return access.Invalid("doorID", "is required")
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	d, ok := m.door(doorID)
	switch {
	case !ok:
		return fmt.Errorf("memory: door %q: %w", doorID, access.ErrNotFound)
	case !d.Capabilities.RemoteOpen:
		return fmt.Errorf("memory: door %q cannot be opened remotely: %w", doorID, access.ErrUnsupported)
	case m.denied[doorID]:
		return fmt.Errorf("memory: door %q: %w", doorID, access.ErrDenied)
	}
	m.opens++
	return nil
}

// CreateGrant creates a grant: active at once for a PIN, pending for a
// link until the holder opens it.
func (m *Memory) CreateGrant(ctx context.Context, req access.GrantRequest) (*access.Grant, error) {
	if err := req.Validate(); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	window, notices, err := req.Window.Prepare(m.clock(), time.Second)
	if err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	kind := cmp.Or(req.Credential, access.CredentialLink)
	g := &access.Grant{Key: req.Key, Vendor: MemoryVendor, Holder: req.Holder, Window: window, Label: req.Label, Notices: notices}
	for i, id := range req.DoorIDs {
		d, ok := m.door(id)
		if !ok {
			return nil, fmt.Errorf("memory: door %q: %w", id, access.ErrNotFound)
		}
		if !d.Capabilities.Issues(kind) {
			return nil, fmt.Errorf("memory: door %q issues no %s credentials: %w", id, kind, access.ErrUnsupported)
		}
		if kind == access.CredentialPIN && req.PIN != "" && d.Capabilities.PIN != nil {
			if err := d.Capabilities.PIN.Check(req.PIN); err != nil {
				return nil, err
			}
		}
		state := access.GrantPending
		if kind == access.CredentialPIN {
			state = access.GrantActive
		}
		g.Doors = append(g.Doors, access.DoorAccess{DoorID: id, State: state,
			Credential: access.Credential{Kind: kind, PIN: req.PIN}, VendorID: "p" + strconv.Itoa(i)})
	}
	if m.failNext > 0 {
		m.failNext--
		return nil, fmt.Errorf("memory: create cut short: %w", access.ErrOutcomeUnknown)
	}
	m.next++
	g.ID = "g" + strconv.Itoa(m.next)
	g.Native = g.ID
	m.grants[g.ID] = g
	m.creates++
	if m.loseNext > 0 {
		m.loseNext--
		return nil, fmt.Errorf("memory: answer lost: %w", access.ErrOutcomeUnknown)
	}
	return clone(g), nil
}

// RevokeGrant deletes a grant.
func (m *Memory) RevokeGrant(ctx context.Context, grantID string) error {
	if grantID == "" {
		return access.Invalid("grantID", "is required")
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.grants[grantID]; !ok {
		return fmt.Errorf("memory: grant %q: %w", grantID, access.ErrNotFound)
	}
	delete(m.grants, grantID)
	return nil
}

// GetGrant returns a grant.
func (m *Memory) GetGrant(ctx context.Context, grantID string) (*access.Grant, error) {
	if grantID == "" {
		return nil, access.Invalid("grantID", "is required")
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	g, ok := m.grants[grantID]
	if !ok {
		return nil, fmt.Errorf("memory: grant %q: %w", grantID, access.ErrNotFound)
	}
	return clone(g), nil
}

// KeyLookupAuthoritative reports true: Memory is the vendor itself, and
// its listing holds every grant from the moment it is made, with the key it
// was made with (see access.KeyAuthority).
func (m *Memory) KeyLookupAuthoritative() bool { return true }

// ListGrants lists the live grants matching filter, in creation order.
func (m *Memory) ListGrants(ctx context.Context, filter access.GrantFilter) iter.Seq2[*access.Grant, error] {
	return func(yield func(*access.Grant, error) bool) {
		if err := ctx.Err(); err != nil {
			yield(nil, err)
			return
		}
		m.mu.Lock()
		var out []*access.Grant
		for _, g := range m.grants {
			if filter.Match(g) {
				out = append(out, clone(g))
			}
		}
		failList := m.failList
		m.mu.Unlock()
		slices.SortFunc(out, func(a, b *access.Grant) int { // creation order: g2 before g10
			return cmp.Or(cmp.Compare(len(a.ID), len(b.ID)), cmp.Compare(a.ID, b.ID))
		})
		for i, g := range out {
			if failList && i == 1 {
				yield(nil, fmt.Errorf("memory: listing cut short after grant %s: %w", out[0].ID, access.ErrUnavailable))
				return
			}
			if !yield(g, nil) {
				return
			}
		}
	}
}

// UpdateGrantWindow changes a grant's window.
func (m *Memory) UpdateGrantWindow(ctx context.Context, grantID string, window access.Window) (*access.Grant, error) {
	if grantID == "" {
		return nil, access.Invalid("grantID", "is required")
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	w, notices, err := window.Prepare(m.clock(), time.Second)
	if err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	g, ok := m.grants[grantID]
	if !ok {
		return nil, fmt.Errorf("memory: grant %q: %w", grantID, access.ErrNotFound)
	}
	g.Window, g.Notices = w, notices
	return clone(g), nil
}

func clone(g *access.Grant) *access.Grant {
	c := *g
	c.Doors = slices.Clone(g.Doors)
	c.Notices = slices.Clone(g.Notices)
	return &c
}
