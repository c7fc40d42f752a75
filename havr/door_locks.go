package havr

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/internal/rest"
)

// DoorLocksService covers door locks: listing, activation, settings,
// ownership, K tokens and status.
type DoorLocksService service

// DoorLock is a Havr smart lock.
type DoorLock struct {
	ID                ID                `json:"id"`
	LockSerialNumber  string            `json:"lock_serial_number"`
	Description       string            `json:"description"` // the lock's name, at most 40 characters
	UserID            ID                `json:"user_id"`     // the owner
	LisaToken         access.Secret     `json:"lisa_token"`  // identifies the lock to phones
	ExistingStatus    ExistingStatus    `json:"existing_status"`
	SecondaryType     SecondaryType     `json:"secondary_type,omitempty"`
	NbUsers           int               `json:"nb_users"`
	ConfirmationLevel ConfirmationLevel `json:"confirmation_level"`
	LockGroupID       ID                `json:"lock_group_id,omitempty"`
	BatteryLevel      int               `json:"battery_level"`
	LastKTokenID      string            `json:"last_k_token_id"`
	Mode              LockMode          `json:"mode,omitempty"`
}

// SecondaryType says which door a lock is on.
type SecondaryType string

// Secondary types.
const (
	SecondaryMain   SecondaryType = "main"
	SecondaryFront  SecondaryType = "front"
	SecondaryBack   SecondaryType = "back"
	SecondaryGarage SecondaryType = "garage"
	SecondaryRoom   SecondaryType = "room"
)

func (t SecondaryType) validate() error {
	switch t {
	case SecondaryMain, SecondaryFront, SecondaryBack, SecondaryGarage, SecondaryRoom:
		return nil
	}
	return access.Invalid("SecondaryType", fmt.Sprintf("%q is not main, front, back, garage or room", t))
}

// ConfirmationLevel says which accesses the owner must confirm.
type ConfirmationLevel int

// Confirmation levels 0..3.
const (
	ConfirmNone      ConfirmationLevel = 0 // all accesses are given without confirmation
	ConfirmAdmin     ConfirmationLevel = 1 // admin accesses need the owner's confirmation
	ConfirmUnlimited ConfirmationLevel = 2 // admin and unlimited accesses need it
	ConfirmAll       ConfirmationLevel = 3 // all accesses need it
)

func (l ConfirmationLevel) validate() error {
	if l < ConfirmNone || l > ConfirmAll {
		return access.Invalid("ConfirmationLevel", fmt.Sprintf("%d is not between 0 and 3", l))
	}
	return nil
}

// LockMode tells whether a lock works offline.
type LockMode string

// Lock modes.
const (
	ModeNormal  LockMode = "normal"
	ModeOffline LockMode = "offline"
)

// validateDoorLockID rejects the zero id, which no lock has: sending it
// would only earn a door_lock_does_not_exist from the server.
func validateDoorLockID(field string, id ID) error {
	if id <= 0 {
		return access.Invalid(field, "is required")
	}
	return nil
}

// validateDoorLockIDs rejects an empty list and zero ids.
func validateDoorLockIDs(field string, ids []ID) error {
	if len(ids) == 0 {
		return access.Invalid(field, "at least one id is required")
	}
	for i, id := range ids {
		if err := validateDoorLockID(fmt.Sprintf("%s[%d]", field, i), id); err != nil {
			return err
		}
	}
	return nil
}

// List returns the door locks of the current user.
//
// GET /v1/door_locks
func (s *DoorLocksService) List(ctx context.Context) ([]DoorLock, *Response, error) {
	return do[[]DoorLock](ctx, s.client.api, rest.Get("v1/door_locks"))
}

// DoorLocksWithLockGroups is the current user's door locks and lock groups.
type DoorLocksWithLockGroups struct {
	LockGroups []LockGroup `json:"lock_groups"`
	DoorLocks  []DoorLock  `json:"door_locks"`
}

// ListWithLockGroups returns the door locks of the current user with all of
// the user's lock groups.
//
// GET /v1/door_locks/index_with_lock_groups
func (s *DoorLocksService) ListWithLockGroups(ctx context.Context) (*DoorLocksWithLockGroups, *Response, error) {
	return do[*DoorLocksWithLockGroups](ctx, s.client.api, rest.Get("v1/door_locks/index_with_lock_groups"))
}

// Get returns a door lock.
//
// GET /v1/door_locks/:door_lock_id
func (s *DoorLocksService) Get(ctx context.Context, doorLockID ID) (*DoorLock, *Response, error) {
	return do[*DoorLock](ctx, s.client.api, rest.Get("v1/door_locks/%v", doorLockID))
}

// DoorLockWithLockGroup is a door lock and its lock group (the document
// writes the second key "lock_group with a missing quote).
type DoorLockWithLockGroup struct {
	DoorLock DoorLock `json:"door_lock"`
	// LockGroup is nil when the answer carries none.
	LockGroup *LockGroup `json:"lock_group"`
}

// GetWithLockGroup returns a door lock with its lock group.
//
// GET /v1/door_locks/show_with_lock_group/:door_lock_id
func (s *DoorLocksService) GetWithLockGroup(ctx context.Context, doorLockID ID) (*DoorLockWithLockGroup, *Response, error) {
	return do[*DoorLockWithLockGroup](ctx, s.client.api, rest.Get("v1/door_locks/show_with_lock_group/%v", doorLockID))
}

// doorLockSerial is the {"lock_serial_number": ...} body several calls send.
type doorLockSerial struct {
	LockSerialNumber string `json:"lock_serial_number"`
}

func validateSerial(serial string) error {
	if serial == "" {
		return access.Invalid("LockSerialNumber", "is required")
	}
	return nil
}

// IsSerialNumberValid reports whether a serial number belongs to an existing
// door lock that is waiting for activation.
//
// POST /v1/door_locks/serial_number_valid
func (s *DoorLocksService) IsSerialNumberValid(ctx context.Context, lockSerialNumber string) (bool, *Response, error) {
	if err := validateSerial(lockSerialNumber); err != nil {
		return false, nil, err
	}
	body := wrap("door_lock", doorLockSerial{lockSerialNumber})
	out, resp, err := do[struct {
		Valid bool `json:"serial_number_is_valid"`
	}](ctx, s.client.api, rest.Post("v1/door_locks/serial_number_valid").WithBody(body).Idempotent())
	return out.Valid, resp, err
}

// DoorLockFirmwareUpdate tells whether a firmware update is available for a
// door lock.
type DoorLockFirmwareUpdate struct {
	DoorLockID              ID   `json:"door_lock_id"`
	FirmwareAvailableUpdate bool `json:"firmware_available_update"`
}

// CheckAvailableUpdates tells, for each door lock the current user owns,
// whether a firmware update is available.
//
// GET /v1/door_locks/check_available_update_owned_door_locks
func (s *DoorLocksService) CheckAvailableUpdates(ctx context.Context) ([]DoorLockFirmwareUpdate, *Response, error) {
	return do[[]DoorLockFirmwareUpdate](ctx, s.client.api, rest.Get("v1/door_locks/check_available_update_owned_door_locks"))
}

// CheckAvailableUpdate tells whether a firmware update is available for one
// owned door lock. The document gives a single example, a list, for both
// forms of this request, so the answer is read as a list (expected to hold
// the one lock).
//
// GET /v1/door_locks/check_available_update_owned_door_locks/:door_lock_id
func (s *DoorLocksService) CheckAvailableUpdate(ctx context.Context, doorLockID ID) ([]DoorLockFirmwareUpdate, *Response, error) {
	return do[[]DoorLockFirmwareUpdate](ctx, s.client.api, rest.Get("v1/door_locks/check_available_update_owned_door_locks/%v", doorLockID))
}

// DoorLockSettingsCode is the content of a door lock's set-up QR code: the
// base64 of a JSON object holding the lock's WiFi credentials and activation
// token (see DoorLockSettings). It is a Secret because it carries them.
type DoorLockSettingsCode struct {
	Base64 access.Secret `json:"base64"`
}

// Decode decodes the settings the code carries.
func (c DoorLockSettingsCode) Decode() (DoorLockSettings, error) {
	return DecodeDoorLockSettings(c.Base64.Reveal())
}

// DoorLockSettings are the decoded settings of a door lock's QR code.
type DoorLockSettings struct {
	SSID            string        `json:"ssid"`
	Password        access.Secret `json:"password"` // the lock's WiFi password
	SerialNumber    string        `json:"serial_number"`
	ActivationToken access.Secret `json:"activation_token"`
}

// DecodeDoorLockSettings decodes the base64 settings of a door lock's QR
// code (DoorLockSettingsCode.Base64). It accepts standard and URL-safe
// base64, padded or not; errors never quote the content, which is secret.
func DecodeDoorLockSettings(b64 string) (DoorLockSettings, error) {
	var settings DoorLockSettings
	b64 = strings.TrimSpace(b64)
	if b64 == "" {
		return settings, fmt.Errorf("havr: door lock settings: empty code")
	}
	var raw []byte
	var err error
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if raw, err = enc.DecodeString(b64); err == nil {
			break
		}
	}
	if err != nil {
		return settings, fmt.Errorf("havr: door lock settings are not base64")
	}
	if err := json.Unmarshal(raw, &settings); err != nil {
		return settings, fmt.Errorf("havr: door lock settings are not a JSON object of settings")
	}
	return settings, nil
}

// GetSettings returns the settings to embed in a door lock's set-up QR code,
// still encoded; DoorLockSettingsCode.Decode reads them. The document names
// no parameter for this request (though its errors concern one lock), so
// none is sent; Client.NewRequest and Client.Do can send one if needed.
//
// POST /v1/door_locks/retrieve_settings
func (s *DoorLocksService) GetSettings(ctx context.Context) (*DoorLockSettingsCode, *Response, error) {
	return do[*DoorLockSettingsCode](ctx, s.client.api, rest.Post("v1/door_locks/retrieve_settings").Idempotent())
}

// DoorLockWiFiConfiguration is a door lock's WiFi credentials.
type DoorLockWiFiConfiguration struct {
	SSID     string        `json:"ssid"`
	Password access.Secret `json:"password"`
}

// GetWiFiConfiguration returns a door lock's WiFi credentials. The
// document names no parameter for this request (though its errors concern
// one lock), so none is sent.
//
// GET /v1/door_locks/retrieve_lock_configurations
func (s *DoorLocksService) GetWiFiConfiguration(ctx context.Context) (*DoorLockWiFiConfiguration, *Response, error) {
	return do[*DoorLockWiFiConfiguration](ctx, s.client.api, rest.Get("v1/door_locks/retrieve_lock_configurations"))
}

// DoorLockActivationTokenRequest names a door lock and the activation token
// found in its documentation.
type DoorLockActivationTokenRequest struct {
	LockSerialNumber string        `json:"lock_serial_number"`
	ActivationToken  access.Secret `json:"activation_token"`
}

// IsActivationTokenValid reports whether an activation token belongs to an
// existing door lock that is waiting for activation.
//
// POST /v1/door_locks/activation_token_valid
func (s *DoorLocksService) IsActivationTokenValid(ctx context.Context, req DoorLockActivationTokenRequest) (bool, *Response, error) {
	if err := validateSerial(req.LockSerialNumber); err != nil {
		return false, nil, err
	}
	if req.ActivationToken == "" {
		return false, nil, access.Invalid("ActivationToken", "is required")
	}
	out, resp, err := do[struct {
		Valid bool `json:"activation_token_is_valid"`
	}](ctx, s.client.api, rest.Post("v1/door_locks/activation_token_valid").WithBody(wrap("door_lock", req)).Idempotent())
	return out.Valid, resp, err
}

// StartInstallation sets the installation start date of a door lock to
// now. The document answers "201 no_content" and shows no body.
//
// POST /v1/door_locks/start_installation
func (s *DoorLocksService) StartInstallation(ctx context.Context, lockSerialNumber string) (*Response, error) {
	if err := validateSerial(lockSerialNumber); err != nil {
		return nil, err
	}
	body := wrap("door_lock", doorLockSerial{lockSerialNumber})
	return send(ctx, s.client.api, rest.Post("v1/door_locks/start_installation").WithBody(body))
}

// DoorLockUpdate changes a door lock; nil fields are left as they are.
type DoorLockUpdate struct {
	Description       *string            `json:"description,omitempty"` // at most 40 characters
	ConfirmationLevel *ConfirmationLevel `json:"confirmation_level,omitempty"`
	SecondaryType     *SecondaryType     `json:"secondary_type,omitempty"`
}

func (u DoorLockUpdate) validate() error {
	// An empty description is sent: the document only bounds its length.
	if u.Description != nil {
		if err := validateDescription("Description", *u.Description); err != nil {
			return err
		}
	}
	if u.ConfirmationLevel != nil {
		if err := u.ConfirmationLevel.validate(); err != nil {
			return err
		}
	}
	if u.SecondaryType != nil {
		return u.SecondaryType.validate()
	}
	return nil
}

// Update changes a door lock's name, confirmation level or secondary type.
//
// PATCH /v1/door_locks/:door_lock_id
func (s *DoorLocksService) Update(ctx context.Context, doorLockID ID, req DoorLockUpdate) (*DoorLock, *Response, error) {
	if err := req.validate(); err != nil {
		return nil, nil, err
	}
	return do[*DoorLock](ctx, s.client.api, rest.Patch("v1/door_locks/%v", doorLockID).WithBody(wrap("door_lock", req)))
}

// DoorLockTransferRequest gives a door lock to another user.
type DoorLockTransferRequest struct {
	DoorLockID ID `json:"door_lock_id"`
	UserID     ID `json:"user_id"` // the new owner
}

// TransferOwnership makes another user the owner of a door lock.
//
// POST /v1/door_locks/owner_transfer
func (s *DoorLocksService) TransferOwnership(ctx context.Context, req DoorLockTransferRequest) (*DoorLock, *Response, error) {
	if err := validateDoorLockID("DoorLockID", req.DoorLockID); err != nil {
		return nil, nil, err
	}
	if req.UserID <= 0 {
		return nil, nil, access.Invalid("UserID", "is required")
	}
	return do[*DoorLock](ctx, s.client.api, rest.Post("v1/door_locks/owner_transfer").WithBody(wrap("door_lock", req)))
}

// DoorLockActivateRequest activates a door lock.
type DoorLockActivateRequest struct {
	LockSerialNumber string        `json:"lock_serial_number"`
	Description      string        `json:"description"` // the lock's name, at most 40 characters
	ActivationToken  access.Secret `json:"activation_token"`
	LockGroupID      ID            `json:"lock_group_id"`
	// ConfirmationLevel is optional; nil leaves the server's default.
	ConfirmationLevel *ConfirmationLevel `json:"confirmation_level,omitempty"`
	SecondaryType     SecondaryType      `json:"secondary_type,omitempty"` // optional
}

func (r DoorLockActivateRequest) validate() error {
	if err := validateSerial(r.LockSerialNumber); err != nil {
		return err
	}
	if r.Description == "" {
		return access.Invalid("Description", "is required")
	}
	if err := validateDescription("Description", r.Description); err != nil {
		return err
	}
	if r.ActivationToken == "" {
		return access.Invalid("ActivationToken", "is required")
	}
	if r.LockGroupID <= 0 {
		return access.Invalid("LockGroupID", "is required")
	}
	if r.ConfirmationLevel != nil {
		if err := r.ConfirmationLevel.validate(); err != nil {
			return err
		}
	}
	if r.SecondaryType != "" {
		return r.SecondaryType.validate()
	}
	return nil
}

// Activate activates a door lock waiting for activation and makes the
// current user its owner (with at most 10 users by default).
//
// POST /v1/door_locks/activate
func (s *DoorLocksService) Activate(ctx context.Context, req DoorLockActivateRequest) (*DoorLock, *Response, error) {
	if err := req.validate(); err != nil {
		return nil, nil, err
	}
	return do[*DoorLock](ctx, s.client.api, rest.Post("v1/door_locks/activate").WithBody(wrap("door_lock", req)))
}

// Delete deletes a door lock. Havr asks for the current user's password,
// sent in the body of the DELETE as documented.
//
// DELETE /v1/door_locks/:door_lock_id
func (s *DoorLocksService) Delete(ctx context.Context, doorLockID ID, password access.Secret) (*Response, error) {
	if password == "" {
		return nil, access.Invalid("Password", "is required")
	}
	body := wrap("user", map[string]access.Secret{"password": password})
	return send(ctx, s.client.api, rest.Delete("v1/door_locks/%v", doorLockID).WithBody(body))
}

// DoorLockKTokenRequest asks for a door lock's K token.
type DoorLockKTokenRequest struct {
	DoorLockID ID     `json:"door_lock_id"`
	PKey       string `json:"p_key"` // an RSA-2048 public key that encrypts the token
}

// GetKToken resets the current user's K token for a door lock (the token
// sent to unlock it) and returns the new one. It is not retried: each call
// resets the token.
//
// POST /v1/door_locks/get_k_token
func (s *DoorLocksService) GetKToken(ctx context.Context, req DoorLockKTokenRequest) (*KToken, *Response, error) {
	if err := validateDoorLockID("DoorLockID", req.DoorLockID); err != nil {
		return nil, nil, err
	}
	if req.PKey == "" {
		return nil, nil, access.Invalid("PKey", "is required")
	}
	return do[*KToken](ctx, s.client.api, rest.Post("v1/door_locks/get_k_token").WithBody(wrap("k_token", req)))
}

// GetKTokens resets the current user's K tokens for several door locks and
// returns the new ones by door lock id. It is not retried: each call resets
// the tokens.
//
// POST /v1/door_locks/get_k_tokens
func (s *DoorLocksService) GetKTokens(ctx context.Context, doorLockIDs []ID) (KTokens, *Response, error) {
	if err := validateDoorLockIDs("DoorLockIDs", doorLockIDs); err != nil {
		return nil, nil, err
	}
	body := map[string][]ID{"door_lock_ids": doorLockIDs}
	out, resp, err := do[struct {
		DoorLocks KTokens `json:"door_locks"`
	}](ctx, s.client.api, rest.Post("v1/door_locks/get_k_tokens").WithBody(body))
	if err != nil {
		return nil, resp, err
	}
	if out.DoorLocks == nil {
		out.DoorLocks = KTokens{}
	}
	return out.DoorLocks, resp, nil
}

// DoorLockAddToGroupRequest adds door locks to a lock group.
type DoorLockAddToGroupRequest struct {
	GroupID ID   `json:"group_id"`
	Locks   []ID `json:"locks"` // door lock ids
}

// AddToGroup adds door locks to a lock group and returns the group. The
// body is bare, not under a resource key, as documented.
//
// POST /v1/door_locks/add_locks_to_group
func (s *DoorLocksService) AddToGroup(ctx context.Context, req DoorLockAddToGroupRequest) (*LockGroup, *Response, error) {
	if req.GroupID <= 0 {
		return nil, nil, access.Invalid("GroupID", "is required")
	}
	if err := validateDoorLockIDs("Locks", req.Locks); err != nil {
		return nil, nil, err
	}
	return do[*LockGroup](ctx, s.client.api, rest.Post("v1/door_locks/add_locks_to_group").WithBody(req))
}

// DoorLockSerialStatus is the state of the door lock with a serial number.
type DoorLockSerialStatus struct {
	ID             ID             `json:"id"`
	ExistingStatus ExistingStatus `json:"existing_status"`
	Mode           LockMode       `json:"mode"`
}

// GetStatusFromSerialNumber returns the id, existing status and mode of the
// door lock with a serial number.
//
// POST /v1/door_locks/retrieve_status_from_serial_number
func (s *DoorLocksService) GetStatusFromSerialNumber(ctx context.Context, lockSerialNumber string) (*DoorLockSerialStatus, *Response, error) {
	if err := validateSerial(lockSerialNumber); err != nil {
		return nil, nil, err
	}
	body := wrap("door_lock", doorLockSerial{lockSerialNumber})
	out, resp, err := do[struct {
		DoorLock *DoorLockSerialStatus `json:"door_lock"`
	}](ctx, s.client.api, rest.Post("v1/door_locks/retrieve_status_from_serial_number").WithBody(body).Idempotent())
	if err != nil {
		return nil, resp, err
	}
	if out.DoorLock == nil {
		return nil, resp, fmt.Errorf("havr: POST /v1/door_locks/retrieve_status_from_serial_number: %w", rest.ErrEmptyBody)
	}
	return out.DoorLock, resp, nil
}

// DoorLockState is the current state of one of the user's door locks.
type DoorLockState struct {
	Description string `json:"description"`
	// Status is a LockLog status, or LockNoInfo when the lock has no log.
	Status DoorLockStatus `json:"status"`
	// LockLog is the last log of the lock; nil when there is none.
	LockLog *DoorLockStateLog `json:"lock_log,omitempty"`
}

// DoorLockStateLog is the last log of a door lock: a LockLog whose user_id
// may be null, with the user who acted when the caller may see them.
type DoorLockStateLog struct {
	LockLog
	User *User `json:"user,omitempty"`
}

// ListStatuses returns the state of every door lock the user owns or holds
// an active shared key for, by door lock id.
//
// GET /v1/door_locks/door_lock_status
func (s *DoorLocksService) ListStatuses(ctx context.Context) (map[ID]DoorLockState, *Response, error) {
	return do[map[ID]DoorLockState](ctx, s.client.api, rest.Get("v1/door_locks/door_lock_status"))
}

// DoorLockFlashPayload is what an offline door lock is flashed with. It is
// a Secret because it opens the lock.
type DoorLockFlashPayload struct {
	Payload access.Secret `json:"payload"` // a string of 0s and 1s
}

// GetOfflineFlashPayload returns the payload that flashes an offline door
// lock. The caller must own the lock or hold an access valid now.
//
// GET /v1/door_locks/retrieve_offline_flash_payload/:door_lock_id
func (s *DoorLocksService) GetOfflineFlashPayload(ctx context.Context, doorLockID ID) (*DoorLockFlashPayload, *Response, error) {
	return do[*DoorLockFlashPayload](ctx, s.client.api, rest.Get("v1/door_locks/retrieve_offline_flash_payload/%v", doorLockID))
}
