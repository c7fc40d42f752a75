package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/havr"
	"github.com/doorkit/doorkit/havr/havrtest"
)

type havrConfig struct {
	url, user, password, door, visitor string
}

// runHavr lists the owner's door locks, grants a visitor access to one for a
// two-hour window by emailed link, shows the grant and revokes it.
func runHavr(ctx context.Context, out io.Writer, hc havrConfig) error {
	var opts []havr.Option
	var fake *havrtest.Server
	if hc.url == "" {
		fake = havrtest.NewServer()
		defer fake.Close()
		hc = havrConfig{url: fake.URL, user: havrtest.OwnerEmail, password: havrtest.OwnerPassword,
			door: "Front door", visitor: "visitor@example.com"}
		opts = append(opts, havr.WithHTTPClient(fake.Client()))
		fmt.Fprintf(out, "== Havr (in-memory fake at %s)\n", fake.URL)
	} else {
		fmt.Fprintf(out, "== Havr at %s\n", hc.url)
		if hc.door == "" || hc.visitor == "" {
			return fmt.Errorf("-havr-door and -havr-visitor are required against a real server")
		}
	}
	client, err := havr.New(append(opts, havr.WithBaseURL(hc.url), havr.WithPassword(hc.user, hc.password))...)
	if err != nil {
		return err
	}

	doors, err := client.ListDoors(ctx)
	if err != nil {
		return fmt.Errorf("list door locks: %w", err)
	}
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "DOOR ID\tNAME\tLOCK GROUP\tCONNECTIVITY")
	for _, d := range doors {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", d.ID, d.Name, d.Site, d.Connectivity)
	}
	tw.Flush()

	ids, err := access.ResolveDoorIDs(ctx, client, "", hc.door)
	if err != nil {
		return err
	}
	start := time.Now().UTC().Add(time.Hour).Truncate(time.Minute)
	grant, err := client.CreateGrant(ctx, access.GrantRequest{
		DoorIDs:    ids,
		Holder:     access.Person{Name: "Visitor", Email: hc.visitor},
		Window:     access.Window{Start: start, End: start.Add(2 * time.Hour)},
		Credential: access.CredentialLink,
		Label:      "doorkit quickstart",
	})
	if err != nil {
		return fmt.Errorf("grant: %w", err)
	}
	fmt.Fprintf(out, "\nGranted %s access to %q:\n", hc.visitor, hc.door)
	fmt.Fprintf(out, "  grant id    %s (store it with the booking to revoke later)\n", grant.ID)
	fmt.Fprintf(out, "  window      %s\n", grant.Window)
	cred := grant.Doors[0].Credential
	fmt.Fprintf(out, "  credential  %s, %s to %s\n", cred.Kind, cred.Delivery, strings.Join(cred.DeliveredTo, ", "))
	fmt.Fprintf(out, "  state       %s\n", grant.State())
	if fake != nil {
		fmt.Fprintf(out, "  (the fake recorded %d emailed link(s))\n", len(fake.Links()))
	}

	if err := client.RevokeGrant(ctx, grant.ID); err != nil {
		return fmt.Errorf("revoke: %w", err)
	}
	fmt.Fprintf(out, "\nRevoked grant %s.\n", grant.ID)
	if err := client.RevokeGrant(ctx, grant.ID); err != nil {
		fmt.Fprintf(out, "Revoking it again: %v\n  errors.Is(err, access.ErrNotFound) == %v\n", err, errors.Is(err, access.ErrNotFound))
	}
	return nil
}
