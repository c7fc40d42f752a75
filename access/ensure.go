package access

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"slices"
	"strings"
	"time"
)

// EnsureOutcome says what EnsureGrant did.
type EnsureOutcome uint8

// Outcomes of EnsureGrant.
const (
	// EnsureCreated: no grant had the key; one was created.
	EnsureCreated EnsureOutcome = iota + 1
	// EnsureUnchanged: the grant with the key already matched the request.
	EnsureUnchanged
	// EnsureUpdated: the grant's window was changed in place.
	EnsureUpdated
	// EnsureRecreated: the grant differed in a way the vendor cannot change
	// in place (doors, holder, or a window on a vendor without
	// GrantUpdater), or had failed; it was revoked and created again.
	EnsureRecreated
	// EnsureRecovered: a create's outcome was unknown and the lookup by key
	// found the grant it had made.
	EnsureRecovered
)

func (o EnsureOutcome) String() string {
	switch o {
	case EnsureCreated:
		return "created"
	case EnsureUnchanged:
		return "unchanged"
	case EnsureUpdated:
		return "updated"
	case EnsureRecreated:
		return "recreated"
	case EnsureRecovered:
		return "recovered"
	default:
		return fmt.Sprintf("EnsureOutcome(%d)", uint8(o))
	}
}

// windowTolerance is how far a grant's bounds may lie from the request's
// and still match: vendors round to their resolution (a second, a minute).
const windowTolerance = time.Minute

// EnsureGrant makes sure the grant for req.Key exists and matches req, and
// returns it with what it did. It is what a booking system calls on every
// "confirmed" or "moved" trigger, however often the trigger is delivered.
//
// The granter must also be a GrantLister: EnsureGrant finds the grant by
// listing with GrantFilter{Key: req.Key}, ignoring revoked grants.
//
//   - No grant: it creates one (EnsureCreated).
//   - A grant with the same doors, holder and window: returned as it is
//     (EnsureUnchanged). Windows match when each bound lies within a minute
//     of the request's, which absorbs vendor rounding; a start in the past
//     matches any grant that has already started, since it was clamped to
//     its creation time. Holders match on vendor user id when both sides
//     have one, else on email (ignoring case) when both have it. Labels,
//     credential kinds and PINs are not compared.
//   - A different window, same doors and holder, on a GrantUpdater: the
//     window is updated (EnsureUpdated).
//   - Otherwise, or when the update is ErrUnsupported, or when the grant
//     failed: the grant is revoked, then created again (EnsureRecreated).
//     It is revoked first so that two grants never carry one key; if the
//     create then fails, the next EnsureGrant creates it.
//
// The grant found is used as the listing showed it: a granter that can
// change or revoke a grant from its own listing (ListedGrantUpdater,
// ListedGrantRevoker) is handed it, so nothing is read twice; others get
// its id. Through a Directory, a request whose doors no account can grant
// (an account that does not grant, doors of two accounts) fails before
// anything is looked up.
//
// A create that fails with ErrOutcomeUnknown is resolved by listing by key
// again: a grant found is returned (EnsureRecovered) once it is checked
// like an existing one (a partial grant is re-made, in a recreate too, at
// most 3 times in one call before EnsureGrant gives up with
// ErrOutcomeUnknown). When the listing finds nothing, it creates once more
// only if the granter's lookup by key is authoritative (KeyAuthority), so
// that finding nothing proves nothing was made; otherwise it returns the
// create's error (ErrOutcomeUnknown) and leaves the key's turn pending
// (PendingLease): a later call is refused until the vendor can no longer
// act on that create (MemoryPendingWindow on the in-memory Locker, a lease
// TTL on redisstore's), then looks again and, finding no grant, creates.
// A failed lookup returns the create's error joined with the lookup's, and
// nothing is retried, so EnsureGrant never makes two grants for one key.
// Two grants found for one key are ErrConflict.
//
// Calls for one key take turns (EnsureRevokedByKey too) through the
// granter's Locker (LockerProvider: every vendor client has one, in memory
// by default) or the one WithLocker names, so two goroutines handling the
// same booking's triggers cannot both find no grant and both create one; a
// caller waiting for its turn returns when its context ends. With a shared
// Locker (redisstore) the turns hold across replicas; the work runs under
// the lease's context, so a holder that loses its lease stops. A turn whose
// earlier holder lost its lease, or ended with a vendor call of unknown
// outcome (this call too, when it ends so), is refused with a
// *PendingKeyError until the vendor can no longer act on that call
// (PendingLease): a create still on its way would otherwise land beside
// the one this call makes. A granter without a Locker and no WithLocker
// runs without turns.
//
// With an AppliedStore (WithAppliedStore, or a client whose KeyStore is
// one) EnsureGrant records the window it leaves at the vendor, so that
// PlanGrants can tell a window edited in the vendor's portal from a moved
// booking; a record that cannot be saved returns the grant with the error.
//
// A KeyStore that cannot prove a key absent (ErrKeyUnknown, the in-memory
// store after a restart) counts as "no grant": EnsureGrant creates, which
// after a restart can make a second grant for a booking; a durable
// KeyStore prevents that.
func EnsureGrant(ctx context.Context, g Granter, req GrantRequest, opts ...EnsureOption) (*Grant, EnsureOutcome, error) {
	if ctx == nil {
		return nil, 0, errNilContext
	}
	if req.Key == "" {
		return nil, 0, Invalid("Key", "is required by EnsureGrant")
	}
	if err := req.Validate(); err != nil {
		return nil, 0, err
	}
	lister, ok := g.(GrantLister)
	if !ok {
		return nil, 0, fmt.Errorf("access: EnsureGrant finds grants by key, and %T lists no grants: %w", g, ErrUnsupported)
	}
	if checker, ok := g.(interface{ checkGrantRequest(GrantRequest) error }); ok {
		// A Directory: doors no account can grant fail before any lookup.
		if err := checker.checkGrantRequest(req); err != nil {
			return nil, 0, err
		}
	}
	c := ensureOptions(g, opts)
	turn, err := c.keyTurn(ctx, req.Key)
	if err != nil {
		return nil, 0, err
	}
	grant, outcome, err := ensureGrant(turn.ctx, g, lister, req, c.listed)
	var saveErr error
	if err == nil && c.applied != nil {
		if held := heldTurnFor(turn.ctx, req.Key); held.records(c.applied) {
			w := grant.Window
			held.record.Applied = &w // made with the turn's release
		} else {
			saveErr = c.applied.SaveApplied(turn.ctx, req.Key, grant.Window)
		}
	}
	rerr := turn.release(err)
	switch {
	case err != nil:
		return grant, outcome, err
	case rerr != nil:
		return grant, outcome, recordError(grant.ID, outcome.String(), req.Key, turn.record, rerr)
	case saveErr != nil:
		return grant, outcome, fmt.Errorf("access: grant %s %s, but recording its window for key %q failed: %w", grant.ID, outcome, req.Key, saveErr)
	}
	return grant, outcome, nil
}

// recordError reports a grant EnsureGrant made or found whose record (its
// id, its applied window) the key's turn could not make as it ended.
func recordError(grantID, outcome, key string, rec TurnRecord, err error) error {
	if rec.GrantID != "" {
		return fmt.Errorf("access: grant %s was made, but key %q could not be recorded (it stays pending): %w: %w",
			grantID, key, ErrOutcomeUnknown, err)
	}
	return fmt.Errorf("access: grant %s %s, but recording its window for key %q failed: %w", grantID, outcome, key, err)
}

// ensureGrant is EnsureGrant under the key's turn. listed, when not nil,
// is what a listing by the key read under this turn (Apply's batch
// listing), which stands in for the first lookup; the lookup after a create
// of unknown outcome always lists afresh.
func ensureGrant(ctx context.Context, g Granter, lister GrantLister, req GrantRequest, listed iter.Seq2[*Grant, error]) (*Grant, EnsureOutcome, error) {
	if listed == nil {
		listed = lister.ListGrants(ctx, GrantFilter{Key: req.Key})
	}
	existing, err := oneGrant(listed, req.Key)
	if errors.Is(err, ErrKeyUnknown) {
		existing, err = nil, nil // a first trigger must work
	}
	if err != nil {
		return nil, 0, err
	}
	outcome := EnsureUnchanged
	if existing == nil {
		grant, made, err := create(ctx, g, lister, req, EnsureCreated)
		if err != nil || made != EnsureRecovered {
			return grant, made, err
		}
		// What the lost create made may be part of the grant (a vendor
		// that makes one object per door): check it like any other.
		existing, outcome = grant, EnsureRecovered
	}
	// A grant recovered after a lost create (here or in a recreate below)
	// may be part of the grant: it is checked like an existing one, a few
	// times at most, so that creates which keep losing their answers end in
	// an error rather than a loop.
	for range maxRepairs {
		failed := existing.State() == GrantFailed
		sameParties := sameDoors(existing.DoorIDs(), req.DoorIDs) && sameHolder(existing.Holder, req.Holder)
		sameWindow := windowMatches(existing.Window, req.Window, time.Now())
		if !failed && sameParties && sameWindow {
			return existing, outcome, nil
		}
		if !failed && sameParties {
			updated, err := updateWindow(ctx, g, existing, req.Window)
			if err == nil {
				return updated, EnsureUpdated, nil
			}
			if !errors.Is(err, ErrUnsupported) {
				return nil, 0, err
			}
		}
		if err := revokeFound(ctx, g, existing); err != nil {
			return nil, 0, err
		}
		grant, made, err := create(ctx, g, lister, req, EnsureRecreated)
		if err != nil || made != EnsureRecovered {
			return grant, made, err
		}
		existing, outcome = grant, EnsureRecovered
	}
	return nil, 0, fmt.Errorf("access: key %q: creates keep ending without an answer, and grant %s found after the last does not match the request: %w",
		req.Key, existing.ID, ErrOutcomeUnknown)
}

// updateWindow changes the window of found, a grant g's listing yielded a
// moment ago: from what the listing showed where g can (ListedGrantUpdater),
// so nothing is read twice, else by id. A g that cannot change windows
// answers ErrUnsupported.
func updateWindow(ctx context.Context, g Granter, found *Grant, window Window) (*Grant, error) {
	sending(ctx, found.Key)
	if u, ok := g.(ListedGrantUpdater); ok {
		return u.UpdateListedGrantWindow(ctx, found, window)
	}
	if u, ok := g.(GrantUpdater); ok {
		return u.UpdateGrantWindow(ctx, found.ID, window)
	}
	return nil, ErrUnsupported
}

// revokeFound revokes found, a grant g's listing yielded a moment ago, as
// EnsureRevoked does: from what the listing showed where g can
// (ListedGrantRevoker), else by id; gone already (ErrNotFound) is done.
func revokeFound(ctx context.Context, g Granter, found *Grant) error {
	sending(ctx, found.Key)
	r, ok := g.(ListedGrantRevoker)
	if !ok {
		return EnsureRevoked(ctx, g, found.ID)
	}
	if err := r.RevokeListedGrant(ctx, found); err != nil && !errors.Is(err, ErrNotFound) {
		return err
	}
	return nil
}

// errNilContext answers a nil context, as go-github does, instead of a
// panic further down.
var errNilContext = Invalid("ctx", "must be non-nil")

// maxRepairs bounds how often EnsureGrant re-makes a grant in one call.
const maxRepairs = 3

// create creates the grant, resolving an unknown outcome by key.
func create(ctx context.Context, g Granter, lister GrantLister, req GrantRequest, outcome EnsureOutcome) (*Grant, EnsureOutcome, error) {
	var err error
	for range 2 {
		var grant *Grant
		sending(ctx, req.Key)
		grant, err = g.CreateGrant(ctx, req)
		if err == nil {
			return grant, outcome, nil
		}
		if !errors.Is(err, ErrOutcomeUnknown) {
			return nil, 0, err
		}
		found, lerr := findByKey(ctx, lister, req.Key)
		if lerr != nil {
			return nil, 0, errors.Join(err, fmt.Errorf("access: looking up key %q after it: %w", req.Key, lerr))
		}
		if found != nil {
			return found, EnsureRecovered, nil
		}
		if !keyLookupAuthoritative(lister) {
			return nil, 0, fmt.Errorf("access: key %q: no grant found after a create of unknown outcome, but the lookup by key of %T is not authoritative, so that proves nothing and it is not created again: %w",
				req.Key, lister, err)
		}
		// The vendor's own word that nothing was made: creating again is safe.
	}
	return nil, 0, err
}

// KeyAuthority is implemented by a GrantLister that can say whether its
// lookup by key is authoritative: whether ListGrants with a Key filter that
// yields no grant is the vendor's own word that it holds no grant with the
// key, including one whose create was acted on a moment ago (its listing is
// complete and shows a grant as soon as it is made, and the key is read from
// the vendor's record, not from a guess or from a store that may forget).
//
// EnsureGrant creates a second time, after a create whose outcome is
// unknown found nothing, only on an authoritative lookup. A GrantLister that
// does not implement KeyAuthority is taken as not authoritative, the
// reading that never makes two grants for one key. It is a method rather
// than the type alone because the answer may depend on the value (a
// Directory is authoritative when each of its accounts is).
type KeyAuthority interface {
	KeyLookupAuthoritative() bool
}

// keyLookupAuthoritative reports whether l says its lookup by key is
// authoritative.
func keyLookupAuthoritative(l GrantLister) bool {
	a, ok := l.(KeyAuthority)
	return ok && a.KeyLookupAuthoritative()
}

// findByKey returns the one live grant with key, listing by key now.
func findByKey(ctx context.Context, lister GrantLister, key string) (*Grant, error) {
	return oneGrant(lister.ListGrants(ctx, GrantFilter{Key: key}), key)
}

// oneGrant returns the one live grant with key that listed, a listing by
// key, yields, or nil. A part of the listing that cannot prove the key
// absent (ErrKeyUnknown: a Directory account whose in-memory KeyStore never
// saw the key) does not hide what the other parts found; with nothing
// found, its error is returned.
func oneGrant(listed iter.Seq2[*Grant, error], key string) (*Grant, error) {
	found, err := withKey(listed, key)
	if err != nil && (len(found) == 0 || !errors.Is(err, ErrKeyUnknown)) {
		return nil, err
	}
	switch len(found) {
	case 0:
		return nil, nil
	case 1:
		return found[0], nil
	}
	ids := make([]string, len(found))
	for i, g := range found {
		ids[i] = g.ID
	}
	return nil, fmt.Errorf("access: key %q has %d grants (%s): %w", key, len(found), strings.Join(ids, ", "), ErrConflict)
}

// withKey returns the live grants with key that listed, a listing by key,
// yields. Errors matching ErrKeyUnknown are gathered and returned with what
// was found; any other error stops the listing.
func withKey(listed iter.Seq2[*Grant, error], key string) ([]*Grant, error) {
	var found []*Grant
	var unknown []error
	for g, err := range listed {
		if errors.Is(err, ErrKeyUnknown) {
			unknown = append(unknown, err)
			continue
		}
		if err != nil {
			return nil, err
		}
		if g == nil || g.Key != key || g.State() == GrantRevoked {
			continue
		}
		found = append(found, g)
	}
	return found, errors.Join(unknown...)
}

func sameDoors(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(slices.Compact(a), slices.Compact(b))
}

func sameHolder(have, want Person) bool {
	// A vendor user id names the holder: the email the vendor shows for the
	// account (Havr lists the user's own) may differ from the booking's.
	if have.VendorUserID != "" && want.VendorUserID != "" {
		return have.VendorUserID == want.VendorUserID
	}
	if have.Email != "" && want.Email != "" && !strings.EqualFold(have.Email, want.Email) {
		return false
	}
	return true
}

func windowMatches(have, want Window, now time.Time) bool {
	near := func(a, b time.Time) bool { return a.Sub(b).Abs() < windowTolerance }
	startOK := near(have.Start, want.Start) || (want.Start.Before(now) && !have.Start.After(now.Add(windowTolerance)))
	return startOK && near(have.End, want.End)
}

// EnsureRevoked revokes a grant and treats one already gone (ErrNotFound)
// as done, so a cancellation can be delivered any number of times.
func EnsureRevoked(ctx context.Context, g Granter, grantID string) error {
	if ctx == nil {
		return errNilContext
	}
	if grantID == "" {
		return Invalid("grantID", "is required")
	}
	if err := g.RevokeGrant(ctx, grantID); err != nil && !errors.Is(err, ErrNotFound) {
		return err
	}
	return nil
}

// EnsureRevokedByKey revokes every live grant carrying key, for a booking
// system that cancels by booking id and never stored the grant id. No grant
// with the key is done only when the granter's listing proves it: a KeyStore
// that cannot prove a key absent (ErrKeyUnknown) makes it fail with that
// error rather than report a revocation that may not have happened, unless
// another part of the listing (a Directory's other account) found the
// key's grant, which is then revoked: a booking's key names one grant. The
// granter must be a GrantLister. It takes the key's turn as EnsureGrant
// does, revokes the grants found as EnsureGrant does (from the listing,
// through ListedGrantRevoker, where the granter can), and drops the key's
// AppliedStore record once its grants are gone.
func EnsureRevokedByKey(ctx context.Context, g Granter, key string, opts ...EnsureOption) error {
	if ctx == nil {
		return errNilContext
	}
	if key == "" {
		return Invalid("Key", "is required")
	}
	if err := ValidateKey(key); err != nil {
		return err
	}
	lister, ok := g.(GrantLister)
	if !ok {
		return fmt.Errorf("access: %T lists no grants, so it cannot find key %q: %w", g, key, ErrUnsupported)
	}
	c := ensureOptions(g, opts)
	turn, err := c.keyTurn(ctx, key)
	if err != nil {
		return err
	}
	err = revokeByKey(turn.ctx, g, lister, key, c.applied)
	if rerr := turn.release(err); rerr != nil && err == nil {
		return rerr
	}
	return err
}

// revokeByKey is EnsureRevokedByKey under the key's turn.
func revokeByKey(ctx context.Context, g Granter, lister GrantLister, key string, applied AppliedStore) error {
	found, err := withKey(lister.ListGrants(ctx, GrantFilter{Key: key}), key)
	if err != nil && (len(found) == 0 || !errors.Is(err, ErrKeyUnknown)) {
		// Nothing found where a store may have forgotten the key: the
		// grant may live on.
		return err
	}
	var errs []error
	for _, grant := range found {
		errs = append(errs, revokeFound(ctx, g, grant))
	}
	if err := errors.Join(errs...); err != nil || applied == nil {
		return err
	}
	return applied.DeleteApplied(ctx, key)
}
