package augusttest

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"time"

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

// Defaults of the documented limits and of the fake's own choices.
const (
	DefaultMaxPINs        = 240                 // PIN slots per lock (documented)
	DefaultReservationTTL = 3 * time.Minute     // a reserved PIN is held about 3 minutes (documented)
	DefaultTokenTTL       = 90 * 24 * time.Hour // sliding expiry of about 3 months (documented)
	DefaultTokenGrace     = 10 * time.Minute    // how long a rotated-away token still works (invented)
	maxRecentTokens       = 32                  // rotated-away tokens kept per session (memory bound)
	maxHistory            = 4096                // deliveries and operations kept for assertions
)

// Demo data served by NewServer.
const (
	APIKey   = "demo-august-api-key"
	ClientID = "doorkit-demo-client" // the partner client of APIKey
	// OAuthClientSecret is the secret of ClientID at the fake's POST /access_token.
	OAuthClientSecret = "demo-august-client-secret"

	OwnerID      = "5d6e7f80-1a2b-4c3d-8e9f-0a1b2c3d4e5f" // superuser on every demo lock
	GuestID      = "6e7f8091-2b3c-4d4e-9f0a-1b2c3d4e5f60" // plain user on FrontDoorID
	HouseID      = "a57f9bda-a0f3-4990-8567-aec391f13038"
	FrontDoorID  = "A6697750D607098BAE8D6BAA11EF8063" // keypad, bridge, Type 2
	BackDoorID   = "A6697750D607098BAE8D6BAA11EF9999" // Type 1: keypad, bridge, accessType "always" only
	GateID       = "2ED27C5DB8304395AA4F381DC8F167BB" // Type 17 (unlatch), bridge, no keypad
	ShedID       = "102A6A4F31584849971D11807272E7A8" // keypad, no bridge
	FrontDoorPIN = "1357"                             // the master PIN of FrontDoorID
)

// User is an August account.
type User struct {
	ID        string // a UUID; assigned when empty
	FirstName string
	LastName  string
	Email     string
	Phone     string
}

// House groups locks.
type House struct {
	ID   string // a UUID; assigned when empty
	Name string
	Type string // "house" when empty
}

// Lock is a lock as seeded; the zero values of the optional fields get
// the defaults noted.
type Lock struct {
	ID           string // 32 upper-case hex; assigned when empty
	Name         string
	HouseID      string
	Type         int    // 2 when 0; Type 1 locks take accessType "always" only
	TimeZone     string // as lock info says it: an IANA zone, or another name (recorded answers say Pacific/Hawaii)
	SerialNumber string // assigned when empty
	// Keypad is an August smart keypad paired with the lock: the lock info
	// says supportsEntryCodes and carries a keypad object.
	Keypad bool
	// BuiltInKeypad is a Yale lock's own keypad: supportsEntryCodes without a
	// keypad object.
	BuiltInKeypad bool
	// OmitEntryCodes leaves supportsEntryCodes out of lock info, as the
	// recorded answers of locks with a paired keypad do.
	OmitEntryCodes bool
	Bridge         bool // a Wi-Fi bridge (Connect); needed for remote operate
	BridgeOffline  bool // the bridge exists but is offline: remote operate answers 422
	Unlatch        bool // supports the unlatch command (Type 17 always does)
	Battery        float64
	PINLengthMin   int // 4 when 0
	PINLengthMax   int // 6 when 0
	MaxPINs        int // DefaultMaxPINs when 0
	Locked         *bool
	DoorOpen       bool
}

// PIN is the fake's view of an entry code on a lock, for assertions.
type PIN struct {
	ID            string
	LockID        string
	Slot          int
	PIN           string
	UserID        string
	PartnerUserID string
	State         string // created, loaded, disabled, disabling, enabling, deleting, updating
	AccessType    string // always, recurring, temporary, oneTime (as sent)
	Start, End    time.Time
	Recurrence    string
	FirstName     string
	LastName      string
}

// Reservation is a PIN reserved with GET /locks/:lockID/pin.
type Reservation struct {
	LockID  string
	PIN     string
	Slot    int
	UserID  string
	Expires time.Time
}

// RemoteOperation is a remote operate the lock carried out (Status 200) or
// failed with a lock error status, for assertions. An async one is recorded
// when it acts (when its result is released), not when it is accepted.
type RemoteOperation struct {
	LockID     string
	Command    string
	Async      bool
	Version    string // the Accept-Version header
	UserID     string
	RetryLimit int
	Status     int // 200 when it worked, else the lock error status
	Time       time.Time
}

// Webhook is a registration made with POST /webhook/:lockID.
type Webhook struct {
	LockID            string
	URL               string
	Method            string
	ClientID          string
	Header            string
	Token             string
	NotificationTypes []string
}

// SubUser is a partner sub-user (an unverified user owned by the caller).
type SubUser struct {
	UserID        string
	PartnerUserID string
	FirstName     string
	LastName      string
	OwnerID       string
}

// Server is an in-memory August. Its methods are safe for concurrent use.
type Server struct {
	*httptest.Server
	front fakeserver.Front // faults and the request log (front.go)

	mu          sync.Mutex
	now         func() time.Time
	offset      time.Duration
	apiKeys     map[string]string // API key -> client id
	users       map[string]*User
	houses      map[string]*House
	houseOrder  []string
	locks       map[string]*lockState
	lockOrder   []string
	tokens      map[string]*token
	sessions    map[string]*session // by install id
	codes       map[string]string   // OAuth code -> user id
	refresh     map[string]string   // OAuth refresh token -> user id
	oauth       map[string]string   // OAuth client id -> secret
	subUsers    []*SubUser
	subscribers map[string]*subscriber
	webhooks    map[string]*Webhook // lockID + "\x00" + clientID
	ops         []RemoteOperation
	deleted     []string // lock ids deleted with DELETE /locks/:lockID
	tokenTTL    time.Duration
	tokenGrace  time.Duration
	rotate      bool
	resTTL      time.Duration
	opDelay     time.Duration
	opHook      func(RemoteOperation)
	opShape     OperationEventShape
	pinHook     func(PINCommandCall)
	noJoin      bool // loads make no sub-user (SetSubUserJoin(false))
	// keypadOnLockSerial: capabilities by a lock's serial also answer its
	// paired keypad's (SetKeypadCapabilitiesOnLockSerial).
	keypadOnLockSerial bool
	// noCommandHeader keeps the registration's header off per-command
	// results (SetCommandResultHeader).
	noCommandHeader bool
	failPIN         map[string]string // pin -> reason for its next command
	// staleAfterFailure: a failed command leaves its PIN listed in the
	// command's state (SetListingStaleAfterFailure).
	staleAfterFailure bool
	pinCmds           map[string]int // accepted PIN commands by action
	secret            []byte

	deliveries *deliverer
}

type lockState struct {
	Lock
	users        map[string]string // user id -> user, manager or superuser
	pins         map[int]*pinState // by slot
	reservations map[string]*Reservation
	master       *pinState
	created      time.Time
	opErr        int  // status of the lock error every remote operate answers
	inFlight     bool // a sync remote operate is under way
}

type pinState struct {
	PIN
	callingUserID string
	clientID      string
	accessTimes   string
	created       time.Time
	updated       time.Time
	loaded        time.Time
	// busy is set while a command on the PIN waits for its result.
	busy bool
}

type subscriber struct {
	ID       string
	Scopes   []string
	ClientID string
	UserID   string
}

// NewServer starts a TLS August seeded with the demo data above. Use its
// Client (or its Certificate) to trust it, NewToken for an access token, and
// Close it when done.
func NewServer() *Server {
	s := NewEmptyServer()
	s.seed()
	return s
}

// NewEmptyServer starts a TLS August that knows only the demo API key and
// OAuth client, with no users, houses or locks.
func NewEmptyServer() *Server {
	s := newServer()
	s.Server = httptest.NewUnstartedServer(s.handler())
	// Connections a client's pool is still dialling when the fake closes
	// log TLS handshake errors; they say nothing about the test.
	s.Server.Config.ErrorLog = fakeserver.ErrorLog()
	s.Server.StartTLS()
	return s
}

func newServer() *Server {
	secret := make([]byte, 32)
	_, _ = rand.Read(secret)
	s := &Server{
		now:         time.Now,
		apiKeys:     map[string]string{APIKey: ClientID},
		users:       map[string]*User{},
		houses:      map[string]*House{},
		locks:       map[string]*lockState{},
		tokens:      map[string]*token{},
		sessions:    map[string]*session{},
		codes:       map[string]string{},
		refresh:     map[string]string{},
		oauth:       map[string]string{ClientID: OAuthClientSecret},
		subscribers: map[string]*subscriber{},
		webhooks:    map[string]*Webhook{},
		failPIN:     map[string]string{},
		pinCmds:     map[string]int{},
		tokenTTL:    DefaultTokenTTL,
		tokenGrace:  DefaultTokenGrace,
		rotate:      true,
		resTTL:      DefaultReservationTTL,
		secret:      secret,
	}
	s.deliveries = newDeliverer(s)
	return s
}

// Close stops webhook deliveries (pending ones are dropped) and shuts the
// server down.
func (s *Server) Close() {
	s.deliveries.close()
	s.Server.Close()
}

func (s *Server) seed() {
	s.AddUser(User{ID: OwnerID, FirstName: "Olive", LastName: "Owner", Email: "owner@example.com", Phone: "+15555550100"})
	s.AddUser(User{ID: GuestID, FirstName: "Gus", LastName: "Guest", Email: "guest@example.com"})
	s.AddHouse(House{ID: HouseID, Name: "Harbour House"})
	yes := true
	s.AddLock(Lock{ID: FrontDoorID, Name: "Front Door", HouseID: HouseID, Type: 2, TimeZone: "Europe/Amsterdam",
		SerialNumber: "X2FSW05DGA", Keypad: true, Bridge: true, Battery: 0.88, Locked: &yes}, OwnerID)
	s.AddLock(Lock{ID: BackDoorID, Name: "Back Door", HouseID: HouseID, Type: 1, TimeZone: "Europe/Amsterdam",
		SerialNumber: "X1BACK0001", Keypad: true, Bridge: true, Battery: 0.61}, OwnerID)
	s.AddLock(Lock{ID: GateID, Name: "Gate", HouseID: HouseID, Type: 17, TimeZone: "Europe/Amsterdam",
		SerialNumber: "L7GATE0001", Bridge: true, Battery: 0.92}, OwnerID)
	s.AddLock(Lock{ID: ShedID, Name: "Shed", HouseID: HouseID, Type: 3, TimeZone: "Europe/Amsterdam",
		SerialNumber: "X3SHED0001", Keypad: true, Battery: 0.47}, OwnerID)
	s.AddLockUser(FrontDoorID, GuestID, "user")
	s.mu.Lock()
	l := s.locks[FrontDoorID]
	t := s.clock()
	l.master = &pinState{PIN: PIN{ID: newHex(12), LockID: l.ID, Slot: 0, PIN: FrontDoorPIN, UserID: OwnerID,
		State: "loaded", AccessType: "always"}, created: t, updated: t, loaded: t}
	s.mu.Unlock()
}

// SetClock makes the fake read the time from now (reservation and token
// expiry, timestamps); nil restores time.Now. Advance adds to it.
func (s *Server) SetClock(now func() time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if now == nil {
		now = time.Now
	}
	s.now = now
}

// Advance moves the fake's clock forward by d.
func (s *Server) Advance(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.offset += d
}

// Now returns the fake's current time.
func (s *Server) Now() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.clock()
}

// clock reads the fake's time. Callers hold s.mu.
func (s *Server) clock() time.Time { return s.now().Add(s.offset).UTC() }

// AddAPIKey accepts key from now on, as the key of the partner clientID.
func (s *Server) AddAPIKey(key, clientID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.apiKeys[key] = clientID
}

// AddUser adds or replaces a user and returns its id.
func (s *Server) AddUser(u User) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if u.ID == "" {
		u.ID = newUUID()
	}
	s.users[u.ID] = &u
	return u.ID
}

// AddHouse adds a house and returns its id.
func (s *Server) AddHouse(h House) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if h.ID == "" {
		h.ID = newUUID()
	}
	if h.Type == "" {
		h.Type = "house"
	}
	if _, ok := s.houses[h.ID]; !ok {
		s.houseOrder = append(s.houseOrder, h.ID)
	}
	s.houses[h.ID] = &h
	return h.ID
}

// AddLock adds a lock with the given users as its superusers and returns
// its id. It panics on a malformed ID, as that is a bug in the test.
func (s *Server) AddLock(l Lock, superusers ...string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if l.ID == "" {
		l.ID = strings.ToUpper(newHex(16))
	}
	if !lockIDPattern.MatchString(l.ID) {
		panic(fmt.Sprintf("augusttest: lock id %q is not 32 upper-case hex characters", l.ID))
	}
	if l.Type == 0 {
		l.Type = 2
	}
	if l.Type == 17 {
		l.Unlatch = true
	}
	if l.SerialNumber == "" {
		l.SerialNumber = strings.ToUpper(newHex(5))
	}
	if l.PINLengthMin == 0 {
		l.PINLengthMin = 4
	}
	if l.PINLengthMax == 0 {
		l.PINLengthMax = 6
	}
	if l.MaxPINs == 0 {
		l.MaxPINs = DefaultMaxPINs
	}
	if l.Locked == nil {
		yes := true
		l.Locked = &yes
	}
	locked := *l.Locked
	l.Locked = &locked
	st := &lockState{Lock: l, users: map[string]string{}, pins: map[int]*pinState{},
		reservations: map[string]*Reservation{}, created: s.clock()}
	for _, u := range superusers {
		st.users[u] = "superuser"
	}
	if _, ok := s.locks[l.ID]; !ok {
		s.lockOrder = append(s.lockOrder, l.ID)
	}
	s.locks[l.ID] = st
	return l.ID
}

// AddLockUser puts a user on a lock as user, manager or superuser.
func (s *Server) AddLockUser(lockID, userID, userType string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if l := s.locks[lockID]; l != nil {
		l.users[userID] = userType
	}
}

// LockUsers returns the users on a lock and their types.
func (s *Server) LockUsers(lockID string) map[string]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]string{}
	if l := s.locks[lockID]; l != nil {
		for k, v := range l.users {
			out[k] = v
		}
	}
	return out
}

// SetBridgeOnline switches a lock's bridge on or off line (offline: remote
// operate and PIN commands answer 422 {"code":98,"message":"Bridge is
// offline"}) and notifies webhooks registered for systemstatus.
func (s *Server) SetBridgeOnline(lockID string, online bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	l := s.locks[lockID]
	if l == nil || l.BridgeOffline == !online {
		return
	}
	l.BridgeOffline = !online
	status := "associated_bridge_online"
	if !online {
		status = "associated_bridge_offline"
	}
	s.notify(l.ID, "systemstatus", map[string]any{"status": status, "bridgeID": bridgeID(l), "bridgeSerial": "B" + l.SerialNumber})
}

// SetLockError makes every remote operate on the lock answer status (408,
// 423, 460, 530, 531, 550, 551, 560 or any other) until it is set to 0.
func (s *Server) SetLockError(lockID string, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if l := s.locks[lockID]; l != nil {
		l.opErr = status
	}
}

// SetBattery sets a lock's battery level (a fraction; -1 when unknown) and
// notifies webhooks registered for battery.
func (s *Server) SetBattery(lockID string, level float64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	l := s.locks[lockID]
	if l == nil {
		return
	}
	l.Battery = level
	s.notify(l.ID, "battery", map[string]any{"battery": level, "batteryInfo": map[string]any{"level": level, "warningState": batteryWarning(level)}})
}

// RenameLock changes a lock's name and notifies webhooks registered for
// configuration.
func (s *Server) RenameLock(lockID, name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	l := s.locks[lockID]
	if l == nil {
		return
	}
	l.Name = name
	s.notify(l.ID, "configuration", map[string]any{"LockName": name, "changed": []string{"LockName"}})
}

// Operate records a lock or unlock done at the lock itself (by PIN, by hand)
// and notifies webhooks registered for operation. action is the activity
// word, e.g. pin_unlock, manual_lock.
func (s *Server) Operate(lockID, action, userID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	l := s.locks[lockID]
	if l == nil {
		return
	}
	*l.Locked = !strings.Contains(action, "unlock") && !strings.Contains(action, "unlatch")
	s.notify(l.ID, "operation", map[string]any{"action": action, "callingUserID": userID,
		"status": lockStateWord(l), "doorState": doorStateWord(l)})
}

// SetTokenTTL sets the lifetime of access tokens issued from now on.
func (s *Server) SetTokenTTL(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokenTTL = d
}

// SetTokenGrace sets how long a token keeps working after a response
// carried its successor.
func (s *Server) SetTokenGrace(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokenGrace = d
}

// SetTokenRotation turns the fresh x-august-access-token on every response
// on (the default) or off.
func (s *Server) SetTokenRotation(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rotate = on
}

// SetReservationTTL sets how long a reserved PIN is held.
func (s *Server) SetReservationTTL(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.resTTL = d
}

// SetOperateDelay makes every remote operate take d of real time before the
// lock acts (the real service can take about 90 s). The wait does not end
// when the caller gives up: the lock acts anyway, as a real one would.
func (s *Server) SetOperateDelay(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.opDelay = d
}

// SetOperateHook calls hook (outside the fake's lock) before each remote
// operate acts; a test may block in it to hold the call in flight.
func (s *Server) SetOperateHook(hook func(RemoteOperation)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.opHook = hook
}

// PINCommandCall is one command of a POST /locks/:lockID/pins request, as
// SetPINCommandHook sees it.
type PINCommandCall struct {
	LockID string
	Action string // load, update, delete, disable, enable
	PIN    string
}

// SetPINCommandHook calls hook (outside the fake's lock) with each command
// of every POST /locks/:lockID/pins request before the fake looks at the
// request; a test may block in it to hold the request in flight (a hung
// call), or note that the command arrived. nil removes it.
func (s *Server) SetPINCommandHook(hook func(PINCommandCall)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pinHook = hook
}

// SetSubUserJoin chooses which user a PIN loaded with a partnerUserID
// belongs to, which no document says. On (the default), a load makes (or
// reuses) the caller's partner sub-user for the partnerUserID, as POST
// /partners/sub-user would, and the PIN's userID is that sub-user's id from
// the moment the load is accepted; GET /partners/sub-user then lists the
// sub-user. Off, a load makes no sub-user: the PIN belongs to the caller's
// sub-user for its partnerUserID when one exists already (made with POST
// /partners/sub-user, which documents that a partnerUserID maps to one
// unverified user), and otherwise it has no userID until the load completes,
// when it gets a user of its own that no listing links to the
// partnerUserID.
func (s *Server) SetSubUserJoin(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.noJoin = !on
}

// SetKeypadCapabilitiesOnLockSerial chooses what GET /devices/capabilities
// answers for the serial number of a lock with a paired keypad: on, the
// lock's capabilities and its keypad's; off (the default), the lock's only.
// The documents do not say; the keypad's own serial number answers the
// keypad's capabilities either way, and a built-in keypad's come with the
// lock's.
func (s *Server) SetKeypadCapabilitiesOnLockSerial(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.keypadOnLockSerial = on
}

// SetPINState moves the PIN pin on a lock to the listing state state,
// which may be one August does not document (the listing then carries a
// list of that name), to show a client answers it does not know. It
// reports whether the PIN was found.
func (s *Server) SetPINState(lockID, pin, state string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	l := s.locks[lockID]
	if l == nil {
		return false
	}
	p := findPIN(l, pin)
	if p == nil {
		return false
	}
	p.State = state
	return true
}

// FailPINCommand makes the next command on pin (on any lock) fail with
// reason, delivered to its webhook.
func (s *Server) FailPINCommand(pin, reason string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failPIN[pin] = reason
}

// SetListingStaleAfterFailure chooses what the PIN listing shows after a
// command on a PIN failed, which no document says. Off (the default), the
// PIN is listed as it was before the command (loaded, for a failed delete);
// on, it stays listed in the command's state (deleting, for a delete), as a
// listing that has not caught up with the result would show it.
func (s *Server) SetListingStaleAfterFailure(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.staleAfterFailure = on
}

// PINs returns the PINs on a lock, by slot.
func (s *Server) PINs(lockID string) []PIN {
	s.mu.Lock()
	defer s.mu.Unlock()
	l := s.locks[lockID]
	if l == nil {
		return nil
	}
	out := make([]PIN, 0, len(l.pins))
	for _, p := range sortedPINs(l) {
		out = append(out, p.PIN)
	}
	return out
}

// CountPINCommands returns how many PIN commands with action (load,
// update, delete, disable, enable; "" for all) the fake accepted.
func (s *Server) CountPINCommands(action string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if action != "" {
		return s.pinCmds[action]
	}
	n := 0
	for _, v := range s.pinCmds {
		n += v
	}
	return n
}

// LivePINs returns how many PINs all locks hold, leaving out those being
// deleted (their delete was accepted).
func (s *Server) LivePINs() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, l := range s.locks {
		for _, p := range l.pins {
			if p.State != "deleting" {
				n++
			}
		}
	}
	return n
}

// MasterPIN returns a lock's master PIN ("" when none is set).
func (s *Server) MasterPIN(lockID string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if l := s.locks[lockID]; l != nil && l.master != nil {
		return l.master.PIN.PIN
	}
	return ""
}

// Reservations returns the unexpired PIN reservations on a lock.
func (s *Server) Reservations(lockID string) []Reservation {
	s.mu.Lock()
	defer s.mu.Unlock()
	l := s.locks[lockID]
	if l == nil {
		return nil
	}
	s.expireReservations(l)
	out := make([]Reservation, 0, len(l.reservations))
	for _, r := range l.reservations {
		out = append(out, *r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Slot < out[j].Slot })
	return out
}

// RemoteOperations returns the remote operates so far (at least the newest
// 4096).
func (s *Server) RemoteOperations() []RemoteOperation {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]RemoteOperation(nil), s.ops...)
}

// CountOperations returns how many remote operates of command on lockID
// were carried out (refusals not counted).
func (s *Server) CountOperations(lockID, command string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, op := range s.ops {
		if op.LockID == lockID && op.Command == command && op.Status == http.StatusOK {
			n++
		}
	}
	return n
}

// Locked reports whether a lock is locked.
func (s *Server) Locked(lockID string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	l := s.locks[lockID]
	return l != nil && *l.Locked
}

// Webhooks returns the registrations on a lock.
func (s *Server) Webhooks(lockID string) []Webhook {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Webhook
	for _, h := range s.webhooks {
		if h.LockID == lockID {
			out = append(out, *h)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ClientID < out[j].ClientID })
	return out
}

// SubUsers returns the partner sub-users.
func (s *Server) SubUsers() []SubUser {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]SubUser, 0, len(s.subUsers))
	for _, u := range s.subUsers {
		out = append(out, *u)
	}
	return out
}

// DeletedLocks returns the ids of locks deleted through the API.
func (s *Server) DeletedLocks() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.deleted...)
}

func (s *Server) String() string { return fmt.Sprintf("augusttest.Server{URL: %q}", s.URL) }

func sortedPINs(l *lockState) []*pinState {
	out := make([]*pinState, 0, len(l.pins))
	for _, p := range l.pins {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Slot < out[j].Slot })
	return out
}

func (s *Server) record(op RemoteOperation) {
	s.ops = append(s.ops, op)
	if len(s.ops) > maxHistory+maxHistory/4 {
		s.ops = append(s.ops[:0:0], s.ops[len(s.ops)-maxHistory:]...)
	}
}

func newHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func newUUID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}
