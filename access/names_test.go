package access

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type fakeLister struct {
	doors []Door
	err   error
	calls int
}

func (f *fakeLister) ListDoors(context.Context) ([]Door, error) {
	f.calls++
	return f.doors, f.err
}

var testDoors = []Door{
	{ID: "d1", Name: "Front door", Site: "s1", Vendor: "fake", Connectivity: Online},
	{ID: "d2", Name: "Back door", Site: "s1", Vendor: "fake", Connectivity: Offline},
	{ID: "d3", Name: "Garage", Site: "s1", Vendor: "fake"},
	{ID: "d4", Name: "Front door", Site: "s2", Vendor: "fake"},
	{ID: "d5", Name: "Bike shed", Site: "s2", Vendor: "fake"},
}

func ids(doors []Door) []string {
	out := make([]string, len(doors))
	for i, d := range doors {
		out[i] = d.ID
	}
	return out
}

func TestFindDoors(t *testing.T) {
	got, err := FindDoors(testDoors, "Garage", "Back door", "Bike shed")
	require.NoError(t, err)
	assert.Equal(t, []string{"d3", "d2", "d5"}, ids(got), "order of names preserved")
	assert.Equal(t, testDoors[2], got[0], "the whole door is returned")

	got, err = FindDoors(testDoors)
	require.NoError(t, err)
	assert.Empty(t, got)

	got, err = FindDoors(testDoors, "Garage", "Garage")
	require.NoError(t, err)
	assert.Equal(t, []string{"d3", "d3"}, ids(got))
}

func TestFindDoorsMissing(t *testing.T) {
	for _, name := range []string{"garage", "GARAGE", "Garage ", " Garage", "Gar", "", "Cellar"} {
		got, err := FindDoors(testDoors, "Back door", name)
		require.Error(t, err, "%q", name)
		assert.Nil(t, got)
		assert.ErrorIs(t, err, ErrNotFound, "%q", name)
		assert.NotErrorIs(t, err, ErrConflict)
		var dne *DoorNameError
		require.ErrorAs(t, err, &dne)
		assert.Equal(t, name, dne.Name)
		assert.Empty(t, dne.Matches)
		assert.Contains(t, err.Error(), `"`+name+`"`, "the error names the door")
	}
	_, err := FindDoors(nil, "Garage")
	assert.EqualError(t, err, `access: no door is named "Garage"`)
}

func TestFindDoorsAmbiguous(t *testing.T) {
	got, err := FindDoors(testDoors, "Garage", "Front door")
	require.Error(t, err)
	assert.Nil(t, got)
	assert.ErrorIs(t, err, ErrConflict)
	assert.NotErrorIs(t, err, ErrNotFound)
	var dne *DoorNameError
	require.ErrorAs(t, err, &dne)
	assert.Equal(t, "Front door", dne.Name)
	assert.Equal(t, []string{"d1", "d4"}, ids(dne.Matches))
	assert.EqualError(t, err, `access: door name "Front door" is ambiguous: 2 doors (s1/d1, s2/d4)`)

	noSite := []Door{{ID: "a", Name: "Lobby"}, {ID: "b", Name: "Lobby"}, {ID: "c", Name: "Lobby", Site: "x"}}
	_, err = FindDoors(noSite, "Lobby")
	assert.EqualError(t, err, `access: door name "Lobby" is ambiguous: 3 doors (a, b, x/c)`)
}

func TestResolveDoorIDs(t *testing.T) {
	ctx := context.Background()

	t.Run("all sites", func(t *testing.T) {
		l := &fakeLister{doors: testDoors}
		got, err := ResolveDoorIDs(ctx, l, "", "Bike shed", "Garage")
		require.NoError(t, err)
		assert.Equal(t, []string{"d5", "d3"}, got)
		assert.Equal(t, 1, l.calls)
	})

	t.Run("site filter resolves a shared name", func(t *testing.T) {
		l := &fakeLister{doors: append([]Door(nil), testDoors...)}
		got, err := ResolveDoorIDs(ctx, l, "s2", "Front door", "Bike shed")
		require.NoError(t, err)
		assert.Equal(t, []string{"d4", "d5"}, got)

		got, err = ResolveDoorIDs(ctx, l, "s1", "Front door")
		require.NoError(t, err)
		assert.Equal(t, []string{"d1"}, got)
		assert.Equal(t, testDoors, l.doors, "the lister's slice is not modified")
	})

	t.Run("site filter hides other sites", func(t *testing.T) {
		l := &fakeLister{doors: testDoors}
		_, err := ResolveDoorIDs(ctx, l, "s1", "Bike shed")
		assert.ErrorIs(t, err, ErrNotFound)
		_, err = ResolveDoorIDs(ctx, l, "nowhere", "Garage")
		assert.ErrorIs(t, err, ErrNotFound)
	})

	t.Run("ambiguous without a site", func(t *testing.T) {
		l := &fakeLister{doors: testDoors}
		got, err := ResolveDoorIDs(ctx, l, "", "Front door")
		assert.Nil(t, got)
		assert.ErrorIs(t, err, ErrConflict)
		assert.Contains(t, err.Error(), "d1")
		assert.Contains(t, err.Error(), "d4")
	})

	t.Run("lister error passed through", func(t *testing.T) {
		boom := errors.New("vendor down")
		wrapped := &wrapErr{err: ErrUnavailable}
		for _, want := range []error{boom, wrapped} {
			l := &fakeLister{err: want}
			got, err := ResolveDoorIDs(ctx, l, "s1", "Garage")
			assert.Nil(t, got)
			assert.Same(t, want, err)
		}
		l := &fakeLister{err: wrapped}
		_, err := ResolveDoorIDs(ctx, l, "", "Garage")
		assert.ErrorIs(t, err, ErrUnavailable)
	})

	t.Run("no names", func(t *testing.T) {
		l := &fakeLister{doors: testDoors}
		got, err := ResolveDoorIDs(ctx, l, "")
		require.NoError(t, err)
		assert.Empty(t, got)
	})
}

type wrapErr struct{ err error }

func (w *wrapErr) Error() string { return "fake: " + w.err.Error() }
func (w *wrapErr) Unwrap() error { return w.err }

func TestDoorNameErrorIs(t *testing.T) {
	missing := &DoorNameError{Name: "x"}
	assert.True(t, errors.Is(missing, ErrNotFound))
	assert.False(t, errors.Is(missing, ErrConflict))
	ambiguous := &DoorNameError{Name: "x", Matches: []Door{{ID: "a"}, {ID: "b"}}}
	assert.True(t, errors.Is(ambiguous, ErrConflict))
	assert.False(t, errors.Is(ambiguous, ErrNotFound))
}

func TestConnectivityString(t *testing.T) {
	assert.Equal(t, "unknown", ConnectivityUnknown.String())
	assert.Equal(t, "online", Online.String())
	assert.Equal(t, "offline", Offline.String())
	assert.Equal(t, "unknown", Connectivity(42).String())
	var d Door
	assert.Equal(t, ConnectivityUnknown, d.Connectivity, "the zero value is unknown")
}
