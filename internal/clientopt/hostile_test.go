package clientopt_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/august"
	"github.com/doorkit/doorkit/august/augusttest"
	"github.com/doorkit/doorkit/havr"
	"github.com/doorkit/doorkit/havr/havrtest"
	"github.com/doorkit/doorkit/primis"
	"github.com/doorkit/doorkit/primis/primistest"
	"github.com/doorkit/doorkit/resivo"
	"github.com/doorkit/doorkit/resivo/resivotest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// hostileIDs are ids no vendor hands out: from a bad copy, a hostile
// caller, or another system.
var hostileIDs = map[string]string{
	"empty":             "",
	"space":             " ",
	"leading space":     " 12",
	"inner space":       "1 2",
	"dot":               ".",
	"dot dot":           "..",
	"slash":             "1/2",
	"backslash":         `1\2`,
	"query":             "12?x=1",
	"fragment":          "12#x",
	"percent-encoded":   "%2e%2e",
	"newline":           "12\n",
	"header injection":  "12\r\nX-Injected: 1",
	"NUL":               "12\x00",
	"zero-width space":  "12\u200b",
	"other script":      "ü12",
	"full-width digits": "１２",
	"invalid UTF-8":     "12\xff",
	"overlong":          strings.Repeat("1", 300),
}

// badEmails are holder addresses no vendor can deliver to.
var badEmails = []string{
	"", "ada", "ada@", "@example.com", "ada@@example.com", "Ada <ada@example.com>", "ada@example.com, bob@example.com",
	"ada@example.com\r\nBcc: eve@example.com", "ada @example.com", "ada@localhost", "ada@example", "ada@[127.0.0.1]",
	"ada@1.2.3.4", "ada@-example.com", "ada@exa_mple.com", "ada@bücher.example", strings.Repeat("a", 65) + "@example.com",
}

// counting counts every request that leaves the client, token requests
// included.
type counting struct {
	base http.RoundTripper
	n    atomic.Int64
}

func (c *counting) RoundTrip(req *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return c.base.RoundTrip(req)
}

func countingClient(hc *http.Client) (*http.Client, *counting) {
	rt := &counting{base: hc.Transport}
	return &http.Client{Transport: rt, Timeout: hc.Timeout}, rt
}

// vendorUnderTest is a vendor client on its fake, with the ids it would
// take well formed and the ways to make an id of its own from a hostile
// one.
type vendorUnderTest struct {
	impl any
	sent *counting
	// door and grant make the vendor's door and grant ids around a hostile
	// part (resivo's are "site/id").
	door, grant func(string) string
	// wrong are ids of the wrong format for this vendor, well formed
	// otherwise.
	wrongDoors, wrongGrants []string
	// goodDoor and goodGrant are well-formed ids.
	goodDoor, goodGrant string
}

func vendorsUnderTest(t *testing.T) map[string]vendorUnderTest {
	t.Helper()
	same := func(s string) string { return s }
	out := map[string]vendorUnderTest{}

	hs := havrtest.NewServer()
	t.Cleanup(hs.Close)
	hcl, hsent := countingClient(hs.Client())
	hc, err := havr.New(havr.WithBaseURL(hs.URL), havr.WithHTTPClient(hcl), havr.WithClientID(havrtest.ClientID),
		havr.WithPassword(havrtest.OwnerEmail, havrtest.OwnerPassword))
	require.NoError(t, err)
	out["havr"] = vendorUnderTest{impl: hc, sent: hsent, door: same, grant: same, goodDoor: fmt.Sprint(havrtest.FrontDoorID), goodGrant: "20",
		wrongDoors:  []string{"abc", "0", "-1", "+11", "011", "11.0", "99999999999999999999"},
		wrongGrants: []string{"abc", "0", "-1", "+20", "020", "20,", ",20", "20, 21", "20;21"}}

	ps := primistest.NewServer()
	t.Cleanup(ps.Close)
	pcl, psent := countingClient(ps.Client())
	pc, err := primis.New(primis.WithBaseURL(ps.URL), primis.WithHTTPClient(pcl), primis.WithPhoneID("hostile-ids"),
		primis.WithPassword(primistest.UserEmail, primistest.UserPassword))
	require.NoError(t, err)
	out["primis"] = vendorUnderTest{impl: pc, sent: psent, door: same, grant: same, goodDoor: primistest.EntranceID,
		wrongDoors: []string{strings.Repeat("1", primis.MaxIDLength+1)}}

	as := augusttest.NewServer()
	t.Cleanup(as.Close)
	acl, asent := countingClient(as.Client())
	ac, err := august.New(august.WithBaseURL(as.URL), august.WithHTTPClient(acl), august.WithAPIKey(augusttest.APIKey),
		august.WithTokens(as.NewToken(augusttest.OwnerID), ""), august.WithWebhook("https://partner.example.com/hooks", nil))
	require.NoError(t, err)
	out["august"] = vendorUnderTest{impl: ac, sent: asent, door: same, grant: same, goodDoor: augusttest.FrontDoorID, goodGrant: "0123456789abcdef",
		wrongDoors:  []string{"abc", strings.ToLower(augusttest.FrontDoorID), augusttest.FrontDoorID + "0", augusttest.FrontDoorID[1:]},
		wrongGrants: []string{"g", "0123456789abcde", "0123456789abcdefa", "0123456789abcdeg", "doorkit1.0123456789abcdef"}}

	rs := resivotest.NewServer()
	t.Cleanup(rs.Close)
	rcl, rsent := countingClient(rs.Client())
	rc, err := resivo.New(resivo.WithBaseURL(rs.URL), resivo.WithHTTPClient(rcl),
		resivo.WithClientCredentials(resivotest.ClientID, resivotest.ClientSecret), resivo.WithSites(resivotest.SiteID))
	require.NoError(t, err)
	inSite := func(s string) string { return resivotest.SiteID + "/" + s }
	out["resivo"] = vendorUnderTest{impl: rc, sent: rsent, door: inSite, grant: inSite,
		goodDoor: inSite(resivotest.MainEntranceID), goodGrant: inSite("00000000-0000-0000-0000-000000000000"),
		wrongDoors: []string{resivotest.MainEntranceID, "/" + resivotest.MainEntranceID, resivotest.SiteID + "/",
			resivotest.Site2ID + "/" + resivotest.Site2EntranceID, // a site not given to WithSites
			inSite(resivotest.MainEntranceID + "/x")},
		wrongGrants: []string{"a-1", resivotest.Site2ID + "/a-1", resivotest.SiteID + "/"}}
	return out
}

// A malformed id or value is access.ErrInvalid before any request, in
// every vendor: door and grant ids of every access method, the holder's
// email, the label and the window.
func TestHostileIDsAndValuesAreRefusedBeforeSending(t *testing.T) {
	ctx := context.Background()
	start := time.Now().Add(time.Hour).Truncate(time.Second)
	window := access.Window{Start: start, End: start.Add(time.Hour)}
	for name, v := range vendorsUnderTest(t) {
		t.Run(name, func(t *testing.T) {
			request := func(door string) access.GrantRequest {
				return access.GrantRequest{Key: "hostile", DoorIDs: []string{door}, Window: window,
					Holder: access.Person{Name: "Ada", Email: "ada@example.com"}}
			}
			check := func(t *testing.T, what string, err error) {
				t.Helper()
				assert.ErrorIs(t, err, access.ErrInvalid, "%s: %v", what, err)
				assert.Zero(t, v.sent.n.Load(), "%s: requests sent", what)
				v.sent.n.Store(0)
			}
			var doors, grants []string
			for _, id := range hostileIDs {
				doors, grants = append(doors, v.door(id)), append(grants, v.grant(id))
			}
			doors, grants = append(doors, v.wrongDoors...), append(grants, v.wrongGrants...)
			for _, door := range doors {
				if o, ok := v.impl.(access.DoorOpener); ok {
					check(t, fmt.Sprintf("OpenDoor(%q)", door), o.OpenDoor(ctx, door))
				}
				if g, ok := v.impl.(access.Granter); ok {
					_, err := g.CreateGrant(ctx, request(door))
					check(t, fmt.Sprintf("CreateGrant(door %q)", door), err)
					_, err = g.CreateGrant(ctx, access.GrantRequest{Key: "hostile-2", DoorIDs: []string{v.goodDoor, door},
						Window: window, Holder: access.Person{Email: "ada@example.com"}})
					check(t, fmt.Sprintf("CreateGrant(doors %q and %q)", v.goodDoor, door), err)
				}
				if l, ok := v.impl.(access.GrantLister); ok && door != "" { // "" is no filter
					var err error
					for _, err = range l.ListGrants(ctx, access.GrantFilter{DoorID: door}) {
						break
					}
					check(t, fmt.Sprintf("ListGrants(door %q)", door), err)
				}
			}
			for _, grant := range grants {
				if g, ok := v.impl.(access.Granter); ok {
					check(t, fmt.Sprintf("RevokeGrant(%q)", grant), g.RevokeGrant(ctx, grant))
				}
				if g, ok := v.impl.(access.GrantGetter); ok {
					_, err := g.GetGrant(ctx, grant)
					check(t, fmt.Sprintf("GetGrant(%q)", grant), err)
				}
				if u, ok := v.impl.(access.GrantUpdater); ok {
					_, err := u.UpdateGrantWindow(ctx, grant, window)
					check(t, fmt.Sprintf("UpdateGrantWindow(%q)", grant), err)
				}
			}
			g, ok := v.impl.(access.Granter)
			if !ok {
				return
			}
			for _, email := range badEmails {
				req := request(v.goodDoor)
				req.Holder.Email = email
				_, err := g.CreateGrant(ctx, req)
				check(t, fmt.Sprintf("CreateGrant(holder %q)", email), err)
			}
			for what, change := range map[string]func(*access.GrantRequest){
				"label with a newline":      func(r *access.GrantRequest) { r.Label = "visitor\nBcc: eve@example.com" },
				"label over the limit":      func(r *access.GrantRequest) { r.Label = strings.Repeat("x", access.MaxLabelLength+1) },
				"end in the year 10000":     func(r *access.GrantRequest) { r.Window.End = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC) },
				"key with a control char":   func(r *access.GrantRequest) { r.Key = "booking\x7f1" },
				"key over MaxKeyLength":     func(r *access.GrantRequest) { r.Key = strings.Repeat("k", access.MaxKeyLength+1) },
				"vendor user id with space": func(r *access.GrantRequest) { r.Holder.VendorUserID = " 2" },
			} {
				req := request(v.goodDoor)
				change(&req)
				_, err := g.CreateGrant(ctx, req)
				check(t, "CreateGrant("+what+")", err)
			}
			if u, ok := v.impl.(access.GrantUpdater); ok {
				_, err := u.UpdateGrantWindow(ctx, v.goodGrant, access.Window{Start: start, End: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)})
				check(t, "UpdateGrantWindow(end in the year 10000)", err)
			}
		})
	}
}
