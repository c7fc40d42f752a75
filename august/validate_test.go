package august

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/doorkit/doorkit/access"
	"github.com/stretchr/testify/assert"
)

// Bad input is refused with access.ErrInvalid before anything is sent.
func TestValidationBeforeSending(t *testing.T) {
	c := newTestClient(t, noRequests(t))
	ctx := context.Background()
	cmd := func(f func(*PINCommand)) PINCommand { p := loadCommand(); f(&p); return p }
	load := func(p PINCommand, rules *PINRules) error {
		_, _, err := c.PINs.Load(ctx, testLockID, p, testHookURL, rules)
		return err
	}
	hook := WebhookRequest{URL: testHookURL, ClientID: "partner-client", Header: "X-Token", Token: "0123456789abcdef",
		NotificationTypes: []NotificationType{NotifyOperation}}
	register := func(f func(*WebhookRequest)) error {
		r := hook
		f(&r)
		_, _, err := c.Webhooks.Register(ctx, testLockID, r)
		return err
	}
	cases := map[string]error{
		"lock id lower case": func() error { _, _, err := c.Locks.Get(ctx, strings.ToLower(testLockID)); return err }(),
		"lock id 31 chars":   func() error { _, _, err := c.Locks.Get(ctx, testLockID[:31]); return err }(),
		"lock id slash":      func() error { _, _, err := c.PINs.List(ctx, "6C608ED2DD47AB4B97249C8C7F88/BFD"); return err }(),
		"lock id empty":      func() error { _, _, err := c.Locks.GetStatus(ctx, ""); return err }(),
		"house id":           func() error { _, _, err := c.Houses.Get(ctx, "123"); return err }(),
		"house id query":     func() error { _, _, err := c.Houses.List(ctx, &HouseListOptions{HouseID: "../x"}); return err }(),
		"user id": func() error {
			_, _, err := c.Locks.RemoveUser(ctx, testLockID, "c3b3a94f-473z-61a3-a8d1-a6e99482787a")
			return err
		}(),
		"user type": func() error {
			_, _, err := c.Locks.AddUser(ctx, testLockID, testUserID, "owner", AddUserRequest{})
			return err
		}(),
		"add user name control": func() error {
			_, _, err := c.Locks.AddUser(ctx, testLockID, testUserID, UserTypeUser, AddUserRequest{Name: ptr("a\nb")})
			return err
		}(),
		"change type":        func() error { _, _, err := c.Locks.ChangeUserType(ctx, testLockID, testUserID, ""); return err }(),
		"PIN letters":        load(cmd(func(p *PINCommand) { p.PIN = "12a4" }), nil),
		"PIN short":          load(cmd(func(p *PINCommand) { p.PIN = "123" }), nil),
		"PIN long":           load(cmd(func(p *PINCommand) { p.PIN = "123456789" }), nil),
		"PIN lock length":    load(cmd(func(p *PINCommand) { p.PIN = "1234567" }), &PINRules{MinLength: 4, MaxLength: 6}),
		"PIN lock min":       load(cmd(func(p *PINCommand) { p.PIN = "1234" }), &PINRules{MinLength: 6, MaxLength: 6}),
		"type-1 temporary":   load(loadCommand(), &PINRules{LockType: 1}),
		"access type":        load(cmd(func(p *PINCommand) { p.AccessType = "one-time" }), nil),
		"access type empty":  load(cmd(func(p *PINCommand) { p.AccessType = "" }), nil),
		"temporary no times": load(cmd(func(p *PINCommand) { p.AccessTimes = nil }), nil),
		"delete without user": func() error {
			_, _, err := c.PINs.Delete(ctx, testLockID, PINCommand{PIN: "7391"}, testHookURL)
			return err
		}(),
		"end before start": load(cmd(func(p *PINCommand) {
			p.AccessTimes = &AccessTimes{Start: grantEnd, End: grantStart}
		}), nil),
		"sub-second window": load(cmd(func(p *PINCommand) {
			p.AccessTimes = &AccessTimes{Start: grantEnd, End: grantEnd.Add(500 * time.Millisecond)}
		}), nil),
		"always with times":  load(cmd(func(p *PINCommand) { p.AccessType = AccessAlways }), nil),
		"recurring no rrule": load(cmd(func(p *PINCommand) { p.AccessType = AccessRecurring }), nil),
		"load no first name": load(cmd(func(p *PINCommand) { p.FirstName = "" }), nil),
		"load no partner id": load(cmd(func(p *PINCommand) { p.PartnerUserID = " " }), nil),
		"no webhook":         func() error { _, _, err := c.PINs.Load(ctx, testLockID, loadCommand(), "", nil); return err }(),
		"relative webhook":   func() error { _, _, err := c.PINs.Load(ctx, testLockID, loadCommand(), "/hooks", nil); return err }(),
		"no commands": func() error {
			_, _, err := c.PINs.Send(ctx, testLockID, PINCommandsRequest{Webhook: testHookURL})
			return err
		}(),
		"bad action": func() error {
			_, _, err := c.PINs.Send(ctx, testLockID, PINCommandsRequest{Webhook: testHookURL, Commands: []PINCommand{{Action: "wipe", PIN: "1234"}}})
			return err
		}(),
		"duplicate command": func() error {
			_, _, err := c.PINs.Send(ctx, testLockID, PINCommandsRequest{Webhook: testHookURL, Commands: []PINCommand{loadCommand(), loadCommand()}})
			return err
		}(),
		"release PIN": func() error { _, _, err := c.PINs.Release(ctx, testLockID, "12/4"); return err }(),
		"master PIN": func() error {
			_, _, err := c.PINs.SetMaster(ctx, testLockID, SetMasterPINRequest{PIN: "x"})
			return err
		}(),
		"master http webhook": func() error {
			_, _, err := c.PINs.SetMaster(ctx, testLockID, SetMasterPINRequest{PIN: "1234", Webhook: "http://partner.example.com"})
			return err
		}(),
		"transfer ids": func() error {
			_, _, err := c.PINs.Transfer(ctx, testLockID, TransferPINRequest{OldUserID: testUserID, NewUserID: "x"})
			return err
		}(),
		"page size 0<": func() error {
			_, _, err := c.SubUsers.List(ctx, &SubUserListOptions{PageSize: 1001})
			return err
		}(),
		"page size <0": func() error { _, _, err := c.SubUsers.List(ctx, &SubUserListOptions{PageSize: -1}); return err }(),
		"page <0":      func() error { _, _, err := c.SubUsers.List(ctx, &SubUserListOptions{Page: -1}); return err }(),
		"all page size": func() error {
			for _, err := range c.SubUsers.All(ctx, 5000) {
				return err
			}
			return nil
		}(),
		"sub-user names": func() error {
			_, _, err := c.SubUsers.Create(ctx, SubUserRequest{PartnerUserID: "p", FirstName: "", LastName: "x"})
			return err
		}(),
		"logout ids": func() error {
			_, err := c.Auth.Logout(ctx, LogoutRequest{APNSDeviceID: "a", InstallID: "b"})
			return err
		}(),
		"no scopes": func() error { _, _, err := c.Websocket.CreateSubscriber(ctx, SubscriberRequest{}); return err }(),
		"bad scope": func() error {
			_, _, err := c.Websocket.CreateSubscriber(ctx, SubscriberRequest{Scopes: []string{"house"}})
			return err
		}(),
		"dup scope": func() error {
			_, _, err := c.Websocket.CreateSubscriber(ctx, SubscriberRequest{Scopes: []string{"lock", "lock"}})
			return err
		}(),
		"sub id":           func() error { _, _, err := c.Websocket.GetSubscriber(ctx, "../x"); return err }(),
		"webhook url":      register(func(r *WebhookRequest) { r.URL = "mailto:x" }),
		"webhook method":   register(func(r *WebhookRequest) { r.Method = "GET" }),
		"webhook header":   register(func(r *WebhookRequest) { r.Header = "X Token" }),
		"webhook token":    register(func(r *WebhookRequest) { r.Token = "short" }),
		"webhook types":    register(func(r *WebhookRequest) { r.NotificationTypes = nil }),
		"webhook type":     register(func(r *WebhookRequest) { r.NotificationTypes = []NotificationType{"pin"} }),
		"webhook client":   register(func(r *WebhookRequest) { r.ClientID = "a/b" }),
		"delete client id": func() error { _, _, err := c.Webhooks.Delete(ctx, testLockID, ""); return err }(),
		"raw version":      func() error { _, _, err := c.Locks.GetRaw(ctx, testLockID, ""); return err }(),
		"raw version v4":   func() error { _, _, err := c.Locks.GetRaw(ctx, testLockID, "v4"); return err }(),
		"API version CRLF": func() error {
			_, _, err := c.Locks.Get(ctx, testLockID, WithAPIVersion("4.0.0\r\nX-Injected: 1"))
			return err
		}(),
		"API version empty": func() error { _, _, err := c.Locks.GetStatus(ctx, testLockID, WithAPIVersion("")); return err }(),
	}
	for name, err := range cases {
		assert.ErrorIs(t, err, access.ErrInvalid, name)
	}
}

func TestPINRulesAndAccessTimes(t *testing.T) {
	assert.NoError(t, ValidatePIN("0000", nil))
	assert.NoError(t, ValidatePIN("12345678", nil))
	assert.NoError(t, ValidatePIN("123456", &PINRules{MinLength: 6, MaxLength: 6}))
	a := AccessTimes{Start: grantStart, End: grantEnd}
	assert.Equal(t, "DTSTART=2025-02-15T14:00:00Z;DTEND=2025-02-16T10:00:00Z", a.String())
	back, ok := ParseAccessTimes(a.String())
	assert.True(t, ok)
	assert.True(t, back.Start.Equal(grantStart) && back.End.Equal(grantEnd))
	_, ok = ParseAccessTimes("VCAL")
	assert.False(t, ok)
	assert.NoError(t, ValidateLockID(testLockID))
	assert.ErrorIs(t, ValidateLockID("ABC"), access.ErrInvalid)
	assert.ErrorIs(t, ValidateLockID(strings.ToLower(testLockID)), access.ErrInvalid)
}

func TestStateSpellings(t *testing.T) {
	for in, want := range map[DoorState]DoorState{
		"closed": DoorClosed, "kAugDoorState_Closed": DoorClosed, "kAugLockDoorState_Closed": DoorClosed,
		"open": DoorOpen, "kAugDoorState_Open": DoorOpen, "kAugLockDoorState_Open": DoorOpen,
		"init": DoorInit, "kAugDoorState_Init": DoorInit, "": "", "ajar": "ajar",
	} {
		assert.Equal(t, want, in.Normalize(), in)
	}
	for in, want := range map[LockState]LockState{
		"locked": LockLocked, "kAugLockState_Locked": LockLocked, "kAugLockState_Unlocked": LockUnlocked,
		"unlocked": LockUnlocked, "kAugLockState_Unlatched": LockUnlatched, "kAugLockState_Unlocking": LockUnlocking,
		"kAugLockState_SecureMode": LockSecureMode, "FAILED_BRIDGE_ERROR_LOCK_JAMMED": LockJammed,
		"unknown": LockUnknown, "kAugLockState_UnknownStaticPosition": LockUnknown,
		"unknown_error_during_connect": "unknown_error_during_connect", "not_advertising": "not_advertising", "": "",
	} {
		assert.Equal(t, want, in.Normalize(), in)
	}
}

func TestTimeDecoding(t *testing.T) {
	var v struct{ A, B, C, D, E Time }
	assert.NoError(t, jsonUnmarshal(`{"A":"2024-01-02T03:04:05.678Z","B":1582007218000,"C":"2000-00-00T00:00:00.447Z","D":null,"E":""}`, &v))
	assert.Equal(t, time.Date(2024, 1, 2, 3, 4, 5, 678e6, time.UTC), v.A.Time)
	assert.Equal(t, time.UnixMilli(1582007218000).UTC(), v.B.Time)
	assert.True(t, v.C.IsZero())
	assert.Equal(t, "2000-00-00T00:00:00.447Z", v.C.Raw)
	assert.True(t, v.D.IsZero() && v.E.IsZero())
}
