package havr_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/havr"
	"github.com/doorkit/doorkit/havr/havrtest"
)

func ExampleNew() {
	srv := havrtest.NewServer() // an in-memory Havr
	defer srv.Close()

	c, err := havr.New(
		havr.WithBaseURL(srv.URL),
		havr.WithHTTPClient(srv.Client()), // trusts the fake's certificate
		havr.WithPassword(havrtest.OwnerEmail, havrtest.OwnerPassword),
	)
	if err != nil {
		log.Fatal(err)
	}
	// The first call obtains tokens with the password grant.
	locks, _, err := c.DoorLocks.List(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	for _, l := range locks {
		fmt.Println(l.ID, l.Description, l.BatteryLevel)
	}
	// Output:
	// 11 Front door 87
	// 12 Garage 45
	// 13 Meeting room 12
}

func ExampleWithTokenCallback() {
	srv := havrtest.NewServer()
	defer srv.Close()

	// Refresh tokens are single-use: persist every new pair, and start the
	// next run from it with WithTokens.
	var saved havr.Tokens
	c, err := havr.New(havr.WithBaseURL(srv.URL), havr.WithHTTPClient(srv.Client()),
		havr.WithPassword(havrtest.OwnerEmail, havrtest.OwnerPassword),
		havr.WithTokenCallback(func(t havr.Tokens) { saved = t }))
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	if _, err := c.Auth.Ping(ctx); err != nil {
		log.Fatal(err)
	}
	srv.ExpireAccessTokens() // the next call gets a 401 and refreshes once
	first := saved.RefreshToken.Reveal()
	if _, _, err := c.DoorLocks.List(ctx); err != nil {
		log.Fatal(err)
	}
	fmt.Println(saved.RefreshToken.Reveal() != first, saved.RefreshToken)
	// Output:
	// true [redacted]
}

func ExampleClient_CreateGrant() {
	srv := havrtest.NewServer()
	defer srv.Close()
	c, err := havr.New(havr.WithBaseURL(srv.URL), havr.WithHTTPClient(srv.Client()),
		havr.WithPassword(havrtest.OwnerEmail, havrtest.OwnerPassword))
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()

	// Doors are looked up by name: names are what a booking system stores.
	doorIDs, err := access.ResolveDoorIDs(ctx, c, "", "Front door")
	if err != nil {
		log.Fatal(err)
	}
	start := time.Date(2030, 6, 1, 9, 0, 0, 0, time.UTC)
	grant, err := c.CreateGrant(ctx, access.GrantRequest{
		DoorIDs: doorIDs,
		Holder:  access.Person{Name: "Grace Hopper", Email: "grace@example.com"},
		Window:  access.Window{Start: start, End: start.Add(2 * time.Hour)},
		Label:   "BK-1042",
	})
	if err != nil {
		log.Fatal(err)
	}
	cred := grant.Doors[0].Credential
	fmt.Println(grant.State(), cred.Kind, cred.Delivery, cred.DeliveredTo)

	// On cancellation, revoke by the stored id.
	fmt.Println(c.RevokeGrant(ctx, grant.ID))
	err = c.RevokeGrant(ctx, grant.ID)
	fmt.Println(errors.Is(err, access.ErrNotFound))
	// Output:
	// pending link link emailed by Havr [grace@example.com]
	// <nil>
	// true
}

func ExampleSharedKeysService_CreateWithLink() {
	srv := havrtest.NewServer()
	defer srv.Close()
	c, err := havr.New(havr.WithBaseURL(srv.URL), havr.WithHTTPClient(srv.Client()),
		havr.WithPassword(havrtest.OwnerEmail, havrtest.OwnerPassword))
	if err != nil {
		log.Fatal(err)
	}
	start := time.Date(2030, 6, 1, 9, 0, 0, 0, time.UTC)
	key, _, err := c.SharedKeys.CreateWithLink(context.Background(), havr.SharedKeyLinkRequest{
		Email:       "grace@example.com",
		LockListIDs: []havr.ID{havrtest.FrontDoorID},
		StartDate:   havr.At(start),
		EndDate:     havr.At(start.Add(2 * time.Hour)),
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(key.DoorLockID, key.ExistingStatus, key.StartDate.Format(time.RFC3339))
	// Output:
	// 11 waiting_for_user 2030-06-01T09:00:00Z
}
