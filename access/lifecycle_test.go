package access

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestWindowPrepare(t *testing.T) {
	now := time.Date(2030, 6, 1, 10, 0, 30, 500, time.UTC)
	hour := time.Hour

	t.Run("future window: UTC and truncated", func(t *testing.T) {
		w := Window{Start: now.Add(hour).In(amsterdam), End: now.Add(3 * hour)}
		got, notices, err := w.Prepare(now, time.Second)
		require.NoError(t, err)
		assert.Empty(t, notices, "sub-second truncation says nothing")
		assert.Equal(t, time.UTC, got.Start.Location())
		assert.Equal(t, "2030-06-01T11:00:30Z", got.Start.Format(time.RFC3339Nano))
		assert.Equal(t, "2030-06-01T13:00:30Z", got.End.Format(time.RFC3339Nano))
	})
	t.Run("minute resolution says when it rounds", func(t *testing.T) {
		w := Window{Start: now.Add(hour), End: now.Add(3 * hour).Truncate(time.Minute)}
		got, notices, err := w.Prepare(now, time.Minute)
		require.NoError(t, err)
		assert.Equal(t, "2030-06-01T11:00:00Z", got.Start.Format(time.RFC3339Nano))
		require.Len(t, notices, 1)
		assert.Equal(t, NoticeWindowRounded, notices[0].Code)
		assert.Equal(t, "Window.Start", notices[0].Field)
	})
	t.Run("past start clamped to now", func(t *testing.T) {
		w := Window{Start: now.Add(-hour), End: now.Add(hour)}
		got, notices, err := w.Prepare(now, time.Second)
		require.NoError(t, err)
		assert.Equal(t, "2030-06-01T10:00:31Z", got.Start.Format(time.RFC3339Nano), "rounded up, never before now")
		require.Len(t, notices, 1)
		assert.Equal(t, NoticeStartClamped, notices[0].Code)
		assert.Equal(t, "Window.Start", notices[0].Field)
		assert.Equal(t, "start 2030-06-01T09:00:30Z is in the past; clamped to 2030-06-01T10:00:31Z", notices[0].String())

		got, _, err = w.Prepare(now, 0)
		require.NoError(t, err)
		assert.True(t, got.Start.Equal(now), "no resolution: exactly now")
		got, _, err = w.Prepare(now, time.Minute)
		require.NoError(t, err)
		assert.Equal(t, "2030-06-01T10:01:00Z", got.Start.Format(time.RFC3339))
	})
	t.Run("end in the past is invalid", func(t *testing.T) {
		for _, w := range []Window{
			{Start: now.Add(-2 * hour), End: now.Add(-hour)},
			{Start: now.Add(-2 * hour), End: now},
		} {
			_, _, err := w.Prepare(now, time.Second)
			assert.ErrorIs(t, err, ErrInvalid)
			assert.Contains(t, err.Error(), "Window.End")
		}
	})
	t.Run("end inside the clamp is invalid", func(t *testing.T) {
		w := Window{Start: now.Add(-hour), End: now.Add(10 * time.Second)}
		_, _, err := w.Prepare(now, time.Minute)
		assert.ErrorIs(t, err, ErrInvalid)
	})
	t.Run("truncation validates after", func(t *testing.T) {
		w := Window{Start: now.Add(hour), End: now.Add(hour + 10*time.Second)}
		_, _, err := w.Prepare(now, time.Minute)
		assert.ErrorIs(t, err, ErrInvalid, "both bounds round to the same minute")
	})
	t.Run("invalid windows", func(t *testing.T) {
		_, _, err := Window{}.Prepare(now, time.Second)
		assert.ErrorIs(t, err, ErrInvalid)
		_, _, err = Window{Start: now.Add(2 * hour), End: now.Add(hour)}.Prepare(now, time.Second)
		assert.ErrorIs(t, err, ErrInvalid)
	})
}

func TestValidateKey(t *testing.T) {
	for _, ok := range []string{"", "BK-1042", "booking 1042", strings.Repeat("k", MaxKeyLength), "ü-1"} {
		assert.NoError(t, ValidateKey(ok), "%q", ok)
	}
	for _, bad := range []string{" ", "\t\n", strings.Repeat("k", MaxKeyLength+1), "a\nb", "a\x00b", "a\u0085b", "\xff"} {
		err := ValidateKey(bad)
		assert.ErrorIs(t, err, ErrInvalid, "%q", bad)
		var ie *InvalidError
		require.ErrorAs(t, err, &ie)
		assert.Equal(t, "Key", ie.Field)
	}
	req := validRequest()
	req.Key = "  "
	assert.ErrorIs(t, req.Validate(), ErrInvalid)
}

func TestGrantState(t *testing.T) {
	doors := func(states ...GrantState) []DoorAccess {
		out := make([]DoorAccess, len(states))
		for i, s := range states {
			out[i] = DoorAccess{DoorID: string(rune('a' + i)), State: s}
		}
		return out
	}
	tests := []struct {
		doors []DoorAccess
		want  GrantState
	}{
		{nil, GrantPending},
		{doors(GrantActive), GrantActive},
		{doors(GrantActive, GrantPending), GrantPending},
		{doors(GrantActive, GrantFailed, GrantPending), GrantFailed},
		{doors(GrantActive, GrantRevoked), GrantActive},
		{doors(GrantExpired, GrantRevoked), GrantExpired},
		{doors(GrantRevoked, GrantRevoked), GrantRevoked},
	}
	for _, tt := range tests {
		g := Grant{Doors: tt.doors}
		assert.Equal(t, tt.want, g.State(), "%v", tt.doors)
	}
}

func TestGrantUsable(t *testing.T) {
	w := Window{Start: t0, End: t0.Add(time.Hour)}
	g := &Grant{Window: w, Doors: []DoorAccess{{DoorID: "a", State: GrantActive}, {DoorID: "b", State: GrantActive}}}
	assert.True(t, g.Usable(t0.Add(time.Minute)))
	assert.False(t, g.Usable(t0.Add(-time.Minute)), "set up but not yet inside the window")
	assert.False(t, g.Usable(t0.Add(time.Hour)), "window ended")
	g.Doors[1].State = GrantPending
	assert.False(t, g.Usable(t0.Add(time.Minute)), "one door not set up")
	g.Doors[1].State = GrantRevoked
	assert.Equal(t, GrantActive, g.State())
	assert.False(t, g.Usable(t0.Add(time.Minute)), "one door revoked")
	assert.False(t, (&Grant{Window: w}).Usable(t0), "no doors")
	assert.Equal(t, []string{"a", "b"}, g.DoorIDs())
}

func TestAllNotices(t *testing.T) {
	g := &Grant{Notices: []Notice{{Code: NoticeStartClamped, Message: "x"}},
		Doors: []DoorAccess{{DoorID: "a", Notices: []Notice{{Code: NoticeSMSDropped, Field: "Holder.Phone", Message: "SMS skipped"}}}, {DoorID: "b"}}}
	all := g.AllNotices()
	require.Len(t, all, 2)
	assert.Equal(t, NoticeStartClamped, all[0].Code)
	assert.Equal(t, "SMS skipped", all[1].String())
	all[0].Code = "changed"
	assert.Equal(t, NoticeStartClamped, g.Notices[0].Code, "a copy")
}

func TestGrantFilterMatch(t *testing.T) {
	g := &Grant{Key: "BK-1", Holder: Person{Email: "Ada@Example.com"}, Window: Window{Start: t0, End: t0.Add(time.Hour)},
		Doors: []DoorAccess{{DoorID: "d1"}, {DoorID: "d2"}}}
	for _, f := range []GrantFilter{{}, {Key: "BK-1"}, {DoorID: "d2"}, {HolderEmail: "ada@example.COM"}, {ActiveAt: t0},
		{Key: "BK-1", DoorID: "d1", HolderEmail: "ada@example.com", ActiveAt: t0.Add(time.Minute)}} {
		assert.True(t, f.Match(g), "%+v", f)
	}
	for _, f := range []GrantFilter{{Key: "BK-2"}, {Key: "bk-1"}, {DoorID: "d3"}, {HolderEmail: "bob@example.com"},
		{ActiveAt: t0.Add(time.Hour)}, {Key: "BK-1", DoorID: "d3"}} {
		assert.False(t, f.Match(g), "%+v", f)
	}
	assert.False(t, GrantFilter{}.Match(nil))
}

func TestCapabilities(t *testing.T) {
	c := Capabilities{Credentials: []CredentialKind{CredentialPIN}}
	assert.True(t, c.Grants())
	assert.True(t, c.Issues(CredentialPIN))
	assert.True(t, c.Issues(CredentialAny))
	assert.False(t, c.Issues(CredentialLink))
	assert.False(t, Capabilities{}.Issues(CredentialAny), "a door that takes no grants issues nothing")
	assert.False(t, Capabilities{}.Grants())

	assert.NoError(t, PINRules{MinLength: 4}.Check("123456789"))
	assert.EqualError(t, PINRules{MinLength: 4}.Check("12"), "access: invalid PIN: must be at least 4 digits")
	r := PINRules{MinLength: 4, MaxLength: 6}
	assert.NoError(t, r.Check("1234"))
	assert.NoError(t, r.Check("123456"))
	for _, bad := range []Secret{"123", "1234567", "12a4", ""} {
		err := r.Check(bad)
		assert.ErrorIs(t, err, ErrInvalid, "%q", bad.Reveal())
		assert.NotContains(t, err.Error(), bad.Reveal()+"\"", "the PIN is not in the error")
	}
}

func TestDoorLocation(t *testing.T) {
	loc, ok := Door{TimeZone: "Europe/Amsterdam"}.Location()
	require.True(t, ok)
	assert.Equal(t, "Europe/Amsterdam", loc.String())
	_, ok = Door{}.Location()
	assert.False(t, ok)
	_, ok = Door{TimeZone: "Mars/Olympus"}.Location()
	assert.False(t, ok)
}

func TestNoticeString(t *testing.T) {
	n := Notice{Code: NoticeSMSDropped, Field: "Holder.Phone", Message: "SMS skipped: 0612345678 has no country code"}
	assert.Equal(t, n.Message, n.String())
	assert.Equal(t, n.Message, fmtSprint(n))
}

func fmtSprint(v any) string { return fmt.Sprint(v) }
