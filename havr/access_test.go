package havr_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/access/accesstest"
	"github.com/doorkit/doorkit/havr"
	"github.com/doorkit/doorkit/havr/havrtest"
)

const (
	createMemberPath = "/v1/shared_keys/create_or_update"
	createLinkPath   = "/v1/shared_keys/create_with_link"
)

// fixture wires a client on a fresh fake into the conformance suite.
func fixture(t *testing.T) accesstest.Fixture {
	c, srv := newFakeClient(t)
	return havrFixture(c, srv)
}

func havrFixture(c *havr.Client, srv *havrtest.Server) accesstest.Fixture {
	return accesstest.Fixture{
		Impl: c,
		Creates: func() int {
			return srv.Count(http.MethodPost, createMemberPath) + srv.Count(http.MethodPost, createLinkPath)
		},
		Live: func() int { return len(srv.SharedKeys()) },
		LoseNextCreate: func() {
			for _, p := range []string{createMemberPath, createLinkPath} {
				srv.Inject(havrtest.Fault{Method: http.MethodPost, Path: p, Count: 1, LoseAnswer: true})
			}
		},
		FailListing: func() {
			srv.Inject(havrtest.Fault{Method: http.MethodGet, Path: "/v1/shared_keys/index_with_details", Count: 1 << 20, Status: http.StatusBadGateway})
		},
	}
}

var havrCaps = accesstest.Capabilities{DoorLister: true, Granter: true, GrantGetter: true, GrantLister: true, GrantUpdater: true}

func TestConformance(t *testing.T) {
	t.Run("link to a visitor", func(t *testing.T) {
		accesstest.Run(t, accesstest.Config{
			New:          fixture,
			Caps:         havrCaps,
			GrantDoors:   []string{id(havrtest.FrontDoorID), id(havrtest.MeetingRoomID)},
			Holder:       access.Person{Name: "Grace", Email: "grace@example.com"},
			OtherHolder:  access.Person{Name: "Alan", Email: "alan@example.com"},
			UnknownGrant: "999999",
			Labels:       true,
		})
	})
	t.Run("app key to a member", func(t *testing.T) {
		accesstest.Run(t, accesstest.Config{
			New:          fixture,
			Caps:         havrCaps,
			GrantDoors:   []string{id(havrtest.GarageDoorID)},
			Holder:       access.Person{Name: "Max", VendorUserID: id(havrtest.MemberID)},
			OtherHolder:  access.Person{Name: "Otto", VendorUserID: id(havrtest.OtherID)},
			Credential:   access.CredentialAppKey,
			UnknownGrant: "999999",
			Labels:       true,
		})
	})
}

func future() access.Window {
	start := time.Now().Add(24 * time.Hour).Truncate(time.Second)
	return access.Window{Start: start, End: start.Add(2 * time.Hour)}
}

// Every key access.ValidateKey accepts goes into the note whole, and the
// label beside it: the document gives notes no length limit (issue 14 item
// 5: keys over 38 characters or with ']' used to be ErrInvalid on Havr
// only).
func TestGrantKeyAndLabelInTheNote(t *testing.T) {
	ctx := context.Background()
	c, srv := newFakeClient(t)
	booking := "booking-3f2c9a1e-5b7d-4e2a-9c0f-1a2b3c4d5e6f" // 44 bytes
	tail := `] [x] \ é/?#%`
	longest := booking + tail + strings.Repeat("k", access.MaxKeyLength-len(booking)-len(tail))
	require.Len(t, longest, access.MaxKeyLength)
	tests := []struct {
		key, label, note string
	}{
		{"", "Grace's visit", "Grace's visit"},
		{"BK-1042", "", "[BK-1042]"},
		{"BK-1043", "Grace's visit", "[BK-1043] Grace's visit"},
		{"BK-1044", "Grace Hopper, Navy, for the COBOL review", "[BK-1044] Grace Hopper, Navy, for the COBOL review"},
		{"", strings.Repeat("é", 41), strings.Repeat("é", 41)},
		{"", "[VIP] guest", "[] [VIP] guest"},
		{booking, "Grace's visit", "[" + booking + "] Grace's visit"},
		{"BK]1", "x", `[BK\]1] x`},
		{`a\b]`, "", `[a\\b\]]`},
		{longest, "Grace's visit", "[" + strings.NewReplacer(`\`, `\\`, `]`, `\]`).Replace(longest) + "] Grace's visit"},
	}
	for _, tt := range tests {
		g, err := c.CreateGrant(ctx, access.GrantRequest{Key: tt.key, Label: tt.label, DoorIDs: []string{id(havrtest.FrontDoorID)},
			Holder: access.Person{Email: "grace@example.com"}, Window: future()})
		require.NoError(t, err, "%q %q", tt.key, tt.label)
		keys := srv.SharedKeys()
		assert.Equal(t, tt.note, keys[len(keys)-1].Note)
		assert.Equal(t, tt.key, g.Key)
		assert.Empty(t, g.Notices, "nothing cut")
		if tt.key != "" {
			got, err := c.GetGrant(ctx, g.ID)
			require.NoError(t, err)
			assert.Equal(t, tt.key, got.Key, "read back from the note")
			var listed []*access.Grant
			for lg, err := range c.ListGrants(ctx, access.GrantFilter{Key: tt.key}) {
				require.NoError(t, err)
				listed = append(listed, lg)
			}
			require.Len(t, listed, 1, "listed by key %q", tt.key)
			assert.Equal(t, g.ID, listed[0].ID)
		}
	}
}

// A note written before keys were escaped reads back as it was written.
func TestKeyFromNoteReadsOldNotes(t *testing.T) {
	for note, key := range map[string]string{
		"[BK-1] label":   "BK-1",
		`[a\b] label`:    `a\b`,
		"[] [VIP] guest": "",
		"[no end":        "",
		"label":          "",
		`[a\]b] x`:       "a]b",
	} {
		assert.Equal(t, key, havr.KeyFromNote(note), note)
	}
}

// The document gives the note no limit, but a server may have one: the fake
// refuses or cuts a longer note on request, and CreateGrant never reports a
// grant its key cannot find. A refused note is Havr's own ErrInvalid with
// nothing made; a cut note undoes what was made (ErrUnsupported).
func TestNoteKeptShorterThanSentUndoesTheGrant(t *testing.T) {
	ctx := context.Background()
	key := "booking-3f2c9a1e-5b7d-4e2a-9c0f-1a2b3c4d5e6f"
	for _, truncate := range []bool{false, true} {
		t.Run(map[bool]string{false: "refused", true: "cut"}[truncate], func(t *testing.T) {
			c, srv := newFakeClient(t)
			srv.SetNoteLimit(40, truncate)
			for _, req := range []access.GrantRequest{
				{Key: key, DoorIDs: []string{id(havrtest.FrontDoorID), id(havrtest.MeetingRoomID)},
					Holder: access.Person{Email: "grace@example.com"}, Window: future()},
				{Key: key, DoorIDs: []string{id(havrtest.GarageDoorID)},
					Holder: access.Person{VendorUserID: id(havrtest.MemberID)}, Window: future()},
			} {
				g, err := c.CreateGrant(ctx, req)
				require.Error(t, err)
				assert.Nil(t, g)
				if truncate {
					assert.ErrorIs(t, err, access.ErrUnsupported)
				} else {
					assert.ErrorIs(t, err, access.ErrInvalid)
				}
				assert.Empty(t, srv.SharedKeys(), "nothing is left")
			}
			srv.SetNoteLimit(0, false)
			g, _, err := access.EnsureGrant(ctx, c, access.GrantRequest{Key: key, DoorIDs: []string{id(havrtest.FrontDoorID)},
				Holder: access.Person{Email: "grace@example.com"}, Window: future()})
			require.NoError(t, err, "without a limit")
			assert.Equal(t, key, g.Key)
		})
	}
}

func TestMemberGrantKeepsTheLabel(t *testing.T) {
	c, srv := newFakeClient(t)
	g, err := c.CreateGrant(context.Background(), access.GrantRequest{Key: "BK-7", Label: "Max, cleaning",
		DoorIDs: []string{id(havrtest.GarageDoorID)}, Holder: access.Person{VendorUserID: id(havrtest.MemberID)}, Window: future()})
	require.NoError(t, err)
	assert.Empty(t, g.Notices)
	assert.Equal(t, "[BK-7] Max, cleaning", srv.SharedKeys()[0].Note)
	reqs := srv.Requests()
	last := reqs[len(reqs)-1]
	assert.Equal(t, createMemberPath, last.Path)
	assert.JSONEq(t, `{"user_id":2,"door_lock_id":12,"start_date":"`+g.Window.Start.Format("2006-01-02T15:04:05Z")+
		`","end_date":"`+g.Window.End.Format("2006-01-02T15:04:05Z")+`","admin":false,"note":"[BK-7] Max, cleaning"}`, string(last.Body))
	assert.Equal(t, access.GrantActive, g.State(), "the owner's own share needs no confirmation")
	assert.Equal(t, access.CredentialAppKey, g.Doors[0].Credential.Kind)
}

func TestListGrantsGroupsKeysByGrantKey(t *testing.T) {
	ctx := context.Background()
	c, srv := newFakeClient(t)
	w := future()
	visit, err := c.CreateGrant(ctx, access.GrantRequest{Key: "BK-1", DoorIDs: []string{id(havrtest.FrontDoorID), id(havrtest.MeetingRoomID)},
		Holder: access.Person{Email: "grace@example.com"}, Window: w})
	require.NoError(t, err)
	member, err := c.CreateGrant(ctx, access.GrantRequest{Key: "BK-2", DoorIDs: []string{id(havrtest.GarageDoorID)},
		Holder: access.Person{VendorUserID: id(havrtest.MemberID)}, Window: w})
	require.NoError(t, err)
	_, err = c.CreateGrant(ctx, access.GrantRequest{Label: "no key", DoorIDs: []string{id(havrtest.FrontDoorID)},
		Holder: access.Person{Email: "alan@example.com"}, Window: w})
	require.NoError(t, err)

	srv.ResetLog()
	var got []*access.Grant
	for g, err := range c.ListGrants(ctx, access.GrantFilter{}) {
		require.NoError(t, err)
		got = append(got, g)
	}
	assert.Equal(t, 1, srv.Count(http.MethodGet, "/v1/shared_keys/index_with_details"), "one listing call")
	require.Len(t, got, 3)
	assert.Equal(t, visit.ID, got[0].ID)
	assert.Equal(t, []string{id(havrtest.FrontDoorID), id(havrtest.MeetingRoomID)}, got[0].DoorIDs())
	assert.Equal(t, "grace@example.com", got[0].Holder.Email)
	assert.Equal(t, access.CredentialLink, got[0].Doors[1].Credential.Kind)
	assert.Equal(t, []string{"grace@example.com"}, got[0].Doors[1].Credential.DeliveredTo)
	assert.Equal(t, access.GrantPending, got[0].State(), "the visitor has not opened the link")
	assert.Equal(t, access.NoticeDeliveredByVendor, got[0].Doors[0].Notices[0].Code)
	assert.True(t, got[0].Window.Start.Equal(w.Start) && got[0].Window.End.Equal(w.End))
	assert.Equal(t, member.ID, got[1].ID)
	assert.Equal(t, havrtest.MemberEmail, got[1].Holder.Email)
	assert.Equal(t, id(havrtest.MemberID), got[1].Holder.VendorUserID)
	assert.Equal(t, "Max Member", got[1].Holder.Name)
	assert.Equal(t, access.CredentialAppKey, got[1].Doors[0].Credential.Kind)
	assert.Equal(t, access.GrantActive, got[1].State())
	assert.Empty(t, got[2].Key)
}

func TestMovedBookingUpdatesEveryKey(t *testing.T) {
	ctx := context.Background()
	c, srv := newFakeClient(t)
	req := access.GrantRequest{Key: "BK-3", DoorIDs: []string{id(havrtest.FrontDoorID), id(havrtest.MeetingRoomID)},
		Holder: access.Person{Email: "grace@example.com"}, Window: future()}
	g, _, err := access.EnsureGrant(ctx, c, req)
	require.NoError(t, err)
	req.Window.End = req.Window.End.Add(time.Hour)
	srv.ResetLog()
	moved, outcome, err := access.EnsureGrant(ctx, c, req)
	require.NoError(t, err)
	assert.Equal(t, access.EnsureUpdated, outcome)
	assert.Equal(t, g.ID, moved.ID)
	for _, k := range srv.SharedKeys() {
		assert.True(t, k.End.Equal(req.Window.End), "key %d", k.ID)
		assert.Equal(t, "[BK-3]", k.Note, "the note survives the update")
	}
	assert.Equal(t, 2, srv.Count(http.MethodPatch, "/v1/shared_keys/"+strings.Split(g.ID, ",")[0])+
		srv.Count(http.MethodPatch, "/v1/shared_keys/"+strings.Split(g.ID, ",")[1]))
	assert.Zero(t, srv.Count(http.MethodPost, createLinkPath), "nothing created")
}

// A key given by a lock admin on a lock whose confirmation level asks for
// it stays pending until the owner answers.
func TestConfirmationLevelMakesMemberGrantsPending(t *testing.T) {
	ctx := context.Background()
	srv := havrtest.NewServer()
	t.Cleanup(srv.Close)
	const adminEmail, adminPassword = "admin@example.com", "Admin-Passw0rd!"
	adminID := srv.AddUser(havrtest.User{Email: adminEmail, Password: adminPassword, FirstName: "Ada", LastName: "Admin"})
	lockID := srv.AddDoorLock(havrtest.DoorLock{Description: "Lab", SerialNumber: "00112233445566778899aabbccddeeff",
		OwnerID: havrtest.OwnerID, ConfirmationLevel: 3})
	owner, err := havr.New(havr.WithBaseURL(srv.URL), havr.WithHTTPClient(srv.Client()),
		havr.WithPassword(havrtest.OwnerEmail, havrtest.OwnerPassword))
	require.NoError(t, err)
	// The owner makes Ada an admin of the lock (the owner's own shares are
	// never pending).
	_, _, err = owner.SharedKeys.Create(ctx, havr.SharedKeyRequest{UserListIDs: []havr.ID{havr.ID(adminID)},
		LockListIDs: []havr.ID{havr.ID(lockID)}, StartDate: havr.At(time.Now().Add(-time.Hour)), Admin: true})
	require.NoError(t, err)

	admin, err := havr.New(havr.WithBaseURL(srv.URL), havr.WithHTTPClient(srv.Client()),
		havr.WithPassword(adminEmail, adminPassword))
	require.NoError(t, err)
	g, err := admin.CreateGrant(ctx, access.GrantRequest{Key: "BK-9", DoorIDs: []string{havr.ID(lockID).String()},
		Holder: access.Person{VendorUserID: id(havrtest.MemberID)}, Window: future()})
	require.NoError(t, err)
	assert.Equal(t, access.GrantPending, g.State())
	require.Len(t, g.Doors[0].Notices, 1)
	assert.Equal(t, access.NoticeNeedsConfirmation, g.Doors[0].Notices[0].Code)

	keyID := g.Native.([]havr.SharedKey)[0].ID
	_, _, err = owner.SharedKeys.AnswerPending(ctx, keyID, true)
	require.NoError(t, err)
	got, err := admin.GetGrant(ctx, g.ID)
	require.NoError(t, err)
	assert.Equal(t, access.GrantActive, got.State())
	assert.False(t, got.Usable(time.Now()), "set up, but its window starts tomorrow")
	assert.True(t, got.Usable(got.Window.Start))

	g2, err := admin.CreateGrant(ctx, access.GrantRequest{DoorIDs: []string{havr.ID(lockID).String()},
		Holder: access.Person{VendorUserID: id(havrtest.OtherID)}, Window: future()})
	require.NoError(t, err)
	_, _, err = owner.SharedKeys.AnswerPending(ctx, g2.Native.([]havr.SharedKey)[0].ID, false)
	require.NoError(t, err)
	got, err = admin.GetGrant(ctx, g2.ID)
	require.NoError(t, err)
	assert.Equal(t, access.GrantRevoked, got.State())
	assert.Equal(t, "refused by the lock's owner", got.Doors[0].Reason)
}

func TestGetGrantOfPartlyDeletedKeys(t *testing.T) {
	ctx := context.Background()
	c, _ := newFakeClient(t)
	g, err := c.CreateGrant(ctx, access.GrantRequest{Key: "BK-4", DoorIDs: []string{id(havrtest.FrontDoorID), id(havrtest.MeetingRoomID)},
		Holder: access.Person{Email: "grace@example.com"}, Window: future()})
	require.NoError(t, err)
	first := strings.Split(g.ID, ",")[0]
	require.NoError(t, c.RevokeGrant(ctx, first))
	got, err := c.GetGrant(ctx, g.ID)
	require.NoError(t, err)
	assert.Equal(t, []string{id(havrtest.MeetingRoomID)}, got.DoorIDs())
	require.NoError(t, c.RevokeGrant(ctx, g.ID[len(first)+1:]))
	_, err = c.GetGrant(ctx, g.ID)
	assert.ErrorIs(t, err, access.ErrNotFound)
	_, err = c.GetGrant(ctx, "12,x")
	assert.ErrorIs(t, err, access.ErrInvalid)
	_, err = c.UpdateGrantWindow(ctx, "", future())
	assert.ErrorIs(t, err, access.ErrInvalid)
}

// create_or_update would change a key the member already holds: the grant
// is refused instead, and the key is left as it was.
func TestMemberGrantNeverOverwritesAKey(t *testing.T) {
	ctx := context.Background()
	c, srv := newFakeClient(t)
	permanent := havr.At(time.Now().Add(-24 * time.Hour))
	_, _, err := c.SharedKeys.Create(ctx, havr.SharedKeyRequest{UserListIDs: []havr.ID{havrtest.MemberID},
		LockListIDs: []havr.ID{havrtest.GarageDoorID}, StartDate: permanent})
	require.NoError(t, err)
	srv.ResetLog()
	_, err = c.CreateGrant(ctx, access.GrantRequest{Key: "BK-8", DoorIDs: []string{id(havrtest.FrontDoorID), id(havrtest.GarageDoorID)},
		Holder: access.Person{VendorUserID: id(havrtest.MemberID)}, Window: future()})
	assert.ErrorIs(t, err, access.ErrConflict)
	assert.Zero(t, srv.Count(http.MethodPost, createMemberPath), "nothing sent")
	keys := srv.SharedKeys()
	require.Len(t, keys, 1)
	assert.True(t, keys[0].End.IsZero(), "the permanent key is untouched")
}

// The label comes back in Grant.Label as the note keeps it, from the create
// and from every read: GetGrant and ListGrants.
func TestGrantLabelIsReadBack(t *testing.T) {
	ctx := context.Background()
	c, _ := newFakeClient(t)
	long := "Grace Hopper, Navy, for the COBOL review of the compiler team " + strings.Repeat("x", 100)
	for _, tt := range []struct{ key, label string }{
		{"", "Grace's visit"},
		{"BK-1", ""},
		{"BK-2", "Grace's visit"},
		{"BK-3", long},
		{"", "[VIP] guest"},
		{"BK-4", "[VIP] guest"},
		{`BK]5\`, "guest] [x"}, // an escaped key
	} {
		g, err := c.CreateGrant(ctx, access.GrantRequest{Key: tt.key, Label: tt.label, DoorIDs: []string{id(havrtest.FrontDoorID)},
			Holder: access.Person{Email: "grace@example.com"}, Window: future()})
		require.NoError(t, err, "%q %q", tt.key, tt.label)
		if hasNotice(g.Notices, access.NoticeLabelTruncated) {
			assert.True(t, strings.HasPrefix(tt.label, g.Label) && g.Label != "", "truncated %q to %q", tt.label, g.Label)
		} else {
			assert.Equal(t, tt.label, g.Label, "created %q %q", tt.key, tt.label)
		}
		got, err := c.GetGrant(ctx, g.ID)
		require.NoError(t, err)
		assert.Equal(t, g.Label, got.Label, "GetGrant %q %q", tt.key, tt.label)
		for listed, err := range c.ListGrants(ctx, access.GrantFilter{}) {
			require.NoError(t, err)
			if listed.ID == g.ID {
				assert.Equal(t, g.Label, listed.Label, "ListGrants %q %q", tt.key, tt.label)
			}
		}
		require.NoError(t, c.RevokeGrant(ctx, g.ID))
	}
}

func hasNotice(notices []access.Notice, code access.NoticeCode) bool {
	for _, n := range notices {
		if n.Code == code {
			return true
		}
	}
	return false
}

// A grant made without a key whose label starts with "[x]" must not be read
// back as a grant with key "x": EnsureGrant for booking "x" would take it for
// its own, and the listing would merge unrelated grants into one.
func TestLabelInBracketsIsNoKey(t *testing.T) {
	ctx := context.Background()
	c, _ := newFakeClient(t)
	for _, holder := range []string{"grace@example.com", "alan@example.com"} {
		_, err := c.CreateGrant(ctx, access.GrantRequest{Label: "[VIP] guest", DoorIDs: []string{id(havrtest.FrontDoorID)},
			Holder: access.Person{Email: holder}, Window: future()})
		require.NoError(t, err)
	}
	var got []*access.Grant
	for g, err := range c.ListGrants(ctx, access.GrantFilter{}) {
		require.NoError(t, err)
		got = append(got, g)
	}
	require.Len(t, got, 2, "two grants, not one merged by a key read from the label")
	for _, g := range got {
		assert.Empty(t, g.Key)
		assert.Len(t, g.Doors, 1)
	}
	for g, err := range c.ListGrants(ctx, access.GrantFilter{Key: "VIP"}) {
		require.NoError(t, err)
		t.Errorf("grant %s found by key VIP", g.ID)
	}
}

// A grant over two doors, one of whose keys is already gone (deleted in the
// app, or a revoke cut short): revoking it must delete the other key, not
// answer ErrNotFound, which EnsureRevoked takes for "done".
func TestRevokeGrantWithOneKeyGone(t *testing.T) {
	ctx := context.Background()
	c, srv := newFakeClient(t)
	g, err := c.CreateGrant(ctx, access.GrantRequest{Key: "BK-gone", DoorIDs: []string{id(havrtest.FrontDoorID), id(havrtest.MeetingRoomID)},
		Holder: access.Person{Email: "grace@example.com"}, Window: future()})
	require.NoError(t, err)
	require.Len(t, srv.SharedKeys(), 2)
	first := srv.SharedKeys()[0].ID
	_, err = c.SharedKeys.Delete(ctx, havr.ID(first))
	require.NoError(t, err)

	require.NoError(t, access.EnsureRevoked(ctx, c, g.ID))
	assert.Empty(t, srv.SharedKeys(), "the second door's key is deleted too")
	assert.ErrorIs(t, c.RevokeGrant(ctx, g.ID), access.ErrNotFound, "all gone now")
}

// A member booked under another email than their Havr account's: the
// listing shows the account's email, and EnsureGrant still sees the grant
// as the booking's (it re-made it on every trigger).
func TestEnsureMemberGrantWithBookingEmail(t *testing.T) {
	ctx := context.Background()
	c, srv := newFakeClient(t)
	req := access.GrantRequest{Key: "BK-member", DoorIDs: []string{id(havrtest.GarageDoorID)},
		Holder: access.Person{Email: "max@work.example", VendorUserID: id(havrtest.MemberID)}, Window: future()}
	first, _, err := access.EnsureGrant(ctx, c, req)
	require.NoError(t, err)
	again, outcome, err := access.EnsureGrant(ctx, c, req)
	require.NoError(t, err)
	assert.Equal(t, access.EnsureUnchanged, outcome)
	assert.Equal(t, first.ID, again.ID)
	assert.Equal(t, 1, srv.Count(http.MethodPost, createMemberPath))
}
