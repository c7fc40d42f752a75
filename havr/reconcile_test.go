package havr_test

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/havr"
	"github.com/doorkit/doorkit/havr/havrtest"
)

const listingPath = "/v1/shared_keys/index_with_details"

// bookingList is the booking system of the reconcile scenarios.
type bookingList struct {
	mu   sync.Mutex
	reqs map[string]access.GrantRequest
}

func (b *bookingList) all() []access.GrantRequest {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []access.GrantRequest
	for i := 1; i <= len(b.reqs)+10; i++ {
		if r, ok := b.reqs[fmt.Sprintf("booking-%d", i)]; ok {
			out = append(out, r)
		}
	}
	return out
}

func (b *bookingList) cancel(key string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	delete(b.reqs, key)
}

func (b *bookingList) recheck(_ context.Context, key string) (access.GrantRequest, bool, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	r, ok := b.reqs[key]
	return r, ok, nil
}

// sharedKeyID returns the Havr shared key id of a one-door grant's
// Directory id.
func sharedKeyID(t *testing.T, grantID string) havr.ID {
	t.Helper()
	_, id, err := access.SplitID(grantID)
	require.NoError(t, err)
	n, err := strconv.ParseInt(id, 10, 64)
	require.NoError(t, err, "grant %s is not one shared key", grantID)
	return havr.ID(n)
}

// TestReconcileDrift makes drift on two Havr accounts the way it happens:
// a shared key deleted in the Havr app, a window edited there, a booking
// cancelled whose grant is still there, a key shared outside doorkit, and a
// listing that fails for one account. The plan lists exactly that; apply
// fixes it; nothing is revoked in the failing account; plans converge.
func TestReconcileDrift(t *testing.T) {
	ctx := context.Background()
	hq, hqSrv := newFakeClient(t, havr.WithRetry(0, 0, 0))
	lab, labSrv := newFakeClient(t, havr.WithRetry(0, 0, 0))
	app, _ := newFakeClientOn(t, hqSrv) // the Havr app, as the lock owner uses it
	dir := access.NewDirectory()
	require.NoError(t, dir.Add("hq", hq))
	require.NoError(t, dir.Add("lab", lab))

	start := time.Now().Add(24 * time.Hour).UTC().Truncate(time.Hour)
	b := &bookingList{reqs: map[string]access.GrantRequest{}}
	for i := 1; i <= 6; i++ {
		account, doors := "hq", []string{id(havrtest.FrontDoorID)}
		if i == 1 {
			doors = append(doors, id(havrtest.MeetingRoomID)) // two shared keys, one grant
		}
		if i >= 5 {
			account = "lab"
		}
		for j := range doors {
			doors[j] = access.JoinID(account, doors[j])
		}
		key := fmt.Sprintf("booking-%d", i)
		b.reqs[key] = access.GrantRequest{Key: key, DoorIDs: doors, Holder: access.Person{Name: key, Email: key + "@example.com"},
			Window:     access.Window{Start: start.Add(time.Duration(i) * time.Hour), End: start.Add(time.Duration(i+2) * time.Hour)},
			Credential: access.CredentialLink}
	}
	applied := access.NewMemoryAppliedStore()
	opts := []access.ReconcileOption{access.WithOwnedPrefix("booking-"), access.WithAppliedStore(applied), access.WithRecheck(b.recheck)}
	plan := func() (*access.Plan, error) { return access.PlanGrants(ctx, dir, access.Wanted(b.all()...), opts...) }

	p, err := plan()
	require.NoError(t, err)
	require.Equal(t, 6, p.Summary().Create, "%s", p)
	res, err := access.Apply(ctx, dir, p, opts...)
	require.NoError(t, err, "%s", res)
	grants := map[string]string{}
	for _, r := range res.Results {
		grants[r.Change.Key] = r.GrantID
	}
	p, err = plan()
	require.NoError(t, err)
	require.True(t, p.Converged(), "%s", p)

	// The drift.
	_, err = app.SharedKeys.Delete(ctx, sharedKeyID(t, grants["booking-2"]))
	require.NoError(t, err)
	edited := b.reqs["booking-3"].Window
	newStart, newEnd := havr.At(edited.Start.Add(time.Hour)), havr.At(edited.End.Add(2*time.Hour))
	_, _, err = app.SharedKeys.Update(ctx, sharedKeyID(t, grants["booking-3"]), havr.SharedKeyUpdate{StartDate: &newStart, EndDate: &newEnd})
	require.NoError(t, err)
	b.cancel("booking-4")
	walkIn, _, err := app.SharedKeys.CreateWithLink(ctx, havr.SharedKeyLinkRequest{Email: "walk-in@example.com",
		LockListIDs: []havr.ID{havrtest.FrontDoorID}, StartDate: havr.At(start), EndDate: havr.At(start.Add(time.Hour)), Note: "walk-in"})
	require.NoError(t, err)
	b.cancel("booking-6")
	labKeys := len(labSrv.SharedKeys())
	labSrv.Inject(havrtest.Fault{Method: http.MethodGet, Path: listingPath, Count: 1, Status: http.StatusBadGateway})

	hqListings, labListings := hqSrv.Count(http.MethodGet, listingPath), labSrv.Count(http.MethodGet, listingPath)
	p, err = plan()
	require.ErrorIs(t, err, access.ErrIncomplete)
	var aerr *access.AccountError
	require.ErrorAs(t, err, &aerr)
	assert.Equal(t, "lab", aerr.Account)
	assert.Equal(t, 1, hqSrv.Count(http.MethodGet, listingPath)-hqListings, "one listing per account and plan")
	assert.Equal(t, 1, labSrv.Count(http.MethodGet, listingPath)-labListings)
	got := map[string]string{}
	for _, c := range p.Changes {
		if c.Action != access.ActionKeep {
			got[c.Account+" "+c.Key] = fmt.Sprintf("%s %s withheld=%v", c.Action, c.Cause, c.Withheld != "")
		}
	}
	assert.Equal(t, map[string]string{
		"hq booking-2":  "create not_held withheld=false",
		"hq booking-3":  "update changed_outside withheld=false",
		"hq booking-4":  "revoke not_wanted withheld=false",
		"lab booking-5": "create not_held withheld=true", // not seen: the listing failed
	}, got, "%s", p)
	require.Len(t, p.Unmanaged, 1)
	assert.Equal(t, access.JoinID("hq", walkIn.ID.String()), p.Unmanaged[0].GrantID)
	require.Len(t, p.Findings, 1)
	assert.Equal(t, access.FindingChangedOutside, p.Findings[0].Kind)
	assert.Equal(t, "booking-3", p.Findings[0].Key)
	t.Logf("plan with drift:\n%s", p)

	res, err = access.Apply(ctx, dir, p, opts...)
	require.NoError(t, err, "%s", res)
	assert.Equal(t, 1, res.Count(access.ApplyCreated), "%s", res)
	assert.Equal(t, 1, res.Count(access.ApplyUpdated), "%s", res)
	assert.Equal(t, 1, res.Count(access.ApplyRevoked), "%s", res)
	assert.Equal(t, 1, res.Count(access.ApplyWithheld), "%s", res)
	assert.Len(t, labSrv.SharedKeys(), labKeys, "nothing changed in the account whose listing failed")

	// The listing works again: the cancelled booking in lab is revoked now.
	p, err = plan()
	require.NoError(t, err)
	require.Equal(t, 1, p.Summary().Revoke, "%s", p)
	res, err = access.Apply(ctx, dir, p, opts...)
	require.NoError(t, err, "%s", res)
	p, err = plan()
	require.NoError(t, err)
	assert.True(t, p.Converged(), "%s", p)
	assert.Len(t, p.Unmanaged, 1, "the walk-in's key is reported still, and was never touched")
	_, _, err = app.SharedKeys.Get(ctx, walkIn.ID)
	assert.NoError(t, err)
}

// newFakeClientOn returns a second client, logged in as the owner, on srv.
func newFakeClientOn(t *testing.T, srv *havrtest.Server) (*havr.Client, *havrtest.Server) {
	t.Helper()
	c, err := havr.New(havr.WithBaseURL(srv.URL), havr.WithHTTPClient(srv.Client()),
		havr.WithPassword(havrtest.OwnerEmail, havrtest.OwnerPassword), havr.WithRetry(0, 0, 0))
	require.NoError(t, err)
	return c, srv
}
