// Command reconcile keeps a booking system's grants right over time.
//
// EnsureGrant keeps one booking right when its trigger arrives. Over months
// triggers get lost, people edit grants in the vendors' tools, PINs fail to
// load and grants outlive their bookings. This program shows the other
// half: access.PlanGrants compares the booking list with what every account
// of a Directory holds and prints a plan to read, and access.Apply carries
// it out.
//
// It runs on doorkit's in-memory fakes, a Directory of four accounts (Havr,
// August, resivo, Primis): yesterday's sync made the bookings' grants, then
// drift happens the way it does (a shared key deleted in the Havr app, a
// window edited in the resivo portal, a PIN that failed to load, a
// cancellation whose trigger never came, a key shared outside doorkit), and
// the plan shows it.
//
//	go run ./examples/reconcile          # print the plan: a dry run, nothing changes
//	go run ./examples/reconcile -apply   # carry it out with progress, then plan again
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"iter"
	"log"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/havr"
	"github.com/doorkit/doorkit/havr/havrtest"
	"github.com/doorkit/doorkit/resivo/resivotest"
)

func main() {
	apply := flag.Bool("apply", false, "carry the plan out, with progress, then plan again")
	flag.Parse()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := run(ctx, os.Stdout, *apply); err != nil {
		log.Print(err)
		os.Exit(1)
	}
}

// bookingSystem is the booking list, by key (the booking reference). It
// answers the two questions reconcile asks: every booking that wants access
// (Wanted), and, under a key's turn, whether one booking still does
// (Recheck).
type bookingSystem struct {
	mu    sync.Mutex
	byKey map[string]access.GrantRequest
	order []string
}

func newBookingSystem(reqs ...access.GrantRequest) *bookingSystem {
	b := &bookingSystem{byKey: map[string]access.GrantRequest{}}
	for _, r := range reqs {
		b.byKey[r.Key] = r
		b.order = append(b.order, r.Key)
	}
	return b
}

// Wanted yields the bookings that want access. A real one reads its
// database; an error there aborts the plan rather than plan on half a list.
func (b *bookingSystem) Wanted() iter.Seq2[access.GrantRequest, error] {
	return func(yield func(access.GrantRequest, error) bool) {
		b.mu.Lock()
		var reqs []access.GrantRequest
		for _, k := range b.order {
			if r, ok := b.byKey[k]; ok {
				reqs = append(reqs, r)
			}
		}
		b.mu.Unlock()
		for _, r := range reqs {
			if !yield(r, nil) {
				return
			}
		}
	}
}

// Recheck answers for one booking now.
func (b *bookingSystem) Recheck(_ context.Context, key string) (access.GrantRequest, bool, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	r, ok := b.byKey[key]
	return r, ok, nil
}

// Cancel cancels a booking, as the booking system records it. Its trigger,
// which would call EnsureRevokedByKey, is lost here on purpose.
func (b *bookingSystem) Cancel(key string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	delete(b.byKey, key)
}

func run(ctx context.Context, out io.Writer, apply bool) error {
	e, err := newEnv(ctx, 0)
	if err != nil {
		return err
	}
	defer e.Close()

	now := time.Now().UTC()
	tomorrow := now.Truncate(24 * time.Hour).Add(24 * time.Hour)
	window := func(start time.Time, hours int) access.Window {
		return access.Window{Start: start, End: start.Add(time.Duration(hours) * time.Hour)}
	}
	soon := now.Add(30 * time.Minute).Truncate(time.Minute) // within the hour a PIN must be ready by
	bookings := newBookingSystem(
		access.GrantRequest{Key: "booking-1001", DoorIDs: []string{havrDoor(havrtest.FrontDoorID)},
			Holder: access.Person{Name: "Ada Lovelace", Email: "ada@example.com"}, Window: window(tomorrow.Add(9*time.Hour), 2),
			Credential: access.CredentialLink},
		access.GrantRequest{Key: "booking-1002", DoorIDs: []string{havrDoor(havrtest.FrontDoorID), havrDoor(havrtest.MeetingRoomID)},
			Holder: access.Person{Name: "Grace Hopper", Email: "grace@example.com"}, Window: window(tomorrow.Add(13*time.Hour), 4),
			Credential: access.CredentialLink},
		access.GrantRequest{Key: "booking-1003", DoorIDs: []string{augustDoor(e.augustLocks[0])},
			Holder: access.Person{Name: "Alan Turing", Email: "alan@example.com"}, Window: window(soon, 3),
			Credential: access.CredentialPIN, PIN: "246813"},
		access.GrantRequest{Key: "booking-1004", DoorIDs: []string{augustDoor(e.augustLocks[0])},
			Holder: access.Person{Name: "Edsger Dijkstra", Email: "edsger@example.com"}, Window: window(tomorrow.Add(10*time.Hour), 2),
			Credential: access.CredentialPIN, PIN: "975310"},
		access.GrantRequest{Key: "booking-1005", DoorIDs: []string{resivoDoor(resivotest.MainEntranceID)},
			Holder: access.Person{Name: "Barbara Liskov", Email: "barbara@example.com"}, Window: window(tomorrow.Add(15*time.Hour), 2),
			Credential: access.CredentialLink},
		access.GrantRequest{Key: "booking-1006", DoorIDs: []string{havrDoor(havrtest.FrontDoorID)},
			Holder: access.Person{Name: "Donald Knuth", Email: "don@example.com"}, Window: window(tomorrow.Add(18*time.Hour), 2),
			Credential: access.CredentialLink},
	)

	// The options a plan and its apply share. The applied-window store is
	// what tells a window edited in a vendor's portal from a booking that
	// moved: give the same store to every EnsureGrant of the integration
	// (access.WithAppliedStore); a durable one in production.
	applied := access.NewMemoryAppliedStore()
	opts := []access.ReconcileOption{
		access.WithOwnedPrefix("booking-"), // grants under other keys are never touched
		access.WithAppliedStore(applied),
		access.WithRecheck(bookings.Recheck), // asked under each key's turn before Apply acts
	}

	// Yesterday's sync made every booking's grant. The keypad of August's
	// front door did not answer for booking-1003's PIN.
	e.august.FailPINCommand("246813", "the keypad did not answer")
	plan, err := access.PlanGrants(ctx, e.dir, bookings.Wanted(), opts...)
	if err != nil {
		return err
	}
	res, err := access.Apply(ctx, e.dir, plan, opts...)
	if err != nil {
		return fmt.Errorf("yesterday's sync: %w", err)
	}
	wctx, cancel := context.WithTimeout(ctx, webhookWait)
	defer cancel()
	if err := e.waitAugustSettled(wctx); err != nil {
		return err
	}
	fmt.Fprintf(out, "Yesterday's sync: %s\n", res)

	// Since then, drift.
	fmt.Fprintln(out, "\nSince then:")
	g1001, err := grantOf(ctx, e.dir, "booking-1001")
	if err != nil {
		return err
	}
	_, id, _ := access.SplitID(g1001.ID)
	var keyID havr.ID
	if _, err := fmt.Sscan(id, &keyID); err != nil {
		return err
	}
	if _, err := e.havrApp.SharedKeys.Delete(ctx, keyID); err != nil {
		return err
	}
	fmt.Fprintln(out, "  booking-1001: its shared key was deleted in the Havr app")
	g1005, err := grantOf(ctx, e.dir, "booking-1005")
	if err != nil {
		return err
	}
	_, auth, _ := strings.Cut(g1005.ID, "/")
	if err := e.resivo.EditValidity(auth, g1005.Window.Start.Add(-2*time.Hour), g1005.Window.End.Add(time.Hour)); err != nil {
		return err
	}
	fmt.Fprintln(out, "  booking-1005: its window was widened in the resivo portal")
	fmt.Fprintln(out, "  booking-1003: its PIN failed to load (the keypad did not answer), and it starts in 30 minutes")
	bookings.Cancel("booking-1006")
	fmt.Fprintln(out, "  booking-1006: cancelled, but the cancellation's trigger never reached doorkit")
	walkIn, _, err := e.havrApp.SharedKeys.CreateWithLink(ctx, havr.SharedKeyLinkRequest{Email: "walk-in@example.com",
		LockListIDs: []havr.ID{havrtest.FrontDoorID}, StartDate: havr.At(tomorrow), EndDate: havr.At(tomorrow.Add(8 * time.Hour)),
		Note: "walk-in, shared by reception"})
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "  reception shared key %d with a walk-in in the Havr app\n", walkIn.ID)

	// The plan: read it before anything changes.
	plan, err = access.PlanGrants(ctx, e.dir, bookings.Wanted(), opts...)
	if err != nil {
		// An account that could not be read completely is in the plan,
		// marked incomplete, with no revoke planned in it.
		fmt.Fprintf(out, "\nThe plan is partial: %v\n", err)
	}
	fmt.Fprintf(out, "\n%s", plan)
	if !apply {
		fmt.Fprintln(out, "\nThis was a dry run: nothing changed. Run with -apply to carry the plan out.")
		return nil
	}

	fmt.Fprintln(out, "\nApplying:")
	res, err = access.Apply(ctx, e.dir, plan, append(opts, access.WithProgress(func(done, total int, c access.Change) {
		fmt.Fprintf(out, "  [%d/%d] %s %s\n", done, total, c.Action, c.Key)
	}))...)
	fmt.Fprintln(out, res)
	for _, r := range res.Failed() {
		fmt.Fprintf(out, "  %v\n", r.Err)
	}
	if err != nil {
		return err
	}
	if err := e.waitAugustSettled(wctx); err != nil {
		return err
	}

	plan, err = access.PlanGrants(ctx, e.dir, bookings.Wanted(), opts...)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "\nPlanned again:\n%s", plan)
	if !plan.Converged() {
		return errors.New("the second plan is not empty")
	}
	fmt.Fprintf(out, "Schedule the next run for %s, or sooner when a booking changes.\n", plan.NextCheck.Format(time.RFC3339))
	return nil
}

// grantOf finds a booking's grant by its key.
func grantOf(ctx context.Context, dir *access.Directory, key string) (*access.Grant, error) {
	for g, err := range dir.ListGrants(ctx, access.GrantFilter{Key: key}) {
		if errors.Is(err, access.ErrKeyUnknown) {
			continue // an account whose key store never saw the key
		}
		if err != nil {
			return nil, err
		}
		return g, nil
	}
	return nil, fmt.Errorf("no grant has key %s: %w", key, access.ErrNotFound)
}
