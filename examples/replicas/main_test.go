package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"
)

// The example runs in CI: it starts its own redis-server (or uses
// DOORKIT_REDIS_URL). Without either it skips, unless
// DOORKIT_REQUIRE_REDIS=1 (CI) makes that a failure.
func TestReplicasExample(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var out bytes.Buffer
	err := run(ctx, &out, options{redisURL: os.Getenv("DOORKIT_REDIS_URL"), replicas: 4, bookings: 40})
	if errors.Is(err, errNoRedis) {
		if os.Getenv("DOORKIT_REQUIRE_REDIS") == "1" {
			t.Fatalf("%v; DOORKIT_REQUIRE_REDIS=1 makes this a failure", err)
		}
		t.Skip(err)
	}
	if err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	got := out.String()
	for _, want := range []string{
		"4 replicas share one Redis",
		"replica  triggers  created  unchanged  cancelled  token requests  answers 429",
		"fleet       130       40         70         20",
		"Havr:   20 bookings, 15 live: 15 live shared keys; 1 login and 1 refresh for the fleet (0 refresh tokens reused)",
		"resivo: 20 bookings, 15 live: 20 authorizations made, 15 live; 2 token requests for the fleet",
		"One grant per live booking, one token request per account and expiry.",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("the output lacks %q:\n%s", want, got)
		}
	}
	// Under the race detector a stalled process can bunch requests beyond
	// the vendor's slack; otherwise the shared budgets keep every 429 away.
	if !raceDetector && !strings.Contains(got, "fleet       130       40         70         20               4            0") {
		t.Errorf("answers 429 without the race detector:\n%s", got)
	}
}
