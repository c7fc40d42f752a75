package august

import (
	"context"
	"fmt"
	"net/http"
	"sync"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/internal/rest"
)

// WebhooksService registers the URL August calls with a lock's events
// (CONFIRMED in August's partner webhook guide; not in the rendered
// document). Receive the calls with a WebhookHandler.
type WebhooksService service

// NotificationType is a kind of webhook event.
type NotificationType string

// Notification types a webhook registration can ask for. August's older
// guide says accessmgmt is "Not implemented yet".
const (
	NotifyOperation     NotificationType = "operation"
	NotifyBattery       NotificationType = "battery"
	NotifySystemStatus  NotificationType = "systemstatus"
	NotifyConfiguration NotificationType = "configuration"
	NotifyAccessMgmt    NotificationType = "accessmgmt"
)

// WebhookRequest is the body of Register. August signs nothing: Header and
// Token are the only proof a call comes from August, so choose a long random
// token and check it with a WebhookHandler.
type WebhookRequest struct {
	URL    string `json:"url"`
	Method string `json:"method"` // POST (default) or PUT
	// ClientID is the partner's OAuth client id (WithOAuth's): August keeps
	// one registration per lock and client, and sends it the lock's events.
	ClientID          string             `json:"clientID"`
	Header            string             `json:"header"` // the header name August sends Token in
	Token             access.Secret      `json:"token"`
	NotificationTypes []NotificationType `json:"notificationTypes"`
}

func (r *WebhookRequest) validate() error {
	if err := checkWebhookURL("url", r.URL, false); err != nil {
		return err
	}
	switch r.Method {
	case "":
		r.Method = http.MethodPost
	case http.MethodPost, http.MethodPut:
	default:
		return access.Invalid("method", "must be POST or PUT")
	}
	if err := checkSegment("clientID", r.ClientID); err != nil {
		return err
	}
	if !validHeaderName(r.Header) {
		return access.Invalid("header", "must be an HTTP header name")
	}
	if len(r.Token) < 16 {
		return access.Invalid("token", "must have at least 16 characters: it is the only proof a call comes from August")
	}
	if err := checkText("token", r.Token.Reveal(), true); err != nil {
		return err
	}
	if len(r.NotificationTypes) == 0 {
		return access.Invalid("notificationTypes", "at least one is required")
	}
	for _, t := range r.NotificationTypes {
		switch t {
		case NotifyOperation, NotifyBattery, NotifySystemStatus, NotifyConfiguration, NotifyAccessMgmt:
		default:
			return access.Invalid("notificationTypes", fmt.Sprintf("%q is not operation, battery, systemstatus, configuration or accessmgmt", t))
		}
	}
	return nil
}

func validHeaderName(h string) bool {
	if h == "" {
		return false
	}
	for _, r := range h {
		if !(r == '-' || r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return false
		}
	}
	return true
}

// Register registers a webhook for a lock. There is one registration per
// lock and client: registering again overwrites it, so the request may be
// resent.
//
// POST /webhook/:lockID
func (s *WebhooksService) Register(ctx context.Context, lockID string, req WebhookRequest, opts ...CallOption) (*Result, *Response, error) {
	if err := checkLockID(lockID); err != nil {
		return nil, nil, err
	}
	if err := req.validate(); err != nil {
		return nil, nil, err
	}
	return doResult(ctx, s.client.api, apply(rest.Post(routeWebhook, lockID).WithBody(req).Idempotent(), opts))
}

// Delete deletes a lock's webhook registration for a client.
//
// DELETE /webhook/:lockID/:clientID
func (s *WebhooksService) Delete(ctx context.Context, lockID, clientID string, opts ...CallOption) (*Result, *Response, error) {
	if err := checkLockID(lockID); err != nil {
		return nil, nil, err
	}
	if err := checkSegment("clientID", clientID); err != nil {
		return nil, nil, err
	}
	return doResult(ctx, s.client.api, apply(rest.Delete(routeWebhookClient, lockID, clientID), opts))
}

// hookRegistrar registers the client's webhook for the operation events of
// the locks it unlocks asynchronously, once per lock in this process
// (registering again overwrites, so a repeat, here or on another replica,
// is harmless).
type hookRegistrar struct {
	url, clientID string
	done          sync.Map // lockID -> struct{}
}

// ensure registers the webhook for lockID unless done before.
func (r *hookRegistrar) ensure(ctx context.Context, c *Client, lockID string) error {
	if r == nil {
		return nil
	}
	if _, ok := r.done.Load(lockID); ok {
		return nil
	}
	_, _, err := c.Webhooks.Register(ctx, lockID, WebhookRequest{URL: r.url, ClientID: r.clientID,
		Header: c.events.header, Token: access.Secret(c.events.secret.headerToken), NotificationTypes: []NotificationType{NotifyOperation}})
	if err != nil {
		return fmt.Errorf("august: registering the webhook for lock %s's results: %w", lockID, err)
	}
	r.done.Store(lockID, struct{}{})
	return nil
}
