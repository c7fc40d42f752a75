// Package havr is a complete client of the Havr smart-lock API: door locks,
// shared keys, lock groups, users and user groups, contacts, companies and
// employments, devices, do-not-disturb states, floor maps, lock logs, lock
// and offline-mode configurations, notifications, session logs, user
// preferences, synchronization, support and the OAuth endpoints (171
// documented operations).
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
// New makes no request. The client id defaults to ClientIDWebPlatform; mobile
// client ids also need WithDeviceUUID, as the API requires.
//
// # Tokens
//
// Havr's tokens carry no lifetime: the client learns that an access token
// expired from a 401, then exchanges the refresh token for a new pair and
// resends the request. When the lifetime is known, WithTokenLifetime lets the
// client renew tokens shortly before they expire instead. Refresh tokens are
// single-use, so only one refresh runs at a time whatever the number of
// goroutines, a refresh token is sent at most once (never resent by the
// retry layer), and the new pair is reported through WithTokenCallback.
// When a refresh fails in any way but a failure to connect, the client falls
// back once to the password or client credentials grant, and otherwise
// returns an error matching access.ErrUnauthorized. A caller waiting for a
// token returns when its context ends; the fetch itself is bounded by
// WithTokenTimeout.
//
// WithRateLimit paces every attempt, token requests and retries included.
//
// # Requests
//
// Bodies are wrapped in their resource key ({"door_lock": {...}}) or sent
// bare exactly as documented; ids are integers (ID); times are sent in UTC
// without milliseconds and read with or without them (Time). Documented rules
// are checked before anything is sent: descriptions of at most 40
// characters, end after start, a recurrency that fits its period (start_date
// to end_date is one occurrence, repeated every day, week, month or year),
// password rules and FR/UK phone formats for new users. Update requests use
// pointer fields so that false and 0 can be sent; see Ptr.
//
// # Errors
//
// A non-2xx answer is an *Error with the status, Havr's error, error_code and
// details. It matches the access sentinels with errors.Is, by error_code
// where there is one (door_lock_does_not_exist is access.ErrNotFound,
// cant_access_another_ones_door_lock access.ErrForbidden, ...) and by status
// otherwise.
//
// # Retries
//
// GET, PUT and DELETE, and POSTs that only read, are retried on connection
// errors and 429/502/503/504. Creates, updates, K-token requests and other
// POSTs and PATCHes are not resent once they may have reached Havr, and
// neither are GETs that spend a one-time token.
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
// *Client implements access.DoorLister (the door locks the user owns or
// administers) and access.Granter: a visitor with an email gets a shared key
// by link (POST /v1/shared_keys/create_with_link, emailed by Havr), a holder
// with a Havr user id gets an app key (POST /v1/shared_keys); RevokeGrant
// deletes the keys. Havr doors open from the phone with a K token, not from
// the API, so the client is not an access.DoorOpener.
//
// The package havrtest serves an in-memory Havr for tests and examples.
package havr
