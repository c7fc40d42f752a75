package resivo_test

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/resivo"
	"github.com/doorkit/doorkit/resivo/resivotest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const remoteAccessPath = "/" + resivotest.SiteID + "/authorizations/remote-access"

func bookingRequest(key string) access.GrantRequest {
	start := time.Now().Add(24 * time.Hour).Truncate(time.Second)
	return access.GrantRequest{
		Key:     key,
		DoorIDs: []string{door(resivotest.MainEntranceID)},
		Holder:  access.Person{Name: "Grace Hopper", Email: "grace@example.com"},
		Window:  access.Window{Start: start, End: start.Add(2 * time.Hour)},
		Label:   "Grace Hopper",
	}
}

func TestLostCreateAnswerYieldsOneAuthorization(t *testing.T) {
	c, srv := newFakeClient(t)
	ctx := context.Background()
	req := bookingRequest("BK-1042")
	srv.Inject(resivotest.Fault{Path: remoteAccessPath, Method: "POST", Count: 1, LoseAnswer: true})

	_, _, err := access.EnsureGrant(ctx, c, req)
	require.Error(t, err)
	assert.ErrorIs(t, err, access.ErrOutcomeUnknown)
	var pending *resivo.PendingKeyError
	assert.ErrorAs(t, err, &pending, "the lookup by key cannot tell")
	require.Len(t, srv.Authorizations(), 1, "resivo made one")

	// Every later trigger refuses too: a second authorization is never made.
	for range 3 {
		_, _, err = access.EnsureGrant(ctx, c, req)
		assert.ErrorIs(t, err, access.ErrOutcomeUnknown)
	}
	_, err = c.CreateGrant(ctx, req)
	assert.ErrorIs(t, err, access.ErrOutcomeUnknown)
	assert.Equal(t, 1, srv.Count("POST", remoteAccessPath))
	assert.Len(t, srv.Authorizations(), 1)

	// The operator finds "[BK-1042] ..." in the portal and records it.
	made := srv.Authorizations()[0]
	assert.Equal(t, "[BK-1042] Grace Hopper", made.DisplayName)
	require.NoError(t, c.ResolveKey(ctx, req.Key, resivotest.SiteID+"/"+made.ID))
	grant, outcome, err := access.EnsureGrant(ctx, c, req)
	require.NoError(t, err)
	assert.Equal(t, access.EnsureUnchanged, outcome)
	assert.Equal(t, resivotest.SiteID+"/"+made.ID, grant.ID)
	assert.Equal(t, "BK-1042", grant.Key)
	assert.Len(t, srv.Authorizations(), 1)
}

func TestResolveKeyWithNothingMadeLetsEnsureGrantCreate(t *testing.T) {
	c, srv := newFakeClient(t)
	ctx := context.Background()
	req := bookingRequest("BK-7")
	// A 500 on the create: resivo may or may not have made it.
	srv.Inject(resivotest.Fault{Path: remoteAccessPath, Method: "POST", Count: 1, Status: http.StatusInternalServerError})
	_, err := c.CreateGrant(ctx, req)
	require.ErrorIs(t, err, access.ErrOutcomeUnknown)
	_, _, err = access.EnsureGrant(ctx, c, req)
	require.ErrorIs(t, err, access.ErrOutcomeUnknown)

	require.NoError(t, c.ResolveKey(ctx, req.Key, "")) // the portal shows none
	_, outcome, err := access.EnsureGrant(ctx, c, req)
	require.NoError(t, err)
	assert.Equal(t, access.EnsureCreated, outcome)
	assert.Len(t, srv.Authorizations(), 1)

	assert.ErrorIs(t, c.ResolveKey(ctx, req.Key, resivotest.SiteID+"/no-such-authorization"), access.ErrNotFound)
	assert.ErrorIs(t, c.ResolveKey(ctx, "", ""), access.ErrInvalid)
}

func TestARefusedCreateFreesTheKey(t *testing.T) {
	c, srv := newFakeClient(t)
	ctx := context.Background()
	req := bookingRequest("BK-8")
	srv.Migrate(resivotest.SiteID) // the stored component id is now unknown: resivo answers 400
	_, err := c.CreateGrant(ctx, req)
	require.ErrorIs(t, err, access.ErrInvalid)
	assert.NotErrorIs(t, err, access.ErrOutcomeUnknown)
	ids, err := access.ResolveDoorIDs(ctx, c, resivotest.SiteID, resivotest.MainEntranceName)
	require.NoError(t, err)
	req.DoorIDs = ids
	_, outcome, err := access.EnsureGrant(ctx, c, req)
	require.NoError(t, err, "the key is not left pending")
	assert.Equal(t, access.EnsureCreated, outcome)
}

func TestEnsureGrantLifecycle(t *testing.T) {
	c, srv := newFakeClient(t)
	ctx := context.Background()
	req := bookingRequest("BK-9")
	first, outcome, err := access.EnsureGrant(ctx, c, req)
	require.NoError(t, err)
	assert.Equal(t, access.EnsureCreated, outcome)
	second, outcome, err := access.EnsureGrant(ctx, c, req)
	require.NoError(t, err)
	assert.Equal(t, access.EnsureUnchanged, outcome)
	assert.Equal(t, first.ID, second.ID)
	assert.Equal(t, access.GrantActive, second.State(), "read back: resivo's credential is active")
	assert.Equal(t, 1, srv.Count("POST", remoteAccessPath))

	// CreateGrant with a key whose grant is live is a conflict.
	_, err = c.CreateGrant(ctx, req)
	assert.ErrorIs(t, err, access.ErrConflict)

	// The booking moves: resivo cannot change a window, so it is re-made.
	moved := req
	moved.Window = access.Window{Start: req.Window.Start.Add(time.Hour), End: req.Window.End.Add(time.Hour)}
	third, outcome, err := access.EnsureGrant(ctx, c, moved)
	require.NoError(t, err)
	assert.Equal(t, access.EnsureRecreated, outcome)
	assert.NotEqual(t, first.ID, third.ID)
	auths := srv.Authorizations()
	require.Len(t, auths, 2)
	assert.True(t, auths[0].Revoked)
	assert.False(t, auths[1].Revoked)

	// Cancelled, twice.
	require.NoError(t, access.EnsureRevoked(ctx, c, third.ID))
	require.NoError(t, access.EnsureRevoked(ctx, c, third.ID))
	require.NoError(t, access.EnsureRevokedByKey(ctx, c, req.Key))
	assert.True(t, srv.Authorizations()[1].Revoked)
}

func TestGrantStatesFollowTheAuthorization(t *testing.T) {
	c, srv := newFakeClient(t)
	ctx := context.Background()
	req := bookingRequest("BK-10")
	req.DoorIDs = append(req.DoorIDs, door(resivotest.CylinderID))
	made, err := c.CreateGrant(ctx, req)
	require.NoError(t, err)

	got, err := c.GetGrant(ctx, made.ID)
	require.NoError(t, err)
	assert.Equal(t, "BK-10", got.Key)
	assert.Equal(t, req.DoorIDs, got.DoorIDs())
	assert.True(t, got.Window.Start.Equal(req.Window.Start))
	assert.Equal(t, "grace@example.com", got.Holder.Email)
	for _, d := range got.Doors {
		assert.Equal(t, access.GrantActive, d.State)
		assert.Equal(t, access.CredentialLink, d.Credential.Kind)
	}
	assert.False(t, got.Usable(time.Now()), "set up, but the window starts tomorrow")
	assert.True(t, got.Usable(req.Window.Start.Add(time.Minute)))

	srv.Advance(48 * time.Hour)
	got, err = c.GetGrant(ctx, made.ID)
	require.NoError(t, err)
	assert.Equal(t, access.GrantExpired, got.State())
	srv.Advance(-48 * time.Hour)

	require.NoError(t, c.RevokeGrant(ctx, made.ID))
	got, err = c.GetGrant(ctx, made.ID)
	require.NoError(t, err)
	assert.Equal(t, access.GrantRevoked, got.State())
	assert.ErrorIs(t, c.RevokeGrant(ctx, made.ID), access.ErrNotFound, "already revoked")
}

func TestKeysSurviveARestartWithASharedStore(t *testing.T) {
	srv := resivotest.NewServer()
	defer srv.Close()
	store := resivo.NewKeyStore()
	newClient := func(store access.KeyStore) *resivo.Client {
		c, err := resivo.New(resivo.WithBaseURL(srv.URL), resivo.WithHTTPClient(srv.Client()),
			resivo.WithClientCredentials(resivotest.ClientID, resivotest.ClientSecret),
			resivo.WithSites(resivotest.SiteID), resivo.WithKeyStore(store))
		require.NoError(t, err)
		return c
	}
	ctx := context.Background()
	req := bookingRequest("BK-11")
	made, _, err := access.EnsureGrant(ctx, newClient(store), req)
	require.NoError(t, err)

	again, outcome, err := access.EnsureGrant(ctx, newClient(store), req)
	require.NoError(t, err)
	assert.Equal(t, access.EnsureUnchanged, outcome)
	assert.Equal(t, made.ID, again.ID)

	// A process with a fresh in-memory store cannot find the key, but the
	// grant read by id still names it (from its displayName).
	forgetful := newClient(resivo.NewKeyStore())
	got, err := forgetful.GetGrant(ctx, made.ID)
	require.NoError(t, err)
	assert.Equal(t, "BK-11", got.Key)
}

// plainStore is a KeyStore that cannot list its keys.
type plainStore struct{ access.KeyStore }

func TestListingWithoutKeyNeedsAListingStore(t *testing.T) {
	c, _ := newFakeClient(t, resivo.WithKeyStore(plainStore{access.NewMemoryKeyStore()}))
	ctx := context.Background()
	made, _, err := access.EnsureGrant(ctx, c, bookingRequest("BK-12"))
	require.NoError(t, err)
	for g, err := range c.ListGrants(ctx, access.GrantFilter{Key: "BK-12"}) {
		require.NoError(t, err)
		assert.Equal(t, made.ID, g.ID)
	}
	var errs []error
	for _, err := range c.ListGrants(ctx, access.GrantFilter{DoorID: door(resivotest.MainEntranceID)}) {
		errs = append(errs, err)
	}
	require.Len(t, errs, 1)
	assert.ErrorIs(t, errs[0], access.ErrUnsupported)
}

func TestKeyStoreFailureIsReported(t *testing.T) {
	boom := errors.New("store down")
	c, srv := newFakeClient(t, resivo.WithKeyStore(failingStore{boom}))
	_, err := c.CreateGrant(context.Background(), bookingRequest("BK-13"))
	assert.ErrorIs(t, err, boom)
	assert.Empty(t, srv.Authorizations(), "nothing is created when the key cannot be recorded")
}

type failingStore struct{ err error }

func (f failingStore) Get(context.Context, string) (string, error) { return "", access.ErrNotFound }
func (f failingStore) Put(context.Context, string, string) error   { return f.err }
func (f failingStore) Delete(context.Context, string) error        { return nil }

func TestConcurrentEnsureGrantMakesOneAuthorization(t *testing.T) {
	c, srv := newFakeClient(t)
	ctx := context.Background()
	req := bookingRequest("BK-race")
	var wg sync.WaitGroup
	errs := make(chan error, 20)
	for range 20 {
		wg.Go(func() { _, _, err := access.EnsureGrant(ctx, c, req); errs <- err })
	}
	wg.Wait()
	close(errs)
	ok := 0
	for err := range errs {
		if err == nil {
			ok++
			continue
		}
		assert.ErrorIs(t, err, access.ErrConflict, "a trigger that loses the race sees the other's grant")
	}
	assert.GreaterOrEqual(t, ok, 1)
	assert.Len(t, srv.Authorizations(), 1)
	_, outcome, err := access.EnsureGrant(ctx, c, req)
	require.NoError(t, err)
	assert.Equal(t, access.EnsureUnchanged, outcome)
}

// A key left pending by a lost create is the same mark for the client and
// for reconcile: a plan reports the key's outcome as unknown and plans
// nothing for it, instead of reading the mark as a grant id and failing the
// account.
func TestPlanReportsAPendingKey(t *testing.T) {
	c, srv := newFakeClient(t)
	ctx := context.Background()
	req := bookingRequest("booking-lost")
	srv.Inject(resivotest.Fault{Path: remoteAccessPath, Method: "POST", Count: 1, LoseAnswer: true})
	before := time.Now()
	_, err := c.CreateGrant(ctx, req)
	require.ErrorIs(t, err, access.ErrOutcomeUnknown)

	_, err = c.CreateGrant(ctx, req)
	var pending *resivo.PendingKeyError
	require.ErrorAs(t, err, &pending)
	assert.False(t, pending.Since.Before(before.Truncate(time.Second)), "the mark says when the create was sent")
	assert.Contains(t, err.Error(), `"[booking-lost] ..."`, "the error says where to look")
	assert.Contains(t, err.Error(), "ResolveKey")

	plan, err := access.PlanGrants(ctx, c, access.Wanted(req), access.WithOwnedPrefix("booking-"))
	require.NoError(t, err, "the account is read completely")
	require.Len(t, plan.Findings, 1, "%s", plan)
	assert.Equal(t, access.FindingOutcomeUnknown, plan.Findings[0].Kind)
	assert.Equal(t, "booking-lost", plan.Findings[0].Key)
	for _, ch := range plan.Changes {
		assert.NotEqual(t, access.ActionCreate, ch.Action, "nothing is created for a pending key")
	}
	assert.Len(t, srv.Authorizations(), 1)
}

// The label comes back in Grant.Label from the authorization's
// displayName, after the key's tag; without a label resivo still needs a
// name, and the holder's is what it keeps.
func TestGrantLabelIsReadBack(t *testing.T) {
	c, _ := newFakeClient(t)
	ctx := context.Background()
	for _, tt := range []struct{ key, label, stored string }{
		{"BK-L1", "Acme Corp, 3rd floor", "Acme Corp, 3rd floor"},
		{"BK-L2", "", "Grace Hopper"},
		{"", "Acme Corp", "Acme Corp"},
		{"BK-L3", "[VIP] guest", "[VIP] guest"},
	} {
		req := bookingRequest(tt.key)
		req.Label = tt.label
		made, err := c.CreateGrant(ctx, req)
		require.NoError(t, err)
		assert.Equal(t, tt.stored, made.Label, "created %q %q", tt.key, tt.label)
		got, err := c.GetGrant(ctx, made.ID)
		require.NoError(t, err)
		assert.Equal(t, tt.stored, got.Label, "GetGrant %q %q", tt.key, tt.label)
		assert.Equal(t, tt.key, got.Key)
		if tt.key != "" {
			for listed, err := range c.ListGrants(ctx, access.GrantFilter{Key: tt.key}) {
				require.NoError(t, err)
				assert.Equal(t, tt.stored, listed.Label, "ListGrants %q %q", tt.key, tt.label)
			}
		}
	}
}

// namesLocker records the names it locks.
type namesLocker struct {
	access.Locker
	mu    sync.Mutex
	names []string
}

func (l *namesLocker) Lock(ctx context.Context, name string) (access.Lease, error) {
	l.mu.Lock()
	l.names = append(l.names, name)
	l.mu.Unlock()
	return l.Locker.Lock(ctx, name)
}

func (l *namesLocker) taken() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.names...)
}

// A create takes the key's turn on the client's Locker: alone, CreateGrant
// takes it itself; under EnsureGrant, which holds it already, it is not
// taken a second time (a Locker that is not reentrant would wait for
// itself; a shared one would pay two more round trips).
func TestCreateTakesTheKeyTurnOnce(t *testing.T) {
	l := &namesLocker{Locker: access.NewMemoryLocker()}
	c, _ := newFakeClient(t, resivo.WithLocker(l))
	ctx := context.Background()
	_, err := c.CreateGrant(ctx, bookingRequest("BK-ALONE"))
	require.NoError(t, err)
	assert.Equal(t, []string{access.KeyTurnName("BK-ALONE")}, l.taken())

	_, _, err = access.EnsureGrant(ctx, c, bookingRequest("BK-ENSURED"))
	require.NoError(t, err)
	assert.Equal(t, []string{access.KeyTurnName("BK-ALONE"), access.KeyTurnName("BK-ENSURED")}, l.taken())
}
