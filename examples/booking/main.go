// Command booking shows how a booking system drives visitor access with
// doorkit. Every booking event is handled idempotently, keyed by the
// booking reference, so a webhook delivered twice or a vendor answer lost
// on the way never grants twice:
//
//   - confirmed: access.EnsureGrant gives the visitor the booked doors for
//     the booking's window (plus a little slack before the start);
//   - moved: the same call with the new window updates the grant;
//   - cancelled: access.EnsureRevokedByKey takes it back, and "already
//     gone" is done.
//
// The booking logic depends only on the access interfaces. This program
// runs it over an access.Directory holding two accounts on doorkit's
// in-memory fakes, a Havr account (grants by emailed link) and a Primis
// account (doors that open remotely but take no grants):
//
//	go run ./examples/booking
package main

import (
	"context"
	"fmt"
	"io"
	"log"
	"os"
	"strings"
	"time"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/havr"
	"github.com/doorkit/doorkit/havr/havrtest"
	"github.com/doorkit/doorkit/primis"
	"github.com/doorkit/doorkit/primis/primistest"
)

// Booking is what a booking system stores. It needs no grant id: the
// booking reference finds the grant again.
type Booking struct {
	Ref     string
	Visitor access.Person
	Site    string   // the site the doors are on
	Doors   []string // door names, which stay stable; ids may change
	Start   time.Time
	End     time.Time
	Status  string // confirmed, cancelled
}

// AccessSystem is what the booking flow needs from a vendor or a
// Directory. EnsureGrant also needs it to list grants (access.GrantLister).
type AccessSystem interface {
	access.DoorLister
	access.Granter
}

// Gatekeeper turns booking events into grants and revocations.
type Gatekeeper struct {
	Access AccessSystem
	// Lead opens the door this long before the booking starts.
	Lead time.Duration
	Log  io.Writer
}

// OnChange reacts to a booking's new state: confirmed (new or moved) or
// cancelled. It may be called any number of times for the same state.
func (g Gatekeeper) OnChange(ctx context.Context, b Booking) (*access.Grant, error) {
	switch b.Status {
	case "confirmed":
		doors, err := g.doors(ctx, b)
		if err != nil {
			return nil, fmt.Errorf("booking %s: %w", b.Ref, err)
		}
		grant, outcome, err := access.EnsureGrant(ctx, g.Access, access.GrantRequest{
			Key:     b.Ref,
			DoorIDs: doors,
			Holder:  b.Visitor,
			Window:  access.Window{Start: b.Start.Add(-g.Lead), End: b.End},
			Label:   b.Visitor.Name,
		})
		if err != nil {
			return nil, fmt.Errorf("booking %s: grant: %w", b.Ref, err)
		}
		fmt.Fprintf(g.Log, "%s confirmed: grant %s %s, %s\n", b.Ref, grant.ID, outcome, grant.Window.UTC())
		for _, d := range grant.Doors {
			fmt.Fprintf(g.Log, "  %s: %s, %s", d.DoorID, d.State, d.Credential.Delivery)
			if len(d.Credential.DeliveredTo) > 0 {
				fmt.Fprintf(g.Log, " to %s", strings.Join(d.Credential.DeliveredTo, ", "))
			}
			fmt.Fprintln(g.Log)
			for _, n := range d.Notices {
				fmt.Fprintf(g.Log, "    %s: %s\n", n.Code, n)
			}
		}
		for _, n := range grant.Notices {
			fmt.Fprintf(g.Log, "  %s: %s\n", n.Code, n)
		}
		return grant, nil
	case "cancelled":
		if err := access.EnsureRevokedByKey(ctx, g.Access, b.Ref); err != nil {
			return nil, fmt.Errorf("booking %s: revoke: %w", b.Ref, err)
		}
		fmt.Fprintf(g.Log, "%s cancelled: access revoked\n", b.Ref)
		return nil, nil
	}
	return nil, fmt.Errorf("booking %s: unknown status %q", b.Ref, b.Status)
}

// doors resolves the booked door names to their current ids, and checks
// before calling that every door can take a grant.
func (g Gatekeeper) doors(ctx context.Context, b Booking) ([]string, error) {
	all, err := g.Access.ListDoors(ctx)
	if err != nil && len(all) == 0 {
		return nil, err // a Directory returns the doors it could list beside the error
	}
	var onSite []access.Door
	for _, d := range all {
		if d.Site == b.Site {
			onSite = append(onSite, d)
		}
	}
	found, ferr := access.FindDoors(onSite, b.Doors...)
	if ferr != nil {
		if err != nil {
			return nil, fmt.Errorf("%w (and %w)", ferr, err)
		}
		return nil, ferr
	}
	ids := make([]string, len(found))
	for i, d := range found {
		if !d.Capabilities.Grants() {
			return nil, fmt.Errorf("door %q (%s) takes no grants: %w", d.Name, d.ID, access.ErrUnsupported)
		}
		ids[i] = d.ID
	}
	return ids, nil
}

func main() {
	if err := run(context.Background(), os.Stdout); err != nil {
		log.Print(err)
		os.Exit(1)
	}
}

// fakes are the in-memory vendors the directory's accounts run on.
type fakes struct {
	havr   *havrtest.Server
	primis *primistest.Server
}

func (f fakes) Close() { f.havr.Close(); f.primis.Close() }

// newDirectory builds a Directory over a Havr and a Primis account on the
// fakes.
func newDirectory() (*access.Directory, fakes, error) {
	f := fakes{havr: havrtest.NewServer(), primis: primistest.NewServer()}
	hq, err := havr.New(havr.WithBaseURL(f.havr.URL), havr.WithHTTPClient(f.havr.Client()),
		havr.WithPassword(havrtest.OwnerEmail, havrtest.OwnerPassword))
	if err != nil {
		f.Close()
		return nil, fakes{}, err
	}
	lab, err := primis.New(primis.WithBaseURL(f.primis.URL), primis.WithHTTPClient(f.primis.Client()),
		primis.WithCredentials(primistest.UserEmail, primistest.UserPassword), primis.WithPhoneID("booking-example"))
	if err != nil {
		f.Close()
		return nil, fakes{}, err
	}
	dir := access.NewDirectory()
	for _, a := range []struct {
		name   string
		client any
	}{{"hq-havr", hq}, {"lab-primis", lab}} {
		if err := dir.Add(a.name, a.client); err != nil {
			f.Close()
			return nil, fakes{}, err
		}
	}
	return dir, f, nil
}

func run(ctx context.Context, out io.Writer) error {
	dir, f, err := newDirectory()
	if err != nil {
		return err
	}
	defer f.Close()
	gate := Gatekeeper{Access: dir, Lead: 15 * time.Minute, Log: out}

	doors, err := dir.ListDoors(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "%d doors over accounts %v\n", len(doors), dir.Accounts())

	start := time.Date(2030, 6, 1, 9, 0, 0, 0, time.FixedZone("CEST", 2*3600))
	b := Booking{
		Ref:     "BK-1042",
		Visitor: access.Person{Name: "Grace Hopper", Email: "grace@example.com", Phone: "+31 6 12345678"},
		Site:    access.JoinID("hq-havr", havr.ID(havrtest.OfficeGroupID).String()),
		Doors:   []string{"Front door", "Meeting room"},
		Start:   start, End: start.Add(3 * time.Hour),
		Status: "confirmed",
	}
	if _, err := gate.OnChange(ctx, b); err != nil {
		return err
	}
	// The webhook is delivered again: nothing new is created.
	if _, err := gate.OnChange(ctx, b); err != nil {
		return err
	}
	fmt.Fprintf(out, "  Havr holds %d shared keys\n", len(f.havr.SharedKeys()))

	// The booking moves an hour later.
	b.Start, b.End = b.Start.Add(time.Hour), b.End.Add(time.Hour)
	if _, err := gate.OnChange(ctx, b); err != nil {
		return err
	}
	for _, k := range f.havr.SharedKeys() {
		fmt.Fprintf(out, "  shared key %d on door lock %d: %s - %s UTC, note %q\n", k.ID, k.DoorLockID,
			k.Start.Format("2006-01-02 15:04"), k.End.Format("15:04"), k.Note)
	}

	// Cancelled, twice.
	b.Status = "cancelled"
	for range 2 {
		if _, err := gate.OnChange(ctx, b); err != nil {
			return err
		}
	}
	fmt.Fprintf(out, "  Havr holds %d shared keys\n", len(f.havr.SharedKeys()))

	// A booking of Primis doors: they open remotely but take no grants, which
	// the door's capabilities say before any call.
	lab := Booking{Ref: "BK-1043", Visitor: b.Visitor, Site: access.JoinID("lab-primis", "1"),
		Doors: []string{"Main Entrance"}, Start: start, End: start.Add(time.Hour), Status: "confirmed"}
	if _, err := gate.OnChange(ctx, lab); err != nil {
		fmt.Fprintf(out, "%s not granted: %v\n", lab.Ref, err)
	}
	return nil
}
