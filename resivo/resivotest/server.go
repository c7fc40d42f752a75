// Package resivotest is a stateful in-memory resivo API for tests, examples
// and benchmarks, served over TLS.
//
// It keeps a Site Owner with sites (each with a displayName and a
// defaultLocale), components with display names unique per site and ids
// that change on a site migration (Migrate), and authorizations (PIN-code
// access and Remote Access Authorization Sets) with their status and
// credentials. It records the emails and SMS resivo would send for a Remote
// Access Authorization Set (Messages). Auth works as the notes describe:
// POST /oauth2/token takes form-encoded client credentials and issues Bearer
// tokens that expire after TokenLifetime by the fake's clock (Advance moves
// it); a client is scoped to the Site Owner's sites or to one site. Errors
// carry resivo's {"message": "..."} body. It also offers fault injection
// (a status with Retry-After, a dropped connection, a request performed but
// its answer lost, latency), a token-bucket rate limit answering 429 with
// Retry-After (SetRateLimit; off by default, since resivo documents no
// limit) and a request log (Requests, Count, ResetLog).
//
// It is as strict as the documents: JSON bodies need Content-Type
// application/json and are decoded with unknown fields refused; required
// fields must be present; times must be RFC 3339 in UTC with a Z suffix
// (fractional seconds allowed); validTo must be after validFrom; component
// ids must exist on the site; phone recipients must be E.164.
//
// Where the documents are silent the fake decides, and says so here:
//   - the token endpoint answers {"access_token", "token_type": "Bearer",
//     "expires_in"}; a wrong client is 401 {"message": "Invalid client
//     credentials", "error": "invalid_client"}, another grant type 400;
//   - POST /v8/users/login takes {"email", "password"} and answers
//     {"accessToken", "refreshToken", "expiresIn"} (INFERRED, like the
//     client); versioned routes accept v5 to v8, the supported versions;
//   - an unknown or expired token is 401 {"message": "Invalid or expired
//     access token"}; a site outside the token's scope is 403;
//   - the components list requires scope=all, the only value documented,
//     and sends id, displayName, type and status;
//   - GET of a Remote Access Authorization Set echoes its recipients
//     {emails, phoneNumbers} (INFERRED, like the create body);
//   - creates answer 201 {"id": "<uuid>"}; the remote-access route and body
//     are the client's inference: {displayName, componentIds,
//     restrictions, recipients: {emails, phoneNumbers}};
//   - a PIN code is 4 to 8 digits; an authorization has one credential per
//     PIN code or recipient ("type": "pinCode" or "doorLink"), "active"
//     until revoked (SetCredentialStatus makes live credentials report
//     another status); isExpired once validTo has passed, when the
//     authorization's status becomes "expired";
//   - a remote access naming an offline component is 400 unless
//     SetOfflineLinks(true) (the glossary: offline components have no
//     cloud connection);
//   - a revoke needs the body {} and answers 204; revoking again is 409
//     {"message": "Authorization is not active"}; an unknown id is 404; an
//     authorization past its validTo is revoked like any other unless
//     SetRefuseExpiredRevoke(true) makes it 409 too.
package resivotest

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http/httptest"
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

// Demo data served by NewServer.
const (
	// ClientID and ClientSecret are an M2M client of the Site Owner: all
	// its sites.
	ClientID     = "demo-m2m-client"
	ClientSecret = "demo-m2m-secret"
	// SiteClientID and SiteClientSecret are scoped to SiteID only.
	SiteClientID     = "demo-site-client"
	SiteClientSecret = "demo-site-secret"
	// UserEmail and UserPassword log in with POST /v8/users/login.
	UserEmail    = "manager@example.com"
	UserPassword = "Manager-Passw0rd!"

	SiteOwnerID = "owner-1"
	SiteID      = "site-amstelpark"  // defaultLocale nl-NL
	Site2ID     = "site-bergstrasse" // defaultLocale de-CH

	MainEntranceID   = "cmp-1001" // "Main entrance" on SiteID
	CylinderID       = "cmp-1002" // "Digital cylinder – double" on SiteID
	BikeShedID       = "cmp-1003" // "Bike shed" on SiteID, offline
	Site2EntranceID  = "cmp-2001" // "Main entrance" on Site2ID
	Site2GarageID    = "cmp-2002" // "Garage" on Site2ID
	MainEntranceName = "Main entrance"
	CylinderName     = "Digital cylinder – double"
	BikeShedName     = "Bike shed"
	GarageName       = "Garage"
)

// DefaultTokenTTL is the expires_in of issued tokens.
const DefaultTokenTTL = time.Hour

// Site is a resivo site.
type Site struct {
	ID            string
	DisplayName   string
	DefaultLocale string
}

// Component is a component of a site.
type Component struct {
	ID          string
	DisplayName string
	Type        string // accessManager, digitalCylinder...
	Status      string // online or offline
}

// Authorization is the fake's view of an authorization, for assertions.
type Authorization struct {
	ID           string
	SiteID       string
	Kind         string // "pin-access" or "remote-access"
	DisplayName  string
	ComponentIDs []string
	ValidFrom    time.Time
	ValidTo      time.Time
	Revoked      bool
	PINCodes     []string
	Emails       []string
	PhoneNumbers []string
	Message      string // accessRequestMessage
}

// Message is an email or SMS the fake "sent" a visitor for a Remote Access
// Authorization Set.
type Message struct {
	Channel         string // "email" or "sms"
	To              string
	SiteID          string
	AuthorizationID string
	Locale          string // the site's defaultLocale
}

type client struct {
	secret string
	site   string // "" for the Site Owner's sites
}

type user struct {
	password string
}

type token struct {
	expires time.Time
	site    string // "" for every site
}

type site struct {
	Site
	components []*Component
}

// Server is an in-memory resivo. Its methods are safe for concurrent use.
type Server struct {
	*httptest.Server
	front fakeserver.Front // faults and the request log (front.go)

	mu             sync.Mutex
	offset         time.Duration
	tokenTTL       time.Duration
	omitExpiresIn  bool
	sites          map[string]*site
	clients        map[string]client
	users          map[string]user
	tokens         map[string]token
	authorizations map[string]*Authorization
	order          []string
	messages       []Message
	tokensIssued   int
	credStatus     string          // the status of live credentials; "" is "active"
	notMobile      map[string]bool // numbers resivo refuses to text (RefuseNumbers)
	migrations     int
	offlineLinks   bool // remote access on offline components is accepted (SetOfflineLinks)
	refuseExpired  bool // a revoke of an authorization past validTo is 409 (SetRefuseExpiredRevoke)
}

// NewServer starts a TLS resivo seeded with the demo data above.
func NewServer() *Server {
	s := NewEmptyServer()
	s.AddSite(Site{ID: SiteID, DisplayName: "Residence Amstelpark", DefaultLocale: "nl-NL"})
	s.AddSite(Site{ID: Site2ID, DisplayName: "Wohnpark Bergstrasse", DefaultLocale: "de-CH"})
	s.AddComponent(SiteID, Component{ID: MainEntranceID, DisplayName: MainEntranceName, Type: "accessManager", Status: "online"})
	s.AddComponent(SiteID, Component{ID: CylinderID, DisplayName: CylinderName, Type: "digitalCylinder", Status: "online"})
	s.AddComponent(SiteID, Component{ID: BikeShedID, DisplayName: BikeShedName, Type: "digitalCylinder", Status: "offline"})
	s.AddComponent(Site2ID, Component{ID: Site2EntranceID, DisplayName: MainEntranceName, Type: "accessManager", Status: "online"})
	s.AddComponent(Site2ID, Component{ID: Site2GarageID, DisplayName: GarageName, Type: "cLever", Status: "online"})
	return s
}

// NewEmptyServer starts a TLS resivo with no sites, and the demo clients and
// user.
func NewEmptyServer() *Server {
	s := &Server{
		tokenTTL:       DefaultTokenTTL,
		sites:          map[string]*site{},
		clients:        map[string]client{ClientID: {secret: ClientSecret}, SiteClientID: {secret: SiteClientSecret, site: SiteID}},
		users:          map[string]user{UserEmail: {password: UserPassword}},
		tokens:         map[string]token{},
		authorizations: map[string]*Authorization{},
	}
	s.Server = httptest.NewTLSServer(s.handler())
	return s
}

func (s *Server) now() time.Time { return time.Now().Add(s.offset) }

// Advance moves the fake's clock forward: tokens and authorizations expire
// by it.
func (s *Server) Advance(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.offset += d
}

// Now returns the fake's clock.
func (s *Server) Now() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.now()
}

// SetTokenTTL sets the lifetime (and expires_in) of tokens issued from now
// on.
func (s *Server) SetTokenTTL(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokenTTL = d
}

// SetOmitExpiresIn makes token answers leave expires_in out (on) or send it
// (off, the default); the tokens expire after their TTL either way. resivo
// does not say whether it always sends the field.
func (s *Server) SetOmitExpiresIn(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.omitExpiresIn = on
}

// SetCredentialStatus sets the status every credential of a live
// authorization reports ("" is "active", the default). resivo documents the
// field but not its values, so tests can make the fake answer "pending", or
// a value no client knows, and check what the client makes of it.
func (s *Server) SetCredentialStatus(status string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.credStatus = status
}

// RefuseNumbers makes a Remote Access create answer 400 when it names one
// of numbers (E.164) as an SMS recipient. resivo's notes say it texts
// mobile numbers only, not what it answers to another: by default the fake
// takes any E.164 number (and "texts" it); with RefuseNumbers, a landline
// say, it refuses the create and makes nothing.
func (s *Server) RefuseNumbers(numbers ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.notMobile == nil {
		s.notMobile = map[string]bool{}
	}
	for _, n := range numbers {
		s.notMobile[n] = true
	}
}

// SetOfflineLinks chooses what a Remote Access Authorization Set naming an
// offline component gets: refused with 400 {"message": "Component <id> is
// offline ..."} (false, the default), or accepted as for any other
// component (true). The glossary says an offline component has no cloud
// connection, so a door link cannot open it; what resivo answers is not
// documented.
func (s *Server) SetOfflineLinks(accepted bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.offlineLinks = accepted
}

// SetRefuseExpiredRevoke chooses what a revoke of an authorization past its
// validTo gets: revoked as any other, 204 (false, the default), or refused
// with 409 {"message": "Authorization is not active"}, the authorization
// left expired and not revoked (true). resivo's public client skips such
// revokes; its documents do not say what resivo answers them, nor whether
// an expired authorization stays expired (EditValidity moves its validity
// as the portal does, and brings it back).
func (s *Server) SetRefuseExpiredRevoke(refuse bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refuseExpired = refuse
}

// ExpireAccessTokens makes every issued token answer 401.
func (s *Server) ExpireAccessTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.tokens)
}

// TokensIssued returns how many tokens the token and login endpoints issued.
func (s *Server) TokensIssued() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tokensIssued
}

// AddSite adds a site of the Site Owner.
func (s *Server) AddSite(st Site) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sites[st.ID] = &site{Site: st}
}

// AddComponent adds a component to a site; an empty ID is assigned. Display
// names are unique per site: a duplicate panics.
func (s *Server) AddComponent(siteID string, c Component) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.sites[siteID]
	if st == nil {
		panic("resivotest: no site " + siteID)
	}
	for _, other := range st.components {
		if other.DisplayName == c.DisplayName {
			panic(fmt.Sprintf("resivotest: site %s already has a component named %q", siteID, c.DisplayName))
		}
	}
	if c.ID == "" {
		c.ID = "cmp-" + newID()[:8]
	}
	st.components = append(st.components, &c)
	return c.ID
}

// Components returns a site's components.
func (s *Server) Components(siteID string) []Component {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.sites[siteID]
	if st == nil {
		return nil
	}
	out := make([]Component, len(st.components))
	for i, c := range st.components {
		out[i] = *c
	}
	return out
}

// Migrate gives every component of a site a new id, as a site migration
// does, and returns the new ids by display name. Names stay.
func (s *Server) Migrate(siteID string) map[string]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.migrations++
	ids := map[string]string{}
	for _, c := range s.sites[siteID].components {
		c.ID = fmt.Sprintf("cmp-m%d-%s", s.migrations, newID()[:6])
		ids[c.DisplayName] = c.ID
	}
	return ids
}

// Authorizations returns the authorizations of every site, revoked ones
// included, in creation order.
func (s *Server) Authorizations() []Authorization {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Authorization, 0, len(s.order))
	for _, id := range s.order {
		a := *s.authorizations[id]
		a.ComponentIDs = append([]string(nil), a.ComponentIDs...)
		out = append(out, a)
	}
	return out
}

// Messages returns the emails and SMS the fake would have sent, in order.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.messages...)
}

func newID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	h := hex.EncodeToString(b)
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}
