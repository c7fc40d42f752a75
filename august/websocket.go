package august

import (
	"context"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/internal/rest"
)

// WebsocketService covers websocket subscribers, which receive lock events
// over a websocket.
type WebsocketService service

// ScopeLock is the only websocket scope August documents.
const ScopeLock = "lock"

// SubscriberRequest is the body of CreateSubscriber: a non-empty list of
// unique scopes, each "lock".
type SubscriberRequest struct {
	Scopes []string `json:"scopes"`
}

// Subscriber is a websocket subscriber.
type Subscriber struct {
	SubscriberID string   `json:"subscriberID"`
	Scopes       []string `json:"scopes"`
	ClientID     string   `json:"clientID"`
	UserID       string   `json:"userID"`
}

// CreateSubscriber creates a websocket subscriber.
//
// POST /websocket/subscribers
func (s *WebsocketService) CreateSubscriber(ctx context.Context, req SubscriberRequest, opts ...CallOption) (*Subscriber, *Response, error) {
	if len(req.Scopes) == 0 {
		return nil, nil, access.Invalid("scopes", "at least one scope is required")
	}
	seen := map[string]bool{}
	for _, sc := range req.Scopes {
		if sc != ScopeLock {
			return nil, nil, access.Invalid("scopes", "the only scope is \"lock\"")
		}
		if seen[sc] {
			return nil, nil, access.Invalid("scopes", "scopes must be unique")
		}
		seen[sc] = true
	}
	return do[*Subscriber](ctx, s.client.api, apply(rest.Post(routeWSSubscribers).WithBody(req), opts))
}

// GetSubscriber returns a websocket subscriber.
//
// GET /websocket/subscribers/:subID
func (s *WebsocketService) GetSubscriber(ctx context.Context, subID string, opts ...CallOption) (*Subscriber, *Response, error) {
	if err := checkSegment("subID", subID); err != nil {
		return nil, nil, err
	}
	return do[*Subscriber](ctx, s.client.api, apply(rest.Get(routeWSSubscriber, subID), opts))
}

// DeleteSubscriber deletes a websocket subscriber.
//
// DELETE /websocket/subscribers/:subID
func (s *WebsocketService) DeleteSubscriber(ctx context.Context, subID string, opts ...CallOption) (*Result, *Response, error) {
	if err := checkSegment("subID", subID); err != nil {
		return nil, nil, err
	}
	return doResult(ctx, s.client.api, apply(rest.Delete(routeWSSubscriber, subID), opts))
}
