package access

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"iter"
	"math"
	"slices"
	"strings"
	"sync"
	"time"
)

// Reconcile: what the vendors hold against what the bookings want.
//
// EnsureGrant keeps one booking right when its trigger arrives; over months
// triggers get lost, people edit grants in the vendors' portals, PINs fail
// to load and grants outlive their bookings. PlanGrants compares the grants
// a booking system wants with what each account holds and returns a Plan to
// read; Apply carries it out through EnsureGrant and EnsureRevoked.

// Defaults of PlanGrants and Apply.
const (
	// DefaultLeadTime is how long before a window starts its grant must be
	// set up (see WithLeadTime).
	DefaultLeadTime = time.Hour
	// DefaultRevokeShare is the share of an account's owned grants one
	// plan may revoke (see WithRevokeShare).
	DefaultRevokeShare = 0.2
	// DefaultConcurrency is how many reads or changes run at once per plan
	// or apply (see WithConcurrency).
	DefaultConcurrency = 8
)

// ErrIncomplete reports an account whose grants could not all be read (its
// listing failed or was cut short, a read failed). PlanGrants plans no
// revoke in it.
var ErrIncomplete = errors.New("access: the account's grants could not all be read; no revoke is planned in it")

// ErrTooManyRevokes reports an account where a plan would revoke more than
// the allowed share of the grants it holds under the owned prefix (see
// WithRevokeShare). Those revokes are withheld.
var ErrTooManyRevokes = errors.New("access: the plan would revoke more than the allowed share of the account's owned grants")

// ReconcileOption configures PlanGrants and Apply. The same options may be
// given to both; each takes those that concern it. The EnsureOptions
// WithLocker and WithAppliedStore are ReconcileOptions too.
type ReconcileOption interface {
	applyReconcile(*reconcileConfig)
}

type reconcileOptionFunc func(*reconcileConfig)

func (f reconcileOptionFunc) applyReconcile(c *reconcileConfig) { f(c) }

func (o EnsureOption) applyReconcile(c *reconcileConfig) { c.ensure = append(c.ensure, o) }

// Recheck asks the booking system, under a key's turn, whether the key's
// booking is wanted now and how: Apply calls it before each change so that
// a booking confirmed since the plan is not revoked and one cancelled since
// is not created. wanted false means no booking wants the key.
type Recheck func(ctx context.Context, key string) (req GrantRequest, wanted bool, err error)

type reconcileConfig struct {
	prefix       string
	prefixSet    bool
	lead         time.Duration
	share        float64
	accounts     []string
	concurrency  int
	progress     func(done, total int, c Change)
	planProgress func(account string, done, total int)
	recheck      Recheck
	ensure       []EnsureOption
}

// WithOwnedPrefix names the keys this integration owns: grants whose key
// starts with prefix are planned (kept, changed, revoked); grants without a
// key or under another prefix are reported as unmanaged and never touched.
// PlanGrants requires it, and every wanted key must carry it. "" owns every
// keyed grant: use it only on accounts nothing else grants on.
func WithOwnedPrefix(prefix string) ReconcileOption {
	return reconcileOptionFunc(func(c *reconcileConfig) { c.prefix, c.prefixSet = prefix, true })
}

// WithLeadTime sets how long before its window starts a grant must be set
// up: a wanted grant not issued on every door by then is a FindingNotIssued.
// The default is DefaultLeadTime.
func WithLeadTime(d time.Duration) ReconcileOption {
	return reconcileOptionFunc(func(c *reconcileConfig) { c.lead = d })
}

// WithRevokeShare sets the brake: a plan that would revoke more than share
// (0 to 1) of the grants an account holds under the owned prefix withholds
// those revokes and fails with ErrTooManyRevokes, since an empty or partial
// wanted list would otherwise revoke everything. A plan may always revoke
// one grant per account, so a single cancellation in a small account goes
// through; 1 or more turns the brake off. Revokes of duplicates do not
// count. The default is DefaultRevokeShare.
func WithRevokeShare(share float64) ReconcileOption {
	return reconcileOptionFunc(func(c *reconcileConfig) { c.share = share })
}

// WithAccounts narrows a plan over a Directory to the named accounts, plus
// those the wanted doors name. By default every account that grants is
// read, since orphans of cancelled bookings can sit in any of them.
func WithAccounts(names ...string) ReconcileOption {
	return reconcileOptionFunc(func(c *reconcileConfig) { c.accounts = append(c.accounts, names...) })
}

// WithConcurrency bounds how many vendor reads a plan makes at once in one
// account (reads per key of a key-store account), and how many changes
// Apply carries out at once in each account it batches (GrantsByKeysLister)
// and among the other changes. The default is DefaultConcurrency. Each
// client's own pacing still applies.
func WithConcurrency(n int) ReconcileOption {
	return reconcileOptionFunc(func(c *reconcileConfig) { c.concurrency = n })
}

// WithProgress makes Apply call fn after each change it carries out, with
// how many are done of the total; calls do not overlap.
func WithProgress(fn func(done, total int, c Change)) ReconcileOption {
	return reconcileOptionFunc(func(c *reconcileConfig) { c.progress = fn })
}

// WithPlanProgress makes PlanGrants call fn as it reads an account's
// grants: total is the number of keys to read in a key-store account, 0
// when the account's listing does not say; calls do not overlap.
func WithPlanProgress(fn func(account string, done, total int)) ReconcileOption {
	return reconcileOptionFunc(func(c *reconcileConfig) { c.planProgress = fn })
}

// WithRecheck gives Apply the booking system's answer for one key, asked
// under the key's turn before each change (see Recheck). Apply revokes the
// grant of a booking that was not wanted only with it.
func WithRecheck(fn Recheck) ReconcileOption {
	return reconcileOptionFunc(func(c *reconcileConfig) { c.recheck = fn })
}

func reconcileOptions(opts []ReconcileOption) reconcileConfig {
	c := reconcileConfig{lead: DefaultLeadTime, share: DefaultRevokeShare, concurrency: DefaultConcurrency}
	for _, o := range opts {
		if o != nil {
			o.applyReconcile(&c)
		}
	}
	if c.concurrency < 1 {
		c.concurrency = 1
	}
	return c
}

// Wanted returns reqs as the sequence PlanGrants takes.
func Wanted(reqs ...GrantRequest) iter.Seq2[GrantRequest, error] {
	return func(yield func(GrantRequest, error) bool) {
		for _, r := range reqs {
			if !yield(r, nil) {
				return
			}
		}
	}
}

// planAccount is one account being planned: a vendor client with the
// wanted grants on its doors, in its own ids.
type planAccount struct {
	name    string // "" for a plan over one client
	client  Granter
	inDir   bool
	wanted  []wantedGrant
	applied AppliedStore
}

type wantedGrant struct {
	req   GrantRequest // as the caller gave it
	local GrantRequest // with the account's own door ids
}

// id gives a vendor id the form the caller uses: prefixed with the account
// in a Directory.
func (a *planAccount) id(vendorID string) string {
	if !a.inDir || vendorID == "" {
		return vendorID
	}
	return JoinID(a.name, vendorID)
}

func (a *planAccount) ids(vendorIDs []string) []string {
	out := make([]string, len(vendorIDs))
	for i, id := range vendorIDs {
		out[i] = a.id(id)
	}
	return out
}

// PlanGrants compares the grants the caller wants with what target (a
// vendor client or a *Directory) holds, and returns the plan of changes
// that would make them agree, with the grants it may not touch and the
// health of the others. It changes nothing: print the plan, then Apply it.
// WithOwnedPrefix is required.
//
// The wanted sequence is read to the end first; its error aborts the plan,
// and so does a wanted request that is invalid, lacks a key, carries a key
// outside the owned prefix, names doors of two accounts, or repeats a key
// (one key, one grant).
//
// Each account is read once, all accounts at once: with its listing
// (GrantLister, every grant it holds), or, for a vendor that cannot list
// its grants (KeyStoreProvider: resivo), through its KeyStore: the keys
// under the owned prefix (KeyLister) and a GetGrant per key, which sees
// only grants made with a key; the plan says which source each account
// had. Over a Directory the accounts read are every account that grants,
// or those WithAccounts names plus those the wanted doors name.
//
// For each owned key the plan holds one Change:
//
//   - create: wanted and not held;
//   - update: the window differs and the vendor changes windows in place;
//   - recreate: the doors or holder differ, the window differs on a vendor
//     that cannot change it, or the grant failed;
//   - revoke: held but not wanted, or wanted with a window that has ended
//     while the grant has not; extra grants with one key are revoked too;
//   - keep: held as wanted.
//
// Windows match within a minute (vendor rounding); a wanted start in the
// past matches any grant that has started. A grant whose own window has
// ended (or that the vendor reports expired) needs no revoke.
//
// Never on partial knowledge: an account whose listing failed or was cut
// short, or one of whose reads failed, is marked incomplete, and its
// revokes and its creates for keys it did not show are withheld
// (Change.Withheld); a revoke is planned only for a grant the vendor itself
// showed; and the brake (WithRevokeShare) withholds an account's revokes
// when they are too many. The error then joins, per account, an
// *AccountError (a plan over one client: a plain error) matching
// ErrIncomplete or ErrTooManyRevokes, and the plan is returned with it so
// it can be read.
//
// Findings report what is wrong by its deadline: FindingNotIssued, a
// wanted grant within the lead time of its start (WithLeadTime) or past
// it with a door pending or failed (the vendor's reason given) or no grant;
// FindingNotRevoked, access that works now for a booking that is gone or
// over; FindingChangedOutside, a window that differs from what doorkit last
// applied (see AppliedStore; without a record the change says only that
// the window differs); FindingOutcomeUnknown, a key whose create may have
// been made.
func PlanGrants(ctx context.Context, target Granter, wanted iter.Seq2[GrantRequest, error], opts ...ReconcileOption) (*Plan, error) {
	if ctx == nil {
		return nil, errNilContext
	}
	cfg := reconcileOptions(opts)
	if target == nil {
		return nil, Invalid("target", "is required")
	}
	if !cfg.prefixSet {
		return nil, Invalid("WithOwnedPrefix", "PlanGrants needs the prefix of the keys this integration owns")
	}
	if wanted == nil {
		return nil, Invalid("wanted", "is required (an empty list is Wanted())")
	}
	if cfg.share < 0 || math.IsNaN(cfg.share) {
		return nil, Invalid("WithRevokeShare", fmt.Sprintf("%v is not a share from 0 to 1", cfg.share))
	}
	accounts, err := planScope(target, cfg)
	if err != nil {
		return nil, err
	}
	byName := map[string]*planAccount{}
	for _, a := range accounts {
		byName[a.name] = a
	}
	dir, _ := target.(*Directory)
	wantedIn := map[string]string{} // key -> account
	for req, err := range wanted {
		if err != nil {
			return nil, fmt.Errorf("access: reading the wanted grants: %w", err)
		}
		if err := checkWanted(req, cfg.prefix); err != nil {
			return nil, err
		}
		if _, dup := wantedIn[req.Key]; dup {
			return nil, Invalid("Key", fmt.Sprintf("%q is wanted twice; one key names one grant", req.Key))
		}
		name, local := "", req
		if dir != nil {
			if name, local, err = dirLocal(dir, req); err != nil {
				return nil, err
			}
		}
		a := byName[name]
		if a == nil {
			a, err = addAccount(dir, name)
			if err != nil {
				return nil, fmt.Errorf("access: key %q: %w", req.Key, err)
			}
			byName[name] = a
			accounts = append(accounts, a)
		}
		wantedIn[req.Key] = name
		a.wanted = append(a.wanted, wantedGrant{req: req, local: local})
	}
	if dir != nil {
		order := map[string]int{}
		for i, n := range dir.Accounts() {
			order[n] = i
		}
		slices.SortFunc(accounts, func(a, b *planAccount) int { return cmp.Compare(order[a.name], order[b.name]) })
	}
	for _, a := range accounts {
		a.applied = appliedStoreOf(a.client, ensureOptions(nil, cfg.ensure).applied)
	}

	now := time.Now().UTC()
	plan := &Plan{At: now, Prefix: cfg.prefix, LeadTime: cfg.lead}
	results := make([]accountPlanned, len(accounts))
	var progressMu sync.Mutex
	var wg sync.WaitGroup
	for i, a := range accounts {
		wg.Go(func() {
			progress := func(done, total int) {
				if cfg.planProgress != nil {
					progressMu.Lock()
					defer progressMu.Unlock()
					cfg.planProgress(a.name, done, total)
				}
			}
			rd := a.read(ctx, cfg, progress)
			results[i] = a.plan(ctx, cfg, rd, now, wantedIn)
		})
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var errs []error
	total := 0
	for _, r := range results {
		total += len(r.changes)
	}
	plan.Changes = make([]Change, 0, total)
	for i, r := range results {
		plan.Accounts = append(plan.Accounts, r.account)
		plan.Changes = append(plan.Changes, r.changes...)
		plan.Unmanaged = append(plan.Unmanaged, r.unmanaged...)
		plan.Findings = append(plan.Findings, r.findings...)
		if r.err != nil {
			if accounts[i].inDir {
				errs = append(errs, &AccountError{Account: accounts[i].name, Err: r.err})
			} else {
				errs = append(errs, r.err)
			}
		}
	}
	plan.NextCheck = nextCheck(accounts, cfg.lead, now)
	plan.target = target
	return plan, errors.Join(errs...)
}

// checkWanted checks one wanted request before anything is read.
func checkWanted(req GrantRequest, prefix string) error {
	if req.Key == "" {
		return Invalid("Key", "every wanted grant needs its key (the booking id)")
	}
	if err := req.Validate(); err != nil {
		return fmt.Errorf("access: wanted key %q: %w", req.Key, err)
	}
	if !strings.HasPrefix(req.Key, prefix) {
		return Invalid("Key", fmt.Sprintf("wanted key %q is outside the owned prefix %q", req.Key, prefix))
	}
	return nil
}

// dirLocal finds the account of a wanted request on a Directory and gives
// the request in the account's own door ids.
func dirLocal(dir *Directory, req GrantRequest) (string, GrantRequest, error) {
	local := req
	local.DoorIDs = make([]string, len(req.DoorIDs))
	var name string
	for i, doorID := range req.DoorIDs {
		account, id, err := SplitID(doorID)
		if err != nil {
			return "", GrantRequest{}, fmt.Errorf("access: wanted key %q: DoorIDs[%d]: %w", req.Key, i, err)
		}
		if name != "" && account != name {
			return "", GrantRequest{}, Invalid("DoorIDs", fmt.Sprintf("wanted key %q names doors of two accounts (%q and %q)", req.Key, name, account))
		}
		name, local.DoorIDs[i] = account, id
	}
	return name, local, nil
}

// planScope returns the accounts a plan reads before the wanted doors add
// theirs.
func planScope(target Granter, cfg reconcileConfig) ([]*planAccount, error) {
	dir, ok := target.(*Directory)
	if !ok {
		if len(cfg.accounts) > 0 {
			return nil, Invalid("WithAccounts", fmt.Sprintf("%T is not a Directory", target))
		}
		return []*planAccount{{client: target}}, nil
	}
	names := cfg.accounts
	if len(names) == 0 {
		for _, n := range dir.Accounts() {
			if c, _ := dir.Account(n); isGranter(c) {
				names = append(names, n)
			}
		}
	}
	var out []*planAccount
	seen := map[string]bool{}
	for _, n := range names {
		if seen[n] {
			continue
		}
		seen[n] = true
		a, err := addAccount(dir, n)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, nil
}

func isGranter(c any) bool { _, ok := c.(Granter); return ok }

func addAccount(dir *Directory, name string) (*planAccount, error) {
	if dir == nil {
		return nil, Invalid("target", "not a Directory")
	}
	c, ok := dir.Account(name)
	if !ok {
		return nil, Invalid("account", fmt.Sprintf("no account %q in this directory", name))
	}
	g, ok := c.(Granter)
	if !ok {
		return nil, unsupported(name, c, "grant access")
	}
	return &planAccount{name: name, client: g, inDir: true}, nil
}

// accountRead is what reading an account found.
type accountRead struct {
	held    []*Grant
	source  Source
	keys    KeyStore // the store a key-store account was read through
	pending []string // keys whose create's outcome is unknown
	err     error    // why the read is incomplete
}

// read reads the account's grants once, from its listing or its KeyStore.
func (a *planAccount) read(ctx context.Context, cfg reconcileConfig, progress func(done, total int)) accountRead {
	getter, gets := a.client.(GrantGetter)
	if ksp, ok := a.client.(KeyStoreProvider); ok && gets {
		return readKeyStore(ctx, cfg, ksp.KeyStore(), getter, progress)
	}
	lister, ok := a.client.(GrantLister)
	if !ok {
		return accountRead{source: SourceListing, err: fmt.Errorf("%T lists no grants: %w", a.client, ErrUnsupported)}
	}
	rd := accountRead{source: SourceListing}
	var errs []error
	for g, err := range lister.ListGrants(ctx, GrantFilter{}) {
		if err != nil {
			errs = append(errs, err)
			if ctx.Err() != nil {
				break
			}
			continue
		}
		if g != nil {
			rd.held = append(rd.held, g)
			progress(len(rd.held), 0)
		}
	}
	rd.err = errors.Join(errs...)
	return rd
}

// readKeyStore reads a vendor that cannot list its grants: the keys under
// the prefix, and each key's grant.
func readKeyStore(ctx context.Context, cfg reconcileConfig, ks KeyStore, getter GrantGetter, progress func(done, total int)) accountRead {
	rd := accountRead{source: SourceKeyStore, keys: ks}
	kl, ok := ks.(KeyLister)
	if !ok {
		rd.err = fmt.Errorf("its KeyStore (%T) cannot list keys, so its grants cannot be found: %w", ks, ErrUnsupported)
		return rd
	}
	var entries []KeyEntry
	for e, err := range kl.ListKeys(ctx, cfg.prefix) {
		if err != nil {
			rd.err = fmt.Errorf("listing the key store: %w", err)
			return rd
		}
		if e.Pending() {
			rd.pending = append(rd.pending, e.Key)
			continue
		}
		entries = append(entries, e)
	}
	grants := make([]*Grant, len(entries))
	errs := make([]error, len(entries))
	var mu sync.Mutex
	done := 0
	forEach(ctx, len(entries), cfg.concurrency, func(i int) {
		e := entries[i]
		g, err := getter.GetGrant(ctx, e.GrantID)
		switch {
		case errors.Is(err, ErrNotFound):
			// Gone at the vendor: the key holds nothing.
		case err != nil:
			errs[i] = fmt.Errorf("key %q (grant %s): %w", e.Key, e.GrantID, err)
		case g.State() != GrantRevoked && (len(g.Doors) == 0 || g.Window.Start.IsZero()):
			// Without doors and window the grant would be taken for a
			// different one: refuse to guess.
			errs[i] = fmt.Errorf("key %q (grant %s): the vendor's answer has no doors or window to compare: %w", e.Key, e.GrantID, ErrUnsupported)
		default:
			c := *g
			c.Key = e.Key // the store maps the key to this grant
			grants[i] = &c
		}
		mu.Lock()
		done++
		progress(done, len(entries))
		mu.Unlock()
	})
	for _, g := range grants {
		if g != nil {
			rd.held = append(rd.held, g)
		}
	}
	rd.err = errors.Join(errs...)
	if rd.err == nil {
		rd.err = ctx.Err()
	}
	return rd
}

// forEach runs f(0..n-1), at most limit at once, and stops starting new
// calls once ctx ends.
func forEach(ctx context.Context, n, limit int, f func(i int)) {
	sem := make(chan struct{}, max(limit, 1))
	var wg sync.WaitGroup
	for i := range n {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			wg.Wait()
			return
		}
		wg.Go(func() {
			defer func() { <-sem }()
			f(i)
		})
	}
	wg.Wait()
}

// accountPlanned is one account's part of a plan.
type accountPlanned struct {
	account   AccountPlan
	changes   []Change
	unmanaged []Unmanaged
	findings  []Finding
	err       error
}

// plan compares what the account holds with what is wanted on its doors.
func (a *planAccount) plan(ctx context.Context, cfg reconcileConfig, rd accountRead, now time.Time, wantedIn map[string]string) accountPlanned {
	out := accountPlanned{account: AccountPlan{Name: a.name, Source: rd.source, Complete: rd.err == nil, Read: len(rd.held)}}
	if rd.err != nil {
		out.account.Error = rd.err.Error()
	}
	_, updates := a.client.(GrantUpdater)
	pending := map[string]bool{}
	for _, k := range rd.pending {
		pending[k] = true
		out.findings = append(out.findings, Finding{Kind: FindingOutcomeUnknown, Account: a.name, Key: k,
			Detail: "a create for this key may have been made (its answer was lost); find the grant at the vendor and record it, or remove the key's mark, before it can be planned"})
	}

	held := map[string][]*Grant{}
	var keys []string
	for _, g := range rd.held {
		if g.State() == GrantRevoked {
			continue
		}
		if g.Key == "" || !strings.HasPrefix(g.Key, cfg.prefix) {
			why := "no key"
			if g.Key != "" {
				why = fmt.Sprintf("key %q is outside the owned prefix %q", g.Key, cfg.prefix)
			}
			out.unmanaged = append(out.unmanaged, Unmanaged{Account: a.name, GrantID: a.id(g.ID), Key: g.Key,
				DoorIDs: a.ids(g.DoorIDs()), Window: g.Window, State: g.State(), Why: why})
			continue
		}
		if _, ok := held[g.Key]; !ok {
			keys = append(keys, g.Key)
		}
		held[g.Key] = append(held[g.Key], g)
		if !grantEnded(g, now) {
			out.account.Owned++
		}
	}

	out.changes = make([]Change, 0, len(a.wanted)+len(keys))
	change := func(c Change) { out.changes = append(out.changes, c) }
	revoke := func(g *Grant, cause ChangeCause, reason string) {
		change(Change{Action: ActionRevoke, Cause: cause, Account: a.name, Key: g.Key, GrantID: a.id(g.ID),
			DoorIDs: a.ids(g.DoorIDs()), Window: g.Window, Reason: reason, held: g, elsewhere: wantedIn[g.Key] != "" && wantedIn[g.Key] != a.name})
	}

	wantedKeys := map[string]bool{}
	for _, w := range a.wanted {
		key := w.local.Key
		wantedKeys[key] = true
		if pending[key] {
			continue
		}
		grants := held[key]
		want := w.local
		wantEnded := !want.Window.End.After(now)
		if len(grants) == 0 {
			if wantEnded {
				continue // over, and nothing held
			}
			req := w.req
			c := Change{Action: ActionCreate, Cause: CauseNotHeld, Account: a.name, Key: key, DoorIDs: slices.Clone(w.req.DoorIDs),
				Window: want.Window.UTC(), Reason: "wanted, not held", want: &req}
			if rd.err != nil {
				// Not seen is not "not held": the grant may be in the part
				// that could not be read.
				c.Reason = "wanted, not seen"
				c.Withheld = "the account's grants could not all be read: " + rd.err.Error()
			} else if rd.keys != nil {
				if _, err := rd.keys.Get(ctx, key); errors.Is(err, ErrKeyUnknown) {
					// EnsureGrant creates on it (a first trigger must work),
					// but after a restart on a store that forgot, that is a
					// second grant: say so.
					c.Reason += " (the key store cannot prove it holds no grant for this key: after a restart on a store that forgot it, a create makes a second one)"
				}
			}
			change(c)
			if f, ok := notIssued(a, want, nil, now, cfg.lead); ok {
				if rd.err != nil {
					f.Detail = strings.Replace(f.Detail, "no grant is held", "no grant was seen (the account's grants could not all be read)", 1)
				}
				out.findings = append(out.findings, f)
			}
			continue
		}
		primary := pickPrimary(grants, want, now)
		for _, g := range grants {
			if g != primary {
				revoke(g, CauseDuplicate, fmt.Sprintf("key also names grant %s: one key, one grant", a.id(primary.ID)))
			}
		}
		g := primary
		if wantEnded {
			if grantEnded(g, now) {
				continue
			}
			revoke(g, CauseEnded, fmt.Sprintf("the booking ended at %s; the grant runs %s", fmtTime(want.Window.End), runsTo(g)))
			if worksNow(g, now) {
				out.findings = append(out.findings, Finding{Kind: FindingNotRevoked, Account: a.name, Key: key, GrantID: a.id(g.ID),
					DoorIDs: a.ids(activeDoors(g)), Deadline: want.Window.End.UTC(),
					Detail: fmt.Sprintf("the booking ended at %s and access still works (%s)", fmtTime(want.Window.End), runsTo(g))})
			}
			continue
		}
		req := w.req
		c := Change{Account: a.name, Key: key, GrantID: a.id(g.ID), DoorIDs: slices.Clone(w.req.DoorIDs), Window: want.Window.UTC(),
			want: &req, held: g}
		heldWindow := g.Window
		switch {
		case g.State() == GrantFailed:
			c.Action, c.Cause, c.Reason = ActionRecreate, CauseFailed, "failed: "+doorTrouble(a, g, want.DoorIDs)
		case !sameDoors(g.DoorIDs(), want.DoorIDs):
			c.Action, c.Cause = ActionRecreate, CauseDoorsDiffer
			c.Reason = fmt.Sprintf("doors differ: held %s, wanted %s", strings.Join(a.ids(g.DoorIDs()), ","), strings.Join(w.req.DoorIDs, ","))
		case !sameHolder(g.Holder, want.Holder):
			c.Action, c.Cause = ActionRecreate, CauseHolderDiffers
			c.Reason = fmt.Sprintf("holder differs: held %s, wanted %s", personText(g.Holder), personText(want.Holder))
		case !windowMatches(g.Window, want.Window, now):
			c.Action = ActionUpdate
			if !updates {
				c.Action = ActionRecreate
			}
			c.HeldWindow = &heldWindow
			rec, ok, err := loadApplied(ctx, a.applied, key)
			switch {
			case err != nil:
				c.Cause = CauseWindowDiffers
				c.Reason = fmt.Sprintf("window differs: held %s, wanted %s (doorkit's record could not be read: %v)", g.Window, want.Window.UTC(), err)
			case ok && !nearWindow(rec, g.Window):
				c.Cause = CauseChangedOutside
				c.Reason = fmt.Sprintf("window changed outside doorkit: held %s, doorkit applied %s; back to %s", g.Window, rec, want.Window.UTC())
				out.findings = append(out.findings, Finding{Kind: FindingChangedOutside, Account: a.name, Key: key, GrantID: a.id(g.ID),
					DoorIDs: a.ids(g.DoorIDs()), Detail: fmt.Sprintf("the vendor holds %s; doorkit applied %s", g.Window, rec)})
			case ok:
				c.Cause = CauseBookingMoved
				c.Reason = fmt.Sprintf("booking moved: held %s, wanted %s", g.Window, want.Window.UTC())
			default:
				c.Cause = CauseWindowDiffers
				c.Reason = fmt.Sprintf("window differs: held %s, wanted %s", g.Window, want.Window.UTC())
			}
		default:
			c.Action, c.Cause, c.Reason = ActionKeep, CauseMatches, "held as wanted"
		}
		change(c)
		if f, ok := notIssued(a, want, g, now, cfg.lead); ok {
			out.findings = append(out.findings, f)
		}
	}

	for _, key := range keys {
		if wantedKeys[key] {
			continue
		}
		reason := "not wanted: no booking has this key"
		if name, ok := wantedIn[key]; ok {
			reason = fmt.Sprintf("not wanted here: the booking wants doors of account %q", name)
		}
		for _, g := range held[key] {
			if grantEnded(g, now) {
				continue
			}
			revoke(g, CauseNotWanted, reason)
			if worksNow(g, now) {
				out.findings = append(out.findings, Finding{Kind: FindingNotRevoked, Account: a.name, Key: key, GrantID: a.id(g.ID),
					DoorIDs: a.ids(activeDoors(g)), Detail: fmt.Sprintf("no booking wants this key and access still works (%s)", runsTo(g))})
			}
		}
	}

	var errs []error
	if rd.err != nil {
		errs = append(errs, fmt.Errorf("%w: %w", ErrIncomplete, rd.err))
		for i := range out.changes {
			if out.changes[i].Action == ActionRevoke {
				out.changes[i].Withheld = "the account's grants could not all be read: " + rd.err.Error()
			}
		}
	}
	counted := 0
	for _, c := range out.changes {
		if c.Action == ActionRevoke && c.Withheld == "" && c.Cause != CauseDuplicate {
			counted++
		}
	}
	if allowed := max(1, int(math.Floor(cfg.share*float64(out.account.Owned)))); cfg.share < 1 && counted > allowed {
		why := fmt.Sprintf("the brake: %d of the %d owned grants would be revoked, more than %.0f%% (raise WithRevokeShare to allow)",
			counted, out.account.Owned, cfg.share*100)
		out.account.Braked = why
		for i := range out.changes {
			if c := &out.changes[i]; c.Action == ActionRevoke && c.Withheld == "" && c.Cause != CauseDuplicate {
				c.Withheld = why
			}
		}
		errs = append(errs, fmt.Errorf("%w: %s", ErrTooManyRevokes, why))
	}
	out.err = errors.Join(errs...)
	sortPlanned(&out)
	return out
}

// pickPrimary chooses, among grants with one key, the one a wanted grant
// keeps: one that matches, else one that has not failed, else the first.
func pickPrimary(grants []*Grant, want GrantRequest, now time.Time) *Grant {
	if i := slices.IndexFunc(grants, func(g *Grant) bool {
		return g.State() != GrantFailed && sameDoors(g.DoorIDs(), want.DoorIDs) && sameHolder(g.Holder, want.Holder) &&
			windowMatches(g.Window, want.Window, now)
	}); i >= 0 {
		return grants[i]
	}
	if i := slices.IndexFunc(grants, func(g *Grant) bool { return g.State() != GrantFailed }); i >= 0 {
		return grants[i]
	}
	return grants[0]
}

// grantEnded reports a grant that needs no revoke: its window has ended or
// the vendor reports it expired. A grant without an end (a zero End) has
// not ended: it runs until revoked.
func grantEnded(g *Grant, now time.Time) bool {
	return g.State() == GrantExpired || (!g.Window.End.IsZero() && !g.Window.End.After(now))
}

// worksNow reports whether some door of g opens for its holder now.
func worksNow(g *Grant, now time.Time) bool {
	return g.Window.Contains(now) && len(activeDoors(g)) > 0
}

func activeDoors(g *Grant) []string {
	var ids []string
	for _, d := range g.Doors {
		if d.State == GrantActive {
			ids = append(ids, d.DoorID)
		}
	}
	return ids
}

// notIssued reports a wanted grant that is not set up on every door when
// its start is within the lead time or past.
func notIssued(a *planAccount, want GrantRequest, g *Grant, now time.Time, lead time.Duration) (Finding, bool) {
	start := want.Window.Start.UTC()
	if now.Before(start.Add(-lead)) || !want.Window.End.After(now) {
		return Finding{}, false
	}
	f := Finding{Kind: FindingNotIssued, Account: a.name, Key: want.Key, Deadline: start}
	when := "starts at " + fmtTime(start)
	if !now.Before(start) {
		when = "started at " + fmtTime(start)
	}
	if g == nil {
		f.DoorIDs = a.ids(want.DoorIDs)
		f.Detail = when + "; no grant is held"
		return f, true
	}
	var trouble []string
	for _, d := range g.Doors {
		if d.State != GrantActive {
			f.DoorIDs = append(f.DoorIDs, a.id(d.DoorID))
		}
	}
	for _, id := range want.DoorIDs {
		if !slices.Contains(g.DoorIDs(), id) {
			f.DoorIDs = append(f.DoorIDs, a.id(id))
		}
	}
	if len(f.DoorIDs) == 0 {
		return Finding{}, false
	}
	trouble = append(trouble, doorTrouble(a, g, want.DoorIDs))
	f.GrantID = a.id(g.ID)
	f.Detail = when + "; " + strings.Join(trouble, "; ")
	return f, true
}

// doorTrouble says, in the vendor's words, why doors of g are not set up.
func doorTrouble(a *planAccount, g *Grant, wantDoors []string) string {
	var parts []string
	for _, d := range g.Doors {
		if d.State == GrantActive {
			continue
		}
		why := d.Reason
		if why == "" {
			for _, n := range d.Notices {
				if n.Message != "" {
					why = n.Message
					break
				}
			}
		}
		part := fmt.Sprintf("door %s %s", a.id(d.DoorID), d.State)
		if why != "" {
			part += fmt.Sprintf(" (%s)", why)
		}
		parts = append(parts, part)
	}
	for _, id := range wantDoors {
		if !slices.Contains(g.DoorIDs(), id) {
			parts = append(parts, fmt.Sprintf("door %s has no access", a.id(id)))
		}
	}
	if len(parts) == 0 {
		return "the vendor reports the grant " + string(g.State())
	}
	return strings.Join(parts, "; ")
}

func nearWindow(a, b Window) bool {
	return a.Start.Sub(b.Start).Abs() < windowTolerance && a.End.Sub(b.End).Abs() < windowTolerance
}

func personText(p Person) string {
	switch {
	case p.VendorUserID != "" && p.Email != "":
		return fmt.Sprintf("%s (user %s)", p.Email, p.VendorUserID)
	case p.VendorUserID != "":
		return "user " + p.VendorUserID
	case p.Email != "":
		return p.Email
	}
	return "(unknown)"
}

func fmtTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// runsTo says how long a held grant runs: "until <end>", or "with no end".
func runsTo(g *Grant) string {
	if g.Window.End.IsZero() {
		return "with no end"
	}
	return "until " + fmtTime(g.Window.End)
}

func sortPlanned(p *accountPlanned) {
	slices.SortStableFunc(p.changes, func(a, b Change) int {
		return cmp.Or(cmp.Compare(a.Key, b.Key), cmp.Compare(a.GrantID, b.GrantID))
	})
	slices.SortStableFunc(p.findings, func(a, b Finding) int {
		return cmp.Or(cmp.Compare(a.Key, b.Key), cmp.Compare(a.Kind, b.Kind))
	})
	slices.SortStableFunc(p.unmanaged, func(a, b Unmanaged) int { return cmp.Compare(a.GrantID, b.GrantID) })
}

// nextCheck is the next moment a wanted grant changes by itself: its start
// minus the lead time (when a grant not yet set up becomes a finding) or
// its end (when it is due for revoking), the earliest after now, plus the
// coarsest vendor resolution (a minute) so that every vendor has passed
// it too whichever way it rounds.
func nextCheck(accounts []*planAccount, lead time.Duration, now time.Time) time.Time {
	var next time.Time
	consider := func(t time.Time) {
		if t.After(now) && (next.IsZero() || t.Before(next)) {
			next = t
		}
	}
	for _, a := range accounts {
		for _, w := range a.wanted {
			consider(w.local.Window.Start.UTC().Add(-lead))
			consider(w.local.Window.End.UTC())
		}
	}
	if next.IsZero() {
		return next
	}
	return next.Add(windowTolerance).Truncate(time.Second)
}
