package resivo

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/doorkit/doorkit/access"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestTimeIsSentInUTCWithZ(t *testing.T) {
	local := time.Date(2030, 6, 1, 9, 0, 0, 123456789, time.FixedZone("CEST", 2*3600))
	b, err := json.Marshal(At(local))
	require.NoError(t, err)
	assert.Equal(t, `"2030-06-01T07:00:00.123Z"`, string(b))
	b, err = json.Marshal(Time{})
	require.NoError(t, err)
	assert.Equal(t, "null", string(b))
	assert.Equal(t, "2030-06-01T07:00:00.123Z", At(local).String())
}

func TestTimeIsReadWithOrWithoutFraction(t *testing.T) {
	want := time.Date(2030, 6, 1, 7, 0, 0, 0, time.UTC)
	for in, expect := range map[string]time.Time{
		`"2030-06-01T07:00:00Z"`:         want,
		`"2030-06-01T07:00:00.000Z"`:     want,
		`"2030-06-01T07:00:00.5Z"`:       want.Add(500 * time.Millisecond),
		`"2030-06-01T07:00:00.123456Z"`:  want.Add(123456 * time.Microsecond),
		`"2030-06-01T09:00:00+02:00"`:    want,
		`"2030-06-01T07:00:00.1234567Z"`: want.Add(123456700 * time.Nanosecond),
	} {
		var got Time
		require.NoError(t, json.Unmarshal([]byte(in), &got), in)
		assert.True(t, got.Equal(expect), "%s: %v", in, got)
		assert.Equal(t, time.UTC, got.Location(), in)
	}
	for _, in := range []string{`null`, `""`} {
		var got Time
		require.NoError(t, json.Unmarshal([]byte(in), &got))
		assert.True(t, got.IsZero())
	}
	for _, in := range []string{`"2030-06-01 07:00"`, `"yesterday"`, `1717225200`} {
		var got Time
		assert.Error(t, json.Unmarshal([]byte(in), &got), in)
	}
}

func FuzzTimeRoundTrip(f *testing.F) {
	f.Add(`"2030-06-01T07:00:00Z"`)
	f.Add(`"2030-06-01T07:00:00.123456Z"`)
	f.Add(`null`)
	f.Fuzz(func(t *testing.T, in string) {
		var v Time
		if json.Unmarshal([]byte(in), &v) != nil {
			return
		}
		b, err := json.Marshal(v)
		if v.Year() < 0 || v.Year() > 9999 {
			return // outside RFC 3339
		}
		require.NoError(t, err)
		var again Time
		require.NoError(t, json.Unmarshal(b, &again))
		assert.True(t, again.Equal(v.Truncate(time.Millisecond)), "%s -> %s", in, b)
	})
}

func FuzzDecodeErrorNeverEmpty(f *testing.F) {
	f.Add(500, `{"message":"x","code":7}`)
	f.Add(404, ``)
	f.Add(401, `{"error":"invalid_client"}`)
	f.Fuzz(func(t *testing.T, status int, body string) {
		if status < 100 || status > 999 {
			return
		}
		rec := errorResponse(status)
		err := decodeError(rec, []byte(body))
		assert.NotEmpty(t, err.(*Error).Message)
		assert.True(t, strings.HasPrefix(err.Error(), "resivo: GET /x: "))
	})
}

func TestStatusesKeepUnknownValues(t *testing.T) {
	var a Authorization
	require.NoError(t, json.Unmarshal([]byte(`{"id":"1","status":"suspended","credentials":[{"status":"blocked","isExpired":false}]}`), &a))
	assert.Equal(t, AuthorizationStatus("suspended"), a.Status)
	assert.False(t, a.Status.Known())
	assert.Equal(t, CredentialStatus("blocked"), a.Credentials[0].Status)
	assert.False(t, a.Credentials[0].Status.Known())
	assert.True(t, AuthorizationActive.Known())
	assert.True(t, CredentialActive.Known())
	assert.True(t, ComponentOnline.Known())
	assert.False(t, ComponentStatus("maintenance").Known())
	assert.True(t, a.Live(), "an unknown status is revoked rather than left in place")
}

func TestLive(t *testing.T) {
	active, expired := Credential{Status: CredentialActive}, Credential{Status: CredentialActive, IsExpired: true}
	for _, tc := range []struct {
		a    Authorization
		live bool
	}{
		{Authorization{Status: AuthorizationActive, Credentials: []Credential{active, expired}}, true},
		{Authorization{Status: AuthorizationActive, Credentials: []Credential{expired, expired}}, false},
		{Authorization{Status: AuthorizationActive}, true},
		{Authorization{Status: AuthorizationPending, Credentials: []Credential{active}}, true},
		{Authorization{Status: AuthorizationRevoked, Credentials: []Credential{active}}, false},
		{Authorization{Status: AuthorizationExpired}, false},
	} {
		assert.Equal(t, tc.live, tc.a.Live(), "%+v", tc.a)
	}
}

func TestBadInputIsRefusedBeforeAnyRequest(t *testing.T) {
	c := newTestClient(t, noRequests(t))
	ctx := context.Background()
	r := Restrictions{ValidFrom: At(testFrom), ValidTo: At(testTo)}
	pin := PINAccessRequest{DisplayName: "x", PINCodes: []PINCode{{PINCode: "1234", DisplayName: "x"}}, ComponentIDs: []string{"c"}, Restrictions: r}
	remote := RemoteAccessRequest{DisplayName: "x", ComponentIDs: []string{"c"}, Restrictions: r, Recipients: Recipients{Emails: []string{"a@example.com"}}}
	with := func(f func(p *PINAccessRequest)) PINAccessRequest { p := pin; f(&p); return p }
	withR := func(f func(p *RemoteAccessRequest)) RemoteAccessRequest { p := remote; f(&p); return p }

	cases := map[string]func() error{
		"site id with a slash": func() error { _, _, err := c.Sites.Get(ctx, "a/b"); return err },
		"site id ..":           func() error { _, _, err := c.Components.List(ctx, "..", nil); return err },
		"empty site id":        func() error { _, _, err := c.Sites.Get(ctx, ""); return err },
		"authorization id ?":   func() error { _, _, err := c.Authorizations.Get(ctx, testSite, "x?y"); return err },
		"revoke id #":          func() error { _, err := c.Authorizations.Revoke(ctx, testSite, "x#y"); return err },
		"pin: no name": func() error {
			_, _, err := c.Authorizations.CreatePINAccess(ctx, testSite, with(func(p *PINAccessRequest) { p.DisplayName = "" }))
			return err
		},
		"pin: no codes": func() error {
			_, _, err := c.Authorizations.CreatePINAccess(ctx, testSite, with(func(p *PINAccessRequest) { p.PINCodes = nil }))
			return err
		},
		"pin: letters": func() error {
			_, _, err := c.Authorizations.CreatePINAccess(ctx, testSite, with(func(p *PINAccessRequest) { p.PINCodes = []PINCode{{PINCode: "12a4", DisplayName: "x"}} }))
			return err
		},
		"pin: code without name": func() error {
			_, _, err := c.Authorizations.CreatePINAccess(ctx, testSite, with(func(p *PINAccessRequest) { p.PINCodes = []PINCode{{PINCode: "1234"}} }))
			return err
		},
		"pin: no components": func() error {
			_, _, err := c.Authorizations.CreatePINAccess(ctx, testSite, with(func(p *PINAccessRequest) { p.ComponentIDs = nil }))
			return err
		},
		"pin: window reversed": func() error {
			_, _, err := c.Authorizations.CreatePINAccess(ctx, testSite, with(func(p *PINAccessRequest) { p.Restrictions = Restrictions{ValidFrom: At(testTo), ValidTo: At(testFrom)} }))
			return err
		},
		"pin: sub-millisecond window": func() error {
			_, _, err := c.Authorizations.CreatePINAccess(ctx, testSite, with(func(p *PINAccessRequest) {
				p.Restrictions = Restrictions{ValidFrom: At(testFrom), ValidTo: At(testFrom.Add(time.Microsecond))}
			}))
			return err
		},
		"pin: no validTo": func() error {
			_, _, err := c.Authorizations.CreatePINAccess(ctx, testSite, with(func(p *PINAccessRequest) { p.Restrictions.ValidTo = Time{} }))
			return err
		},
		"remote: no recipients": func() error {
			_, _, err := c.Authorizations.CreateRemoteAccess(ctx, testSite, withR(func(p *RemoteAccessRequest) { p.Recipients = Recipients{} }))
			return err
		},
		"remote: national number": func() error {
			_, _, err := c.Authorizations.CreateRemoteAccess(ctx, testSite, withR(func(p *RemoteAccessRequest) { p.Recipients.PhoneNumbers = []string{"0612345678"} }))
			return err
		},
		"remote: display-name email": func() error {
			_, _, err := c.Authorizations.CreateRemoteAccess(ctx, testSite, withR(func(p *RemoteAccessRequest) { p.Recipients.Emails = []string{"Grace <g@example.com>"} }))
			return err
		},
		"remote: two emails in one": func() error {
			_, _, err := c.Authorizations.CreateRemoteAccess(ctx, testSite, withR(func(p *RemoteAccessRequest) { p.Recipients.Emails = []string{"a@example.com, b@example.com"} }))
			return err
		},
		"login: no password":     func() error { _, _, err := c.Auth.Login(ctx, LoginRequest{Email: "a@example.com"}); return err },
		"grant: no site in id":   func() error { _, err := c.CreateGrant(ctx, grantReq("cmp-1")); return err },
		"grant: empty component": func() error { _, err := c.CreateGrant(ctx, grantReq("site-1/")); return err },
		"revoke: bad grant id":   func() error { return c.RevokeGrant(ctx, "nosite") },
		"revoke: empty grant id": func() error { return c.RevokeGrant(ctx, "") },
		"no client credentials":  func() error { _, err := c.Auth.ClientCredentialsToken(ctx); return err },
	}
	for name, call := range cases {
		assert.ErrorIs(t, call(), access.ErrInvalid, name)
	}
}

func grantReq(doorIDs ...string) access.GrantRequest {
	return access.GrantRequest{DoorIDs: doorIDs, Holder: access.Person{Email: "g@example.com"}, Window: access.Window{Start: testFrom, End: testTo}}
}

func TestListDoorsNeedsSites(t *testing.T) {
	c, err := New(WithBaseURL(testBase), WithTokens("t", ""), WithHTTPClient(&http.Client{Transport: noRequests(t)}))
	require.NoError(t, err)
	_, err = c.ListDoors(context.Background())
	assert.ErrorIs(t, err, access.ErrInvalid)
}
