// Package havrtest is a stateful in-memory Havr API for tests, examples and
// benchmarks, served over TLS.
//
// It keeps users, door locks, lock groups, shared keys (including keys
// shared by emailed link, with their link tokens and temporary users),
// contacts, notifications with paging, lock logs and K tokens, and answers
// with the documented bodies and errors. Auth behaves as documented: the
// token endpoint takes a JSON body; access tokens have no announced
// lifetime and simply start answering 401 (ExpireAccessTokens); refresh
// tokens are single-use. It also offers fault injection and a request log
// (Inject, FailNext, SetRateLimit, Requests, Count and the rest).
//
// Requests are read as strictly as the document defines them: a JSON body
// needs Content-Type application/json; its keys must be the documented ones,
// spelled exactly (encoding/json alone matches keys case-insensitively);
// values must have the documented types (integer ids are JSON numbers, not
// the quoted placeholders of the document's examples); each endpoint takes
// its own documented fields only (a note on POST /v1/shared_keys, user ids
// on create_with_link are refused); required fields must be present. A
// missing parameter gets the document's own answer, 400 {"error": "Missing
// parameter (name)."}, which the document gives for user_agent and uuid and
// the fake uses for every required field.
//
// Where the document is silent the fake decides, and says so here:
//   - a wrong password or unknown user is 401 {"error": "Invalid email,
//     username or password", "error_code": "invalid_credentials"}, a wrong
//     client secret 401 {"error": "Invalid client credentials",
//     "error_code": "invalid_client"}: the document only says that an
//     expired access token gets 401;
//   - a reused or unknown refresh token is 401 {"error": "Invalid refresh
//     token", "error_code": "invalid_refresh_token"}; an unknown or expired
//     access token is 401 {"error": "Unauthorized"};
//   - another Content-Type is 415 {"error": "Content-Type must be
//     application/json"}; an unknown or differently cased key is 400
//     {"error": "Unknown parameter (key)."}; a value of the wrong type, an
//     unknown recurrency, confirmation_level or secondary_type is 400
//     {"error": "Invalid parameter (field)."}; a body that is not one JSON
//     value is 400 {"error": "Invalid JSON body"}; a body over 1 MiB is 413;
//   - a missing p_key on shared_keys/get_k_token(_from_token) is the
//     documented 400 generating_k_token, as on door_locks/get_k_token;
//   - recurrency "none" is accepted everywhere (the document lists it for
//     POST /v1/shared_keys only);
//   - create_with_link shares the first of its lock_list_ids per call (the
//     document answers a single SharedKey);
//   - a shared key's note may be of any length (the document gives none);
//     SetNoteLimit makes the fake refuse or cut a longer one.
//
// Documented refusals the fake does not model: a temp user limited to one
// access (limited_to_one_access: each link gets its own temp user here) and
// blocked contacts.
//
// Handlers hold the server's lock only while they read and change the state:
// answers are encoded and written after it is released, so benchmarks with
// many goroutines are not serialised on a slow reader.
package havrtest

import (
	"crypto/rand"
	"encoding/hex"
	"net/http/httptest"
	"sort"
	"sync"
	"time"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/internal/fakeserver"
)

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

// Server is an in-memory Havr. Its methods are safe for concurrent use.
type Server struct {
	*httptest.Server
	front fakeserver.Front // faults and the request log (front.go)

	mu            sync.Mutex
	nextID        int64
	users         map[int64]*User
	tempUsers     map[int64]*tempUser
	locks         map[int64]*DoorLock
	groups        map[int64]*LockGroup
	keys          map[int64]*sharedKey
	contacts      map[int64]*Contact
	notifications map[int64]*Notification
	logs          []*LockLog
	links         []Link
	access        map[string]int64 // access token -> user id
	refresh       map[string]int64 // unused refresh token -> user id
	clients       map[string]string
	refreshReuses int
	refreshes     int
	noteLimit     noteLimit
}

// User is a Havr account.
type User struct {
	ID        int64
	Email     string
	Username  string
	FirstName string
	LastName  string
	Password  access.Secret
	Inactive  bool
}

// DoorLock is a lock; OwnerID owns it.
type DoorLock struct {
	ID           int64
	SerialNumber string
	Description  string
	OwnerID      int64
	LockGroupID  int64
	BatteryLevel int
	Mode         string // normal or offline
	// ConfirmationLevel (0..3) and SecondaryType (main by default) are
	// what PATCH /v1/door_locks/:id sets. ConfirmationLevel also makes the
	// accesses that someone other than the owner shares stay pending until
	// the owner answers them.
	ConfirmationLevel int
	SecondaryType     string
}

// LockGroup groups locks.
type LockGroup struct {
	ID          int64
	OwnerID     int64
	Description string
	Type        string // personal or business
}

// Contact is a contact relation.
type Contact struct {
	ID            int64
	UserID        int64
	UserContactID int64
	RequestStatus string
}

// Notification is a notification for UserID.
type Notification struct {
	ID          int64
	UserID      int64
	Type        string
	Description string
	ObjectID    int64
	IsRead      bool
	CreatedAt   time.Time
}

// LockLog is a lock event.
type LockLog struct {
	ID         int64
	UserID     int64
	DoorLockID int64
	DeviceID   int64
	Status     string // locked, unlocked or alert
	Timestamp  time.Time
	LogType    string
}

// Link is an email the fake "sent" for a key shared by link.
type Link struct {
	Email       string
	Token       access.Secret // what GetFromToken takes
	SharedKeyID int64
}

// SharedKey is the fake's view of a shared key, for assertions.
type SharedKey struct {
	ID         int64
	DoorLockID int64
	UserID     int64 // 0 when shared by link
	TempUserID int64
	Email      string // the link's recipient
	Start, End time.Time
	Admin      bool
	Recurrency string
	Note       string
	OriginID   int64
}

type sharedKey struct {
	SharedKey
	status    string // active or waiting_for_user
	linkToken string
	kTokenID  string
}

type tempUser struct {
	id    int64
	email string
}

// Demo data served by NewServer.
const (
	ClientID     = "web_platform_client_id"
	ClientSecret = "demo-client-secret"

	OwnerEmail    = "owner@example.com"
	OwnerPassword = "Owner-Passw0rd!"
	OwnerID       = 1
	MemberEmail   = "member@example.com"
	MemberID      = 2
	OtherEmail    = "other@example.com" // owns a lock the owner cannot share
	OtherID       = 3

	FrontDoorID   = 11
	GarageDoorID  = 12
	MeetingRoomID = 13
	ForeignLockID = 14 // owned by OtherEmail
	OfficeGroupID = 21
)

// NewServer starts a TLS Havr seeded with the demo data above.
func NewServer() *Server {
	s := NewEmptyServer()
	s.seed()
	return s
}

// NewEmptyServer starts a TLS Havr with no data but the demo client
// credentials.
func NewEmptyServer() *Server {
	s := &Server{
		nextID:        100,
		users:         map[int64]*User{},
		tempUsers:     map[int64]*tempUser{},
		locks:         map[int64]*DoorLock{},
		groups:        map[int64]*LockGroup{},
		keys:          map[int64]*sharedKey{},
		contacts:      map[int64]*Contact{},
		notifications: map[int64]*Notification{},
		access:        map[string]int64{},
		refresh:       map[string]int64{},
		clients:       map[string]string{ClientID: ClientSecret},
	}
	s.Server = httptest.NewUnstartedServer(s.handler())
	s.Server.Config.ErrorLog = fakeserver.ErrorLog()
	s.Server.StartTLS()
	return s
}

func (s *Server) seed() {
	s.AddUser(User{ID: OwnerID, Email: OwnerEmail, Username: "owner", FirstName: "Olive", LastName: "Owner", Password: OwnerPassword})
	s.AddUser(User{ID: MemberID, Email: MemberEmail, Username: "member", FirstName: "Max", LastName: "Member", Password: "Member-Passw0rd!"})
	s.AddUser(User{ID: OtherID, Email: OtherEmail, Username: "other", FirstName: "Otto", LastName: "Other", Password: "Other-Passw0rd!"})
	s.AddLockGroup(LockGroup{ID: OfficeGroupID, OwnerID: OwnerID, Description: "Office", Type: "business"})
	s.AddDoorLock(DoorLock{ID: FrontDoorID, SerialNumber: "d13fa32510a1d73e48f0c78a41f6f018", Description: "Front door", OwnerID: OwnerID, LockGroupID: OfficeGroupID, BatteryLevel: 87})
	s.AddDoorLock(DoorLock{ID: GarageDoorID, SerialNumber: "a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5", Description: "Garage", OwnerID: OwnerID, BatteryLevel: 45})
	s.AddDoorLock(DoorLock{ID: MeetingRoomID, SerialNumber: "0f1e2d3c4b5a69788796a5b4c3d2e1f0", Description: "Meeting room", OwnerID: OwnerID, LockGroupID: OfficeGroupID, BatteryLevel: 12, Mode: "offline"})
	s.AddDoorLock(DoorLock{ID: ForeignLockID, SerialNumber: "ffeeddccbbaa99887766554433221100", Description: "Neighbour", OwnerID: OtherID, BatteryLevel: 99})
	s.AddContact(Contact{ID: 31, UserID: OwnerID, UserContactID: MemberID, RequestStatus: "accepted"})
	base := time.Date(2026, 1, 5, 8, 0, 0, 0, time.UTC)
	for i := range 5 {
		s.AddLockLog(LockLog{UserID: MemberID, DoorLockID: FrontDoorID, DeviceID: 2, Status: []string{"unlocked", "locked"}[i%2],
			Timestamp: base.Add(time.Duration(i) * time.Hour), LogType: "flash"})
	}
	s.AddNotifications(OwnerID, 25)
}

func (s *Server) id() int64 {
	s.nextID++
	return s.nextID
}

func secret() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// AddUser adds a user; a zero ID is assigned.
func (s *Server) AddUser(u User) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	if u.ID == 0 {
		u.ID = s.id()
	}
	s.users[u.ID] = &u
	return u.ID
}

// AddDoorLock adds a lock; a zero ID is assigned.
func (s *Server) AddDoorLock(l DoorLock) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	if l.ID == 0 {
		l.ID = s.id()
	}
	if l.Mode == "" {
		l.Mode = "normal"
	}
	if l.SecondaryType == "" {
		l.SecondaryType = "main"
	}
	s.locks[l.ID] = &l
	return l.ID
}

// AddLockGroup adds a lock group; a zero ID is assigned.
func (s *Server) AddLockGroup(g LockGroup) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	if g.ID == 0 {
		g.ID = s.id()
	}
	if g.Type == "" {
		g.Type = "personal"
	}
	s.groups[g.ID] = &g
	return g.ID
}

// AddContact adds a contact relation.
func (s *Server) AddContact(c Contact) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c.ID == 0 {
		c.ID = s.id()
	}
	s.contacts[c.ID] = &c
	return c.ID
}

// AddLockLog adds a lock event.
func (s *Server) AddLockLog(l LockLog) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if l.ID == 0 {
		l.ID = s.id()
	}
	s.logs = append(s.logs, &l)
}

// AddNotifications adds n unread notifications for user, newest last.
func (s *Server) AddNotifications(userID int64, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range n {
		id := s.id()
		s.notifications[id] = &Notification{ID: id, UserID: userID, Type: "log", Description: "Door unlocked",
			ObjectID: FrontDoorID, CreatedAt: base.Add(time.Duration(i) * time.Minute)}
	}
}

// ExpireAccessTokens makes every issued access token answer 401.
func (s *Server) ExpireAccessTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.access)
}

// ExpireRefreshTokens makes every unused refresh token answer 401.
func (s *Server) ExpireRefreshTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.refresh)
}

// Refreshes returns how many refresh grants were asked for, and how many of
// them presented a refresh token that was already used or unknown.
func (s *Server) Refreshes() (total, reused int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.refreshes, s.refreshReuses
}

// Links returns the shared-key links the fake emailed.
func (s *Server) Links() []Link {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Link(nil), s.links...)
}

// SharedKeys returns the live shared keys, by id.
func (s *Server) SharedKeys() []SharedKey {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]SharedKey, 0, len(s.keys))
	for _, k := range s.keys {
		out = append(out, k.SharedKey)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// sortedIDs returns the keys of m ascending.
func sortedIDs[V any](m map[int64]V) []int64 {
	ids := make([]int64, 0, len(m))
	for id := range m {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	return ids
}
