package access

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"slices"
	"strings"
	"sync"
	"time"
)

// GrantGetter returns a grant by the id CreateGrant gave. An unknown or
// revoked grant is ErrNotFound, unless the vendor keeps revoked grants, in
// which case it is returned with state GrantRevoked.
type GrantGetter interface {
	GetGrant(ctx context.Context, grantID string) (*Grant, error)
}

// GrantLister lists grants matching a filter. The sequence yields a non-nil
// error at most once per failing part (a page, an account) and may go on
// after it; a caller that stops at the first error stops the listing.
//
// Listing by Key is how EnsureGrant finds a grant again, so it must be
// truthful: it may yield nothing only when no grant with that key exists.
// An implementation that cannot tell (a KeyStore entry for a create whose
// outcome is unknown) yields an error matching ErrOutcomeUnknown instead.
type GrantLister interface {
	ListGrants(ctx context.Context, filter GrantFilter) iter.Seq2[*Grant, error]
}

// GrantsByKeysLister is implemented by a GrantLister whose listing by key
// reads the whole account, because the vendor has no filter by key (Havr,
// August): looking n keys up one at a time reads the account n times, so
// n lookups cost n times the account's size. ListGrantsByKeys looks many
// keys up with one reading. Apply uses it for a batch of changes of one
// account, read once the turns of all their keys are held (see Apply).
//
// The grants it returns for a key must be those ListGrants with
// GrantFilter{Key: key} would have yielded at that moment, found the same
// way (revoked ones may be left out; Apply skips them as EnsureGrant does),
// and a key it returns nothing for must be one ListGrants by that key
// would have yielded nothing for. An error means the reading could not
// show every key's grants (the listing failed, or a part of it that may
// hold one of them): the map is then nil and nothing may be taken for "no
// grant"; Apply looks each key up alone instead. Apply passes distinct,
// non-empty keys; an empty one is ErrInvalid.
type GrantsByKeysLister interface {
	ListGrantsByKeys(ctx context.Context, keys []string) (map[string][]*Grant, error)
}

// GrantUpdater changes the window of an existing grant in place. The window
// is prepared as for CreateGrant (Window.Prepare). A vendor that cannot
// change a given grant's window answers ErrUnsupported; EnsureGrant then
// revokes and re-creates.
type GrantUpdater interface {
	UpdateGrantWindow(ctx context.Context, grantID string, window Window) (*Grant, error)
}

// ListedGrantUpdater is implemented by a GrantUpdater that can change the
// window of a grant its own ListGrants has just yielded from what the
// listing showed of it, without reading the grant again. EnsureGrant uses
// it for the grant it found by key.
//
// listed must be a grant the implementation's ListGrants (or GetGrant)
// returned, unchanged; one it does not recognise as its own (Native of
// another type, a grant built by hand) is handled as UpdateGrantWindow
// handles listed.ID. The result and its errors are UpdateGrantWindow's.
type ListedGrantUpdater interface {
	UpdateListedGrantWindow(ctx context.Context, listed *Grant, window Window) (*Grant, error)
}

// ListedGrantRevoker is implemented by a Granter that can revoke a grant its
// own ListGrants has just yielded from what the listing showed of it,
// without reading the grant again. EnsureGrant and EnsureRevokedByKey use it
// for the grants they found by key.
//
// listed must be a grant the implementation's ListGrants (or GetGrant)
// returned, unchanged; one it does not recognise as its own is handled as
// RevokeGrant handles listed.ID. Errors are RevokeGrant's: a grant already
// gone is ErrNotFound only on the vendor's word, never on the listing's
// (which may be a moment old).
type ListedGrantRevoker interface {
	RevokeListedGrant(ctx context.Context, listed *Grant) error
}

// GrantFilter selects grants. Zero fields match everything; set fields
// must all match.
type GrantFilter struct {
	Key         string    // Grant.Key equals Key
	DoorID      string    // the grant covers this door
	HolderEmail string    // Holder.Email equals it, ignoring case
	ActiveAt    time.Time // the grant's window contains it
}

// Validate reports a malformed filter: a Key ValidateKey refuses, a
// HolderEmail ValidateEmail refuses. Implementations call it, and check
// DoorID against their own id format, before anything is sent: a filter
// no grant can match because it is malformed is ErrInvalid, not an empty
// listing.
func (f GrantFilter) Validate() error {
	if err := ValidateKey(f.Key); err != nil {
		return err
	}
	if f.HolderEmail != "" {
		return ValidateEmailField("HolderEmail", f.HolderEmail)
	}
	return nil
}

// Match reports whether g matches the filter. Implementations that filter
// on their side use it so that every vendor filters alike.
func (f GrantFilter) Match(g *Grant) bool {
	if g == nil {
		return false
	}
	if f.Key != "" && g.Key != f.Key {
		return false
	}
	if f.DoorID != "" && !slices.Contains(g.DoorIDs(), f.DoorID) {
		return false
	}
	if f.HolderEmail != "" && !strings.EqualFold(g.Holder.Email, f.HolderEmail) {
		return false
	}
	if !f.ActiveAt.IsZero() && !g.Window.Contains(f.ActiveAt) {
		return false
	}
	return true
}

// KeyStore maps grant keys to grant ids for vendors that cannot keep the
// caller's key themselves. Such vendors take a KeyStore option; the default
// is NewMemoryKeyStore. Plug in a durable or shared store (a database table,
// Redis) when several processes grant for the same bookings or a restart
// must not forget keys.
//
// Get of an unknown key is ErrNotFound only when the store can prove that
// no grant carries the key: it outlives the process and every grant's key
// was recorded in it. A store that cannot (an in-memory one after a
// restart) answers ErrKeyUnknown, so that a revoke by key is never reported
// done on a miss. A durable store that finds it has lost its data (redisstore
// keeps an epoch) fails with an error matching ErrUnavailable instead: a
// lost store must stop EnsureGrant, which takes ErrKeyUnknown as "no grant"
// and creates. Put replaces the entry. Delete of an unknown key is not an
// error. Values are opaque to the store: besides grant ids,
// CreateWithKeyStore puts a mark for a create under way or whose outcome is
// unknown (KeyEntry.Pending tells it apart), which a store keeps like any
// other value.
//
// Vendors use CreateWithKeyStore and LookupKey rather than the store
// directly, so that every vendor records keys the same way.
type KeyStore interface {
	Get(ctx context.Context, key string) (grantID string, err error)
	Put(ctx context.Context, key, grantID string) error
	Delete(ctx context.Context, key string) error
}

// pendingPrefix starts the mark CreateWithKeyStore records for a create
// under way: the prefix and the time the create was sent (RFC 3339). No
// vendor's grant id starts with '?'. An empty value, the mark of earlier
// releases, reads as a create under way too, sent at an unknown time.
const pendingPrefix = "?pending "

func pendingMark(sent time.Time) string { return pendingPrefix + sent.UTC().Format(time.RFC3339) }

// pendingSince reports whether a stored value is a pending mark, and the
// time it names (zero when it names none).
func pendingSince(value string) (time.Time, bool) {
	if value == "" {
		return time.Time{}, true
	}
	rest, ok := strings.CutPrefix(value, pendingPrefix)
	if !ok {
		return time.Time{}, false
	}
	t, _ := time.Parse(time.RFC3339, rest)
	return t, true
}

// PendingKeyError reports a key whose create may have reached the vendor
// while its answer never arrived (or whose process stopped before recording
// it): the vendor may hold a grant for the key that the store cannot name.
// It matches ErrOutcomeUnknown (and so ErrUnavailable), so EnsureGrant
// creates nothing more for the key. Settle it by finding the grant at the
// vendor and recording its id under the key (KeyStore.Put), or by deleting
// the key when the vendor holds none; a vendor package may offer a method
// for that (resivo's Client.ResolveKey), which Resolve then names.
type PendingKeyError struct {
	Key string
	// Since is when the create was sent; zero when the mark does not say.
	Since time.Time
	// Until, when set, is when the mark lapses: a call of an earlier
	// holder of the key's turn that the vendor may act on until then
	// (PendingLease). A call after it looks at the vendor again.
	Until time.Time
	// Resolve tells how to settle the key with this vendor (where to look
	// for the grant, what to call); empty for the general advice above.
	Resolve string
}

func (e *PendingKeyError) Error() string {
	if !e.Until.IsZero() {
		return fmt.Sprintf("access: key %q: an earlier holder of the key's turn ended it with a vendor call whose outcome it did not learn (its lease was lost, or the call's answer), which the vendor may act on until %s; call again after that",
			e.Key, e.Until.UTC().Format(time.RFC3339))
	}
	sent := "a create"
	if !e.Since.IsZero() {
		sent += " sent at " + e.Since.Format(time.RFC3339)
	}
	msg := fmt.Sprintf("access: key %q: %s has an unknown outcome", e.Key, sent)
	if e.Resolve != "" {
		return msg + "; " + e.Resolve
	}
	return msg + "; find the grant at the vendor and record it (or its absence) in the key store"
}

// Is matches ErrOutcomeUnknown and ErrUnavailable.
func (e *PendingKeyError) Is(target error) bool {
	return target == ErrOutcomeUnknown || target == ErrUnavailable
}

// KeyOption configures CreateWithKeyStore and LookupKey for a vendor.
type KeyOption func(*keyConfig)

type keyConfig struct {
	locker  Locker
	getter  GrantGetter
	resolve string
}

// WithCreateTurns makes creates for one key take the key's turn on l
// (KeyTurnName), so that two callers creating for one key at the same
// moment, in one process or, with a shared Locker, in several, do not both
// find it free. A create whose caller holds the key's turn on l already
// (EnsureGrant, see HoldsKeyTurn) does not take it again. Give it the
// client's own Locker.
func WithCreateTurns(l Locker) KeyOption { return func(c *keyConfig) { c.locker = l } }

// WithLiveCheck makes CreateWithKeyStore read the grant a key already maps
// to before creating: a grant that is still live (neither revoked nor
// expired nor gone at the vendor) makes the create ErrConflict rather than
// a second grant whose record would hide the first.
func WithLiveCheck(g GrantGetter) KeyOption { return func(c *keyConfig) { c.getter = g } }

// WithResolveAdvice sets the PendingKeyError.Resolve of the errors that
// report a pending key: how to settle it with this vendor.
func WithResolveAdvice(advice string) KeyOption { return func(c *keyConfig) { c.resolve = advice } }

func keyOptions(opts []KeyOption) keyConfig {
	var c keyConfig
	for _, o := range opts {
		o(&c)
	}
	return c
}

// CreateWithKeyStore runs create, a vendor's create for a request with key,
// recording the key in store around it. A key that is pending (a create
// for it had an unknown outcome) is refused with a *PendingKeyError before
// anything is sent; with WithLiveCheck, so is a key whose grant is live
// (ErrConflict). Otherwise the key is first recorded as a create under way
// (a mark with the time it was sent), then with the grant's id once the
// vendor answers. When create fails with ErrOutcomeUnknown the mark stays,
// so LookupKey reports the key as pending instead of "no grant", and
// EnsureGrant does not create a second one. Other failures remove the mark.
// The store is updated even when ctx ended meanwhile. A key of "" runs
// create alone.
//
// A grant made whose id cannot be recorded is reported as an error
// matching ErrOutcomeUnknown that names the grant: the key stays pending.
// Under the key's turn taken by EnsureGrant or Apply from store itself (a
// TurnRecorder), the id is recorded with the turn's release, and they
// report that error.
//
// Without WithCreateTurns two processes creating for one key at the same
// moment are not kept apart: serialise the triggers of one booking.
func CreateWithKeyStore(ctx context.Context, store KeyStore, key string, create func() (*Grant, error), opts ...KeyOption) (*Grant, error) {
	if key == "" {
		return create()
	}
	c := keyOptions(opts)
	if c.locker != nil && !HoldsKeyTurn(ctx, c.locker, key) {
		lease, err := c.locker.Lock(ctx, KeyTurnName(key))
		if err != nil {
			return nil, fmt.Errorf("access: waiting for key %q's turn: %w", key, err)
		}
		defer func() { _ = lease.Release(context.WithoutCancel(ctx)) }()
		ctx = lease.Context()
	}
	if err := c.checkFree(ctx, store, key); err != nil {
		return nil, err
	}
	if err := store.Put(ctx, key, pendingMark(time.Now())); err != nil {
		return nil, fmt.Errorf("access: recording key %q: %w", key, err)
	}
	g, err := create()
	storeCtx := context.WithoutCancel(ctx)
	switch {
	case errors.Is(err, ErrOutcomeUnknown):
		return nil, err
	case err != nil:
		if derr := store.Delete(storeCtx, key); derr != nil {
			return nil, errors.Join(err, fmt.Errorf("access: freeing key %q: %w", key, derr))
		}
		return nil, err
	}
	g.Key = key
	if held := heldTurnFor(ctx, key); held.records(store) {
		// Under EnsureGrant's or Apply's turn on this store: the id is
		// recorded with the turn's release, which they check.
		held.record.GrantID = g.ID
		return g, nil
	}
	if err := store.Put(storeCtx, key, g.ID); err != nil {
		return nil, fmt.Errorf("access: grant %s was made, but key %q could not be recorded (it stays pending): %w: %w",
			g.ID, key, ErrOutcomeUnknown, err)
	}
	return g, nil
}

// checkFree refuses a key that is pending or, with a getter, whose grant is
// still live. A key the store does not know is free: a first create must
// work (see EnsureGrant).
func (c keyConfig) checkFree(ctx context.Context, store KeyStore, key string) error {
	id, err := store.Get(ctx, key)
	switch {
	case errors.Is(err, ErrNotFound), errors.Is(err, ErrKeyUnknown):
		return nil
	case err != nil:
		return fmt.Errorf("access: key store: %w", err)
	}
	if since, ok := pendingSince(id); ok {
		return &PendingKeyError{Key: key, Since: since, Resolve: c.resolve}
	}
	if c.getter == nil {
		return nil
	}
	g, err := c.getter.GetGrant(ctx, id)
	switch {
	case errors.Is(err, ErrNotFound):
		return nil
	case err != nil:
		return err
	}
	switch g.State() {
	case GrantRevoked, GrantExpired:
		return nil
	}
	return fmt.Errorf("access: key %q already has grant %s: %w", key, id, ErrConflict)
}

// LookupKey returns the grant id store holds for key: "" and no error when
// the store knows there is none, ErrKeyUnknown when it cannot tell (see
// KeyStore), a *PendingKeyError (matching ErrOutcomeUnknown) when a create
// for the key had an unknown outcome (the vendor may or may not hold the
// grant; look it up another way or ask a person). Of the options it heeds
// WithResolveAdvice.
func LookupKey(ctx context.Context, store KeyStore, key string, opts ...KeyOption) (string, error) {
	id, err := store.Get(ctx, key)
	switch {
	case errors.Is(err, ErrNotFound):
		return "", nil
	case err != nil:
		return "", err
	}
	if since, ok := pendingSince(id); ok {
		return "", &PendingKeyError{Key: key, Since: since, Resolve: keyOptions(opts).resolve}
	}
	return id, nil
}

// NewMemoryKeyStore returns a KeyStore held in memory, which is also a
// KeyLister. It lasts as long as the process, so it cannot prove a key
// absent: Get of a key it never saw is ErrKeyUnknown (a previous process may
// have recorded it), and only a key it deleted itself is ErrNotFound. It
// keeps the keys it deleted, so it grows with every key the process used.
// It is safe for concurrent use.
func NewMemoryKeyStore() KeyStore {
	return &memoryKeyStore{ids: map[string]string{}, deleted: map[string]bool{}}
}

// NewCompleteMemoryKeyStore returns a memory KeyStore that takes itself
// for complete: Get of a key it never saw is ErrNotFound. That is true only
// where nothing outlives the process, such as tests and programs on
// doorkit's in-memory vendor fakes; against a real vendor use
// NewMemoryKeyStore or a durable store.
func NewCompleteMemoryKeyStore() KeyStore {
	return &memoryKeyStore{ids: map[string]string{}, deleted: map[string]bool{}, complete: true}
}

type memoryKeyStore struct {
	complete bool
	mu       sync.Mutex
	ids      map[string]string
	deleted  map[string]bool
	applied  memoryApplied // the windows doorkit applied, by key (AppliedStore)
}

func (m *memoryKeyStore) Get(ctx context.Context, key string) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	id, ok := m.ids[key]
	switch {
	case ok:
		return id, nil
	case m.deleted[key], m.complete:
		return "", ErrNotFound
	}
	return "", fmt.Errorf("access: key %q: %w", key, ErrKeyUnknown)
}

func (m *memoryKeyStore) Put(ctx context.Context, key, grantID string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := ValidateKey(key); err != nil {
		return err
	}
	if key == "" {
		return Invalid("Key", "is required")
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.ids[key] = grantID
	delete(m.deleted, key)
	return nil
}

func (m *memoryKeyStore) Delete(ctx context.Context, key string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.ids, key)
	m.deleted[key] = true
	return nil
}

func (m *memoryKeyStore) ListKeys(ctx context.Context, prefix string) iter.Seq2[KeyEntry, error] {
	return func(yield func(KeyEntry, error) bool) {
		if err := ctx.Err(); err != nil {
			yield(KeyEntry{}, err)
			return
		}
		m.mu.Lock()
		var out []KeyEntry
		for k, id := range m.ids {
			if strings.HasPrefix(k, prefix) {
				out = append(out, KeyEntry{Key: k, GrantID: id})
			}
		}
		m.mu.Unlock()
		slices.SortFunc(out, func(a, b KeyEntry) int { return strings.Compare(a.Key, b.Key) })
		for _, e := range out {
			if !yield(e, nil) {
				return
			}
		}
	}
}
