package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestReconcileExampleDryRun(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var out bytes.Buffer
	require.NoError(t, run(ctx, &out, false), out.String())
	got := out.String()
	for _, want := range []string{
		"Yesterday's sync: Applied 6 changes: 6 created.",
		"+ create      booking-1001",
		"- revoke      booking-1006",
		"-/+ recreate  booking-1005",
		"window changed outside doorkit",
		"-/+ recreate  booking-1003",
		"failed (the keypad did not answer)",
		"not issued       booking-1003",
		"Unmanaged (reported, never touched):",
		"hq-resivo  key store",
		"Plan: 1 to create, 0 to update, 2 to recreate, 1 to revoke, 2 unchanged. 1 unmanaged. 2 finding(s).",
		"This was a dry run",
	} {
		assert.Contains(t, got, want)
	}
	assert.NotContains(t, got, "246813", "PINs never print")
}

func TestReconcileExampleApply(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var out bytes.Buffer
	require.NoError(t, run(ctx, &out, true), out.String())
	got := out.String()
	for _, want := range []string{"Applying:", "[4/4]", "Applied 4 changes: 1 created, 2 recreated, 1 revoked.",
		"No changes: the vendors hold what the bookings want (5 unchanged, 1 unmanaged).", "Schedule the next run for"} {
		assert.Contains(t, got, want)
	}
	_, second, _ := strings.Cut(got, "Planned again:")
	assert.NotContains(t, second, "Changes:", "the second plan is empty")
}
