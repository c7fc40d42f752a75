package august_test

import (
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// August may let a rotated-away token die within milliseconds. Under 100
// concurrent calls, requests sent with a token that died in flight are
// resent with the newest token held (or the one an answer still in flight
// brings), so no call fails.
//
// The fake's clock moves 1 ms each time the fake reads it, about three
// times per request, so with a 60 ms grace a token dies about twenty
// requests after its first use however fast this machine is: a burst of
// 100 requests kills the tokens of most of them in flight.
func TestFakeFastDyingTokensUnderConcurrency(t *testing.T) {
	env := newFakeEnv(t)
	ctx := timeout(t)
	var ticks atomic.Int64
	start := time.Now()
	env.srv.SetClock(func() time.Time { return start.Add(time.Duration(ticks.Add(1)) * time.Millisecond) })
	env.srv.SetTokenGrace(60 * time.Millisecond)
	before := env.srv.Count(http.MethodGet, "/users/locks/mine")

	const calls = 100
	var failed atomic.Int32
	var wg sync.WaitGroup
	for range calls {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, _, err := env.c.Locks.List(ctx); err != nil {
				failed.Add(1)
				t.Log(err)
			}
		}()
	}
	wg.Wait()
	assert.Zero(t, failed.Load(), "failed calls")
	sent := env.srv.Count(http.MethodGet, "/users/locks/mine") - before
	assert.Greater(t, sent, calls, "tokens died in flight: some requests were resent")
	t.Logf("%d requests for %d calls", sent, calls)
}
