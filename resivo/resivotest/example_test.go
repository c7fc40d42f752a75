package resivotest_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"
	"time"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/resivo"
	"github.com/doorkit/doorkit/resivo/resivotest"
)

// Testing your own code against the in-memory resivo: give a visitor a door
// link, see the email resivo would send, and lose a create's answer.
func Example() {
	srv := resivotest.NewServer() // seeded with two sites and their components
	defer srv.Close()
	ctx := context.Background()
	client, err := resivo.New(resivo.WithBaseURL(srv.URL), resivo.WithHTTPClient(srv.Client()),
		resivo.WithClientCredentials(resivotest.ClientID, resivotest.ClientSecret), resivo.WithSites(resivotest.SiteID))
	if err != nil {
		log.Fatal(err)
	}

	start := time.Now().Add(24 * time.Hour).Truncate(time.Minute)
	req := access.GrantRequest{Key: "booking-1", DoorIDs: []string{resivotest.SiteID + "/" + resivotest.MainEntranceID},
		Holder: access.Person{Name: "Grace", Email: "grace@example.com"},
		Window: access.Window{Start: start, End: start.Add(2 * time.Hour)}}
	if _, _, err := access.EnsureGrant(ctx, client, req); err != nil {
		log.Fatal(err)
	}
	for _, m := range srv.Messages() {
		fmt.Println(m.Channel, "to", m.To, "in", m.Locale)
	}

	// resivo performs the next create and the answer is lost: the key stays
	// pending until someone looks in the resivo portal (ResolveKey).
	srv.Inject(resivotest.Fault{Method: http.MethodPost, Path: "/" + resivotest.SiteID + "/authorizations/remote-access",
		Count: 1, LoseAnswer: true})
	req.Key = "booking-2"
	_, _, err = access.EnsureGrant(ctx, client, req)
	var pending *resivo.PendingKeyError
	fmt.Println("pending:", errors.As(err, &pending), pending.Key)
	fmt.Println("authorizations made:", len(srv.Authorizations()))
	// Output:
	// email to grace@example.com in nl-NL
	// pending: true booking-2
	// authorizations made: 2
}
