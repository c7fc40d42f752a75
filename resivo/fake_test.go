package resivo_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/access/accesstest"
	"github.com/doorkit/doorkit/phone"
	"github.com/doorkit/doorkit/resivo"
	"github.com/doorkit/doorkit/resivo/resivotest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func newFakeClient(t testing.TB, opts ...resivo.Option) (*resivo.Client, *resivotest.Server) {
	t.Helper()
	srv := resivotest.NewServer()
	t.Cleanup(srv.Close)
	all := append([]resivo.Option{
		resivo.WithBaseURL(srv.URL),
		resivo.WithHTTPClient(srv.Client()),
		resivo.WithClientCredentials(resivotest.ClientID, resivotest.ClientSecret),
		resivo.WithSites(resivotest.SiteID, resivotest.Site2ID),
		resivo.WithRetry(3, time.Millisecond, 4*time.Millisecond),
	}, opts...)
	c, err := resivo.New(all...)
	require.NoError(t, err)
	return c, srv
}

func door(component string) string { return resivotest.SiteID + "/" + component }

func fixture(t *testing.T) accesstest.Fixture {
	c, srv := newFakeClient(t)
	return accesstest.Fixture{
		Impl: c,
		Creates: func() int {
			return srv.Count("POST", "/"+resivotest.SiteID+"/authorizations/remote-access") +
				srv.Count("POST", "/"+resivotest.SiteID+"/authorizations/pin-access")
		},
		Live: func() int {
			n := 0
			for _, a := range srv.Authorizations() {
				if !a.Revoked {
					n++
				}
			}
			return n
		},
		// Grants are read one by one through the KeyStore: every read fails.
		FailListing: func() {
			srv.Inject(resivotest.Fault{Method: "GET", Count: 1 << 20, Status: 502})
		},
		// LoseNextCreate is left nil: resivo publishes no way to list
		// authorizations, so a create whose answer is lost cannot be found
		// again and EnsureGrant cannot recover it. What the client does
		// instead (refuse to create a second) is tested below.
	}
}

func TestConformance(t *testing.T) {
	for name, tc := range map[string]struct {
		holder access.Person
		kind   access.CredentialKind
	}{
		"door link by email": {access.Person{Name: "Grace", Email: "grace@example.com"}, access.CredentialAny},
		"door link by SMS":   {access.Person{Name: "Grace", Phone: "+31 6 1234 5678"}, access.CredentialLink},
		// A PIN-code access carries no email, so the holder is found by name only.
		"PIN code": {access.Person{Name: "Grace", Phone: "+31 6 1234 5678"}, access.CredentialPIN},
	} {
		t.Run(name, func(t *testing.T) {
			accesstest.Run(t, accesstest.Config{
				New:          fixture,
				Caps:         accesstest.Capabilities{DoorLister: true, Granter: true, GrantGetter: true, GrantLister: true},
				GrantDoors:   []string{door(resivotest.MainEntranceID), door(resivotest.CylinderID)},
				Holder:       tc.holder,
				OtherHolder:  access.Person{Name: "Ada", Email: "ada@example.com"},
				Credential:   tc.kind,
				UnknownGrant: resivotest.SiteID + "/00000000-0000-0000-0000-000000000000",
				Labels:       true,
			})
		})
	}
}

func TestListDoorsCoversEverySiteAndNamesRepeatAcrossSites(t *testing.T) {
	c, _ := newFakeClient(t)
	ctx := context.Background()
	doors, err := c.ListDoors(ctx)
	require.NoError(t, err)
	require.Len(t, doors, 5)
	assert.Equal(t, access.Door{ID: door(resivotest.MainEntranceID), Name: resivotest.MainEntranceName, Site: resivotest.SiteID,
		Vendor: resivo.Vendor, Connectivity: access.Online,
		Capabilities: access.Capabilities{Credentials: []access.CredentialKind{access.CredentialLink, access.CredentialPIN}, GrantListing: true},
		Native:       resivo.Component{ID: resivotest.MainEntranceID, DisplayName: resivotest.MainEntranceName, Type: resivo.ComponentAccessManager, Status: resivo.ComponentOnline}},
		doors[0])
	assert.Equal(t, access.Offline, doors[2].Connectivity)

	_, err = access.ResolveDoorIDs(ctx, c, "", resivotest.MainEntranceName)
	assert.ErrorIs(t, err, access.ErrConflict, "two sites have a Main entrance")
	ids, err := access.ResolveDoorIDs(ctx, c, resivotest.Site2ID, resivotest.MainEntranceName)
	require.NoError(t, err)
	assert.Equal(t, []string{resivotest.Site2ID + "/" + resivotest.Site2EntranceID}, ids)
}

func TestDoorNamesResolveToNewIDsAfterAMigration(t *testing.T) {
	c, srv := newFakeClient(t)
	ctx := context.Background()
	old, err := access.ResolveDoorIDs(ctx, c, resivotest.SiteID, resivotest.CylinderName)
	require.NoError(t, err)
	migrated := srv.Migrate(resivotest.SiteID)

	// A grant with the stored id now fails: resivo refuses unknown components.
	_, err = c.CreateGrant(ctx, visitorRequest(old...))
	assert.ErrorIs(t, err, access.ErrInvalid)

	ids, err := access.ResolveDoorIDs(ctx, c, resivotest.SiteID, resivotest.CylinderName)
	require.NoError(t, err)
	assert.Equal(t, []string{door(migrated[resivotest.CylinderName])}, ids)
	_, err = c.CreateGrant(ctx, visitorRequest(ids...))
	require.NoError(t, err)
}

func visitorRequest(doorIDs ...string) access.GrantRequest {
	start := time.Date(2030, 6, 1, 9, 0, 0, 0, time.FixedZone("CEST", 2*3600))
	return access.GrantRequest{
		DoorIDs: doorIDs,
		Holder:  access.Person{Name: "Grace Hopper", Email: "grace@example.com", Phone: "0031 6 1234 5678"},
		Window:  access.Window{Start: start, End: start.Add(2 * time.Hour)},
		Label:   "BK-1042",
	}
}

func TestVisitorGrantIsARemoteAccessSetThatResivoSends(t *testing.T) {
	c, srv := newFakeClient(t)
	grant, err := c.CreateGrant(context.Background(), visitorRequest(door(resivotest.MainEntranceID), door(resivotest.CylinderID)))
	require.NoError(t, err)

	require.Len(t, grant.Doors, 2)
	cred := grant.Doors[0].Credential
	assert.Equal(t, access.CredentialLink, cred.Kind)
	assert.Empty(t, cred.PIN, "the door link is not returned")
	assert.Equal(t, []string{"grace@example.com", "+31612345678"}, cred.DeliveredTo)
	assert.Equal(t, "sent by resivo in nl-NL", cred.Delivery)
	assert.Equal(t, access.GrantPending, grant.State(), "until read back")
	assert.Equal(t, time.Date(2030, 6, 1, 7, 0, 0, 0, time.UTC), grant.Window.Start)
	assert.Empty(t, grant.Notices)

	auths := srv.Authorizations()
	require.Len(t, auths, 1)
	a := auths[0]
	assert.Equal(t, resivotest.SiteID+"/"+a.ID, grant.ID)
	assert.Equal(t, "remote-access", a.Kind)
	assert.Equal(t, "BK-1042", a.DisplayName, "no key: the label alone")
	assert.Equal(t, []string{resivotest.MainEntranceID, resivotest.CylinderID}, a.ComponentIDs)
	assert.True(t, a.ValidFrom.Equal(time.Date(2030, 6, 1, 7, 0, 0, 0, time.UTC)))
	assert.Equal(t, []resivotest.Message{
		{Channel: "email", To: "grace@example.com", SiteID: resivotest.SiteID, AuthorizationID: a.ID, Locale: "nl-NL"},
		{Channel: "sms", To: "+31612345678", SiteID: resivotest.SiteID, AuthorizationID: a.ID, Locale: "nl-NL"},
	}, srv.Messages())
}

func TestNumbersThatCannotTakeSMSAreDroppedWithANotice(t *testing.T) {
	for _, tc := range []struct {
		phone string
		opts  []resivo.Option
	}{
		{"06 1234 5678", nil}, // no country code: the notes' rule, no metadata needed
		{"06 1234 5678", []resivo.Option{resivo.WithSMSNumbers(phone.NormalizeSMS)}},
		{"+31 20 123 4567", []resivo.Option{resivo.WithSMSNumbers(phone.NormalizeSMS)}}, // an Amsterdam landline: metadata needed
	} {
		t.Run(fmt.Sprintf("%s/%d options", tc.phone, len(tc.opts)), func(t *testing.T) {
			c, srv := newFakeClient(t, tc.opts...)
			req := visitorRequest(door(resivotest.MainEntranceID))
			req.Holder.Phone = tc.phone
			grant, err := c.CreateGrant(context.Background(), req)
			require.NoError(t, err)
			require.Len(t, grant.Notices, 1)
			assert.Equal(t, access.NoticeSMSDropped, grant.Notices[0].Code)
			assert.Equal(t, "Holder.Phone", grant.Notices[0].Field)
			assert.Contains(t, grant.Notices[0].Message, "SMS skipped")
			assert.Equal(t, []string{"grace@example.com"}, grant.Doors[0].Credential.DeliveredTo)
			msgs := srv.Messages()
			require.Len(t, msgs, 1, "email and access go ahead")
			assert.Equal(t, "email", msgs[0].Channel)
		})
	}
	t.Run("and no email", func(t *testing.T) {
		c, srv := newFakeClient(t)
		req := visitorRequest(door(resivotest.MainEntranceID))
		req.Holder = access.Person{Name: "Grace", Phone: "06 1234 5678"}
		_, err := c.CreateGrant(context.Background(), req)
		assert.ErrorIs(t, err, access.ErrInvalid)
		assert.Empty(t, srv.Requests(), "refused before any request")
	})
}

// Without libphonenumber's metadata the client cannot tell a landline with
// its country code from a mobile number: it sends it, and what follows is
// resivo's to say. A resivo that texts it (the fake's default) makes the
// grant; one that refuses it makes nothing, and the grant fails with its
// error rather than a success.
func TestLandlineWithoutMetadataIsResivosToRefuse(t *testing.T) {
	const landline = "+31201234567"
	t.Run("resivo takes it", func(t *testing.T) {
		c, srv := newFakeClient(t)
		req := visitorRequest(door(resivotest.MainEntranceID))
		req.Holder.Phone = "+31 20 123 4567"
		grant, err := c.CreateGrant(context.Background(), req)
		require.NoError(t, err)
		assert.Empty(t, grant.Notices)
		assert.Equal(t, []string{"grace@example.com", landline}, grant.Doors[0].Credential.DeliveredTo)
		assert.Len(t, srv.Authorizations(), 1)
	})
	t.Run("resivo refuses it", func(t *testing.T) {
		c, srv := newFakeClient(t)
		srv.RefuseNumbers(landline)
		req := visitorRequest(door(resivotest.MainEntranceID))
		req.Holder.Phone = "+31 20 123 4567"
		_, err := c.CreateGrant(context.Background(), req)
		require.Error(t, err)
		assert.NotErrorIs(t, err, access.ErrOutcomeUnknown, "a refusal: nothing was made")
		assert.Empty(t, srv.Authorizations())
		assert.Empty(t, srv.Messages())
	})
}

func TestPINGrant(t *testing.T) {
	c, srv := newFakeClient(t)
	req := visitorRequest(door(resivotest.BikeShedID))
	req.Credential = access.CredentialPIN
	grant, err := c.CreateGrant(context.Background(), req)
	require.NoError(t, err)
	assert.Equal(t, access.CredentialPIN, grant.Doors[0].Credential.Kind)
	pin := grant.Doors[0].Credential.PIN.Reveal()
	assert.Len(t, pin, resivo.DefaultPINLength)
	auths := srv.Authorizations()
	require.Len(t, auths, 1)
	assert.Equal(t, "pin-access", auths[0].Kind)
	assert.Equal(t, []string{pin}, auths[0].PINCodes)
	assert.Empty(t, srv.Messages())

	req.PIN = "2468"
	grant, err = c.CreateGrant(context.Background(), req)
	require.NoError(t, err)
	assert.Equal(t, "2468", grant.Doors[0].Credential.PIN.Reveal())

	req.Credential = access.CredentialAppKey
	_, err = c.CreateGrant(context.Background(), req)
	assert.ErrorIs(t, err, access.ErrUnsupported)
}

func TestGrantOverTwoSitesIsInvalid(t *testing.T) {
	c, srv := newFakeClient(t)
	_, err := c.CreateGrant(context.Background(), visitorRequest(door(resivotest.MainEntranceID), resivotest.Site2ID+"/"+resivotest.Site2GarageID))
	assert.ErrorIs(t, err, access.ErrInvalid)
	_, err = c.CreateGrant(context.Background(), visitorRequest(resivotest.MainEntranceID))
	assert.ErrorIs(t, err, access.ErrInvalid, "a bare component id names no site")
	assert.Empty(t, srv.Requests())
}

// An authorization past its validTo is expired, and still resivo's: the
// portal can move its validity and bring it back, and resivo's documents
// do not say an expired authorization stays so. RevokeGrant revokes it
// (it reported it revoked without a request, and a validity moved in the
// portal after the booking's cancellation gave the visitor the door back),
// and succeeds on resivo's answer: a revoke resivo takes, or, where resivo
// refuses to revoke what has expired (SetRefuseExpiredRevoke), its 409 and
// its record read again showing the authorization over, which is all
// resivo allows (a booking system revoking at the booking's end must not
// fail for ever).
func TestRevokeOfAnExpiredAuthorization(t *testing.T) {
	for _, refuse := range []bool{false, true} {
		t.Run(fmt.Sprintf("resivo refuses: %v", refuse), func(t *testing.T) {
			c, srv := newFakeClient(t)
			srv.SetRefuseExpiredRevoke(refuse)
			ctx := context.Background()
			start := srv.Now().Add(time.Hour)
			req := visitorRequest(door(resivotest.MainEntranceID))
			req.Window = access.Window{Start: start, End: start.Add(time.Hour)}
			grant, err := c.CreateGrant(ctx, req)
			require.NoError(t, err)
			authID := srv.Authorizations()[0].ID
			revokePath := "/" + resivotest.SiteID + "/authorizations/" + authID + "/revoke"

			srv.Advance(3 * time.Hour) // past validTo: the credentials expired
			got, err := c.GetGrant(ctx, grant.ID)
			require.NoError(t, err)
			require.Equal(t, access.GrantExpired, got.State())

			err = access.EnsureRevoked(ctx, c, grant.ID)
			assert.Equal(t, 1, srv.Count("DELETE", revokePath), "an expired authorization is revoked too")
			if refuse {
				require.NoError(t, err, "resivo refuses, and shows it expired")
				assert.False(t, srv.Authorizations()[0].Revoked)
				return
			}
			require.NoError(t, err)
			assert.True(t, srv.Authorizations()[0].Revoked)

			// The portal moves its validity: it stays revoked.
			now := srv.Now()
			require.NoError(t, srv.EditValidity(authID, now, now.Add(time.Hour)))
			got, err = c.GetGrant(ctx, grant.ID)
			require.NoError(t, err)
			assert.Equal(t, access.GrantRevoked, got.State())
		})
	}
}

// RevokeIfLive keeps the public client's rule: what is no longer live is
// not revoked, and it says so (revoked false).
func TestRevokeIfLiveSkipsWhatIsNoLongerLive(t *testing.T) {
	c, srv := newFakeClient(t)
	ctx := context.Background()
	start := srv.Now().Add(time.Hour)
	req := visitorRequest(door(resivotest.MainEntranceID))
	req.Window = access.Window{Start: start, End: start.Add(time.Hour)}
	_, err := c.CreateGrant(ctx, req)
	require.NoError(t, err)
	authID := srv.Authorizations()[0].ID
	revokePath := "/" + resivotest.SiteID + "/authorizations/" + authID + "/revoke"

	srv.Advance(3 * time.Hour) // past validTo: the credentials expired
	a, revoked, _, err := c.Authorizations.RevokeIfLive(ctx, resivotest.SiteID, authID)
	require.NoError(t, err)
	assert.False(t, revoked)
	assert.Equal(t, resivo.AuthorizationExpired, a.Status)
	assert.Equal(t, 0, srv.Count("DELETE", revokePath))
	assert.False(t, srv.Authorizations()[0].Revoked)
}

func TestRevokeIfLiveRevokesAnActiveAuthorization(t *testing.T) {
	c, srv := newFakeClient(t)
	ctx := context.Background()
	_, err := c.CreateGrant(ctx, visitorRequest(door(resivotest.MainEntranceID)))
	require.NoError(t, err)
	authID := srv.Authorizations()[0].ID
	a, revoked, _, err := c.Authorizations.RevokeIfLive(ctx, resivotest.SiteID, authID)
	require.NoError(t, err)
	assert.True(t, revoked)
	assert.Equal(t, resivo.AuthorizationActive, a.Status)
	assert.True(t, srv.Authorizations()[0].Revoked)
	_, revoked, _, err = c.Authorizations.RevokeIfLive(ctx, resivotest.SiteID, authID)
	require.NoError(t, err)
	assert.False(t, revoked, "already revoked")
}

func TestExpiredTokenIsReplacedOnceAcrossGoroutines(t *testing.T) {
	c, srv := newFakeClient(t)
	ctx := context.Background()
	_, err := c.ListDoors(ctx)
	require.NoError(t, err)
	require.Equal(t, 1, srv.TokensIssued())
	srv.Advance(2 * time.Hour) // the token expires at resivo while the client still holds it

	var wg sync.WaitGroup
	errs := make(chan error, 50)
	for range 50 {
		wg.Go(func() { _, err := c.ListDoors(ctx); errs <- err })
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	assert.Equal(t, 2, srv.TokensIssued())
}

// TestTokenWithAndWithoutExpiresIn: resivo does not say whether its token
// answers always carry expires_in, so the fake serves either; the client
// uses a token for its announced lifetime, or AssumedTokenLifetime without
// one, and replaces it once resivo rejects it either way.
func TestTokenWithAndWithoutExpiresIn(t *testing.T) {
	for _, omit := range []bool{false, true} {
		t.Run(fmt.Sprintf("omit expires_in %v", omit), func(t *testing.T) {
			c, srv := newFakeClient(t)
			srv.SetTokenTTL(10 * time.Minute)
			srv.SetOmitExpiresIn(omit)
			ctx := context.Background()
			before := time.Now()
			_, err := c.ListDoors(ctx)
			require.NoError(t, err)
			want := 10*time.Minute - resivo.TokenMargin
			if omit {
				want = resivo.AssumedTokenLifetime - resivo.TokenMargin
			}
			assert.WithinDuration(t, before.Add(want), c.Tokens().Expiry, time.Minute)

			srv.Advance(20 * time.Minute) // gone at resivo while the client may still hold it
			_, err = c.ListDoors(ctx)
			require.NoError(t, err)
			assert.Equal(t, 2, srv.TokensIssued())
		})
	}
}

func TestSiteScopedCredentialIsForbiddenElsewhere(t *testing.T) {
	c, _ := newFakeClient(t, resivo.WithClientCredentials(resivotest.SiteClientID, resivotest.SiteClientSecret))
	ctx := context.Background()
	_, _, err := c.Components.List(ctx, resivotest.SiteID, nil)
	require.NoError(t, err)
	_, err = c.ListDoors(ctx) // WithSites names both sites
	assert.ErrorIs(t, err, access.ErrForbidden)
	var rerr *resivo.Error
	require.ErrorAs(t, err, &rerr)
	assert.Equal(t, 403, rerr.StatusCode)
}

func TestWrongClientSecretIsUnauthorized(t *testing.T) {
	c, srv := newFakeClient(t, resivo.WithClientCredentials(resivotest.ClientID, "wrong"))
	_, err := c.ListDoors(context.Background())
	assert.ErrorIs(t, err, access.ErrUnauthorized)
	assert.NotContains(t, err.Error(), "wrong")
	assert.Equal(t, 0, srv.TokensIssued())
}

func TestUserLoginOnTheFake(t *testing.T) {
	srv := resivotest.NewServer()
	defer srv.Close()
	c, err := resivo.New(resivo.WithBaseURL(srv.URL), resivo.WithHTTPClient(srv.Client()),
		resivo.WithPassword(resivotest.UserEmail, resivotest.UserPassword))
	require.NoError(t, err)
	site, _, err := c.Sites.Get(context.Background(), resivotest.SiteID)
	require.NoError(t, err)
	assert.Equal(t, &resivo.Site{ID: resivotest.SiteID, DisplayName: "Residence Amstelpark", DefaultLocale: "nl-NL"}, site)
	assert.NotEmpty(t, c.Tokens().RefreshToken)
}

func TestLostCreateAnswerIsNotResent(t *testing.T) {
	c, srv := newFakeClient(t)
	path := "/" + resivotest.SiteID + "/authorizations/remote-access"
	srv.Inject(resivotest.Fault{Path: path, Method: "POST", Count: 1, LoseAnswer: true})
	_, err := c.CreateGrant(context.Background(), visitorRequest(door(resivotest.MainEntranceID)))
	require.Error(t, err)
	assert.Equal(t, 1, srv.Count("POST", path), "a create that may have reached resivo is not resent")
	assert.Len(t, srv.Authorizations(), 1, "resivo made it; the client does not know")
}

func TestGetRetriesAfterAFailure(t *testing.T) {
	c, srv := newFakeClient(t)
	_, err := c.ListDoors(context.Background()) // token first
	require.NoError(t, err)
	srv.FailNext(2, 502, 0)
	_, err = c.ListDoors(context.Background())
	require.NoError(t, err)
}

func TestRateLimitedCreateIsRefusedAndFreesTheKey(t *testing.T) {
	c, srv := newFakeClient(t, resivo.WithMaxRetryAfter(time.Millisecond))
	ctx := context.Background()
	path := "/" + resivotest.SiteID + "/authorizations/remote-access"
	srv.Inject(resivotest.Fault{Path: path, Method: "POST", Count: 1, Status: 429, RetryAfter: 2 * time.Second})
	req := visitorRequest(door(resivotest.MainEntranceID))
	req.Key = "BK-429"
	req.Window = access.Window{Start: time.Now().Add(time.Hour), End: time.Now().Add(2 * time.Hour)}
	_, err := c.CreateGrant(ctx, req)
	require.ErrorIs(t, err, access.ErrRateLimited)
	assert.NotErrorIs(t, err, access.ErrOutcomeUnknown, "a 429 says resivo did nothing")
	var rerr *resivo.Error
	require.ErrorAs(t, err, &rerr)
	assert.Equal(t, 2*time.Second, rerr.RetryAfter)

	_, outcome, err := access.EnsureGrant(ctx, c, req)
	require.NoError(t, err)
	assert.Equal(t, access.EnsureCreated, outcome)
	assert.Len(t, srv.Authorizations(), 1)
}

func TestLogsHoldNoSecrets(t *testing.T) {
	var buf bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c, srv := newFakeClient(t, resivo.WithLogger(logger), resivo.WithLogBodies())
	ctx := context.Background()
	req := visitorRequest(door(resivotest.MainEntranceID))
	req.Credential, req.PIN = access.CredentialPIN, "918273"
	req.Window = access.Window{Start: time.Now().Add(time.Hour), End: time.Now().Add(2 * time.Hour)}
	grant, err := c.CreateGrant(ctx, req)
	require.NoError(t, err)
	logger.Info("granted", "grant", grant, "request", req, "tokens", c.Tokens())
	require.NotEmpty(t, srv.Requests())
	out := buf.String()
	assert.Contains(t, out, "/oauth2/token", "the token request is logged")
	for _, secret := range []string{resivotest.ClientSecret, c.Tokens().AccessToken.Reveal(), "918273"} {
		assert.NotContains(t, out, secret)
	}
}

func TestRateLimit(t *testing.T) {
	window := access.Window{Start: time.Now().Add(time.Hour), End: time.Now().Add(2 * time.Hour)}
	grantAll := func(c *resivo.Client, n int) (made int, errs []error) {
		var wg sync.WaitGroup
		var mu sync.Mutex
		for i := range n {
			wg.Go(func() {
				req := visitorRequest(door(resivotest.MainEntranceID))
				req.Key, req.Window = fmt.Sprintf("BK-%d", i), window
				_, err := c.CreateGrant(context.Background(), req)
				mu.Lock()
				defer mu.Unlock()
				if err != nil {
					errs = append(errs, err)
				} else {
					made++
				}
			})
		}
		wg.Wait()
		return made, errs
	}

	t.Run("unpaced bursts are refused with 429", func(t *testing.T) {
		c, srv := newFakeClient(t, resivo.WithMaxRetryAfter(time.Millisecond))
		_, err := c.ListDoors(context.Background()) // token and locale first
		require.NoError(t, err)
		srv.SetRateLimit(5, 5)
		made, errs := grantAll(c, 20)
		require.NotEmpty(t, errs)
		for _, err := range errs {
			assert.ErrorIs(t, err, access.ErrRateLimited)
			assert.NotErrorIs(t, err, access.ErrOutcomeUnknown, "a 429 made nothing")
		}
		assert.Len(t, srv.Authorizations(), made, "one authorization per successful create, none for a refused one")
	})
	t.Run("paced, none is refused", func(t *testing.T) {
		// Paced at half resivo's rate, so scheduling jitter between the
		// pacer and resivo's bucket cannot add up to a refusal.
		c, srv := newFakeClient(t, resivo.WithRateLimit(100, 1))
		srv.SetRateLimit(200, 5)
		made, errs := grantAll(c, 40)
		assert.Empty(t, errs)
		assert.Equal(t, 40, made)
		assert.Zero(t, srv.Throttled())
	})
}

// A new process with the default in-memory KeyStore cannot prove a key
// gone: revoke by key answers access.ErrKeyUnknown and the authorization
// stays live, instead of nil while the visitor keeps access.
func TestRestartedProcessDoesNotReportRevokeByKeyDone(t *testing.T) {
	ctx := context.Background()
	first, srv := newFakeClient(t)
	req := visitorRequest(door(resivotest.MainEntranceID))
	req.Key = "BK-RESTART"
	g, outcome, err := access.EnsureGrant(ctx, first, req)
	require.NoError(t, err)
	require.Equal(t, access.EnsureCreated, outcome)

	second, err := resivo.New(resivo.WithBaseURL(srv.URL), resivo.WithHTTPClient(srv.Client()),
		resivo.WithClientCredentials(resivotest.ClientID, resivotest.ClientSecret), resivo.WithSites(resivotest.SiteID))
	require.NoError(t, err)
	err = access.EnsureRevokedByKey(ctx, second, "BK-RESTART")
	require.ErrorIs(t, err, access.ErrKeyUnknown)
	assert.Contains(t, err.Error(), "revoke by the grant id you stored, or use a durable KeyStore")
	live, err := second.GetGrant(ctx, g.ID)
	require.NoError(t, err)
	assert.NotEqual(t, access.GrantRevoked, live.State(), "the authorization is still live")
	require.False(t, srv.Authorizations()[0].Revoked)

	// Revoking by the stored grant id works from any process.
	require.NoError(t, access.EnsureRevoked(ctx, second, g.ID))
	auths := srv.Authorizations()
	require.Len(t, auths, 1)
	assert.True(t, auths[0].Revoked)
}

// Where resivo refuses to revoke an expired authorization, the revoke is
// done but the key keeps naming it: when the portal moves its validity and
// it gives access again, the next EnsureRevokedByKey finds it by its key
// and revokes it. Its record used to be dropped, and the authorization
// live again could no longer be found.
func TestRefusedExpiredRevokeKeepsTheKey(t *testing.T) {
	c, srv := newFakeClient(t)
	srv.SetRefuseExpiredRevoke(true)
	ctx := context.Background()
	start := srv.Now().Add(time.Hour)
	req := visitorRequest(door(resivotest.MainEntranceID))
	req.Key = "booking-expired"
	req.Window = access.Window{Start: start, End: start.Add(time.Hour)}
	_, _, err := access.EnsureGrant(ctx, c, req)
	require.NoError(t, err)
	authID := srv.Authorizations()[0].ID

	srv.Advance(3 * time.Hour) // past validTo
	require.NoError(t, access.EnsureRevokedByKey(ctx, c, req.Key))
	require.False(t, srv.Authorizations()[0].Revoked, "resivo refused: expired, not revoked")

	now := srv.Now()
	require.NoError(t, srv.EditValidity(authID, now, now.Add(time.Hour))) // the portal brings it back
	require.NoError(t, access.EnsureRevokedByKey(ctx, c, req.Key))
	assert.True(t, srv.Authorizations()[0].Revoked, "found by its key and revoked")
}
