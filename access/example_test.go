package access_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/doorkit/doorkit/access"
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
