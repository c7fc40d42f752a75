package access_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/access/accesstest"
)

// staticDoors is a DoorLister over a fixed list, standing in for a vendor
// client.
type staticDoors []access.Door

func (s staticDoors) ListDoors(context.Context) ([]access.Door, error) { return s, nil }

func Example_findDoors() {
	client := staticDoors{
		{ID: "c-101", Name: "Main entrance", Site: "amsterdam"},
		{ID: "c-102", Name: "Bike storage", Site: "amsterdam"},
		{ID: "c-201", Name: "Main entrance", Site: "utrecht"},
	}
	ctx := context.Background()

	// Resolve names to the current ids on every booking: ids may change.
	ids, err := access.ResolveDoorIDs(ctx, client, "amsterdam", "Main entrance", "Bike storage")
	fmt.Println(ids, err)

	// Without a site the shared name is ambiguous.
	_, err = access.ResolveDoorIDs(ctx, client, "", "Main entrance")
	fmt.Println(errors.Is(err, access.ErrConflict), err)

	// A name that does not exist.
	_, err = access.ResolveDoorIDs(ctx, client, "amsterdam", "Roof")
	fmt.Println(errors.Is(err, access.ErrNotFound), err)

	// Output:
	// [c-101 c-102] <nil>
	// true access: door name "Main entrance" is ambiguous: 2 doors (amsterdam/c-101, utrecht/c-201)
	// true access: no door is named "Roof"
}

func ExampleEnsureGrant() {
	ctx := context.Background()
	// accesstest.Memory stands in for a vendor client (havr.Client, ...).
	vendor := accesstest.NewMemory(accesstest.MemoryDoors()...)
	start := time.Date(2030, 6, 1, 9, 0, 0, 0, time.UTC)
	req := access.GrantRequest{
		Key:     "BK-1042", // the booking id
		DoorIDs: []string{"m1", "m2"},
		Holder:  access.Person{Name: "Grace Hopper", Email: "grace@example.com"},
		Window:  access.Window{Start: start, End: start.Add(3 * time.Hour)},
	}

	// Confirmed, and the webhook delivered twice.
	for range 2 {
		grant, outcome, err := access.EnsureGrant(ctx, vendor, req)
		fmt.Println(outcome, grant.ID, grant.State(), err)
	}
	// The booking moves an hour later.
	req.Window = access.Window{Start: start.Add(time.Hour), End: start.Add(4 * time.Hour)}
	grant, outcome, _ := access.EnsureGrant(ctx, vendor, req)
	fmt.Println(outcome, grant.ID, grant.Window)
	// Cancelled, twice.
	fmt.Println(access.EnsureRevokedByKey(ctx, vendor, "BK-1042"), access.EnsureRevokedByKey(ctx, vendor, "BK-1042"))
	fmt.Println("vendor creates:", vendor.Creates())
	// Output:
	// created g1 pending <nil>
	// unchanged g1 pending <nil>
	// updated g1 2030-06-01T10:00:00Z – 2030-06-01T13:00:00Z
	// <nil> <nil>
	// vendor creates: 1
}

func ExampleDirectory() {
	ctx := context.Background()
	dir := access.NewDirectory()
	_ = dir.Add("hq", accesstest.NewMemory(accesstest.MemoryDoors()...))
	_ = dir.Add("lab", staticDoors{{ID: "7", Name: "Clean room", Site: "north", Vendor: "static"}})

	doors, err := dir.ListDoors(ctx)
	for _, d := range doors {
		fmt.Println(d.ID, d.Site, d.Name, "opens remotely:", d.Capabilities.RemoteOpen)
	}
	fmt.Println(err)

	err = dir.OpenDoor(ctx, "lab:7")
	fmt.Println(errors.Is(err, access.ErrUnsupported), err)
	start := time.Now().Add(time.Hour)
	_, err = dir.CreateGrant(ctx, access.GrantRequest{DoorIDs: []string{"hq:m1", "lab:7"},
		Holder: access.Person{Email: "grace@example.com"}, Window: access.Window{Start: start, End: start.Add(time.Hour)}})
	fmt.Println(errors.Is(err, access.ErrInvalid))
	// Output:
	// hq:m1 hq:hq Front door opens remotely: true
	// hq:m2 hq:hq Meeting room opens remotely: true
	// hq:m3 hq:hq Storage opens remotely: false
	// lab:7 lab:north Clean room opens remotely: false
	// <nil>
	// true access: account "lab": access_test.staticDoors does not open doors: access: unsupported by vendor
	// true
}
