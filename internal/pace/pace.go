// Package pace holds doorkit's client-side pacing: a transport under the
// retry loop and the auth transport that gives every attempt, retries and
// token fetches included, its slot before it is sent.
//
// A slot comes from one of three places:
//   - on defaults, a limit that learns the vendor's rate from its answers:
//     it starts cold (a few requests at once, then about 100 a second,
//     growing while the vendor accepts), a refusal (429, or 503 with
//     Retry-After) lowers it, and accepted requests raise it again slowly;
//   - with a ceiling (the vendors' WithRateLimit), the same limit starting
//     at the ceiling and never above it;
//   - with a shared budget (WithRateBudget), the budget of the vendor
//     account, which every replica draws from and which hears of every
//     refusal. While the budget fails, a local limit takes over.
package pace

import (
	"context"
	"log/slog"
	"math"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/internal/unsent"
	"golang.org/x/time/rate"
)

// FallbackShare is the share of a budget's rate (and burst) a client paces
// itself at while its budget fails: a fleet of up to 1/FallbackShare
// replicas that all lose the budget together stays within it, and a larger
// fleet is slowed by the vendor's refusals, which the local limit learns
// from.
const FallbackShare = 0.25

// BudgetTimeout bounds each call to a budget: a budget that does not answer
// in time counts as failed, so a door opens without it.
const BudgetTimeout = 500 * time.Millisecond

// After a budget fails the client paces locally for fallbackFirst, then
// asks the budget again with the next request; each further failure in a
// row doubles the time, up to fallbackMax.
const (
	fallbackFirst = time.Second
	fallbackMax   = 30 * time.Second
)

// Config says how a Transport paces.
type Config struct {
	// Limit and Burst are a ceiling (the vendors' WithRateLimit). A zero
	// Limit, or rate.Inf, means none: the limit starts cold and learns
	// (clientopt does not pace at all for WithRateLimit(rate.Inf, ...)).
	Limit rate.Limit
	Burst int
	// Budget, when set, gives every request its slot and hears of every
	// refusal.
	Budget access.RateBudget
	// MaxRetryAfter caps the Retry-After passed to Budget.Backoff, as the
	// retry policy caps what it waits out (0: no cap).
	MaxRetryAfter time.Duration
	// RetryAfter parses a Retry-After header (rest.RetryAfter; the retry
	// loop's reading, passed in because rest's tests use this package).
	// Without it a 503 is no refusal and a 429's Retry-After reads as 0.
	RetryAfter func(http.Header, time.Time) (time.Duration, bool)
	// Logger hears when the budget fails and when it answers again.
	Logger *slog.Logger
}

// Transport paces every request it sends. It sits under the retry loop and
// under the auth transport, so retries and token fetches are paced too, and
// one Transport serves every request of a client.
//
// Callers take their turn one at a time and reserve a slot only when their
// turn comes, rather than all reserving future slots at once: reserved slots
// are kept even when the process was stalled past them (a GC pause, a busy
// machine), and would then all go out together, far beyond the burst a
// server allows. Taking turns, at most burst+1 requests leave together
// after a stall, and a replica holds at most one slot of a shared budget.
type Transport struct {
	base     http.RoundTripper
	local    *learner
	turn     chan struct{} // holds one value while a caller takes its slot
	inflight atomic.Int64  // requests sent and not yet answered

	budget        access.RateBudget
	maxRetryAfter time.Duration
	retryAfter    func(http.Header, time.Time) (time.Duration, bool)
	logger        *slog.Logger
	ceiling       bool // a caller's ceiling applies while the budget works
	userLimit     float64
	userBurst     int
	shareLimit    float64 // 0: the budget does not report its rate
	shareBurst    int

	budgetTimeout time.Duration    // BudgetTimeout; tests shorten it
	now           func() time.Time // time.Now; tests set the clock

	mu       sync.Mutex // guards the fallback state below
	failing  bool       // the budget's last call failed
	retryAt  time.Time  // when to ask the budget again
	fallback time.Duration
}

// New returns base paced as cfg says.
func New(base http.RoundTripper, cfg Config) *Transport {
	t := &Transport{base: base, turn: make(chan struct{}, 1), budget: cfg.Budget,
		maxRetryAfter: cfg.MaxRetryAfter, retryAfter: cfg.RetryAfter, logger: cfg.Logger, budgetTimeout: BudgetTimeout, now: time.Now}
	hasCeiling := cfg.Limit > 0 && cfg.Limit != rate.Inf
	if hasCeiling {
		t.userLimit, t.userBurst = float64(cfg.Limit), cfg.Burst
	} else {
		t.userLimit = math.Inf(1)
	}
	if r, ok := cfg.Budget.(access.RateLimitReporter); ok {
		if perSecond, burst := r.Limit(); perSecond > 0 {
			t.shareLimit = perSecond * FallbackShare
			t.shareBurst = max(1, int(math.Ceil(float64(burst)*FallbackShare)))
		}
	}
	t.ceiling = cfg.Budget != nil && hasCeiling
	switch {
	case hasCeiling:
		t.local = newLearner(cfg.Limit, cfg.Burst)
	case cfg.Budget != nil && t.shareLimit > 0:
		t.local = newLearner(rate.Limit(t.shareLimit), t.shareBurst)
	default:
		t.local = newLearner(rate.Inf, 0)
	}
	return t
}

// Base returns the transport under the pacing.
func (t *Transport) Base() http.RoundTripper { return t.base }

// RoundTrip waits for its turn and its slot within the request's context,
// then sends, and tells the pacing of a refusal. A context that ends first
// returns its own error (errors.Is matches it), marked as not sent so that
// rest does not report a call that never left as of unknown outcome.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	s, budgeted, err := t.wait(req)
	if err != nil {
		closeBody(req)
		if err != errNoBurst {
			err = &unsent.Error{Err: err}
		}
		return nil, err
	}
	t.inflight.Add(1)
	resp, err := t.base.RoundTrip(req)
	t.inflight.Add(-1)
	if err != nil {
		return resp, err
	}
	if d, refused := t.refusal(resp); refused {
		if s.local {
			t.local.refused(s.epoch)
		}
		if budgeted {
			t.backoff(req.Context(), d)
		}
	} else if s.binding && resp.StatusCode < http.StatusInternalServerError {
		t.local.accepted()
	}
	return resp, nil
}

// refusal reports an answer that says the client goes too fast: 429, or
// 503 with Retry-After, and the Retry-After (0 without one).
func (t *Transport) refusal(resp *http.Response) (time.Duration, bool) {
	if resp.StatusCode != http.StatusTooManyRequests && resp.StatusCode != http.StatusServiceUnavailable {
		return 0, false
	}
	var d time.Duration
	var ok bool
	if t.retryAfter != nil {
		d, ok = t.retryAfter(resp.Header, time.Now())
	}
	return d, ok || resp.StatusCode == http.StatusTooManyRequests
}

// wait takes req's turn and slot and waits for it. budgeted says the slot
// came from the budget.
func (t *Transport) wait(req *http.Request) (s slot, budgeted bool, err error) {
	ctx := req.Context()
	select {
	case t.turn <- struct{}{}:
	case <-ctx.Done():
		return slot{}, false, ctx.Err()
	}
	defer func() { <-t.turn }()

	var budgetWait time.Duration
	useLocal := t.budget == nil || t.ceiling
	if t.budget != nil {
		if t.budgetDue(t.now()) {
			budgetWait, err = t.reserve(ctx)
			if err != nil {
				if ctx.Err() != nil {
					return slot{}, false, ctx.Err()
				}
				t.fail(err)
				useLocal = true
			} else {
				t.recovered()
				budgeted = true
			}
		} else {
			useLocal = true
		}
	}
	if useLocal {
		var ok bool
		if s, ok = t.local.reserve(t.inflight.Load() == 0); !ok {
			return slot{}, false, errNoBurst
		}
	}
	wait := max(time.Duration(s.delay), budgetWait)
	if wait <= 0 {
		return s, budgeted, nil
	}
	timer := time.NewTimer(wait)
	defer timer.Stop()
	select {
	case <-timer.C:
		return s, budgeted, nil
	case <-ctx.Done():
		if s.r != nil {
			s.r.Cancel() // give the local slot back; a budget's is spent
		}
		return slot{}, false, ctx.Err()
	}
}

// reserve takes a slot from the budget, within BudgetTimeout.
func (t *Transport) reserve(ctx context.Context) (time.Duration, error) {
	ctx, cancel := context.WithTimeout(ctx, t.budgetTimeout)
	defer cancel()
	return t.budget.Reserve(ctx)
}

// backoff tells the budget of a refusal with Retry-After d. The request's
// answer is in, so the call does not end with the caller's context.
func (t *Transport) backoff(ctx context.Context, d time.Duration) {
	if t.maxRetryAfter > 0 {
		d = min(d, t.maxRetryAfter)
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), t.budgetTimeout)
	defer cancel()
	if err := t.budget.Backoff(ctx, d); err != nil {
		t.fail(err)
	}
}

// budgetDue reports whether to ask the budget: it works, or it failed
// long enough ago to be asked again.
func (t *Transport) budgetDue(now time.Time) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return !t.failing || !now.Before(t.retryAt)
}

// fail switches to the local limit after the budget failed with err; the
// first failure after the budget worked is logged.
func (t *Transport) fail(err error) {
	t.mu.Lock()
	first := !t.failing
	if first {
		t.failing, t.fallback = true, fallbackFirst
		if t.ceiling && t.shareLimit > 0 {
			t.local.lower(min(t.userLimit, t.shareLimit), min(t.userBurst, t.shareBurst))
		}
	} else {
		t.fallback = min(2*t.fallback, fallbackMax)
	}
	t.retryAt = t.now().Add(t.fallback)
	t.mu.Unlock()
	if first && t.logger != nil {
		t.logger.Warn("pace: the rate budget failed; pacing locally until it answers again",
			"error", err, "limit", t.fallbackLimit())
	}
}

// recovered notes that the budget answered; the first answer after a
// failure is logged.
func (t *Transport) recovered() {
	t.mu.Lock()
	was := t.failing
	if was {
		t.failing = false
		if t.ceiling && t.shareLimit > 0 {
			t.local.restore(t.userLimit, t.userBurst)
		}
	}
	t.mu.Unlock()
	if was && t.logger != nil {
		t.logger.Info("pace: the rate budget answers again")
	}
}

// fallbackLimit describes the local limit for the log.
func (t *Transport) fallbackLimit() any {
	if t.shareLimit == 0 && math.IsInf(t.userLimit, 1) {
		return "learnt from the vendor's answers"
	}
	return t.local.current()
}

func closeBody(req *http.Request) {
	if req.Body != nil {
		_ = req.Body.Close()
	}
}

type errString string

func (e errString) Error() string { return string(e) }

const errNoBurst = errString("pace: the rate limit's burst is zero: no request can be sent")
