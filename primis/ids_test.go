package primis

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/doorkit/doorkit/access"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// hostileIDs are zone ids no Primis hands out. They would travel safely in
// a JSON body, but they come from a bad copy or a hostile caller, so they
// are refused before anything is sent.
var hostileIDs = map[string]string{
	"dot dot":              "..",
	"slash":                "1300/0001",
	"query":                "130000000001?x=1",
	"fragment":             "130000000001#x",
	"percent-encoded":      "%2e%2e",
	"other script":         "ü30000000001",
	"full-width digits":    "１３００",
	"empty":                "",
	"space":                " ",
	"inner space":          "1300 00000001",
	"trailing newline":     "130000000001\n",
	"CR LF":                "130000000001\r\nX-Injected: 1",
	"tab":                  "\t130000000001",
	"NUL":                  "130000000001\x00",
	"ANSI escape":          "\x1b[31m130000000001",
	"DEL":                  "13000000\x7f0001",
	"zero-width space":     "130000000001\u200b",
	"right-to-left mark":   "\u202e100000000031",
	"no-break space":       "130000000001\u00a0",
	"line separator":       "1300\u20280001",
	"ideographic space":    "\u3000130000000001",
	"invalid UTF-8":        "13000000\xff\xfe",
	"longer than 64 bytes": strings.Repeat("1", MaxIDLength+1),
}

func TestHostileZoneIDsAreRefusedBeforeSending(t *testing.T) {
	ctx := context.Background()
	calls := map[string]func(c *Client, id ID) error{
		"Unlock": func(c *Client, id ID) error {
			_, _, err := c.ControlledAreas.Unlock(ctx, Unlock{ZoneID: id, Duration: time.Second})
			return err
		},
		"UnlockMany": func(c *Client, id ID) error {
			_, _, err := c.ControlledAreas.UnlockMany(ctx, []Unlock{{ZoneID: "1", Duration: time.Second}, {ZoneID: id, Duration: time.Second}})
			return err
		},
		"AdminUnlock": func(c *Client, id ID) error {
			_, _, err := c.ControlledAreas.AdminUnlock(ctx, Unlock{ZoneID: id, Duration: time.Second})
			return err
		},
		"AdminUnlockMany": func(c *Client, id ID) error {
			_, _, err := c.ControlledAreas.AdminUnlockMany(ctx, []Unlock{{ZoneID: id, Duration: time.Second}})
			return err
		},
		"SetState": func(c *Client, id ID) error {
			_, _, err := c.ControlledAreas.SetState(ctx, StateChange{ZoneID: id, State: StateCodeOpen})
			return err
		},
		"SetStates": func(c *Client, id ID) error {
			_, _, err := c.ControlledAreas.SetStates(ctx, []StateChange{{ZoneID: id, State: StateCodeOpen}})
			return err
		},
		"CreateAreaSchedule": func(c *Client, id ID) error {
			_, _, err := c.Schedules.CreateAreaSchedule(ctx, AreaScheduleRequest{ID: 7,
				Zones: []AreaSchedule{{ControlledAreaID: id, OnAction: ActionOpen, OffAction: ActionOpen}}})
			return err
		},
		"OpenDoor": func(c *Client, id ID) error { return c.OpenDoor(ctx, string(id)) },
		"ListByAccessGroup": func(c *Client, id ID) error {
			_, _, err := c.ControlledAreas.ListByAccessGroup(ctx, string(id))
			return err
		},
		"Beacons.Get": func(c *Client, id ID) error { _, _, err := c.Beacons.Get(ctx, string(id)); return err },
		"Geolocation GUID": func(c *Client, id ID) error {
			_, _, err := c.Geolocation.RequestAccess(ctx, GeolocationRequest{GUID: string(id), GPS: &GPSPosition{}})
			return err
		},
	}
	for callName, call := range calls {
		for name, id := range hostileIDs {
			if callName == "Geolocation GUID" && id == "" {
				continue // empty means the client's own phone id
			}
			t.Run(callName+"/"+name, func(t *testing.T) {
				c, mock := newTestClient(t)
				err := call(c, ID(id))
				assert.ErrorIs(t, err, access.ErrInvalid)
				assert.Zero(t, mock.GetTotalCallCount(), "nothing sent")
			})
		}
	}
}

func TestHostilePhoneIDIsRefusedByNew(t *testing.T) {
	for name, id := range hostileIDs {
		if id == "" {
			continue // its own message: WithPhoneID is required
		}
		_, err := New(WithBaseURL(testBase), WithPhoneID(id), WithTokens("a", "b"))
		assert.ErrorIs(t, err, access.ErrInvalid, name)
	}
}

func TestOrdinaryIDsAreAccepted(t *testing.T) {
	for _, id := range []ID{"130000000001", "9F58395D-7963-469C-BB8F-5C39A31B2B6Z", "rLxR", "zone_7.b", ID(strings.Repeat("9", MaxIDLength))} {
		require.NoError(t, validateID("id", id), id)
	}
}
