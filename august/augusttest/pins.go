package augusttest

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"math/big"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

var (
	pinStates   = []string{"created", "loaded", "disabled", "disabling", "enabling", "deleting", "updating"}
	pinActions  = []string{"load", "update", "delete", "disable", "enable"}
	accessTypes = []string{"always", "recurring", "temporary", "oneTime"}
	pinRoles    = []string{"manager", "superuser"}
)

func (s *Server) listPINs(w http.ResponseWriter, r *http.Request, c *caller) {
	s.mu.Lock()
	defer s.mu.Unlock()
	l, ok := s.lockFor(w, r, c, pinRoles...)
	if !ok {
		return
	}
	out := map[string][]any{}
	for _, st := range pinStates {
		out[st] = []any{}
	}
	for _, p := range sortedPINs(l) {
		out[p.State] = append(out[p.State], pinJSON(l, p))
	}
	writeJSON(w, http.StatusOK, out)
}

// pinJSON renders a PIN the way the listing answers. accessType oneTime is
// spelled "one-time", as real answers spell it.
func pinJSON(l *lockState, p *pinState) map[string]any {
	accessType := p.AccessType
	if accessType == "oneTime" {
		accessType = "one-time"
	}
	out := map[string]any{"_id": p.ID, "type": "pin", "lockID": l.ID, "state": p.State,
		"pin": p.PIN.PIN, "slot": p.Slot, "accessType": accessType, "callingUserID": p.callingUserID,
		"apiKey": p.clientID, "createdAt": iso(p.created), "updatedAt": iso(p.updated), "loadedDate": iso(p.loaded),
		"firstName": p.FirstName, "lastName": p.LastName, "unverified": p.PartnerUserID != ""}
	if p.UserID != "" {
		out["userID"] = p.UserID
	}
	if !p.Start.IsZero() {
		out["accessStartTime"], out["accessEndTime"] = iso(p.Start), iso(p.End)
	}
	if p.Recurrence != "" {
		out["accessRecurrence"], out["accessTimes"] = p.Recurrence, p.accessTimes
	}
	return out
}

type pinCommand struct {
	Action           string `json:"action"`
	PIN              string `json:"pin"`
	AccessType       string `json:"accessType"`
	AccessTimes      string `json:"accessTimes"`
	AccessRecurrence string `json:"accessRecurrence"`
	Schedule         string `json:"schedule"`
	FirstName        string `json:"firstName"`
	LastName         string `json:"lastName"`
	PartnerUserID    string `json:"partnerUserID"`
	UserID           string `json:"userID"`
}

// pinCommands is POST /locks/:lockID/pins. The whole batch is checked
// before anything changes; it answers {"message":"success"} at once and
// each command's result is POSTed to the webhook later.
func (s *Server) pinCommands(w http.ResponseWriter, r *http.Request, c *caller) {
	var b struct {
		Commands []pinCommand `json:"commands"`
		Webhook  *string      `json:"webhook"`
	}
	if !readJSON(w, r, &b) {
		return
	}
	s.mu.Lock()
	hook := s.pinHook
	s.mu.Unlock()
	if hook != nil {
		for _, cmd := range b.Commands {
			hook(PINCommandCall{LockID: r.PathValue("lockID"), Action: cmd.Action, PIN: cmd.PIN})
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	l, ok := s.lockFor(w, r, c, pinRoles...)
	if !ok || !s.checkKeypad(w, l) {
		return
	}
	if len(b.Commands) == 0 {
		writeError(w, http.StatusBadRequest, "MissingParameter", "commands must be a non-empty array")
		return
	}
	if b.Webhook == nil || *b.Webhook == "" {
		writeError(w, http.StatusBadRequest, "MissingParameter", "webhook is required")
		return
	}
	if !webhookURL(*b.Webhook, false) {
		writeError(w, http.StatusBadRequest, "InvalidArgument", "webhook must be an absolute http(s) URL")
		return
	}
	now := s.clock()
	seen := map[string]bool{}
	windows := make([][2]time.Time, len(b.Commands))
	for i, cmd := range b.Commands {
		field := fmt.Sprintf("commands[%d].", i)
		start, end, ok := s.checkCommand(w, l, field, cmd, now)
		if !ok {
			return
		}
		if seen[cmd.PIN] {
			writeError(w, http.StatusBadRequest, "InvalidArgument", field+"pin appears twice in one request")
			return
		}
		seen[cmd.PIN] = true
		windows[i] = [2]time.Time{start, end}
	}
	if !s.checkBridge(w, l) {
		return
	}
	// Conflicts, checked for the whole batch before any change.
	s.expireReservations(l)
	owners := map[string]bool{}
	for i, cmd := range b.Commands {
		field := fmt.Sprintf("commands[%d].", i)
		p := findPIN(l, cmd.PIN)
		if cmd.Action != "load" {
			if p == nil {
				writeError(w, http.StatusNotFound, "ResourceNotFound", field+"pin is not on the lock")
				return
			}
			if p.busy {
				writeError(w, http.StatusConflict, "Conflict", field+"pin has a command pending")
				return
			}
			if cmd.Action == "delete" && p.UserID != cmd.UserID {
				writeError(w, http.StatusNotFound, "ResourceNotFound", field+"pin is not on the lock for userID")
				return
			}
			want := map[string][]string{"update": {"loaded", "disabled"}, "disable": {"loaded"}, "enable": {"disabled"}}[cmd.Action]
			if want != nil && !contains(want, p.State) {
				writeError(w, http.StatusConflict, "Conflict", field+"pin is "+p.State)
				return
			}
			continue
		}
		if p != nil || (l.master != nil && l.master.PIN.PIN == cmd.PIN) {
			writeError(w, http.StatusConflict, "Conflict", field+"pin already exists on the lock")
			return
		}
		if res := l.reservations[cmd.PIN]; res != nil && res.UserID != c.user.ID {
			writeError(w, http.StatusConflict, "Conflict", field+"pin is reserved")
			return
		}
		owner := s.subUserID(c.user.ID, cmd.PartnerUserID)
		if owners[cmd.PartnerUserID] || (owner != "" && pinOfUser(l, owner) != nil) || pinOfPartnerUser(l, cmd.PartnerUserID) != nil {
			writeError(w, http.StatusConflict, "Conflict", field+"partnerUserID already has a PIN on the lock")
			return
		}
		owners[cmd.PartnerUserID] = true
	}
	loads := 0
	for _, cmd := range b.Commands {
		if cmd.Action == "load" && l.reservations[cmd.PIN] == nil {
			loads++
		}
	}
	if len(l.pins)+len(l.reservations)+loads > l.MaxPINs {
		writeError(w, http.StatusConflict, "Conflict", "no PIN slot is left on the lock")
		return
	}
	for i, cmd := range b.Commands {
		s.startCommand(l, c, cmd, windows[i], *b.Webhook, now)
	}
	writeSuccess(w)
}

// checkCommand validates one command against the documents. Callers hold
// s.mu.
func (s *Server) checkCommand(w http.ResponseWriter, l *lockState, field string, cmd pinCommand, now time.Time) (start, end time.Time, ok bool) {
	bad := func(code, msg string) (time.Time, time.Time, bool) {
		writeError(w, http.StatusBadRequest, code, field+msg)
		return time.Time{}, time.Time{}, false
	}
	if cmd.Action == "" {
		return bad("MissingParameter", "action is required")
	}
	if !contains(pinActions, cmd.Action) {
		return bad("InvalidArgument", "action must be load, update, delete, disable or enable")
	}
	if cmd.PIN == "" {
		return bad("MissingParameter", "pin is required")
	}
	if !validPIN(l, cmd.PIN) {
		return bad("InvalidArgument", fmt.Sprintf("pin must be %d to %d digits", l.PINLengthMin, l.PINLengthMax))
	}
	if cmd.Action == "load" {
		for _, f := range []struct{ name, v string }{{"accessType", cmd.AccessType}, {"firstName", cmd.FirstName},
			{"lastName", cmd.LastName}, {"partnerUserID", cmd.PartnerUserID}} {
			if strings.TrimSpace(f.v) == "" {
				return bad("MissingParameter", f.name+" is required")
			}
		}
	}
	if cmd.Action == "delete" && cmd.UserID == "" {
		return bad("MissingParameter", "userID is required for delete")
	}
	if cmd.Action != "load" && cmd.Action != "update" {
		return time.Time{}, time.Time{}, true
	}
	if cmd.AccessType == "" {
		return bad("MissingParameter", "accessType is required")
	}
	if !contains(accessTypes, cmd.AccessType) {
		return bad("InvalidArgument", "accessType must be always, recurring, temporary or oneTime")
	}
	if l.Type == 1 && cmd.AccessType != "always" {
		return bad("InvalidArgument", "accessType must be always on a type 1 lock")
	}
	if cmd.AccessType == "always" {
		return time.Time{}, time.Time{}, true
	}
	if cmd.AccessTimes == "" {
		return bad("MissingParameter", "accessTimes is required for accessType "+cmd.AccessType)
	}
	start, end, err := parseAccessTimes(cmd.AccessTimes)
	if err != nil {
		return bad("InvalidArgument", "accessTimes "+err.Error())
	}
	if !end.After(now) {
		return bad("InvalidArgument", "accessTimes DTEND is in the past")
	}
	if cmd.AccessType == "recurring" && !strings.Contains(cmd.AccessRecurrence, "FREQ=") {
		return bad("MissingParameter", "accessRecurrence (an RRULE) is required for accessType recurring")
	}
	return start, end, true
}

// parseAccessTimes reads "DTSTART=<ISO UTC>;DTEND=<ISO UTC>".
func parseAccessTimes(v string) (start, end time.Time, err error) {
	parts := strings.Split(v, ";")
	if len(parts) != 2 {
		return start, end, fmt.Errorf("must be DTSTART=<ISO UTC>;DTEND=<ISO UTC>")
	}
	for i, name := range []string{"DTSTART", "DTEND"} {
		val, ok := strings.CutPrefix(parts[i], name+"=")
		if !ok {
			return start, end, fmt.Errorf("must be DTSTART=<ISO UTC>;DTEND=<ISO UTC>")
		}
		if !strings.HasSuffix(val, "Z") {
			return start, end, fmt.Errorf("%s must be in UTC (end in Z)", name)
		}
		t, perr := time.Parse(time.RFC3339Nano, val)
		if perr != nil {
			return start, end, fmt.Errorf("%s is not an ISO 8601 time", name)
		}
		if i == 0 {
			start = t
		} else {
			end = t
		}
	}
	if !end.After(start) {
		return start, end, fmt.Errorf("DTEND must be after DTSTART")
	}
	return start, end, nil
}

func validPIN(l *lockState, pin string) bool {
	if len(pin) < l.PINLengthMin || len(pin) > l.PINLengthMax {
		return false
	}
	for _, r := range pin {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// webhookURL checks a webhook address: absolute http(s), or https only.
func webhookURL(raw string, httpsOnly bool) bool {
	u, err := url.Parse(raw)
	if err != nil || !u.IsAbs() || u.Host == "" {
		return false
	}
	return u.Scheme == "https" || (!httpsOnly && u.Scheme == "http")
}

// checkKeypad refuses PIN management on a lock without a keypad (412,
// invented). Callers hold s.mu.
func (s *Server) checkKeypad(w http.ResponseWriter, l *lockState) bool {
	if !l.Keypad && !l.BuiltInKeypad {
		writeError(w, http.StatusPreconditionFailed, "PreconditionFailed", "lock does not support entry codes")
		return false
	}
	return true
}

func findPIN(l *lockState, pin string) *pinState {
	for _, p := range l.pins {
		if p.PIN.PIN == pin {
			return p
		}
	}
	return nil
}

func pinOfPartnerUser(l *lockState, partnerUserID string) *pinState {
	for _, p := range l.pins {
		if p.PartnerUserID == partnerUserID {
			return p
		}
	}
	return nil
}

func pinOfUser(l *lockState, userID string) *pinState {
	for _, p := range l.pins {
		if p.UserID == userID {
			return p
		}
	}
	return nil
}

// subUserID returns the sub-user of owner for partnerUserID, or "".
// Callers hold s.mu.
func (s *Server) subUserID(owner, partnerUserID string) string {
	for _, u := range s.subUsers {
		if u.OwnerID == owner && u.PartnerUserID == partnerUserID {
			return u.UserID
		}
	}
	return ""
}

// subUser gets or creates the sub-user of owner for partnerUserID. Callers
// hold s.mu.
func (s *Server) subUser(owner, partnerUserID, first, last string) (*SubUser, bool) {
	for _, u := range s.subUsers {
		if u.OwnerID == owner && u.PartnerUserID == partnerUserID {
			return u, false
		}
	}
	u := &SubUser{UserID: newUUID(), PartnerUserID: partnerUserID, FirstName: first, LastName: last, OwnerID: owner}
	s.subUsers = append(s.subUsers, u)
	s.users[u.UserID] = &User{ID: u.UserID, FirstName: first, LastName: last}
	return u, true
}

func freeSlot(l *lockState) int {
	used := map[int]bool{}
	for slot := range l.pins {
		used[slot] = true
	}
	for _, r := range l.reservations {
		used[r.Slot] = true
	}
	for slot := 1; slot <= l.MaxPINs; slot++ {
		if !used[slot] {
			return slot
		}
	}
	return 0
}

// startCommand puts a checked command in its pending state and queues its
// result. Callers hold s.mu.
func (s *Server) startCommand(l *lockState, c *caller, cmd pinCommand, window [2]time.Time, webhook string, now time.Time) {
	reason, fail := s.failPIN[cmd.PIN]
	delete(s.failPIN, cmd.PIN)
	p := findPIN(l, cmd.PIN)
	prev := ""
	switch cmd.Action {
	case "load":
		slot := 0
		if res := l.reservations[cmd.PIN]; res != nil {
			slot = res.Slot
			delete(l.reservations, cmd.PIN)
		} else {
			slot = freeSlot(l)
		}
		userID := s.subUserID(c.user.ID, cmd.PartnerUserID)
		if !s.noJoin {
			sub, _ := s.subUser(c.user.ID, cmd.PartnerUserID, cmd.FirstName, cmd.LastName)
			userID = sub.UserID
		}
		p = &pinState{PIN: PIN{ID: newHex(12), LockID: l.ID, Slot: slot, PIN: cmd.PIN, UserID: userID,
			PartnerUserID: cmd.PartnerUserID, State: "created", AccessType: cmd.AccessType, Start: window[0], End: window[1],
			Recurrence: cmd.AccessRecurrence, FirstName: cmd.FirstName, LastName: cmd.LastName},
			callingUserID: c.user.ID, clientID: c.clientID, accessTimes: cmd.AccessTimes, created: now, updated: now}
		l.pins[slot] = p
	default:
		prev = p.State
		p.State = map[string]string{"update": "updating", "delete": "deleting", "disable": "disabling", "enable": "enabling"}[cmd.Action]
		p.updated = now
	}
	p.busy = true
	s.pinCmds[cmd.Action]++
	header, value := s.webhookHeader(l.ID, webhook, c.clientID)
	s.deliveries.enqueue(&job{apply: func() []outbound {
		t := s.clock()
		p.busy = false
		p.updated = t
		if fail {
			switch {
			case cmd.Action == "load":
				delete(l.pins, p.Slot)
			case !s.staleAfterFailure:
				p.State = prev
			}
		} else {
			switch cmd.Action {
			case "load", "enable":
				p.State, p.loaded = "loaded", t
				if p.UserID == "" {
					p.UserID = s.subUserID(c.user.ID, p.PartnerUserID)
				}
				if p.UserID == "" {
					// No join: the PIN gets a user of its own, which no
					// listing links to its partnerUserID.
					p.UserID = newUUID()
					s.users[p.UserID] = &User{ID: p.UserID, FirstName: p.FirstName, LastName: p.LastName}
				}
			case "update":
				p.State, p.loaded = "loaded", t
				p.AccessType, p.Start, p.End = cmd.AccessType, window[0], window[1]
				p.Recurrence, p.accessTimes = cmd.AccessRecurrence, cmd.AccessTimes
			case "disable":
				p.State = "disabled"
			case "delete":
				delete(l.pins, p.Slot)
				p.State = "deleted"
			}
		}
		ev := map[string]any{"eventID": newUUID(), "notificationType": "pincommand", "lockID": l.ID, "action": cmd.Action,
			"status": "success", "pin": cmd.PIN, "slot": p.Slot, "userID": p.UserID, "partnerUserID": p.PartnerUserID,
			"state": p.State, "dateTime": iso(t)}
		if fail {
			ev["status"], ev["reason"] = "failure", reason
		}
		return []outbound{newOutbound(l.ID, webhook, http.MethodPost, header, value, ev)}
	}})
}

// webhookHeader is the static header a delivery to target carries: that
// of the lock's registration with the same URL, else that of the lock's
// registration by the same client; none after
// SetCommandResultHeader(false). Callers hold s.mu.
func (s *Server) webhookHeader(lockID, target, clientID string) (string, string) {
	if s.noCommandHeader {
		return "", ""
	}
	var byClient *Webhook
	for _, h := range s.webhooks {
		if h.LockID != lockID {
			continue
		}
		if h.URL == target {
			return h.Header, h.Token
		}
		if h.ClientID == clientID {
			byClient = h
		}
	}
	if byClient != nil {
		return byClient.Header, byClient.Token
	}
	return "", ""
}

// expireReservations drops reservations whose time is up. Callers hold
// s.mu.
func (s *Server) expireReservations(l *lockState) {
	now := s.clock()
	for pin, r := range l.reservations {
		if !now.Before(r.Expires) {
			delete(l.reservations, pin)
		}
	}
}

// reservePIN is GET /locks/:lockID/pin: a random unused PIN of the lock's
// longest length and a free slot, held for the caller about 3 minutes.
func (s *Server) reservePIN(w http.ResponseWriter, r *http.Request, c *caller) {
	s.mu.Lock()
	defer s.mu.Unlock()
	l, ok := s.lockFor(w, r, c, pinRoles...)
	if !ok || !s.checkKeypad(w, l) {
		return
	}
	s.expireReservations(l)
	slot := freeSlot(l)
	if slot == 0 {
		writeError(w, http.StatusConflict, "Conflict", "no PIN slot is left on the lock")
		return
	}
	var pin string
	for {
		pin = randomDigits(l.PINLengthMax)
		taken := findPIN(l, pin) != nil || l.reservations[pin] != nil || (l.master != nil && l.master.PIN.PIN == pin)
		if !taken {
			break
		}
	}
	l.reservations[pin] = &Reservation{LockID: l.ID, PIN: pin, Slot: slot, UserID: c.user.ID, Expires: s.clock().Add(s.resTTL)}
	writeJSON(w, http.StatusOK, map[string]any{"pin": pin, "slot": slot})
}

func randomDigits(n int) string {
	b := make([]byte, n)
	for i := range b {
		d, _ := rand.Int(rand.Reader, big.NewInt(10))
		b[i] = byte('0' + d.Int64())
	}
	return string(b)
}

// releasePIN is DELETE /locks/:lockID/pin/:pin.
func (s *Server) releasePIN(w http.ResponseWriter, r *http.Request, c *caller) {
	s.mu.Lock()
	defer s.mu.Unlock()
	l, ok := s.lockFor(w, r, c, pinRoles...)
	if !ok {
		return
	}
	pin := r.PathValue("pin")
	if !validPIN(l, pin) {
		writeError(w, http.StatusBadRequest, "InvalidArgument", fmt.Sprintf("pin must be %d to %d digits", l.PINLengthMin, l.PINLengthMax))
		return
	}
	s.expireReservations(l)
	res := l.reservations[pin]
	if res == nil || res.UserID != c.user.ID {
		writeError(w, http.StatusNotFound, "ResourceNotFound", "pin is not reserved")
		return
	}
	delete(l.reservations, pin)
	writeSuccess(w)
}

func (s *Server) getMasterPIN(w http.ResponseWriter, r *http.Request, c *caller) {
	s.mu.Lock()
	defer s.mu.Unlock()
	l, ok := s.lockFor(w, r, c, pinRoles...)
	if !ok || !s.checkKeypad(w, l) {
		return
	}
	if l.master == nil {
		writeError(w, http.StatusNotFound, "ResourceNotFound", "lock has no master PIN")
		return
	}
	m := l.master
	writeJSON(w, http.StatusOK, map[string]any{"_id": m.ID, "type": "master", "lockID": l.ID, "userID": m.UserID,
		"state": m.State, "pin": m.PIN.PIN, "slot": m.Slot, "accessType": "always", "createdAt": iso(m.created),
		"updatedAt": iso(m.updated), "loadedDate": iso(m.loaded)})
}

// setMasterPIN is PUT /locks/:lockID/masterpin {pin, webhook}. With a
// webhook the new PIN takes effect when its result is delivered; without
// one, at once.
func (s *Server) setMasterPIN(w http.ResponseWriter, r *http.Request, c *caller) {
	var b struct {
		PIN     json.RawMessage `json:"pin"`
		Webhook *string         `json:"webhook"`
	}
	if !readJSON(w, r, &b) {
		return
	}
	pin := ""
	if len(b.PIN) > 0 && string(b.PIN) != "null" {
		if err := json.Unmarshal(b.PIN, &pin); err != nil {
			var n json.Number
			if json.Unmarshal(b.PIN, &n) != nil {
				writeError(w, http.StatusBadRequest, "InvalidArgument", "pin must be a string or a number")
				return
			}
			pin = n.String()
		}
	}
	if !requireString(w, "pin", pin) {
		return
	}
	if b.Webhook != nil && !webhookURL(*b.Webhook, true) {
		writeError(w, http.StatusBadRequest, "InvalidArgument", "webhook must match ^https")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	l, ok := s.lockFor(w, r, c, pinRoles...)
	if !ok || !s.checkKeypad(w, l) {
		return
	}
	if !validPIN(l, pin) {
		writeError(w, http.StatusBadRequest, "InvalidArgument", fmt.Sprintf("pin must be %d to %d digits", l.PINLengthMin, l.PINLengthMax))
		return
	}
	if findPIN(l, pin) != nil {
		writeError(w, http.StatusConflict, "Conflict", "pin already exists on the lock")
		return
	}
	set := func() {
		t := s.clock()
		if l.master == nil {
			l.master = &pinState{PIN: PIN{ID: newHex(12), LockID: l.ID, AccessType: "always"}, created: t}
		}
		l.master.PIN.PIN, l.master.UserID, l.master.State = pin, c.user.ID, "loaded"
		l.master.updated, l.master.loaded = t, t
	}
	if b.Webhook == nil {
		set()
		writeSuccess(w)
		return
	}
	webhook := *b.Webhook
	header, value := s.webhookHeader(l.ID, webhook, c.clientID)
	s.deliveries.enqueue(&job{apply: func() []outbound {
		set()
		ev := map[string]any{"eventID": newUUID(), "notificationType": "pincommand", "lockID": l.ID, "action": "masterpin",
			"status": "success", "pin": pin, "slot": 0, "userID": c.user.ID, "state": "loaded", "dateTime": iso(s.clock())}
		return []outbound{newOutbound(l.ID, webhook, http.MethodPost, header, value, ev)}
	}})
	writeSuccess(w)
}

// transferPIN is PUT /locks/:lockID/pins/transfer {oldUserID, newUserID}
// (path inferred); it takes effect at once.
func (s *Server) transferPIN(w http.ResponseWriter, r *http.Request, c *caller) {
	var b struct {
		OldUserID *string `json:"oldUserID"`
		NewUserID *string `json:"newUserID"`
	}
	if !readJSON(w, r, &b) || !requireUUID(w, "oldUserID", b.OldUserID) || !requireUUID(w, "newUserID", b.NewUserID) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	l, ok := s.lockFor(w, r, c, pinRoles...)
	if !ok || !s.checkKeypad(w, l) {
		return
	}
	p := pinOfUser(l, *b.OldUserID)
	if p == nil {
		writeError(w, http.StatusNotFound, "ResourceNotFound", "oldUserID has no PIN on the lock")
		return
	}
	to := s.users[*b.NewUserID]
	if to == nil {
		writeError(w, http.StatusNotFound, "ResourceNotFound", "newUserID does not exist")
		return
	}
	if pinOfUser(l, to.ID) != nil {
		writeError(w, http.StatusConflict, "Conflict", "newUserID already has a PIN on the lock")
		return
	}
	if p.busy {
		writeError(w, http.StatusConflict, "Conflict", "pin has a command pending")
		return
	}
	p.UserID, p.FirstName, p.LastName, p.PartnerUserID = to.ID, to.FirstName, to.LastName, ""
	for _, u := range s.subUsers {
		if u.UserID == to.ID {
			p.PartnerUserID = u.PartnerUserID
		}
	}
	p.updated = s.clock()
	writeSuccess(w)
}

// createSubUser is POST /partners/sub-user (path inferred): create or get.
func (s *Server) createSubUser(w http.ResponseWriter, r *http.Request, c *caller) {
	var b struct {
		PartnerUserID string `json:"partnerUserID"`
		FirstName     string `json:"firstName"`
		LastName      string `json:"lastName"`
	}
	if !readJSON(w, r, &b) || !requireString(w, "partnerUserID", b.PartnerUserID) ||
		!requireString(w, "firstName", b.FirstName) || !requireString(w, "lastName", b.LastName) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	u, created := s.subUser(c.user.ID, b.PartnerUserID, b.FirstName, b.LastName)
	writeJSON(w, http.StatusOK, map[string]any{"access_token": s.newSession(u.UserID, c.clientID), "firstName": u.FirstName,
		"lastName": u.LastName, "userID": u.UserID, "userCreated": created})
}

// listSubUsers is GET /partners/sub-user?page=&pageSize= (1..1000); pages
// count from 1 and pageSize defaults to 100 (invented).
func (s *Server) listSubUsers(w http.ResponseWriter, r *http.Request, c *caller) {
	q := r.URL.Query()
	page, size := 1, 100
	for _, p := range []struct {
		name string
		v    *int
		max  int
	}{{"page", &page, 1 << 30}, {"pageSize", &size, 1000}} {
		raw := q.Get(p.name)
		if raw == "" {
			continue
		}
		n, err := strconv.Atoi(raw)
		if err != nil || n < 1 || n > p.max {
			writeError(w, http.StatusBadRequest, "InvalidArgument", fmt.Sprintf("%s must be an integer from 1 to %d", p.name, p.max))
			return
		}
		*p.v = n
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var mine []*SubUser
	for _, u := range s.subUsers {
		if u.OwnerID == c.user.ID {
			mine = append(mine, u)
		}
	}
	total := len(mine)
	from := min((page-1)*size, total)
	to := min(from+size, total)
	list := []any{}
	for _, u := range mine[from:to] {
		list = append(list, map[string]any{"userID": u.UserID, "firstName": u.FirstName, "lastName": u.LastName,
			"userOwnerID": u.OwnerID, "partnerUserID": u.PartnerUserID})
	}
	start, end := from+1, to
	if from == to {
		start, end = 0, 0
	}
	writeJSON(w, http.StatusOK, map[string]any{"totalRecords": total, "currentPage": page, "pageRecordStart": start,
		"pageRecordEnd": end, "totalPages": (total + size - 1) / size, "subUsers": list})
}
