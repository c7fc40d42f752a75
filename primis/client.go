package primis

import (
	"context"
	"fmt"
	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/internal/clientopt"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/doorkit/doorkit/internal/auth"
	"github.com/doorkit/doorkit/internal/rest"
)

// Client is a Primis Mobile API client. It is safe for concurrent use.
type Client struct {
	Auth            *AuthService
	ControlledAreas *ControlledAreasService
	AccessGroups    *AccessGroupsService
	Schedules       *SchedulesService
	Beacons         *BeaconsService
	Geolocation     *GeolocationService

	locker   access.Locker // turns per grant key and resource (WithLocker)
	api      *rest.Client  // requests authorised by the token source
	anon     *rest.Client  // login and renewal, which carry their own Authorization
	tokens   *auth.Source
	creds    *credentials // behind a pointer so fmt never prints the password
	phoneID  string
	openTime time.Duration
	// deregistered is set by a successful Auth.Deregister and cleared by
	// Auth.Login: until then no call may log in (and take a licence) again.
	deregistered atomic.Bool
}

type service struct{ client *Client }

type credentials struct {
	mu       sync.Mutex
	email    string
	password string
}

func (c *credentials) get() (email, password string, ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.email, c.password, c.email != "" && c.password != ""
}

// Response is Primis's answer to a call: the *http.Response, the request id
// Primis gave the call (RequestID) and its Retry-After (RetryAfter), read
// alike in every doorkit package. It is nil when no answer was received.
type Response = rest.Response

// New returns a client for the Primis server at WithBaseURL. It makes no
// request: the first call logs in (with WithPassword) or uses the tokens
// given with WithTokens.
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
	cfg, err := s.RestConfig(base, decodeError)
	if err != nil {
		return nil, clientopt.Invalid(err)
	}
	c := &Client{
		creds:    &credentials{email: s.email, password: s.password},
		phoneID:  s.phoneID,
		openTime: s.openDuration,
	}
	c.locker = s.LockerOrDefault()
	c.tokens = auth.NewSource(c.fetchToken, s.TokenTimeout, s.tokenCallback())
	if s.TokenStore != nil {
		c.tokens.Share(auth.Shared{Store: s.TokenStore, Encode: encodeTokens, Decode: decodeTokens, Logger: s.Logger})
	}
	if s.jwt != "" || s.refreshToken != "" {
		c.tokens.Init(newToken(s.jwt, s.refreshToken, time.Time{}))
	}
	c.anon = rest.New(cfg)
	cfg.Transport = &auth.Transport{Base: cfg.Transport, Source: c.tokens}
	c.api = rest.New(cfg)

	common := &service{client: c}
	c.Auth = (*AuthService)(common)
	c.ControlledAreas = (*ControlledAreasService)(common)
	c.AccessGroups = (*AccessGroupsService)(common)
	c.Schedules = (*SchedulesService)(common)
	c.Beacons = (*BeaconsService)(common)
	c.Geolocation = (*GeolocationService)(common)
	return c, nil
}

// PhoneID returns the device id this client registers and acts as.
func (c *Client) PhoneID() string { return c.phoneID }

// BaseURL returns the server's base URL.
func (c *Client) BaseURL() string { return c.api.BaseURL() }

// String describes the client without its credentials or tokens.
func (c *Client) String() string {
	return fmt.Sprintf("primis.Client{BaseURL: %q, PhoneID: %q}", c.api.BaseURL(), c.phoneID)
}

// NewRequest builds an authorised request to an endpoint the Mobile API
// document does not publish, relative to the base URL. Send it with Do.
func (c *Client) NewRequest(ctx context.Context, method, path string, body any) (*http.Request, error) {
	return c.api.NewHTTPRequest(ctx, method, path, body)
}

// Do sends a request made by NewRequest, with the client's auth, retry policy
// and error decoding, and decodes a 2xx JSON body into out (nil discards it).
func (c *Client) Do(req *http.Request, out any) (*Response, error) {
	resp, err := c.api.SendHTTP(req, out)
	return rest.NewResponse(resp), err
}

// do sends call through the authorised client and decodes the result.
func do[T any](ctx context.Context, api *rest.Client, call *rest.Call) (T, *Response, error) {
	out, resp, err := rest.Result[T](ctx, api, call)
	return out, rest.NewResponse(resp), err
}

// Locker returns the Locker the client takes its turns from (WithLocker),
// which access.EnsureGrant and access.EnsureRevokedByKey use too.
func (c *Client) Locker() access.Locker { return c.locker }
