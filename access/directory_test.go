package access_test

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/access/accesstest"
)

// listerOnly lists doors and nothing else, like Primis.
type listerOnly struct{ doors []access.Door }

func (l listerOnly) ListDoors(context.Context) ([]access.Door, error) { return l.doors, nil }

type brokenLister struct{ err error }

func (b brokenLister) ListDoors(context.Context) ([]access.Door, error) { return nil, b.err }

// countingBroken fails every listing and counts them.
type countingBroken struct {
	err   error
	calls atomic.Int32
}

func (b *countingBroken) ListDoors(context.Context) ([]access.Door, error) {
	b.calls.Add(1)
	return nil, b.err
}

func newDirectory(t *testing.T) (*access.Directory, *accesstest.Memory, *accesstest.Memory) {
	t.Helper()
	hq, lab := accesstest.NewMemory(accesstest.MemoryDoors()...), accesstest.NewMemory(accesstest.MemoryDoors()...)
	d := access.NewDirectory()
	require.NoError(t, d.Add("hq", hq))
	require.NoError(t, d.Add("lab", lab))
	require.NoError(t, d.Add("lobby", listerOnly{[]access.Door{{ID: "1", Name: "Lobby", Vendor: "static"}}}))
	return d, hq, lab
}

func TestDirectoryAdd(t *testing.T) {
	d := access.NewDirectory()
	m := accesstest.NewMemory()
	for _, bad := range []string{"", "a:b", "-x", "has space", "ünï", "a/b", string(make([]byte, 33))} {
		assert.ErrorIs(t, d.Add(bad, m), access.ErrInvalid, "%q", bad)
	}
	assert.ErrorIs(t, d.Add("x", nil), access.ErrInvalid)
	assert.ErrorIs(t, d.Add("x", 42), access.ErrInvalid, "implements nothing")
	require.NoError(t, d.Add("hq-havr.1_a", m))
	assert.ErrorIs(t, d.Add("hq-havr.1_a", m), access.ErrConflict)
	assert.Equal(t, []string{"hq-havr.1_a"}, d.Accounts())
	got, ok := d.Account("hq-havr.1_a")
	assert.True(t, ok)
	assert.Same(t, m, got)
}

func TestSplitID(t *testing.T) {
	a, id, err := access.SplitID("hq:door:with:colons")
	require.NoError(t, err)
	assert.Equal(t, "hq", a)
	assert.Equal(t, "door:with:colons", id, "the vendor's id may hold the separator")
	assert.Equal(t, "hq:7", access.JoinID("hq", "7"))
	for _, bad := range []string{"nocolon", ":7", "hq:"} {
		_, _, err := access.SplitID(bad)
		assert.ErrorIs(t, err, access.ErrInvalid, "%q", bad)
		assert.NotErrorIs(t, err, access.ErrNotFound, "%q: EnsureRevoked must not take it as done", bad)
	}
	_, _, err = access.SplitID("")
	assert.ErrorIs(t, err, access.ErrInvalid)
}

func TestDirectoryListDoors(t *testing.T) {
	d, _, _ := newDirectory(t)
	doors, err := d.ListDoors(context.Background())
	require.NoError(t, err)
	ids := make([]string, len(doors))
	for i, door := range doors {
		ids[i] = door.ID
	}
	assert.Equal(t, []string{"hq:m1", "hq:m2", "hq:m3", "lab:m1", "lab:m2", "lab:m3", "lobby:1"}, ids)
	assert.Equal(t, "hq:hq", doors[0].Site, "sites name their account too")
	assert.Equal(t, "", doors[6].Site)
	assert.Equal(t, "Europe/Amsterdam", doors[0].TimeZone)

	got, err := access.ResolveDoorIDs(context.Background(), d, "lab:hq", "Meeting room")
	require.NoError(t, err)
	assert.Equal(t, []string{"lab:m2"}, got)
}

func TestDirectoryOneFailingAccountDoesNotHideTheOthers(t *testing.T) {
	d, _, _ := newDirectory(t)
	require.NoError(t, d.Add("down", brokenLister{err: access.ErrUnavailable}))
	boom := errors.New("boom")
	require.NoError(t, d.Add("weird", brokenLister{err: boom}))
	doors, err := d.ListDoors(context.Background())
	assert.Len(t, doors, 7, "the other accounts' doors are there")
	require.Error(t, err)
	assert.ErrorIs(t, err, access.ErrUnavailable)
	assert.ErrorIs(t, err, boom)
	assert.Contains(t, err.Error(), `account "down"`)
	assert.Contains(t, err.Error(), `account "weird"`)
	var ae *access.AccountError
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, "down", ae.Account)
}

// TestResolveDoorIDsOverAFailingAccount: "Lobby" on a healthy account is
// resolved while another account refuses its password (it used to fail
// whole); the account's error comes back beside the ids. A site naming an
// account asks that account only. A name missing from the incomplete
// listing is not "not found".
func TestResolveDoorIDsOverAFailingAccount(t *testing.T) {
	ctx := context.Background()
	d, _, _ := newDirectory(t)
	down := &countingBroken{err: fmt.Errorf("wrong password: %w", access.ErrUnauthorized)}
	require.NoError(t, d.Add("hq-havr", down))

	ids, err := access.ResolveDoorIDs(ctx, d, "", "Lobby")
	assert.Equal(t, []string{"lobby:1"}, ids, "resolved from the accounts that answered")
	require.Error(t, err, "the failing account is reported")
	assert.ErrorIs(t, err, access.ErrUnauthorized)
	var ae *access.AccountError
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, "hq-havr", ae.Account)
	assert.Equal(t, int32(1), down.calls.Load())

	ids, err = access.ResolveDoorIDs(ctx, d, "lab:hq", "Meeting room", "Storage")
	require.NoError(t, err, "a site of a healthy account asks that account only")
	assert.Equal(t, []string{"lab:m2", "lab:m3"}, ids)
	assert.Equal(t, int32(1), down.calls.Load(), "the failing account was not asked")

	ids, err = access.ResolveDoorIDs(ctx, d, "hq-havr:7", "Lobby")
	assert.Nil(t, ids)
	assert.ErrorIs(t, err, access.ErrUnauthorized, "the site's own account failed")
	assert.Equal(t, int32(2), down.calls.Load())

	ids, err = access.ResolveDoorIDs(ctx, d, "", "Lobby", "Roof terrace")
	assert.Nil(t, ids)
	assert.ErrorIs(t, err, access.ErrUnauthorized)
	assert.NotErrorIs(t, err, access.ErrNotFound, "the door may be in the account that failed")
	assert.Contains(t, err.Error(), "Roof terrace")

	ids, err = access.ResolveDoorIDs(ctx, d, "", "Meeting room")
	assert.Nil(t, ids)
	assert.ErrorIs(t, err, access.ErrConflict, "two answering accounts have one: ambiguous whatever the third holds")
	assert.ErrorIs(t, err, access.ErrUnauthorized)

	_, err = access.ResolveDoorIDs(ctx, d, "nowhere:1", "Lobby")
	assert.ErrorIs(t, err, access.ErrInvalid, "a site of an account the directory lacks")
}

func TestDirectoryRoutes(t *testing.T) {
	ctx := context.Background()
	d, hq, lab := newDirectory(t)
	require.NoError(t, d.OpenDoor(ctx, "lab:m1"))
	assert.Equal(t, 0, hq.Opens())
	assert.Equal(t, 1, lab.Opens())

	err := d.OpenDoor(ctx, "lab:m3")
	assert.ErrorIs(t, err, access.ErrUnsupported, "a door that cannot open remotely")
	err = d.OpenDoor(ctx, "lobby:1")
	assert.ErrorIs(t, err, access.ErrUnsupported, "an account that opens nothing")
	assert.Contains(t, err.Error(), `account "lobby"`)
	assert.ErrorIs(t, d.OpenDoor(ctx, "nowhere:1"), access.ErrInvalid, "an account the directory lacks")
	assert.ErrorIs(t, d.OpenDoor(ctx, "m1"), access.ErrInvalid, "an id without an account")
	assert.Error(t, access.EnsureRevoked(ctx, d, "nowhere:g1"), "a grant of an unknown account is not revoked as done")
	assert.ErrorIs(t, d.OpenDoor(ctx, ""), access.ErrInvalid)
	assert.ErrorIs(t, d.OpenDoor(ctx, "hq:m9"), access.ErrNotFound)

	req := booking("BK-1")
	req.DoorIDs = []string{"lab:m1", "lab:m2"}
	g, err := d.CreateGrant(ctx, req)
	require.NoError(t, err)
	assert.Equal(t, "lab:g1", g.ID)
	assert.Equal(t, []string{"lab:m1", "lab:m2"}, g.DoorIDs())
	assert.Equal(t, 1, lab.Live())
	assert.Equal(t, 0, hq.Live())

	got, err := d.GetGrant(ctx, g.ID)
	require.NoError(t, err)
	assert.Equal(t, g.ID, got.ID)
	assert.Equal(t, []string{"lab:m1", "lab:m2"}, got.DoorIDs())

	w := req.Window
	w.End = w.End.Add(time.Hour)
	moved, err := d.UpdateGrantWindow(ctx, g.ID, w)
	require.NoError(t, err)
	assert.True(t, moved.Window.End.Equal(w.End))
	assert.Equal(t, "lab:g1", moved.ID)

	for _, f := range []access.GrantFilter{{Key: "BK-1"}, {DoorID: "lab:m2"}, {HolderEmail: "ADA@example.com"}} {
		var ids []string
		for g, err := range d.ListGrants(ctx, f) {
			require.NoError(t, err)
			ids = append(ids, g.ID)
		}
		assert.Equal(t, []string{"lab:g1"}, ids, "%+v", f)
	}
	for g, err := range d.ListGrants(ctx, access.GrantFilter{DoorID: "hq:m1"}) {
		t.Errorf("hq has no grants: %v %v", g, err)
	}

	require.NoError(t, d.RevokeGrant(ctx, g.ID))
	assert.ErrorIs(t, d.RevokeGrant(ctx, g.ID), access.ErrNotFound)
	_, err = d.GetGrant(ctx, g.ID)
	assert.ErrorIs(t, err, access.ErrNotFound)
	var ae *access.AccountError
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, "lab", ae.Account)

	_, err = d.GetGrant(ctx, "lobby:1")
	assert.ErrorIs(t, err, access.ErrUnsupported)
	_, err = d.UpdateGrantWindow(ctx, "lobby:1", w)
	assert.ErrorIs(t, err, access.ErrUnsupported)
	assert.ErrorIs(t, d.RevokeGrant(ctx, "lobby:1"), access.ErrUnsupported)
}

func TestDirectoryGrantOverTwoAccountsIsInvalid(t *testing.T) {
	ctx := context.Background()
	d, hq, lab := newDirectory(t)
	req := booking("BK-2")
	req.DoorIDs = []string{"hq:m1", "lab:m1"}
	_, err := d.CreateGrant(ctx, req)
	assert.ErrorIs(t, err, access.ErrInvalid)
	assert.Contains(t, err.Error(), `"hq" and "lab"`)
	req.DoorIDs = []string{"m1"}
	_, err = d.CreateGrant(ctx, req)
	assert.ErrorIs(t, err, access.ErrInvalid)
	req.DoorIDs = []string{"lobby:1"}
	_, err = d.CreateGrant(ctx, req)
	assert.ErrorIs(t, err, access.ErrUnsupported)
	req.DoorIDs = []string{"gone:1"}
	_, err = d.CreateGrant(ctx, req)
	assert.ErrorIs(t, err, access.ErrInvalid, "an account the directory lacks")
	assert.Zero(t, hq.Creates()+lab.Creates())
}

func TestDirectoryEnsureGrant(t *testing.T) {
	ctx := context.Background()
	d, _, lab := newDirectory(t)
	req := booking("BK-3")
	req.DoorIDs = []string{"lab:m1"}
	lab.LoseNextCreate()
	g, outcome, err := access.EnsureGrant(ctx, d, req)
	require.NoError(t, err)
	assert.Equal(t, access.EnsureRecovered, outcome)
	assert.Equal(t, "lab:g1", g.ID)
	_, outcome, err = access.EnsureGrant(ctx, d, req)
	require.NoError(t, err)
	assert.Equal(t, access.EnsureUnchanged, outcome)
	assert.Equal(t, 1, lab.Creates())
	require.NoError(t, access.EnsureRevokedByKey(ctx, d, "BK-3"))
	assert.Equal(t, 0, lab.Live())
}

// A lookup by key must not pass over an account that grants but cannot
// list: EnsureGrant would create a second grant there.
func TestDirectoryListGrantsReportsAccountsThatCannotList(t *testing.T) {
	ctx := context.Background()
	d, _, _ := newDirectory(t)
	type granterOnly struct{ access.Granter }
	require.NoError(t, d.Add("blind", granterOnly{accesstest.NewMemory(accesstest.MemoryDoors()...)}))
	var errs []error
	for _, err := range d.ListGrants(ctx, access.GrantFilter{Key: "BK-4"}) {
		errs = append(errs, err)
	}
	require.Len(t, errs, 1)
	assert.ErrorIs(t, errs[0], access.ErrUnsupported)
	assert.Contains(t, errs[0].Error(), `account "blind"`)
	req := booking("BK-4")
	req.DoorIDs = []string{"hq:m1"}
	_, _, err := access.EnsureGrant(ctx, d, req)
	assert.ErrorIs(t, err, access.ErrUnsupported)

	for _, err := range d.ListGrants(ctx, access.GrantFilter{DoorID: "x"}) {
		assert.ErrorIs(t, err, access.ErrInvalid, "a door id the directory did not make")
	}
}
