package primistest_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/primis"
	"github.com/doorkit/doorkit/primis/primistest"
)

// Testing your own code against the in-memory Primis: open doors, see what
// the fake carried out, and make the server unreachable for a while.
func Example() {
	srv := primistest.NewServer() // seeded with users, controlled areas and access groups
	defer srv.Close()
	ctx := context.Background()
	client, err := primis.New(primis.WithBaseURL(srv.URL), primis.WithHTTPClient(srv.Client()),
		primis.WithPassword(primistest.UserEmail, primistest.UserPassword), primis.WithPhoneID("test-device"))
	if err != nil {
		log.Fatal(err)
	}

	if err := client.OpenDoor(ctx, primistest.EntranceID); err != nil {
		log.Fatal(err)
	}
	err = client.OpenDoor(ctx, primistest.ServerRoomID) // in lockdown
	fmt.Println("denied:", errors.Is(err, access.ErrDenied))
	for _, u := range srv.Unlocks() {
		fmt.Println("unlocked", u.ZoneID, "by", u.By)
	}

	// Two 503s: a listing (a GET) is retried, and succeeds.
	srv.FailNext(2, http.StatusServiceUnavailable, 0)
	srv.ResetLog()
	doors, err := client.ListDoors(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(doors), "doors after", srv.Count(http.MethodGet, "/api/mobile/controlled_areas"), "tries")
	// Output:
	// denied: true
	// unlocked 130000000001 by ada@example.com
	// 4 doors after 3 tries
}
