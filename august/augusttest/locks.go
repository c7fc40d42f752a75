package augusttest

import (
	"net/http"
	"sort"
	"strings"
)

var userTypes = []string{"user", "manager", "superuser"}

func (s *Server) listLocks(w http.ResponseWriter, _ *http.Request, c *caller) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]any{}
	for _, id := range s.lockOrder {
		l := s.locks[id]
		if t := l.users[c.user.ID]; t != "" {
			out[id] = map[string]any{"LockName": l.Name, "UserType": t, "macAddress": macAddress(l),
				"HouseID": l.HouseID, "HouseName": s.houseName(l.HouseID)}
		}
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) getLock(w http.ResponseWriter, r *http.Request, c *caller) {
	s.mu.Lock()
	defer s.mu.Unlock()
	l, ok := s.lockFor(w, r, c)
	if !ok {
		return
	}
	writeJSON(w, http.StatusOK, s.lockJSON(l))
}

// lockJSON renders lock info (the Accept-Version 0.0.1 shape, with the keys
// real answers carry: pubsubChannel, keypad, batteryInfo).
func (s *Server) lockJSON(l *lockState) map[string]any {
	users := map[string]any{}
	for id, t := range l.users {
		u := s.users[id]
		entry := map[string]any{"UserType": t}
		if u != nil {
			entry["FirstName"], entry["LastName"] = u.FirstName, u.LastName
			var ids []string
			if u.Phone != "" {
				ids = append(ids, "phone:"+u.Phone)
			}
			if u.Email != "" {
				ids = append(ids, "email:"+u.Email)
			}
			entry["identifiers"] = ids
		}
		users[id] = entry
	}
	created := iso(l.created)
	out := map[string]any{
		"LockName": l.Name, "Type": l.Type, "Created": created, "Updated": created, "LockID": l.ID,
		"HouseID": l.HouseID, "HouseName": s.houseName(l.HouseID), "Calibrated": true, "timeZone": l.TimeZone,
		"battery": l.Battery, "batteryInfo": map[string]any{"level": l.Battery, "warningState": batteryWarning(l.Battery)},
		"supportsEntryCodes": l.Keypad || l.BuiltInKeypad, "skuNumber": "AUG-SL-" + l.SerialNumber[:2],
		"macAddress": macAddress(l), "SerialNumber": l.SerialNumber,
		"LockStatus": map[string]any{"status": plainLockState(l), "dateTime": created, "isLockStatusChanged": false,
			"valid": true, "doorState": plainDoorState(l)},
		"currentFirmwareVersion": "3.0.44-3.0.30", "homeKitEnabled": false, "zWaveEnabled": false, "isGalileo": false,
		"parametersToSet": map[string]any{}, "users": users, "pubsubChannel": strings.ToLower(l.ID[:8]) + "-pubsub",
		"ruleHash": map[string]any{}, "cameras": []any{}, "accessSchedulesAllowed": l.Type != 1,
	}
	if l.Bridge {
		current := "online"
		if l.BridgeOffline {
			current = "offline"
		}
		out["Bridge"] = map[string]any{"_id": bridgeID(l), "mfgBridgeID": "B" + l.SerialNumber, "deviceModel": "august-connect",
			"firmwareVersion": "2.3.1", "operative": !l.BridgeOffline, "status": map[string]any{"current": current},
			"hyperBridge": true}
	}
	if l.OmitEntryCodes {
		delete(out, "supportsEntryCodes")
	}
	if l.Keypad {
		out["keypad"] = map[string]any{"_id": strings.ToLower(l.ID[8:20]), "serialNumber": keypadSerial(l),
			"lockID": l.ID, "currentFirmwareVersion": "2.27.0", "battery": map[string]any{}, "batteryLevel": "Full", "batteryRaw": 189}
	}
	return out
}

func (s *Server) houseName(id string) string {
	if h := s.houses[id]; h != nil {
		return h.Name
	}
	return ""
}

func (s *Server) deleteLock(w http.ResponseWriter, r *http.Request, c *caller) {
	soft := r.URL.Query().Get("soft")
	if soft != "" && soft != "0" && soft != "1" {
		writeError(w, http.StatusBadRequest, "InvalidArgument", "soft must be 0 or 1")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	l, ok := s.lockFor(w, r, c, "superuser")
	if !ok {
		return
	}
	delete(s.locks, l.ID)
	for i, id := range s.lockOrder {
		if id == l.ID {
			s.lockOrder = append(s.lockOrder[:i], s.lockOrder[i+1:]...)
			break
		}
	}
	for k, h := range s.webhooks {
		if h.LockID == l.ID {
			delete(s.webhooks, k)
		}
	}
	s.deleted = append(s.deleted, l.ID)
	writeSuccess(w)
}

// lockStatus is GET /locks/:lockID/status. A lock without a bridge answers
// 409 (seen in a Home Assistant issue), an offline bridge 422.
func (s *Server) lockStatus(w http.ResponseWriter, r *http.Request, c *caller) {
	s.mu.Lock()
	defer s.mu.Unlock()
	l, ok := s.lockFor(w, r, c)
	if !ok {
		return
	}
	if !l.Bridge {
		writeError(w, http.StatusConflict, "Conflict", "lock has no bridge")
		return
	}
	if l.BridgeOffline {
		writeJSON(w, http.StatusUnprocessableEntity, errorBody(http.StatusUnprocessableEntity))
		return
	}
	door := "kAugLockDoorState_Closed"
	if l.DoorOpen {
		door = "kAugLockDoorState_Open"
	}
	writeJSON(w, http.StatusOK, map[string]any{"status": lockStateWord(l), "doorState": door})
}

func (s *Server) addUser(w http.ResponseWriter, r *http.Request, c *caller) {
	var b struct {
		Name    *string `json:"Name"`
		Options struct {
			IsUpdatingPermissions bool `json:"isUpdatingPermissions"`
		} `json:"options"`
		ReturnInvited bool `json:"returnInvited"`
	}
	if hasBody(r) && !readJSON(w, r, &b) {
		return
	}
	typ, other := r.PathValue("type"), r.PathValue("otherUserID")
	if !contains(userTypes, typ) {
		writeError(w, http.StatusBadRequest, "InvalidArgument", "type must be user, manager or superuser")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	l, ok := s.lockFor(w, r, c, "manager", "superuser")
	if !ok {
		return
	}
	if typ == "superuser" && l.users[c.user.ID] != "superuser" {
		writeError(w, http.StatusForbidden, "Forbidden", "only a superuser can add a superuser")
		return
	}
	userID := other
	switch {
	case s.users[other] != nil:
	case uuidPattern.MatchString(other):
		writeError(w, http.StatusNotFound, "ResourceNotFound", "user "+other+" does not exist")
		return
	case strings.HasPrefix(other, "email:") || strings.HasPrefix(other, "phone:"):
		// An identifier of someone without an account: the fake invites them.
		u := &User{ID: newUUID()}
		if b.Name != nil {
			u.FirstName = *b.Name
		}
		if v, ok := strings.CutPrefix(other, "email:"); ok {
			u.Email = v
		} else {
			u.Phone = strings.TrimPrefix(other, "phone:")
		}
		s.users[u.ID] = u
		userID = u.ID
	default:
		writeError(w, http.StatusBadRequest, "InvalidArgument", "otherUserID must be a user id or an email:/phone: identifier")
		return
	}
	if t := l.users[userID]; t != "" && t != typ && !b.Options.IsUpdatingPermissions {
		writeError(w, http.StatusConflict, "Conflict", "the user is already on the lock as "+t)
		return
	}
	l.users[userID] = typ
	out := map[string]any{"message": "success"}
	if b.ReturnInvited {
		out["userId"] = userID
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) changeUserType(w http.ResponseWriter, r *http.Request, c *caller) {
	typ, other := r.PathValue("type"), r.PathValue("otherUserID")
	if !contains(userTypes, typ) {
		writeError(w, http.StatusBadRequest, "InvalidArgument", "type must be user, manager or superuser")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	l, ok := s.lockFor(w, r, c, "superuser")
	if !ok {
		return
	}
	if l.users[other] == "" {
		writeError(w, http.StatusNotFound, "ResourceNotFound", "user "+other+" is not on the lock")
		return
	}
	l.users[other] = typ
	writeSuccess(w)
}

func (s *Server) removeUser(w http.ResponseWriter, r *http.Request, c *caller) {
	other := r.PathValue("otherUserID")
	s.mu.Lock()
	defer s.mu.Unlock()
	l, ok := s.lockFor(w, r, c, "manager", "superuser")
	if !ok {
		return
	}
	if l.users[other] == "" {
		writeError(w, http.StatusNotFound, "ResourceNotFound", "user "+other+" is not on the lock")
		return
	}
	if l.users[other] == "superuser" && l.users[c.user.ID] != "superuser" {
		writeError(w, http.StatusForbidden, "Forbidden", "only a superuser can remove a superuser")
		return
	}
	delete(l.users, other)
	writeSuccess(w)
}

// capabilities is GET /devices/capabilities: a lock is found by its
// serialNumber or (as deviceID) its lock id, a paired keypad by its
// serialNumber.
func (s *Server) capabilities(w http.ResponseWriter, r *http.Request, c *caller) {
	q := r.URL.Query()
	serial, device := q.Get("serialNumber"), q.Get("deviceID")
	if serial == "" && device == "" {
		writeError(w, http.StatusBadRequest, "MissingParameter", "serialNumber or deviceID is required")
		return
	}
	for _, b := range []string{"topLevelHost", "checkForSetup"} {
		if v := q.Get(b); v != "" && v != "true" && v != "false" {
			writeError(w, http.StatusBadRequest, "InvalidArgument", b+" must be true or false")
			return
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var l *lockState
	keypadOnly := false
	for _, id := range s.lockOrder {
		cand := s.locks[id]
		if (serial != "" && cand.SerialNumber == serial) || (device != "" && cand.ID == device) {
			l = cand
			break
		}
		if serial != "" && cand.Keypad && keypadSerial(cand) == serial {
			l, keypadOnly = cand, true
			break
		}
	}
	if l == nil || l.users[c.user.ID] == "" {
		writeError(w, http.StatusNotFound, "ResourceNotFound", "device does not exist")
		return
	}
	keypad := map[string]any{"supportsPinCodes": true, "supportsKeyTags": false, "supportsFingerprintCredential": false,
		"pinLengthMin": l.PINLengthMin, "pinLengthMax": l.PINLengthMax, "usesSlots": true, "isStandAlone": false}
	if keypadOnly {
		writeJSON(w, http.StatusOK, map[string]any{"keypad": keypad})
		return
	}
	out := map[string]any{"lock": map[string]any{"hostHardwareLockInfo": map[string]any{}, "hostLock": map[string]any{},
		"pinSlotMin": 1, "pinSlotMax": l.MaxPINs, "unlatch": l.Unlatch, "doorSense": true, "concurrentBLE": 2,
		"batteryType": "AA", "batteryLifeMS": int64(21513600000), "supportedPartners": []string{}}}
	if l.BuiltInKeypad || (l.Keypad && s.keypadOnLockSerial) {
		out["keypad"] = keypad
	}
	if l.Bridge {
		out["connect"] = map[string]any{"numberOfDevicesSupported": 1, "setupTypeSupported": []string{"wifi"},
			"standAlone": false, "supportsQR": true, "rbsAuthMechanism": 0, "supportsBridgeNotFoundFactoryReset": true,
			"hasClientCertificate": true}
	}
	writeJSON(w, http.StatusOK, out)
}

// visibleHouses are the houses holding a lock the user is on.
func (s *Server) visibleHouses(userID string) map[string]bool {
	out := map[string]bool{}
	for _, l := range s.locks {
		if l.users[userID] != "" && l.HouseID != "" {
			out[l.HouseID] = true
		}
	}
	return out
}

func (s *Server) listHouses(w http.ResponseWriter, r *http.Request, c *caller) {
	filter := r.URL.Query().Get("houseID")
	if filter != "" && !uuidPattern.MatchString(filter) {
		writeError(w, http.StatusBadRequest, "InvalidArgument", "houseID must be a UUID")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	visible := s.visibleHouses(c.user.ID)
	out := []any{}
	for _, id := range s.houseOrder {
		h := s.houses[id]
		if visible[id] && (filter == "" || filter == id) {
			out = append(out, map[string]any{"HouseID": h.ID, "HouseName": h.Name, "type": h.Type, "imageInfo": map[string]any{}})
		}
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) getHouse(w http.ResponseWriter, r *http.Request, c *caller) {
	id := r.PathValue("houseID")
	if !uuidPattern.MatchString(id) {
		writeError(w, http.StatusBadRequest, "InvalidArgument", "houseID must be a UUID")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	h := s.houses[id]
	if h == nil || !s.visibleHouses(c.user.ID)[id] {
		writeError(w, http.StatusNotFound, "ResourceNotFound", "house "+id+" does not exist")
		return
	}
	users, locks := map[string]bool{}, []string{}
	for _, lid := range s.lockOrder {
		if l := s.locks[lid]; l.HouseID == id {
			locks = append(locks, lid)
			for u := range l.users {
				users[u] = true
			}
		}
	}
	userList := make([]string, 0, len(users))
	for u := range users {
		userList = append(userList, u)
	}
	sort.Strings(userList)
	writeJSON(w, http.StatusOK, map[string]any{"HouseName": h.Name, "users": userList, "locks": locks})
}

// Words for lock and door states in their three spellings.

func lockStateWord(l *lockState) string {
	if *l.Locked {
		return "kAugLockState_Locked"
	}
	return "kAugLockState_Unlocked"
}

func doorStateWord(l *lockState) string {
	if l.DoorOpen {
		return "kAugDoorState_Open"
	}
	return "kAugDoorState_Closed"
}

func plainLockState(l *lockState) string {
	if *l.Locked {
		return "locked"
	}
	return "unlocked"
}

func plainDoorState(l *lockState) string {
	if l.DoorOpen {
		return "open"
	}
	return "closed"
}

func keypadSerial(l *lockState) string { return "K" + l.SerialNumber }

func bridgeID(l *lockState) string { return strings.ToLower(l.ID[:24]) }

func macAddress(l *lockState) string {
	id := l.ID
	return id[0:2] + ":" + id[2:4] + ":" + id[4:6] + ":" + id[6:8] + ":" + id[8:10] + ":" + id[10:12]
}

func batteryWarning(level float64) string {
	switch {
	case level < 0:
		return "lock_state_battery_warning_unknown"
	case level < 0.2:
		return "lock_state_battery_warning_low"
	default:
		return "lock_state_battery_warning_none"
	}
}
