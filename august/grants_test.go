package august_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/access/accesstest"
	"github.com/doorkit/doorkit/august"
	"github.com/doorkit/doorkit/august/augusttest"
)

// Grants found on documented calls only: every test below runs against the
// in-memory August with and without the sub-user join (a PIN loaded with a
// partnerUserID making the sub-user that GET /partners/sub-user lists),
// which no document promises.

var joinModes = []struct {
	name string
	join bool
}{{"join", true}, {"no-join", false}}

// sideDoorID sorts after augusttest.FrontDoorID, so a grant over both loads
// the front door first.
const sideDoorID = "F0000000000000000000000000000001"

func addSideDoor(t *testing.T, c *august.Client, srv *augusttest.Server) {
	t.Helper()
	srv.AddLock(augusttest.Lock{ID: sideDoorID, Name: "Side Door", HouseID: augusttest.HouseID, Keypad: true, Bridge: true,
		TimeZone: "Europe/Amsterdam"}, augusttest.OwnerID)
	_, _, err := c.Webhooks.Register(context.Background(), sideDoorID, august.WebhookRequest{URL: fakeHookURL,
		ClientID: augusttest.ClientID, Header: fakeHookHeader, Token: fakeHookToken,
		NotificationTypes: []august.NotificationType{august.NotifyOperation}})
	require.NoError(t, err)
}

// livePINs returns the PINs a lock holds that are not being deleted.
func livePINs(srv *augusttest.Server, lockID string) []augusttest.PIN {
	var out []augusttest.PIN
	for _, p := range srv.PINs(lockID) {
		if p.State != "deleting" {
			out = append(out, p)
		}
	}
	return out
}

// within runs f and fails the test if it has not returned after bound, a
// generous limit far above what f needs: it catches a call that ignores
// its context, not a slow one.
func within(t *testing.T, bound time.Duration, f func() error) error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- f() }()
	select {
	case err := <-done:
		return err
	case <-time.After(bound):
		t.Fatalf("the call had not returned %v after its context ended", bound)
		return nil
	}
}

// notGone fails unless err is an error that does not claim the grant is
// gone (ErrNotFound), while August still holds its PIN.
func notGone(t *testing.T, what string, err error) {
	t.Helper()
	if assert.Error(t, err, "%s reported success while August still holds the PIN", what) {
		assert.NotErrorIs(t, err, access.ErrNotFound, "%s reported the grant gone while August still holds the PIN", what)
	}
}

// Without the join the grant's PIN is still found, revoked and gone; with
// or without it, nothing is reported gone while August holds the PIN.
func TestGrantRevokeWithoutSubUserJoin(t *testing.T) {
	for _, mode := range joinModes {
		t.Run(mode.name, func(t *testing.T) {
			c, srv, _ := conformanceEnv(t)
			srv.SetSubUserJoin(mode.join)
			ctx := timeout(t)
			grant, err := c.CreateGrant(ctx, grantRequest("booking-nojoin", "482913"))
			require.NoError(t, err)
			require.NoError(t, srv.WaitDeliveries(ctx))
			require.Len(t, livePINs(srv, augusttest.FrontDoorID), 1)

			got, err := c.GetGrant(ctx, grant.ID)
			if err != nil {
				notGone(t, "GetGrant", err)
			}
			require.NoError(t, err, "the grant's PIN is found by its sub-user's userID")
			assert.Equal(t, access.GrantActive, got.State())
			err = c.RevokeGrant(ctx, grant.ID)
			if len(livePINs(srv, augusttest.FrontDoorID)) != 0 {
				notGone(t, "RevokeGrant", err)
			}
			require.NoError(t, err)
			assert.Empty(t, livePINs(srv, augusttest.FrontDoorID))
			assert.ErrorIs(t, c.RevokeGrant(ctx, grant.ID), access.ErrNotFound, "August's complete listing shows no PIN left")
		})
	}
}

// A PIN listing that fails (404, 412) proves nothing: the grant is not
// reported gone, and a lookup by key yields an error instead of nothing.
func TestGrantPINListingFailureIsNotAbsence(t *testing.T) {
	for _, status := range []int{http.StatusNotFound, http.StatusPreconditionFailed} {
		for _, mode := range joinModes {
			t.Run(http.StatusText(status)+"/"+mode.name, func(t *testing.T) {
				c, srv, _ := conformanceEnv(t)
				srv.SetSubUserJoin(mode.join)
				ctx := timeout(t)
				grant, err := c.CreateGrant(ctx, grantRequest("booking-404", "482913"))
				require.NoError(t, err)
				require.NoError(t, srv.WaitDeliveries(ctx))
				failList := func() {
					srv.Inject(augusttest.Fault{Method: http.MethodGet, Path: "/locks/" + augusttest.FrontDoorID + "/pins", Count: 1, Status: status})
				}

				failList()
				_, err = c.GetGrant(ctx, grant.ID)
				notGone(t, "GetGrant", err)

				failList()
				var listed []string
				var listErr error
				for g, err := range c.ListGrants(ctx, access.GrantFilter{Key: "booking-404"}) {
					if err != nil {
						listErr = err
						continue
					}
					listed = append(listed, g.ID)
				}
				assert.True(t, listErr != nil || len(listed) == 1, "a failed PIN listing yielded neither the grant nor an error")

				failList()
				err = c.RevokeGrant(ctx, grant.ID)
				if len(livePINs(srv, augusttest.FrontDoorID)) == 1 {
					notGone(t, "RevokeGrant", err)
				}
				failList()
				err = access.EnsureRevokedByKey(ctx, c, "booking-404")
				if len(livePINs(srv, augusttest.FrontDoorID)) == 1 {
					assert.Error(t, err, "EnsureRevokedByKey reported done while August still holds the PIN")
				}
			})
		}
	}
}

// A PIN in a listing bucket the client does not know is still there: the
// grant is neither gone nor made twice.
func TestGrantPINInUnknownListIsKept(t *testing.T) {
	for _, mode := range joinModes {
		t.Run(mode.name, func(t *testing.T) {
			c, srv, _ := conformanceEnv(t)
			srv.SetSubUserJoin(mode.join)
			ctx := timeout(t)
			req := grantRequest("booking-suspended", "482913")
			grant, err := c.CreateGrant(ctx, req)
			require.NoError(t, err)
			require.NoError(t, srv.WaitDeliveries(ctx))
			require.True(t, srv.SetPINState(augusttest.FrontDoorID, "482913", "suspended"))

			_, err = c.GetGrant(ctx, grant.ID)
			assert.NotErrorIs(t, err, access.ErrNotFound, "GetGrant of a PIN listed under \"suspended\"")
			again, _, err := access.EnsureGrant(ctx, c, req)
			if err == nil {
				assert.Equal(t, grant.ID, again.ID, "EnsureGrant made a second grant while the first one's PIN is on the lock")
			}
			loads := srv.CountPINCommands("load")
			assert.Equal(t, 1, loads, "one PIN loaded for the key")

			err = c.RevokeGrant(ctx, grant.ID)
			if len(livePINs(srv, augusttest.FrontDoorID)) != 0 {
				notGone(t, "RevokeGrant", err)
			} else {
				assert.NoError(t, err)
			}
		})
	}
}

// rollbackGrace is short: what the rollback waits for is held, so it cannot
// finish however long the grace.
const rollbackGrace = 50 * time.Millisecond

// B9: a later door refuses the PIN while August holds the first door's
// load result back: the rollback cannot delete the first PIN before the
// load completes, and it stops shortly after the caller's context ends
// with an error that matches ErrOutcomeUnknown and names the first door.
// EnsureGrant then repairs the grant on the next trigger.
func TestCreateGrantRollbackBoundedWhileLoadResultHeld(t *testing.T) {
	c, srv, _ := conformanceEnv(t, august.WithRollbackGrace(rollbackGrace))
	addSideDoor(t, c, srv)
	test := timeout(t)
	preloadConflict(t, c, srv)
	srv.HoldDeliveries(true)

	ctx, cancel := context.WithCancel(test)
	defer cancel()
	srv.SetPINCommandHook(func(call augusttest.PINCommandCall) {
		if call.Action == "delete" {
			cancel() // the rollback has begun: the caller gives up now
		}
	})
	req := grantRequest("booking-b9-held", "482913")
	req.DoorIDs = []string{augusttest.FrontDoorID, sideDoorID}
	err := within(t, 15*time.Second, func() error {
		_, err := c.CreateGrant(ctx, req)
		return err
	})
	require.ErrorIs(t, err, access.ErrOutcomeUnknown, "the first door may keep a live PIN")
	assert.NotErrorIs(t, err, access.ErrConflict, "a refusal would say nothing was left")
	var rerr *august.RollbackError
	require.ErrorAs(t, err, &rerr)
	assert.Equal(t, []string{augusttest.FrontDoorID}, rerr.LockIDs, "the error names the door that may keep a PIN")
	assert.ErrorIs(t, rerr.Cause, access.ErrConflict, "the side door's refusal")
	assert.Contains(t, err.Error(), augusttest.FrontDoorID)
	srv.SetPINCommandHook(nil)

	// August loads the first door's PIN after all: it is live.
	srv.HoldDeliveries(false)
	require.NoError(t, srv.WaitDeliveries(test))
	require.Len(t, livePINs(srv, augusttest.FrontDoorID), 1)

	repairAfterRollback(t, c, srv, req)
}

// B9: the rollback's delete hangs: the rollback gives up shortly after the
// caller's context ends, with ErrOutcomeUnknown naming the first door.
func TestCreateGrantRollbackBoundedWhenDeleteHangs(t *testing.T) {
	c, srv, _ := conformanceEnv(t, august.WithRollbackGrace(rollbackGrace))
	addSideDoor(t, c, srv)
	test := timeout(t)
	preloadConflict(t, c, srv)

	ctx, cancel := context.WithCancel(test)
	defer cancel()
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	srv.SetPINCommandHook(func(call augusttest.PINCommandCall) {
		if call.Action == "delete" && call.LockID == augusttest.FrontDoorID {
			cancel()
			<-release // hangs until the test ends
		}
	})
	req := grantRequest("booking-b9-hang", "482913")
	req.DoorIDs = []string{augusttest.FrontDoorID, sideDoorID}
	err := within(t, 15*time.Second, func() error {
		_, err := c.CreateGrant(ctx, req)
		return err
	})
	require.ErrorIs(t, err, access.ErrOutcomeUnknown, "the first door may keep a live PIN")
	var rerr *august.RollbackError
	require.ErrorAs(t, err, &rerr)
	assert.Equal(t, []string{augusttest.FrontDoorID}, rerr.LockIDs)
	assert.Contains(t, err.Error(), augusttest.FrontDoorID)
	assert.Len(t, livePINs(srv, augusttest.FrontDoorID), 1, "the first door still holds the PIN")
}

// A lock listing a PIN that August has not given a user yet (a load under
// way, here another system's) may hold the grant's PIN: a grant revoked
// before is not reported gone until that PIN has its user.
func TestGrantPINWithoutUserIsNotAbsence(t *testing.T) {
	c, srv, _ := conformanceEnv(t)
	srv.SetSubUserJoin(false)
	ctx := timeout(t)
	grant, err := c.CreateGrant(ctx, grantRequest("booking-unassigned", "482913"))
	require.NoError(t, err)
	require.NoError(t, srv.WaitDeliveries(ctx))
	require.NoError(t, c.RevokeGrant(ctx, grant.ID))

	srv.HoldDeliveries(true)
	start := time.Now().Add(time.Hour).Truncate(time.Second)
	_, _, err = c.PINs.Load(ctx, augusttest.FrontDoorID, august.PINCommand{PIN: "135790", AccessType: august.AccessTemporary,
		AccessTimes: &august.AccessTimes{Start: start, End: start.Add(time.Hour)}, FirstName: "Other", LastName: "System",
		PartnerUserID: "other-system-7"}, fakeHookURL, nil)
	require.NoError(t, err)

	err = c.RevokeGrant(ctx, grant.ID)
	assert.ErrorIs(t, err, access.ErrOutcomeUnknown)
	assert.NotErrorIs(t, err, access.ErrNotFound)
	_, err = c.GetGrant(ctx, grant.ID)
	assert.ErrorIs(t, err, access.ErrOutcomeUnknown)
	assert.Error(t, access.EnsureRevokedByKey(ctx, c, "booking-unassigned"), "a listing that cannot show the key's absence")

	srv.HoldDeliveries(false)
	require.NoError(t, srv.WaitDeliveries(ctx))
	assert.ErrorIs(t, c.RevokeGrant(ctx, grant.ID), access.ErrNotFound, "every PIN has its user: none is the grant's")
	assert.NoError(t, access.EnsureRevokedByKey(ctx, c, "booking-unassigned"))
}

// Without a webhook handler the rollback cannot wait for a load under way:
// the first door's PIN may stay, and the error says so.
func TestCreateGrantRollbackWithoutHandler(t *testing.T) {
	env := newFakeEnv(t, august.WithWebhook(fakeHookURL, nil))
	c, srv := env.c, env.srv
	addSideDoor(t, c, srv)
	ctx := timeout(t)
	preloadConflict(t, c, srv)
	srv.HoldDeliveries(true)
	req := grantRequest("booking-no-handler", "482913")
	req.DoorIDs = []string{augusttest.FrontDoorID, sideDoorID}
	_, err := c.CreateGrant(ctx, req)
	var rerr *august.RollbackError
	require.ErrorAs(t, err, &rerr)
	assert.Equal(t, []string{augusttest.FrontDoorID}, rerr.LockIDs)
	assert.ErrorIs(t, err, access.ErrOutcomeUnknown)
	assert.NotErrorIs(t, err, access.ErrConflict, "neither the refusal nor the refused delete says nothing was left")

	srv.HoldDeliveries(false)
	require.NoError(t, srv.WaitDeliveries(ctx))
	// Without a handler an accepted delete is not proof: only the listing
	// is, and it shows the delete under way until August applies it.
	srv.HoldDeliveries(true)
	err = c.RevokeGrant(ctx, rerr.GrantID)
	assert.ErrorIs(t, err, access.ErrOutcomeUnknown, "August accepted the delete; nothing shows it applied")
	srv.HoldDeliveries(false)
	require.NoError(t, srv.WaitDeliveries(ctx))
	assert.Empty(t, livePINs(srv, augusttest.FrontDoorID))
	assert.ErrorIs(t, c.RevokeGrant(ctx, rerr.GrantID), access.ErrNotFound, "the listing now shows it gone")
	assert.NoError(t, access.EnsureRevokedByKey(ctx, c, req.Key))

	// When August has loaded the first door by the time the side door
	// refuses, the rollback's delete is accepted, but without a handler
	// nothing shows it applied before the call returns: the PIN may still
	// be live, and the error says so.
	srv.SetPINCommandHook(func(call augusttest.PINCommandCall) {
		if call.LockID == sideDoorID && call.Action == "load" {
			assert.NoError(t, srv.WaitDeliveries(ctx)) // the first door's load result
			srv.HoldDeliveries(true)                   // the delete stays under way
		}
	})
	req.Key = "booking-no-handler-2"
	_, err = c.CreateGrant(ctx, req)
	require.ErrorAs(t, err, &rerr)
	assert.ErrorIs(t, err, access.ErrOutcomeUnknown)
	srv.SetPINCommandHook(nil)
	srv.HoldDeliveries(false)
	require.NoError(t, srv.WaitDeliveries(ctx))
	assert.Empty(t, livePINs(srv, augusttest.FrontDoorID))
}

// preloadConflict loads the PIN 482913 on the side door for someone else,
// so that a grant with that PIN is refused there (409).
func preloadConflict(t *testing.T, c *august.Client, srv *augusttest.Server) {
	t.Helper()
	ctx := timeout(t)
	start := time.Now().Add(time.Hour).Truncate(time.Second)
	_, _, err := c.PINs.Load(ctx, sideDoorID, august.PINCommand{PIN: "482913", AccessType: august.AccessTemporary,
		AccessTimes: &august.AccessTimes{Start: start, End: start.Add(time.Hour)}, FirstName: "Other", LastName: "Guest",
		PartnerUserID: "someone-else"}, fakeHookURL, nil)
	require.NoError(t, err)
	require.NoError(t, srv.WaitDeliveries(ctx))
}

// repairAfterRollback removes the side door's conflict and checks that the
// next EnsureGrant leaves exactly one grant with a PIN on each door.
func repairAfterRollback(t *testing.T, c *august.Client, srv *augusttest.Server, req access.GrantRequest) {
	t.Helper()
	ctx := timeout(t)
	other := srv.PINs(sideDoorID)
	require.Len(t, other, 1)
	_, _, err := c.PINs.Delete(ctx, sideDoorID, august.PINCommand{PIN: "482913", UserID: other[0].UserID}, fakeHookURL)
	require.NoError(t, err)
	require.NoError(t, srv.WaitDeliveries(ctx))

	grant, outcome, err := access.EnsureGrant(ctx, c, req)
	require.NoError(t, err)
	assert.Equal(t, access.EnsureRecreated, outcome, "the partial grant is re-made")
	require.NoError(t, srv.WaitDeliveries(ctx))
	assert.Len(t, livePINs(srv, augusttest.FrontDoorID), 1)
	assert.Len(t, livePINs(srv, sideDoorID), 1)
	var ids []string
	for g, err := range c.ListGrants(ctx, access.GrantFilter{Key: req.Key}) {
		require.NoError(t, err)
		ids = append(ids, g.ID)
	}
	assert.Equal(t, []string{grant.ID}, ids)
}

// Requests per EnsureGrant case on the fake, one door, against the minimum
// August's documented API needs without the unpublished sub-user join (see
// the package's access section). A lookup by key is the sub-user listing
// (GET /partners/sub-user), then, when a sub-user carries the key, the PINs
// of the grant's doors (GET /locks/:lockID/pins, one per door). A create
// reads the lock's info (GET /locks/:lockID: does it take PINs, its serial
// number) and, once per lock and client, its keypad's PIN lengths (GET
// /devices/capabilities), makes the grant's sub-user, then loads the PIN.
// The grant found is changed or revoked from what the lookup showed
// (UpdateListedGrantWindow, RevokeListedGrant): one command per door.
//
//	case        requests  minimum  what
//	create      5 (4)     5 (4)    sub-users; lock info, capabilities (the lock's first grant only), POST sub-user, POST load
//	unchanged   2         2        sub-users, PINs
//	moved       3         3        sub-users, PINs, POST update
//	recreated   6         6        sub-users, PINs, POST delete; lock info, POST sub-user, POST load (another holder)
//	recovered   6         6        sub-users; lock info, POST sub-user, POST load (answer lost); sub-users, PINs
//	revoke      3         3        sub-users, PINs, POST delete
//
// Before lookups were narrowed to the grant's doors these were 4, 6, 19
// and 13 (create, unchanged, moved, revoke); before found grants were reused,
// moved and revoke were 5.
func TestEnsureGrantRequestCounts(t *testing.T) {
	for _, mode := range joinModes {
		t.Run(mode.name, func(t *testing.T) {
			c, srv := conformanceClient(t)
			srv.SetSubUserJoin(mode.join)
			ctx := timeout(t)
			req := grantRequest("booking-count", "482913")
			moved := req
			moved.Window.End = moved.Window.End.Add(time.Hour)
			recreated := moved
			recreated.Holder = access.Person{Name: "Alan Turing", Email: "alan@example.com"}
			lost := grantRequest("booking-lost", "")
			ensure := func(r access.GrantRequest) func() (access.EnsureOutcome, error) {
				return func() (access.EnsureOutcome, error) {
					_, outcome, err := access.EnsureGrant(ctx, c, r)
					return outcome, err
				}
			}
			for _, step := range []struct {
				name    string
				want    int
				outcome access.EnsureOutcome
				run     func() (access.EnsureOutcome, error)
			}{
				{"create", 5, access.EnsureCreated, ensure(req)},
				{"unchanged", 2, access.EnsureUnchanged, ensure(req)},
				{"moved", 3, access.EnsureUpdated, ensure(moved)},
				{"recreated", 6, access.EnsureRecreated, ensure(recreated)},
				{"revoke", 3, 0, func() (access.EnsureOutcome, error) { return 0, access.EnsureRevokedByKey(ctx, c, req.Key) }},
				{"recovered", 6, access.EnsureRecovered, func() (access.EnsureOutcome, error) {
					srv.Inject(augusttest.Fault{Method: http.MethodPost, Path: "/locks/" + augusttest.FrontDoorID + "/pins",
						Count: 1, LoseAnswer: true})
					return ensure(lost)()
				}},
			} {
				require.NoError(t, srv.WaitDeliveries(ctx))
				srv.ResetLog()
				outcome, err := step.run()
				require.NoError(t, err, step.name)
				assert.Equal(t, step.outcome, outcome, step.name)
				got := paths(srv.Requests())
				assert.Len(t, got, step.want, "%s: %v", step.name, got)
			}
		})
	}
}

// Concurrent first creates on one lock ask August for its keypad's PIN
// lengths once: the others wait for that answer instead of each asking.
// The first fetch is held until every other create has read the lock's
// info, the step just before it.
func TestFirstCreatesOnALockFetchItsPINLengthsOnce(t *testing.T) {
	c, srv := conformanceClient(t)
	ctx := timeout(t)
	held, release := make(chan augusttest.Request, 1), make(chan struct{})
	srv.Inject(augusttest.Fault{Method: http.MethodGet, Path: "/devices/capabilities", Count: 1, Held: held, Hold: release})
	const creates = 6
	errs := make(chan error, creates)
	ensure := func(i int) {
		_, _, err := access.EnsureGrant(ctx, c, grantRequest(fmt.Sprintf("booking-first-%d", i), ""))
		errs <- err
	}
	go ensure(0)
	select {
	case <-held:
	case <-ctx.Done():
		t.Fatal("the first create never asked for the PIN lengths")
	}
	for i := 1; i < creates; i++ {
		go ensure(i)
	}
	lockInfo := "/locks/" + augusttest.FrontDoorID
	require.Eventually(t, func() bool { return srv.Count(http.MethodGet, lockInfo) == creates },
		30*time.Second, time.Millisecond, "every create reads the lock's info")
	close(release)
	for range creates {
		require.NoError(t, <-errs)
	}
	assert.Equal(t, 1, srv.Count(http.MethodGet, "/devices/capabilities"))
}

// startDelete sends a delete of the PIN pin on a lock with the results
// held, so August lists it as being deleted until they are let through.
func startDelete(t *testing.T, c *august.Client, srv *augusttest.Server, lockID string, pin access.Secret) {
	t.Helper()
	ctx := timeout(t)
	list, _, err := c.PINs.List(ctx, lockID)
	require.NoError(t, err)
	var p august.StatePIN
	for _, s := range list.All() {
		if s.PIN.PIN == pin {
			p = s
		}
	}
	require.NotEmpty(t, p.UserID)
	srv.HoldDeliveries(true)
	_, _, err = c.PINs.Delete(ctx, lockID, august.PINCommand{PIN: pin, UserID: p.UserID, PartnerUserID: p.PartnerUserID},
		"https://hooks.example.com/august")
	require.NoError(t, err)
}

// A PIN August lists as being deleted (the delete accepted, not applied,
// and able to fail) is no evidence that the grant is gone: GetGrant shows
// its door failed, with the reason; EnsureRevokedByKey and EnsureGrant wait
// for that delete (here until the confirm timeout) and report no success,
// and EnsureGrant makes no second grant beside it; an update is no "not
// found" either. Once August has applied the delete, the grant is gone on
// its word.
func TestPINBeingDeletedIsNotGone(t *testing.T) {
	c, srv, _ := conformanceEnv(t, august.WithConfirmTimeout(200*time.Millisecond))
	ctx := timeout(t)
	req := grantRequest("booking-deleting", "482913")
	g, _, err := access.EnsureGrant(ctx, c, req)
	require.NoError(t, err)
	require.NoError(t, srv.WaitDeliveries(ctx))
	startDelete(t, c, srv, augusttest.FrontDoorID, "482913")

	got, err := c.GetGrant(ctx, g.ID)
	require.NoError(t, err, "GetGrant while the PIN is being deleted")
	require.Len(t, got.Doors, 1)
	assert.Equal(t, access.GrantFailed, got.Doors[0].State)
	assert.Contains(t, got.Doors[0].Reason, "deleting")
	// Each call on a turn of its own: a call that ends with an outcome it
	// did not learn leaves its key's turn pending on the client's Locker.
	fresh := func() access.EnsureOption { return access.WithLocker(access.NewMemoryLocker()) }
	err = access.EnsureRevokedByKey(ctx, c, req.Key, fresh())
	assert.Error(t, err, "EnsureRevokedByKey while the PIN is being deleted")
	assert.NotErrorIs(t, err, access.ErrNotFound)
	srv.ResetLog()
	_, _, err = access.EnsureGrant(ctx, c, req, fresh())
	assert.Error(t, err, "EnsureGrant while the key's PIN is being deleted")
	assert.Zero(t, srv.Count(http.MethodPost, "/partners/sub-user"), "no second grant is made beside it")
	_, err = c.UpdateGrantWindow(ctx, g.ID, access.Window{Start: req.Window.Start.Add(time.Hour), End: req.Window.End.Add(time.Hour)})
	assert.Error(t, err)
	assert.NotErrorIs(t, err, access.ErrNotFound, "the delete may still fail")

	srv.HoldDeliveries(false)
	require.NoError(t, srv.WaitDeliveries(ctx))
	_, err = c.GetGrant(ctx, g.ID)
	assert.ErrorIs(t, err, access.ErrNotFound, "applied, the delete is August's word")
	assert.NoError(t, access.EnsureRevokedByKey(ctx, c, req.Key, fresh()))
}

// A grant over two doors whose PIN on one is being deleted and still
// loaded on the other: EnsureRevokedByKey deletes the live one at once,
// and reports no success until the other's delete is applied.
func TestRevokeByKeyWhileOneDoorIsBeingDeleted(t *testing.T) {
	c, srv, _ := conformanceEnv(t, august.WithConfirmTimeout(200*time.Millisecond))
	ctx := timeout(t)
	side := srv.AddLock(augusttest.Lock{ID: "F0000000000000000000000000000001", Name: "Side Door", HouseID: augusttest.HouseID,
		Keypad: true, Bridge: true, TimeZone: "Europe/Amsterdam"}, augusttest.OwnerID)
	req := grantRequest("booking-two-doors", "482913")
	req.DoorIDs = []string{augusttest.FrontDoorID, side}
	g, _, err := access.EnsureGrant(ctx, c, req)
	require.NoError(t, err)
	require.NoError(t, srv.WaitDeliveries(ctx))
	startDelete(t, c, srv, augusttest.FrontDoorID, "482913")
	deletes := srv.CountPINCommands("delete")

	err = access.EnsureRevokedByKey(ctx, c, req.Key)
	assert.Error(t, err, "the front door's delete is not applied yet")
	assert.Equal(t, deletes+1, srv.CountPINCommands("delete"), "the side door's live PIN gets its delete")
	srv.HoldDeliveries(false)
	require.NoError(t, srv.WaitDeliveries(ctx))
	_, err = c.GetGrant(ctx, g.ID)
	assert.ErrorIs(t, err, access.ErrNotFound)
	assert.Zero(t, srv.LivePINs())
}

// A grant whose PIN is being deleted leaves a plan of the account complete:
// it is planned like any failed grant, and nothing else is withheld.
func TestPlanWhileAPINIsBeingDeleted(t *testing.T) {
	c, srv := conformanceClient(t)
	ctx := timeout(t)
	leaving, unwanted := grantRequest("booking-leaving", "482913"), grantRequest("booking-unwanted", "593024")
	for _, r := range []access.GrantRequest{leaving, unwanted} {
		_, _, err := access.EnsureGrant(ctx, c, r)
		require.NoError(t, err)
	}
	require.NoError(t, srv.WaitDeliveries(ctx))
	startDelete(t, c, srv, augusttest.FrontDoorID, "482913")
	defer srv.HoldDeliveries(false)

	p, err := access.PlanGrants(ctx, c, access.Wanted(grantRequest("booking-new", "604135")), access.WithOwnedPrefix("booking-"),
		access.WithRevokeShare(1))
	require.NoError(t, err)
	got := map[string]access.ChangeAction{}
	for _, ch := range p.Changes {
		assert.Empty(t, ch.Withheld, "%s %s", ch.Action, ch.Key)
		got[ch.Key] = ch.Action
	}
	assert.Equal(t, map[string]access.ChangeAction{"booking-new": access.ActionCreate, "booking-unwanted": access.ActionRevoke,
		"booking-leaving": access.ActionRevoke}, got, "%s", p)
}

// A delete under way whose result says it failed: where the PIN listing
// then shows the PIN as it was (loaded), RevokeGrant, which waited for that
// result, sends its own delete and succeeds once August applies it; where
// the listing has not caught up and still shows the PIN being deleted, that
// is no delete, and RevokeGrant answers access.ErrOutcomeUnknown, not
// success. (What August's listing shows after a failed command is not
// documented; the fake plays both with SetListingStaleAfterFailure.)
func TestRevokeAfterAFailedDelete(t *testing.T) {
	for _, stale := range []bool{false, true} {
		t.Run(fmt.Sprintf("stale=%t", stale), func(t *testing.T) {
			c, srv := conformanceClient(t)
			ctx := timeout(t)
			g, _, err := access.EnsureGrant(ctx, c, grantRequest("booking-stale", "482913"))
			require.NoError(t, err)
			require.NoError(t, srv.WaitDeliveries(ctx))
			list, _, err := c.PINs.List(ctx, augusttest.FrontDoorID)
			require.NoError(t, err)
			var pin august.StatePIN
			for _, p := range list.All() {
				if p.PIN.PIN == "482913" {
					pin = p
				}
			}
			require.NotEmpty(t, pin.UserID)
			srv.SetListingStaleAfterFailure(stale)
			srv.FailPINCommand("482913", "the lock did not answer")
			srv.HoldDeliveries(true)
			_, _, err = c.PINs.Delete(ctx, augusttest.FrontDoorID, august.PINCommand{PIN: "482913", UserID: pin.UserID, PartnerUserID: pin.PartnerUserID},
				"https://hooks.example.com/august")
			require.NoError(t, err)

			pinsPath := "/locks/" + augusttest.FrontDoorID + "/pins"
			listed := srv.Count(http.MethodGet, pinsPath)
			revoked := make(chan error, 1)
			go func() { revoked <- c.RevokeGrant(ctx, g.ID) }()
			// The grant's listing, then the look after it waits for the
			// delete's result: only then is the result let through.
			require.Eventually(t, func() bool { return srv.Count(http.MethodGet, pinsPath) >= listed+2 },
				30*time.Second, time.Millisecond)
			srv.HoldDeliveries(false)
			err = <-revoked
			onLock := false
			for _, p := range srv.PINs(augusttest.FrontDoorID) {
				onLock = onLock || p.PIN == "482913"
			}
			if stale {
				assert.ErrorIs(t, err, access.ErrOutcomeUnknown, "a failed delete still listed as deleting")
				assert.True(t, onLock, "the PIN is still on the lock")
				return
			}
			require.NoError(t, err)
			assert.False(t, onLock, "its own delete took the PIN off")
		})
	}
}

func paths(reqs []augusttest.Request) []string {
	out := make([]string, len(reqs))
	for i, r := range reqs {
		out[i] = r.Method + " " + r.Path
	}
	return out
}

// An Apply of n changes on one account reads the sub-user listing (every
// grant of the account: August filters it by no key) and the PINs of the
// batch's locks once per batch of access.ApplyBatch keys, taken under the
// batch's turns, not once per change: 200 creates, then 200 moves, then 200
// revokes, each at 2 sub-user listings where a lookup per change cost 200
// (400 for a revoke, which read the grant again by id and then revoked it
// by id, listing twice). A revoke re-reads its grant from that reading and
// revokes it from what it showed (RevokeListedGrant).
func TestApplyListsOncePerBatch(t *testing.T) {
	for _, mode := range joinModes {
		t.Run(mode.name, func(t *testing.T) {
			c, srv := conformanceClient(t)
			srv.SetSubUserJoin(mode.join)
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			const n = 200
			batches := (n + access.ApplyBatch - 1) / access.ApplyBatch
			start := time.Now().Add(24 * time.Hour).Truncate(time.Hour)
			bookings := accesstest.NewBookings()
			for i := range n {
				key := fmt.Sprintf("bk-%03d", i)
				bookings.Set(access.GrantRequest{Key: key, DoorIDs: []string{augusttest.FrontDoorID},
					Holder: access.Person{Name: "Guest " + key, Email: key + "@example.com"}, Credential: access.CredentialPIN,
					PIN: access.Secret(fmt.Sprintf("%06d", 300000+i)), Window: access.Window{Start: start, End: start.Add(2 * time.Hour)}})
			}
			opts := []access.ReconcileOption{access.WithOwnedPrefix("bk-"), access.WithRevokeShare(1), access.WithRecheck(bookings.Recheck)}
			pins := "GET /locks/" + augusttest.FrontDoorID + "/pins"
			for _, step := range []struct {
				name     string
				change   func()
				outcome  access.ApplyOutcome
				pinLists int // PIN listings per batch: none before a key has a grant
			}{
				{"create", func() {}, access.ApplyCreated, 0},
				{"move", func() {
					for _, r := range bookings.List() {
						r.Window.End = r.Window.End.Add(time.Hour)
						bookings.Set(r)
					}
				}, access.ApplyUpdated, 1},
				{"revoke", func() {
					for _, r := range bookings.List() {
						bookings.Cancel(r.Key)
					}
				}, access.ApplyRevoked, 1},
			} {
				step.change()
				require.NoError(t, srv.WaitDeliveries(ctx))
				p, err := access.PlanGrants(ctx, c, access.Wanted(bookings.List()...), opts...)
				require.NoError(t, err, step.name)
				srv.ResetLog()
				res, err := access.Apply(ctx, c, p, opts...)
				require.NoError(t, err, "%s: %s", step.name, res)
				assert.Equal(t, n, res.Count(step.outcome), "%s: %s", step.name, res)
				byPath := map[string]int{}
				for _, r := range srv.Requests() {
					byPath[r.Method+" "+r.Path]++
				}
				assert.Equal(t, batches, byPath["GET /partners/sub-user"], "%s: sub-user listings: %v", step.name, byPath)
				assert.Equal(t, batches*step.pinLists, byPath[pins], "%s: PIN listings: %v", step.name, byPath)
				if step.pinLists > 0 {
					assert.Equal(t, batches*2+n, len(srv.Requests()), "%s: the listings and one command per grant: %v", step.name, byPath)
				}
			}
		})
	}
}

// ListGrantsByKeys never takes a listing it could not read for "no grant":
// a PIN listing or a sub-user listing that fails is its error, and nothing
// is returned for any key (Apply then looks each key up alone).
func TestListGrantsByKeysFailsWhereAListingFails(t *testing.T) {
	c, srv := conformanceClient(t)
	ctx := timeout(t)
	_, _, err := access.EnsureGrant(ctx, c, grantRequest("booking-held", "482913"))
	require.NoError(t, err)
	require.NoError(t, srv.WaitDeliveries(ctx))
	keys := []string{"booking-held", "booking-free"}
	got, err := c.ListGrantsByKeys(ctx, keys)
	require.NoError(t, err)
	require.Len(t, got["booking-held"], 1)
	assert.Empty(t, got["booking-free"])

	for _, path := range []string{"/locks/" + augusttest.FrontDoorID + "/pins", "/partners/sub-user"} {
		srv.Inject(augusttest.Fault{Method: http.MethodGet, Path: path, Count: 1, Status: http.StatusServiceUnavailable})
		got, err := c.ListGrantsByKeys(ctx, keys)
		assert.ErrorIs(t, err, access.ErrOutcomeUnknown, path)
		assert.Nil(t, got, path)
	}
}

// A grant made before grants kept their doors may have its PIN on any of
// the caller's locks: ListGrantsByKeys finds it as ListGrants by its key
// does, beside a grant that names its doors, with one listing of the
// caller's locks for the batch.
func TestListGrantsByKeysFindsGrantsWithoutDoors(t *testing.T) {
	c, srv := conformanceClient(t)
	ctx := timeout(t)
	_, _, err := access.EnsureGrant(ctx, c, grantRequest("booking-new", "482913"))
	require.NoError(t, err)
	// An old grant: its partnerUserID carries id, key and email, no doors.
	b64 := base64.RawURLEncoding
	old := "doorkit1.0123456789abcdef." + b64.EncodeToString([]byte("booking-old")) + "." + b64.EncodeToString([]byte("old@example.com"))
	_, _, err = c.SubUsers.Create(ctx, august.SubUserRequest{PartnerUserID: old, FirstName: "Old", LastName: "Guest"})
	require.NoError(t, err)
	start := time.Now().Add(time.Hour).Truncate(time.Second)
	side := srv.AddLock(augusttest.Lock{ID: "F0000000000000000000000000000001", Name: "Side Door", HouseID: augusttest.HouseID, Keypad: true, Bridge: true,
		TimeZone: "Europe/Amsterdam"}, augusttest.OwnerID)
	_, _, err = c.PINs.Load(ctx, side, august.PINCommand{PIN: "551177", AccessType: august.AccessTemporary,
		AccessTimes: &august.AccessTimes{Start: start, End: start.Add(time.Hour)}, FirstName: "Old", LastName: "Guest",
		PartnerUserID: old}, fakeHookURL, nil)
	require.NoError(t, err)
	require.NoError(t, srv.WaitDeliveries(ctx))

	srv.ResetLog()
	got, err := c.ListGrantsByKeys(ctx, []string{"booking-new", "booking-old"})
	require.NoError(t, err)
	assert.Equal(t, 1, srv.Count(http.MethodGet, "/users/locks/mine"), "the caller's locks, once")
	assert.Equal(t, 1, srv.Count(http.MethodGet, "/partners/sub-user"))
	for _, key := range []string{"booking-new", "booking-old"} {
		var want []*access.Grant
		for g, err := range c.ListGrants(ctx, access.GrantFilter{Key: key}) {
			require.NoError(t, err, key)
			want = append(want, g)
		}
		require.Len(t, want, 1, key)
		require.Len(t, got[key], 1, key)
		assert.Equal(t, want[0].ID, got[key][0].ID, key)
		assert.Equal(t, want[0].DoorIDs(), got[key][0].DoorIDs(), key)
	}
	assert.Equal(t, []string{side}, got["booking-old"][0].DoorIDs())
}
