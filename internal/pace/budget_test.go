package pace

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/internal/rest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/time/rate"
)

// fakeBudget is a RateBudget whose answers a test sets.
type fakeBudget struct {
	mu         sync.Mutex
	wait       time.Duration
	err        error // Reserve and Backoff fail with it
	backoffErr error // Backoff fails with it
	hang       bool  // Reserve waits for its context
	reserves   int
	backoffs   []time.Duration
	limit      float64 // reported through Limit when positive
	burst      int
}

func (b *fakeBudget) Reserve(ctx context.Context) (time.Duration, error) {
	b.mu.Lock()
	b.reserves++
	wait, err, hang := b.wait, b.err, b.hang
	b.mu.Unlock()
	if hang {
		<-ctx.Done()
		return 0, fmt.Errorf("budget: %w", ctx.Err())
	}
	return wait, err
}

func (b *fakeBudget) Backoff(_ context.Context, d time.Duration) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.backoffs = append(b.backoffs, d)
	return cmp.Or(b.backoffErr, b.err)
}

func (b *fakeBudget) set(f func(*fakeBudget)) {
	b.mu.Lock()
	defer b.mu.Unlock()
	f(b)
}

func (b *fakeBudget) counts() (int, []time.Duration) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.reserves, append([]time.Duration(nil), b.backoffs...)
}

// reportingBudget also reports its rate.
type reportingBudget struct{ *fakeBudget }

func (b reportingBudget) Limit() (float64, int) { return b.limit, b.burst }

// TestBudgetGivesEverySlot: with a budget, each request takes its slot
// from it and the local limit stays out of the way (its cold limit would
// hold most of these back).
func TestBudgetGivesEverySlot(t *testing.T) {
	base, budget := &countingBase{}, &fakeBudget{}
	tr := New(base, Config{RetryAfter: rest.RetryAfter, Budget: budget})
	for range 50 {
		require.NoError(t, send(t, tr, context.Background()))
	}
	reserves, _ := budget.counts()
	assert.Equal(t, 50, reserves)
	assert.Equal(t, int32(50), base.sent.Load())
	assert.Equal(t, float64(coldBurst), tr.local.lim.Tokens(), "no local slot taken")
}

// TestBudgetWaitCutShortIsNotSent: a wait the budget asks for ends with the
// caller's context, and the request is reported as not sent.
func TestBudgetWaitCutShortIsNotSent(t *testing.T) {
	base, budget := &countingBase{}, &fakeBudget{wait: time.Hour}
	tr := New(base, Config{RetryAfter: rest.RetryAfter, Budget: budget})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	err := send(t, tr, ctx)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.True(t, notSent(err))
	assert.Zero(t, base.sent.Load())
}

// TestRefusalBacksOffTheBudget: a 429 or a 503 with Retry-After tells the
// budget, with the Retry-After capped as the retry policy caps it; a 429
// without one tells it with 0; other answers do not.
func TestRefusalBacksOffTheBudget(t *testing.T) {
	for _, tc := range []struct {
		name       string
		status     int
		retryAfter string
		want       []time.Duration
	}{
		{"429 with Retry-After", 429, "7", []time.Duration{7 * time.Second}},
		{"429 with a long Retry-After", 429, "3600", []time.Duration{30 * time.Second}},
		{"429 without Retry-After", 429, "", []time.Duration{0}},
		{"503 with Retry-After", 503, "2", []time.Duration{2 * time.Second}},
		{"503 without Retry-After", 503, "", nil},
		{"200", 200, "", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			base, budget := &countingBase{status: tc.status, header: http.Header{}}, &fakeBudget{}
			if tc.retryAfter != "" {
				base.header.Set("Retry-After", tc.retryAfter)
			}
			tr := New(base, Config{RetryAfter: rest.RetryAfter, Budget: budget, MaxRetryAfter: 30 * time.Second})
			require.NoError(t, send(t, tr, context.Background()))
			_, backoffs := budget.counts()
			assert.Equal(t, tc.want, backoffs)
		})
	}
}

// logRecords returns the records logged at level, one message per entry.
func logRecords(buf *bytes.Buffer, level string) []string {
	var out []string
	for _, line := range strings.Split(buf.String(), "\n") {
		if strings.Contains(line, `"level":"`+level+`"`) {
			out = append(out, line)
		}
	}
	return out
}

// TestFailingBudgetFallsBackAndRecovers: a budget that fails does not stop
// requests: they go on at a quarter of the budget's rate, the budget is
// asked again only after a while, and falling back and recovering are
// each logged once.
func TestFailingBudgetFallsBackAndRecovers(t *testing.T) {
	var logs bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&logs, nil))
	base := &countingBase{}
	budget := reportingBudget{&fakeBudget{err: fmt.Errorf("redis: %w", access.ErrUnavailable), limit: 200, burst: 10}}
	clock := time.Now()
	tr := New(base, Config{RetryAfter: rest.RetryAfter, Budget: budget, Logger: logger})
	tr.now = func() time.Time { return clock }

	for range 3 { // the share's burst: sent without waiting
		require.NoError(t, send(t, tr, context.Background()))
	}
	assert.Equal(t, int32(3), base.sent.Load(), "the budget's failure stopped nothing")
	reserves, _ := budget.counts()
	assert.Equal(t, 1, reserves, "the budget is not asked again at once")
	assert.Equal(t, 200*FallbackShare, tr.local.current())
	assert.Equal(t, 3, tr.local.lim.Burst(), "a quarter of 10, rounded up")
	warns := logRecords(&logs, "WARN")
	require.Len(t, warns, 1)
	assert.Contains(t, warns[0], "unavailable")

	clock = clock.Add(fallbackFirst)
	require.NoError(t, send(t, tr, context.Background()))
	reserves, _ = budget.counts()
	assert.Equal(t, 2, reserves, "asked again after a while")
	assert.Len(t, logRecords(&logs, "WARN"), 1, "a failure in a row is not logged again")

	clock = clock.Add(fallbackFirst) // the wait has doubled: not yet
	require.NoError(t, send(t, tr, context.Background()))
	reserves, _ = budget.counts()
	assert.Equal(t, 2, reserves)

	budget.set(func(b *fakeBudget) { b.err = nil })
	clock = clock.Add(fallbackFirst)
	for range 5 {
		require.NoError(t, send(t, tr, context.Background()))
	}
	reserves, _ = budget.counts()
	assert.Equal(t, 7, reserves, "every request asks the budget again")
	assert.Len(t, logRecords(&logs, "INFO"), 1, "recovery logged once")
	assert.Len(t, logRecords(&logs, "WARN"), 1)
	assert.Equal(t, int32(10), base.sent.Load())
}

// TestFailingBudgetWithoutItsRate: a budget that does not report its rate
// falls back to the limit that learns, or to the caller's ceiling; a
// ceiling lower than the share stays.
func TestFailingBudgetWithoutItsRate(t *testing.T) {
	down := errors.New("connection refused")
	tr := New(&countingBase{}, Config{RetryAfter: rest.RetryAfter, Budget: &fakeBudget{err: down}})
	require.NoError(t, send(t, tr, context.Background()))
	assert.Equal(t, float64(coldLimit), tr.local.current(), "cold, learning")

	tr = New(&countingBase{}, Config{RetryAfter: rest.RetryAfter, Budget: &fakeBudget{err: down}, Limit: 20, Burst: 2})
	require.NoError(t, send(t, tr, context.Background()))
	assert.Equal(t, 20.0, tr.local.current())

	budget := reportingBudget{&fakeBudget{err: down, limit: 200, burst: 10}}
	tr = New(&countingBase{}, Config{RetryAfter: rest.RetryAfter, Budget: budget, Limit: 100, Burst: 5})
	require.NoError(t, send(t, tr, context.Background()))
	assert.Equal(t, 50.0, tr.local.current(), "the share, below the ceiling")
	budget.set(func(b *fakeBudget) { b.err = nil })
	clock := time.Now().Add(fallbackFirst)
	tr.now = func() time.Time { return clock }
	require.NoError(t, send(t, tr, context.Background()))
	assert.Equal(t, 100.0, tr.local.current(), "the ceiling again")
	assert.Equal(t, rate.Limit(100), tr.local.lim.Limit())
}

// TestHangingBudgetFallsBack: a budget that does not answer within
// BudgetTimeout counts as failed, and the request goes.
func TestHangingBudgetFallsBack(t *testing.T) {
	base := &countingBase{}
	tr := New(base, Config{RetryAfter: rest.RetryAfter, Budget: &fakeBudget{hang: true}})
	tr.budgetTimeout = time.Millisecond
	require.NoError(t, send(t, tr, context.Background()))
	assert.Equal(t, int32(1), base.sent.Load())
}

// TestCallerLeavesWhileBudgetAnswers: a caller whose context ends while the
// budget is asked gets its context's error, marked not sent; that is no
// failure of the budget, so nothing falls back.
func TestCallerLeavesWhileBudgetAnswers(t *testing.T) {
	var logs bytes.Buffer
	base := &countingBase{}
	tr := New(base, Config{RetryAfter: rest.RetryAfter, Budget: &fakeBudget{hang: true}, Logger: slog.New(slog.NewJSONHandler(&logs, nil))})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	err := send(t, tr, ctx)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.True(t, notSent(err))
	assert.Zero(t, base.sent.Load())
	assert.Empty(t, logs.String())
	assert.False(t, tr.failing)
}

// TestFailingBackoffFallsBack: a budget that cannot hear of a refusal is
// failing too.
func TestFailingBackoffFallsBack(t *testing.T) {
	base := &countingBase{status: 429, header: http.Header{"Retry-After": {"1"}}}
	budget := &fakeBudget{backoffErr: access.ErrUnavailable}
	tr := New(base, Config{RetryAfter: rest.RetryAfter, Budget: budget})
	require.NoError(t, send(t, tr, context.Background()))
	reserves, backoffs := budget.counts()
	assert.Equal(t, 1, reserves)
	assert.Len(t, backoffs, 1)
	assert.True(t, tr.failing)
}

// TestBudgetRefusalLeavesTheLocalLimit: a refusal of a request whose slot
// came from the budget is the budget's to learn from; the local limit,
// which takes over only while the budget fails, keeps what it had.
func TestBudgetRefusalLeavesTheLocalLimit(t *testing.T) {
	base := &countingBase{status: 429, header: http.Header{"Retry-After": {"1"}}}
	budget := &fakeBudget{}
	tr := New(base, Config{RetryAfter: rest.RetryAfter, Budget: budget})
	require.NoError(t, send(t, tr, context.Background()))
	_, backoffs := budget.counts()
	assert.Len(t, backoffs, 1)
	assert.Equal(t, float64(coldLimit), tr.local.current())
}
