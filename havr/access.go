package havr

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"iter"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/internal/clientopt"
)

// Havr locks open from the phone with a K token, not from the API, so
// *Client lists doors and manages grants but is not an access.DoorOpener.
var (
	_ access.DoorLister   = (*Client)(nil)
	_ access.Granter      = (*Client)(nil)
	_ access.GrantGetter  = (*Client)(nil)
	_ access.GrantLister  = (*Client)(nil)
	_ access.GrantUpdater = (*Client)(nil)

	_ access.ListedGrantUpdater = (*Client)(nil)
	_ access.GrantsByKeysLister = (*Client)(nil)
)

// Vendor is the name Havr doors and grants carry in access.Door.Vendor.
const Vendor = "havr"

// DefaultRollbackGrace is how long, by default, the clean-up of a grant
// that failed part-way (deleting the keys already made) may go on after the
// caller's context ended, its deadline passed or it was cancelled
// (WithRollbackGrace). It is the same in every doorkit package.
const DefaultRollbackGrace = clientopt.DefaultRollbackGrace

// doorCapabilities is what every Havr door lock supports through the API:
// grants by emailed link or app key, window changes and grant listings; no
// remote opening (a phone opens it with a K token) and no PINs.
var doorCapabilities = access.Capabilities{
	Credentials:  []access.CredentialKind{access.CredentialLink, access.CredentialAppKey},
	WindowChange: true,
	GrantListing: true,
}

// ListDoors returns the door locks the user owns or administers. Site is the
// lock group id, if any; Native holds the DoorLock. Havr does not report
// connectivity or a time zone, so they are left unknown.
func (c *Client) ListDoors(ctx context.Context) ([]access.Door, error) {
	locks, _, err := c.DoorLocks.List(ctx)
	if err != nil {
		return nil, err
	}
	doors := make([]access.Door, len(locks))
	for i, l := range locks {
		d := access.Door{ID: l.ID.String(), Name: l.Description, Vendor: Vendor, Native: l, Capabilities: doorCapabilities}
		if l.LockGroupID != 0 {
			d.Site = l.LockGroupID.String()
		}
		doors[i] = d
	}
	return doors, nil
}

// The grant key lives in the shared keys' note, which Havr's listings show
// back: "[<key>] <label>", with '\\' and ']' in the key escaped by a
// backslash, so every key access.ValidateKey accepts goes in whole and
// comes back whole. The document gives notes no length limit (its 40
// characters are the door lock description's), so neither key nor label is
// cut. Were Havr to keep a note shorter than sent, CreateGrant sees it in
// the answer and undoes the grant rather than make one its key cannot find
// (see checkNote).

// noteFor builds the note of a grant's shared keys.
func noteFor(req access.GrantRequest) string {
	if req.Key == "" {
		// A label that starts with "[" would read back as a key: an empty
		// tag "[] " in front keeps it a label (keyFromNote reads "[]" as none).
		if strings.HasPrefix(req.Label, "[") {
			return "[] " + req.Label
		}
		return req.Label
	}
	tag := "[" + strings.NewReplacer(`\`, `\\`, `]`, `\]`).Replace(req.Key) + "]"
	if req.Label == "" {
		return tag
	}
	return tag + " " + req.Label
}

// keyFromNote reads the grant key back from a note, "" when it has none. A
// backslash escapes the next '\\' or ']'; before any other character it is
// itself (notes written before keys were escaped).
func keyFromNote(note string) string {
	rest, ok := strings.CutPrefix(note, "[")
	if !ok {
		return ""
	}
	var b strings.Builder
	for i := 0; i < len(rest); i++ {
		switch c := rest[i]; {
		case c == '\\' && i+1 < len(rest) && (rest[i+1] == '\\' || rest[i+1] == ']'):
			i++
			b.WriteByte(rest[i])
		case c == ']':
			return b.String()
		default:
			b.WriteByte(c)
		}
	}
	return "" // no closing ']': a label, not a key
}

// checkNote reports a shared key whose note Havr did not keep as sent: the
// grant could not be found again by its key.
func checkNote(k *SharedKey, sent string) error {
	if k.Note == "" || k.Note == sent {
		// Kept, or not shown in the answer (the document's SharedKey
		// carries note, but may send null): the listing will tell.
		return nil
	}
	return fmt.Errorf("havr: Havr kept shared key %d's note as %q, not %q, so the grant could not be found by its key: %w",
		k.ID, k.Note, sent, access.ErrUnsupported)
}

// labelFromNote reads the label back from a note: what follows the key's
// tag, read as keyFromNote reads it ("[key] label", or the empty tag "[] "
// noteFor puts before a label that starts with "["), or the whole note when
// it has no tag.
func labelFromNote(note string) string {
	rest, ok := strings.CutPrefix(note, "[")
	if !ok {
		return note
	}
	for i := 0; i < len(rest); i++ {
		switch c := rest[i]; {
		case c == '\\' && i+1 < len(rest) && (rest[i+1] == '\\' || rest[i+1] == ']'):
			i++
		case c == ']':
			return strings.TrimPrefix(rest[i+1:], " ")
		}
	}
	return note // no closing ']': a label, not a key
}

// CreateGrant gives a holder access to doors for the window, as shared keys.
//
// A holder with a Havr account (Holder.VendorUserID) gets an app key per
// door: POST /v1/shared_keys/create_or_update, the one member share whose
// body takes a note (POST /v1/shared_keys documents none). Because it
// changes a key the user already holds, the user's keys are listed first
// (GET /v1/shared_keys/index_with_details) and a user who already holds a
// key to one of the doors is access.ErrConflict. A key is pending when the
// lock's confirmation level makes the owner confirm it. The keys are those
// of each door lock (POST /v1/shared_keys/shared_keys_for_door_lock, one
// call per door), not every key of the account. The listing and the
// creates after it take the client's turn (its Locker, see WithLocker) on
// each pair of the member and a door lock, in ascending lock order, so two
// grants for one member and door confirmed at the same moment cannot both
// find no key: the second is access.ErrConflict, as when they run one after
// the other. That is why the listing access.EnsureGrant looked the key up
// with, a moment before and outside those turns, is not used for it.
// Otherwise the holder's email gets a link by email (POST
// /v1/shared_keys/create_with_link, one call per door, since each answers a
// single key); the credential says Havr emailed it and the door stays
// pending until the visitor opens the link. Havr cannot send SMS or PINs:
// CredentialPIN and CredentialPhone are access.ErrUnsupported.
//
// If a later door fails, the keys already made are deleted (DELETE
// /v1/shared_keys/:id), even after ctx ended, but at most the rollback grace
// (WithRollbackGrace) past its end. When they are all gone the error is the failure's own; when the
// clean-up could not finish it is a *RollbackError, matching
// access.ErrOutcomeUnknown and naming the keys that may be left, which
// access.EnsureGrant finds by key and re-makes on the next trigger.
//
// GrantRequest.Key and Label go into the keys' note ("[key] label", see
// noteFor), whole, so ListGrants finds the grant by key and Grant.Label,
// here and read back, is the label; a note Havr answers kept otherwise
// undoes the grant (access.ErrUnsupported). The grant id lists the
// shared key ids ("20" or "20,21"). Keys are never created twice by a retry:
// a create is not resent once it may have reached Havr.
func (c *Client) CreateGrant(ctx context.Context, req access.GrantRequest) (*access.Grant, error) {
	if err := req.Validate(); err != nil {
		return nil, err
	}
	lockIDs := make([]ID, len(req.DoorIDs))
	for i, id := range req.DoorIDs {
		n, ok := parseID(id)
		if !ok {
			return nil, access.Invalid(fmt.Sprintf("DoorIDs[%d]", i), fmt.Sprintf("%q is not a Havr door lock id", id))
		}
		lockIDs[i] = n
	}
	if req.Holder.VendorUserID != "" {
		if _, ok := parseID(req.Holder.VendorUserID); !ok {
			return nil, access.Invalid("Holder.VendorUserID", fmt.Sprintf("%q is not a Havr user id", req.Holder.VendorUserID))
		}
	}
	note := noteFor(req)
	window, notices, err := req.Window.Prepare(time.Now(), Resolution) // truncated to what Havr keeps
	if err != nil {
		return nil, err
	}
	grant := &access.Grant{Key: req.Key, Vendor: Vendor, Holder: req.Holder, Window: window,
		Label: labelFromNote(note), Notices: notices}

	switch {
	case req.Credential == access.CredentialPIN || req.Credential == access.CredentialPhone:
		return nil, fmt.Errorf("havr: %s credentials: %w", req.Credential, access.ErrUnsupported)
	case req.Holder.VendorUserID != "" && req.Credential != access.CredentialLink:
		return c.grantToUser(ctx, req, lockIDs, note, grant)
	case req.Holder.Email != "":
		return c.grantByLink(ctx, req, lockIDs, note, grant)
	default:
		return nil, fmt.Errorf("havr: the holder needs an email (for a link) or a Havr user id: %w", access.ErrUnsupported)
	}
}

func (c *Client) grantToUser(ctx context.Context, req access.GrantRequest, lockIDs []ID, note string, grant *access.Grant) (*access.Grant, error) {
	userID, ok := parseID(req.Holder.VendorUserID)
	if !ok {
		return nil, access.Invalid("Holder.VendorUserID", fmt.Sprintf("%q is not a Havr user id", req.Holder.VendorUserID))
	}
	// The listing below and the creates after it are one step: two grants
	// for the member and a door must not both find no key and both
	// create_or_update it, the second silently replacing the first.
	ctx, release, err := c.memberTurns(ctx, ID(userID), lockIDs)
	if err != nil {
		return nil, err
	}
	defer release()
	// create_or_update changes the user's key to a lock if there is one:
	// look first, so that another grant (a member's permanent key) is never
	// overwritten. Each door's own listing is enough.
	for _, lockID := range lockIDs {
		existing, _, err := c.SharedKeys.ListForDoorLock(ctx, lockID)
		if err != nil {
			return nil, err
		}
		for _, k := range existing {
			if k.UserID == ID(userID) && k.DoorLockID == lockID && k.ExistingStatus != StatusDeleted {
				return nil, fmt.Errorf("havr: user %d already holds shared key %d to door lock %d, and Havr keeps one key per user and lock: %w",
					userID, k.ID, k.DoorLockID, access.ErrConflict)
			}
		}
	}
	var made []SharedKey
	for _, lockID := range lockIDs {
		key, _, err := c.SharedKeys.CreateOrUpdate(ctx, SharedKeyCreateOrUpdateRequest{
			UserID:     ID(userID),
			DoorLockID: lockID,
			StartDate:  At(grant.Window.Start),
			EndDate:    At(grant.Window.End),
			Note:       note,
		})
		if err != nil {
			return nil, c.rollback(ctx, err, lockID, made)
		}
		made = append(made, *key)
		if err := checkNote(key, note); err != nil {
			return nil, c.rollback(ctx, err, lockID, made)
		}
	}
	grant.ID = joinIDs(made)
	grant.Doors = doorAccesses(made, time.Now(), func(SharedKey) access.Credential { return appKey })
	grant.Native = made
	return grant, nil
}

// memberTurns takes the client's turn (its Locker, WithLocker) on each pair
// of the member and one of the door locks, in ascending lock order so that
// two grants over overlapping doors cannot wait for each other. It returns
// the context to work under (the last lease's, which ends if a shared
// lease is lost) and the release of every turn.
func (c *Client) memberTurns(ctx context.Context, userID ID, lockIDs []ID) (context.Context, func(), error) {
	sorted := slices.Clone(lockIDs)
	slices.Sort(sorted)
	sorted = slices.Compact(sorted)
	var leases []access.Lease
	release := func() {
		for i := len(leases) - 1; i >= 0; i-- {
			_ = leases[i].Release(context.WithoutCancel(ctx))
		}
	}
	work := ctx
	for _, lockID := range sorted {
		lease, err := c.locker.Lock(work, memberTurnName(userID, lockID))
		if err != nil {
			release()
			return nil, nil, err
		}
		leases = append(leases, lease)
		work = lease.Context()
	}
	return work, release, nil
}

// memberTurnName names the turn on a member's key to a door lock.
func memberTurnName(userID, lockID ID) string {
	return fmt.Sprintf("havr:member:%d:door_lock:%d", userID, lockID)
}

var appKey = access.Credential{Kind: access.CredentialAppKey, Delivery: "in the holder's Havr app"}

func linkTo(email string) access.Credential {
	c := access.Credential{Kind: access.CredentialLink, Delivery: "link emailed by Havr"}
	if email != "" {
		c.DeliveredTo = []string{email}
	}
	return c
}

func (c *Client) grantByLink(ctx context.Context, req access.GrantRequest, lockIDs []ID, note string, grant *access.Grant) (*access.Grant, error) {
	var made []SharedKey
	for _, lockID := range lockIDs {
		key, _, err := c.SharedKeys.CreateWithLink(ctx, SharedKeyLinkRequest{
			Email:       req.Holder.Email,
			LockListIDs: []ID{lockID},
			StartDate:   At(grant.Window.Start),
			EndDate:     At(grant.Window.End),
			Note:        note,
		})
		if err != nil {
			return nil, c.rollback(ctx, err, lockID, made)
		}
		made = append(made, *key)
		if err := checkNote(key, note); err != nil {
			return nil, c.rollback(ctx, err, lockID, made)
		}
	}
	grant.ID = joinIDs(made)
	grant.Doors = doorAccesses(made, time.Now(), func(SharedKey) access.Credential { return linkTo(req.Holder.Email) })
	grant.Native = made
	if req.Holder.Phone != "" {
		grant.Notices = append(grant.Notices, access.Notice{Code: access.NoticeSMSDropped, Field: "Holder.Phone",
			Message: "SMS skipped: Havr delivers links by email only"})
	}
	return grant, nil
}

func joinIDs(keys []SharedKey) string {
	ids := make([]string, len(keys))
	for i, k := range keys {
		ids[i] = k.ID.String()
	}
	return strings.Join(ids, ",")
}

// doorAccesses gives each shared key's door its state, from the key's
// existing_status (see doorState).
func doorAccesses(keys []SharedKey, now time.Time, credential func(SharedKey) access.Credential) []access.DoorAccess {
	doors := make([]access.DoorAccess, len(keys))
	for i, k := range keys {
		d := access.DoorAccess{DoorID: k.DoorLockID.String(), Credential: credential(k), VendorID: k.ID.String()}
		d.State, d.Reason, d.Notices = doorState(k, now)
		doors[i] = d
	}
	return doors
}

// doorState maps a shared key's existing_status:
//   - active: set up (expired once its end date has passed);
//   - waiting_for_user: the visitor has not opened the emailed link yet;
//   - pending, waiting_for_activation: the lock's owner must confirm it (its
//     confirmation level asks for that), or Havr is activating it;
//   - rejected: the owner refused it (a key no longer pending cannot be
//     answered again); deleted: gone;
//   - anything else: pending, with the status in the reason. Havr documents
//     no failure status for shared keys ("active or waiting_for_user"), so
//     a status doorkit does not know is not taken for a failure: a failed
//     grant is revoked and re-made by EnsureGrant, and Havr would email the
//     visitor a new link on every trigger. Nor is it taken for gone: that
//     needs Havr's word. "inactive" is such a status: Havr gives it to door
//     locks and accounts, which become active again, not to shared keys, so
//     a key listed inactive keeps its grant (EnsureRevokedByKey deletes it,
//     EnsureGrant makes no second grant beside it).
func doorState(k SharedKey, now time.Time) (access.GrantState, string, []access.Notice) {
	switch k.ExistingStatus {
	case StatusActive:
		if !k.EndDate.IsZero() && !now.Before(k.EndDate.Time) && !repeats(k) {
			return access.GrantExpired, "", nil
		}
		return access.GrantActive, "", nil
	case StatusWaitingForUser:
		return access.GrantPending, "", []access.Notice{{Code: access.NoticeDeliveredByVendor,
			Message: "the visitor must open the link Havr emailed"}}
	case StatusPending, StatusWaitingForActivation:
		return access.GrantPending, "", []access.Notice{{Code: access.NoticeNeedsConfirmation,
			Message: "the lock's owner must confirm this access (door lock confirmation level)"}}
	case StatusRejected:
		return access.GrantRevoked, "refused by the lock's owner", nil
	case StatusDeleted:
		return access.GrantRevoked, "shared key " + string(k.ExistingStatus), nil
	default:
		return access.GrantPending, fmt.Sprintf("Havr reports shared key status %q, which doorkit does not know: taken as still being set up", k.ExistingStatus), nil
	}
}

// rollback deletes the keys made before cause, the failure of the create
// for door lock failed, and returns the error to report. It runs after the
// caller's context ended too (a deadline is the usual cause), but at most
// the rollback grace past that end.
//
// When every key made is deleted (or already gone) the error is cause
// itself, with its class. Otherwise it is a *RollbackError, which matches
// access.ErrOutcomeUnknown: the keys it names may still give access, and
// access.EnsureGrant on the same key finds them by their note and re-makes
// the grant.
func (c *Client) rollback(ctx context.Context, cause error, failed ID, made []SharedKey) error {
	if len(made) == 0 {
		return cause
	}
	rctx, cancel := rollbackContext(ctx, c.rollbackGrace)
	defer cancel()
	var left []SharedKey
	var errs []error
	for _, k := range made {
		_, err := c.SharedKeys.Delete(rctx, k.ID)
		if err == nil || errors.Is(err, access.ErrNotFound) {
			continue
		}
		left = append(left, k)
		errs = append(errs, fmt.Errorf("deleting shared key %d: %w", k.ID, err))
	}
	if len(left) == 0 {
		return cause
	}
	return &RollbackError{Err: cause, Failed: failed, Left: left, Rollback: errors.Join(errs...), ctxErr: ctx.Err()}
}

// rollbackContext is the context of a clean-up after a failure under ctx:
// it keeps ctx's values and outlives ctx's end by grace, counted from its
// deadline, or from its cancellation.
func rollbackContext(ctx context.Context, grace time.Duration) (context.Context, context.CancelFunc) {
	rctx, cancelAll := context.WithCancel(context.WithoutCancel(ctx))
	cancelDeadline := context.CancelFunc(func() {})
	if deadline, ok := ctx.Deadline(); ok {
		rctx, cancelDeadline = context.WithDeadline(rctx, deadline.Add(grace))
	}
	var mu sync.Mutex
	var timer *time.Timer
	stop := context.AfterFunc(ctx, func() {
		mu.Lock()
		defer mu.Unlock()
		timer = time.AfterFunc(grace, cancelAll)
	})
	return rctx, func() {
		stop()
		mu.Lock()
		if timer != nil {
			timer.Stop()
		}
		mu.Unlock()
		cancelDeadline()
		cancelAll()
	}
}

// RollbackError reports a grant that failed part-way whose clean-up did not
// finish: the shared keys in Left were made for it and may still give
// access (their deletes failed, or ran out of time, see WithRollbackGrace).
//
// It matches access.ErrOutcomeUnknown (and so access.ErrUnavailable), and
// the caller's context error when the caller's context had ended; not the
// sentinel of the failure that started it, because the grant was not cleanly
// refused: something may be left. access.EnsureGrant on the same key finds
// the keys by their note and re-makes the grant; without a key, revoke
// Left yourself (RevokeGrant with their ids joined by commas).
type RollbackError struct {
	Err      error       // why the grant failed
	Failed   ID          // the door lock whose create failed
	Left     []SharedKey // made, and not known to be deleted
	Rollback error       // why they were not deleted
	ctxErr   error       // the caller's context's error when the clean-up ended
}

func (e *RollbackError) Error() string {
	ids := make([]string, len(e.Left))
	for i, k := range e.Left {
		ids[i] = fmt.Sprintf("%d (door lock %d)", k.ID, k.DoorLockID)
	}
	msg := fmt.Sprintf("havr: grant failed at door lock %d: %v; shared keys %s may be left: rolling back: %v (outcome unknown)",
		e.Failed, e.Err, strings.Join(ids, ", "), e.Rollback)
	if errors.Is(e.Err, access.ErrOutcomeUnknown) {
		msg += fmt.Sprintf("; the create for door lock %d may have made a key too", e.Failed)
	}
	return msg
}

// Is matches access.ErrOutcomeUnknown and access.ErrUnavailable, and the
// error of the caller's context if it had ended.
func (e *RollbackError) Is(target error) bool {
	switch target {
	case access.ErrOutcomeUnknown, access.ErrUnavailable:
		return true
	case context.DeadlineExceeded, context.Canceled:
		return e.ctxErr == target || errors.Is(e.Err, target)
	}
	return false
}

// parseID reads an id of the access layer: a positive decimal number as
// Havr writes it (no sign, space or leading zero), so that one id has one
// spelling.
func parseID(s string) (ID, bool) {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 || strconv.FormatInt(n, 10) != s {
		return 0, false
	}
	return ID(n), true
}

// parseGrantID reads a grant id: a comma-separated list of shared key ids,
// as CreateGrant writes it.
func parseGrantID(grantID string) ([]ID, error) {
	if grantID == "" {
		return nil, access.Invalid("grantID", "is required")
	}
	parts := strings.Split(grantID, ",")
	ids := make([]ID, len(parts))
	for i, p := range parts {
		n, ok := parseID(p)
		if !ok {
			return nil, access.Invalid("grantID", fmt.Sprintf("%q is not a list of Havr shared key ids", grantID))
		}
		ids[i] = n
	}
	return ids, nil
}

// RevokeGrant deletes the grant's shared keys: DELETE /v1/shared_keys/:id
// for one, POST /v1/shared_keys/delete_multiple_shared_keys for several
// (then DELETE per key when one is already gone, since Havr deletes all
// listed keys or none). A grant already revoked is access.ErrNotFound.
func (c *Client) RevokeGrant(ctx context.Context, grantID string) error {
	ids, err := parseGrantID(grantID)
	if err != nil {
		return err
	}
	if len(ids) == 1 {
		_, err := c.SharedKeys.Delete(ctx, ids[0])
		return err
	}
	_, err = c.SharedKeys.DeleteMultiple(ctx, ids)
	if !errors.Is(err, access.ErrNotFound) {
		return err
	}
	// Havr deletes all listed keys or none: one key already gone (deleted
	// in the app, a revoke cut short) keeps the others. Delete them one by
	// one; the grant is ErrNotFound only when every key was gone.
	gone := 0
	var errs []error
	for _, id := range ids {
		_, err := c.SharedKeys.Delete(ctx, id)
		switch {
		case errors.Is(err, access.ErrNotFound):
			gone++
		case err != nil:
			errs = append(errs, err)
		}
	}
	if gone == len(ids) {
		return fmt.Errorf("havr: grant %s: %w", grantID, access.ErrNotFound)
	}
	return errors.Join(errs...)
}

// GetGrant returns a grant from its shared keys, with their holder:
// GET /v1/shared_keys/show_with_details/:id per key. Keys already deleted
// are left out; when all are, the grant is access.ErrNotFound.
func (c *Client) GetGrant(ctx context.Context, grantID string) (*access.Grant, error) {
	ids, err := parseGrantID(grantID)
	if err != nil {
		return nil, err
	}
	var keys []SharedKeyDetails
	for _, id := range ids {
		k, _, err := c.SharedKeys.GetWithDetails(ctx, id)
		if errors.Is(err, access.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		keys = append(keys, *k)
	}
	if len(keys) == 0 {
		return nil, fmt.Errorf("havr: grant %s: %w", grantID, access.ErrNotFound)
	}
	return grantFromKeys(keys, time.Now()), nil
}

// grantFromKeys makes one grant of shared keys that belong together. The
// window is the part all keys share, so a half-done update shows as a
// different window.
func grantFromKeys(keys []SharedKeyDetails, now time.Time) *access.Grant {
	native := make([]SharedKey, len(keys))
	for i, k := range keys {
		native[i] = k.SharedKey
	}
	first := keys[0]
	g := &access.Grant{ID: joinIDs(native), Key: keyFromNote(first.Note), Label: labelFromNote(first.Note), Vendor: Vendor, Native: native,
		Window: sharedWindow(native)}
	switch {
	case first.User != nil:
		g.Holder = access.Person{Name: strings.TrimSpace(first.User.FirstName + " " + first.User.LastName),
			Email: first.User.Email, VendorUserID: first.User.ID.String()}
	case first.TempUser != nil:
		g.Holder = access.Person{Email: first.TempUser.Email}
	}
	byID := map[ID]SharedKeyDetails{}
	for _, k := range keys {
		byID[k.ID] = k
	}
	g.Doors = doorAccesses(native, now, func(k SharedKey) access.Credential {
		if d := byID[k.ID]; d.TempUser != nil || d.UserID == 0 {
			email := ""
			if d.TempUser != nil {
				email = d.TempUser.Email
			}
			return linkTo(email)
		}
		return appKey
	})
	return g
}

// sharedWindow is the part of their windows all keys share, so a half-done
// update shows as a different window. A key without an end date, or whose
// period repeats (Recurrency), gives access until it is deleted, so a grant
// with one has no end (a zero End) whatever its other keys' ends.
func sharedWindow(keys []SharedKey) access.Window {
	var w access.Window
	endless := false
	for i, k := range keys {
		if s := k.StartDate.UTC(); i == 0 || s.After(w.Start) {
			w.Start = s
		}
		if k.EndDate.IsZero() || repeats(k) {
			endless = true
			continue
		}
		if e := k.EndDate.UTC(); w.End.IsZero() || e.Before(w.End) {
			w.End = e
		}
	}
	if endless {
		// One key runs on after the others end: the grant has not ended
		// while it does.
		w.End = time.Time{}
	}
	return w
}

// stillRepeats is access.ErrUnsupported when one of the grant's keys
// repeats its period: a grant's window is one period, and Havr's PATCH takes
// no "none" to stop a repeat, so moving such a grant would leave access
// that comes back; access.EnsureGrant then deletes it and makes it again.
func stillRepeats(grantID string, keys []SharedKey) error {
	for _, k := range keys {
		if repeats(k) {
			return fmt.Errorf("havr: grant %s: shared key %s repeats every %s, which an update cannot stop: %w",
				grantID, k.ID, k.Recurrency, access.ErrUnsupported)
		}
	}
	return nil
}

// repeats reports a key whose period repeats: Havr's document has an access
// with an end date recur every day, week, month or year, with no last one.
func repeats(k SharedKey) bool { return k.Recurrency != "" && k.Recurrency != RecurrencyNone }

// ListGrants lists the grants on the user's door locks from GET
// /v1/shared_keys/index_with_details (one call), filtered on this side.
// Shared keys whose note carries the same grant key form one grant, so a
// grant made for several doors is listed whole; keys without a grant key
// are one grant each. A filter on a door uses the same listing: the
// door's own listing (POST /v1/shared_keys/index_with_details with a
// door_lock_id) would show a grant's key to that door but not its keys to
// the grant's other doors, which nothing in a key names.
func (c *Client) ListGrants(ctx context.Context, filter access.GrantFilter) iter.Seq2[*access.Grant, error] {
	return func(yield func(*access.Grant, error) bool) {
		if err := filter.Validate(); err != nil {
			yield(nil, err)
			return
		}
		if _, ok := parseID(filter.DoorID); filter.DoorID != "" && !ok {
			yield(nil, access.Invalid("filter.DoorID", fmt.Sprintf("%q is not a Havr door lock id", filter.DoorID)))
			return
		}
		grants, err := c.listGrants(ctx)
		if err != nil {
			yield(nil, err)
			return
		}
		for _, g := range grants {
			if filter.Match(g) && !yield(g, nil) {
				return
			}
		}
	}
}

// ListGrantsByKeys returns the grants of each of keys, by key, from one
// listing: the one ListGrants reads for a single key (GET
// /v1/shared_keys/index_with_details), which shows every shared key of the
// account, since Havr filters no listing by the note that carries the key.
// access.Apply looks a batch of keys up with it, so that n changes cost
// about n/access.ApplyBatch listings rather than n. A key with no grant has
// no entry; a listing that fails is an error, and nothing is returned.
func (c *Client) ListGrantsByKeys(ctx context.Context, keys []string) (map[string][]*access.Grant, error) {
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
	grants, err := c.listGrants(ctx)
	if err != nil {
		return nil, err
	}
	out := map[string][]*access.Grant{}
	for _, g := range grants {
		if want[g.Key] {
			out[g.Key] = append(out[g.Key], g)
		}
	}
	return out, nil
}

// listGrants reads every grant on the user's door locks: GET
// /v1/shared_keys/index_with_details, grouped into grants by the key in
// each shared key's note.
func (c *Client) listGrants(ctx context.Context) ([]*access.Grant, error) {
	keys, _, err := c.SharedKeys.ListWithDetails(ctx)
	if err != nil {
		return nil, err
	}
	now := time.Now()
	groups := groupByGrantKey(keys)
	grants := make([]*access.Grant, len(groups))
	for i, group := range groups {
		grants[i] = grantFromKeys(group, now)
	}
	return grants, nil
}

// groupByGrantKey groups shared keys by the grant key in their note, in the
// order of each group's lowest key id.
func groupByGrantKey(keys []SharedKeyIndexDetails) [][]SharedKeyDetails {
	slices.SortFunc(keys, func(a, b SharedKeyIndexDetails) int { return cmp.Compare(a.ID, b.ID) })
	index := map[string]int{}
	var groups [][]SharedKeyDetails
	for _, k := range keys {
		gk := keyFromNote(k.Note)
		if i, ok := index[gk]; ok && gk != "" {
			groups[i] = append(groups[i], k.SharedKeyDetails)
			continue
		}
		if gk != "" {
			index[gk] = len(groups)
		}
		groups = append(groups, []SharedKeyDetails{k.SharedKeyDetails})
	}
	return groups
}

// UpdateGrantWindow moves every shared key of the grant to the window:
// PATCH /v1/shared_keys/:id per key, then reads the grant back (GetGrant).
// The window is prepared as for CreateGrant. If a key fails, the keys
// before it keep the new window; the grant's window then shows only the
// part all keys share, and calling again finishes the move. A grant with a
// key whose period repeats (made so in Havr's app) answers
// access.ErrUnsupported, moved or (when the window does not fit the repeat)
// refused by Havr: an update cannot stop the repeat, and access.EnsureGrant
// then re-makes the grant.
func (c *Client) UpdateGrantWindow(ctx context.Context, grantID string, window access.Window) (*access.Grant, error) {
	ids, err := parseGrantID(grantID)
	if err != nil {
		return nil, err
	}
	w, notices, err := window.Prepare(time.Now(), Resolution)
	if err != nil {
		return nil, err
	}
	moved, err := c.moveKeys(ctx, ids, w)
	if err != nil {
		return nil, err
	}
	if err := stillRepeats(grantID, moved); err != nil {
		return nil, err
	}
	g, err := c.GetGrant(ctx, grantID)
	if err != nil {
		return nil, fmt.Errorf("havr: grant %s moved to %v; reading it back: %w", grantID, w, err)
	}
	g.Notices = append(g.Notices, notices...)
	return g, nil
}

// moveKeys moves each shared key to the window (PATCH /v1/shared_keys/:id),
// stopping at the first failure, and returns the keys as Havr answered.
func (c *Client) moveKeys(ctx context.Context, ids []ID, w access.Window) ([]SharedKey, error) {
	start, end := At(w.Start), At(w.End)
	moved := make([]SharedKey, len(ids))
	for i, id := range ids {
		k, _, err := c.SharedKeys.Update(ctx, id, SharedKeyUpdate{StartDate: &start, EndDate: &end})
		var herr *Error
		if errors.As(err, &herr) && strings.Contains(herr.Code, "_recurrency_cannot_be_applied_") {
			// The key repeats, and the window does not fit its repeat:
			// no move can make it a single period (see stillRepeats).
			return nil, fmt.Errorf("havr: shared key %s repeats, which an update cannot stop: %w (%w)", id, access.ErrUnsupported, err)
		}
		if err != nil {
			return nil, err
		}
		moved[i] = *k
	}
	return moved, nil
}

// UpdateListedGrantWindow moves a grant ListGrants or GetGrant returned to
// the window, as UpdateGrantWindow does, but builds the result from the
// grant as listed and Havr's answers to the PATCH requests instead of
// reading the grant back: access.EnsureGrant moves a booking it found with
// one request per door. The holder and credentials are the listing's; the
// window and each door's state are Havr's answers. A grant that did not
// come from this client's listing is moved as UpdateGrantWindow moves
// listed.ID; one whose listing shows a repeating key is
// access.ErrUnsupported before anything is sent.
func (c *Client) UpdateListedGrantWindow(ctx context.Context, listed *access.Grant, window access.Window) (*access.Grant, error) {
	if listed == nil {
		return nil, access.Invalid("grant", "is required")
	}
	keys, ok := listed.Native.([]SharedKey)
	if !ok || len(keys) == 0 || joinIDs(keys) != listed.ID {
		return c.UpdateGrantWindow(ctx, listed.ID, window)
	}
	ids, err := parseGrantID(listed.ID)
	if err != nil {
		return nil, err
	}
	w, notices, err := window.Prepare(time.Now(), Resolution)
	if err != nil {
		return nil, err
	}
	if err := stillRepeats(listed.ID, keys); err != nil {
		return nil, err // before anything is sent
	}
	moved, err := c.moveKeys(ctx, ids, w)
	if err != nil {
		return nil, err
	}
	if err := stillRepeats(listed.ID, moved); err != nil {
		return nil, err
	}
	credentials := map[string]access.Credential{}
	for _, d := range listed.Doors {
		credentials[d.VendorID] = d.Credential
	}
	g := *listed
	g.Native = moved
	g.Window = sharedWindow(moved)
	g.Doors = doorAccesses(moved, time.Now(), func(k SharedKey) access.Credential { return credentials[k.ID.String()] })
	g.Notices = append(slices.Clone(listed.Notices), notices...)
	return &g, nil
}
