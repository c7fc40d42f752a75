package accesstest_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/access/accesstest"
)

// Testing code built on the access interfaces without a vendor: Memory
// implements all of them, and can lose the answer of a create it made.
func ExampleMemory() {
	m := accesstest.NewMemory(accesstest.MemoryDoors()...)
	ctx := context.Background()
	start := time.Now().Add(24 * time.Hour).Truncate(time.Second)
	req := access.GrantRequest{Key: "booking-1", DoorIDs: []string{"m1"},
		Holder: access.Person{Name: "Grace", Email: "grace@example.com"},
		Window: access.Window{Start: start, End: start.Add(2 * time.Hour)}, Label: "Acme Corp"}

	m.LoseNextCreate() // the grant is made, its answer lost
	grant, outcome, err := access.EnsureGrant(ctx, m, req)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(outcome, grant.Key, grant.Label, grant.State())
	fmt.Println("creates:", m.Creates())

	if err := access.EnsureRevokedByKey(ctx, m, req.Key); err != nil {
		log.Fatal(err)
	}
	fmt.Println("live grants:", m.Live())
	// Output:
	// recovered booking-1 Acme Corp pending
	// creates: 1
	// live grants: 0
}
