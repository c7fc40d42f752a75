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
// runs it over an access.Directory holding three accounts on doorkit's
// in-memory fakes, a Havr account (grants by emailed link), a Primis
// account (doors that open remotely but take no grants), an August
// account (grants are PINs loaded on the lock's keypad and confirmed by
// August's webhook) and a resivo account (door links resivo mails and
// texts itself; see resivo.go):
//
//	go run ./examples/booking
package main

import (
	"context"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"time"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/august"
	"github.com/doorkit/doorkit/august/augusttest"
	"github.com/doorkit/doorkit/havr"
	"github.com/doorkit/doorkit/havr/havrtest"
	"github.com/doorkit/doorkit/primis"
	"github.com/doorkit/doorkit/primis/primistest"
	"github.com/doorkit/doorkit/resivo/resivotest"
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
	august *augusttest.Server
	// hooks is the booking system's endpoint for August's webhook calls.
	hooks  *httptest.Server
	resivo *resivotest.Server
}

func (f fakes) Close() {
	f.havr.Close()
	f.primis.Close()
	f.resivo.Close()
	if f.august != nil {
		f.august.Close()
		f.hooks.Close()
	}
}

// The static token August sends back with every webhook call; in
// production a long random secret from your secret store.
const augustHookToken = "booking-example-static-token-01"

// newAugust is an August account whose webhook calls reach this program.
// Grants need the webhook: August reports PIN results only there.
func newAugust(f *fakes) (*august.Client, error) {
	f.august = augusttest.NewServer()
	events, err := august.NewWebhookHandler("X-Booking-Token", augustHookToken)
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.Handle("POST /august/events", events)
	f.hooks = httptest.NewServer(mux)
	f.august.SetWebhookClient(f.hooks.Client())
	hookURL := f.hooks.URL + "/august/events"
	c, err := august.New(august.WithBaseURL(f.august.URL), august.WithHTTPClient(f.august.Client()),
		august.WithAPIKey(augusttest.APIKey), august.WithTokens(f.august.NewToken(augusttest.OwnerID), ""),
		august.WithWebhook(hookURL, events), august.WithWebhookClientID(augusttest.ClientID))
	if err != nil {
		return nil, err
	}
	// Once per lock: the registration names the static token August sends.
	ctx := context.Background()
	locks, _, err := c.Locks.List(ctx)
	if err != nil {
		return nil, err
	}
	for _, l := range locks {
		if _, _, err := c.Webhooks.Register(ctx, l.LockID, august.WebhookRequest{URL: hookURL, ClientID: augusttest.ClientID,
			Header: "X-Booking-Token", Token: augustHookToken,
			NotificationTypes: []august.NotificationType{august.NotifyOperation}}); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// newDirectory builds a Directory over a Havr, a Primis and an August
// account on the fakes.
func newDirectory() (*access.Directory, fakes, error) {
	f := fakes{havr: havrtest.NewServer(), primis: primistest.NewServer(), resivo: resivotest.NewServer()}
	hq, err := havr.New(havr.WithBaseURL(f.havr.URL), havr.WithHTTPClient(f.havr.Client()),
		havr.WithPassword(havrtest.OwnerEmail, havrtest.OwnerPassword))
	if err != nil {
		f.Close()
		return nil, fakes{}, err
	}
	lab, err := primis.New(primis.WithBaseURL(f.primis.URL), primis.WithHTTPClient(f.primis.Client()),
		primis.WithPassword(primistest.UserEmail, primistest.UserPassword), primis.WithPhoneID("booking-example"))
	if err != nil {
		f.Close()
		return nil, fakes{}, err
	}
	villa, err := newAugust(&f)
	if err != nil {
		f.Close()
		return nil, fakes{}, err
	}
	site, err := resivoAccount(f.resivo)
	if err != nil {
		f.Close()
		return nil, fakes{}, err
	}
	dir := access.NewDirectory()
	for _, a := range []struct {
		name   string
		client any
	}{{"hq-havr", hq}, {"lab-primis", lab}, {"villa-august", villa}, {"site-resivo", site}} {
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

	// A holiday let on August: the grant is a PIN on the lock's keypad. Each
	// door is pending until August's webhook confirms the load; moving the
	// booking is an update command, cancelling deletes the PIN.
	villa := Booking{Ref: "BK-2001", Visitor: access.Person{Name: "Ada Lovelace", Email: "ada@example.com"},
		Site: access.JoinID("villa-august", augusttest.HouseID), Doors: []string{"Front Door"},
		Start: start, End: start.Add(72 * time.Hour), Status: "confirmed"}
	for range 2 { // confirmed, then the same webhook again
		if _, err := gate.OnChange(ctx, villa); err != nil {
			return err
		}
	}
	villa.End = villa.End.Add(24 * time.Hour) // one more night
	if _, err := gate.OnChange(ctx, villa); err != nil {
		return err
	}
	for _, p := range f.august.PINs(augusttest.FrontDoorID) {
		fmt.Fprintf(out, "  August PIN in slot %d: %s, %s - %s UTC, for %s %s\n", p.Slot, p.State,
			p.Start.Format("2006-01-02 15:04"), p.End.Format("2006-01-02 15:04"), p.FirstName, p.LastName)
	}
	villa.Status = "cancelled"
	if _, err := gate.OnChange(ctx, villa); err != nil {
		return err
	}
	fmt.Fprintf(out, "  August holds %d PINs\n", f.august.LivePINs())

	// The same Gatekeeper on resivo doors.
	if err := runResivo(ctx, gate, f.resivo, out); err != nil {
		return err
	}

	// A booking of Primis doors: they open remotely but take no grants, which
	// the door's capabilities say before any call.
	lab := Booking{Ref: "BK-1043", Visitor: b.Visitor, Site: access.JoinID("lab-primis", "1"),
		Doors: []string{"Main Entrance"}, Start: start, End: start.Add(time.Hour), Status: "confirmed"}
	if _, err := gate.OnChange(ctx, lab); err != nil {
		fmt.Fprintf(out, "%s not granted: %v\n", lab.Ref, err)
	}
	return nil
}
