package primis

import (
	"context"
	"encoding/base64"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/doorkit/doorkit/internal/resttest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// endpointCase is one documented operation: the request the method must send
// and the documented response it must decode.
type endpointCase struct {
	name     string
	method   string
	path     string
	reqBody  string // fixture with the documented request body; "" for none
	respBody string // fixture with the documented response
	status   int
	auth     string // expected Authorization header
	call     func(ctx context.Context, c *Client) (any, *Response, error)
	check    func(t *testing.T, result any)
}

func endpointCases() []endpointCase {
	bearer := "Bearer " + testJWT
	// Deregistration and password change use Basic when credentials are
	// set, as the document says; never the access token.
	basic := "Basic " + base64.StdEncoding.EncodeToString([]byte("admin@example.com:Admin1234"))
	return []endpointCase{
		{
			name: "Auth.Login", method: "POST", path: "/api/mobile/login",
			reqBody: "phone_id_request.json", respBody: "login_response.json",
			auth: basic,
			call: func(ctx context.Context, c *Client) (any, *Response, error) { return c.Auth.Login(ctx) },
			check: func(t *testing.T, r any) {
				s := r.(*Session)
				assert.True(t, s.Registered)
				assert.True(t, s.IsAdmin)
				assert.Equal(t, "admin@example.com", s.Email)
				assert.Equal(t, testPhoneID, s.PhoneID)
				assert.Equal(t, "ok", s.Status)
				assert.Equal(t, ZoneAccessNone, s.ZoneAccess)
				assert.Equal(t, "3f1c9e2a7b6d4e8f9a0b1c2d3e4f5a6b", s.RefreshToken.Reveal())
				assert.JSONEq(t, `{"uuid":"f7826da6-4fa2-4e98-8024-bc5b71e0893e"}`, string(s.Beacon))
			},
		},
		{
			name: "Auth.LoginWithAccessToken", method: "POST", path: "/api/mobile/access_token/login",
			reqBody: "phone_id_request.json", respBody: "token_login_response.json", auth: bearer,
			call: func(ctx context.Context, c *Client) (any, *Response, error) { return c.Auth.LoginWithAccessToken(ctx) },
			check: func(t *testing.T, r any) {
				s := r.(*Session)
				assert.True(t, s.Registered)
				assert.Equal(t, testPhoneID, s.PhoneID)
				assert.Empty(t, s.RefreshToken)
			},
		},
		{
			name: "Auth.RenewAccessToken", method: "POST", path: "/api/mobile/access_token",
			reqBody: "renew_request.json", respBody: "renew_response.json", auth: "Bearer " + testRefresh,
			call: func(ctx context.Context, c *Client) (any, *Response, error) { return c.Auth.RenewAccessToken(ctx) },
			check: func(t *testing.T, r any) {
				rn := r.(*Renewal)
				assert.Equal(t, "ok", rn.Status)
				assert.Equal(t, "admin@example.com", rn.Email)
				assert.Equal(t, testPhoneID, rn.PhoneID)
				assert.NotEmpty(t, rn.JWT)
			},
		},
		{
			name: "Auth.Deregister", method: "DELETE", path: "/api/mobile/registration",
			reqBody: "phone_id_request.json", respBody: "deregister_response.json", auth: basic,
			call:  func(ctx context.Context, c *Client) (any, *Response, error) { return c.Auth.Deregister(ctx) },
			check: func(t *testing.T, r any) { assert.Equal(t, "ok", r.(*StatusResponse).Status) },
		},
		{
			name: "Auth.ChangePassword", method: "POST", path: "/api/mobile/password",
			reqBody: "password_request.json", respBody: "password_response.json", auth: basic,
			call: func(ctx context.Context, c *Client) (any, *Response, error) {
				return c.Auth.ChangePassword(ctx, "Password1234")
			},
			check: func(t *testing.T, r any) {
				assert.Equal(t, &StatusResponse{Status: "ok", Message: "Password successfully updated"}, r)
			},
		},
		{
			name: "Geolocation.RequestAccess beacon", method: "POST", path: "/api/mobile/geolocation/access",
			reqBody: "geolocation_beacon_request.json", respBody: "geolocation_beacon_response.json", auth: bearer,
			call: func(ctx context.Context, c *Client) (any, *Response, error) {
				return c.Geolocation.RequestAccess(ctx, GeolocationRequest{
					Beacon: &BeaconSighting{UUID: "f7826da6-4fa2-4e98-8024-bc5b71e0893e", Major: 1, Minor: 3}})
			},
			check: func(t *testing.T, r any) {
				g := r.(*GeolocationResult)
				assert.True(t, g.Granted())
				assert.NoError(t, g.Err())
				assert.Equal(t, ID("110000000000"), g.PrimisResult.ZoneID)
				assert.Equal(t, "Factory Floor", g.PrimisResult.ZoneName)
				assert.Nil(t, g.PrimisResult.Distance)
			},
		},
		{
			name: "Geolocation.RequestAccess GPS", method: "POST", path: "/api/mobile/geolocation/access",
			reqBody: "geolocation_gps_request.json", respBody: "geolocation_gps_response.json", auth: bearer,
			call: func(ctx context.Context, c *Client) (any, *Response, error) {
				return c.Geolocation.RequestAccess(ctx, GeolocationRequest{
					GPS: &GPSPosition{Latitude: 49.1885195, Longitude: -122.99220389999999}})
			},
			check: func(t *testing.T, r any) {
				g := r.(*GeolocationResult)
				assert.True(t, g.Granted())
				require.NotNil(t, g.PrimisResult.Distance)
				assert.Zero(t, *g.PrimisResult.Distance)
				assert.Equal(t, "Lobby", g.PrimisResult.ZoneName)
			},
		},
		{
			name: "Beacons.UpdateStatus", method: "POST", path: "/api/mobile/beacon/status",
			reqBody: "beacon_status_request.json", respBody: "beacon_status_response.json", auth: bearer,
			call: func(ctx context.Context, c *Client) (any, *Response, error) {
				return c.Beacons.UpdateStatus(ctx, BeaconStatus{Major: 1, Minor: 3, BatteryLevel: 76})
			},
			check: func(t *testing.T, r any) {
				assert.Equal(t, "ok", r.(*BeaconStatusResult).Status)
				assert.JSONEq(t, `{}`, string(r.(*BeaconStatusResult).PrimisResult))
			},
		},
		{
			name: "Beacons.List", method: "GET", path: "/api/mobile/beacons", respBody: "beacons_response.json", auth: bearer,
			call: func(ctx context.Context, c *Client) (any, *Response, error) { return c.Beacons.List(ctx) },
			check: func(t *testing.T, r any) {
				b := r.([]Beacon)
				require.Len(t, b, 2)
				assert.Equal(t, "pQ2m", b[1].UniqueID)
				assert.Equal(t, 12, b[1].BatteryLevel)
			},
		},
		{
			name: "Beacons.Get", method: "GET", path: "/api/mobile/beacon/rLxR", respBody: "beacon_response.json", auth: bearer,
			call: func(ctx context.Context, c *Client) (any, *Response, error) { return c.Beacons.Get(ctx, "rLxR") },
			check: func(t *testing.T, r any) {
				b := r.(*Beacon)
				assert.Equal(t, "rLxR", b.UniqueID)
				assert.Equal(t, 1, b.Major)
				assert.Equal(t, 3, b.Minor)
				assert.Equal(t, "f7826da6-4fa2-4e98-8024-bc5b71e0893e", b.UUID)
				assert.Equal(t, 350, b.AdvInterval)
				assert.Equal(t, 3600, b.AvgEventInterval)
				assert.Equal(t, 76, b.BatteryLevel)
				assert.Equal(t, "cB7x", b.Master)
				assert.Equal(t, time.Date(2024, 3, 1, 9, 30, 0, 0, time.UTC), b.UpdatedAt.Time)
				assert.Equal(t, time.Date(2024, 3, 1, 9, 30, 0, 0, time.UTC), b.LastEventTimestamp.Time)
				assert.JSONEq(t, `{"firmware":"4.13"}`, string(b.DeviceData))
				assert.JSONEq(t, `{"temperature":21}`, string(b.StatusData))
			},
		},
		{
			name: "ControlledAreas.AdminList", method: "GET", path: "/api/mobile/" + testPhoneID + "/controlled_areas",
			respBody: "controlled_areas_response.json", auth: bearer,
			call:  func(ctx context.Context, c *Client) (any, *Response, error) { return c.ControlledAreas.AdminList(ctx) },
			check: checkAreas,
		},
		{
			name: "ControlledAreas.List", method: "GET", path: "/api/mobile/controlled_areas",
			respBody: "controlled_areas_response.json", auth: bearer,
			call:  func(ctx context.Context, c *Client) (any, *Response, error) { return c.ControlledAreas.List(ctx) },
			check: checkAreas,
		},
		{
			name: "AccessGroups.AdminList", method: "GET", path: "/api/mobile/" + testPhoneID + "/access_groups",
			respBody: "access_groups_response.json", auth: bearer,
			call:  func(ctx context.Context, c *Client) (any, *Response, error) { return c.AccessGroups.AdminList(ctx) },
			check: checkGroups,
		},
		{
			name: "AccessGroups.List", method: "GET", path: "/api/mobile/access_groups",
			respBody: "access_groups_response.json", auth: bearer,
			call:  func(ctx context.Context, c *Client) (any, *Response, error) { return c.AccessGroups.List(ctx) },
			check: checkGroups,
		},
		{
			name: "ControlledAreas.SetState", method: "POST", path: "/api/mobile/zone_state",
			reqBody: "zone_state_request.json", respBody: "command_response.json", auth: bearer,
			call: func(ctx context.Context, c *Client) (any, *Response, error) {
				return c.ControlledAreas.SetState(ctx, StateChange{ZoneID: "130000000001", State: 12})
			},
			check: checkGranted,
		},
		{
			name: "ControlledAreas.SetStates", method: "POST", path: "/api/mobile/zone_states",
			reqBody: "zone_states_request.json", respBody: "command_response.json", auth: bearer,
			call: func(ctx context.Context, c *Client) (any, *Response, error) {
				return c.ControlledAreas.SetStates(ctx, []StateChange{
					{ZoneID: "130000000001", State: 12}, {ZoneID: "150000000003", State: StateCodeOpen}})
			},
			check: checkGranted,
		},
		{
			name: "ControlledAreas.AdminUnlock", method: "POST", path: "/api/mobile/unlock_zone",
			reqBody: "unlock_zone_request.json", respBody: "command_response.json", auth: bearer,
			call: func(ctx context.Context, c *Client) (any, *Response, error) {
				return c.ControlledAreas.AdminUnlock(ctx, Unlock{ZoneID: "150000000003", Duration: 10 * time.Second})
			},
			check: checkGranted,
		},
		{
			name: "ControlledAreas.AdminUnlockMany", method: "POST", path: "/api/mobile/unlock_zones",
			reqBody: "unlock_zones_request.json", respBody: "command_response.json", auth: bearer,
			call: func(ctx context.Context, c *Client) (any, *Response, error) {
				return c.ControlledAreas.AdminUnlockMany(ctx, []Unlock{
					{ZoneID: "130000000001", Duration: 10 * time.Second}, {ZoneID: "150000000003", Duration: 10 * time.Second}})
			},
			check: checkGranted,
		},
		{
			name: "ControlledAreas.Unlock", method: "POST", path: "/api/mobile/user/unlock_zone",
			reqBody: "unlock_zone_request.json", respBody: "command_response.json", auth: bearer,
			call: func(ctx context.Context, c *Client) (any, *Response, error) {
				// 9.2 s rounds up to the documented 10.
				return c.ControlledAreas.Unlock(ctx, Unlock{ZoneID: "150000000003", Duration: 9200 * time.Millisecond})
			},
			check: checkGranted,
		},
		{
			name: "ControlledAreas.UnlockMany", method: "POST", path: "/api/mobile/user/unlock_zones",
			reqBody: "unlock_zones_request.json", respBody: "command_response.json", auth: bearer,
			call: func(ctx context.Context, c *Client) (any, *Response, error) {
				return c.ControlledAreas.UnlockMany(ctx, []Unlock{
					{ZoneID: "130000000001", Duration: 10 * time.Second}, {ZoneID: "150000000003", Duration: 10 * time.Second}})
			},
			check: checkGranted,
		},
		{
			name: "Schedules.CreateAreaSchedule", method: "POST", path: "/api/controlled_area_schedules/schedule",
			reqBody: "area_schedule_request.json", respBody: "area_schedule_response.json", auth: bearer,
			call: func(ctx context.Context, c *Client) (any, *Response, error) {
				return c.Schedules.CreateAreaSchedule(ctx, AreaScheduleRequest{
					ID:          7,
					Zones:       []AreaSchedule{{ControlledAreaID: "130000000001", OnAction: ActionOpen, OffAction: ActionOpen}},
					Description: "Open during office hours",
				})
			},
			check: func(t *testing.T, r any) {
				res := r.(*AreaScheduleResult)
				assert.Equal(t, ID("7"), res.ID)
				assert.Equal(t, "Office hours", res.Name)
				require.Len(t, res.Zones, 1)
				assert.Equal(t, AreaSchedule{ID: "12", ControlledAreaID: "130000000001", OnAction: ActionOpen,
					OffAction: ActionOpen, Description: "Open during office hours"}, res.Zones[0])
			},
		},
		{
			name: "ControlledAreas.ListByAccessGroup", method: "GET", path: "/api/access_groups/3/controlled_areas_detail",
			respBody: "controlled_areas_response.json", auth: bearer,
			call: func(ctx context.Context, c *Client) (any, *Response, error) {
				return c.ControlledAreas.ListByAccessGroup(ctx, "3")
			},
			check: checkAreas,
		},
		{
			name: "Schedules.List", method: "GET", path: "/api/mobile/schedules", respBody: "schedules_response.json", auth: bearer,
			call: func(ctx context.Context, c *Client) (any, *Response, error) { return c.Schedules.List(ctx) },
			check: func(t *testing.T, r any) {
				s := r.([]Schedule)
				require.Len(t, s, 1)
				assert.Equal(t, "Office hours", s[0].Name)
				assert.True(t, s[0].UsedByAccessGroup)
				require.Len(t, s[0].Periods, 2)
				weekly, holiday := s[0].Periods[0], s[0].Periods[1]
				assert.True(t, weekly.Frequency.IsWeekly())
				assert.False(t, weekly.Frequency.IsHoliday())
				assert.Equal(t, []int{1}, weekly.Exceptions.Types())
				assert.True(t, weekly.Days.Has(time.Monday))
				assert.False(t, weekly.Days.Has(time.Sunday))
				assert.True(t, weekly.OnTime.IsZero(), "1900-01-01 means not set")
				assert.True(t, holiday.Frequency.IsHoliday())
				assert.Equal(t, []int{3}, holiday.Frequency.HolidayTypes().Types())
				assert.Equal(t, time.Date(2024, 12, 24, 8, 0, 0, 0, time.UTC), holiday.OnTime.Time)
			},
		},
	}
}

func checkAreas(t *testing.T, r any) {
	areas := r.([]ControlledArea)
	require.Len(t, areas, 2)
	lobby := areas[1]
	assert.Equal(t, ID("110000000001"), lobby.ID)
	assert.Equal(t, "Lobby", lobby.Name)
	assert.Equal(t, "Main lobby", lobby.Description)
	assert.Equal(t, "T", lobby.Toggle)
	assert.Equal(t, 1, lobby.Factor)
	assert.Equal(t, 30, lobby.AuthorizationTimeout)
	assert.True(t, lobby.State.IsLockdown())
	assert.Equal(t, "4", lobby.ZoneGroupID)
	assert.Equal(t, "1", lobby.SiteID)
	require.NotNil(t, lobby.GeoLocation)
	require.NotNil(t, lobby.GeoLocation.GPS)
	assert.Equal(t, GPSArea{Latitude: 49.1885195, Longitude: -122.99220389999999, UnitType: "m", Radius: 50}, *lobby.GeoLocation.GPS)
	require.NotNil(t, areas[0].GeoLocation.Beacon)
	assert.Equal(t, BeaconRef{UniqueID: "rLxR", Major: 1, Minor: 3}, *areas[0].GeoLocation.Beacon)
}

func checkGroups(t *testing.T, r any) {
	assert.Equal(t, []AccessGroup{
		{ID: "3", Name: "Staff", SiteID: "1"},
		{ID: "545", Name: "Management", SiteID: "1"},
	}, r)
}

func checkGranted(t *testing.T, r any) {
	res := r.(*CommandResult)
	assert.Equal(t, "ok", res.Status)
	assert.True(t, res.Granted())
}

// TestEndpoints checks, for every documented operation, the request (method,
// path, query, headers, JSON body against the documented example) and the
// decoding of the documented response, with the shared resttest harness.
func TestEndpoints(t *testing.T) {
	cases := endpointCases()
	require.Len(t, cases, 23, "22 documented operations, geolocation tested with beacon and GPS")
	harness := resttest.Harness[*Client]{
		BaseURL:  testBase,
		Fixtures: filepath.Join("..", "testdata", "primis"),
		Headers:  map[string]string{"Accept": "application/json", "User-Agent": DefaultUserAgent},
		NewClient: func(t *testing.T, rt http.RoundTripper) *Client {
			c, err := New(WithBaseURL(testBase), WithPhoneID(testPhoneID), WithTokens(testJWT, testRefresh),
				WithHTTPClient(&http.Client{Transport: rt}), WithPassword("admin@example.com", "Admin1234"))
			require.NoError(t, err)
			return c
		},
	}
	converted := make([]resttest.Case[*Client], len(cases))
	for i, tc := range cases {
		status := tc.status
		if status == 0 {
			status = http.StatusOK
		}
		converted[i] = resttest.Case[*Client]{
			Name: tc.name, Method: tc.method, Path: tc.path, Request: tc.reqBody, Status: status, Response: tc.respBody,
			Headers: map[string]string{"Authorization": tc.auth},
			Call: func(ctx context.Context, c *Client) (any, error) {
				result, resp, err := tc.call(ctx, c)
				if err == nil {
					require.NotNil(t, resp)
					assert.Equal(t, status, resp.StatusCode)
					require.NotNil(t, result)
				}
				return result, err
			},
			Check: tc.check,
		}
	}
	harness.Run(t, converted)
}
