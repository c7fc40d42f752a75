package august

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/doorkit/doorkit/access"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A synchronous unlock succeeds only when August's answer says the lock is
// unlocked: the answer's status is read, a jam keeps its sentinel, and
// every other answer is access.ErrOutcomeUnknown.
func TestOpenDoorSyncReadsTheResult(t *testing.T) {
	unlocked := harness.Body(t, "remoteoperate_sync.json")
	for name, c := range map[string]struct {
		status int
		body   string
		want   error // nil: success
	}{
		"200 unlocked": {200, unlocked, nil},
		"200 jammed": {200, strings.Replace(unlocked, "kAugLockState_Unlocked", "FAILED_BRIDGE_ERROR_LOCK_JAMMED", 1),
			ErrJammed},
		"200 unlocking": {200, strings.Replace(unlocked, "kAugLockState_Unlocked", "kAugLockState_Unlocking", 1),
			access.ErrOutcomeUnknown},
		"200 locked":         {200, strings.Replace(unlocked, "kAugLockState_Unlocked", "kAugLockState_Locked", 1), access.ErrOutcomeUnknown},
		"200 unknown status": {200, strings.Replace(unlocked, "kAugLockState_Unlocked", "FAILED_BRIDGE_ERROR_SOMETHING_NEW", 1), access.ErrOutcomeUnknown},
		"200 without status": {200, `{"info":{"action":"unlock"},"retryCount":0,"totalTime":0}`, access.ErrOutcomeUnknown},
		"200 empty":          {200, ``, access.ErrOutcomeUnknown},
		"202":                {202, ``, access.ErrOutcomeUnknown},
		"408":                {408, `{"code":408,"message":"lock did not answer"}`, access.ErrOutcomeUnknown},
		"530":                {530, `{"code":530,"message":"Mechanical timeout or jam"}`, ErrJammed},
	} {
		t.Run(name, func(t *testing.T) {
			unlocks := 0
			rt := roundTripFunc(func(req *http.Request) (*http.Response, error) {
				if req.Method == http.MethodGet {
					return jsonResponse(req, 200, harness.Body(t, "lock_info.json")), nil
				}
				unlocks++
				assert.Equal(t, "sync", req.URL.Query().Get("type"))
				return jsonResponse(req, c.status, c.body), nil
			})
			c2 := newTestClient(t, rt, WithRetry(3, 0, 0))
			err := c2.OpenDoor(context.Background(), testLockID)
			assert.Equal(t, 1, unlocks, "sent once")
			if c.want == nil {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.ErrorIs(t, err, c.want)
		})
	}
}

// With a webhook handler but no known user (the token is not a JWT and no
// WithUserID), no event can be tied to the command: OpenDoor unlocks
// synchronously instead.
func TestOpenDoorWithoutUserUnlocksSynchronously(t *testing.T) {
	var mode string
	rt := roundTripFunc(func(req *http.Request) (*http.Response, error) {
		if req.Method == http.MethodGet {
			return jsonResponse(req, 200, harness.Body(t, "lock_info.json")), nil
		}
		mode = req.URL.Query().Get("type")
		return jsonResponse(req, 200, harness.Body(t, "remoteoperate_sync.json")), nil
	})
	c := newTestClient(t, rt, WithWebhook(testHookURL, newHandler(t)))
	require.NoError(t, c.OpenDoor(context.Background(), testLockID))
	assert.Equal(t, "sync", mode)
}

// Without a client id to register the lock's webhook under, no unlock
// result is sure to reach the handler: OpenDoor unlocks synchronously at
// once instead of waiting out its confirm timeout (issue 14 item 15). With
// WithWebhookClientID it registers the webhook itself and goes async.
func TestOpenDoorWithoutWebhookClientIDUnlocksSynchronously(t *testing.T) {
	var mode string
	var registered int
	rt := roundTripFunc(func(req *http.Request) (*http.Response, error) {
		switch {
		case req.Method == http.MethodGet:
			return jsonResponse(req, 200, harness.Body(t, "lock_info.json")), nil
		case strings.HasPrefix(req.URL.Path, "/webhook/"):
			registered++
			return jsonResponse(req, 200, `{"message":"success"}`), nil
		}
		mode = req.URL.Query().Get("type")
		if mode == "async" {
			return &http.Response{StatusCode: http.StatusAccepted, Body: http.NoBody, Header: http.Header{}, Request: req}, nil
		}
		return jsonResponse(req, 200, harness.Body(t, "remoteoperate_sync.json")), nil
	})
	c := newTestClient(t, rt, WithWebhook(testHookURL, newHandler(t)), WithUserID("8c4c4b8c-7d5c-4b8e-9f3e-1a2b3c4d5e6f"))
	require.NoError(t, c.OpenDoor(context.Background(), testLockID))
	assert.Equal(t, "sync", mode, "no client id: nothing registered, so no waiting for a webhook")
	assert.Zero(t, registered)

	// No result will come here: the wait ends with the context, and only
	// the path taken is checked.
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	c = newTestClient(t, rt, WithWebhook(testHookURL, newHandler(t)), WithUserID("8c4c4b8c-7d5c-4b8e-9f3e-1a2b3c4d5e6f"), WithWebhookClientID("partner"))
	err := c.OpenDoor(ctx, testLockID)
	assert.ErrorIs(t, err, access.ErrOutcomeUnknown, "accepted, no result")
	assert.Equal(t, "async", mode, "with a client id the webhook path is taken")
	assert.Equal(t, 1, registered, "after registering the lock's webhook itself")
}
