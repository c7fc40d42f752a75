package primistest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"mime"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unicode"
)

func (s *Server) handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/mobile/login", s.login)
	mux.HandleFunc("POST /api/mobile/access_token/login", s.withUser(s.tokenLogin))
	mux.HandleFunc("POST /api/mobile/access_token", s.renew)
	mux.HandleFunc("DELETE /api/mobile/registration", s.withBasicOrRefresh(s.deregister))
	mux.HandleFunc("POST /api/mobile/password", s.withBasicOrRefresh(s.changePassword))
	mux.HandleFunc("POST /api/mobile/geolocation/access", s.withUser(s.geolocationAccess))
	mux.HandleFunc("POST /api/mobile/beacon/status", s.withUser(s.beaconStatus))
	mux.HandleFunc("GET /api/mobile/beacons", s.withUser(s.listBeacons))
	// GET /api/mobile/beacon/:beaconId and GET /api/mobile/:phoneId/controlled_areas
	// (or access_groups) overlap: /api/mobile/beacon/controlled_areas fits both.
	// Like the document's order, a first segment "beacon" means a beacon.
	mux.HandleFunc("GET /api/mobile/{first}/{second}", s.getTwoSegments)
	mux.HandleFunc("GET /api/mobile/controlled_areas", s.withUser(s.userAreasHandler))
	mux.HandleFunc("GET /api/mobile/access_groups", s.withUser(s.userGroups))
	mux.HandleFunc("POST /api/mobile/zone_state", s.withAdmin(s.zoneState))
	mux.HandleFunc("POST /api/mobile/zone_states", s.withAdmin(s.zoneStates))
	mux.HandleFunc("POST /api/mobile/unlock_zone", s.withAdmin(s.unlockOne(true)))
	mux.HandleFunc("POST /api/mobile/unlock_zones", s.withAdmin(s.unlockMany(true)))
	mux.HandleFunc("POST /api/mobile/user/unlock_zone", s.withUser(s.unlockOne(false)))
	mux.HandleFunc("POST /api/mobile/user/unlock_zones", s.withUser(s.unlockMany(false)))
	mux.HandleFunc("POST /api/controlled_area_schedules/schedule", s.withAdmin(s.createAreaSchedule))
	mux.HandleFunc("GET /api/access_groups/{accessGroupId}/controlled_areas_detail", s.withAdmin(s.groupAreas))
	mux.HandleFunc("GET /api/mobile/schedules", s.withUser(s.listSchedules))
	return s.front.Wrap(mux, func(w http.ResponseWriter, status int) { writeError(w, status, http.StatusText(status)) })
}

func (s *Server) getTwoSegments(w http.ResponseWriter, r *http.Request) {
	switch first, second := r.PathValue("first"), r.PathValue("second"); {
	case first == "beacon":
		s.withUser(s.getBeacon)(w, r)
	case second == "controlled_areas":
		s.withAdmin(s.adminAreas)(w, r)
	case second == "access_groups":
		s.withAdmin(s.adminGroups)(w, r)
	default:
		http.NotFound(w, r)
	}
}

type handlerFunc func(w http.ResponseWriter, r *http.Request, u *User, phoneID string)

// The descriptions the document gives for its 401 answers; the fake sends
// them as the message of the documented error body.
const (
	msgBadLogin        = "Incorrect email or password"
	msgBadAccessToken  = "Invalid access token"
	msgBadRefreshToken = "Invalid refresh token"
	msgBadAccountAuth  = "Invalid email/password or refresh token"
)

// withUser authenticates a Bearer access token.
func (s *Server) withUser(h handlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		u, phone, ok := s.bearerUser(r)
		s.mu.Unlock()
		if !ok {
			writeError(w, http.StatusUnauthorized, msgBadAccessToken)
			return
		}
		h(w, r, u, phone)
	}
}

// withAdmin authenticates a Bearer access token of an administrator; a
// {phoneId} in the path must be the caller's device.
func (s *Server) withAdmin(h handlerFunc) http.HandlerFunc {
	return s.withUser(func(w http.ResponseWriter, r *http.Request, u *User, phone string) {
		if !u.Admin {
			writeError(w, http.StatusForbidden, "User is not a Primis administrator")
			return
		}
		if p := r.PathValue("first"); p != "" && p != phone {
			writeError(w, http.StatusForbidden, "Phone id does not match the access token")
			return
		}
		h(w, r, u, phone)
	})
}

// withBasicOrRefresh authenticates deregistration and password change as
// the document does: Basic with the user's email and password, or Bearer
// with a refresh token. An access token is refused: the only refusal the
// document gives is "Invalid email/password or refresh token".
func (s *Server) withBasicOrRefresh(h handlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		var u *User
		var phone string
		ok := false
		if tok, bearer := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); bearer {
			if sess := s.refresh[tok]; sess != nil {
				u, phone = s.users[sess.email], sess.phoneID
				ok = u != nil
			}
		} else {
			u, ok = s.basicUser(r)
		}
		s.mu.Unlock()
		if !ok {
			writeError(w, http.StatusUnauthorized, msgBadAccountAuth)
			return
		}
		h(w, r, u, phone)
	}
}

// bearerUser resolves a valid access token. Callers hold s.mu.
func (s *Server) bearerUser(r *http.Request) (*User, string, bool) {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok {
		return nil, "", false
	}
	sess := s.access[tok]
	if sess == nil || !s.now().Before(sess.expires) {
		return nil, "", false
	}
	u := s.users[sess.email]
	return u, sess.phoneID, u != nil
}

// basicUser checks Basic credentials. Callers hold s.mu.
func (s *Server) basicUser(r *http.Request) (*User, bool) {
	email, password, ok := r.BasicAuth()
	if !ok {
		return nil, false
	}
	u := s.users[email]
	return u, u != nil && u.Password == password
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	u, ok := s.basicUser(r)
	s.mu.Unlock()
	if !ok {
		writeError(w, http.StatusUnauthorized, msgBadLogin)
		return
	}
	var body struct {
		PhoneID string `json:"phoneId"`
	}
	if !readJSON(w, r, &body, "phoneId") {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if body.PhoneID == "" {
		writeError(w, http.StatusBadRequest, "phoneId is required")
		return
	}
	if _, known := s.phones[body.PhoneID]; !known && len(s.phones) >= s.maxPhones {
		writeError(w, http.StatusBadRequest, "Unable to register mobile device due to licensing, please contact system administrator.")
		return
	}
	s.phones[body.PhoneID] = u.Email
	jwt, refresh := s.issue(u.Email, body.PhoneID, true)
	writeJSON(w, http.StatusOK, s.sessionBody(u, body.PhoneID, jwt, refresh))
}

func (s *Server) sessionBody(u *User, phoneID, jwt, refresh string) map[string]any {
	out := map[string]any{
		"registered": true,
		"isAdmin":    u.Admin,
		"email":      u.Email,
		"beacon":     map[string]any{"uuid": "f7826da6-4fa2-4e98-8024-bc5b71e0893e"},
		"jwt":        jwt,
		"phone-id":   phoneID,
		"status":     "ok",
		"zoneAccess": 0,
	}
	if u.Admin {
		out["zoneAccess"] = 1
	}
	if refresh != "" {
		out["refreshToken"] = refresh
	}
	return out
}

func (s *Server) tokenLogin(w http.ResponseWriter, r *http.Request, u *User, phone string) {
	var body struct {
		PhoneID string `json:"phoneId"`
	}
	if !readJSON(w, r, &body, "phoneId") {
		return
	}
	if body.PhoneID != phone {
		writeError(w, http.StatusUnauthorized, msgBadAccessToken)
		return
	}
	jwt, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	writeJSON(w, http.StatusOK, s.sessionBody(u, phone, jwt, ""))
}

func (s *Server) renew(w http.ResponseWriter, r *http.Request) {
	tok, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	s.mu.Lock()
	sess := s.refresh[tok]
	s.mu.Unlock()
	if sess == nil {
		writeError(w, http.StatusUnauthorized, msgBadRefreshToken)
		return
	}
	// The document requires an empty JSON object.
	var empty struct{}
	if !readJSON(w, r, &empty) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.refresh[tok] == nil {
		writeError(w, http.StatusUnauthorized, msgBadRefreshToken)
		return
	}
	jwt, _ := s.issue(sess.email, sess.phoneID, false)
	writeJSON(w, http.StatusOK, map[string]any{"jwt": jwt, "status": "ok", "email": sess.email, "phone-id": sess.phoneID})
}

func (s *Server) deregister(w http.ResponseWriter, r *http.Request, u *User, _ string) {
	var body struct {
		PhoneID string `json:"phoneId"`
	}
	if !readJSON(w, r, &body, "phoneId") {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.phones[body.PhoneID] != u.Email {
		writeError(w, http.StatusNotFound, "Mobile device is not registered")
		return
	}
	delete(s.phones, body.PhoneID)
	for tok, sess := range s.access {
		if sess.phoneID == body.PhoneID {
			delete(s.access, tok)
		}
	}
	for tok, sess := range s.refresh {
		if sess.phoneID == body.PhoneID {
			delete(s.refresh, tok)
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"status": "ok"})
}

func (s *Server) changePassword(w http.ResponseWriter, r *http.Request, u *User, _ string) {
	var body struct {
		NewPassword string `json:"newPassword"`
	}
	if !readJSON(w, r, &body, "newPassword") {
		return
	}
	if !strongPassword(body.NewPassword) {
		writeError(w, http.StatusBadRequest, "Password must be at least one number, one lowercase, one uppercase letter and at least six characters")
		return
	}
	s.mu.Lock()
	u.Password = body.NewPassword
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"status": "ok", "message": "Password successfully updated"})
}

func strongPassword(p string) bool {
	var digit, lower, upper bool
	for _, r := range p {
		digit = digit || unicode.IsDigit(r)
		lower = lower || unicode.IsLower(r)
		upper = upper || unicode.IsUpper(r)
	}
	return len([]rune(p)) >= 6 && digit && lower && upper
}

func (s *Server) geolocationAccess(w http.ResponseWriter, r *http.Request, u *User, phone string) {
	var body struct {
		GUID   string `json:"guid"`
		Beacon *struct {
			UUID  string `json:"uuid"`
			Major int    `json:"major"`
			Minor int    `json:"minor"`
		} `json:"beacon"`
		GPS *struct {
			Latitude  float64 `json:"latitude"`
			Longitude float64 `json:"longitude"`
		} `json:"gps"`
	}
	if !readJSON(w, r, &body, "guid") {
		return
	}
	if body.GUID != phone {
		writeError(w, http.StatusBadRequest, "guid must be the phone id the access token was issued to")
		return
	}
	if (body.Beacon == nil) == (body.GPS == nil) {
		writeError(w, http.StatusBadRequest, "Either beacon or gps is required")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	granted := func(a *Area, extra map[string]any) {
		res := map[string]any{"result": "granted", "zoneid": a.ID, "zonename": a.Name, "info": ""}
		for k, v := range extra {
			res[k] = v
		}
		writeJSON(w, http.StatusOK, map[string]any{"status": "ok", "primisResult": res})
	}
	denied := func(a *Area, extra map[string]any) {
		res := map[string]any{"result": "denied", "zoneid": "", "zonename": "", "info": "Unable to find controlled areas nearby"}
		if a != nil {
			res["zoneid"], res["zonename"] = a.ID, a.Name
		}
		for k, v := range extra {
			res[k] = v
		}
		writeJSON(w, http.StatusCreated, map[string]any{"status": "ok", "primisResult": res})
	}
	if b := body.Beacon; b != nil {
		for _, a := range s.userAreas(u) {
			g := a.GeoLocation
			if g == nil || !g.Enabled || g.Beacon == nil || g.Beacon.Major != b.Major || g.Beacon.Minor != b.Minor {
				continue
			}
			if beacon := s.beacon(g.Beacon.UniqueID); beacon != nil && !strings.EqualFold(beacon.UUID, b.UUID) {
				continue
			}
			if a.State == "LOCKDOWN" {
				denied(a, nil)
				return
			}
			granted(a, nil)
			return
		}
		denied(nil, nil)
		return
	}
	var nearest *Area
	best := math.Inf(1)
	for _, a := range s.userAreas(u) {
		g := a.GeoLocation
		if g == nil || !g.Enabled || g.GPS == nil {
			continue
		}
		d := distanceMeters(body.GPS.Latitude, body.GPS.Longitude, g.GPS.Latitude, g.GPS.Longitude)
		if d < best {
			nearest, best = a, d
		}
	}
	if nearest == nil {
		denied(nil, nil)
		return
	}
	radius := nearest.GeoLocation.GPS.Radius
	if strings.EqualFold(nearest.GeoLocation.GPS.UnitType, "km") {
		radius *= 1000
	}
	if best > radius || nearest.State == "LOCKDOWN" {
		denied(nearest, map[string]any{"distance": best})
		return
	}
	granted(nearest, map[string]any{"distance": 0.0})
}

// distanceMeters is the haversine distance between two points.
func distanceMeters(lat1, lon1, lat2, lon2 float64) float64 {
	const earthRadius = 6371000.0
	rad := math.Pi / 180
	dLat, dLon := (lat2-lat1)*rad, (lon2-lon1)*rad
	a := math.Sin(dLat/2)*math.Sin(dLat/2) + math.Cos(lat1*rad)*math.Cos(lat2*rad)*math.Sin(dLon/2)*math.Sin(dLon/2)
	return 2 * earthRadius * math.Asin(math.Sqrt(a))
}

func (s *Server) beacon(uniqueID string) *Beacon {
	for _, b := range s.beacons {
		if b.UniqueID == uniqueID {
			return b
		}
	}
	return nil
}

func (s *Server) beaconStatus(w http.ResponseWriter, r *http.Request, _ *User, _ string) {
	var body struct {
		Major        int `json:"major"`
		Minor        int `json:"minor"`
		BatteryLevel int `json:"batteryLevel"`
	}
	if !readJSON(w, r, &body, "major", "minor", "batteryLevel") {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, b := range s.beacons {
		if b.Major == body.Major && b.Minor == body.Minor {
			b.BatteryLevel = body.BatteryLevel
			b.UpdatedAt = time.Now().UTC().Format(time.RFC3339)
			writeJSON(w, http.StatusOK, map[string]any{"status": "ok", "primisResult": map[string]any{}})
			return
		}
	}
	writeError(w, http.StatusNotFound, "Beacon not found")
}

func (s *Server) listBeacons(w http.ResponseWriter, _ *http.Request, _ *User, _ string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	writeJSON(w, http.StatusOK, nonNil(s.beacons))
}

func (s *Server) getBeacon(w http.ResponseWriter, r *http.Request, _ *User, _ string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if b := s.beacon(r.PathValue("second")); b != nil {
		writeJSON(w, http.StatusOK, b)
		return
	}
	writeError(w, http.StatusNotFound, "Beacon not found")
}

func (s *Server) adminAreas(w http.ResponseWriter, _ *http.Request, _ *User, _ string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	writeJSON(w, http.StatusOK, nonNil(s.areas))
}

func (s *Server) userAreasHandler(w http.ResponseWriter, _ *http.Request, u *User, _ string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	writeJSON(w, http.StatusOK, nonNil(s.userAreas(u)))
}

func (s *Server) adminGroups(w http.ResponseWriter, _ *http.Request, _ *User, _ string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	writeJSON(w, http.StatusOK, nonNil(s.groups))
}

func (s *Server) userGroups(w http.ResponseWriter, _ *http.Request, u *User, _ string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []*AccessGroup{}
	for _, g := range s.groups {
		for _, id := range u.Groups {
			if strconv.Itoa(g.ID) == id {
				out = append(out, g)
			}
		}
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) groupAreas(w http.ResponseWriter, r *http.Request, _ *User, _ string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, g := range s.groups {
		if strconv.Itoa(g.ID) == r.PathValue("accessGroupId") {
			out := []*Area{}
			for _, id := range g.Areas {
				if a := s.area(id); a != nil {
					out = append(out, a)
				}
			}
			writeJSON(w, http.StatusOK, out)
			return
		}
	}
	writeError(w, http.StatusNotFound, "Access group not found")
}

// stateNames maps the documented state code to the listed state; other codes
// are listed as their number.
var stateNames = map[int]string{11: "open"}

type zoneState struct {
	ZoneID string `json:"zone-id"`
	State  int    `json:"state"`
}

func (s *Server) zoneState(w http.ResponseWriter, r *http.Request, _ *User, _ string) {
	var body zoneState
	if !readJSON(w, r, &body, "zone-id", "state") {
		return
	}
	s.setStates(w, []zoneState{body})
}

func (s *Server) zoneStates(w http.ResponseWriter, r *http.Request, _ *User, _ string) {
	var body []zoneState
	if !readJSON(w, r, &body, "zone-id", "state") {
		return
	}
	s.setStates(w, body)
}

func (s *Server) setStates(w http.ResponseWriter, changes []zoneState) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range changes {
		if s.area(c.ZoneID) == nil {
			writeError(w, http.StatusNotFound, "Controlled area not found: "+c.ZoneID)
			return
		}
	}
	for _, c := range changes {
		name, ok := stateNames[c.State]
		if !ok {
			name = strconv.Itoa(c.State)
		}
		s.area(c.ZoneID).State = name
	}
	writeJSON(w, http.StatusOK, map[string]any{"status": "ok", "result": "Granted"})
}

type unlockBody struct {
	ZoneID   string `json:"zone-id"`
	Duration int    `json:"duration"`
}

func (s *Server) unlockOne(admin bool) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, u *User, _ string) {
		var body unlockBody
		if !readJSON(w, r, &body, "zone-id", "duration") {
			return
		}
		s.unlock(w, u, admin, []unlockBody{body})
	}
}

func (s *Server) unlockMany(admin bool) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, u *User, _ string) {
		var body []unlockBody
		if !readJSON(w, r, &body, "zone-id", "duration") {
			return
		}
		s.unlock(w, u, admin, body)
	}
}

// unlock carries out all unlocks or none: an unknown area is 404, an area
// the user may not open or in lockdown is result "Denied".
func (s *Server) unlock(w http.ResponseWriter, u *User, admin bool, unlocks []unlockBody) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(unlocks) == 0 {
		writeError(w, http.StatusBadRequest, "No controlled area given")
		return
	}
	for _, ul := range unlocks {
		a := s.area(ul.ZoneID)
		if a == nil {
			writeError(w, http.StatusNotFound, "Controlled area not found: "+ul.ZoneID)
			return
		}
		if ul.Duration <= 0 {
			writeError(w, http.StatusBadRequest, "duration must be positive")
			return
		}
		if a.State == "LOCKDOWN" || (!admin && !s.canOpen(u, a.ID)) {
			writeJSON(w, http.StatusOK, map[string]any{"status": "ok", "result": "Denied"})
			return
		}
	}
	for _, ul := range unlocks {
		s.unlocks = append(s.unlocks, Unlock{ZoneID: ul.ZoneID, Duration: ul.Duration, By: u.Email})
	}
	writeJSON(w, http.StatusOK, map[string]any{"status": "ok", "result": "Granted"})
}

func (s *Server) createAreaSchedule(w http.ResponseWriter, r *http.Request, _ *User, _ string) {
	var body struct {
		ID    int `json:"id"`
		Zones []struct {
			ControlledAreaID string `json:"controlled_area_id"`
			OnAction         int    `json:"on_action"`
			OffAction        int    `json:"off_action"`
			// The document's table may place description here or at
			// the top level; both are accepted.
			Description string `json:"description"`
		} `json:"zones"`
		Description string `json:"description"`
	}
	if !readJSON(w, r, &body, "id", "zones") {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var sched *Schedule
	for _, sc := range s.schedules {
		if sc.ID == strconv.Itoa(body.ID) {
			sched = sc
		}
	}
	if sched == nil {
		writeError(w, http.StatusNotFound, "Schedule not found")
		return
	}
	zones := []map[string]any{}
	for _, z := range body.Zones {
		if s.area(z.ControlledAreaID) == nil {
			writeError(w, http.StatusNotFound, "Controlled area not found: "+z.ControlledAreaID)
			return
		}
		s.nextID++
		zones = append(zones, map[string]any{"id": strconv.Itoa(s.nextID), "controlled_area_id": z.ControlledAreaID,
			"on_action": z.OnAction, "off_action": z.OffAction, "description": body.Description})
	}
	writeJSON(w, http.StatusOK, map[string]any{"id": body.ID, "name": sched.Name, "description": sched.Description, "zones": zones})
}

func (s *Server) listSchedules(w http.ResponseWriter, _ *http.Request, _ *User, _ string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	writeJSON(w, http.StatusOK, nonNil(s.schedules))
}

func nonNil[T any](v []T) []T {
	if v == nil {
		return []T{}
	}
	return v
}

// readJSON decodes a request body as strictly as the document describes
// it: Content-Type application/json, one JSON value, only the documented
// keys, matched case-sensitively at every level (encoding/json alone would
// accept "Zone-Id" for "zone-id"), and the required keys present in the
// object, or in every object of an array. A refusal is the documented 400
// body.
func readJSON(w http.ResponseWriter, r *http.Request, v any, required ...string) bool {
	if err := decodeStrict(r, v, required); err != nil {
		writeError(w, http.StatusBadRequest, "Invalid request body: "+err.Error())
		return false
	}
	return true
}

func decodeStrict(r *http.Request, v any, required []string) error {
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		return fmt.Errorf("Content-Type must be application/json, not %q", r.Header.Get("Content-Type"))
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxRequestBody+1))
	if err != nil {
		return err
	}
	if len(body) > maxRequestBody {
		return fmt.Errorf("larger than %d bytes", maxRequestBody)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("data after the JSON value")
	}
	var raw any
	if err := json.Unmarshal(body, &raw); err != nil {
		return err
	}
	t := reflect.TypeOf(v).Elem()
	if t.Kind() == reflect.Slice {
		items, _ := raw.([]any)
		for i, item := range items {
			if err := checkKeys(item, t.Elem(), required, fmt.Sprintf("[%d]", i)); err != nil {
				return err
			}
		}
		return nil
	}
	return checkKeys(raw, t, required, "")
}

const maxRequestBody = 1 << 20

var rawMessageType = reflect.TypeFor[json.RawMessage]()

// checkKeys walks raw along t: every object key must be a field's JSON name
// exactly, and required keys of this level must be present.
func checkKeys(raw any, t reflect.Type, required []string, at string) error {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Struct:
		obj, ok := raw.(map[string]any)
		if !ok {
			if raw == nil {
				return nil
			}
			return fmt.Errorf("%s must be a JSON object", orBody(at))
		}
		for key, val := range obj {
			field, ok := fieldByJSONName(t, key)
			if !ok {
				return fmt.Errorf("unknown field %q%s", key, inAt(at))
			}
			if err := checkKeys(val, field.Type, nil, at+"."+key); err != nil {
				return err
			}
		}
		for _, key := range required {
			if _, ok := obj[key]; !ok {
				return fmt.Errorf("%q is required%s", key, inAt(at))
			}
		}
	case reflect.Slice:
		if t == rawMessageType {
			return nil
		}
		items, _ := raw.([]any)
		for i, item := range items {
			if err := checkKeys(item, t.Elem(), nil, fmt.Sprintf("%s[%d]", at, i)); err != nil {
				return err
			}
		}
	}
	return nil
}

func fieldByJSONName(t reflect.Type, key string) (reflect.StructField, bool) {
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" || !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		if name == key {
			return f, true
		}
	}
	return reflect.StructField{}, false
}

func orBody(at string) string {
	if at == "" {
		return "the body"
	}
	return at
}

func inAt(at string) string {
	if at == "" {
		return ""
	}
	return " in " + at
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// writeError writes the documented error body {"status":..., "message":...}.
// For a 401 the document gives only a description; the fake sends it as the
// message in the same shape.
func writeError(w http.ResponseWriter, status int, message string) {
	writeJSON(w, status, map[string]any{"status": status, "message": message})
}
