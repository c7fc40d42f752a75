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

func TestHavrAgainstARealServerNeedsADoorAndAVisitor(t *testing.T) {
	err := runHavr(context.Background(), &bytes.Buffer{}, havrConfig{url: "https://havr.invalid", user: "u", password: "p"})
	assert.ErrorContains(t, err, "-havr-door and -havr-visitor are required")
}
