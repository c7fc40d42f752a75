package main

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/havr/havrtest"
	"github.com/doorkit/doorkit/resivo/resivotest"
)

// pinsPerLock is how many bookings the scale tests put on one August lock
// (240 slots each).
const pinsPerLock = 200

// scale is a Directory of four accounts (one per vendor) holding n
// bookings' grants: 40% Havr, 40% resivo, 20% August.
type scale struct {
	*env
	wanted                []access.GrantRequest
	havrN, resivoN, augN  int
	augustLocksWithGrants int
}

func newScale(tb testing.TB, n int) *scale {
	tb.Helper()
	ctx := context.Background()
	augN := n / 5
	locks := max(1, (augN+pinsPerLock-1)/pinsPerLock)
	e, err := newEnv(ctx, locks-1)
	require.NoError(tb, err)
	tb.Cleanup(e.Close)
	s := &scale{env: e, augustLocksWithGrants: locks}
	start := time.Now().UTC().Truncate(time.Hour).Add(48 * time.Hour)
	for i := range n {
		key := fmt.Sprintf("booking-%06d", i)
		req := access.GrantRequest{Key: key, Holder: access.Person{Name: key, Email: fmt.Sprintf("guest%06d@example.com", i)},
			Window:     access.Window{Start: start.Add(time.Duration(i%96) * 30 * time.Minute), End: start.Add(time.Duration(i%96+4) * 30 * time.Minute)},
			Credential: access.CredentialLink}
		switch i % 5 {
		case 0, 1:
			req.DoorIDs = []string{havrDoor([]int64{havrtest.FrontDoorID, havrtest.MeetingRoomID}[i%2])}
			s.havrN++
		case 2, 3:
			req.DoorIDs = []string{resivoDoor([]string{resivotest.MainEntranceID, resivotest.CylinderID}[i%2])}
			s.resivoN++
		case 4:
			req.DoorIDs = []string{augustDoor(e.augustLocks[s.augN/pinsPerLock])}
			req.Credential, req.PIN = access.CredentialPIN, access.Secret(fmt.Sprintf("%06d", 100000+i))
			s.augN++
		}
		s.wanted = append(s.wanted, req)
	}
	// The grants are made straight through each account, as yesterday's
	// triggers did; the plan under test then finds them all held.
	sem := make(chan struct{}, 16)
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i, req := range s.wanted {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			account, local := req, req
			local.DoorIDs = nil
			name, id, _ := access.SplitID(account.DoorIDs[0])
			local.DoorIDs = []string{id}
			client, _ := e.dir.Account(name)
			_, errs[i] = client.(access.Granter).CreateGrant(ctx, local)
		})
	}
	wg.Wait()
	for i, err := range errs {
		require.NoError(tb, err, "booking %d", i)
	}
	wctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	require.NoError(tb, e.augustPIN.waitPast(wctx, s.augN-1), "August's PIN results")
	return s
}

func (s *scale) plan(ctx context.Context, opts ...access.ReconcileOption) (*access.Plan, error) {
	return access.PlanGrants(ctx, s.dir, access.Wanted(s.wanted...), append([]access.ReconcileOption{access.WithOwnedPrefix("booking-")}, opts...)...)
}

// TestPlanCostAtScale checks what a plan of 10,000 held bookings costs at
// the vendors: the accounts' listing pages (Havr one call; August the
// sub-user pages and one PIN listing per lock that holds grants) plus one
// read per resivo key, and nothing else.
func TestPlanCostAtScale(t *testing.T) {
	if testing.Short() || raceDetector {
		t.Skip("seeds 10,000 grants on the fakes: run without -short and -race")
	}
	ctx := context.Background()
	s := newScale(t, 10_000)
	for _, f := range []interface{ ResetLog() }{s.havr, s.august, s.resivo, s.primis} {
		f.ResetLog()
	}
	var mu sync.Mutex
	progress := map[string]int{}
	began := time.Now()
	p, err := s.plan(ctx, access.WithPlanProgress(func(account string, done, total int) {
		mu.Lock()
		defer mu.Unlock()
		progress[account] = max(progress[account], total)
	}))
	took := time.Since(began)
	require.NoError(t, err)
	require.True(t, p.Converged(), "every booking is held as wanted")
	assert.Equal(t, 10_000, p.Summary().Keep)

	assert.Len(t, s.havr.Requests(), 1, "Havr: one listing")
	assert.Equal(t, 1, s.havr.Count(http.MethodGet, "/v1/shared_keys/index_with_details"))
	subUserPages := s.august.Count(http.MethodGet, "/partners/sub-user")
	assert.LessOrEqual(t, subUserPages, s.augN/1000+1, "August: sub-user pages of 1,000")
	locks := 0
	for _, id := range s.augustLocks {
		locks += s.august.Count(http.MethodGet, "/locks/"+id+"/pins")
	}
	assert.Equal(t, s.augustLocksWithGrants, locks, "August: one PIN listing per lock that holds grants")
	assert.Len(t, s.august.Requests(), subUserPages+locks, "August: nothing else")
	assert.Len(t, s.resivo.Requests(), s.resivoN, "resivo: one read per key")
	assert.Equal(t, s.resivoN, progress[resivoAccount], "the key-by-key account reports its total")
	assert.Empty(t, s.primis.Requests(), "Primis grants nothing and is not read")
	t.Logf("10,000 bookings planned in %s: Havr 1 request, August %d (%d sub-user pages, %d PIN listings), resivo %d, Primis 0",
		took.Round(time.Millisecond), len(s.august.Requests()), subUserPages, locks, len(s.resivo.Requests()))
}

// BenchmarkPlan plans 1,000 and 10,000 held bookings on the four
// accounts through the vendors' fakes, over the Directory and on each
// account's client alone; compare ns/booking and B/op across the sizes.
// The fakes run in the same process and their own costs are in the numbers
// (see BenchmarkPlanGrants in package access for the planning alone).
func BenchmarkPlan(b *testing.B) {
	for _, n := range []int{1_000, 10_000} {
		b.Run(fmt.Sprintf("bookings=%d", n), func(b *testing.B) {
			s := newScale(b, n)
			ctx := context.Background()
			b.Run("directory", func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					p, err := s.plan(ctx)
					if err != nil || !p.Converged() {
						b.Fatalf("plan: %v", err)
					}
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/booking")
			})
			for _, account := range []string{havrAccount, augustAccount, resivoAccount} {
				client, _ := s.dir.Account(account)
				wanted := s.local(account)
				b.Run(account, func(b *testing.B) {
					b.ReportAllocs()
					for b.Loop() {
						p, err := access.PlanGrants(ctx, client.(access.Granter), access.Wanted(wanted...), access.WithOwnedPrefix("booking-"))
						if err != nil || !p.Converged() {
							b.Fatalf("plan: %v", err)
						}
					}
					b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(wanted)), "ns/booking")
				})
			}
		})
	}
}

// local returns the bookings on account's doors, in the account's own ids.
func (s *scale) local(account string) []access.GrantRequest {
	var out []access.GrantRequest
	for _, r := range s.wanted {
		name, id, _ := access.SplitID(r.DoorIDs[0])
		if name == account {
			r.DoorIDs = []string{id}
			out = append(out, r)
		}
	}
	return out
}
