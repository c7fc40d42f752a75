package havr

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/internal/rest"
)

// DevicesService covers devices: the phones a user opens locks with, and
// the app version check.
type DevicesService service

// Device is a user's phone.
type Device struct {
	ID           ID         `json:"id"`
	Name         string     `json:"name"`
	DeviceType   DeviceType `json:"device_type"`
	UserID       ID         `json:"user_id"` // the owner
	UUID         string     `json:"uuid"`
	DeviceUserID ID         `json:"device_user_id"` // the device's number among the user's devices
	// FCMToken is the Firebase Cloud Messaging token; a Secret so that
	// logging a Device does not print it.
	FCMToken        access.Secret  `json:"fcm_token,omitempty"`
	ExistingStatus  ExistingStatus `json:"existing_status"` // active or deleted
	CreatedAt       Time           `json:"created_at"`
	LastConnectedAt Time           `json:"last_connected_at"`
}

// DeviceType is a device's platform.
type DeviceType string

// Device types.
const (
	DeviceIOS     DeviceType = "ios"
	DeviceAndroid DeviceType = "android"
)

func (t DeviceType) validate(field string) error {
	switch t {
	case DeviceIOS, DeviceAndroid:
		return nil
	}
	return access.Invalid(field, `must be "ios" or "android"`)
}

// List returns the current user's devices.
//
// GET /v1/devices
func (s *DevicesService) List(ctx context.Context) ([]Device, *Response, error) {
	return do[[]Device](ctx, s.client.api, rest.Get("v1/devices"))
}

// Get returns a device.
//
// GET /v1/devices/:device_id
func (s *DevicesService) Get(ctx context.Context, deviceID ID) (*Device, *Response, error) {
	return do[*Device](ctx, s.client.api, rest.Get("v1/devices/%v", deviceID))
}

// DeviceLookup is the answer of FindByUUID: Found is false, and Device nil,
// when no device of the current user has the uuid.
type DeviceLookup struct {
	Device *Device
	Found  bool
}

// deviceOrNull reads a Device, or the null the API answers when there is
// none. The document writes that null quoted ("null"), so the string is read
// as null too. It is a struct so that rest does not take null for a missing
// result.
type deviceOrNull struct{ device *Device }

func (d *deviceOrNull) UnmarshalJSON(b []byte) error {
	if string(b) == "null" || string(b) == `"null"` {
		d.device = nil
		return nil
	}
	var dev Device
	if err := json.Unmarshal(b, &dev); err != nil {
		return err
	}
	d.device = &dev
	return nil
}

// FindByUUID returns the current user's device with that uuid, if any. The
// API answers 200 with the Device, or 204 (or null) when the uuid is not
// associated with the user, which FindByUUID reports as a DeviceLookup whose
// Found is false, never as an error. It only reads, hence the POST is
// retried like a GET.
//
// POST /v1/devices/uuid_associated_to_user
func (s *DevicesService) FindByUUID(ctx context.Context, uuid string) (*DeviceLookup, *Response, error) {
	if uuid == "" {
		return nil, nil, access.Invalid("UUID", "is required")
	}
	body := wrap("device", map[string]string{"uuid": uuid})
	var out deviceOrNull
	hr, err := s.client.api.Do(ctx, rest.Post("v1/devices/uuid_associated_to_user").WithBody(body).Idempotent(), &out)
	resp := rest.NewResponse(hr)
	// A 2xx answer without a body is the 204 of a uuid nobody has here.
	if err != nil && !(hr != nil && hr.StatusCode/100 == 2 && errors.Is(err, rest.ErrEmptyBody)) {
		return nil, resp, err
	}
	if hr != nil && hr.StatusCode == http.StatusNoContent {
		out.device = nil
	}
	return &DeviceLookup{Device: out.device, Found: out.device != nil}, resp, nil
}

// DeviceRequest adds a device.
type DeviceRequest struct {
	Name       string        `json:"name"`
	UUID       string        `json:"uuid"`
	DeviceType DeviceType    `json:"device_type"`
	FCMToken   access.Secret `json:"fcm_token,omitempty"` // optional
}

// Create adds a device to the current user's devices.
//
// POST /v1/devices
func (s *DevicesService) Create(ctx context.Context, req DeviceRequest) (*Device, *Response, error) {
	if req.Name == "" {
		return nil, nil, access.Invalid("Name", "is required")
	}
	if req.UUID == "" {
		return nil, nil, access.Invalid("UUID", "is required")
	}
	if err := req.DeviceType.validate("DeviceType"); err != nil {
		return nil, nil, err
	}
	return do[*Device](ctx, s.client.api, rest.Post("v1/devices").WithBody(wrap("device", req)))
}

// DeviceUpdate changes a device; nil fields are left as they are.
type DeviceUpdate struct {
	Name       *string        `json:"name,omitempty"`
	DeviceType *DeviceType    `json:"device_type,omitempty"`
	FCMToken   *access.Secret `json:"fcm_token,omitempty"`
}

// Update changes a device.
//
// PATCH /v1/devices/:device_id
func (s *DevicesService) Update(ctx context.Context, deviceID ID, req DeviceUpdate) (*Device, *Response, error) {
	if req.Name != nil && *req.Name == "" {
		return nil, nil, access.Invalid("Name", "cannot be empty")
	}
	if req.DeviceType != nil {
		if err := req.DeviceType.validate("DeviceType"); err != nil {
			return nil, nil, err
		}
	}
	return do[*Device](ctx, s.client.api, rest.Patch("v1/devices/%v", deviceID).WithBody(wrap("device", req)))
}

// Delete deletes a device and returns it as it was deleted.
//
// DELETE /v1/devices/:device_id
func (s *DevicesService) Delete(ctx context.Context, deviceID ID) (*Device, *Response, error) {
	return do[*Device](ctx, s.client.api, rest.Delete("v1/devices/%v", deviceID))
}

// DeviceAppVersionRequest asks about an app version. Unlike the other device
// requests it is sent bare, as the document shows.
type DeviceAppVersionRequest struct {
	Platform   DeviceType `json:"platform"`
	AppVersion string     `json:"app_version"` // "A.B.C", integers
}

// DeviceAppVersion says whether an app version should be updated.
type DeviceAppVersion struct {
	UpdateAvailable  bool   `json:"update_available"`
	UpdateMandatory  bool   `json:"update_mandatory"`
	LatestAppVersion string `json:"latest_app_version"`
}

// isAppVersion reports whether v has the A.B.C format, A, B and C
// integers (written out: see havrPhone).
func isAppVersion(v string) bool {
	parts := strings.Split(v, ".")
	if len(parts) != 3 {
		return false
	}
	for _, p := range parts {
		if p == "" || !allDigits(p) {
			return false
		}
	}
	return true
}

// CheckAppVersion tells whether an app version for a platform is obsolete,
// whether an update is recommended or required, and which version is the
// latest. It only reads, hence the POST is retried like a GET.
//
// POST /v1/devices/check_app_version
func (s *DevicesService) CheckAppVersion(ctx context.Context, req DeviceAppVersionRequest) (*DeviceAppVersion, *Response, error) {
	if err := req.Platform.validate("Platform"); err != nil {
		return nil, nil, err
	}
	if !isAppVersion(req.AppVersion) {
		return nil, nil, access.Invalid("AppVersion", "must have the A.B.C format, A, B and C integers")
	}
	return do[*DeviceAppVersion](ctx, s.client.api, rest.Post("v1/devices/check_app_version").WithBody(req).Idempotent())
}
