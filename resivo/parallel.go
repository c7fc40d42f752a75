package resivo

import (
	"context"
	"sync"
)

// parallelReads bounds the reads resivo needs one per site or key: its
// public API lists neither every site's components nor authorizations in
// one call.
const parallelReads = 8

// inOrder runs read(ctx, i) for i in [0, n), at most parallelReads at once,
// and hands the results to use in index order, each as soon as it and those
// before it are done. When use returns false no read is started any more,
// those running see their context cancelled, and inOrder returns once they
// have ended.
func inOrder[T any](ctx context.Context, n int, read func(ctx context.Context, i int) T, use func(T) bool) {
	ctx, cancel := context.WithCancel(ctx)
	results := make([]T, n)
	done := make([]chan struct{}, n)
	for i := range done {
		done[i] = make(chan struct{})
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	defer func() {
		close(stop)
		cancel()
		wg.Wait()
	}()
	slots := make(chan struct{}, parallelReads)
	wg.Go(func() {
		for i := range n {
			select {
			case slots <- struct{}{}:
			case <-stop:
				return
			}
			select {
			case <-stop: // the slot and the stop came together
				return
			default:
			}
			wg.Go(func() {
				defer func() { <-slots }()
				results[i] = read(ctx, i)
				close(done[i])
			})
		}
	})
	for i := range n {
		<-done[i]
		if !use(results[i]) {
			return
		}
	}
}
