package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/resivo"
	"github.com/doorkit/doorkit/resivo/resivotest"
)

type resivoConfig struct {
	url, clientID, clientSecret, door, visitor string
	// sites are the site ids the client covers: resivo cannot list a Site
	// Owner's sites. The door is looked up on the first.
	sites []string
	// phone is the visitor's phone number, given on the fake only: one
	// without a country code, which resivo cannot text.
	phone string
	// httpClient, when set, carries the requests to a real server (tests
	// point it at a fake's TLS certificate).
	httpClient *http.Client
}

// runResivo lists the components of the configured sites, resolves a door
// by name (ids change on a site migration, names stay), gives a visitor a
// door link for a booking window under the booking id, ensures it again and
// revokes it by that id.
func runResivo(ctx context.Context, out io.Writer, rc resivoConfig) error {
	var opts []resivo.Option
	var fake *resivotest.Server
	if rc.url == "" {
		fake = resivotest.NewServer()
		defer fake.Close()
		rc = resivoConfig{url: fake.URL, clientID: resivotest.ClientID, clientSecret: resivotest.ClientSecret,
			sites: []string{resivotest.SiteID, resivotest.Site2ID}, door: resivotest.MainEntranceName,
			visitor: "visitor@example.com", phone: "06 1234 5678"}
		opts = append(opts, resivo.WithHTTPClient(fake.Client()))
		fmt.Fprintf(out, "== resivo (in-memory fake at %s)\n", fake.URL)
	} else {
		fmt.Fprintf(out, "== resivo at %s\n", rc.url)
		if len(rc.sites) == 0 || rc.clientID == "" || rc.clientSecret == "" {
			return fmt.Errorf("-resivo-site, -resivo-client-id and -resivo-client-secret are required against a real server (resivo cannot list a Site Owner's sites)")
		}
		if rc.httpClient != nil {
			opts = append(opts, resivo.WithHTTPClient(rc.httpClient))
		}
	}
	client, err := resivo.New(append(opts, resivo.WithBaseURL(rc.url),
		resivo.WithClientCredentials(rc.clientID, rc.clientSecret), resivo.WithSites(rc.sites...))...)
	if err != nil {
		return err
	}

	for _, id := range rc.sites {
		site, _, err := client.Sites.Get(ctx, id)
		if err != nil {
			return fmt.Errorf("site %s: %w", id, err)
		}
		fmt.Fprintf(out, "Site %s: %s (resivo writes to visitors in %s)\n", id, site.DisplayName, site.DefaultLocale)
	}
	doors, err := client.ListDoors(ctx)
	if err != nil {
		return fmt.Errorf("list components: %w", err)
	}
	fmt.Fprintln(out)
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "DOOR ID\tNAME\tTYPE\tCONNECTIVITY\tCREDENTIALS\tOPENS REMOTELY\tWINDOW CHANGE")
	for _, d := range doors {
		var kind resivo.ComponentType
		if c, ok := d.Native.(resivo.Component); ok {
			kind = c.Type
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%v\t%v\t%v\n", d.ID, d.Name, kind, d.Connectivity, d.Capabilities.Credentials,
			d.Capabilities.RemoteOpen, d.Capabilities.WindowChange)
	}
	tw.Flush()

	if rc.door == "" || rc.visitor == "" {
		fmt.Fprintln(out, "\nNo grant: name a door and a visitor with -resivo-door and -resivo-visitor.")
		return nil
	}
	// The same name may be on several sites ("Main entrance" is on both of
	// the fake's): look it up on one.
	site := rc.sites[0]
	ids, err := access.ResolveDoorIDs(ctx, client, site, rc.door)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "\n%q on %s is %s\n", rc.door, site, ids[0])
	if fake != nil {
		// A site migration renumbers the components; the name still finds
		// the door. Resolve names on every booking rather than storing ids.
		fake.Migrate(site)
		old := ids[0]
		if ids, err = access.ResolveDoorIDs(ctx, client, site, rc.door); err != nil {
			return err
		}
		fmt.Fprintf(out, "After a site migration it is %s (was %s)\n", ids[0], old)
	}

	// A booking from tomorrow 15:00 to 17:00, UTC.
	day := time.Now().UTC().Truncate(24 * time.Hour).Add(24 * time.Hour)
	req := access.GrantRequest{
		Key:        "booking-2001", // the booking id: finds the grant again
		DoorIDs:    ids,
		Holder:     access.Person{Name: "Visiting Guest", Email: rc.visitor, Phone: rc.phone},
		Window:     access.Window{Start: day.Add(15 * time.Hour), End: day.Add(17 * time.Hour)},
		Credential: access.CredentialLink,
		Label:      "quickstart",
	}
	grant, outcome, err := access.EnsureGrant(ctx, client, req)
	if err != nil {
		return fmt.Errorf("grant: %w", err)
	}
	fmt.Fprintf(out, "\nGave %s a door link for %q (%s):\n", rc.visitor, rc.door, outcome)
	fmt.Fprintf(out, "  grant id    %s, key %s\n", grant.ID, grant.Key)
	fmt.Fprintf(out, "  window      %s\n", grant.Window)
	for _, d := range grant.Doors {
		fmt.Fprintf(out, "  door        %s: %s, %s, %s to %s\n", d.DoorID, d.State, d.Credential.Kind, d.Credential.Delivery,
			strings.Join(d.Credential.DeliveredTo, ", "))
	}
	// The access went ahead; a notice says what resivo could not do.
	for _, n := range grant.AllNotices() {
		fmt.Fprintf(out, "  notice      %s (%s): %s\n", n.Code, n.Field, n.Message)
	}
	if fake != nil {
		// resivo sends the link itself and returns none: the fake records
		// what it would have sent.
		texts := 0
		for _, m := range fake.Messages() {
			what := map[string]string{"email": "an email", "sms": "an SMS"}[m.Channel]
			fmt.Fprintf(out, "  resivo would send %s to %s in %s (authorization %s)\n", what, m.To, m.Locale, m.AuthorizationID)
			if m.Channel == "sms" {
				texts++
			}
		}
		if texts == 0 {
			fmt.Fprintln(out, "  and no SMS")
		}
	}

	// The same booking again (a retried trigger) finds the grant by its key.
	again, outcome, err := access.EnsureGrant(ctx, client, req)
	if err != nil {
		return fmt.Errorf("grant again: %w", err)
	}
	fmt.Fprintf(out, "Ensured again: grant %s %s\n", again.ID, outcome)

	for range 2 { // a cancellation delivered twice
		if err := access.EnsureRevokedByKey(ctx, client, req.Key); err != nil {
			return fmt.Errorf("revoke: %w", err)
		}
	}
	fmt.Fprintf(out, "\nRevoked the grant of key %s (twice: already gone is done).\n", req.Key)
	if err := client.RevokeGrant(ctx, grant.ID); err != nil {
		fmt.Fprintf(out, "Revoking it by id: %v\n  errors.Is(err, access.ErrNotFound) == %v\n", err, errors.Is(err, access.ErrNotFound))
	}
	if fake != nil {
		live := 0
		for _, a := range fake.Authorizations() {
			if !a.Revoked {
				live++
			}
		}
		fmt.Fprintf(out, "resivo holds %d live authorizations of %d made\n", live, len(fake.Authorizations()))
	}
	return nil
}
