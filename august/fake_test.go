package august_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/august"
	"github.com/doorkit/doorkit/august/augusttest"
)

// Scenario tests: the client against the in-memory August.

const (
	fakeHookURL    = "https://partner.example.com/august/events"
	fakeHookHeader = "X-Partner-Token"
	fakeHookToken  = "a-long-random-static-token-0001"
)

type fakeEnv struct {
	srv    *augusttest.Server
	c      *august.Client
	events *august.WebhookHandler
	mu     sync.Mutex
	tokens []august.Tokens
}

func (e *fakeEnv) rotated() []august.Tokens {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]august.Tokens(nil), e.tokens...)
}

// handlerTransport delivers the fake's webhook calls straight to a handler.
type handlerTransport struct{ h http.Handler }

func (t handlerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	rec := httptest.NewRecorder()
	t.h.ServeHTTP(rec, r)
	return rec.Result(), nil
}

func newFakeEnv(t *testing.T, opts ...august.Option) *fakeEnv {
	t.Helper()
	srv := augusttest.NewServer()
	t.Cleanup(srv.Close)
	events, err := august.NewWebhookHandler(fakeHookHeader, fakeHookToken)
	require.NoError(t, err)
	srv.SetWebhookClient(&http.Client{Transport: handlerTransport{events}})
	env := &fakeEnv{srv: srv, events: events}
	all := append([]august.Option{
		august.WithBaseURL(srv.URL),
		august.WithHTTPClient(srv.Client()),
		august.WithAPIKey(augusttest.APIKey),
		august.WithTokens(srv.NewToken(augusttest.OwnerID), ""),
		august.WithTokenCallback(func(tok august.Tokens) {
			env.mu.Lock()
			env.tokens = append(env.tokens, tok)
			env.mu.Unlock()
		}),
		august.WithRetry(0, 0, 0),
	}, opts...)
	env.c, err = august.New(all...)
	require.NoError(t, err)
	return env
}

func (e *fakeEnv) register(t *testing.T, lockID string) {
	t.Helper()
	_, _, err := e.c.Webhooks.Register(context.Background(), lockID, august.WebhookRequest{URL: fakeHookURL,
		ClientID: augusttest.ClientID, Header: fakeHookHeader, Token: fakeHookToken,
		NotificationTypes: []august.NotificationType{august.NotifyOperation, august.NotifyBattery}})
	require.NoError(t, err)
}

func timeout(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestFakePINGrantConfirmedByWebhook(t *testing.T) {
	env := newFakeEnv(t)
	ctx := timeout(t)
	env.register(t, augusttest.FrontDoorID)
	env.srv.HoldDeliveries(true)

	reserved, _, err := env.c.PINs.Reserve(ctx, augusttest.FrontDoorID)
	require.NoError(t, err)
	start := time.Now().Add(time.Hour).Truncate(time.Second)
	end := start.Add(48 * time.Hour)
	pending := env.events.Expect(august.PINKey(augusttest.FrontDoorID, august.PINActionLoad, "booking-1001"))
	_, _, err = env.c.PINs.Load(ctx, augusttest.FrontDoorID, august.PINCommand{PIN: reserved.PIN,
		AccessType: august.AccessTemporary, AccessTimes: &august.AccessTimes{Start: start, End: end},
		FirstName: "Ada", LastName: "Lovelace", PartnerUserID: "booking-1001"}, fakeHookURL,
		&august.PINRules{LockType: 2, MinLength: 4, MaxLength: 6})
	require.NoError(t, err)

	list, _, err := env.c.PINs.List(ctx, augusttest.FrontDoorID)
	require.NoError(t, err)
	require.Len(t, list.Created, 1, "pending until the lock confirms")
	assert.Empty(t, list.Loaded)

	env.srv.ReleaseDeliveries(0)
	ev, err := pending.Wait(ctx)
	require.NoError(t, err)
	assert.Equal(t, "loaded", ev.State)
	assert.Equal(t, reserved.PIN, ev.PIN)

	list, _, err = env.c.PINs.List(ctx, augusttest.FrontDoorID)
	require.NoError(t, err)
	require.Len(t, list.Loaded, 1)
	got := list.Loaded[0]
	assert.Equal(t, august.AccessTemporary, got.AccessType)
	assert.Equal(t, "Ada", got.FirstName)
	assert.Equal(t, reserved.Slot, got.Slot)

	// The same partner user cannot get a second PIN: 409 -> ErrConflict.
	_, _, err = env.c.PINs.Load(ctx, augusttest.FrontDoorID, august.PINCommand{PIN: "2468",
		AccessType: august.AccessAlways, FirstName: "Ada", LastName: "Lovelace", PartnerUserID: "booking-1001"}, fakeHookURL, nil)
	assert.ErrorIs(t, err, access.ErrConflict)

	// Delete; the webhook confirms it and the slot is free again.
	deleted := env.events.Expect(august.PINKey(augusttest.FrontDoorID, august.PINActionDelete, "booking-1001"))
	_, _, err = env.c.PINs.Delete(ctx, augusttest.FrontDoorID, august.PINCommand{PIN: reserved.PIN, UserID: got.UserID}, fakeHookURL)
	require.NoError(t, err)
	env.srv.HoldDeliveries(false)
	_, err = deleted.Wait(ctx)
	require.NoError(t, err)
	assert.Empty(t, env.srv.PINs(augusttest.FrontDoorID))
}

func TestFakePINCommandFailureAndRepeats(t *testing.T) {
	env := newFakeEnv(t)
	ctx := timeout(t)
	env.register(t, augusttest.FrontDoorID) // the static header rides on deliveries to a registered URL
	env.srv.RepeatDeliveries(3)
	env.srv.FailPINCommand("4821", "keypad unreachable")
	pending := env.events.Expect(august.PINKey(augusttest.FrontDoorID, august.PINActionLoad, "booking-7"))
	_, _, err := env.c.PINs.Load(ctx, augusttest.FrontDoorID, august.PINCommand{PIN: "4821", AccessType: august.AccessAlways,
		FirstName: "Bo", LastName: "Bell", PartnerUserID: "booking-7"}, fakeHookURL, nil)
	require.NoError(t, err)
	_, err = pending.Wait(ctx)
	require.ErrorIs(t, err, august.ErrCommandFailed)
	var ce *august.CommandError
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, "keypad unreachable", ce.Reason)
	require.NoError(t, env.srv.WaitDeliveries(ctx))
	stats := env.events.Stats()
	assert.Equal(t, uint64(1), stats.Received)
	assert.Equal(t, uint64(2), stats.Duplicates, "the repeats are dropped")
}

func TestFakeRemoteUnlockSyncAndAsync(t *testing.T) {
	env := newFakeEnv(t)
	ctx := timeout(t)
	env.register(t, augusttest.FrontDoorID)

	res, _, err := env.c.RemoteOperate.Sync(ctx, augusttest.FrontDoorID, august.CommandUnlock, nil)
	require.NoError(t, err)
	assert.Equal(t, august.LockState("kAugLockState_Unlocked"), res.Status)
	assert.False(t, env.srv.Locked(augusttest.FrontDoorID))

	env.srv.HoldDeliveries(true)
	pending := env.events.Expect(august.OperationKey(augusttest.FrontDoorID, august.CommandLock))
	_, err = env.c.RemoteOperate.Async(ctx, augusttest.FrontDoorID, august.CommandLock, nil)
	require.NoError(t, err)
	assert.False(t, env.srv.Locked(augusttest.FrontDoorID), "not yet")
	env.srv.HoldDeliveries(false)
	_, err = pending.Wait(ctx)
	require.NoError(t, err)
	assert.True(t, env.srv.Locked(augusttest.FrontDoorID))

	// A jam on an async unlock arrives as a failed event.
	env.srv.SetLockError(augusttest.FrontDoorID, 530)
	pending = env.events.Expect(august.OperationKey(augusttest.FrontDoorID, august.CommandUnlock))
	_, err = env.c.RemoteOperate.Async(ctx, augusttest.FrontDoorID, august.CommandUnlock, nil)
	require.NoError(t, err)
	_, err = pending.Wait(ctx)
	assert.ErrorIs(t, err, august.ErrCommandFailed)
	assert.True(t, env.srv.Locked(augusttest.FrontDoorID))
}

func TestFakeUnlockIsNotResent(t *testing.T) {
	env := newFakeEnv(t, august.WithRetry(3, time.Millisecond, 2*time.Millisecond))
	ctx := timeout(t)
	path := "/remoteoperate/" + augusttest.FrontDoorID + "/unlock"
	for _, fault := range []augusttest.Fault{
		{Method: http.MethodPut, Path: path, Count: 1, LoseAnswer: true},
		{Method: http.MethodPut, Path: path, Count: 1, Status: http.StatusBadGateway},
	} {
		before := env.srv.Count(http.MethodPut, path)
		env.srv.Inject(fault)
		_, _, err := env.c.RemoteOperate.Sync(ctx, augusttest.FrontDoorID, august.CommandUnlock, nil)
		require.Error(t, err)
		assert.Equal(t, before+1, env.srv.Count(http.MethodPut, path), "sent once, never again")
		if fault.LoseAnswer {
			assert.ErrorIs(t, err, access.ErrOutcomeUnknown)
		}
	}
	assert.Equal(t, 1, env.srv.CountOperations(augusttest.FrontDoorID, "unlock"), "only the lost answer's unlock ran")

	// A GET is idempotent: the 502 is retried and the call succeeds.
	env.srv.Inject(augusttest.Fault{Method: http.MethodGet, Path: "/users/locks/mine", Count: 1, Status: http.StatusBadGateway})
	_, _, err := env.c.Locks.List(ctx)
	require.NoError(t, err)
}

func TestFakeLockErrorsMapToSentinels(t *testing.T) {
	env := newFakeEnv(t)
	ctx := timeout(t)
	env.srv.SetBridgeOnline(augusttest.FrontDoorID, false)
	_, _, err := env.c.RemoteOperate.Sync(ctx, augusttest.FrontDoorID, august.CommandUnlock, nil)
	assert.ErrorIs(t, err, access.ErrUnavailable)
	assert.ErrorIs(t, err, august.ErrBridgeOffline)
	env.srv.SetBridgeOnline(augusttest.FrontDoorID, true)

	for status, want := range map[int]error{423: access.ErrConflict, 460: august.ErrBusy, 530: august.ErrJammed,
		531: august.ErrCalibration, 550: august.ErrLowBattery, 551: august.ErrOverheated, 408: access.ErrUnavailable,
		560: access.ErrUnavailable} {
		env.srv.SetLockError(augusttest.FrontDoorID, status)
		_, _, err := env.c.RemoteOperate.Sync(ctx, augusttest.FrontDoorID, august.CommandUnlock, nil)
		assert.ErrorIs(t, err, want, "status %d", status)
		var ae *august.Error
		if assert.ErrorAs(t, err, &ae) {
			assert.Equal(t, status, ae.StatusCode)
		}
	}
	env.srv.SetLockError(augusttest.FrontDoorID, 0)
	assert.Zero(t, env.srv.CountOperations(augusttest.FrontDoorID, "unlock"))

	env.srv.FailNext(1, http.StatusTooManyRequests, 0)
	_, _, err = env.c.Locks.List(ctx)
	assert.ErrorIs(t, err, access.ErrRateLimited)

	_, _, err = env.c.Locks.Get(ctx, "00000000000000000000000000000000")
	assert.ErrorIs(t, err, access.ErrNotFound)

	bad, err := august.New(august.WithBaseURL(env.srv.URL), august.WithHTTPClient(env.srv.Client()),
		august.WithAPIKey("wrong-key"), august.WithTokens(env.srv.NewToken(augusttest.OwnerID), ""))
	require.NoError(t, err)
	_, _, err = bad.Locks.List(ctx)
	assert.ErrorIs(t, err, access.ErrForbidden)
}

func TestFakeRotatedTokenIsUsedUnderConcurrency(t *testing.T) {
	env := newFakeEnv(t)
	ctx := timeout(t)
	var wg sync.WaitGroup
	errs := make(chan error, 50)
	for range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _, err := env.c.Locks.List(ctx)
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	require.NotEmpty(t, env.rotated(), "rotated tokens are reported")
	// From now on a superseded token stops working at once: the next call
	// must present a token the fake issued last.
	env.srv.SetTokenGrace(0)
	_, _, err := env.c.Locks.List(ctx)
	require.NoError(t, err)
	_, _, err = env.c.Locks.List(ctx)
	require.NoError(t, err)
	last := env.rotated()[len(env.rotated())-1]
	assert.True(t, env.srv.TokenValid(last.AccessToken.Reveal()))

	env.srv.ExpireAccessTokens()
	_, _, err = env.c.Locks.List(ctx)
	assert.ErrorIs(t, err, access.ErrUnauthorized, "no refresh token: the caller must re-run OAuth")
}

func TestFakeReservationExpires(t *testing.T) {
	env := newFakeEnv(t)
	ctx := timeout(t)
	reserved, _, err := env.c.PINs.Reserve(ctx, augusttest.FrontDoorID)
	require.NoError(t, err)
	env.srv.Advance(augusttest.DefaultReservationTTL)
	_, _, err = env.c.PINs.Release(ctx, augusttest.FrontDoorID, reserved.PIN)
	assert.ErrorIs(t, err, access.ErrNotFound, "the reservation lapsed after about 3 minutes")
	assert.Empty(t, env.srv.Reservations(augusttest.FrontDoorID))
}

func TestFakeLocksHousesAndSubUsers(t *testing.T) {
	env := newFakeEnv(t)
	ctx := timeout(t)
	locks, _, err := env.c.Locks.List(ctx)
	require.NoError(t, err)
	assert.Len(t, locks, 4)
	info, _, err := env.c.Locks.Get(ctx, augusttest.FrontDoorID)
	require.NoError(t, err)
	assert.Equal(t, "Front Door", info.LockName)
	assert.Equal(t, "Europe/Amsterdam", info.TimeZone)
	assert.True(t, info.SupportsEntryCodes)

	houses, _, err := env.c.Houses.List(ctx, nil)
	require.NoError(t, err)
	require.Len(t, houses, 1)
	house, _, err := env.c.Houses.Get(ctx, augusttest.HouseID)
	require.NoError(t, err)
	assert.Len(t, house.Locks, 4)

	for _, id := range []string{"p-1", "p-2", "p-3"} {
		_, _, err := env.c.SubUsers.Create(ctx, august.SubUserRequest{PartnerUserID: id, FirstName: "F", LastName: "L"})
		require.NoError(t, err)
	}
	var seen []string
	for u, err := range env.c.SubUsers.All(ctx, 2) {
		require.NoError(t, err)
		seen = append(seen, u.PartnerUserID)
	}
	assert.Equal(t, []string{"p-1", "p-2", "p-3"}, seen)

	_, _, err = env.c.Locks.Delete(ctx, augusttest.ShedID, nil)
	require.NoError(t, err)
	assert.Equal(t, []string{augusttest.ShedID}, env.srv.DeletedLocks())
}

// TestFakeEveryOperation calls every typed method once against the fake,
// so the client and the fake agree on paths, bodies and answers.
func TestFakeEveryOperation(t *testing.T) {
	env := newFakeEnv(t)
	ctx := timeout(t)
	c, srv := env.c, env.srv
	lock := augusttest.FrontDoorID
	env.register(t, lock)
	ok := func(name string, err error) {
		t.Helper()
		assert.NoError(t, err, name)
	}

	_, _, err := c.Locks.List(ctx)
	ok("Locks.List", err)
	_, _, err = c.Locks.Get(ctx, lock)
	ok("Locks.Get", err)
	_, _, err = c.Locks.GetRaw(ctx, lock, "0.0.1")
	ok("Locks.GetRaw", err)
	_, _, err = c.Locks.GetStatus(ctx, lock)
	ok("Locks.GetStatus", err)
	newUser := srv.AddUser(augusttest.User{FirstName: "Nia", LastName: "New"})
	_, _, err = c.Locks.AddUser(ctx, lock, newUser, august.UserTypeUser, august.AddUserRequest{ReturnInvited: true})
	ok("Locks.AddUser", err)
	_, _, err = c.Locks.ChangeUserType(ctx, lock, newUser, august.UserTypeManager)
	ok("Locks.ChangeUserType", err)
	_, _, err = c.Locks.RemoveUser(ctx, lock, newUser)
	ok("Locks.RemoveUser", err)

	reserved, _, err := c.PINs.Reserve(ctx, lock)
	ok("PINs.Reserve", err)
	_, _, err = c.PINs.Release(ctx, lock, reserved.PIN)
	ok("PINs.Release", err)
	start := time.Now().Add(time.Hour).Truncate(time.Second)
	win := &august.AccessTimes{Start: start, End: start.Add(24 * time.Hour)}
	load := august.PINCommand{PIN: "4821", AccessType: august.AccessTemporary, AccessTimes: win,
		FirstName: "Ada", LastName: "Lovelace", PartnerUserID: "every-op"}
	step := func(name string, action august.PINAction, send func() error) {
		t.Helper()
		p := env.events.Expect(august.PINKey(lock, action, "every-op"))
		ok(name, send())
		_, err := p.Wait(ctx)
		ok(name+" confirmed", err)
	}
	step("PINs.Load", august.PINActionLoad, func() error {
		_, _, err := c.PINs.Load(ctx, lock, load, fakeHookURL, nil)
		return err
	})
	_, _, err = c.PINs.List(ctx, lock)
	ok("PINs.List", err)
	step("PINs.Update", august.PINActionUpdate, func() error {
		_, _, err := c.PINs.Update(ctx, lock, august.PINCommand{PIN: "4821", AccessType: august.AccessTemporary,
			AccessTimes: &august.AccessTimes{Start: start, End: start.Add(48 * time.Hour)}}, fakeHookURL, nil)
		return err
	})
	step("PINs.Disable", august.PINActionDisable, func() error {
		_, _, err := c.PINs.Disable(ctx, lock, august.PINCommand{PIN: "4821"}, fakeHookURL)
		return err
	})
	step("PINs.Enable", august.PINActionEnable, func() error {
		_, _, err := c.PINs.Enable(ctx, lock, august.PINCommand{PIN: "4821"}, fakeHookURL)
		return err
	})
	owner := srv.PINs(lock)[0].UserID
	_, _, err = c.PINs.Transfer(ctx, lock, august.TransferPINRequest{OldUserID: owner, NewUserID: augusttest.GuestID})
	ok("PINs.Transfer", err)
	_, _, err = c.PINs.Transfer(ctx, lock, august.TransferPINRequest{OldUserID: augusttest.GuestID, NewUserID: owner})
	ok("PINs.Transfer back", err)
	step("PINs.Delete", august.PINActionDelete, func() error {
		_, _, err := c.PINs.Delete(ctx, lock, august.PINCommand{PIN: "4821", UserID: owner}, fakeHookURL)
		return err
	})
	_, _, err = c.PINs.Send(ctx, lock, august.PINCommandsRequest{Webhook: fakeHookURL, Commands: []august.PINCommand{
		{Action: august.PINActionLoad, PIN: "5555", AccessType: august.AccessAlways, FirstName: "A", LastName: "B", PartnerUserID: "batch-1"},
		{Action: august.PINActionLoad, PIN: "6666", AccessType: august.AccessAlways, FirstName: "C", LastName: "D", PartnerUserID: "batch-2"},
	}})
	ok("PINs.Send", err)
	_, _, err = c.PINs.GetMaster(ctx, lock)
	ok("PINs.GetMaster", err)
	_, _, err = c.PINs.SetMaster(ctx, lock, august.SetMasterPINRequest{PIN: "2468", Webhook: "https://partner.example.com/master"})
	ok("PINs.SetMaster", err)

	_, _, err = c.RemoteOperate.Sync(ctx, lock, august.CommandUnlock, &august.RemoteOperateOptions{RetryLimit: 2})
	ok("RemoteOperate.Sync", err)
	_, err = c.RemoteOperate.Async(ctx, lock, august.CommandLock, nil)
	ok("RemoteOperate.Async", err)
	hook := fakeHookURL
	_, _, err = c.RemoteOperate.V2(ctx, lock, august.CommandExtendedFunction, august.RemoteOperateV2Request{
		ExtendedFunction: &august.ExtendedFunction{Function: "vacationMode"}, Webhook: &hook, NotificationType: "websocket"})
	ok("RemoteOperate.V2", err)
	_, _, err = c.RemoteOperate.V2(ctx, lock, august.CommandUnlock, august.RemoteOperateV2Request{Async: true})
	ok("RemoteOperate.V2 async", err)
	for _, op := range srv.RemoteOperations() {
		if op.Command == "extendedfunction" {
			assert.Equal(t, "2.0.0", op.Version, "v2 is selected by Accept-Version")
		}
	}

	yes := true
	_, _, err = c.Devices.GetCapabilities(ctx, &august.CapabilitiesOptions{SerialNumber: "X2FSW05DGA", TopLevelHost: &yes})
	ok("Devices.GetCapabilities", err)
	_, _, err = c.Houses.List(ctx, nil)
	ok("Houses.List", err)
	_, _, err = c.Houses.Get(ctx, augusttest.HouseID)
	ok("Houses.Get", err)

	_, _, err = c.SubUsers.Create(ctx, august.SubUserRequest{PartnerUserID: "p-9", FirstName: "F", LastName: "L"})
	ok("SubUsers.Create", err)
	_, _, err = c.SubUsers.List(ctx, &august.SubUserListOptions{Page: 1, PageSize: 1000})
	ok("SubUsers.List", err)

	sub, _, err := c.Websocket.CreateSubscriber(ctx, august.SubscriberRequest{Scopes: []string{"lock"}})
	ok("Websocket.CreateSubscriber", err)
	if sub != nil {
		_, _, err = c.Websocket.GetSubscriber(ctx, sub.SubscriberID)
		ok("Websocket.GetSubscriber", err)
		_, _, err = c.Websocket.DeleteSubscriber(ctx, sub.SubscriberID)
		ok("Websocket.DeleteSubscriber", err)
	}
	_, _, err = c.Webhooks.Delete(ctx, lock, augusttest.ClientID)
	ok("Webhooks.Delete", err)
	_, _, err = c.Locks.Delete(ctx, augusttest.ShedID, &august.DeleteOptions{Soft: true})
	ok("Locks.Delete", err)

	_, err = c.Auth.Logout(ctx, august.LogoutRequest{APNSDeviceID: "61d45ae2-b358-49e3-8101-1cca8951fd48",
		InstallID: "b212f325-fa1f-4a84-bf0d-bdf1831e8eab"})
	ok("Auth.Logout", err)
	_, _, err = c.Locks.List(ctx)
	assert.ErrorIs(t, err, access.ErrUnauthorized, "logged out")

	// OAuth: the code exchange and the refresh grant, the fake standing in
	// for auth.august.com.
	oc, err := august.New(august.WithBaseURL(srv.URL), august.WithAuthURL(srv.URL), august.WithHTTPClient(srv.Client()),
		august.WithAPIKey(augusttest.APIKey),
		august.WithOAuth(augusttest.ClientID, augusttest.OAuthClientSecret, "https://partner.example.com/cb"))
	require.NoError(t, err)
	u, err := oc.Auth.AuthCodeURL("state-1")
	ok("Auth.AuthCodeURL", err)
	assert.Contains(t, u, srv.URL+"/authorization?")
	tok, _, err := oc.Auth.Exchange(ctx, srv.IssueAuthCode(augusttest.OwnerID))
	ok("Auth.Exchange", err)
	if tok != nil {
		assert.True(t, srv.TokenValid(tok.AccessToken.Reveal()))
	}
	_, _, err = oc.Auth.Refresh(ctx)
	ok("Auth.Refresh", err)
	_, _, err = oc.Locks.List(ctx)
	ok("Locks.List with the OAuth token", err)
}

// A 401 with an OAuth refresh token held: one refresh, then the request
// goes through; without one the caller learns it must re-run OAuth.
func TestFakeExpiredTokenRefreshesOnce(t *testing.T) {
	srv := augusttest.NewServer()
	t.Cleanup(srv.Close)
	ctx := timeout(t)
	code := srv.IssueAuthCode(augusttest.OwnerID)
	var mu sync.Mutex
	var got []august.Tokens
	c, err := august.New(august.WithBaseURL(srv.URL), august.WithAuthURL(srv.URL), august.WithHTTPClient(srv.Client()),
		august.WithAPIKey(augusttest.APIKey), august.WithRetry(0, 0, 0),
		august.WithOAuth(augusttest.ClientID, augusttest.OAuthClientSecret, "https://partner.example.com/cb"),
		august.WithTokenCallback(func(tok august.Tokens) { mu.Lock(); got = append(got, tok); mu.Unlock() }))
	require.NoError(t, err)
	_, _, err = c.Auth.Exchange(ctx, code)
	require.NoError(t, err)

	srv.ExpireAccessTokens()
	var wg sync.WaitGroup
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _, err := c.Locks.List(ctx)
			assert.NoError(t, err)
		}()
	}
	wg.Wait()
	assert.Equal(t, 1, srv.Count(http.MethodPost, "/access_token")-1, "one refresh for 20 callers (after the exchange)")

	srv.ExpireAccessTokens()
	srv.ExpireRefreshTokens()
	_, _, err = c.Locks.List(ctx)
	assert.ErrorIs(t, err, access.ErrUnauthorized)
}
