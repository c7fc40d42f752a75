package august

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"sort"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/internal/rest"
)

// LocksService covers locks: the caller's lock list, lock info and status,
// deleting a lock, and the users on a lock.
type LocksService service

// LockSummary is an entry of the caller's lock list. yalexs treats a lock as
// operable only when UserType is "superuser".
type LockSummary struct {
	LockID     string `json:"-"` // the list's key
	LockName   string `json:"LockName"`
	UserType   string `json:"UserType"`
	MacAddress string `json:"macAddress"`
	HouseID    string `json:"HouseID"`
	HouseName  string `json:"HouseName"`
	// UndecodedFields names the keys whose values had a type this model
	// does not expect; those fields are left at their zero value.
	UndecodedFields []string `json:"-"`
}

// UnmarshalJSON decodes a lock list entry field by field when a value has
// a type the model does not expect, so one such field does not cost the
// whole list (UndecodedFields names it).
func (s *LockSummary) UnmarshalJSON(b []byte) error {
	type plain LockSummary
	*s = LockSummary{}
	if json.Unmarshal(b, (*plain)(s)) == nil {
		return nil
	}
	*s = LockSummary{}
	var err error
	s.UndecodedFields, err = decodeLenient(b, s)
	return err
}

// Lock is lock info (Accept-Version 0.0.1). Every field is optional:
// recorded answers omit LockStatus, Bridge, timeZone, users and others,
// and carry many fields the rendered document does not list. Identifiers are
// plain strings; only lock ids sent to August are checked. A value of a
// type the model does not expect leaves its field zero and is named in
// UndecodedFields; the rest of the lock is kept.
type Lock struct {
	LockName               string              `json:"LockName"`
	Type                   int                 `json:"Type"` // lock model: 2, 3, 7, 17 (unlatch), 1001 (Yale), ...
	Created                Time                `json:"Created"`
	Updated                Time                `json:"Updated"`
	LockID                 string              `json:"LockID"`
	HouseID                string              `json:"HouseID"`
	HouseName              string              `json:"HouseName"`
	Calibrated             bool                `json:"Calibrated"`
	TimeZone               string              `json:"timeZone"` // IANA zone, e.g. "America/Vancouver"
	Battery                float64             `json:"battery"`  // 0..1; -1 when offline
	BatteryInfo            *BatteryInfo        `json:"batteryInfo,omitempty"`
	SupportsEntryCodes     bool                `json:"supportsEntryCodes"`
	RemoteOperateSecret    access.Secret       `json:"remoteOperateSecret,omitempty"`
	HomeKitSetupPayload    access.Secret       `json:"HomeKitSetupPayload,omitempty"`
	SkuNumber              string              `json:"skuNumber"`
	MacAddress             string              `json:"macAddress"`
	SerialNumber           string              `json:"SerialNumber"`
	HostHardwareID         string              `json:"hostHardwareID,omitempty"`
	LockStatus             *LockStatus         `json:"LockStatus,omitempty"`
	CurrentFirmwareVersion string              `json:"currentFirmwareVersion"`
	HomeKitEnabled         bool                `json:"homeKitEnabled"`
	ZWaveEnabled           bool                `json:"zWaveEnabled"`
	ZWaveDSK               access.Secret       `json:"zWaveDSK,omitempty"`
	IsGalileo              bool                `json:"isGalileo"`
	Bridge                 *Bridge             `json:"Bridge,omitempty"`
	Keypad                 *Keypad             `json:"keypad,omitempty"`
	HostLockInfo           *HostLockInfo       `json:"hostLockInfo,omitempty"`
	OfflineKeys            *OfflineKeys        `json:"OfflineKeys,omitempty"`
	ParametersToSet        json.RawMessage     `json:"parametersToSet,omitempty"`
	Users                  map[string]LockUser `json:"users,omitempty"`
	Invitations            []json.RawMessage   `json:"invitations,omitempty"`
	PubsubChannel          string              `json:"pubsubChannel"` // the document's "pubsubCHannel" is never sent
	RuleHash               json.RawMessage     `json:"ruleHash,omitempty"`
	Cameras                []json.RawMessage   `json:"cameras,omitempty"`
	GeofenceLimits         map[string]Geofence `json:"geofenceLimits,omitempty"` // by platform: ios, android
	Module                 *LockModule         `json:"module,omitempty"`
	AccessSchedulesAllowed bool                `json:"accessSchedulesAllowed"`
	DoorStateOpenTimeout   int                 `json:"doorStateOpenTimeout,omitempty"` // seconds
	WAHub                  *WAHub              `json:"waHub,omitempty"`
	RemoteAdapter          *RemoteAdapter      `json:"remoteAdapter,omitempty"`
	PINs                   *PINList            `json:"pins,omitempty"`

	// UndecodedFields names the keys of lock info whose values had a type
	// this model does not expect, dotted inside nested objects
	// ("Bridge.status"); those fields are left at their zero value.
	UndecodedFields []string `json:"-"`

	// entryCodesOmitted: lock info had no supportsEntryCodes (recorded
	// answers of locks with a paired keypad omit it).
	entryCodesOmitted bool
}

// UnmarshalJSON decodes lock info, field by field when a value has a type
// the model does not expect (see UndecodedFields), and notes whether
// supportsEntryCodes was said at all.
func (l *Lock) UnmarshalJSON(b []byte) error {
	type plain Lock
	*l = Lock{}
	aux := struct {
		*plain
		EntryCodes *bool `json:"supportsEntryCodes"`
	}{plain: (*plain)(l)}
	if json.Unmarshal(b, &aux) == nil {
		l.SupportsEntryCodes = aux.EntryCodes != nil && *aux.EntryCodes
		l.entryCodesOmitted = aux.EntryCodes == nil
		return nil
	}
	*l = Lock{}
	undecoded, err := decodeLenient(b, l)
	if err != nil {
		return err
	}
	l.UndecodedFields = undecoded
	var keys map[string]json.RawMessage
	_ = json.Unmarshal(b, &keys) // b is an object: decodeLenient read it
	l.entryCodesOmitted = keys["supportsEntryCodes"] == nil || string(keys["supportsEntryCodes"]) == "null"
	return nil
}

// TakesEntryCodes reports whether the lock takes PINs (entry codes): lock
// info says supportsEntryCodes true, or does not say it at all and a
// keypad is paired. The recorded answers of locks with an August smart
// keypad omit the flag, and PIN management needs a keypad (a Yale lock's
// built-in one, or a paired smart keypad), so a paired keypad is the
// evidence; without the flag and without a keypad there is none.
// supportsEntryCodes false is August's own word and wins over a keypad.
func (l *Lock) TakesEntryCodes() bool {
	return l.SupportsEntryCodes || (l.entryCodesOmitted && l.Keypad != nil)
}

// HasBridge reports whether the lock has a bridge (Wi-Fi Connect, a
// doorbell or a built-in one), which remote operate and PIN commands need.
// It says what the lock supports; whether the bridge can be reached now is
// BridgeOnline.
func (l *Lock) HasBridge() bool { return l.Bridge != nil }

// BridgeOnline reports whether the lock's bridge can be reached now: it is
// operative and its status, where it reports one (older bridges do not),
// is online. A bridge that is not operative, or says it is offline, is not.
func (l *Lock) BridgeOnline() bool {
	if l.Bridge == nil || !l.Bridge.Operative {
		return false
	}
	return l.Bridge.Status == nil || l.Bridge.Status.Current == "" || l.Bridge.Status.Current == "online"
}

// LockStatus is a lock's last known state. In lock info it may be missing,
// be {"status":"unknown"} alone, lack doorState, or have it "".
type LockStatus struct {
	Status              LockState `json:"status"`
	DoorState           DoorState `json:"doorState,omitempty"`
	DateTime            Time      `json:"dateTime"`
	IsLockStatusChanged bool      `json:"isLockStatusChanged"`
	Valid               bool      `json:"valid"`
}

// BatteryInfo details the lock's battery.
type BatteryInfo struct {
	Level             float64 `json:"level"`
	WarningState      string  `json:"warningState"`
	InfoUpdatedDate   Time    `json:"infoUpdatedDate"`
	LastChangeDate    Time    `json:"lastChangeDate"`
	LastChangeVoltage int     `json:"lastChangeVoltage"`
	State             string  `json:"state,omitempty"` // localised, e.g. "Mittel"
	Icon              string  `json:"icon,omitempty"`
}

// Bridge is the lock's bridge (Connect, doorbell, built-in Wi-Fi).
type Bridge struct {
	ID              string        `json:"_id"`
	MfgBridgeID     string        `json:"mfgBridgeID"`
	DeviceModel     string        `json:"deviceModel"`
	FirmwareVersion string        `json:"firmwareVersion"`
	Operative       bool          `json:"operative"`
	Status          *DeviceStatus `json:"status,omitempty"`
	HyperBridge     bool          `json:"hyperBridge"`
	Locks           []BridgeLock  `json:"locks,omitempty"`
}

// DeviceStatus is the connection state of a bridge or hub.
type DeviceStatus struct {
	Current     string `json:"current"` // online, offline, ...
	LastOnline  Time   `json:"lastOnline"`
	Updated     Time   `json:"updated"`
	LastOffline Time   `json:"lastOffline"`
}

// BridgeLock is a lock served by a bridge.
type BridgeLock struct {
	ID         string `json:"_id"`
	MacAddress string `json:"macAddress"`
	LockID     string `json:"LockID"`
}

// Keypad is the lock's smart keypad. Battery is {} or null in recorded
// answers and kept undecoded; BatteryLevel is Full, Medium or Low.
type Keypad struct {
	ID                     string          `json:"_id"`
	SerialNumber           string          `json:"serialNumber"`
	LockID                 string          `json:"lockID"`
	CurrentFirmwareVersion string          `json:"currentFirmwareVersion"`
	Battery                json.RawMessage `json:"battery,omitempty"`
	BatteryLevel           string          `json:"batteryLevel"`
	BatteryRaw             int             `json:"batteryRaw"`
}

// HostLockInfo describes the host lock of a module (Yale locks, Type 1001).
type HostLockInfo struct {
	SerialNumber  string `json:"serialNumber"`
	Manufacturer  string `json:"manufacturer"`
	ProductID     int    `json:"productID"`
	ProductTypeID int    `json:"productTypeID"`
}

// OfflineKeys are the lock's Bluetooth keys, by state.
type OfflineKeys struct {
	Created   []OfflineKey `json:"created,omitempty"`
	Loaded    []OfflineKey `json:"loaded,omitempty"`
	Deleted   []OfflineKey `json:"deleted,omitempty"`
	LoadedHK  []OfflineKey `json:"loadedhk,omitempty"`
	CreatedHK []OfflineKey `json:"createdhk,omitempty"`
}

// OfflineKey is one Bluetooth key; Key is a secret.
type OfflineKey struct {
	UserID  string        `json:"UserID"`
	Slot    int64         `json:"slot"`
	Key     access.Secret `json:"key,omitempty"`
	Created Time          `json:"created"`
	Loaded  Time          `json:"loaded"`
}

// LockUser is a user in lock info's users map, keyed by user id.
type LockUser struct {
	UserType     string          `json:"UserType"` // user, manager, superuser
	FirstName    string          `json:"FirstName"`
	LastName     string          `json:"LastName"`
	Identifiers  []string        `json:"identifiers,omitempty"` // "email:...", "phone:..."
	Notification string          `json:"notification,omitempty"`
	ImageInfo    json.RawMessage `json:"imageInfo,omitempty"`
}

// Geofence holds a platform's geofence limits.
type Geofence struct {
	DebounceInterval       float64 `json:"debounceInterval"`
	GPSAccuracyMultiplier  float64 `json:"gpsAccuracyMultiplier"`
	MaximumGeofence        float64 `json:"maximumGeofence"`
	MinimumGeofence        float64 `json:"minimumGeofence"`
	MinGPSAccuracyRequired float64 `json:"minGPSAccuracyRequired"`
}

// LockModule is the lock's module.
type LockModule struct {
	Status string `json:"status"`
	Type   string `json:"type"`
}

// WAHub is the lock's hub.
type WAHub struct {
	HubID        string        `json:"hubID"`
	SerialNumber string        `json:"serialNumber"`
	SystemID     string        `json:"systemID"`
	Status       *DeviceStatus `json:"status,omitempty"`
}

// RemoteAdapter is the lock's remote adapter.
type RemoteAdapter struct {
	DeviceID   string `json:"deviceID"`
	DeviceType string `json:"deviceType"`
	Usages     string `json:"usages"`
	SystemID   string `json:"systemID"`
}

// List returns the caller's locks, sorted by lock id. August answers an
// object keyed by lock id (CONFIRMED in open clients; not in the rendered
// document).
//
// GET /users/locks/mine
func (s *LocksService) List(ctx context.Context, opts ...CallOption) ([]LockSummary, *Response, error) {
	m, resp, err := do[map[string]LockSummary](ctx, s.client.api, apply(rest.Get(routeLocksMine), opts))
	if err != nil {
		return nil, resp, err
	}
	out := make([]LockSummary, 0, len(m))
	for id, l := range m {
		l.LockID = id
		out = append(out, l)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].LockID < out[j].LockID })
	return out, resp, nil
}

// Get returns lock info. The API version selects the answer's shape: Lock
// reads the 0.0.1 shape (the default); for another version, pass
// WithAPIVersion and read what Lock does not model with GetRaw.
//
// GET /locks/:lockID
func (s *LocksService) Get(ctx context.Context, lockID string, opts ...CallOption) (*Lock, *Response, error) {
	if err := checkLockID(lockID); err != nil {
		return nil, nil, err
	}
	return do[*Lock](ctx, s.client.api, apply(rest.Get(routeLock, lockID), opts))
}

// GetRaw returns lock info undecoded, for API versions whose shape Lock
// does not model (August documents a different shape for newer versions
// without publishing it).
//
// GET /locks/:lockID
func (s *LocksService) GetRaw(ctx context.Context, lockID, apiVersion string) (json.RawMessage, *Response, error) {
	if err := checkLockID(lockID); err != nil {
		return nil, nil, err
	}
	return do[json.RawMessage](ctx, s.client.api, apply(rest.Get(routeLock, lockID), []CallOption{WithAPIVersion(apiVersion)}))
}

// GetStatus returns the lock's current state (CONFIRMED in open clients;
// August answers 409 for a lock without a Wi-Fi bridge).
//
// GET /locks/:lockID/status
func (s *LocksService) GetStatus(ctx context.Context, lockID string, opts ...CallOption) (*LockStatus, *Response, error) {
	if err := checkLockID(lockID); err != nil {
		return nil, nil, err
	}
	return do[*LockStatus](ctx, s.client.api, apply(rest.Get(routeLockStatus, lockID), opts))
}

// DeleteOptions are the query of Delete.
type DeleteOptions struct {
	// Soft deletes the lock from the system without a factory reset
	// (soft=1); false sends soft=0.
	Soft bool
}

// Delete deletes a lock from the system (also known as factory resetting
// it); with Soft, only from the system.
//
// DELETE /locks/:lockID
func (s *LocksService) Delete(ctx context.Context, lockID string, opts *DeleteOptions, callOpts ...CallOption) (*Result, *Response, error) {
	if err := checkLockID(lockID); err != nil {
		return nil, nil, err
	}
	call := rest.Delete(routeLock, lockID)
	if opts != nil {
		soft := "0"
		if opts.Soft {
			soft = "1"
		}
		call.WithQuery(url.Values{"soft": {soft}})
	}
	return do[*Result](ctx, s.client.api, apply(call, callOpts))
}

// UserType is a user's role on a lock.
type UserType string

// User types of a lock.
const (
	UserTypeUser      UserType = "user"
	UserTypeManager   UserType = "manager"
	UserTypeSuperuser UserType = "superuser"
)

func (t UserType) check() error {
	switch t {
	case UserTypeUser, UserTypeManager, UserTypeSuperuser:
		return nil
	}
	return access.Invalid("type", fmt.Sprintf("%q is not user, manager or superuser", t))
}

// AddUserRequest is the body of AddUser.
type AddUserRequest struct {
	Name          *string         `json:"Name"` // may be null
	Options       *AddUserOptions `json:"options,omitempty"`
	ReturnInvited bool            `json:"returnInvited,omitempty"` // answer with the invited user's id
}

// AddUserOptions are the options of AddUserRequest.
type AddUserOptions struct {
	IsUpdatingPermissions bool `json:"isUpdatingPermissions"`
}

// AddUserResult is the answer of AddUser. UserID is filled when
// ReturnInvited was set; its key ("userId") is INFERRED.
type AddUserResult struct {
	Message string `json:"message"`
	UserID  string `json:"userId,omitempty"`
}

// AddUser adds a user to a lock with a type. The caller must be a manager or
// superuser on the lock. Adding the same user again is harmless, so the
// request may be retried.
//
// PUT /locks/adduser/:lockID/:otherUserID/:type
func (s *LocksService) AddUser(ctx context.Context, lockID, otherUserID string, userType UserType, req AddUserRequest, opts ...CallOption) (*AddUserResult, *Response, error) {
	if err := checkLockUser(lockID, otherUserID, userType); err != nil {
		return nil, nil, err
	}
	if req.Name != nil {
		if err := checkText("Name", *req.Name, false); err != nil {
			return nil, nil, err
		}
	}
	call := rest.Put(routeLockAddUser, lockID, otherUserID, string(userType)).WithBody(req)
	return do[*AddUserResult](ctx, s.client.api, apply(call, opts))
}

// ChangeUserType changes the type of a user already on a lock; superusers
// only.
//
// PUT /locks/:lockID/:otherUserID/:type
func (s *LocksService) ChangeUserType(ctx context.Context, lockID, otherUserID string, userType UserType, opts ...CallOption) (*Result, *Response, error) {
	if err := checkLockUser(lockID, otherUserID, userType); err != nil {
		return nil, nil, err
	}
	call := rest.Put(routeLockUserType, lockID, otherUserID, string(userType)).EmptyBody()
	return doResult(ctx, s.client.api, apply(call, opts))
}

// RemoveUser removes a user from a lock (a related route, not in the
// rendered document).
//
// DELETE /locks/:lockID/:otherUserID
func (s *LocksService) RemoveUser(ctx context.Context, lockID, otherUserID string, opts ...CallOption) (*Result, *Response, error) {
	if err := checkLockID(lockID); err != nil {
		return nil, nil, err
	}
	if err := checkUUID("otherUserID", otherUserID); err != nil {
		return nil, nil, err
	}
	return doResult(ctx, s.client.api, apply(rest.Delete(routeLockUser, lockID, otherUserID), opts))
}

func checkLockUser(lockID, userID string, t UserType) error {
	if err := checkLockID(lockID); err != nil {
		return err
	}
	if err := checkUUID("otherUserID", userID); err != nil {
		return err
	}
	return t.check()
}
