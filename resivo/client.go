package resivo

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

// Client is a resivo API client. It is safe for concurrent use.
type Client struct {
	Auth           *AuthService
	Sites          *SitesService
	Components     *ComponentsService
	Authorizations *AuthorizationsService

	locker  access.Locker // turns per grant key and resource (WithLocker)
	api     *rest.Client  // requests authorised by the token source
	anon    *rest.Client  // the login endpoint
	tokens  *auth.Source
	fetch   *tokenFetcher
	version string   // the version prefix of versioned routes
	sites   []string // the sites ListDoors covers
	locales sync.Map // site id -> defaultLocale
	keys    access.KeyStore
}

type service struct{ client *Client }

// Response is resivo's answer to a call: the *http.Response, the request id
// resivo gave the call (RequestID) and its Retry-After (RetryAfter), read
// alike in every doorkit package. It is nil when no answer was received.
type Response = rest.Response

// New returns a client for the resivo API (https://api.resivo.io unless
// WithBaseURL says otherwise). It makes no request: the first call obtains
// a token with the credentials given (WithClientCredentials or WithPassword)
// unless WithTokens supplied one.
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
		version: s.version,
		sites:   append([]string(nil), s.sites...),
		keys:    s.keys,
	}
	c.locker = s.LockerOrDefault()
	creds := &credentials{clientID: s.clientID, clientSecret: access.Secret(s.clientSecret), email: s.email,
		password: access.Secret(s.password)}
	c.anon = rest.New(cfg)
	c.tokens = auth.NewSource(c.fetcher(creds, cfg), s.TokenTimeout, s.tokenCallback())
	if s.TokenStore != nil {
		c.tokens.Share(auth.Shared{Store: s.TokenStore, Encode: encodeTokens, Decode: decodeTokens, Logger: s.Logger})
	}
	if s.accessToken != "" {
		c.tokens.Init(newToken(s.accessToken, s.refreshToken, time.Time{}))
	}
	cfg.Transport = &auth.Transport{Base: cfg.Transport, Source: c.tokens}
	c.api = rest.New(cfg)

	common := &service{client: c}
	c.Auth = (*AuthService)(common)
	c.Sites = (*SitesService)(common)
	c.Components = (*ComponentsService)(common)
	c.Authorizations = (*AuthorizationsService)(common)
	return c, nil
}

// BaseURL returns the API's base URL.
func (c *Client) BaseURL() string { return c.api.BaseURL() }

// APIVersion returns the version prefix of versioned routes, e.g. "v8".
func (c *Client) APIVersion() string { return c.version }

// String describes the client without its credentials or tokens.
func (c *Client) String() string {
	return fmt.Sprintf("resivo.Client{BaseURL: %q, APIVersion: %q}", c.api.BaseURL(), c.version)
}

// NewRequest builds an authorised request to an endpoint the public
// documents do not list (site owners, apartments, contracts, persons, media,
// access groups and zones, digital keys...), relative to the base URL and
// including its version prefix, e.g. "v8/siteOwners/%s". Send it with Do.
// body, when not nil, is sent as JSON.
func (c *Client) NewRequest(ctx context.Context, method, path string, body any) (*http.Request, error) {
	return c.api.NewHTTPRequest(ctx, method, path, body)
}

// Do sends a request made by NewRequest with the client's auth, retry policy
// and error decoding, and decodes a 2xx JSON body into out (nil discards it).
// A POST or PATCH is not resent once it may have reached resivo.
func (c *Client) Do(req *http.Request, out any) (*Response, error) {
	resp, err := c.api.SendHTTP(req, out)
	return rest.NewResponse(resp), err
}

// do sends call and decodes the JSON result into a T.
func do[T any](ctx context.Context, api *rest.Client, call *rest.Call) (T, *Response, error) {
	out, resp, err := rest.Result[T](ctx, api, call)
	return out, rest.NewResponse(resp), err
}

// send sends call and discards the body.
func send(ctx context.Context, api *rest.Client, call *rest.Call) (*Response, error) {
	resp, err := api.Do(ctx, call, nil)
	return rest.NewResponse(resp), err
}

// Locker returns the Locker the client takes its turns from (WithLocker),
// which access.EnsureGrant and access.EnsureRevokedByKey use too.
func (c *Client) Locker() access.Locker { return c.locker }
