// Package accesstest is the behavioural test suite every implementation of
// the access interfaces runs, backed by its vendor's in-memory fake. A vendor
// package calls Run from a test with a Config describing its fake's data.
//
// Memory is a reference implementation of every interface, for tests of
// code built on access.
package accesstest

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/doorkit/doorkit/access"
)

// Capabilities says which access interfaces an implementation provides.
// Run fails when the implementation provides more or fewer.
type Capabilities struct {
	DoorLister   bool
	DoorOpener   bool
	Granter      bool
	GrantGetter  bool
	GrantLister  bool
	GrantUpdater bool
}

// Fixture is one implementation under test, with hooks into its fake.
type Fixture struct {
	// Impl is the implementation (a vendor *Client, a Directory).
	Impl any
	// Creates returns how many create requests the fake has performed
	// (a vendor that makes one object per door counts each). nil skips the
	// checks that need it.
	Creates func() int
	// Live returns how many grant objects the fake holds that are not
	// revoked. nil skips the checks that need it.
	Live func() int
	// LoseNextCreate makes the fake perform the next grant-create request
	// and then drop the connection without answering; on doorkit's vendor
	// fakes that is
	//
	//	srv.Inject(havrtest.Fault{Method: http.MethodPost, Path: "/the/create/path", Count: 1, LoseAnswer: true})
	//
	// The client must report it as access.ErrOutcomeUnknown, and EnsureGrant
	// must end with exactly one grant. nil skips the lost-answer test.
	LoseNextCreate func()
	// FailListing makes every later read of the implementation's grants
	// fail (its listing; for a vendor read through its KeyStore, each read
	// by id), in the account of GrantDoors for a Directory. The reconcile
	// cases then check that nothing is revoked. nil skips that case.
	FailListing func()
}

// Config describes an implementation and its fake's data.
type Config struct {
	// New returns a fresh implementation backed by a fresh fake for each
	// subtest.
	New  func(t *testing.T) Fixture
	Caps Capabilities

	// OpenDoor is a listed door the implementation may open.
	OpenDoor string
	// DeniedDoor is a listed door the vendor refuses to open; "" skips.
	DeniedDoor string
	// UnknownDoor is an id no door has.
	UnknownDoor string

	// GrantDoors are the doors a grant is created for.
	GrantDoors []string
	// Holder is the person granted access.
	Holder access.Person
	// OtherHolder is a second holder, with another email, for the listing
	// filters; the zero value skips those checks.
	OtherHolder access.Person
	// Credential is the kind requested (CredentialAny by default).
	Credential access.CredentialKind
	// UnknownGrant is an id no grant has.
	UnknownGrant string
	// Labels says the vendor keeps GrantRequest.Label: every grant the
	// suite creates, reads, lists or updates must carry it back in
	// Grant.Label (the suite's label is short enough for any vendor's
	// field). Without it a vendor must leave Grant.Label empty and say on
	// the create that it dropped the label (NoticeLabelDropped).
	Labels bool
}

// Run runs the suite.
func Run(t *testing.T, cfg Config) {
	t.Run("Capabilities", func(t *testing.T) {
		impl := cfg.New(t).Impl
		_, lister := impl.(access.DoorLister)
		_, opener := impl.(access.DoorOpener)
		_, granter := impl.(access.Granter)
		_, getter := impl.(access.GrantGetter)
		_, glister := impl.(access.GrantLister)
		_, updater := impl.(access.GrantUpdater)
		got := Capabilities{DoorLister: lister, DoorOpener: opener, Granter: granter,
			GrantGetter: getter, GrantLister: glister, GrantUpdater: updater}
		if got != cfg.Caps {
			t.Fatalf("capabilities = %+v, want %+v", got, cfg.Caps)
		}
	})
	if cfg.Caps.DoorLister {
		t.Run("DoorLister", func(t *testing.T) { testLister(t, cfg) })
	}
	if cfg.Caps.DoorOpener {
		t.Run("DoorOpener", func(t *testing.T) { testOpener(t, cfg) })
	}
	if cfg.Caps.Granter {
		t.Run("Granter", func(t *testing.T) { testGranter(t, cfg) })
	}
	if cfg.Caps.Granter && cfg.Caps.GrantGetter {
		t.Run("GrantGetter", func(t *testing.T) { testGetter(t, cfg) })
	}
	if cfg.Caps.Granter && cfg.Caps.GrantLister {
		t.Run("GrantLister", func(t *testing.T) { testGrantLister(t, cfg) })
		t.Run("EnsureGrant", func(t *testing.T) { testEnsure(t, cfg) })
	}
	if cfg.Caps.Granter && cfg.Caps.GrantUpdater {
		t.Run("GrantUpdater", func(t *testing.T) { testUpdater(t, cfg) })
	}
	if cfg.Caps.Granter && cfg.Caps.GrantLister {
		t.Run("Reconcile", func(t *testing.T) { testReconcile(t, cfg) })
	}
}

func testLister(t *testing.T, cfg Config) {
	ctx := context.Background()
	impl := cfg.New(t).Impl
	lister := impl.(access.DoorLister)
	doors, err := lister.ListDoors(ctx)
	if err != nil {
		t.Fatalf("ListDoors: %v", err)
	}
	if len(doors) == 0 {
		t.Fatal("ListDoors returned no doors")
	}
	seen := map[string]bool{}
	for _, d := range doors {
		if d.ID == "" || d.Name == "" || d.Vendor == "" {
			t.Errorf("door %+v lacks an ID, Name or Vendor", d)
		}
		if seen[d.Site+"/"+d.ID] {
			t.Errorf("door id %q listed twice", d.ID)
		}
		seen[d.Site+"/"+d.ID] = true
		if d.Native == nil {
			t.Errorf("door %q has no Native value", d.ID)
		}
	}
	for _, want := range append([]string{cfg.OpenDoor, cfg.DeniedDoor}, cfg.GrantDoors...) {
		if want == "" {
			continue
		}
		if _, ok := find(doors, want); !ok {
			t.Errorf("door %q is not listed", want)
		}
	}

	t.Run("CapabilitiesMatchInterfaces", func(t *testing.T) {
		_, opener := impl.(access.DoorOpener)
		_, granter := impl.(access.Granter)
		_, updater := impl.(access.GrantUpdater)
		_, glister := impl.(access.GrantLister)
		for _, d := range doors {
			c := d.Capabilities
			if c.RemoteOpen && !opener {
				t.Errorf("door %q says it opens remotely, but %T is no DoorOpener", d.ID, impl)
			}
			if c.Grants() && !granter {
				t.Errorf("door %q issues credentials %v, but %T is no Granter", d.ID, c.Credentials, impl)
			}
			if c.WindowChange && !updater {
				t.Errorf("door %q says windows can change, but %T is no GrantUpdater", d.ID, impl)
			}
			if c.GrantListing && !glister {
				t.Errorf("door %q says grants can be listed, but %T is no GrantLister", d.ID, impl)
			}
			if c.PIN != nil && (!c.Issues(access.CredentialPIN) || c.PIN.MinLength <= 0 || c.PIN.MaxLength < c.PIN.MinLength) {
				t.Errorf("door %q has PIN rules %+v without issuing PINs or with a bad range", d.ID, *c.PIN)
			}
			if d.TimeZone != "" {
				if _, ok := d.Location(); !ok {
					t.Errorf("door %q has time zone %q, which is no IANA zone", d.ID, d.TimeZone)
				}
			}
		}
		for _, id := range cfg.GrantDoors {
			if d, ok := find(doors, id); ok && !d.Capabilities.Issues(cfg.Credential) {
				t.Errorf("grant door %q does not issue %q credentials: %+v", id, cfg.Credential, d.Capabilities)
			}
		}
		if d, ok := find(doors, cfg.OpenDoor); ok && cfg.OpenDoor != "" && !d.Capabilities.RemoteOpen {
			t.Errorf("door %q is opened by the suite but says it cannot open remotely", d.ID)
		}
	})

	t.Run("ResolveDoorIDs", func(t *testing.T) {
		d := doors[len(doors)-1]
		ids, err := access.ResolveDoorIDs(ctx, lister, d.Site, d.Name)
		if err != nil {
			t.Fatalf("ResolveDoorIDs(%q): %v", d.Name, err)
		}
		if len(ids) != 1 || ids[0] != d.ID {
			t.Errorf("ResolveDoorIDs(%q) = %v, want [%s]", d.Name, ids, d.ID)
		}
		_, err = access.ResolveDoorIDs(ctx, lister, "", "no door is called this")
		if !errors.Is(err, access.ErrNotFound) {
			t.Errorf("unknown name: err = %v, want ErrNotFound", err)
		}
	})

	t.Run("CancelledContext", func(t *testing.T) {
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		if _, err := lister.ListDoors(cctx); !errors.Is(err, context.Canceled) {
			t.Errorf("ListDoors with a cancelled context: err = %v, want context.Canceled", err)
		}
	})
}

func find(doors []access.Door, id string) (access.Door, bool) {
	for _, d := range doors {
		if d.ID == id {
			return d, true
		}
	}
	return access.Door{}, false
}

func testOpener(t *testing.T, cfg Config) {
	ctx := context.Background()
	t.Run("Open", func(t *testing.T) {
		opener := cfg.New(t).Impl.(access.DoorOpener)
		if err := opener.OpenDoor(ctx, cfg.OpenDoor); err != nil {
			t.Fatalf("OpenDoor(%q): %v", cfg.OpenDoor, err)
		}
	})
	if cfg.DeniedDoor != "" {
		t.Run("DeniedIsErrDenied", func(t *testing.T) {
			opener := cfg.New(t).Impl.(access.DoorOpener)
			if err := opener.OpenDoor(ctx, cfg.DeniedDoor); !errors.Is(err, access.ErrDenied) {
				t.Fatalf("OpenDoor(%q): err = %v, want ErrDenied", cfg.DeniedDoor, err)
			}
		})
	}
	t.Run("UnknownIsErrNotFound", func(t *testing.T) {
		opener := cfg.New(t).Impl.(access.DoorOpener)
		if err := opener.OpenDoor(ctx, cfg.UnknownDoor); !errors.Is(err, access.ErrNotFound) {
			t.Fatalf("OpenDoor(%q): err = %v, want ErrNotFound", cfg.UnknownDoor, err)
		}
	})
	t.Run("EmptyIsErrInvalid", func(t *testing.T) {
		opener := cfg.New(t).Impl.(access.DoorOpener)
		if err := opener.OpenDoor(ctx, ""); !errors.Is(err, access.ErrInvalid) {
			t.Fatalf(`OpenDoor(""): err = %v, want ErrInvalid`, err)
		}
	})
	t.Run("NoRemoteOpenIsErrUnsupported", func(t *testing.T) {
		impl := cfg.New(t).Impl
		lister, ok := impl.(access.DoorLister)
		if !ok {
			t.Skip("not a DoorLister")
		}
		doors, err := lister.ListDoors(ctx)
		if err != nil {
			t.Fatalf("ListDoors: %v", err)
		}
		tried := 0
		for _, d := range doors {
			if d.Capabilities.RemoteOpen {
				continue
			}
			tried++
			if err := impl.(access.DoorOpener).OpenDoor(ctx, d.ID); !errors.Is(err, access.ErrUnsupported) {
				t.Errorf("OpenDoor(%q), a door without RemoteOpen: err = %v, want ErrUnsupported", d.ID, err)
			}
		}
		if tried == 0 {
			t.Skip("every door opens remotely")
		}
	})
}

// window returns a window starting in an hour, in whole seconds.
func window() access.Window {
	start := time.Now().Add(time.Hour).Truncate(time.Second)
	return access.Window{Start: start, End: start.Add(3 * time.Hour)}
}

func request(cfg Config, key string) access.GrantRequest {
	return access.GrantRequest{Key: key, DoorIDs: cfg.GrantDoors, Holder: cfg.Holder, Window: window(),
		Credential: cfg.Credential, Label: "accesstest"}
}

// checkGrant checks what every grant must carry.
func checkGrant(t *testing.T, cfg Config, grant *access.Grant, req access.GrantRequest) {
	t.Helper()
	if grant == nil || grant.ID == "" {
		t.Fatalf("grant %+v: no id", grant)
	}
	if grant.Key != req.Key {
		t.Errorf("grant key = %q, want %q", grant.Key, req.Key)
	}
	if !sameSet(grant.DoorIDs(), cfg.GrantDoors) {
		t.Errorf("grant doors = %v, want %v", grant.DoorIDs(), cfg.GrantDoors)
	}
	for _, d := range grant.Doors {
		switch d.State {
		case access.GrantActive, access.GrantPending:
		default:
			t.Errorf("door %q: state %q, want active or pending (reason %q)", d.DoorID, d.State, d.Reason)
		}
		if d.Credential.Kind == access.CredentialAny {
			t.Errorf("door %q: no credential kind", d.DoorID)
		}
		if cfg.Credential != access.CredentialAny && d.Credential.Kind != cfg.Credential {
			t.Errorf("door %q: credential %q, want %q", d.DoorID, d.Credential.Kind, cfg.Credential)
		}
	}
	wantLabel := ""
	if cfg.Labels {
		wantLabel = req.Label
	}
	if grant.Label != wantLabel {
		t.Errorf("grant label = %q, want %q (Config.Labels %v)", grant.Label, wantLabel, cfg.Labels)
	}
	if grant.Window.Start.Location() != time.UTC || grant.Window.End.Location() != time.UTC {
		t.Errorf("grant window %v is not in UTC", grant.Window)
	}
	if grant.Vendor == "" || grant.Native == nil {
		t.Errorf("grant lacks Vendor or Native: %+v", grant)
	}
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

func sameWindow(a, b access.Window) bool { return a.Start.Equal(b.Start) && a.End.Equal(b.End) }

func testGranter(t *testing.T, cfg Config) {
	ctx := context.Background()
	t.Run("CreateAndRevoke", func(t *testing.T) {
		g := cfg.New(t).Impl.(access.Granter)
		req := request(cfg, "accesstest-create")
		grant, err := g.CreateGrant(ctx, req)
		if err != nil {
			t.Fatalf("CreateGrant: %v", err)
		}
		checkGrant(t, cfg, grant, req)
		if !cfg.Labels && !hasNotice(grant.AllNotices(), access.NoticeLabelDropped) {
			t.Errorf("label %q dropped without a %s notice among %v", req.Label, access.NoticeLabelDropped, grant.AllNotices())
		}
		if !sameWindow(grant.Window, req.Window) {
			t.Errorf("grant window = %v, want %v", grant.Window, req.Window)
		}
		if grant.Usable(time.Now()) {
			t.Errorf("a grant whose window starts in an hour is usable now")
		}
		if err := g.RevokeGrant(ctx, grant.ID); err != nil {
			t.Fatalf("RevokeGrant(%q): %v", grant.ID, err)
		}
		if err := g.RevokeGrant(ctx, grant.ID); !errors.Is(err, access.ErrNotFound) {
			t.Errorf("second RevokeGrant(%q): err = %v, want ErrNotFound", grant.ID, err)
		}
	})
	t.Run("PastStartIsClamped", func(t *testing.T) {
		g := cfg.New(t).Impl.(access.Granter)
		req := request(cfg, "accesstest-clamp")
		before := time.Now()
		req.Window.Start = before.Add(-time.Hour)
		grant, err := g.CreateGrant(ctx, req)
		if err != nil {
			t.Fatalf("CreateGrant with a start an hour ago: %v", err)
		}
		after := time.Now()
		if s := grant.Window.Start; s.Before(before.Add(-time.Minute)) || s.After(after.Add(time.Minute)) {
			t.Errorf("grant start = %v, want about now (%v)", s, before)
		}
		if !hasNotice(grant.AllNotices(), access.NoticeStartClamped) {
			t.Errorf("no %s notice among %v", access.NoticeStartClamped, grant.AllNotices())
		}
	})
	t.Run("InvalidRequestsAreErrInvalid", func(t *testing.T) {
		g := cfg.New(t).Impl.(access.Granter)
		w := window()
		past := access.Window{Start: time.Now().Add(-3 * time.Hour), End: time.Now().Add(-time.Hour)}
		bad := map[string]access.GrantRequest{
			"end before start": {DoorIDs: cfg.GrantDoors, Holder: cfg.Holder, Window: access.Window{Start: w.End, End: w.Start}},
			"end in the past":  {DoorIDs: cfg.GrantDoors, Holder: cfg.Holder, Window: past},
			"no doors":         {Holder: cfg.Holder, Window: w},
			"no holder":        {DoorIDs: cfg.GrantDoors, Window: w},
			"blank key":        {Key: "  ", DoorIDs: cfg.GrantDoors, Holder: cfg.Holder, Window: w},
			"key too long":     {Key: strings.Repeat("k", access.MaxKeyLength+1), DoorIDs: cfg.GrantDoors, Holder: cfg.Holder, Window: w},
			"key with newline": {Key: "a\nb", DoorIDs: cfg.GrantDoors, Holder: cfg.Holder, Window: w},
		}
		for name, req := range bad {
			req.Credential = cfg.Credential
			if _, err := g.CreateGrant(ctx, req); !errors.Is(err, access.ErrInvalid) {
				t.Errorf("%s: err = %v, want ErrInvalid", name, err)
			}
		}
		if err := g.RevokeGrant(ctx, ""); !errors.Is(err, access.ErrInvalid) {
			t.Errorf(`RevokeGrant(""): err = %v, want ErrInvalid`, err)
		}
	})
	t.Run("RevokeUnknownIsErrNotFound", func(t *testing.T) {
		g := cfg.New(t).Impl.(access.Granter)
		if err := g.RevokeGrant(ctx, cfg.UnknownGrant); !errors.Is(err, access.ErrNotFound) {
			t.Errorf("RevokeGrant(%q): err = %v, want ErrNotFound", cfg.UnknownGrant, err)
		}
	})
}

func hasNotice(notices []access.Notice, code access.NoticeCode) bool {
	return slices.ContainsFunc(notices, func(n access.Notice) bool { return n.Code == code && n.Message != "" })
}

func testGetter(t *testing.T, cfg Config) {
	ctx := context.Background()
	impl := cfg.New(t).Impl
	g, getter := impl.(access.Granter), impl.(access.GrantGetter)
	req := request(cfg, "accesstest-get")
	made, err := g.CreateGrant(ctx, req)
	if err != nil {
		t.Fatalf("CreateGrant: %v", err)
	}
	got, err := getter.GetGrant(ctx, made.ID)
	if err != nil {
		t.Fatalf("GetGrant(%q): %v", made.ID, err)
	}
	checkGrant(t, cfg, got, req)
	if got.ID != made.ID || !sameWindow(got.Window, made.Window) {
		t.Errorf("GetGrant = %s %v, want %s %v", got.ID, got.Window, made.ID, made.Window)
	}
	if _, err := getter.GetGrant(ctx, cfg.UnknownGrant); !errors.Is(err, access.ErrNotFound) {
		t.Errorf("GetGrant(%q): err = %v, want ErrNotFound", cfg.UnknownGrant, err)
	}
	if _, err := getter.GetGrant(ctx, ""); !errors.Is(err, access.ErrInvalid) {
		t.Errorf(`GetGrant(""): err = %v, want ErrInvalid`, err)
	}
	if err := g.RevokeGrant(ctx, made.ID); err != nil {
		t.Fatalf("RevokeGrant: %v", err)
	}
	if got, err := getter.GetGrant(ctx, made.ID); err == nil && got.State() != access.GrantRevoked {
		t.Errorf("GetGrant of a revoked grant: state %q, want ErrNotFound or revoked", got.State())
	} else if err != nil && !errors.Is(err, access.ErrNotFound) {
		t.Errorf("GetGrant of a revoked grant: err = %v, want ErrNotFound", err)
	}
}

// list collects a listing, failing on an error.
func list(t *testing.T, l access.GrantLister, f access.GrantFilter) []*access.Grant {
	t.Helper()
	var out []*access.Grant
	for g, err := range l.ListGrants(context.Background(), f) {
		if err != nil {
			t.Fatalf("ListGrants(%+v): %v", f, err)
		}
		out = append(out, g)
	}
	return out
}

func sameDoorSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(slices.Compact(a), slices.Compact(b))
}

func grantIDs(gs []*access.Grant) []string {
	ids := make([]string, len(gs))
	for i, g := range gs {
		ids[i] = g.ID
	}
	return ids
}

func testGrantLister(t *testing.T, cfg Config) {
	ctx := context.Background()
	impl := cfg.New(t).Impl
	g, l := impl.(access.Granter), impl.(access.GrantLister)
	reqA := request(cfg, "accesstest-list-a")
	a, err := g.CreateGrant(ctx, reqA)
	if err != nil {
		t.Fatalf("CreateGrant: %v", err)
	}
	reqB := request(cfg, "accesstest-list-b")
	if cfg.OtherHolder != (access.Person{}) {
		reqB.Holder = cfg.OtherHolder
	}
	reqB.Window.Start = reqB.Window.Start.Add(24 * time.Hour)
	reqB.Window.End = reqB.Window.End.Add(24 * time.Hour)
	b, err := g.CreateGrant(ctx, reqB)
	if err != nil {
		t.Fatalf("CreateGrant: %v", err)
	}

	byKey := list(t, l, access.GrantFilter{Key: reqA.Key})
	if len(byKey) != 1 || byKey[0].ID != a.ID {
		t.Fatalf("by key %q: %v, want [%s]", reqA.Key, grantIDs(byKey), a.ID)
	}
	checkGrant(t, cfg, byKey[0], reqA)
	// An unknown key lists nothing, or ErrKeyUnknown from a KeyStore that
	// cannot prove it absent; never a grant.
	for g, err := range l.ListGrants(context.Background(), access.GrantFilter{Key: "accesstest-no-such-key"}) {
		switch {
		case errors.Is(err, access.ErrKeyUnknown):
		case err != nil:
			t.Errorf("by an unknown key: %v", err)
		default:
			t.Errorf("by an unknown key: grant %s, want none", g.ID)
		}
	}
	byDoor := list(t, l, access.GrantFilter{DoorID: cfg.GrantDoors[0]})
	if ids := grantIDs(byDoor); !slices.Contains(ids, a.ID) || !slices.Contains(ids, b.ID) {
		t.Errorf("by door %q: %v, want %s and %s", cfg.GrantDoors[0], ids, a.ID, b.ID)
	}
	for _, gr := range byDoor {
		if !slices.Contains(gr.DoorIDs(), cfg.GrantDoors[0]) {
			t.Errorf("by door %q: grant %s covers %v", cfg.GrantDoors[0], gr.ID, gr.DoorIDs())
		}
		if gr.ID == a.ID && !sameDoorSet(gr.DoorIDs(), reqA.DoorIDs) {
			t.Errorf("by door %q: grant %s listed with doors %v, want all of %v", cfg.GrantDoors[0], gr.ID, gr.DoorIDs(), reqA.DoorIDs)
		}
	}
	if cfg.Holder.Email != "" {
		byHolder := grantIDs(list(t, l, access.GrantFilter{HolderEmail: strings.ToUpper(cfg.Holder.Email)}))
		if !slices.Contains(byHolder, a.ID) {
			t.Errorf("by holder %q (any case): %v, want %s", cfg.Holder.Email, byHolder, a.ID)
		}
		if cfg.OtherHolder.Email != "" && slices.Contains(byHolder, b.ID) {
			t.Errorf("by holder %q: %v holds %s, granted to %s", cfg.Holder.Email, byHolder, b.ID, cfg.OtherHolder.Email)
		}
	}
	inA := grantIDs(list(t, l, access.GrantFilter{ActiveAt: a.Window.Start.Add(time.Minute)}))
	if !slices.Contains(inA, a.ID) || slices.Contains(inA, b.ID) {
		t.Errorf("active at %v: %v, want %s and not %s", a.Window.Start.Add(time.Minute), inA, a.ID, b.ID)
	}
	both := grantIDs(list(t, l, access.GrantFilter{Key: reqB.Key, DoorID: cfg.GrantDoors[0], ActiveAt: b.Window.Start}))
	if len(both) != 1 || both[0] != b.ID {
		t.Errorf("by key, door and time: %v, want [%s]", both, b.ID)
	}

	if bl, ok := impl.(access.GrantsByKeysLister); ok {
		t.Run("ByKeys", func(t *testing.T) { testByKeys(t, l, bl, reqA.Key, reqB.Key) })
	}

	t.Run("StopEarly", func(t *testing.T) {
		n := 0
		for range l.ListGrants(ctx, access.GrantFilter{}) {
			n++
			break
		}
		if n != 1 {
			t.Errorf("a listing stopped after one grant yielded %d", n)
		}
	})
	t.Run("RevokedAreNotListed", func(t *testing.T) {
		if err := g.RevokeGrant(ctx, a.ID); err != nil {
			t.Fatalf("RevokeGrant: %v", err)
		}
		for _, gr := range list(t, l, access.GrantFilter{Key: reqA.Key}) {
			if gr.State() != access.GrantRevoked {
				t.Errorf("revoked grant %s listed with state %q", gr.ID, gr.State())
			}
		}
	})
}

// testByKeys checks that one reading for several keys finds what a
// listing by each key finds, and nothing for a key no grant has.
func testByKeys(t *testing.T, l access.GrantLister, bl access.GrantsByKeysLister, keys ...string) {
	ctx := context.Background()
	unknown := "accesstest-no-such-key"
	got, err := bl.ListGrantsByKeys(ctx, append(slices.Clone(keys), unknown))
	if err != nil {
		t.Fatalf("ListGrantsByKeys: %v", err)
	}
	for _, k := range keys {
		want := grantIDs(list(t, l, access.GrantFilter{Key: k}))
		if ids := grantIDs(got[k]); !slices.Equal(ids, want) || len(ids) != 1 {
			t.Errorf("key %q: %v, want what ListGrants by the key lists, one grant: %v", k, ids, want)
		}
		for _, g := range got[k] {
			if g.Key != k {
				t.Errorf("key %q: grant %s carries key %q", k, g.ID, g.Key)
			}
		}
	}
	if len(got[unknown]) > 0 {
		t.Errorf("a key no grant has: %v, want none", grantIDs(got[unknown]))
	}
	for k := range got {
		if !slices.Contains(keys, k) && k != unknown {
			t.Errorf("grants of key %q, which was not asked for", k)
		}
	}
	if _, err := bl.ListGrantsByKeys(ctx, []string{keys[0], ""}); !errors.Is(err, access.ErrInvalid) {
		t.Errorf("an empty key: err = %v, want ErrInvalid", err)
	}
}

func testUpdater(t *testing.T, cfg Config) {
	ctx := context.Background()
	impl := cfg.New(t).Impl
	g, u := impl.(access.Granter), impl.(access.GrantUpdater)
	req := request(cfg, "accesstest-update")
	made, err := g.CreateGrant(ctx, req)
	if err != nil {
		t.Fatalf("CreateGrant: %v", err)
	}
	moved := access.Window{Start: req.Window.Start.Add(2 * time.Hour), End: req.Window.End.Add(4 * time.Hour)}
	got, err := u.UpdateGrantWindow(ctx, made.ID, moved)
	if err != nil {
		t.Fatalf("UpdateGrantWindow: %v", err)
	}
	if got.ID != made.ID || !sameWindow(got.Window, moved) {
		t.Errorf("updated grant %s %v, want %s %v", got.ID, got.Window, made.ID, moved)
	}
	checkGrant(t, cfg, got, req)
	if getter, ok := impl.(access.GrantGetter); ok {
		again, err := getter.GetGrant(ctx, made.ID)
		if err != nil {
			t.Fatalf("GetGrant: %v", err)
		}
		if !sameWindow(again.Window, moved) {
			t.Errorf("GetGrant after the update: window %v, want %v", again.Window, moved)
		}
	}
	if _, err := u.UpdateGrantWindow(ctx, made.ID, access.Window{Start: moved.End, End: moved.Start}); !errors.Is(err, access.ErrInvalid) {
		t.Errorf("UpdateGrantWindow with end before start: err = %v, want ErrInvalid", err)
	}
	if _, err := u.UpdateGrantWindow(ctx, cfg.UnknownGrant, moved); !errors.Is(err, access.ErrNotFound) {
		t.Errorf("UpdateGrantWindow(%q): err = %v, want ErrNotFound", cfg.UnknownGrant, err)
	}
}

func testEnsure(t *testing.T, cfg Config) {
	ctx := context.Background()
	t.Run("TwiceCreatesOnce", func(t *testing.T) {
		fx := cfg.New(t)
		g := fx.Impl.(access.Granter)
		req := request(cfg, "accesstest-ensure")
		first, outcome, err := access.EnsureGrant(ctx, g, req)
		if err != nil || outcome != access.EnsureCreated {
			t.Fatalf("first EnsureGrant: outcome %v, err %v; want created", outcome, err)
		}
		checkGrant(t, cfg, first, req)
		creates := count(fx.Creates)
		second, outcome, err := access.EnsureGrant(ctx, g, req)
		if err != nil || outcome != access.EnsureUnchanged {
			t.Fatalf("second EnsureGrant: outcome %v, err %v; want unchanged", outcome, err)
		}
		if second.ID != first.ID {
			t.Errorf("second EnsureGrant returned %s, want %s", second.ID, first.ID)
		}
		if got := count(fx.Creates); got != creates {
			t.Errorf("the vendor saw %d creates after the second EnsureGrant, %d after the first", got, creates)
		}

		// The booking moves: same key, new window.
		moved := req
		moved.Window = access.Window{Start: req.Window.Start.Add(time.Hour), End: req.Window.End.Add(2 * time.Hour)}
		third, outcome, err := access.EnsureGrant(ctx, g, moved)
		if err != nil {
			t.Fatalf("EnsureGrant of a moved booking: %v", err)
		}
		want := access.EnsureRecreated
		if cfg.Caps.GrantUpdater {
			want = access.EnsureUpdated
		}
		if outcome != want {
			t.Errorf("moved booking: outcome %v, want %v", outcome, want)
		}
		if !sameWindow(third.Window, moved.Window) {
			t.Errorf("moved booking: window %v, want %v", third.Window, moved.Window)
		}
		l := g.(access.GrantLister)
		if byKey := list(t, l, access.GrantFilter{Key: req.Key}); len(byKey) != 1 || byKey[0].ID != third.ID {
			t.Errorf("after the move, key %q has grants %v, want [%s]", req.Key, grantIDs(byKey), third.ID)
		}

		// Cancelled twice.
		if err := access.EnsureRevoked(ctx, g, third.ID); err != nil {
			t.Fatalf("EnsureRevoked: %v", err)
		}
		if err := access.EnsureRevoked(ctx, g, third.ID); err != nil {
			t.Errorf("second EnsureRevoked: %v, want nil", err)
		}
		if err := access.EnsureRevokedByKey(ctx, g, req.Key); err != nil {
			t.Errorf("EnsureRevokedByKey after the revoke: %v, want nil", err)
		}
		if fx.Live != nil && fx.Live() != 0 {
			t.Errorf("the vendor still holds %d grant objects after the revoke", fx.Live())
		}
	})
	t.Run("RevokeByKey", func(t *testing.T) {
		fx := cfg.New(t)
		g := fx.Impl.(access.Granter)
		req := request(cfg, "accesstest-revoke-by-key")
		if _, _, err := access.EnsureGrant(ctx, g, req); err != nil {
			t.Fatalf("EnsureGrant: %v", err)
		}
		for range 2 {
			if err := access.EnsureRevokedByKey(ctx, g, req.Key); err != nil {
				t.Fatalf("EnsureRevokedByKey: %v", err)
			}
		}
		if got := list(t, g.(access.GrantLister), access.GrantFilter{Key: req.Key}); len(got) != 0 {
			t.Errorf("key %q still has grants %v", req.Key, grantIDs(got))
		}
	})
	t.Run("LostAnswer", func(t *testing.T) {
		fx := cfg.New(t)
		if fx.LoseNextCreate == nil {
			t.Skip("the fixture cannot lose an answer")
		}
		// How many objects one grant makes at the vendor, from a clean run.
		clean := cfg.New(t)
		if _, _, err := access.EnsureGrant(ctx, clean.Impl.(access.Granter), request(cfg, "accesstest-clean")); err != nil {
			t.Fatalf("clean EnsureGrant: %v", err)
		}
		g := fx.Impl.(access.Granter)
		req := request(cfg, "accesstest-lost")
		fx.LoseNextCreate()
		grant, outcome, err := access.EnsureGrant(ctx, g, req)
		if err != nil {
			t.Fatalf("EnsureGrant with the create's answer lost: %v", err)
		}
		if outcome != access.EnsureRecovered && outcome != access.EnsureRecreated {
			t.Errorf("outcome %v, want recovered (or recreated, when the lost create was part of the grant)", outcome)
		}
		checkGrant(t, cfg, grant, req)
		byKey := list(t, g.(access.GrantLister), access.GrantFilter{Key: req.Key})
		if len(byKey) != 1 || byKey[0].ID != grant.ID {
			t.Errorf("key %q has grants %v, want [%s]", req.Key, grantIDs(byKey), grant.ID)
		}
		if fx.Live != nil && clean.Live != nil && fx.Live() != clean.Live() {
			t.Errorf("the vendor holds %d grant objects, %d after a clean EnsureGrant", fx.Live(), clean.Live())
		}
		again, outcome, err := access.EnsureGrant(ctx, g, req)
		if err != nil || outcome != access.EnsureUnchanged || again.ID != grant.ID {
			t.Errorf("EnsureGrant after the recovery: %v %v %v, want %s unchanged", again, outcome, err, grant.ID)
		}
	})
	t.Run("LongestKeyRoundTrips", func(t *testing.T) {
		// Every key access.ValidateKey accepts, the longest with the
		// characters a key store or a note could trip on, is stored and
		// given back whole.
		fx := cfg.New(t)
		g := fx.Impl.(access.Granter)
		tail := `] [x] \ é/?#%:,"'`
		key := "booking-3f2c9a1e-5b7d-4e2a-9c0f-1a2b3c4d5e6f" + tail
		key += strings.Repeat("k", access.MaxKeyLength-len(key))
		req := request(cfg, key)
		made, outcome, err := access.EnsureGrant(ctx, g, req)
		if err != nil || outcome != access.EnsureCreated {
			t.Fatalf("EnsureGrant with a %d-byte key: outcome %v, err %v; want created", len(key), outcome, err)
		}
		if made.Key != key {
			t.Errorf("created grant key = %q, want %q", made.Key, key)
		}
		byKey := list(t, g.(access.GrantLister), access.GrantFilter{Key: key})
		if len(byKey) != 1 || byKey[0].ID != made.ID || byKey[0].Key != key {
			t.Fatalf("by key %q: %v, want [%s] with the key whole", key, grantIDs(byKey), made.ID)
		}
		if getter, ok := g.(access.GrantGetter); ok {
			switch got, err := getter.GetGrant(ctx, made.ID); {
			case err != nil:
				t.Errorf("GetGrant(%q): %v", made.ID, err)
			case got.Key != key:
				t.Errorf("GetGrant(%q): key %q, want %q", made.ID, got.Key, key)
			}
		}
		again, outcome, err := access.EnsureGrant(ctx, g, req)
		if err != nil || outcome != access.EnsureUnchanged || again.ID != made.ID {
			t.Errorf("second EnsureGrant: %v %v %v, want %s unchanged", again, outcome, err, made.ID)
		}
		if err := access.EnsureRevokedByKey(ctx, g, key); err != nil {
			t.Errorf("EnsureRevokedByKey: %v", err)
		}
	})
	t.Run("NeedsAKey", func(t *testing.T) {
		g := cfg.New(t).Impl.(access.Granter)
		if _, _, err := access.EnsureGrant(ctx, g, request(cfg, "")); !errors.Is(err, access.ErrInvalid) {
			t.Errorf("EnsureGrant without a key: err = %v, want ErrInvalid", err)
		}
	})
}

func count(f func() int) int {
	if f == nil {
		return 0
	}
	return f()
}
