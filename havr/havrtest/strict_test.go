package havrtest

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// serve sends one request straight to the fake's handler.
func serve(s *Server, method, path, contentType, body, token string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	rec := httptest.NewRecorder()
	s.Config.Handler.ServeHTTP(rec, req)
	return rec
}

func login(t *testing.T, s *Server) string {
	t.Helper()
	rec := serve(s, "POST", "/oauth/v1/token", "application/json",
		`{"client_id":"web_platform_client_id","grant_type":"password","email_or_username":"`+OwnerEmail+`","password":"`+OwnerPassword+`","user_agent":"test"}`, "")
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &tok))
	return tok.AccessToken
}

// The fake refuses what the document refuses, and what it does not define:
// other content types, unknown keys, keys spelled in another case, values
// of the wrong type, missing required fields, trailing data.
func TestStrictBodies(t *testing.T) {
	s := NewServer()
	defer s.Close()
	tok := login(t, s)
	link := func(fields string) string {
		return `{"shared_key":{"email":"v@example.com","lock_list_ids":[11],"start_date":"2030-01-01T10:00:00Z","end_date":"2030-01-01T12:00:00Z"` + fields + `}}`
	}
	for name, tc := range map[string]struct {
		method, path, contentType, body string
		status                          int
		error, code                     string
	}{
		"valid link":             {"POST", "/v1/shared_keys/create_with_link", "application/json; charset=utf-8", link(`,"admin":false,"note":"n"`), 201, "", ""},
		"text/plain":             {"POST", "/v1/shared_keys/create_with_link", "text/plain", link(`,"admin":false`), 415, "Content-Type must be application/json", ""},
		"no content type":        {"POST", "/v1/shared_keys/create_with_link", "", link(`,"admin":false`), 415, "Content-Type must be application/json", ""},
		"unknown key":            {"POST", "/v1/shared_keys/create_with_link", "application/json", link(`,"admin":false,"colour":"red"`), 400, "Unknown parameter (colour).", ""},
		"key of another case":    {"POST", "/v1/shared_keys/create_with_link", "application/json", link(`,"Admin":false`), 400, "Unknown parameter (Admin).", ""},
		"wrapper of other case":  {"POST", "/v1/shared_keys/create_with_link", "application/json", `{"Shared_Key":{}}`, 400, "Unknown parameter (Shared_Key).", ""},
		"user ids on a link":     {"POST", "/v1/shared_keys/create_with_link", "application/json", link(`,"admin":false,"user_list_ids":[2]`), 400, "Unknown parameter (user_list_ids).", ""},
		"missing admin":          {"POST", "/v1/shared_keys/create_with_link", "application/json", link(``), 400, "Missing parameter (admin).", ""},
		"null admin":             {"POST", "/v1/shared_keys/create_with_link", "application/json", link(`,"admin":null`), 400, "Missing parameter (admin).", ""},
		"id as a string":         {"POST", "/v1/shared_keys", "application/json", `{"shared_key":{"admin":false,"user_list_ids":[2],"lock_list_ids":["11"]}}`, 400, "Invalid parameter (shared_key.lock_list_ids).", ""},
		"admin as a string":      {"POST", "/v1/shared_keys", "application/json", `{"shared_key":{"admin":"no","user_list_ids":[2],"lock_list_ids":[11]}}`, 400, "Invalid parameter (shared_key.admin).", ""},
		"note on a create":       {"POST", "/v1/shared_keys", "application/json", `{"shared_key":{"admin":false,"note":"n","user_list_ids":[2],"lock_list_ids":[11]}}`, 400, "Unknown parameter (note).", ""},
		"unknown recurrency":     {"POST", "/v1/shared_keys", "application/json", `{"shared_key":{"admin":false,"recurrency":"hourly","user_list_ids":[2],"lock_list_ids":[11]}}`, 400, "Invalid parameter (recurrency).", ""},
		"trailing data":          {"POST", "/v1/shared_keys", "application/json", `{"shared_key":{"admin":false,"user_list_ids":[2],"lock_list_ids":[11]}} {}`, 400, "Invalid JSON body", ""},
		"no wrapper":             {"PATCH", "/v1/door_locks/11", "application/json", `{}`, 400, "Missing parameter (door_lock).", ""},
		"bad confirmation":       {"PATCH", "/v1/door_locks/11", "application/json", `{"door_lock":{"confirmation_level":4}}`, 400, "Invalid parameter (confirmation_level).", ""},
		"empty description":      {"PATCH", "/v1/door_locks/11", "application/json", `{"door_lock":{"description":""}}`, 200, "", ""},
		"door lock id missing":   {"POST", "/v1/lock_logs/door_lock_detail", "application/json", `{"door_lock":{}}`, 400, "Missing parameter (door_lock_id).", ""},
		"p_key missing":          {"POST", "/v1/door_locks/get_k_token", "application/json", `{"k_token":{"door_lock_id":11}}`, 400, "Error generating k token", "generating_k_token"},
		"self as contact":        {"POST", "/v1/contacts", "application/json", `{"contact":{"email_or_username":"` + OwnerEmail + `"}}`, 403, "Can't add yourself as contact", "add_self_as_contact"},
		"lock outside the group": {"POST", "/v1/shared_keys/create_with_link", "application/json", `{"shared_key":{"email":"v@example.com","admin":false,"lock_group_ids":[21],"lock_list_ids":[12]}}`, 400, "Door lock does not belong to the lock group", "door_lock_does_not_belong_to_lock_group"},
		"delete id as string":    {"POST", "/v1/shared_keys/delete_multiple_shared_keys", "application/json", `{"shared_keys":[{"shared_key_id":"1"}]}`, 400, "Invalid parameter (shared_keys.shared_key_id).", ""},
		"delete key of case":     {"POST", "/v1/shared_keys/delete_multiple_shared_keys", "application/json", `{"shared_keys":[{"Shared_key_id":1}]}`, 400, "Unknown parameter (Shared_key_id).", ""},
	} {
		t.Run(name, func(t *testing.T) {
			rec := serve(s, tc.method, tc.path, tc.contentType, tc.body, tok)
			require.Equal(t, tc.status, rec.Code, rec.Body.String())
			assert.Equal(t, "application/json", rec.Header().Get("Content-Type"))
			if tc.error == "" {
				return
			}
			var got map[string]string
			require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &got))
			want := map[string]string{"error": tc.error}
			if tc.code != "" {
				want["error_code"] = tc.code
			}
			assert.Equal(t, want, got)
		})
	}
}

// The token endpoint answers the document's "Missing parameter" for every
// required parameter of the grant, and refuses other spellings.
func TestStrictTokenBody(t *testing.T) {
	s := NewServer()
	defer s.Close()
	for body, want := range map[string]string{
		`{"client_id":"web_platform_client_id","grant_type":"password","email_or_username":"a","password":"p"}`:                       "Missing parameter (user_agent).",
		`{"client_id":"mobile_client_id","grant_type":"password","email_or_username":"a","password":"p","user_agent":"u"}`:            "Missing parameter (uuid).",
		`{"client_id":"web_platform_client_id","grant_type":"password","password":"p","user_agent":"u"}`:                              "Missing parameter (email_or_username).",
		`{"client_id":"web_platform_client_id","grant_type":"password","email_or_username":"a","user_agent":"u"}`:                     "Missing parameter (password).",
		`{"client_id":"web_platform_client_id","grant_type":"refresh_token","user_agent":"u"}`:                                        "Missing parameter (refresh_token).",
		`{"client_id":"web_platform_client_id","grant_type":"client_credentials","user_agent":"u"}`:                                   "Missing parameter (client_secret).",
		`{"client_id":"web_platform_client_id","grant_type":"password","email_or_username":"a","Password":"p","user_agent":"u"}`:      "Unknown parameter (Password).",
		`{"client_id":"web_platform_client_id","grant_type":"password","email_or_username":"a","password":12345678,"user_agent":"u"}`: "Invalid parameter (password).",
	} {
		rec := serve(s, "POST", "/oauth/v1/token", "application/json", body, "")
		assert.Equal(t, http.StatusBadRequest, rec.Code, body)
		assert.JSONEq(t, `{"error":"`+want+`"}`, rec.Body.String(), body)
	}
	rec := serve(s, "POST", "/oauth/v1/token", "application/x-www-form-urlencoded", "grant_type=password", "")
	assert.Equal(t, http.StatusUnsupportedMediaType, rec.Code)
}

// blockingWriter holds the handler in its first Write until released.
type blockingWriter struct {
	header  http.Header
	status  int
	writing chan struct{}
	release chan struct{}
	once    sync.Once
}

func (b *blockingWriter) Header() http.Header { return b.header }
func (b *blockingWriter) WriteHeader(s int)   { b.status = s }
func (b *blockingWriter) Write(p []byte) (int, error) {
	b.once.Do(func() { close(b.writing); <-b.release })
	return len(p), nil
}

// An answer is encoded and written after the fake's lock is released: a
// client reading slowly does not stop every other request.
func TestAnswerWrittenWithoutTheLock(t *testing.T) {
	s := NewServer()
	defer s.Close()
	tok := login(t, s)
	w := &blockingWriter{header: http.Header{}, writing: make(chan struct{}), release: make(chan struct{})}
	req := httptest.NewRequest("GET", "/v1/door_locks", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.Config.Handler.ServeHTTP(w, req)
	}()
	<-w.writing
	locked := s.mu.TryLock()
	if locked {
		s.mu.Unlock()
	}
	close(w.release)
	<-done
	assert.True(t, locked, "the lock is held while the answer is written")
	assert.Equal(t, http.StatusOK, w.status)
}

// Many goroutines share the fake (run with -race).
func TestConcurrentRequests(t *testing.T) {
	s := NewServer()
	defer s.Close()
	tok := login(t, s)
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Go(func() {
			for range 20 {
				rec := serve(s, "GET", "/v1/door_locks", "", "", tok)
				assert.Equal(t, http.StatusOK, rec.Code)
				if i%2 == 0 {
					rec = serve(s, "PATCH", "/v1/door_locks/11", "application/json", `{"door_lock":{"description":"d"}}`, tok)
					assert.Equal(t, http.StatusOK, rec.Code)
				}
			}
		})
	}
	wg.Wait()
}
