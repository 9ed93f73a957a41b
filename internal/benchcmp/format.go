package benchcmp

import (
	"fmt"
	"math"
	"strconv"
	"time"
)

// fmtDur formats seconds with three significant digits in the unit that
// suits them: "530 ns", "5.31 ms", "1.59 s".
func fmtDur(s float64) string {
	scale, name := unitOf(s)
	return sig3(s/scale) + " " + name
}

// fmtSpan formats a min–max range in the unit of its upper end:
// "5.10–5.90 ms".
func fmtSpan(lo, hi float64) string {
	if lo == hi {
		return fmtDur(lo)
	}
	scale, name := unitOf(hi)
	return sig3(lo/scale) + "–" + sig3(hi/scale) + " " + name
}

// unitOf returns the scale and name of the unit fmtDur uses for s.
func unitOf(s float64) (float64, string) {
	switch a := math.Abs(s); {
	case a >= 1 || a == 0:
		return 1, "s"
	case a >= 1e-3:
		return 1e-3, "ms"
	case a >= 1e-6:
		return 1e-6, "µs"
	}
	return 1e-9, "ns"
}

// sig3 formats x with three significant digits, without an exponent.
func sig3(x float64) string {
	if x == 0 {
		return "0"
	}
	digits := max(3-int(math.Floor(math.Log10(math.Abs(x))))-1, 0)
	return strconv.FormatFloat(x, 'f', digits, 64)
}

// fmtLimit formats a time limit in whole seconds where it is one.
func fmtLimit(d time.Duration) string {
	if d%time.Second == 0 {
		return fmt.Sprintf("%d s", int64(d/time.Second))
	}
	return fmtDur(d.Seconds())
}
