package august

import (
	"context"
	"errors"
	"net"
	"net/http"
	"os"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/doorkit/doorkit/access"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var errReset = &net.OpError{Op: "read", Net: "tcp", Err: os.NewSyscallError("read", syscall.ECONNRESET)}
var errDial = &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}

// Remote operate, PIN commands, reservations and transfers are sent once: a 500, a
// 502 or a connection reset after the request went out is not resent, and
// the error says the outcome is unknown. Retries are on, so a resend would
// show.
func TestStateChangesAreNotResent(t *testing.T) {
	calls := map[string]func(context.Context, *Client) error{
		"sync unlock": unlock,
		"async unlock": func(ctx context.Context, c *Client) error {
			_, err := c.RemoteOperate.Async(ctx, testLockID, CommandUnlock, nil)
			return err
		},
		"v2 unlock": func(ctx context.Context, c *Client) error {
			_, _, err := c.RemoteOperate.V2(ctx, testLockID, CommandUnlock, RemoteOperateV2Request{})
			return err
		},
		"PIN load": func(ctx context.Context, c *Client) error {
			_, _, err := c.PINs.Load(ctx, testLockID, loadCommand(), testHookURL, nil)
			return err
		},
		"PIN reserve": func(ctx context.Context, c *Client) error {
			_, _, err := c.PINs.Reserve(ctx, testLockID)
			return err
		},
		"PIN transfer": func(ctx context.Context, c *Client) error {
			_, _, err := c.PINs.Transfer(ctx, testLockID, TransferPINRequest{OldUserID: testUserID, NewUserID: "7b14406f-6e5e-4539-9241-498262c20b44"})
			return err
		},
	}
	failures := map[string]func(*http.Request) (*http.Response, error){
		"500": func(req *http.Request) (*http.Response, error) {
			return jsonResponse(req, 500, `{"code":500,"message":"x"}`), nil
		},
		"502":   func(req *http.Request) (*http.Response, error) { return jsonResponse(req, 502, ``), nil },
		"504":   func(req *http.Request) (*http.Response, error) { return jsonResponse(req, 504, ``), nil },
		"reset": func(req *http.Request) (*http.Response, error) { return nil, errReset },
	}
	for cname, call := range calls {
		for fname, fail := range failures {
			t.Run(cname+" "+fname, func(t *testing.T) {
				var n atomic.Int32
				rt := roundTripFunc(func(req *http.Request) (*http.Response, error) {
					n.Add(1)
					return fail(req)
				})
				c := newTestClient(t, rt, WithRetry(3, 0, 0))
				err := call(context.Background(), c)
				require.Error(t, err)
				assert.Equal(t, int32(1), n.Load(), "sent exactly once")
				assert.ErrorIs(t, err, access.ErrOutcomeUnknown)
				assert.ErrorIs(t, err, access.ErrUnavailable)
			})
		}
	}
}

// The control: an idempotent read is resent after a reset, so the test
// above would see a resend.
func TestReadsAreResent(t *testing.T) {
	var n atomic.Int32
	rt := roundTripFunc(func(req *http.Request) (*http.Response, error) {
		if n.Add(1) == 1 {
			return nil, errReset
		}
		return jsonResponse(req, 200, harness.Body(t, "lock_status.json")), nil
	})
	c := newTestClient(t, rt, WithRetry(3, 0, 0))
	_, _, err := c.Locks.GetStatus(context.Background(), testLockID)
	require.NoError(t, err)
	assert.Equal(t, int32(2), n.Load())
}

// A dial failure proves nothing was sent: remote operate may be tried
// again then.
func TestRemoteOperateRetriedOnlyWhenNotSent(t *testing.T) {
	var n atomic.Int32
	rt := roundTripFunc(func(req *http.Request) (*http.Response, error) {
		if n.Add(1) == 1 {
			return nil, errDial
		}
		return jsonResponse(req, 200, harness.Body(t, "remoteoperate_sync.json")), nil
	})
	c := newTestClient(t, rt, WithRetry(3, 0, 0))
	res, _, err := c.RemoteOperate.Sync(context.Background(), testLockID, CommandUnlock, nil)
	require.NoError(t, err)
	assert.Equal(t, LockUnlocked, res.Status.Normalize())
	assert.Equal(t, int32(2), n.Load())
}

func TestRemoteOperateBrokenAnswerIsOutcomeUnknown(t *testing.T) {
	rt := roundTripFunc(func(req *http.Request) (*http.Response, error) {
		return jsonResponse(req, 200, `{"status":"kAugLock`), nil
	})
	c := newTestClient(t, rt)
	err := unlock(context.Background(), c)
	assert.ErrorIs(t, err, access.ErrOutcomeUnknown)
}

// A sync call waits for its answer under the sync bound, not the
// client's response-header timeout: with a 1 ns header timeout an ordinary
// call is cut off (the transport waits for that), while a sync unlock is
// not. The caller's own deadline still reaches the request.
func TestSyncRemoteOperateBound(t *testing.T) {
	rt := roundTripFunc(func(req *http.Request) (*http.Response, error) {
		if strings.HasPrefix(req.URL.Path, "/remoteoperate/") {
			select {
			case <-req.Context().Done():
				return nil, req.Context().Err()
			default:
				return jsonResponse(req, 200, harness.Body(t, "remoteoperate_sync.json")), nil
			}
		}
		<-req.Context().Done() // the header timeout cancels the attempt
		return nil, req.Context().Err()
	})
	c := newTestClient(t, rt, WithResponseHeaderTimeout(time.Nanosecond))
	_, _, err := c.Locks.GetStatus(context.Background(), testLockID)
	require.Error(t, err, "an ordinary call is bounded by the header timeout")
	require.NoError(t, unlock(context.Background(), c), "a sync unlock is bounded by the sync timeout")

	var deadline time.Time
	rt2 := roundTripFunc(func(req *http.Request) (*http.Response, error) {
		deadline, _ = req.Context().Deadline()
		return jsonResponse(req, 200, harness.Body(t, "remoteoperate_sync.json")), nil
	})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	want, _ := ctx.Deadline()
	require.NoError(t, unlock(ctx, newTestClient(t, rt2)))
	assert.Equal(t, want, deadline)
}

func TestRemoteOperateValidation(t *testing.T) {
	c := newTestClient(t, noRequests(t))
	ctx := context.Background()
	for name, err := range map[string]error{
		"lower-case lock id": func() error {
			_, _, err := c.RemoteOperate.Sync(ctx, "6c608ed2dd47ab4b97249c8c7f883bfd", CommandUnlock, nil)
			return err
		}(),
		"short lock id": func() error { _, _, err := c.RemoteOperate.Sync(ctx, "ABC", CommandUnlock, nil); return err }(),
		"path injection": func() error {
			_, _, err := c.RemoteOperate.Sync(ctx, "../../users/locks/mine", CommandUnlock, nil)
			return err
		}(),
		"command": func() error { _, _, err := c.RemoteOperate.Sync(ctx, testLockID, "open", nil); return err }(),
		"retry 0<x": func() error {
			_, _, err := c.RemoteOperate.Sync(ctx, testLockID, CommandLock, &RemoteOperateOptions{RetryLimit: 4})
			return err
		}(),
		"retry negative": func() error {
			_, err := c.RemoteOperate.Async(ctx, testLockID, CommandLock, &RemoteOperateOptions{RetryLimit: -1})
			return err
		}(),
		"extended v1": func() error {
			_, _, err := c.RemoteOperate.Sync(ctx, testLockID, CommandExtendedFunction, nil)
			return err
		}(),
		"extended v2 no fn": func() error {
			_, _, err := c.RemoteOperate.V2(ctx, testLockID, CommandExtendedFunction, RemoteOperateV2Request{})
			return err
		}(),
		"notification type": func() error {
			_, _, err := c.RemoteOperate.V2(ctx, testLockID, CommandLock, RemoteOperateV2Request{NotificationType: "sms"})
			return err
		}(),
		"webhook": func() error {
			_, _, err := c.RemoteOperate.V2(ctx, testLockID, CommandLock, RemoteOperateV2Request{Webhook: ptr("ftp://x")})
			return err
		}(),
	} {
		assert.ErrorIs(t, err, access.ErrInvalid, name)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	_, _, err := c.RemoteOperate.Sync(cancelled, testLockID, CommandUnlock, nil)
	assert.True(t, errors.Is(err, context.Canceled))
	assert.NotErrorIs(t, err, access.ErrOutcomeUnknown, "nothing was sent")
}
