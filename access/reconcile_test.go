package access_test

import (
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/access/accesstest"
)

// booking is a PIN booking on Memory door m1, starting at start (whole
// minutes), two hours long.
func pinBooking(key string, start time.Time) access.GrantRequest {
	start = start.UTC().Truncate(time.Minute)
	return access.GrantRequest{Key: key, DoorIDs: []string{"m1"}, Holder: access.Person{Name: key, Email: key + "@example.com"},
		Window: access.Window{Start: start, End: start.Add(2 * time.Hour)}, Credential: access.CredentialPIN, PIN: "9876"}
}

func tomorrow(h int) time.Time {
	return time.Now().Add(24 * time.Hour).Truncate(time.Hour).Add(time.Duration(h) * time.Hour)
}

func changesByKey(p *access.Plan) map[string]access.Change {
	out := map[string]access.Change{}
	for _, c := range p.Changes {
		out[c.Key] = c
	}
	return out
}

func mustPlan(t *testing.T, g access.Granter, reqs []access.GrantRequest, opts ...access.ReconcileOption) *access.Plan {
	t.Helper()
	p, err := access.PlanGrants(context.Background(), g, access.Wanted(reqs...), append([]access.ReconcileOption{access.WithOwnedPrefix("bk-")}, opts...)...)
	require.NoError(t, err, "%s", p)
	return p
}

func mustEnsure(t *testing.T, g access.Granter, req access.GrantRequest, opts ...access.EnsureOption) *access.Grant {
	t.Helper()
	grant, _, err := access.EnsureGrant(context.Background(), g, req, opts...)
	require.NoError(t, err)
	return grant
}

func TestPlanNeedsAPrefixAndValidWantedGrants(t *testing.T) {
	ctx := context.Background()
	m := accesstest.NewMemory(accesstest.MemoryDoors()...)
	_, err := access.PlanGrants(ctx, m, access.Wanted())
	assert.ErrorIs(t, err, access.ErrInvalid, "no WithOwnedPrefix")
	var nilCtx context.Context
	_, err = access.PlanGrants(nilCtx, m, access.Wanted(), access.WithOwnedPrefix("bk-"))
	assert.ErrorIs(t, err, access.ErrInvalid, "a nil context")
	_, err = access.Apply(nilCtx, m, &access.Plan{})
	assert.ErrorIs(t, err, access.ErrInvalid, "a nil context")

	for name, reqs := range map[string][]access.GrantRequest{
		"no key":             {func() access.GrantRequest { r := pinBooking("bk-1", tomorrow(1)); r.Key = ""; return r }()},
		"outside the prefix": {pinBooking("other-1", tomorrow(1))},
		"a key twice":        {pinBooking("bk-1", tomorrow(1)), pinBooking("bk-1", tomorrow(5))},
		"invalid window": {func() access.GrantRequest {
			r := pinBooking("bk-1", tomorrow(1))
			r.Window.End = r.Window.Start
			return r
		}()},
	} {
		p, err := access.PlanGrants(ctx, m, access.Wanted(reqs...), access.WithOwnedPrefix("bk-"))
		assert.ErrorIs(t, err, access.ErrInvalid, name)
		assert.Nil(t, p, name)
	}

	d := access.NewDirectory()
	require.NoError(t, d.Add("hq", m))
	require.NoError(t, d.Add("lab", accesstest.NewMemory(accesstest.MemoryDoors()...)))
	twoAccounts := pinBooking("bk-1", tomorrow(1))
	twoAccounts.DoorIDs = []string{"hq:m1", "lab:m1"}
	_, err = access.PlanGrants(ctx, d, access.Wanted(twoAccounts), access.WithOwnedPrefix("bk-"))
	assert.ErrorIs(t, err, access.ErrInvalid, "doors of two accounts")
	noAccount := pinBooking("bk-1", tomorrow(1))
	noAccount.DoorIDs = []string{"gone:m1"}
	_, err = access.PlanGrants(ctx, d, access.Wanted(noAccount), access.WithOwnedPrefix("bk-"))
	assert.ErrorIs(t, err, access.ErrInvalid, "an account the directory lacks")
	assert.Equal(t, 0, m.Creates()+m.Live(), "a refused plan read or made nothing")
}

func TestPlanComparesHeldWithWanted(t *testing.T) {
	m := accesstest.NewMemory(accesstest.MemoryDoors()...)
	applied := access.NewMemoryAppliedStore()
	rec := access.WithAppliedStore(applied)
	moved, edited, unrecorded := pinBooking("bk-moved", tomorrow(1)), pinBooking("bk-edited", tomorrow(3)), pinBooking("bk-unrecorded", tomorrow(5))
	doors, holder := pinBooking("bk-doors", tomorrow(7)), pinBooking("bk-holder", tomorrow(9))
	for _, r := range []access.GrantRequest{moved, edited, doors, holder} {
		mustEnsure(t, m, r, rec)
	}
	g := mustEnsure(t, m, unrecorded) // no record of what doorkit applied
	_, err := m.UpdateGrantWindow(context.Background(), mustEnsure(t, m, edited).ID,
		access.Window{Start: edited.Window.Start.Add(time.Hour), End: edited.Window.End.Add(time.Hour)})
	require.NoError(t, err)

	moved.Window.End = moved.Window.End.Add(30 * time.Minute) // the booking moved
	unrecorded.Window.End = unrecorded.Window.End.Add(30 * time.Minute)
	doors.DoorIDs = []string{"m1", "m2"}
	holder.Holder.Email = "someone-else@example.com"
	p := mustPlan(t, m, []access.GrantRequest{moved, edited, unrecorded, doors, holder}, rec)
	got := changesByKey(p)
	assert.Equal(t, access.CauseBookingMoved, got["bk-moved"].Cause)
	assert.Equal(t, access.ActionUpdate, got["bk-moved"].Action)
	assert.Equal(t, access.CauseChangedOutside, got["bk-edited"].Cause)
	assert.Equal(t, access.CauseWindowDiffers, got["bk-unrecorded"].Cause)
	assert.Equal(t, g.ID, got["bk-unrecorded"].GrantID)
	assert.Equal(t, access.ActionRecreate, got["bk-doors"].Action)
	assert.Equal(t, access.CauseDoorsDiffer, got["bk-doors"].Cause)
	assert.Equal(t, access.ActionRecreate, got["bk-holder"].Action)
	assert.Equal(t, access.CauseHolderDiffers, got["bk-holder"].Cause)
	require.Len(t, p.Findings, 1, "%s", p)
	assert.Equal(t, access.FindingChangedOutside, p.Findings[0].Kind)
	assert.Equal(t, "bk-edited", p.Findings[0].Key)

	res, err := access.Apply(context.Background(), m, p, rec)
	require.NoError(t, err, "%s", res)
	again := mustPlan(t, m, []access.GrantRequest{moved, edited, unrecorded, doors, holder}, rec)
	assert.True(t, again.Converged(), "%s", again)
}

func TestPlanHealthFindings(t *testing.T) {
	ctx := context.Background()
	m := accesstest.NewMemory(accesstest.MemoryDoors()...)
	soon := pinBooking("bk-soon", time.Now().Add(20*time.Minute))       // within the lead time
	missing := pinBooking("bk-missing", time.Now().Add(40*time.Minute)) // nothing held
	later := pinBooking("bk-later", tomorrow(1))                        // failed, but not due yet
	over := pinBooking("bk-over", time.Now().Add(-3*time.Hour))         // the booking is over
	gone := pinBooking("bk-gone", time.Now().Add(-time.Hour))           // cancelled while running
	g := mustEnsure(t, m, soon)
	require.NoError(t, m.SetState(g.ID, "m1", access.GrantFailed, "keypad offline"))
	l := mustEnsure(t, m, later)
	require.NoError(t, m.SetState(l.ID, "m1", access.GrantFailed, "keypad offline"))
	// Grants made two hours ago, so that their windows started then.
	m.SetClock(func() time.Time { return time.Now().Add(-2 * time.Hour) })
	running := over
	running.Window = access.Window{Start: time.Now().Add(-time.Hour), End: time.Now().Add(time.Hour)}
	mustEnsure(t, m, running) // the grant runs on after the booking ended
	mustEnsure(t, m, gone)
	m.SetClock(time.Now)

	p := mustPlan(t, m, []access.GrantRequest{soon, missing, later, over}, access.WithLeadTime(time.Hour), access.WithRevokeShare(1))
	kinds := map[string]access.FindingKind{}
	for _, f := range p.Findings {
		kinds[f.Key] = f.Kind
		switch f.Key {
		case "bk-soon":
			assert.Contains(t, f.Detail, "keypad offline", "the vendor's reason")
			assert.Equal(t, soon.Window.Start, f.Deadline)
		case "bk-over":
			assert.Equal(t, over.Window.End, f.Deadline)
		}
	}
	assert.Equal(t, map[string]access.FindingKind{"bk-soon": access.FindingNotIssued, "bk-missing": access.FindingNotIssued,
		"bk-over": access.FindingNotRevoked, "bk-gone": access.FindingNotRevoked}, kinds, "%s", p)
	got := changesByKey(p)
	assert.Equal(t, access.CauseFailed, got["bk-soon"].Cause)
	assert.Equal(t, access.CauseFailed, got["bk-later"].Cause)
	assert.Equal(t, access.CauseEnded, got["bk-over"].Cause)
	assert.Equal(t, access.CauseNotWanted, got["bk-gone"].Cause)
	assert.Equal(t, access.CauseNotHeld, got["bk-missing"].Cause)

	// A grant whose own window has ended needs no revoke, wanted or not.
	ended := accesstest.NewMemory(accesstest.MemoryDoors()...)
	ended.SetClock(func() time.Time { return time.Now().Add(-4 * time.Hour) })
	mustEnsure(t, ended, pinBooking("bk-past", time.Now().Add(-3*time.Hour)))
	mustEnsure(t, ended, pinBooking("bk-past-wanted", time.Now().Add(-3*time.Hour)))
	ended.SetClock(time.Now)
	p, err := access.PlanGrants(ctx, ended, access.Wanted(pinBooking("bk-past-wanted", time.Now().Add(-3*time.Hour))), access.WithOwnedPrefix("bk-"))
	require.NoError(t, err)
	assert.True(t, p.Converged(), "%s", p)
	assert.Equal(t, 0, p.Accounts[0].Owned, "ended grants are not what the brake measures")
}

func TestPlanDuplicatesAndTheBrake(t *testing.T) {
	ctx := context.Background()
	m := accesstest.NewMemory(accesstest.MemoryDoors()...)
	var reqs []access.GrantRequest
	for i := range 5 {
		r := pinBooking(fmt.Sprintf("bk-%d", i), tomorrow(i))
		reqs = append(reqs, r)
		mustEnsure(t, m, r)
	}
	twin, err := m.CreateGrant(ctx, reqs[0]) // a second grant with key bk-0
	require.NoError(t, err)
	p := mustPlan(t, m, reqs)
	require.Equal(t, 1, p.Summary().Revoke, "%s", p)
	assert.Equal(t, access.CauseDuplicate, changesByKey(p)["bk-0"].Cause)
	assert.Equal(t, twin.ID, changesByKey(p)["bk-0"].GrantID, "the later twin goes; the one found first stays")

	// Cancelling two bookings revokes two of the six owned grants, 33%:
	// more than the default 20%.
	without := func(drop ...int) []access.GrantRequest {
		var out []access.GrantRequest
		for i, r := range reqs {
			if !slices.Contains(drop, i) {
				out = append(out, r)
			}
		}
		return out
	}
	p, err = access.PlanGrants(ctx, m, access.Wanted(without(1, 2)...), access.WithOwnedPrefix("bk-"))
	require.ErrorIs(t, err, access.ErrTooManyRevokes)
	s := p.Summary()
	assert.Equal(t, 1, s.Revoke, "the duplicate's revoke does not count and is not withheld")
	assert.Equal(t, 2, s.Withheld)
	assert.NotEmpty(t, p.Accounts[0].Braked)
	assert.Contains(t, p.String(), "withheld")
	p, err = access.PlanGrants(ctx, m, access.Wanted(without(1, 2)...), access.WithOwnedPrefix("bk-"), access.WithRevokeShare(0.5))
	require.NoError(t, err)
	assert.Equal(t, 3, p.Summary().Revoke)
	// One revoke in a small account always goes through.
	p, err = access.PlanGrants(ctx, m, access.Wanted(without(1)...), access.WithOwnedPrefix("bk-"), access.WithRevokeShare(0))
	require.NoError(t, err)
	assert.Equal(t, 2, p.Summary().Revoke)
}

func TestPlanPrintsAndEncodesWithoutSecrets(t *testing.T) {
	m := accesstest.NewMemory(accesstest.MemoryDoors()...)
	mustEnsure(t, m, pinBooking("bk-old", tomorrow(3)))
	p := mustPlan(t, m, []access.GrantRequest{pinBooking("bk-new", tomorrow(1))})
	text := p.String()
	for _, want := range []string{"+ create", "bk-new", "- revoke", "bk-old", "Plan: 1 to create, 0 to update, 0 to recreate, 1 to revoke, 0 unchanged.", "Next check: "} {
		assert.Contains(t, text, want)
	}
	var b strings.Builder
	n, err := p.WriteTo(&b)
	require.NoError(t, err)
	assert.Equal(t, int64(len(text)), n)
	js, err := json.Marshal(p)
	require.NoError(t, err)
	assert.NotContains(t, string(js)+text, "9876", "the PIN")
	var decoded struct {
		LeadTime string               `json:"lead_time"`
		Summary  access.PlanSummary   `json:"summary"`
		Changes  []map[string]any     `json:"changes"`
		Accounts []access.AccountPlan `json:"accounts"`
		Next     time.Time            `json:"next_check"`
		Extra    map[string]any       `json:"-"`
	}
	require.NoError(t, json.Unmarshal(js, &decoded))
	assert.Equal(t, "1h0m0s", decoded.LeadTime)
	assert.Equal(t, 1, decoded.Summary.Create)
	assert.Equal(t, "create", decoded.Changes[0]["action"])
	assert.Equal(t, p.NextCheck, decoded.Next)

	var back access.Plan
	require.NoError(t, json.Unmarshal(js, &back))
	res, err := access.Apply(context.Background(), m, &back)
	assert.ErrorIs(t, err, access.ErrInvalid, "a decoded plan is read, not applied: %s", res)
	assert.Equal(t, 1, m.Live(), "nothing was applied")
	other := accesstest.NewMemory(accesstest.MemoryDoors()...)
	_, err = access.Apply(context.Background(), other, p)
	assert.ErrorIs(t, err, access.ErrInvalid, "a plan applies to the target it was made for")
	assert.Equal(t, 0, other.Live())
}

func TestNextCheck(t *testing.T) {
	m := accesstest.NewMemory(accesstest.MemoryDoors()...)
	running := pinBooking("bk-running", time.Now().Add(-30*time.Minute)) // ends in 90 minutes
	later := pinBooking("bk-later", time.Now().Add(5*time.Hour))         // due at 5h less the lead time
	p := mustPlan(t, m, []access.GrantRequest{running, later}, access.WithLeadTime(4*time.Hour))
	want := later.Window.Start.Add(-4 * time.Hour)
	if running.Window.End.Before(want) {
		want = running.Window.End
	}
	assert.Equal(t, want.Add(time.Minute), p.NextCheck, "the earliest, a minute later for vendor rounding")
	assert.Equal(t, time.UTC, p.NextCheck.Location())
	p = mustPlan(t, m, nil)
	assert.True(t, p.NextCheck.IsZero(), "nothing wanted, nothing to wait for")
}

// keyed is a vendor that cannot list its grants, as resivo: it keeps keys
// in a KeyStore and is planned through it.
type keyed struct {
	*accesstest.Memory
	keys access.KeyStore
	gets atomic.Int32
}

func (k *keyed) KeyStore() access.KeyStore { return k.keys }

func (k *keyed) CreateGrant(ctx context.Context, req access.GrantRequest) (*access.Grant, error) {
	return access.CreateWithKeyStore(ctx, k.keys, req.Key, func() (*access.Grant, error) { return k.Memory.CreateGrant(ctx, req) })
}

func (k *keyed) GetGrant(ctx context.Context, id string) (*access.Grant, error) {
	k.gets.Add(1)
	return k.Memory.GetGrant(ctx, id)
}

func TestPlanThroughAKeyStore(t *testing.T) {
	ctx := context.Background()
	k := &keyed{Memory: accesstest.NewMemory(accesstest.MemoryDoors()...), keys: access.NewCompleteMemoryKeyStore()}
	kept, gone, cancelled := pinBooking("bk-kept", tomorrow(1)), pinBooking("bk-gone", tomorrow(3)), pinBooking("bk-cancelled", tomorrow(5))
	for _, r := range []access.GrantRequest{kept, gone, cancelled} {
		mustEnsure(t, k, r)
	}
	for gr := range k.Memory.ListGrants(ctx, access.GrantFilter{Key: "bk-gone"}) {
		require.NoError(t, k.Memory.RevokeGrant(ctx, gr.ID)) // deleted in the vendor's portal
	}
	outside := pinBooking("bk-x", tomorrow(7))
	outside.Key = "" // no key: a key store cannot see it
	_, err := k.Memory.CreateGrant(ctx, outside)
	require.NoError(t, err)
	require.NoError(t, k.keys.Put(ctx, "bk-lost", "")) // a create whose answer was lost
	require.NoError(t, k.keys.Put(ctx, "other-1", "g1"))

	k.gets.Store(0)
	var progress []string
	p, err := access.PlanGrants(ctx, k, access.Wanted(kept, gone), access.WithOwnedPrefix("bk-"),
		access.WithPlanProgress(func(account string, done, total int) { progress = append(progress, fmt.Sprintf("%d/%d", done, total)) }))
	require.NoError(t, err, "%s", p)
	assert.Equal(t, access.SourceKeyStore, p.Accounts[0].Source)
	assert.Contains(t, p.String(), "key store")
	assert.Equal(t, int32(3), k.gets.Load(), "one read per owned key with a grant id")
	assert.Equal(t, []string{"1/3", "2/3", "3/3"}, progress)
	got := changesByKey(p)
	assert.Equal(t, access.ActionKeep, got["bk-kept"].Action)
	assert.Equal(t, access.CauseNotHeld, got["bk-gone"].Cause)
	assert.Equal(t, access.CauseNotWanted, got["bk-cancelled"].Cause)
	assert.Empty(t, p.Unmanaged, "a key store sees only owned keys")
	require.Len(t, p.Findings, 1)
	assert.Equal(t, access.FindingOutcomeUnknown, p.Findings[0].Kind)
	assert.Equal(t, "bk-lost", p.Findings[0].Key)
	assert.NotContains(t, got["bk-gone"].Reason, "cannot prove", "a complete store proves the key has no grant")

	// A process restarted on an in-memory store: the store has forgotten
	// every key, so it lists none and proves nothing.
	restarted := &keyed{Memory: k.Memory, keys: access.NewMemoryKeyStore()}
	p, err = access.PlanGrants(ctx, restarted, access.Wanted(kept), access.WithOwnedPrefix("bk-"))
	require.NoError(t, err)
	c := changesByKey(p)["bk-kept"]
	assert.Equal(t, access.ActionCreate, c.Action)
	assert.Contains(t, c.Reason, "cannot prove it holds no grant")
	assert.Equal(t, 0, p.Summary().Revoke, "nothing it did not see is revoked")
}

// flaky fails its listing after the first grant, and counts calls in
// flight.
type flaky struct {
	*accesstest.Memory
	inFlight, most atomic.Int32
}

func (f *flaky) CreateGrant(ctx context.Context, req access.GrantRequest) (*access.Grant, error) {
	n := f.inFlight.Add(1)
	defer f.inFlight.Add(-1)
	for {
		m := f.most.Load()
		if n <= m || f.most.CompareAndSwap(m, n) {
			break
		}
	}
	return f.Memory.CreateGrant(ctx, req)
}

func TestPlanOverADirectory(t *testing.T) {
	ctx := context.Background()
	hq, lab, idle := accesstest.NewMemory(accesstest.MemoryDoors()...), accesstest.NewMemory(accesstest.MemoryDoors()...), accesstest.NewMemory(accesstest.MemoryDoors()...)
	d := access.NewDirectory()
	require.NoError(t, d.Add("hq", hq))
	require.NoError(t, d.Add("lab", lab))
	require.NoError(t, d.Add("idle", idle))
	require.NoError(t, d.Add("doors-only", doorsOnly{hq}))
	at := func(account string, r access.GrantRequest) access.GrantRequest {
		r.DoorIDs = []string{access.JoinID(account, "m1")}
		return r
	}
	moving := pinBooking("bk-moving", tomorrow(1))
	mustEnsure(t, hq, moving) // held in hq, now wanted in lab
	cancelled := pinBooking("bk-cancelled", tomorrow(3))
	mustEnsure(t, lab, cancelled)
	orphan := pinBooking("bk-orphan", tomorrow(5))
	mustEnsure(t, idle, orphan) // no wanted door names idle
	stay := pinBooking("bk-stay", tomorrow(7))
	mustEnsure(t, lab, stay)

	wanted := []access.GrantRequest{at("lab", moving), at("lab", stay)}
	p := mustPlan(t, d, wanted, access.WithRevokeShare(1))
	got := map[string]access.ChangeAction{}
	for _, c := range p.Changes {
		got[c.Account+" "+c.Key] = c.Action
	}
	assert.Equal(t, map[string]access.ChangeAction{"hq bk-moving": access.ActionRevoke, "lab bk-moving": access.ActionCreate,
		"lab bk-cancelled": access.ActionRevoke, "lab bk-stay": access.ActionKeep, "idle bk-orphan": access.ActionRevoke}, got, "%s", p)
	var names []string
	for _, a := range p.Accounts {
		names = append(names, a.Name)
	}
	assert.Equal(t, []string{"hq", "lab", "idle"}, names, "every account that grants, in directory order")
	for _, c := range p.Changes {
		if c.Key == "bk-moving" && c.Account == "hq" {
			assert.Contains(t, c.Reason, `account "lab"`)
			assert.True(t, strings.HasPrefix(c.GrantID, "hq:"), "a Directory id: %s", c.GrantID)
		}
	}

	// Narrowed to lab, plus the accounts the wanted doors name.
	p = mustPlan(t, d, wanted, access.WithAccounts("idle"), access.WithRevokeShare(1))
	names = nil
	for _, a := range p.Accounts {
		names = append(names, a.Name)
	}
	assert.Equal(t, []string{"lab", "idle"}, names)

	// The moved booking: revoked in hq even though the booking system
	// wants its key, since it wants it in lab.
	b := map[string]access.GrantRequest{"bk-moving": at("lab", moving), "bk-stay": at("lab", stay)}
	recheck := access.WithRecheck(func(_ context.Context, key string) (access.GrantRequest, bool, error) {
		r, ok := b[key]
		return r, ok, nil
	})
	p = mustPlan(t, d, wanted, access.WithRevokeShare(1))
	res, err := access.Apply(ctx, d, p, recheck)
	require.NoError(t, err, "%s", res)
	assert.Equal(t, 3, res.Count(access.ApplyRevoked), "%s", res)
	assert.Equal(t, 1, res.Count(access.ApplyCreated), "%s", res)
	assert.True(t, mustPlan(t, d, wanted).Converged())
	assert.Equal(t, 0, hq.Live()+idle.Live())
}

// doorsOnly is an account that lists doors and grants nothing (Primis).
type doorsOnly struct{ m *accesstest.Memory }

func (d doorsOnly) ListDoors(ctx context.Context) ([]access.Door, error) { return d.m.ListDoors(ctx) }

func TestApplyGoesOnPastAFailureWithinItsConcurrency(t *testing.T) {
	ctx := context.Background()
	f := &flaky{Memory: accesstest.NewMemory(accesstest.MemoryDoors()...)}
	var reqs []access.GrantRequest
	for i := range 12 {
		reqs = append(reqs, pinBooking(fmt.Sprintf("bk-%02d", i), tomorrow(i)))
	}
	reqs[4].DoorIDs = []string{"m9"} // a door the vendor does not have
	p := mustPlan(t, f, reqs)
	var mu sync.Mutex
	var dones []int
	res, err := access.Apply(ctx, f, p, access.WithConcurrency(3), access.WithProgress(func(done, total int, c access.Change) {
		mu.Lock()
		defer mu.Unlock()
		assert.Equal(t, 12, total)
		dones = append(dones, done)
	}))
	require.Error(t, err)
	assert.ErrorIs(t, err, access.ErrNotFound)
	var cerr *access.ChangeError
	require.ErrorAs(t, err, &cerr)
	assert.Contains(t, cerr.Error(), "bk-04")
	assert.Len(t, res.Failed(), 1)
	assert.Equal(t, 11, res.Count(access.ApplyCreated), "%s", res)
	assert.Equal(t, []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, dones)
	assert.LessOrEqual(t, f.most.Load(), int32(3), "at most WithConcurrency changes at once")
	js, err := json.Marshal(res)
	require.NoError(t, err)
	assert.Contains(t, string(js), `"outcome":"failed"`)
	assert.Contains(t, string(js), `"error":`)
	assert.Contains(t, res.String(), "11 created, 1 failed")
}

func TestApplyRechecksUnderTheKeysTurn(t *testing.T) {
	ctx := context.Background()
	m := accesstest.NewMemory(accesstest.MemoryDoors()...)
	a, b, c := pinBooking("bk-a", tomorrow(1)), pinBooking("bk-b", tomorrow(3)), pinBooking("bk-c", tomorrow(5))
	for _, r := range []access.GrantRequest{a, b, c} {
		mustEnsure(t, m, r)
	}
	newBooking := pinBooking("bk-new", tomorrow(7))
	p := mustPlan(t, m, []access.GrantRequest{c, newBooking}, access.WithRevokeShare(1))
	require.Equal(t, 2, p.Summary().Revoke)

	// Since the plan: bk-a moved by its trigger (the grant is no longer the
	// one planned), bk-new cancelled; the booking system still lists bk-b
	// as cancelled.
	moved := a
	moved.Window.End = moved.Window.End.Add(time.Hour)
	mustEnsure(t, m, moved)
	now := map[string]access.GrantRequest{"bk-c": c}
	held := access.NewMemoryLocker()
	var asked []string
	res, err := access.Apply(ctx, m, p, access.WithLocker(held), access.WithRecheck(func(ctx context.Context, key string) (access.GrantRequest, bool, error) {
		// Apply asks under the key's turn: the key is taken.
		tctx, cancel := context.WithTimeout(ctx, 10*time.Millisecond)
		defer cancel()
		if _, err := held.Lock(tctx, "key:"+key); err == nil {
			t.Errorf("the recheck of %s ran without the key's turn", key)
		}
		asked = append(asked, key)
		r, ok := now[key]
		return r, ok, nil
	}), access.WithConcurrency(1))
	require.NoError(t, err, "%s", res)
	outcomes := map[string]access.ApplyOutcome{}
	for _, r := range res.Results {
		outcomes[r.Change.Key] = r.Outcome
	}
	assert.Equal(t, map[string]access.ApplyOutcome{"bk-a": access.ApplySkipped, "bk-b": access.ApplyRevoked, "bk-new": access.ApplySkipped}, outcomes)
	assert.ElementsMatch(t, []string{"bk-a", "bk-b", "bk-new"}, asked)
	assert.Equal(t, 2, m.Live(), "bk-a (moved) and bk-c")
}

// BenchmarkPlanGrants measures the planning itself, with no HTTP: a
// Directory of four accounts (three that list their grants, one read key
// by key through its KeyStore) holding every wanted booking. Compare
// ns/booking and B/op across the sizes: growth is linear when they stay
// flat.
func BenchmarkPlanGrants(b *testing.B) {
	ctx := context.Background()
	for _, n := range []int{1_000, 10_000} {
		b.Run(fmt.Sprintf("bookings=%d", n), func(b *testing.B) {
			d := access.NewDirectory()
			names := []string{"a", "b", "c", "keyed"}
			for _, name := range names[:3] {
				require.NoError(b, d.Add(name, accesstest.NewMemory(accesstest.MemoryDoors()...)))
			}
			require.NoError(b, d.Add("keyed", &keyed{Memory: accesstest.NewMemory(accesstest.MemoryDoors()...), keys: access.NewCompleteMemoryKeyStore()}))
			start := tomorrow(0)
			wanted := make([]access.GrantRequest, n)
			for i := range wanted {
				r := pinBooking(fmt.Sprintf("bk-%06d", i), start.Add(time.Duration(i%96)*30*time.Minute))
				name := names[i%4]
				acct, _ := d.Account(name)
				_, err := acct.(access.Granter).CreateGrant(ctx, r)
				require.NoError(b, err)
				r.DoorIDs = []string{access.JoinID(name, "m1")}
				wanted[i] = r
			}
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				p, err := access.PlanGrants(ctx, d, access.Wanted(wanted...), access.WithOwnedPrefix("bk-"))
				if err != nil || !p.Converged() {
					b.Fatalf("plan: %v", err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/booking")
		})
	}
}

// endless shows one key's grants without an end date, as Havr lists a key
// whose end was removed in its app.
type endless struct {
	*accesstest.Memory
	key string
}

func (e endless) ListGrants(ctx context.Context, f access.GrantFilter) iter.Seq2[*access.Grant, error] {
	return func(yield func(*access.Grant, error) bool) {
		for g, err := range e.Memory.ListGrants(ctx, f) {
			if g != nil && g.Key == e.key {
				g.Window.End = time.Time{}
			}
			if !yield(g, err) {
				return
			}
		}
	}
}

// A grant the vendor holds without an end date runs until revoked: a plan
// revokes it when no booking wants its key. It was taken for ended, and
// never revoked.
func TestPlanRevokesAGrantWithoutAnEnd(t *testing.T) {
	m := accesstest.NewMemory(accesstest.MemoryDoors()...)
	kept, gone := pinBooking("bk-kept", tomorrow(1)), pinBooking("bk-endless", tomorrow(2))
	mustEnsure(t, m, kept)
	mustEnsure(t, m, gone)
	e := endless{Memory: m, key: gone.Key}
	p := mustPlan(t, e, []access.GrantRequest{kept})
	c, ok := changesByKey(p)[gone.Key]
	require.True(t, ok, "%s", p)
	assert.Equal(t, access.ActionRevoke, c.Action)
	assert.Equal(t, access.CauseNotWanted, c.Cause)
	assert.Equal(t, 2, p.Accounts[0].Owned, "the endless grant counts as owned")

	// Its window, with no end, contains every time from its start on.
	w := access.Window{Start: tomorrow(2)}
	assert.True(t, w.Contains(tomorrow(2).AddDate(10, 0, 0)))
	assert.False(t, w.Contains(tomorrow(1)))
}
