package main

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"
)

// op is one operation to measure; it returns an error rather than
// panicking, so that a broken benchmark is reported rather than measured.
type op func() error

// benchFunc is a benchmark body with the same error convention.
type benchFunc func(b *testing.B) error

// measure runs f once with testing.Benchmark.
func measure(f benchFunc) (testing.BenchmarkResult, error) {
	var err error
	r := testing.Benchmark(func(b *testing.B) {
		if e := f(b); e != nil && err == nil {
			err = e
		}
	})
	if err == nil && r.N == 0 {
		err = errors.New("benchmark did not run")
	}
	return r, err
}

// loop is a benchmark body running o b.N times.
func loop(o op) benchFunc {
	return func(b *testing.B) error {
		for b.Loop() {
			if err := o(); err != nil {
				return err
			}
		}
		return nil
	}
}

// trimShare is the share of each side's slowest iterations left out of
// its mean: preemption by other processes, which lands on one side or the
// other at random.
const trimShare = 0.02

// trimmedMean is the mean of ds without its slowest trimShare.
func trimmedMean(ds []time.Duration) float64 {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Sorted(slices.Values(ds))
	s = s[:max(1, len(s)-int(float64(len(s))*trimShare))]
	var sum time.Duration
	for _, d := range s {
		sum += d
	}
	return float64(sum) / float64(len(s))
}

// pair is the outcome of runPairs.
type pair struct {
	A, B             float64 // ns/op: the median over rounds of each side's trimmed mean
	Ratio            float64 // the median over rounds of A/B
	RatioLo, RatioHi float64 // the smallest and largest round ratio
	AllocsA, BytesA  int64   // allocations and bytes per op of A alone
	AllocsB          int64   // allocations per op of B alone
	Rounds           int
	Iterations       int // iterations of each side in the last round
	Method           string
}

// runPairs measures a against b in rounds testing.Benchmark runs. In
// each, every iteration runs both, alternating which goes first, each
// timed on its own, so that both see the same machine at the same moment;
// a round's figure for a side is the trimmed mean of its iterations.
// Allocations are counted in separate runs of each side alone.
func runPairs(rounds int, a, b op) (pair, error) {
	var p pair
	var as, bs, ratios []float64
	for range rounds {
		var da, db []time.Duration
		var failed error
		r := testing.Benchmark(func(tb *testing.B) {
			da, db = da[:0], db[:0]
			for i := 0; tb.Loop(); i++ {
				first, second := a, b
				if i%2 == 1 {
					first, second = b, a
				}
				t0 := time.Now()
				e1 := first()
				t1 := time.Now()
				e2 := second()
				t2 := time.Now()
				if err := errors.Join(e1, e2); err != nil {
					failed = err
					return
				}
				d1, d2 := t1.Sub(t0), t2.Sub(t1)
				if i%2 == 1 {
					d1, d2 = d2, d1 // b went first
				}
				da, db = append(da, d1), append(db, d2)
			}
		})
		if failed != nil {
			return p, failed
		}
		if r.N == 0 || len(da) == 0 {
			return p, errors.New("benchmark did not run")
		}
		ma, mb := trimmedMean(da), trimmedMean(db)
		as, bs, ratios = append(as, ma), append(bs, mb), append(ratios, ma/mb)
		p.Iterations = len(da)
	}
	ra, err := measure(loop(a))
	if err != nil {
		return p, err
	}
	rb, err := measure(loop(b))
	if err != nil {
		return p, err
	}
	p.AllocsA, p.BytesA, p.AllocsB = ra.AllocsPerOp(), ra.AllocedBytesPerOp(), rb.AllocsPerOp()
	p.A, p.B, p.Ratio = median(as), median(bs), median(ratios)
	p.RatioLo, p.RatioHi = spread(ratios)
	p.Rounds = rounds
	p.Method = fmt.Sprintf("%d testing.Benchmark rounds of ~%d interleaved iterations per side; round ratios %.3f–%.3f, median taken", rounds, p.Iterations, p.RatioLo, p.RatioHi)
	return p, nil
}
