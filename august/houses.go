package august

import (
	"context"
	"encoding/json"

	"github.com/doorkit/doorkit/internal/rest"
)

// HousesService covers houses.
type HousesService service

// House is an entry of the caller's house list.
type House struct {
	HouseID   string          `json:"HouseID"`
	HouseName string          `json:"HouseName"`
	Type      string          `json:"type,omitempty"`
	ImageInfo json.RawMessage `json:"imageInfo,omitempty"`
}

// HouseInfo is a house with its user and lock ids.
type HouseInfo struct {
	HouseName string   `json:"HouseName"`
	Users     []string `json:"users"`
	Locks     []string `json:"locks"`
}

// HouseListOptions are the query of List.
type HouseListOptions struct {
	HouseID             string `url:"houseID,omitempty"`
	HideIntegrationMode *bool  `url:"hideIntegrationMode,omitempty"`
	ClientSerial        string `url:"clientSerial,omitempty"`
}

// List returns the caller's houses.
//
// GET /users/houses/mine
func (s *HousesService) List(ctx context.Context, opts *HouseListOptions, callOpts ...CallOption) ([]House, *Response, error) {
	call := rest.Get(routeHousesMine)
	if opts != nil {
		if opts.HouseID != "" {
			if err := checkUUID("houseID", opts.HouseID); err != nil {
				return nil, nil, err
			}
		}
		call.WithQuery(opts)
	}
	return do[[]House](ctx, s.client.api, apply(call, callOpts))
}

// Get returns a house.
//
// GET /houses/:houseID
func (s *HousesService) Get(ctx context.Context, houseID string, opts ...CallOption) (*HouseInfo, *Response, error) {
	if err := checkUUID("houseID", houseID); err != nil {
		return nil, nil, err
	}
	return do[*HouseInfo](ctx, s.client.api, apply(rest.Get(routeHouse, houseID), opts))
}
