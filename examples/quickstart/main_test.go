package main

import (
	"bytes"
	"context"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/doorkit/doorkit/resivo/resivotest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestQuickstartPrimisOnTheFake(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, runPrimis(context.Background(), &out, primisConfig{phoneID: "test"}))
	got := out.String()
	assert.Contains(t, got, `"Main Entrance" is door 130000000001`)
	assert.Contains(t, got, "Opening door 130000000001... opened")
	assert.Contains(t, got, "Opening door 150000000003... denied, errors.Is(err, access.ErrDenied)")
	// Nothing was opened when the doors were listed: none shows open.
	table, _, _ := strings.Cut(got, "Opening")
	assert.NotRegexp(t, `(?m)^\d+ .*\sopen\s`, table)
	assert.Regexp(t, `(?m)^130000000001\s+Main Entrance\s+1\s+closed\s`, table)
}

func TestQuickstartHavrOnTheFake(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, runHavr(context.Background(), &out, havrConfig{}))
	for _, want := range []string{"Front door", "[link app_key]", `"Front door" is door 11`, "(created)",
		"11: pending, link, link emailed by Havr to visitor@example.com", "usable now: false", " unchanged",
		" updated, window", "Cancelled booking booking-1001 (twice: already gone is done)"} {
		assert.Contains(t, out.String(), want)
	}
	assert.Regexp(t, alreadyGone, out.String())
}

// alreadyGone is how every flow reports a grant revoked again by its id.
var alreadyGone = regexp.MustCompile(`(?m)^Revoking grant \S+ by its id again: already gone, errors\.Is\(err, access\.ErrNotFound\)$`)

func TestQuickstartAugustOnTheFake(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, runAugust(context.Background(), &out, augustConfig{}))
	got := out.String()
	for _, want := range []string{"Front Door", `"Front Door" is door A6697750D607098BAE8D6BAA11EF8063`,
		"A6697750D607098BAE8D6BAA11EF8063: pending, pin [redacted]", "state       active: August's webhook says the lock loaded the PIN",
		"Opening door A6697750D607098BAE8D6BAA11EF8063... opened", "pincommand load success", "operation unlock",
		"pincommand delete success", "Cancelled booking booking-1001", "persist the newest"} {
		assert.Contains(t, got, want)
	}
	assert.NotRegexp(t, `(?i)pin\s+\d{4,8}\b`, got, "the PIN prints redacted")
	assert.NotContains(t, got, "Rotated access tokens received", "a count of rotations says nothing to act on")
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
		`"Main entrance" is door site-amstelpark/cmp-1001`,
		"After a site migration it is site-amstelpark/cmp-m1-",
		"(was site-amstelpark/cmp-1001)",
		"Grant for booking booking-2001 (created)",
		"sent by resivo in nl-NL to visitor@example.com",
		"notice      sms_dropped: SMS skipped: 06 1234 5678 has no country code",
		"resivo would send an email to visitor@example.com in nl-NL",
		"and no SMS",
		" unchanged",
		"Cancelled booking booking-2001 (twice: already gone is done)",
	} {
		assert.Contains(t, got, want)
	}
	assert.Regexp(t, alreadyGone, got, "reported as Havr reports it")
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

// A usage error says what is wrong, shows the usage and exits 2 without
// running anything.
func TestUsageErrorsExit2(t *testing.T) {
	for _, args := range [][]string{{"-vendor", "foo"}, {"-vendor=Havr"}, {"havr"}, {"-no-such-flag"}} {
		var stdout, stderr bytes.Buffer
		code := run(context.Background(), args, &stdout, &stderr)
		assert.Equal(t, 2, code, "%q", args)
		assert.Empty(t, stdout.String(), "%q: nothing runs", args)
		assert.Contains(t, stderr.String(), "Usage of quickstart", "%q", args)
	}
	var stderr bytes.Buffer
	run(context.Background(), []string{"-vendor", "foo"}, &bytes.Buffer{}, &stderr)
	assert.Contains(t, stderr.String(), `unknown -vendor "foo": want one of primis, havr, august, resivo`)
	assert.Equal(t, 0, run(context.Background(), []string{"-h"}, &bytes.Buffer{}, &bytes.Buffer{}))
}

func TestOneVendorRunsAlone(t *testing.T) {
	var stdout, stderr bytes.Buffer
	require.Equal(t, 0, run(context.Background(), []string{"-vendor", "primis"}, &stdout, &stderr), stderr.String())
	assert.Contains(t, stdout.String(), "== Primis")
	assert.NotContains(t, stdout.String(), "== Havr")
}

// Each vendor's flow is what a newcomer reads first: every one has the same
// short shape (connect, list, find the door, the vendor's job, cancel), the
// details in named helpers.
func TestEachFlowIsShort(t *testing.T) {
	fset := token.NewFileSet()
	files, err := filepath.Glob("*.go")
	require.NoError(t, err)
	flows := 0
	for _, name := range files {
		f, err := parser.ParseFile(fset, name, nil, 0)
		require.NoError(t, err)
		for _, d := range f.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || !strings.HasPrefix(fn.Name.Name, "run") || fn.Name.Name == "run" {
				continue
			}
			flows++
			lines := fset.Position(fn.End()).Line - fset.Position(fn.Pos()).Line + 1
			assert.LessOrEqual(t, lines, 45, "%s is %d lines", fn.Name.Name, lines)
		}
	}
	assert.Equal(t, len(vendors), flows)
}
