package havr

import (
	"context"

	"github.com/doorkit/doorkit/internal/rest"
)

// UserPreferencesService covers the current user's preferences: newsletter,
// updates, licence agreement and which notifications to receive.
type UserPreferencesService service

// UserPreferences are a user's preferences. The notification fields are
// named after Havr's notification codes.
type UserPreferences struct {
	ID              ID   `json:"id"`
	Newsletter      bool `json:"newsletter"`
	Updates         bool `json:"updates"`
	EULA            bool `json:"eula"`            // agreed to the End User License Agreement
	Notification101 bool `json:"notification101"` // updates of a shared key
	Notification102 bool `json:"notification102"` // deletion of a shared key
	Notification200 bool `json:"notification200"` // new contacts
	Notification202 bool `json:"notification202"` // contact deletion
	Notification300 bool `json:"notification300"` // new lock logs
	Notification401 bool `json:"notification401"` // a booking owner's answer (do not disturb)
}

// UserPreferencesUpdate changes preferences; nil fields are left as they
// are. It is also the user_preferences of UserCreateRequest.
type UserPreferencesUpdate struct {
	Newsletter      *bool `json:"newsletter,omitempty"`
	Updates         *bool `json:"updates,omitempty"`
	EULA            *bool `json:"eula,omitempty"`
	Notification101 *bool `json:"notification101,omitempty"`
	Notification102 *bool `json:"notification102,omitempty"`
	Notification200 *bool `json:"notification200,omitempty"`
	Notification202 *bool `json:"notification202,omitempty"`
	Notification300 *bool `json:"notification300,omitempty"`
	Notification401 *bool `json:"notification401,omitempty"`
}

// Get returns the current user's preferences. The document names the
// response "SharedKey", an evident slip: it is the User Preference object
// the section describes.
//
// GET /v1/user_preferences
func (s *UserPreferencesService) Get(ctx context.Context) (*UserPreferences, *Response, error) {
	return do[*UserPreferences](ctx, s.client.api, rest.Get("v1/user_preferences"))
}

// Update changes the current user's preferences and returns them. The
// document names the response "SharedKey", as for Get; it is read as
// UserPreferences.
//
// PATCH /v1/user_preferences
func (s *UserPreferencesService) Update(ctx context.Context, req UserPreferencesUpdate) (*UserPreferences, *Response, error) {
	body := wrap("user_preferences", req)
	return do[*UserPreferences](ctx, s.client.api, rest.Patch("v1/user_preferences").WithBody(body))
}
