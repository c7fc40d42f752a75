package august

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/internal/rest"
)

// *Client implements the access interfaces: doors are the caller's locks,
// a grant is a temporary PIN loaded for the holder on each door.
var (
	_ access.DoorLister   = (*Client)(nil)
	_ access.DoorOpener   = (*Client)(nil)
	_ access.Granter      = (*Client)(nil)
	_ access.GrantGetter  = (*Client)(nil)
	_ access.GrantLister  = (*Client)(nil)
	_ access.GrantUpdater = (*Client)(nil)

	_ access.ListedGrantUpdater = (*Client)(nil)
	_ access.ListedGrantRevoker = (*Client)(nil)
	_ access.GrantsByKeysLister = (*Client)(nil)
)

// Vendor is the name August doors and grants carry in access.Door.Vendor.
const Vendor = "august"

// Notice codes of August doors (access.Door.Notices).
const (
	// NoticeTimeZoneUnknown: lock info names a time zone Go does not know
	// and no alias maps it to one; Door.TimeZone is empty and the native
	// Lock keeps August's name.
	NoticeTimeZoneUnknown access.NoticeCode = "august_time_zone_unknown"
	// NoticeFieldsUndecoded: some lock info fields had a type the model
	// does not expect and were left out (Lock.UndecodedFields names
	// them); the door is built from the rest.
	NoticeFieldsUndecoded access.NoticeCode = "august_fields_undecoded"
	// NoticePINLengthsAssumed: August gave no keypad PIN lengths (device
	// capabilities by the keypad's and the lock's serial numbers), so
	// Capabilities.PIN holds the assumed 4 to 6 digits (August keypads'
	// usual range); a PIN of those lengths may still be refused.
	NoticePINLengthsAssumed access.NoticeCode = "august_pin_lengths_assumed"
)

// ConfirmTimeout is the default of WithConfirmTimeout: how long the access
// layer waits for August to confirm a PIN command or an asynchronous unlock
// by webhook, unless the caller's context ends sooner.
const ConfirmTimeout = 2 * time.Minute

// parallelCalls bounds the concurrent per-lock calls of the access layer.
const parallelCalls = 8

// ListDoors returns the caller's locks (GET /users/locks/mine), each with
// its lock info (GET /locks/:lockID) and, for locks with entry codes, the
// keypad's PIN lengths (GET /devices/capabilities). Site is the house id;
// Native the *Lock. TimeZone is the lock's timeZone under its IANA name
// (August sends some that are not, such as "Pacific/Hawaii" for
// Pacific/Honolulu; the native Lock keeps August's): zones load from the
// zone database embedded in this package, so they do not depend on the
// host's. A name no alias maps and Go cannot load leaves TimeZone empty
// with a NoticeTimeZoneUnknown notice.
//
// Capabilities say what the lock supports, Connectivity whether it can be
// reached now: RemoteOpen when the lock has a bridge, operative or not;
// Connectivity Online when the bridge is operative and does not say it is
// offline, Offline when it is not operative or says so, and
// ConnectivityUnknown for a lock without a bridge (no cloud connection to
// report). PIN grants (CredentialPIN, window changes, listing) when it
// takes entry codes (Lock.TakesEntryCodes), has a bridge and is not a
// type-1 lock (which takes "always" PINs only, so no time-bounded grant).
// Door.Notices say what was assumed: a time zone Go does not know, PIN
// lengths August did not give, lock info fields that did not decode.
func (c *Client) ListDoors(ctx context.Context) ([]access.Door, error) {
	if ctx == nil {
		return nil, rest.ErrNilContext
	}
	locks, _, err := c.Locks.List(ctx)
	if err != nil {
		return nil, err
	}
	doors := make([]access.Door, len(locks))
	errs := make([]error, len(locks))
	parallel(len(locks), func(i int) {
		l, err := c.lockInfo(ctx, locks[i].LockID)
		if err != nil {
			errs[i] = fmt.Errorf("august: lock %s: %w", locks[i].LockID, err)
			return
		}
		doors[i] = c.door(ctx, locks[i], l)
	})
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return doors, nil
}

func (c *Client) door(ctx context.Context, s LockSummary, l *Lock) access.Door {
	name := l.LockName
	if name == "" {
		name = s.LockName
	}
	d := access.Door{ID: s.LockID, Name: name, Site: l.HouseID, Vendor: Vendor, Native: l}
	if d.Site == "" {
		d.Site = s.HouseID
	}
	if len(l.UndecodedFields) > 0 {
		d.Notices = append(d.Notices, access.Notice{Code: NoticeFieldsUndecoded, Field: "Native",
			Message: "lock info fields of a type doorkit does not expect were left out: " + strings.Join(l.UndecodedFields, ", ")})
	}
	var zoneNotice *access.Notice
	if d.TimeZone, zoneNotice = doorTimeZone(l.TimeZone); zoneNotice != nil {
		d.Notices = append(d.Notices, *zoneNotice)
	}
	switch {
	case l.BridgeOnline():
		d.Connectivity = access.Online
	case l.HasBridge():
		d.Connectivity = access.Offline
	}
	d.Capabilities.RemoteOpen = l.HasBridge()
	if takesGrants(l) {
		rules, notice := c.pinRulesNoted(ctx, l)
		if notice != nil {
			d.Notices = append(d.Notices, *notice)
		}
		d.Capabilities.Credentials = []access.CredentialKind{access.CredentialPIN}
		d.Capabilities.PIN = &access.PINRules{MinLength: rules.MinLength, MaxLength: rules.MaxLength}
		d.Capabilities.WindowChange = true
		d.Capabilities.GrantListing = true
	}
	return d
}

// checkRemoteOpen refuses an unlock that cannot reach the lock, before
// anything is sent: no bridge is access.ErrUnsupported; a bridge lock info
// says is not operative or offline is access.ErrUnavailable (August would
// answer 422, or hold the command while its bridge is away).
func checkRemoteOpen(doorID string, l *Lock) error {
	if !l.HasBridge() {
		return fmt.Errorf("august: lock %s has no bridge for remote unlock: %w", doorID, access.ErrUnsupported)
	}
	if !l.BridgeOnline() {
		return fmt.Errorf("august: the bridge of lock %s is offline or not operative: %w", doorID, access.ErrUnavailable)
	}
	return nil
}

// takesGrants reports whether the lock takes temporary PINs: it takes
// entry codes (Lock.TakesEntryCodes), has a bridge to push them through,
// and is not a type-1 lock ("always" PINs only).
func takesGrants(l *Lock) bool { return l.TakesEntryCodes() && l.HasBridge() && l.Type != 1 }

// lockInfo gets lock info for a door id.
func (c *Client) lockInfo(ctx context.Context, doorID string) (*Lock, error) {
	if doorID == "" {
		return nil, access.Invalid("doorID", "is required")
	}
	if !validLockID(doorID) {
		return nil, access.Invalid("doorID", fmt.Sprintf("%q is not an August lock id (32 upper-case hexadecimal characters)", doorID))
	}
	l, _, err := c.Locks.Get(ctx, doorID)
	return l, err
}

// assumedPINMaxLength is the longest PIN assumed when August gives no
// lengths: August keypads take 4 to 6 digits.
const assumedPINMaxLength = 6

// pinRules returns the lock's PIN rules (see pinRulesNoted).
func (c *Client) pinRules(ctx context.Context, l *Lock) PINRules {
	rules, _ := c.pinRulesNoted(ctx, l)
	return rules
}

// pinRulesNoted returns the lock's PIN rules: the keypad's lengths from
// device capabilities (cached per lock), asked by the paired keypad's
// serial number, then by the lock's (a built-in keypad's lengths come with
// the lock's). Without them it returns DefaultPINMinLength to
// assumedPINMaxLength and a NoticePINLengthsAssumed notice. One call per
// lock fetches at a time; the others wait and use what it found, or fetch
// in turn if it found nothing.
func (c *Client) pinRulesNoted(ctx context.Context, l *Lock) (PINRules, *access.Notice) {
	if r, ok := c.grants.rules.Load(l.LockID); ok {
		return r.(PINRules), nil
	}
	rules := PINRules{LockType: l.Type, MinLength: DefaultPINMinLength, MaxLength: assumedPINMaxLength}
	turn := c.grants.rulesTurn(l.LockID)
	select {
	case turn <- struct{}{}:
		defer func() { <-turn }()
	case <-ctx.Done():
		return rules, assumedPINLengths(rules, "waiting for another call's device capabilities: "+ctx.Err().Error())
	}
	if r, ok := c.grants.rules.Load(l.LockID); ok {
		return r.(PINRules), nil
	}
	var serials []string
	if l.Keypad != nil && l.Keypad.SerialNumber != "" {
		serials = append(serials, l.Keypad.SerialNumber)
	}
	if l.SerialNumber != "" && !slices.Contains(serials, l.SerialNumber) {
		serials = append(serials, l.SerialNumber)
	}
	why := "lock info names no serial number to ask by"
	for _, serial := range serials {
		caps, _, err := c.Devices.GetCapabilities(ctx, &CapabilitiesOptions{SerialNumber: serial})
		switch {
		case err != nil:
			why = "device capabilities failed: " + err.Error()
		case caps.Keypad == nil || caps.Keypad.PINLengthMin <= 0 || caps.Keypad.PINLengthMax < caps.Keypad.PINLengthMin:
			why = "device capabilities name no keypad PIN lengths"
		default:
			rules.MinLength, rules.MaxLength = caps.Keypad.PINLengthMin, caps.Keypad.PINLengthMax
			c.grants.rules.Store(l.LockID, rules)
			return rules, nil
		}
	}
	return rules, assumedPINLengths(rules, why)
}

// assumedPINLengths is the notice of PIN rules assumed for why.
func assumedPINLengths(rules PINRules, why string) *access.Notice {
	return &access.Notice{Code: NoticePINLengthsAssumed, Field: "Capabilities.PIN",
		Message: fmt.Sprintf("PIN lengths assumed to be %d to %d digits (%s)", rules.MinLength, rules.MaxLength, why)}
}

// parallel runs f(0..n-1) with at most parallelCalls at a time.
func parallel(n int, f func(i int)) {
	sem := make(chan struct{}, parallelCalls)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			f(i)
		}()
	}
	wg.Wait()
}
