// Package primistest is a stateful in-memory Primis Mobile API server for
// tests, examples and benchmarks. It serves the documented endpoints over
// TLS with the documented auth (Basic login, expiring JWTs renewed with a
// refresh token; deregistration and password change with Basic or the
// refresh token, never the access token), administrator checks, the
// licence limit, geolocation access by beacon or distance, the documented
// error bodies, fault injection and a request log.
//
// It is as strict as the document: request bodies must be sent as
// Content-Type application/json, hold one JSON value with exactly the
// documented keys (matched case-sensitively, at every level, no unknown
// ones) and the required ones (phoneId, newPassword, zone-id with state or
// duration, guid, major/minor/batteryLevel, the schedule's id and zones);
// the renewal's body must be the documented empty object {}.
//
// Where the Mobile API document is silent the fake picks a plausible answer.
// These answers are the fake's invention, not Primis's:
//   - a refused body (wrong Content-Type, malformed JSON, unknown or
//     differently cased keys, a missing required key) is 400
//     {"status":400,"message":"Invalid request body: ..."};
//   - a 401 carries the document's description as its message, in the
//     shape of the documented 400 body: "Incorrect email or password"
//     (login), "Invalid access token" (Bearer access token calls), "Invalid
//     refresh token" (renewal), "Invalid email/password or refresh token"
//     (deregistration, password change); the document shows no 401 body;
//   - a geolocation guid other than the phone id the access token was issued
//     to is 400;
//   - an unknown controlled area, access group, schedule or beacon is 404
//     {"status":404,"message":...}; deregistering a phone id the user has not
//     registered is 404;
//   - a non-administrator calling an administrator operation gets 403, and
//     so does an administrator naming another device's phone id in the path;
//   - a user unlock of an area the user may not open (or one in LOCKDOWN)
//     answers {"status":"ok","result":"Denied"}; an empty unlock list or a
//     duration that is not positive is 400;
//   - access tokens live one hour (SetTokenTTL) and carry iat and exp
//     claims; refresh tokens live until ExpireRefreshTokens or
//     deregistration; a renewal keeps the refresh token; a token login
//     answers the token it was sent; administrators get zoneAccess 1;
//   - a controlled area schedule may carry description per zone as well as
//     at the top level (the document's table is ambiguous);
//   - a controlled area at rest is listed in state StateClosed: the
//     document names only "open" (the relay is opened) and "LOCKDOWN", not
//     the word for a closed relay. A momentary unlock (OpenDoor) is recorded
//     (Unlocks) and leaves the listed state as it was; a state change
//     (SetState) to code 11 lists "open", another code its number.
package primistest

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"strconv"
	"sync"
	"time"

	"github.com/doorkit/doorkit/internal/fakeserver"
)

// Server is an in-memory Primis. Its methods are safe for concurrent use.
type Server struct {
	*httptest.Server

	mu        sync.Mutex
	users     map[string]*User  // by email
	phones    map[string]string // phone id -> email
	maxPhones int
	access    map[string]*session // access token -> session
	refresh   map[string]*session // refresh token -> session
	areas     []*Area
	groups    []*AccessGroup
	schedules []*Schedule
	beacons   []*Beacon
	unlocks   []Unlock
	tokenTTL  time.Duration
	skew      time.Duration // the server clock's offset from the local one
	secret    []byte
	nextID    int

	front fakeserver.Front // faults and the request log (front.go)
}

type session struct {
	email   string
	phoneID string
	expires time.Time
}

// User is a Primis user who logs in from the mobile app.
type User struct {
	Email    string
	Password string `json:"-"` // never encoded or printed
	Admin    bool
	// Groups are the ids of the user's access groups.
	Groups []string
}

// String, GoString and LogValue keep the password out of fmt and log/slog
// output, like every doorkit type that holds a secret.
func (u User) String() string {
	return fmt.Sprintf("primistest.User{Email: %q, Password: [redacted], Admin: %t, Groups: %q}", u.Email, u.Admin, u.Groups)
}

// GoString is String, for %#v.
func (u User) GoString() string { return u.String() }

// LogValue logs the user without the password.
func (u User) LogValue() slog.Value {
	return slog.GroupValue(slog.String("Email", u.Email), slog.String("Password", "[redacted]"),
		slog.Bool("Admin", u.Admin), slog.Any("Groups", u.Groups))
}

// Area is a controlled area as the API lists it.
type Area struct {
	ID                   string       `json:"id"`
	Name                 string       `json:"name"`
	Description          string       `json:"description"`
	Toggle               string       `json:"toggle"`
	Factor               int          `json:"factor"`
	AuthorizationTimeout int          `json:"authorizationTimout"`
	AuthorizationMode    int          `json:"authorizationMode"`
	GuardGroup           string       `json:"guardGroup"`
	State                string       `json:"state"`
	ZoneGroupID          string       `json:"zoneGroupId"`
	SiteID               string       `json:"siteId"`
	GeoLocation          *GeoLocation `json:"geoLocation,omitempty"`
}

// GeoLocation is an area's geolocation configuration.
type GeoLocation struct {
	Enabled bool        `json:"enabled"`
	Beacon  *AreaBeacon `json:"beacon,omitempty"`
	GPS     *AreaGPS    `json:"gps,omitempty"`
}

// AreaBeacon is the beacon at an area.
type AreaBeacon struct {
	UniqueID string `json:"uniqueId"`
	Major    int    `json:"major"`
	Minor    int    `json:"minor"`
}

// AreaGPS is the circle around an area in which GPS access is granted.
// UnitType "m" or "km" gives the unit of Radius.
type AreaGPS struct {
	Latitude  float64 `json:"latitude"`
	Longitude float64 `json:"longitude"`
	UnitType  string  `json:"unitType"`
	Radius    float64 `json:"radius"`
}

// AccessGroup groups users and gives them controlled areas.
type AccessGroup struct {
	ID          int      `json:"id"`
	Name        string   `json:"name"`
	Description string   `json:"description"`
	SiteID      string   `json:"site_id"`
	Areas       []string `json:"-"`
}

// Schedule is a schedule as the API lists it.
type Schedule struct {
	ID                string           `json:"id"`
	Name              string           `json:"name"`
	Description       string           `json:"description"`
	SiteID            string           `json:"siteId"`
	UsedByAccessGroup bool             `json:"usedByAccessGroup"`
	Periods           []map[string]any `json:"periods"`
}

// Beacon is a beacon record.
type Beacon struct {
	UniqueID           string `json:"uniqueId"`
	Major              int    `json:"major"`
	Minor              int    `json:"minor"`
	UUID               string `json:"uuid"`
	AdvInterval        int    `json:"advInterval"`
	AvgEventInterval   int    `json:"avgEventInterval"`
	LastEventTimestamp string `json:"lastEventTimestamp"`
	BatteryLevel       int    `json:"batteryLevel"`
	Master             string `json:"master"`
	UpdatedAt          string `json:"updatedAt"`
}

// Unlock records a momentary unlock the fake carried out.
type Unlock struct {
	ZoneID   string
	Duration int
	By       string // user email
}

// Fault and Request are the fake's fault injection and request log types,
// shared by every doorkit fake:
//
//	type Fault struct {
//		Path       string          // requests to this path (any when empty)
//		Method     string          // with this method (any when empty)
//		Count      int             // how many requests fail
//		Status     int             // answer this status, in the vendor's error format
//		RetryAfter time.Duration   // with this Retry-After (when set)
//		Drop       bool            // close the connection without an answer
//		LoseAnswer bool            // perform the request, then close the connection unanswered
//		Held       chan<- Request  // each matching request is sent here first (when set)
//		Hold       <-chan struct{} // then held until this is closed (when set)
//		Detached   bool            // performed after the hold even if its client went away
//	}
//
//	type Request struct {
//		Method string
//		Path   string
//		Query  string
//		Header http.Header
//		Body   []byte
//	}
//
// A request held by Hold whose client goes away is dropped unperformed
// (performed all the same when Detached, as a server acts on what it has
// received);
// after the hold it fails as the other fields say, or is performed when
// none is set. Held and Hold order events in a test without sleeping.
type (
	Fault   = fakeserver.Fault
	Request = fakeserver.Request
)

// Demo data served by NewServer.
const (
	AdminEmail    = "admin@example.com"
	AdminPassword = "Admin1234"
	UserEmail     = "ada@example.com"
	UserPassword  = "Password1"

	FactoryFloorID = "110000000000"
	LobbyID        = "110000000001"
	EntranceID     = "130000000001"
	ServerRoomID   = "150000000003" // in LOCKDOWN: user unlocks are denied
	VaultID        = "150000000004" // not in the user's access groups

	StaffGroupID      = "3"
	ManagementGroupID = "545"
)

// StateClosed is the state the fake lists for a controlled area at rest,
// its own choice (see the package doc): doorkit reads only the documented
// LOCKDOWN (primis.AreaState.IsLockdown), so nothing depends on the word.
const StateClosed = "closed"

// DefaultMaxPhones is the fake's licence limit on registered devices.
const DefaultMaxPhones = 10

// NewServer starts a TLS Primis seeded with the demo data above. Use its
// Client (or its Certificate) to trust it, and Close it when done.
func NewServer() *Server {
	s := NewEmptyServer()
	s.seed()
	return s
}

// NewEmptyServer starts a TLS Primis with no users, areas or groups.
func NewEmptyServer() *Server {
	secret := make([]byte, 32)
	_, _ = rand.Read(secret)
	s := &Server{
		users:     map[string]*User{},
		phones:    map[string]string{},
		maxPhones: DefaultMaxPhones,
		access:    map[string]*session{},
		refresh:   map[string]*session{},
		tokenTTL:  time.Hour,
		secret:    secret,
		nextID:    1,
	}
	s.Server = httptest.NewTLSServer(s.handler())
	return s
}

func (s *Server) seed() {
	s.AddUser(User{Email: AdminEmail, Password: AdminPassword, Admin: true, Groups: []string{StaffGroupID, ManagementGroupID}})
	s.AddUser(User{Email: UserEmail, Password: UserPassword, Groups: []string{StaffGroupID}})
	factory := &Area{ID: FactoryFloorID, Name: "Factory Floor", State: StateClosed, SiteID: "1",
		GeoLocation: &GeoLocation{Enabled: true, Beacon: &AreaBeacon{UniqueID: "rLxR", Major: 1, Minor: 3}}}
	lobby := &Area{ID: LobbyID, Name: "Lobby", Description: "Main lobby", State: StateClosed, SiteID: "1",
		GeoLocation: &GeoLocation{Enabled: true, GPS: &AreaGPS{Latitude: 49.1885195, Longitude: -122.99220389999999, UnitType: "m", Radius: 50}}}
	for _, a := range []*Area{
		factory, lobby,
		{ID: EntranceID, Name: "Main Entrance", State: StateClosed, SiteID: "1"},
		{ID: ServerRoomID, Name: "Server Room", State: "LOCKDOWN", SiteID: "1"},
		{ID: VaultID, Name: "Vault", State: StateClosed, SiteID: "1"},
	} {
		s.AddArea(*a)
	}
	s.AddAccessGroup(AccessGroup{ID: 3, Name: "Staff", SiteID: "1", Areas: []string{FactoryFloorID, LobbyID, EntranceID, ServerRoomID}})
	s.AddAccessGroup(AccessGroup{ID: 545, Name: "Management", SiteID: "1", Areas: []string{FactoryFloorID, LobbyID, EntranceID, ServerRoomID, VaultID}})
	s.AddBeacon(Beacon{UniqueID: "rLxR", Major: 1, Minor: 3, UUID: "f7826da6-4fa2-4e98-8024-bc5b71e0893e",
		AdvInterval: 350, AvgEventInterval: 3600, LastEventTimestamp: "2024-03-01T09:30:00Z", BatteryLevel: 76,
		Master: "cB7x", UpdatedAt: "2024-03-01T09:30:00Z"})
	s.AddSchedule(Schedule{ID: "7", Name: "Office hours", Description: "Weekdays 8-18", SiteID: "1", UsedByAccessGroup: true,
		Periods: []map[string]any{{"id": "71", "frequency": 2, "exceptions": 0x100, "days": 0x3E,
			"on_time": "1900-01-01 00:00:00.0", "off_time": "1900-01-01 00:00:00.0", "enabled": 1}}})
}

// AddUser adds or replaces a user.
func (s *Server) AddUser(u User) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.users[u.Email] = &u
}

// AddArea adds a controlled area.
func (s *Server) AddArea(a Area) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.areas = append(s.areas, &a)
}

// AddAccessGroup adds an access group.
func (s *Server) AddAccessGroup(g AccessGroup) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.groups = append(s.groups, &g)
}

// AddBeacon adds a beacon.
func (s *Server) AddBeacon(b Beacon) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.beacons = append(s.beacons, &b)
}

// AddSchedule adds a schedule.
func (s *Server) AddSchedule(sc Schedule) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.schedules = append(s.schedules, &sc)
}

// SetMaxPhones sets the licence limit on registered devices.
func (s *Server) SetMaxPhones(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.maxPhones = n
}

// SetTokenTTL sets the lifetime of access tokens issued from now on.
func (s *Server) SetTokenTTL(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokenTTL = d
}

// SetClockSkew sets how far the server's clock is off from the local one
// (negative: behind). Tokens carry iat and exp claims in server time.
func (s *Server) SetClockSkew(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.skew = d
}

// now is the server's clock. Callers hold s.mu.
func (s *Server) now() time.Time { return time.Now().Add(s.skew) }

// ExpireAccessTokens makes every issued access token answer 401, as if its
// lifetime had passed on the server.
func (s *Server) ExpireAccessTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, sess := range s.access {
		sess.expires = time.Time{}
	}
}

// ExpireRefreshTokens makes every issued refresh token answer 401.
func (s *Server) ExpireRefreshTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.refresh)
}

// Unlocks returns the momentary unlocks carried out so far.
func (s *Server) Unlocks() []Unlock {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Unlock(nil), s.unlocks...)
}

// Area returns a copy of the controlled area with id.
func (s *Server) Area(id string) (Area, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if a := s.area(id); a != nil {
		return *a, true
	}
	return Area{}, false
}

// Phones returns the registered phone ids and their users.
func (s *Server) Phones() map[string]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]string, len(s.phones))
	for k, v := range s.phones {
		out[k] = v
	}
	return out
}

// Password returns a user's current password.
func (s *Server) Password(email string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if u := s.users[email]; u != nil {
		return u.Password
	}
	return ""
}

// issue creates an access token (a signed JWT with an exp claim) and, when
// withRefresh, a refresh token. Callers hold s.mu.
func (s *Server) issue(email, phoneID string, withRefresh bool) (jwt, refresh string) {
	iat := s.now()
	exp := iat.Add(s.tokenTTL)
	header := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`))
	claims, _ := json.Marshal(map[string]any{"sub": email, "phoneId": phoneID, "iat": iat.Unix(), "exp": exp.Unix(), "jti": s.newSecret()})
	unsigned := header + "." + base64.RawURLEncoding.EncodeToString(claims)
	mac := hmac.New(sha256.New, s.secret)
	mac.Write([]byte(unsigned))
	jwt = unsigned + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
	sess := &session{email: email, phoneID: phoneID, expires: exp}
	s.access[jwt] = sess
	if withRefresh {
		refresh = s.newSecret()
		s.refresh[refresh] = &session{email: email, phoneID: phoneID}
	}
	return jwt, refresh
}

func (s *Server) newSecret() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func (s *Server) area(id string) *Area {
	for _, a := range s.areas {
		if a.ID == id {
			return a
		}
	}
	return nil
}

// userAreas returns the areas a user may open through its access groups.
func (s *Server) userAreas(u *User) []*Area {
	allowed := map[string]bool{}
	for _, g := range s.groups {
		for _, gid := range u.Groups {
			if strconv.Itoa(g.ID) == gid {
				for _, id := range g.Areas {
					allowed[id] = true
				}
			}
		}
	}
	var out []*Area
	for _, a := range s.areas {
		if allowed[a.ID] {
			out = append(out, a)
		}
	}
	return out
}

func (s *Server) canOpen(u *User, id string) bool {
	for _, a := range s.userAreas(u) {
		if a.ID == id {
			return true
		}
	}
	return false
}

func (s *Server) String() string { return fmt.Sprintf("primistest.Server{URL: %q}", s.URL) }
