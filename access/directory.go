package access

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"strings"
	"sync"
)

// AccountSeparator joins an account name and a vendor's id in the door and
// grant ids of a Directory: "hq-havr:11". Account names cannot hold it, so
// the first one splits the id whatever the vendor's id contains.
const AccountSeparator = ":"

// validAccountName reports whether name is what an account name may be:
// short, and safe in ids, logs and URLs (1 to 32 letters, digits, '.', '_'
// or '-', starting with a letter or digit). It is written out rather than a
// package-level regexp, whose compiling every program importing access
// would pay for at start.
func validAccountName(name string) bool {
	if name == "" || len(name) > 32 {
		return false
	}
	for i := 0; i < len(name); i++ {
		switch c := name[i]; {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case i > 0 && (c == '.' || c == '_' || c == '-'):
		default:
			return false
		}
	}
	return true
}

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
//   - ListGrants asks every account that grants at once (at most
//     MaxParallelAccounts at a time), or only the door's account when the
//     filter names a door, so a lookup by key finds a booking's grant in
//     whichever account holds it (a booking moved between accounts still has
//     its old grant found and revoked) in the time of the slowest account;
//     its lookup by key is authoritative (KeyAuthority) when every such
//     account's is;
//   - EnsureGrant through a Directory checks the request's doors before
//     anything is sent: doors of an account that cannot grant (Primis) are
//     ErrUnsupported at once, with no account asked to list anything.
//
// Errors from an account are *AccountError values naming it. Add accounts
// before use; a Directory is safe for concurrent use.
type Directory struct {
	mu       sync.RWMutex
	names    []string
	accounts map[string]any
	locker   Locker
}

// MaxParallelAccounts bounds how many accounts a Directory asks at once
// (ListDoors, ListGrants).
const MaxParallelAccounts = 32

var (
	_ ListedGrantUpdater = (*Directory)(nil)
	_ ListedGrantRevoker = (*Directory)(nil)
	_ DoorLister         = (*Directory)(nil)
	_ DoorOpener         = (*Directory)(nil)
	_ Granter            = (*Directory)(nil)
	_ GrantGetter        = (*Directory)(nil)
	_ GrantLister        = (*Directory)(nil)
	_ GrantUpdater       = (*Directory)(nil)
	_ LockerProvider     = (*Directory)(nil)
	_ KeyAuthority       = (*Directory)(nil)
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
	if !validAccountName(name) {
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
	slots := make(chan struct{}, MaxParallelAccounts)
	for i, name := range names {
		client, _ := d.Account(name)
		lister, ok := client.(DoorLister)
		if !ok {
			continue
		}
		slots <- struct{}{}
		wg.Go(func() {
			defer func() { <-slots }()
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
	name, granter, vendorReq, err := d.routeGrant(req)
	if err != nil {
		return nil, err
	}
	grant, err := granter.CreateGrant(ctx, vendorReq)
	if err != nil {
		return nil, accountErr(name, err)
	}
	return inAccount(name, grant), nil
}

// routeGrant finds the account of a request's doors and the request in that
// account's ids. Doors of two accounts, or of an unknown one, are
// ErrInvalid; an account that does not grant is ErrUnsupported.
func (d *Directory) routeGrant(req GrantRequest) (string, Granter, GrantRequest, error) {
	var name string
	vendorReq := req
	vendorReq.DoorIDs = make([]string, len(req.DoorIDs))
	for i, doorID := range req.DoorIDs {
		account, id, err := SplitID(doorID)
		if err != nil {
			return "", nil, req, Invalid(fmt.Sprintf("DoorIDs[%d]", i), err.Error())
		}
		if name != "" && account != name {
			return "", nil, req, Invalid("DoorIDs", fmt.Sprintf("doors of two accounts (%q and %q) cannot share a grant; make one per account", name, account))
		}
		name, vendorReq.DoorIDs[i] = account, id
	}
	if name == "" {
		return "", nil, req, Invalid("DoorIDs", "at least one door is required")
	}
	client, ok := d.Account(name)
	if !ok {
		return "", nil, req, Invalid("DoorIDs[0]", fmt.Sprintf("%q: no account %q in this directory", req.DoorIDs[0], name))
	}
	granter, ok := client.(Granter)
	if !ok {
		return "", nil, req, unsupported(name, client, "grant access")
	}
	return name, granter, vendorReq, nil
}

// checkGrantRequest reports, before EnsureGrant looks anything up, a
// request no account can grant: its doors' account is unknown or does not
// grant, or they belong to two accounts.
func (d *Directory) checkGrantRequest(req GrantRequest) error {
	_, _, _, err := d.routeGrant(req)
	return err
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

// UpdateListedGrantWindow changes the window of a grant the Directory's
// ListGrants yielded, in its account: from what the listing showed where
// the account's client can (ListedGrantUpdater), else by id.
func (d *Directory) UpdateListedGrantWindow(ctx context.Context, listed *Grant, window Window) (*Grant, error) {
	name, client, id, err := d.route(listed.ID)
	if err != nil {
		return nil, err
	}
	var g *Grant
	switch c := client.(type) {
	case ListedGrantUpdater:
		g, err = c.UpdateListedGrantWindow(ctx, outOfAccount(listed, id), window)
	case GrantUpdater:
		g, err = c.UpdateGrantWindow(ctx, id, window)
	default:
		return nil, unsupported(name, client, "change grant windows")
	}
	if err != nil {
		return nil, accountErr(name, err)
	}
	return inAccount(name, g), nil
}

// RevokeListedGrant revokes a grant the Directory's ListGrants yielded, in
// its account: from what the listing showed where the account's client can
// (ListedGrantRevoker), else by id.
func (d *Directory) RevokeListedGrant(ctx context.Context, listed *Grant) error {
	name, client, id, err := d.route(listed.ID)
	if err != nil {
		return err
	}
	switch c := client.(type) {
	case ListedGrantRevoker:
		return accountErr(name, c.RevokeListedGrant(ctx, outOfAccount(listed, id)))
	case Granter:
		return accountErr(name, c.RevokeGrant(ctx, id))
	}
	return unsupported(name, client, "grant access")
}

// outOfAccount is the inverse of inAccount: the grant with its account's
// own ids, id being the vendor's grant id.
func outOfAccount(g *Grant, id string) *Grant {
	c := *g
	c.ID = id
	c.Doors = append([]DoorAccess(nil), g.Doors...)
	for i := range c.Doors {
		if _, vendorID, err := SplitID(c.Doors[i].DoorID); err == nil {
			c.Doors[i].DoorID = vendorID
		}
	}
	return &c
}

// ListGrants lists the grants of every account that grants, asking the
// accounts at once (at most MaxParallelAccounts at a time) and yielding
// their grants in account order; with filter.DoorID, only that door's
// account is asked. An account that grants but cannot list yields an
// ErrUnsupported *AccountError, so a lookup by key never passes over it
// silently; a failing account does not hide the others' grants. A caller
// that stops early cancels the listings still running.
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
		if ctx == nil {
			yield(nil, errNilContext)
			return
		}
		type listing struct {
			name   string
			grants []*Grant
			errs   []error
			done   chan struct{}
		}
		var listings []*listing
		for _, name := range names {
			client, _ := d.Account(name)
			if _, grants := client.(Granter); !grants {
				continue
			}
			l := &listing{name: name, done: make(chan struct{})}
			if _, ok := client.(GrantLister); !ok {
				l.errs = append(l.errs, unsupported(name, client, "list grants"))
				close(l.done)
			}
			listings = append(listings, l)
		}
		ctx, cancel := context.WithCancel(ctx)
		var wg sync.WaitGroup
		defer func() {
			cancel()
			wg.Wait()
		}()
		slots := make(chan struct{}, MaxParallelAccounts)
		wg.Go(func() {
			for _, l := range listings {
				client, _ := d.Account(l.name)
				lister, ok := client.(GrantLister)
				if !ok {
					continue
				}
				select {
				case slots <- struct{}{}:
				case <-ctx.Done():
					l.errs = append(l.errs, accountErr(l.name, ctx.Err()))
					close(l.done)
					continue
				}
				wg.Go(func() {
					defer func() { <-slots }()
					defer close(l.done)
					for g, err := range lister.ListGrants(ctx, vendorFilter) {
						if err != nil {
							l.errs = append(l.errs, accountErr(l.name, err))
							continue
						}
						l.grants = append(l.grants, inAccount(l.name, g))
					}
				})
			}
		})
		for _, l := range listings {
			<-l.done
			for _, err := range l.errs {
				if !yield(nil, err) {
					return
				}
			}
			for _, g := range l.grants {
				if !yield(g, nil) {
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
