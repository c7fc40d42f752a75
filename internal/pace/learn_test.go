package pace

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/time/rate"
)

// TestARefusalCountsOncePerEpoch: refusals of requests sent before the
// last decrease say nothing about the rate since and do not lower it again.
func TestARefusalCountsOncePerEpoch(t *testing.T) {
	l := newLearner(100, 1)
	s, ok := l.reserve(false)
	require.True(t, ok)
	for range 5 { // a volley of refusals of requests sent together
		l.refused(s.epoch)
	}
	assert.InDelta(t, 80, l.current(), 1e-9, "one decrease")

	s, _ = l.reserve(false)
	l.refused(s.epoch)
	assert.InDelta(t, 64, l.current(), 1e-9, "a request sent after the decrease lowers it again")
	assert.Equal(t, rate.Limit(l.current()), l.lim.Limit(), "the limiter follows")
}

// TestAcceptedRequestsRaiseTheLimitToTheCeiling: after a refusal the limit
// climbs back fast to 90% of the limit refused, then slowly, and never
// above the ceiling; requests that did not wait for their slot say nothing
// and do not raise it.
func TestAcceptedRequestsRaiseTheLimitToTheCeiling(t *testing.T) {
	l := newLearner(100, 1)
	l.refused(0)
	require.InDelta(t, 80, l.current(), 1e-9)
	for range 100 {
		l.accepted()
	}
	assert.InDelta(t, 90, l.current(), 1, "fast back to 90% of the limit refused")
	assert.Less(t, l.current(), 90+100*probeGrowth+1e-9)

	before := l.current()
	for range 100 {
		l.accepted()
	}
	assert.InDelta(t, before+100*probeGrowth, l.current(), 0.1, "then slowly")

	for range 10_000 {
		l.accepted()
	}
	assert.Equal(t, 100.0, l.current(), "never above the ceiling")
}

// TestColdLimitLearns: with no ceiling the limit starts cold, grows by a
// constant step per accepted request that waited, and halves at the first
// refusal; later refusals lower it by a fifth.
func TestColdLimitLearns(t *testing.T) {
	l := newLearner(rate.Inf, 0)
	assert.True(t, math.IsInf(l.ceiling, 1))
	assert.Equal(t, float64(coldLimit), l.current())
	assert.Equal(t, coldBurst, l.lim.Burst())
	for range 40 {
		l.accepted()
	}
	assert.InDelta(t, coldLimit+40*slowStartGrowth, l.current(), 1e-9)

	l.refused(0)
	assert.InDelta(t, (coldLimit+40*slowStartGrowth)*exitFactor, l.current(), 1e-9)
	after := l.current()
	l.refused(1)
	assert.InDelta(t, after*decreaseFactor, l.current(), 1e-9)
}

// TestColdLoneRequestGoesAtOnce: before the first refusal, a request with
// no other in flight is not held (a caller sending one at a time is not
// slowed) but counts as held back, so the limit grows to its pace; once
// the vendor has refused, every request takes its slot.
func TestColdLoneRequestGoesAtOnce(t *testing.T) {
	l := newLearner(rate.Inf, 0)
	for range coldBurst + 20 { // 200 ms of slots at the cold limit
		s, ok := l.reserve(false)
		require.True(t, ok)
		if s.r != nil {
			defer s.r.Cancel()
		}
	}
	s, ok := l.reserve(false)
	require.True(t, ok)
	assert.Positive(t, s.delay, "a request among others waits")
	s.r.Cancel()

	s, ok = l.reserve(true)
	require.True(t, ok)
	assert.Zero(t, s.delay, "a lone request goes at once")
	assert.True(t, s.binding, "and counts as held back")

	l.refused(s.epoch)
	s, _ = l.reserve(true)
	assert.Positive(t, s.delay, "after a refusal a lone request waits too")
	s.r.Cancel()
}

// TestFallbackCeiling: a budget's fallback share lowers a caller's
// ceiling at once, and the caller's ceiling comes back whole when the
// budget answers again.
func TestFallbackCeiling(t *testing.T) {
	l := newLearner(100, 10)
	l.lower(25, 3)
	assert.Equal(t, 25.0, l.current())
	assert.Equal(t, 3, l.lim.Burst())
	for range 1000 {
		l.accepted()
	}
	assert.Equal(t, 25.0, l.current(), "never above the share")
	l.restore(100, 10)
	assert.Equal(t, 100.0, l.current())
	assert.Equal(t, 10, l.lim.Burst())
}
