package resivo_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/resivo"
	"github.com/doorkit/doorkit/resivo/resivotest"
)

// authorizationReads counts the GETs of single authorizations srv served.
func authorizationReads(srv *resivotest.Server) int {
	n := 0
	for _, r := range srv.Requests() {
		if r.Method == http.MethodGet && strings.Contains(r.Path, "/authorizations/") {
			n++
		}
	}
	return n
}

// TestReconcileDrift makes drift on two resivo accounts the way it
// happens: an authorization revoked in the resivo portal, one whose
// validity was edited there, a booking cancelled whose grant is still
// there, an authorization made outside doorkit, and reads that fail for
// one account. resivo cannot list authorizations, so each account is
// planned through its KeyStore, key by key.
func TestReconcileDrift(t *testing.T) {
	ctx := context.Background()
	hq, hqSrv := newFakeClient(t, resivo.WithRetry(0, 0, 0))
	lab, labSrv := newFakeClient(t, resivo.WithRetry(0, 0, 0))
	portal, _ := newFakeClientOn(t, hqSrv) // the resivo portal: its own client, not doorkit's key store
	dir := access.NewDirectory()
	require.NoError(t, dir.Add("hq", hq))
	require.NoError(t, dir.Add("lab", lab))

	start := time.Now().Add(24 * time.Hour).UTC().Truncate(time.Hour)
	wanted := map[string]access.GrantRequest{}
	for i := 1; i <= 6; i++ {
		account := "hq"
		if i >= 5 {
			account = "lab"
		}
		key := fmt.Sprintf("booking-%d", i)
		wanted[key] = access.GrantRequest{Key: key, DoorIDs: []string{access.JoinID(account, door(resivotest.MainEntranceID))},
			Holder: access.Person{Name: key, Email: key + "@example.com"}, Credential: access.CredentialLink,
			Window: access.Window{Start: start.Add(time.Duration(i) * time.Hour), End: start.Add(time.Duration(i+2) * time.Hour)}}
	}
	list := func() []access.GrantRequest {
		var out []access.GrantRequest
		for i := 1; i <= 6; i++ {
			if r, ok := wanted[fmt.Sprintf("booking-%d", i)]; ok {
				out = append(out, r)
			}
		}
		return out
	}
	// No WithAppliedStore: the windows doorkit applied are kept with the
	// keys in each client's KeyStore.
	opts := []access.ReconcileOption{access.WithOwnedPrefix("booking-"), access.WithRecheck(
		func(_ context.Context, key string) (access.GrantRequest, bool, error) {
			r, ok := wanted[key]
			return r, ok, nil
		})}
	plan := func() (*access.Plan, error) { return access.PlanGrants(ctx, dir, access.Wanted(list()...), opts...) }

	p, err := plan()
	require.NoError(t, err)
	require.Equal(t, 6, p.Summary().Create, "%s", p)
	res, err := access.Apply(ctx, dir, p, opts...)
	require.NoError(t, err, "%s", res)
	grants := map[string]string{} // key -> "siteId/authorizationId"
	for _, r := range res.Results {
		_, grants[r.Change.Key], _ = strings.Cut(r.GrantID, access.AccountSeparator)
	}
	p, err = plan()
	require.NoError(t, err)
	require.True(t, p.Converged(), "%s", p)

	// The drift.
	site, auth2, _ := strings.Cut(grants["booking-2"], "/")
	_, err = portal.Authorizations.Revoke(ctx, site, auth2)
	require.NoError(t, err)
	_, auth3, _ := strings.Cut(grants["booking-3"], "/")
	w3 := wanted["booking-3"].Window
	require.NoError(t, hqSrv.EditValidity(auth3, w3.Start.Add(-time.Hour), w3.End))
	delete(wanted, "booking-4")
	outside, err := portal.CreateGrant(ctx, access.GrantRequest{DoorIDs: []string{door(resivotest.MainEntranceID)},
		Holder: access.Person{Email: "walk-in@example.com"}, Window: access.Window{Start: start, End: start.Add(time.Hour)}})
	require.NoError(t, err)
	delete(wanted, "booking-6")
	labSrv.Inject(resivotest.Fault{Method: http.MethodGet, Count: 1, Status: http.StatusBadGateway})

	hqReads := authorizationReads(hqSrv)
	p, err = plan()
	require.ErrorIs(t, err, access.ErrIncomplete)
	var aerr *access.AccountError
	require.ErrorAs(t, err, &aerr)
	assert.Equal(t, "lab", aerr.Account)
	assert.Equal(t, 4, authorizationReads(hqSrv)-hqReads, "one read per key in the key store, nothing else")
	for _, a := range p.Accounts {
		assert.Equal(t, access.SourceKeyStore, a.Source)
	}
	got := map[string]string{}
	for _, c := range p.Changes {
		if c.Action != access.ActionKeep {
			got[c.Account+" "+c.Key] = fmt.Sprintf("%s %s withheld=%v", c.Action, c.Cause, c.Withheld != "")
		}
	}
	want := map[string]string{
		"hq booking-2": "create not_held withheld=false",
		"hq booking-3": "recreate changed_outside withheld=false", // resivo cannot change a window in place
		"hq booking-4": "revoke not_wanted withheld=false",
	}
	// Of lab's two keys, the read of one failed: that one is not seen (a
	// create withheld, or for the cancelled booking no change at all), the
	// other is kept, or its revoke withheld.
	for k, v := range got {
		if strings.HasPrefix(k, "lab ") {
			assert.Contains(t, []string{"lab booking-5 create not_held withheld=true", "lab booking-6 revoke not_wanted withheld=true"}, k+" "+v)
			delete(got, k)
		}
	}
	assert.Equal(t, want, got, "%s", p)
	assert.Empty(t, p.Unmanaged, "a key store sees only the keys doorkit owns")
	require.Len(t, p.Findings, 1)
	assert.Equal(t, access.FindingChangedOutside, p.Findings[0].Kind)
	t.Logf("plan with drift:\n%s", p)

	labLive := live(labSrv)
	res, err = access.Apply(ctx, dir, p, opts...)
	require.NoError(t, err, "%s", res)
	assert.Equal(t, 1, res.Count(access.ApplyCreated), "%s", res)
	assert.Equal(t, 1, res.Count(access.ApplyRecreated), "%s", res)
	assert.Equal(t, 1, res.Count(access.ApplyRevoked), "%s", res)
	assert.Equal(t, labLive, live(labSrv), "nothing changed in the account whose reads failed")

	p, err = plan()
	require.NoError(t, err)
	require.Equal(t, 1, p.Summary().Revoke, "lab's cancelled booking, now that it can be read\n%s", p)
	res, err = access.Apply(ctx, dir, p, opts...)
	require.NoError(t, err, "%s", res)
	p, err = plan()
	require.NoError(t, err)
	assert.True(t, p.Converged(), "%s", p)
	got2, err := portal.GetGrant(ctx, outside.ID)
	require.NoError(t, err)
	assert.NotEqual(t, access.GrantRevoked, got2.State(), "the authorization made outside doorkit was never touched")
}

func live(srv *resivotest.Server) int {
	n := 0
	for _, a := range srv.Authorizations() {
		if !a.Revoked {
			n++
		}
	}
	return n
}

// newFakeClientOn returns a second client on srv with its own KeyStore.
func newFakeClientOn(t *testing.T, srv *resivotest.Server) (*resivo.Client, *resivotest.Server) {
	t.Helper()
	c, err := resivo.New(resivo.WithBaseURL(srv.URL), resivo.WithHTTPClient(srv.Client()),
		resivo.WithClientCredentials(resivotest.ClientID, resivotest.ClientSecret),
		resivo.WithSites(resivotest.SiteID, resivotest.Site2ID), resivo.WithRetry(0, 0, 0))
	require.NoError(t, err)
	return c, srv
}
