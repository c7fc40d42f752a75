package august

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"iter"
	"math/big"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/doorkit/doorkit/access"
)

// *Client implements the access interfaces: doors are the caller's locks,
// a grant is a temporary PIN loaded for the holder on each door.
var (
	_ access.DoorLister   = (*Client)(nil)
	_ access.DoorOpener   = (*Client)(nil)
	_ access.Granter      = (*Client)(nil)
	_ access.GrantGetter  = (*Client)(nil)
	_ access.GrantLister  = (*Client)(nil)
	_ access.GrantUpdater = (*Client)(nil)
)

// Vendor is the name August doors and grants carry in access.Door.Vendor.
const Vendor = "august"

// ConfirmTimeout bounds how long the access layer waits for August to
// confirm a PIN command or an asynchronous unlock by webhook, unless the
// caller's context ends sooner.
const ConfirmTimeout = 2 * time.Minute

// parallelCalls bounds the concurrent per-lock calls of the access layer.
const parallelCalls = 8

// ListDoors returns the caller's locks (GET /users/locks/mine), each with
// its lock info (GET /locks/:lockID) and, for locks with entry codes, the
// keypad's PIN lengths (GET /devices/capabilities). Site is the house id;
// TimeZone the lock's timeZone; Native the *Lock.
//
// Capabilities: RemoteOpen when the lock has an operative bridge; PIN
// grants (CredentialPIN, window changes, listing) when it supports entry
// codes, has a bridge and is not a type-1 lock (which takes "always" PINs
// only, so no time-bounded grant).
func (c *Client) ListDoors(ctx context.Context) ([]access.Door, error) {
	locks, _, err := c.Locks.List(ctx)
	if err != nil {
		return nil, err
	}
	doors := make([]access.Door, len(locks))
	errs := make([]error, len(locks))
	parallel(len(locks), func(i int) {
		l, err := c.lockInfo(ctx, locks[i].LockID)
		if err != nil {
			errs[i] = fmt.Errorf("august: lock %s: %w", locks[i].LockID, err)
			return
		}
		doors[i] = c.door(ctx, locks[i], l)
	})
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return doors, nil
}

func (c *Client) door(ctx context.Context, s LockSummary, l *Lock) access.Door {
	name := l.LockName
	if name == "" {
		name = s.LockName
	}
	d := access.Door{ID: s.LockID, Name: name, Site: l.HouseID, Vendor: Vendor, TimeZone: l.TimeZone, Native: l}
	if d.Site == "" {
		d.Site = s.HouseID
	}
	if _, err := time.LoadLocation(d.TimeZone); err != nil {
		d.TimeZone = ""
	}
	switch {
	case l.HasBridge() && l.BridgeOnline():
		d.Connectivity = access.Online
	case l.HasBridge():
		d.Connectivity = access.Offline
	}
	d.Capabilities.RemoteOpen = l.HasBridge()
	if takesGrants(l) {
		rules := c.pinRules(ctx, l)
		d.Capabilities.Credentials = []access.CredentialKind{access.CredentialPIN}
		d.Capabilities.PIN = &access.PINRules{MinLength: rules.MinLength, MaxLength: rules.MaxLength}
		d.Capabilities.WindowChange = true
		d.Capabilities.GrantListing = true
	}
	return d
}

func takesGrants(l *Lock) bool { return l.SupportsEntryCodes && l.HasBridge() && l.Type != 1 }

// lockInfo gets lock info for a door id.
func (c *Client) lockInfo(ctx context.Context, doorID string) (*Lock, error) {
	if doorID == "" {
		return nil, access.Invalid("doorID", "is required")
	}
	if !ValidLockID(doorID) {
		return nil, fmt.Errorf("august: %q is not an August lock id: %w", doorID, access.ErrNotFound)
	}
	l, _, err := c.Locks.Get(ctx, doorID)
	return l, err
}

// pinRules returns the lock's PIN rules: the keypad's lengths from device
// capabilities (cached per lock), else DefaultPINMinLength..6.
func (c *Client) pinRules(ctx context.Context, l *Lock) PINRules {
	if r, ok := c.grants.rules.Load(l.LockID); ok {
		return r.(PINRules)
	}
	rules := PINRules{LockType: l.Type, MinLength: DefaultPINMinLength, MaxLength: 6}
	if l.SerialNumber != "" {
		caps, _, err := c.Devices.GetCapabilities(ctx, &CapabilitiesOptions{SerialNumber: l.SerialNumber})
		if err == nil && caps.Keypad != nil && caps.Keypad.PINLengthMin > 0 && caps.Keypad.PINLengthMax >= caps.Keypad.PINLengthMin {
			rules.MinLength, rules.MaxLength = caps.Keypad.PINLengthMin, caps.Keypad.PINLengthMax
			c.grants.rules.Store(l.LockID, rules)
		}
	}
	return rules
}

// Grants are temporary PINs. The grant key, the holder's email and a
// random grant id are kept in the PIN's partnerUserID, which August turns
// into a partner sub-user: the PIN listing shows the sub-user's userID, and
// GET /partners/sub-user shows its partnerUserID back, so grants are found
// by joining the two (the PIN listing itself does not show partnerUserID).
// The holder's name goes to firstName and lastName.
const partnerPrefix = "doorkit1."

var b64 = base64.RawURLEncoding

func encodePartnerUserID(id, key, email string) string {
	return partnerPrefix + id + "." + b64.EncodeToString([]byte(key)) + "." + b64.EncodeToString([]byte(email))
}

// grantRef is a grant's sub-user.
type grantRef struct {
	id, key, email string
	partnerUserID  string
	userID         string
}

func decodePartnerUserID(p string) (grantRef, bool) {
	rest, ok := strings.CutPrefix(p, partnerPrefix)
	if !ok {
		return grantRef{}, false
	}
	parts := strings.Split(rest, ".")
	if len(parts) != 3 || !validGrantID(parts[0]) {
		return grantRef{}, false
	}
	key, err1 := b64.DecodeString(parts[1])
	email, err2 := b64.DecodeString(parts[2])
	if err1 != nil || err2 != nil {
		return grantRef{}, false
	}
	return grantRef{id: parts[0], key: string(key), email: string(email), partnerUserID: p}, true
}

func validGrantID(id string) bool {
	if len(id) != 16 {
		return false
	}
	_, err := hex.DecodeString(id)
	return err == nil
}

func newGrantID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// grantState is what the access layer learns from webhooks and caches.
type grantState struct {
	rules sync.Map // lockID -> PINRules

	mu       sync.Mutex
	failures map[string]map[string]string // partnerUserID -> lockID -> reason of a failed load
	order    []string
}

const maxRememberedFailures = 4096

func newGrantState() *grantState { return &grantState{failures: map[string]map[string]string{}} }

// observe records failed loads of doorkit grants.
func (g *grantState) observe(ev *Event) {
	if ev.Kind() != EventPINCommand || ev.Action != string(PINActionLoad) || !strings.HasPrefix(ev.PartnerUserID, partnerPrefix) {
		return
	}
	failed, reason := ev.Failed()
	g.mu.Lock()
	defer g.mu.Unlock()
	m := g.failures[ev.PartnerUserID]
	if !failed {
		if m != nil {
			delete(m, ev.Lock())
		}
		return
	}
	if m == nil {
		if len(g.order) >= maxRememberedFailures {
			delete(g.failures, g.order[0])
			g.order = g.order[1:]
		}
		m = map[string]string{}
		g.failures[ev.PartnerUserID] = m
		g.order = append(g.order, ev.PartnerUserID)
	}
	m[ev.Lock()] = reason
}

// forget drops the failed loads remembered for a grant being revoked, so
// that it is not listed (as failed) after its PINs are gone; it returns how
// many there were.
func (g *grantState) forget(partnerUserID string) int {
	g.mu.Lock()
	defer g.mu.Unlock()
	n := len(g.failures[partnerUserID])
	if _, ok := g.failures[partnerUserID]; ok {
		delete(g.failures, partnerUserID)
		g.order = slices.DeleteFunc(g.order, func(p string) bool { return p == partnerUserID })
	}
	return n
}

func (g *grantState) failed(partnerUserID string) map[string]string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return copyMap(g.failures[partnerUserID])
}

func copyMap(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// CreateGrant loads a temporary PIN for the holder on each door: POST
// /locks/:lockID/pins with one load command per door, the holder's name,
// the window in whole seconds (UTC) and partnerUserID carrying the grant
// id, key and email. Each door is pending until August's webhook confirms
// the load (GetGrant then says active, or failed with the reason). The PIN
// is req.PIN, or a random one of a length every door takes. The label has
// nowhere to go (NoticeLabelDropped). WithWebhook is required: August sends
// PIN results only to a webhook.
//
// If a door refuses the load, the PINs already loaded are deleted and the
// error returned. A load whose answer is lost returns an error matching
// access.ErrOutcomeUnknown and is not resent; EnsureGrant finds what it
// made by key.
func (c *Client) CreateGrant(ctx context.Context, req access.GrantRequest) (*access.Grant, error) {
	if err := req.Validate(); err != nil {
		return nil, err
	}
	if req.Credential != access.CredentialAny && req.Credential != access.CredentialPIN {
		return nil, fmt.Errorf("august: grants are PINs, not %q: %w", req.Credential, access.ErrUnsupported)
	}
	if c.webhookURL == "" {
		return nil, fmt.Errorf("august: grants need WithWebhook: August reports PIN results only to a webhook: %w", access.ErrUnsupported)
	}
	window, notices, err := req.Window.Prepare(time.Now(), time.Second)
	if err != nil {
		return nil, err
	}
	doorIDs := slices.Compact(slices.Sorted(slices.Values(req.DoorIDs)))
	rules := make([]PINRules, len(doorIDs))
	for i, id := range doorIDs {
		l, err := c.lockInfo(ctx, id)
		if err != nil {
			return nil, err
		}
		if !takesGrants(l) {
			return nil, fmt.Errorf("august: lock %s takes no temporary PINs (entry codes %v, bridge %v, type %d): %w",
				id, l.SupportsEntryCodes, l.HasBridge(), l.Type, access.ErrUnsupported)
		}
		rules[i] = c.pinRules(ctx, l)
	}
	pin := req.PIN
	if pin == "" {
		if pin, err = randomPIN(rules); err != nil {
			return nil, err
		}
	}
	for i := range rules {
		if err := CheckPIN(pin.Reveal(), &rules[i]); err != nil {
			return nil, fmt.Errorf("august: lock %s: %w", doorIDs[i], err)
		}
	}
	if req.Label != "" {
		notices = append(notices, access.Notice{Code: access.NoticeLabelDropped, Field: "Label",
			Message: "August PINs have no label field; the label was not stored"})
	}
	id := newGrantID()
	ref := grantRef{id: id, key: req.Key, email: req.Holder.Email}
	ref.partnerUserID = encodePartnerUserID(id, req.Key, req.Holder.Email)
	first, last := holderNames(req.Holder)
	cmd := PINCommand{Action: PINActionLoad, PIN: pin, AccessType: AccessTemporary,
		AccessTimes: &AccessTimes{Start: window.Start, End: window.End},
		FirstName:   first, LastName: last, PartnerUserID: ref.partnerUserID}
	grant := &access.Grant{ID: id, Key: req.Key, Vendor: Vendor, Holder: req.Holder, Window: window, Notices: notices,
		Native: &GrantNative{PartnerUserID: ref.partnerUserID}}
	for i, lockID := range doorIDs {
		_, _, err := c.PINs.Send(ctx, lockID, PINCommandsRequest{Commands: []PINCommand{cmd}, Webhook: c.webhookURL, Rules: &rules[i]})
		if err != nil {
			if !errors.Is(err, access.ErrOutcomeUnknown) && i > 0 {
				rollback := context.WithoutCancel(ctx)
				if rerr := c.RevokeGrant(rollback, id); rerr != nil && !errors.Is(rerr, access.ErrNotFound) {
					err = errors.Join(err, fmt.Errorf("august: rolling back grant %s: %w", id, rerr))
				}
			}
			return nil, fmt.Errorf("august: loading the PIN on lock %s: %w", lockID, err)
		}
		grant.Doors = append(grant.Doors, access.DoorAccess{DoorID: lockID, State: access.GrantPending,
			Credential: pinCredential(pin)})
	}
	return grant, nil
}

// GrantNative is the Native value of an August grant.
type GrantNative struct {
	PartnerUserID string
	UserID        string         // the partner sub-user's id, once listed
	PINs          map[string]PIN // by lock id, once listed
}

func pinCredential(pin access.Secret) access.Credential {
	return access.Credential{Kind: access.CredentialPIN, PIN: pin, Delivery: "PIN loaded on the lock's keypad by August"}
}

// holderNames splits the holder's name into August's required first and
// last names.
func holderNames(p access.Person) (string, string) {
	name := strings.Join(strings.Fields(p.Name), " ")
	if name == "" {
		name, _, _ = strings.Cut(p.Email, "@")
	}
	first, last, _ := strings.Cut(name, " ")
	if first == "" {
		first = "Guest"
	}
	if last == "" {
		last = "Guest"
	}
	return first, last
}

// randomPIN returns a random PIN every rule allows: 6 digits where
// possible.
func randomPIN(rules []PINRules) (access.Secret, error) {
	lo, hi := 0, 1<<30
	for _, r := range rules {
		l, h := (&r).lengths()
		lo, hi = max(lo, l), min(hi, h)
	}
	if lo > hi {
		return "", fmt.Errorf("august: the doors take no common PIN length: %w", access.ErrInvalid)
	}
	n := min(max(6, lo), hi)
	digits := make([]byte, n)
	for i := range digits {
		d, err := rand.Int(rand.Reader, big.NewInt(10))
		if err != nil {
			return "", err
		}
		digits[i] = byte('0' + d.Int64())
	}
	return access.Secret(digits), nil
}

// refs lists the doorkit grants' sub-users that match.
func (c *Client) refs(ctx context.Context, match func(grantRef) bool) ([]grantRef, error) {
	var out []grantRef
	for u, err := range c.Partners.AllSubUsers(ctx, MaxSubUserPageSize) {
		if err != nil {
			return nil, err
		}
		ref, ok := decodePartnerUserID(u.PartnerUserID)
		if !ok || !match(ref) {
			continue
		}
		ref.userID = u.UserID
		out = append(out, ref)
	}
	return out, nil
}

// pinsOn lists the PINs of each lock; locks without PIN management (412)
// are skipped.
func (c *Client) pinsOn(ctx context.Context, lockIDs []string) (map[string][]StatePIN, error) {
	lists := make([]*PINList, len(lockIDs))
	errs := make([]error, len(lockIDs))
	parallel(len(lockIDs), func(i int) {
		l, _, err := c.PINs.List(ctx, lockIDs[i])
		var aerr *Error
		if errors.As(err, &aerr) && (aerr.Kind == KindPrecondition || aerr.StatusCode == 404) {
			return
		}
		if err != nil {
			errs[i] = fmt.Errorf("august: PINs of lock %s: %w", lockIDs[i], err)
			return
		}
		lists[i] = l
	})
	out := map[string][]StatePIN{}
	for i, l := range lists {
		if l != nil {
			out[lockIDs[i]] = l.All()
		}
	}
	return out, errors.Join(errs...)
}

func (c *Client) allLockIDs(ctx context.Context) ([]string, error) {
	locks, _, err := c.Locks.List(ctx)
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(locks))
	for i, l := range locks {
		ids[i] = l.LockID
	}
	return ids, nil
}

// buildGrant assembles a grant from its sub-user and the PINs found for
// it; nil when nothing of it is left.
func (c *Client) buildGrant(ref grantRef, pins map[string][]StatePIN, now time.Time) *access.Grant {
	native := &GrantNative{PartnerUserID: ref.partnerUserID, UserID: ref.userID, PINs: map[string]PIN{}}
	g := &access.Grant{ID: ref.id, Key: ref.key, Vendor: Vendor, Holder: access.Person{Email: ref.email}, Native: native}
	live := false
	lockIDs := slices.Sorted(func(yield func(string) bool) {
		for id := range pins {
			if !yield(id) {
				return
			}
		}
	})
	for _, lockID := range lockIDs {
		for _, p := range pins[lockID] {
			if p.UserID != ref.userID || ref.userID == "" {
				continue
			}
			native.PINs[lockID] = p.PIN
			st := pinGrantState(p.ListState)
			if st == access.GrantActive && !p.AccessEndTime.IsZero() && !now.Before(p.AccessEndTime.Time) {
				st = access.GrantExpired
			}
			if st != access.GrantRevoked {
				live = true
			}
			g.Doors = append(g.Doors, access.DoorAccess{DoorID: lockID, State: st, Credential: pinCredential(p.PIN.PIN), VendorID: p.ID})
			if g.Window.Start.IsZero() && !p.AccessStartTime.IsZero() {
				g.Window = access.Window{Start: p.AccessStartTime.UTC(), End: p.AccessEndTime.UTC()}
			}
			if g.Holder.Name == "" {
				g.Holder.Name = strings.TrimSpace(p.FirstName + " " + p.LastName)
			}
			break
		}
	}
	for lockID, reason := range c.grants.failed(ref.partnerUserID) {
		if _, found := native.PINs[lockID]; found {
			continue
		}
		live = true
		g.Doors = append(g.Doors, access.DoorAccess{DoorID: lockID, State: access.GrantFailed, Reason: reason,
			Credential: access.Credential{Kind: access.CredentialPIN}})
	}
	if !live {
		return nil
	}
	return g
}

func pinGrantState(s PINState) access.GrantState {
	switch s {
	case PINLoaded:
		return access.GrantActive
	case PINCreated, PINUpdating, PINEnabling:
		return access.GrantPending
	}
	return access.GrantRevoked // disabled, disabling, deleting
}

// GetGrant returns a grant by id: its sub-user (GET /partners/sub-user) and
// its PIN on each of the caller's locks (GET /locks/:lockID/pins). A grant
// with nothing left is access.ErrNotFound.
func (c *Client) GetGrant(ctx context.Context, grantID string) (*access.Grant, error) {
	ref, pins, err := c.findGrant(ctx, grantID)
	if err != nil {
		return nil, err
	}
	if g := c.buildGrant(ref, pins, time.Now()); g != nil {
		return g, nil
	}
	return nil, fmt.Errorf("august: grant %s: %w", grantID, access.ErrNotFound)
}

func (c *Client) findGrant(ctx context.Context, grantID string) (grantRef, map[string][]StatePIN, error) {
	if grantID == "" {
		return grantRef{}, nil, access.Invalid("grantID", "is required")
	}
	if !validGrantID(grantID) {
		return grantRef{}, nil, fmt.Errorf("august: %q is not an August grant id: %w", grantID, access.ErrNotFound)
	}
	refs, err := c.refs(ctx, func(r grantRef) bool { return r.id == grantID })
	if err != nil {
		return grantRef{}, nil, err
	}
	if len(refs) == 0 {
		return grantRef{}, nil, fmt.Errorf("august: grant %s: %w", grantID, access.ErrNotFound)
	}
	lockIDs, err := c.allLockIDs(ctx)
	if err != nil {
		return grantRef{}, nil, err
	}
	pins, err := c.pinsOn(ctx, lockIDs)
	if err != nil {
		return grantRef{}, nil, err
	}
	return refs[0], pins, nil
}

// ListGrants lists the grants this package made on the caller's locks,
// filtered by key, door, holder email and active-at. It lists the partner
// sub-users, then the PINs of the caller's locks (all of them with a
// DoorID too, so that each grant listed has all its doors).
// Revoked grants are not listed.
func (c *Client) ListGrants(ctx context.Context, filter access.GrantFilter) iter.Seq2[*access.Grant, error] {
	return func(yield func(*access.Grant, error) bool) {
		refs, err := c.refs(ctx, func(r grantRef) bool {
			return (filter.Key == "" || r.key == filter.Key) &&
				(filter.HolderEmail == "" || strings.EqualFold(r.email, filter.HolderEmail))
		})
		if err != nil {
			yield(nil, err)
			return
		}
		if len(refs) == 0 {
			return
		}
		if filter.DoorID != "" && !ValidLockID(filter.DoorID) {
			return
		}
		// Every lock, even with filter.DoorID: a grant listed is the whole
		// grant, its other doors included; filter.Match keeps the door's.
		lockIDs, err := c.allLockIDs(ctx)
		if err != nil {
			yield(nil, err)
			return
		}
		pins, err := c.pinsOn(ctx, lockIDs)
		if err != nil {
			yield(nil, err)
			return
		}
		now := time.Now()
		for _, ref := range refs {
			g := c.buildGrant(ref, pins, now)
			if g == nil || g.State() == access.GrantRevoked || !filter.Match(g) {
				continue
			}
			if !yield(g, nil) {
				return
			}
		}
	}
}

// RevokeGrant deletes the grant's PIN on each door (POST
// /locks/:lockID/pins, action delete). A PIN still being loaded is first
// waited for (with a webhook handler; without one the revoke is
// access.ErrConflict until August has loaded it). With a handler, it
// returns when August confirms each delete. It forgets the grant's failed
// loads, so the grant is not listed after. A grant with no PIN and no
// failed load left is access.ErrNotFound.
func (c *Client) RevokeGrant(ctx context.Context, grantID string) error {
	ref, pins, err := c.findGrant(ctx, grantID)
	if err != nil {
		return err
	}
	found := false
	var errs []error
	for lockID, list := range pins {
		p, ok := pinOf(list, ref.userID)
		if !ok || p.ListState == PINDeleting {
			continue
		}
		found = true
		if p, err = c.settle(ctx, lockID, ref, p); err != nil {
			errs = append(errs, err)
			continue
		}
		if p.ListState == "" || p.ListState == PINDeleting {
			continue
		}
		if err := c.pinCommand(ctx, lockID, ref, PINCommand{Action: PINActionDelete, PIN: p.PIN.PIN}); err != nil {
			errs = append(errs, fmt.Errorf("august: deleting the PIN on lock %s: %w", lockID, err))
		}
	}
	// Doors whose load failed hold no PIN: the grant lists them from the
	// webhook failures remembered, which go with the revoke.
	failed := c.grants.forget(ref.partnerUserID)
	if !found && failed == 0 && len(errs) == 0 {
		return fmt.Errorf("august: grant %s: %w", grantID, access.ErrNotFound)
	}
	return errors.Join(errs...)
}

// UpdateGrantWindow moves the grant's window with an update command on each
// door (POST /locks/:lockID/pins, action update, accessType temporary). A
// PIN still being loaded is first waited for, and with a webhook handler
// the call returns when August confirms each update.
func (c *Client) UpdateGrantWindow(ctx context.Context, grantID string, window access.Window) (*access.Grant, error) {
	prepared, notices, err := window.Prepare(time.Now(), time.Second)
	if err != nil {
		return nil, err
	}
	ref, pins, err := c.findGrant(ctx, grantID)
	if err != nil {
		return nil, err
	}
	found := false
	for lockID, list := range pins {
		p, ok := pinOf(list, ref.userID)
		if !ok || pinGrantState(p.ListState) == access.GrantRevoked {
			continue
		}
		found = true
		if p, err = c.settle(ctx, lockID, ref, p); err != nil {
			return nil, err
		}
		if pinGrantState(p.ListState) == access.GrantRevoked {
			continue // gone, or being deleted, meanwhile
		}
		cmd := PINCommand{Action: PINActionUpdate, PIN: p.PIN.PIN, AccessType: AccessTemporary,
			AccessTimes: &AccessTimes{Start: prepared.Start, End: prepared.End},
			FirstName:   p.FirstName, LastName: p.LastName, PartnerUserID: ref.partnerUserID}
		if err := c.pinCommand(ctx, lockID, ref, cmd); err != nil {
			return nil, fmt.Errorf("august: updating the PIN on lock %s: %w", lockID, err)
		}
	}
	if !found {
		return nil, fmt.Errorf("august: grant %s: %w", grantID, access.ErrNotFound)
	}
	g, err := c.GetGrant(ctx, grantID)
	if err != nil {
		return nil, err
	}
	if c.events == nil {
		g.Window = prepared // the listing shows it once August has applied it
	}
	g.Notices = append(g.Notices, notices...)
	return g, nil
}

func pinOf(list []StatePIN, userID string) (StatePIN, bool) {
	for _, p := range list {
		if userID != "" && p.UserID == userID {
			return p, true
		}
	}
	return StatePIN{}, false
}

var pendingAction = map[PINState]PINAction{
	PINCreated: PINActionLoad, PINUpdating: PINActionUpdate, PINEnabling: PINActionEnable,
	PINDisabling: PINActionDisable, PINDeleting: PINActionDelete,
}

// settle waits until p has no command pending and returns it as listed
// then (ListState "" when it is gone).
func (c *Client) settle(ctx context.Context, lockID string, ref grantRef, p StatePIN) (StatePIN, error) {
	action, pending := pendingAction[p.ListState]
	if !pending {
		return p, nil
	}
	if c.events == nil {
		return p, fmt.Errorf("august: the PIN on lock %s is still %s: %w", lockID, p.ListState, access.ErrConflict)
	}
	w := c.events.Expect(PINKey(lockID, action, ref.partnerUserID))
	defer w.Cancel()
	// The result may have arrived before Expect: look again first.
	if now, err := c.pinNow(ctx, lockID, ref); err != nil || pendingAction[now.ListState] == "" {
		return now, err
	}
	wctx, cancel := context.WithTimeout(ctx, ConfirmTimeout)
	defer cancel()
	if _, err := w.Wait(wctx); err != nil && !errors.Is(err, ErrCommandFailed) {
		return p, fmt.Errorf("august: waiting for the PIN on lock %s: %w", lockID, err)
	}
	return c.pinNow(ctx, lockID, ref)
}

func (c *Client) pinNow(ctx context.Context, lockID string, ref grantRef) (StatePIN, error) {
	l, _, err := c.PINs.List(ctx, lockID)
	if err != nil {
		return StatePIN{}, err
	}
	p, _ := pinOf(l.All(), ref.userID)
	return p, nil
}

// pinCommand sends one PIN command and, with a webhook handler, waits for
// August to confirm it.
func (c *Client) pinCommand(ctx context.Context, lockID string, ref grantRef, cmd PINCommand) error {
	var w *Pending
	if c.events != nil {
		w = c.events.Expect(PINKey(lockID, cmd.Action, ref.partnerUserID))
		defer w.Cancel()
	}
	rules, _ := c.grants.rules.Load(lockID)
	var r *PINRules
	if rr, ok := rules.(PINRules); ok {
		r = &rr
	}
	if _, _, err := c.PINs.Send(ctx, lockID, PINCommandsRequest{Commands: []PINCommand{cmd}, Webhook: c.webhookURL, Rules: r}); err != nil {
		return err
	}
	if w == nil {
		return nil
	}
	wctx, cancel := context.WithTimeout(ctx, ConfirmTimeout)
	defer cancel()
	if _, err := w.Wait(wctx); err != nil {
		if errors.Is(err, ErrCommandFailed) {
			return fmt.Errorf("%w: %w", access.ErrDenied, err)
		}
		return fmt.Errorf("august: %s accepted, no result seen: %w: %w", cmd.Action, access.ErrOutcomeUnknown, err)
	}
	return nil
}

// parallel runs f(0..n-1) with at most parallelCalls at a time.
func parallel(n int, f func(i int)) {
	sem := make(chan struct{}, parallelCalls)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			f(i)
		}()
	}
	wg.Wait()
}
