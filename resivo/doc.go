// Package resivo is a client of the resivo (dormakaba) access-control API
// at https://api.resivo.io, and an implementation of doorkit's access
// interfaces on top of it.
//
// What every doorkit client shares (error classes, retries, redirects,
// bounds, pacing, logging, your own transport, the shared options) is said
// once, in the README's "Behaviour you can rely on" and in package access.
// This page says what is resivo's own.
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
// The client obtains a token by OAuth 2.0 client credentials (POST
// /oauth2/token, form-encoded, through golang.org/x/oauth2/clientcredentials)
// and keeps it until TokenMargin before it expires (AssumedTokenLifetime
// when the answer has no expires_in). WithPassword logs in as a user instead
// (POST /v8/users/login, inferred); WithTokens starts from a token kept
// earlier. resivo publishes no refresh endpoint, so a rejected token is
// replaced with the credentials given (a new client-credentials token, or a
// new login), and without any the call returns resivo's 401.
//
// resivo versions its API by URL prefix: versioned routes (sites, login)
// use DefaultAPIVersion, "v8", or WithAPIVersion; the site-scoped routes the
// public client calls (/:siteId/components, /:siteId/authorizations/...)
// have no prefix.
//
// # Requests
//
// resivo documents no id format, so ids are ASCII letters, digits, '-',
// '_', '.' and '~'; a door or grant id of the access methods must name a
// site given to WithSites. Recipients are one bare email address or an
// E.164 number, PINs are digits, validTo comes after validFrom. Validity
// windows are sent in UTC with a Z suffix and milliseconds (Time), whatever
// the time zone of the program, and read with or without fractional
// seconds. Creates are sent once: the only public client retries every
// method, so one lost answer makes two authorizations; doorkit does not.
// The user login is resent like a GET (a second login costs nothing).
//
// # Errors
//
// An answer other than 2xx is an *Error with the status, resivo's "message"
// (and "code" when present), the request id and the raw body. resivo
// publishes no error codes, so the code is kept, not interpreted, and the
// status decides: 404 and 410 access.ErrNotFound, 409 access.ErrConflict,
// 400 and 422 access.ErrInvalid, 429 access.ErrRateLimited, 502-504
// access.ErrUnavailable. Secrets of resivo's own (the client secret, PIN
// codes) are redacted like every password and token (Tokens, LoginRequest,
// LoginResponse, PINCode, PINAccessRequest).
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
// numbers: 00... becomes +..., spaces go, and a number without a country
// code is dropped with an access.NoticeSMSDropped notice while the email and
// the access go ahead. Telling a landline from a mobile number takes
// libphonenumber's metadata, which this package does not link by default
// (it slows every program's start): WithSMSNumbers(phone.NormalizeSMS) drops
// landlines too. A
// PIN grant (access.CredentialPIN) is a PIN-code access. A grant id is
// "siteId/authorizationId".
//
// # Evidence of success
//
//   - CreateGrant succeeds when resivo answers the create with the new
//     authorization's id.
//   - A door's state follows the authorization's status and credentials
//     (GetGrant); a status doorkit does not know keeps the doors pending
//     with the status in the reason, never failed, so that EnsureGrant does
//     not re-make the grant (and resivo email the visitor) on every trigger.
//   - RevokeGrant reads the authorization first and revokes what resivo
//     does not show revoked, an expired one included (it gives no access
//     now, but resivo does not say it stays expired: the portal can move its
//     validity); it succeeds when resivo answers the revoke. A revoke
//     answered 409 is done only when the authorization, read again, shows
//     it revoked (the resend of a revoke whose answer was lost is answered
//     409) or over (expired: resivo's record says it gives no access, and
//     it will not revoke it, so it stays expired, not revoked), else it is
//     access.ErrConflict; resivotest.SetRefuseExpiredRevoke plays a resivo
//     that refuses to revoke what has expired. "Not found" is resivo's 404
//     or 410, or an authorization it shows revoked.
//     AuthorizationsService.RevokeIfLive keeps the public client's rule of
//     revoking only what is live, and says whether it sent a revoke.
//
// # Grant keys and lost answers
//
// resivo cannot list authorizations, so a grant's key (the booking id) is
// kept in a KeyStore (WithKeyStore; NewKeyStore by default, one process
// long) and written into the authorization's displayName as "[key] label",
// where the resivo portal and GetGrant show it back. The store is kept
// by access.CreateWithKeyStore and read by access.LookupKey, as for any
// vendor that records keys there. Before a create is sent its key is
// marked pending (with the time it was sent, PendingKeyError.Since); when the answer is lost (or a 5xx other
// than a 503 with Retry-After, or a timeout), the error matches
// access.ErrOutcomeUnknown and the key stays pending: lookups of it fail
// with a *PendingKeyError, so access.EnsureGrant never makes a second
// authorization for the booking. This is a known gap: find the
// authorization named "[key] ..." in the resivo portal and record it, or
// its absence, with ResolveKey. Any other failure (resivo's refusal, a 429
// or a 503 with Retry-After, a request never sent) removes the mark.
//
// The default store forgets every key when the process ends, and so cannot
// prove a key absent: after a restart, access.EnsureRevokedByKey of a key
// made by an earlier process answers access.ErrKeyUnknown (revoke by the
// grant id you stored instead) rather than nil while the authorization
// lives on, and access.EnsureGrant of such a key creates a second
// authorization (a second email). A durable store (redisstore, or your
// database through access.KeyStore) prevents both.
//
// The package resivotest is an in-memory resivo for tests and examples.
package resivo
