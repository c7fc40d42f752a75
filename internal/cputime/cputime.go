// Package cputime reports, in benchmarks, the CPU time the process spent
// per operation: a figure the load of a shared machine disturbs far less
// than the time on the clock, since waiting for a core is not counted.
package cputime

import "testing"

// Measure runs loop, the benchmark's b.Loop loop, and reports the process's
// user and system CPU time per operation as "cpu-ns/op". Everything in the
// process counts: a benchmark comparing two clients of one in-process
// server charges the server's work to both alike.
func Measure(b *testing.B, loop func()) {
	start, ok := used()
	loop()
	end, _ := used()
	if ok && b.N > 0 {
		b.ReportMetric(float64(end-start)/float64(b.N), "cpu-ns/op")
	}
}
