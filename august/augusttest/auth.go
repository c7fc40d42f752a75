package augusttest

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"time"
)

const (
	headerAPIKey = "x-august-api-key"
	headerToken  = "x-august-access-token"
)

type token struct {
	userID     string
	installID  string
	clientID   string
	expires    time.Time
	superseded time.Time // zero while no answer has carried a successor
}

type session struct {
	userID    string
	installID string
	clientID  string
	recent    []string // issued tokens, oldest first; bounded by maxRecentTokens
}

// maxSessionTokens bounds the tokens one session keeps valid: enough that a
// client firing many concurrent requests with one token still holds a valid
// successor whichever answer it keeps.
const maxSessionTokens = 1024

// NewToken returns an access token for userID on a new install, as the
// OAuth code exchange would give.
func (s *Server) NewToken(userID string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.newSession(userID, ClientID)
}

// newSession starts an install for userID. Callers hold s.mu.
func (s *Server) newSession(userID, clientID string) string {
	sess := &session{userID: userID, installID: newUUID(), clientID: clientID}
	s.sessions[sess.installID] = sess
	return s.issue(sess)
}

// issue signs a new JWT-shaped token for sess. Callers hold s.mu.
func (s *Server) issue(sess *session) string {
	now := s.clock()
	exp := now.Add(s.tokenTTL)
	header := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`))
	claims, _ := json.Marshal(map[string]any{"installId": sess.installID, "userId": sess.userID,
		"applicationId": sess.clientID, "iat": now.Unix(), "exp": exp.Unix(), "jti": newHex(8)})
	unsigned := header + "." + base64.RawURLEncoding.EncodeToString(claims)
	mac := hmac.New(sha256.New, s.secret)
	mac.Write([]byte(unsigned))
	jwt := unsigned + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
	s.tokens[jwt] = &token{userID: sess.userID, installID: sess.installID, clientID: sess.clientID, expires: exp}
	sess.recent = append(sess.recent, jwt)
	if len(sess.recent) > maxSessionTokens {
		delete(s.tokens, sess.recent[0])
		sess.recent = append(sess.recent[:0], sess.recent[1:]...)
	}
	return jwt
}

// valid reports whether tok may be used now. Callers hold s.mu.
func (s *Server) valid(tok *token) bool {
	now := s.clock()
	if tok == nil || !now.Before(tok.expires) {
		return false
	}
	return tok.superseded.IsZero() || now.Before(tok.superseded.Add(s.tokenGrace))
}

// ExpireAccessTokens makes every issued access token answer 401.
func (s *Server) ExpireAccessTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.tokens)
	for _, sess := range s.sessions {
		sess.recent = nil
	}
}

// TokenValid reports whether an access token would be accepted now.
func (s *Server) TokenValid(tok string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.valid(s.tokens[tok])
}

// caller is who made an authenticated request.
type caller struct {
	user     *User
	clientID string // of the API key
	session  *session
	token    string
}

// authenticate checks the API key (403) and the access token (401), and
// rotates the token: the answer carries a fresh one and the presented one
// works for the grace period more.
func (s *Server) authenticate(w http.ResponseWriter, r *http.Request) (*caller, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	clientID, ok := s.apiKeys[r.Header.Get(headerAPIKey)]
	if !ok {
		writeError(w, http.StatusForbidden, "Forbidden", "API key is not valid")
		return nil, false
	}
	raw := r.Header.Get(headerToken)
	tok := s.tokens[raw]
	if raw == "" || !s.valid(tok) {
		writeError(w, http.StatusUnauthorized, "Unauthorized", "Access token is missing, invalid or expired")
		return nil, false
	}
	u := s.users[tok.userID]
	sess := s.sessions[tok.installID]
	if u == nil || sess == nil {
		writeError(w, http.StatusUnauthorized, "Unauthorized", "Access token is missing, invalid or expired")
		return nil, false
	}
	if s.rotate {
		if tok.superseded.IsZero() {
			tok.superseded = s.clock()
		}
		w.Header().Set(headerToken, s.issue(sess))
	}
	return &caller{user: u, clientID: clientID, session: sess, token: raw}, true
}

// IssueAuthCode returns an OAuth authorization code for userID, to exchange
// at POST /access_token.
func (s *Server) IssueAuthCode(userID string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	code := newHex(16)
	s.codes[code] = userID
	return code
}

// authorize is GET /authorization: the fake logs in OwnerID (or the user in
// the login_hint query) at once and redirects with a code.
func (s *Server) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	s.mu.Lock()
	_, known := s.oauth[q.Get("client_id")]
	s.mu.Unlock()
	redirect, err := url.Parse(q.Get("redirect_uri"))
	if !known || err != nil || !redirect.IsAbs() || q.Get("response_type") != "code" {
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": "invalid_request"})
		return
	}
	user := q.Get("login_hint")
	if user == "" {
		user = OwnerID
	}
	rq := redirect.Query()
	rq.Set("code", s.IssueAuthCode(user))
	if st := q.Get("state"); st != "" {
		rq.Set("state", st)
	}
	redirect.RawQuery = rq.Encode()
	http.Redirect(w, r, redirect.String(), http.StatusFound)
}

// accessToken is POST /access_token: the authorization-code and
// refresh-token grants, with the documented JSON body (a form body and
// Basic client credentials are accepted too, as OAuth libraries send them).
func (s *Server) accessToken(w http.ResponseWriter, r *http.Request) {
	var b struct {
		Code         string `json:"code"`
		ClientID     string `json:"client_id"`
		ClientSecret string `json:"client_secret"`
		GrantType    string `json:"grant_type"`
		RefreshToken string `json:"refresh_token"`
	}
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		_ = r.ParseForm()
		b.Code, b.ClientID, b.ClientSecret = r.PostForm.Get("code"), r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
		b.GrantType, b.RefreshToken = r.PostForm.Get("grant_type"), r.PostForm.Get("refresh_token")
	} else if err := json.NewDecoder(r.Body).Decode(&b); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": "invalid_request"})
		return
	}
	if id, secret, ok := r.BasicAuth(); ok {
		b.ClientID, b.ClientSecret = id, secret
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if secret, ok := s.oauth[b.ClientID]; !ok || !hmac.Equal([]byte(secret), []byte(b.ClientSecret)) {
		writeJSON(w, http.StatusUnauthorized, map[string]any{"error": "invalid_client"})
		return
	}
	var userID, refresh string
	switch b.GrantType {
	case "authorization_code":
		userID = s.codes[b.Code]
		delete(s.codes, b.Code)
		refresh = newHex(24)
	case "refresh_token":
		userID, refresh = s.refresh[b.RefreshToken], b.RefreshToken
	default:
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": "unsupported_grant_type"})
		return
	}
	if userID == "" || s.users[userID] == nil {
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": "invalid_grant"})
		return
	}
	s.refresh[refresh] = userID
	writeJSON(w, http.StatusOK, map[string]any{"access_token": s.newSession(userID, b.ClientID), "token_type": "Bearer",
		"expires_in": int(s.tokenTTL.Seconds()), "refresh_token": refresh})
}

// ExpireRefreshTokens makes every OAuth refresh token answer invalid_grant.
func (s *Server) ExpireRefreshTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.refresh)
}

// logout is POST /session/logout {apnsDeviceID, installID}: every token of
// the calling token's install stops working. It answers null.
func (s *Server) logout(w http.ResponseWriter, r *http.Request, c *caller) {
	var b struct {
		APNSDeviceID *string `json:"apnsDeviceID"`
		InstallID    *string `json:"installID"`
	}
	if !readJSON(w, r, &b) || !requireUUID(w, "apnsDeviceID", b.APNSDeviceID) || !requireUUID(w, "installID", b.InstallID) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, t := range c.session.recent {
		delete(s.tokens, t)
	}
	c.session.recent = nil
	w.Header().Del(headerToken)
	writeJSON(w, http.StatusOK, nil)
}
