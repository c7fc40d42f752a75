package resivo

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
)

// inOrder keeps at most parallelReads reads running, hands results over in
// index order, and starts none once the consumer stops.
func TestInOrder(t *testing.T) {
	const n = 40
	var now, peak, started atomic.Int32
	release := make(chan struct{})
	var got []int
	go func() {
		// Let the reads end one at a time, so the bound is what limits them.
		for range n {
			release <- struct{}{}
		}
	}()
	inOrder(context.Background(), n, func(_ context.Context, i int) int {
		started.Add(1)
		cur := now.Add(1)
		for p := peak.Load(); cur > p && !peak.CompareAndSwap(p, cur); p = peak.Load() {
		}
		<-release
		now.Add(-1)
		return i
	}, func(i int) bool {
		got = append(got, i)
		return true
	})
	assert.LessOrEqual(t, peak.Load(), int32(parallelReads))
	for i, v := range got {
		assert.Equal(t, i, v)
	}
	assert.Len(t, got, n)

	started.Store(0)
	inOrder(context.Background(), n, func(ctx context.Context, i int) int {
		started.Add(1)
		if i > 0 {
			<-ctx.Done() // running reads see the stop
		}
		return i
	}, func(int) bool { return false })
	// Read 0 ends at once; its slot may go to one more read before the
	// consumer, handed its result, stops. The others wait for the stop.
	assert.LessOrEqual(t, started.Load(), int32(parallelReads+1), "no read starts after the consumer stopped")
}
