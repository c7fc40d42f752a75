package havrtest

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/doorkit/doorkit/access"
)

// sharedKeyBody holds the fields of the three shared key bodies; each
// endpoint reads its documented subset (createBody, linkBody, updateBody)
// and copies it here.
type sharedKeyBody struct {
	StartDate    *string
	EndDate      *string
	Admin        *bool
	Recurrency   string
	Email        string
	Emails       []string
	LockListIDs  []int64
	LockGroupIDs []int64
	UserListIDs  []int64
	UserGroupIDs []int64
	Note         string
}

// createBody is POST /v1/shared_keys: admin is required.
type createBody struct {
	StartDate    *string `json:"start_date"`
	EndDate      *string `json:"end_date"`
	Admin        *bool   `json:"admin" required:"true"`
	Recurrency   string  `json:"recurrency"`
	LockGroupIDs []int64 `json:"lock_group_ids"`
	UserGroupIDs []int64 `json:"user_group_ids"`
	UserListIDs  []int64 `json:"user_list_ids"`
	LockListIDs  []int64 `json:"lock_list_ids"`
}

// linkBody is POST /v1/shared_keys/create_with_link: admin is required,
// email or emails too.
type linkBody struct {
	Email        string   `json:"email"`
	Emails       []string `json:"emails"`
	StartDate    *string  `json:"start_date"`
	EndDate      *string  `json:"end_date"`
	Admin        *bool    `json:"admin" required:"true"`
	Recurrency   string   `json:"recurrency"`
	LockListIDs  []int64  `json:"lock_list_ids"`
	LockGroupIDs []int64  `json:"lock_group_ids"`
	Note         string   `json:"note"`
}

// updateBody is PATCH /v1/shared_keys/:id: every field is optional.
type updateBody struct {
	StartDate  *string `json:"start_date"`
	EndDate    *string `json:"end_date"`
	Admin      *bool   `json:"admin"`
	Recurrency string  `json:"recurrency"`
}

// recurrencies are the documented values; none is listed for creation only,
// and accepted everywhere as the client sends it.
var recurrencies = map[string]bool{"": true, "none": true, "day": true, "week": true, "month": true, "year": true}

// parseDates checks the documented format (UTC ISO 8601 without
// milliseconds) and the recurrency rule. It writes the error.
func parseDates(w http.ResponseWriter, b sharedKeyBody) (start, end time.Time, ok bool) {
	parse := func(p *string) (time.Time, bool) {
		if p == nil || *p == "" {
			return time.Time{}, true
		}
		t, err := time.Parse("2006-01-02T15:04:05Z", *p)
		return t, err == nil
	}
	if !recurrencies[b.Recurrency] {
		writeError(w, http.StatusBadRequest, "Invalid parameter (recurrency).", "")
		return start, end, false
	}
	var okStart, okEnd bool
	start, okStart = parse(b.StartDate)
	end, okEnd = parse(b.EndDate)
	if !okStart || !okEnd {
		writeError(w, http.StatusBadRequest, "Invalid date format: should be UTC: ISO8601", "invalid_date_format")
		return start, end, false
	}
	limit := map[string]time.Time{"day": start.AddDate(0, 0, 1), "week": start.AddDate(0, 0, 7),
		"month": start.AddDate(0, 1, 0), "year": start.AddDate(1, 0, 0)}
	if l, rec := limit[b.Recurrency]; rec && !end.IsZero() && end.After(l) {
		r := b.Recurrency
		writeError(w, http.StatusForbidden, strings.ToUpper(r[:1])+r[1:]+" recurrency cannot be applied to a multiple "+r+" period",
			r+"_recurrency_cannot_be_applied_to_multiple_"+r+"_period")
		return start, end, false
	}
	return start, end, true
}

// locksInGroups applies create_with_link's documented refusal: with both
// lock_list_ids and lock_group_ids, each listed lock must belong to one of
// the groups. It writes the error. Callers hold s.mu.
func (s *Server) locksInGroups(w http.ResponseWriter, b sharedKeyBody) bool {
	if len(b.LockListIDs) == 0 || len(b.LockGroupIDs) == 0 {
		return true
	}
	for _, id := range b.LockListIDs {
		if l := s.locks[id]; l != nil && !slices.Contains(b.LockGroupIDs, l.LockGroupID) {
			writeError(w, http.StatusBadRequest, "Door lock does not belong to the lock group", "door_lock_does_not_belong_to_lock_group")
			return false
		}
	}
	return true
}

// targetLocks resolves lock_list_ids and lock_group_ids to locks u may
// share. It writes the error. Callers hold s.mu.
func (s *Server) targetLocks(w http.ResponseWriter, u *User, b sharedKeyBody) ([]*DoorLock, bool) {
	lockIDs, groupIDs := append([]int64(nil), b.LockListIDs...), b.LockGroupIDs
	if len(lockIDs) == 0 && len(groupIDs) == 0 {
		writeError(w, http.StatusBadRequest, "Must be shared with a lock group or a lock list", "must_be_shared_with_lock_group_or_door_lock_list")
		return nil, false
	}
	for _, gid := range groupIDs {
		g := s.groups[gid]
		if g == nil || g.OwnerID != u.ID {
			writeError(w, http.StatusNotFound, "Lock group not found or must be the owner", "lock_group_not_found_or_must_be_the_owner")
			return nil, false
		}
		for _, id := range sortedIDs(s.locks) {
			if s.locks[id].LockGroupID == gid {
				lockIDs = append(lockIDs, id)
			}
		}
	}
	var locks []*DoorLock
	seen := map[int64]bool{}
	for _, id := range lockIDs {
		if seen[id] {
			continue
		}
		seen[id] = true
		lock, admin, code := s.lockAccess(u, id)
		if code == 0 && !admin {
			code = http.StatusForbidden
		}
		if code != 0 {
			writeLockError(w, code)
			return nil, false
		}
		locks = append(locks, lock)
	}
	return locks, true
}

func (s *Server) createSharedKeys(w http.ResponseWriter, r *http.Request, u *User) {
	var env struct {
		SharedKey createBody `json:"shared_key" required:"true"`
	}
	if !readJSON(w, r, &env) {
		return
	}
	c := env.SharedKey
	b := sharedKeyBody{StartDate: c.StartDate, EndDate: c.EndDate, Admin: c.Admin, Recurrency: c.Recurrency,
		LockListIDs: c.LockListIDs, LockGroupIDs: c.LockGroupIDs, UserListIDs: c.UserListIDs, UserGroupIDs: c.UserGroupIDs}
	start, end, ok := parseDates(w, b)
	if !ok {
		return
	}
	userIDs := b.UserListIDs
	if len(userIDs) == 0 && len(b.UserGroupIDs) == 0 {
		writeError(w, http.StatusBadRequest, "Must be shared with a user group or a user list", "must_be_shared_with_user_group_or_user_list")
		return
	}
	if len(b.UserGroupIDs) > 0 {
		writeError(w, http.StatusNotFound, "User group not found or you must be the owner", "user_group_not_found_or_must_be_the_owner")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	locks, ok := s.targetLocks(w, u, b)
	if !ok {
		return
	}
	for _, uid := range userIDs {
		if s.users[uid] == nil {
			writeError(w, http.StatusNotFound, "User does not exist", "user_does_not_exist")
			return
		}
		for _, l := range locks {
			if l.OwnerID == uid {
				writeError(w, http.StatusBadRequest, "User is admin of door lock", "user_admin_of_lock")
				return
			}
		}
	}
	out := []map[string]any{}
	for _, uid := range userIDs {
		for _, l := range locks {
			k := &sharedKey{SharedKey: SharedKey{ID: s.id(), DoorLockID: l.ID, UserID: uid, Start: start, End: end,
				Admin: b.Admin != nil && *b.Admin, Recurrency: b.Recurrency, Note: b.Note, OriginID: u.ID},
				status: "active", kTokenID: secret()[:8]}
			if needsConfirmation(l, u, k.Admin, end.IsZero()) {
				k.status = "pending"
			}
			s.keys[k.ID] = k
			out = append(out, s.sharedKeyDetails(k))
		}
	}
	writeJSON(w, http.StatusCreated, out)
}

// createSharedKeyWithLink shares the first lock of lock_list_ids (or of the
// lock group) with each email: a temporary user and a link token per email.
// The document answers one SharedKey, so one lock per call.
func (s *Server) createSharedKeyWithLink(w http.ResponseWriter, r *http.Request, u *User) {
	var env struct {
		SharedKey linkBody `json:"shared_key" required:"true"`
	}
	if !readJSON(w, r, &env) {
		return
	}
	l := env.SharedKey
	b := sharedKeyBody{StartDate: l.StartDate, EndDate: l.EndDate, Admin: l.Admin, Recurrency: l.Recurrency,
		Email: l.Email, Emails: l.Emails, LockListIDs: l.LockListIDs, LockGroupIDs: l.LockGroupIDs, Note: l.Note}
	emails := b.Emails
	if b.Email != "" {
		emails = append([]string{b.Email}, emails...)
	}
	if len(emails) == 0 {
		writeError(w, http.StatusBadRequest, "Missing parameter (email).", "")
		return
	}
	start, end, ok := parseDates(w, b)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.locksInGroups(w, b) {
		return
	}
	locks, ok := s.targetLocks(w, u, b)
	if !ok {
		return
	}
	if b.Note, ok = s.note(w, b.Note); !ok {
		return
	}
	var first *sharedKey
	for _, email := range emails {
		temp := &tempUser{id: s.id(), email: email}
		s.tempUsers[temp.id] = temp
		k := &sharedKey{SharedKey: SharedKey{ID: s.id(), DoorLockID: locks[0].ID, TempUserID: temp.id, Email: email,
			Start: start, End: end, Admin: b.Admin != nil && *b.Admin, Recurrency: b.Recurrency, Note: b.Note, OriginID: u.ID},
			status: "waiting_for_user", linkToken: secret(), kTokenID: secret()[:8]}
		s.keys[k.ID] = k
		s.links = append(s.links, Link{Email: email, Token: access.Secret(k.linkToken), SharedKeyID: k.ID})
		if first == nil {
			first = k
		}
	}
	writeJSON(w, http.StatusCreated, s.sharedKeyJSON(first))
}

// ownKey finds a key u holds or administers. It writes the error. Callers
// hold s.mu.
func (s *Server) ownKey(w http.ResponseWriter, u *User, id int64, manage bool) *sharedKey {
	k := s.keys[id]
	if k == nil {
		writeError(w, http.StatusNotFound, "Shared key does not exist", "shared_key_does_not_exist")
		return nil
	}
	_, admin, _ := s.lockAccess(u, k.DoorLockID)
	if admin || (!manage && k.UserID == u.ID) {
		return k
	}
	if manage {
		writeError(w, http.StatusForbidden, "Can't access another one's lock", "cant_access_another_ones_door_lock")
	} else {
		writeError(w, http.StatusForbidden, "Can't access another one's shared key", "cant_access_another_ones_shared_key")
	}
	return nil
}

func (s *Server) listSharedKeys(w http.ResponseWriter, _ *http.Request, u *User) {
	s.mu.Lock()
	defer s.mu.Unlock()
	writeJSON(w, http.StatusOK, render(s.keys, func(k *sharedKey) bool { return k.UserID == u.ID }, s.sharedKeyJSON))
}

func (s *Server) getSharedKey(w http.ResponseWriter, r *http.Request, u *User) {
	id, ok := pathID(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if k := s.ownKey(w, u, id, false); k != nil {
		writeJSON(w, http.StatusOK, s.sharedKeyJSON(k))
	}
}

func (s *Server) updateSharedKey(w http.ResponseWriter, r *http.Request, u *User) {
	id, ok := pathID(w, r)
	if !ok {
		return
	}
	var env struct {
		SharedKey updateBody `json:"shared_key" required:"true"`
	}
	if !readJSON(w, r, &env) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	k := s.ownKey(w, u, id, true)
	if k == nil {
		return
	}
	up := env.SharedKey
	b := sharedKeyBody{StartDate: up.StartDate, EndDate: up.EndDate, Admin: up.Admin, Recurrency: up.Recurrency}
	merged := b
	if merged.StartDate == nil {
		merged.StartDate = ptr(k.Start.Format("2006-01-02T15:04:05Z"))
	}
	if merged.EndDate == nil && !k.End.IsZero() {
		merged.EndDate = ptr(k.End.Format("2006-01-02T15:04:05Z"))
	}
	if merged.Recurrency == "" {
		merged.Recurrency = k.Recurrency
	}
	start, end, ok := parseDates(w, merged)
	if !ok {
		return
	}
	k.Start, k.End, k.Recurrency = start, end, merged.Recurrency
	if b.Admin != nil {
		k.Admin = *b.Admin
	}
	writeJSON(w, http.StatusOK, s.sharedKeyJSON(k))
}

func ptr[T any](v T) *T { return &v }

func (s *Server) deleteSharedKey(w http.ResponseWriter, r *http.Request, u *User) {
	id, ok := pathID(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if k := s.ownKey(w, u, id, true); k != nil {
		delete(s.keys, id)
		w.WriteHeader(http.StatusNoContent)
	}
}

// deleteSharedKeys deletes all listed keys or none.
func (s *Server) deleteSharedKeys(w http.ResponseWriter, r *http.Request, u *User) {
	var b struct {
		SharedKeys []struct {
			SharedKeyID int64 `json:"shared_key_id" required:"true"`
		} `json:"shared_keys" required:"true"`
	}
	if !readJSON(w, r, &b) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var ids []int64
	for _, e := range b.SharedKeys {
		if s.ownKey(w, u, e.SharedKeyID, true) == nil {
			return
		}
		ids = append(ids, e.SharedKeyID)
	}
	for _, id := range ids {
		delete(s.keys, id)
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) sharedKeysForDoorLock(w http.ResponseWriter, r *http.Request, u *User) {
	id, ok := readDoorLockID(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.requireLockAdmin(w, u, id) {
		return
	}
	writeJSON(w, http.StatusOK, render(s.keys, func(k *sharedKey) bool { return k.DoorLockID == id }, s.sharedKeyJSON))
}

func (s *Server) keyByToken(w http.ResponseWriter, token string) *sharedKey {
	for _, k := range s.keys {
		if k.linkToken != "" && k.linkToken == token {
			if !k.End.IsZero() && time.Now().After(k.Start.Add(8*time.Hour)) && time.Now().After(k.End) {
				writeJSON(w, http.StatusForbidden, map[string]any{"error": "Shared key has expired", "details": "temp_access_expired", "error_code": "shared_key_has_expired"})
				return nil
			}
			return k
		}
	}
	writeError(w, http.StatusNotFound, "Shared key does not exist", "shared_key_does_not_exist")
	return nil
}

func (s *Server) showSharedKeyFromToken(w http.ResponseWriter, r *http.Request, _ *User) {
	var b struct {
		SharedKey struct {
			Token string `json:"token" required:"true"`
		} `json:"shared_key" required:"true"`
	}
	if !readJSON(w, r, &b) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if k := s.keyByToken(w, b.SharedKey.Token); k != nil {
		out := s.sharedKeyDetails(k)
		out["device"] = 12
		writeJSON(w, http.StatusOK, out)
	}
}

func kTokenJSON(k *sharedKey) map[string]any {
	k.kTokenID = secret()[:8]
	return map[string]any{"k_token": "ktok-" + secret(), "last_k_token_id": k.kTokenID}
}

func (s *Server) sharedKeyKToken(w http.ResponseWriter, r *http.Request, u *User) {
	var b struct {
		KToken struct {
			SharedKeyID int64  `json:"shared_key_id" required:"true"`
			PKey        string `json:"p_key"`
		} `json:"k_token" required:"true"`
	}
	if !readJSON(w, r, &b) {
		return
	}
	id := b.KToken.SharedKeyID
	s.mu.Lock()
	defer s.mu.Unlock()
	if k := s.ownKey(w, u, id, false); k != nil {
		if b.KToken.PKey == "" {
			writeError(w, http.StatusBadRequest, "Error generating k token", "generating_k_token")
			return
		}
		writeJSON(w, http.StatusOK, kTokenJSON(k))
	}
}

func (s *Server) sharedKeyKTokenFromToken(w http.ResponseWriter, r *http.Request, _ *User) {
	var b struct {
		KToken struct {
			Token string `json:"token" required:"true"`
			PKey  string `json:"p_key"`
		} `json:"k_token" required:"true"`
	}
	if !readJSON(w, r, &b) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if k := s.keyByToken(w, b.KToken.Token); k != nil {
		if b.KToken.PKey == "" {
			writeError(w, http.StatusBadRequest, "Error generating k token", "generating_k_token")
			return
		}
		writeJSON(w, http.StatusOK, kTokenJSON(k))
	}
}

func (s *Server) sharedKeyJSON(k *sharedKey) map[string]any {
	out := map[string]any{"id": k.ID, "user_id": nil, "door_lock_id": k.DoorLockID, "start_date": stamp(k.Start),
		"end_date": stamp(k.End), "admin": k.Admin, "recurrency": orNone(k.Recurrency), "existing_status": k.status,
		"lock_user_number": strconv.FormatInt(k.ID%250, 10), "origin_user_id": k.OriginID, "temp_user_id": nil,
		"last_k_token_id": k.kTokenID, "note": nil}
	if k.UserID != 0 {
		out["user_id"] = k.UserID
	}
	if k.TempUserID != 0 {
		out["temp_user_id"] = k.TempUserID
	}
	if k.Note != "" {
		out["note"] = k.Note
	}
	return out
}

// sharedKeyDetails is "SharedKey, door_lock: {DoorLock, user: User}, user:
// User, temp_user: TempUser".
func (s *Server) sharedKeyDetails(k *sharedKey) map[string]any {
	out := s.sharedKeyJSON(k)
	lock := s.lockJSON(s.locks[k.DoorLockID])
	if owner := s.users[s.locks[k.DoorLockID].OwnerID]; owner != nil {
		lock["user"] = userJSON(owner)
	}
	out["door_lock"] = lock
	out["user"], out["temp_user"] = nil, nil
	if u := s.users[k.UserID]; u != nil {
		out["user"] = userJSON(u)
	}
	if t := s.tempUsers[k.TempUserID]; t != nil {
		out["temp_user"] = map[string]any{"id": t.id, "email": t.email}
	}
	return out
}

func orNone(r string) string {
	if r == "" {
		return "none"
	}
	return r
}
