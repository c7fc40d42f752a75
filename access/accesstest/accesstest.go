// Package accesstest is the behavioural test suite every implementation of
// the access interfaces runs, backed by its vendor's in-memory fake. A vendor
// package calls Run from a test with a Config describing its fake's data.
package accesstest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/doorkit/doorkit/access"
)

// Capabilities says which access interfaces an implementation provides.
// Run fails when the implementation provides more or fewer.
type Capabilities struct {
	DoorLister bool
	DoorOpener bool
	Granter    bool
}

// Config describes an implementation and its fake's data.
type Config struct {
	// New returns a fresh implementation backed by a fresh fake for each
	// subtest.
	New  func(t *testing.T) any
	Caps Capabilities

	// OpenDoor is a listed door the implementation may open.
	OpenDoor string
	// DeniedDoor is a listed door the vendor refuses to open; "" skips.
	DeniedDoor string
	// UnknownDoor is an id no door has.
	UnknownDoor string

	// GrantDoors are the doors a grant is created for.
	GrantDoors []string
	// Holder is the person granted access.
	Holder access.Person
	// UnknownGrant is an id no grant has.
	UnknownGrant string
}

// Run runs the suite.
func Run(t *testing.T, cfg Config) {
	t.Run("Capabilities", func(t *testing.T) {
		impl := cfg.New(t)
		_, lister := impl.(access.DoorLister)
		_, opener := impl.(access.DoorOpener)
		_, granter := impl.(access.Granter)
		got := Capabilities{DoorLister: lister, DoorOpener: opener, Granter: granter}
		if got != cfg.Caps {
			t.Fatalf("capabilities = %+v, want %+v", got, cfg.Caps)
		}
	})
	if cfg.Caps.DoorLister {
		t.Run("DoorLister", func(t *testing.T) { testLister(t, cfg) })
	}
	if cfg.Caps.DoorOpener {
		t.Run("DoorOpener", func(t *testing.T) { testOpener(t, cfg) })
	}
	if cfg.Caps.Granter {
		t.Run("Granter", func(t *testing.T) { testGranter(t, cfg) })
	}
}

func testLister(t *testing.T, cfg Config) {
	ctx := context.Background()
	lister := cfg.New(t).(access.DoorLister)
	doors, err := lister.ListDoors(ctx)
	if err != nil {
		t.Fatalf("ListDoors: %v", err)
	}
	if len(doors) == 0 {
		t.Fatal("ListDoors returned no doors")
	}
	seen := map[string]bool{}
	for _, d := range doors {
		if d.ID == "" || d.Name == "" || d.Vendor == "" {
			t.Errorf("door %+v lacks an ID, Name or Vendor", d)
		}
		if seen[d.Site+"/"+d.ID] {
			t.Errorf("door id %q listed twice", d.ID)
		}
		seen[d.Site+"/"+d.ID] = true
		if d.Native == nil {
			t.Errorf("door %q has no Native value", d.ID)
		}
	}
	for _, want := range append([]string{cfg.OpenDoor, cfg.DeniedDoor}, cfg.GrantDoors...) {
		if want == "" {
			continue
		}
		if !listed(doors, want) {
			t.Errorf("door %q is not listed", want)
		}
	}

	t.Run("ResolveDoorIDs", func(t *testing.T) {
		d := doors[len(doors)-1]
		ids, err := access.ResolveDoorIDs(ctx, lister, d.Site, d.Name)
		if err != nil {
			t.Fatalf("ResolveDoorIDs(%q): %v", d.Name, err)
		}
		if len(ids) != 1 || ids[0] != d.ID {
			t.Errorf("ResolveDoorIDs(%q) = %v, want [%s]", d.Name, ids, d.ID)
		}
		_, err = access.ResolveDoorIDs(ctx, lister, "", "no door is called this")
		if !errors.Is(err, access.ErrNotFound) {
			t.Errorf("unknown name: err = %v, want ErrNotFound", err)
		}
	})

	t.Run("CancelledContext", func(t *testing.T) {
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		if _, err := lister.ListDoors(cctx); !errors.Is(err, context.Canceled) {
			t.Errorf("ListDoors with a cancelled context: err = %v, want context.Canceled", err)
		}
	})
}

func listed(doors []access.Door, id string) bool {
	for _, d := range doors {
		if d.ID == id {
			return true
		}
	}
	return false
}

func testOpener(t *testing.T, cfg Config) {
	ctx := context.Background()
	t.Run("Open", func(t *testing.T) {
		opener := cfg.New(t).(access.DoorOpener)
		if err := opener.OpenDoor(ctx, cfg.OpenDoor); err != nil {
			t.Fatalf("OpenDoor(%q): %v", cfg.OpenDoor, err)
		}
	})
	if cfg.DeniedDoor != "" {
		t.Run("DeniedIsErrDenied", func(t *testing.T) {
			opener := cfg.New(t).(access.DoorOpener)
			if err := opener.OpenDoor(ctx, cfg.DeniedDoor); !errors.Is(err, access.ErrDenied) {
				t.Fatalf("OpenDoor(%q): err = %v, want ErrDenied", cfg.DeniedDoor, err)
			}
		})
	}
	t.Run("UnknownIsErrNotFound", func(t *testing.T) {
		opener := cfg.New(t).(access.DoorOpener)
		if err := opener.OpenDoor(ctx, cfg.UnknownDoor); !errors.Is(err, access.ErrNotFound) {
			t.Fatalf("OpenDoor(%q): err = %v, want ErrNotFound", cfg.UnknownDoor, err)
		}
	})
	t.Run("EmptyIsErrInvalid", func(t *testing.T) {
		opener := cfg.New(t).(access.DoorOpener)
		if err := opener.OpenDoor(ctx, ""); !errors.Is(err, access.ErrInvalid) {
			t.Fatalf(`OpenDoor(""): err = %v, want ErrInvalid`, err)
		}
	})
}

func testGranter(t *testing.T, cfg Config) {
	ctx := context.Background()
	start := time.Now().Add(time.Hour).Truncate(time.Second)
	window := access.Window{Start: start, End: start.Add(3 * time.Hour)}
	request := access.GrantRequest{DoorIDs: cfg.GrantDoors, Holder: cfg.Holder, Window: window, Label: "accesstest"}

	t.Run("CreateAndRevoke", func(t *testing.T) {
		g := cfg.New(t).(access.Granter)
		grant, err := g.CreateGrant(ctx, request)
		if err != nil {
			t.Fatalf("CreateGrant: %v", err)
		}
		if grant == nil || grant.ID == "" {
			t.Fatalf("CreateGrant returned %+v: no id", grant)
		}
		if !grant.Window.Start.Equal(window.Start) || !grant.Window.End.Equal(window.End) {
			t.Errorf("grant window = %v, want %v", grant.Window, window)
		}
		if grant.Window.Start.Location() != time.UTC {
			t.Errorf("grant window is in %v, want UTC", grant.Window.Start.Location())
		}
		if len(grant.DoorIDs) != len(cfg.GrantDoors) {
			t.Errorf("grant doors = %v, want %v", grant.DoorIDs, cfg.GrantDoors)
		}
		if grant.State != access.GrantActive && grant.State != access.GrantPending {
			t.Errorf("grant state = %q, want active or pending", grant.State)
		}
		if grant.Vendor == "" || grant.Native == nil {
			t.Errorf("grant lacks Vendor or Native: %+v", grant)
		}
		if err := g.RevokeGrant(ctx, grant.ID); err != nil {
			t.Fatalf("RevokeGrant(%q): %v", grant.ID, err)
		}
		if err := g.RevokeGrant(ctx, grant.ID); !errors.Is(err, access.ErrNotFound) {
			t.Errorf("second RevokeGrant(%q): err = %v, want ErrNotFound", grant.ID, err)
		}
	})
	t.Run("InvalidRequestsAreErrInvalid", func(t *testing.T) {
		g := cfg.New(t).(access.Granter)
		bad := map[string]access.GrantRequest{
			"end before start": {DoorIDs: cfg.GrantDoors, Holder: cfg.Holder, Window: access.Window{Start: window.End, End: window.Start}},
			"no doors":         {Holder: cfg.Holder, Window: window},
			"no holder":        {DoorIDs: cfg.GrantDoors, Window: window},
		}
		for name, req := range bad {
			if _, err := g.CreateGrant(ctx, req); !errors.Is(err, access.ErrInvalid) {
				t.Errorf("%s: err = %v, want ErrInvalid", name, err)
			}
		}
		if err := g.RevokeGrant(ctx, ""); !errors.Is(err, access.ErrInvalid) {
			t.Errorf(`RevokeGrant(""): err = %v, want ErrInvalid`, err)
		}
	})
	t.Run("RevokeUnknownIsErrNotFound", func(t *testing.T) {
		g := cfg.New(t).(access.Granter)
		if err := g.RevokeGrant(ctx, cfg.UnknownGrant); !errors.Is(err, access.ErrNotFound) {
			t.Errorf("RevokeGrant(%q): err = %v, want ErrNotFound", cfg.UnknownGrant, err)
		}
	})
}
