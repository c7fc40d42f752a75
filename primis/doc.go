// Package primis is a complete client of the Primis Mobile API, the REST
// interface of the on-premises Primis access control system.
//
// # Construction
//
// Primis runs on premises at https://<ip address>:<port>; the base URL is
// required and TLS stays verified (give a private CA with WithCACertPEM or
// WithRootCAs). The client registers as a mobile device: keep its phone id
// stable, because each new id takes one of the server's mobile licences.
//
//	c, err := primis.New(
//		primis.WithBaseURL("https://10.0.0.5:8443"),
//		primis.WithCredentials("ada@example.com", password),
//		primis.WithPhoneID(deviceID),
//	)
//
// New makes no request. The first call logs in with Basic authentication
// (POST /api/mobile/login) and later calls send the JWT as a Bearer token.
//
// # Tokens
//
// The client renews the access token with the refresh token shortly before
// its exp claim passes (10 s before, or half the token's lifetime for a
// short-lived one, measured as exp - iat so a server clock that is off does
// not matter), or after a 401, once for all goroutines; when the refresh
// token is rejected it logs in again once with the stored credentials, and
// otherwise returns an error matching access.ErrUnauthorized. WithTokens and
// WithTokenCallback let a program keep its tokens across restarts. Tokens,
// Session and Renewal print and log their tokens as [redacted].
//
// Deregistration and password change use Basic authentication when
// credentials are set and the refresh token otherwise, as the document
// says. After Auth.Deregister every call returns ErrDeregistered (which
// matches access.ErrUnauthorized) until Auth.Login registers the device
// again, so no licence is taken behind the caller's back.
//
// # Services
//
// Client.Auth (login, renewal, deregistration, password), ControlledAreas
// (doors: list, state, momentary unlock), AccessGroups, Schedules, Beacons
// and Geolocation cover every operation of the Mobile API document.
// Administrator and user variants are separate methods (AdminList versus
// List, AdminUnlock versus Unlock); a non-administrator calling an Admin
// method gets the server's error.
//
// # Errors and results
//
// A non-2xx answer is an *Error that matches the access sentinels with
// errors.Is. A refusal that Primis reports in a successful answer is a
// result, not an error: CommandResult.Granted and GeolocationResult.Granted
// say whether access was given (a denied geolocation request is HTTP 201 with
// result "denied"). At the access level, OpenDoor turns a refusal into a
// *DeniedError matching access.ErrDenied.
//
// # Retries
//
// GET and DELETE are retried on connection errors and 429/502/503/504;
// unlocks and other POSTs only when nothing reached the server. See
// WithRetry and WithMaxRetryAfter.
//
// # Your own transport
//
// WithHTTPClient lends the client its Transport and Timeout only. The
// default transport keeps 100 idle connections per host; give yours a pool
// sized for your concurrency (http.Transport.MaxIdleConnsPerHost, which
// is 2 unless set, so a burst from 50 goroutines reopens most of its TLS
// connections) and the TLS configuration your server needs (RootCAs, as
// WithRootCAs would set). Its Timeout bounds each attempt, retries come on
// top; WithResponseHeaderTimeout (default 30 s) applies over it too.
// Redirects are governed by doorkit whatever its CheckRedirect says:
// credentials go only to the base URL's scheme, host and port, redirects
// elsewhere are refused, and a redirect of a request that must not be
// resent is returned as an error, never followed. Its Jar is not used.
//
// # access
//
// *Client implements access.DoorLister (the user's controlled areas) and
// access.DoorOpener (momentary unlock for WithOpenDuration). The Mobile API
// cannot grant access to another person, so it is not an access.Granter.
//
// The package primistest serves an in-memory Primis for tests and examples.
package primis
