package havr

import (
	"context"
	"fmt"
	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/internal/clientopt"
	"net/http"
	"sync"
	"time"

	"github.com/doorkit/doorkit/internal/auth"
	"github.com/doorkit/doorkit/internal/rest"
)

// Client is a Havr API client. It is safe for concurrent use.
type Client struct {
	Auth                      *AuthService
	Companies                 *CompaniesService
	Contacts                  *ContactsService
	Devices                   *DevicesService
	DoNotDisturbStates        *DoNotDisturbStatesService
	DoorLocks                 *DoorLocksService
	Employments               *EmploymentsService
	FloorMapGroups            *FloorMapGroupsService
	FloorMapPositions         *FloorMapPositionsService
	FloorMaps                 *FloorMapsService
	LockConfigurations        *LockConfigurationsService
	LockGroups                *LockGroupsService
	LockLogs                  *LockLogsService
	Notifications             *NotificationsService
	OfflineModeConfigurations *OfflineModeConfigurationsService
	SessionLogs               *SessionLogsService
	SharedKeys                *SharedKeysService
	Support                   *SupportService
	Synchronization           *SynchronizationService
	UserGroups                *UserGroupsService
	UserPreferences           *UserPreferencesService
	Users                     *UsersService

	locker access.Locker // turns per grant key and resource (WithLocker)
	api    *rest.Client  // requests authorised by the token source
	anon   *rest.Client  // token and unauthenticated endpoints
	once   *rest.Client  // refresh grants: never retried, a refresh token is single-use
	tokens *auth.Source
	creds  *credentials // behind a pointer so fmt never prints the password

	refresh       *spentTokens  // behind a pointer so fmt never prints a refresh token
	tokenLifetime time.Duration // WithTokenLifetime; 0: unknown
	rollbackGrace time.Duration // WithRollbackGrace
}

type service struct{ client *Client }

// secretFields are Havr body keys whose values are secrets under names
// rest.IsSecretKey does not know: the door-lock settings code (its base64
// holds the lock's WiFi password and activation token) and the offline
// flash payload, which opens the lock.
var secretFields = []string{"base64", "payload"}

// credentials guard what the token source needs to obtain tokens.
type credentials struct {
	mu    sync.Mutex
	login login
}

// login is a snapshot of the credentials.
type login struct {
	clientID        string
	clientSecret    string
	emailOrUsername string
	password        string
	userAgent       string // the body's user_agent: identifies the requester
	uuid            string // the mobile device's uuid; mobile clients only
}

func (c *credentials) snapshot() login {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.login
}

// Response is Havr's answer to a call: the *http.Response, the request id
// Havr gave the call (RequestID) and its Retry-After (RetryAfter), read
// alike in every doorkit package. It is nil when no answer was received.
type Response = rest.Response

// New returns a client for the Havr API at WithBaseURL. It makes no request:
// the first call obtains tokens with the credentials given (WithPassword or
// WithClientCredentials) unless WithTokens supplied them.
func New(opts ...Option) (*Client, error) {
	s := defaultSettings()
	for _, opt := range opts {
		if err := opt(&s); err != nil {
			return nil, clientopt.Invalid(err)
		}
	}
	base, err := s.validate()
	if err != nil {
		return nil, clientopt.Invalid(err)
	}
	s.SecretFields = append(s.SecretFields, secretFields...)
	cfg, err := s.RestConfig(base, decodeError)
	if err != nil {
		return nil, clientopt.Invalid(err)
	}
	c := &Client{creds: &credentials{login: login{
		clientID: s.clientID, clientSecret: s.clientSecret, emailOrUsername: s.emailOrUsername,
		password: s.password, userAgent: s.UserAgent, uuid: s.uuid,
	}}, refresh: &spentTokens{}, tokenLifetime: s.tokenLifetime, rollbackGrace: s.RollbackGrace}
	c.locker = s.LockerOrDefault()
	c.tokens = auth.NewSource(c.fetchToken, s.TokenTimeout, s.tokenCallback())
	if s.TokenStore != nil {
		c.tokens.Share(auth.Shared{Store: s.TokenStore, Encode: encodeTokens, Decode: decodeTokens, Logger: s.Logger})
	}
	if s.accessToken != "" || s.refreshToken != "" {
		c.tokens.Init(newToken(s.accessToken, s.refreshToken))
	}
	c.anon = rest.New(cfg)
	onceCfg := cfg
	onceCfg.Policy.MaxRetries = 0
	c.once = rest.New(onceCfg)
	cfg.Transport = &auth.Transport{Base: cfg.Transport, Source: c.tokens}
	c.api = rest.New(cfg)

	common := &service{client: c}
	c.Auth = (*AuthService)(common)
	c.Companies = (*CompaniesService)(common)
	c.Contacts = (*ContactsService)(common)
	c.Devices = (*DevicesService)(common)
	c.DoNotDisturbStates = (*DoNotDisturbStatesService)(common)
	c.DoorLocks = (*DoorLocksService)(common)
	c.Employments = (*EmploymentsService)(common)
	c.FloorMapGroups = (*FloorMapGroupsService)(common)
	c.FloorMapPositions = (*FloorMapPositionsService)(common)
	c.FloorMaps = (*FloorMapsService)(common)
	c.LockConfigurations = (*LockConfigurationsService)(common)
	c.LockGroups = (*LockGroupsService)(common)
	c.LockLogs = (*LockLogsService)(common)
	c.Notifications = (*NotificationsService)(common)
	c.OfflineModeConfigurations = (*OfflineModeConfigurationsService)(common)
	c.SessionLogs = (*SessionLogsService)(common)
	c.SharedKeys = (*SharedKeysService)(common)
	c.Support = (*SupportService)(common)
	c.Synchronization = (*SynchronizationService)(common)
	c.UserGroups = (*UserGroupsService)(common)
	c.UserPreferences = (*UserPreferencesService)(common)
	c.Users = (*UsersService)(common)
	return c, nil
}

// BaseURL returns the API's base URL.
func (c *Client) BaseURL() string { return c.api.BaseURL() }

// String describes the client without its credentials or tokens.
func (c *Client) String() string { return fmt.Sprintf("havr.Client{BaseURL: %q}", c.api.BaseURL()) }

// NewRequest builds an authorised request to an endpoint the API document
// does not publish, relative to the base URL. Send it with Do.
func (c *Client) NewRequest(ctx context.Context, method, path string, body any) (*http.Request, error) {
	return c.api.NewHTTPRequest(ctx, method, path, body)
}

// Do sends a request made by NewRequest with the client's auth, retry policy
// and error decoding, and decodes a 2xx JSON body into out (nil discards it).
func (c *Client) Do(req *http.Request, out any) (*Response, error) {
	resp, err := c.api.SendHTTP(req, out)
	return rest.NewResponse(resp), err
}

// do sends call and decodes the JSON result into a T.
func do[T any](ctx context.Context, api *rest.Client, call *rest.Call) (T, *Response, error) {
	out, resp, err := rest.Result[T](ctx, api, call)
	return out, rest.NewResponse(resp), err
}

// send sends call and discards the body (204 No Content and the like).
func send(ctx context.Context, api *rest.Client, call *rest.Call) (*Response, error) {
	resp, err := api.Do(ctx, call, nil)
	return rest.NewResponse(resp), err
}

// Locker returns the Locker the client takes its turns from (WithLocker),
// which access.EnsureGrant and access.EnsureRevokedByKey use too.
func (c *Client) Locker() access.Locker { return c.locker }
