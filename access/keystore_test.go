package access_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/access/accesstest"
)

// A create for a key whose earlier create had an unknown outcome must not
// be sent: the vendor may hold the grant, and a second create would make a
// second one whose record hides the first.
func TestCreateWithKeyStoreRefusesAPendingKey(t *testing.T) {
	ctx := context.Background()
	m := accesstest.NewMemory(accesstest.MemoryDoors()...)
	g := storeGranter{m, access.NewMemoryKeyStore()}
	m.LoseNextCreate()
	before := time.Now()
	_, err := g.CreateGrant(ctx, booking("BK-30"))
	require.ErrorIs(t, err, access.ErrOutcomeUnknown)
	after := time.Now()

	_, err = g.CreateGrant(ctx, booking("BK-30"))
	var pending *access.PendingKeyError
	require.ErrorAs(t, err, &pending, "the key is pending")
	assert.ErrorIs(t, err, access.ErrOutcomeUnknown)
	assert.Equal(t, "BK-30", pending.Key)
	assert.False(t, pending.Since.Before(before.Truncate(time.Second)) || pending.Since.After(after), "sent at %v, between %v and %v", pending.Since, before, after)
	assert.Equal(t, 1, m.Creates(), "nothing sent for a pending key")

	_, err = access.LookupKey(ctx, g.store, "BK-30", access.WithResolveAdvice("ask the vendor"))
	require.ErrorAs(t, err, &pending)
	assert.Equal(t, "ask the vendor", pending.Resolve)
	assert.Contains(t, err.Error(), "ask the vendor")
}

// A mark written as "" (without a time) is a create under way too.
func TestAnEmptyMarkIsPending(t *testing.T) {
	ctx := context.Background()
	store := access.NewCompleteMemoryKeyStore()
	require.NoError(t, store.Put(ctx, "BK-31", ""))
	_, err := access.LookupKey(ctx, store, "BK-31")
	var pending *access.PendingKeyError
	require.ErrorAs(t, err, &pending)
	assert.True(t, pending.Since.IsZero())
	assert.True(t, access.KeyEntry{Key: "BK-31"}.Pending())
	assert.False(t, access.KeyEntry{Key: "BK-31", GrantID: "g1"}.Pending())

	var created bool
	_, err = access.CreateWithKeyStore(ctx, store, "BK-31", func() (*access.Grant, error) { created = true; return &access.Grant{ID: "g"}, nil })
	assert.ErrorAs(t, err, &pending)
	assert.False(t, created)
}

// WithLiveCheck refuses a key whose grant is live, and frees it once the
// grant is revoked or gone.
func TestCreateWithKeyStoreLiveCheck(t *testing.T) {
	ctx := context.Background()
	m := accesstest.NewMemory(accesstest.MemoryDoors()...)
	store := access.NewMemoryKeyStore()
	create := func(req access.GrantRequest) (*access.Grant, error) {
		key := req.Key
		req.Key = ""
		return access.CreateWithKeyStore(ctx, store, key, func() (*access.Grant, error) { return m.CreateGrant(ctx, req) },
			access.WithLiveCheck(m))
	}
	first, err := create(booking("BK-32"))
	require.NoError(t, err)
	assert.Equal(t, "BK-32", first.Key)

	_, err = create(booking("BK-32"))
	assert.ErrorIs(t, err, access.ErrConflict)
	assert.Equal(t, 1, m.Creates())
	id, err := store.Get(ctx, "BK-32")
	require.NoError(t, err)
	assert.Equal(t, first.ID, id, "the refused create leaves the record alone")

	require.NoError(t, m.RevokeGrant(ctx, first.ID))
	second, err := create(booking("BK-32"))
	require.NoError(t, err)
	assert.NotEqual(t, first.ID, second.ID)
}

// WithCreateTurns takes the key's turn on the given Locker around the
// create.
func TestCreateWithKeyStoreTakesTurns(t *testing.T) {
	ctx := context.Background()
	locker := &namingLocker{Locker: access.NewMemoryLocker()}
	store := access.NewMemoryKeyStore()
	_, err := access.CreateWithKeyStore(ctx, store, "BK-33", func() (*access.Grant, error) {
		assert.Equal(t, []string{access.KeyTurnName("BK-33")}, locker.held(), "the create runs under the key's turn")
		return &access.Grant{ID: "g1"}, nil
	}, access.WithCreateTurns(locker))
	require.NoError(t, err)
	assert.Empty(t, locker.held(), "released after")
}

// A grant made whose record cannot be saved leaves the key pending, and
// says so as an unknown outcome naming the grant.
func TestCreateWithKeyStoreRecordFailure(t *testing.T) {
	ctx := context.Background()
	boom := errors.New("store down")
	store := &failSecondPut{KeyStore: access.NewMemoryKeyStore(), err: boom}
	g, err := access.CreateWithKeyStore(ctx, store, "BK-34", func() (*access.Grant, error) { return &access.Grant{ID: "g9"}, nil })
	assert.Nil(t, g)
	assert.ErrorIs(t, err, access.ErrOutcomeUnknown)
	assert.ErrorIs(t, err, boom)
	assert.ErrorContains(t, err, "g9")
	_, err = access.LookupKey(ctx, store, "BK-34")
	assert.ErrorIs(t, err, access.ErrOutcomeUnknown)
}

type failSecondPut struct {
	access.KeyStore
	puts int
	err  error
}

func (f *failSecondPut) Put(ctx context.Context, key, id string) error {
	if f.puts++; f.puts == 2 {
		return f.err
	}
	return f.KeyStore.Put(ctx, key, id)
}

// namingLocker records the names whose leases are held.
type namingLocker struct {
	access.Locker
	mu    sync.Mutex
	names []string
}

func (n *namingLocker) Lock(ctx context.Context, name string) (access.Lease, error) {
	l, err := n.Locker.Lock(ctx, name)
	if err != nil {
		return nil, err
	}
	n.mu.Lock()
	n.names = append(n.names, name)
	n.mu.Unlock()
	return releasing{l, func() {
		n.mu.Lock()
		defer n.mu.Unlock()
		for i, s := range n.names {
			if s == name {
				n.names = append(n.names[:i], n.names[i+1:]...)
				break
			}
		}
	}}, nil
}

func (n *namingLocker) held() []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]string(nil), n.names...)
}

type releasing struct {
	access.Lease
	done func()
}

func (r releasing) Release(ctx context.Context) error { r.done(); return r.Lease.Release(ctx) }
