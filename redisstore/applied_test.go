package redisstore_test

import (
	"context"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/havr"
	"github.com/doorkit/doorkit/havr/havrtest"
	"github.com/doorkit/doorkit/internal/redistest"
	"github.com/doorkit/doorkit/redisstore"
)

// The applied windows are shared by the replicas, kept without a TTL,
// fenced like grant keys, and lost with them: after a loss LoadApplied
// answers ErrDataLost, never ErrNotFound.
func TestAppliedStore(t *testing.T) {
	forEachDeployment(t, func(t *testing.T, d deployment) {
		acct := account(t)
		a, b := replica(t, d.client(), acct), replica(t, d.client(), acct)
		ctx := context.Background()
		if _, err := a.LoadApplied(ctx, "BK-1"); !errors.Is(err, access.ErrNotFound) {
			t.Errorf("LoadApplied with no record = %v, want ErrNotFound", err)
		}
		zone := time.FixedZone("CET", 3600)
		w := access.Window{Start: time.Date(2026, 5, 1, 10, 0, 0, 123456789, zone), End: time.Date(2026, 5, 1, 12, 30, 0, 0, zone)}
		if err := a.SaveApplied(ctx, "BK-1", w); err != nil {
			t.Fatal(err)
		}
		got, err := b.LoadApplied(ctx, "BK-1")
		if err != nil || !got.Start.Equal(w.Start) || !got.End.Equal(w.End) || got.Start.Location() != time.UTC {
			t.Errorf("the other replica loads %v, %v; want %v in UTC", got, err, w)
		}
		if ttl, err := d.client().TTL(ctx, a.Prefix()+":applied").Result(); err != nil || ttl != -1 {
			t.Errorf("applied windows have TTL %v, %v; want none", ttl, err)
		}
		if err := a.SaveApplied(ctx, "", w); !errors.Is(err, access.ErrInvalid) {
			t.Errorf("SaveApplied of no key = %v, want ErrInvalid", err)
		}
		if err := a.SaveApplied(ctx, "BK-2", access.Window{Start: w.End, End: w.Start}); !errors.Is(err, access.ErrInvalid) {
			t.Errorf("SaveApplied of a backwards window = %v, want ErrInvalid", err)
		}

		// A holder that lost its lease cannot replace its successor's record.
		old, err := a.Lock(ctx, "key:BK-1")
		if err != nil {
			t.Fatal(err)
		}
		if err := d.client().Del(ctx, a.Prefix()+":lock:key:BK-1").Err(); err != nil { // the lease lapses
			t.Fatal(err)
		}
		successor, err := b.Lock(ctx, "key:BK-1")
		if err != nil {
			t.Fatal(err)
		}
		moved := access.Window{Start: w.Start.Add(time.Hour), End: w.End.Add(time.Hour)}
		if err := b.SaveApplied(successor.Context(), "BK-1", moved); err != nil {
			t.Fatal(err)
		}
		err = a.SaveApplied(access.ContextWithLease(ctx, old), "BK-1", w)
		if !errors.Is(err, access.ErrConflict) {
			t.Errorf("a stale holder's SaveApplied = %v, want ErrConflict", err)
		}
		if err := a.DeleteApplied(access.ContextWithLease(ctx, old), "BK-1"); !errors.Is(err, access.ErrConflict) {
			t.Errorf("a stale holder's DeleteApplied = %v, want ErrConflict", err)
		}
		_ = successor.Release(ctx)
		_ = old.Release(ctx)
		if got, err := a.LoadApplied(ctx, "BK-1"); err != nil || !got.Start.Equal(moved.Start) {
			t.Errorf("LoadApplied = %v, %v; want the successor's %v", got, err, moved)
		}

		if err := b.DeleteApplied(ctx, "BK-1"); err != nil {
			t.Fatal(err)
		}
		if err := b.DeleteApplied(ctx, "BK-1"); err != nil {
			t.Errorf("DeleteApplied with no record: %v", err)
		}
		if _, err := a.LoadApplied(ctx, "BK-1"); !errors.Is(err, access.ErrNotFound) {
			t.Errorf("LoadApplied after DeleteApplied = %v, want ErrNotFound", err)
		}

		if err := a.SaveApplied(ctx, "BK-3", w); err != nil {
			t.Fatal(err)
		}
		for _, k := range []string{"epoch", "applied"} {
			if err := d.client().Del(ctx, a.Prefix()+":"+k).Err(); err != nil {
				t.Fatal(err)
			}
		}
		_, err = a.LoadApplied(ctx, "BK-3")
		if !errors.Is(err, redisstore.ErrDataLost) || errors.Is(err, access.ErrNotFound) {
			t.Errorf("LoadApplied after a loss = %v, want ErrDataLost", err)
		}
	})
}

// Reconcile's "changed outside doorkit" across replicas: replica A ensures
// two bookings and records the windows it applied in Redis; one window is
// then edited in Havr's portal and the other booking moves. Replica B's
// plan, reading A's records, tells the edit (FindingChangedOutside) from
// the move (CauseBookingMoved); without the records it could tell neither.
func TestAppliedWindowsAcrossReplicas(t *testing.T) {
	t.Parallel()
	rdb := redistest.Start(t)
	srv := havrtest.NewServer()
	t.Cleanup(srv.Close)
	acct := havrAccount(t, srv)
	storeA, storeB := replica(t, rdb.Client(), acct), replica(t, rdb.Client(), acct)
	a, b := havrReplica(t, srv, storeA), havrReplica(t, srv, storeB)
	ctx, cancel := context.WithTimeout(context.Background(), generous)
	defer cancel()
	start := tomorrow()
	edited, moved := havrBooking(start, "bk-edited"), havrBooking(start.Add(4*time.Hour), "bk-moved")
	var editedID string
	for _, req := range []access.GrantRequest{edited, moved} {
		g, _, err := access.EnsureGrant(ctx, a, req, access.WithAppliedStore(storeA))
		if err != nil {
			t.Fatal(err)
		}
		if req.Key == edited.Key {
			editedID = g.ID
		}
	}
	// Someone edits the window in Havr's portal.
	id, err := strconv.ParseInt(editedID, 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	later := havr.At(edited.Window.End.Add(time.Hour))
	if _, _, err := b.SharedKeys.Update(ctx, havr.ID(id), havr.SharedKeyUpdate{EndDate: &later}); err != nil {
		t.Fatal(err)
	}
	moved.Window.End = moved.Window.End.Add(30 * time.Minute) // the booking moved

	plan, err := access.PlanGrants(ctx, b, access.Wanted(edited, moved), access.WithOwnedPrefix("bk-"),
		access.WithAppliedStore(storeB))
	if err != nil {
		t.Fatal(err)
	}
	causes := map[string]access.ChangeCause{}
	for _, c := range plan.Changes {
		causes[c.Key] = c.Cause
	}
	if causes["bk-edited"] != access.CauseChangedOutside || causes["bk-moved"] != access.CauseBookingMoved {
		t.Errorf("causes %v, want bk-edited %s and bk-moved %s\n%s", causes, access.CauseChangedOutside, access.CauseBookingMoved, plan)
	}
	found := false
	for _, f := range plan.Findings {
		found = found || (f.Kind == access.FindingChangedOutside && f.Key == "bk-edited")
	}
	if !found {
		t.Errorf("no changed-outside finding for bk-edited:\n%s", plan)
	}
}
