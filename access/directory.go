package access

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"regexp"
	"strings"
	"sync"
)

// AccountSeparator joins an account name and a vendor's id in the door and
// grant ids of a Directory: "hq-havr:11". Account names cannot hold it, so
// the first one splits the id whatever the vendor's id contains.
const AccountSeparator = ":"

// accountName is what an account name may be: short, and safe in ids,
// logs and URLs.
var accountName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$`)

// Directory holds named vendor accounts ("hq-havr", "lab-primis") and is
// itself an implementation of every access interface, so one integration
// runs over several vendors and accounts at once:
//
//   - door and grant ids name their account: "hq-havr:11" is door 11 of the
//     account "hq-havr" (see AccountSeparator); sites are prefixed the same
//     way, so names stay unique per site;
//   - ListDoors asks every account at once; an account that fails does not
//     hide the others' doors: their doors are returned with an error that
//     joins one *AccountError per failing account (errors.Is sees through
//     it);
//   - ResolveDoorIDs resolves names from the accounts that answered and
//     returns the failures beside the ids; a site ("lab:hq") asks only its
//     account;
//   - calls on a door or grant go to its account; a grant whose doors belong
//     to two accounts is ErrInvalid; an account whose client lacks the
//     interface answers ErrUnsupported;
//   - ListGrants asks each account that grants in turn, or only the door's
//     account when the filter names a door; its lookup by key is
//     authoritative (KeyAuthority) when every such account's is.
//
// Errors from an account are *AccountError values naming it. Add accounts
// before use; a Directory is safe for concurrent use.
type Directory struct {
	mu       sync.RWMutex
	names    []string
	accounts map[string]any
	locker   Locker
}

var (
	_ DoorLister     = (*Directory)(nil)
	_ DoorOpener     = (*Directory)(nil)
	_ Granter        = (*Directory)(nil)
	_ GrantGetter    = (*Directory)(nil)
	_ GrantLister    = (*Directory)(nil)
	_ GrantUpdater   = (*Directory)(nil)
	_ LockerProvider = (*Directory)(nil)
	_ KeyAuthority   = (*Directory)(nil)
)

// NewDirectory returns an empty Directory.
func NewDirectory() *Directory {
	return &Directory{accounts: map[string]any{}, locker: NewMemoryLocker()}
}

// Locker returns the Locker EnsureGrant and EnsureRevokedByKey take key
// turns from on this Directory: an in-memory one of its own unless
// SetLocker gave another.
func (d *Directory) Locker() Locker {
	d.mu.RLock()
	defer d.mu.RUnlock()
	return d.locker
}

// SetLocker makes the Directory's key turns come from l, a shared Locker
// (redisstore) when several replicas serve the same bookings.
func (d *Directory) SetLocker(l Locker) {
	if l == nil {
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.locker = l
}

// Add adds a vendor client under name: 1 to 32 letters, digits, '.', '_'
// or '-', starting with a letter or digit. The client must implement at
// least one access interface. A name already taken is ErrConflict.
func (d *Directory) Add(name string, client any) error {
	if !accountName.MatchString(name) {
		return Invalid("name", fmt.Sprintf("account name %q must be 1-32 letters, digits, '.', '_' or '-'", name))
	}
	switch client.(type) {
	case DoorLister, DoorOpener, Granter, GrantGetter, GrantLister, GrantUpdater:
	default:
		return Invalid("client", fmt.Sprintf("%T implements no access interface", client))
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if _, ok := d.accounts[name]; ok {
		return fmt.Errorf("access: account %q already added: %w", name, ErrConflict)
	}
	d.accounts[name] = client
	d.names = append(d.names, name)
	return nil
}

// Accounts returns the account names in the order they were added.
func (d *Directory) Accounts() []string {
	d.mu.RLock()
	defer d.mu.RUnlock()
	return append([]string(nil), d.names...)
}

// Account returns the client added under name.
func (d *Directory) Account(name string) (client any, ok bool) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	client, ok = d.accounts[name]
	return client, ok
}

// AccountError is an error from one account of a Directory.
type AccountError struct {
	Account string
	Err     error
}

func (e *AccountError) Error() string { return fmt.Sprintf("access: account %q: %v", e.Account, e.Err) }

// Unwrap returns the account's error.
func (e *AccountError) Unwrap() error { return e.Err }

func accountErr(name string, err error) error {
	if err == nil {
		return nil
	}
	return &AccountError{Account: name, Err: err}
}

// JoinID makes a Directory id from an account name and a vendor's id.
func JoinID(account, id string) string { return account + AccountSeparator + id }

// SplitID splits a Directory id into its account name and the vendor's id.
// An id without an account, or "", is ErrInvalid: it was not made by a
// Directory, and answering ErrNotFound would let EnsureRevoked report a
// revocation as done while the grant lives on.
func SplitID(id string) (account, vendorID string, err error) {
	if id == "" {
		return "", "", Invalid("id", "is required")
	}
	account, vendorID, ok := strings.Cut(id, AccountSeparator)
	if !ok || account == "" || vendorID == "" {
		return "", "", &InvalidError{Field: "id", Reason: fmt.Sprintf("%q names no account (want account%sid)", id, AccountSeparator)}
	}
	return account, vendorID, nil
}

// route finds the account of a Directory id.
func (d *Directory) route(id string) (name string, client any, vendorID string, err error) {
	name, vendorID, err = SplitID(id)
	if err != nil {
		return "", nil, "", err
	}
	client, ok := d.Account(name)
	if !ok {
		// Not ErrNotFound: the grant may live on in an account that was
		// renamed or not added, and EnsureRevoked takes ErrNotFound as done.
		return "", nil, "", &InvalidError{Field: "id", Reason: fmt.Sprintf("%q: no account %q in this directory", id, name)}
	}
	return name, client, vendorID, nil
}

func unsupported(name string, client any, what string) error {
	return &AccountError{Account: name, Err: fmt.Errorf("%T does not %s: %w", client, what, ErrUnsupported)}
}

// ListDoors lists the doors of every account that lists doors, at once.
// Doors come in account order. When some accounts fail, the doors of the
// others are returned with the joined *AccountError of each failure.
func (d *Directory) ListDoors(ctx context.Context) ([]Door, error) {
	names := d.Accounts()
	type result struct {
		doors []Door
		err   error
	}
	results := make([]result, len(names))
	var wg sync.WaitGroup
	for i, name := range names {
		client, _ := d.Account(name)
		lister, ok := client.(DoorLister)
		if !ok {
			continue
		}
		wg.Go(func() {
			doors, err := lister.ListDoors(ctx)
			results[i] = result{doors, accountErr(name, err)}
		})
	}
	wg.Wait()
	var doors []Door
	var errs []error
	for i, r := range results {
		errs = append(errs, r.err)
		doors = appendInAccount(doors, names[i], r.doors)
	}
	return doors, errors.Join(errs...)
}

// listAccountDoors lists the doors of one account only, with Directory ids.
func (d *Directory) listAccountDoors(ctx context.Context, name string) ([]Door, error) {
	client, ok := d.Account(name)
	if !ok {
		return nil, Invalid("site", fmt.Sprintf("no account %q in this directory", name))
	}
	lister, ok := client.(DoorLister)
	if !ok {
		return nil, unsupported(name, client, "list doors")
	}
	doors, err := lister.ListDoors(ctx)
	return appendInAccount(nil, name, doors), accountErr(name, err)
}

// appendInAccount appends doors of account name with Directory ids and sites.
func appendInAccount(out []Door, name string, doors []Door) []Door {
	for _, door := range doors {
		door.ID = JoinID(name, door.ID)
		if door.Site != "" {
			door.Site = JoinID(name, door.Site)
		}
		out = append(out, door)
	}
	return out
}

// OpenDoor opens a door through its account.
func (d *Directory) OpenDoor(ctx context.Context, doorID string) error {
	name, client, id, err := d.route(doorID)
	if err != nil {
		return err
	}
	opener, ok := client.(DoorOpener)
	if !ok {
		return unsupported(name, client, "open doors")
	}
	return accountErr(name, opener.OpenDoor(ctx, id))
}

// CreateGrant creates the grant in the account of its doors. Doors of two
// accounts are ErrInvalid: no vendor can make one grant over both.
func (d *Directory) CreateGrant(ctx context.Context, req GrantRequest) (*Grant, error) {
	if err := req.Validate(); err != nil {
		return nil, err
	}
	var name string
	vendorReq := req
	vendorReq.DoorIDs = make([]string, len(req.DoorIDs))
	for i, doorID := range req.DoorIDs {
		account, id, err := SplitID(doorID)
		if err != nil {
			return nil, Invalid(fmt.Sprintf("DoorIDs[%d]", i), err.Error())
		}
		if name != "" && account != name {
			return nil, Invalid("DoorIDs", fmt.Sprintf("doors of two accounts (%q and %q) cannot share a grant; make one per account", name, account))
		}
		name, vendorReq.DoorIDs[i] = account, id
	}
	client, ok := d.Account(name)
	if !ok {
		return nil, Invalid("DoorIDs[0]", fmt.Sprintf("%q: no account %q in this directory", req.DoorIDs[0], name))
	}
	granter, ok := client.(Granter)
	if !ok {
		return nil, unsupported(name, client, "grant access")
	}
	grant, err := granter.CreateGrant(ctx, vendorReq)
	if err != nil {
		return nil, accountErr(name, err)
	}
	return inAccount(name, grant), nil
}

// inAccount gives a vendor's grant Directory ids.
func inAccount(name string, g *Grant) *Grant {
	if g == nil {
		return nil
	}
	c := *g
	c.ID = JoinID(name, g.ID)
	c.Doors = append([]DoorAccess(nil), g.Doors...)
	for i := range c.Doors {
		c.Doors[i].DoorID = JoinID(name, c.Doors[i].DoorID)
	}
	return &c
}

// RevokeGrant revokes a grant through its account.
func (d *Directory) RevokeGrant(ctx context.Context, grantID string) error {
	name, client, id, err := d.route(grantID)
	if err != nil {
		return err
	}
	granter, ok := client.(Granter)
	if !ok {
		return unsupported(name, client, "grant access")
	}
	return accountErr(name, granter.RevokeGrant(ctx, id))
}

// GetGrant gets a grant from its account.
func (d *Directory) GetGrant(ctx context.Context, grantID string) (*Grant, error) {
	name, client, id, err := d.route(grantID)
	if err != nil {
		return nil, err
	}
	getter, ok := client.(GrantGetter)
	if !ok {
		return nil, unsupported(name, client, "get grants")
	}
	g, err := getter.GetGrant(ctx, id)
	if err != nil {
		return nil, accountErr(name, err)
	}
	return inAccount(name, g), nil
}

// UpdateGrantWindow changes a grant's window in its account.
func (d *Directory) UpdateGrantWindow(ctx context.Context, grantID string, window Window) (*Grant, error) {
	name, client, id, err := d.route(grantID)
	if err != nil {
		return nil, err
	}
	updater, ok := client.(GrantUpdater)
	if !ok {
		return nil, unsupported(name, client, "change grant windows")
	}
	g, err := updater.UpdateGrantWindow(ctx, id, window)
	if err != nil {
		return nil, accountErr(name, err)
	}
	return inAccount(name, g), nil
}

// ListGrants lists the grants of every account that grants, one account
// after the other; with filter.DoorID, only that door's account. An
// account that grants but cannot list yields an ErrUnsupported
// *AccountError, so a lookup by key never passes over it silently; the
// listing goes on with the next account unless the caller stops.
func (d *Directory) ListGrants(ctx context.Context, filter GrantFilter) iter.Seq2[*Grant, error] {
	return func(yield func(*Grant, error) bool) {
		names := d.Accounts()
		vendorFilter := filter
		if filter.DoorID != "" {
			name, _, id, err := d.route(filter.DoorID)
			if err != nil {
				yield(nil, err)
				return
			}
			names, vendorFilter.DoorID = []string{name}, id
		}
		for _, name := range names {
			client, _ := d.Account(name)
			if _, grants := client.(Granter); !grants {
				continue
			}
			lister, ok := client.(GrantLister)
			if !ok {
				if !yield(nil, unsupported(name, client, "list grants")) {
					return
				}
				continue
			}
			for g, err := range lister.ListGrants(ctx, vendorFilter) {
				if err != nil {
					if !yield(nil, accountErr(name, err)) {
						return
					}
					continue
				}
				if !yield(inAccount(name, g), nil) {
					return
				}
			}
		}
	}
}

// KeyLookupAuthoritative reports whether a lookup by key over the directory
// is authoritative (see KeyAuthority): when every account that grants lists
// its grants and says its own lookup by key is. Accounts that do not grant
// hold no grant and do not count.
func (d *Directory) KeyLookupAuthoritative() bool {
	for _, name := range d.Accounts() {
		client, _ := d.Account(name)
		if _, grants := client.(Granter); !grants {
			continue
		}
		lister, ok := client.(GrantLister)
		if !ok || !keyLookupAuthoritative(lister) {
			return false
		}
	}
	return true
}
