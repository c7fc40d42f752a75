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
// the same way whatever the vendor.
//
// The package also holds the helpers a booking integration needs around
// those calls: resolving door names to their current ids and checking email
// addresses (ValidateEmail). Preparing a phone number for SMS delivery is in
// package github.com/doorkit/doorkit/phone, apart so that programs using
// vendors without SMS do not link its metadata.
package access
