package clientopt_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/doorkit/doorkit/access"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// unreachableBudget fails every call, as a budget on Redis does while Redis
// is down, and reports its rate.
type unreachableBudget struct{ calls atomic.Int32 }

var errRedisDown = fmt.Errorf("redisstore: dial tcp 10.0.0.7:6379: connection refused: %w", access.ErrUnavailable)

func (b *unreachableBudget) Reserve(context.Context) (time.Duration, error) {
	b.calls.Add(1)
	return 0, errRedisDown
}
func (b *unreachableBudget) Backoff(context.Context, time.Duration) error { return errRedisDown }
func (b *unreachableBudget) Limit() (float64, int)                        { return 200, 10 }

// TestUnreachableRateBudgetStopsNoCall (issue 13, faults): in every vendor
// package, a rate budget that fails does not stop calls: they go on, paced
// locally, and the client's logger hears of it once.
func TestUnreachableRateBudgetStopsNoCall(t *testing.T) {
	for _, v := range vendors() {
		t.Run(v.name, func(t *testing.T) {
			var logged bytes.Buffer
			log := slog.New(slog.NewJSONHandler(&logged, &slog.HandlerOptions{Level: slog.LevelInfo}))
			budget := &unreachableBudget{}
			call, err := v.newClient(t, func(f fake) []any {
				return []any{v.opts.BaseURL(f.URL), v.opts.HTTPClient(f.Client), v.opts.Logger(log), v.opts.RateBudget(budget)}
			})
			require.NoError(t, err)
			for range 3 {
				require.NoError(t, call())
			}
			assert.Equal(t, int32(1), budget.calls.Load(), "the failed budget is asked again only after a while")
			warns := strings.Count(logged.String(), `"level":"WARN"`)
			assert.Equal(t, 1, warns, "logged once: %s", logged.String())
			assert.Contains(t, logged.String(), "rate budget failed")
		})
	}
}
