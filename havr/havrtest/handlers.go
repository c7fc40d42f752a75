package havrtest

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/doorkit/doorkit/access"
)

func (s *Server) handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /oauth/v1/token", s.token)
	mux.HandleFunc("POST /oauth/v1/check_passowrd", s.authed(s.checkPassword))
	mux.HandleFunc("GET /oauth/v1/ping", s.authed(func(w http.ResponseWriter, _ *http.Request, _ *User) { w.WriteHeader(http.StatusOK) }))
	mux.HandleFunc("GET /oauth/v1/logout", s.authed(s.logout))
	mux.HandleFunc("GET /v1/ping", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) })

	mux.HandleFunc("GET /v1/users", s.authed(func(w http.ResponseWriter, _ *http.Request, u *User) { writeJSON(w, 200, userJSON(u)) }))
	mux.HandleFunc("GET /v1/users/{id}", s.authed(s.getUser))

	mux.HandleFunc("GET /v1/door_locks", s.authed(s.listDoorLocks))
	mux.HandleFunc("GET /v1/door_locks/index_with_lock_groups", s.authed(s.listDoorLocksWithGroups))
	mux.HandleFunc("GET /v1/door_locks/{id}", s.authed(s.getDoorLock))
	mux.HandleFunc("PATCH /v1/door_locks/{id}", s.authed(s.updateDoorLock))
	mux.HandleFunc("POST /v1/door_locks/get_k_token", s.authed(s.doorLockKToken))

	mux.HandleFunc("GET /v1/lock_groups", s.authed(s.listLockGroups))
	mux.HandleFunc("GET /v1/lock_groups/{id}", s.authed(s.getLockGroup))

	mux.HandleFunc("GET /v1/shared_keys", s.authed(s.listSharedKeys))
	mux.HandleFunc("GET /v1/shared_keys/{id}", s.authed(s.getSharedKey))
	mux.HandleFunc("GET /v1/shared_keys/show_with_details/{id}", s.authed(s.showSharedKeyWithDetails))
	mux.HandleFunc("GET /v1/shared_keys/index_with_details", s.authed(s.listSharedKeysWithDetails))
	mux.HandleFunc("POST /v1/shared_keys/answer_pending_shared_key", s.authed(s.answerPendingSharedKey))
	mux.HandleFunc("POST /v1/shared_keys/create_or_update", s.authed(s.createOrUpdateSharedKey))
	mux.HandleFunc("POST /v1/shared_keys", s.authed(s.createSharedKeys))
	mux.HandleFunc("POST /v1/shared_keys/create_with_link", s.authed(s.createSharedKeyWithLink))
	mux.HandleFunc("PATCH /v1/shared_keys/{id}", s.authed(s.updateSharedKey))
	mux.HandleFunc("DELETE /v1/shared_keys/{id}", s.authed(s.deleteSharedKey))
	mux.HandleFunc("POST /v1/shared_keys/delete_multiple_shared_keys", s.authed(s.deleteSharedKeys))
	mux.HandleFunc("POST /v1/shared_keys/shared_keys_for_door_lock", s.authed(s.sharedKeysForDoorLock))
	mux.HandleFunc("POST /v1/shared_keys/show_from_token", s.authed(s.showSharedKeyFromToken))
	mux.HandleFunc("POST /v1/shared_keys/get_k_token", s.authed(s.sharedKeyKToken))
	mux.HandleFunc("POST /v1/shared_keys/get_k_token_from_token", s.authed(s.sharedKeyKTokenFromToken))

	mux.HandleFunc("GET /v1/contacts", s.authed(s.listContacts))
	mux.HandleFunc("GET /v1/contacts/{id}", s.authed(s.getContact))
	mux.HandleFunc("POST /v1/contacts", s.authed(s.createContact))
	mux.HandleFunc("DELETE /v1/contacts/{id}", s.authed(s.deleteContact))

	mux.HandleFunc("GET /v1/notifications", s.authed(s.listNotifications))
	mux.HandleFunc("GET /v1/notifications/read_all", s.authed(s.readAllNotifications))
	mux.HandleFunc("GET /v1/notifications/{id}", s.authed(s.getNotification))
	mux.HandleFunc("PATCH /v1/notifications/{id}", s.authed(s.updateNotification))
	mux.HandleFunc("DELETE /v1/notifications/{id}", s.authed(s.deleteNotification))

	mux.HandleFunc("GET /v1/lock_logs", s.authed(s.listLockLogs))
	mux.HandleFunc("POST /v1/lock_logs/door_lock_detail", s.authed(s.lockLogsOfDoorLock))
	return s.front.Wrap(deferReplies(mux), func(w http.ResponseWriter, status int) { writeError(w, status, http.StatusText(status), "") })
}

type authedHandler func(w http.ResponseWriter, r *http.Request, u *User)

// authed resolves the Bearer access token; an unknown or expired one is 401.
func (s *Server) authed(h authedHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		tok, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		s.mu.Lock()
		u := s.users[s.access[tok]]
		s.mu.Unlock()
		if u == nil {
			writeError(w, http.StatusUnauthorized, "Unauthorized", "")
			return
		}
		h(w, r, u)
	}
}

type tokenBody struct {
	ClientID        string `json:"client_id"`
	GrantType       string `json:"grant_type"`
	EmailOrUsername string `json:"email_or_username"`
	Password        string `json:"password"`
	RefreshToken    string `json:"refresh_token"`
	ClientSecret    string `json:"client_secret"`
	UserAgent       string `json:"user_agent"`
	UUID            string `json:"uuid"`
}

func isMobile(clientID string) bool {
	return clientID == "mobile_client_id" || clientID == "ios_client_id" || clientID == "android_client_id"
}

// checkTokenBody applies the documented parameter checks: the document
// answers a missing user_agent or uuid; the other required parameters of
// each grant get the same form of answer.
func checkTokenBody(w http.ResponseWriter, b tokenBody) bool {
	switch {
	case b.UserAgent == "":
		writeError(w, http.StatusBadRequest, "Missing parameter (user_agent).", "")
	case b.GrantType != "client_credentials" && isMobile(b.ClientID) && b.UUID == "":
		writeError(w, http.StatusBadRequest, "Missing parameter (uuid).", "")
	case b.ClientID == "":
		writeError(w, http.StatusBadRequest, "Missing parameter (client_id).", "")
	case b.GrantType == "password" && b.EmailOrUsername == "":
		writeError(w, http.StatusBadRequest, "Missing parameter (email_or_username).", "")
	case b.GrantType == "password" && b.Password == "":
		writeError(w, http.StatusBadRequest, "Missing parameter (password).", "")
	case b.GrantType == "refresh_token" && b.RefreshToken == "":
		writeError(w, http.StatusBadRequest, "Missing parameter (refresh_token).", "")
	case b.GrantType == "client_credentials" && b.ClientSecret == "":
		writeError(w, http.StatusBadRequest, "Missing parameter (client_secret).", "")
	default:
		return true
	}
	return false
}

func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	var b tokenBody
	if !readJSON(w, r, &b) || !checkTokenBody(w, b) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var user *User
	switch b.GrantType {
	case "password":
		user = s.findUser(b.EmailOrUsername)
		if user == nil || user.Password != access.Secret(b.Password) {
			writeError(w, http.StatusUnauthorized, "Invalid email, username or password", "invalid_credentials")
			return
		}
		if user.Inactive {
			writeError(w, http.StatusForbidden, "Account is inactive", "account_inactive")
			return
		}
	case "refresh_token":
		s.refreshes++
		id, ok := s.refresh[b.RefreshToken]
		if !ok {
			s.refreshReuses++
			writeError(w, http.StatusUnauthorized, "Invalid refresh token", "invalid_refresh_token")
			return
		}
		delete(s.refresh, b.RefreshToken) // single-use
		user = s.users[id]
	case "client_credentials":
		if want, ok := s.clients[b.ClientID]; !ok || want != b.ClientSecret {
			writeError(w, http.StatusUnauthorized, "Invalid client credentials", "invalid_client")
			return
		}
		user = s.users[OwnerID]
	default:
		writeError(w, http.StatusBadRequest, "Missing parameter (grant_type).", "")
		return
	}
	if user == nil {
		writeError(w, http.StatusUnauthorized, "Invalid grant", "invalid_grant")
		return
	}
	access, refresh := secret(), secret()
	s.access[access], s.refresh[refresh] = user.ID, user.ID
	out := map[string]any{"access_token": access, "refresh_token": refresh, "fresh_user": false}
	if b.GrantType != "refresh_token" {
		out["user_id"] = user.ID
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) findUser(emailOrUsername string) *User {
	for _, u := range s.users {
		if strings.EqualFold(u.Email, emailOrUsername) || u.Username == emailOrUsername {
			return u
		}
	}
	return nil
}

func (s *Server) checkPassword(w http.ResponseWriter, r *http.Request, u *User) {
	var b tokenBody
	if !readJSON(w, r, &b) || !checkTokenBody(w, b) {
		return
	}
	if u.Inactive {
		writeError(w, http.StatusForbidden, "Account is inactive", "account_inactive")
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"correct_password": access.Secret(b.Password) == u.Password})
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request, _ *User) {
	tok, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	s.mu.Lock()
	delete(s.access, tok)
	s.mu.Unlock()
	w.WriteHeader(http.StatusOK)
}

func (s *Server) getUser(w http.ResponseWriter, r *http.Request, _ *User) {
	id, ok := pathID(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.users[id]
	if u == nil {
		writeError(w, http.StatusNotFound, "User does not exist", "user_does_not_exist")
		return
	}
	writeJSON(w, http.StatusOK, userJSON(u))
}

// lockAccess tells what u may do with lock id. Callers hold s.mu.
func (s *Server) lockAccess(u *User, id int64) (lock *DoorLock, admin bool, code int) {
	lock = s.locks[id]
	if lock == nil {
		return nil, false, http.StatusNotFound
	}
	if lock.OwnerID == u.ID {
		return lock, true, 0
	}
	for _, k := range s.keys {
		if k.DoorLockID == id && k.UserID == u.ID && k.status == "active" {
			return lock, k.Admin, 0
		}
	}
	return lock, false, http.StatusForbidden
}

// readDoorLockID reads the {"door_lock": {"door_lock_id": ...}} body several
// endpoints share. It writes the error.
func readDoorLockID(w http.ResponseWriter, r *http.Request) (int64, bool) {
	var b struct {
		DoorLock struct {
			DoorLockID int64 `json:"door_lock_id" required:"true"`
		} `json:"door_lock" required:"true"`
	}
	if !readJSON(w, r, &b) {
		return 0, false
	}
	return b.DoorLock.DoorLockID, true
}

// requireLockAdmin reports whether u owns or administers lock id, writing
// the documented error when not. Callers hold s.mu.
func (s *Server) requireLockAdmin(w http.ResponseWriter, u *User, id int64) bool {
	if _, admin, code := s.lockAccess(u, id); code != 0 || !admin {
		writeLockError(w, max(code, http.StatusForbidden))
		return false
	}
	return true
}

func writeLockError(w http.ResponseWriter, code int) {
	if code == http.StatusNotFound {
		writeError(w, code, "Door lock does not exist", "door_lock_does_not_exist")
		return
	}
	writeError(w, code, "Can't access another one's lock", "cant_access_another_ones_door_lock")
}

// visibleLocks are the locks u owns or administers, by id.
func (s *Server) visibleLocks(u *User) []*DoorLock {
	var out []*DoorLock
	for _, id := range sortedIDs(s.locks) {
		if _, admin, code := s.lockAccess(u, id); code == 0 && admin {
			out = append(out, s.locks[id])
		}
	}
	return out
}

func (s *Server) listDoorLocks(w http.ResponseWriter, _ *http.Request, u *User) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []map[string]any{}
	for _, l := range s.visibleLocks(u) {
		out = append(out, s.lockJSON(l))
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) listDoorLocksWithGroups(w http.ResponseWriter, _ *http.Request, u *User) {
	s.mu.Lock()
	defer s.mu.Unlock()
	locks, groups := []map[string]any{}, []map[string]any{}
	for _, l := range s.visibleLocks(u) {
		locks = append(locks, s.lockJSON(l))
	}
	for _, id := range sortedIDs(s.groups) {
		if g := s.groups[id]; g.OwnerID == u.ID {
			groups = append(groups, groupJSON(g))
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"lock_groups": groups, "door_locks": locks})
}

func (s *Server) getDoorLock(w http.ResponseWriter, r *http.Request, u *User) {
	id, ok := pathID(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	lock, _, code := s.lockAccess(u, id)
	if code != 0 {
		writeLockError(w, code)
		return
	}
	writeJSON(w, http.StatusOK, s.lockJSON(lock))
}

func (s *Server) updateDoorLock(w http.ResponseWriter, r *http.Request, u *User) {
	id, ok := pathID(w, r)
	if !ok {
		return
	}
	var b struct {
		DoorLock struct {
			Description       *string `json:"description"`
			ConfirmationLevel *int    `json:"confirmation_level"`
			SecondaryType     *string `json:"secondary_type"`
		} `json:"door_lock" required:"true"`
	}
	if !readJSON(w, r, &b) {
		return
	}
	if l := b.DoorLock.ConfirmationLevel; l != nil && (*l < 0 || *l > 3) {
		writeError(w, http.StatusBadRequest, "Invalid parameter (confirmation_level).", "")
		return
	}
	switch t := b.DoorLock.SecondaryType; {
	case t == nil, *t == "main", *t == "front", *t == "back", *t == "garage", *t == "room":
	default:
		writeError(w, http.StatusBadRequest, "Invalid parameter (secondary_type).", "")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	lock, admin, code := s.lockAccess(u, id)
	if code == 0 && !admin {
		code = http.StatusForbidden
	}
	if code != 0 {
		writeLockError(w, code)
		return
	}
	if d := b.DoorLock.Description; d != nil {
		if len([]rune(*d)) > 40 {
			writeError(w, http.StatusBadRequest, "Door lock description length should not exceed 40 characters", "invalid_lock_description")
			return
		}
		lock.Description = *d
	}
	if l := b.DoorLock.ConfirmationLevel; l != nil {
		lock.ConfirmationLevel = *l
	}
	if t := b.DoorLock.SecondaryType; t != nil {
		lock.SecondaryType = *t
	}
	writeJSON(w, http.StatusOK, s.lockJSON(lock))
}

func (s *Server) doorLockKToken(w http.ResponseWriter, r *http.Request, u *User) {
	var b struct {
		KToken struct {
			DoorLockID int64  `json:"door_lock_id" required:"true"`
			PKey       string `json:"p_key"` // missing: the documented generating_k_token
		} `json:"k_token" required:"true"`
	}
	if !readJSON(w, r, &b) {
		return
	}
	id := b.KToken.DoorLockID
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, _, code := s.lockAccess(u, id); code != 0 {
		writeLockError(w, code)
		return
	}
	if b.KToken.PKey == "" {
		writeError(w, http.StatusBadRequest, "Error generating k token", "generating_k_token")
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"k_token": "ktok-" + secret(), "last_k_token_id": secret()[:8]})
}

func (s *Server) listLockGroups(w http.ResponseWriter, _ *http.Request, u *User) {
	s.mu.Lock()
	defer s.mu.Unlock()
	writeJSON(w, http.StatusOK, render(s.groups, func(g *LockGroup) bool { return g.OwnerID == u.ID }, groupJSON))
}

func (s *Server) getLockGroup(w http.ResponseWriter, r *http.Request, u *User) {
	id, ok := pathID(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	g := s.groups[id]
	switch {
	case g == nil:
		writeError(w, http.StatusNotFound, "Lock group does not exist", "lock_group_does_not_exist")
	case g.OwnerID != u.ID:
		writeError(w, http.StatusForbidden, "Can't access another one's lock group", "cant_access_another_ones_lock_group")
	default:
		writeJSON(w, http.StatusOK, groupJSON(g))
	}
}

func (s *Server) listContacts(w http.ResponseWriter, _ *http.Request, u *User) {
	s.mu.Lock()
	defer s.mu.Unlock()
	mine := func(c *Contact) bool { return c.UserID == u.ID || c.UserContactID == u.ID }
	writeJSON(w, http.StatusOK, render(s.contacts, mine, contactJSON))
}

func (s *Server) getContact(w http.ResponseWriter, r *http.Request, u *User) {
	id, ok := pathID(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.contacts[id]
	switch {
	case c == nil:
		writeError(w, http.StatusNotFound, "Contact does not exist ", "contact_does_not_exist")
	case c.UserID != u.ID && c.UserContactID != u.ID:
		writeError(w, http.StatusForbidden, "Can't access anyone else's contact", "cant_access_another_ones_contact")
	default:
		writeJSON(w, http.StatusOK, contactJSON(c))
	}
}

func (s *Server) createContact(w http.ResponseWriter, r *http.Request, u *User) {
	var b struct {
		Contact struct {
			EmailOrUsername string `json:"email_or_username" required:"true"`
		} `json:"contact" required:"true"`
	}
	if !readJSON(w, r, &b) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	other := s.findUser(b.Contact.EmailOrUsername)
	switch {
	case other == nil:
		writeError(w, http.StatusBadRequest, fmt.Sprintf("User %s does not exist", b.Contact.EmailOrUsername), "")
		return
	case other.ID == u.ID:
		writeError(w, http.StatusForbidden, "Can't add yourself as contact", "add_self_as_contact")
		return
	}
	for _, c := range s.contacts {
		if (c.UserID == u.ID && c.UserContactID == other.ID) || (c.UserID == other.ID && c.UserContactID == u.ID) {
			switch c.RequestStatus {
			case "accepted":
				writeError(w, http.StatusForbidden, "These users are already contacts", "users_already_contacts")
				return
			case "pending":
				writeError(w, http.StatusForbidden, "The contact request is already pending", "contact_request_already_pending")
				return
			case "declined":
				c.RequestStatus = "pending"
				writeJSON(w, http.StatusCreated, contactJSON(c))
				return
			}
		}
	}
	c := &Contact{ID: s.id(), UserID: u.ID, UserContactID: other.ID, RequestStatus: "pending"}
	s.contacts[c.ID] = c
	writeJSON(w, http.StatusCreated, contactJSON(c))
}

func (s *Server) deleteContact(w http.ResponseWriter, r *http.Request, u *User) {
	id, ok := pathID(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.contacts[id]
	switch {
	case c == nil:
		writeError(w, http.StatusNotFound, "Contact does not exist", "contact_does_not_exist")
	case c.UserID != u.ID && c.UserContactID != u.ID:
		writeError(w, http.StatusForbidden, "Can't access anyone else's contact", "cant_access_another_ones_contact")
	default:
		delete(s.contacts, id)
		w.WriteHeader(http.StatusNoContent)
	}
}

// listNotifications pages the user's notifications oldest first: page and
// page_size, or limit.
func (s *Server) listNotifications(w http.ResponseWriter, r *http.Request, u *User) {
	q := r.URL.Query()
	page, size, limit := atoiOr(q.Get("page"), 1), atoiOr(q.Get("page_size"), 0), atoiOr(q.Get("limit"), 0)
	if page < 1 || size < 0 || limit < 0 {
		writeError(w, http.StatusBadRequest, "Invalid paging parameters", "invalid_paging")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var mine []*Notification
	for _, id := range sortedIDs(s.notifications) {
		if n := s.notifications[id]; n.UserID == u.ID {
			mine = append(mine, n)
		}
	}
	switch {
	case size > 0:
		from := min((page-1)*size, len(mine))
		mine = mine[from:min(from+size, len(mine))]
	case limit > 0:
		mine = mine[:min(limit, len(mine))]
	}
	out := make([]map[string]any, 0, len(mine))
	for _, n := range mine {
		out = append(out, notificationJSON(n))
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) ownNotification(w http.ResponseWriter, r *http.Request, u *User) *Notification {
	id, ok := pathID(w, r)
	if !ok {
		return nil
	}
	n := s.notifications[id]
	switch {
	case n == nil:
		writeError(w, http.StatusNotFound, "Notification does not exist", "notification_does_not_exist")
	case n.UserID != u.ID:
		writeError(w, http.StatusForbidden, "Can't access another one's notification", "cant_access_another_ones_notification")
	default:
		return n
	}
	return nil
}

func (s *Server) getNotification(w http.ResponseWriter, r *http.Request, u *User) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if n := s.ownNotification(w, r, u); n != nil {
		writeJSON(w, http.StatusOK, notificationJSON(n))
	}
}

func (s *Server) updateNotification(w http.ResponseWriter, r *http.Request, u *User) {
	var b struct {
		Notification struct {
			IsRead *bool `json:"is_read"`
		} `json:"notification" required:"true"`
	}
	if !readJSON(w, r, &b) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if n := s.ownNotification(w, r, u); n != nil {
		if b.Notification.IsRead != nil {
			n.IsRead = *b.Notification.IsRead
		}
		writeJSON(w, http.StatusOK, notificationJSON(n))
	}
}

func (s *Server) deleteNotification(w http.ResponseWriter, r *http.Request, u *User) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if n := s.ownNotification(w, r, u); n != nil {
		delete(s.notifications, n.ID)
		w.WriteHeader(http.StatusNoContent)
	}
}

func (s *Server) readAllNotifications(w http.ResponseWriter, _ *http.Request, u *User) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, n := range s.notifications {
		if n.UserID == u.ID {
			n.IsRead = true
		}
	}
	w.WriteHeader(http.StatusOK)
}

func (s *Server) listLockLogs(w http.ResponseWriter, _ *http.Request, u *User) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []map[string]any{}
	for _, l := range s.logs {
		if _, admin, code := s.lockAccess(u, l.DoorLockID); l.UserID == u.ID || (code == 0 && admin) {
			out = append(out, logJSON(l))
		}
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) lockLogsOfDoorLock(w http.ResponseWriter, r *http.Request, u *User) {
	id, ok := readDoorLockID(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.requireLockAdmin(w, u, id) {
		return
	}
	out := []map[string]any{}
	for _, l := range s.logs {
		if l.DoorLockID == id {
			out = append(out, logJSON(l))
		}
	}
	writeJSON(w, http.StatusOK, out)
}

// render renders the values of m that keep accepts, by ascending id, as a
// JSON array (never null).
func render[V any](m map[int64]V, keep func(V) bool, toJSON func(V) map[string]any) []map[string]any {
	out := []map[string]any{}
	for _, id := range sortedIDs(m) {
		if v := m[id]; keep(v) {
			out = append(out, toJSON(v))
		}
	}
	return out
}

// Renderers: the documented object shapes.

func userJSON(u *User) map[string]any {
	return map[string]any{"id": u.ID, "email": u.Email, "first_name": u.FirstName, "last_name": u.LastName,
		"phone_number": nil, "account_status": map[bool]string{true: "inactive", false: "active"}[u.Inactive],
		"preferred_language": "en", "favorites": []int64{}, "picture_url": nil}
}

func (s *Server) lockJSON(l *DoorLock) map[string]any {
	users := 1
	for _, k := range s.keys {
		if k.DoorLockID == l.ID {
			users++
		}
	}
	out := map[string]any{"id": l.ID, "lock_serial_number": l.SerialNumber, "description": l.Description,
		"user_id": l.OwnerID, "lisa_token": "AbZ" + strconv.FormatInt(l.ID, 10), "existing_status": "active",
		"secondary_type": l.SecondaryType, "nb_users": users, "confirmation_level": l.ConfirmationLevel, "battery_level": l.BatteryLevel,
		"last_k_token_id": "k" + strconv.FormatInt(l.ID, 10), "mode": l.Mode, "lock_group_id": nil}
	if l.LockGroupID != 0 {
		out["lock_group_id"] = l.LockGroupID
	}
	return out
}

func groupJSON(g *LockGroup) map[string]any {
	return map[string]any{"id": g.ID, "user_id": g.OwnerID, "description": g.Description, "sub_groups": []int64{},
		"lock_group_id": nil, "lock_group_type": g.Type, "icon": "default", "address_street": "",
		"address_city": "", "address_country": "", "zip_code": ""}
}

func contactJSON(c *Contact) map[string]any {
	return map[string]any{"id": c.ID, "user_id": c.UserID, "user_contact_id": c.UserContactID, "request_status": c.RequestStatus}
}

func notificationJSON(n *Notification) map[string]any {
	return map[string]any{"id": n.ID, "user_id": n.UserID, "existing_status": "active", "is_read": n.IsRead,
		"secondary_user_id": nil, "notif_type": n.Type, "description": n.Description, "object_id": n.ObjectID,
		"secondary_type": 1, "created_at": stamp(n.CreatedAt),
		"object_info": `{"door_lock_id":` + strconv.FormatInt(n.ObjectID, 10) + `,"log_type":"flash"}`}
}

func logJSON(l *LockLog) map[string]any {
	return map[string]any{"id": l.ID, "user_id": l.UserID, "door_lock_id": l.DoorLockID, "device_id": l.DeviceID,
		"door_lock_status": l.Status, "alert": nil, "event_timestamp": stamp(l.Timestamp), "log_type": l.LogType}
}

// stamp renders a time the way Havr answers: UTC with milliseconds.
func stamp(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC().Format("2006-01-02T15:04:05.000Z")
}

func pathID(w http.ResponseWriter, r *http.Request) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		writeError(w, http.StatusNotFound, "Not found", "")
		return 0, false
	}
	return id, true
}

func atoiOr(s string, fallback int) int {
	if s == "" {
		return fallback
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return -1
	}
	return n
}

// writeError writes the documented error body.
func writeError(w http.ResponseWriter, status int, message, code string) {
	body := map[string]any{"error": message}
	if code != "" {
		body["error_code"] = code
	}
	writeJSON(w, status, body)
}
