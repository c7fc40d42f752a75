package resivotest

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// raw sends a request to the fake without the SDK, to check what it refuses.
func raw(t *testing.T, s *Server, method, path, contentType, body, bearer string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(method, s.URL+path, strings.NewReader(body))
	require.NoError(t, err)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	resp, err := s.Client().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var out map[string]any
	_ = json.Unmarshal(b, &out)
	return resp.StatusCode, out
}

func getToken(t *testing.T, s *Server, id, secret string) string {
	t.Helper()
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {id}, "client_secret": {secret}}
	status, body := raw(t, s, "POST", "/oauth2/token", "application/x-www-form-urlencoded", form.Encode(), "")
	require.Equal(t, 200, status, body)
	assert.Equal(t, "Bearer", body["token_type"])
	assert.EqualValues(t, 3600, body["expires_in"])
	return body["access_token"].(string)
}

func TestTokenEndpointIsStrict(t *testing.T) {
	s := NewServer()
	defer s.Close()
	good := url.Values{"grant_type": {"client_credentials"}, "client_id": {ClientID}, "client_secret": {ClientSecret}}
	status, _ := raw(t, s, "POST", "/oauth2/token", "application/json", `{"grant_type":"client_credentials"}`, "")
	assert.Equal(t, http.StatusUnsupportedMediaType, status, "JSON is not form-encoded")
	bad := url.Values{"grant_type": {"client_credentials"}, "client_id": {ClientID}, "client_secret": {"wrong"}}
	status, body := raw(t, s, "POST", "/oauth2/token", "application/x-www-form-urlencoded", bad.Encode(), "")
	assert.Equal(t, http.StatusUnauthorized, status)
	assert.Equal(t, "Invalid client credentials", body["message"])
	pw := url.Values{"grant_type": {"password"}, "client_id": {ClientID}, "client_secret": {ClientSecret}}
	status, _ = raw(t, s, "POST", "/oauth2/token", "application/x-www-form-urlencoded", pw.Encode(), "")
	assert.Equal(t, http.StatusBadRequest, status)
	status, _ = raw(t, s, "POST", "/oauth2/token", "application/x-www-form-urlencoded", good.Encode(), "")
	assert.Equal(t, http.StatusOK, status)
	assert.Equal(t, 1, s.TokensIssued())
}

func TestTokensExpireByTheFakesClock(t *testing.T) {
	s := NewServer()
	defer s.Close()
	tok := getToken(t, s, ClientID, ClientSecret)
	status, _ := raw(t, s, "GET", "/v8/sites/"+SiteID, "", "", tok)
	assert.Equal(t, 200, status)
	s.Advance(DefaultTokenTTL)
	status, body := raw(t, s, "GET", "/v8/sites/"+SiteID, "", "", tok)
	assert.Equal(t, 401, status)
	assert.Equal(t, "Invalid or expired access token", body["message"])
}

func TestSiteScopedClient(t *testing.T) {
	s := NewServer()
	defer s.Close()
	tok := getToken(t, s, SiteClientID, SiteClientSecret)
	status, _ := raw(t, s, "GET", "/"+SiteID+"/components?scope=all", "", "", tok)
	assert.Equal(t, 200, status)
	status, body := raw(t, s, "GET", "/"+Site2ID+"/components?scope=all", "", "", tok)
	assert.Equal(t, 403, status)
	assert.Contains(t, body["message"], Site2ID)
}

func TestCreatesAreStrict(t *testing.T) {
	s := NewServer()
	defer s.Close()
	tok := getToken(t, s, ClientID, ClientSecret)
	pin := "/" + SiteID + "/authorizations/pin-access"
	remote := "/" + SiteID + "/authorizations/remote-access"
	const okPin = `{"displayName":"x","pinCodes":[{"pinCode":"1234","displayName":"x"}],"componentIds":["cmp-1001"],"restrictions":{"validFrom":"2030-06-01T07:00:00.000Z","validTo":"2030-06-01T09:00:00Z"}}`
	cases := map[string]struct{ path, ct, body string }{
		"text/plain":         {pin, "text/plain", okPin},
		"unknown field":      {pin, "application/json", strings.Replace(okPin, `"displayName":"x",`, `"displayName":"x","colour":"red",`, 1)},
		"no displayName":     {pin, "application/json", strings.Replace(okPin, `"displayName":"x",`, ``, 1)},
		"local time":         {pin, "application/json", strings.Replace(okPin, `07:00:00.000Z`, `09:00:00+02:00`, 1)},
		"validTo first":      {pin, "application/json", strings.Replace(okPin, `2030-06-01T09:00:00Z`, `2030-06-01T06:00:00Z`, 1)},
		"unknown component":  {pin, "application/json", strings.Replace(okPin, `cmp-1001`, Site2EntranceID, 1)},
		"letters in the PIN": {pin, "application/json", strings.Replace(okPin, `"1234"`, `"12a4"`, 1)},
		"no restrictions":    {pin, "application/json", `{"displayName":"x","pinCodes":[{"pinCode":"1234","displayName":"x"}],"componentIds":["cmp-1001"]}`},
		"national phone":     {remote, "application/json", `{"displayName":"x","componentIds":["cmp-1001"],"restrictions":{"validFrom":"2030-06-01T07:00:00Z","validTo":"2030-06-01T09:00:00Z"},"recipients":{"phoneNumbers":["0612345678"]}}`},
		"no recipients":      {remote, "application/json", `{"displayName":"x","componentIds":["cmp-1001"],"restrictions":{"validFrom":"2030-06-01T07:00:00Z","validTo":"2030-06-01T09:00:00Z"},"recipients":{}}`},
	}
	for name, tc := range cases {
		status, body := raw(t, s, "POST", tc.path, tc.ct, tc.body, tok)
		assert.True(t, status == 400 || status == 415, "%s: status %d", name, status)
		assert.NotEmpty(t, body["message"], name)
	}
	assert.Empty(t, s.Authorizations())
	status, body := raw(t, s, "POST", pin, "application/json", okPin, tok)
	require.Equal(t, 201, status, body)
	require.Len(t, s.Authorizations(), 1)
	assert.Empty(t, s.Messages(), "a PIN access sends no message")
}

func TestRevokeNeedsTheEmptyObject(t *testing.T) {
	s := NewServer()
	defer s.Close()
	tok := getToken(t, s, ClientID, ClientSecret)
	const body = `{"displayName":"x","componentIds":["cmp-1001"],"restrictions":{"validFrom":"2030-06-01T07:00:00Z","validTo":"2030-06-01T09:00:00Z"},"recipients":{"emails":["grace@example.com"]}}`
	status, created := raw(t, s, "POST", "/"+SiteID+"/authorizations/remote-access", "application/json", body, tok)
	require.Equal(t, 201, status)
	path := "/" + SiteID + "/authorizations/" + created["id"].(string) + "/revoke"
	status, _ = raw(t, s, "DELETE", path, "", "", tok)
	assert.Equal(t, 415, status)
	status, _ = raw(t, s, "DELETE", path, "application/json", `{"x":1}`, tok)
	assert.Equal(t, 400, status)
	status, _ = raw(t, s, "DELETE", path, "application/json", `{}`, tok)
	assert.Equal(t, 204, status)
	status, _ = raw(t, s, "DELETE", path, "application/json", `{}`, tok)
	assert.Equal(t, 409, status)
	status, _ = raw(t, s, "GET", "/"+Site2ID+"/authorizations/"+created["id"].(string), "", "", tok)
	assert.Equal(t, 404, status, "an authorization belongs to its site")
	msgs := s.Messages()
	require.Len(t, msgs, 1)
	assert.Equal(t, Message{Channel: "email", To: "grace@example.com", SiteID: SiteID, AuthorizationID: created["id"].(string), Locale: "nl-NL"}, msgs[0])
}

func TestMigrateChangesIDsNotNames(t *testing.T) {
	s := NewServer()
	defer s.Close()
	before := s.Components(SiteID)
	ids := s.Migrate(SiteID)
	after := s.Components(SiteID)
	require.Len(t, after, len(before))
	for i := range before {
		assert.Equal(t, before[i].DisplayName, after[i].DisplayName)
		assert.NotEqual(t, before[i].ID, after[i].ID)
		assert.Equal(t, ids[after[i].DisplayName], after[i].ID)
	}
	assert.Panics(t, func() { s.AddComponent(SiteID, Component{DisplayName: BikeShedName}) }, "names are unique per site")
}

func TestRemoteAccessOnOfflineComponent(t *testing.T) {
	s := NewServer()
	defer s.Close()
	tok := getToken(t, s, ClientID, ClientSecret)
	body := `{"displayName":"x","componentIds":["` + BikeShedID + `"],"restrictions":{"validFrom":"2030-06-01T07:00:00Z","validTo":"2030-06-01T09:00:00Z"},"recipients":{"emails":["grace@example.com"]}}`
	status, answer := raw(t, s, "POST", "/"+SiteID+"/authorizations/remote-access", "application/json", body, tok)
	assert.Equal(t, 400, status)
	assert.Contains(t, answer["message"], "offline")
	assert.Empty(t, s.Authorizations())
	s.SetOfflineLinks(true)
	status, _ = raw(t, s, "POST", "/"+SiteID+"/authorizations/remote-access", "application/json", body, tok)
	assert.Equal(t, 201, status)
}
