package august

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/doorkit/doorkit/access"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func unlock(ctx context.Context, c *Client) error {
	_, _, err := c.RemoteOperate.Sync(ctx, testLockID, CommandUnlock, nil)
	return err
}

func TestErrorStatuses(t *testing.T) {
	loadPIN := func(ctx context.Context, c *Client) error {
		_, _, err := c.PINs.Load(ctx, testLockID, loadCommand(), testHookURL, nil)
		return err
	}
	getLock := func(ctx context.Context, c *Client) error { _, _, err := c.Locks.Get(ctx, testLockID); return err }
	cases := []errorCase{
		{Name: "401", Status: 401, Body: `{"code":"Unauthorized","message":"token invalid"}`, Sentinel: access.ErrUnauthorized, Call: getLock,
			Check: augustError(401, "Unauthorized", "token invalid", "")},
		{Name: "403 API key", Status: 403, Body: "error_forbidden.json", Sentinel: access.ErrForbidden, Call: getLock,
			Check: augustError(403, "Forbidden", "API key is not valid", "")},
		{Name: "404", Status: 404, Body: "error_not_found.json", Sentinel: access.ErrNotFound, Call: getLock},
		{Name: "429", Status: 429, Body: `{"code":"TooManyRequests","message":"slow down"}`, Sentinel: access.ErrRateLimited, Call: getLock},
		{Name: "409 duplicate PIN", Status: 409, Body: `{"code":"Conflict","message":"PIN already exists"}`, Sentinel: access.ErrConflict, Call: loadPIN,
			Check: augustError(409, "Conflict", "PIN already exists", KindConflict)},
		{Name: "409 no slot left", Status: 409, Body: `{"code":409,"message":"no PIN slot left"}`, Sentinel: access.ErrConflict,
			Call: func(ctx context.Context, c *Client) error { _, _, err := c.PINs.Reserve(ctx, testLockID); return err }},
		{Name: "422 bridge offline", Status: 422, Body: "error_bridge_offline.json", Sentinel: access.ErrUnavailable, Call: unlock,
			Check: func(t *testing.T, err error) {
				augustError(422, "98", "Bridge is offline", KindBridgeOffline)(t, err)
				assert.ErrorIs(t, err, ErrBridgeOffline)
				assert.NotErrorIs(t, err, access.ErrInvalid)
			}},
		{Name: "422 elsewhere is invalid", Status: 422, Body: `{"code":"InvalidArgument","message":"bad"}`, Sentinel: access.ErrInvalid, Call: loadPIN},
		{Name: "408 lock unavailable", Status: 408, Body: `{"code":"RequestTimeout","message":"lock did not answer"}`, Sentinel: access.ErrUnavailable, Call: unlock,
			Check: augustError(408, "RequestTimeout", "lock did not answer", KindLockUnavailable)},
		{Name: "412 no bridge", Status: 412, Body: `{"code":"PreconditionFailed","message":"no bridge"}`, Sentinel: access.ErrUnavailable, Call: unlock},
		{Name: "423 busy", Status: 423, Body: `{"code":"Locked","message":"bridge busy"}`, Sentinel: access.ErrConflict, Call: unlock,
			Check: func(t *testing.T, err error) { assert.ErrorIs(t, err, ErrBusy) }},
		{Name: "460 busy", Status: 460, Body: `{"code":460,"message":"lock busy"}`, Sentinel: ErrBusy, Call: unlock,
			Check: augustError(460, "460", "lock busy", KindBusy)},
		{Name: "501 invalid command", Status: 501, Body: `{"code":"NotImplemented","message":"invalid command"}`, Sentinel: access.ErrInvalid, Call: unlock},
		{Name: "530 jammed", Status: 530, Body: `{"code":530,"message":"jammed"}`, Sentinel: ErrJammed, Call: unlock,
			Check: augustError(530, "530", "jammed", KindJammed)},
		{Name: "531 calibration", Status: 531, Body: `{"code":531,"message":"calibration needed"}`, Sentinel: ErrCalibration, Call: unlock},
		{Name: "550 low battery", Status: 550, Body: `{"code":550,"message":"low battery"}`, Sentinel: ErrLowBattery, Call: unlock},
		{Name: "551 overheated", Status: 551, Body: `{"code":551,"message":"overheated"}`, Sentinel: ErrOverheated, Call: unlock},
		{Name: "560 disconnected", Status: 560, Body: `{"code":560,"message":"disconnected"}`, Sentinel: access.ErrOutcomeUnknown, Call: unlock,
			Check: func(t *testing.T, err error) { assert.ErrorIs(t, err, access.ErrUnavailable) }},
		{Name: "500 on unlock", Status: 500, Body: `{"code":"InternalServerError","message":"boom"}`, Sentinel: access.ErrOutcomeUnknown, Call: unlock},
		{Name: "500 on PIN command", Status: 500, Body: ``, Sentinel: access.ErrOutcomeUnknown, Call: loadPIN,
			Check: augustError(500, "", "Internal Server Error", "")},
		{Name: "401 wins over code", Status: 401, Body: `{"code":98,"message":"Bridge is offline"}`, Sentinel: access.ErrUnauthorized, Call: unlock,
			Check: func(t *testing.T, err error) { assert.NotErrorIs(t, err, access.ErrUnavailable) }},
		{Name: "403 wins", Status: 403, Body: `{"code":"Conflict","message":"x"}`, Sentinel: access.ErrForbidden, Call: loadPIN,
			Check: func(t *testing.T, err error) { assert.NotErrorIs(t, err, access.ErrConflict) }},
	}
	harness.RunErrors(t, cases)
}

func TestErrorRedactsReleasedPIN(t *testing.T) {
	rt := roundTripFunc(func(req *http.Request) (*http.Response, error) {
		return jsonResponse(req, 404, `{"code":"ResourceNotFound","message":"no reservation"}`), nil
	})
	c := newTestClient(t, rt)
	_, _, err := c.PINs.Release(context.Background(), testLockID, "482913")
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "482913")
	assert.Contains(t, err.Error(), "/pin/[REDACTED]")
	assert.ErrorIs(t, err, access.ErrNotFound)
}

func TestErrorCodeNumberOrString(t *testing.T) {
	for body, want := range map[string]string{`{"code":98}`: "98", `{"code":"Forbidden"}`: "Forbidden", `{"code":null}`: "", `{"code":1.5}`: "1.5"} {
		var b errorBody
		require.NoError(t, jsonUnmarshal(body, &b), body)
		assert.Equal(t, want, string(b.Code), body)
	}
}

func TestErrorMessageNeverEmpty(t *testing.T) {
	e := decodeError(&http.Response{StatusCode: 599, Request: &http.Request{Method: "GET", URL: mustURL("https://x/locks")}}, []byte("garbage"))
	assert.Contains(t, e.Error(), "HTTP 599")
	var aerr *Error
	require.True(t, errors.As(fmt.Errorf("wrapped: %w", e), &aerr))
}
