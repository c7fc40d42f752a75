package resivo_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"
	"time"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/resivo"
	"github.com/doorkit/doorkit/resivo/resivotest"
)

// The fake stands in for api.resivo.io in these examples.
func exampleClient() (*resivo.Client, *resivotest.Server) {
	srv := resivotest.NewServer()
	c, err := resivo.New(
		resivo.WithBaseURL(srv.URL), // omit for https://api.resivo.io
		resivo.WithHTTPClient(srv.Client()),
		resivo.WithClientCredentials(resivotest.ClientID, resivotest.ClientSecret),
		resivo.WithSites(resivotest.SiteID),
	)
	if err != nil {
		log.Fatal(err)
	}
	return c, srv
}

func Example() {
	c, srv := exampleClient()
	defer srv.Close()
	ctx := context.Background()

	site, _, err := c.Sites.Get(ctx, resivotest.SiteID)
	if err != nil {
		log.Fatal(err)
	}
	components, _, err := c.Components.List(ctx, resivotest.SiteID, nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(site.DisplayName, site.DefaultLocale)
	for _, comp := range components {
		fmt.Println(comp.DisplayName)
	}
	// Output:
	// Residence Amstelpark nl-NL
	// Main entrance
	// Digital cylinder – double
	// Bike shed
}

// A visitor gets a door link from resivo for the booking's window; the
// booking stores the grant id to revoke it on cancellation.
func ExampleClient_CreateGrant() {
	c, srv := exampleClient()
	defer srv.Close()
	ctx := context.Background()

	ids, err := access.ResolveDoorIDs(ctx, c, resivotest.SiteID, resivotest.MainEntranceName)
	if err != nil {
		log.Fatal(err)
	}
	start := time.Date(2030, 6, 1, 9, 0, 0, 0, time.FixedZone("CEST", 2*3600))
	grant, err := c.CreateGrant(ctx, access.GrantRequest{
		DoorIDs: ids,
		Holder:  access.Person{Name: "Grace Hopper", Email: "grace@example.com", Phone: "06 1234 5678"},
		Window:  access.Window{Start: start.Add(-15 * time.Minute), End: start.Add(2 * time.Hour)},
		Label:   "BK-1042",
	})
	if err != nil {
		log.Fatal(err)
	}
	cred := grant.Doors[0].Credential
	fmt.Println(cred.Delivery, "to", cred.DeliveredTo)
	fmt.Println(grant.Window.Start.Format(time.RFC3339))
	fmt.Println(grant.Notices)
	if err := c.RevokeGrant(ctx, grant.ID); err != nil {
		log.Fatal(err)
	}
	// Output:
	// sent by resivo in nl-NL to [grace@example.com]
	// 2030-06-01T06:45:00Z
	// [SMS skipped: 06 1234 5678 has no country code]
}

// RevokeIfLive follows the public client's rule: read first, revoke only
// what is still live.
func ExampleAuthorizationsService_RevokeIfLive() {
	c, srv := exampleClient()
	defer srv.Close()
	ctx := context.Background()

	start := srv.Now().Add(time.Hour)
	created, _, err := c.Authorizations.CreatePINAccess(ctx, resivotest.SiteID, resivo.PINAccessRequest{
		DisplayName:  "Cleaner",
		PINCodes:     []resivo.PINCode{{PINCode: "482913", DisplayName: "Cleaner"}},
		ComponentIDs: []string{resivotest.BikeShedID},
		Restrictions: resivo.Restrictions{ValidFrom: resivo.At(start), ValidTo: resivo.At(start.Add(time.Hour))},
	})
	if err != nil {
		log.Fatal(err)
	}
	a, revoked, _, err := c.Authorizations.RevokeIfLive(ctx, resivotest.SiteID, created.ID)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(a.Status, revoked)
	// Output: active true
}

// NewRequest and Do reach endpoints the public documents do not list, with
// the client's auth, retries and error decoding. The path is relative to the
// base URL and includes its version prefix.
func ExampleClient_Do() {
	c, srv := exampleClient()
	defer srv.Close()
	ctx := context.Background()

	req, err := c.NewRequest(ctx, http.MethodGet, "v8/sites/"+resivotest.SiteID, nil)
	if err != nil {
		log.Fatal(err)
	}
	var site struct {
		DisplayName string `json:"displayName"`
	}
	if _, err := c.Do(req, &site); err != nil {
		log.Fatal(err)
	}
	fmt.Println(site.DisplayName)

	// A POST with a body to an endpoint the fake does not have: resivo's
	// error body comes back as an *Error.
	req, _ = c.NewRequest(ctx, http.MethodPost, "v8/siteOwners/"+resivotest.SiteOwnerID+"/contracts",
		map[string]string{"displayName": "Flat 3"})
	_, err = c.Do(req, nil)
	var rerr *resivo.Error
	fmt.Println(errors.As(err, &rerr), rerr.StatusCode)
	// Output:
	// Residence Amstelpark
	// true 404
}
