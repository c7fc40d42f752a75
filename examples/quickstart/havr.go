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
	fmt.Fprintln(tw, "DOOR ID\tNAME\tLOCK GROUP\tCONNECTIVITY\tCREDENTIALS\tOPENS REMOTELY")
	for _, d := range doors {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%v\t%v\n", d.ID, d.Name, d.Site, d.Connectivity, d.Capabilities.Credentials, d.Capabilities.RemoteOpen)
	}
	tw.Flush()

	ids, err := access.ResolveDoorIDs(ctx, client, "", hc.door)
	if err != nil {
		return err
	}
	start := time.Now().UTC().Add(time.Hour).Truncate(time.Minute)
	req := access.GrantRequest{
		Key:        "doorkit-quickstart", // the booking id: finds the grant again
		DoorIDs:    ids,
		Holder:     access.Person{Name: "Visitor", Email: hc.visitor},
		Window:     access.Window{Start: start, End: start.Add(2 * time.Hour)},
		Credential: access.CredentialLink,
		Label:      "quickstart",
	}
	grant, outcome, err := access.EnsureGrant(ctx, client, req)
	if err != nil {
		return fmt.Errorf("grant: %w", err)
	}
	fmt.Fprintf(out, "\nGranted %s access to %q (%s):\n", hc.visitor, hc.door, outcome)
	fmt.Fprintf(out, "  grant id    %s, key %s\n", grant.ID, grant.Key)
	fmt.Fprintf(out, "  window      %s\n", grant.Window)
	for _, d := range grant.Doors {
		fmt.Fprintf(out, "  door %s     %s, %s, %s to %s\n", d.DoorID, d.State, d.Credential.Kind, d.Credential.Delivery,
			strings.Join(d.Credential.DeliveredTo, ", "))
	}
	fmt.Fprintf(out, "  state       %s (usable now: %v)\n", grant.State(), grant.Usable(time.Now()))
	if fake != nil {
		fmt.Fprintf(out, "  (the fake recorded %d emailed link(s))\n", len(fake.Links()))
	}

	// The same booking again (a retried trigger) finds the grant by its key.
	again, outcome, err := access.EnsureGrant(ctx, client, req)
	if err != nil {
		return fmt.Errorf("grant again: %w", err)
	}
	fmt.Fprintf(out, "Ensured again: grant %s %s\n", again.ID, outcome)

	// The booking moves an hour later: the window is updated in place.
	req.Window = access.Window{Start: start.Add(time.Hour), End: start.Add(3 * time.Hour)}
	moved, outcome, err := access.EnsureGrant(ctx, client, req)
	if err != nil {
		return fmt.Errorf("move: %w", err)
	}
	fmt.Fprintf(out, "Moved: grant %s %s, window %s\n", moved.ID, outcome, moved.Window)

	for range 2 { // a cancellation delivered twice
		if err := access.EnsureRevokedByKey(ctx, client, req.Key); err != nil {
			return fmt.Errorf("revoke: %w", err)
		}
	}
	fmt.Fprintf(out, "\nRevoked the grant of key %s (twice: already gone is done).\n", req.Key)
	if err := client.RevokeGrant(ctx, grant.ID); err != nil {
		fmt.Fprintf(out, "Revoking it by id: %v\n  errors.Is(err, access.ErrNotFound) == %v\n", err, errors.Is(err, access.ErrNotFound))
	}
	return nil
}
