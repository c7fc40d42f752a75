// Package august is a complete client of the August / Yale Access partner
// API: locks (list, info, status, delete, users), PINs (list, the
// asynchronous load/update/delete/disable/enable commands, reserve and
// release, master PIN, transfer), remote operate (sync, async, v2), device
// capabilities, houses, partner sub-users, websocket subscribers, webhooks
// and logout, and the OAuth authorization-code flow at auth.august.com.
//
// # Construction
//
//	c, err := august.New(
//		august.WithAPIKey(apiKey),
//		august.WithTokens(accessToken, ""),      // kept from an earlier session
//		august.WithTokenCallback(saveTokens),    // persist every rotated token
//	)
//
// New makes no request. Requests go to DefaultBaseURL unless WithBaseURL
// says otherwise. Yale Home / Yale Global brands use another host and other
// header names, which this package does not cover.
//
// # Tokens
//
// Every request carries x-august-api-key and x-august-access-token. August
// may answer with a rotated token in the x-august-access-token response
// header; the client installs it and uses it from then on. Answers to
// concurrent requests arrive in any order, so a token replaces the current
// one only when it is newer: by its JWT iat and exp claims (read, not
// verified) when both tokens have them, else by the order in which the
// requests were sent. Each new token is reported to WithTokenCallback, in
// order. August may let a rotated-away token die within milliseconds, so a
// 401 is answered by resending with the newest token held when it is newer
// than the one refused: one another answer brought, one an answer still in
// flight brings (the call waits for the answers in flight at that moment),
// or one OAuth refresh's when the client holds a refresh token (WithOAuth).
// A call is resent at most 8 times, at most once after a refresh. When
// nothing newer comes the call fails with an *Error matching
// access.ErrUnauthorized, and the partner must run OAuth again.
// RenewIfExpiring renews ahead of the JWT's expiry, as open clients do when
// fewer than 7 days remain.
//
// OAuth: OAuth.AuthCodeURL gives the authorization page's address (built
// with golang.org/x/oauth2); OAuth.Exchange trades the code for tokens. The
// exchange is sent by this package because August takes a JSON body, which
// x/oauth2 cannot send.
//
// # Accept-Version
//
// Every call sends Accept-Version 0.0.1 unless given WithAcceptVersion;
// remote operate v2 sends 2.0.0 (a value no open client confirms).
//
// # Validation
//
// Before anything is sent: lock ids are 32 upper-case hexadecimal
// characters (a door id of the access methods too), grant ids 16
// hexadecimal characters; house and user ids are UUIDs; times lie in the
// years 1 to 9999; PINs are digits of the lock's
// length (PINRules, 4 to 8 by default); commands, access types and their
// windows are checked (type-1 locks take "always" only); page sizes are 1 to
// 1000 and remote-operate retry limits 1 to 3. Refusals match
// access.ErrInvalid.
//
// # Asynchronous results
//
// PIN commands and async remote operate return at once; August POSTs the
// result to a webhook. WebhookHandler receives those calls, authenticates
// them in constant time, drops repeated deliveries and lets a caller wait
// for a given result. August documents a static header (chosen at
// registration) for lock webhooks only, not for the results of PIN
// commands, which go to the URL each command names; so a call is accepted
// with either the header or the URL secret, a query value (URLSecretParam)
// the client adds to the webhook URL it sends with each command
// (WithWebhook). The secret is derived from the header token unless given
// (WithURLSecret), so every replica that shares the token accepts it; a
// process that sends commands without receiving their results gives it with
// WithWebhookURLSecret.
//
//	p := hooks.Expect(august.PINKey(lockID, august.PINActionLoad, partnerUserID))
//	defer p.Cancel()
//	_, _, err := c.PINs.Load(ctx, lockID, cmd, webhookURL, nil)
//	ev, err := p.Wait(ctx)
//
// Expect takes the first event for its key; ExpectFunc only one a function
// accepts, which is how OpenDoor waits for the result of its own unlock
// rather than any unlock of the lock (see Evidence of success).
//
// # Errors
//
// Every error a call returns says what happened, tested with errors.Is:
//
//   - access.ErrInvalid: the request was refused before anything was sent
//     (see Validation; also a path parameter that would change the path).
//   - access.ErrUnavailable: nothing reached August (the dial was refused,
//     the name did not resolve, the TLS handshake failed), or a request that
//     may be resent failed on the way. Trying again later is safe.
//   - access.ErrOutcomeUnknown, which also matches access.ErrUnavailable: a
//     request that is sent once (remote operate, the PIN commands, a PIN
//     reservation or transfer, an OAuth code exchange or refresh, a
//     websocket subscriber) may have reached August and its result is
//     unknown: the connection was reset or timed out after the request was
//     written, August answered 5xx, or a 2xx body was cut short, malformed
//     or too large. Look the result up (lock status, the PIN listing)
//     before trying again, as access.EnsureGrant does.
//   - the context's own error (context.Canceled, context.DeadlineExceeded)
//     when ctx ended first; if a request sent once may have gone out, the
//     error matches access.ErrOutcomeUnknown too.
//   - an *Error for any other answer, with the status, August's code (a
//     string or a number) and message, the request id, up to 1 MiB of the
//     body, and a Kind for the statuses August documents for remote operate
//     and PIN commands: 422 bridge offline (ErrBridgeOffline), 408 and 412
//     match access.ErrUnavailable (a 408 to remote operate, which says the
//     lock did not answer in time, not that it did nothing, matches
//     access.ErrOutcomeUnknown too); 423/460 busy (ErrBusy) and 409 duplicate
//     PIN or no slot left match access.ErrConflict; 501 access.ErrInvalid;
//     530 jammed, 531 calibration, 550 low battery and 551 overheated match
//     ErrJammed, ErrCalibration, ErrLowBattery and ErrOverheated; 560
//     (disconnected mid-command) matches access.ErrOutcomeUnknown. A 401 is
//     access.ErrUnauthorized and a 403 access.ErrForbidden whatever the body
//     says (rest.MatchSentinel's rule in every doorkit package); other
//     statuses match their sentinel (404 access.ErrNotFound, 429
//     access.ErrRateLimited). The *Error of a 5xx to a request sent once is
//     wrapped to match ErrOutcomeUnknown; errors.As still finds it.
//
// A PIN command that August accepted can still fail on the lock: its
// webhook result is a *CommandError (ErrCommandFailed) from Pending.Wait.
//
// A redirect is followed only for a request that may be resent, to the base
// URL's own scheme, host and port, with its method kept. Any other redirect
// is returned as an error of the classes above, so the API key and access
// token never go to another origin. URLs in errors lose their user info and
// every query value, and a PIN in a path (PINs.Release) shows as
// [REDACTED].
//
// # Bounds
//
// A 2xx body is read up to 32 MiB (WithMaxResponseBody); past that the call
// fails and reading stops. Each attempt waits at most 30 s for its response
// headers (WithResponseHeaderTimeout), except synchronous remote operate,
// which August may answer only after about 90 s: it waits up to
// DefaultSyncOperateTimeout (WithSyncOperateTimeout, at least 95 s); then
// it waits at most 60 s for the rest of the body (WithResponseBodyTimeout).
// The context's deadline bounds the whole call, retries and waits included. An
// OAuth refresh runs on its own context bounded by WithTokenTimeout (30 s):
// a caller whose context ends first returns at once while the refresh goes
// on for the others. WithRateLimit paces every attempt, resends after a 401
// and OAuth calls included, within the caller's context.
//
// # Retries
//
// GET, PUT and DELETE calls, and the POSTs that are safe to repeat
// (creating a partner sub-user, which August answers with the existing one;
// registering a webhook; logout), are retried on connection errors and
// 429/502/503/504. Remote operate (a PUT) is never resent once it may have
// reached August: a second unlock would open the door twice. Neither are
// the PIN commands, PIN reservations (a GET that takes a slot) and PIN
// transfers: a failure after the request went out returns an error matching
// access.ErrOutcomeUnknown. These are resent only when the failure proves
// nothing was sent (a failed dial) or August answered 429 or 503 with
// Retry-After, which says it did not act. A 401 is resent with a newer
// token (see Tokens): August did not act on it. Backoff is exponential
// with jitter; Retry-After (seconds or an HTTP date) is honoured up to
// WithMaxRetryAfter (30 s) and gets jitter too; a longer one is returned as
// an *Error with RetryAfter set. See WithRetry.
//
// # Logging
//
// WithLogger logs each HTTP attempt at debug level: method, path (never the
// query; PINs in paths redacted), status, duration and the request id.
// WithLogBodies adds headers, the query and JSON bodies, with secrets (the
// API key, access and refresh tokens, PINs, client secrets, the webhook
// token, the webhook URL of commands, which carries the URL secret) and
// personal data (emails, phone numbers) redacted. The types that
// hold secrets (Tokens, OAuthToken, SubUserToken, PIN, PINList, PINCommand,
// Lock, OfflineKey, WebhookRequest, Event, ...) print through fmt and log
// through log/slog with them as [redacted]; access.Secret.Reveal gives the
// value where it is needed.
//
// # Your own transport
//
// WithHTTPClient lends the client its Transport and Timeout only. The
// default transport keeps 100 idle connections per host; give yours a pool
// sized for your concurrency (http.Transport.MaxIdleConnsPerHost, which is
// 2 unless set, so a burst from 50 goroutines reopens most of its TLS
// connections) and the TLS configuration August's host needs (RootCAs, as
// WithRootCAs would set; the two options exclude each other). Its Timeout
// bounds each attempt, retries come on top: leave it 0, or above
// DefaultSyncOperateTimeout, or synchronous remote operate is cut off and
// ends as access.ErrOutcomeUnknown. WithResponseHeaderTimeout applies over
// it too. Redirects are governed by doorkit whatever its CheckRedirect says
// (see Errors); its Jar is not used. The API key, the access token and its
// rotation are added above your transport, so it sees them on every
// request: do not log them there.
//
// Paths August does not publish (PIN transfer, master PIN, logout,
// creating sub-users, remote operate v2's header) are INFERRED, marked in
// their doc comments and kept together in routes.go.
//
// # access
//
// *Client implements access.DoorLister, DoorOpener, Granter, GrantGetter,
// GrantLister and GrantUpdater. Doors are the caller's locks, with
// capabilities from lock info (supportsEntryCodes, an operative bridge,
// Type; type-1 locks take "always" PINs only, so no time-bounded grants),
// PIN lengths from the keypad's device capabilities, and the lock's
// timeZone.
//
// # Evidence of success
//
// An operation that changes a door reports success only on positive
// evidence from August; a recognised failure keeps its sentinel; anything
// else is access.ErrOutcomeUnknown. What OpenDoor takes as evidence is
// below; what each grant operation takes, further down.
//
// OpenDoor, asynchronous (WithWebhook gave a handler and the user is known:
// the access token's userId claim, or WithUserID): August answers 202 with
// an empty body, so nothing names the command, and the evidence is a
// webhook event that is this unlock's result by what it carries: for this
// lock, a remote operation (remoteEvent, info.remote, a remote_ action, the
// bridge's transactionID) rather than a manual, keypad or automatic one, by
// this client's user (callingUserID, callingUser or user), dated (August's
// clock) no earlier than the moment the command was sent (this host's wall
// clock) less ClockSkewAllowance (30 s), and saying unlocked
// (kAugLockState_Unlocked, unlocked, remote_unlock) or unlatched.
// kAugLockState_Unlocking and every other event keep it waiting; none by
// ConfirmTimeout or the caller's deadline is access.ErrOutcomeUnknown. A
// failure tied to the command keeps its sentinel (530 or
// FAILED_BRIDGE_ERROR_LOCK_JAMMED: ErrJammed; 550: ErrLowBattery; ...), and
// one with a status doorkit does not recognise is access.ErrOutcomeUnknown.
// A failure August does not tie to it (no user, date or remote mark) may be
// another's while this unlock succeeds: the wait goes on, and the
// access.ErrOutcomeUnknown at the deadline names it.
//
// OpenDoor, synchronous (no handler, or no known user): the evidence is the
// answer's status, kAugLockState_Unlocked (or unlatched).
// FAILED_BRIDGE_ERROR_LOCK_JAMMED is ErrJammed and the documented error
// statuses keep their sentinels (a 5xx matches access.ErrOutcomeUnknown as
// well: the unlock is sent once); a 202, an empty answer, a 408 and any
// other status are access.ErrOutcomeUnknown.
//
// A grant is a temporary PIN loaded for the holder on each door, pending
// until August's webhook confirms the load (then active, or failed with the
// reason); the credential is the PIN. Each grant has a partner sub-user of
// its own, made with POST /partners/sub-user before any PIN is loaded, whose
// partnerUserID carries the grant id, key, holder email and doors; its PINs
// are loaded with that partnerUserID. GET /partners/sub-user lists the
// sub-users with their partnerUserID and userID, so a grant is found by id,
// key or email; the PIN listings of its doors show each PIN's userID, so its
// PIN on a door is the one of its sub-user, and a delete names that user and
// the PIN. The holder's name goes to firstName/lastName. No PIN is kept in
// the client or in an id: lookups read it from the listing.
//
// One thing no document says, and this package takes as given: a PIN
// loaded with a partnerUserID belongs to the user POST /partners/sub-user
// answers for that partnerUserID ("the user the partnerUserID maps to").
// Nothing rests on a load making that user, or on the sub-user listing
// showing users that loads made (augusttest.Server.SetSubUserJoin(false) is
// an August that does neither, and the conformance suite runs on it).
//
// What each grant operation takes as evidence (see also the access
// package's rule: success only on the vendor's word):
//
//   - CreateGrant succeeds when August answered the sub-user and accepted
//     every door's load; the doors are then pending, not active. If a later
//     door refuses, the PINs loaded before are deleted again within the
//     caller's deadline plus WithRollbackGrace; a door counts as cleaned
//     when August confirms the delete by webhook (without a handler:
//     accepts it), answers it with 404, or reports the load itself failed.
//     Anything left is a *RollbackError
//     (access.ErrOutcomeUnknown) naming the locks that may keep a live PIN.
//   - GetGrant and ListGrants show a door active, pending, expired or
//     revoked from the list its PIN is in (a list August does not document
//     shows it pending, with NoticeUnknownPINState), and failed from a
//     failed load's webhook result seen by this process.
//   - UpdateGrantWindow and RevokeGrant succeed, with a handler, when August
//     confirms each command by webhook (a delete also when August answers
//     404: the PIN is not on the lock); without one, when August accepts
//     each command, and a PIN with a command under way is access.ErrConflict.
//     The confirmation is the result August posts to the webhook URL the
//     command names, taken with the registered header or, since August
//     documents that header for lock webhooks only, with the URL secret (see
//     Asynchronous results).
//   - "Not found" (access.ErrNotFound) needs August's word: a complete
//     sub-user listing without the grant's id, or complete PIN listings of
//     all the grant's doors without a PIN of its sub-user (and no failed
//     load remembered). Anything short of that is an error matching
//     access.ErrOutcomeUnknown: a sub-user listing whose pages do not add up,
//     a PIN listing that fails (404 and 412 included), or a lock listing a
//     PIN that August has not given a user yet (it does so only when the
//     asynchronous load completes, so that PIN may be the grant's).
//
// Lookups cost the sub-user listing (one request per 1000 sub-users; one
// sub-user per grant ever made) and one PIN listing per door of the grants
// found. A window change is an update command; revoking deletes the PINs;
// the sub-user stays (August publishes no way to delete it).
package august
