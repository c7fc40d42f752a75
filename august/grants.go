package august

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"iter"
	"maps"
	"math/big"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/internal/clientopt"
	"github.com/doorkit/doorkit/internal/rest"
)

// A grant is a temporary PIN on each of its doors for a partner sub-user of
// its own, found again on documented calls only: the sub-user listing by
// partnerUserID, the PIN listings by userID. The package documentation
// (section access) says what each operation takes as evidence.
const partnerPrefix = "doorkit1."

// NoticeUnknownPINState says August lists a grant's PIN under a state this
// package does not know; the door is shown as pending with the state named.
const NoticeUnknownPINState access.NoticeCode = "august_unknown_pin_state"

// DefaultRollbackGrace is how long, by default, CreateGrant's rollback may
// run on after the caller's context has ended (WithRollbackGrace). It is the
// same in every doorkit package.
const DefaultRollbackGrace = clientopt.DefaultRollbackGrace

var b64 = base64.RawURLEncoding

// encodePartnerUserID is partnerPrefix, then the grant id, the key, the
// holder's email and the doors (each lock id's 16 bytes), the last three in
// unpadded base64url, joined by dots.
func encodePartnerUserID(id, key, email string, doors []string) string {
	var raw []byte
	for _, d := range doors {
		b, _ := hex.DecodeString(d) // lock ids are checked before
		raw = append(raw, b...)
	}
	return partnerPrefix + id + "." + b64.EncodeToString([]byte(key)) + "." + b64.EncodeToString([]byte(email)) +
		"." + b64.EncodeToString(raw)
}

// grantRef is a grant's sub-user: what its partnerUserID carries and its
// userID.
type grantRef struct {
	id, key, email string
	// doors are the grant's locks; nil for a grant made before doors were
	// kept, whose PINs may be on any of the caller's locks.
	doors         []string
	partnerUserID string
	userID        string
}

func decodePartnerUserID(p string) (grantRef, bool) {
	rest, ok := strings.CutPrefix(p, partnerPrefix)
	if !ok {
		return grantRef{}, false
	}
	parts := strings.Split(rest, ".")
	if (len(parts) != 3 && len(parts) != 4) || !validGrantID(parts[0]) {
		return grantRef{}, false
	}
	key, err1 := b64.DecodeString(parts[1])
	email, err2 := b64.DecodeString(parts[2])
	if err1 != nil || err2 != nil {
		return grantRef{}, false
	}
	ref := grantRef{id: parts[0], key: string(key), email: string(email), partnerUserID: p}
	if len(parts) == 4 {
		raw, err := b64.DecodeString(parts[3])
		if err != nil || len(raw) == 0 || len(raw)%16 != 0 {
			return grantRef{}, false
		}
		for b := range slices.Chunk(raw, 16) {
			ref.doors = append(ref.doors, strings.ToUpper(hex.EncodeToString(b)))
		}
	}
	return ref, true
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

// grantState is what the access layer caches.
type grantState struct {
	rules      sync.Map // lockID -> PINRules
	rulesTurns sync.Map // lockID -> chan struct{}: one capabilities fetch per lock at a time
}

// rulesTurn returns the lock's turn to fetch its PIN rules, a channel of
// one slot: concurrent first creates on a lock wait for one fetch rather
// than each asking August.
func (g *grantState) rulesTurn(lockID string) chan struct{} {
	if t, ok := g.rulesTurns.Load(lockID); ok {
		return t.(chan struct{})
	}
	t, _ := g.rulesTurns.LoadOrStore(lockID, make(chan struct{}, 1))
	return t.(chan struct{})
}

func newGrantState() *grantState { return &grantState{} }

// revokedName marks a grant revoked in the webhook result store: its failed
// loads are no longer shown.
func revokedName(partnerUserID string) string { return "august:revoked:" + partnerUserID }

// loadFailures fills v.failed with the doors, among those the listing shows
// no PIN on, whose last load result (in the webhook handler's result store,
// so received by any replica sharing it) says the load failed. Results are
// kept PINResultTTL. Without a handler there are none to read.
func (c *Client) loadFailures(ctx context.Context, v *grantView) error {
	v.failed = nil
	if c.events == nil {
		return nil
	}
	store := c.events.results
	if _, err := store.GetResult(ctx, revokedName(v.ref.partnerUserID)); err == nil {
		return nil
	} else if !errors.Is(err, access.ErrNotFound) {
		return fmt.Errorf("august: reading webhook results: %w: %w", access.ErrUnavailable, err)
	}
	for _, lockID := range v.doors {
		if _, listed := v.pins[lockID]; listed {
			continue
		}
		rs, err := storedResults(ctx, store, PINKey(lockID, PINActionLoad, v.ref.partnerUserID))
		if err != nil {
			return fmt.Errorf("august: reading webhook results: %w: %w", access.ErrUnavailable, err)
		}
		if len(rs) == 0 {
			continue
		}
		if failed, reason := rs[len(rs)-1].Event.Failed(); failed {
			if v.failed == nil {
				v.failed = map[string]string{}
			}
			v.failed[lockID] = reason
		}
	}
	return nil
}

// forgetFailures marks a grant being revoked, so that its failed loads are
// not listed after its PINs are gone, on any replica sharing the store.
func (c *Client) forgetFailures(ctx context.Context, partnerUserID string) error {
	if c.events == nil {
		return nil
	}
	if _, err := c.events.results.PutResult(ctx, revokedName(partnerUserID), []byte{1}, PINResultTTL); err != nil {
		return fmt.Errorf("august: recording the revoke: %w: %w", access.ErrOutcomeUnknown, err)
	}
	return nil
}

// CreateGrant loads a temporary PIN for the holder on each door. It first
// makes the grant's partner sub-user (POST /partners/sub-user, with a
// partnerUserID carrying the grant id, key, email and doors, and the
// holder's name), then sends one load command per door, in lock id order
// (POST /locks/:lockID/pins: the PIN, accessType temporary, the window in
// whole seconds UTC, the holder's name and the partnerUserID). The PIN is
// req.PIN, or a random one of a length every door takes. The label has
// nowhere to go: it is dropped with a NoticeLabelDropped notice, and
// Grant.Label is empty here and on every read. WithWebhook is required: August sends
// PIN results only to a webhook.
//
// Success means August accepted every load: each door is pending until
// August's result (by webhook) says the lock loaded it; GetGrant then shows
// it active, or failed with the reason.
//
// If a door refuses the load, the PINs loaded on the doors before it are
// deleted again (the rollback) and the refusal is returned. The rollback
// runs on after ctx ends for at most the rollback grace (WithRollbackGrace,
// DefaultRollbackGrace), and never longer than the confirm timeout (WithConfirmTimeout): a door
// counts as cleaned when August confirms the delete by webhook (without a
// handler: the PIN listing read back shows it gone), answers that the PIN
// is not on the lock (404), or
// reports that the load itself failed. What it cannot finish in that time
// is returned as a *RollbackError, which matches access.ErrOutcomeUnknown
// and names the locks that may keep a live PIN; access.EnsureGrant finds
// that partial grant by key on the next trigger and makes it again. A load
// whose answer is lost returns an error matching access.ErrOutcomeUnknown
// and is not resent (nor rolled back): EnsureGrant finds what it made by
// key.
func (c *Client) CreateGrant(ctx context.Context, req access.GrantRequest) (*access.Grant, error) {
	if ctx == nil {
		return nil, rest.ErrNilContext
	}
	if err := req.Validate(); err != nil {
		return nil, err
	}
	for i, id := range req.DoorIDs {
		if !validLockID(id) {
			return nil, access.Invalid(fmt.Sprintf("DoorIDs[%d]", i), fmt.Sprintf("%q is not 32 upper-case hexadecimal characters", id))
		}
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
		if err := ValidatePIN(pin.Reveal(), &rules[i]); err != nil {
			return nil, fmt.Errorf("august: lock %s: %w", doorIDs[i], err)
		}
	}
	if req.Label != "" {
		notices = append(notices, access.Notice{Code: access.NoticeLabelDropped, Field: "Label",
			Message: "August PINs have no label field; the label was not stored"})
	}
	ref := grantRef{id: newGrantID(), key: req.Key, email: req.Holder.Email, doors: doorIDs}
	ref.partnerUserID = encodePartnerUserID(ref.id, ref.key, ref.email, doorIDs)
	first, last := holderNames(req.Holder)
	// The grant's user exists before any PIN does, so its PINs can be found
	// and deleted by it from the start: August assigns a PIN's userID only
	// once the asynchronous load has completed.
	sub, _, err := c.SubUsers.Create(ctx, SubUserRequest{PartnerUserID: ref.partnerUserID, FirstName: first, LastName: last})
	if err != nil {
		return nil, fmt.Errorf("august: making the grant's sub-user (no PIN was loaded): %w", err)
	}
	if sub.UserID == "" {
		return nil, fmt.Errorf("august: POST /partners/sub-user answered no userID (no PIN was loaded): %w", access.ErrOutcomeUnknown)
	}
	ref.userID = sub.UserID
	cmd := PINCommand{Action: PINActionLoad, PIN: pin, AccessType: AccessTemporary,
		AccessTimes: &AccessTimes{Start: window.Start, End: window.End},
		FirstName:   first, LastName: last, PartnerUserID: ref.partnerUserID}
	grant := &access.Grant{ID: ref.id, Key: req.Key, Vendor: Vendor, Holder: req.Holder, Window: window, Notices: notices,
		Native: &GrantNative{PartnerUserID: ref.partnerUserID, UserID: ref.userID}}
	var loaded []loadedDoor
	defer func() {
		for _, d := range loaded {
			if d.result != nil {
				d.result.Cancel()
			}
		}
	}()
	for i, lockID := range doorIDs {
		var result *Pending
		if c.events != nil {
			// Registered before the load, so a rollback can wait for it.
			result = c.events.ExpectFunc(PINKey(lockID, PINActionLoad, ref.partnerUserID), pinSettled)
		}
		_, _, err := c.PINs.Send(ctx, lockID, PINCommandsRequest{Commands: []PINCommand{cmd}, Webhook: c.webhookURL, Rules: &rules[i]})
		if err != nil {
			if result != nil {
				result.Cancel()
			}
			err = fmt.Errorf("august: loading the PIN on lock %s: %w", lockID, err)
			switch {
			case len(loaded) == 0:
				return nil, err
			case errors.Is(err, access.ErrOutcomeUnknown):
				return nil, fmt.Errorf("%w (grant %s's PIN is loaded on %s already)", err, ref.id, strings.Join(lockIDsOf(loaded), ", "))
			}
			return nil, c.rollback(ctx, ref, pin, loaded, err)
		}
		loaded = append(loaded, loadedDoor{lockID: lockID, result: result})
		grant.Doors = append(grant.Doors, access.DoorAccess{DoorID: lockID, State: access.GrantPending,
			Credential: pinCredential(pin)})
	}
	return grant, nil
}

// loadedDoor is a door whose load August accepted, with the wait for its
// result (nil without a webhook handler).
type loadedDoor struct {
	lockID string
	result *Pending
}

func lockIDsOf(doors []loadedDoor) []string {
	ids := make([]string, len(doors))
	for i, d := range doors {
		ids[i] = d.lockID
	}
	return ids
}

// RollbackError is CreateGrant's error when a door refused the PIN and the
// PINs already loaded on the doors before it could not all be deleted
// again within the caller's deadline plus the rollback grace. It matches
// access.ErrOutcomeUnknown (and so access.ErrUnavailable): the locks in
// LockIDs may hold a live PIN of the grant. access.EnsureGrant finds that
// partial grant by its key and makes it again; RevokeGrant(GrantID)
// removes it.
type RollbackError struct {
	GrantID string
	// LockIDs are the locks that may keep the grant's PIN.
	LockIDs []string
	// Cause is why the create failed: the refusal of a later door.
	Cause error
	// Err is why the rollback did not finish.
	Err error
}

func (e *RollbackError) Error() string {
	return fmt.Sprintf("%v; grant %s's PIN may still be live on lock %s: rolling back: %v: %v",
		e.Cause, e.GrantID, strings.Join(e.LockIDs, ", "), e.Err, access.ErrOutcomeUnknown)
}

// Is matches access.ErrOutcomeUnknown and access.ErrUnavailable, and
// nothing else: Cause's refusal (access.ErrConflict, say) or Err's would
// tell a caller that nothing was left. Read Cause and Err for the details.
func (e *RollbackError) Is(target error) bool {
	return target == access.ErrOutcomeUnknown || target == access.ErrUnavailable
}

// rollback deletes the PINs of a grant whose later door refused its load,
// and returns cause when it could, else a *RollbackError.
func (c *Client) rollback(ctx context.Context, ref grantRef, pin access.Secret, loaded []loadedDoor, cause error) error {
	rctx, stop := c.rollbackContext(ctx)
	defer stop()
	errs := make([]error, len(loaded))
	parallel(len(loaded), func(i int) { errs[i] = c.unload(rctx, ref, pin, loaded[i]) })
	rerr := &RollbackError{GrantID: ref.id, Cause: cause}
	var left []error
	for i, err := range errs {
		if err != nil {
			rerr.LockIDs = append(rerr.LockIDs, loaded[i].lockID)
			left = append(left, fmt.Errorf("lock %s: %w", loaded[i].lockID, err))
		}
	}
	if len(left) == 0 {
		return cause
	}
	rerr.Err = errors.Join(left...)
	return rerr
}

// rollbackContext keeps ctx's values but not its end: it ends c's
// rollback grace after ctx does, or after the confirm timeout.
func (c *Client) rollbackContext(ctx context.Context) (context.Context, context.CancelFunc) {
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.confirmWait)
	var mu sync.Mutex
	var grace *time.Timer
	stopped := false
	stopAfter := context.AfterFunc(ctx, func() {
		mu.Lock()
		defer mu.Unlock()
		if !stopped {
			grace = time.AfterFunc(c.rollbackGrace, cancel)
		}
	})
	return rctx, func() {
		stopAfter()
		mu.Lock()
		stopped = true
		if grace != nil {
			grace.Stop()
		}
		mu.Unlock()
		cancel()
	}
}

// unload deletes the grant's PIN on one door of a rollback. The grant's
// userID and PIN are known, so the delete goes out at once; if August
// refuses it because the load is still under way (409), it waits for the
// load's result and sends the delete once more.
func (c *Client) unload(ctx context.Context, ref grantRef, pin access.Secret, d loadedDoor) error {
	for attempt := 0; ; attempt++ {
		err := c.deletePIN(ctx, d.lockID, ref, pin)
		var aerr *Error
		isErr := errors.As(err, &aerr) && !errors.Is(err, access.ErrOutcomeUnknown)
		switch {
		case err == nil:
			return nil
		case isErr && aerr.StatusCode == 404:
			return nil // August: the PIN is not on the lock
		case isErr && aerr.StatusCode == 409 && attempt == 0 && d.result != nil:
			if _, werr := d.result.Wait(ctx); werr != nil {
				if errors.Is(werr, ErrCommandFailed) {
					return nil // the load failed: no PIN
				}
				return fmt.Errorf("the PIN's load was under way and its result did not arrive: %w", werr)
			}
		default:
			return err
		}
	}
}

// deletePIN deletes the grant's PIN on a lock and, with a webhook handler,
// waits for August to confirm it.
func (c *Client) deletePIN(ctx context.Context, lockID string, ref grantRef, pin access.Secret) error {
	return c.pinCommand(ctx, lockID, ref, PINCommand{Action: PINActionDelete, PIN: pin, UserID: ref.userID})
}

// GrantNative is the Native value of an August grant.
type GrantNative struct {
	PartnerUserID string
	UserID        string         // the grant's partner sub-user
	PINs          map[string]PIN // by lock id, once listed

	// listed is what the listings showed of a grant GetGrant or ListGrants
	// returned, for RevokeListedGrant and UpdateListedGrantWindow.
	listed *grantView
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

// refs lists the sub-users (every page of GET /partners/sub-user) and
// returns the doorkit grants among them that match. A listing that does not
// add up is an error: it cannot show that a grant is absent.
func (c *Client) refs(ctx context.Context, match func(grantRef) bool) ([]grantRef, error) {
	var out []grantRef
	for u, err := range c.SubUsers.All(ctx, MaxSubUserPageSize) {
		if err != nil {
			return nil, unknownf("august: listing the grants' sub-users: %w", err)
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

// unknownf is an error saying a lookup cannot tell where a grant's PINs
// are: it matches access.ErrOutcomeUnknown.
func unknownf(format string, args ...any) error {
	return &unknownError{err: fmt.Errorf(format, args...)}
}

type unknownError struct{ err error }

func (e *unknownError) Error() string { return e.err.Error() + ": " + access.ErrOutcomeUnknown.Error() }

// Unwrap keeps the cause's chain (an expired token stays
// access.ErrUnauthorized), except a cause that matches access.ErrNotFound:
// a 404 to a listing says the listing is missing, not that a grant is gone.
func (e *unknownError) Unwrap() []error {
	if errors.Is(e.err, access.ErrNotFound) {
		return []error{access.ErrOutcomeUnknown}
	}
	return []error{e.err, access.ErrOutcomeUnknown}
}

// pinListings is what the PIN listings of some locks showed.
type pinListings struct {
	locks map[string]lockPINs // by lock id
	errs  map[string]error    // why a lock's listing failed
}

// lockPINs is one lock's listing, indexed once so that finding each
// grant's PIN costs the same however many PINs the lock holds.
type lockPINs struct {
	byUser     map[string]StatePIN // the first PIN of each userID, in PINList.All order
	unassigned int                 // PINs without a userID
}

func indexPINs(l *PINList) lockPINs {
	all := l.All()
	out := lockPINs{byUser: make(map[string]StatePIN, len(all))}
	for _, p := range all {
		if p.UserID == "" {
			out.unassigned++
			continue
		}
		if _, seen := out.byUser[p.UserID]; !seen {
			out.byUser[p.UserID] = p
		}
	}
	return out
}

// listPINs lists the PINs of each lock at once (GET /locks/:lockID/pins),
// keeping each lock's failure. Every failure counts, 404 and 412 included:
// a lock whose PINs cannot be listed may hold a grant's PIN.
func (c *Client) listPINs(ctx context.Context, lockIDs []string) pinListings {
	lists := make([]*PINList, len(lockIDs))
	errs := make([]error, len(lockIDs))
	parallel(len(lockIDs), func(i int) {
		lists[i], _, errs[i] = c.PINs.List(ctx, lockIDs[i])
		if errs[i] == nil && lists[i] == nil {
			errs[i] = errors.New("an empty answer")
		}
	})
	out := pinListings{locks: map[string]lockPINs{}, errs: map[string]error{}}
	for i, id := range lockIDs {
		if errs[i] != nil {
			out.errs[id] = errs[i]
		} else {
			out.locks[id] = indexPINs(lists[i])
		}
	}
	return out
}

// lockIDsFor returns the locks the refs' PINs can be on: their doors, and
// for refs that do not name theirs, every lock of the caller.
func (c *Client) lockIDsFor(ctx context.Context, refs []grantRef) ([]string, error) {
	mine, err := c.locksIfNeeded(ctx, refs)
	if err != nil {
		return nil, err
	}
	return locksOf(refs, mine), nil
}

// locksIfNeeded lists the caller's locks (GET /users/locks/mine) when one
// of refs does not name its doors, whose PINs may then be on any of them.
func (c *Client) locksIfNeeded(ctx context.Context, refs []grantRef) ([]string, error) {
	if !slices.ContainsFunc(refs, func(r grantRef) bool { return r.doors == nil }) {
		return nil, nil
	}
	locks, _, err := c.Locks.List(ctx)
	if err != nil {
		return nil, unknownf("august: listing the locks a grant's PINs may be on: %w", err)
	}
	ids := make([]string, len(locks))
	for i, l := range locks {
		ids[i] = l.LockID
	}
	return ids, nil
}

// locksOf returns the refs' doors, with mine (every lock of the caller)
// when one of them names none.
func locksOf(refs []grantRef, mine []string) []string {
	set := map[string]bool{}
	all := false
	for _, r := range refs {
		if r.doors == nil {
			all = true
		}
		for _, d := range r.doors {
			set[d] = true
		}
	}
	if all {
		for _, id := range mine {
			set[id] = true
		}
	}
	return slices.Sorted(maps.Keys(set))
}

// grantView is a grant as the listings show it.
type grantView struct {
	ref   grantRef
	doors []string            // where its PINs can be
	pins  map[string]StatePIN // by lock id: the grant's PIN there
	// unknown says, by lock id, why the listing cannot show whether the
	// grant's PIN is there.
	unknown map[string]error
	// failed holds, by lock id, why the grant's load failed (loadFailures).
	failed map[string]string
}

func (c *Client) view(ref grantRef, allLocks []string, l pinListings) grantView {
	v := grantView{ref: ref, doors: ref.doors, pins: map[string]StatePIN{}, unknown: map[string]error{}}
	if v.doors == nil {
		v.doors = allLocks
	}
	for _, lockID := range v.doors {
		if err := l.errs[lockID]; err != nil {
			v.unknown[lockID] = fmt.Errorf("the PINs of lock %s could not be listed: %w", lockID, err)
			continue
		}
		lock := l.locks[lockID]
		if p, ok := lock.byUser[ref.userID]; ok && ref.userID != "" {
			v.pins[lockID] = p
			continue
		}
		if n := lock.unassigned; n > 0 {
			v.unknown[lockID] = fmt.Errorf("lock %s lists %d PIN(s) that August has not given a user yet (a load under way), which may be the grant's", lockID, n)
		}
	}
	return v
}

// err is the view's doubt, as an error matching access.ErrOutcomeUnknown,
// or nil when the listings show every door.
func (v grantView) err() error {
	if len(v.unknown) == 0 {
		return nil
	}
	var errs []error
	for _, id := range slices.Sorted(maps.Keys(v.unknown)) {
		errs = append(errs, v.unknown[id])
	}
	return unknownf("august: where grant %s's PINs are cannot be told: %w", v.ref.id, errors.Join(errs...))
}

// leavingReason is the DoorAccess.Reason of a PIN being deleted or
// disabled, "" for any other.
func leavingReason(s PINState) string {
	if s != PINDeleting && s != PINDisabling {
		return ""
	}
	return fmt.Sprintf("August lists the PIN %s: it accepted the command and has not applied it, and it may still fail", s)
}

// unassigned counts the PINs without a userID.
func unassigned(list []StatePIN) int {
	n := 0
	for _, p := range list {
		if p.UserID == "" {
			n++
		}
	}
	return n
}

func pinOf(list []StatePIN, userID string) (StatePIN, bool) {
	for _, p := range list {
		if userID != "" && p.UserID == userID {
			return p, true
		}
	}
	return StatePIN{}, false
}

// buildGrant assembles a grant from its PINs and the failed loads
// remembered; nil when nothing of it is left.
func (c *Client) buildGrant(v grantView, now time.Time) *access.Grant {
	ref := v.ref
	native := &GrantNative{PartnerUserID: ref.partnerUserID, UserID: ref.userID, PINs: map[string]PIN{}}
	g := &access.Grant{ID: ref.id, Key: ref.key, Vendor: Vendor, Holder: access.Person{Email: ref.email}, Native: native}
	live := false
	for _, lockID := range slices.Sorted(maps.Keys(v.pins)) {
		p := v.pins[lockID]
		native.PINs[lockID] = p.PIN
		st := pinGrantState(p.ListState)
		if st == access.GrantActive && !p.AccessEndTime.IsZero() && !now.Before(p.AccessEndTime.Time) {
			st = access.GrantExpired
		}
		if st != access.GrantRevoked {
			live = true
		}
		door := access.DoorAccess{DoorID: lockID, State: st, Credential: pinCredential(p.PIN.PIN), VendorID: p.ID,
			Reason: leavingReason(p.ListState)}
		if !p.ListState.Known() {
			door.Notices = append(door.Notices, access.Notice{Code: NoticeUnknownPINState,
				Message: fmt.Sprintf("August lists the PIN under %q, a state this package does not know", p.ListState)})
		}
		g.Doors = append(g.Doors, door)
		if g.Window.Start.IsZero() && !p.AccessStartTime.IsZero() {
			g.Window = access.Window{Start: p.AccessStartTime.UTC(), End: p.AccessEndTime.UTC()}
		}
		if g.Holder.Name == "" {
			g.Holder.Name = strings.TrimSpace(p.FirstName + " " + p.LastName)
		}
	}
	failed := v.failed
	for _, lockID := range slices.Sorted(maps.Keys(failed)) {
		if _, found := v.pins[lockID]; found {
			continue
		}
		live = true
		g.Doors = append(g.Doors, access.DoorAccess{DoorID: lockID, State: access.GrantFailed, Reason: failed[lockID],
			Credential: access.Credential{Kind: access.CredentialPIN}})
	}
	if !live {
		return nil
	}
	return g
}

// pinGrantState maps a listing state to a door's state. A state August does
// not document counts as pending: the PIN is on the lock, in some change.
// A PIN being deleted or disabled is failed (see leavingReason): August
// accepted the command and has not applied it, and it may still fail, so
// the door is neither revoked (that needs August's word: the PIN gone, or
// disabled) nor one to keep; access.EnsureGrant re-makes a failed grant
// and a revoke deletes it, both waiting for that command first.
func pinGrantState(s PINState) access.GrantState {
	switch s {
	case PINLoaded:
		return access.GrantActive
	case PINDisabled:
		return access.GrantRevoked
	case PINDisabling, PINDeleting:
		return access.GrantFailed
	}
	return access.GrantPending // created, updating, enabling, and states not documented
}

// viewByID finds a grant by id: its sub-user in the sub-user listing, then
// its PINs in the listings of its doors.
func (c *Client) viewByID(ctx context.Context, grantID string) (grantView, error) {
	if grantID == "" {
		return grantView{}, access.Invalid("grantID", "is required")
	}
	if !validGrantID(grantID) {
		// No grant of this package has it: a malformed id is refused
		// before anything is sent, as in every vendor.
		return grantView{}, access.Invalid("grantID", fmt.Sprintf("%q is not an August grant id (16 hexadecimal characters)", grantID))
	}
	refs, err := c.refs(ctx, func(r grantRef) bool { return r.id == grantID })
	if err != nil {
		return grantView{}, err
	}
	if len(refs) == 0 {
		// Every grant's sub-user is made before its first PIN, and the
		// listing was complete.
		return grantView{}, fmt.Errorf("august: grant %s: August lists no sub-user for it: %w", grantID, access.ErrNotFound)
	}
	ref := refs[0]
	if ref.userID == "" {
		return grantView{}, unknownf("august: grant %s: the sub-user listing shows no userID for it", grantID)
	}
	lockIDs, err := c.lockIDsFor(ctx, refs[:1])
	if err != nil {
		return grantView{}, err
	}
	return c.view(ref, lockIDs, c.listPINs(ctx, lockIDs)), nil
}

// GetGrant returns a grant by id: its sub-user (GET /partners/sub-user) and
// its PIN on each of its doors (GET /locks/:lockID/pins). It is
// access.ErrNotFound when August lists no sub-user for the id, or when the
// complete listings of its doors show no PIN of its sub-user and no load
// of it failed; an error matching access.ErrOutcomeUnknown when a listing
// cannot show it (see the package's access section). A PIN being deleted or
// disabled (a command August accepted and has not applied, which may still
// fail) shows its door failed, with the reason.
func (c *Client) GetGrant(ctx context.Context, grantID string) (*access.Grant, error) {
	if ctx == nil {
		return nil, rest.ErrNilContext
	}
	v, err := c.viewByID(ctx, grantID)
	if err != nil {
		return nil, err
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	if err := c.loadFailures(ctx, &v); err != nil {
		return nil, err
	}
	if g := c.buildGrant(v, time.Now()); g != nil {
		g.Native.(*GrantNative).listed = &v
		return g, nil
	}
	return nil, fmt.Errorf("august: grant %s: no PIN of its sub-user is on its doors: %w", grantID, access.ErrNotFound)
}

// ListGrants lists the grants this package made on the caller's locks,
// filtered by key, door, holder email and active-at: the partner sub-users
// (GET /partners/sub-user, every page) whose partnerUserID matches, then
// the PINs of their doors (GET /locks/:lockID/pins). A grant listed is the
// whole grant, all its doors. Revoked grants are not listed; one whose PIN
// is being deleted is, its door failed (see GetGrant). A grant whose doors'
// listings cannot show its PINs yields an error matching
// access.ErrOutcomeUnknown instead, so a listing by key yields nothing only
// when no grant has the key.
func (c *Client) ListGrants(ctx context.Context, filter access.GrantFilter) iter.Seq2[*access.Grant, error] {
	return func(yield func(*access.Grant, error) bool) {
		if ctx == nil {
			yield(nil, rest.ErrNilContext)
			return
		}
		if err := filter.Validate(); err != nil {
			yield(nil, err)
			return
		}
		if filter.DoorID != "" {
			if err := checkLockID(filter.DoorID); err != nil {
				yield(nil, err)
				return
			}
		}
		c.listGrants(ctx, func(r grantRef) bool {
			return (filter.Key == "" || r.key == filter.Key) &&
				(filter.HolderEmail == "" || strings.EqualFold(r.email, filter.HolderEmail)) &&
				(filter.DoorID == "" || r.doors == nil || slices.Contains(r.doors, filter.DoorID))
		}, filter, false)(yield)
	}
}

// ListGrantsByKeys returns the grants of each of keys, by key, from one
// reading: what ListGrants reads for a single key, the sub-user listing
// (GET /partners/sub-user, every page: August filters it by no key), then
// the PINs of the doors of the keys' grants (GET /locks/:lockID/pins, one
// per lock). access.Apply looks a batch of keys up with it, so that n
// changes cost about n/access.ApplyBatch sub-user listings rather than n. A
// key with no grant has no entry. Anything ListGrants would yield as an
// error for one of the keys (a listing that failed, a lock whose PINs
// cannot show the grant's) is the error, and nothing is returned.
func (c *Client) ListGrantsByKeys(ctx context.Context, keys []string) (map[string][]*access.Grant, error) {
	if ctx == nil {
		return nil, rest.ErrNilContext
	}
	want := make(map[string]bool, len(keys))
	for _, k := range keys {
		if k == "" {
			return nil, access.Invalid("keys", "an empty key matches no grant by key")
		}
		if err := (access.GrantFilter{Key: k}).Validate(); err != nil {
			return nil, err
		}
		want[k] = true
	}
	out := map[string][]*access.Grant{}
	for g, err := range c.listGrants(ctx, func(r grantRef) bool { return want[r.key] }, access.GrantFilter{}, true) {
		if err != nil {
			return nil, err
		}
		out[g.Key] = append(out[g.Key], g)
	}
	return out, nil
}

// listGrants lists the grants whose sub-user match accepts and that filter
// matches: the sub-user listing, then the PINs of their doors. byKey reads
// for several keys at once (ListGrantsByKeys).
func (c *Client) listGrants(ctx context.Context, match func(grantRef) bool, filter access.GrantFilter, byKey bool) iter.Seq2[*access.Grant, error] {
	return func(yield func(*access.Grant, error) bool) {
		refs, err := c.refs(ctx, match)
		if err != nil {
			yield(nil, err)
			return
		}
		if len(refs) == 0 {
			return
		}
		mine, err := c.locksIfNeeded(ctx, refs)
		if err != nil {
			yield(nil, err)
			return
		}
		all := locksOf(refs, mine)
		listings := c.listPINs(ctx, all)
		// A grant that names no doors is looked for on every lock listed;
		// read for several keys at once, on those its key's own lookup
		// lists (the caller's locks and the doors of the key's other
		// grants), so that each key shows as a lookup by it alone shows it.
		locksFor := func(grantRef) []string { return all }
		if byKey {
			refsOf := map[string][]grantRef{}
			for _, r := range refs {
				refsOf[r.key] = append(refsOf[r.key], r)
			}
			keyLocks := make(map[string][]string, len(refsOf))
			for k, rs := range refsOf {
				keyLocks[k] = locksOf(rs, mine)
			}
			locksFor = func(r grantRef) []string { return keyLocks[r.key] }
		}
		now := time.Now()
		for _, ref := range refs {
			var err error
			if ref.userID == "" {
				err = unknownf("august: grant %s: the sub-user listing shows no userID for it", ref.id)
			}
			v := c.view(ref, locksFor(ref), listings)
			if err == nil {
				err = v.err()
			}
			if err == nil {
				err = c.loadFailures(ctx, &v)
			}
			if err != nil {
				if !yield(nil, err) {
					return
				}
				continue
			}
			g := c.buildGrant(v, now)
			if g == nil || g.State() == access.GrantRevoked || !filter.Match(g) {
				continue
			}
			g.Native.(*GrantNative).listed = &v
			if !yield(g, nil) {
				return
			}
		}
	}
}

// RevokeGrant deletes the grant's PIN on each of its doors (POST
// /locks/:lockID/pins, action delete, naming the PIN and its user). A PIN
// with a command under way is first waited for (with a webhook handler;
// without one that is access.ErrConflict until August has applied it).
//
// Success means: with a webhook handler, August confirmed each delete (or
// answered that the PIN is not on the lock); without one, the PIN listing
// read back after each delete shows the PIN gone (right after August accepts
// a delete it usually still shows it being deleted: that is an error
// matching access.ErrOutcomeUnknown, GetGrant shows the door failed while
// the listing shows it so, and a later call finds the grant gone,
// access.ErrNotFound, once August has applied it). A result in a status this package does not know is no
// confirmation (Event.Succeeded). It forgets the grant's failed loads, so the grant is not
// listed after. It is access.ErrNotFound only on August's word: no sub-user
// listed for the id, or complete listings of the grant's doors showing no
// PIN of its sub-user (and no failed load remembered). A lock whose listing
// fails, or that lists a PIN without a user yet, gives an error matching
// access.ErrOutcomeUnknown instead: the grant's PIN may be there.
func (c *Client) RevokeGrant(ctx context.Context, grantID string) error {
	if ctx == nil {
		return rest.ErrNilContext
	}
	v, err := c.viewByID(ctx, grantID)
	if err != nil {
		return err
	}
	return c.revokeView(ctx, grantID, v)
}

// RevokeListedGrant revokes a grant ListGrants or GetGrant returned, from
// what their listings showed of it: what RevokeGrant does after its own
// listings (the sub-users, the PINs of the grant's doors), so
// access.EnsureGrant and EnsureRevokedByKey revoke the grant they found
// with one delete per door and no listing. What was listed may be a moment
// old: a PIN gone meanwhile answers 404, which counts as deleted, and a
// command under way is waited for as RevokeGrant waits. A grant that did not
// come from this client's listing is revoked as RevokeGrant revokes
// listed.ID.
func (c *Client) RevokeListedGrant(ctx context.Context, listed *access.Grant) error {
	if v, ok := listedView(listed); ok {
		return c.revokeView(ctx, listed.ID, *v)
	}
	if listed == nil {
		return access.Invalid("grant", "is required")
	}
	return c.RevokeGrant(ctx, listed.ID)
}

// listedView returns what the listings showed of a grant this client's
// GetGrant or ListGrants returned.
func listedView(g *access.Grant) (*grantView, bool) {
	if g == nil {
		return nil, false
	}
	n, ok := g.Native.(*GrantNative)
	if !ok || n == nil || n.listed == nil || n.listed.ref.id != g.ID {
		return nil, false
	}
	return n.listed, true
}

// revokeView revokes the grant v shows; see RevokeGrant.
func (c *Client) revokeView(ctx context.Context, grantID string, v grantView) error {
	var errs []error
	for _, lockID := range slices.Sorted(maps.Keys(v.pins)) {
		if err := c.revokePIN(ctx, lockID, v.ref, v.pins[lockID]); err != nil {
			errs = append(errs, fmt.Errorf("august: deleting grant %s's PIN on lock %s: %w", grantID, lockID, err))
		}
	}
	if err := v.err(); err != nil {
		errs = append(errs, err)
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	// Doors whose load failed hold no PIN: the grant lists them from the
	// webhook failures remembered, which go with the revoke.
	if err := c.loadFailures(ctx, &v); err != nil {
		return err
	}
	if err := c.forgetFailures(ctx, v.ref.partnerUserID); err != nil {
		return err
	}
	if len(v.pins) == 0 && len(v.failed) == 0 {
		return fmt.Errorf("august: grant %s: no PIN of its sub-user is on its doors: %w", grantID, access.ErrNotFound)
	}
	return nil
}

// revokePIN deletes the grant's PIN p on a lock, once any command under
// way on it has been applied.
func (c *Client) revokePIN(ctx context.Context, lockID string, ref grantRef, p StatePIN) error {
	p, err := c.settle(ctx, lockID, ref, p)
	if err != nil {
		return err
	}
	if p.ListState == "" || p.ListState == PINDeleting {
		return nil // gone meanwhile, or deleted by a command whose result arrived
	}
	err = c.deletePIN(ctx, lockID, ref, p.PIN.PIN)
	var aerr *Error
	if errors.As(err, &aerr) && aerr.StatusCode == 404 && !errors.Is(err, access.ErrOutcomeUnknown) {
		return nil // August: the PIN is not on the lock
	}
	return err
}

// UpdateGrantWindow moves the grant's window with an update command on each
// door (POST /locks/:lockID/pins, action update, accessType temporary). A
// PIN with a command under way is first waited for. Success means: with a
// webhook handler, August confirmed each update (the doors are then
// active); without one, the PIN listing read back shows each PIN loaded with
// the new window (while it shows the update under way, the error matches
// access.ErrOutcomeUnknown). Not found and unknown as for RevokeGrant.
func (c *Client) UpdateGrantWindow(ctx context.Context, grantID string, window access.Window) (*access.Grant, error) {
	if ctx == nil {
		return nil, rest.ErrNilContext
	}
	prepared, notices, err := window.Prepare(time.Now(), time.Second)
	if err != nil {
		return nil, err
	}
	v, err := c.viewByID(ctx, grantID)
	if err != nil {
		return nil, err
	}
	return c.updateView(ctx, grantID, v, prepared, notices)
}

// UpdateListedGrantWindow moves a grant ListGrants or GetGrant returned, from
// what their listings showed of it: what UpdateGrantWindow does after its
// own listings, so access.EnsureGrant moves the booking it found with one
// update command per door and no listing. What was listed may be a moment
// old: a command under way is waited for as UpdateGrantWindow waits. A grant
// that did not come from this client's listing is moved as
// UpdateGrantWindow moves listed.ID.
func (c *Client) UpdateListedGrantWindow(ctx context.Context, listed *access.Grant, window access.Window) (*access.Grant, error) {
	v, ok := listedView(listed)
	if !ok {
		if listed == nil {
			return nil, access.Invalid("grant", "is required")
		}
		return c.UpdateGrantWindow(ctx, listed.ID, window)
	}
	prepared, notices, err := window.Prepare(time.Now(), time.Second)
	if err != nil {
		return nil, err
	}
	return c.updateView(ctx, listed.ID, *v, prepared, notices)
}

// updateView moves the grant v shows to prepared; see UpdateGrantWindow.
func (c *Client) updateView(ctx context.Context, grantID string, v grantView, prepared access.Window, notices []access.Notice) (*access.Grant, error) {
	if err := v.err(); err != nil {
		return nil, err
	}
	var err error
	updated := grantView{ref: v.ref, doors: v.doors, pins: map[string]StatePIN{}}
	for _, lockID := range slices.Sorted(maps.Keys(v.pins)) {
		p := v.pins[lockID]
		if p.ListState == PINDisabled {
			continue // August's word: off
		}
		if p, err = c.settle(ctx, lockID, v.ref, p); err != nil {
			return nil, err
		}
		if p.ListState == "" || p.ListState == PINDisabled {
			continue // gone, or disabled, meanwhile
		}
		cmd := PINCommand{Action: PINActionUpdate, PIN: p.PIN.PIN, AccessType: AccessTemporary,
			AccessTimes: &AccessTimes{Start: prepared.Start, End: prepared.End},
			FirstName:   p.FirstName, LastName: p.LastName, PartnerUserID: v.ref.partnerUserID}
		if err := c.pinCommand(ctx, lockID, v.ref, cmd); err != nil {
			return nil, fmt.Errorf("august: updating grant %s's PIN on lock %s: %w", grantID, lockID, err)
		}
		p.ListState = PINLoaded // August confirmed it, by webhook or in the listing
		p.AccessType = AccessTemporary
		p.AccessStartTime, p.AccessEndTime = Time{Time: prepared.Start}, Time{Time: prepared.End}
		updated.pins[lockID] = p
	}
	if len(updated.pins) == 0 {
		return nil, fmt.Errorf("august: grant %s: no PIN of its sub-user is on its doors: %w", grantID, access.ErrNotFound)
	}
	// The updates are made: a result store that cannot be read now only
	// leaves failed loads out of the grant returned (GetGrant shows them).
	_ = c.loadFailures(ctx, &updated)
	g := c.buildGrant(updated, time.Now())
	g.Window = prepared
	g.Notices = append(g.Notices, notices...)
	return g, nil
}

var pendingAction = map[PINState]PINAction{
	PINCreated: PINActionLoad, PINUpdating: PINActionUpdate, PINEnabling: PINActionEnable,
	PINDisabling: PINActionDisable, PINDeleting: PINActionDelete,
}

// settle waits until p has no command pending and returns it as listed
// then (ListState "" when it is gone). Without a webhook handler a PIN being
// deleted is access.ErrOutcomeUnknown (the delete was accepted and is not
// applied yet), and any other pending PIN is access.ErrConflict. A PIN
// still listed as being deleted once the delete's result said it failed is
// access.ErrOutcomeUnknown too: only a delete that succeeded ends in it.
func (c *Client) settle(ctx context.Context, lockID string, ref grantRef, p StatePIN) (StatePIN, error) {
	action, pending := pendingAction[p.ListState]
	if !pending {
		return p, nil
	}
	if c.events == nil {
		if p.ListState == PINDeleting {
			return p, fmt.Errorf("august: the PIN on lock %s is being deleted, and without a webhook handler (WithWebhook) no result can say when it is gone: %w",
				lockID, access.ErrOutcomeUnknown)
		}
		return p, fmt.Errorf("august: the PIN on lock %s is still %s: %w", lockID, p.ListState, access.ErrConflict)
	}
	w := c.events.ExpectFunc(PINKey(lockID, action, ref.partnerUserID), pinSettled)
	defer w.Cancel()
	// The result may have arrived before Expect: look again first.
	if now, err := c.pinNow(ctx, lockID, ref); err != nil || pendingAction[now.ListState] == "" {
		return now, err
	}
	wctx, cancel := context.WithTimeout(ctx, c.confirmWait)
	defer cancel()
	_, werr := w.Wait(wctx)
	if werr != nil && !errors.Is(werr, ErrCommandFailed) {
		return p, fmt.Errorf("august: waiting for the PIN on lock %s: %w", lockID, werr)
	}
	now, err := c.pinNow(ctx, lockID, ref)
	if err == nil && werr != nil && now.ListState == PINDeleting {
		// The delete failed by its result, and the listing has not caught
		// up: the PIN may stay, so it is not taken for deleted.
		return now, unknownf("august: the delete under way on lock %s failed (%w), and the PIN listing still shows the PIN being deleted", lockID, werr)
	}
	return now, err
}

// pinNow lists a lock's PINs again and returns the grant's (ListState ""
// when the listing shows none, and no PIN without a user).
func (c *Client) pinNow(ctx context.Context, lockID string, ref grantRef) (StatePIN, error) {
	l, _, err := c.PINs.List(ctx, lockID)
	if err != nil {
		return StatePIN{}, unknownf("august: listing the PINs of lock %s: %w", lockID, err)
	}
	all := l.All()
	if p, ok := pinOf(all, ref.userID); ok {
		return p, nil
	}
	if n := unassigned(all); n > 0 {
		return StatePIN{}, unknownf("august: lock %s lists %d PIN(s) that August has not given a user yet, which may be the grant's", lockID, n)
	}
	return StatePIN{}, nil
}

// confirmByListing is the evidence for a PIN command without a webhook
// handler: August accepting a command is no proof the lock applied it, so
// the lock's PIN listing is read back. A delete is confirmed when the
// listing shows no PIN of the grant's user; an update or enable when it
// shows the PIN loaded (for an update, with the new window); a disable when
// it shows it disabled. Anything else (the command still under way, as it
// usually is right after it was accepted) is an error matching
// access.ErrOutcomeUnknown: the change is likely coming, and GetGrant shows
// when it has.
func (c *Client) confirmByListing(ctx context.Context, lockID string, ref grantRef, cmd PINCommand) error {
	now, err := c.pinNow(ctx, lockID, ref)
	if err != nil {
		return fmt.Errorf("august: %s accepted; reading it back: %w", cmd.Action, err)
	}
	applied := false
	switch cmd.Action {
	case PINActionDelete:
		applied = now.ListState == ""
	case PINActionUpdate:
		applied = now.ListState == PINLoaded && cmd.AccessTimes != nil &&
			now.AccessStartTime.Equal(cmd.AccessTimes.Start) && now.AccessEndTime.Equal(cmd.AccessTimes.End)
	case PINActionEnable, PINActionLoad:
		applied = now.ListState == PINLoaded
	case PINActionDisable:
		applied = now.ListState == PINDisabled
	}
	if applied {
		return nil
	}
	state := string(now.ListState)
	if state == "" {
		state = "absent"
	}
	return fmt.Errorf("august: %s accepted, not applied yet: the PIN listing shows the PIN %s, and without a webhook handler (WithWebhook) no result can say when it is: %w",
		cmd.Action, state, access.ErrOutcomeUnknown)
}

// pinSettled takes a PIN command's result that says how it ended: a
// failure, or a success in words this package recognises (Succeeded). Any
// other result (a status it does not know) is no evidence either way: the
// wait goes on, and ends in access.ErrOutcomeUnknown if nothing more
// arrives.
func pinSettled(ev *Event) bool {
	failed, _ := ev.Failed()
	return failed || ev.Succeeded()
}

// pinCommand sends one PIN command and, with a webhook handler, waits for
// August to confirm it.
func (c *Client) pinCommand(ctx context.Context, lockID string, ref grantRef, cmd PINCommand) error {
	var w *Pending
	if c.events != nil {
		w = c.events.ExpectFunc(PINKey(lockID, cmd.Action, ref.partnerUserID), pinSettled)
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
		return c.confirmByListing(ctx, lockID, ref, cmd)
	}
	wctx, cancel := context.WithTimeout(ctx, c.confirmWait)
	defer cancel()
	if _, err := w.Wait(wctx); err != nil {
		if errors.Is(err, ErrCommandFailed) {
			return fmt.Errorf("%w: %w", access.ErrDenied, err)
		}
		return fmt.Errorf("august: %s accepted, no result seen: %w: %w", cmd.Action, access.ErrOutcomeUnknown, err)
	}
	return nil
}

// GrantPINKey is the WaitKey of a PIN command's result for a grant this
// package made, on one of its doors: give it to WebhookHandler.Expect to
// wait for August's word on that door (for example the load after
// CreateGrant). It is access.ErrInvalid for a grant of another vendor.
func GrantPINKey(g *access.Grant, doorID string, action PINAction) (WaitKey, error) {
	var n *GrantNative
	if g != nil {
		n, _ = g.Native.(*GrantNative)
	}
	if n == nil || n.PartnerUserID == "" {
		return WaitKey{}, access.Invalid("grant", "is not an August grant made by this package")
	}
	if err := checkLockID(doorID); err != nil {
		return WaitKey{}, err
	}
	return PINKey(doorID, action, n.PartnerUserID), nil
}
