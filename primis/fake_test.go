package primis_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/access/accesstest"
	"github.com/doorkit/doorkit/internal/resttest"
	"github.com/doorkit/doorkit/primis"
	"github.com/doorkit/doorkit/primis/primistest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// newFakeClient starts a seeded fake and a client logged in lazily as email.
func newFakeClient(t testing.TB, email, password string, opts ...primis.Option) (*primis.Client, *primistest.Server) {
	t.Helper()
	srv := primistest.NewServer()
	t.Cleanup(srv.Close)
	return clientFor(t, srv, email, password, "phone-"+email, opts...), srv
}

func clientFor(t testing.TB, srv *primistest.Server, email, password, phoneID string, opts ...primis.Option) *primis.Client {
	t.Helper()
	all := append([]primis.Option{
		primis.WithBaseURL(srv.URL),
		primis.WithHTTPClient(srv.Client()),
		primis.WithPassword(email, password),
		primis.WithPhoneID(phoneID),
		primis.WithRetry(3, time.Millisecond, 4*time.Millisecond),
	}, opts...)
	c, err := primis.New(all...)
	require.NoError(t, err)
	return c
}

// tokensOnlyClient logs a client in as the fake's user on phone p1 and
// returns another client for p1 given only the tokens it got: no
// credentials to fall back on.
func tokensOnlyClient(t testing.TB, srv *primistest.Server) *primis.Client {
	t.Helper()
	seed := clientFor(t, srv, primistest.UserEmail, primistest.UserPassword, "p1")
	_, _, err := seed.Auth.Login(context.Background())
	require.NoError(t, err)
	tokens := seed.Tokens()
	c, err := primis.New(primis.WithBaseURL(srv.URL), primis.WithHTTPClient(srv.Client()), primis.WithPhoneID("p1"),
		primis.WithTokens(tokens.AccessToken.Reveal(), tokens.RefreshToken.Reveal()))
	require.NoError(t, err)
	return c
}

func TestConformance(t *testing.T) {
	accesstest.Run(t, accesstest.Config{
		New: func(t *testing.T) accesstest.Fixture {
			c, _ := newFakeClient(t, primistest.UserEmail, primistest.UserPassword)
			return accesstest.Fixture{Impl: c}
		},
		Caps:        accesstest.Capabilities{DoorLister: true, DoorOpener: true},
		OpenDoor:    primistest.EntranceID,
		DeniedDoor:  primistest.ServerRoomID,
		UnknownDoor: "999999999999",
	})
}

func TestOpenDoorNotInUsersGroupsIsDenied(t *testing.T) {
	c, srv := newFakeClient(t, primistest.UserEmail, primistest.UserPassword)
	err := c.OpenDoor(context.Background(), primistest.VaultID)
	assert.ErrorIs(t, err, access.ErrDenied)
	var denied *primis.DeniedError
	require.ErrorAs(t, err, &denied)
	assert.Equal(t, primistest.VaultID, denied.ZoneID)
	assert.Empty(t, srv.Unlocks())
}

func TestOpenDoorUnlocksForConfiguredDuration(t *testing.T) {
	c, srv := newFakeClient(t, primistest.UserEmail, primistest.UserPassword, primis.WithOpenDuration(8*time.Second))
	require.NoError(t, c.OpenDoor(context.Background(), primistest.LobbyID))
	assert.Equal(t, []primistest.Unlock{{ZoneID: primistest.LobbyID, Duration: 8, By: primistest.UserEmail}}, srv.Unlocks())
}

func TestFirstCallLogsInOnce(t *testing.T) {
	c, srv := newFakeClient(t, primistest.UserEmail, primistest.UserPassword)
	ctx := context.Background()
	for range 3 {
		_, _, err := c.ControlledAreas.List(ctx)
		require.NoError(t, err)
	}
	assert.Equal(t, 1, srv.Count("POST", "/api/mobile/login"))
	assert.Equal(t, 3, srv.Count("GET", "/api/mobile/controlled_areas"))
}

// TestConcurrentCallsWithExpiredTokenRenewOnce: 100 goroutines whose access
// token the server has expired cause exactly one renewal.
func TestConcurrentCallsWithExpiredTokenRenewOnce(t *testing.T) {
	c, srv := newFakeClient(t, primistest.UserEmail, primistest.UserPassword)
	ctx := context.Background()
	_, _, err := c.Auth.Login(ctx)
	require.NoError(t, err)
	srv.ExpireAccessTokens()
	srv.ResetLog()

	var wg sync.WaitGroup
	errs := make(chan error, 100)
	for range 100 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _, err := c.AccessGroups.List(ctx)
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	assert.Equal(t, 1, srv.Count("POST", "/api/mobile/access_token"), "exactly one renewal")
	assert.Equal(t, 0, srv.Count("POST", "/api/mobile/login"))
	got := srv.Count("GET", "/api/mobile/access_groups")
	assert.GreaterOrEqual(t, got, 100)
	assert.LessOrEqual(t, got, 200, "each call is resent at most once")
}

// TestExpiredJWTIsRenewedBeforeSending: a kept JWT whose exp has passed is
// renewed before the request goes out, saving the 401 round trip.
// TestShortLivedJWTIsUsedNotRenewed: a JWT whose lifetime is inside the 10 s
// expiry margin is used for the first half of it instead of being renewed
// before every call (issue 6 item 12; the rule lives in internal/auth and
// is tested on a fixed clock there).
func TestShortLivedJWTIsUsedNotRenewed(t *testing.T) {
	c, srv := newFakeClient(t, primistest.UserEmail, primistest.UserPassword)
	srv.SetTokenTTL(8 * time.Second) // inside the 10 s margin: used for its first 4 s
	ctx := context.Background()
	_, _, err := c.Auth.Login(ctx)
	require.NoError(t, err)
	srv.ResetLog()
	for range 5 {
		_, _, err = c.Schedules.List(ctx)
		require.NoError(t, err)
	}
	assert.Equal(t, 0, srv.Count("POST", "/api/mobile/access_token"), "a token just fetched is used")
	assert.Equal(t, 5, srv.Count("GET", "/api/mobile/schedules"))
}

func TestExpiredJWTIsRenewedBeforeSending(t *testing.T) {
	srv := primistest.NewServer()
	defer srv.Close()
	seed := clientFor(t, srv, primistest.UserEmail, primistest.UserPassword, "p1")
	_, _, err := seed.Auth.Login(context.Background())
	require.NoError(t, err)
	expired := unsignedJWT(time.Now().Add(-time.Hour), time.Now().Add(-time.Minute))
	c, err := primis.New(primis.WithBaseURL(srv.URL), primis.WithHTTPClient(srv.Client()), primis.WithPhoneID("p1"),
		primis.WithTokens(expired, seed.Tokens().RefreshToken.Reveal()))
	require.NoError(t, err)
	srv.ResetLog()

	_, _, err = c.Schedules.List(context.Background())
	require.NoError(t, err)
	assert.Equal(t, 1, srv.Count("POST", "/api/mobile/access_token"))
	assert.Equal(t, 1, srv.Count("GET", "/api/mobile/schedules"), "no request was sent with the expired token")
}

// unsignedJWT is a JWT-shaped token with iat and exp claims; the fake
// refuses it, which is enough where only the client's reading matters.
func unsignedJWT(iat, exp time.Time) string {
	enc := base64.RawURLEncoding.EncodeToString
	claims := fmt.Sprintf(`{"iat":%d,"exp":%d}`, iat.Unix(), exp.Unix())
	return enc([]byte(`{"alg":"none"}`)) + "." + enc([]byte(claims)) + ".sig"
}

func TestRejectedRefreshTokenLogsInAgainOnce(t *testing.T) {
	var rotated []primis.Tokens
	var mu sync.Mutex
	c, srv := newFakeClient(t, primistest.UserEmail, primistest.UserPassword, primis.WithTokenCallback(func(tk primis.Tokens) {
		mu.Lock()
		defer mu.Unlock()
		rotated = append(rotated, tk)
	}))
	ctx := context.Background()
	_, _, err := c.Auth.Login(ctx)
	require.NoError(t, err)
	first := c.Tokens()
	srv.ExpireAccessTokens()
	srv.ExpireRefreshTokens()
	srv.ResetLog()

	_, _, err = c.Beacons.List(ctx)
	require.NoError(t, err)
	assert.Equal(t, 1, srv.Count("POST", "/api/mobile/access_token"))
	assert.Equal(t, 1, srv.Count("POST", "/api/mobile/login"))
	assert.NotEqual(t, first.RefreshToken.Reveal(), c.Tokens().RefreshToken.Reveal())
	mu.Lock()
	defer mu.Unlock()
	require.Len(t, rotated, 2, "login, then the new login")
	assert.Equal(t, c.Tokens(), rotated[1])
}

func TestRejectedRefreshWithoutCredentialsIsUnauthorized(t *testing.T) {
	srv := primistest.NewServer()
	defer srv.Close()
	c := tokensOnlyClient(t, srv)
	_, _, err := c.Beacons.List(context.Background())
	require.NoError(t, err, "the stored tokens work")

	srv.ExpireAccessTokens()
	srv.ExpireRefreshTokens()
	_, _, err = c.Beacons.List(context.Background())
	assert.ErrorIs(t, err, access.ErrUnauthorized)
}

func TestWrongPasswordIsUnauthorized(t *testing.T) {
	c, _ := newFakeClient(t, primistest.UserEmail, "Wrong1234")
	_, err := c.ListDoors(context.Background())
	assert.ErrorIs(t, err, access.ErrUnauthorized)
}

func TestLicenceLimit(t *testing.T) {
	srv := primistest.NewServer()
	defer srv.Close()
	srv.SetMaxPhones(1)
	ctx := context.Background()
	first := clientFor(t, srv, primistest.UserEmail, primistest.UserPassword, "phone-1")
	_, _, err := first.Auth.Login(ctx)
	require.NoError(t, err)

	second := clientFor(t, srv, primistest.UserEmail, primistest.UserPassword, "phone-2")
	_, _, err = second.Auth.Login(ctx)
	var perr *primis.Error
	require.ErrorAs(t, err, &perr)
	assert.Equal(t, http.StatusBadRequest, perr.StatusCode)
	assert.Contains(t, perr.Message, "licensing")
	assert.ErrorIs(t, err, access.ErrForbidden)

	// Deregistering the first device frees its licence.
	_, _, err = first.Auth.Deregister(ctx)
	require.NoError(t, err)
	_, _, err = second.Auth.Login(ctx)
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"phone-2": primistest.UserEmail}, srv.Phones())
}

func TestAdministratorOperations(t *testing.T) {
	ctx := context.Background()
	t.Run("as a user: the server's error", func(t *testing.T) {
		c, _ := newFakeClient(t, primistest.UserEmail, primistest.UserPassword)
		_, _, err := c.ControlledAreas.AdminList(ctx)
		assert.ErrorIs(t, err, access.ErrForbidden)
		_, _, err = c.ControlledAreas.AdminUnlock(ctx, primis.Unlock{ZoneID: primistest.LobbyID, Duration: time.Second})
		assert.ErrorIs(t, err, access.ErrForbidden)
		_, _, err = c.ControlledAreas.SetState(ctx, primis.StateChange{ZoneID: primistest.LobbyID, State: primis.StateCodeOpen})
		assert.ErrorIs(t, err, access.ErrForbidden)
	})
	t.Run("as an administrator", func(t *testing.T) {
		c, srv := newFakeClient(t, primistest.AdminEmail, primistest.AdminPassword)
		all, _, err := c.ControlledAreas.AdminList(ctx)
		require.NoError(t, err)
		assert.Len(t, all, 5)
		groups, _, err := c.AccessGroups.AdminList(ctx)
		require.NoError(t, err)
		assert.Len(t, groups, 2)
		areas, _, err := c.ControlledAreas.ListByAccessGroup(ctx, primistest.StaffGroupID)
		require.NoError(t, err)
		assert.Len(t, areas, 4)
		_, _, err = c.ControlledAreas.ListByAccessGroup(ctx, "404")
		assert.ErrorIs(t, err, access.ErrNotFound)

		res, _, err := c.ControlledAreas.SetState(ctx, primis.StateChange{ZoneID: primistest.ServerRoomID, State: primis.StateCodeOpen})
		require.NoError(t, err)
		assert.True(t, res.Granted())
		area, _ := srv.Area(primistest.ServerRoomID)
		assert.Equal(t, "open", area.State)

		res, _, err = c.ControlledAreas.AdminUnlockMany(ctx, []primis.Unlock{
			{ZoneID: primistest.VaultID, Duration: 3 * time.Second}, {ZoneID: primistest.LobbyID, Duration: 3 * time.Second}})
		require.NoError(t, err)
		assert.True(t, res.Granted())
		assert.Len(t, srv.Unlocks(), 2)

		sched, _, err := c.Schedules.CreateAreaSchedule(ctx, primis.AreaScheduleRequest{ID: 7,
			Zones: []primis.AreaSchedule{{ControlledAreaID: primistest.EntranceID, OnAction: primis.ActionOpen, OffAction: primis.ActionOpen}}})
		require.NoError(t, err)
		assert.Equal(t, "Office hours", sched.Name)
	})
}

func TestGeolocation(t *testing.T) {
	ctx := context.Background()
	c, _ := newFakeClient(t, primistest.UserEmail, primistest.UserPassword)
	near, _, err := c.Geolocation.RequestAccess(ctx, primis.GeolocationRequest{GPS: &primis.GPSPosition{Latitude: 49.1885195, Longitude: -122.9922039}})
	require.NoError(t, err)
	assert.True(t, near.Granted())

	far, resp, err := c.Geolocation.RequestAccess(ctx, primis.GeolocationRequest{GPS: &primis.GPSPosition{Latitude: 49.1890, Longitude: -122.9922039}})
	require.NoError(t, err, "a denial is a result, not an error")
	assert.Equal(t, http.StatusCreated, resp.StatusCode)
	assert.False(t, far.Granted())
	assert.ErrorIs(t, far.Err(), access.ErrDenied)
	require.NotNil(t, far.PrimisResult.Distance)
	assert.InDelta(t, 53.4, *far.PrimisResult.Distance, 1)

	beacon, _, err := c.Geolocation.RequestAccess(ctx, primis.GeolocationRequest{Beacon: &primis.BeaconSighting{UUID: "f7826da6-4fa2-4e98-8024-bc5b71e0893e", Major: 1, Minor: 3}})
	require.NoError(t, err)
	assert.True(t, beacon.Granted())
	assert.Equal(t, primis.ID(primistest.FactoryFloorID), beacon.PrimisResult.ZoneID)
}

func TestPasswordChangeIsUsedForTheNextLogin(t *testing.T) {
	c, srv := newFakeClient(t, primistest.UserEmail, primistest.UserPassword)
	ctx := context.Background()
	_, _, err := c.Auth.ChangePassword(ctx, "NewPassw0rd")
	require.NoError(t, err)
	assert.Equal(t, "NewPassw0rd", srv.Password(primistest.UserEmail))
	_, _, err = c.Auth.Login(ctx)
	require.NoError(t, err)
}

func TestBeacons(t *testing.T) {
	c, _ := newFakeClient(t, primistest.UserEmail, primistest.UserPassword)
	ctx := context.Background()
	_, _, err := c.Beacons.UpdateStatus(ctx, primis.BeaconStatus{Major: 1, Minor: 3, BatteryLevel: 40})
	require.NoError(t, err)
	b, _, err := c.Beacons.Get(ctx, "rLxR")
	require.NoError(t, err)
	assert.Equal(t, 40, b.BatteryLevel)
	_, _, err = c.Beacons.Get(ctx, "nope")
	assert.ErrorIs(t, err, access.ErrNotFound)
}

func TestFaultInjection(t *testing.T) {
	ctx := context.Background()
	t.Run("GET survives a 503 and a dropped connection", func(t *testing.T) {
		c, srv := newFakeClient(t, primistest.UserEmail, primistest.UserPassword)
		_, _, err := c.Auth.Login(ctx)
		require.NoError(t, err)
		srv.Inject(primistest.Fault{Path: "/api/mobile/controlled_areas", Count: 1, Status: 503})
		srv.Inject(primistest.Fault{Path: "/api/mobile/controlled_areas", Count: 1, Drop: true})
		doors, err := c.ListDoors(ctx)
		require.NoError(t, err)
		assert.Len(t, doors, 4)
		assert.Equal(t, 3, srv.Count("GET", "/api/mobile/controlled_areas"))
	})
	t.Run("unlock is not resent after a dropped connection", func(t *testing.T) {
		c, srv := newFakeClient(t, primistest.UserEmail, primistest.UserPassword)
		_, _, err := c.Auth.Login(ctx)
		require.NoError(t, err)
		srv.Inject(primistest.Fault{Path: "/api/mobile/user/unlock_zone", Count: 1, Drop: true})
		err = c.OpenDoor(ctx, primistest.LobbyID)
		require.Error(t, err)
		assert.Equal(t, 1, srv.Count("POST", "/api/mobile/user/unlock_zone"))
	})
	t.Run("unlock waits out a 503 with Retry-After", func(t *testing.T) {
		c, srv := newFakeClient(t, primistest.UserEmail, primistest.UserPassword)
		_, _, err := c.Auth.Login(ctx)
		require.NoError(t, err)
		srv.Inject(primistest.Fault{Path: "/api/mobile/user/unlock_zone", Count: 1, Status: 503, RetryAfter: time.Millisecond})
		require.NoError(t, c.OpenDoor(ctx, primistest.LobbyID))
		assert.Len(t, srv.Unlocks(), 1)
	})
	t.Run("latency is bounded by the caller's context", func(t *testing.T) {
		c, srv := newFakeClient(t, primistest.UserEmail, primistest.UserPassword)
		_, _, err := c.Auth.Login(ctx)
		require.NoError(t, err)
		srv.SetLatency(time.Minute)
		tctx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
		defer cancel()
		_, err = c.ListDoors(tctx)
		assert.ErrorIs(t, err, context.DeadlineExceeded)
	})
}

func TestLoggingRedactsSecrets(t *testing.T) {
	for _, bodies := range []bool{false, true} {
		t.Run(fmt.Sprintf("bodies=%v", bodies), func(t *testing.T) { testLoggingRedactsSecrets(t, bodies) })
	}
}

func testLoggingRedactsSecrets(t *testing.T, bodies bool) {
	var buf resttest.LogBuffer
	logger := newDebugLogger(&buf)
	opts := []primis.Option{primis.WithLogger(logger)}
	if bodies {
		opts = append(opts, primis.WithLogBodies())
	}
	c, _ := newFakeClient(t, primistest.UserEmail, primistest.UserPassword, opts...)
	ctx := context.Background()
	_, _, err := c.Auth.ChangePassword(ctx, "Fresh1234pw")
	require.NoError(t, err)
	_, err = c.ListDoors(ctx)
	require.NoError(t, err)
	out := buf.String()
	require.Contains(t, out, "/api/mobile/controlled_areas")
	for _, secret := range []string{primistest.UserPassword, "Fresh1234pw", c.Tokens().AccessToken.Reveal(), c.Tokens().RefreshToken.Reveal(), primistest.UserEmail} {
		assert.NotContains(t, out, secret)
	}
	if bodies {
		assert.Contains(t, out, "[REDACTED]")
		assert.Contains(t, out, "response_body")
	} else {
		assert.NotContains(t, out, "response_body")
		assert.NotContains(t, out, "request_header")
	}
}

// TestShortLivedJWTsAreUsed: tokens living less than the 10 s margin, or
// issued by a server whose clock is behind, are used until they near their
// end, not renewed on every call (it was 49 renewals for 50 calls).
func TestShortLivedJWTsAreUsed(t *testing.T) {
	cases := map[string]func(srv *primistest.Server){
		"nine-second tokens":            func(srv *primistest.Server) { srv.SetTokenTTL(9 * time.Second) },
		"server clock an hour behind":   func(srv *primistest.Server) { srv.SetClockSkew(-time.Hour) },
		"server clock 59 minutes ahead": func(srv *primistest.Server) { srv.SetClockSkew(59 * time.Minute) },
	}
	for name, setup := range cases {
		t.Run(name, func(t *testing.T) {
			srv := primistest.NewServer()
			defer srv.Close()
			setup(srv)
			c := clientFor(t, srv, primistest.UserEmail, primistest.UserPassword, "p1")
			for range 50 {
				_, _, err := c.AccessGroups.List(context.Background())
				require.NoError(t, err)
			}
			assert.Equal(t, 1, srv.Count("POST", "/api/mobile/login"))
			assert.Equal(t, 0, srv.Count("POST", "/api/mobile/access_token"), "no renewal")
			assert.Equal(t, 50, srv.Count("GET", "/api/mobile/access_groups"), "no 401 either")
		})
	}
}

// TestShortJWTsAreRenewedBeforeTheyExpire: a token living L seconds is
// renewed half way through its life and never sent after it expired. The
// early-renewal cap used to be applied twice (here and in internal/auth), so
// such a token was renewed only at L/4 + 5 s, after it died whenever
// L < 6.7 s: calls were answered 401 and sent again (1,552-1,894 requests
// per 1,000 calls). Time moves without waiting: the client's clock and the
// fake's (SetClockSkew) advance together by a fixed step per call.
func TestShortJWTsAreRenewedBeforeTheyExpire(t *testing.T) {
	const calls = 1000
	const step = 50 * time.Millisecond // 50 s of token time in all
	for _, ttl := range []time.Duration{2 * time.Second, 4 * time.Second, 6 * time.Second, 9 * time.Second} {
		t.Run(ttl.String(), func(t *testing.T) {
			srv := primistest.NewServer()
			defer srv.Close()
			srv.SetTokenTTL(ttl)
			c := clientFor(t, srv, primistest.UserEmail, primistest.UserPassword, "p1")
			var offset atomic.Int64
			primis.SetClock(c, func() time.Time { return time.Now().Add(time.Duration(offset.Load())) })
			ctx := context.Background()
			for i := range calls {
				d := time.Duration(i) * step
				offset.Store(int64(d))
				srv.SetClockSkew(d)
				_, _, err := c.AccessGroups.List(ctx)
				require.NoError(t, err)
			}
			renewals := srv.Count("POST", "/api/mobile/access_token")
			requests := srv.Count("GET", "/api/mobile/access_groups") + renewals + srv.Count("POST", "/api/mobile/login")
			t.Logf("%s tokens: %d requests for %d calls (%d renewals)", ttl, requests, calls, renewals)
			assert.Equal(t, calls, srv.Count("GET", "/api/mobile/access_groups"), "no call was sent with an expired token and again")
			assert.Equal(t, 1, srv.Count("POST", "/api/mobile/login"))
			half := int(calls * step / (ttl / 2))
			assert.LessOrEqual(t, renewals, half+1, "renewed half way through a token's life, not more often")
			assert.GreaterOrEqual(t, renewals, half/2, "and not left to expire")
		})
	}
}

// TestWrongCredentials: the fake refuses wrong credentials as the document
// says (401, "Incorrect email or password" at login and "Invalid
// email/password or refresh token" for deregistration and password change),
// and the client's error matches access.ErrUnauthorized.
func TestWrongCredentials(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		name    string
		message string
		call    func(c *primis.Client) error
	}{
		{"first call logs in", "Incorrect email or password", func(c *primis.Client) error { _, err := c.ListDoors(ctx); return err }},
		{"Login", "Incorrect email or password", func(c *primis.Client) error { _, _, err := c.Auth.Login(ctx); return err }},
		{"Deregister", "Invalid email/password or refresh token", func(c *primis.Client) error { _, _, err := c.Auth.Deregister(ctx); return err }},
		{"ChangePassword", "Invalid email/password or refresh token", func(c *primis.Client) error {
			_, _, err := c.Auth.ChangePassword(ctx, "Fresh1234")
			return err
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, srv := newFakeClient(t, primistest.UserEmail, "Wrong1234")
			err := tc.call(c)
			assert.ErrorIs(t, err, access.ErrUnauthorized)
			assert.NotErrorIs(t, err, access.ErrInvalid)
			var perr *primis.Error
			require.ErrorAs(t, err, &perr)
			assert.Equal(t, http.StatusUnauthorized, perr.StatusCode)
			assert.Equal(t, tc.message, perr.Message)
			assert.Equal(t, primistest.UserPassword, srv.Password(primistest.UserEmail))
			assert.Empty(t, srv.Phones())
		})
	}
	t.Run("revoked refresh token", func(t *testing.T) {
		srv := primistest.NewServer()
		defer srv.Close()
		c := tokensOnlyClient(t, srv)
		srv.ExpireRefreshTokens()
		_, _, err := c.Auth.Deregister(ctx)
		assert.ErrorIs(t, err, access.ErrUnauthorized)
		var perr *primis.Error
		require.ErrorAs(t, err, &perr)
		assert.Equal(t, "Invalid email/password or refresh token", perr.Message)
		assert.Len(t, srv.Phones(), 1, "still registered")
	})
}

// TestDeregisterOnTheFake: with credentials Deregister uses Basic, with
// tokens only the refresh token; either way the licence is freed and the
// next call fails instead of registering the device again.
func TestDeregisterOnTheFake(t *testing.T) {
	ctx := context.Background()
	t.Run("with credentials", func(t *testing.T) {
		c, srv := newFakeClient(t, primistest.UserEmail, primistest.UserPassword)
		_, err := c.ListDoors(ctx)
		require.NoError(t, err)
		_, _, err = c.Auth.Deregister(ctx)
		require.NoError(t, err)
		assert.Empty(t, srv.Phones())

		_, err = c.ListDoors(ctx)
		assert.ErrorIs(t, err, primis.ErrDeregistered)
		assert.ErrorIs(t, err, access.ErrUnauthorized)
		assert.Empty(t, srv.Phones(), "no licence taken behind the caller's back")
		assert.Equal(t, 1, srv.Count("POST", "/api/mobile/login"))

		_, _, err = c.Auth.Login(ctx)
		require.NoError(t, err)
		doors, err := c.ListDoors(ctx)
		require.NoError(t, err)
		assert.NotEmpty(t, doors)
		assert.Len(t, srv.Phones(), 1)
	})
	t.Run("with the refresh token only", func(t *testing.T) {
		srv := primistest.NewServer()
		defer srv.Close()
		c := tokensOnlyClient(t, srv)
		_, _, err := c.Auth.ChangePassword(ctx, "Fresh1234")
		require.NoError(t, err)
		assert.Equal(t, "Fresh1234", srv.Password(primistest.UserEmail))
		_, _, err = c.Auth.Deregister(ctx)
		require.NoError(t, err)
		assert.Empty(t, srv.Phones())
		_, err = c.ListDoors(ctx)
		assert.ErrorIs(t, err, primis.ErrDeregistered)
	})
}
