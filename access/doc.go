// Package access is doorkit's vendor-neutral vocabulary for physical access
// control: doors, time-bounded grants and the credentials that carry them.
//
// Each vendor package (resivo, august, primis, havr) is a complete client of
// its vendor's HTTP API and implements the small interfaces declared here
// for the parts of the job the vendor supports. Capabilities are discovered
// by type assertion, the way net/http exposes http.Flusher:
//
//	if opener, ok := client.(access.DoorOpener); ok {
//		err := opener.OpenDoor(ctx, doorID)
//	}
//
// Errors returned by every vendor match the sentinels of this package with
// errors.Is, so one integration handles "not found", "denied" or "offline"
// the same way whatever the vendor. Every error a vendor call returns is of
// one class: ErrInvalid (refused before anything was sent), ErrUnavailable
// (nothing reached the vendor: trying again is safe), ErrOutcomeUnknown (a
// create or an unlock may have reached the vendor: look the result up before
// acting again), the context's own error, or the vendor's *Error matching
// the sentinel of its answer. A change to a door is reported done only on
// the vendor's positive evidence, and "not found" only on the vendor's own
// word; each vendor package's doc says what that evidence is. What else the
// vendor clients share (retries, redirects, bounds, pacing, logging, your
// own transport) is described once in the README's "Behaviour you can rely
// on".
//
// A booking system drives the grant lifecycle with the caller's key (the
// booking id) rather than stored grant ids: EnsureGrant on every "confirmed"
// or "moved" trigger creates the grant once, updates or re-makes it when the
// booking changed, and resolves a create whose answer was lost
// (ErrOutcomeUnknown) by looking the key up; EnsureRevoked and
// EnsureRevokedByKey cancel, treating "already gone" as done. The optional
// interfaces GrantGetter, GrantLister and GrantUpdater sit next to Granter;
// vendors that cannot keep the key themselves use a KeyStore.
//
// Finding no grant by key after a lost create proves nothing was made only
// when the lookup is the vendor's own, complete word: a GrantLister says so
// with KeyAuthority, and EnsureGrant creates again only then; otherwise it
// returns ErrOutcomeUnknown. Each implementation's KeyLookupAuthoritative
// says why: havr yes (one listing of every shared key, the key in the note
// written with it); august no (PINs load asynchronously, and which user a
// loaded PIN belongs to is not documented); resivo no (the lookup reads the KeyStore, not
// resivo); accesstest.Memory yes; a Directory when every account that
// grants is; primis grants nothing. A GrantLister without KeyAuthority is
// taken as not authoritative.
//
// Over time triggers get lost and grants drift (edited in a vendor's
// portal, a PIN that failed to load, a cancellation never delivered):
// PlanGrants compares every booking that wants access with what each
// account holds and returns a Plan to read (Terraform-like text, JSON) of
// creates, updates, recreates and revokes, the grants it may not touch and
// health findings, never revoking on partial knowledge; Apply carries it
// out through EnsureGrant and EnsureRevoked, checking each change again
// under its key's turn.
//
// Each grant reports per door whether access is set up (DoorAccess.State)
// and the grant's overall state derives from its doors; Door.Capabilities
// says before any call what a door supports.
//
// The package also holds the helpers a booking integration needs around
// those calls: resolving door names to their current ids and checking email
// addresses (ValidateEmail). Preparing a phone number for SMS delivery is in
// package github.com/doorkit/doorkit/phone, apart so that programs using
// vendors without SMS do not link its metadata.
package access
