package havr

import (
	"context"
	"encoding/json"
	"fmt"
	"iter"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/internal/rest"
)

// NotificationsService covers notifications: what happened to the current
// user's locks, contacts, keys and employments.
type NotificationsService service

// Notification tells a user about an object (a lock log, a contact request,
// a shared key...), named by NotifType and ObjectID.
type Notification struct {
	ID              ID               `json:"id"`
	UserID          ID               `json:"user_id"` // the owner
	ExistingStatus  ExistingStatus   `json:"existing_status"`
	IsRead          bool             `json:"is_read"`
	SecondaryUserID ID               `json:"secondary_user_id,omitempty"`
	NotifType       NotificationType `json:"notif_type"`
	Description     string           `json:"description"`
	ObjectID        ID               `json:"object_id"`
	SecondaryType   int              `json:"secondary_type"`
	// CreatedAt is in the attribute table, not in the object example.
	CreatedAt Time `json:"created_at,omitzero"`
	// ObjectInfo is a JSON document serialized in a string, as the API
	// sends it; DecodeObjectInfo reads it.
	ObjectInfo string `json:"object_info,omitempty"`
}

// NotificationType says what a notification is about.
type NotificationType string

// Notification types. EmploymentRequest is missing from the attribute table
// but has object info attributes of its own in the document.
const (
	NotificationLog                      NotificationType = "log"
	NotificationLockAlert                NotificationType = "lock_alert"
	NotificationContactRequest           NotificationType = "contact_request"
	NotificationContactAnswer            NotificationType = "contact_answer"
	NotificationSharedKey                NotificationType = "shared_key"
	NotificationOwnerAccessConfirmation  NotificationType = "owner_access_confirmation"
	NotificationOwnerBookingConfirmation NotificationType = "owner_booking_confirmation"
	NotificationOwnerBookingAnswer       NotificationType = "owner_booking_answer"
	NotificationEmploymentRequest        NotificationType = "employment_request"
)

// NotificationObjectInfo is the decoded object_info of a notification. Which
// fields are set depends on the type: all carry the user's; log, lock_alert,
// shared_key and the owner_* types add the door lock's; log adds the event;
// employment_request adds the company description.
type NotificationObjectInfo struct {
	UserInitials        string `json:"user_initials,omitempty"`
	UserName            string `json:"user_name,omitempty"`
	UserUsername        string `json:"user_username,omitempty"`
	DoorLockDescription string `json:"door_lock_description,omitempty"`
	DoorLockID          ID     `json:"door_lock_id,omitempty"`
	EventTimestamp      Time   `json:"event_timestamp,omitzero"`
	LogType             string `json:"log_type,omitempty"`
	CompanyDescription  string `json:"company_description,omitempty"`
}

// DecodeObjectInfo decodes the serialized ObjectInfo. A notification without
// object info gives the zero NotificationObjectInfo.
func (n Notification) DecodeObjectInfo() (NotificationObjectInfo, error) {
	var info NotificationObjectInfo
	if n.ObjectInfo == "" || n.ObjectInfo == "null" {
		return info, nil
	}
	if err := json.Unmarshal([]byte(n.ObjectInfo), &info); err != nil {
		return NotificationObjectInfo{}, fmt.Errorf("havr: notification %v object_info: %w", n.ID, err)
	}
	return info, nil
}

// NotificationListOptions pages the notification list. Set Page and
// PageSize, or Limit alone (the document offers them as alternatives); the
// zero value asks for everything.
type NotificationListOptions struct {
	Page     int `url:"page,omitempty"`      // 1-based
	PageSize int `url:"page_size,omitempty"` // notifications per page
	Limit    int `url:"limit,omitempty"`     // at most this many notifications
}

func (o *NotificationListOptions) validate() error {
	if o == nil {
		return nil
	}
	switch {
	case o.Page < 0:
		return access.Invalid("Page", "cannot be negative")
	case o.PageSize < 0:
		return access.Invalid("PageSize", "cannot be negative")
	case o.Limit < 0:
		return access.Invalid("Limit", "cannot be negative")
	case o.Limit > 0 && (o.Page > 0 || o.PageSize > 0):
		return access.Invalid("Limit", "is an alternative to Page and PageSize, not sent with them")
	}
	return nil
}

// List returns one page of the current user's notifications (all of them
// when opts is nil). All walks every page.
//
// GET /v1/notifications
func (s *NotificationsService) List(ctx context.Context, opts *NotificationListOptions) ([]Notification, *Response, error) {
	if err := opts.validate(); err != nil {
		return nil, nil, err
	}
	call := rest.Get("v1/notifications")
	if opts != nil {
		call = call.WithQuery(opts)
	}
	return do[[]Notification](ctx, s.client.api, call)
}

// All iterates over all the current user's notifications, requesting page 1,
// 2, ... of pageSize notifications as the loop goes on, and stopping after a
// page shorter than pageSize. Only one page is held at a time. A failed
// request is yielded as the error of the last iteration; breaking out of the
// loop sends no further request.
//
//	for n, err := range c.Notifications.All(ctx, 50) {
//		if err != nil {
//			return err
//		}
//		...
//	}
//
// GET /v1/notifications
func (s *NotificationsService) All(ctx context.Context, pageSize int) iter.Seq2[Notification, error] {
	return func(yield func(Notification, error) bool) {
		if pageSize <= 0 {
			yield(Notification{}, access.Invalid("pageSize", "must be positive"))
			return
		}
		var prevFirst ID
		for page := 1; ; page++ {
			items, _, err := s.List(ctx, &NotificationListOptions{Page: page, PageSize: pageSize})
			if err != nil {
				yield(Notification{}, fmt.Errorf("havr: notifications page %d: %w", page, err))
				return
			}
			if len(items) == 0 {
				return
			}
			// A server that ignores paging would answer page 1 forever.
			if page > 1 && items[0].ID == prevFirst {
				yield(Notification{}, fmt.Errorf("havr: notifications page %d repeats page %d: paging was ignored", page, page-1))
				return
			}
			prevFirst = items[0].ID
			for _, n := range items {
				if !yield(n, nil) {
					return
				}
			}
			if len(items) < pageSize {
				return
			}
		}
	}
}

// ListByDoorLock returns the current user's notifications about a door lock.
// The document types door_lock_id as a string in its table; it is sent as
// the integer id every other request uses. It only reads, hence the POST is
// retried like a GET.
//
// POST /v1/notifications/index_for_door_lock
func (s *NotificationsService) ListByDoorLock(ctx context.Context, doorLockID ID) ([]Notification, *Response, error) {
	if doorLockID == 0 {
		return nil, nil, access.Invalid("DoorLockID", "is required")
	}
	body := wrap("notification", map[string]ID{"door_lock_id": doorLockID})
	return do[[]Notification](ctx, s.client.api, rest.Post("v1/notifications/index_for_door_lock").WithBody(body).Idempotent())
}

// Get returns a notification.
//
// GET /v1/notifications/:notification_id
func (s *NotificationsService) Get(ctx context.Context, notificationID ID) (*Notification, *Response, error) {
	return do[*Notification](ctx, s.client.api, rest.Get("v1/notifications/%v", notificationID))
}

// NotificationUpdate changes a notification; nil fields are left as they
// are.
type NotificationUpdate struct {
	IsRead *bool `json:"is_read,omitempty"`
}

// Update changes a notification, such as marking it read.
//
// PATCH /v1/notifications/:notification_id
func (s *NotificationsService) Update(ctx context.Context, notificationID ID, req NotificationUpdate) (*Notification, *Response, error) {
	return do[*Notification](ctx, s.client.api, rest.Patch("v1/notifications/%v", notificationID).WithBody(wrap("notification", req)))
}

// ReadAll marks all the current user's notifications read. The document
// makes it a GET answering 200 without a body; doing it twice is harmless,
// so the GET's retries are kept.
//
// GET /v1/notifications/read_all
func (s *NotificationsService) ReadAll(ctx context.Context) (*Response, error) {
	return send(ctx, s.client.api, rest.Get("v1/notifications/read_all"))
}

// Delete deletes a notification. The document answers 200 without a body.
//
// DELETE /v1/notifications/:notification_id
func (s *NotificationsService) Delete(ctx context.Context, notificationID ID) (*Response, error) {
	return send(ctx, s.client.api, rest.Delete("v1/notifications/%v", notificationID))
}
