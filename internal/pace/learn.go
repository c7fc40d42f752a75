package pace

import (
	"math"
	"sync"

	"golang.org/x/time/rate"
)

// The learning limit's constants. They were chosen on the scenario of issue
// 15 (1,000 grants from 50 workers against a fake allowing 200 requests per
// second with a burst of 10): 1-6 answers 429 per run, 0.95-0.98 of the
// server's rate; see BenchmarkGrantsUnderRateLimit in havr.
const (
	// coldLimit and coldBurst pace a client that has not yet heard from the
	// vendor: a few requests at once, then about coldLimit a second,
	// growing from there. A lone request is never held (see lone), so a
	// caller that sends one request at a time is not slowed.
	coldLimit = 100
	coldBurst = 4
	// slowStartGrowth is added to the limit, in requests per second, for
	// every accepted request that waited for its slot before the first
	// refusal: the limit grows by e (about 2.7) every 1/slowStartGrowth
	// seconds of full use, slowly enough that it overshoots the vendor's
	// rate about twofold by the time the first refusal comes back.
	slowStartGrowth = 10
	// exitFactor divides the limit at the first refusal (the twofold
	// overshoot of slow start).
	exitFactor = 0.5
	// decreaseFactor multiplies the limit at every later refusal; the
	// limit then climbs back fast to peakFactor of the limit refused (the
	// vendor's rate is somewhat below it), and from there by probeGrowth
	// requests per second for every accepted request that waited: 2% a
	// second at full use, so refusals come seconds apart.
	decreaseFactor = 0.8
	peakFactor     = 0.9
	closeGap       = 0.05 // of the distance to the peak, per accepted request
	probeGrowth    = 0.02
)

// learner is a rate.Limiter whose limit follows the vendor's answers, the
// AIMD way: a refusal (429, or 503 with Retry-After) lowers it by a factor,
// accepted requests raise it again slowly, never above the ceiling.
//
// A refusal lowers the limit once per epoch: answers to requests sent
// before the last decrease say nothing about the rate since, so a volley of
// refusals from one burst counts once.
type learner struct {
	mu        sync.Mutex
	lim       *rate.Limiter
	ceiling   float64 // +Inf when none
	limit     float64
	peak      float64 // the limit climbs back fast up to here
	slowStart bool    // no refusal yet and no ceiling given
	epoch     uint64
}

// newLearner returns a learner under ceiling with bursts of burst, starting
// at the ceiling; with no ceiling (rate.Inf or 0) it starts cold and learns.
func newLearner(ceiling rate.Limit, burst int) *learner {
	l := &learner{ceiling: float64(ceiling), limit: float64(ceiling)}
	if ceiling == rate.Inf || ceiling <= 0 {
		l.ceiling, l.limit, l.slowStart, burst = math.Inf(1), coldLimit, true, coldBurst
	}
	l.lim = rate.NewLimiter(rate.Limit(l.limit), burst)
	return l
}

// slot is what a learner says about one request's turn.
type slot struct {
	local   bool              // the slot is the learner's
	r       *rate.Reservation // nil: nothing to give back
	delay   int64             // nanoseconds to wait
	epoch   uint64
	binding bool // the request would have waited: the limit held it back
}

// reserve takes a slot for one request. lone says no other request is in
// flight: before the first refusal such a request goes at once (a caller
// sending one request at a time cannot overrun a vendor by itself), and
// counts as held back, so that the limit grows to the pace of such a caller.
func (l *learner) reserve(lone bool) (slot, bool) {
	l.mu.Lock()
	epoch, cold := l.epoch, l.slowStart
	l.mu.Unlock()
	if l.lim.Allow() { // a token at hand: no wait, and no Reservation to allocate
		return slot{local: true, epoch: epoch}, true
	}
	r := l.lim.Reserve()
	if !r.OK() {
		return slot{}, false
	}
	d := r.Delay()
	if d > 0 && lone && cold {
		r.Cancel()
		return slot{local: true, epoch: epoch, binding: true}, true
	}
	return slot{local: true, r: r, delay: int64(d), epoch: epoch, binding: d > 0}, true
}

// refused lowers the limit after a refusal of a request sent in epoch.
func (l *learner) refused(epoch uint64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if epoch != l.epoch {
		return
	}
	l.epoch++
	if l.slowStart {
		l.slowStart = false
		l.limit *= exitFactor
		l.peak = l.limit
	} else {
		l.peak = l.limit * peakFactor
		l.limit *= decreaseFactor
	}
	l.lim.SetLimit(rate.Limit(l.limit))
}

// accepted raises the limit after an answer that was no refusal to a
// request the limit held back (one that did not wait says nothing about
// whether more would be accepted).
func (l *learner) accepted() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.limit >= l.ceiling {
		return
	}
	switch {
	case l.slowStart:
		l.limit += slowStartGrowth
	case l.limit < l.peak:
		l.limit += (l.peak-l.limit)*closeGap + probeGrowth
	default:
		l.limit += probeGrowth
	}
	l.limit = min(l.limit, l.ceiling)
	l.lim.SetLimit(rate.Limit(l.limit))
}

// lower sets a lower ceiling (the fallback share of a rate budget), and
// the limit to it if above.
func (l *learner) lower(ceiling float64, burst int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.ceiling = ceiling
	if l.limit > ceiling {
		l.limit, l.slowStart = ceiling, false
		l.lim.SetLimit(rate.Limit(ceiling))
	}
	l.lim.SetBurst(burst)
}

// restore sets the ceiling and the limit back to the caller's ceiling.
func (l *learner) restore(ceiling float64, burst int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.ceiling, l.limit, l.peak = ceiling, ceiling, 0
	l.lim.SetLimit(rate.Limit(ceiling))
	l.lim.SetBurst(burst)
}

// current returns the limit in requests per second.
func (l *learner) current() float64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.limit
}
