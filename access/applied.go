package access

import (
	"context"
	"errors"
	"fmt"
	"sync"
)

// KeyStoreProvider is implemented by clients whose grants are found again
// through a KeyStore because the vendor cannot list them (resivo).
// PlanGrants reads such an account through the store: the keys under the
// owned prefix (KeyLister) and a GetGrant per key, so it sees only grants
// made with a key.
type KeyStoreProvider interface {
	KeyStore() KeyStore
}

// AppliedStore keeps, for each grant key, the window doorkit last applied
// at the vendor. It is how a plan tells a window edited in the vendor's
// portal (the vendor's window differs from the record) from a booking that
// moved (the vendor still holds what doorkit applied, the booking wants
// another window). EnsureGrant saves the record when it is given a store
// (WithAppliedStore, or a client whose KeyStore is also an AppliedStore),
// and Apply does the same; without a record a plan says only that the
// window differs.
//
// The in-memory KeyStores (NewMemoryKeyStore) implement it, so a vendor
// that keeps its keys there keeps the records with them; a shared store
// should implement it beside its KeyStore.
type AppliedStore interface {
	// LoadApplied returns the window recorded for key; ErrNotFound when
	// there is no record.
	LoadApplied(ctx context.Context, key string) (Window, error)
	// SaveApplied records w for key, replacing any earlier record.
	SaveApplied(ctx context.Context, key string, w Window) error
	// DeleteApplied drops the record of key; no record is not an error.
	DeleteApplied(ctx context.Context, key string) error
}

// WithAppliedStore makes EnsureGrant record in s the window it leaves at
// the vendor, and EnsureRevokedByKey drop the record, so that a later plan
// can tell a window changed outside doorkit (see AppliedStore). Give every
// EnsureGrant of an integration the same store a plan reads, or a booking
// moved by a trigger reads as a window changed in the portal. As an option
// of PlanGrants and Apply it names the store they read and write.
func WithAppliedStore(s AppliedStore) EnsureOption {
	return func(c *ensureConfig) { c.applied = s }
}

// NewMemoryAppliedStore returns an AppliedStore held in memory. It is safe
// for concurrent use.
func NewMemoryAppliedStore() AppliedStore { return &memoryApplied{} }

type memoryApplied struct {
	mu      sync.Mutex
	windows map[string]Window
}

func (m *memoryApplied) LoadApplied(ctx context.Context, key string) (Window, error) {
	if err := ctx.Err(); err != nil {
		return Window{}, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	w, ok := m.windows[key]
	if !ok {
		return Window{}, fmt.Errorf("access: no applied window for key %q: %w", key, ErrNotFound)
	}
	return w, nil
}

func (m *memoryApplied) SaveApplied(ctx context.Context, key string, w Window) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if key == "" {
		return Invalid("Key", "is required")
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.windows == nil {
		m.windows = map[string]Window{}
	}
	m.windows[key] = w.UTC()
	return nil
}

func (m *memoryApplied) DeleteApplied(ctx context.Context, key string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.windows, key)
	return nil
}

// The in-memory KeyStore keeps applied windows beside its keys.
func (m *memoryKeyStore) LoadApplied(ctx context.Context, key string) (Window, error) {
	return m.applied.LoadApplied(ctx, key)
}

func (m *memoryKeyStore) SaveApplied(ctx context.Context, key string, w Window) error {
	return m.applied.SaveApplied(ctx, key, w)
}

func (m *memoryKeyStore) DeleteApplied(ctx context.Context, key string) error {
	return m.applied.DeleteApplied(ctx, key)
}

// appliedStoreOf returns the store named by the options, else the
// client's KeyStore when it keeps applied windows, else nil.
func appliedStoreOf(client any, named AppliedStore) AppliedStore {
	if named != nil {
		return named
	}
	if p, ok := client.(KeyStoreProvider); ok {
		if s, ok := p.KeyStore().(AppliedStore); ok {
			return s
		}
	}
	return nil
}

// loadApplied returns the recorded window of key, ok false when there is
// none or no store.
func loadApplied(ctx context.Context, s AppliedStore, key string) (Window, bool, error) {
	if s == nil {
		return Window{}, false, nil
	}
	w, err := s.LoadApplied(ctx, key)
	switch {
	case errors.Is(err, ErrNotFound):
		return Window{}, false, nil
	case err != nil:
		return Window{}, false, err
	}
	return w, true, nil
}
