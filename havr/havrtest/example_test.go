package havrtest_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"
	"time"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/havr"
	"github.com/doorkit/doorkit/havr/havrtest"
)

// Testing your own code against the in-memory Havr: grant a visitor access
// by key, see what the fake recorded, and make Havr misbehave.
func Example() {
	srv := havrtest.NewServer() // seeded with an owner, door locks and members
	defer srv.Close()
	ctx := context.Background()
	client, err := havr.New(havr.WithBaseURL(srv.URL), havr.WithHTTPClient(srv.Client()),
		havr.WithPassword(havrtest.OwnerEmail, havrtest.OwnerPassword))
	if err != nil {
		log.Fatal(err)
	}

	start := time.Now().Add(24 * time.Hour).Truncate(time.Minute)
	req := access.GrantRequest{Key: "booking-1", DoorIDs: []string{fmt.Sprint(havrtest.FrontDoorID)},
		Holder: access.Person{Name: "Grace", Email: "grace@example.com"},
		Window: access.Window{Start: start, End: start.Add(2 * time.Hour)}}
	if _, _, err := access.EnsureGrant(ctx, client, req); err != nil {
		log.Fatal(err)
	}
	fmt.Println("links emailed:", len(srv.Links()))
	fmt.Println("creates sent:", srv.Count(http.MethodPost, "/v1/shared_keys/create_with_link"))

	// Havr answers the next request 500: a create is never resent, and its
	// outcome is unknown.
	srv.FailNext(1, http.StatusInternalServerError, 0)
	req.Key = "booking-2"
	_, err = client.CreateGrant(ctx, req)
	fmt.Println("outcome unknown:", errors.Is(err, access.ErrOutcomeUnknown))
	// Output:
	// links emailed: 1
	// creates sent: 1
	// outcome unknown: true
}
