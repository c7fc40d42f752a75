package cputime

import "testing"

func BenchmarkMeasure(b *testing.B) {
	Measure(b, func() {
		x := 0
		for b.Loop() {
			for i := range 1000 {
				x += i
			}
		}
		_ = x
	})
}
