package havr

import (
	"context"

	"github.com/doorkit/doorkit/internal/rest"
)

// SessionLogsService covers session logs: the current user's logins and
// logouts.
type SessionLogsService service

// SessionLog records one login (Active) or logout.
type SessionLog struct {
	ID     ID `json:"id"`
	UserID ID `json:"user_id"`
	// DeviceID is documented as required but may be null (0), as in the
	// document's example.
	DeviceID      ID     `json:"device_id"`
	OAuthClientID ID     `json:"oauth_client_id"` // the client used to connect
	UserAgent     string `json:"user_agent,omitempty"`
	Active        bool   `json:"active"` // saved while authenticating, not logging out
}

// List returns the current user's session logs.
//
// GET /v1/session_logs
func (s *SessionLogsService) List(ctx context.Context) ([]SessionLog, *Response, error) {
	return do[[]SessionLog](ctx, s.client.api, rest.Get("v1/session_logs"))
}
