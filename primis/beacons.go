package primis

import (
	"context"
	"encoding/json"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/internal/rest"
)

// BeaconsService covers the Bluetooth beacons used for geolocation access.
type BeaconsService service

// Beacon is a beacon device record.
type Beacon struct {
	UniqueID           string `json:"uniqueId"`
	Major              int    `json:"major"`
	Minor              int    `json:"minor"`
	UUID               string `json:"uuid"`
	AdvInterval        int    `json:"advInterval"`      // advertising interval
	AvgEventInterval   int    `json:"avgEventInterval"` // average time between health checks
	LastEventTimestamp Time   `json:"lastEventTimestamp"`
	BatteryLevel       int    `json:"batteryLevel"` // percent
	Master             string `json:"master"`       // the Cloud Beacon responsible for this one
	UpdatedAt          Time   `json:"updatedAt"`
	// DeviceData and StatusData are raw device data, passed through.
	DeviceData json.RawMessage `json:"deviceData,omitempty"`
	StatusData json.RawMessage `json:"statusData,omitempty"`
}

// List returns all beacons in the system.
//
// GET /api/mobile/beacons
func (s *BeaconsService) List(ctx context.Context) ([]Beacon, *Response, error) {
	return do[[]Beacon](ctx, s.client.api, rest.Get("api/mobile/beacons"))
}

// Get returns one beacon by its unique id.
//
// GET /api/mobile/beacon/:beaconId
func (s *BeaconsService) Get(ctx context.Context, beaconID string) (*Beacon, *Response, error) {
	if err := validateID("beaconID", ID(beaconID)); err != nil {
		return nil, nil, err
	}
	return do[*Beacon](ctx, s.client.api, rest.Get("api/mobile/beacon/%v", beaconID))
}

// BeaconStatus reports a beacon's battery level.
type BeaconStatus struct {
	Major        int `json:"major"`
	Minor        int `json:"minor"`
	BatteryLevel int `json:"batteryLevel"` // percent, 0..100
}

// BeaconStatusResult is the answer to a status update; PrimisResult is
// always empty.
type BeaconStatusResult struct {
	Status       string          `json:"status"`
	PrimisResult json.RawMessage `json:"primisResult,omitempty"`
}

// UpdateStatus reports a beacon's battery level to Primis.
//
// POST /api/mobile/beacon/status
func (s *BeaconsService) UpdateStatus(ctx context.Context, status BeaconStatus) (*BeaconStatusResult, *Response, error) {
	if status.BatteryLevel < 0 || status.BatteryLevel > 100 {
		return nil, nil, access.Invalid("BatteryLevel", "must be a percentage, 0 to 100")
	}
	return do[*BeaconStatusResult](ctx, s.client.api, rest.Post("api/mobile/beacon/status").WithBody(status).Idempotent())
}
