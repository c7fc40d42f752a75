package august

import (
	"context"

	"github.com/doorkit/doorkit/internal/rest"
)

// LogoutRequest is the body of Logout.
type LogoutRequest struct {
	APNSDeviceID string `json:"apnsDeviceID"`
	InstallID    string `json:"installID"`
}

// Logout makes every access token of the request token's install unusable
// and deletes the user's push token for the install. August answers null.
// The path is INFERRED (not published).
//
// POST /session/logout
func (s *AuthService) Logout(ctx context.Context, req LogoutRequest, opts ...CallOption) (*Response, error) {
	if err := checkUUID("apnsDeviceID", req.APNSDeviceID); err != nil {
		return nil, err
	}
	if err := checkUUID("installID", req.InstallID); err != nil {
		return nil, err
	}
	// Logging out twice is harmless.
	return send(ctx, s.client.api, apply(rest.Post(routeLogout).WithBody(req).Idempotent(), opts))
}
