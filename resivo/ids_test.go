package resivo

import (
	"context"
	"strings"
	"testing"

	"github.com/doorkit/doorkit/access"
	"github.com/stretchr/testify/assert"
)

// hostileIDs are site, component and authorization ids resivo never hands
// out; each is refused before anything is sent (creates used to go out
// for 9 of them).
var hostileIDs = map[string]string{
	"empty":             "",
	"space":             " ",
	"inner space":       "cmp 1001",
	"trailing newline":  "cmp-1001\n",
	"header injection":  "cmp-1001\r\nX-Injected: 1",
	"NUL":               "cmp-1001\x00",
	"dot dot":           "..",
	"slash":             "cmp/1001",
	"backslash":         `cmp\1001`,
	"query":             "cmp-1001?x=1",
	"fragment":          "cmp-1001#x",
	"percent-encoded":   "%2e%2e",
	"zero-width space":  "cmp-1001\u200b",
	"other script":      "cmp-ü",
	"full-width digits": "cmp-１００１",
	"invalid UTF-8":     "cmp-\xff",
	"overlong":          strings.Repeat("c", 129),
}

func TestHostileIDsAreRefusedBeforeSending(t *testing.T) {
	ctx := context.Background()
	restrictions := Restrictions{ValidFrom: At(testFrom), ValidTo: At(testTo)}
	calls := map[string]func(c *Client, id string) error{
		"CreatePINAccess component": func(c *Client, id string) error {
			_, _, err := c.Authorizations.CreatePINAccess(ctx, testSite, PINAccessRequest{DisplayName: "V",
				PINCodes: []PINCode{{PINCode: "123456", DisplayName: "V"}}, ComponentIDs: []string{"c-1", id}, Restrictions: restrictions})
			return err
		},
		"CreateRemoteAccess component": func(c *Client, id string) error {
			_, _, err := c.Authorizations.CreateRemoteAccess(ctx, testSite, RemoteAccessRequest{DisplayName: "V",
				ComponentIDs: []string{id}, Restrictions: restrictions, Recipients: Recipients{Emails: []string{"v@example.com"}}})
			return err
		},
		"CreateRemoteAccess site": func(c *Client, id string) error {
			_, _, err := c.Authorizations.CreateRemoteAccess(ctx, id, RemoteAccessRequest{DisplayName: "V",
				ComponentIDs: []string{"c-1"}, Restrictions: restrictions, Recipients: Recipients{Emails: []string{"v@example.com"}}})
			return err
		},
		"Authorizations.Get":    func(c *Client, id string) error { _, _, err := c.Authorizations.Get(ctx, testSite, id); return err },
		"Authorizations.Revoke": func(c *Client, id string) error { _, err := c.Authorizations.Revoke(ctx, testSite, id); return err },
		"Sites.Get":             func(c *Client, id string) error { _, _, err := c.Sites.Get(ctx, id); return err },
		"Components.List":       func(c *Client, id string) error { _, _, err := c.Components.List(ctx, id, nil); return err },
		"access CreateGrant": func(c *Client, id string) error {
			_, err := c.CreateGrant(ctx, grantRequest(joinID(testSite, id)))
			return err
		},
		"access CreateGrant site": func(c *Client, id string) error {
			_, err := c.CreateGrant(ctx, grantRequest(joinID(id, "c-1")))
			return err
		},
	}
	for callName, call := range calls {
		for name, id := range hostileIDs {
			t.Run(callName+"/"+name, func(t *testing.T) {
				c := newTestClient(t, noRequests(t))
				assert.ErrorIs(t, call(c, id), access.ErrInvalid)
			})
		}
	}
}

// The access methods cover the sites given to WithSites, as ListDoors
// does: a door or grant on another site is refused before anything is sent.
func TestAccessIDsOnOtherSitesAreInvalid(t *testing.T) {
	ctx := context.Background()
	c := newTestClient(t, noRequests(t))
	_, err := c.CreateGrant(ctx, grantRequest(joinID("site-2", "c-1")))
	assert.ErrorIs(t, err, access.ErrInvalid)
	assert.ErrorIs(t, c.RevokeGrant(ctx, joinID("site-2", testAuthID)), access.ErrInvalid)
	_, err = c.GetGrant(ctx, joinID("site-2", testAuthID))
	assert.ErrorIs(t, err, access.ErrInvalid)
	var listErr error
	for _, err := range c.ListGrants(ctx, access.GrantFilter{DoorID: joinID("site-2", "c-1")}) {
		listErr = err
		break
	}
	assert.ErrorIs(t, listErr, access.ErrInvalid)
}

func grantRequest(door string) access.GrantRequest {
	return access.GrantRequest{Key: "BK-1", DoorIDs: []string{door}, Holder: access.Person{Email: "v@example.com"},
		Window: access.Window{Start: testFrom, End: testTo}}
}
