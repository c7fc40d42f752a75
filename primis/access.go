package primis

import (
	"context"
	"fmt"
	"strings"

	"github.com/doorkit/doorkit/access"
)

// Primis implements listing and opening doors. Its Mobile API has no way to
// give another person time-bounded access, so Client is not an
// access.Granter; with no grants there is no lookup by key either (nor
// access.KeyAuthority).
var (
	_ access.DoorLister = (*Client)(nil)
	_ access.DoorOpener = (*Client)(nil)
)

// Vendor is the name Primis doors carry in access.Door.Vendor.
const Vendor = "primis"

// ListDoors returns the controlled areas accessible by the user as doors.
// Native holds the ControlledArea.
func (c *Client) ListDoors(ctx context.Context) ([]access.Door, error) {
	areas, _, err := c.ControlledAreas.List(ctx)
	if err != nil {
		return nil, err
	}
	doors := make([]access.Door, len(areas))
	for i, a := range areas {
		doors[i] = access.Door{
			ID:     string(a.ID),
			Name:   a.Name,
			Site:   a.SiteID,
			Vendor: Vendor,
			// Every controlled area listed can be asked to open; whether
			// the user may is the Unlock answer (ErrDenied).
			Capabilities: access.Capabilities{RemoteOpen: true},
			Native:       a,
		}
	}
	return doors, nil
}

// OpenDoor momentarily unlocks a controlled area accessible by the user, for
// WithOpenDuration (DefaultOpenDuration unless set). Only the result
// "Granted" is success; "Denied" is a *DeniedError, which matches
// access.ErrDenied; any other result, which the document does not name, is
// access.ErrOutcomeUnknown: the door may or may not have opened.
func (c *Client) OpenDoor(ctx context.Context, doorID string) error {
	if err := validateID("doorID", ID(doorID)); err != nil {
		return err
	}
	result, _, err := c.ControlledAreas.Unlock(ctx, Unlock{ZoneID: ID(doorID), Duration: c.openTime})
	if err != nil {
		return err
	}
	switch {
	case result.Granted():
		return nil
	case strings.EqualFold(result.Result, "denied"):
		return &DeniedError{ZoneID: doorID, Result: result.Result}
	}
	return fmt.Errorf("primis: unlock of controlled area %s answered result %q, which does not say granted or denied: %w",
		doorID, result.Result, access.ErrOutcomeUnknown)
}
