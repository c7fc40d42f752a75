package august

import (
	"context"
	"net/http"
	"strings"
	"testing"

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
