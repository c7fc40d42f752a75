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
// order. A 401 is answered by resending once with a newer token if another
// answer brought one, or after one OAuth refresh when the client holds a
// refresh token (WithOAuth); otherwise the call fails with an *Error
// matching access.ErrUnauthorized, and the partner must run OAuth again.
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
// characters; house and user ids are UUIDs; PINs are digits of the lock's
// length (PINRules, 4 to 8 by default); commands, access types and their
// windows are checked (type-1 locks take "always" only); page sizes are 1 to
// 1000 and remote-operate retry limits 1 to 3. Refusals match
// access.ErrInvalid.
//
// # Asynchronous results
//
// PIN commands and async remote operate return at once; August POSTs the
// result to a webhook. WebhookHandler receives those calls, checks the
// static header token in constant time, drops repeated deliveries and lets a
// caller wait for a given result:
//
//	p := hooks.Expect(august.PINKey(lockID, august.PINActionLoad, partnerUserID))
//	defer p.Cancel()
//	_, _, err := c.PINs.Load(ctx, lockID, cmd, webhookURL, nil)
//	ev, err := p.Wait(ctx)
//
// # Errors and retries
//
// A non-2xx answer is an *Error with the status, August's code (a string or
// a number) and message, and a Kind for the remote-operate statuses: 422
// bridge offline and 408 match access.ErrUnavailable; 423/460 busy and 409
// access.ErrConflict; 530 jammed, 531 calibration, 550 low battery and 551
// overheated match ErrJammed, ErrCalibration, ErrLowBattery and
// ErrOverheated; 560 (disconnected mid-command) matches
// access.ErrOutcomeUnknown; 401 and 403 are always access.ErrUnauthorized
// and access.ErrForbidden.
//
// GET, PUT and DELETE calls are retried on connection errors and
// 429/502/503/504. Remote operate (a PUT) is never resent once it may have
// reached August, and neither are PIN commands and PIN reservations: a lost
// answer returns an error matching access.ErrOutcomeUnknown. A synchronous
// remote operate may take about 90 s; it is bounded by
// DefaultSyncOperateTimeout (instead of the client's 30 s response-header
// timeout) unless the caller's context ends sooner.
//
// The default transport keeps 100 idle connections per host. A transport
// given with WithHTTPClient should keep as many for concurrent use, and its
// client's Timeout must not cut off synchronous remote operate.
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
// timeZone. OpenDoor unlocks: asynchronously and waiting for the webhook's
// result when WithWebhook gave a handler, else synchronously.
//
// A grant is a temporary PIN loaded for the holder on each door, pending
// until August's webhook confirms the load (then active, or failed with the
// reason); the credential is the PIN. The grant id, key and holder email
// are kept in the PIN's partnerUserID: August makes a partner sub-user of
// it, GET /partners/sub-user shows the partnerUserID back, and the PIN
// listing shows the sub-user's userID, so lookups join the two (the PIN
// listing itself does not show partnerUserID; the holder's name is in
// firstName/lastName). Lookups list the sub-users and the locks' PINs; a
// window change is an update command; revoking deletes the PINs. With a
// handler, window changes and revocations wait for August to confirm each
// command.
package august
