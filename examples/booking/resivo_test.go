package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/resivo/resivotest"
)

const remoteAccessPath = "/" + resivotest.SiteID + "/authorizations/remote-access"

func resivoBooking(start time.Time) Booking {
	return Booking{Ref: "BK-77", Visitor: access.Person{Name: "Ada", Email: "ada@example.com", Phone: "06 1234 5678"},
		Site: access.JoinID("site-resivo", resivotest.SiteID), Doors: []string{resivotest.CylinderName},
		Start: start, End: start.Add(time.Hour), Status: "confirmed"}
}

// The window goes out in UTC, whatever the server's time zone.
func TestGatekeeperResivoWindowIsUTC(t *testing.T) {
	defer func(l *time.Location) { time.Local = l }(time.Local)
	time.Local = time.FixedZone("UTC+9", 9*3600)

	ctx := context.Background()
	dir, f, err := newDirectory()
	require.NoError(t, err)
	defer f.Close()
	gate := Gatekeeper{Access: dir, Lead: 15 * time.Minute, Log: io.Discard}
	start := time.Date(2030, 6, 1, 18, 0, 0, 0, time.Local) // 09:00 UTC
	b := resivoBooking(start)

	g, err := gate.OnChange(ctx, b)
	require.NoError(t, err)
	assert.Equal(t, "BK-77", g.Key)
	var body string
	for _, r := range f.resivo.Requests() {
		if r.Method == http.MethodPost && r.Path == remoteAccessPath {
			body = string(r.Body)
		}
	}
	assert.Contains(t, body, `"validFrom":"2030-06-01T08:45:00.000Z"`)
	assert.Contains(t, body, `"validTo":"2030-06-01T10:00:00.000Z"`)
	assert.Contains(t, body, `"emails":["ada@example.com"]`)
	assert.NotContains(t, body, "phoneNumbers", "06... has no country code: the SMS is dropped")
	assert.Contains(t, g.AllNotices()[0].Message, "SMS skipped")

	// Migrated ids: the names still resolve, and the grant moves to the new ids.
	ids := f.resivo.Migrate(resivotest.SiteID)
	moved, err := gate.OnChange(ctx, b)
	require.NoError(t, err)
	assert.Equal(t, []string{access.JoinID("site-resivo", resivotest.SiteID+"/"+ids[resivotest.CylinderName])}, moved.DoorIDs())

	b.Status = "cancelled"
	for range 2 {
		_, err = gate.OnChange(ctx, b)
		require.NoError(t, err)
	}
	for _, a := range f.resivo.Authorizations() {
		assert.True(t, a.Revoked, a.ID)
	}
}

// A lost create answer at resivo: resivo cannot list authorizations, so the
// booking cannot be confirmed automatically, but nothing is made twice.
func TestGatekeeperResivoLostAnswer(t *testing.T) {
	ctx := context.Background()
	dir, f, err := newDirectory()
	require.NoError(t, err)
	defer f.Close()
	gate := Gatekeeper{Access: dir, Log: io.Discard}
	b := resivoBooking(time.Date(2030, 6, 1, 9, 0, 0, 0, time.UTC))
	f.resivo.Inject(resivotest.Fault{Method: http.MethodPost, Path: remoteAccessPath, Count: 1, LoseAnswer: true})
	for range 3 {
		_, err := gate.OnChange(ctx, b)
		assert.ErrorIs(t, err, access.ErrOutcomeUnknown)
	}
	assert.Len(t, f.resivo.Authorizations(), 1)
	assert.Equal(t, 1, f.resivo.Count(http.MethodPost, remoteAccessPath), "created once")
}

func TestRunResivo(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), &out))
	text := out.String()
	for _, want := range []string{
		"BK-3001 confirmed: grant site-resivo:site-amstelpark/",
		"2030-06-01T06:45:00Z – 2030-06-01T09:00:00Z",
		"site-resivo:site-amstelpark/cmp-1001: pending, sent by resivo in nl-NL to ada@example.com, +31612345678",
		"resivo sent an email to ada@example.com in nl-NL",
		"resivo sent an SMS to +31612345678 in nl-NL",
		"BK-3001 cancelled: access revoked",
		"resivo holds 0 live authorizations of 2 made",
	} {
		assert.Contains(t, text, want)
	}
	var outcomes []string
	for _, line := range strings.Split(text, "\n") {
		if strings.HasPrefix(line, "BK-3001 confirmed: ") {
			outcomes = append(outcomes, strings.Fields(line)[4])
		}
	}
	assert.Equal(t, []string{"created,", "unchanged,", "recreated,"}, outcomes,
		"one create for two deliveries, then re-made on the migrated ids")
}
