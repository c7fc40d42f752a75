package havr_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/havr"
	"github.com/doorkit/doorkit/havr/havrtest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func newFakeClient(t testing.TB, opts ...havr.Option) (*havr.Client, *havrtest.Server) {
	t.Helper()
	srv := havrtest.NewServer()
	t.Cleanup(srv.Close)
	all := append([]havr.Option{
		havr.WithBaseURL(srv.URL),
		havr.WithHTTPClient(srv.Client()),
		havr.WithPassword(havrtest.OwnerEmail, havrtest.OwnerPassword),
		havr.WithRetry(3, time.Millisecond, 4*time.Millisecond),
	}, opts...)
	c, err := havr.New(all...)
	require.NoError(t, err)
	return c, srv
}

func id(n int64) string { return havr.ID(n).String() }

func TestGrantByLinkCreatesOneKeyPerDoorAndEmailsTheVisitor(t *testing.T) {
	c, srv := newFakeClient(t)
	ctx := context.Background()
	start := time.Date(2030, 6, 1, 9, 0, 0, 0, time.FixedZone("CEST", 2*3600))
	grant, err := c.CreateGrant(ctx, access.GrantRequest{
		DoorIDs: []string{id(havrtest.FrontDoorID), id(havrtest.MeetingRoomID)},
		Holder:  access.Person{Email: "grace@example.com", Phone: "+31612345678"},
		Window:  access.Window{Start: start, End: start.Add(2 * time.Hour)},
		Label:   "BK-1042",
	})
	require.NoError(t, err)
	assert.Equal(t, access.GrantPending, grant.State())
	assert.Equal(t, access.CredentialLink, grant.Doors[0].Credential.Kind)
	assert.Equal(t, []string{"grace@example.com"}, grant.Doors[0].Credential.DeliveredTo)
	assert.Equal(t, time.Date(2030, 6, 1, 7, 0, 0, 0, time.UTC), grant.Window.Start, "sent in UTC")
	assert.NotEmpty(t, grant.Notices, "the phone cannot be used")

	keys := srv.SharedKeys()
	require.Len(t, keys, 2)
	for _, k := range keys {
		assert.Equal(t, "grace@example.com", k.Email)
		assert.Equal(t, "BK-1042", k.Note)
		assert.True(t, k.Start.Equal(start))
	}
	links := srv.Links()
	require.Len(t, links, 2)

	// The visitor follows the link: the key and a K token come from the
	// link token.
	fromToken, _, err := c.SharedKeys.GetFromToken(ctx, links[0].Token)
	require.NoError(t, err)
	assert.Equal(t, havr.ID(links[0].SharedKeyID), fromToken.ID)
	ktok, _, err := c.SharedKeys.GetKTokenFromToken(ctx, havr.SharedKeyLinkKTokenRequest{Token: links[0].Token, PKey: "pkey"})
	require.NoError(t, err)
	assert.NotEmpty(t, ktok.KToken.Reveal())

	require.NoError(t, c.RevokeGrant(ctx, grant.ID))
	assert.Empty(t, srv.SharedKeys())
}

func TestGrantFailingHalfWayLeavesNothing(t *testing.T) {
	c, srv := newFakeClient(t)
	start := time.Now().Add(time.Hour)
	_, err := c.CreateGrant(context.Background(), access.GrantRequest{
		DoorIDs: []string{id(havrtest.FrontDoorID), id(havrtest.ForeignLockID)},
		Holder:  access.Person{Email: "grace@example.com"},
		Window:  access.Window{Start: start, End: start.Add(time.Hour)},
	})
	require.ErrorIs(t, err, access.ErrForbidden, "the second lock is another owner's")
	assert.Empty(t, srv.SharedKeys(), "the first door's key was rolled back")
}

func TestGrantIsNotRetriedAfterItMayHaveReachedHavr(t *testing.T) {
	c, srv := newFakeClient(t)
	ctx := context.Background()
	_, err := c.ListDoors(ctx) // log in first
	require.NoError(t, err)
	srv.Inject(havrtest.Fault{Path: "/v1/shared_keys/create_with_link", Count: 1, Status: 502})
	start := time.Now().Add(time.Hour)
	_, err = c.CreateGrant(ctx, access.GrantRequest{
		DoorIDs: []string{id(havrtest.FrontDoorID)},
		Holder:  access.Person{Email: "grace@example.com"},
		Window:  access.Window{Start: start, End: start.Add(time.Hour)},
	})
	assert.ErrorIs(t, err, access.ErrUnavailable)
	assert.Equal(t, 1, srv.Count("POST", "/v1/shared_keys/create_with_link"))
}

func TestGrantRejectsWhatHavrCannotDeliver(t *testing.T) {
	c, srv := newFakeClient(t)
	ctx := context.Background()
	window := access.Window{Start: time.Now(), End: time.Now().Add(time.Hour)}
	doors := []string{id(havrtest.FrontDoorID)}
	for name, req := range map[string]access.GrantRequest{
		"PIN":        {DoorIDs: doors, Holder: access.Person{Email: "a@example.com"}, Window: window, Credential: access.CredentialPIN},
		"phone only": {DoorIDs: doors, Holder: access.Person{Phone: "+31612345678"}, Window: window},
	} {
		_, err := c.CreateGrant(ctx, req)
		assert.ErrorIs(t, err, access.ErrUnsupported, name)
	}
	for name, req := range map[string]access.GrantRequest{
		"door id not a number": {DoorIDs: []string{"front"}, Holder: access.Person{Email: "a@example.com"}, Window: window},
		"user id not a number": {DoorIDs: doors, Holder: access.Person{VendorUserID: "max"}, Window: window},
	} {
		_, err := c.CreateGrant(ctx, req)
		assert.ErrorIs(t, err, access.ErrInvalid, name)
	}
	assert.ErrorIs(t, c.RevokeGrant(ctx, "12,x"), access.ErrInvalid)
	assert.Empty(t, srv.Requests(), "all refused before any request")
}

// TestConcurrentCallsWithExpiredTokenRefreshOnce: 200 goroutines whose access
// token the server has expired cause exactly one refresh, and no request
// carries a refresh token that was already used.
func TestConcurrentCallsWithExpiredTokenRefreshOnce(t *testing.T) {
	var mu sync.Mutex
	var rotated []havr.Tokens
	c, srv := newFakeClient(t, havr.WithTokenCallback(func(tk havr.Tokens) {
		mu.Lock()
		rotated = append(rotated, tk)
		mu.Unlock()
	}))
	ctx := context.Background()
	_, _, err := c.Auth.PasswordToken(ctx)
	require.NoError(t, err)
	srv.ExpireAccessTokens()

	const n = 200
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _, err := c.DoorLocks.List(ctx)
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	total, reused := srv.Refreshes()
	assert.Equal(t, 1, total, "exactly one refresh")
	assert.Equal(t, 0, reused, "no used refresh token was sent")
	mu.Lock()
	defer mu.Unlock()
	require.Len(t, rotated, 2, "the password grant, then the refresh")
	assert.Equal(t, c.Tokens(), rotated[1], "the rotated pair is reported and kept")
}

func TestRejectedRefreshTokenFallsBackToPassword(t *testing.T) {
	c, srv := newFakeClient(t)
	ctx := context.Background()
	_, _, err := c.Auth.PasswordToken(ctx)
	require.NoError(t, err)
	srv.ExpireAccessTokens()
	srv.ExpireRefreshTokens()
	srv.ResetLog()
	_, err = c.ListDoors(ctx)
	require.NoError(t, err)
	assert.Equal(t, 2, srv.Count("POST", "/oauth/v1/token"), "a refused refresh, then the password grant")
}

func TestMobileClientWithoutUUIDIsRefusedLocally(t *testing.T) {
	c, srv := newFakeClient(t, havr.WithClientID(havr.ClientIDAndroid))
	_, err := c.ListDoors(context.Background())
	require.ErrorIs(t, err, access.ErrInvalid)
	assert.Zero(t, srv.Count("POST", "/oauth/v1/token"))
}

func TestNotificationsIteratorWalksEveryPage(t *testing.T) {
	c, srv := newFakeClient(t)
	ctx := context.Background()
	var ids []havr.ID
	for n, err := range c.Notifications.All(ctx, 10) {
		require.NoError(t, err)
		ids = append(ids, n.ID)
	}
	assert.Len(t, ids, 25)
	assert.Equal(t, 3, srv.Count("GET", "/v1/notifications"), "pages of 10, 10 and 5")

	srv.ResetLog()
	for range c.Notifications.All(ctx, 10) {
		break
	}
	assert.Equal(t, 1, srv.Count("GET", "/v1/notifications"), "a consumer that stops early stops the paging")
}

func TestContactsAndLockLogs(t *testing.T) {
	c, _ := newFakeClient(t)
	ctx := context.Background()
	contacts, _, err := c.Contacts.List(ctx)
	require.NoError(t, err)
	require.Len(t, contacts, 1)
	_, _, err = c.Contacts.Create(ctx, "member@example.com")
	assert.ErrorIs(t, err, access.ErrConflict, "already contacts")
	contact, _, err := c.Contacts.Create(ctx, havrtest.OtherEmail)
	require.NoError(t, err)
	assert.Equal(t, havr.RequestPending, contact.RequestStatus)

	logs, _, err := c.LockLogs.ListForDoorLock(ctx, havr.ID(havrtest.FrontDoorID))
	require.NoError(t, err)
	assert.Len(t, logs, 5)
	_, _, err = c.LockLogs.ListForDoorLock(ctx, havr.ID(havrtest.ForeignLockID))
	assert.ErrorIs(t, err, access.ErrForbidden)
}

func TestDoorLockDescriptionIsCheckedLocally(t *testing.T) {
	c, srv := newFakeClient(t)
	_, _, err := c.DoorLocks.Update(context.Background(), havr.ID(havrtest.FrontDoorID),
		havr.DoorLockUpdate{Description: havr.Ptr("a description that is far longer than forty characters")})
	require.ErrorIs(t, err, access.ErrInvalid)
	assert.Empty(t, srv.Requests())
}

func TestFaults(t *testing.T) {
	ctx := context.Background()
	c, srv := newFakeClient(t)
	_, err := c.ListDoors(ctx)
	require.NoError(t, err)
	srv.Inject(havrtest.Fault{Path: "/v1/door_locks", Count: 1, Status: 503})
	srv.Inject(havrtest.Fault{Path: "/v1/door_locks", Count: 1, Drop: true})
	doors, err := c.ListDoors(ctx)
	require.NoError(t, err, "a GET survives a 503 and a dropped connection")
	assert.Len(t, doors, 3)

	srv.SetLatency(time.Minute)
	tctx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	_, err = c.ListDoors(tctx)
	assert.True(t, errors.Is(err, context.DeadlineExceeded))
}
