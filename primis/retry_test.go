package primis

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/doorkit/doorkit/access"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// sequence answers each call with the next responder, repeating the last.
func sequence(calls *atomic.Int32, steps ...func(*http.Request) (*http.Response, error)) func(*http.Request) (*http.Response, error) {
	return func(req *http.Request) (*http.Response, error) {
		n := int(calls.Add(1)) - 1
		if n >= len(steps) {
			n = len(steps) - 1
		}
		return steps[n](req)
	}
}

func status(code int, retryAfter string) func(*http.Request) (*http.Response, error) {
	return func(req *http.Request) (*http.Response, error) {
		resp, _ := jsonResponder(code, `{"status":`+strconv.Itoa(code)+`,"message":"`+http.StatusText(code)+`"}`)(req)
		if retryAfter != "" {
			resp.Header.Set("Retry-After", retryAfter)
		}
		return resp, nil
	}
}

func TestGetRetriedAfter503(t *testing.T) {
	c, mock := newTestClient(t)
	var calls atomic.Int32
	mock.RegisterResponder("GET", testBase+"/api/mobile/beacons",
		sequence(&calls, status(503, ""), jsonResponder(200, fixture(t, "beacons_response.json"))))
	beacons, _, err := c.Beacons.List(context.Background())
	require.NoError(t, err)
	assert.Len(t, beacons, 2)
	assert.EqualValues(t, 2, calls.Load())
}

func TestGetRetriedOnConnectionReset(t *testing.T) {
	c, mock := newTestClient(t)
	var calls atomic.Int32
	reset := func(*http.Request) (*http.Response, error) {
		return nil, &net.OpError{Op: "read", Net: "tcp", Err: errors.New("connection reset by peer")}
	}
	mock.RegisterResponder("GET", testBase+"/api/mobile/schedules",
		sequence(&calls, reset, jsonResponder(200, fixture(t, "schedules_response.json"))))
	_, _, err := c.Schedules.List(context.Background())
	require.NoError(t, err)
	assert.EqualValues(t, 2, calls.Load())
}

func TestGetGivesUpWithTypedError(t *testing.T) {
	c, mock := newTestClient(t)
	var calls atomic.Int32
	mock.RegisterResponder("GET", testBase+"/api/mobile/beacons", sequence(&calls, status(503, "")))
	_, resp, err := c.Beacons.List(context.Background())
	var perr *Error
	require.ErrorAs(t, err, &perr, "the last response, not 'giving up after N attempts'")
	assert.Equal(t, 503, perr.StatusCode)
	assert.ErrorIs(t, err, access.ErrUnavailable)
	assert.Equal(t, 503, resp.StatusCode)
	assert.EqualValues(t, 4, calls.Load(), "first attempt and three retries")
}

func TestRetryAfterHonouredUpToCap(t *testing.T) {
	t.Run("within cap: retried", func(t *testing.T) {
		c, mock := newTestClient(t)
		var calls atomic.Int32
		mock.RegisterResponder("GET", testBase+"/api/mobile/beacons",
			sequence(&calls, status(429, "0"), jsonResponder(200, "[]")))
		_, _, err := c.Beacons.List(context.Background())
		require.NoError(t, err)
		assert.EqualValues(t, 2, calls.Load())
	})
	t.Run("over cap: returned to the caller at once", func(t *testing.T) {
		c, mock := newTestClient(t, WithMaxRetryAfter(10*time.Second))
		var calls atomic.Int32
		mock.RegisterResponder("GET", testBase+"/api/mobile/beacons", sequence(&calls, status(429, "3600")))
		_, _, err := c.Beacons.List(context.Background())
		var perr *Error
		require.ErrorAs(t, err, &perr)
		assert.Equal(t, time.Hour, perr.RetryAfter)
		assert.ErrorIs(t, err, access.ErrRateLimited)
		assert.EqualValues(t, 1, calls.Load())
	})
}

func TestUnlockIsNotRetriedOnceSent(t *testing.T) {
	for name, answer := range map[string]func(*http.Request) (*http.Response, error){
		"500":                     status(500, ""),
		"502":                     status(502, ""),
		"503 without Retry-After": status(503, ""),
		"connection reset": func(*http.Request) (*http.Response, error) {
			return nil, &net.OpError{Op: "read", Net: "tcp", Err: errors.New("connection reset by peer")}
		},
	} {
		t.Run(name, func(t *testing.T) {
			c, mock := newTestClient(t)
			var calls atomic.Int32
			mock.RegisterResponder("POST", testBase+"/api/mobile/user/unlock_zone", sequence(&calls, answer, jsonResponder(200, fixture(t, "command_response.json"))))
			err := c.OpenDoor(context.Background(), "150000000003")
			require.Error(t, err)
			assert.EqualValues(t, 1, calls.Load(), "a retried unlock could open twice")
		})
	}
}

func TestUnlockRetriedWhenNothingWasSent(t *testing.T) {
	for name, first := range map[string]func(*http.Request) (*http.Response, error){
		"dial error": func(*http.Request) (*http.Response, error) {
			return nil, &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}
		},
		"503 with Retry-After": status(503, "0"),
		"429 with Retry-After": status(429, "0"),
	} {
		t.Run(name, func(t *testing.T) {
			c, mock := newTestClient(t)
			var calls atomic.Int32
			mock.RegisterResponder("POST", testBase+"/api/mobile/user/unlock_zone",
				sequence(&calls, first, jsonResponder(200, fixture(t, "command_response.json"))))
			require.NoError(t, c.OpenDoor(context.Background(), "150000000003"))
			assert.EqualValues(t, 2, calls.Load())
		})
	}
}

func TestCancelDuringBackoffReturnsPromptly(t *testing.T) {
	// A backoff of at least a minute: only cancellation can end the wait.
	c, mock := newTestClient(t, WithRetry(3, time.Minute, time.Hour))
	ctx, cancel := context.WithCancel(context.Background())
	var calls atomic.Int32
	mock.RegisterResponder("GET", testBase+"/api/mobile/beacons", func(req *http.Request) (*http.Response, error) {
		calls.Add(1)
		defer cancel() // cancel as the first answer arrives; the client is then waiting to retry
		return status(503, "")(req)
	})
	done := make(chan error, 1)
	go func() {
		_, _, err := c.Beacons.List(ctx)
		done <- err
	}()
	select {
	case err := <-done:
		assert.ErrorIs(t, err, context.Canceled)
		assert.EqualValues(t, 1, calls.Load())
	case <-time.After(10 * time.Second):
		t.Fatal("the call kept waiting after its context was cancelled")
	}
}

func TestBadInputSendsNothing(t *testing.T) {
	c, mock := newTestClient(t)
	ctx := context.Background()
	calls := []struct {
		name string
		call func() error
	}{
		{"path traversal", func() error { _, _, err := c.Beacons.Get(ctx, "../controlled_areas"); return err }},
		{"slash in id", func() error { _, _, err := c.ControlledAreas.ListByAccessGroup(ctx, "3/x"); return err }},
		{"query in id", func() error { _, _, err := c.Beacons.Get(ctx, "a?b=c"); return err }},
		{"empty id", func() error { _, _, err := c.Beacons.Get(ctx, ""); return err }},
		{"unlock without zone", func() error { _, _, err := c.ControlledAreas.Unlock(ctx, Unlock{Duration: time.Second}); return err }},
		{"unlock without duration", func() error { _, _, err := c.ControlledAreas.AdminUnlock(ctx, Unlock{ZoneID: "1"}); return err }},
		{"unlock many empty", func() error { _, _, err := c.ControlledAreas.UnlockMany(ctx, nil); return err }},
		{"unlock many bad entry", func() error {
			_, _, err := c.ControlledAreas.AdminUnlockMany(ctx, []Unlock{{ZoneID: "1", Duration: time.Second}, {ZoneID: "2"}})
			return err
		}},
		{"state without zone", func() error { _, _, err := c.ControlledAreas.SetState(ctx, StateChange{State: 11}); return err }},
		{"states empty", func() error { _, _, err := c.ControlledAreas.SetStates(ctx, nil); return err }},
		{"states without code", func() error {
			_, _, err := c.ControlledAreas.SetStates(ctx, []StateChange{{ZoneID: "1"}})
			return err
		}},
		{"weak password", func() error { _, _, err := c.Auth.ChangePassword(ctx, "password"); return err }},
		{"short password", func() error { _, _, err := c.Auth.ChangePassword(ctx, "Pa1"); return err }},
		{"geolocation with both", func() error {
			_, _, err := c.Geolocation.RequestAccess(ctx, GeolocationRequest{Beacon: &BeaconSighting{UUID: "u"}, GPS: &GPSPosition{}})
			return err
		}},
		{"geolocation with neither", func() error { _, _, err := c.Geolocation.RequestAccess(ctx, GeolocationRequest{}); return err }},
		{"geolocation off the globe", func() error {
			_, _, err := c.Geolocation.RequestAccess(ctx, GeolocationRequest{GPS: &GPSPosition{Latitude: 91}})
			return err
		}},
		{"beacon without uuid", func() error {
			_, _, err := c.Geolocation.RequestAccess(ctx, GeolocationRequest{Beacon: &BeaconSighting{Major: 1}})
			return err
		}},
		{"battery over 100", func() error { _, _, err := c.Beacons.UpdateStatus(ctx, BeaconStatus{BatteryLevel: 101}); return err }},
		{"schedule without id", func() error {
			_, _, err := c.Schedules.CreateAreaSchedule(ctx, AreaScheduleRequest{Zones: []AreaSchedule{{ControlledAreaID: "1"}}})
			return err
		}},
		{"schedule without zones", func() error { _, _, err := c.Schedules.CreateAreaSchedule(ctx, AreaScheduleRequest{ID: 7}); return err }},
		{"schedule zone without area", func() error {
			_, _, err := c.Schedules.CreateAreaSchedule(ctx, AreaScheduleRequest{ID: 7, Zones: []AreaSchedule{{}}})
			return err
		}},
		{"open without door", func() error { return c.OpenDoor(ctx, "") }},
	}
	for _, tc := range calls {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			require.Error(t, err)
			assert.ErrorIs(t, err, access.ErrInvalid)
		})
	}
	assert.Zero(t, mock.GetTotalCallCount())
}
