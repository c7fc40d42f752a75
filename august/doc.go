// Package august is a complete client of the August / Yale Access partner
// API: locks (list, info, status, delete, users), PINs (list, the
// asynchronous load/update/delete/disable/enable commands, reserve and
// release, master PIN, transfer), remote operate (sync, async, v2), device
// capabilities, houses, partner sub-users, websocket subscribers, webhooks
// and logout, and the OAuth authorization-code flow at auth.august.com.
//
// What every doorkit client shares (error classes, retries, redirects,
// bounds, pacing, logging, your own transport, the shared options) is said
// once, in the README's "Behaviour you can rely on" and in package access.
// This page says what is August's own.
//
// # Construction
//
//	c, err := august.New(
//		august.WithAPIKey(apiKey),
//		august.WithTokens(accessToken, ""),      // kept from an earlier session
//		august.WithTokenCallback(saveTokens),    // persist every rotated token
//	)
//
// Requests go to DefaultBaseURL unless WithBaseURL says otherwise. Yale
// Home / Yale Global brands use another host and other header names, which
// this package does not cover. August has no password login: a partner's
// tokens come from OAuth's authorization-code flow, a real one (WithOAuth;
// Auth.AuthCodeURL gives the authorization page's address, built with
// golang.org/x/oauth2, and Auth.Exchange trades the code for tokens, sent by
// this package because August takes a JSON body, which x/oauth2 cannot
// send), or are given with WithTokens.
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
// # Requests
//
// August versions each route by its Accept-Version header, so the API
// version is a per-call option here (WithAPIVersion): every call sends
// DefaultAPIVersion, 0.0.1, unless given another; remote operate v2 sends
// 2.0.0 (a value no open client confirms).
//
// Before anything is sent: lock ids are 32 upper-case hexadecimal
// characters (ValidateLockID; a door id of the access methods too), grant
// ids 16 hexadecimal characters; house and user ids are UUIDs; times lie in
// the years 1 to 9999; PINs are digits of the lock's length (ValidatePIN,
// PINRules, 4 to 8 by default); commands, access types and their windows
// are checked (type-1 locks take "always" only); page sizes are 1 to 1000
// and remote-operate retry limits 1 to 3.
//
// Remote operate (a PUT) is never resent once it may have reached August: a
// second unlock would open the door twice. Neither are the PIN commands, PIN
// reservations (a GET that takes a slot), PIN transfers, the OAuth code
// exchange and refresh, or a websocket subscriber's creation. The POSTs that
// are safe to repeat are retried like a GET: creating a partner sub-user
// (August answers with the existing one), registering a webhook, logout. A
// 401 is resent with a newer token (see Tokens): August did not act on it.
//
// Synchronous remote operate may be answered only after about 90 s: its
// attempt waits up to DefaultSyncOperateTimeout (WithSyncOperateTimeout, at
// least 95 s) for the response headers instead of WithResponseHeaderTimeout.
// A WithHTTPClient Timeout must be 0 or above it, or the unlock is cut off
// and ends as access.ErrOutcomeUnknown.
//
// Paths August does not publish (PIN transfer, master PIN, logout,
// creating sub-users, remote operate v2's header) are INFERRED, marked in
// their doc comments and kept together in routes.go.
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
// The common path is two calls and a mount:
//
//	hooks, err := august.NewWebhookHandler("X-Partner-Token", token)
//	c, err := august.New(august.WithAPIKey(key), august.WithOAuth(id, secret, redirect),
//		august.WithWebhook("https://partner.example.com/august", hooks))
//	mux.Handle("/august", hooks)
//
// The client then registers the URL for each lock's operation events
// itself, once per lock, the first time OpenDoor needs it (August keeps
// one registration per lock and OAuth client, so a repeat from another
// replica is harmless); a client given its tokens without WithOAuth names
// the client id with WithWebhookClientID. Without a client id nothing
// assures that an unlock's result reaches the handler, so OpenDoor unlocks
// synchronously instead of waiting for one. PIN results need no registration: each command names
// the URL. WithConfirmTimeout bounds every wait for a result, and
// GrantPINKey gives the key to wait on for a grant's door.
//
// With several replicas behind a load balancer August calls any of them:
// give every replica's handler the same access.ResultStore
// (WithResultStore; redisstore's Store for several processes). Results,
// de-duplication and failed PIN loads are then shared: a caller waiting on
// one replica gets the result another received.
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
// An answer other than 2xx is an *Error with the status, August's code (a
// string or a number) and message, the request id, the raw body, and a Kind
// for the statuses August documents for remote operate and PIN commands:
// 422 bridge offline (ErrBridgeOffline), 408 and 412 match
// access.ErrUnavailable (a 408 to remote operate, which says the lock did
// not answer in time, not that it did nothing, matches
// access.ErrOutcomeUnknown too); 423/460 busy (ErrBusy) and 409 duplicate
// PIN or no slot left match access.ErrConflict; 501 access.ErrInvalid; 530
// jammed, 531 calibration, 550 low battery and 551 overheated match
// ErrJammed, ErrCalibration, ErrLowBattery and ErrOverheated; 560
// (disconnected mid-command) matches access.ErrOutcomeUnknown. Other
// statuses match their sentinel as in every doorkit package (401
// access.ErrUnauthorized and 403 access.ErrForbidden whatever the body
// says, 404 access.ErrNotFound, 429 access.ErrRateLimited). A PIN command
// that August accepted can still fail on the lock: its webhook result is a
// *CommandError (ErrCommandFailed) from Pending.Wait.
//
// Secrets of August's own are redacted like every password and token: the
// API key, PINs (a PIN in a path, PINs.Release, shows as [REDACTED] in URLs
// and logs), client secrets, the webhook token and the webhook URL of
// commands, which carries the URL secret. The types that hold them (Tokens,
// OAuthToken, SubUserToken, PIN, PINList, PINCommand, Lock, OfflineKey,
// WebhookRequest, Event, ...) print and log them as [redacted];
// access.Secret.Reveal gives the value where it is needed. The API key, the
// access token and its rotation are added above a WithHTTPClient transport,
// so it sees them on every request: do not log them there.
//
// # access
//
// *Client implements access.DoorLister, DoorOpener, Granter, GrantGetter,
// GrantLister and GrantUpdater. Doors are the caller's locks, with
// capabilities from lock info (entry codes, a bridge, Type; type-1 locks
// take "always" PINs only, so no time-bounded grants; without
// supportsEntryCodes a paired keypad is the evidence of entry codes, see
// Lock.TakesEntryCodes), connectivity from the bridge's state, PIN lengths
// from the keypad's device capabilities (asked by the keypad's serial
// number; assumed 4 to 6 with a NoticePINLengthsAssumed notice when August
// gives none), and the lock's
// timeZone under its IANA name. This package imports time/tzdata (about
// 405 KiB of binary) so that zones load where the host has no zone
// database.
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
// the confirm timeout (WithConfirmTimeout) or the caller's deadline is access.ErrOutcomeUnknown. A
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
//     when August confirms the delete by webhook (without a handler: the PIN
//     listing read back shows it gone), answers it with 404, or reports the
//     load itself failed.
//     Anything left is a *RollbackError
//     (access.ErrOutcomeUnknown) naming the locks that may keep a live PIN.
//   - GetGrant and ListGrants show a door active, pending, expired or
//     revoked from the list its PIN is in (a list August does not document
//     shows it pending, with NoticeUnknownPINState), and failed from a
//     failed load's webhook result seen by any replica sharing the
//     handler's result store (WithResultStore). A PIN being deleted or
//     disabled (a command August accepted and has not applied, which may
//     still fail) shows its door failed, with the reason: it is neither
//     gone nor one to keep, so EnsureGrant re-makes the grant (the revoke
//     first waits for that command) rather than make a second one beside
//     it, and a revoke waits for it rather than report it gone.
//   - UpdateGrantWindow and RevokeGrant succeed, with a handler, when August
//     confirms each command by webhook (a delete also when August answers
//     404: the PIN is not on the lock); without one, when the PIN listing
//     read back shows each command applied (an accepted command is not
//     proof: until the listing shows it, access.ErrOutcomeUnknown), and a PIN
//     with a command under way is access.ErrConflict (a delete under way,
//     access.ErrOutcomeUnknown). Only a result in a status this package
//     recognises confirms (Event.Succeeded); any other keeps the wait going.
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
// the sub-user stays (August publishes no way to delete it). A grant that
// access.EnsureGrant or EnsureRevokedByKey found is changed or revoked from
// what that lookup showed (UpdateListedGrantWindow, RevokeListedGrant), so
// a moved booking costs the lookup and one command per door.
package august
