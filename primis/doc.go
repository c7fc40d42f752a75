// Package primis is a complete client of the Primis Mobile API, the REST
// interface of the on-premises Primis access control system.
//
// What every doorkit client shares (error classes, retries, redirects,
// bounds, pacing, logging, your own transport, the shared options) is said
// once, in the README's "Behaviour you can rely on" and in package access.
// This page says what is Primis's own.
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
//		primis.WithPassword("ada@example.com", password),
//		primis.WithPhoneID(deviceID),
//	)
//
// The first call logs in with Basic authentication (POST /api/mobile/login),
// which registers the phone id; later calls send the JWT as a Bearer token.
//
// # Tokens
//
// The client renews the access token with the refresh token shortly before
// its exp claim passes (10 s before, or half the token's lifetime for a
// short-lived one, measured as exp - iat so a server clock that is off does
// not matter), or after a 401; when the refresh token is rejected it logs in
// again once with the password, and otherwise returns an error matching
// access.ErrUnauthorized.
//
// Deregistration and password change use Basic authentication when a
// password is set and the refresh token otherwise, as the document says.
// After Auth.Deregister every call returns ErrDeregistered (which matches
// access.ErrUnauthorized) until Auth.Login registers the device again, so
// no licence is taken behind the caller's back.
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
// The document gives no id format, so ids are ASCII letters, digits, '-',
// '_', '.' and '~', at most MaxIDLength long; a phone id may not hold
// spaces, non-ASCII or path characters; a new password
// (Auth.ChangePassword) follows ValidatePassword. Unlocks, zone state
// changes and the login (which registers the device) are sent once.
//
// # Errors
//
// An answer other than 2xx is an *Error with the status, the body's
// message, the request id and the raw body. Primis sends no error codes,
// so the status decides: 404 is access.ErrNotFound, 400 access.ErrInvalid
// (but the licence limit on registration access.ErrForbidden), 429
// access.ErrRateLimited, 501 access.ErrUnsupported, other 5xx
// access.ErrUnavailable.
//
// A refusal that Primis reports in a successful answer is a result, not an
// error: CommandResult.Granted and GeolocationResult.Granted say whether
// access was given (a denied geolocation request is HTTP 201 with result
// "denied").
//
// # access
//
// *Client implements access.DoorLister (the user's controlled areas) and
// access.DoorOpener (a momentary unlock for WithOpenDuration). The Mobile
// API cannot grant access to another person, so it is not an
// access.Granter.
//
// # Evidence of success
//
// OpenDoor succeeds only when Primis answers the unlock (POST
// /api/mobile/user/unlock_zone) with result "Granted", which the document
// defines as the operation done. "Denied" is a *DeniedError matching
// access.ErrDenied; any other result (the document names none), and an
// answer lost or cut short, is access.ErrOutcomeUnknown, and the unlock is
// not resent. Auth.Deregister succeeds only on status "ok"; another status
// is access.ErrOutcomeUnknown and the client stays registered.
//
// The package primistest serves an in-memory Primis for tests and examples.
package primis
