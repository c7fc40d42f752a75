package main

import (
	"context"
	"testing"
	"time"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/havr"
	"github.com/doorkit/doorkit/havr/havrtest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestGatekeeper(t *testing.T) {
	srv := havrtest.NewServer()
	defer srv.Close()
	client, err := havr.New(havr.WithBaseURL(srv.URL), havr.WithHTTPClient(srv.Client()),
		havr.WithPassword(havrtest.OwnerEmail, havrtest.OwnerPassword))
	require.NoError(t, err)
	gate := Gatekeeper{Access: client, Lead: 15 * time.Minute}
	ctx := context.Background()
	start := time.Date(2030, 6, 1, 9, 0, 0, 0, time.UTC)
	b := &Booking{Ref: "BK-1", Visitor: access.Person{Email: "grace@example.com"}, Doors: []string{"Garage"},
		Start: start, End: start.Add(time.Hour), Status: "confirmed"}

	require.NoError(t, gate.OnStatusChange(ctx, b))
	require.NotEmpty(t, b.GrantID)
	keys := srv.SharedKeys()
	require.Len(t, keys, 1)
	assert.Equal(t, start.Add(-15*time.Minute), keys[0].Start, "opens the lead time early")

	require.NoError(t, gate.OnStatusChange(ctx, b), "a repeated confirmation")
	assert.Len(t, srv.SharedKeys(), 1, "is not granted twice")

	grantID := b.GrantID
	b.Status = "cancelled"
	require.NoError(t, gate.OnStatusChange(ctx, b))
	assert.Empty(t, srv.SharedKeys())
	assert.Empty(t, b.GrantID)

	// A grant revoked elsewhere already is fine to cancel.
	b.GrantID = grantID
	require.NoError(t, gate.OnStatusChange(ctx, b))

	unknown := &Booking{Ref: "BK-2", Visitor: access.Person{Email: "a@example.com"}, Doors: []string{"Attic"},
		Start: start, End: start.Add(time.Hour), Status: "confirmed"}
	assert.ErrorIs(t, gate.OnStatusChange(ctx, unknown), access.ErrNotFound, "an unknown door name")
}
