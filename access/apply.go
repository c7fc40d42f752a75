package access

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
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

// Apply carries out a plan PlanGrants made for the same target: at most
// WithConcurrency changes at once (each client's pacing still applies),
// each through EnsureGrant or EnsureRevoked, so every change stays
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
	res := &ApplyResult{Results: make([]ChangeResult, len(todo))}
	var mu sync.Mutex
	done := 0
	forEach(ctx, len(todo), cfg.concurrency, func(i int) {
		r := applyChange(ctx, cfg, target, todo[i])
		mu.Lock()
		defer mu.Unlock()
		res.Results[i] = r
		done++
		if cfg.progress != nil {
			cfg.progress(done, len(todo), todo[i])
		}
	})
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

// sameTarget reports whether a and b are the same client or Directory:
// equal values where their type allows comparing, else never.
func sameTarget(a, b Granter) bool {
	ta, tb := reflect.TypeOf(a), reflect.TypeOf(b)
	return ta == tb && ta.Comparable() && any(a) == any(b)
}

// noTurn runs an EnsureGrant inside Apply, which already holds the key's
// turn.
func noTurn(c *ensureConfig) { c.locker = nil }

func applyChange(ctx context.Context, cfg reconcileConfig, target Granter, c Change) ChangeResult {
	r := ChangeResult{Change: c}
	fail := func(err error) ChangeResult {
		r.Outcome, r.Err = ApplyFailed, &ChangeError{Change: c, Err: err}
		return r
	}
	skip := func(why string) ChangeResult {
		r.Outcome, r.Detail = ApplySkipped, why
		return r
	}
	if c.Withheld != "" {
		r.Outcome, r.Detail = ApplyWithheld, c.Withheld
		return r
	}
	dir, inDir := target.(*Directory)
	client := target
	if inDir {
		acct, ok := dir.Account(c.Account)
		g, granter := acct.(Granter)
		if !ok || !granter {
			return fail(Invalid("Account", fmt.Sprintf("no account %q that grants in this directory", c.Account)))
		}
		client = g
	} else if c.Account != "" {
		return fail(Invalid("target", fmt.Sprintf("the plan names account %q; apply it to the Directory it was made for", c.Account)))
	}
	id := func(vendorID string) string {
		if inDir {
			return JoinID(c.Account, vendorID)
		}
		return vendorID
	}
	ec := ensureOptions(target, cfg.ensure)
	applied := appliedStoreOf(client, ensureOptions(nil, cfg.ensure).applied)
	turn, err := ec.keyTurn(ctx, c.Key)
	if err != nil {
		return fail(err)
	}
	r = applyUnderTurn(turn.ctx, cfg, c, client, applied, inDir, dir, id, &r, fail, skip)
	if rerr := turn.release(r.Err); rerr != nil && r.Err == nil {
		return fail(recordError(r.GrantID, string(r.Outcome), c.Key, turn.record, rerr))
	}
	return r
}

// applyUnderTurn is applyChange under the key's turn.
func applyUnderTurn(lctx context.Context, cfg reconcileConfig, c Change, client Granter, applied AppliedStore, inDir bool, dir *Directory,
	id func(string) string, r *ChangeResult, fail func(error) ChangeResult, skip func(string) ChangeResult) ChangeResult {
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
		if inDir {
			name, l, err := dirLocal(dir, req)
			if err != nil {
				return fail(err)
			}
			if name != c.Account {
				return skip(fmt.Sprintf("the booking now wants doors of account %q; plan again", name))
			}
			local = l
		}
		grant, outcome, err := EnsureGrant(lctx, client, local, noTurn, WithAppliedStore(applied))
		if grant != nil {
			r.GrantID = id(grant.ID)
		}
		if err != nil {
			return fail(err)
		}
		r.Outcome = ApplyOutcome(outcome.String())
		return *r

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
				if inDir {
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
		current, err := reread(lctx, client, held)
		switch {
		case errors.Is(err, ErrNotFound):
			r.Outcome = ApplyGone
			r.Detail = forget(lctx, applied, c)
			return *r
		case err != nil:
			return fail(fmt.Errorf("reading the grant again: %w", err))
		case !samePlanned(current, held):
			return skip(fmt.Sprintf("the grant changed since the plan (now %s on %s); plan again", current.Window, strings.Join(current.DoorIDs(), ",")))
		}
		sending(lctx, c.Key)
		if err := EnsureRevoked(lctx, client, held.ID); err != nil {
			return fail(err)
		}
		r.Outcome = ApplyRevoked
		r.Detail = forget(lctx, applied, c)
		return *r
	}
	return fail(Invalid("Action", fmt.Sprintf("%q is not a change Apply makes", c.Action)))
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

// reread reads the grant the plan saw, by id where the vendor can, else by
// key. A grant revoked since is ErrNotFound.
func reread(ctx context.Context, client Granter, held *Grant) (*Grant, error) {
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
