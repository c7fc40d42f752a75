package havr

import (
	"context"

	"github.com/doorkit/doorkit/internal/rest"
)

// OfflineModeConfigurationsService covers offline mode configurations:
// which door locks the current user owns or administers work offline.
type OfflineModeConfigurationsService service

// OfflineModeConfiguration puts a door lock in offline mode.
type OfflineModeConfiguration struct {
	ID             ID             `json:"id"`
	DoorLockID     ID             `json:"door_lock_id"`
	ExistingStatus ExistingStatus `json:"existing_status"`
}

// List returns the offline mode configurations of the door locks the
// current user owns or administers.
//
// GET /v1/offline_mode_configurations
func (s *OfflineModeConfigurationsService) List(ctx context.Context) ([]OfflineModeConfiguration, *Response, error) {
	return do[[]OfflineModeConfiguration](ctx, s.client.api, rest.Get("v1/offline_mode_configurations"))
}

// Create creates the offline mode configuration of a door lock. The
// document answers 200 (not 201).
//
// POST /v1/offline_mode_configurations
func (s *OfflineModeConfigurationsService) Create(ctx context.Context, doorLockID ID) (*OfflineModeConfiguration, *Response, error) {
	if err := validateDoorLockID("DoorLockID", doorLockID); err != nil {
		return nil, nil, err
	}
	body := wrap("offline_mode_configuration", map[string]ID{"door_lock_id": doorLockID})
	return do[*OfflineModeConfiguration](ctx, s.client.api, rest.Post("v1/offline_mode_configurations").WithBody(body))
}

// Delete removes an offline mode configuration. The document gives POST,
// not DELETE, for this removal (answered 204), and that is what is sent,
// without a body and without retries, as for any POST.
//
// POST /v1/offline_mode_configurations/:id
func (s *OfflineModeConfigurationsService) Delete(ctx context.Context, id ID) (*Response, error) {
	return send(ctx, s.client.api, rest.Post("v1/offline_mode_configurations/%v", id))
}
