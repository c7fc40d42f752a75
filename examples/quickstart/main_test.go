package main

import (
	"bytes"
	"context"
	"testing"

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
