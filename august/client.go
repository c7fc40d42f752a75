package august

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/internal/clientopt"
	"github.com/doorkit/doorkit/internal/rest"
	"golang.org/x/oauth2"
)

// Client is an August API client. It is safe for concurrent use.
type Client struct {
	Auth          *AuthService
	Devices       *DevicesService
	Houses        *HousesService
	Locks         *LocksService
	PINs          *PINsService
	RemoteOperate *RemoteOperateService
	SubUsers      *SubUsersService
	Webhooks      *WebhooksService
	Websocket     *WebsocketService

	locker      access.Locker // turns per grant key and resource (WithLocker)
	api         *rest.Client  // requests carrying the API key and access token
	oauthAPI    *rest.Client  // auth.august.com: code exchange and refresh
	tokens      *tokenStore
	oauth       *oauth2.Config
	syncTimeout time.Duration
	events      *WebhookHandler // optional, for OpenDoor and grants
	webhookURL  string          // where PIN results go, for grants, with the URL secret
	userID      string          // WithUserID; else the token's userId claim
	grants      *grantState
	// rollbackGrace is how long CreateGrant's rollback runs on after the
	// caller's context ends.
	rollbackGrace time.Duration
	confirmWait   time.Duration // WithConfirmTimeout
	// hook registers the webhook for a lock's operation events (OpenDoor).
	hook *hookRegistrar
}

type service struct{ client *Client }

// Response is August's answer to a call: the *http.Response, the request id
// August gave the call (RequestID) and its Retry-After (RetryAfter), read
// alike in every doorkit package. It is nil when no answer was received.
type Response = rest.Response

// CallOption adjusts one call.
type CallOption func(*rest.Call)

// WithAPIVersion sends API version v (August's Accept-Version header, such
// as "4.0.0") on this call instead of DefaultAPIVersion ("0.0.1"). August
// versions each route by this header, and the answer's shape with it, so
// the version is a per-call setting here, where resivo's WithAPIVersion,
// a path prefix for the whole API, is set per client. A v that is not
// three dot-separated numbers makes the call fail with access.ErrInvalid
// before anything is sent.
func WithAPIVersion(v string) CallOption {
	return func(c *rest.Call) {
		if !isAPIVersion(v) {
			c.Refuse(access.Invalid("API version", fmt.Sprintf("%q is not three dot-separated numbers, e.g. 4.0.0", v)))
			return
		}
		if c.Header == nil {
			c.Header = make(http.Header)
		}
		c.Header.Set(headerAcceptVersion, v)
	}
}

// isAPIVersion reports whether v is three numbers of 1 to 4 digits
// separated by dots (written out: see validLockID).
func isAPIVersion(v string) bool {
	parts := strings.Split(v, ".")
	if len(parts) != 3 {
		return false
	}
	for _, p := range parts {
		if len(p) < 1 || len(p) > 4 || !inSet(p, "0123456789") {
			return false
		}
	}
	return true
}

func apply(call *rest.Call, opts []CallOption) *rest.Call {
	for _, o := range opts {
		if o != nil {
			o(call)
		}
	}
	return call
}

// New returns a client for the August API. It makes no request. WithAPIKey
// and either WithTokens or an OAuth code exchange (WithOAuth, then
// Auth.Exchange) are needed before calls succeed.
func New(opts ...Option) (*Client, error) {
	s := defaultSettings()
	for _, opt := range opts {
		if err := opt(&s); err != nil {
			return nil, clientopt.Invalid(err)
		}
	}
	base, authBase, err := s.validate()
	if err != nil {
		return nil, clientopt.Invalid(err)
	}
	cfg, err := s.RestConfig(base, decodeError)
	if err != nil {
		return nil, clientopt.Invalid(err)
	}
	authCfg := cfg
	authCfg.BaseURL = authBase
	c := &Client{syncTimeout: s.syncTimeout, events: s.events, webhookURL: s.commandWebhookURL(), userID: s.userID,
		grants: newGrantState(), rollbackGrace: s.RollbackGrace, confirmWait: s.confirmWait}
	if id := cmp.Or(s.hookClientID, s.clientID); s.events != nil && id != "" {
		c.hook = &hookRegistrar{url: s.webhookURL, clientID: id}
	}
	c.locker = s.LockerOrDefault()
	c.oauthAPI = rest.New(authCfg)
	c.oauth = &oauth2.Config{
		ClientID:     s.clientID,
		ClientSecret: s.clientSecret,
		RedirectURL:  s.redirectURL,
		Scopes:       s.scopes,
		Endpoint: oauth2.Endpoint{
			AuthURL:   authBase.String() + routeOAuthAuthorize,
			TokenURL:  authBase.String() + routeOAuthToken,
			AuthStyle: oauth2.AuthStyleInParams,
		},
	}
	c.tokens = newTokenStore(s.accessToken, s.refreshToken, s.onTokens, s.TokenTimeout)
	if s.TokenStore != nil {
		c.tokens.shared = &sharedTokens{store: s.TokenStore, logger: s.Logger}
	}
	if s.clientID != "" {
		c.tokens.refreshFn = c.refreshGrant
	}
	cfg.Header = http.Header{}
	cfg.Header.Set(headerAcceptVersion, DefaultAPIVersion)
	cfg.Transport = &tokenTransport{base: cfg.Transport, apiKey: s.apiKey, store: c.tokens}
	c.api = rest.New(cfg)

	common := &service{client: c}
	c.Devices = (*DevicesService)(common)
	c.Houses = (*HousesService)(common)
	c.Locks = (*LocksService)(common)
	c.Auth = (*AuthService)(common)
	c.SubUsers = (*SubUsersService)(common)
	c.PINs = (*PINsService)(common)
	c.RemoteOperate = (*RemoteOperateService)(common)
	c.Webhooks = (*WebhooksService)(common)
	c.Websocket = (*WebsocketService)(common)
	return c, nil
}

// BaseURL returns the API's base URL.
func (c *Client) BaseURL() string { return c.api.BaseURL() }

// String describes the client without its API key, tokens or webhook
// secret.
func (c *Client) String() string { return fmt.Sprintf("august.Client{BaseURL: %q}", c.api.BaseURL()) }

// Format prints String under every verb, so no verb prints the fields (the
// webhook URL carries the URL secret).
func (c *Client) Format(f fmt.State, verb rune) { _, _ = io.WriteString(f, c.String()) }

// NewRequest builds a request to an endpoint this package does not cover,
// relative to the base URL, carrying the API key, the current access token
// and Accept-Version 0.0.1 (set the header on the request to change it).
// Send it with Do.
func (c *Client) NewRequest(ctx context.Context, method, path string, body any) (*http.Request, error) {
	return c.api.NewHTTPRequest(ctx, method, path, body)
}

// Do sends a request made by NewRequest with the client's auth, token
// rotation, retry policy and error decoding, and decodes a 2xx JSON body
// into out (nil discards it).
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

// doResult sends a command whose answer is {"message": ...} or, where
// August documents none, empty: an empty 2xx answer is an empty Result.
func doResult(ctx context.Context, api *rest.Client, call *rest.Call) (*Result, *Response, error) {
	var out Result
	resp, err := api.Do(ctx, call, &out)
	if err != nil && !emptyAnswer(resp, err) {
		return nil, rest.NewResponse(resp), err
	}
	return &out, rest.NewResponse(resp), nil
}

// emptyAnswer reports a 2xx answer without a body (or with null), which
// August gives to commands it documents no answer for.
func emptyAnswer(resp *http.Response, err error) bool {
	return errors.Is(err, rest.ErrEmptyBody) && resp != nil && resp.StatusCode/100 == 2
}

// Result is August's plain answer to many commands: {"message": "success"}.
type Result struct {
	Message string `json:"message"`
}

// Locker returns the Locker the client takes its turns from (WithLocker),
// which access.EnsureGrant and access.EnsureRevokedByKey use too.
func (c *Client) Locker() access.Locker { return c.locker }
