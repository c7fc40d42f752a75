// Package augusttest is a stateful in-memory August (Yale Access) partner
// API for tests, examples and benchmarks, served over TLS. It does not
// import the august client: it speaks the wire format of the vendor
// documents (august-api.txt, august-notes.md, the recorded real answers).
//
// It keeps users, houses, locks (lock info, status, users on a lock), PIN
// slots (240 per lock) with reservations that expire after about 3 minutes
// on the fake's clock (SetClock, Advance), asynchronous PIN commands whose
// per-command results are POSTed to the command's webhook, the master PIN,
// PIN transfer, sync remote operate (with an injectable delay or hook) and
// async remote operate (202, result by webhook), device capabilities,
// partner sub-users, logout, websocket subscribers and webhook
// registrations whose static header and token every delivery carries.
//
// Auth is August's: every request needs x-august-api-key (else 403
// {"code":"Forbidden","message":"API key is not valid"}) and a valid
// x-august-access-token (else 401). Every authenticated answer carries a
// fresh token in the x-august-access-token response header; the presented
// token keeps working for SetTokenGrace (10 minutes by default) and every
// token expires SetTokenTTL (90 days) after issue. NewToken hands out a
// first token, as the OAuth code exchange would; GET /authorization and
// POST /access_token serve that exchange and the refresh grant.
//
// Asynchronous results run on one goroutine in order. HoldDeliveries keeps
// them from happening until ReleaseDeliveries; RepeatDeliveries sends each
// one several times, Redeliver sends one again; FailPINCommand makes a
// command fail with a reason; WaitDeliveries waits for the released ones.
// The state change happens when a result is released, just before its
// webhook call: a PIN being loaded is listed under "created" (state
// "created") until then, then under "loaded". Deliveries use the client set
// with SetWebhookClient. SetPINCommandHook sees each PIN command before the
// fake looks at it, and may hold it (a hung call). SetPINState moves a PIN
// to any listing state, including ones August does not document. Close
// stops the delivery goroutine.
//
// GET /devices/capabilities answers a paired keypad's PIN lengths for the
// keypad's serial number, and for the lock's with
// SetKeypadCapabilitiesOnLockSerial (the documents do not say which);
// Lock.OmitEntryCodes leaves supportsEntryCodes out of lock info, as the
// recorded answers of keypad locks do.
//
// Lock behaviour is switched per lock: SetBridgeOnline (422 {"code":98,
// "message":"Bridge is offline"}), SetLockError (408, 423, 460, 530, 531,
// 550, 551, 560 on remote operate), SetBattery, RenameLock and Operate
// (notifications). Fault injection, latency and the request log come from
// the shared front (Inject, FailNext for 429s, SetLatency, Requests, and
// its token-bucket rate limit where the front has one); their answers use
// August's error body.
//
// The documents leave much open. What this fake decides, so tests know
// which answers are its own:
//
//   - Error bodies other than the 403 and 422 above are invented in
//     August's {"code","message"} form with restify-style codes:
//     400 MissingParameter / InvalidArgument / InvalidContent, 401
//     Unauthorized, 404 ResourceNotFound, 409 Conflict, 411 LengthRequired,
//     412 PreconditionFailed, 415 UnsupportedMediaType, 429
//     TooManyRequests, 501 NotImplemented. Lock error statuses use the
//     status as a numeric code (530 "Lock is jammed", ...).
//   - A bodiless PUT or POST without Content-Length: 0 answers 411 (the real
//     server hangs). A body that is not Content-Type application/json
//     answers 415. A lockID not matching ^[\dA-F]{32}$ answers 400; a lock
//     the caller is not on answers 404.
//   - Every PIN operation needs a manager or superuser on the lock (else
//     403); all but the listing need a keypad (else 412); PIN commands also
//     need a bridge (else 412; offline 422). Users listed as "user" may
//     remote operate.
//   - POST /locks/:lockID/pins: the batch is all or nothing. Load requires
//     action, pin, accessType, firstName, lastName, partnerUserID and the
//     request webhook (an absolute http(s) URL); update requires pin and
//     accessType; delete requires pin and the PIN's userID (404 when the
//     PIN on the lock has another user, or none yet); disable and enable
//     require pin. temporary,
//     oneTime and recurring need accessTimes "DTSTART=<RFC 3339 UTC,
//     Z>;DTEND=<...>" with DTEND after DTSTART and in the future; recurring
//     also needs an accessRecurrence RRULE (FREQ=...). Type 1 locks take
//     only "always". The PIN must be digits of the lock's length
//     (PINLengthMin..PINLengthMax, 4..6 by default; capabilities report it
//     as keypad.pinLengthMin/pinLengthMax). 409 for a PIN already on the
//     lock or the master PIN, one reserved by another user, a partnerUserID
//     that already has a PIN on the lock, a PIN with a command pending, a
//     wrong state (disable needs loaded, enable disabled, update loaded or
//     disabled), or no slot left. 404 when a non-load command names a PIN
//     that is not on the lock.
//   - Which user a PIN loaded with a partnerUserID belongs to is not
//     documented, so SetSubUserJoin chooses. With the join (the default) a
//     load makes (or reuses) the caller's partner sub-user for
//     partnerUserID, and the PIN's userID is that sub-user's id from the
//     moment the load is accepted. Without it a load makes no sub-user: the
//     PIN belongs to the caller's sub-user for partnerUserID if POST
//     /partners/sub-user made one before, and otherwise has no userID until
//     the load completes, then a user of its own that nothing links to the
//     partnerUserID. Either way the PIN listing does NOT show partnerUserID
//     (the documented PIN shape has no such field), and a PIN without a
//     user is listed without the userID key. firstName/lastName are shown
//     back as sent.
//   - Listing: all seven state lists are always present. accessType
//     oneTime is rendered "one-time" (as real answers spell it);
//     accessStartTime/accessEndTime carry the window; apiKey carries the
//     partner client id (not the secret key); unverified is true for
//     sub-user PINs. A load that fails disappears from the listing;
//     another failed command restores the previous state; a delete removes
//     the PIN (and frees its slot) when its result is released.
//   - A PIN result is POSTed to the command's webhook as {"eventID",
//     "notificationType":"pincommand", "lockID", "action", "status":
//     "success"|"failure", "reason" (on failure), "pin", "slot", "userID",
//     "partnerUserID", "state" (the PIN's state after it), "dateTime"}.
//     Repeated deliveries keep the eventID. The delivery carries the header
//     and token of the lock's registration with the same URL, else of the
//     lock's registration by the same API key's client, else none; with
//     SetCommandResultHeader(false) none at all (August documents the header
//     for lock webhooks only). The fake does not retry a delivery the
//     receiver refused.
//   - Reservations: GET /locks/:lockID/pin answers {pin, slot}: a random PIN
//     of the lock's longest length in the lowest free slot (slots count
//     loaded PINs and live reservations), 409 when none is left. A load of
//     a reserved PIN uses its slot; loading an unreserved PIN is allowed.
//     DELETE /locks/:lockID/pin/:pin releases the caller's reservation (404
//     when there is none).
//   - Master PIN (paths inferred): GET answers the documented PIN shape
//     with type "master" (404 when none); PUT {pin (string or number),
//     webhook (^https, optional)} applies when its result is delivered, or
//     at once without a webhook. Transfer (path inferred) is synchronous.
//   - Remote operate: type defaults to sync; retryLimit must be 1..3; an
//     unknown command is 501; unlatch on a lock without it is 412; a
//     second operate while a sync one is in flight is 423. v1 and v2
//     (Accept-Version 2.0.0, recorded on RemoteOperation.Version) behave
//     alike. A sync answer has the recorded shape (status kAugLockState_*,
//     doorState kAugDoorState_*, info, retryCount, totalTime,
//     resultsFromOperationCache). The operation happens even when the
//     caller gave up waiting. Async answers 202 with no body; when
//     released, the lock acts and an event goes to the body's webhook (if
//     any) and to registrations for "operation": {"eventID",
//     "notificationType":"operation", "lockID", "dateTime", "action",
//     "callingUserID", "remoteEvent":1, "status", "doorState", "info", and
//     on failure "error":{"status", "code", "message", "body":{"code","message"}}}. Sync
//     operates notify registrations too. August publishes no webhook body:
//     SetOperationEventShape switches to a "statusCode" and "result" shape,
//     or to a bare one that names no user, date or remote source. 423/460 answer at once; other lock
//     errors answer the sync call, or arrive as the async event's error.
//   - Other events: battery {"battery", "batteryInfo"}, systemstatus
//     {"status":"associated_bridge_online"|"..._offline", "bridgeID",
//     "bridgeSerial"}, configuration {"LockName", "changed"}, operation
//     from Operate {"action", "callingUserID", "status", "doorState"}; all
//     with eventID, notificationType, lockID and dateTime. Nothing is sent
//     for accessmgmt ("not implemented yet" in the older guide).
//   - GET /locks/:lockID/status answers {"status":"kAugLockState_...",
//     "doorState":"kAugLockDoorState_..."}; 409 without a bridge. Lock info
//     has one shape whatever the Accept-Version (the newer shape is not
//     documented). DELETE /locks/:lockID (superuser) forgets the lock,
//     soft or not.
//   - Users: adduser takes a known user id, or an email:/phone: identifier
//     of someone the fake then invites; returnInvited adds "userId" to
//     {"message":"success"}; adding a user again with the same type is a
//     success (PUT), with another type 409 unless
//     options.isUpdatingPermissions. Only a superuser adds or
//     removes a superuser or changes types.
//   - Sub-users (POST path inferred): keyed by (caller, partnerUserID);
//     the access_token works. Listing pages count from 1, pageSize 100 by
//     default.
//   - Logout invalidates every token of the calling token's install and
//     answers null. Webhook registration answers {"message":"success"};
//     header and token go together; method is POST (default) or PUT.
//   - OAuth (auth.august.com in production, this server here): GET
//     /authorization logs in OwnerID (or the login_hint query's user) at
//     once and redirects with a code; POST /access_token takes the
//     documented JSON body (or a form, or Basic client credentials) and
//     answers {access_token, token_type, expires_in, refresh_token}, or
//     RFC 6749 errors (invalid_client 401, invalid_grant 400). Refresh
//     tokens can be used again.
//   - Memory is bounded: 1024 live tokens per install, at least the newest
//     4096 deliveries and operations (trimmed in chunks), 4096 websocket
//     subscribers.
package augusttest
