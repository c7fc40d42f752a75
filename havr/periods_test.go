package havr

import (
	"context"
	"testing"
	"time"

	"github.com/doorkit/doorkit/access"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A period shorter than Havr's one-second resolution would go out with
// start == end: it is refused before any request, in every place a period
// is checked.
func TestPeriodsTruncatedBeforeValidation(t *testing.T) {
	c := newTestClient(t, noRequests(t))
	ctx := context.Background()
	start := time.Date(2017, 4, 1, 12, 30, 0, 100_000_000, time.UTC)
	s, e := At(start), At(start.Add(500*time.Millisecond)) // 12:30:00.1 - 12:30:00.6
	errs := map[string]error{}
	_, _, errs["SharedKeys.Create"] = c.SharedKeys.Create(ctx, SharedKeyRequest{UserListIDs: []ID{6}, LockListIDs: []ID{9}, StartDate: s, EndDate: e})
	_, _, errs["SharedKeys.CreateWithLink"] = c.SharedKeys.CreateWithLink(ctx, SharedKeyLinkRequest{Email: "v@example.com", LockListIDs: []ID{9}, StartDate: s, EndDate: e})
	_, _, errs["SharedKeys.Update"] = c.SharedKeys.Update(ctx, 20, SharedKeyUpdate{StartDate: &s, EndDate: &e})
	_, _, errs["SharedKeys.CreateOrUpdate"] = c.SharedKeys.CreateOrUpdate(ctx, SharedKeyCreateOrUpdateRequest{UserID: 2, DoorLockID: 1, StartDate: s, EndDate: e})
	_, _, errs["DoNotDisturbStates.Create"] = c.DoNotDisturbStates.Create(ctx, DoNotDisturbStateRequest{DoorLockID: 1, StartDate: s, EndDate: e})
	_, _, errs["DoNotDisturbStates.Update"] = c.DoNotDisturbStates.Update(ctx, 3, DoNotDisturbStateUpdate{StartDate: &s, EndDate: &e})
	_, _, errs["LockLogs.ListActivity"] = c.LockLogs.ListActivity(ctx, LockLogActivityRequest{StartDate: s, EndDate: e})
	soon := time.Now().Add(time.Hour).Truncate(time.Second).Add(100 * time.Millisecond)
	_, errs["CreateGrant"] = c.CreateGrant(ctx, access.GrantRequest{DoorIDs: []string{"9"},
		Holder: access.Person{Email: "v@example.com"}, Window: access.Window{Start: soon, End: soon.Add(500 * time.Millisecond)}})
	for name, err := range errs {
		require.ErrorIs(t, err, access.ErrInvalid, name)
		var invalid *access.InvalidError
		require.ErrorAs(t, err, &invalid, name)
		assert.Contains(t, []string{"EndDate", "Window.End"}, invalid.Field, name)
	}

	// A period whose truncated ends differ by a second passes: 12:30:00.9 to
	// 12:30:01.0 goes out as 12:30:00 to 12:30:01.
	require.NoError(t, validatePeriod(At(start.Add(800*time.Millisecond)), At(start.Add(900*time.Millisecond)), ""))
	// A daily recurrency is measured on what is sent: 24h and 0.5s is a day.
	require.NoError(t, validatePeriod(s, At(start.Add(24*time.Hour+500*time.Millisecond)), RecurrencyDay))
}
