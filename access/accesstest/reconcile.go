package accesstest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/doorkit/doorkit/access"
)

// rcPrefix is the key prefix the reconcile cases own.
const rcPrefix = "accesstest-rc-"

// Bookings is a booking system's list for reconcile tests: keys to
// requests in the order first set, safe for concurrent use, with a Recheck
// that answers from it (access.WithRecheck(b.Recheck)).
type Bookings struct {
	mu   sync.Mutex
	reqs map[string]access.GrantRequest
	keys []string
}

// NewBookings returns Bookings holding reqs.
func NewBookings(reqs ...access.GrantRequest) *Bookings {
	b := &Bookings{reqs: map[string]access.GrantRequest{}}
	for _, r := range reqs {
		b.Set(r)
	}
	return b
}

// Set adds the booking r, or replaces the one with its key.
func (b *Bookings) Set(r access.GrantRequest) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, ok := b.reqs[r.Key]; !ok {
		b.keys = append(b.keys, r.Key)
	}
	b.reqs[r.Key] = r
}

// Cancel removes the booking with key.
func (b *Bookings) Cancel(key string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	delete(b.reqs, key)
	b.keys = slices.DeleteFunc(b.keys, func(k string) bool { return k == key })
}

// List returns the bookings in the order first set.
func (b *Bookings) List() []access.GrantRequest {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := make([]access.GrantRequest, len(b.keys))
	for i, k := range b.keys {
		out[i] = b.reqs[k]
	}
	return out
}

// Recheck answers a key's booking as it is now: an access.Recheck.
func (b *Bookings) Recheck(_ context.Context, key string) (access.GrantRequest, bool, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	r, ok := b.reqs[key]
	return r, ok, nil
}

// holderN returns the i-th of several distinct holders like p, ok false
// when p cannot be varied (a vendor user: Havr keeps one key per user and
// lock).
func holderN(p access.Person, i int) (access.Person, bool) {
	switch {
	case p.VendorUserID != "":
		return p, false
	case p.Email != "":
		local, domain, _ := strings.Cut(p.Email, "@")
		p.Email = fmt.Sprintf("%s+rc%d@%s", local, i, domain)
	case p.Phone != "":
		p.Phone = p.Phone[:len(p.Phone)-1] + fmt.Sprint(i%10)
	default:
		return p, false
	}
	return p, true
}

// rcRequest is booking i: a two-hour window tomorrow, hour i, in whole
// minutes (every vendor's resolution).
func rcRequest(cfg Config, i int, holder access.Person) access.GrantRequest {
	start := time.Now().Add(24 * time.Hour).Truncate(time.Hour).Add(time.Duration(i) * time.Hour).UTC()
	return access.GrantRequest{Key: fmt.Sprintf("%s%d", rcPrefix, i), DoorIDs: cfg.GrantDoors, Holder: holder,
		Window: access.Window{Start: start, End: start.Add(2 * time.Hour)}, Credential: cfg.Credential, Label: "accesstest"}
}

// rcEnv is one implementation set up for the reconcile cases: bookings
// 1..4 applied and converged.
type rcEnv struct {
	fx      Fixture
	g       access.Granter
	b       *Bookings
	applied access.AppliedStore
	grants  map[string]*access.Grant // by key, as applied
	holder  func(i int) access.Person
}

func (e *rcEnv) opts(more ...access.ReconcileOption) []access.ReconcileOption {
	return append([]access.ReconcileOption{access.WithOwnedPrefix(rcPrefix), access.WithAppliedStore(e.applied),
		access.WithRecheck(e.b.Recheck)}, more...)
}

func (e *rcEnv) plan(t *testing.T, more ...access.ReconcileOption) (*access.Plan, error) {
	t.Helper()
	return access.PlanGrants(context.Background(), e.g, access.Wanted(e.b.List()...), e.opts(more...)...)
}

func newRCEnv(t *testing.T, cfg Config) *rcEnv {
	t.Helper()
	if _, ok := holderN(cfg.Holder, 1); !ok {
		t.Skipf("holder %+v cannot be varied into several holders (one key per vendor user and lock)", cfg.Holder)
	}
	fx := cfg.New(t)
	e := &rcEnv{fx: fx, g: fx.Impl.(access.Granter), applied: access.NewMemoryAppliedStore(), grants: map[string]*access.Grant{},
		holder: func(i int) access.Person { p, _ := holderN(cfg.Holder, i); return p }}
	e.b = NewBookings()
	for i := 1; i <= 4; i++ {
		e.b.Set(rcRequest(cfg, i, e.holder(i)))
	}
	plan, err := e.plan(t)
	if err != nil {
		t.Fatalf("first plan: %v\n%s", err, plan)
	}
	wantChanges(t, plan, map[string]access.ChangeCause{rcKey(1): access.CauseNotHeld, rcKey(2): access.CauseNotHeld,
		rcKey(3): access.CauseNotHeld, rcKey(4): access.CauseNotHeld})
	res, err := access.Apply(context.Background(), e.g, plan, e.opts()...)
	if err != nil {
		t.Fatalf("first apply: %v", err)
	}
	if n := res.Count(access.ApplyCreated); n != 4 {
		t.Fatalf("first apply created %d grants, want 4: %s", n, res)
	}
	for _, r := range res.Results {
		g, err := getGrant(e.g, r.GrantID, r.Change.Key)
		if err != nil {
			t.Fatalf("reading grant %s of %s: %v", r.GrantID, r.Change.Key, err)
		}
		e.grants[r.Change.Key] = g
	}
	again, err := e.plan(t)
	if err != nil || !again.Converged() {
		t.Fatalf("plan after the first apply: err %v, not converged:\n%s", err, again)
	}
	return e
}

func rcKey(i int) string { return fmt.Sprintf("%s%d", rcPrefix, i) }

// getGrant reads a grant by id, or by key where the implementation cannot
// get by id.
func getGrant(g access.Granter, id, key string) (*access.Grant, error) {
	if getter, ok := g.(access.GrantGetter); ok {
		return getter.GetGrant(context.Background(), id)
	}
	for gr, err := range g.(access.GrantLister).ListGrants(context.Background(), access.GrantFilter{Key: key}) {
		if err != nil {
			return nil, err
		}
		if gr.ID == id {
			return gr, nil
		}
	}
	return nil, access.ErrNotFound
}

// wantChanges checks that the plan's changes other than keeps are exactly
// those given, by key and cause.
func wantChanges(t *testing.T, plan *access.Plan, want map[string]access.ChangeCause) {
	t.Helper()
	got := map[string]access.ChangeCause{}
	for _, c := range plan.Changes {
		if c.Action == access.ActionKeep {
			continue
		}
		if _, dup := got[c.Key]; dup {
			t.Errorf("key %q has two changes", c.Key)
		}
		got[c.Key] = c.Cause
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("changes = %v, want %v\n%s", got, want, plan)
	}
}

func findingKinds(plan *access.Plan) map[string][]access.FindingKind {
	out := map[string][]access.FindingKind{}
	for _, f := range plan.Findings {
		out[f.Key] = append(out[f.Key], f.Kind)
	}
	return out
}

func testReconcile(t *testing.T, cfg Config) {
	ctx := context.Background()
	_, updates := cfg.New(t).Impl.(access.GrantUpdater)

	t.Run("DriftIsPlannedAppliedAndConverges", func(t *testing.T) {
		e := newRCEnv(t, cfg)
		// Drift the way it happens: booking 2's grant deleted in the
		// vendor's portal, booking 3's window edited there, booking 4
		// cancelled without its trigger, and grants made outside this
		// integration (no key, another owner's prefix).
		if err := e.g.RevokeGrant(ctx, e.grants[rcKey(2)].ID); err != nil {
			t.Fatalf("deleting booking 2's grant: %v", err)
		}
		want := map[string]access.ChangeCause{rcKey(2): access.CauseNotHeld, rcKey(4): access.CauseNotWanted}
		if updates {
			w := e.grants[rcKey(3)].Window
			edited := access.Window{Start: w.Start.Add(30 * time.Minute), End: w.End.Add(30 * time.Minute)}
			if _, err := e.g.(access.GrantUpdater).UpdateGrantWindow(ctx, e.grants[rcKey(3)].ID, edited); err != nil {
				t.Fatalf("editing booking 3's window: %v", err)
			}
			want[rcKey(3)] = access.CauseChangedOutside
		}
		e.b.Cancel(rcKey(4))
		// One door each: a vendor may list a keyless grant's doors as
		// separate grants (Havr does), which would not match its id.
		outside := rcRequest(cfg, 6, e.holder(6))
		outside.Key, outside.DoorIDs = "", cfg.GrantDoors[:1]
		unkeyed, err := e.g.CreateGrant(ctx, outside)
		if err != nil {
			t.Fatalf("a grant without a key: %v", err)
		}
		outside = rcRequest(cfg, 7, e.holder(7))
		outside.Key, outside.DoorIDs = "someone-else-7", cfg.GrantDoors[:1]
		foreign, err := e.g.CreateGrant(ctx, outside)
		if err != nil {
			t.Fatalf("a grant under another prefix: %v", err)
		}

		plan, err := e.plan(t)
		if err != nil {
			t.Fatalf("plan: %v\n%s", err, plan)
		}
		wantChanges(t, plan, want)
		for _, c := range plan.Changes {
			if c.Key == rcKey(1) && c.Action != access.ActionKeep {
				t.Errorf("booking 1, untouched, is planned %s", c.Action)
			}
			if c.Key == rcKey(3) && updates && c.Action != access.ActionUpdate && c.Action != access.ActionRecreate {
				t.Errorf("booking 3 is planned %s, want update", c.Action)
			}
		}
		wantFindings := map[string][]access.FindingKind{}
		if updates {
			wantFindings[rcKey(3)] = []access.FindingKind{access.FindingChangedOutside}
		}
		if got := findingKinds(plan); fmt.Sprint(got) != fmt.Sprint(wantFindings) {
			t.Errorf("findings = %v, want %v\n%s", got, wantFindings, plan)
		}
		listed := true
		for _, a := range plan.Accounts {
			if a.Source == access.SourceKeyStore {
				listed = false
			}
		}
		var unmanaged []string
		for _, u := range plan.Unmanaged {
			unmanaged = append(unmanaged, u.GrantID)
		}
		slices.Sort(unmanaged)
		wantUnmanaged := []string{unkeyed.ID, foreign.ID}
		if !listed {
			wantUnmanaged = nil // a key store sees only the owned keys
		}
		slices.Sort(wantUnmanaged)
		if !slices.Equal(unmanaged, wantUnmanaged) {
			t.Errorf("unmanaged = %v, want %v\n%s", unmanaged, wantUnmanaged, plan)
		}
		if s := plan.String(); !strings.Contains(s, "Plan: ") || !strings.Contains(s, rcKey(4)) {
			t.Errorf("the printed plan lacks its counts or booking 4:\n%s", s)
		}

		var calls []int
		res, err := access.Apply(ctx, e.g, plan, e.opts(access.WithProgress(func(done, total int, _ access.Change) {
			calls = append(calls, done*100+total)
		}))...)
		if err != nil {
			t.Fatalf("apply: %v\n%s", err, res)
		}
		if len(calls) != len(want) || calls[len(calls)-1] != len(want)*100+len(want) {
			t.Errorf("progress calls (done*100+total) = %v, want %d ending at %d", calls, len(want), len(want)*101)
		}
		if n := res.Count(access.ApplyRevoked); n != 1 {
			t.Errorf("apply revoked %d grants, want 1: %s", n, res)
		}
		again, err := e.plan(t)
		if err != nil || !again.Converged() {
			t.Fatalf("plan after apply: err %v, not converged:\n%s", err, again)
		}
		for _, id := range []string{unkeyed.ID, foreign.ID} {
			if _, err := getGrant(e.g, id, ""); err != nil {
				t.Errorf("unmanaged grant %s was touched: %v", id, err)
			}
		}
	})

	t.Run("ConfirmedSinceThePlanIsNotRevoked", func(t *testing.T) {
		e := newRCEnv(t, cfg)
		kept := e.b.List()[0]
		e.b.Cancel(kept.Key)
		plan, err := e.plan(t)
		if err != nil {
			t.Fatalf("plan: %v", err)
		}
		wantChanges(t, plan, map[string]access.ChangeCause{kept.Key: access.CauseNotWanted})
		e.b.Set(kept) // confirmed again before the apply
		res, err := access.Apply(ctx, e.g, plan, e.opts()...)
		if err != nil || res.Count(access.ApplySkipped) != 1 {
			t.Fatalf("apply: %v, %s; want the revoke skipped", err, res)
		}
		if _, err := getGrant(e.g, e.grants[kept.Key].ID, kept.Key); err != nil {
			t.Errorf("booking %s's grant is gone: %v", kept.Key, err)
		}
		// Without a recheck nothing says the booking is gone for good.
		e.b.Cancel(kept.Key)
		plan, _ = e.plan(t)
		res, err = access.Apply(ctx, e.g, plan, access.WithOwnedPrefix(rcPrefix))
		if err != nil || res.Count(access.ApplySkipped) != 1 {
			t.Fatalf("apply without a recheck: %v, %s; want the revoke skipped", err, res)
		}
	})

	t.Run("BrakeWithholdsMassRevokes", func(t *testing.T) {
		e := newRCEnv(t, cfg)
		live := count(e.fx.Live)
		for _, r := range e.b.List() {
			e.b.Cancel(r.Key) // an empty booking list
		}
		plan, err := e.plan(t)
		if !errors.Is(err, access.ErrTooManyRevokes) {
			t.Fatalf("plan revoking every grant: err %v, want ErrTooManyRevokes\n%s", err, plan)
		}
		if s := plan.Summary(); s.Revoke != 0 || s.Withheld != 4 {
			t.Errorf("summary %+v, want 4 revokes withheld and none to do", s)
		}
		res, err := access.Apply(ctx, e.g, plan, e.opts()...)
		if err != nil || res.Count(access.ApplyWithheld) != 4 {
			t.Errorf("apply: %v, %s; want 4 withheld", err, res)
		}
		if got := count(e.fx.Live); got != live {
			t.Errorf("the vendor holds %d grant objects after applying a braked plan, %d before", got, live)
		}
		plan, err = e.plan(t, access.WithRevokeShare(1))
		if err != nil || plan.Summary().Revoke != 4 {
			t.Errorf("with the brake off: err %v, summary %+v; want 4 revokes", err, plan.Summary())
		}
	})

	t.Run("IncompleteAccountRevokesNothing", func(t *testing.T) {
		if cfg.New(t).FailListing == nil {
			t.Skip("the fixture cannot make a listing fail")
		}
		e := newRCEnv(t, cfg)
		live := count(e.fx.Live)
		e.b.Cancel(rcKey(4))
		e.fx.FailListing()
		plan, err := e.plan(t)
		if !errors.Is(err, access.ErrIncomplete) {
			t.Fatalf("plan with a failing listing: err %v, want ErrIncomplete\n%s", err, plan)
		}
		if _, isDir := e.g.(*access.Directory); isDir {
			var aerr *access.AccountError
			if account, _, _ := access.SplitID(cfg.GrantDoors[0]); !errors.As(err, &aerr) || aerr.Account != account {
				t.Errorf("err %v does not name account %q", err, account)
			}
		}
		if s := plan.Summary(); s.Revoke != 0 || s.Incomplete == 0 {
			t.Errorf("summary %+v: want no revoke and an incomplete account\n%s", s, plan)
		}
		if _, err := access.Apply(ctx, e.g, plan, e.opts()...); count(e.fx.Live) != live {
			t.Errorf("apply (err %v) changed the vendor's grant objects from %d to %d", err, live, count(e.fx.Live))
		}
	})

	t.Run("WantedErrorAbortsThePlan", func(t *testing.T) {
		g := cfg.New(t).Impl.(access.Granter)
		broken := errors.New("booking database unreachable")
		wanted := func(yield func(access.GrantRequest, error) bool) {
			if yield(rcRequest(cfg, 1, cfg.Holder), nil) {
				yield(access.GrantRequest{}, broken)
			}
		}
		plan, err := access.PlanGrants(ctx, g, wanted, access.WithOwnedPrefix(rcPrefix))
		if !errors.Is(err, broken) || plan != nil {
			t.Errorf("plan = %v, err %v; want no plan and the wanted list's error", plan, err)
		}
	})

	t.Run("NextCheck", func(t *testing.T) {
		g := cfg.New(t).Impl.(access.Granter)
		r := rcRequest(cfg, 1, cfg.Holder)
		plan, err := access.PlanGrants(ctx, g, access.Wanted(r), access.WithOwnedPrefix(rcPrefix), access.WithLeadTime(2*time.Hour))
		if err != nil {
			t.Fatalf("plan: %v", err)
		}
		want := r.Window.Start.Add(-2 * time.Hour)
		if nc := plan.NextCheck; nc.Before(want) || nc.After(want.Add(2*time.Minute)) || nc.Location() != time.UTC {
			t.Errorf("next check %v, want just after %v (the start less the lead time), in UTC", nc, want)
		}
	})
}
