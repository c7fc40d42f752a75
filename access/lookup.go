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

// GrantUpdater changes the window of an existing grant in place. The window
// is prepared as for CreateGrant (Window.Prepare). A vendor that cannot
// change a given grant's window answers ErrUnsupported; EnsureGrant then
// revokes and re-creates.
type GrantUpdater interface {
	UpdateGrantWindow(ctx context.Context, grantID string, window Window) (*Grant, error)
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
// error. An empty grant id marks a create under way
// or whose outcome is unknown (see CreateWithKeyStore); stores keep it like
// any other value.
//
// Vendors use CreateWithKeyStore and LookupKey rather than the store
// directly, so that every vendor records keys the same way.
type KeyStore interface {
	Get(ctx context.Context, key string) (grantID string, err error)
	Put(ctx context.Context, key, grantID string) error
	Delete(ctx context.Context, key string) error
}

// CreateWithKeyStore runs create, a vendor's create for a request with key,
// recording the key in store around it: first as a create under way (an
// empty grant id), then with the grant's id once the vendor answers. When
// create fails with ErrOutcomeUnknown the mark stays, so LookupKey reports
// the outcome as unknown instead of "no grant", and EnsureGrant does not
// create a second one. Other failures remove the mark. A key of "" runs
// create alone.
//
// Two processes creating for one key at the same moment are not kept
// apart: serialise the triggers of one booking.
func CreateWithKeyStore(ctx context.Context, store KeyStore, key string, create func() (*Grant, error)) (*Grant, error) {
	if key == "" {
		return create()
	}
	if err := store.Put(ctx, key, ""); err != nil {
		return nil, fmt.Errorf("access: recording key %q: %w", key, err)
	}
	g, err := create()
	switch {
	case errors.Is(err, ErrOutcomeUnknown):
		return nil, err
	case err != nil:
		return nil, errors.Join(err, store.Delete(context.WithoutCancel(ctx), key))
	}
	g.Key = key
	if err := store.Put(context.WithoutCancel(ctx), key, g.ID); err != nil {
		return g, fmt.Errorf("access: grant %s made, but recording key %q failed: %w", g.ID, key, err)
	}
	return g, nil
}

// LookupKey returns the grant id store holds for key: "" and no error when
// the store knows there is none, ErrKeyUnknown when it cannot tell (see
// KeyStore), ErrOutcomeUnknown when a create for the key had an unknown
// outcome (the vendor may or may not hold the grant; look it up another way
// or ask a person).
func LookupKey(ctx context.Context, store KeyStore, key string) (string, error) {
	id, err := store.Get(ctx, key)
	switch {
	case errors.Is(err, ErrNotFound):
		return "", nil
	case err != nil:
		return "", err
	case id == "":
		return "", fmt.Errorf("access: a create for key %q may have been made: %w", key, ErrOutcomeUnknown)
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
