package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/august/augusttest"
	"github.com/doorkit/doorkit/havr"
	"github.com/doorkit/doorkit/havr/havrtest"
)

func TestGatekeeper(t *testing.T) {
	ctx := context.Background()
	dir, f, err := newDirectory()
	require.NoError(t, err)
	defer f.Close()
	gate := Gatekeeper{Access: dir, Lead: 15 * time.Minute, Log: io.Discard}
	start := time.Date(2030, 6, 1, 9, 0, 0, 0, time.UTC)
	b := Booking{Ref: "BK-1", Visitor: access.Person{Email: "grace@example.com"}, Site: "", Doors: []string{"Garage"},
		Start: start, End: start.Add(time.Hour), Status: "confirmed"}

	g, err := gate.OnChange(ctx, b)
	require.NoError(t, err)
	assert.Equal(t, "BK-1", g.Key)
	keys := f.havr.SharedKeys()
	require.Len(t, keys, 1)
	assert.Equal(t, start.Add(-15*time.Minute), keys[0].Start, "opens the lead time early")

	_, err = gate.OnChange(ctx, b)
	require.NoError(t, err, "a repeated confirmation")
	assert.Len(t, f.havr.SharedKeys(), 1, "is not granted twice")
	assert.Equal(t, 1, f.havr.Count(http.MethodPost, "/v1/shared_keys/create_with_link"))

	b.End = b.End.Add(time.Hour)
	moved, err := gate.OnChange(ctx, b)
	require.NoError(t, err)
	assert.Equal(t, g.ID, moved.ID, "moved in place")
	assert.True(t, f.havr.SharedKeys()[0].End.Equal(b.End))

	b.Status = "cancelled"
	for range 2 {
		_, err = gate.OnChange(ctx, b)
		require.NoError(t, err)
	}
	assert.Empty(t, f.havr.SharedKeys())

	unknown := Booking{Ref: "BK-2", Visitor: access.Person{Email: "a@example.com"}, Doors: []string{"Attic"},
		Start: start, End: start.Add(time.Hour), Status: "confirmed"}
	_, err = gate.OnChange(ctx, unknown)
	assert.ErrorIs(t, err, access.ErrNotFound, "an unknown door name")

	primisDoors := Booking{Ref: "BK-3", Visitor: access.Person{Email: "a@example.com"}, Site: access.JoinID("lab-primis", "1"),
		Doors: []string{"Lobby"}, Start: start, End: start.Add(time.Hour), Status: "confirmed"}
	_, err = gate.OnChange(ctx, primisDoors)
	assert.ErrorIs(t, err, access.ErrUnsupported, "Primis doors take no grants")
}

// The lost answer of a create is resolved by the booking reference: one
// grant at Havr, however the retry goes.
func TestGatekeeperLostAnswer(t *testing.T) {
	ctx := context.Background()
	dir, f, err := newDirectory()
	require.NoError(t, err)
	defer f.Close()
	gate := Gatekeeper{Access: dir, Log: io.Discard}
	start := time.Date(2030, 6, 1, 9, 0, 0, 0, time.UTC)
	b := Booking{Ref: "BK-9", Visitor: access.Person{Email: "grace@example.com"},
		Site: access.JoinID("hq-havr", havr.ID(havrtest.OfficeGroupID).String()), Doors: []string{"Front door"},
		Start: start, End: start.Add(time.Hour), Status: "confirmed"}
	f.havr.Inject(havrtest.Fault{Method: http.MethodPost, Path: "/v1/shared_keys/create_with_link", Count: 1, LoseAnswer: true})
	g, err := gate.OnChange(ctx, b)
	require.NoError(t, err, "the lost answer is looked up by the booking reference")
	assert.Equal(t, "BK-9", g.Key)
	assert.Len(t, f.havr.SharedKeys(), 1)
	assert.Equal(t, 1, f.havr.Count(http.MethodPost, "/v1/shared_keys/create_with_link"), "created once")
}

// On August the lost answer of a PIN load is resolved the same way: the
// booking reference finds the PIN the lock already has.
func TestGatekeeperAugustLostAnswer(t *testing.T) {
	ctx := context.Background()
	dir, f, err := newDirectory()
	require.NoError(t, err)
	defer f.Close()
	gate := Gatekeeper{Access: dir, Log: io.Discard}
	start := time.Date(2030, 6, 1, 15, 0, 0, 0, time.UTC)
	b := Booking{Ref: "BK-77", Visitor: access.Person{Name: "Ada Lovelace", Email: "ada@example.com"},
		Site: access.JoinID("villa-august", augusttest.HouseID), Doors: []string{"Front Door"},
		Start: start, End: start.Add(48 * time.Hour), Status: "confirmed"}
	f.august.Inject(augusttest.Fault{Method: http.MethodPost, Path: "/locks/" + augusttest.FrontDoorID + "/pins", Count: 1, LoseAnswer: true})
	g, err := gate.OnChange(ctx, b)
	require.NoError(t, err)
	assert.Equal(t, "BK-77", g.Key)
	assert.Equal(t, 1, f.august.CountPINCommands("load"), "loaded once")
	assert.Len(t, f.august.PINs(augusttest.FrontDoorID), 1)

	b.Status = "cancelled"
	_, err = gate.OnChange(ctx, b)
	require.NoError(t, err)
	assert.Zero(t, f.august.LivePINs())
}

func TestRun(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), &out))
	for _, want := range []string{
		"over accounts [hq-havr lab-primis villa-august site-resivo]",
		"BK-2001 confirmed: grant villa-august:", "pending, PIN loaded on the lock's keypad by August",
		"August PIN in slot 1: loaded, 2030-06-01 06:45 - 2030-06-05 07:00 UTC, for Ada Lovelace",
		"August holds 0 PINs",
		"BK-1042 confirmed: grant hq-havr:", " created,", " unchanged,", " updated,",
		"2030-06-01T07:45:00Z – 2030-06-01T11:00:00Z",
		`note "[BK-1042] Grace Hopper"`,
		"sms_dropped: SMS skipped",
		"BK-1042 cancelled: access revoked",
		"Havr holds 0 shared keys",
		`door "Main Entrance" (lab-primis:130000000001) takes no grants`,
	} {
		assert.Contains(t, out.String(), want)
	}
}
