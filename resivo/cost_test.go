package resivo_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/resivo/resivotest"
)

// Requests per EnsureGrant case on the fake, one door, against the minimum
// resivo's public API needs. resivo cannot list authorizations, so a
// lookup by key is the KeyStore (no request) and a read of the grant it
// names (GET /:siteId/authorizations/:id); it cannot change a window, so a
// moved booking is revoked and made again. A door link is asked for only
// once the site's components (GET /:siteId/components) show its doors
// online: an offline component takes no link. The grant found is revoked
// from that read (RevokeListedGrant): a revoke reads the authorization again
// only when resivo answers 409, to tell a revoke already done.
//
//	case        requests  minimum  what
//	create      2         2        GET components, POST remote-access (the key is unknown to the store: no read)
//	unchanged   1         1        GET the grant
//	moved       4         4        GET the grant, DELETE revoke, GET components, POST
//	recreated   4         4        the same (another holder)
//	recovered   -         -        resivo cannot find a lost create by key: the key stays pending
//	lost create 2         2        GET components, POST with its answer lost: ErrOutcomeUnknown, never sent again
//	revoke      2         2        GET the grant, DELETE revoke
//
// A PIN grant needs no components read (one request fewer to create). The
// site's locale (GET /v8/sites/:siteId) is read once per site and client,
// before this table; so is the token.
func TestEnsureGrantRequestCounts(t *testing.T) {
	c, srv := newFakeClient(t)
	ctx := context.Background()
	require.NotEmpty(t, c.SiteLocale(ctx, resivotest.SiteID), "warms the token and the locale")
	req := bookingRequest("BK-count")
	moved := req
	moved.Window.End = moved.Window.End.Add(time.Hour)
	other := moved
	other.Holder = access.Person{Name: "Alan Turing", Email: "alan@example.com"}
	lost := bookingRequest("BK-lost")
	for _, step := range []struct {
		name    string
		want    int
		outcome access.EnsureOutcome
		run     func() (access.EnsureOutcome, error)
	}{
		{"create", 2, access.EnsureCreated, ensure(ctx, c, req)},
		{"unchanged", 1, access.EnsureUnchanged, ensure(ctx, c, req)},
		{"moved", 4, access.EnsureRecreated, ensure(ctx, c, moved)},
		{"recreated", 4, access.EnsureRecreated, ensure(ctx, c, other)},
		{"revoke", 2, 0, func() (access.EnsureOutcome, error) { return 0, access.EnsureRevokedByKey(ctx, c, req.Key) }},
		{"lost create", 2, 0, func() (access.EnsureOutcome, error) {
			srv.Inject(resivotest.Fault{Path: remoteAccessPath, Method: "POST", Count: 1, LoseAnswer: true})
			outcome, err := ensure(ctx, c, lost)()
			assert.ErrorIs(t, err, access.ErrOutcomeUnknown)
			return outcome, nil
		}},
	} {
		srv.ResetLog()
		outcome, err := step.run()
		require.NoError(t, err, step.name)
		assert.Equal(t, step.outcome, outcome, step.name)
		var paths []string
		for _, r := range srv.Requests() {
			paths = append(paths, r.Method+" "+r.Path)
		}
		assert.Len(t, paths, step.want, "%s: %v", step.name, paths)
	}
}

func ensure(ctx context.Context, g access.Granter, req access.GrantRequest) func() (access.EnsureOutcome, error) {
	return func() (access.EnsureOutcome, error) {
		_, outcome, err := access.EnsureGrant(ctx, g, req)
		return outcome, err
	}
}

// A listed grant revoked meanwhile (by another process) meets resivo's 409
// and is read again: gone is done. A grant not from this client's listing
// is revoked as RevokeGrant revokes its id, read first.
func TestRevokeListedGrant(t *testing.T) {
	c, srv := newFakeClient(t)
	ctx := context.Background()
	g, err := c.CreateGrant(ctx, bookingRequest("BK-listed"))
	require.NoError(t, err)
	var listed *access.Grant
	for found, err := range c.ListGrants(ctx, access.GrantFilter{Key: "BK-listed"}) {
		require.NoError(t, err)
		listed = found
	}
	require.NotNil(t, listed)
	require.NoError(t, c.RevokeGrant(ctx, g.ID))
	srv.ResetLog()
	require.NoError(t, c.RevokeListedGrant(ctx, listed))
	assert.Equal(t, []string{"DELETE", "GET"}, methods(srv.Requests()), "the revoke, then the read after its 409")

	g, err = c.CreateGrant(ctx, bookingRequest("BK-by-hand"))
	require.NoError(t, err)
	srv.ResetLog()
	require.NoError(t, c.RevokeListedGrant(ctx, &access.Grant{ID: g.ID}))
	assert.Equal(t, []string{"GET", "DELETE"}, methods(srv.Requests()), "read first, as RevokeGrant")
	assert.ErrorIs(t, c.RevokeListedGrant(ctx, &access.Grant{ID: g.ID}), access.ErrNotFound)
}

func methods(reqs []resivotest.Request) []string {
	out := make([]string, len(reqs))
	for i, r := range reqs {
		out[i] = r.Method
	}
	return out
}

// waitHeld waits for n requests held by a fault; the timeout bounds the
// failure only (reads one after another never get there).
func waitHeld(t *testing.T, held <-chan resivotest.Request, n int) {
	t.Helper()
	timer := time.NewTimer(10 * time.Second)
	defer timer.Stop()
	for i := range n {
		select {
		case <-held:
		case <-timer.C:
			t.Fatalf("%d reads in flight at once, want %d", i, n)
		}
	}
}

// ListDoors lists the sites' components at once.
func TestListDoorsReadsTheSitesAtOnce(t *testing.T) {
	c, srv := newFakeClient(t)
	ctx := context.Background()
	_ = c.SiteLocale(ctx, resivotest.SiteID) // the token
	held, release := make(chan resivotest.Request, 2), make(chan struct{})
	srv.Inject(resivotest.Fault{Method: "GET", Count: 2, Held: held, Hold: release})
	type result struct {
		doors []access.Door
		err   error
	}
	done := make(chan result, 1)
	go func() {
		doors, err := c.ListDoors(ctx)
		done <- result{doors, err}
	}()
	waitHeld(t, held, 2)
	close(release)
	r := <-done
	require.NoError(t, r.err)
	require.NotEmpty(t, r.doors)
	assert.Equal(t, resivotest.SiteID, r.doors[0].Site, "sites in the order given")
	assert.Equal(t, resivotest.Site2ID, r.doors[len(r.doors)-1].Site)
}

// ListGrants without a key reads the stored keys' grants a few at once and
// yields them in key order.
func TestListGrantsReadsTheKeysAtOnce(t *testing.T) {
	c, srv := newFakeClient(t)
	ctx := context.Background()
	keys := []string{"BK-a", "BK-b", "BK-c"}
	for _, k := range keys {
		_, err := c.CreateGrant(ctx, bookingRequest(k))
		require.NoError(t, err)
	}
	held, release := make(chan resivotest.Request, len(keys)), make(chan struct{})
	srv.Inject(resivotest.Fault{Method: "GET", Count: len(keys), Held: held, Hold: release})
	done := make(chan []string, 1)
	go func() {
		var got []string
		for g, err := range c.ListGrants(ctx, access.GrantFilter{}) {
			assert.NoError(t, err)
			if g != nil {
				got = append(got, g.Key)
			}
		}
		done <- got
	}()
	waitHeld(t, held, len(keys))
	close(release)
	assert.Equal(t, keys, <-done)
}
