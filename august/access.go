package august

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/doorkit/doorkit/access"
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
)

// Vendor is the name August doors and grants carry in access.Door.Vendor.
const Vendor = "august"

// ConfirmTimeout bounds how long the access layer waits for August to
// confirm a PIN command or an asynchronous unlock by webhook, unless the
// caller's context ends sooner.
const ConfirmTimeout = 2 * time.Minute

// parallelCalls bounds the concurrent per-lock calls of the access layer.
const parallelCalls = 8

// ListDoors returns the caller's locks (GET /users/locks/mine), each with
// its lock info (GET /locks/:lockID) and, for locks with entry codes, the
// keypad's PIN lengths (GET /devices/capabilities). Site is the house id;
// TimeZone the lock's timeZone; Native the *Lock.
//
// Capabilities: RemoteOpen when the lock has an operative bridge; PIN
// grants (CredentialPIN, window changes, listing) when it supports entry
// codes, has a bridge and is not a type-1 lock (which takes "always" PINs
// only, so no time-bounded grant).
func (c *Client) ListDoors(ctx context.Context) ([]access.Door, error) {
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
	d := access.Door{ID: s.LockID, Name: name, Site: l.HouseID, Vendor: Vendor, TimeZone: l.TimeZone, Native: l}
	if d.Site == "" {
		d.Site = s.HouseID
	}
	if _, err := time.LoadLocation(d.TimeZone); err != nil {
		d.TimeZone = ""
	}
	switch {
	case l.HasBridge() && l.BridgeOnline():
		d.Connectivity = access.Online
	case l.HasBridge():
		d.Connectivity = access.Offline
	}
	d.Capabilities.RemoteOpen = l.HasBridge()
	if takesGrants(l) {
		rules := c.pinRules(ctx, l)
		d.Capabilities.Credentials = []access.CredentialKind{access.CredentialPIN}
		d.Capabilities.PIN = &access.PINRules{MinLength: rules.MinLength, MaxLength: rules.MaxLength}
		d.Capabilities.WindowChange = true
		d.Capabilities.GrantListing = true
	}
	return d
}

func takesGrants(l *Lock) bool { return l.SupportsEntryCodes && l.HasBridge() && l.Type != 1 }

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

// pinRules returns the lock's PIN rules: the keypad's lengths from device
// capabilities (cached per lock), else DefaultPINMinLength..6.
func (c *Client) pinRules(ctx context.Context, l *Lock) PINRules {
	if r, ok := c.grants.rules.Load(l.LockID); ok {
		return r.(PINRules)
	}
	rules := PINRules{LockType: l.Type, MinLength: DefaultPINMinLength, MaxLength: 6}
	if l.SerialNumber != "" {
		caps, _, err := c.Devices.GetCapabilities(ctx, &CapabilitiesOptions{SerialNumber: l.SerialNumber})
		if err == nil && caps.Keypad != nil && caps.Keypad.PINLengthMin > 0 && caps.Keypad.PINLengthMax >= caps.Keypad.PINLengthMin {
			rules.MinLength, rules.MaxLength = caps.Keypad.PINLengthMin, caps.Keypad.PINLengthMax
			c.grants.rules.Store(l.LockID, rules)
		}
	}
	return rules
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
