package main

import (
	"bytes"
	"context"
	"testing"

	"github.com/doorkit/doorkit/resivo/resivotest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestQuickstartOnTheFakes(t *testing.T) {
	ctx := context.Background()
	var out bytes.Buffer
	require.NoError(t, runPrimis(ctx, &out, primisConfig{phoneID: "test"}))
	assert.Contains(t, out.String(), `Opening "Main Entrance" (130000000001)... opened`)
	assert.Contains(t, out.String(), "errors.Is(err, access.ErrDenied) == true")

	out.Reset()
	require.NoError(t, runHavr(ctx, &out, havrConfig{}))
	assert.Contains(t, out.String(), "Front door")
	for _, want := range []string{"[link app_key]", "(created)", "pending, link, link emailed by Havr to visitor@example.com",
		"usable now: false", " unchanged", " updated, window", "errors.Is(err, access.ErrNotFound) == true"} {
		assert.Contains(t, out.String(), want)
	}
}

func TestQuickstartAugustOnTheFake(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, runAugust(context.Background(), &out, augustConfig{}))
	got := out.String()
	assert.Contains(t, got, "Front Door")
	assert.Contains(t, got, "pending: August loads the PIN on the keypad and confirms by webhook")
	assert.Contains(t, got, "active (webhook received)")
	assert.Contains(t, got, `Unlocking "Front Door" remotely... unlocked (confirmed by webhook)`)
	assert.Contains(t, got, "pincommand load success")
	assert.Contains(t, got, "operation unlock")
	assert.Contains(t, got, "Revoked grant")
	assert.Contains(t, got, "credential  pin [redacted]", "the PIN prints redacted")
	assert.NotRegexp(t, `(?i)pin\s+\d{4,8}\b`, got)
}

func TestAugustAgainstARealServerNeedsAWebhook(t *testing.T) {
	err := runAugust(context.Background(), &bytes.Buffer{}, augustConfig{url: "https://august.invalid", apiKey: "k", token: "t"})
	assert.ErrorContains(t, err, "-august-webhook-url")
}

func TestHavrAgainstARealServerNeedsADoorAndAVisitor(t *testing.T) {
	err := runHavr(context.Background(), &bytes.Buffer{}, havrConfig{url: "https://havr.invalid", user: "u", password: "p"})
	assert.ErrorContains(t, err, "-havr-door and -havr-visitor are required")
}

func TestQuickstartResivoOnTheFake(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, runResivo(context.Background(), &out, resivoConfig{}))
	got := out.String()
	for _, want := range []string{
		"Site site-amstelpark: Residence Amstelpark (resivo writes to visitors in nl-NL)",
		"site-bergstrasse/cmp-2002", "Garage", "[link pin]",
		`"Main entrance" on site-amstelpark is site-amstelpark/cmp-1001`,
		"After a site migration it is site-amstelpark/cmp-m1-",
		"(was site-amstelpark/cmp-1001)",
		`door link for "Main entrance" (created)`,
		"key booking-2001",
		"sent by resivo in nl-NL to visitor@example.com",
		"notice      sms_dropped (Holder.Phone): SMS skipped: 06 1234 5678 has no country code",
		"resivo would send an email to visitor@example.com in nl-NL",
		"and no SMS",
		" unchanged",
		"Revoked the grant of key booking-2001",
		"errors.Is(err, access.ErrNotFound) == true",
		"resivo holds 0 live authorizations of 1 made",
	} {
		assert.Contains(t, got, want)
	}
	// The grant is made on the door's id after the migration, not before.
	assert.Regexp(t, `door        site-amstelpark/cmp-m1-\S+: pending, link`, got)
}

func TestResivoAgainstARealServerNeedsASite(t *testing.T) {
	err := runResivo(context.Background(), &bytes.Buffer{}, resivoConfig{url: "https://resivo.invalid", clientID: "id", clientSecret: "s"})
	assert.ErrorContains(t, err, "-resivo-site")
}

func TestResivoAgainstAServerListsOnlyWithoutADoorAndAVisitor(t *testing.T) {
	srv := resivotest.NewServer()
	defer srv.Close()
	rc := resivoConfig{url: srv.URL, clientID: resivotest.SiteClientID, clientSecret: resivotest.SiteClientSecret,
		sites: []string{resivotest.SiteID}, httpClient: srv.Client()}
	var out bytes.Buffer
	require.NoError(t, runResivo(context.Background(), &out, rc))
	assert.Contains(t, out.String(), "site-amstelpark/cmp-1003")
	assert.Contains(t, out.String(), "No grant: name a door and a visitor")
	assert.Empty(t, srv.Authorizations())

	// Given a door and a visitor, it grants and revokes at once, on the
	// ids as they are: a real site is never migrated.
	out.Reset()
	rc.door, rc.visitor = resivotest.CylinderName, "guest@example.com"
	require.NoError(t, runResivo(context.Background(), &out, rc))
	assert.NotContains(t, out.String(), "migration")
	assert.NotContains(t, out.String(), "notice", "no phone is sent to a real server")
	require.Len(t, srv.Authorizations(), 1)
	a := srv.Authorizations()[0]
	assert.True(t, a.Revoked)
	assert.Equal(t, []string{resivotest.CylinderID}, a.ComponentIDs)
	assert.Equal(t, []string{"guest@example.com"}, a.Emails)
	assert.Empty(t, a.PhoneNumbers)
}
