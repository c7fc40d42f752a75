package redisstore_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/havr"
)

// Two Havr replicas apply plans over overlapping bookings at once, in
// opposite orders, while two more handle the bookings' triggers, all taking
// the keys' turns in Redis. Apply takes a batch's turns in key order and
// reads the account once they are all held, so the replicas finish (none
// waits for another's turns in a circle) and every booking has exactly one
// shared key: what one replica created, the others found.
func TestFleetHavrApplyOverlapping(t *testing.T) {
	t.Parallel()
	srv, fleet := havrFleet(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*generous)
	defer cancel()
	for _, c := range fleet {
		if _, err := c.ListDoors(ctx); err != nil {
			t.Fatal(err)
		}
	}
	start := tomorrow()
	keys := make([]string, 3*access.ApplyBatch)
	wanted := make([]access.GrantRequest, len(keys))
	for i := range keys {
		keys[i] = fmt.Sprintf("BK-%03d", i)
		wanted[i] = havrBooking(start, keys[i])
	}
	plan := func(c *havr.Client, reqs []access.GrantRequest) *access.Plan {
		p, err := access.PlanGrants(ctx, c, access.Wanted(reqs...), access.WithOwnedPrefix("BK-"))
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	pa := plan(fleet[0], wanted[:2*access.ApplyBatch])
	pb := plan(fleet[1], wanted[access.ApplyBatch:])
	slices.Reverse(pb.Changes)

	var wg sync.WaitGroup
	results := make([]*access.ApplyResult, 2)
	for i, p := range []*access.Plan{pa, pb} {
		wg.Go(func() {
			res, err := access.Apply(ctx, fleet[i], p, access.WithConcurrency(4))
			if err != nil {
				t.Errorf("replica %d: %v", i, err)
			}
			results[i] = res
		})
	}
	// Triggers for the overlap, on the other two replicas.
	for i := access.ApplyBatch; i < 2*access.ApplyBatch; i += 10 {
		wg.Go(func() {
			if _, _, err := access.EnsureGrant(ctx, fleet[2+(i/10)%2], wanted[i]); err != nil {
				t.Errorf("trigger %s: %v", keys[i], err)
			}
		})
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	created := results[0].Count(access.ApplyCreated) + results[1].Count(access.ApplyCreated)
	if n := srv.Count("POST", havrCreateLink); n != len(keys) {
		t.Errorf("%d creates for %d bookings (%d by Apply)", n, len(keys), created)
	}
	for _, k := range keys {
		if n := havrKeysFor(srv, k); n != 1 {
			t.Errorf("%d live shared keys carry booking %s, want 1", n, k)
		}
	}
}
