package havr_test

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
	"github.com/doorkit/doorkit/access/accesstest"
	"github.com/doorkit/doorkit/havr"
	"github.com/doorkit/doorkit/havr/havrtest"
)

// Requests per EnsureGrant case on the fake, one door, against the minimum
// Havr's API needs. A lookup by key is one listing of every shared key with
// its holder (GET /v1/shared_keys/index_with_details): the key lives in the
// keys' note, which no narrower listing filters on. The grant found is
// moved from what the listing showed (UpdateListedGrantWindow: no read
// back); a revoke is a DELETE by id.
//
// A visitor, by emailed link:
//
//	case        requests  minimum  what
//	create      2         2        list, POST create_with_link
//	unchanged   1         1        list
//	moved       2         2        list, PATCH the key
//	recreated   3         3        list, DELETE, POST create_with_link (another holder)
//	recovered   3         3        list, POST (answer lost), list
//	revoke      2         2        list, DELETE
//
// A member (a Havr user id): create_or_update replaces a key the member
// already holds to the door, so the create first lists the door's keys
// (POST shared_keys_for_door_lock) under the member's turn on that door;
// the lookup's listing, made before the turn, cannot stand in for it (see
// CreateGrant), which is the one request above the visitor's:
//
//	case        requests  minimum  what
//	create      3         3        list, list the door's keys, POST create_or_update
//	unchanged   1         1        list
//	moved       2         2        list, PATCH the key
//	recreated   4         4        list, DELETE, list the door's keys, POST (another member)
//	recovered   4         4        list, list the door's keys, POST (answer lost), list
//	revoke      2         2        list, DELETE
func TestEnsureGrantRequestCounts(t *testing.T) {
	visitor, other := access.Person{Name: "Grace", Email: "grace@example.com"}, access.Person{Name: "Alan", Email: "alan@example.com"}
	member, otherMember := access.Person{Name: "Max", VendorUserID: id(havrtest.MemberID)}, access.Person{Name: "Otto", VendorUserID: id(havrtest.OtherID)}
	for _, tc := range []struct {
		name          string
		holder, other access.Person
		createPath    string
		want          map[string]int
	}{
		{"visitor", visitor, other, createLinkPath,
			map[string]int{"create": 2, "unchanged": 1, "moved": 2, "recreated": 3, "recovered": 3, "revoke": 2}},
		{"member", member, otherMember, createMemberPath,
			map[string]int{"create": 3, "unchanged": 1, "moved": 2, "recreated": 4, "recovered": 4, "revoke": 2}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			c, srv := newFakeClient(t)
			_, err := c.ListDoors(ctx) // log in first
			require.NoError(t, err)
			req := access.GrantRequest{Key: "BK-count", DoorIDs: []string{id(havrtest.GarageDoorID)}, Holder: tc.holder, Window: future()}
			moved := req
			moved.Window.End = moved.Window.End.Add(time.Hour)
			recreated := moved
			recreated.Holder = tc.other
			lost := req
			lost.Key = "BK-lost"
			for _, step := range []struct {
				name    string
				outcome access.EnsureOutcome
				run     func() (access.EnsureOutcome, error)
			}{
				{"create", access.EnsureCreated, ensure(ctx, c, req)},
				{"unchanged", access.EnsureUnchanged, ensure(ctx, c, req)},
				{"moved", access.EnsureUpdated, ensure(ctx, c, moved)},
				{"recreated", access.EnsureRecreated, ensure(ctx, c, recreated)},
				{"revoke", 0, func() (access.EnsureOutcome, error) { return 0, access.EnsureRevokedByKey(ctx, c, req.Key) }},
				{"recovered", access.EnsureRecovered, func() (access.EnsureOutcome, error) {
					srv.Inject(havrtest.Fault{Method: http.MethodPost, Path: tc.createPath, Count: 1, LoseAnswer: true})
					return ensure(ctx, c, lost)()
				}},
			} {
				srv.ResetLog()
				outcome, err := step.run()
				require.NoError(t, err, step.name)
				assert.Equal(t, step.outcome, outcome, step.name)
				var paths []string
				everyKey := 0
				for _, r := range srv.Requests() {
					paths = append(paths, r.Method+" "+r.Path)
					if r.Path == "/v1/shared_keys/index_with_details" {
						everyKey++
					}
				}
				assert.Len(t, paths, tc.want[step.name], "%s: %v", step.name, paths)
				wantEveryKey := 1 // the lookup by key; the recovery looks again
				if step.name == "recovered" {
					wantEveryKey = 2
				}
				assert.Equal(t, wantEveryKey, everyKey, "%s: listings of every key: %v", step.name, paths)
			}
		})
	}
}

func ensure(ctx context.Context, g access.Granter, req access.GrantRequest) func() (access.EnsureOutcome, error) {
	return func() (access.EnsureOutcome, error) {
		_, outcome, err := access.EnsureGrant(ctx, g, req)
		return outcome, err
	}
}

// A listed grant is moved with one PATCH per key and no read back; the
// result keeps the listing's holder and credentials and takes the window
// and states from Havr's answers. A grant built by hand is moved by id,
// read back.
func TestUpdateListedGrantWindow(t *testing.T) {
	ctx := context.Background()
	c, srv := newFakeClient(t)
	req := access.GrantRequest{Key: "BK-two", DoorIDs: []string{id(havrtest.FrontDoorID), id(havrtest.MeetingRoomID)},
		Holder: access.Person{Name: "Grace", Email: "grace@example.com"}, Window: future()}
	made, err := c.CreateGrant(ctx, req)
	require.NoError(t, err)
	var listed *access.Grant
	for g, err := range c.ListGrants(ctx, access.GrantFilter{Key: req.Key}) {
		require.NoError(t, err)
		listed = g
	}
	require.NotNil(t, listed)
	w := req.Window
	w.End = w.End.Add(time.Hour)

	srv.ResetLog()
	moved, err := c.UpdateListedGrantWindow(ctx, listed, w)
	require.NoError(t, err)
	assert.Equal(t, []string{"PATCH", "PATCH"}, methods(srv.Requests()))
	assert.Equal(t, made.ID, moved.ID)
	assert.Equal(t, w.UTC(), moved.Window)
	assert.Equal(t, listed.Holder, moved.Holder)
	assert.Equal(t, listed.DoorIDs(), moved.DoorIDs())
	for i, d := range moved.Doors {
		assert.Equal(t, listed.Doors[i].Credential, d.Credential)
		assert.Equal(t, access.GrantPending, d.State, "the visitor has not opened the link")
	}
	got, err := c.GetGrant(ctx, made.ID)
	require.NoError(t, err)
	assert.Equal(t, got.Window, moved.Window)

	srv.ResetLog()
	w.End = w.End.Add(time.Hour)
	byHand, err := c.UpdateListedGrantWindow(ctx, &access.Grant{ID: made.ID}, w)
	require.NoError(t, err)
	assert.Equal(t, []string{"PATCH", "PATCH", "GET", "GET"}, methods(srv.Requests()), "moved by id, read back")
	assert.Equal(t, w.UTC(), byHand.Window)
}

func methods(reqs []havrtest.Request) []string {
	out := make([]string, len(reqs))
	for i, r := range reqs {
		out[i] = r.Method
	}
	return out
}

// An Apply of n changes on one account reads the shared key listing (every
// key of the account) once per batch of access.ApplyBatch keys, taken under
// the batch's turns, not once per change: 200 creates, then 200 moves,
// then 200 revokes, each at 2 listings where a lookup per change cost 200
// (and the account's size times as many bytes). A revoke re-reads its grant
// from that listing, not by id.
func TestApplyListsOncePerBatch(t *testing.T) {
	ctx := context.Background()
	c, srv := newFakeClient(t)
	const n = 200
	batches := (n + access.ApplyBatch - 1) / access.ApplyBatch
	start := time.Now().Add(24 * time.Hour).Truncate(time.Hour)
	bookings := accesstest.NewBookings()
	for i := range n {
		key := fmt.Sprintf("bk-%03d", i)
		bookings.Set(access.GrantRequest{Key: key, DoorIDs: []string{id(havrtest.FrontDoorID)},
			Holder: access.Person{Name: key, Email: key + "@example.com"}, Credential: access.CredentialLink,
			Window: access.Window{Start: start, End: start.Add(2 * time.Hour)}})
	}
	opts := []access.ReconcileOption{access.WithOwnedPrefix("bk-"), access.WithRevokeShare(1), access.WithRecheck(bookings.Recheck)}
	for _, step := range []struct {
		name    string
		change  func()
		outcome access.ApplyOutcome
		write   string // the request each change sends
	}{
		{"create", func() {}, access.ApplyCreated, "POST " + createLinkPath},
		{"move", func() {
			for _, r := range bookings.List() {
				r.Window.End = r.Window.End.Add(time.Hour)
				bookings.Set(r)
			}
		}, access.ApplyUpdated, "PATCH"},
		{"revoke", func() {
			for _, r := range bookings.List() {
				bookings.Cancel(r.Key)
			}
		}, access.ApplyRevoked, "DELETE"},
	} {
		step.change()
		p, err := access.PlanGrants(ctx, c, access.Wanted(bookings.List()...), opts...)
		require.NoError(t, err, step.name)
		srv.ResetLog()
		res, err := access.Apply(ctx, c, p, opts...)
		require.NoError(t, err, "%s: %s", step.name, res)
		assert.Equal(t, n, res.Count(step.outcome), "%s: %s", step.name, res)
		byPath := map[string]int{}
		for _, r := range srv.Requests() {
			what := r.Method + " " + r.Path
			switch {
			case r.Method == http.MethodPatch || r.Method == http.MethodDelete:
				what = r.Method
			case strings.HasPrefix(r.Path, "/v1/shared_keys/show_with_details/"):
				what = "GET a shared key"
			}
			byPath[what]++
		}
		assert.Equal(t, batches, byPath["GET "+listingPath], "%s: listings of every key: %v", step.name, byPath)
		assert.Equal(t, n, byPath[step.write], "%s: %v", step.name, byPath)
		assert.Equal(t, batches+n, len(srv.Requests()), "%s: nothing else: %v", step.name, byPath)
	}
}

// ListGrantsByKeys never takes a listing it could not read for "no grant":
// a listing that fails is its error, and nothing is returned for any key.
func TestListGrantsByKeysFailsWhereTheListingFails(t *testing.T) {
	ctx := context.Background()
	c, srv := newFakeClient(t, havr.WithRetry(0, 0, 0))
	req := access.GrantRequest{Key: "bk-held", DoorIDs: []string{id(havrtest.FrontDoorID)},
		Holder: access.Person{Email: "grace@example.com"}, Window: future()}
	_, _, err := access.EnsureGrant(ctx, c, req)
	require.NoError(t, err)
	got, err := c.ListGrantsByKeys(ctx, []string{"bk-held", "bk-free"})
	require.NoError(t, err)
	require.Len(t, got["bk-held"], 1)
	assert.Empty(t, got["bk-free"])

	srv.Inject(havrtest.Fault{Method: http.MethodGet, Path: listingPath, Count: 1, Status: http.StatusBadGateway})
	got, err = c.ListGrantsByKeys(ctx, []string{"bk-held", "bk-free"})
	assert.Error(t, err)
	assert.Nil(t, got)
}

// perKey is a Havr client whose grants Apply cannot look up in batches:
// its ListGrantsByKeys hides the client's, so each change looks its key up
// alone, as Apply did before batches.
type perKey struct{ *havr.Client }

func (perKey) ListGrantsByKeys() {}

// BenchmarkApply moves the windows of every booking of an account (one
// Apply of n updates) with a lookup per change (lookup=per-key, Apply
// before batches) and with a reading per access.ApplyBatch changes
// (lookup=batch). Each lookup reads every shared key of the account, so
// per-key costs grow with n squared, batches with n²/ApplyBatch; compare
// ns/op and B/op across the sub-benchmarks with benchstat -col /lookup.
func BenchmarkApply(b *testing.B) {
	for _, n := range []int{100, 500} {
		for _, lookup := range []string{"per-key", "batch"} {
			b.Run(fmt.Sprintf("bookings=%d/lookup=%s", n, lookup), func(b *testing.B) {
				ctx := context.Background()
				c, _ := newFakeClient(b)
				var target access.Granter = c
				if lookup == "per-key" {
					target = perKey{c}
				}
				start := time.Now().Add(24 * time.Hour).Truncate(time.Hour)
				reqs := make([]access.GrantRequest, n)
				for i := range reqs {
					key := fmt.Sprintf("bk-%04d", i)
					reqs[i] = access.GrantRequest{Key: key, DoorIDs: []string{id(havrtest.FrontDoorID)},
						Holder: access.Person{Name: key, Email: key + "@example.com"}, Credential: access.CredentialLink,
						Window: access.Window{Start: start, End: start.Add(2 * time.Hour)}}
					if _, err := c.CreateGrant(ctx, reqs[i]); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportAllocs()
				for b.Loop() {
					b.StopTimer()
					for i := range reqs {
						reqs[i].Window.End = reqs[i].Window.End.Add(time.Hour)
					}
					p, err := access.PlanGrants(ctx, target, access.Wanted(reqs...), access.WithOwnedPrefix("bk-"))
					if err != nil || p.Summary().Update != n {
						b.Fatalf("plan: %v\n%s", err, p)
					}
					b.StartTimer()
					res, err := access.Apply(ctx, target, p)
					if err != nil || res.Count(access.ApplyUpdated) != n {
						b.Fatalf("apply: %v: %s", err, res)
					}
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/change")
			})
		}
	}
}
