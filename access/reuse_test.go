package access_test

import (
	"context"
	"iter"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/access/accesstest"
)

// listedMemory is Memory with ListedGrantUpdater and ListedGrantRevoker:
// it counts which way EnsureGrant changes and revokes grants, and checks
// that a listed grant handed back is one its listing yielded.
type listedMemory struct {
	*accesstest.Memory
	t        *testing.T
	mu       sync.Mutex
	yielded  map[string]*access.Grant // by id, the last yielded
	byID     int                      // UpdateGrantWindow, RevokeGrant
	byListed int                      // UpdateListedGrantWindow, RevokeListedGrant
	lists    int
}

func newListedMemory(t *testing.T) *listedMemory {
	return &listedMemory{Memory: accesstest.NewMemory(accesstest.MemoryDoors()...), t: t, yielded: map[string]*access.Grant{}}
}

func (l *listedMemory) ListGrants(ctx context.Context, f access.GrantFilter) iter.Seq2[*access.Grant, error] {
	l.mu.Lock()
	l.lists++
	l.mu.Unlock()
	return func(yield func(*access.Grant, error) bool) {
		for g, err := range l.Memory.ListGrants(ctx, f) {
			if g != nil {
				l.mu.Lock()
				l.yielded[g.ID] = g
				l.mu.Unlock()
			}
			if !yield(g, err) {
				return
			}
		}
	}
}

func (l *listedMemory) count(listed *access.Grant) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if listed == nil {
		l.byID++
		return
	}
	l.byListed++
	assert.Equal(l.t, l.yielded[listed.ID], listed, "the grant the listing yielded, in the account's own ids")
}

func (l *listedMemory) UpdateGrantWindow(ctx context.Context, id string, w access.Window) (*access.Grant, error) {
	l.count(nil)
	return l.Memory.UpdateGrantWindow(ctx, id, w)
}

func (l *listedMemory) RevokeGrant(ctx context.Context, id string) error {
	l.count(nil)
	return l.Memory.RevokeGrant(ctx, id)
}

func (l *listedMemory) UpdateListedGrantWindow(ctx context.Context, g *access.Grant, w access.Window) (*access.Grant, error) {
	l.count(g)
	return l.Memory.UpdateGrantWindow(ctx, g.ID, w)
}

func (l *listedMemory) RevokeListedGrant(ctx context.Context, g *access.Grant) error {
	l.count(g)
	return l.Memory.RevokeGrant(ctx, g.ID)
}

// A grant EnsureGrant found by key is changed and revoked from what the
// listing showed, never looked up again by id.
func TestEnsureGrantReusesTheGrantItFound(t *testing.T) {
	for _, viaDirectory := range []bool{false, true} {
		t.Run(map[bool]string{false: "vendor", true: "directory"}[viaDirectory], func(t *testing.T) {
			ctx := context.Background()
			m := newListedMemory(t)
			var g access.Granter = m
			req := booking("BK-reuse")
			if viaDirectory {
				d := access.NewDirectory()
				require.NoError(t, d.Add("hq", m))
				g = d
				req.DoorIDs = []string{"hq:m1", "hq:m2"}
			}
			_, outcome, err := access.EnsureGrant(ctx, g, req)
			require.NoError(t, err)
			require.Equal(t, access.EnsureCreated, outcome)

			moved := req
			moved.Window.End = moved.Window.End.Add(time.Hour)
			updated, outcome, err := access.EnsureGrant(ctx, g, moved)
			require.NoError(t, err)
			assert.Equal(t, access.EnsureUpdated, outcome)
			assert.True(t, updated.Window.End.Equal(moved.Window.End))
			assert.Equal(t, viaDirectory, strings.HasPrefix(updated.ID, "hq:"), "ids in the caller's terms: %s", updated.ID)

			otherHolder := moved
			otherHolder.Holder = access.Person{Email: "bob@example.com"}
			_, outcome, err = access.EnsureGrant(ctx, g, otherHolder)
			require.NoError(t, err)
			assert.Equal(t, access.EnsureRecreated, outcome)
			assert.Equal(t, 1, m.Live())

			require.NoError(t, access.EnsureRevokedByKey(ctx, g, req.Key))
			assert.Zero(t, m.Live())
			assert.Equal(t, 3, m.byListed, "update, revoke before the re-make, revoke by key")
			assert.Zero(t, m.byID, "nothing looked up again by id")
		})
	}
}

// EnsureRevoked's rule holds for a listed grant too: gone already is done.
func TestEnsureGrantRevokingAListedGrantAlreadyGone(t *testing.T) {
	ctx := context.Background()
	m := newListedMemory(t)
	req := booking("BK-gone")
	_, _, err := access.EnsureGrant(ctx, m, req)
	require.NoError(t, err)
	goner := &revokedUnderneath{listedMemory: m}
	require.NoError(t, access.EnsureRevokedByKey(ctx, goner, req.Key), "ErrNotFound from the vendor is done")
	assert.Zero(t, m.Live())
}

// revokedUnderneath revokes the grant by id just before the listed revoke,
// as another process might, so the listed revoke meets ErrNotFound.
type revokedUnderneath struct{ *listedMemory }

func (r *revokedUnderneath) RevokeListedGrant(ctx context.Context, g *access.Grant) error {
	require.NoError(r.t, r.Memory.RevokeGrant(ctx, g.ID))
	return r.listedMemory.RevokeListedGrant(ctx, g)
}
