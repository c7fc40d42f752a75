package havr

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
)

var testUserPreferences = UserPreferences{ID: 20, Newsletter: true, Updates: true, EULA: true, Notification101: true,
	Notification102: true, Notification200: true, Notification202: true, Notification300: true, Notification401: true}

// The document gives no error responses for user preferences, and nothing
// to validate: every field is an optional boolean.
func TestUserPreferencesEndpoints(t *testing.T) {
	all := Ptr(true)
	harness.Run(t, []endpointCase{
		{
			Name: "Get", Method: "GET", Path: "/v1/user_preferences", Response: "user_preference_response.json",
			Call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.UserPreferences.Get(ctx)
				return v, err
			},
			Check: func(t *testing.T, v any) { assert.Equal(t, &testUserPreferences, v) },
		},
		{
			Name: "Update", Method: "PATCH", Path: "/v1/user_preferences", Request: "user_preference_update_request.json",
			Response: "user_preference_response.json",
			Call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.UserPreferences.Update(ctx, UserPreferencesUpdate{Newsletter: all, Updates: all, EULA: all,
					Notification101: all, Notification102: all, Notification200: all, Notification202: all,
					Notification300: all, Notification401: all})
				return v, err
			},
			Check: func(t *testing.T, v any) { assert.Equal(t, &testUserPreferences, v) },
		},
		{
			Name: "Update: only set fields, false included", Method: "PATCH", Path: "/v1/user_preferences",
			Request:  `{"user_preferences": {"newsletter": false, "notification300": false}}`,
			Response: "user_preference_response.json",
			Call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.UserPreferences.Update(ctx, UserPreferencesUpdate{Newsletter: Ptr(false), Notification300: Ptr(false)})
				return v, err
			},
			Check: func(t *testing.T, v any) { assert.Equal(t, &testUserPreferences, v) },
		},
	})
}
