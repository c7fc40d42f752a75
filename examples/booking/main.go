// Command booking shows how a booking system drives visitor access with
// doorkit: when a booking is confirmed it grants the visitor access to the
// booked doors for the booking's window (plus a little slack before the
// start), stores the grant id with the booking, and revokes the grant when
// the booking is cancelled.
//
// The booking logic depends only on the access interfaces, so the same code
// runs against any vendor that implements access.Granter. This program runs
// it against the in-memory Havr:
//
//	go run ./examples/booking
package main

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"time"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/havr"
	"github.com/doorkit/doorkit/havr/havrtest"
)

// Booking is what a booking system stores.
type Booking struct {
	Ref       string
	Visitor   access.Person
	Doors     []string // door names, which stay stable; ids may change
	Start     time.Time
	End       time.Time
	Status    string // confirmed, cancelled
	GrantID   string // set once access is granted
	GrantNote []access.Notice
}

// AccessSystem is what the booking flow needs from a vendor.
type AccessSystem interface {
	access.DoorLister
	access.Granter
}

// Gatekeeper turns booking status changes into grants and revocations.
type Gatekeeper struct {
	Access AccessSystem
	// Lead opens the door this long before the booking starts.
	Lead time.Duration
}

// OnStatusChange reacts to a booking's new status.
func (g Gatekeeper) OnStatusChange(ctx context.Context, b *Booking) error {
	switch b.Status {
	case "confirmed":
		if b.GrantID != "" {
			return nil // already granted: never grant twice
		}
		ids, err := access.ResolveDoorIDs(ctx, g.Access, "", b.Doors...)
		if err != nil {
			return fmt.Errorf("booking %s: %w", b.Ref, err)
		}
		grant, err := g.Access.CreateGrant(ctx, access.GrantRequest{
			DoorIDs: ids,
			Holder:  b.Visitor,
			Window:  access.Window{Start: b.Start.Add(-g.Lead), End: b.End},
			Label:   b.Ref,
		})
		if err != nil {
			return fmt.Errorf("booking %s: grant: %w", b.Ref, err)
		}
		b.GrantID, b.GrantNote = grant.ID, grant.Notices
		return nil
	case "cancelled":
		if b.GrantID == "" {
			return nil
		}
		err := g.Access.RevokeGrant(ctx, b.GrantID)
		if err != nil && !errors.Is(err, access.ErrNotFound) { // already gone is fine
			return fmt.Errorf("booking %s: revoke: %w", b.Ref, err)
		}
		b.GrantID = ""
		return nil
	}
	return nil
}

func main() {
	if err := run(context.Background()); err != nil {
		log.Print(err)
		os.Exit(1)
	}
}

func run(ctx context.Context) error {
	srv := havrtest.NewServer()
	defer srv.Close()
	client, err := havr.New(havr.WithBaseURL(srv.URL), havr.WithHTTPClient(srv.Client()),
		havr.WithPassword(havrtest.OwnerEmail, havrtest.OwnerPassword))
	if err != nil {
		return err
	}
	gate := Gatekeeper{Access: client, Lead: 15 * time.Minute}

	start := time.Date(2030, 6, 1, 9, 0, 0, 0, time.FixedZone("CEST", 2*3600))
	b := &Booking{
		Ref:     "BK-1042",
		Visitor: access.Person{Name: "Grace Hopper", Email: "grace@example.com", Phone: "+31 6 12345678"},
		Doors:   []string{"Front door", "Meeting room"},
		Start:   start, End: start.Add(3 * time.Hour),
		Status: "confirmed",
	}
	if err := gate.OnStatusChange(ctx, b); err != nil {
		return err
	}
	fmt.Printf("%s confirmed: grant %s for %s\n", b.Ref, b.GrantID, b.Visitor.Email)
	for _, n := range b.GrantNote {
		fmt.Println("  notice:", n)
	}
	for _, k := range srv.SharedKeys() {
		fmt.Printf("  shared key %d on door lock %d, %s - %s UTC, emailed to %s\n", k.ID, k.DoorLockID,
			k.Start.Format("2006-01-02 15:04"), k.End.Format("15:04"), k.Email)
	}

	// Confirming again (a webhook delivered twice) does not grant twice.
	if err := gate.OnStatusChange(ctx, b); err != nil {
		return err
	}
	fmt.Printf("confirmed again: still %d shared keys\n", len(srv.SharedKeys()))

	b.Status = "cancelled"
	if err := gate.OnStatusChange(ctx, b); err != nil {
		return err
	}
	fmt.Printf("%s cancelled: access revoked, %d shared keys left\n", b.Ref, len(srv.SharedKeys()))
	return nil
}
