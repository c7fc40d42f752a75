package havr

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/doorkit/doorkit/access"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var testNotification = Notification{ID: 1, UserID: 6, ExistingStatus: StatusActive, SecondaryUserID: 2,
	NotifType: NotificationContactRequest, Description: "description", ObjectID: 1, SecondaryType: 1,
	ObjectInfo: `{"user_username":"Simsfx","door_lock_description":"Porte demo"}`}

func TestNotificationsEndpoints(t *testing.T) {
	list := func(opts *NotificationListOptions) func(ctx context.Context, c *Client) (any, error) {
		return func(ctx context.Context, c *Client) (any, error) {
			v, _, err := c.Notifications.List(ctx, opts)
			return v, err
		}
	}
	checkList := func(t *testing.T, v any) { assert.Equal(t, []Notification{testNotification}, v) }
	harness.Run(t, []endpointCase{
		{
			Name: "List", Method: "GET", Path: "/v1/notifications", Response: "notification_list_response.json",
			Call: list(nil), Check: checkList,
		},
		{
			Name: "List: page", Method: "GET", Path: "/v1/notifications", Query: "page=2&page_size=1",
			Response: "notification_list_response.json", Call: list(&NotificationListOptions{Page: 2, PageSize: 1}), Check: checkList,
		},
		{
			Name: "List: limit", Method: "GET", Path: "/v1/notifications", Query: "limit=10",
			Response: "notification_list_response.json", Call: list(&NotificationListOptions{Limit: 10}), Check: checkList,
		},
		{
			Name: "ListByDoorLock", Method: "POST", Path: "/v1/notifications/index_for_door_lock",
			Request: "notification_list_by_door_lock_request.json", Response: "notification_list_response.json",
			Call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.Notifications.ListByDoorLock(ctx, 4)
				return v, err
			},
			Check: checkList,
		},
		{
			Name: "Get", Method: "GET", Path: "/v1/notifications/1", Response: "notification_get_response.json",
			Call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.Notifications.Get(ctx, 1)
				return v, err
			},
			Check: func(t *testing.T, v any) { assert.Equal(t, &testNotification, v) },
		},
		{
			Name: "Update", Method: "PATCH", Path: "/v1/notifications/1",
			Request: "notification_update_request.json", Response: "notification_get_response.json",
			Call: func(ctx context.Context, c *Client) (any, error) {
				v, _, err := c.Notifications.Update(ctx, 1, NotificationUpdate{IsRead: Ptr(true)})
				return v, err
			},
			Check: func(t *testing.T, v any) { assert.Equal(t, &testNotification, v) },
		},
		{
			Name: "ReadAll", Method: "GET", Path: "/v1/notifications/read_all",
			Call:  func(ctx context.Context, c *Client) (any, error) { return c.Notifications.ReadAll(ctx) },
			Check: func(t *testing.T, v any) { assert.Equal(t, 200, v.(*Response).StatusCode) },
		},
		{
			Name: "Delete", Method: "DELETE", Path: "/v1/notifications/1",
			Call:  func(ctx context.Context, c *Client) (any, error) { return c.Notifications.Delete(ctx, 1) },
			Check: func(t *testing.T, v any) { assert.Equal(t, 200, v.(*Response).StatusCode) },
		},
	})
}

func TestNotificationsErrors(t *testing.T) {
	const notExist = `{
  "error": "Notification does not exist",
  "error_code": "notification_does_not_exist"
}`
	const anotherOnes = `{
  "error": "Can't access another one's notification",
  "error_code": "cant_access_another_ones_notification"
}`
	byLock := func(ctx context.Context, c *Client) error {
		_, _, err := c.Notifications.ListByDoorLock(ctx, 4)
		return err
	}
	get := func(ctx context.Context, c *Client) error { _, _, err := c.Notifications.Get(ctx, 1); return err }
	update := func(ctx context.Context, c *Client) error {
		_, _, err := c.Notifications.Update(ctx, 1, NotificationUpdate{IsRead: Ptr(true)})
		return err
	}
	del := func(ctx context.Context, c *Client) error { _, err := c.Notifications.Delete(ctx, 1); return err }
	notFound := havrError(404, "notification_does_not_exist", "Notification does not exist")
	forbidden := havrError(403, "cant_access_another_ones_notification", "Can't access another one's notification")
	harness.RunErrors(t, []errorCase{
		{Name: "ListByDoorLock: does not exist", Status: 404, Sentinel: access.ErrNotFound, Call: byLock,
			Body: `{
  "error": "Door lock does not exist",
  "error_code": "door_lock_does_not_exist"
}`, Check: havrError(404, "door_lock_does_not_exist", "Door lock does not exist")},
		{Name: "ListByDoorLock: another one's", Status: 403, Sentinel: access.ErrForbidden, Call: byLock,
			Body: `{
  "error": "Can't access another one's door lock",
  "error_code": "cant_access_another_ones_door_lock"
}`, Check: havrError(403, "cant_access_another_ones_door_lock", "Can't access another one's door lock")},
		{Name: "Get: does not exist", Status: 404, Body: notExist, Sentinel: access.ErrNotFound, Call: get, Check: notFound},
		{Name: "Get: another one's", Status: 403, Body: anotherOnes, Sentinel: access.ErrForbidden, Call: get, Check: forbidden},
		{Name: "Update: does not exist", Status: 404, Body: notExist, Sentinel: access.ErrNotFound, Call: update, Check: notFound},
		{Name: "Update: another one's", Status: 403, Body: anotherOnes, Sentinel: access.ErrForbidden, Call: update, Check: forbidden},
		{Name: "Delete: does not exist", Status: 404, Body: notExist, Sentinel: access.ErrNotFound, Call: del, Check: notFound},
		{Name: "Delete: another one's", Status: 403, Body: anotherOnes, Sentinel: access.ErrForbidden, Call: del, Check: forbidden},
	})
}

func TestNotificationsValidation(t *testing.T) {
	c := newTestClient(t, noRequests(t))
	ctx := context.Background()
	for name, opts := range map[string]*NotificationListOptions{
		"negative page":       {Page: -1},
		"negative page size":  {PageSize: -1},
		"negative limit":      {Limit: -1},
		"limit with paging":   {Limit: 5, Page: 1, PageSize: 5},
		"limit and page size": {Limit: 5, PageSize: 5},
	} {
		_, _, err := c.Notifications.List(ctx, opts)
		require.ErrorIs(t, err, access.ErrInvalid, name)
	}
	_, _, err := c.Notifications.ListByDoorLock(ctx, 0)
	require.ErrorIs(t, err, access.ErrInvalid)
	for _, size := range []int{0, -1} {
		n := 0
		for _, err := range c.Notifications.All(ctx, size) {
			n++
			require.ErrorIs(t, err, access.ErrInvalid)
		}
		assert.Equal(t, 1, n, "one error, then the end")
	}
}

func TestNotificationsObjectInfo(t *testing.T) {
	info, err := testNotification.DecodeObjectInfo()
	require.NoError(t, err)
	assert.Equal(t, NotificationObjectInfo{UserUsername: "Simsfx", DoorLockDescription: "Porte demo"}, info)

	log := Notification{ID: 3, NotifType: NotificationLog, ObjectInfo: `{"user_initials":"AL","user_name":"Ada Lovelace",` +
		`"user_username":"ada","door_lock_description":"Porte demo","door_lock_id":4,` +
		`"event_timestamp":"2018-10-30T08:15:54.122Z","log_type":"flash"}`}
	info, err = log.DecodeObjectInfo()
	require.NoError(t, err)
	assert.Equal(t, NotificationObjectInfo{UserInitials: "AL", UserName: "Ada Lovelace", UserUsername: "ada",
		DoorLockDescription: "Porte demo", DoorLockID: 4,
		EventTimestamp: At(time.Date(2018, 10, 30, 8, 15, 54, 122e6, time.UTC)), LogType: "flash"}, info)

	employment := Notification{NotifType: NotificationEmploymentRequest,
		ObjectInfo: `{"user_initials":"AL","user_name":"Ada Lovelace","user_username":"ada","company_description":"Havr"}`}
	info, err = employment.DecodeObjectInfo()
	require.NoError(t, err)
	assert.Equal(t, NotificationObjectInfo{UserInitials: "AL", UserName: "Ada Lovelace", UserUsername: "ada",
		CompanyDescription: "Havr"}, info)

	info, err = Notification{}.DecodeObjectInfo()
	require.NoError(t, err)
	assert.Zero(t, info)

	_, err = Notification{ID: 9, ObjectInfo: "{not json"}.DecodeObjectInfo()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "notification 9")
}

// notificationPages serves pages of notifications numbered from 1: total
// notifications in pages of the requested size. It records each query and
// answers failPage with a 500.
type notificationPages struct {
	mu       sync.Mutex
	total    int
	failPage string
	queries  []string
}

func (p *notificationPages) RoundTrip(req *http.Request) (*http.Response, error) {
	p.mu.Lock()
	p.queries = append(p.queries, req.URL.RawQuery)
	p.mu.Unlock()
	if req.Method != http.MethodGet || req.URL.Path != "/v1/notifications" {
		return notificationResponse(req, 404, `{"error": "unexpected request"}`), nil
	}
	q := req.URL.Query()
	if q.Get("page") == p.failPage {
		return notificationResponse(req, 500, `{"error": "Internal server error"}`), nil
	}
	var page, size int
	fmt.Sscan(q.Get("page"), &page)
	fmt.Sscan(q.Get("page_size"), &size)
	var items []string
	for id := (page-1)*size + 1; id <= page*size && id <= p.total; id++ {
		items = append(items, fmt.Sprintf(`{"id": %d, "user_id": 6, "existing_status": "active", "notif_type": "log", "object_id": %d}`, id, id))
	}
	return notificationResponse(req, 200, "["+strings.Join(items, ",")+"]"), nil
}

func notificationResponse(req *http.Request, status int, body string) *http.Response {
	return &http.Response{StatusCode: status, Status: http.StatusText(status), Request: req,
		Header: http.Header{"Content-Type": {"application/json"}}, Body: io.NopCloser(strings.NewReader(body))}
}

func (p *notificationPages) got() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.queries...)
}

func TestNotificationsAll(t *testing.T) {
	ctx := context.Background()

	t.Run("every page", func(t *testing.T) {
		pages := &notificationPages{total: 5} // pages of 2: full, full, short
		c := newTestClient(t, pages)
		var ids []ID
		for n, err := range c.Notifications.All(ctx, 2) {
			require.NoError(t, err)
			ids = append(ids, n.ID)
		}
		assert.Equal(t, []ID{1, 2, 3, 4, 5}, ids)
		assert.Equal(t, []string{"page=1&page_size=2", "page=2&page_size=2", "page=3&page_size=2"}, pages.got())
	})

	t.Run("empty last page", func(t *testing.T) {
		pages := &notificationPages{total: 4}
		c := newTestClient(t, pages)
		n := 0
		for _, err := range c.Notifications.All(ctx, 2) {
			require.NoError(t, err)
			n++
		}
		assert.Equal(t, 4, n)
		assert.Equal(t, []string{"page=1&page_size=2", "page=2&page_size=2", "page=3&page_size=2"}, pages.got())
	})

	t.Run("break", func(t *testing.T) {
		pages := &notificationPages{total: 5}
		c := newTestClient(t, pages)
		var ids []ID
		for n, err := range c.Notifications.All(ctx, 2) {
			require.NoError(t, err)
			ids = append(ids, n.ID)
			if n.ID == 3 {
				break
			}
		}
		assert.Equal(t, []ID{1, 2, 3}, ids)
		assert.Equal(t, []string{"page=1&page_size=2", "page=2&page_size=2"}, pages.got(), "no request after the break")
	})

	t.Run("error on page 2", func(t *testing.T) {
		pages := &notificationPages{total: 5, failPage: "2"}
		c := newTestClient(t, pages)
		var ids []ID
		var errs []error
		for n, err := range c.Notifications.All(ctx, 2) {
			if err != nil {
				errs = append(errs, err)
				continue
			}
			ids = append(ids, n.ID)
		}
		assert.Equal(t, []ID{1, 2}, ids)
		require.Len(t, errs, 1, "the error ends the iteration")
		var herr *Error
		require.ErrorAs(t, errs[0], &herr)
		assert.Equal(t, 500, herr.StatusCode)
		assert.Contains(t, errs[0].Error(), "page 2")
		assert.Equal(t, []string{"page=1&page_size=2", "page=2&page_size=2"}, pages.got())
	})

	t.Run("paging ignored", func(t *testing.T) {
		// A server answering the same full page whatever the page number
		// would make the walk endless; it is reported instead.
		var calls int
		c := newTestClient(t, roundTripFunc(func(req *http.Request) (*http.Response, error) {
			calls++
			return notificationResponse(req, 200, `[{"id": 1}, {"id": 2}]`), nil
		}))
		var errs []error
		n := 0
		for _, err := range c.Notifications.All(ctx, 2) {
			if err != nil {
				errs = append(errs, err)
				continue
			}
			n++
		}
		assert.Equal(t, 2, n)
		require.Len(t, errs, 1)
		assert.Contains(t, errs[0].Error(), "repeats")
		assert.Equal(t, 2, calls)
	})
}
