package primis

import (
	"context"
	"math"
	"strings"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/internal/rest"
)

// GeolocationService requests access with beacon or GPS data.
type GeolocationService service

// GeolocationRequest asks for access near a beacon or at a GPS position;
// exactly one of Beacon and GPS is set.
type GeolocationRequest struct {
	// GUID is the device id; empty means the client's phone id.
	GUID   string          `json:"guid"`
	Beacon *BeaconSighting `json:"beacon,omitempty"`
	GPS    *GPSPosition    `json:"gps,omitempty"`
}

// BeaconSighting identifies the beacon the device sees.
type BeaconSighting struct {
	UUID  string `json:"uuid"`
	Major int    `json:"major"`
	Minor int    `json:"minor"`
}

// GPSPosition is the device's position.
type GPSPosition struct {
	Latitude  float64 `json:"latitude"`
	Longitude float64 `json:"longitude"`
}

// GeolocationResult is Primis's answer. Status "ok" only means the request
// reached Primis: see Granted.
type GeolocationResult struct {
	Status       string       `json:"status"`
	PrimisResult AccessResult `json:"primisResult"`
}

// AccessResult is the outcome of an access request at Primis.
type AccessResult struct {
	Result   string `json:"result"` // "granted" or "denied"
	ZoneID   ID     `json:"zoneid"`
	ZoneName string `json:"zonename"`
	// Distance from the area, returned for GPS requests only.
	Distance *float64 `json:"distance,omitempty"`
	Info     string   `json:"info"`
}

// Granted reports whether access was granted.
func (r *GeolocationResult) Granted() bool {
	return strings.EqualFold(r.PrimisResult.Result, "granted")
}

// Err returns nil when access was granted and a *DeniedError otherwise.
func (r *GeolocationResult) Err() error {
	if r.Granted() {
		return nil
	}
	return &DeniedError{ZoneID: string(r.PrimisResult.ZoneID), Result: r.PrimisResult.Result, Info: r.PrimisResult.Info}
}

// RequestAccess asks for access with beacon or GPS data. Primis answers a
// denied request with HTTP 201 and result "denied": that is a result, not an
// error, so check Granted (or Err). The call is never retried once it may
// have reached the server.
//
// POST /api/mobile/geolocation/access
func (s *GeolocationService) RequestAccess(ctx context.Context, req GeolocationRequest) (*GeolocationResult, *Response, error) {
	if (req.Beacon == nil) == (req.GPS == nil) {
		return nil, nil, access.Invalid("GeolocationRequest", "exactly one of Beacon and GPS is required")
	}
	if g := req.GPS; g != nil {
		if math.IsNaN(g.Latitude) || math.Abs(g.Latitude) > 90 || math.IsNaN(g.Longitude) || math.Abs(g.Longitude) > 180 {
			return nil, nil, access.Invalid("GPS", "latitude must be within ±90 and longitude within ±180")
		}
	}
	if req.Beacon != nil && req.Beacon.UUID == "" {
		return nil, nil, access.Invalid("Beacon.UUID", "is required")
	}
	if req.GUID == "" {
		req.GUID = s.client.phoneID
	}
	if err := validatePhoneID("GUID", req.GUID); err != nil {
		return nil, nil, err
	}
	return do[*GeolocationResult](ctx, s.client.api, rest.Post("api/mobile/geolocation/access").WithBody(req))
}
