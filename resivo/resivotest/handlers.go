package resivotest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/mail"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

func (s *Server) handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /oauth2/token", s.token)
	mux.HandleFunc("POST /{version}/users/login", s.versioned(s.login))
	mux.HandleFunc("GET /{version}/sites/{siteId}", s.versioned(s.authed(s.getSite)))
	mux.HandleFunc("GET /{siteId}/components", s.authed(s.listComponents))
	mux.HandleFunc("POST /{siteId}/authorizations/pin-access", s.authed(s.createPINAccess))
	mux.HandleFunc("POST /{siteId}/authorizations/remote-access", s.authed(s.createRemoteAccess))
	mux.HandleFunc("GET /{siteId}/authorizations/{id}", s.authed(s.getAuthorization))
	mux.HandleFunc("DELETE /{siteId}/authorizations/{id}/revoke", s.authed(s.revoke))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "No route for "+r.Method+" "+r.URL.Path)
	})
	return s.front.Wrap(mux, func(w http.ResponseWriter, status int) { writeError(w, status, http.StatusText(status)) })
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

func writeError(w http.ResponseWriter, status int, message string) {
	writeJSON(w, status, map[string]string{"message": message})
}

// versioned accepts the supported version prefixes.
func (s *Server) versioned(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		switch r.PathValue("version") {
		case "v5", "v6", "v7", "v8":
			h(w, r)
		default:
			writeError(w, http.StatusNotFound, "Unsupported API version "+r.PathValue("version"))
		}
	}
}

type authedHandler func(w http.ResponseWriter, r *http.Request, st *site)

// authed checks the Bearer token and that the path's site exists and is in
// the token's scope.
func (s *Server) authed(h authedHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		raw, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		s.mu.Lock()
		tok, known := s.tokens[raw]
		valid := ok && known && s.now().Before(tok.expires)
		st := s.sites[r.PathValue("siteId")]
		s.mu.Unlock()
		switch {
		case !valid:
			writeError(w, http.StatusUnauthorized, "Invalid or expired access token")
		case st == nil:
			writeError(w, http.StatusNotFound, "Site not found")
		case tok.site != "" && tok.site != st.ID:
			writeError(w, http.StatusForbidden, "Insufficient permissions for site "+st.ID)
		default:
			h(w, r, st)
		}
	}
}

func (s *Server) issue(site string) (string, time.Duration, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	raw := "tok-" + newID()
	s.tokens[raw] = token{expires: s.now().Add(s.tokenTTL), site: site}
	s.tokensIssued++
	return raw, s.tokenTTL, s.omitExpiresIn
}

func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/x-www-form-urlencoded" {
		writeError(w, http.StatusUnsupportedMediaType, "Content-Type must be application/x-www-form-urlencoded")
		return
	}
	if err := r.ParseForm(); err != nil || len(r.URL.Query()) > 0 {
		writeError(w, http.StatusBadRequest, "Malformed token request")
		return
	}
	if r.PostForm.Get("grant_type") != "client_credentials" {
		writeJSON(w, http.StatusBadRequest, map[string]string{"message": "Unsupported grant type", "error": "unsupported_grant_type"})
		return
	}
	id, secret := r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	s.mu.Lock()
	c, ok := s.clients[id]
	s.mu.Unlock()
	if !ok || secret == "" || c.secret != secret {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"message": "Invalid client credentials", "error": "invalid_client"})
		return
	}
	raw, lifetime, omit := s.issue(c.site)
	body := map[string]any{"access_token": raw, "token_type": "Bearer"}
	if !omit {
		body["expires_in"] = int(lifetime / time.Second)
	}
	writeJSON(w, http.StatusOK, body)
}

// decode reads a JSON body strictly into v: application/json, no unknown
// fields, one value.
func decode(w http.ResponseWriter, r *http.Request, v any) bool {
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/json" {
		writeError(w, http.StatusUnsupportedMediaType, "Content-Type must be application/json")
		return false
	}
	b, _ := io.ReadAll(r.Body)
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		writeError(w, http.StatusBadRequest, "Invalid JSON body: "+err.Error())
		return false
	}
	if dec.More() {
		writeError(w, http.StatusBadRequest, "Invalid JSON body: more than one value")
		return false
	}
	return true
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Email    *string `json:"email"`
		Password *string `json:"password"`
	}
	if !decode(w, r, &body) {
		return
	}
	if body.Email == nil || body.Password == nil {
		writeError(w, http.StatusBadRequest, "email and password are required")
		return
	}
	s.mu.Lock()
	u, ok := s.users[*body.Email]
	s.mu.Unlock()
	if !ok || u.password != *body.Password {
		writeError(w, http.StatusUnauthorized, "Invalid email or password")
		return
	}
	raw, lifetime, _ := s.issue("")
	writeJSON(w, http.StatusOK, map[string]any{"accessToken": raw, "refreshToken": "ref-" + newID(), "expiresIn": int(lifetime / time.Second)})
}

func (s *Server) getSite(w http.ResponseWriter, _ *http.Request, st *site) {
	writeJSON(w, http.StatusOK, map[string]string{"id": st.ID, "displayName": st.DisplayName, "defaultLocale": st.DefaultLocale})
}

type componentJSON struct {
	ID          string `json:"id"`
	DisplayName string `json:"displayName"`
	Type        string `json:"type,omitempty"`
	Status      string `json:"status,omitempty"`
}

func (s *Server) listComponents(w http.ResponseWriter, r *http.Request, st *site) {
	if q := r.URL.Query(); q.Get("scope") != "all" || len(q) != 1 {
		writeError(w, http.StatusBadRequest, "scope=all is required")
		return
	}
	s.mu.Lock()
	out := make([]componentJSON, len(st.components))
	for i, c := range st.components {
		out[i] = componentJSON{ID: c.ID, DisplayName: c.DisplayName, Type: c.Type, Status: c.Status}
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, out)
}

type restrictionsJSON struct {
	ValidFrom *string `json:"validFrom"`
	ValidTo   *string `json:"validTo"`
}

var utcTime = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$`)

// window checks restrictions: both bounds, UTC with Z, validTo after
// validFrom.
func window(r *restrictionsJSON) (from, to time.Time, msg string) {
	if r == nil || r.ValidFrom == nil || r.ValidTo == nil {
		return from, to, "restrictions.validFrom and restrictions.validTo are required"
	}
	for _, v := range []string{*r.ValidFrom, *r.ValidTo} {
		if !utcTime.MatchString(v) {
			return from, to, fmt.Sprintf("%q is not a UTC time (YYYY-MM-DDThh:mm:ss[.sss]Z)", v)
		}
	}
	from, err1 := time.Parse(time.RFC3339Nano, *r.ValidFrom)
	to, err2 := time.Parse(time.RFC3339Nano, *r.ValidTo)
	if err1 != nil || err2 != nil {
		return from, to, "invalid restrictions time"
	}
	if !to.After(from) {
		return from, to, "validTo must be after validFrom"
	}
	return from, to, ""
}

// checkComponents requires ids of components on the site. Callers hold
// s.mu.
func checkComponents(st *site, ids []string) string {
	if len(ids) == 0 {
		return "componentIds must not be empty"
	}
	for _, id := range ids {
		found := false
		for _, c := range st.components {
			found = found || c.ID == id
		}
		if !found {
			return "Component " + id + " does not exist on site " + st.ID
		}
	}
	return ""
}

// offlineComponent names an offline component of ids, unless door links on
// them are accepted (SetOfflineLinks).
func (s *Server) offlineComponent(st *site, ids []string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.offlineLinks {
		return ""
	}
	for _, c := range st.components {
		if c.Status == "offline" && slices.Contains(ids, c.ID) {
			return "Component " + c.ID + " is offline: a door link cannot open it"
		}
	}
	return ""
}

var pinPattern = regexp.MustCompile(`^[0-9]{4,8}$`)

func (s *Server) createPINAccess(w http.ResponseWriter, r *http.Request, st *site) {
	var body struct {
		DisplayName *string `json:"displayName"`
		PINCodes    []struct {
			PINCode     *string `json:"pinCode"`
			DisplayName *string `json:"displayName"`
		} `json:"pinCodes"`
		ComponentIDs         []string          `json:"componentIds"`
		Restrictions         *restrictionsJSON `json:"restrictions"`
		AccessRequestMessage string            `json:"accessRequestMessage"`
	}
	if !decode(w, r, &body) {
		return
	}
	if body.DisplayName == nil || *body.DisplayName == "" {
		writeError(w, http.StatusBadRequest, "displayName is required")
		return
	}
	if len(body.PINCodes) == 0 {
		writeError(w, http.StatusBadRequest, "pinCodes must not be empty")
		return
	}
	a := &Authorization{Kind: "pin-access", SiteID: st.ID, DisplayName: *body.DisplayName, Message: body.AccessRequestMessage}
	for i, p := range body.PINCodes {
		if p.PINCode == nil || !pinPattern.MatchString(*p.PINCode) {
			writeError(w, http.StatusBadRequest, "pinCodes["+strconv.Itoa(i)+"].pinCode must be 4 to 8 digits")
			return
		}
		if p.DisplayName == nil || *p.DisplayName == "" {
			writeError(w, http.StatusBadRequest, "pinCodes["+strconv.Itoa(i)+"].displayName is required")
			return
		}
		a.PINCodes = append(a.PINCodes, *p.PINCode)
	}
	s.create(w, st, a, body.ComponentIDs, body.Restrictions)
}

var e164 = regexp.MustCompile(`^\+[1-9][0-9]{6,14}$`)

func (s *Server) createRemoteAccess(w http.ResponseWriter, r *http.Request, st *site) {
	var body struct {
		DisplayName  *string           `json:"displayName"`
		ComponentIDs []string          `json:"componentIds"`
		Restrictions *restrictionsJSON `json:"restrictions"`
		Recipients   *struct {
			Emails       []string `json:"emails"`
			PhoneNumbers []string `json:"phoneNumbers"`
		} `json:"recipients"`
	}
	if !decode(w, r, &body) {
		return
	}
	if body.DisplayName == nil || *body.DisplayName == "" {
		writeError(w, http.StatusBadRequest, "displayName is required")
		return
	}
	if body.Recipients == nil || len(body.Recipients.Emails)+len(body.Recipients.PhoneNumbers) == 0 {
		writeError(w, http.StatusBadRequest, "recipients must name at least one email or phone number")
		return
	}
	for _, e := range body.Recipients.Emails {
		if a, err := mail.ParseAddress(e); err != nil || a.Address != e {
			writeError(w, http.StatusBadRequest, fmt.Sprintf("%q is not an email address", e))
			return
		}
	}
	for _, p := range body.Recipients.PhoneNumbers {
		s.mu.Lock()
		refused := s.notMobile[p]
		s.mu.Unlock()
		if !e164.MatchString(p) || refused {
			writeError(w, http.StatusBadRequest, fmt.Sprintf("%q is not an E.164 mobile number", p))
			return
		}
	}
	if msg := s.offlineComponent(st, body.ComponentIDs); msg != "" {
		writeError(w, http.StatusBadRequest, msg)
		return
	}
	a := &Authorization{Kind: "remote-access", SiteID: st.ID, DisplayName: *body.DisplayName,
		Emails: body.Recipients.Emails, PhoneNumbers: body.Recipients.PhoneNumbers}
	s.create(w, st, a, body.ComponentIDs, body.Restrictions)
}

func (s *Server) create(w http.ResponseWriter, st *site, a *Authorization, componentIDs []string, rs *restrictionsJSON) {
	from, to, msg := window(rs)
	if msg != "" {
		writeError(w, http.StatusBadRequest, msg)
		return
	}
	a.ValidFrom, a.ValidTo = from, to
	a.ComponentIDs = append([]string(nil), componentIDs...)
	s.mu.Lock()
	if msg := checkComponents(st, componentIDs); msg != "" {
		s.mu.Unlock()
		writeError(w, http.StatusBadRequest, msg)
		return
	}
	a.ID = newID()
	s.authorizations[a.ID] = a
	s.order = append(s.order, a.ID)
	for _, e := range a.Emails {
		s.messages = append(s.messages, Message{Channel: "email", To: e, SiteID: st.ID, AuthorizationID: a.ID, Locale: st.DefaultLocale})
	}
	for _, p := range a.PhoneNumbers {
		s.messages = append(s.messages, Message{Channel: "sms", To: p, SiteID: st.ID, AuthorizationID: a.ID, Locale: st.DefaultLocale})
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusCreated, map[string]string{"id": a.ID})
}

type credentialJSON struct {
	ID        string `json:"id"`
	Type      string `json:"type"`
	Status    string `json:"status"`
	IsExpired bool   `json:"isExpired"`
}

type authorizationJSON struct {
	ID           string           `json:"id"`
	DisplayName  string           `json:"displayName"`
	Status       string           `json:"status"`
	ComponentIDs []string         `json:"componentIds"`
	Restrictions map[string]any   `json:"restrictions"`
	Recipients   map[string]any   `json:"recipients,omitempty"`
	Credentials  []credentialJSON `json:"credentials"`
}

// render describes a. Callers hold s.mu.
func (s *Server) render(a *Authorization) authorizationJSON {
	expired := !s.now().Before(a.ValidTo)
	status := "active"
	switch {
	case a.Revoked:
		status = "revoked"
	case expired:
		status = "expired"
	}
	credStatus := "active"
	if s.credStatus != "" {
		credStatus = s.credStatus
	}
	if a.Revoked {
		credStatus = "revoked"
	}
	out := authorizationJSON{
		ID: a.ID, DisplayName: a.DisplayName, Status: status, ComponentIDs: a.ComponentIDs,
		Restrictions: map[string]any{
			"validFrom": a.ValidFrom.UTC().Format(time.RFC3339Nano),
			"validTo":   a.ValidTo.UTC().Format(time.RFC3339Nano),
		},
		Credentials: []credentialJSON{},
	}
	if a.Kind == "remote-access" {
		out.Recipients = map[string]any{"emails": nonNil(a.Emails), "phoneNumbers": nonNil(a.PhoneNumbers)}
	}
	add := func(kind string, i int) {
		out.Credentials = append(out.Credentials, credentialJSON{ID: fmt.Sprintf("%s-%d", a.ID[:8], i), Type: kind, Status: credStatus, IsExpired: expired})
	}
	for i := range a.PINCodes {
		add("pinCode", i)
	}
	for i := range len(a.Emails) + len(a.PhoneNumbers) {
		add("doorLink", i)
	}
	return out
}

// lookup returns the site's authorization named by the path. Callers hold
// s.mu.
func (s *Server) lookup(r *http.Request, st *site) *Authorization {
	a := s.authorizations[r.PathValue("id")]
	if a == nil || a.SiteID != st.ID {
		return nil
	}
	return a
}

func (s *Server) getAuthorization(w http.ResponseWriter, r *http.Request, st *site) {
	s.mu.Lock()
	a := s.lookup(r, st)
	var out authorizationJSON
	if a != nil {
		out = s.render(a)
	}
	s.mu.Unlock()
	if a == nil {
		writeError(w, http.StatusNotFound, "Authorization not found")
		return
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) revoke(w http.ResponseWriter, r *http.Request, st *site) {
	var body map[string]any
	if !decode(w, r, &body) {
		return
	}
	if body == nil || len(body) != 0 {
		writeError(w, http.StatusBadRequest, "the revoke body must be {}")
		return
	}
	s.mu.Lock()
	a := s.lookup(r, st)
	refused := a != nil && (a.Revoked || (s.refuseExpired && !s.now().Before(a.ValidTo)))
	if a != nil && !refused {
		a.Revoked = true
	}
	s.mu.Unlock()
	switch {
	case a == nil:
		writeError(w, http.StatusNotFound, "Authorization not found")
	case refused:
		writeError(w, http.StatusConflict, "Authorization is not active")
	default:
		w.WriteHeader(http.StatusNoContent)
	}
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
