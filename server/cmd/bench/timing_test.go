package main

import (
	"math"
	"testing"
)

func TestMannWhitneyZ(t *testing.T) {
	var lo, hi []float64
	for i := 1; i <= 10; i++ {
		lo = append(lo, float64(i))
		hi = append(hi, float64(i+10))
	}
	// U = 0; mean 50; sd sqrt(10*10*21/12) = 13.229: z = -3.780.
	if z := mannWhitneyZ(lo, hi); math.Abs(z+3.7796) > 0.001 {
		t.Fatalf("z(lo, hi) = %.4f, want -3.7796", z)
	}
	if z := mannWhitneyZ(hi, lo); math.Abs(z-3.7796) > 0.001 {
		t.Fatalf("z(hi, lo) = %.4f, want +3.7796", z)
	}
	same := []float64{1, 2, 2, 3, 3, 3}
	if z := mannWhitneyZ(same, same); z != 0 {
		t.Fatalf("z of a sample against itself = %v, want 0", z)
	}
	if m := median([]float64{3, 1, 2, 10}); m != 2.5 {
		t.Fatalf("median = %v, want 2.5", m)
	}
}
