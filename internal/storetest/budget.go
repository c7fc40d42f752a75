package storetest

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/internal/aimd"
)

// ClockedBudget is a RateBudget on a clock the test moves: Advance moves it
// forward by d.
type ClockedBudget struct {
	access.RateBudget
	Advance func(d time.Duration)
}

// BudgetRule runs one scenario against a budget for a vendor limit of 10
// requests a second with bursts of 10, made by newBudget on a fixed clock,
// and checks every wait against the rule of internal/aimd: slots, a
// Retry-After pushed to every client, one cut per volley of refusals, the
// timed recovery, and where refusals every second leave the rate. The
// memory budget and redisstore's run the same scenario, so they are held
// to one behaviour.
func BudgetRule(t *testing.T, newBudget func(perSecond float64, burst int) ClockedBudget) {
	t.Helper()
	ctx := context.Background()
	b := newBudget(10, 10) // half the burst spent: bursts of 5, 100 ms apart
	reserve := func(n int) []time.Duration {
		t.Helper()
		waits := make([]time.Duration, n)
		for i := range waits {
			w, err := b.Reserve(ctx)
			if err != nil {
				t.Fatal(err)
			}
			waits[i] = w
		}
		return waits
	}
	backoff := func(d time.Duration) {
		t.Helper()
		if err := b.Backoff(ctx, d); err != nil {
			t.Fatal(err)
		}
	}
	ms := time.Millisecond
	// Within a microsecond: redisstore's budget counts in microseconds.
	check := func(what string, got, want []time.Duration) {
		t.Helper()
		if !slices.EqualFunc(got, want, func(g, w time.Duration) bool { return (g - w).Abs() <= time.Microsecond }) {
			t.Errorf("%s: waits %v, want %v", what, got, want)
		}
	}

	check("the first slots", reserve(8), []time.Duration{0, 0, 0, 0, 0, 100 * ms, 200 * ms, 300 * ms})
	b.Advance(2 * time.Second)
	check("after a pause", reserve(1), []time.Duration{0})

	// A refusal with Retry-After 3 s: the next slot is 3 s away for every
	// client, and the rate is cut to 8 a second.
	b.Advance(10 * time.Second)
	backoff(3 * time.Second)
	check("after Backoff(3s)", reserve(2), []time.Duration{3 * time.Second, 3*time.Second + 125*ms})

	// One cut takes (1-Cut)/Recovery seconds to come back: 4 s.
	b.Advance(10 * time.Second)
	check("after the recovery", reserve(6), []time.Duration{0, 0, 0, 0, 0, 100 * ms})
	b.Advance(time.Minute)
	backoff(0)
	b.Advance(2 * time.Second) // 8 a second climbs to 9
	check("two seconds into the recovery", reserve(7), []time.Duration{0, 0, 0, 0, 0, time.Second / 9, 2 * time.Second / 9})

	// A refusal spends the burst: the slots after it are spaced at the cut
	// rate. A volley of refusals (several clients, a resent Backoff) cuts
	// once, and so do refusals less than a second after the last cut.
	b.Advance(time.Minute)
	for range 10 {
		backoff(0)
	}
	check("after a volley", reserve(3), []time.Duration{0, 125 * ms, 250 * ms})
	b.Advance(time.Minute)
	backoff(0)
	b.Advance(900 * ms) // 8 a second climbs to 8.45, and is not cut again
	backoff(0)
	waits := reserve(2)
	if got, want := waits[1]-waits[0], 118343195*time.Nanosecond; (got - want).Abs() > 2*time.Microsecond {
		t.Errorf("after refusals 0.9 s apart: slots %v apart, want %v (8.45 a second: one cut)", got, want)
	}

	// Refused every second, the rate settles near a fifth of the limit.
	b.Advance(time.Minute)
	rate := 10.0
	for range 30 {
		b.Advance(time.Second)
		backoff(0)
		rate = min(10, rate+10*aimd.Recovery) * aimd.Cut
	}
	waits = reserve(7)
	interval := time.Duration(float64(time.Second) / rate)
	if d := waits[6] - waits[5]; (d - interval).Abs() > 2*time.Microsecond {
		t.Errorf("refused every second: slots %v apart, want %v (%.2f a second)", d, interval, rate)
	}
	if rate < 1.9 || rate > 2.1 {
		t.Errorf("the rule settles at %.2f a second, want about a fifth of 10", rate)
	}
}
