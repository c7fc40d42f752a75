// Package resivo is a client of the resivo (dormakaba) access-control API
// at https://api.resivo.io, and an implementation of doorkit's access
// interfaces on top of it.
//
// # What is published, and what is inferred
//
// resivo's public record is thin: its Postman collection publishes only an
// introduction (base URL, versions, glossary, environment variables). The
// operations here are those a public client uses (CONFIRMED) plus two the
// documents imply (INFERRED): the Remote Access Authorization Set create
// (POST /:siteId/authorizations/remote-access, path and body reasoned by
// analogy with pin-access) and the user login's body and answer. Each
// method's doc comment says which; every route is one line of routes.go, so
// a correction is one edit. For everything else (site owners, apartments,
// contracts, persons, media, access groups and zones, digital keys) use the
// raw escape hatch, NewRequest and Do, rather than guessed methods.
//
// # Construction and auth
//
//	c, err := resivo.New(
//		resivo.WithClientCredentials(clientID, clientSecret), // a Site Owner's (all its sites) or one site's M2M client
//		resivo.WithSites(siteID),                             // the sites ListDoors covers
//	)
//	comps, _, err := c.Components.List(ctx, siteID, nil)
//
// New makes no request. The client obtains a token by OAuth 2.0 client
// credentials (POST /oauth2/token, form-encoded, through
// golang.org/x/oauth2/clientcredentials), keeps it until TokenMargin before
// it expires (AssumedTokenLifetime when the answer has no expires_in), and
// fetches one token at a time however many goroutines need it. A 401 makes
// it fetch a new token once and resend. Token requests go through the same
// transport as every call (WithHTTPClient, the logger), only to the base
// URL's origin, and are never redirected. WithLogin authenticates as a user
// instead (POST /v8/users/login, inferred); WithTokens starts from a token
// kept earlier.
//
// # Versions
//
// resivo versions its API by URL prefix. Versioned routes (sites, login) use
// DefaultAPIVersion, "v8", or WithAPIVersion; the site-scoped routes the
// public client calls (/:siteId/components, /:siteId/authorizations/...)
// have no prefix.
//
// # Errors and retries
//
// A non-2xx answer is an *Error carrying the status, resivo's "message"
// (and "code" when present), the request id and the body; it matches an
// access sentinel with errors.Is by status (401 ErrUnauthorized, 403
// ErrForbidden, 404 ErrNotFound, 409 ErrConflict, 400 ErrInvalid, 429
// ErrRateLimited, 502-504 ErrUnavailable). Bad input is an error matching
// access.ErrInvalid before anything is sent: ids that would change the path,
// empty required fields, validTo not after validFrom, recipients that are
// not an email address or an E.164 number.
//
// GET and DELETE are retried on connection errors, 429, 502, 503 and 504
// with backoff and Retry-After. Creates (POST) are not resent once they may
// have reached resivo: the only public client retries every method, so one
// lost answer makes two authorizations; doorkit does not. After a create
// fails with an unknown outcome, look the authorization up first.
//
// # Times
//
// Validity windows are sent in UTC with a Z suffix and milliseconds (Time),
// whatever the time zone of the program, and read with or without fractional
// seconds.
//
// # Doors and grants
//
// *Client implements access.DoorLister, access.Granter, access.GrantGetter
// and access.GrantLister (not access.DoorOpener: the public API has no
// remote open; not access.GrantUpdater: resivo has no window change, so
// access.EnsureGrant revokes and re-creates a moved booking). Doors are the
// components of the sites given to WithSites; a door id is
// "siteId/componentId". Component ids change when a site is migrated while
// display names, unique per site, stay: resolve names with
// access.ResolveDoorIDs on every booking rather than storing ids.
//
// A visitor grant is a Remote Access Authorization Set: resivo emails or
// texts the visitor a door link, in the site's defaultLocale (SiteLocale);
// the link is not returned, so the grant's credential says whom resivo sent
// it to and holds no secret. resivo takes SMS numbers only as E.164 mobile
// numbers (phone.NormalizeSMS): 00... becomes +..., spaces go, and a number
// without a country code or a landline is dropped with an
// access.NoticeSMSDropped notice while the email and the access go ahead. A
// PIN grant (access.CredentialPIN) is a PIN-code access. A grant id is
// "siteId/authorizationId"; each door's state follows the authorization's
// status and credentials (GetGrant). RevokeGrant reads the authorization
// first and revokes only what is still live.
//
// # Grant keys and lost answers
//
// resivo cannot list authorizations, so a grant's key (the booking id) is
// kept in a KeyStore (WithKeyStore; NewKeyStore by default, one process
// long) and written into the authorization's displayName as "[key] label",
// where the resivo portal and GetGrant show it back. Before a create is
// sent its key is marked pending; when the answer is lost (or a 5xx, or a
// timeout), the error matches access.ErrOutcomeUnknown and the key stays
// pending: lookups of it fail with a *PendingKeyError, so access.EnsureGrant
// never makes a second authorization for the booking. Find the
// authorization named "[key] ..." in the resivo portal and record it, or
// its absence, with ResolveKey.
//
// # Transport
//
// The default transport keeps idle connections for reuse. A transport
// given through WithHTTPClient should do the same (http.Transport with
// MaxIdleConnsPerHost sized to the concurrency) and must not follow
// redirects to other hosts on its own.
//
// The package resivotest is an in-memory resivo for tests and examples.
package resivo
