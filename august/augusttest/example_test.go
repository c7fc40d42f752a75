package augusttest_test

import (
	"context"
	"fmt"
	"log"
	"net/http"

	"github.com/doorkit/doorkit/august"
	"github.com/doorkit/doorkit/august/augusttest"
)

// Testing your own code against the in-memory August: list the owner's
// locks, and see a failing gateway retried.
func Example() {
	srv := augusttest.NewServer() // seeded with an owner, a house and locks
	defer srv.Close()
	ctx := context.Background()
	client, err := august.New(august.WithBaseURL(srv.URL), august.WithHTTPClient(srv.Client()),
		august.WithAPIKey(augusttest.APIKey), august.WithTokens(srv.NewToken(augusttest.OwnerID), ""))
	if err != nil {
		log.Fatal(err)
	}

	srv.FailNext(1, http.StatusBadGateway, 0) // a GET is retried
	doors, err := client.ListDoors(ctx)
	if err != nil {
		log.Fatal(err)
	}
	for _, d := range doors {
		if d.ID == augusttest.FrontDoorID {
			fmt.Println(d.Name, d.TimeZone, "opens remotely:", d.Capabilities.RemoteOpen)
		}
	}
	fmt.Println("lock listings sent:", srv.Count(http.MethodGet, "/users/locks/mine"))
	// Output:
	// Front Door Europe/Amsterdam opens remotely: true
	// lock listings sent: 2
}
