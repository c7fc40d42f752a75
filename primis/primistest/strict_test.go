package primistest_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/doorkit/doorkit/primis/primistest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// loggedIn starts a fake and logs the administrator in on phone "p1".
func loggedIn(t *testing.T) (srv *primistest.Server, jwt, refresh string) {
	t.Helper()
	srv = primistest.NewServer()
	t.Cleanup(srv.Close)
	req, _ := http.NewRequest("POST", srv.URL+"/api/mobile/login", strings.NewReader(`{"phoneId":"p1"}`))
	req.Header.Set("Content-Type", "application/json")
	req.SetBasicAuth(primistest.AdminEmail, primistest.AdminPassword)
	status, body := send(t, srv, req)
	require.Equal(t, http.StatusOK, status, body)
	var session struct {
		JWT          string `json:"jwt"`
		RefreshToken string `json:"refreshToken"`
	}
	require.NoError(t, json.Unmarshal([]byte(body), &session))
	return srv, session.JWT, session.RefreshToken
}

func send(t *testing.T, srv *primistest.Server, req *http.Request) (int, string) {
	t.Helper()
	resp, err := srv.Client().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(b)
}

func post(t *testing.T, srv *primistest.Server, method, path, auth, contentType, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
	require.NoError(t, err)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	req.Header.Set("Authorization", auth)
	return send(t, srv, req)
}

// TestFakeIsAsStrictAsTheDocument: bodies the document does not describe
// are refused with its 400 error body; before, {"Zone-Id":...,"STATE":0}
// sent as text/plain was "Granted".
func TestFakeIsAsStrictAsTheDocument(t *testing.T) {
	const ctJSON = "application/json"
	cases := []struct {
		name, method, path, auth, contentType, body string
		status                                      int
	}{
		{"documented zone state", "POST", "/api/mobile/zone_state", "jwt", ctJSON, `{"zone-id": "130000000001","state": 12}`, 200},
		{"the reported request", "POST", "/api/mobile/zone_state", "jwt", "text/plain", `{"Zone-Id":"130000000001","STATE":0}`, 400},
		{"text/plain", "POST", "/api/mobile/zone_state", "jwt", "text/plain", `{"zone-id": "130000000001","state": 12}`, 400},
		{"no Content-Type", "POST", "/api/mobile/zone_state", "jwt", "", `{"zone-id": "130000000001","state": 12}`, 400},
		{"charset is fine", "POST", "/api/mobile/zone_state", "jwt", "application/json; charset=utf-8", `{"zone-id": "130000000001","state": 12}`, 200},
		{"keys in another case", "POST", "/api/mobile/zone_state", "jwt", ctJSON, `{"Zone-Id":"130000000001","STATE":12}`, 400},
		{"unknown field", "POST", "/api/mobile/zone_state", "jwt", ctJSON, `{"zone-id":"130000000001","state":12,"force":true}`, 400},
		{"missing state", "POST", "/api/mobile/zone_state", "jwt", ctJSON, `{"zone-id":"130000000001"}`, 400},
		{"trailing data", "POST", "/api/mobile/zone_state", "jwt", ctJSON, `{"zone-id":"130000000001","state":12} {}`, 400},
		{"array item in another case", "POST", "/api/mobile/zone_states", "jwt", ctJSON, `[{"zone-id":"130000000001","state":12},{"ZONE-ID":"150000000003","state":11}]`, 400},
		{"unlock without duration", "POST", "/api/mobile/unlock_zone", "jwt", ctJSON, `{"zone-id":"150000000004"}`, 400},
		{"documented unlock", "POST", "/api/mobile/unlock_zone", "jwt", ctJSON, `{"zone-id": "150000000004", "duration":10 }`, 200},
		{"nested key in another case", "POST", "/api/mobile/geolocation/access", "jwt", ctJSON, `{"guid":"p1","gps":{"Latitude":49.1885195,"longitude":-122.9922039}}`, 400},
		{"geolocation without guid", "POST", "/api/mobile/geolocation/access", "jwt", ctJSON, `{"gps":{"latitude":49.1885195,"longitude":-122.9922039}}`, 400},
		{"geolocation with another guid", "POST", "/api/mobile/geolocation/access", "jwt", ctJSON, `{"guid":"someone-else","gps":{"latitude":49.1885195,"longitude":-122.9922039}}`, 400},
		{"documented geolocation", "POST", "/api/mobile/geolocation/access", "jwt", ctJSON, `{"guid":"p1","gps":{"latitude":49.1885195,"longitude":-122.9922039}}`, 200},
		{"renewal without body", "POST", "/api/mobile/access_token", "refresh", ctJSON, ``, 400},
		{"renewal with a field", "POST", "/api/mobile/access_token", "refresh", ctJSON, `{"refreshToken":"x"}`, 400},
		{"renewal as text/plain", "POST", "/api/mobile/access_token", "refresh", "text/plain", `{}`, 400},
		{"renewal with an array", "POST", "/api/mobile/access_token", "refresh", ctJSON, `[]`, 400},
		{"documented renewal", "POST", "/api/mobile/access_token", "refresh", ctJSON, `{ }`, 200},
		{"password key in another case", "POST", "/api/mobile/password", "refresh", ctJSON, `{"NewPassword":"Password1234"}`, 400},
		{"deregister with the access token", "DELETE", "/api/mobile/registration", "jwt", ctJSON, `{"phoneId":"p1"}`, 401},
		{"deregister as text/plain", "DELETE", "/api/mobile/registration", "refresh", "text/plain", `{"phoneId":"p1"}`, 400},
		{"deregister with the refresh token", "DELETE", "/api/mobile/registration", "refresh", ctJSON, `{"phoneId":"p1"}`, 200},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv, jwt, refresh := loggedIn(t)
			auth := map[string]string{"jwt": "Bearer " + jwt, "refresh": "Bearer " + refresh}[tc.auth]
			status, body := post(t, srv, tc.method, tc.path, auth, tc.contentType, tc.body)
			assert.Equal(t, tc.status, status, body)
			if tc.status >= 400 {
				var e struct {
					Status  int    `json:"status"`
					Message string `json:"message"`
				}
				require.NoError(t, jsonUnmarshal(body, &e), body)
				assert.Equal(t, tc.status, e.Status)
				assert.NotEmpty(t, e.Message)
			}
			if tc.path == "/api/mobile/zone_state" && tc.status != 200 {
				area, _ := srv.Area("130000000001")
				assert.Equal(t, primistest.StateClosed, area.State, "a refused request changes nothing")
			}
		})
	}
}

// TestFakeRefusesWrongCredentialsAsDocumented: the 401 answers carry the
// document's descriptions.
func TestFakeRefusesWrongCredentialsAsDocumented(t *testing.T) {
	srv, jwt, _ := loggedIn(t)
	cases := []struct {
		name, method, path, body, message string
		auth                              func(r *http.Request)
	}{
		{"login", "POST", "/api/mobile/login", `{"phoneId":"p1"}`, "Incorrect email or password",
			func(r *http.Request) { r.SetBasicAuth(primistest.UserEmail, "Wrong1234") }},
		{"deregister, wrong password", "DELETE", "/api/mobile/registration", `{"phoneId":"p1"}`, "Invalid email/password or refresh token",
			func(r *http.Request) { r.SetBasicAuth(primistest.AdminEmail, "Wrong1234") }},
		{"deregister, access token", "DELETE", "/api/mobile/registration", `{"phoneId":"p1"}`, "Invalid email/password or refresh token",
			func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+jwt) }},
		{"password, wrong refresh token", "POST", "/api/mobile/password", `{"newPassword":"Password1234"}`, "Invalid email/password or refresh token",
			func(r *http.Request) { r.Header.Set("Authorization", "Bearer nope") }},
		{"renewal, access token", "POST", "/api/mobile/access_token", `{}`, "Invalid refresh token",
			func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+jwt) }},
		{"token login, bad token", "POST", "/api/mobile/access_token/login", `{"phoneId":"p1"}`, "Invalid access token",
			func(r *http.Request) { r.Header.Set("Authorization", "Bearer nope") }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(tc.method, srv.URL+tc.path, strings.NewReader(tc.body))
			req.Header.Set("Content-Type", "application/json")
			tc.auth(req)
			status, body := send(t, srv, req)
			assert.Equal(t, http.StatusUnauthorized, status)
			assert.JSONEq(t, `{"status":401,"message":"`+tc.message+`"}`, body)
		})
	}
	assert.Equal(t, primistest.AdminPassword, srv.Password(primistest.AdminEmail))
	assert.Len(t, srv.Phones(), 1)
}

func jsonUnmarshal(s string, v any) error { return json.Unmarshal([]byte(s), v) }
