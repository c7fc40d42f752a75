package access

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"reflect"
	"slices"
	"strings"
	"sync"
	"time"
)

// ApplyOutcome says what Apply did with one change.
type ApplyOutcome string

// Apply outcomes. A create, update or recreate ends with the outcome of its
// EnsureGrant ("created", "updated", "recreated", "recovered", "unchanged").
const (
	ApplyCreated   ApplyOutcome = "created"
	ApplyUpdated   ApplyOutcome = "updated"
	ApplyRecreated ApplyOutcome = "recreated"
	ApplyRecovered ApplyOutcome = "recovered"
	ApplyUnchanged ApplyOutcome = "unchanged"
	// ApplyRevoked: the grant was revoked.
	ApplyRevoked ApplyOutcome = "revoked"
	// ApplyGone: the grant to revoke was already gone.
	ApplyGone ApplyOutcome = "gone"
	// ApplySkipped: checked again under the key's turn, the change no
	// longer applied (ChangeResult.Detail says why); plan again.
	ApplySkipped ApplyOutcome = "skipped"
	// ApplyWithheld: the plan withheld the change (Change.Withheld).
	ApplyWithheld ApplyOutcome = "withheld"
	// ApplyFailed: the change failed; ChangeResult.Err says why.
	ApplyFailed ApplyOutcome = "failed"
)

// ChangeResult is what Apply did with one change.
type ChangeResult struct {
	Change  Change       `json:"change"`
	Outcome ApplyOutcome `json:"outcome"`
	// GrantID is the grant the key has after the change (create, update,
	// recreate).
	GrantID string `json:"grant_id,omitempty"`
	// Detail says why a change was skipped or withheld.
	Detail string `json:"detail,omitempty"`
	// Err is why the change failed; it is a *ChangeError.
	Err error `json:"-"`
}

// MarshalJSON encodes the result with its error's text.
func (r ChangeResult) MarshalJSON() ([]byte, error) {
	type plain ChangeResult
	var msg string
	if r.Err != nil {
		msg = r.Err.Error()
	}
	return json.Marshal(struct {
		plain
		Error string `json:"error,omitempty"`
	}{plain(r), msg})
}

// ApplyResult holds one result per change Apply was given, keeps left out,
// in the plan's order.
type ApplyResult struct {
	Results []ChangeResult `json:"results"`
}

// Count returns how many changes ended with outcome.
func (r *ApplyResult) Count(outcome ApplyOutcome) int {
	n := 0
	for _, c := range r.Results {
		if c.Outcome == outcome {
			n++
		}
	}
	return n
}

// Failed returns the changes that failed.
func (r *ApplyResult) Failed() []ChangeResult {
	var out []ChangeResult
	for _, c := range r.Results {
		if c.Outcome == ApplyFailed {
			out = append(out, c)
		}
	}
	return out
}

// String counts the outcomes: "Applied 4 changes: 1 created, 1 updated, 2
// revoked."
func (r *ApplyResult) String() string {
	var parts []string
	for _, o := range []ApplyOutcome{ApplyCreated, ApplyUpdated, ApplyRecreated, ApplyRecovered, ApplyUnchanged,
		ApplyRevoked, ApplyGone, ApplySkipped, ApplyWithheld, ApplyFailed} {
		if n := r.Count(o); n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, o))
		}
	}
	if len(parts) == 0 {
		return "Applied 0 changes."
	}
	return fmt.Sprintf("Applied %d changes: %s.", len(r.Results), strings.Join(parts, ", "))
}

// ChangeError is the error of one change Apply could not carry out.
type ChangeError struct {
	Change Change
	Err    error
}

func (e *ChangeError) Error() string {
	where := ""
	if e.Change.Account != "" {
		where = fmt.Sprintf(" in account %q", e.Change.Account)
	}
	if e.Change.GrantID != "" {
		where += " (grant " + e.Change.GrantID + ")"
	}
	return fmt.Sprintf("access: %s of key %q%s: %v", e.Change.Action, e.Change.Key, where, e.Err)
}

// Unwrap returns the change's error.
func (e *ChangeError) Unwrap() error { return e.Err }

// ApplyBatch is how many changes of one account Apply carries out on one
// reading of the account where a lookup by key reads the whole account
// (GrantsByKeysLister: Havr, August). A plan of n changes there costs about
// n/ApplyBatch readings instead of n. A batch holds its keys' turns from
// before the reading until each change is done, so a booking trigger for
// one of them waits for the batch rather than one change: for the batch to
// take its other turns (which may wait behind other replicas' batches), its
// reading, and up to ApplyBatch/WithConcurrency changes one after another;
// 100 keeps that wait short while a reading serves many changes. It does not depend on
// WithConcurrency, so a caller who lowers the concurrency to spare the
// vendor does not pay with more readings.
const ApplyBatch = 100

// Apply carries out a plan PlanGrants made for the same target, each
// change through EnsureGrant or EnsureRevoked, so every change stays
// idempotent and a lost answer is resolved by key. Keeps are left out;
// withheld revokes are reported, not done. One change failing does not stop
// the others: the result has one entry per change, and the error joins a
// *ChangeError per failure. WithProgress reports each change done.
//
// A plan goes stale, so each change is checked again under its key's turn
// (the target's Locker, or WithLocker's: the one the booking triggers'
// EnsureGrant takes) before it acts:
//
//   - with WithRecheck, the booking system is asked for the key: a create,
//     update or recreate whose booking is no longer wanted is skipped, and
//     one that is goes ahead with the booking as it is now; a revoke whose
//     booking is wanted again (its window not over) is skipped;
//   - a revoke re-reads the grant and acts only on the grant the plan saw
//     (same key, doors and window); one already gone is ApplyGone;
//   - without WithRecheck, a revoke because no booking wanted the key is
//     skipped: only the booking system can say that a booking confirmed
//     since the plan does not want it.
//
// The lookup each change starts from is read under its key's turn, so no
// booking trigger can change the key's grants between the lookup and the
// change. Where a lookup by key reads the whole account
// (GrantsByKeysLister: Havr, August), n lookups would read it n times, so
// Apply takes that account's changes in batches of up to ApplyBatch keys,
// one batch after another: it takes the batch's turns one by one in key
// order, reads the account once for all its keys, carries out each change
// from that reading and releases each turn as its change is done. Since a
// batch takes its turns in key order and holds no other turns meanwhile, it
// only ever waits for a turn above those it holds, and every other holder
// (a change carried out alone, a booking trigger) holds one turn and waits
// for none: Applies on replicas sharing a Locker, and the batches of one
// Apply, never wait for each other in a circle.
//
// Each batched account's batches, and the other changes together, run side
// by side, each at most WithConcurrency changes at once (each client's
// pacing still applies): a Directory's accounts are worked on at once. A key whose turn is refused
// (a *PendingKeyError, the context) fails alone; when the reading fails,
// each change of the batch looks its key up alone. A key's second change in
// an account (a duplicate's revoke, done first) goes to a later batch, read
// after the first is done; the lookup that resolves a create of unknown
// outcome always lists afresh.
//
// With an AppliedStore (WithAppliedStore, or the account's KeyStore) Apply
// records the windows it leaves and drops the records of revoked keys.
// A dry run is PlanGrants alone.
func Apply(ctx context.Context, target Granter, plan *Plan, opts ...ReconcileOption) (*ApplyResult, error) {
	if ctx == nil {
		return nil, errNilContext
	}
	if target == nil {
		return nil, Invalid("target", "is required")
	}
	if plan == nil {
		return nil, Invalid("plan", "is required")
	}
	if plan.target != nil && !sameTarget(plan.target, target) {
		return nil, Invalid("target", fmt.Sprintf("the plan was made for another %T; apply it to the target it was made for", plan.target))
	}
	cfg := reconcileOptions(opts)
	var todo []Change
	for _, c := range plan.Changes {
		if c.Action != ActionKeep {
			todo = append(todo, c)
		}
	}
	a := &applier{cfg: cfg, target: target, turns: ensureOptions(target, cfg.ensure), todo: todo,
		res: &ApplyResult{Results: make([]ChangeResult, len(todo))}}
	alone, accounts := a.split(ApplyBatch)
	// The changes carried out alone and each batched account's batches (one
	// after another) run side by side, each WithConcurrency changes at
	// once: a Directory's accounts are worked on at once, each at its own
	// pace. They do not share slots: a change carried out alone waits for
	// its turn in its slot, and that turn may be held by a batch, which
	// must not then wait for a slot to finish its changes and release it.
	var wg sync.WaitGroup
	wg.Go(func() {
		forEach(ctx, len(alone), cfg.concurrency, func(j int) {
			i := alone[j]
			a.finish(i, a.applyAlone(ctx, todo[i], a.accounts[i]))
		})
	})
	for _, batches := range accounts {
		wg.Go(func() {
			for _, b := range batches {
				if ctx.Err() != nil {
					return
				}
				a.applyBatch(ctx, b)
			}
		})
	}
	wg.Wait()
	res := a.res
	var errs []error
	for i := range res.Results {
		r := &res.Results[i]
		if r.Outcome == "" { // not started: the context ended
			r.Change, r.Outcome, r.Err = todo[i], ApplyFailed, &ChangeError{Change: todo[i], Err: ctx.Err()}
		}
		if r.Err != nil {
			errs = append(errs, r.Err)
		}
	}
	return res, errors.Join(errs...)
}

// applier is one Apply under way.
type applier struct {
	cfg      reconcileConfig
	target   Granter
	turns    ensureConfig // the Locker the keys' turns are taken from
	todo     []Change
	accounts []applyAccount // by change

	mu   sync.Mutex // guards res and done
	res  *ApplyResult
	done int
}

// applyAccount is the client a change is carried out on.
type applyAccount struct {
	name    string
	client  Granter
	dir     *Directory // nil outside a Directory
	applied AppliedStore
	err     error // why the change's account cannot be used
}

// id gives a vendor id the form the plan uses.
func (x applyAccount) id(vendorID string) string {
	if x.dir != nil {
		return JoinID(x.name, vendorID)
	}
	return vendorID
}

// account resolves the client of change c.
func (a *applier) account(c Change) applyAccount {
	dir, inDir := a.target.(*Directory)
	client := a.target
	if inDir {
		acct, ok := dir.Account(c.Account)
		g, granter := acct.(Granter)
		if !ok || !granter {
			return applyAccount{err: Invalid("Account", fmt.Sprintf("no account %q that grants in this directory", c.Account))}
		}
		client = g
	} else {
		dir = nil
		if c.Account != "" {
			return applyAccount{err: Invalid("target", fmt.Sprintf("the plan names account %q; apply it to the Directory it was made for", c.Account))}
		}
	}
	return applyAccount{name: c.Account, client: client, dir: dir, applied: appliedStoreOf(client, ensureOptions(nil, a.cfg.ensure).applied)}
}

// applyBatchOf is a batch of changes of one account whose turns are taken
// together and whose keys are looked up with one reading.
type applyBatchOf struct {
	lister GrantsByKeysLister
	idx    []int // into todo, distinct keys
}

// split sorts the changes into those carried out alone (each takes its
// turn and looks its key up itself) and, for each account that reads whole
// accounts (GrantsByKeysLister), batches of at most size distinct keys, in
// the plan's order, to be carried out one after another. A key's second
// change in an account goes to a batch after its first's, read after the
// first is done.
func (a *applier) split(size int) (alone []int, accounts [][]applyBatchOf) {
	a.accounts = make([]applyAccount, len(a.todo))
	type rounds struct {
		lister GrantsByKeysLister
		seen   map[string]int // changes per key so far
		round  [][]int        // a key's n-th change goes to round n
	}
	var order []string
	byAccount := map[string]*rounds{}
	var batched []int
	for i, c := range a.todo {
		acct := a.account(c)
		a.accounts[i] = acct
		if _, ok := acct.client.(GrantsByKeysLister); c.Withheld != "" || acct.err != nil || !ok {
			alone = append(alone, i)
			continue
		}
		batched = append(batched, i)
	}
	// A key's duplicates are revoked before its grant is changed, which
	// would otherwise find them and fail with ErrConflict.
	slices.SortStableFunc(batched, func(x, y int) int {
		return cmp.Compare(rank(a.todo[x]), rank(a.todo[y]))
	})
	for _, i := range batched {
		c := a.todo[i]
		lister := a.accounts[i].client.(GrantsByKeysLister)
		r := byAccount[c.Account]
		if r == nil {
			r = &rounds{lister: lister, seen: map[string]int{}}
			byAccount[c.Account] = r
			order = append(order, c.Account)
		}
		n := r.seen[c.Key]
		r.seen[c.Key]++
		if n == len(r.round) {
			r.round = append(r.round, nil)
		}
		r.round[n] = append(r.round[n], i)
	}
	for _, name := range order {
		r := byAccount[name]
		var batches []applyBatchOf
		for _, idx := range r.round {
			for chunk := range slices.Chunk(idx, max(size, 1)) {
				batches = append(batches, applyBatchOf{lister: r.lister, idx: chunk})
			}
		}
		accounts = append(accounts, batches)
	}
	return alone, accounts
}

// rank orders a key's changes in batches: duplicates' revokes first.
func rank(c Change) int {
	if c.Action == ActionRevoke && c.Cause == CauseDuplicate {
		return 0
	}
	return 1
}

// finish records change i's result and reports progress.
func (a *applier) finish(i int, r ChangeResult) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.res.Results[i] = r
	a.done++
	if a.cfg.progress != nil {
		a.cfg.progress(a.done, len(a.todo), a.todo[i])
	}
}

// applyAlone carries out one change under its own turn, with its own
// lookup.
func (a *applier) applyAlone(ctx context.Context, c Change, acct applyAccount) ChangeResult {
	if c.Withheld != "" {
		return ChangeResult{Change: c, Outcome: ApplyWithheld, Detail: c.Withheld}
	}
	if acct.err != nil {
		return failed(c, acct.err)
	}
	turn, err := a.turns.keyTurn(ctx, c.Key)
	if err != nil {
		return failed(c, err)
	}
	return a.underTurn(turn, c, acct, nil)
}

// applyBatch carries out a batch: it takes the keys' turns in key order,
// reads the account once for all of them, then carries out each change
// (at most WithConcurrency at once) with its key's grants from that
// reading, releasing each turn as its change is done.
func (a *applier) applyBatch(ctx context.Context, b applyBatchOf) {
	idx := slices.Clone(b.idx)
	slices.SortFunc(idx, func(x, y int) int { return strings.Compare(a.todo[x].Key, a.todo[y].Key) })
	turns := make([]*keyTurn, len(idx))
	var keys []string
	for j, i := range idx {
		c := a.todo[i]
		turn, err := a.turns.keyTurn(ctx, c.Key)
		if err != nil {
			a.finish(i, failed(c, err))
			continue
		}
		turns[j] = turn
		keys = append(keys, c.Key)
	}
	var listed map[string][]*Grant
	if len(keys) > 0 {
		// Read once every turn is held: nothing a booking trigger does for
		// these keys can fall between the reading and the changes.
		var err error
		if listed, err = b.lister.ListGrantsByKeys(ctx, keys); err != nil {
			listed = nil // each change looks its key up alone
		}
	}
	ran := make([]bool, len(idx))
	forEach(ctx, len(idx), a.cfg.concurrency, func(j int) {
		if turns[j] == nil {
			return
		}
		ran[j] = true
		i := idx[j]
		var grants iter.Seq2[*Grant, error]
		if listed != nil {
			grants = grantSeq(listed[a.todo[i].Key])
		}
		a.finish(i, a.underTurn(turns[j], a.todo[i], a.accounts[i], grants))
	})
	for j, turn := range turns {
		if turn != nil && !ran[j] { // not started: the context ended
			_ = turn.release(nil)
		}
	}
}

// grantSeq yields grants as a listing does.
func grantSeq(grants []*Grant) iter.Seq2[*Grant, error] {
	return func(yield func(*Grant, error) bool) {
		for _, g := range grants {
			if !yield(g, nil) {
				return
			}
		}
	}
}

// failed is the result of a change that failed with err.
func failed(c Change, err error) ChangeResult {
	return ChangeResult{Change: c, Outcome: ApplyFailed, Err: &ChangeError{Change: c, Err: err}}
}

// sameTarget reports whether a and b are the same client or Directory:
// equal values where their type allows comparing, else never.
func sameTarget(a, b Granter) bool {
	ta, tb := reflect.TypeOf(a), reflect.TypeOf(b)
	return ta == tb && ta.Comparable() && any(a) == any(b)
}

// noTurn runs an EnsureGrant inside Apply, which already holds the key's
// turn.
func noTurn(c *ensureConfig) { c.locker = nil }

// listedUnderTurn hands an EnsureGrant inside Apply the key's grants as a
// reading made under the key's turn showed them: its first lookup.
func listedUnderTurn(grants iter.Seq2[*Grant, error]) EnsureOption {
	return func(c *ensureConfig) { c.listed = grants }
}

// underTurn carries out change c under turn, starting from listed, the
// key's grants read under the turn (nil: look the key up), and releases
// the turn.
func (a *applier) underTurn(turn *keyTurn, c Change, acct applyAccount, listed iter.Seq2[*Grant, error]) ChangeResult {
	r := applyUnderTurn(turn.ctx, a.cfg, c, acct, listed)
	if rerr := turn.release(r.Err); rerr != nil && r.Err == nil {
		return failed(c, recordError(r.GrantID, string(r.Outcome), c.Key, turn.record, rerr))
	}
	return r
}

// applyUnderTurn is a change under its key's turn.
func applyUnderTurn(lctx context.Context, cfg reconcileConfig, c Change, acct applyAccount, listed iter.Seq2[*Grant, error]) ChangeResult {
	r := ChangeResult{Change: c}
	fail := func(err error) ChangeResult { return failed(c, err) }
	skip := func(why string) ChangeResult {
		r.Outcome, r.Detail = ApplySkipped, why
		return r
	}
	client, dir := acct.client, acct.dir
	switch c.Action {
	case ActionCreate, ActionUpdate, ActionRecreate:
		if c.want == nil {
			return fail(Invalid("plan", "the change carries no request (a plan decoded from JSON cannot be applied); plan again"))
		}
		req := *c.want
		if cfg.recheck != nil {
			now, wanted, err := cfg.recheck(lctx, c.Key)
			if err != nil {
				return fail(fmt.Errorf("rechecking the booking: %w", err))
			}
			if !wanted {
				return skip("no booking wants the key since the plan")
			}
			if now.Key != c.Key {
				return fail(Invalid("Key", fmt.Sprintf("the recheck of key %q answered key %q", c.Key, now.Key)))
			}
			req = now
		}
		local := req
		if dir != nil {
			name, l, err := dirLocal(dir, req)
			if err != nil {
				return fail(err)
			}
			if name != c.Account {
				return skip(fmt.Sprintf("the booking now wants doors of account %q; plan again", name))
			}
			local = l
		}
		grant, outcome, err := EnsureGrant(lctx, client, local, noTurn, WithAppliedStore(acct.applied), listedUnderTurn(listed))
		if err != nil {
			r = fail(err)
		} else {
			r.Outcome = ApplyOutcome(outcome.String())
		}
		if grant != nil {
			r.GrantID = acct.id(grant.ID)
		}
		return r

	case ActionRevoke:
		held := c.held
		if held == nil {
			return fail(Invalid("plan", "the change carries no grant (a plan decoded from JSON cannot be applied); plan again"))
		}
		switch {
		case cfg.recheck != nil && c.Cause != CauseDuplicate:
			now, wanted, err := cfg.recheck(lctx, c.Key)
			if err != nil {
				return fail(fmt.Errorf("rechecking the booking: %w", err))
			}
			if wanted && now.Window.End.After(time.Now()) {
				name := c.Account
				if dir != nil {
					if name, _, err = dirLocal(dir, now); err != nil {
						return fail(err)
					}
				}
				if name == c.Account {
					return skip("a booking wants the key again since the plan")
				}
			}
		case cfg.recheck == nil && c.Cause == CauseNotWanted:
			return skip("not revoked without WithRecheck: only the booking system can say no booking confirmed since the plan wants the key")
		}
		current, err := reread(lctx, client, held, listed)
		switch {
		case errors.Is(err, ErrNotFound):
			r.Outcome = ApplyGone
			r.Detail = forget(lctx, acct.applied, c)
			return r
		case err != nil:
			return fail(fmt.Errorf("reading the grant again: %w", err))
		case !samePlanned(current, held):
			return skip(fmt.Sprintf("the grant changed since the plan (now %s on %s); plan again", current.Window, strings.Join(current.DoorIDs(), ",")))
		}
		if err := revokeReread(lctx, client, held, current); err != nil {
			return fail(err)
		}
		r.Outcome = ApplyRevoked
		r.Detail = forget(lctx, acct.applied, c)
		return r
	}
	return fail(Invalid("Action", fmt.Sprintf("%q is not a change Apply makes", c.Action)))
}

// revokeReread revokes the grant the plan saw, read again a moment ago
// under its key's turn (current): from that reading where the client can
// (ListedGrantRevoker), so the grant is not read a third time, else by the
// id the plan saw. Gone already is done.
func revokeReread(ctx context.Context, client Granter, held, current *Grant) error {
	if _, ok := client.(ListedGrantRevoker); ok {
		return revokeFound(ctx, client, current)
	}
	sending(ctx, held.Key)
	return EnsureRevoked(ctx, client, held.ID)
}

// forget drops the applied record of a revoked grant's key, unless the key
// still names a grant (a duplicate's twin, the booking's grant in another
// account). It returns a note when that fails: the revoke itself held.
func forget(ctx context.Context, applied AppliedStore, c Change) string {
	if applied == nil || c.Cause == CauseDuplicate || c.elsewhere {
		return ""
	}
	if err := applied.DeleteApplied(ctx, c.Key); err != nil {
		return "the key's applied-window record could not be dropped: " + err.Error()
	}
	return ""
}

// reread reads the grant the plan saw: from listed, the key's grants read
// under its turn (Apply's batch), when they show it live; else, as without
// them, by id where the vendor can, else by key. A grant revoked since is
// ErrNotFound, said only by that read: a grant the batch's reading does not
// show under its id may still be there in part (a Havr grant missing one
// of its shared keys shows under another id).
//
// A revoke then acts on the grant read here (see revokeReread).
func reread(ctx context.Context, client Granter, held *Grant, listed iter.Seq2[*Grant, error]) (*Grant, error) {
	if listed != nil {
		for g, err := range listed {
			if err != nil {
				break
			}
			if g != nil && g.ID == held.ID && g.Key == held.Key && g.State() != GrantRevoked {
				return g, nil
			}
		}
	}
	if getter, ok := client.(GrantGetter); ok {
		g, err := getter.GetGrant(ctx, held.ID)
		if err != nil {
			return nil, err
		}
		if g.State() == GrantRevoked {
			return nil, fmt.Errorf("grant %s: %w", held.ID, ErrNotFound)
		}
		if g.Key == "" {
			g.Key = held.Key // a vendor that shows the key only in its listing
		}
		return g, nil
	}
	lister, ok := client.(GrantLister)
	if !ok {
		return nil, fmt.Errorf("%T can neither get nor list grants: %w", client, ErrUnsupported)
	}
	for g, err := range lister.ListGrants(ctx, GrantFilter{Key: held.Key}) {
		if err != nil {
			return nil, err
		}
		if g != nil && g.ID == held.ID && g.State() != GrantRevoked {
			return g, nil
		}
	}
	return nil, fmt.Errorf("grant %s: %w", held.ID, ErrNotFound)
}

// samePlanned reports whether the grant is still the one the plan saw.
func samePlanned(now, planned *Grant) bool {
	return now.Key == planned.Key && sameDoors(now.DoorIDs(), planned.DoorIDs()) && nearWindow(now.Window, planned.Window)
}
