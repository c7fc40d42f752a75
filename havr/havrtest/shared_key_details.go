package havrtest

import (
	"encoding/json"
	"net/http"
)

// The detailed shared-key reads doorkit's access layer lists grants with,
// and the owner's confirmation of pending keys.

// needsConfirmation follows the document's confirmation levels: 1 admin
// accesses, 2 admin and unlimited ones, 3 all. The lock's owner never needs
// to confirm what it shares itself.
func needsConfirmation(lock *DoorLock, sharer *User, admin, unlimited bool) bool {
	if lock.OwnerID == sharer.ID {
		return false
	}
	switch lock.ConfirmationLevel {
	case 1:
		return admin
	case 2:
		return admin || unlimited
	case 3:
		return true
	}
	return false
}

// showSharedKeyWithDetails: GET /v1/shared_keys/show_with_details/{id}.
func (s *Server) showSharedKeyWithDetails(w http.ResponseWriter, r *http.Request, u *User) {
	id, ok := pathID(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if k := s.ownKey(w, u, id, false); k != nil {
		writeJSON(w, http.StatusOK, s.sharedKeyDetails(k))
	}
}

// listSharedKeysWithDetails: GET /v1/shared_keys/index_with_details, the
// keys of every lock the user owns or administers.
func (s *Server) listSharedKeysWithDetails(w http.ResponseWriter, _ *http.Request, u *User) {
	s.mu.Lock()
	defer s.mu.Unlock()
	writeJSON(w, http.StatusOK, render(s.keys, func(k *sharedKey) bool {
		_, admin, code := s.lockAccess(u, k.DoorLockID)
		return code == 0 && admin
	}, func(k *sharedKey) map[string]any {
		out := s.sharedKeyDetails(k)
		out["origin_user"] = nil
		if o := s.users[k.OriginID]; o != nil {
			out["origin_user"] = userJSON(o)
		}
		return out
	}))
}

// answerPendingSharedKey: POST /v1/shared_keys/answer_pending_shared_key.
// Only the lock's owner answers; a refused key becomes rejected.
func (s *Server) answerPendingSharedKey(w http.ResponseWriter, r *http.Request, u *User) {
	var b struct {
		SharedKey struct {
			SharedKeyID json.Number `json:"shared_key_id"`
			Accepted    *bool       `json:"accepted"`
		} `json:"shared_key"`
	}
	if !readJSON(w, r, &b) {
		return
	}
	id, err := b.SharedKey.SharedKeyID.Int64()
	if err != nil || b.SharedKey.Accepted == nil {
		writeError(w, http.StatusBadRequest, "Missing parameter (shared_key_id or accepted).", "")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	k := s.keys[id]
	switch {
	case k == nil:
		writeError(w, http.StatusNotFound, "Shared key does not exist", "shared_key_does_not_exist")
	case s.locks[k.DoorLockID].OwnerID != u.ID:
		writeError(w, http.StatusForbidden, "Can't access another one's lock", "cant_access_another_ones_door_lock")
	case k.status != "pending":
		writeError(w, http.StatusNotFound, "Shared key is not pending", "cant_answer_not_pending_shared_key")
	default:
		k.status = "rejected"
		if *b.SharedKey.Accepted {
			k.status = "active"
		}
		writeJSON(w, http.StatusOK, s.sharedKeyJSON(k))
	}
}

// createOrUpdateBody is POST /v1/shared_keys/create_or_update, sent
// unwrapped. The document marks user_id required "if user_group_id is
// present" and documents no user_group_id; the fake requires it.
type createOrUpdateBody struct {
	UserID     *int64  `json:"user_id" required:"true"`
	DoorLockID *int64  `json:"door_lock_id" required:"true"`
	StartDate  *string `json:"start_date"`
	EndDate    *string `json:"end_date"`
	Admin      *bool   `json:"admin" required:"true"`
	Recurrency string  `json:"recurrency"`
	Note       string  `json:"note"`
}

// createOrUpdateSharedKey: the user's key to the lock is changed if there
// is one (200), otherwise made (201), pending where the lock's confirmation
// level asks for it.
func (s *Server) createOrUpdateSharedKey(w http.ResponseWriter, r *http.Request, u *User) {
	var c createOrUpdateBody
	if !readJSON(w, r, &c) {
		return
	}
	b := sharedKeyBody{StartDate: c.StartDate, EndDate: c.EndDate, Admin: c.Admin, Recurrency: c.Recurrency,
		LockListIDs: []int64{*c.DoorLockID}, UserListIDs: []int64{*c.UserID}, Note: c.Note}
	start, end, ok := parseDates(w, b)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	locks, ok := s.targetLocks(w, u, b)
	if !ok {
		return
	}
	if c.Note, ok = s.note(w, c.Note); !ok {
		return
	}
	lock, uid := locks[0], *c.UserID
	if s.users[uid] == nil {
		writeError(w, http.StatusNotFound, "User does not exist", "user_does_not_exist")
		return
	}
	if lock.OwnerID == uid {
		writeError(w, http.StatusBadRequest, "User is admin of door lock", "user_admin_of_lock")
		return
	}
	for _, id := range sortedIDs(s.keys) {
		if k := s.keys[id]; k.UserID == uid && k.DoorLockID == lock.ID {
			k.Start, k.End, k.Admin, k.Recurrency, k.Note = start, end, *c.Admin, c.Recurrency, c.Note
			writeJSON(w, http.StatusOK, s.sharedKeyJSON(k))
			return
		}
	}
	k := &sharedKey{SharedKey: SharedKey{ID: s.id(), DoorLockID: lock.ID, UserID: uid, Start: start, End: end,
		Admin: *c.Admin, Recurrency: c.Recurrency, Note: c.Note, OriginID: u.ID},
		status: "active", kTokenID: secret()[:8]}
	if needsConfirmation(lock, u, k.Admin, end.IsZero()) {
		k.status = "pending"
	}
	s.keys[k.ID] = k
	writeJSON(w, http.StatusCreated, s.sharedKeyJSON(k))
}
