package main

import (
	"fmt"
	"time"

	"github.com/prometheus/common/model"
)

// durationValue is a flag value for a duration that may be given in days:
// Go's forms ("90m", "72h", "1.5h") and Prometheus's ("7d", "1d12h", "2w").
type durationValue struct{ d *time.Duration }

// Set parses s as a Go duration, or else as a Prometheus one, which has
// days (d), weeks (w) and years (y, 365 days).
func (v durationValue) Set(s string) error {
	if d, err := time.ParseDuration(s); err == nil {
		*v.d = d
		return nil
	}
	d, err := model.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("%q is not a duration: write one such as 90m, 72h, 7d or 1d12h", s)
	}
	*v.d = time.Duration(d)
	return nil
}

// String formats the duration with days where it has some ("1d12h").
func (v durationValue) String() string {
	if v.d == nil || *v.d == 0 {
		return "0"
	}
	if *v.d < 0 || *v.d%time.Millisecond != 0 {
		return v.d.String()
	}
	return model.Duration(*v.d).String()
}

// Type names the flag's kind in help.
func (v durationValue) Type() string { return "duration" }
