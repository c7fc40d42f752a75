// Package havr is a complete client of the Havr smart-lock API: door locks,
// shared keys, lock groups, users and user groups, contacts, companies and
// employments, devices, do-not-disturb states, floor maps, lock logs, lock
// and offline-mode configurations, notifications, session logs, user
// preferences, synchronization, support and the OAuth endpoints (171
// documented operations).
//
// What every doorkit client shares (error classes, retries, redirects,
// bounds, pacing, logging, your own transport, the shared options) is said
// once, in the README's "Behaviour you can rely on" and in package access.
// This page says what is Havr's own.
//
// # Construction
//
// The Havr document publishes no host, so WithBaseURL is required. Give the
// credentials of the account that owns the locks:
//
//	c, err := havr.New(
//		havr.WithBaseURL("https://api.havr.example"),
//		havr.WithPassword("owner@example.com", password), // or WithClientCredentials
//		havr.WithTokenCallback(saveTokens),              // persist rotated tokens
//	)
//
// The client id defaults to ClientIDWebPlatform; mobile client ids also
// need WithDeviceUUID, as the API requires.
//
// # Tokens
//
// Havr's tokens carry no lifetime: the client learns that an access token
// expired from a 401, then exchanges the refresh token for a new pair and
// resends the request. When the lifetime is known, WithTokenLifetime lets the
// client renew tokens shortly before they expire instead. Refresh tokens are
// single-use, so a refresh token is sent at most once (never resent by the
// retry layer, and one refresh at a time for all goroutines) and the new
// pair is reported through WithTokenCallback. When a refresh fails in any
// way but a failure to connect, the client falls back once to the password
// or client credentials grant, and otherwise returns an error matching
// access.ErrUnauthorized.
//
// # Requests
//
// Bodies are wrapped in their resource key ({"door_lock": {...}}) or sent
// bare exactly as documented; ids are integers (ID), positive and written in
// decimal as Havr writes them; times are sent in UTC without milliseconds
// and read with or without them (Time). Documented rules are checked before
// anything is sent: descriptions of at most 40 characters, end after start,
// a recurrency that fits its period (start_date to end_date is one
// occurrence, repeated every day, week, month or year), password rules
// (ValidatePassword) and FR/UK phone formats (ValidatePhoneNumber) for new
// users. Update requests use pointer fields so that false and 0 can be
// sent; see Ptr.
//
// Creates, updates and K-token requests are sent once; so are the GETs
// that spend a one-time token (verify_email and the email-change
// confirmations). POSTs that only read (index_with_details, the lock-log
// queries, ...) are retried like GETs.
//
// # Errors
//
// An answer other than 2xx is an *Error with the status, Havr's error,
// error_code and details, the request id and the raw body. A 401 is
// access.ErrUnauthorized whatever error_code says (a wrong password is
// invalid_credentials); a 403 is always access.ErrForbidden, and also what
// its code says, as Havr answers 403 for conflicts and validation errors
// too; otherwise error_code decides where there is one
// (door_lock_does_not_exist is access.ErrNotFound) and the status where
// there is none. Secrets of Havr's own (the door-lock settings code and
// flash payload, besides passwords and tokens) are redacted in logs and
// never printed (DoorLockSettingsCode, DoorLockFlashPayload, Tokens).
//
// # access
//
// *Client implements access.DoorLister (the door locks the user owns or
// administers), access.Granter, GrantGetter, GrantLister and GrantUpdater.
// Havr doors open from the phone with a K token, not from the API, so the
// client is not an access.DoorOpener. A visitor with an email gets a shared
// key by link (POST /v1/shared_keys/create_with_link, one per door, emailed
// by Havr); a holder with a Havr user id gets an app key (POST
// /v1/shared_keys/create_or_update). Havr cannot send SMS or PINs. A grant
// id lists its shared key ids ("20" or "20,21").
//
// A member grant lists the member's keys first (create_or_update would
// silently change a key the member holds) and takes the client's turn on
// each member and door while it does (WithLocker; share one Locker between
// replicas), so a second grant for the same member and door is
// access.ErrConflict.
//
// The grant key and label go into the keys' note, "[key] label", whole: the
// document gives notes no length limit (its 40 characters are the door
// lock description's), so every key access.ValidateKey accepts, ']' and
// all (escaped in the note), is found again by ListGrants, and the lookup
// by key is authoritative (one listing of every shared key).
//
// A grant's window is one period. A key without an end date, or whose
// period repeats (a recurrency set in Havr's app), gives access until it is
// deleted: its grant shows no end (a zero Window.End) and never expires, so
// plans revoke it when no booking wants it, and an update, which cannot stop
// a repeat (Havr's PATCH takes no "none"), is access.ErrUnsupported, so
// access.EnsureGrant makes the grant again as a single period.
//
// # Evidence of success
//
//   - CreateGrant succeeds when Havr answered every door's create with its
//     shared key and kept the note whole; a note kept otherwise undoes the
//     grant (access.ErrUnsupported), havrtest.Server.SetNoteLimit plays such
//     a server. A link key stays pending until the visitor opens the link; a
//     member's key is pending while the owner must confirm it. When a later
//     door fails, the keys already made are deleted within the rollback
//     grace (WithRollbackGrace) past the caller's context; a clean-up that
//     cannot finish is a *RollbackError (access.ErrOutcomeUnknown) naming the
//     keys that may be left.
//   - UpdateGrantWindow succeeds when Havr answered every key's PATCH; the
//     grant is then read back. If a key fails, the keys before it keep the
//     new window, and calling again finishes the move.
//   - RevokeGrant succeeds when Havr answered the delete of every key
//     (DELETE /v1/shared_keys/:id for one, delete_multiple_shared_keys for
//     several, which deletes all or none, then one DELETE per key when one
//     is already gone); it is access.ErrNotFound only when Havr said every
//     key was gone.
//   - A shared key status doorkit does not know leaves the door pending with
//     the status in the reason, never failed, nor revoked: a grant is gone
//     only on Havr's word (its 404, or a key listed deleted or refused by
//     the owner). A key listed "inactive", a status Havr gives door locks
//     and accounts, which become active again, is such a status.
//
// The package havrtest serves an in-memory Havr for tests and examples.
package havr
