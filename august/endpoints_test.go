package august

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/doorkit/doorkit/access"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var (
	grantStart = time.Date(2025, 2, 15, 15, 0, 0, 0, time.FixedZone("CET", 3600)) // 14:00 UTC
	grantEnd   = time.Date(2025, 2, 16, 10, 0, 0, 0, time.UTC)
)

func loadCommand() PINCommand {
	return PINCommand{
		PIN: "048213", AccessType: AccessTemporary, AccessTimes: &AccessTimes{Start: grantStart, End: grantEnd},
		FirstName: "Grace", LastName: "Hopper", PartnerUserID: "booking-42",
	}
}

func TestLocksEndpoints(t *testing.T) {
	harness.Run(t, []endpointCase{
		{
			Name: "List", Method: "GET", Path: "/users/locks/mine", Response: "lock_list.json",
			Call: func(ctx context.Context, c *Client) (any, error) { v, _, err := c.Locks.List(ctx); return v, err },
			Check: func(t *testing.T, v any) {
				assert.Equal(t, []LockSummary{
					{LockID: "0B1C2D3E4F5061728394A5B6C7D8E9F0", LockName: "Garden Gate", UserType: "user", MacAddress: "D4:3A:11:22:33:55",
						HouseID: "a57f9bda-a0f3-4990-8567-aec391f13038", HouseName: "Harbour Street"},
					{LockID: testLockID, LockName: "Front Door", UserType: "superuser", MacAddress: "D4:3A:11:22:33:44",
						HouseID: "a57f9bda-a0f3-4990-8567-aec391f13038", HouseName: "Harbour Street"},
				}, v)
			},
		},
		{
			Name: "Get", Method: "GET", Path: "/locks/" + testLockID, Response: "lock_info.json",
			Call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.Locks.Get(ctx, testLockID)
				return v, err
			},
			Check: func(t *testing.T, v any) {
				l := v.(*Lock)
				assert.Equal(t, "Front Door", l.LockName)
				assert.Equal(t, 2, l.Type)
				assert.Equal(t, "Europe/Amsterdam", l.TimeZone)
				assert.InDelta(t, 0.73, l.Battery, 1e-9)
				assert.True(t, l.SupportsEntryCodes)
				assert.True(t, l.HasBridge())
				assert.True(t, l.BridgeOnline())
				assert.Equal(t, "8f0e2c1a-7d4b-4e7a-9c3e-5a6b7c8d9e0f", l.PubsubChannel)
				assert.Equal(t, LockLocked, l.LockStatus.Status.Normalize())
				assert.Equal(t, DoorClosed, l.LockStatus.DoorState.Normalize())
				assert.Equal(t, time.Date(2024, 3, 1, 9, 15, 22, 120e6, time.UTC), l.Created.Time)
				assert.JSONEq(t, `{}`, string(l.Keypad.Battery))
				assert.Equal(t, "Full", l.Keypad.BatteryLevel)
				assert.Equal(t, "superuser", l.Users[testUserID].UserType)
				assert.Equal(t, access.Secret("0123456789abcdef0123456789abcdef"), l.OfflineKeys.Loaded[0].Key)
				assert.Equal(t, 6120, l.BatteryInfo.LastChangeVoltage)
				assert.Equal(t, 90.0, l.GeofenceLimits["ios"].DebounceInterval)
				assert.NotContains(t, sprintAll(l), "remote-operate-secret-value")
			},
		},
		{
			Name: "Get offline", Method: "GET", Path: "/locks/" + testLockID, Response: "lock_info_offline.json",
			Call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.Locks.Get(ctx, testLockID)
				return v, err
			},
			Check: func(t *testing.T, v any) {
				l := v.(*Lock)
				assert.Equal(t, -1.0, l.Battery)
				assert.Equal(t, LockUnknown, l.LockStatus.Status.Normalize())
				assert.Equal(t, DoorState(""), l.LockStatus.DoorState)
				assert.False(t, l.HasBridge())
				assert.False(t, l.BridgeOnline())
				assert.True(t, l.Created.IsZero())
				assert.Equal(t, "2000-00-00T00:00:00.000Z", l.Created.Raw)
				assert.Equal(t, "null", string(l.Keypad.Battery))
				assert.Equal(t, "yale", l.HostLockInfo.Manufacturer)
				assert.NotNil(t, l.PINs)
			},
		},
		{
			Name: "Get with Accept-Version", Method: "GET", Path: "/locks/" + testLockID, Response: "lock_info.json",
			Headers: map[string]string{"Accept-Version": "3.0.0"},
			Call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.Locks.Get(ctx, testLockID, WithAPIVersion("3.0.0"))
				return v, err
			},
			Check: func(t *testing.T, v any) { assert.Equal(t, testLockID, v.(*Lock).LockID) },
		},
		{
			Name: "GetRaw", Method: "GET", Path: "/locks/" + testLockID, Response: "lock_info.json",
			Headers: map[string]string{"Accept-Version": "3.0.0"},
			Call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.Locks.GetRaw(ctx, testLockID, "3.0.0")
				return v, err
			},
			Check: func(t *testing.T, v any) { assert.Contains(t, string(v.(json.RawMessage)), `"undocumentedField"`) },
		},
		{
			Name: "GetStatus", Method: "GET", Path: "/locks/" + testLockID + "/status", Response: "lock_status.json",
			Call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.Locks.GetStatus(ctx, testLockID)
				return v, err
			},
			Check: func(t *testing.T, v any) {
				s := v.(*LockStatus)
				assert.Equal(t, LockLocked, s.Status.Normalize())
				assert.Equal(t, DoorClosed, s.DoorState.Normalize())
			},
		},
		{
			Name: "Delete soft", Method: "DELETE", Path: "/locks/" + testLockID, Query: "soft=1", Response: "message_success.json",
			Call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.Locks.Delete(ctx, testLockID, &DeleteOptions{Soft: true})
				return v, err
			},
			Check: func(t *testing.T, v any) { assert.Equal(t, &Result{Message: "success"}, v) },
		},
		{
			Name: "Delete hard", Method: "DELETE", Path: "/locks/" + testLockID, Query: "soft=0", Response: "message_success.json",
			Call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.Locks.Delete(ctx, testLockID, &DeleteOptions{})
				return v, err
			},
		},
		{
			Name: "AddUser", Method: "PUT", Path: "/locks/adduser/" + testLockID + "/7b14406f-6e5e-4539-9241-498262c20b44/manager",
			Request: "adduser_request.json", Response: "adduser_response.json",
			Call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.Locks.AddUser(ctx, testLockID, "7b14406f-6e5e-4539-9241-498262c20b44", UserTypeManager,
					AddUserRequest{Name: ptr("Grace Hopper"), Options: &AddUserOptions{IsUpdatingPermissions: true}, ReturnInvited: true})
				return v, err
			},
			Check: func(t *testing.T, v any) {
				assert.Equal(t, &AddUserResult{Message: "success", UserID: "7b14406f-6e5e-4539-9241-498262c20b44"}, v)
			},
		},
		{
			Name: "ChangeUserType", Method: "PUT", Path: "/locks/" + testLockID + "/" + testUserID + "/superuser", Response: "",
			Headers: map[string]string{"Content-Length": ""},
			Call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.Locks.ChangeUserType(ctx, testLockID, testUserID, UserTypeSuperuser)
				return v, err
			},
			Check: func(t *testing.T, v any) { assert.Equal(t, &Result{}, v) },
		},
		{
			Name: "RemoveUser", Method: "DELETE", Path: "/locks/" + testLockID + "/" + testUserID, Response: "message_success.json",
			Call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.Locks.RemoveUser(ctx, testLockID, testUserID)
				return v, err
			},
			Check: func(t *testing.T, v any) { assert.Equal(t, &Result{Message: "success"}, v) },
		},
	})
}

func TestPINsEndpoints(t *testing.T) {
	harness.Run(t, []endpointCase{
		{
			Name: "List", Method: "GET", Path: "/locks/" + testLockID + "/pins", Response: "pins_list.json",
			Call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.PINs.List(ctx, testLockID)
				return v, err
			},
			Check: func(t *testing.T, v any) {
				l := v.(*PINList)
				require.Len(t, l.Created, 1)
				p := l.Created[0]
				assert.Equal(t, access.Secret("048213"), p.PIN)
				assert.Equal(t, AccessTemporary, p.AccessType)
				assert.Equal(t, "booking-42", p.PartnerUserID)
				assert.Equal(t, time.Date(2025, 2, 16, 10, 0, 0, 0, time.UTC), p.AccessEndTime.Time)
				require.Len(t, l.ByState(PINLoaded), 2)
				assert.Equal(t, int64(646545456465161), l.Loaded[0].Slot)
				assert.Equal(t, AccessOneTime, l.Loaded[0].AccessType, `"one-time" decodes as oneTime`)
				assert.Equal(t, "VCAL", l.Loaded[0].AccessTimes)
				assert.Equal(t, "RRULE:FREQ=WEEKLY;BYDAY=MO,TU", l.Loaded[1].AccessRecurrence)
				assert.Empty(t, l.ByState(PINDisabled))
				all := l.All()
				require.Len(t, all, 4)
				assert.Equal(t, PINCreated, all[0].ListState)
				assert.Equal(t, PINDeleting, all[3].ListState)
				assert.NotContains(t, sprintAll(p), "048213")
				assert.NotContains(t, sprintAll(p), "partner-api-key")
			},
		},
		{
			Name: "Load", Method: "POST", Path: "/locks/" + testLockID + "/pins",
			Request: "pins_load_request.json", Response: "message_success.json",
			Call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.PINs.Load(ctx, testLockID, loadCommand(), testHookURL, &PINRules{LockType: 2, MinLength: 4, MaxLength: 6})
				return v, err
			},
			Check: func(t *testing.T, v any) { assert.Equal(t, &Result{Message: "success"}, v) },
		},
		{
			Name: "Send several", Method: "POST", Path: "/locks/" + testLockID + "/pins",
			Request: "pins_commands_request.json", Response: "message_success.json",
			Call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.PINs.Send(ctx, testLockID, PINCommandsRequest{Webhook: testHookURL, Commands: []PINCommand{
					{Action: PINActionLoad, PIN: "5550", AccessType: AccessRecurring,
						AccessTimes:      &AccessTimes{Start: time.Date(2025, 3, 3, 8, 0, 0, 0, time.UTC), End: time.Date(2025, 3, 3, 17, 0, 0, 0, time.UTC)},
						AccessRecurrence: "RRULE:FREQ=WEEKLY;BYDAY=MO,TU", FirstName: "Edsger", LastName: "Dijkstra", PartnerUserID: "staff-7"},
					{Action: PINActionLoad, PIN: "9090", AccessType: AccessAlways, FirstName: "Barbara", LastName: "Liskov", PartnerUserID: "staff-8"},
					{Action: PINActionLoad, PIN: "2468", AccessType: AccessOneTime,
						AccessTimes: &AccessTimes{Start: time.Date(2025, 3, 4, 10, 0, 0, 0, time.UTC), End: time.Date(2025, 3, 4, 12, 0, 0, 0, time.UTC)},
						FirstName:   "Ken", LastName: "Thompson", PartnerUserID: "visitor-9"},
					{Action: PINActionDisable, PIN: "1111"},
					{Action: PINActionDelete, PIN: "7391", UserID: testUserID},
				}})
				return v, err
			},
		},
		{
			Name: "Update", Method: "POST", Path: "/locks/" + testLockID + "/pins",
			Request: "pins_update_request.json", Response: "message_success.json",
			Call: func(ctx context.Context, c *Client) (any, error) {
				cmd := loadCommand()
				cmd.AccessTimes = &AccessTimes{Start: time.Date(2025, 2, 15, 16, 0, 0, 0, time.UTC), End: time.Date(2025, 2, 17, 10, 0, 0, 0, time.UTC)}
				v, _, err := c.PINs.Update(ctx, testLockID, cmd, testHookURL, nil)
				return v, err
			},
		},
		{
			Name: "Delete", Method: "POST", Path: "/locks/" + testLockID + "/pins",
			Request: `{"commands":[{"action":"delete","pin":"7391","userID":"` + testUserID + `"}],"webhook":"` + testHookURL + `"}`, Response: "message_success.json",
			Call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.PINs.Delete(ctx, testLockID, PINCommand{PIN: "7391", UserID: testUserID}, testHookURL)
				return v, err
			},
		},
		{
			Name: "Disable", Method: "POST", Path: "/locks/" + testLockID + "/pins",
			Request: `{"commands":[{"action":"disable","pin":"1111"}],"webhook":"` + testHookURL + `"}`, Response: "message_success.json",
			Call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.PINs.Disable(ctx, testLockID, PINCommand{PIN: "1111"}, testHookURL)
				return v, err
			},
		},
		{
			Name: "Enable", Method: "POST", Path: "/locks/" + testLockID + "/pins",
			Request: "pins_enable_request.json", Response: "message_success.json",
			Call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.PINs.Enable(ctx, testLockID, PINCommand{PIN: "1111"}, testHookURL)
				return v, err
			},
		},
		{
			Name: "Reserve", Method: "GET", Path: "/locks/" + testLockID + "/pin", Response: "pin_reserve.json",
			Call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.PINs.Reserve(ctx, testLockID)
				return v, err
			},
			Check: func(t *testing.T, v any) { assert.Equal(t, &ReservedPIN{PIN: "820341", Slot: 12}, v) },
		},
		{
			Name: "Release", Method: "DELETE", Path: "/locks/" + testLockID + "/pin/820341", Response: "message_success.json",
			Call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.PINs.Release(ctx, testLockID, "820341")
				return v, err
			},
		},
		{
			Name: "GetMaster", Method: "GET", Path: "/locks/" + testLockID + "/masterpin", Response: "masterpin.json",
			Call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.PINs.GetMaster(ctx, testLockID)
				return v, err
			},
			Check: func(t *testing.T, v any) {
				p := v.(*PIN)
				assert.Equal(t, access.Secret("135790"), p.PIN)
				assert.Equal(t, "master", p.Type)
				assert.Equal(t, AccessAlways, p.AccessType)
				assert.Equal(t, time.Date(2019, 8, 24, 14, 15, 22, 0, time.UTC), p.LoadedDate.Time)
			},
		},
		{
			Name: "SetMaster", Method: "PUT", Path: "/locks/" + testLockID + "/masterpin",
			Request: "masterpin_set_request.json", Response: "message_success.json",
			Call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.PINs.SetMaster(ctx, testLockID, SetMasterPINRequest{PIN: "135790", Webhook: testHookURL})
				return v, err
			},
		},
		{
			Name: "Transfer", Method: "PUT", Path: "/locks/" + testLockID + "/pins/transfer",
			Request: "pin_transfer_request.json", Response: "message_success.json",
			Call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.PINs.Transfer(ctx, testLockID, TransferPINRequest{OldUserID: testUserID, NewUserID: "7b14406f-6e5e-4539-9241-498262c20b44"})
				return v, err
			},
		},
	})
}

func TestRemoteOperateEndpoints(t *testing.T) {
	harness.Run(t, []endpointCase{
		{
			Name: "Sync", Method: "PUT", Path: "/remoteoperate/" + testLockID + "/unlock", Query: "retryLimit=2&type=sync",
			Response: "remoteoperate_sync.json", Headers: map[string]string{"Content-Type": "application/json"},
			Call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.RemoteOperate.Sync(ctx, testLockID, CommandUnlock, &RemoteOperateOptions{RetryLimit: 2})
				return v, err
			},
			Check: func(t *testing.T, v any) {
				r := v.(*OperateResult)
				assert.Equal(t, LockUnlocked, r.Status.Normalize())
				assert.Equal(t, DoorClosed, r.DoorState.Normalize())
				assert.Equal(t, "tx-7f1c", r.Info.Context.TransactionID)
				assert.Equal(t, int64(3120), r.Info.Duration)
				assert.Equal(t, int64(3131), r.TotalTime)
				assert.False(t, r.Pending)
			},
		},
		{
			Name: "Async", Method: "PUT", Path: "/remoteoperate/" + testLockID + "/lock", Query: "type=async", Status: 202,
			Call: func(ctx context.Context, c *Client) (any, error) {
				resp, err := c.RemoteOperate.Async(ctx, testLockID, CommandLock, nil)
				if err == nil {
					assert.Equal(t, 202, resp.StatusCode)
				}
				return resp, err
			},
		},
		{
			Name: "V2", Method: "PUT", Path: "/remoteoperate/" + testLockID + "/extendedfunction", Query: "notificationType=websocket&type=sync",
			Request: "remoteoperate_v2_request.json", Response: "remoteoperate_v2_response.json",
			Headers: map[string]string{"Accept-Version": RemoteOperateV2APIVersion},
			Call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.RemoteOperate.V2(ctx, testLockID, CommandExtendedFunction, RemoteOperateV2Request{
					ExtendedFunction: &ExtendedFunction{Function: "vacationMode"},
					NotificationType: "websocket",
				})
				return v, err
			},
			Check: func(t *testing.T, v any) {
				r := v.(*OperateResult)
				assert.Equal(t, "vacationMode", r.ExtendedFunction.Function)
				assert.Equal(t, true, r.ExtendedFunction.Info["enabled"])
				assert.Equal(t, "tx-v2", r.Info.Context.TransactionID)
				assert.False(t, r.Info.Context.StartTime.IsZero())
			},
		},
		{
			Name: "V2 async", Method: "PUT", Path: "/remoteoperate/" + testLockID + "/unlock", Query: "retryLimit=3&type=async", Status: 202,
			Request: `{"webhook":"` + testHookURL + `"}`,
			Headers: map[string]string{"Accept-Version": RemoteOperateV2APIVersion},
			Call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.RemoteOperate.V2(ctx, testLockID, CommandUnlock, RemoteOperateV2Request{Webhook: ptr(testHookURL), Async: true, RetryLimit: 3})
				return v, err
			},
			Check: func(t *testing.T, v any) { assert.True(t, v.(*OperateResult).Pending) },
		},
	})
}

func TestOtherEndpoints(t *testing.T) {
	harness.Run(t, []endpointCase{
		{
			Name: "GetCapabilities", Method: "GET", Path: "/devices/capabilities", Query: "serialNumber=L3FSW0ABCD&topLevelHost=true",
			Response: "capabilities.json",
			Call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.Devices.GetCapabilities(ctx, &CapabilitiesOptions{SerialNumber: "L3FSW0ABCD", TopLevelHost: ptr(true)})
				return v, err
			},
			Check: func(t *testing.T, v any) {
				c := v.(*Capabilities)
				assert.Equal(t, int64(21513600000), c.Lock.BatteryLifeMS)
				assert.Equal(t, 6, c.Keypad.PINLengthMax)
				assert.True(t, c.Doorbell.HasIntegratedBridge)
				assert.Equal(t, []string{"wifi"}, c.Connect.SetupTypeSupported)
			},
		},
		{
			Name: "Houses List", Method: "GET", Path: "/users/houses/mine", Response: "houses_mine.json",
			Call: func(ctx context.Context, c *Client) (any, error) { v, _, err := c.Houses.List(ctx, nil); return v, err },
			Check: func(t *testing.T, v any) {
				assert.Equal(t, "Harbour Street", v.([]House)[0].HouseName)
				assert.Equal(t, "home", v.([]House)[0].Type)
			},
		},
		{
			Name: "Houses List query", Method: "GET", Path: "/users/houses/mine",
			Query: "clientSerial=S1&hideIntegrationMode=true&houseID=a57f9bda-a0f3-4990-8567-aec391f13038", Response: "houses_mine.json",
			Call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.Houses.List(ctx, &HouseListOptions{HouseID: "a57f9bda-a0f3-4990-8567-aec391f13038", HideIntegrationMode: ptr(true), ClientSerial: "S1"})
				return v, err
			},
		},
		{
			Name: "Houses Get", Method: "GET", Path: "/houses/a57f9bda-a0f3-4990-8567-aec391f13038", Response: "house.json",
			Call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.Houses.Get(ctx, "a57f9bda-a0f3-4990-8567-aec391f13038")
				return v, err
			},
			Check: func(t *testing.T, v any) {
				assert.Equal(t, &HouseInfo{HouseName: "Harbour Street", Users: []string{"497f6eca-6276-4993-bfeb-53cbbbba6f08"}, Locks: []string{testLockID}}, v)
			},
		},
		{
			Name: "SubUsers.Create", Method: "POST", Path: "/partners/sub-user", Request: "subuser_request.json", Response: "subuser_token.json",
			Call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.SubUsers.Create(ctx, SubUserRequest{PartnerUserID: "booking-42", FirstName: "Grace", LastName: "Hopper"})
				return v, err
			},
			Check: func(t *testing.T, v any) {
				s := v.(*SubUserToken)
				assert.Equal(t, access.Secret("sub-user-access-token"), s.AccessToken)
				assert.True(t, s.UserCreated)
				assert.Equal(t, "7b14406f-6e5e-4539-9241-498262c20b44", s.UserID)
			},
		},
		{
			Name: "SubUsers.List", Method: "GET", Path: "/partners/sub-user", Query: "page=1&pageSize=2", Response: "subusers_page.json",
			Call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.SubUsers.List(ctx, &SubUserListOptions{Page: 1, PageSize: 2})
				return v, err
			},
			Check: func(t *testing.T, v any) {
				p := v.(*SubUserPage)
				assert.Equal(t, 3, p.TotalRecords)
				assert.Equal(t, 2, p.TotalPages)
				assert.Equal(t, "booking-42", p.SubUsers[0].PartnerUserID)
			},
		},
		{
			Name: "Logout", Method: "POST", Path: "/session/logout", Request: "logout_request.json", Response: "null",
			Call: func(ctx context.Context, c *Client) (any, error) {
				return c.Auth.Logout(ctx, LogoutRequest{APNSDeviceID: "61d45ae2-b358-49e3-8101-1cca8951fd48", InstallID: "b212f325-fa1f-4a84-bf0d-bdf1831e8eab"})
			},
		},
		{
			Name: "CreateSubscriber", Method: "POST", Path: "/websocket/subscribers", Request: "websocket_subscriber_request.json",
			Response: "websocket_subscriber.json",
			Call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.Websocket.CreateSubscriber(ctx, SubscriberRequest{Scopes: []string{ScopeLock}})
				return v, err
			},
			Check: func(t *testing.T, v any) {
				assert.Equal(t, &Subscriber{SubscriberID: "sub-01", Scopes: []string{"lock"}, ClientID: "partner-client",
					UserID: "851e2e94-fa56-400f-8cf5-5f891ab24b63"}, v)
			},
		},
		{
			Name: "GetSubscriber", Method: "GET", Path: "/websocket/subscribers/sub-01", Response: "websocket_subscriber.json",
			Call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.Websocket.GetSubscriber(ctx, "sub-01")
				return v, err
			},
			Check: func(t *testing.T, v any) { assert.Equal(t, "sub-01", v.(*Subscriber).SubscriberID) },
		},
		{
			Name: "DeleteSubscriber", Method: "DELETE", Path: "/websocket/subscribers/sub-01", Response: `{"message":"deleted"}`,
			Call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.Websocket.DeleteSubscriber(ctx, "sub-01")
				return v, err
			},
			Check: func(t *testing.T, v any) { assert.Equal(t, &Result{Message: "deleted"}, v) },
		},
		{
			Name: "Webhooks Register", Method: "POST", Path: "/webhook/" + testLockID, Request: "webhook_register_request.json",
			Response: "message_success.json",
			Call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.Webhooks.Register(ctx, testLockID, WebhookRequest{
					URL: testHookURL, Method: "POST", ClientID: "partner-client", Header: "X-Partner-Token", Token: "a-long-random-webhook-token",
					NotificationTypes: []NotificationType{NotifyOperation, NotifyBattery, NotifySystemStatus, NotifyConfiguration},
				})
				return v, err
			},
		},
		{
			Name: "Webhooks Delete", Method: "DELETE", Path: "/webhook/" + testLockID + "/partner-client", Response: "message_success.json",
			Call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.Webhooks.Delete(ctx, testLockID, "partner-client")
				return v, err
			},
		},
	})
}

func TestSubUsersAllPages(t *testing.T) {
	var pages []string
	rt := roundTripFunc(func(req *http.Request) (*http.Response, error) {
		pages = append(pages, req.URL.RawQuery)
		body := harness.Body(t, "subusers_page.json")
		if req.URL.Query().Get("page") == "2" {
			body = harness.Body(t, "subusers_page2.json")
		}
		return jsonResponse(req, 200, body), nil
	})
	c := newTestClient(t, rt)
	var ids []string
	for u, err := range c.SubUsers.All(context.Background(), 2) {
		require.NoError(t, err)
		ids = append(ids, u.PartnerUserID)
	}
	assert.Equal(t, []string{"booking-42", "booking-43", "staff-7"}, ids)
	assert.Equal(t, []string{"page=1&pageSize=2", "page=2&pageSize=2"}, pages)

	// Stopping early fetches no more pages.
	pages = nil
	for range c.SubUsers.All(context.Background(), 2) {
		break
	}
	assert.Len(t, pages, 1)
}
