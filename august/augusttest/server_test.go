package augusttest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/doorkit/doorkit/august/augusttest"
)

// client talks to the fake as an August client would: it sends the API key
// and the newest access token, and keeps the token each answer rotates in.
type client struct {
	t     testing.TB
	srv   *augusttest.Server
	mu    sync.Mutex
	token string
}

func newClient(t *testing.T) (*client, *augusttest.Server) { return newClientB(t) }

func newClientB(t testing.TB) (*client, *augusttest.Server) {
	t.Helper()
	srv := augusttest.NewServer()
	t.Cleanup(srv.Close)
	return &client{t: t, srv: srv, token: srv.NewToken(augusttest.OwnerID)}, srv
}

type answer struct {
	status int
	header http.Header
	body   []byte
}

func (a answer) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal(a.body, &m), string(a.body))
	return m
}

func (c *client) do(method, path string, body any) answer {
	c.t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		require.NoError(c.t, err)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, c.srv.URL+path, rd)
	require.NoError(c.t, err)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("x-august-api-key", augusttest.APIKey)
	c.mu.Lock()
	req.Header.Set("x-august-access-token", c.token)
	c.mu.Unlock()
	resp, err := c.srv.Client().Do(req)
	require.NoError(c.t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(c.t, err)
	if tok := resp.Header.Get("x-august-access-token"); tok != "" {
		c.mu.Lock()
		c.token = tok
		c.mu.Unlock()
	}
	return answer{status: resp.StatusCode, header: resp.Header, body: b}
}

// receiver collects webhook calls; the fake reaches it through a transport
// that calls the handler directly.
type receiver struct {
	mu     sync.Mutex
	calls  []*http.Request
	bodies []map[string]any
}

func (r *receiver) RoundTrip(req *http.Request) (*http.Response, error) {
	b, _ := io.ReadAll(req.Body)
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	r.mu.Lock()
	r.calls = append(r.calls, req)
	r.bodies = append(r.bodies, m)
	r.mu.Unlock()
	rec := httptest.NewRecorder()
	rec.WriteHeader(http.StatusOK)
	return rec.Result(), nil
}

func (r *receiver) events() []map[string]any {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]map[string]any(nil), r.bodies...)
}

func (r *receiver) headers() []http.Header {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []http.Header
	for _, c := range r.calls {
		out = append(out, c.Header)
	}
	return out
}

func withReceiver(srv *augusttest.Server) *receiver {
	rec := &receiver{}
	srv.SetWebhookClient(&http.Client{Transport: rec})
	return rec
}

func wait(t *testing.T, srv *augusttest.Server) { waitB(t, srv) }

func waitB(t testing.TB, srv *augusttest.Server) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	require.NoError(t, srv.WaitDeliveries(ctx))
}

const hook = "https://partner.example.com/august/hook"

func registerHook(t *testing.T, c *client, lockID string, types ...string) {
	t.Helper()
	a := c.do("POST", "/webhook/"+lockID, map[string]any{"url": hook, "method": "POST", "clientID": augusttest.ClientID,
		"header": "X-Partner-Token", "token": "s3cret-static", "notificationTypes": types})
	require.Equal(t, 200, a.status, string(a.body))
}

func loadCmd(pin, partner string, start, end time.Time) map[string]any {
	return map[string]any{"action": "load", "pin": pin, "accessType": "temporary",
		"accessTimes": "DTSTART=" + start.UTC().Format("2006-01-02T15:04:05.000Z") + ";DTEND=" + end.UTC().Format("2006-01-02T15:04:05.000Z"),
		"firstName":   "Ada", "lastName": "Lovelace", "partnerUserID": partner}
}

func TestAuthAndTokenRotation(t *testing.T) {
	c, srv := newClient(t)
	base := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	srv.SetClock(func() time.Time { return base })
	c.token = srv.NewToken(augusttest.OwnerID)
	first := c.token

	req, _ := http.NewRequest("GET", srv.URL+"/users/locks/mine", nil)
	req.Header.Set("x-august-access-token", first)
	resp, err := srv.Client().Do(req)
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, http.StatusForbidden, resp.StatusCode)
	assert.JSONEq(t, `{"code":"Forbidden","message":"API key is not valid"}`, string(body))
	assert.Empty(t, resp.Header.Get("x-august-access-token"))

	c.token = "not-a-token"
	a := c.do("GET", "/users/locks/mine", nil)
	assert.Equal(t, http.StatusUnauthorized, a.status)
	assert.Equal(t, "Unauthorized", a.json(t)["code"])

	c.token = first
	a = c.do("GET", "/users/locks/mine", nil)
	require.Equal(t, 200, a.status)
	second := a.header.Get("x-august-access-token")
	require.NotEmpty(t, second)
	assert.NotEqual(t, first, second)
	assert.True(t, srv.TokenValid(first), "the old token works for the grace period")

	srv.Advance(augusttest.DefaultTokenGrace)
	assert.False(t, srv.TokenValid(first), "then it expires")
	c.token = first
	assert.Equal(t, http.StatusUnauthorized, c.do("GET", "/users/locks/mine", nil).status)
	c.token = second
	assert.Equal(t, 200, c.do("GET", "/users/locks/mine", nil).status, "the newest token works")

	srv.Advance(augusttest.DefaultTokenTTL)
	assert.Equal(t, http.StatusUnauthorized, c.do("GET", "/users/locks/mine", nil).status, "every token expires after its TTL")

	c.token = srv.NewToken(augusttest.OwnerID)
	srv.ExpireAccessTokens()
	assert.Equal(t, http.StatusUnauthorized, c.do("GET", "/users/locks/mine", nil).status)

	srv.SetTokenRotation(false)
	c.token = srv.NewToken(augusttest.OwnerID)
	a = c.do("GET", "/users/locks/mine", nil)
	assert.Equal(t, 200, a.status)
	assert.Empty(t, a.header.Get("x-august-access-token"))
}

func TestOAuthCodeAndRefresh(t *testing.T) {
	_, srv := newClient(t)
	noRedirect := *srv.Client()
	noRedirect.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := noRedirect.Get(srv.URL + "/authorization?response_type=code&client_id=" + augusttest.ClientID +
		"&redirect_uri=" + url.QueryEscape("https://partner.example.com/cb") + "&state=xyz")
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusFound, resp.StatusCode)
	loc, err := url.Parse(resp.Header.Get("Location"))
	require.NoError(t, err)
	assert.Equal(t, "xyz", loc.Query().Get("state"))

	exchange := func(body map[string]any) (int, map[string]any) {
		b, _ := json.Marshal(body)
		resp, err := srv.Client().Post(srv.URL+"/access_token", "application/json", bytes.NewReader(b))
		require.NoError(t, err)
		defer resp.Body.Close()
		var m map[string]any
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&m))
		return resp.StatusCode, m
	}
	status, tok := exchange(map[string]any{"code": loc.Query().Get("code"), "client_id": augusttest.ClientID,
		"client_secret": augusttest.OAuthClientSecret, "grant_type": "authorization_code"})
	require.Equal(t, 200, status)
	assert.True(t, srv.TokenValid(tok["access_token"].(string)))

	status, again := exchange(map[string]any{"refresh_token": tok["refresh_token"], "client_id": augusttest.ClientID,
		"client_secret": augusttest.OAuthClientSecret, "grant_type": "refresh_token"})
	require.Equal(t, 200, status)
	assert.True(t, srv.TokenValid(again["access_token"].(string)))

	status, _ = exchange(map[string]any{"code": "used-or-unknown", "client_id": augusttest.ClientID,
		"client_secret": augusttest.OAuthClientSecret, "grant_type": "authorization_code"})
	assert.Equal(t, http.StatusBadRequest, status)
	status, _ = exchange(map[string]any{"code": "x", "client_id": augusttest.ClientID, "client_secret": "wrong", "grant_type": "authorization_code"})
	assert.Equal(t, http.StatusUnauthorized, status)
}

func TestStrictness(t *testing.T) {
	c, srv := newClient(t)
	start, end := time.Now().Add(time.Hour), time.Now().Add(48*time.Hour)
	withoutField := func(field string) map[string]any {
		cmd := loadCmd("4821", "booking-1", start, end)
		delete(cmd, field)
		return map[string]any{"commands": []any{cmd}, "webhook": hook}
	}
	cases := []struct {
		name, method, path string
		body               any
		status             int
		code               any
	}{
		{"lower-case lock id", "GET", "/locks/a6697750d607098bae8d6baa11ef8063", nil, 400, "InvalidArgument"},
		{"short lock id", "GET", "/locks/ABC123", nil, 400, "InvalidArgument"},
		{"lock the caller is not on", "GET", "/locks/00000000000000000000000000000000", nil, 404, "ResourceNotFound"},
		{"unknown route", "GET", "/locks/" + augusttest.FrontDoorID + "/nothing/here/at/all", nil, 404, "ResourceNotFound"},
		{"unknown command", "PUT", "/remoteoperate/" + augusttest.FrontDoorID + "/open", nil, 501, "NotImplemented"},
		{"bad type", "PUT", "/remoteoperate/" + augusttest.FrontDoorID + "/unlock?type=later", nil, 400, "InvalidArgument"},
		{"retryLimit 4", "PUT", "/remoteoperate/" + augusttest.FrontDoorID + "/unlock?retryLimit=4", nil, 400, "InvalidArgument"},
		{"extendedfunction without body", "PUT", "/remoteoperate/" + augusttest.FrontDoorID + "/extendedfunction", nil, 400, "MissingParameter"},
		{"unlatch unsupported", "PUT", "/remoteoperate/" + augusttest.FrontDoorID + "/unlatch", nil, 412, "PreconditionFailed"},
		{"remote operate without bridge", "PUT", "/remoteoperate/" + augusttest.ShedID + "/unlock", nil, 412, "PreconditionFailed"},
		{"status without bridge", "GET", "/locks/" + augusttest.ShedID + "/status", nil, 409, "Conflict"},
		{"pins on a lock without keypad", "GET", "/locks/" + augusttest.GateID + "/pin", nil, 412, "PreconditionFailed"},
		{"no commands", "POST", "/locks/" + augusttest.FrontDoorID + "/pins", map[string]any{"commands": []any{}, "webhook": hook}, 400, "MissingParameter"},
		{"no webhook", "POST", "/locks/" + augusttest.FrontDoorID + "/pins", map[string]any{"commands": []any{loadCmd("4821", "b", start, end)}}, 400, "MissingParameter"},
		{"relative webhook", "POST", "/locks/" + augusttest.FrontDoorID + "/pins", map[string]any{"commands": []any{loadCmd("4821", "b", start, end)}, "webhook": "/hook"}, 400, "InvalidArgument"},
		{"no action", "POST", "/locks/" + augusttest.FrontDoorID + "/pins", withoutField("action"), 400, "MissingParameter"},
		{"no pin", "POST", "/locks/" + augusttest.FrontDoorID + "/pins", withoutField("pin"), 400, "MissingParameter"},
		{"no accessType", "POST", "/locks/" + augusttest.FrontDoorID + "/pins", withoutField("accessType"), 400, "MissingParameter"},
		{"no firstName", "POST", "/locks/" + augusttest.FrontDoorID + "/pins", withoutField("firstName"), 400, "MissingParameter"},
		{"no lastName", "POST", "/locks/" + augusttest.FrontDoorID + "/pins", withoutField("lastName"), 400, "MissingParameter"},
		{"no partnerUserID", "POST", "/locks/" + augusttest.FrontDoorID + "/pins", withoutField("partnerUserID"), 400, "MissingParameter"},
		{"no accessTimes", "POST", "/locks/" + augusttest.FrontDoorID + "/pins", withoutField("accessTimes"), 400, "MissingParameter"},
		{"unknown action", "POST", "/locks/" + augusttest.FrontDoorID + "/pins", map[string]any{"commands": []any{map[string]any{"action": "wipe", "pin": "4821"}}, "webhook": hook}, 400, "InvalidArgument"},
		{"accessType one-time", "POST", "/locks/" + augusttest.FrontDoorID + "/pins", map[string]any{"commands": []any{func() map[string]any {
			m := loadCmd("4821", "b", start, end)
			m["accessType"] = "one-time"
			return m
		}()}, "webhook": hook}, 400, "InvalidArgument"},
		{"type-1 lock temporary", "POST", "/locks/" + augusttest.BackDoorID + "/pins", map[string]any{"commands": []any{loadCmd("4821", "b", start, end)}, "webhook": hook}, 400, "InvalidArgument"},
		{"pin too short", "POST", "/locks/" + augusttest.FrontDoorID + "/pins", map[string]any{"commands": []any{loadCmd("482", "b", start, end)}, "webhook": hook}, 400, "InvalidArgument"},
		{"pin not digits", "POST", "/locks/" + augusttest.FrontDoorID + "/pins", map[string]any{"commands": []any{loadCmd("48a1", "b", start, end)}, "webhook": hook}, 400, "InvalidArgument"},
		{"window not UTC", "POST", "/locks/" + augusttest.FrontDoorID + "/pins", map[string]any{"commands": []any{func() map[string]any {
			m := loadCmd("4821", "b", start, end)
			m["accessTimes"] = "DTSTART=2030-01-01T10:00:00+02:00;DTEND=2030-01-02T10:00:00+02:00"
			return m
		}()}, "webhook": hook}, 400, "InvalidArgument"},
		{"window backwards", "POST", "/locks/" + augusttest.FrontDoorID + "/pins", map[string]any{"commands": []any{loadCmd("4821", "b", end, start)}, "webhook": hook}, 400, "InvalidArgument"},
		{"window over", "POST", "/locks/" + augusttest.FrontDoorID + "/pins", map[string]any{"commands": []any{loadCmd("4821", "b", start.Add(-72*time.Hour), end.Add(-72*time.Hour))}, "webhook": hook}, 400, "InvalidArgument"},
		{"pin twice in a batch", "POST", "/locks/" + augusttest.FrontDoorID + "/pins", map[string]any{"commands": []any{loadCmd("4821", "a", start, end), loadCmd("4821", "b", start, end)}, "webhook": hook}, 400, "InvalidArgument"},
		{"delete of a pin not there", "POST", "/locks/" + augusttest.FrontDoorID + "/pins", map[string]any{"commands": []any{map[string]any{"action": "delete", "pin": "9999", "userID": augusttest.GuestID}}, "webhook": hook}, 404, "ResourceNotFound"},
		{"delete without userID", "POST", "/locks/" + augusttest.FrontDoorID + "/pins", map[string]any{"commands": []any{map[string]any{"action": "delete", "pin": "9999"}}, "webhook": hook}, 400, "MissingParameter"},
		{"master pin is taken", "POST", "/locks/" + augusttest.FrontDoorID + "/pins", map[string]any{"commands": []any{loadCmd(augusttest.FrontDoorPIN, "b", start, end)}, "webhook": hook}, 409, "Conflict"},
		{"masterpin webhook http", "PUT", "/locks/" + augusttest.FrontDoorID + "/masterpin", map[string]any{"pin": "2468", "webhook": "http://x.example/h"}, 400, "InvalidArgument"},
		{"transfer without uuid", "PUT", "/locks/" + augusttest.FrontDoorID + "/pins/transfer", map[string]any{"oldUserID": "x", "newUserID": augusttest.GuestID}, 400, "InvalidArgument"},
		{"user type", "PUT", "/locks/adduser/" + augusttest.FrontDoorID + "/" + augusttest.GuestID + "/owner", nil, 400, "InvalidArgument"},
		{"pageSize 0", "GET", "/partners/sub-user?pageSize=0", nil, 400, "InvalidArgument"},
		{"pageSize 1001", "GET", "/partners/sub-user?pageSize=1001", nil, 400, "InvalidArgument"},
		{"sub-user without names", "POST", "/partners/sub-user", map[string]any{"partnerUserID": "p1"}, 400, "MissingParameter"},
		{"websocket scope", "POST", "/websocket/subscribers", map[string]any{"scopes": []string{"doorbell"}}, 400, "InvalidArgument"},
		{"websocket no scopes", "POST", "/websocket/subscribers", map[string]any{"scopes": []string{}}, 400, "MissingParameter"},
		{"webhook type", "POST", "/webhook/" + augusttest.FrontDoorID, map[string]any{"url": hook, "clientID": "c", "notificationTypes": []string{"doorbell"}}, 400, "InvalidArgument"},
		{"webhook header without token", "POST", "/webhook/" + augusttest.FrontDoorID, map[string]any{"url": hook, "clientID": "c", "header": "X-T", "notificationTypes": []string{"operation"}}, 400, "MissingParameter"},
		{"logout without install", "POST", "/session/logout", map[string]any{"apnsDeviceID": "61d45ae2-b358-49e3-8101-1cca8951fd48"}, 400, "MissingParameter"},
		{"soft=2", "DELETE", "/locks/" + augusttest.FrontDoorID + "?soft=2", nil, 400, "InvalidArgument"},
		{"capabilities without device", "GET", "/devices/capabilities", nil, 400, "MissingParameter"},
		{"house id not uuid", "GET", "/houses/h1", nil, 400, "InvalidArgument"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a := c.do(tc.method, tc.path, tc.body)
			require.Equal(t, tc.status, a.status, string(a.body))
			m := a.json(t)
			assert.Equal(t, tc.code, m["code"])
			assert.NotEmpty(t, m["message"])
		})
	}
	assert.Empty(t, srv.PINs(augusttest.FrontDoorID), "no refused command left a PIN")
	assert.Zero(t, srv.CountOperations(augusttest.FrontDoorID, "unlock"))
}

func TestFraming(t *testing.T) {
	_, srv := newClient(t)
	tok := srv.NewToken(augusttest.OwnerID)
	serve := func(req *http.Request) *httptest.ResponseRecorder {
		req.Header.Set("x-august-api-key", augusttest.APIKey)
		req.Header.Set("x-august-access-token", tok)
		rec := httptest.NewRecorder()
		srv.Config.Handler.ServeHTTP(rec, req)
		if next := rec.Header().Get("x-august-access-token"); next != "" {
			tok = next
		}
		return rec
	}
	// httptest.NewRequest sends no Content-Length header for a nil body.
	rec := serve(httptest.NewRequest("PUT", "/remoteoperate/"+augusttest.FrontDoorID+"/unlock", nil))
	assert.Equal(t, http.StatusLengthRequired, rec.Code, "the real server hangs; the fake refuses")
	assert.Contains(t, rec.Body.String(), "Content-Length: 0")
	assert.Zero(t, srv.CountOperations(augusttest.FrontDoorID, "unlock"))

	req := httptest.NewRequest("PUT", "/remoteoperate/"+augusttest.FrontDoorID+"/unlock", nil)
	req.Header.Set("Content-Length", "0")
	assert.Equal(t, 200, serve(req).Code)

	req = httptest.NewRequest("POST", "/partners/sub-user", strings.NewReader(`{"partnerUserID":"p","firstName":"a","lastName":"b"}`))
	req.Header.Set("Content-Type", "text/plain")
	rec = serve(req)
	assert.Equal(t, http.StatusUnsupportedMediaType, rec.Code)
	assert.Contains(t, rec.Body.String(), `"UnsupportedMediaType"`)

	req = httptest.NewRequest("POST", "/partners/sub-user", strings.NewReader(`{"partnerUserID":`))
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	rec = serve(req)
	assert.Equal(t, http.StatusBadRequest, rec.Code)
	assert.Contains(t, rec.Body.String(), `"InvalidContent"`)
}

func TestPINLifecycleWithWebhook(t *testing.T) {
	c, srv := newClient(t)
	rec := withReceiver(srv)
	registerHook(t, c, augusttest.FrontDoorID, "operation")
	srv.HoldDeliveries(true)

	a := c.do("GET", "/locks/"+augusttest.FrontDoorID+"/pin", nil)
	require.Equal(t, 200, a.status, string(a.body))
	reserved := a.json(t)
	pin := reserved["pin"].(string)
	assert.Len(t, pin, 6)
	assert.EqualValues(t, 1, reserved["slot"])

	start, end := time.Now().Add(time.Hour).Truncate(time.Millisecond), time.Now().Add(50*time.Hour).Truncate(time.Millisecond)
	a = c.do("POST", "/locks/"+augusttest.FrontDoorID+"/pins", map[string]any{"commands": []any{loadCmd(pin, "booking-42", start, end)}, "webhook": hook})
	require.Equal(t, 200, a.status, string(a.body))
	assert.JSONEq(t, `{"message":"success"}`, string(a.body))
	assert.Empty(t, srv.Reservations(augusttest.FrontDoorID), "the load used the reservation")

	lists := c.do("GET", "/locks/"+augusttest.FrontDoorID+"/pins", nil).json(t)
	for _, st := range []string{"created", "loaded", "disabled", "disabling", "enabling", "deleting", "updating"} {
		assert.Contains(t, lists, st)
	}
	require.Len(t, lists["created"], 1, "pending until its webhook is delivered")
	assert.Empty(t, lists["loaded"])
	created := lists["created"].([]any)[0].(map[string]any)
	assert.Equal(t, pin, created["pin"])
	assert.Equal(t, "created", created["state"])
	assert.Equal(t, "temporary", created["accessType"])
	assert.Equal(t, "Ada", created["firstName"])
	assert.Equal(t, start.UTC().Format("2006-01-02T15:04:05.000Z"), created["accessStartTime"])
	assert.NotContains(t, created, "partnerUserID", "the documented PIN shape has no partnerUserID")
	assert.Equal(t, 1, srv.HeldDeliveries())
	assert.Empty(t, rec.events())

	a = c.do("POST", "/locks/"+augusttest.FrontDoorID+"/pins", map[string]any{"commands": []any{loadCmd("2468", "booking-42", start, end)}, "webhook": hook})
	assert.Equal(t, 409, a.status, "that partner user already has a PIN")
	a = c.do("POST", "/locks/"+augusttest.FrontDoorID+"/pins", map[string]any{"commands": []any{loadCmd(pin, "booking-43", start, end)}, "webhook": hook})
	assert.Equal(t, 409, a.status, "duplicate PIN")
	a = c.do("POST", "/locks/"+augusttest.FrontDoorID+"/pins", map[string]any{"commands": []any{map[string]any{"action": "disable", "pin": pin}}, "webhook": hook})
	assert.Equal(t, 409, a.status, "a command is pending on the PIN")

	assert.Equal(t, 1, srv.ReleaseDeliveries(0))
	wait(t, srv)
	events := rec.events()
	require.Len(t, events, 1)
	ev := events[0]
	assert.Equal(t, "pincommand", ev["notificationType"])
	assert.Equal(t, "load", ev["action"])
	assert.Equal(t, "success", ev["status"])
	assert.Equal(t, pin, ev["pin"])
	assert.Equal(t, "booking-42", ev["partnerUserID"])
	assert.Equal(t, "loaded", ev["state"])
	assert.Equal(t, "s3cret-static", rec.headers()[0].Get("X-Partner-Token"), "the registered static header rides along")
	assert.Equal(t, "application/json", rec.headers()[0].Get("Content-Type"))

	assert.Equal(t, 1, srv.LivePINs())
	assert.Equal(t, 1, srv.CountPINCommands("load"), "refused commands are not counted")
	pins := srv.PINs(augusttest.FrontDoorID)
	require.Len(t, pins, 1)
	assert.Equal(t, "loaded", pins[0].State)
	subs := c.do("GET", "/partners/sub-user", nil).json(t)["subUsers"].([]any)
	require.Len(t, subs, 1)
	assert.Equal(t, pins[0].UserID, subs[0].(map[string]any)["userID"], "the PIN belongs to the partner's sub-user")

	// update, disable, enable, delete: each pending until released.
	for _, step := range []struct {
		cmd             map[string]any
		pending, result string
	}{
		{map[string]any{"action": "update", "pin": pin, "accessType": "always"}, "updating", "loaded"},
		{map[string]any{"action": "disable", "pin": pin}, "disabling", "disabled"},
		{map[string]any{"action": "enable", "pin": pin}, "enabling", "loaded"},
		{map[string]any{"action": "delete", "pin": pin, "userID": pins[0].UserID}, "deleting", "deleted"},
	} {
		if step.cmd["action"] == "delete" {
			a = c.do("POST", "/locks/"+augusttest.FrontDoorID+"/pins", map[string]any{"commands": []any{map[string]any{"action": "delete", "pin": pin}}, "webhook": hook})
			assert.Equal(t, 400, a.status, "a delete names the PIN's user")
			a = c.do("POST", "/locks/"+augusttest.FrontDoorID+"/pins", map[string]any{"commands": []any{map[string]any{"action": "delete", "pin": pin, "userID": augusttest.GuestID}}, "webhook": hook})
			assert.Equal(t, 404, a.status, "not that user's PIN")
		}
		a = c.do("POST", "/locks/"+augusttest.FrontDoorID+"/pins", map[string]any{"commands": []any{step.cmd}, "webhook": hook})
		require.Equal(t, 200, a.status, string(a.body))
		lists = c.do("GET", "/locks/"+augusttest.FrontDoorID+"/pins", nil).json(t)
		assert.Len(t, lists[step.pending], 1, step.pending)
		srv.ReleaseDeliveries(0)
		wait(t, srv)
		events = rec.events()
		assert.Equal(t, step.result, events[len(events)-1]["state"])
	}
	assert.Empty(t, srv.PINs(augusttest.FrontDoorID), "deleted")
	assert.Equal(t, 5, srv.CountPINCommands(""))
	assert.Zero(t, srv.LivePINs())
	assert.Equal(t, "always", func() string {
		for _, e := range rec.events() {
			if e["action"] == "update" {
				return "always"
			}
		}
		return ""
	}())
}

// Without the join a load makes no sub-user: its PIN belongs to the
// sub-user made before for its partnerUserID, else to a user of its own
// assigned when the load completes.
func TestSubUserJoinOff(t *testing.T) {
	c, srv := newClient(t)
	withReceiver(srv)
	srv.SetSubUserJoin(false)
	srv.HoldDeliveries(true)
	start, end := time.Now().Add(time.Hour), time.Now().Add(2*time.Hour)
	sub := c.do("POST", "/partners/sub-user", map[string]any{"partnerUserID": "made-first", "firstName": "Ada", "lastName": "Lovelace"}).json(t)
	for _, load := range []map[string]any{loadCmd("4821", "made-first", start, end), loadCmd("5932", "never-made", start, end)} {
		a := c.do("POST", "/locks/"+augusttest.FrontDoorID+"/pins", map[string]any{"commands": []any{load}, "webhook": hook})
		require.Equal(t, 200, a.status, string(a.body))
	}
	created := c.do("GET", "/locks/"+augusttest.FrontDoorID+"/pins", nil).json(t)["created"].([]any)
	require.Len(t, created, 2)
	assert.Equal(t, sub["userID"], created[0].(map[string]any)["userID"], "the sub-user made before holds the PIN")
	assert.NotContains(t, created[1], "userID", "no user until the load completes")
	subs := c.do("GET", "/partners/sub-user", nil).json(t)["subUsers"].([]any)
	assert.Len(t, subs, 1, "a load makes no sub-user")

	srv.HoldDeliveries(false)
	wait(t, srv)
	pins := srv.PINs(augusttest.FrontDoorID)
	require.Len(t, pins, 2)
	assert.Equal(t, sub["userID"], pins[0].UserID)
	assert.NotEmpty(t, pins[1].UserID, "a user of its own once loaded")
	assert.NotEqual(t, sub["userID"], pins[1].UserID)
	assert.Len(t, c.do("GET", "/partners/sub-user", nil).json(t)["subUsers"], 1)
	a := c.do("POST", "/locks/"+augusttest.FrontDoorID+"/pins", map[string]any{"commands": []any{loadCmd("6043", "never-made", start, end)}, "webhook": hook})
	assert.Equal(t, 409, a.status, "that partnerUserID already has a PIN on the lock")
}

func TestPINCommandHookAndUnknownState(t *testing.T) {
	c, srv := newClient(t)
	withReceiver(srv)
	var mu sync.Mutex
	var seen []augusttest.PINCommandCall
	srv.SetPINCommandHook(func(call augusttest.PINCommandCall) {
		mu.Lock()
		seen = append(seen, call)
		mu.Unlock()
	})
	start, end := time.Now().Add(time.Hour), time.Now().Add(2*time.Hour)
	a := c.do("POST", "/locks/"+augusttest.FrontDoorID+"/pins", map[string]any{"commands": []any{loadCmd("4821", "p-1", start, end)}, "webhook": hook})
	require.Equal(t, 200, a.status, string(a.body))
	wait(t, srv)
	mu.Lock()
	assert.Equal(t, []augusttest.PINCommandCall{{LockID: augusttest.FrontDoorID, Action: "load", PIN: "4821"}}, seen)
	mu.Unlock()

	assert.True(t, srv.SetPINState(augusttest.FrontDoorID, "4821", "suspended"))
	assert.False(t, srv.SetPINState(augusttest.FrontDoorID, "0000", "suspended"))
	lists := c.do("GET", "/locks/"+augusttest.FrontDoorID+"/pins", nil).json(t)
	assert.Len(t, lists["suspended"], 1, "a state August does not document gets a list of its own")
	assert.Empty(t, lists["loaded"])
}

func TestPINCommandFailureAndRepeatedDelivery(t *testing.T) {
	c, srv := newClient(t)
	rec := withReceiver(srv)
	srv.RepeatDeliveries(2)
	srv.FailPINCommand("4821", "keypad did not answer")
	start, end := time.Now().Add(time.Hour), time.Now().Add(2*time.Hour)
	a := c.do("POST", "/locks/"+augusttest.FrontDoorID+"/pins", map[string]any{"commands": []any{loadCmd("4821", "b-1", start, end)}, "webhook": hook})
	require.Equal(t, 200, a.status, string(a.body))
	wait(t, srv)
	events := rec.events()
	require.Len(t, events, 2, "delivered twice")
	assert.Equal(t, events[0]["eventID"], events[1]["eventID"], "a repeat keeps its event id")
	assert.Equal(t, "failure", events[0]["status"])
	assert.Equal(t, "keypad did not answer", events[0]["reason"])
	assert.Empty(t, srv.PINs(augusttest.FrontDoorID), "a failed load leaves no PIN")
	assert.Empty(t, rec.headers()[0].Get("X-Partner-Token"), "no registration: no static header")

	srv.RepeatDeliveries(1)
	assert.Equal(t, 1, srv.Redeliver(events[0]["eventID"].(string)))
	wait(t, srv)
	assert.Len(t, rec.events(), 3)
	assert.Len(t, srv.Deliveries(), 3)
	assert.Equal(t, 200, srv.Deliveries()[0].Status)
}

func TestReservationsExpireOnTheClock(t *testing.T) {
	c, srv := newClient(t)
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	srv.SetClock(func() time.Time { mu.Lock(); defer mu.Unlock(); return now })
	c.token = srv.NewToken(augusttest.OwnerID)
	id := srv.AddLock(augusttest.Lock{Name: "Tiny", HouseID: augusttest.HouseID, Keypad: true, Bridge: true, MaxPINs: 2}, augusttest.OwnerID)

	first := c.do("GET", "/locks/"+id+"/pin", nil).json(t)
	second := c.do("GET", "/locks/"+id+"/pin", nil).json(t)
	assert.NotEqual(t, first["pin"], second["pin"])
	a := c.do("GET", "/locks/"+id+"/pin", nil)
	assert.Equal(t, 409, a.status, "no slot left")
	assert.Len(t, srv.Reservations(id), 2)

	mu.Lock()
	now = now.Add(augusttest.DefaultReservationTTL - time.Second)
	mu.Unlock()
	assert.Len(t, srv.Reservations(id), 2, "still held just before 3 minutes")
	a = c.do("DELETE", "/locks/"+id+"/pin/"+first["pin"].(string), nil)
	assert.Equal(t, 200, a.status, string(a.body))
	assert.Len(t, srv.Reservations(id), 1)
	assert.Equal(t, 404, c.do("DELETE", "/locks/"+id+"/pin/"+first["pin"].(string), nil).status, "already released")

	mu.Lock()
	now = now.Add(time.Second)
	mu.Unlock()
	assert.Empty(t, srv.Reservations(id), "expired after 3 minutes")
	assert.Equal(t, 200, c.do("GET", "/locks/"+id+"/pin", nil).status, "the slot is free again")
}

func TestRemoteOperateSync(t *testing.T) {
	c, srv := newClient(t)
	rec := withReceiver(srv)
	registerHook(t, c, augusttest.FrontDoorID, "operation")
	require.True(t, srv.Locked(augusttest.FrontDoorID))

	a := c.do("PUT", "/remoteoperate/"+augusttest.FrontDoorID+"/unlock?type=sync&retryLimit=1", nil)
	require.Equal(t, 200, a.status, string(a.body))
	m := a.json(t)
	assert.Equal(t, "kAugLockState_Unlocked", m["status"])
	assert.Equal(t, "kAugDoorState_Closed", m["doorState"])
	assert.Contains(t, m, "retryCount")
	assert.Contains(t, m, "totalTime")
	info := m["info"].(map[string]any)
	assert.Equal(t, "unlock", info["action"])
	assert.Equal(t, augusttest.FrontDoorID, info["lockID"])
	assert.Contains(t, info["context"], "startDate")
	assert.False(t, srv.Locked(augusttest.FrontDoorID))
	assert.Equal(t, 1, srv.CountOperations(augusttest.FrontDoorID, "unlock"))
	wait(t, srv)
	require.Len(t, rec.events(), 1, "sync operates notify registrations")
	assert.Equal(t, "operation", rec.events()[0]["notificationType"])

	// A sync call in flight makes a second one busy (423).
	entered, release := make(chan struct{}), make(chan struct{})
	srv.SetOperateHook(func(op augusttest.RemoteOperation) { close(entered); <-release })
	done := make(chan answer)
	go func() { done <- c.do("PUT", "/remoteoperate/"+augusttest.FrontDoorID+"/lock", nil) }()
	<-entered
	busy := c.do("PUT", "/remoteoperate/"+augusttest.FrontDoorID+"/lock", nil)
	assert.Equal(t, http.StatusLocked, busy.status)
	close(release)
	assert.Equal(t, 200, (<-done).status)
	srv.SetOperateHook(nil)
	assert.True(t, srv.Locked(augusttest.FrontDoorID))

	srv.SetBridgeOnline(augusttest.FrontDoorID, false)
	a = c.do("PUT", "/remoteoperate/"+augusttest.FrontDoorID+"/unlock", nil)
	assert.Equal(t, 422, a.status)
	assert.JSONEq(t, `{"code":98,"message":"Bridge is offline"}`, string(a.body))
	srv.SetBridgeOnline(augusttest.FrontDoorID, true)

	for _, status := range []int{408, 423, 460, 530, 531, 550, 551, 560} {
		srv.SetLockError(augusttest.FrontDoorID, status)
		a = c.do("PUT", "/remoteoperate/"+augusttest.FrontDoorID+"/unlock", nil)
		assert.Equal(t, status, a.status)
		assert.NotEmpty(t, a.json(t)["message"])
	}
	srv.SetLockError(augusttest.FrontDoorID, 0)
	assert.True(t, srv.Locked(augusttest.FrontDoorID), "no failed operate moved the bolt")

	a = c.do("PUT", "/remoteoperate/"+augusttest.GateID+"/unlatch", nil)
	require.Equal(t, 200, a.status, string(a.body))
	assert.Equal(t, "kAugLockState_Unlatched", a.json(t)["status"])
}

func TestRemoteOperateAsync(t *testing.T) {
	c, srv := newClient(t)
	rec := withReceiver(srv)
	registerHook(t, c, augusttest.FrontDoorID, "operation", "battery")
	srv.HoldDeliveries(true)

	a := c.do("PUT", "/remoteoperate/"+augusttest.FrontDoorID+"/unlock?type=async", nil)
	assert.Equal(t, http.StatusAccepted, a.status)
	assert.Empty(t, a.body)
	assert.True(t, srv.Locked(augusttest.FrontDoorID), "the lock acts when the result is released")
	assert.Zero(t, srv.CountOperations(augusttest.FrontDoorID, "unlock"))

	srv.HoldDeliveries(false)
	wait(t, srv)
	assert.False(t, srv.Locked(augusttest.FrontDoorID))
	assert.Equal(t, 1, srv.CountOperations(augusttest.FrontDoorID, "unlock"))
	events := rec.events()
	require.Len(t, events, 1)
	assert.Equal(t, "operation", events[0]["notificationType"])
	assert.Equal(t, "unlock", events[0]["action"])
	assert.Equal(t, "kAugLockState_Unlocked", events[0]["status"])
	assert.Equal(t, "s3cret-static", rec.headers()[0].Get("X-Partner-Token"))

	// v2: the body's webhook gets the result too; a jam arrives as an error.
	srv.SetLockError(augusttest.FrontDoorID, 530)
	other := "https://other.example.com/result"
	req := map[string]any{"webhook": other, "notificationType": "websocket"}
	c2 := c.do("PUT", "/remoteoperate/"+augusttest.FrontDoorID+"/lock?type=async", req)
	require.Equal(t, http.StatusAccepted, c2.status, string(c2.body))
	wait(t, srv)
	events = rec.events()
	require.Len(t, events, 3)
	for _, ev := range events[1:] {
		assert.Equal(t, float64(530), ev["error"].(map[string]any)["status"])
	}
	ops := srv.RemoteOperations()
	assert.Equal(t, 530, ops[len(ops)-1].Status)

	srv.SetBattery(augusttest.FrontDoorID, 0.15)
	wait(t, srv)
	events = rec.events()
	assert.Equal(t, "battery", events[len(events)-1]["notificationType"])
	assert.Equal(t, 0.15, events[len(events)-1]["battery"])
}

func TestLostAnswerStillUnlocks(t *testing.T) {
	c, srv := newClient(t)
	srv.Inject(augusttest.Fault{Method: "PUT", Path: "/remoteoperate/" + augusttest.FrontDoorID + "/unlock", Count: 1, LoseAnswer: true})
	req, _ := http.NewRequest("PUT", srv.URL+"/remoteoperate/"+augusttest.FrontDoorID+"/unlock", nil)
	req.Header.Set("x-august-api-key", augusttest.APIKey)
	req.Header.Set("x-august-access-token", c.token)
	_, err := srv.Client().Do(req)
	require.Error(t, err, "the answer is lost")
	assert.Equal(t, 1, srv.CountOperations(augusttest.FrontDoorID, "unlock"), "but the lock opened")
	assert.False(t, srv.Locked(augusttest.FrontDoorID))
	assert.True(t, srv.TokenValid(c.token), "the lost answer's rotated token is gone, the old one still works")

	srv.FailNext(1, http.StatusTooManyRequests, 2*time.Second)
	a := c.do("GET", "/users/locks/mine", nil)
	assert.Equal(t, http.StatusTooManyRequests, a.status)
	assert.Equal(t, "2", a.header.Get("Retry-After"))
	assert.Equal(t, "TooManyRequests", a.json(t)["code"])
}

func TestLockInfoCanOmitEntryCodes(t *testing.T) {
	c, srv := newClient(t)
	omit := srv.AddLock(augusttest.Lock{Name: "Porch", HouseID: augusttest.HouseID, Keypad: true, Bridge: true, OmitEntryCodes: true}, augusttest.OwnerID)
	info := c.do("GET", "/locks/"+omit, nil).json(t)
	assert.NotContains(t, info, "supportsEntryCodes")
	assert.Contains(t, info, "keypad")
	assert.Equal(t, true, c.do("GET", "/locks/"+augusttest.FrontDoorID, nil).json(t)["supportsEntryCodes"])
}

func TestLocksHousesUsers(t *testing.T) {
	c, srv := newClient(t)
	mine := c.do("GET", "/users/locks/mine", nil).json(t)
	require.Len(t, mine, 4)
	front := mine[augusttest.FrontDoorID].(map[string]any)
	assert.Equal(t, "Front Door", front["LockName"])
	assert.Equal(t, "superuser", front["UserType"])
	assert.Equal(t, augusttest.HouseID, front["HouseID"])

	info := c.do("GET", "/locks/"+augusttest.FrontDoorID, nil).json(t)
	assert.Equal(t, "Europe/Amsterdam", info["timeZone"])
	assert.Equal(t, true, info["supportsEntryCodes"])
	assert.EqualValues(t, 2, info["Type"])
	assert.Contains(t, info, "Bridge")
	assert.Contains(t, info, "keypad")
	assert.Contains(t, info, "pubsubChannel")
	assert.Equal(t, "locked", info["LockStatus"].(map[string]any)["status"])
	gate := c.do("GET", "/locks/"+augusttest.GateID, nil).json(t)
	assert.Equal(t, false, gate["supportsEntryCodes"])
	assert.NotContains(t, gate, "keypad")
	shed := c.do("GET", "/locks/"+augusttest.ShedID, nil).json(t)
	assert.NotContains(t, shed, "Bridge")

	st := c.do("GET", "/locks/"+augusttest.FrontDoorID+"/status", nil)
	assert.JSONEq(t, `{"status":"kAugLockState_Locked","doorState":"kAugLockDoorState_Closed"}`, string(st.body))

	caps := c.do("GET", "/devices/capabilities?serialNumber=X2FSW05DGA&topLevelHost=true", nil).json(t)
	assert.NotContains(t, caps, "keypad", "a paired keypad answers by its own serial")
	assert.EqualValues(t, 240, caps["lock"].(map[string]any)["pinSlotMax"])
	caps = c.do("GET", "/devices/capabilities?serialNumber=KX2FSW05DGA", nil).json(t)
	assert.NotContains(t, caps, "lock")
	keypad := caps["keypad"].(map[string]any)
	assert.EqualValues(t, 4, keypad["pinLengthMin"])
	assert.EqualValues(t, 6, keypad["pinLengthMax"])
	srv.SetKeypadCapabilitiesOnLockSerial(true)
	caps = c.do("GET", "/devices/capabilities?serialNumber=X2FSW05DGA&topLevelHost=true", nil).json(t)
	assert.EqualValues(t, 6, caps["keypad"].(map[string]any)["pinLengthMax"])
	assert.Equal(t, 404, c.do("GET", "/devices/capabilities?serialNumber=NOPE", nil).status)

	var houses []map[string]any
	require.NoError(t, json.Unmarshal(c.do("GET", "/users/houses/mine", nil).body, &houses))
	require.Len(t, houses, 1)
	assert.Equal(t, "Harbour House", houses[0]["HouseName"])
	house := c.do("GET", "/houses/"+augusttest.HouseID, nil).json(t)
	assert.Len(t, house["locks"], 4)
	assert.ElementsMatch(t, []any{augusttest.OwnerID, augusttest.GuestID}, house["users"])
	assert.Equal(t, 404, c.do("GET", "/houses/"+augusttest.GuestID, nil).status)

	// Users on a lock.
	newUser := srv.AddUser(augusttest.User{FirstName: "Nora", LastName: "New"})
	a := c.do("PUT", "/locks/adduser/"+augusttest.GateID+"/"+newUser+"/user", map[string]any{"Name": "Nora", "returnInvited": true})
	require.Equal(t, 200, a.status, string(a.body))
	assert.Equal(t, newUser, a.json(t)["userId"])
	assert.Equal(t, 200, c.do("PUT", "/locks/adduser/"+augusttest.GateID+"/"+newUser+"/user", nil).status, "PUT again: same state")
	assert.Equal(t, 409, c.do("PUT", "/locks/adduser/"+augusttest.GateID+"/"+newUser+"/manager", nil).status)
	assert.Equal(t, 200, c.do("PUT", "/locks/adduser/"+augusttest.GateID+"/"+newUser+"/user",
		map[string]any{"options": map[string]any{"isUpdatingPermissions": true}}).status)
	a = c.do("PUT", "/locks/adduser/"+augusttest.GateID+"/email:visitor@example.com/user", map[string]any{"returnInvited": true})
	require.Equal(t, 200, a.status, string(a.body))
	assert.Len(t, srv.LockUsers(augusttest.GateID), 3)
	assert.Equal(t, 200, c.do("PUT", "/locks/"+augusttest.GateID+"/"+newUser+"/manager", nil).status)
	assert.Equal(t, "manager", srv.LockUsers(augusttest.GateID)[newUser])
	assert.Equal(t, 200, c.do("DELETE", "/locks/"+augusttest.GateID+"/"+newUser, nil).status)
	assert.Equal(t, 404, c.do("DELETE", "/locks/"+augusttest.GateID+"/"+newUser, nil).status)

	// A plain user may not manage PINs or users.
	guest := &client{t: t, srv: srv, token: srv.NewToken(augusttest.GuestID)}
	assert.Equal(t, 403, guest.do("GET", "/locks/"+augusttest.FrontDoorID+"/pins", nil).status)
	assert.Equal(t, 403, guest.do("PUT", "/locks/"+augusttest.FrontDoorID+"/"+augusttest.OwnerID+"/user", nil).status)
	assert.Equal(t, 404, guest.do("GET", "/locks/"+augusttest.GateID, nil).status)
	guestLocks := guest.do("GET", "/users/locks/mine", nil).json(t)
	assert.Len(t, guestLocks, 1)

	assert.Equal(t, 200, c.do("DELETE", "/locks/"+augusttest.ShedID+"?soft=1", nil).status)
	assert.Equal(t, []string{augusttest.ShedID}, srv.DeletedLocks())
	assert.Equal(t, 404, c.do("GET", "/locks/"+augusttest.ShedID, nil).status)
}

func TestMasterPINAndTransfer(t *testing.T) {
	c, srv := newClient(t)
	rec := withReceiver(srv)
	m := c.do("GET", "/locks/"+augusttest.FrontDoorID+"/masterpin", nil).json(t)
	assert.Equal(t, augusttest.FrontDoorPIN, m["pin"])
	assert.Equal(t, 404, c.do("GET", "/locks/"+augusttest.BackDoorID+"/masterpin", nil).status)

	srv.HoldDeliveries(true)
	a := c.do("PUT", "/locks/"+augusttest.FrontDoorID+"/masterpin", map[string]any{"pin": 2468, "webhook": hook})
	require.Equal(t, 200, a.status, string(a.body))
	assert.Equal(t, augusttest.FrontDoorPIN, srv.MasterPIN(augusttest.FrontDoorID), "set when its result is delivered")
	srv.HoldDeliveries(false)
	wait(t, srv)
	assert.Equal(t, "2468", srv.MasterPIN(augusttest.FrontDoorID))
	require.Len(t, rec.events(), 1)
	assert.Equal(t, "masterpin", rec.events()[0]["action"])

	start, end := time.Now().Add(time.Hour), time.Now().Add(2*time.Hour)
	a = c.do("POST", "/locks/"+augusttest.FrontDoorID+"/pins", map[string]any{"commands": []any{loadCmd("4821", "b-7", start, end)}, "webhook": hook})
	require.Equal(t, 200, a.status, string(a.body))
	wait(t, srv)
	from := srv.PINs(augusttest.FrontDoorID)[0].UserID
	a = c.do("PUT", "/locks/"+augusttest.FrontDoorID+"/pins/transfer", map[string]any{"oldUserID": from, "newUserID": augusttest.GuestID})
	require.Equal(t, 200, a.status, string(a.body))
	p := srv.PINs(augusttest.FrontDoorID)[0]
	assert.Equal(t, augusttest.GuestID, p.UserID)
	assert.Equal(t, "Gus", p.FirstName)
	assert.Equal(t, 404, c.do("PUT", "/locks/"+augusttest.FrontDoorID+"/pins/transfer", map[string]any{"oldUserID": from, "newUserID": augusttest.GuestID}).status)
}

func TestSubUsersSubscribersWebhooksLogout(t *testing.T) {
	c, srv := newClient(t)
	var first map[string]any
	for i := range 5 {
		a := c.do("POST", "/partners/sub-user", map[string]any{"partnerUserID": "p" + string(rune('0'+i)), "firstName": "F", "lastName": "L"})
		require.Equal(t, 200, a.status, string(a.body))
		if i == 0 {
			first = a.json(t)
		}
	}
	assert.Equal(t, true, first["userCreated"])
	again := c.do("POST", "/partners/sub-user", map[string]any{"partnerUserID": "p0", "firstName": "F", "lastName": "L"}).json(t)
	assert.Equal(t, false, again["userCreated"])
	assert.Equal(t, first["userID"], again["userID"])
	assert.True(t, srv.TokenValid(again["access_token"].(string)))

	page := c.do("GET", "/partners/sub-user?page=2&pageSize=2", nil).json(t)
	assert.EqualValues(t, 5, page["totalRecords"])
	assert.EqualValues(t, 2, page["currentPage"])
	assert.EqualValues(t, 3, page["pageRecordStart"])
	assert.EqualValues(t, 4, page["pageRecordEnd"])
	assert.EqualValues(t, 3, page["totalPages"])
	assert.Len(t, page["subUsers"], 2)
	assert.Equal(t, "p2", page["subUsers"].([]any)[0].(map[string]any)["partnerUserID"])

	sub := c.do("POST", "/websocket/subscribers", map[string]any{"scopes": []string{"lock"}}).json(t)
	id := sub["subscriberID"].(string)
	assert.Equal(t, augusttest.OwnerID, sub["userID"])
	assert.Equal(t, sub, c.do("GET", "/websocket/subscribers/"+id, nil).json(t))
	assert.Equal(t, 200, c.do("DELETE", "/websocket/subscribers/"+id, nil).status)
	assert.Equal(t, 404, c.do("GET", "/websocket/subscribers/"+id, nil).status)

	registerHook(t, c, augusttest.GateID, "operation")
	registerHook(t, c, augusttest.GateID, "battery") // overwrites
	hooks := srv.Webhooks(augusttest.GateID)
	require.Len(t, hooks, 1)
	assert.Equal(t, []string{"battery"}, hooks[0].NotificationTypes)
	assert.Equal(t, 200, c.do("DELETE", "/webhook/"+augusttest.GateID+"/"+augusttest.ClientID, nil).status)
	assert.Equal(t, 404, c.do("DELETE", "/webhook/"+augusttest.GateID+"/"+augusttest.ClientID, nil).status)

	before := c.token
	a := c.do("POST", "/session/logout", map[string]any{"apnsDeviceID": "61d45ae2-b358-49e3-8101-1cca8951fd48", "installID": "b212f325-fa1f-4a84-bf0d-bdf1831e8eab"})
	require.Equal(t, 200, a.status, string(a.body))
	assert.Equal(t, "null", strings.TrimSpace(string(a.body)))
	assert.False(t, srv.TokenValid(before))
	assert.Equal(t, 401, c.do("GET", "/users/locks/mine", nil).status)
}

// TestConcurrentRotation is for the race detector: many goroutines share
// one token, every answer rotates it, and every request is accepted.
func TestConcurrentRotation(t *testing.T) {
	c, srv := newClient(t)
	rec := withReceiver(srv)
	registerHook(t, c, augusttest.FrontDoorID, "operation")
	var wg sync.WaitGroup
	statuses := make(chan int, 201)
	for i := range 200 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			path := "/users/locks/mine"
			if i%10 == 0 {
				path = "/locks/" + augusttest.FrontDoorID + "/pins"
			}
			statuses <- c.do("GET", path, nil).status
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		statuses <- c.do("PUT", "/remoteoperate/"+augusttest.FrontDoorID+"/unlock?type=async", nil).status
	}()
	wg.Wait()
	close(statuses)
	for s := range statuses {
		assert.Contains(t, []int{200, 202}, s)
	}
	wait(t, srv)
	assert.Len(t, rec.events(), 1)
	assert.Equal(t, 200, c.do("GET", "/users/locks/mine", nil).status, "the newest token kept works")
}

func TestCloseStopsPendingDeliveries(t *testing.T) {
	srv := augusttest.NewServer()
	block := make(chan struct{})
	srv.SetWebhookClient(&http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		select {
		case <-block:
		case <-r.Context().Done():
			return nil, r.Context().Err()
		}
		return nil, io.EOF
	})})
	c := &client{t: t, srv: srv, token: srv.NewToken(augusttest.OwnerID)}
	registerHook(t, c, augusttest.FrontDoorID, "operation")
	for range 3 {
		c.do("PUT", "/remoteoperate/"+augusttest.FrontDoorID+"/unlock?type=async", nil)
	}
	srv.Close() // returns although a delivery is stuck in the receiver
	close(block)
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// A caller that gives up on a sync operate does not stop the lock.
func TestSyncOperateActsAfterTheCallerGaveUp(t *testing.T) {
	c, srv := newClient(t)
	notified := make(chan struct{}, 1)
	srv.SetWebhookClient(&http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		notified <- struct{}{}
		rec := httptest.NewRecorder()
		return rec.Result(), nil
	})})
	registerHook(t, c, augusttest.FrontDoorID, "operation")
	ctx, cancel := context.WithCancel(context.Background())
	gaveUp := make(chan error, 1)
	srv.SetOperateHook(func(op augusttest.RemoteOperation) {
		assert.Equal(t, "2.0.0", op.Version)
		assert.Equal(t, 2, op.RetryLimit)
		cancel()
		<-gaveUp // the caller has seen its context end
	})
	req, _ := http.NewRequestWithContext(ctx, "PUT", srv.URL+"/remoteoperate/"+augusttest.FrontDoorID+"/unlock?retryLimit=2", nil)
	req.Header.Set("x-august-api-key", augusttest.APIKey)
	req.Header.Set("x-august-access-token", c.token)
	req.Header.Set("Accept-Version", "2.0.0")
	_, err := srv.Client().Do(req)
	require.ErrorIs(t, err, context.Canceled)
	gaveUp <- err
	<-notified // the lock acted and told the registered webhook
	assert.Equal(t, 1, srv.CountOperations(augusttest.FrontDoorID, "unlock"))
	assert.False(t, srv.Locked(augusttest.FrontDoorID))
	ops := srv.RemoteOperations()
	assert.Equal(t, "2.0.0", ops[0].Version)
}
