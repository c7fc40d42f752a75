package havr

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/doorkit/doorkit/access"
)

// A key whose period repeats gives access again after its end date (Havr:
// "if an end_date is set, the access can be recurrent"), with no last
// period: it is not expired, and its grant has no end. It was read as
// expired once the first period ended, which plans never revoke.
func TestRepeatingKeyHasNoEnd(t *testing.T) {
	start := time.Date(2030, 6, 1, 9, 0, 0, 0, time.UTC)
	end := start.Add(2 * time.Hour)
	later := end.Add(30 * 24 * time.Hour)
	weekly := SharedKey{ID: 1, StartDate: At(start), EndDate: At(end), Recurrency: RecurrencyWeek, ExistingStatus: StatusActive}
	once := SharedKey{ID: 2, StartDate: At(start), EndDate: At(end), Recurrency: RecurrencyNone, ExistingStatus: StatusActive}

	st, _, _ := doorState(weekly, later)
	assert.Equal(t, access.GrantActive, st, "a weekly key after its first period")
	st, _, _ = doorState(once, later)
	assert.Equal(t, access.GrantExpired, st, "a single period, over")

	assert.Equal(t, access.Window{Start: start}, sharedWindow([]SharedKey{weekly}), "no end")
	assert.Equal(t, access.Window{Start: start}, sharedWindow([]SharedKey{weekly, once}), "the weekly key runs on after the single period")
	assert.Equal(t, access.Window{Start: start, End: end}, sharedWindow([]SharedKey{once, once}))
	assert.Equal(t, access.Window{Start: start}, sharedWindow([]SharedKey{{StartDate: At(start)}}), "no end date, no end")
}
