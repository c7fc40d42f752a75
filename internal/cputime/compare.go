package cputime

import (
	"context"
	"testing"
	"time"
)

// Call is one way of making the call a benchmark compares: through
// doorkit, or written by hand.
type Call struct {
	Name string // the sub-benchmark is client=Name
	Do   func(ctx context.Context) error
}

// CallDeadline is the deadline CompareCalls gives each call under
// ctx=deadline: a caller's own, as a server handling a request has, and
// sooner than doorkit's attempt bounds (30 s, 60 s), which it then does not
// need.
const CallDeadline = 10 * time.Second

// CompareCalls runs each call as the sub-benchmarks ctx=none/client=Name
// (under context.Background: doorkit bounds each attempt itself) and
// ctx=deadline/client=Name (under a CallDeadline made anew for every call,
// for every client alike), reporting allocations and CPU time per call
// (Measure). Compare with benchstat -row /ctx -col /client.
func CompareCalls(b *testing.B, calls ...Call) {
	for _, kind := range []string{"none", "deadline"} {
		for _, call := range calls {
			b.Run("ctx="+kind+"/client="+call.Name, func(b *testing.B) {
				b.ReportAllocs()
				Measure(b, func() {
					for b.Loop() {
						ctx, cancel := context.Background(), context.CancelFunc(func() {})
						if kind == "deadline" {
							ctx, cancel = context.WithTimeout(ctx, CallDeadline)
						}
						err := call.Do(ctx)
						cancel()
						if err != nil {
							b.Fatal(err)
						}
					}
				})
			})
		}
	}
}
