package havr_test

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/havr"
	"github.com/doorkit/doorkit/havr/havrtest"
)

const deleteKeyPathPrefix = "/v1/shared_keys/"

// twoDoorLinkGrant is a grant by link over the front door and the meeting
// room: one create_with_link per door.
func twoDoorLinkGrant(key string) access.GrantRequest {
	return access.GrantRequest{Key: key, DoorIDs: []string{id(havrtest.FrontDoorID), id(havrtest.MeetingRoomID)},
		Holder: access.Person{Email: "grace@example.com"}, Window: future()}
}

// holdKeyDeletes holds every DELETE of the first door's key until the test
// ends (the client gives up first), reporting each as it arrives.
func holdKeyDeletes(t *testing.T, srv *havrtest.Server, keyID int64) chan havrtest.Request {
	never := make(chan struct{})
	t.Cleanup(func() { close(never) })
	arrived := make(chan havrtest.Request, 10)
	srv.Inject(havrtest.Fault{Method: http.MethodDelete, Path: deleteKeyPathPrefix + id(keyID), Count: 10, Held: arrived, Hold: never})
	return arrived
}

// TestRollbackStopsSoonAfterTheCallersContext: the second door's create
// hangs, the caller gives up (its deadline, or a cancel), and the rollback's
// delete of the first door's key hangs too. CreateGrant returns within
// the rollback grace of the caller's end (it used to go on for 30 s against a
// 4 s deadline) with an error matching access.ErrOutcomeUnknown and the
// caller's context error, naming the key left, which Havr still holds.
func TestRollbackStopsSoonAfterTheCallersContext(t *testing.T) {
	for _, how := range []string{"deadline", "cancel"} {
		t.Run(how, func(t *testing.T) {
			c, srv := newFakeClient(t, havr.WithRollbackGrace(100*time.Millisecond))
			_, err := c.ListDoors(context.Background()) // log in first
			require.NoError(t, err)

			firstMade := make(chan havrtest.Request, 1)
			secondHeld := make(chan havrtest.Request, 1)
			never := make(chan struct{})
			defer close(never)
			srv.Inject(havrtest.Fault{Method: http.MethodPost, Path: createLinkPath, Count: 1, Held: firstMade})
			srv.Inject(havrtest.Fault{Method: http.MethodPost, Path: createLinkPath, Count: 1, Held: secondHeld, Hold: never})

			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if how == "deadline" {
				ctx, cancel = context.WithTimeout(ctx, 2*time.Second) // generous for the first door's create
				defer cancel()
			}
			type result struct {
				grant *access.Grant
				err   error
			}
			done := make(chan result, 1)
			go func() {
				g, err := c.CreateGrant(ctx, twoDoorLinkGrant("BK-rollback"))
				done <- result{g, err}
			}()
			<-firstMade
			<-secondHeld
			keys := srv.SharedKeys()
			require.Len(t, keys, 1, "the first door's key is made")
			deletes := holdKeyDeletes(t, srv, keys[0].ID)
			if how == "cancel" {
				cancel()
			}

			// A generous bound, far below the old 30 s.
			backstop, stop := context.WithTimeout(context.Background(), 20*time.Second)
			defer stop()
			var r result
			select {
			case r = <-done:
			case <-backstop.Done():
				t.Fatal("CreateGrant's rollback outlived the caller's context by far more than the rollback grace")
			}
			require.Error(t, r.err)
			assert.Nil(t, r.grant)
			assert.NotEmpty(t, deletes, "the rollback tried to delete the first key")
			assert.ErrorIs(t, r.err, access.ErrOutcomeUnknown, "a key may be left")
			if how == "deadline" {
				assert.ErrorIs(t, r.err, context.DeadlineExceeded)
			} else {
				assert.ErrorIs(t, r.err, context.Canceled)
			}
			var rb *havr.RollbackError
			require.ErrorAs(t, r.err, &rb)
			require.Len(t, rb.Left, 1)
			assert.Equal(t, havr.ID(keys[0].ID), rb.Left[0].ID)
			assert.Equal(t, havr.ID(havrtest.MeetingRoomID), rb.Failed)
			assert.Contains(t, r.err.Error(), id(keys[0].ID), "the error names the key left")
			assert.Len(t, srv.SharedKeys(), 1, "Havr still holds it: the held delete was never performed")
		})
	}
}

// TestRollbackThatFailsIsOutcomeUnknown: the second door's create is
// refused (a recognised failure) and the rollback's delete of the first key
// fails: the error is not the refusal's (which would say nothing is left)
// but access.ErrOutcomeUnknown naming the key; the next EnsureGrant for the
// booking finds that key by its note and re-makes the grant whole.
func TestRollbackThatFailsIsOutcomeUnknown(t *testing.T) {
	ctx := context.Background()
	c, srv := newFakeClient(t)
	_, err := c.ListDoors(ctx) // log in first
	require.NoError(t, err)
	secondHeld := make(chan havrtest.Request, 1)
	release := make(chan struct{})
	srv.Inject(havrtest.Fault{Method: http.MethodPost, Path: createLinkPath, Count: 1})
	srv.Inject(havrtest.Fault{Method: http.MethodPost, Path: createLinkPath, Count: 1, Held: secondHeld, Hold: release,
		Status: http.StatusConflict})

	req := twoDoorLinkGrant("BK-half")
	errs := make(chan error, 1)
	go func() {
		_, err := c.CreateGrant(ctx, req)
		errs <- err
	}()
	<-secondHeld
	keys := srv.SharedKeys()
	require.Len(t, keys, 1)
	deletePath := deleteKeyPathPrefix + id(keys[0].ID)
	srv.Inject(havrtest.Fault{Method: http.MethodDelete, Path: deletePath, Count: 1, Status: http.StatusInternalServerError})
	close(release)

	err = <-errs
	require.Error(t, err)
	assert.Equal(t, 1, srv.Count(http.MethodDelete, deletePath), "the rollback tried to delete the key (a 500 is not resent)")
	assert.ErrorIs(t, err, access.ErrOutcomeUnknown)
	assert.NotErrorIs(t, err, access.ErrConflict, "the refusal alone would say nothing was left")
	var rb *havr.RollbackError
	require.ErrorAs(t, err, &rb)
	require.Len(t, rb.Left, 1)
	assert.Equal(t, havr.ID(keys[0].ID), rb.Left[0].ID)
	assert.Equal(t, havr.ID(havrtest.FrontDoorID), rb.Left[0].DoorLockID)
	assert.Contains(t, err.Error(), id(keys[0].ID))
	require.Len(t, srv.SharedKeys(), 1, "Havr still holds the first door's key")

	// The faults are spent: the next trigger repairs the booking.
	g, outcome, err := access.EnsureGrant(ctx, c, req)
	require.NoError(t, err)
	assert.Equal(t, access.EnsureRecreated, outcome, "the half grant was found by key and re-made")
	assert.ElementsMatch(t, req.DoorIDs, g.DoorIDs())
	assert.Len(t, srv.SharedKeys(), 2)
}

// watchedLocker reports a Lock call on a name another holder has: a turn
// being waited for.
type watchedLocker struct {
	access.Locker
	mu        sync.Mutex
	held      map[string]bool
	taken     []string // names locked, in order
	contended chan string
}

func newWatchedLocker() *watchedLocker {
	return &watchedLocker{Locker: access.NewMemoryLocker(), held: map[string]bool{}, contended: make(chan string, 10)}
}

func (w *watchedLocker) Lock(ctx context.Context, name string) (access.Lease, error) {
	w.mu.Lock()
	if w.held[name] {
		w.contended <- name
	}
	w.mu.Unlock()
	lease, err := w.Locker.Lock(ctx, name)
	if err != nil {
		return nil, err
	}
	w.mu.Lock()
	w.held[name] = true
	w.taken = append(w.taken, name)
	w.mu.Unlock()
	return &watchedLease{Lease: lease, release: func() {
		w.mu.Lock()
		delete(w.held, name)
		w.mu.Unlock()
	}}, nil
}

type watchedLease struct {
	access.Lease
	once    sync.Once
	release func()
}

func (l *watchedLease) Release(ctx context.Context) error {
	l.once.Do(l.release)
	return l.Lease.Release(ctx)
}

// TestConcurrentMemberGrantsDoNotOverwrite: two bookings (two keys) for one
// member and door, confirmed at the same moment. Without a turn both listed
// no key and both sent create_or_update, and Havr kept one key with the
// second booking's note and window while both came back EnsureCreated. Now
// the second gets access.ErrConflict, as when they run one after the other.
//
// The fake orders the race without sleeping: the first booking's
// create_or_update is held until the second booking has either listed the
// member's keys a second time (no turn: the race is on) or is waiting for
// the turn the first holds.
func TestConcurrentMemberGrantsDoNotOverwrite(t *testing.T) {
	ctx := context.Background()
	locker := newWatchedLocker()
	c, srv := newFakeClient(t, havr.WithLocker(locker))
	_, err := c.ListDoors(ctx) // log in first
	require.NoError(t, err)

	member := access.Person{VendorUserID: id(havrtest.MemberID)}
	first := access.GrantRequest{Key: "BK-first", Label: "first", DoorIDs: []string{id(havrtest.FrontDoorID)}, Holder: member, Window: future()}
	second := first
	second.Key, second.Label = "BK-second", "second"
	second.Window.End = second.Window.End.Add(time.Hour)

	createHeld := make(chan havrtest.Request, 1)
	release := make(chan struct{})
	srv.Inject(havrtest.Fault{Method: http.MethodPost, Path: createMemberPath, Count: 1, Held: createHeld, Hold: release})

	type result struct {
		outcome access.EnsureOutcome
		err     error
	}
	firstDone, secondDone := make(chan result, 1), make(chan result, 1)
	go func() {
		_, o, err := access.EnsureGrant(ctx, c, first)
		firstDone <- result{o, err}
	}()
	<-createHeld // the first booking listed, found no key, and is creating it

	listed := make(chan havrtest.Request, 2)
	srv.Inject(havrtest.Fault{Method: http.MethodGet, Path: "/v1/shared_keys/index_with_details", Count: 2, Held: listed})
	go func() {
		_, o, err := access.EnsureGrant(ctx, c, second)
		secondDone <- result{o, err}
	}()
	<-listed // the second booking looked its key up (EnsureGrant)
	select {
	case <-listed: // it listed the member's keys: no turn kept it out
	case <-locker.contended: // it waits for the turn the first holds
	}
	close(release)

	a, b := <-firstDone, <-secondDone
	require.NoError(t, a.err)
	assert.Equal(t, access.EnsureCreated, a.outcome)
	assert.ErrorIs(t, b.err, access.ErrConflict, "the second booking must not replace the first's key (got outcome %v)", b.outcome)

	keys := srv.SharedKeys()
	require.Len(t, keys, 1)
	assert.Equal(t, "[BK-first] first", keys[0].Note, "the first booking's key is untouched")
	assert.True(t, keys[0].End.Equal(first.Window.End), "with the first booking's window")
}

// TestMemberGrantTakesItsTurnsInLockOrder: a grant over several doors takes
// the member's turns in ascending door lock order whatever the request's
// order, so two grants over the same doors in opposite orders cannot each
// hold one turn and wait for the other's.
func TestMemberGrantTakesItsTurnsInLockOrder(t *testing.T) {
	ctx := context.Background()
	locker := newWatchedLocker()
	c, srv := newFakeClient(t, havr.WithLocker(locker))
	_, err := c.CreateGrant(ctx, access.GrantRequest{Key: "BK-order",
		DoorIDs: []string{id(havrtest.MeetingRoomID), id(havrtest.FrontDoorID), id(havrtest.GarageDoorID)},
		Holder:  access.Person{VendorUserID: id(havrtest.MemberID)}, Window: future()})
	require.NoError(t, err)
	assert.Len(t, srv.SharedKeys(), 3)
	member := havr.ID(havrtest.MemberID).String()
	assert.Equal(t, []string{
		"havr:member:" + member + ":door_lock:" + id(havrtest.FrontDoorID),
		"havr:member:" + member + ":door_lock:" + id(havrtest.GarageDoorID),
		"havr:member:" + member + ":door_lock:" + id(havrtest.MeetingRoomID),
	}, locker.taken)
	assert.Empty(t, locker.held, "every turn released")
}
